"""Exact checks of scripted events (``events:``; ``docs/verification.md`` §18, issue 16 item 2).

Listed in ``CHECKS`` and registered in :data:`nansei.verification.checks.REGISTRY`, so
``nansei verify`` runs them. Each is an identity that holds in every replication:

* **A closure blocks departures exactly from its time.** ``sakishima-evacuation-2025`` with
  New Ishigaki airport (ROIG) closed from 30 h to the horizon: its evacuation gateway moves
  its full daily capacity on day 0, exactly the capacity of the hours before 06:00 on day 1
  (the hours [24, 30)), and nobody after (demand saturates the airport on those days).
* **A scripted recognition gives the authority at its time.** ``ideal-counter-battery`` with
  the important influence situation at 0 and a scripted recognition of the armed attack
  situation at 24 h: ``t_armed_attack_h`` = ``t_evacuation_authorised_h`` = 24.
* **A scripted strike is not Red's.** ``sakishima-ishigaki-cratered`` (coupled run): the
  airport is closed 72 h by the script (``scripted_gateway_closed_h``), Red closed nothing
  (``gateway_closed_h`` = 0) and there is no first Red strike (``evac_first_strike_h`` NaN).
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from nansei.verification.base import Check, _doc, _identity

__all__ = ["CHECKS"]

CHECKS: list[Check] = []

CLOSE_H, AIRPORT, GATEWAY = 30.0, "ROIG", "ishigaki_air"
RECOGNISE_H = 24.0
REPAIR_H = 72.0


def _closure_runner(scenario, replications: int, seed: int, workers: int = 1):
    """Evacuation-only run; records gain ``closure_error``: the largest deviation of the
    airport's daily departures from full capacity (day 0), the hours before the closure
    (day 1) and zero (days 2 on)."""
    from nansei.engine.civil_run import simulate_evacuation

    res = simulate_evacuation(scenario, replications, seed, workers=workers)
    cc = res.compiled
    g = cc.gateways.index(GATEWAY)
    cap_h = cc.arrays["gw_cap_h"][g]
    before = float(cap_h[: int(CLOSE_H) - 24].sum())
    per_day = res.series.pivot(index="replication", columns="day", values=f"gateway.{GATEWAY}")
    err = (
        (per_day[0] - cap_h.sum()).abs()
        + (per_day[1] - before).abs()
        + per_day.loc[:, 2:].abs().sum(axis=1)
    )
    records = res.records.assign(closure_error=err.to_numpy())
    return SimpleNamespace(records=records)


CHECKS.append(
    Check(
        name="scripted-closure-from-t",
        description=f"Airport {AIRPORT} closed by a scripted event from {CLOSE_H:g} h: its "
        "gateway moves a full day on day 0, exactly the hours before the closure on day 1 "
        "and nobody after (largest deviation, people)",
        scenario=_doc(
            "sakishima-evacuation-2025",
            events=[{"at_h": CLOSE_H, "action": "close_airport", "airport": AIRPORT}],
        ),
        expected=lambda: 0.0,
        estimate=_identity(lambda r: r["closure_error"]),
        replications=4,
        runner=_closure_runner,
        exact_match=True,
    )
)
CHECKS.append(
    Check(
        name="scripted-recognition-at-t",
        description=f"A scripted recognition of the armed attack situation at {RECOGNISE_H:g} "
        "h: the situation and the evacuation order's authority hold from exactly then "
        "(largest deviation, h)",
        scenario=_doc(
            "ideal-counter-battery",
            **{
                "legal.timeline": [{"situation": "important_influence", "at_h": 0}],
                "events": [
                    {"at_h": RECOGNISE_H, "action": "recognise", "situation": "armed_attack"}
                ],
            },
        ),
        expected=lambda: 0.0,
        estimate=_identity(
            lambda r: (
                np.abs(r["t_armed_attack_h"] - RECOGNISE_H)
                + np.abs(r["t_evacuation_authorised_h"] - RECOGNISE_H)
            )
        ),
        replications=50,
        exact_match=True,
    )
)
CHECKS.append(
    Check(
        name="scripted-strike-not-red",
        description=f"sakishima-ishigaki-cratered: the airport is closed {REPAIR_H:g} h by the "
        "script, none by Red, and there is no first Red strike (largest deviation of "
        "scripted_gateway_closed_h, gateway_closed_h, scripted_strikes - 1, and 1 if "
        "evac_first_strike_h is set)",
        scenario=_doc("sakishima-ishigaki-cratered"),
        expected=lambda: 0.0,
        estimate=_identity(
            lambda r: (
                np.abs(r["scripted_gateway_closed_h"] - REPAIR_H)
                + r["gateway_closed_h"].abs()
                + np.abs(r["scripted_strikes"] - 1)
                + r["evac_first_strike_h"].notna()
            )
        ),
        replications=10,
        exact_match=True,
    )
)
