"""Checks of the kill-chain mechanisms against exact results.

Listed in ``CHECKS`` and registered in :data:`nansei.verification.checks.REGISTRY`:
a strike's location error against its lethal radius, road tracks lost at a
rate, a detection rate that grows with time at a site, Red's false claims,
counter-battery fire with salvos under a minute apart, site memory, and firing from
firing points rather than hides. The
exact values come from :mod:`nansei.verification.killchain_forms` and
:mod:`nansei.verification.closed_form`; ``docs/verification.md`` derives them.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from nansei.verification import closed_form as cf
from nansei.verification import killchain_forms as kf
from nansei.verification.attrition_checks import (
    LAM,
    LINGER,
    MOVE,
    SPACING,
    TAU,
    H,
    K,
    P,
    _survival,
)
from nansei.verification.base import Check, _column, _doc, _identity

CHECKS: list[Check] = []

#: The *low-ISR regime* of ``kyodo-2021`` (overrides): Red's ISR cut to the rates issue 14
#: measured the kill-chain inversion with, so that a change can move losses either way
#: (the built-in Red loses every launcher). Used by ``tests/test_killchain_properties.py``
#: and ``scripts/kyodo_before_after.py``.
LOW_ISR = {
    "red.isr.detection_rate_per_h": {
        "hidden": 0.001,
        "moving": 0.01,
        "setting_up": 0.005,
        "firing": 0.005,
        "reloading": 0.005,
    },
    "red.isr.p_detect_launch": 0.3,
    "red.p_kill": 0.6,
    "blue.relocation.scoot_after_salvos": 1,
    # one kill chain for every cue, as when issue 14 measured the inversion (kyodo-2021's
    # calibration since gives the launch cue its own, shorter chain)
    "red.kill_chain": {"delay_h": {"kind": "lognormal", "median": 1.0, "sigma": 0.5}},
}

RADIUS, SD = 0.1, 0.1
CHECKS.append(
    Check(
        name="aim-error-lethal-radius",
        description=(
            f"Survival to H={H:g} h when each missile lands with a circular normal error "
            f"σ={SD:g} km about the aim point and kills within R={RADIUS:g} km: the kill "
            f"probability per strike is p (1 - exp(-R²/2σ²)); fixed D=1 h, first detection"
        ),
        scenario=_doc(
            "ideal-fixed-delay",
            **{
                "red.isr.detection_rate_per_h.hidden": LAM,
                "red.isr.location_error_km": SD,
                "red.lethal_radius_km": RADIUS,
            },
        ),
        expected=lambda: cf.survival_probability(
            LAM,
            P * kf.hit_probability(RADIUS, SD),
            TAU,
            MOVE,
            H,
            cf.FixedDelay(1.0),
            "per_site_first_detection",
        ),
        estimate=_survival,
    )
)

LAM_MOVE, MU = 0.5, 2.0
CHECKS.append(
    Check(
        name="track-held-to-stop",
        description=(
            f"Survival to H={H:g} h when only road tracks cue strikes: detection λ={LAM_MOVE}/h "
            f"on {MOVE:g} h moves, tracks lost at μ={MU:g}/h; a track held to the stop is "
            f"struck there (held with 1 - exp(-λ(1 - e^(-μm))/μ)); fixed D=1 h"
        ),
        scenario=_doc(
            "ideal-fixed-delay",
            **{
                "red.isr.detection_rate_per_h": {
                    "hidden": 0.0,
                    "moving": LAM_MOVE,
                    "setting_up": 0.0,
                    "firing": 0.0,
                    "reloading": 0.0,
                },
                "red.isr.track_loss_rate_per_h": MU,
            },
        ),
        expected=lambda: kf.survival_track_cued(LAM_MOVE, MU, P, TAU, MOVE, H, 1.0),
        estimate=_survival,
    )
)

GROWTH, CAP = 0.5, 2.0
CHECKS.append(
    Check(
        name="growing-detection-hazard",
        description=(
            f"Survival to H={H:g} h when the detection rate at a site grows as "
            f"λ min(1 + {GROWTH:g} τ, {CAP:g}) with the time τ since arrival (λ={LAM}/h); "
            "fixed D=1 h, first detection"
        ),
        scenario=_doc(
            "ideal-fixed-delay",
            **{
                "red.isr.detection_rate_per_h.hidden": LAM,
                "red.isr.dwell_hazard": {"growth_per_h": GROWTH, "max_factor": CAP},
            },
        ),
        expected=lambda: kf.survival_growing_hazard(LAM, GROWTH, CAP, P, TAU, MOVE, H, 1.0),
        estimate=_survival,
    )
)

P_CLAIM = 0.3


def _claim_ratio(r: pd.DataFrame) -> tuple[float, float]:
    """False claims per leaking strike that killed nothing (ratio of means, delta-method SE)."""
    x = (r["red_claimed_kills"] - r["launchers_lost"]).to_numpy(dtype=float)
    y = (r["red_missiles_on_target"] + r["red_missiles_wasted"] - r["launchers_lost"]).to_numpy(
        dtype=float
    )
    ratio = x.sum() / y.sum()
    d = x - ratio * y
    se = math.sqrt(float(np.sum(d * d)) / (len(x) * (len(x) - 1))) / y.mean()
    return float(ratio), se


CHECKS.append(
    Check(
        name="false-claims",
        description=(
            f"Red claims a kill for each leaking strike that killed nothing with p={P_CLAIM}: "
            "(claimed - lost) / (leaking strikes - lost), one missile per strike"
        ),
        scenario=_doc(
            "ideal-fixed-delay",
            **{
                "red.doctrine": "per_detection",
                "red.isr.detection_rate_per_h.hidden": LAM,
                "red.p_false_claim": P_CLAIM,
            },
        ),
        expected=lambda: P_CLAIM,
        estimate=_claim_ratio,
    )
)

# counter-battery with salvos under a minute apart (blue.fires.salvo_duration_h)
K_FAST, SPACING_FAST, LINGER_FAST, DUR_FAST, Q, H_CB = 3, 0.5 / 60, 0.5 / 60, 0.1 / 60, 0.6, 2.0

CHECKS.append(
    Check(
        name="counter-battery-sub-minute-salvos",
        description=(
            f"Survival to H={H_CB:g} h, strikes cued by launch detection only: k={K_FAST} salvos "
            "0.5 min apart, each 0.1 min long, leave 0.5 min after the last, q=0.6, p=0.8, "
            "exponential kill chain (mean 0.5 h), first detection"
        ),
        scenario=_doc(
            "ideal-counter-battery",
            **{
                "run.horizon_h": H_CB,
                "blue.fires.salvo_interval_h": SPACING_FAST,
                "blue.fires.salvo_duration_h": DUR_FAST,
                "blue.relocation.scoot_delay_h": LINGER_FAST,
            },
        ),
        expected=lambda: cf.survival_probability(
            0.0,
            P,
            (K_FAST - 1) * SPACING_FAST + LINGER_FAST,
            MOVE,
            H_CB,
            cf.ExponentialDelay(2.0),
            "per_site_first_detection",
            salvo_times=[j * SPACING_FAST for j in range(K_FAST)],
            q=Q,
        ),
        estimate=_survival,
    )
)

CHECKS.append(
    Check(
        name="site-memory-no-return",
        description=(
            "Site memory: a launcher with two sites that fires at every stay and remembers "
            "fired-from sites for the whole horizon moves exactly once (relocations - 1 = 0)"
        ),
        scenario=_doc(
            "ideal-counter-battery",
            **{
                "run.horizon_h": 24.0,
                "geography.islands": ["okinawa"],
                "geography.sites": {"builtin": ["okinawa-n2", "okinawa-n3"]},
                "red.isr.p_detect_launch": 0.0,
                "blue.relocation.site_memory_h": 1000.0,
            },
        ),
        expected=lambda: 0.0,
        estimate=_identity(lambda r: r["relocations"] - 1),
        replications=200,
        exact_match=True,
    )
)

# a salvo reveals the firing point, not the hide
H_FP = 6.0
CHECKS.append(
    Check(
        name="counter-battery-firing-point",
        description=(
            f"Survival to H={H_FP:g} h when the launcher waits at hides and fires from firing "
            f"points: k={K} salvos Δ={SPACING:g} h apart, leave L={LINGER:g} h after the last, "
            f"q={Q}, p={P}, exponential kill chain (mean 0.5 h), first detection; hides are "
            f"never revealed, so each firing-point visit is a counter-battery stay between "
            f"two {MOVE:g} h moves"
        ),
        scenario=_doc(
            "ideal-counter-battery",
            **{
                "run.horizon_h": H_FP,
                "blue.relocation.fire_from": "firing_point",
                "blue.relocation.firing_point_km": 1000.0,
                "blue.relocation.site_memory_h": 100.0,
            },
        ),
        expected=lambda: cf.survival_probability(
            0.0,
            P,
            (K - 1) * SPACING + LINGER,
            2 * MOVE,
            H_FP - MOVE,
            cf.ExponentialDelay(2.0),
            "per_site_first_detection",
            salvo_times=[j * SPACING for j in range(K)],
            q=Q,
        ),
        estimate=_survival,
    )
)

# Red strikes again positions it saw used (pattern of life)
REVISIT_PER_DAY = 24.0
CHECKS.append(
    Check(
        name="revisit-strikes",
        description=(
            f"Revisit strikes at {REVISIT_PER_DAY:g}/day on positions Red saw used, with a "
            f"memory longer than the horizon: E[strikes] = r ∫ (1 - exp(-λ S(t))) dt, S(t) "
            f"the time at sites by t (λ={LAM}/h, τ={TAU:g} h, m={MOVE:g} h, H={H:g} h, "
            "p_kill 0)"
        ),
        scenario=_doc(
            "ideal-fixed-delay",
            **{
                "red.isr.detection_rate_per_h.hidden": LAM,
                "red.p_kill": 0.0,
                "red.revisit_strikes": {"rate_per_day": REVISIT_PER_DAY, "memory_h": 1000.0},
            },
        ),
        expected=lambda: kf.expected_revisit_strikes(REVISIT_PER_DAY / 24.0, LAM, TAU, MOVE, H),
        estimate=_column("revisit_strikes"),
    )
)

# identification among look-alikes (red.isr.identification)
SIG, RHO, VIEW, KMAX, R_ID = 0.3, 1.5, 1.0, 3, 0.3
IDENT = {
    "p_signature": {"hidden": SIG},
    "lookalikes_per_km2": RHO,
    "view_km2": VIEW,
    "max_candidates": KMAX,
}


def _strikes_per_sighting(r: pd.DataFrame) -> tuple[float, float]:
    """Strikes launched per ISR sighting (ratio of means, delta-method SE)."""
    x = r["red_missiles_spent"].to_numpy(dtype=float)
    y = r["detections"].to_numpy(dtype=float)
    ratio = x.sum() / y.sum()
    d = x - ratio * y
    se = math.sqrt(float(np.sum(d * d)) / (len(x) * (len(x) - 1))) / y.mean()
    return float(ratio), se


CHECKS.append(
    Check(
        name="identification-strikes-per-sighting",
        description=(
            f"A sighting shows the launcher's signature with s={SIG}; otherwise Red strikes one "
            f"of 1 + N look-alike vehicles in view (N Poisson, mean {RHO:g}/km² x {VIEW:g} km²) "
            f"only if 1 + N <= {KMAX}: strikes per sighting = s + (1 - s) P(N < {KMAX}) "
            "(one missile per strike, every detection struck, the launcher never moves)"
        ),
        scenario=_doc(
            "ideal-fixed-delay",
            **{
                "red.doctrine": "per_detection",
                "red.p_kill": 0.0,
                "blue.relocation.dwell_h": 1000.0,
                "red.isr.detection_rate_per_h.hidden": 0.5,
                "red.isr.identification": IDENT,
            },
        ),
        expected=lambda: kf.sighting_outcomes(SIG, RHO * VIEW, KMAX).strike,
        estimate=_strikes_per_sighting,
        replications=2000,
    )
)


def _identified_survival() -> float:
    o = kf.sighting_outcomes(SIG, RHO * VIEW, KMAX)
    q = kf.lookalike_hit_probability(R_ID, VIEW)
    p_strike = P * (o.on_launcher + q * o.on_lookalike) / o.strike
    return cf.survival_probability(
        LAM * o.strike, p_strike, TAU, MOVE, H, cf.FixedDelay(1.0), "per_site_first_detection"
    )


CHECKS.append(
    Check(
        name="identification-survival",
        description=(
            f"Survival to H={H:g} h when Red must pick the launcher out of look-alikes: "
            f"sightings at λ={LAM}/h are thinned to the ones Red strikes (rate λ P(strike)), "
            f"and a strike on a look-alike (uniform in the {VIEW:g} km² view) kills with "
            f"p π R²/view (R={R_ID:g} km); fixed D=1 h, first detection"
        ),
        scenario=_doc(
            "ideal-fixed-delay",
            **{
                "red.isr.detection_rate_per_h.hidden": LAM,
                "red.lethal_radius_km": R_ID,
                "red.isr.identification": IDENT,
            },
        ),
        expected=_identified_survival,
        estimate=_survival,
    )
)
