"""The model's check suite: simulated values against exact results.

Each :class:`Check` builds an idealised scenario, names the exact value from
:mod:`nansei.verification.closed_form` (or an accounting identity), and says
how to estimate it from simulated records. :func:`run_checks` runs them and
reports the error in standard errors; a check passes within ``z_tol`` (4).
Later model parts register their checks with :func:`register`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from nansei.verification import closed_form as cf

Estimator = Callable[[pd.DataFrame], tuple[float, float]]


@dataclass(frozen=True)
class Check:
    """One verification check.

    Attributes
    ----------
    name : str
        Short unique name.
    description : str
        What is checked, in words.
    scenario : dict
        Scenario document (built-in name under ``base`` plus overrides).
    expected : Callable[[], float]
        The exact value.
    estimate : Estimator
        ``records -> (estimate, standard error)``.
    replications : int
        Replications at ``scale = 1``.
    exact_match : bool
        The check is an identity: it passes only with zero error.
    runner : Callable, optional
        Replaces :func:`nansei.engine.simulate.simulate` (same keywords), e.g. the
        evacuation-only driver.
    rel_tol : float
        The check also passes when ``|simulated - expected| <= rel_tol * |expected|``
        (for published figures given as "about").
    """

    name: str
    description: str
    scenario: dict
    expected: Callable[[], float]
    estimate: Estimator
    replications: int = 20_000
    exact_match: bool = False
    runner: Callable | None = None  # (scenario, replications, seed, workers) -> .records
    rel_tol: float = 0.0  # also passes within this relative error ("about" figures)


REGISTRY: dict[str, Check] = {}


def register(check: Check) -> Check:
    """Add a check to the registry (names must be unique)."""
    if check.name in REGISTRY:
        raise ValueError(f"check '{check.name}' is already registered")
    REGISTRY[check.name] = check
    return check


def _survival(records: pd.DataFrame) -> tuple[float, float]:
    x = (records["launchers_lost"] == 0).to_numpy(dtype=float)
    return _mean_se(x)


def _mean_se(x: np.ndarray) -> tuple[float, float]:
    n = x.size
    m = float(x.mean())
    se = float(x.std(ddof=1) / math.sqrt(n)) if n > 1 else float("nan")
    return m, se


def _column(name: str) -> Estimator:
    return lambda r: _mean_se(r[name].to_numpy(dtype=float))


def _identity(expr: Callable[[pd.DataFrame], np.ndarray]) -> Estimator:
    """Largest absolute violation of an identity over replications (SE 0)."""
    return lambda r: (float(np.max(np.abs(expr(r)))), 0.0)


def _doc(base: str, **over) -> dict:
    """A scenario document: a built-in plus dotted-path overrides."""
    return {"base": base, "overrides": over}


def scenario_document(doc: dict) -> dict:
    """Resolve a check's ``{"base", "overrides"}`` into a full scenario mapping."""
    import yaml

    from nansei.scenario import builtin_path

    out = yaml.safe_load(builtin_path(doc["base"]).read_text(encoding="utf-8"))
    for path, value in doc["overrides"].items():
        node = out
        keys = path.split(".")
        for k in keys[:-1]:
            node = node.setdefault(k, {})
        node[keys[-1]] = value
    return out


# -- the idealised parameters (see docs/verification.md) ----------------------
LAM, P, TAU, MOVE, H = 0.05, 0.8, 4.0, 0.5, 72.0


def _fixed_case(doctrine: str, delay: float) -> Check:
    tag = "first" if doctrine == "per_site_first_detection" else "each"
    return Check(
        name=f"survival-fixed-delay-{tag}-D{delay:g}",
        description=(
            f"Survival to H={H:g} h: Poisson detection λ={LAM}/h at sites, fixed kill chain "
            f"D={delay:g} h, dwell τ={TAU:g} h, move m={MOVE:g} h, p={P}, doctrine {doctrine}"
        ),
        scenario=_doc(
            "ideal-fixed-delay",
            **{
                "red.doctrine": doctrine,
                "red.kill_chain.delay_h": delay,
                "red.isr.detection_rate_per_h.hidden": LAM,
            },
        ),
        expected=lambda: cf.survival_probability(
            LAM, P, TAU, MOVE, H, cf.FixedDelay(delay), doctrine
        ),
        estimate=_survival,
    )


for _doctrine in cf.DOCTRINES:
    register(_fixed_case(_doctrine, 1.0))
    register(_fixed_case(_doctrine, 2.5))
register(_fixed_case("per_detection", TAU))  # D >= tau: no losses


def _exp_case(doctrine: str) -> Check:
    tag = "first" if doctrine == "per_site_first_detection" else "each"
    return Check(
        name=f"survival-exp-delay-{tag}",
        description=f"Survival to H={H:g} h with an exponential kill chain (mean 1 h), {doctrine}",
        scenario=_doc(
            "ideal-exp-delay",
            **{"red.doctrine": doctrine, "red.isr.detection_rate_per_h.hidden": LAM},
        ),
        expected=lambda: cf.survival_probability(
            LAM, P, TAU, MOVE, H, cf.ExponentialDelay(1.0), doctrine
        ),
        estimate=_survival,
    )


for _doctrine in cf.DOCTRINES:
    register(_exp_case(_doctrine))

K, SPACING, LINGER, Q, H_CB = 3, 0.25, 0.1, 0.6, 2.0


def _cb_case(doctrine: str, delay: cf.FixedDelay | cf.ExponentialDelay, label: str, spec) -> Check:
    tag = "first" if doctrine == "per_site_first_detection" else "each"
    salvo_times = [j * SPACING for j in range(K)]
    stay = (K - 1) * SPACING + LINGER
    return Check(
        name=f"counter-battery-{tag}-{label}",
        description=(
            f"Survival to H={H_CB:g} h, strikes cued by launch detection only: k={K} salvos "
            f"Δ={SPACING:g} h apart, leave L={LINGER:g} h after the last, q={Q}, p={P}, "
            f"kill chain {label}, {doctrine}"
        ),
        scenario=_doc(
            "ideal-counter-battery",
            **{"red.doctrine": doctrine, "red.kill_chain.delay_h": spec, "run.horizon_h": H_CB},
        ),
        expected=lambda: cf.survival_probability(
            0.0, P, stay, MOVE, H_CB, delay, doctrine, salvo_times=salvo_times, q=Q
        ),
        estimate=_survival,
    )


for _doctrine in cf.DOCTRINES:
    register(_cb_case(_doctrine, cf.FixedDelay(0.3), "D0.3", 0.3))
    register(
        _cb_case(
            _doctrine, cf.ExponentialDelay(2.0), "exp-mean0.5", {"kind": "exponential", "mean": 0.5}
        )
    )
register(
    _cb_case(
        "per_detection",
        cf.LognormalDelay(0.3, 0.5),
        "lognormal",
        {"kind": "lognormal", "median": 0.3, "sigma": 0.5},
    )
)


register(
    Check(
        name="no-delay-relocation-each",
        description=(
            "D = 0, per detection: survival with relocation equals exp(-λ p × time at sites); "
            "relocation brings no benefit beyond the time spent moving unseen"
        ),
        scenario=_doc(
            "ideal-fixed-delay",
            **{
                "red.doctrine": "per_detection",
                "red.kill_chain.delay_h": 0.0,
                "red.isr.detection_rate_per_h.hidden": LAM,
            },
        ),
        expected=lambda: cf.no_delay_relocation_comparison(
            LAM, P, H, TAU, "per_detection", move=MOVE, lam_move=0.0
        )[0],
        estimate=_survival,
    )
)


register(
    Check(
        name="conservation-missiles",
        description="Red missiles spent = intercepted + on target + wasted + on gateways",
        scenario=_doc("kyodo-2021"),
        expected=lambda: 0.0,
        estimate=_identity(
            lambda r: (
                r["red_missiles_spent"]
                - r["red_missiles_intercepted"]
                - r["red_missiles_on_target"]
                - r["red_missiles_wasted"]
                - r["red_missiles_on_gateways"]
            )
        ),
        replications=500,
        exact_match=True,
    )
)
register(
    Check(
        name="conservation-launchers",
        description="Launcher-hours = launchers x horizon when none is lost, less lost time",
        scenario=_doc("kyodo-2021"),
        expected=lambda: 0.0,
        estimate=_identity(
            lambda r: np.where(
                r["launchers_lost"] == 0,
                r["launcher_hours_available"] - r["launchers"] * r["param.horizon_h"],
                0.0,
            )
        ),
        replications=500,
        exact_match=True,
    )
)


def run_checks(
    names: list[str] | None = None,
    *,
    scale: float = 1.0,
    seed: int = 20211224,
    workers: int = 1,
    z_tol: float = 4.0,
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """Run registered checks.

    Parameters
    ----------
    names : list of str, optional
        Checks to run (default all).
    scale : float
        Multiplies each check's replications (e.g. 0.25 for a quick run).
    seed : int
        Root seed.
    workers : int
        Worker processes per check.
    z_tol : float
        Pass threshold in standard errors.

    Returns
    -------
    pandas.DataFrame
        One row per check: ``check``, ``expected``, ``simulated``, ``se``,
        ``z``, ``replications``, ``passed``, ``description``.
    """
    from nansei.engine.simulate import simulate
    from nansei.scenario import load_scenario

    chosen = list(REGISTRY) if names is None else names
    unknown = [n for n in chosen if n not in REGISTRY]
    if unknown:
        raise KeyError(f"unknown checks {unknown}; known: {', '.join(REGISTRY)}")
    rows = []
    for name in chosen:
        c = REGISTRY[name]
        if progress:
            progress(name)
        sc = load_scenario(scenario_document(c.scenario))
        reps = max(20, int(c.replications * scale))
        res = (c.runner or simulate)(sc, replications=reps, seed=seed, workers=workers)
        est, se = c.estimate(res.records)
        exp = float(c.expected())
        if c.exact_match:
            z = 0.0 if est == exp else math.inf
        elif se > 0:
            z = (est - exp) / se
        else:
            z = 0.0 if abs(est - exp) < 1e-12 else math.inf
        ok = abs(z) <= z_tol or abs(est - exp) <= c.rel_tol * abs(exp)
        rows.append((name, exp, est, se, z, reps, ok, c.description))
    cols = ["check", "expected", "simulated", "se", "z", "replications", "passed", "description"]
    return pd.DataFrame(rows, columns=cols)


# the later model parts register their checks on import
from nansei.verification import civil_checks, fuel_checks, sustain_checks  # noqa: E402, F401
