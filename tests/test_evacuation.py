"""The evacuation sub-model: plan reproduction, conservation, capacity, disruption, errors."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nansei.engine import evac_layout as Y
from nansei.engine.civil_run import run_evacuation_batch, simulate_evacuation
from nansei.engine.compile_civil import (
    _hour_capacity,
    compile_civil,
    evacuation_authority_h,
    order_time_h,
)
from nansei.geo.gazetteer import load_gazetteer
from nansei.scenario import load_scenario
from nansei.scenario.errors import ScenarioError
from nansei.verification.checks import scenario_document

PLAN = "sakishima-evacuation-2025"


def _doc(**over):
    return scenario_document({"base": PLAN, "overrides": over})


@pytest.fixture(scope="module")
def plan():
    return simulate_evacuation(PLAN, replications=5, seed=1)


@pytest.fixture(scope="module")
def plan_cc():
    return compile_civil(load_scenario(PLAN))


# -- plan reproduction -------------------------------------------------------------------


def test_plan_people_days_and_rate(plan):
    r = plan.records
    gaz = load_gazetteer()
    residents = sum(gaz.island(i).population.value for i in plan.compiled.islands)
    assert residents == 107_339  # five municipalities, ~110,000 in the plan
    assert (r["evac_population"] == residents + 10_000).all()
    assert (r["evac_evacuated"] == r["evac_population"]).all()
    days = np.ceil((r["evac_complete_h"] - r["evac_order_h"]) / 24.0)
    assert (days == 6).all()
    assert (r["evac_max_per_day"] == 21_177).all()  # sourced capacities to Kyushu


def test_plan_yonaguni_out_in_one_day(plan):
    r = plan.records
    assert (r["evac_cleared_h.yonaguni"] <= 24.0).all()
    # ...but gateways closed overnight (12 h a day, an assumption) hold the last ferry's
    # passengers on Ishigaki until the next morning:
    assert (r["evac_complete_h.yonaguni"] > 24.0).all()


def test_plan_host_prefectures_equal_allocations(plan):
    r = plan.records
    gaz = load_gazetteer()
    for p, fig in gaz.evacuation_plan.host_prefectures.items():
        assert (r[f"evac_hosted.{p}"] == fig.value).all(), p
    hosted = sum(r[f"evac_hosted.{p}"] for p in plan.compiled.prefectures)
    assert (hosted + r["evac_unhosted"] == r["evac_evacuated"]).all()
    assert (r["evac_unhosted"] == 117_339 - 112_800).all()


def test_plan_daily_capacities_match_sources(plan_cc):
    gaz = load_gazetteer()
    by_id = {c.id: c.per_day.value for c in gaz.evacuation_plan.capacities}
    caps = plan_cc.arrays["gw_cap_h"].sum(axis=1)
    assert dict(zip(plan_cc.gateways, caps, strict=True)) == by_id
    assert len(by_id) == 12


def test_order_time_from_timeline():
    sc = load_scenario(
        _doc(
            **{
                "legal.timeline": [
                    {"situation": "important_influence", "mode": "scheduled", "at_h": 0},
                    {"situation": "anticipated_armed_attack", "mode": "scheduled", "at_h": 48},
                ],
                "civil.evacuation.order_delay_h": 6,
            }
        )
    )
    assert evacuation_authority_h(sc) == 48.0
    assert order_time_h(sc) == 54.0
    r = simulate_evacuation(sc, replications=2, seed=3).records
    assert (r["evac_order_h"] == 54.0).all()
    assert (r["evac_complete_h"] > 54.0 + 5 * 24).all()


def test_no_authority_no_evacuation():
    sc = load_scenario(
        _doc(**{"legal.timeline": [{"situation": "important_influence", "at_h": 0}]})
    )
    assert evacuation_authority_h(sc) == np.inf
    r = simulate_evacuation(sc, replications=2, seed=3).records
    assert (r["evac_evacuated"] == 0).all()
    assert r["evac_complete_h"].isna().all()


# -- JIT and plain Python ----------------------------------------------------------------

_NOJIT = r"""
import json, sys
import numpy as np
sys.path.insert(0, "tests")
from test_evacuation import disrupted
r = disrupted()
json.dump({"records": r.records.to_dict(orient="list"),
           "series": r.series.to_dict(orient="list")}, sys.stdout)
"""


def disrupted(reps: int = 3):
    """Weather, a closure of New Ishigaki airport, strikes and launcher stays."""
    sc = load_scenario(
        _doc(
            **{
                "civil.evacuation.weather": {
                    "p_cancel_air_per_day": 0.2,
                    "p_cancel_sea_per_day": 0.5,
                },
                "civil.evacuation.priority": "proportional",
                "civil.evacuation.order_delay_h": {"kind": "exponential", "mean": 5},
            }
        )
    )
    cc = compile_civil(sc)
    roig = cc.gateway_index("ROIG")
    ishigaki_site = int(np.flatnonzero(cc.arrays["site_isl"] == cc.island_ids.index("ishigaki"))[0])
    isl = cc.island_ids.index("ishigaki")
    return simulate_evacuation(
        sc,
        replications=reps,
        seed=5,
        gw_log=[[roig, 30.0, 60.0]],
        strike_log=[[50.0, ishigaki_site, isl, 1.0], [70.0, ishigaki_site, isl, 0.0]],
        stay_log=[[0, ishigaki_site, 10.0, 90.5]],
    )


def test_jit_and_plain_python_identical():
    env = dict(os.environ, NUMBA_DISABLE_JIT="1")
    proc = subprocess.run(
        [sys.executable, "-c", _NOJIT],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    plain = json.loads(proc.stdout)
    jit = disrupted()
    pd.testing.assert_frame_equal(
        pd.DataFrame(plain["records"]), jit.records, check_dtype=False, check_exact=True
    )
    pd.testing.assert_frame_equal(
        pd.DataFrame(plain["series"]), jit.series, check_dtype=False, check_exact=True
    )
    assert jit.records["evac_exposure_person_h"].gt(0).all()
    assert jit.records["evac_casualty_proxy"].gt(0).all()


# -- conservation and capacity (property) --------------------------------------------------


def test_conservation_under_disruption():
    r = disrupted(reps=20).records
    for isl in ("miyako", "ishigaki", "yonaguni", "tarama", "hateruma"):
        gap = r[f"evac_start.{isl}"] - r[f"evac_evacuated.{isl}"] - r[f"evac_remaining.{isl}"]
        assert (gap == 0).all()


@settings(max_examples=40, deadline=None)
@given(
    pops=st.lists(st.integers(0, 60_000), min_size=7, max_size=7),
    caps=st.lists(st.integers(0, 12_000), min_size=12, max_size=12),
    hours=st.lists(st.floats(0.5, 24.0), min_size=12, max_size=12),
    opens=st.floats(0.0, 23.99),
    p_air=st.floats(0.0, 1.0),
    p_sea=st.floats(0.0, 1.0),
    priority=st.sampled_from([0, 1, 2]),
    authority=st.floats(0.0, 100.0),
    closure=st.tuples(st.integers(0, 35), st.floats(0.0, 200.0), st.floats(0.0, 100.0)),
    seed=st.integers(0, 2**32),
)
def test_capacity_never_exceeded_and_people_conserved(
    plan_cc, pops, caps, hours, opens, p_air, p_sea, priority, authority, closure, seed
):
    cc = plan_cc
    a = {k: v.copy() for k, v in cc.arrays.items()}
    n_ev = len(cc.islands)
    a["ev_pop"] = np.column_stack([pops, np.zeros(n_ev)]).astype(float)
    for g in range(len(cc.gateways)):
        a["gw_cap_h"][g] = _hour_capacity(caps[g], hours[g], opens)
    a["ev_f"][Y.F_P_AIR] = p_air
    a["ev_f"][Y.F_P_SEA] = p_sea
    a["ev_i"][Y.I_PRIORITY] = priority
    cc2 = type(cc)(**{**cc.__dict__, "arrays": a})
    gw_log = np.array([[closure[0], closure[1], closure[1] + closure[2]]])
    out, ser = run_evacuation_batch(
        cc2, seed, 0, range(2), authority, gw_log, np.zeros((0, 4)), np.zeros((0, 4))
    )
    names = list(cc.series_names)
    for g, gid in enumerate(cc.gateways):
        daily = ser[:, :, names.index(f"gateway.{gid}")]
        assert (daily <= caps[g]).all()
    for e in range(n_ev):
        start = out[:, Y.N_SCALAR + Y.P_START * n_ev + e]
        ev = out[:, Y.N_SCALAR + Y.P_EVACUATED * n_ev + e]
        rem = out[:, Y.N_SCALAR + Y.P_REMAINING * n_ev + e]
        assert (start == pops[e]).all()
        assert (start == ev + rem).all()
    daily_out = ser[:, :, :n_ev].sum(axis=2)
    assert (daily_out.sum(axis=1) == out[:, Y.S_EVACUATED]).all()


def test_hour_capacity_sums_to_daily():
    for per_day, hours, opens in [(8700, 12, 7), (1, 24, 0), (520, 11.4, 20.5), (0, 3, 3)]:
        h = _hour_capacity(per_day, hours, opens)
        assert h.sum() == per_day
        assert (h == np.floor(h)).all()
        assert (h > 0).sum() <= max(1, round(hours))


# -- disruption -------------------------------------------------------------------------------


def _complete_days(p_sea: float, reps: int) -> np.ndarray:
    sc = load_scenario(
        _doc(
            **{
                "run.horizon_h": 1440,
                "civil.evacuation.weather": {
                    "p_cancel_air_per_day": p_sea / 3.0,
                    "p_cancel_sea_per_day": p_sea,
                },
            }
        )
    )
    r = simulate_evacuation(sc, replications=reps, seed=2025).records
    assert r["evac_complete_h"].notna().all()
    return r["evac_complete_h"].to_numpy() / 24.0


def test_weather_delays_completion_monotonically():
    reps = 300
    d = [_complete_days(p, reps) for p in (0.0, 0.15, 0.3, 0.6)]
    assert (d[0] == d[0][0]).all()  # no weather: deterministic
    for lo, hi in itertools.pairwise(d):
        diff = hi - lo  # common random numbers: same weather draws per replication
        se = diff.std(ddof=1) / np.sqrt(reps)
        assert diff.mean() > 4 * se
        assert (diff >= 0).all()  # the same uniform cancels a superset of days


def test_new_ishigaki_airport_closed_day_one_delays_completion(plan_cc):
    sc = load_scenario(PLAN)
    base = simulate_evacuation(sc, replications=2, seed=1).records
    roig = plan_cc.gateway_index("ROIG")
    shut = simulate_evacuation(sc, replications=2, seed=1, gw_log=[[roig, 0.0, 24.0]]).records
    b = base["evac_complete_h.ishigaki"].iloc[0]
    s = shut["evac_complete_h.ishigaki"].iloc[0]
    # one day of 8,700 seats lost at 10,200 a day from Ishigaki: about 0.85 of a day later
    assert 12.0 <= s - b <= 36.0
    assert (shut["evac_complete_h.miyako"] == base["evac_complete_h.miyako"]).all()


def test_strike_near_gateway_suspends_it(plan_cc):
    sc = load_scenario(PLAN)
    near = plan_cc.arrays["site_near"]
    g = plan_cc.gateways.index("ishigaki_air")
    site = int(np.flatnonzero(near[:, g])[0])
    isl = plan_cc.island_ids.index("ishigaki")
    base = simulate_evacuation(sc, replications=1, seed=1).records
    hit = simulate_evacuation(sc, replications=1, seed=1, strike_log=[[30.0, site, isl, 1.0]])
    r = hit.records
    assert r["evac_complete_h.ishigaki"].iloc[0] > base["evac_complete_h.ishigaki"].iloc[0]
    assert r["evac_first_strike_h"].iloc[0] == 30.0
    assert 0 < r["evac_residents_at_strike"].iloc[0] < 107_339


def test_residents_at_strike_fall_with_warning_time():
    sc = load_scenario(PLAN)
    left = []
    for days in (1, 3, 7):
        r = simulate_evacuation(
            sc, replications=1, seed=1, strike_log=[[24.0 * days, -1, -1, 0.0]]
        ).records
        left.append(r["evac_residents_at_strike"].iloc[0])
    assert left[0] > left[1] > left[2] == 0.0


def test_exposure_scaled_by_people_present(plan_cc):
    sc = load_scenario(PLAN)
    isl = plan_cc.island_ids.index("ishigaki")
    site = int(np.flatnonzero(plan_cc.arrays["site_isl"] == isl)[0])
    res = plan_cc.arrays["site_res"][site]
    stay = [[0, site, 0.0, 48.0]]
    none = simulate_evacuation(sc, replications=1, seed=1, authority_h=np.inf, stay_log=stay)
    assert none.records["evac_exposure_person_h"].iloc[0] == pytest.approx(res * 48.0)
    ev = simulate_evacuation(sc, replications=1, seed=1, stay_log=stay)
    assert 0 < ev.records["evac_exposure_person_h"].iloc[0] < res * 48.0


def test_weather_draws_do_not_depend_on_fighting(plan_cc):
    sc = load_scenario(
        _doc(
            **{
                "civil.evacuation.weather": {
                    "p_cancel_air_per_day": 0.3,
                    "p_cancel_sea_per_day": 0.5,
                }
            }
        )
    )
    quiet = simulate_evacuation(sc, replications=30, seed=9).records
    roig = plan_cc.gateway_index("ROIG")
    loud = simulate_evacuation(
        sc, replications=30, seed=9, gw_log=[[roig, 10.0, 200.0]], strike_log=[[5.0, 0, 0, 1.0]]
    ).records
    for c in ("evac_air_days_cancelled", "evac_sea_days_cancelled"):
        assert (quiet[c] == loud[c]).all()
    assert quiet["evac_air_days_cancelled"].sum() > 0


def test_priorities_order_departures():
    out = {}
    for prio in ("small_islands_first", "proportional", "care_first"):
        sc = load_scenario(_doc(**{"civil.evacuation.priority": prio}))
        out[prio] = simulate_evacuation(sc, replications=1, seed=1).records.iloc[0]
    small, prop = out["small_islands_first"], out["proportional"]
    assert small["evac_complete_h.yonaguni"] < prop["evac_complete_h.yonaguni"]
    assert small["evac_evacuated"] == prop["evac_evacuated"] == out["care_first"]["evac_evacuated"]


# -- errors -------------------------------------------------------------------------------------


def _error(doc) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        compile_civil(load_scenario(doc))
    return info.value


def test_error_civil_disabled():
    err = _error("ideal-fixed-delay")  # civil protection off
    assert "civil.enabled" in err.paths()


def test_error_staging_island_not_evacuated():
    err = _error(_doc(**{"civil.evacuation.islands": ["yonaguni", "miyako"]}))
    assert "civil.evacuation.staging.yonaguni" in err.paths()
    assert "allowed: yonaguni, miyako" in str(err)


def test_error_island_without_gateway():
    doc = _doc(
        **{
            "civil.evacuation.islands": ["kumejima"],
            "civil.evacuation.staging": {},
        }
    )
    err = _error(doc)
    # validation names the island without a gateway and says where gateways go
    assert "civil.evacuation.islands[0]" in err.paths()
    assert "kumejima" in str(err) and "civil.evacuation.gateways" in str(err)


def test_error_inline_gateway_on_island_not_evacuated():
    gws = [
        {
            "id": "g1",
            "island": "ishigaki",
            "mode": "air",
            "location": "ROIG",
            "capacity_per_day": 10,
        },
        {"id": "g2", "island": "amami_oshima", "mode": "sea", "capacity_per_day": 10},
    ]
    doc = _doc(
        **{
            "civil.evacuation.islands": ["ishigaki"],
            "civil.evacuation.staging": {},
            "civil.evacuation.gateways": gws,
        }
    )
    err = _error(doc)
    assert "civil.evacuation.gateways[1].island" in err.paths()


def test_error_inline_gateway_location_on_wrong_island():
    gws = [
        {
            "id": "g1",
            "island": "ishigaki",
            "mode": "air",
            "location": "ROMY",
            "capacity_per_day": 10,
        }
    ]
    doc = _doc(
        **{
            "civil.evacuation.islands": ["ishigaki"],
            "civil.evacuation.staging": {},
            "civil.evacuation.gateways": gws,
        }
    )
    err = _error(doc)
    assert "civil.evacuation.gateways[0].location" in err.paths()


def test_error_road_link_with_different_staging():
    with pytest.raises(ScenarioError) as info:
        load_scenario(_doc(**{"civil.evacuation.road_links": {"tarama": "ishigaki"}}))
    assert any("road_links" in p for p in info.value.paths())


def test_error_bad_logs_and_gateway_names(plan_cc):
    with pytest.raises(ScenarioError, match="unknown gateway"):
        plan_cc.gateway_index("XXXX")
    with pytest.raises(ValueError, match="gw_log must have shape"):
        simulate_evacuation(PLAN, replications=1, seed=1, gw_log=[[1.0, 2.0]])
    with pytest.raises(ValueError, match="replications"):
        simulate_evacuation(PLAN, replications=0, seed=1)
