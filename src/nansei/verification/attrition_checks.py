"""Checks of launcher survival against exact results, and the accounting identities.

Listed in ``CHECKS`` and registered in :data:`nansei.verification.checks.REGISTRY`, so
``nansei verify`` runs them: survival to the horizon under a fixed or an exponential kill
chain (detection at sites), under counter-battery fire cued by launch detection only, and
with no kill-chain delay; then the conservation of Red missiles and of launcher-hours on
``kyodo-2021``. The exact values come from :mod:`nansei.verification.closed_form`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nansei.verification import closed_form as cf
from nansei.verification.base import Check, _doc, _identity, _mean_se

CHECKS: list[Check] = []


def _survival(records: pd.DataFrame) -> tuple[float, float]:
    x = (records["launchers_lost"] == 0).to_numpy(dtype=float)
    return _mean_se(x)


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
    CHECKS.append(_fixed_case(_doctrine, 1.0))
    CHECKS.append(_fixed_case(_doctrine, 2.5))
CHECKS.append(_fixed_case("per_detection", TAU))  # D >= tau: no losses


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
    CHECKS.append(_exp_case(_doctrine))

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
    CHECKS.append(_cb_case(_doctrine, cf.FixedDelay(0.3), "D0.3", 0.3))
    CHECKS.append(
        _cb_case(
            _doctrine, cf.ExponentialDelay(2.0), "exp-mean0.5", {"kind": "exponential", "mean": 0.5}
        )
    )
CHECKS.append(
    _cb_case(
        "per_detection",
        cf.LognormalDelay(0.3, 0.5),
        "lognormal",
        {"kind": "lognormal", "median": 0.3, "sigma": 0.5},
    )
)


CHECKS.append(
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


CHECKS.append(
    Check(
        name="conservation-missiles",
        description="Red missiles spent = intercepted + on target + wasted + on gateways + "
        "still in flight at the horizon",
        scenario=_doc("kyodo-2021"),
        expected=lambda: 0.0,
        estimate=_identity(
            lambda r: (
                r["red_missiles_spent"]
                - r["red_missiles_intercepted"]
                - r["red_missiles_on_target"]
                - r["red_missiles_wasted"]
                - r["red_missiles_on_gateways"]
                - r["red_missiles_in_flight_end"]
            )
        ),
        replications=500,
        exact_match=True,
    )
)
CHECKS.append(
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
