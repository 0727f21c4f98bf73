"""Closed forms of the idealised shoot-and-scoot sub-model vs the independent SimPy peer.

Agreement criterion: |z| < 4 with z = (simulated − exact) / standard error.
"""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest

from nansei.verification import closed_form as cf

_PEER_PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "simpy_peer.py"
_spec = importlib.util.spec_from_file_location("simpy_peer", _PEER_PATH)
peer = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(peer)

FIRST = "per_site_first_detection"
PER = "per_detection"
Z_MAX = 4.0
N = 20_000


def z_prop(sample: np.ndarray, exact: float) -> float:
    """z-score of a sample proportion against its exact value."""
    se = math.sqrt(max(exact * (1.0 - exact), 1e-12) / sample.size)
    return (sample.mean() - exact) / se


def z_mean(sample: np.ndarray, exact: float) -> float:
    """z-score of a sample mean (sample standard error)."""
    se = sample.std(ddof=1) / math.sqrt(sample.size)
    if se == 0.0:
        return 0.0 if sample.mean() == exact else math.inf
    return (sample.mean() - exact) / se


def delay_of(params: dict) -> cf.FixedDelay | cf.ExponentialDelay | cf.LognormalDelay:
    kind = params.get("delay_kind", "fixed")
    if kind == "fixed":
        return cf.FixedDelay(params["delay"])
    if kind == "exponential":
        return cf.ExponentialDelay(params["delay_rate"])
    return cf.LognormalDelay(params["delay_median"], params["delay_sigma"])


def check_horizon(params: dict, n: int = N, seed: int = 1) -> dict[str, float]:
    """Compare survival, strikes and wasted strikes over the horizon; return z-scores."""
    k = params.get("salvos", 0)
    salvo_times = [j * params["salvo_spacing"] for j in range(k)]
    dwell = (k - 1) * params["salvo_spacing"] + params["linger"] if k else params["dwell"]
    exact = cf.horizon_outcomes(
        params["lam"],
        params["p"],
        dwell,
        params["move"],
        params["horizon"],
        delay_of(params),
        params["doctrine"],
        lam_move=params.get("lam_move", 0.0),
        salvo_times=salvo_times,
        q=params.get("q", 0.0),
    )
    sim = peer.run_replications(params, n, seed)
    z = {
        "survival": z_prop(sim["survived"], exact.survival),
        "strikes": z_mean(sim["strikes"].astype(float), exact.expected_strikes),
        "wasted": z_mean(sim["wasted_strikes"].astype(float), exact.expected_wasted),
    }
    assert all(abs(v) < Z_MAX for v in z.values()), (z, exact)
    return z


BASE = {"lam": 0.4, "p": 0.7, "dwell": 3.0, "move": 1.0, "horizon": 14.0}


# ------------------------------------------------------------ (a) agreement with SimPy
@pytest.mark.parametrize("doctrine", [FIRST, PER])
def test_fixed_delay_horizon_with_truncated_last_stay(doctrine):
    # stays start at 0, 4, 8, 12; the last is truncated to 2 h by H = 14.
    check_horizon({**BASE, "delay": 1.0, "doctrine": doctrine}, seed=11)


@pytest.mark.parametrize("doctrine", [FIRST, PER])
def test_fixed_delay_with_moving_detections(doctrine):
    params = {**BASE, "lam_move": 0.8, "delay": 0.5, "doctrine": doctrine, "horizon": 10.5}
    check_horizon(params, seed=12)


@pytest.mark.parametrize("doctrine", [FIRST, PER])
def test_delay_not_shorter_than_dwell_never_kills(doctrine):
    params = {**BASE, "lam": 1.0, "p": 1.0, "delay": 3.0, "doctrine": doctrine}
    sim = peer.run_replications(params, 5_000, seed=13)
    assert sim["survived"].all()
    assert cf.survival_probability(1.0, 1.0, 3.0, 1.0, 14.0, cf.FixedDelay(3.0), doctrine) == 1.0
    assert (sim["strikes"] == sim["wasted_strikes"]).all()
    assert sim["strikes"].sum() > 0
    check_horizon(params, n=5_000, seed=13)


@pytest.mark.parametrize("doctrine", [FIRST, PER])
def test_exponential_delay(doctrine):
    params = {**BASE, "delay_kind": "exponential", "delay_rate": 0.8, "doctrine": doctrine}
    check_horizon(params, seed=14)


@pytest.mark.parametrize("doctrine", [FIRST, PER])
def test_counter_battery(doctrine):
    params = {
        **BASE,
        "lam": 0.0,
        "salvos": 4,
        "salvo_spacing": 0.3,
        "linger": 0.4,
        "q": 0.6,
        "delay": 0.75,
        "horizon": 1.3,  # one stay of (k-1)Δ + L = 1.3 h
        "doctrine": doctrine,
    }
    k_exact = cf.counter_battery_stay_kill_probability(
        4, 0.3, 0.4, 0.6, 0.7, cf.FixedDelay(0.75), doctrine
    )
    # salvo j hits iff 0.75 < (3 − j)·0.3 + 0.4, i.e. j = 0, 1 only
    if doctrine == PER:
        assert k_exact == pytest.approx(1 - (1 - 0.42) ** 2)
    else:
        assert k_exact == pytest.approx(0.42 + 0.4 * 0.42)
    sim = peer.run_replications(params, N, seed=15)
    assert abs(z_prop(~sim["survived"], k_exact)) < Z_MAX
    # several stays, Poisson detection added, strikes and wasted strikes counted
    check_horizon({**params, "lam": 0.3, "horizon": 6.0}, seed=16)


@pytest.mark.parametrize("doctrine", [FIRST, PER])
def test_counter_battery_random_delay(doctrine):
    params = {
        **BASE,
        "lam": 0.0,
        "salvos": 3,
        "salvo_spacing": 0.5,
        "linger": 0.5,
        "q": 0.5,
        "delay_kind": "lognormal",
        "delay_median": 0.8,
        "delay_sigma": 0.6,
        "horizon": 1.5,
        "doctrine": doctrine,
    }
    k_exact = cf.counter_battery_stay_kill_probability(
        3, 0.5, 0.5, 0.5, 0.7, cf.LognormalDelay(0.8, 0.6), doctrine
    )
    sim = peer.run_replications(params, N, seed=17)
    assert abs(z_prop(~sim["survived"], k_exact)) < Z_MAX


@pytest.mark.parametrize("doctrine", [PER, FIRST])
def test_lognormal_delay(doctrine):
    params = {
        **BASE,
        "delay_kind": "lognormal",
        "delay_median": 1.0,
        "delay_sigma": 0.5,
        "doctrine": doctrine,
    }
    check_horizon(params, seed=18)


@pytest.mark.parametrize("doctrine", [FIRST, PER])
@pytest.mark.parametrize("kind", ["fixed", "exponential"])
def test_exponential_dwell_first_stay(doctrine, kind):
    params = {
        "lam": 0.5,
        "p": 0.8,
        "dwell": 2.5,
        "dwell_dist": "exponential",
        "move": 1.0,
        "horizon": 1e6,
        "delay": 0.7,
        "delay_kind": kind,
        "delay_rate": 1.5,
        "doctrine": doctrine,
    }
    delay = delay_of(params)
    k_exact = cf.stay_kill_probability_exponential_dwell(0.5, 0.8, 2.5, delay, doctrine)
    sim = peer.run_replications(params, N, seed=19)
    assert abs(z_prop(sim["loss_stay"] == 0, k_exact)) < Z_MAX
    # stays are i.i.d.: number of completed stays before the loss is geometric
    stays = sim["loss_stay"].astype(float)
    assert abs(z_mean(stays, cf.expected_stays_before_loss(k_exact))) < Z_MAX


def test_tie_rule_strike_at_departure_misses():
    params = {
        "lam": 0.0,
        "p": 1.0,
        "move": 1.0,
        "horizon": 10.0,
        "salvos": 1,
        "linger": 1.0,
        "q": 1.0,
        "delay": 1.0,
    }
    sim = peer.run_replications(params, 200, seed=20)
    assert sim["survived"].all()
    assert (sim["wasted_strikes"] == sim["strikes"]).all()
    assert (
        cf.counter_battery_stay_kill_probability(1, 0.0, 1.0, 1.0, 1.0, cf.FixedDelay(1.0), PER)
        == 0
    )
    assert cf.stay_kill_probability_fixed(5.0, 1.0, 1.0, 1.0, FIRST) == 0.0


# ---------------------------------------------------------- (b) internal consistency
@pytest.mark.parametrize("doctrine", [FIRST, PER])
def test_explicit_forms_match_general_form(doctrine):
    for tau, d in [(3.0, 1.0), (2.0, 2.5), (1.0, 0.0)]:
        assert cf.stay_kill_probability_fixed(0.6, 0.8, tau, d, doctrine) == pytest.approx(
            cf.stay_kill_probability(0.6, 0.8, tau, cf.FixedDelay(d), doctrine), abs=1e-14
        )
    for lam, mu in [(0.5, 2.0), (2.0, 0.5), (1.0, 1.0), (1.0, 1.0 + 1e-6)]:
        assert cf.stay_kill_probability_exponential_delay(lam, 0.8, 3.0, mu, doctrine) == (
            pytest.approx(
                cf.stay_kill_probability(lam, 0.8, 3.0, cf.ExponentialDelay(mu), doctrine),
                rel=1e-8,
            )
        )
    # lognormal: quadrature against the partial-expectation closed form
    assert cf.stay_kill_probability_lognormal_delay(0.5, 0.7, 3.0, 1.0, 0.5, doctrine) == (
        pytest.approx(
            cf.stay_kill_probability(0.5, 0.7, 3.0, cf.LognormalDelay(1.0, 0.5), doctrine),
            rel=1e-8,
        )
    )
    # counter-battery: explicit λ = 0 sum/product vs the general first-detection functional
    salvos = [0.0, 0.3, 0.6, 0.9]
    for delay in (cf.FixedDelay(0.75), cf.ExponentialDelay(2.0), cf.LognormalDelay(0.8, 0.6)):
        assert cf.counter_battery_stay_kill_probability(
            4, 0.3, 0.4, 0.6, 0.7, delay, doctrine
        ) == pytest.approx(
            cf.stay_kill_probability(0.0, 0.7, 1.3, delay, doctrine, salvo_times=salvos, q=0.6),
            rel=1e-10,
        )


def test_exponential_dwell_numeric_matches_closed():
    # per detection with exponential delay is integrated numerically; first detection
    # has a closed form: compare the numerical path by forcing it through a lognormal
    # with tiny sigma (≈ fixed delay) against the fixed-delay closed form.
    for doctrine in (FIRST, PER):
        closed = cf.stay_kill_probability_exponential_dwell(
            0.5, 0.8, 2.5, cf.FixedDelay(0.7), doctrine
        )
        numeric = cf.stay_kill_probability_exponential_dwell(
            0.5, 0.8, 2.5, cf.LognormalDelay(0.7, 1e-4), doctrine
        )
        assert numeric == pytest.approx(closed, rel=1e-3)


def test_per_detection_fixed_delay_strikes_closed_vs_quadrature():
    a = cf.stay_outcomes(0.7, 0.6, 3.0, cf.FixedDelay(1.0), PER, remaining=3.5)
    b = cf.stay_outcomes(0.7, 0.6, 3.0, cf.LognormalDelay(1.0, 1e-5), PER, remaining=3.5)
    assert a.strikes == pytest.approx(b.strikes, rel=1e-4)
    assert a.wasted == pytest.approx(b.wasted, rel=1e-4)


@pytest.mark.parametrize("doctrine", [FIRST, PER])
@pytest.mark.parametrize(
    "delay", [cf.FixedDelay(1.0), cf.ExponentialDelay(0.8), cf.LognormalDelay(1.0, 0.5)]
)
def test_limits_give_certain_survival(doctrine, delay):
    assert cf.survival_probability(0.0, 0.9, 3.0, 1.0, 50.0, delay, doctrine) == 1.0
    assert cf.survival_probability(0.9, 0.0, 3.0, 1.0, 50.0, delay, doctrine) == 1.0
    tiny = cf.survival_probability(1e-9, 0.9, 3.0, 1.0, 50.0, delay, doctrine)
    assert tiny == pytest.approx(1.0, abs=1e-7)


@pytest.mark.parametrize("doctrine", [FIRST, PER])
def test_fast_exponential_delay_approaches_zero_delay(doctrine):
    d0 = cf.survival_probability(0.5, 0.7, 3.0, 1.0, 14.0, cf.FixedDelay(0.0), doctrine)
    fast = cf.survival_probability(0.5, 0.7, 3.0, 1.0, 14.0, cf.ExponentialDelay(1e7), doctrine)
    assert fast == pytest.approx(d0, rel=1e-5)
    # and a slow one is strictly better for the launcher
    slow = cf.survival_probability(0.5, 0.7, 3.0, 1.0, 14.0, cf.ExponentialDelay(1.0), doctrine)
    assert slow > d0


def test_missile_kill_probability():
    assert cf.salvo_kill_probability(0.8, 0.5, 2) == pytest.approx(1 - 0.6**2)
    assert cf.salvo_kill_probability(0.8, 1.0, 4) == 0.0
    assert cf.salvo_kill_probability(0.8, 0.5, 0) == 0.0


def test_stay_starts_truncation():
    np.testing.assert_allclose(cf.stay_starts(14.0, 3.0, 1.0), [0.0, 4.0, 8.0, 12.0])
    np.testing.assert_allclose(cf.stay_starts(12.0, 3.0, 1.0), [0.0, 4.0, 8.0])


def test_rejects_unknown_doctrine():
    with pytest.raises(ValueError, match="per_detection"):
        cf.stay_kill_probability_fixed(0.5, 0.5, 1.0, 0.5, "always")
    with pytest.raises(ValueError, match="allowed"):
        peer.run_replications({"lambda": 1.0}, 1, 0)


# ----------------------------------------------- (c) with no delay, relocation is futile
def test_no_delay_per_detection_relocation_equal():
    reloc, static = cf.no_delay_relocation_comparison(0.3, 0.6, 24.0, 2.0, PER, move=0.5)
    assert reloc == pytest.approx(static, rel=1e-12)
    assert static == pytest.approx(math.exp(-0.3 * 0.6 * 24.0))
    # λ_move = 0: relocation only trades site time for (invisible) move time
    reloc0, _ = cf.no_delay_relocation_comparison(0.3, 0.6, 24.0, 2.0, PER, move=0.5, lam_move=0.0)
    site_time = sum(min(2.0, 24.0 - t) for t in cf.stay_starts(24.0, 2.0, 0.5))
    assert reloc0 == pytest.approx(math.exp(-0.3 * 0.6 * site_time))


def test_no_delay_first_detection():
    reloc, static = cf.no_delay_relocation_comparison(0.3, 1.0, 24.0, 2.0, FIRST, move=0.5)
    assert reloc == pytest.approx(static, rel=1e-12)
    reloc, static = cf.no_delay_relocation_comparison(0.3, 0.6, 24.0, 2.0, FIRST, move=0.5)
    assert reloc < static
    assert static == pytest.approx(1 - 0.6 * (1 - math.exp(-0.3 * 24.0)))


@pytest.mark.parametrize("doctrine", [FIRST, PER])
def test_no_delay_relocation_simulated(doctrine):
    params = {
        "lam": 0.3,
        "lam_move": 0.3,
        "p": 0.6,
        "dwell": 2.0,
        "move": 0.5,
        "horizon": 12.0,
        "delay": 0.0,
        "doctrine": doctrine,
    }
    reloc, _ = cf.no_delay_relocation_comparison(0.3, 0.6, 12.0, 2.0, doctrine, move=0.5)
    sim = peer.run_replications(params, 10_000, seed=21)
    assert abs(z_prop(sim["survived"], reloc)) < Z_MAX
    assert (sim["wasted_strikes"] == 0).all()
