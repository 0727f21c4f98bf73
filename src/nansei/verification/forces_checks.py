"""Checks of forces that change over time against exact results (``docs/verification.md`` §15).

Listed in ``CHECKS`` and registered in :data:`nansei.verification.checks.REGISTRY`, so
``nansei verify`` runs them.

* **Books of a schedule.** With Red blind (every detection rate 0), launcher group g of
  n_g launchers present from a_g to w_g (h) adds exactly n_g (min(w_g, H) − a_g)⁺ to
  ``launcher_hours_available``, and those with w_g < H to ``launchers_withdrawn``.
* **A late arrival's survival.** A launcher of ``ideal-exp-delay`` that arrives at a and
  withdraws at w starts its cycle at arrival and is out of reach after withdrawal (a strike
  landing later finds nothing), so its survival equals that of a launcher present from 0 to
  the horizon w − a: :func:`nansei.verification.closed_form.survival_probability` with
  ``H = w − a``.
"""

from __future__ import annotations

from nansei.verification import closed_form as cf
from nansei.verification.attrition_checks import LAM, MOVE, TAU, P, _survival
from nansei.verification.base import Check, _column, _doc

__all__ = ["CHECKS", "SCHEDULE", "schedule_launcher_hours"]

CHECKS: list[Check] = []

#: (count, arrive_h, withdraw_h or None) of the scheduled groups; horizon 72 h.
SCHEDULE = ((2, 0.0, None), (3, 20.0, 50.0), (1, 30.0, None), (2, 100.0, None))
H_SCHEDULE = 72.0


def schedule_launcher_hours(schedule, horizon: float) -> float:
    """Launcher-hours in the theatre of a schedule with no losses: Σ n (min(w, H) − a)⁺."""
    total = 0.0
    for n, a, w in schedule:
        end = horizon if w is None else min(w, horizon)
        total += n * max(end - a, 0.0)
    return total


def _schedule_doc() -> dict:
    groups = [
        {"id": f"g{k}", "count": n, "arrive_h": a, "withdraw_h": w, "setup_h": 0,
         "teardown_h": 0, "reload_h": 0}
        for k, (n, a, w) in enumerate(SCHEDULE)
    ]  # fmt: skip
    zero = {k: 0.0 for k in ("hidden", "moving", "setting_up", "firing", "reloading")}
    return _doc(
        "ideal-exp-delay",
        **{"blue.launchers": groups, "red.isr.detection_rate_per_h": zero},
    )


CHECKS.append(
    Check(
        name="schedule-launcher-hours",
        description=(
            "Red blind; groups (n, arrive, withdraw) = "
            + ", ".join(f"({n}, {a:g}, {w if w is None else f'{w:g}'})" for n, a, w in SCHEDULE)
            + f", H = {H_SCHEDULE:g} h: launcher-hours Σ n (min(w, H) − a)⁺"
        ),
        scenario=_schedule_doc(),
        expected=lambda: schedule_launcher_hours(SCHEDULE, H_SCHEDULE),
        estimate=_column("launcher_hours_available"),
        replications=50,
        exact_match=True,
    )
)
CHECKS.append(
    Check(
        name="schedule-withdrawn",
        description="The same schedule: launchers withdrawn alive before the horizon (count)",
        scenario=_schedule_doc(),
        expected=lambda: float(sum(n for n, a, w in SCHEDULE if w is not None and w < H_SCHEDULE)),
        estimate=_column("launchers_withdrawn"),
        replications=50,
        exact_match=True,
    )
)

#: The late arrival: arrives at A_LATE and withdraws at W_LATE (h), within H = 72 h.
A_LATE, W_LATE = 12.0, 60.0


def _late_group() -> dict:
    g = {"id": "l1", "count": 1, "setup_h": 0, "teardown_h": 0, "reload_h": 0}
    return {**g, "arrive_h": A_LATE, "withdraw_h": W_LATE}


CHECKS.append(
    Check(
        name="survival-late-arrival",
        description=(
            f"ideal-exp-delay (λ={LAM}/h, p={P}, τ={TAU:g} h, m={MOVE:g} h) arriving at "
            f"{A_LATE:g} h and withdrawn at {W_LATE:g} h: survival as a launcher present "
            f"for H = {W_LATE - A_LATE:g} h"
        ),
        scenario=_doc(
            "ideal-exp-delay",
            **{
                "red.isr.detection_rate_per_h.hidden": LAM,
                "blue.launchers": [_late_group()],
            },
        ),
        expected=lambda: cf.survival_probability(
            LAM, P, TAU, MOVE, W_LATE - A_LATE, cf.ExponentialDelay(1.0), "per_site_first_detection"
        ),
        estimate=_survival,
    )
)


# -- Red's ISR cover in an abstract theatre ------------------------------------
#: Detection rate (1/h) in every state at a position, the theatre's concealment, Red's cover
#: factor beyond isr_depth_km, and the horizon (h).
COVER_RATE, COVER_CONCEAL, COVER_FACTOR, H_COVER = 0.5, 0.6, 0.2, 1000.0


def _cover_doc() -> dict:
    rates = {k: COVER_RATE for k in ("hidden", "moving", "setting_up", "firing", "reloading")}
    return _doc(
        "ukraine-himars-2022",
        **{
            "run.horizon_h": H_COVER,
            "blue.launchers": [{"id": "l1", "count": 1, "setup_h": 0, "teardown_h": 0}],
            "blue.relocation": {"dwell_h": 100_000.0},
            "blue.decoys.count_per_island": 0,
            "targets.streams": [],
            "red.inventory": 0,
            "red.isr.detection_rate_per_h": rates,
            "geography.theatre.concealment": COVER_CONCEAL,
            "geography.theatre.isr_depth_km": 1.0,
            "geography.theatre.isr_beyond_factor": COVER_FACTOR,
        },
    )


CHECKS.append(
    Check(
        name="theatre-isr-cover",
        description=(
            f"Abstract theatre: one launcher that never moves, at a position beyond Red's "
            f"drone cover, detected at λ (1 − c) f per hour (λ = {COVER_RATE}, c = "
            f"{COVER_CONCEAL}, f = {COVER_FACTOR}) for H = {H_COVER:g} h: mean detections "
            "λ (1 − c) f H"
        ),
        scenario=_cover_doc(),
        expected=lambda: COVER_RATE * (1 - COVER_CONCEAL) * COVER_FACTOR * H_COVER,
        estimate=_column("detections"),
        replications=2000,
    )
)
