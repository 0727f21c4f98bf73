"""Checks of the evacuation sub-model against the Sakishima plan (Cabinet Secretariat, 2025).

Listed in ``CHECKS`` and registered in :data:`nansei.verification.checks.REGISTRY` (so
``nansei verify`` runs them)
and run with the evacuation-only driver :func:`nansei.engine.civil_run.simulate_evacuation`
on the built-in ``sakishima-evacuation-2025`` scenario (weather off, no strikes):

* the plan's totals: about 120,000 people (rel. tolerance 5 %: the gazetteer's islands hold
  117,339), about 6 days (exact, in whole days), about 20,000 a day (rel. tolerance 10 %: the
  sourced gateway capacities add up to 21,177 a day; the 2023 drill estimated at most 22,000);
* Yonaguni's island is empty within one day of the order;
* each host prefecture receives exactly its published allocation;
* each island's gateways move exactly their sourced daily capacity on a full day (demand
  saturated by adding tourists, so every gateway runs full);
* conservation: start = evacuated + remaining for every island and replication, with
  weather on and a horizon too short to finish.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nansei.scenario.civil import HOST_PREFECTURES_2025
from nansei.verification.base import Check, _doc, _identity, _mean_se

PLAN = "sakishima-evacuation-2025"

CHECKS: list[Check] = []


def _runner(scenario, replications: int, seed: int, workers: int = 1):
    from nansei.engine.civil_run import simulate_evacuation

    return simulate_evacuation(scenario, replications, seed, workers=workers)


def _plan():
    from nansei.geo.gazetteer import load_gazetteer

    return load_gazetteer().evacuation_plan


def _column(name: str):
    return lambda r: _mean_se(r[name].to_numpy(dtype=float))


def _days(r: pd.DataFrame) -> tuple[float, float]:
    return _mean_se(np.ceil((r["evac_complete_h"] - r["evac_order_h"]).to_numpy() / 24.0))


CHECKS.append(
    Check(
        name="evac-plan-total",
        description="Sakishima plan: about 120,000 people (110k residents + 10k tourists) "
        "leave (weather off, no strikes); passes within 5 %",
        scenario=_doc(PLAN),
        expected=lambda: float(_plan().total.value),
        estimate=_column("evac_evacuated"),
        replications=40,
        runner=_runner,
        rel_tol=0.05,
    )
)
CHECKS.append(
    Check(
        name="evac-plan-days",
        description="Sakishima plan: the evacuation takes about 6 days (whole days after the "
        "order until the last evacuee leaves the region)",
        scenario=_doc(PLAN),
        expected=lambda: float(_plan().days.value),
        estimate=_days,
        replications=40,
        runner=_runner,
    )
)
CHECKS.append(
    Check(
        name="evac-plan-per-day",
        description="Sakishima plan: about 20,000 people a day (most in one day); passes "
        "within 10 % (the 2023 drill estimated at most 22,000)",
        scenario=_doc(PLAN),
        expected=lambda: float(_plan().per_day.value),
        estimate=_column("evac_max_per_day"),
        replications=40,
        runner=_runner,
        rel_tol=0.10,
    )
)
CHECKS.append(
    Check(
        name="evac-yonaguni-one-day",
        description="Sakishima plan: Yonaguni (about 1,700 people) is out in one day — share "
        "of replications in which the island is empty within 24 h of the order",
        scenario=_doc(PLAN),
        expected=lambda: 1.0,
        estimate=lambda r: (
            float(np.mean((r["evac_cleared_h.yonaguni"] - r["evac_order_h"]).to_numpy() <= 24.0)),
            0.0,
        ),
        replications=40,
        runner=_runner,
        exact_match=True,
    )
)


def _host_check(pref: str) -> Check:
    return Check(
        name=f"evac-host-{pref.lower()}",
        description=f"Sakishima plan: {pref} receives its published allocation",
        scenario=_doc(PLAN),
        expected=lambda: float(_plan().host_prefectures[pref].value),
        estimate=_column(f"evac_hosted.{pref}"),
        replications=40,
        runner=_runner,
        exact_match=True,
    )


for _pref in HOST_PREFECTURES_2025:
    CHECKS.append(_host_check(_pref))

#: Islands whose daily gateway capacity is checked (all with a sourced capacity).
CAPACITY_ISLANDS = (
    "ishigaki",
    "miyako",
    "irabu_shimoji",
    "tarama",
    "iriomote_taketomi",
    "hateruma",
    "yonaguni",
)


def _saturated_runner(scenario, replications: int, seed: int, workers: int = 1):
    """Run with every island's tourists raised so that no gateway ever runs short."""
    from nansei.engine.civil_run import simulate_evacuation

    res = simulate_evacuation(scenario, replications, seed, workers=workers)
    cc = res.compiled
    full = res.series[res.series["day"] == 1]  # the first full day after an order at t=0
    for isl in cc.islands:
        cols = [
            f"gateway.{g}"
            for g, e in zip(cc.gateways, cc.arrays["gw_int"][:, 0], strict=True)
            if cc.islands[e] == isl
        ]
        res.records[f"capacity.{isl}"] = full[cols].sum(axis=1).to_numpy()
    return res


def _capacity_check(island: str) -> Check:
    return Check(
        name=f"evac-capacity-{island.replace('_', '-')}",
        description=f"Daily departures from {island}'s gateways on a full day equal the "
        "sourced capacity (gazetteer evacuation_plan.capacities)",
        scenario=_doc(
            PLAN,
            **{"civil.tourists": {i: 200_000 for i in CAPACITY_ISLANDS}},
        ),
        expected=lambda: float(_plan().capacity_per_day(island)),
        estimate=lambda r: (float(r[f"capacity.{island}"].max()), 0.0),
        replications=20,
        runner=_saturated_runner,
        exact_match=True,
    )


for _isl in CAPACITY_ISLANDS:
    CHECKS.append(_capacity_check(_isl))


def _conservation(r: pd.DataFrame) -> np.ndarray:
    starts = [c for c in r.columns if c.startswith("evac_start.")]
    worst = np.zeros(len(r))
    for c in starts:
        isl = c.split(".", 1)[1]
        gap = r[c] - r[f"evac_evacuated.{isl}"] - r[f"evac_remaining.{isl}"]
        worst = np.maximum(worst, np.abs(gap.to_numpy()))
    total = r["evac_population"] - r["evac_evacuated"] - r["evac_remaining"]
    return np.maximum(worst, np.abs(total.to_numpy()))


CHECKS.append(
    Check(
        name="evac-conservation",
        description="For every island and replication: people at start = evacuated + "
        "remaining (weather on: air 10 %, sea 30 % a day; 96 h horizon, so not finished)",
        scenario=_doc(
            PLAN,
            **{
                "run.horizon_h": 96,
                "civil.evacuation.weather": {
                    "p_cancel_air_per_day": 0.1,
                    "p_cancel_sea_per_day": 0.3,
                },
            },
        ),
        expected=lambda: 0.0,
        estimate=_identity(_conservation),
        replications=200,
        runner=_runner,
        exact_match=True,
    )
)
