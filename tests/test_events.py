"""Scripted events (``events:``, issue 16 item 2): schema errors, the mechanism of each
action, and outputs that keep their meaning (a scripted closure or strike is not Red's).

Exact cases on built-ins with overrides; the checks of ``nansei verify`` are in
``nansei.verification.events_checks``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import nansei
from nansei.engine.civil_run import simulate_evacuation
from nansei.engine.compile import compile_scenario
from nansei.engine.layout import SCRIPTED_NAMES
from nansei.scenario import ScenarioError, load_scenario
from nansei.verification.checks import REGISTRY, run_checks

PLAN = "sakishima-evacuation-2025"
CRATERED = "sakishima-ishigaki-cratered"
IDEAL = "ideal-counter-battery"


def _error(base: str, events: list, **over) -> str:
    with pytest.raises(ScenarioError) as exc:
        load_scenario(base, overrides={"events": events, **over})
    return str(exc.value)


# --- schema ---------------------------------------------------------------------------------
def test_unknown_airport_names_path_value_and_allowed_airports():
    msg = _error(PLAN, [{"at_h": 1, "action": "close_airport", "airport": "RJFF"}])
    assert "events[0].airport" in msg and "RJFF" in msg
    assert "ROIG" in msg and "ROYN" in msg  # the airports of the islands in play


def test_unknown_action_lists_the_actions():
    msg = _error(PLAN, [{"at_h": 1, "action": "crater", "airport": "ROIG"}])
    assert "events[0]" in msg and "crater" in msg
    assert "close_airport" in msg and "launchers_withdraw" in msg


@pytest.mark.parametrize(
    ("events", "where"),
    [
        ([{"at_h": 400, "action": "close_port", "port": "ishigaki_port"}], "events[0].at_h"),
        ([{"at_h": 1, "action": "close_port", "port": "nowhere"}], "events[0].port"),
        ([{"at_h": 1, "action": "reopen_port", "port": "ishigaki_port"}], "events[0].port"),
        (
            [
                {"at_h": 1, "action": "close_port", "port": "ishigaki_port"},
                {"at_h": 5, "action": "close_port", "port": "ishigaki_port"},
            ],
            "events[1].at_h",
        ),
        ([{"at_h": 1, "action": "weather", "cancels": "air"}], "events[0].duration_h"),
        ([{"at_h": 1, "action": "recognise", "situation": "war"}], "events[0].situation"),
        ([{"at_h": 1, "action": "launchers_arrive", "group": "x"}], "events[0].group"),
    ],
)
def test_bad_events_name_the_field(events, where):
    assert where in _error(PLAN, events)


def test_evacuation_events_need_civil_protection():
    msg = _error(IDEAL, [{"at_h": 1, "action": "order_evacuation"}])
    assert "events[0].action" in msg and "civil.enabled" in msg


def test_group_time_set_twice_is_refused():
    msg = _error(
        IDEAL,
        [{"at_h": 5, "action": "launchers_arrive", "group": "l1"}],
        **{"blue.launchers[0].arrive_h": 2},
    )
    assert "events[0].group" in msg and "arrive_h" in msg


def test_an_override_moves_an_event():
    sc = load_scenario(CRATERED, overrides={"events[0].at_h": 30})
    assert sc.events[0].at_h == 30.0


# --- no events: no change ---------------------------------------------------------------
def test_without_events_there_are_no_scripted_columns():
    res = nansei.simulate(PLAN, replications=2, seed=1)
    assert not set(SCRIPTED_NAMES) & set(res.records.columns)
    res = nansei.simulate(CRATERED, replications=2, seed=1)
    assert set(SCRIPTED_NAMES) <= set(res.records.columns)
    assert set(SCRIPTED_NAMES) <= set(res.summary().index)


# --- gateways -----------------------------------------------------------------------------
def test_cratered_airport_slows_the_evacuation_and_is_not_the_first_strike():
    base = simulate_evacuation(PLAN, 2, seed=3).records
    crat = simulate_evacuation(CRATERED, 2, seed=3).records
    assert (crat["evac_complete_h"] > base["evac_complete_h"]).all()
    assert crat["evac_first_strike_h"].isna().all()  # no Red strike: no "first strike"
    assert crat["evac_residents_at_strike"].isna().all()
    coupled = nansei.simulate(CRATERED, replications=2, seed=3).records
    np.testing.assert_array_equal(coupled["evac_complete_h"], crat["evac_complete_h"])
    assert (coupled["scripted_gateway_closed_h"] == 72.0).all()
    assert (coupled["gateway_closed_h"] == 0.0).all()
    assert (coupled["scripted_events"] == 2).all()  # the strike and its timed reopening


def _all_gateways_closed(base: str) -> list[dict]:
    c = compile_scenario(load_scenario(base))
    types = c.arrays["gw_type"]
    return [
        {"at_h": 0, "action": "close_airport", "airport": g}
        if types[k] == 0
        else {"at_h": 0, "action": "close_port", "port": g}
        for k, g in enumerate(c.gateway_ids)
    ]


def test_closed_gateways_stop_inter_island_lift():
    base = nansei.simulate("kyodo-2021", replications=4, seed=2).records
    assert base["inter_island_moves"].sum() > 0
    shut = load_scenario("kyodo-2021", overrides={"events": _all_gateways_closed("kyodo-2021")})
    r = nansei.simulate(shut, replications=4, seed=2).records
    assert (r["inter_island_moves"] == 0).all()
    n_gw = len(compile_scenario(shut).gateway_ids)
    assert np.allclose(r["scripted_gateway_closed_h"], n_gw * shut.run.horizon_h)


def test_reopen_ends_a_closure():
    ev = [
        {"at_h": 10, "action": "close_airport", "airport": "ROIG"},
        {"at_h": 25.5, "action": "reopen_airport", "airport": "ROIG"},
    ]
    r = nansei.simulate(load_scenario(PLAN, overrides={"events": ev}), 2, seed=1).records
    assert (r["scripted_gateway_closed_h"] == 15.5).all()


# --- strikes, legal, groups ---------------------------------------------------------------
def test_scripted_site_strike_kills_and_is_not_red():
    sc0 = load_scenario(IDEAL, overrides={"red.isr.p_detect_launch": 0, "red.p_kill": 1.0})
    c = compile_scenario(sc0)
    site = c.site_ids[int(c.arrays["l_site0"][0])]
    ev = [{"at_h": 0.1, "action": "strike_site", "site": site}]
    sc = load_scenario(
        IDEAL, overrides={"red.isr.p_detect_launch": 0, "red.p_kill": 1.0, "events": ev}
    )
    res = nansei.simulate(sc, replications=5, seed=4, trace=True)
    r = res.records
    assert (r["launchers_lost"] == 1).all() and (r["scripted_launcher_kills"] == 1).all()
    assert (r["time_first_loss_h"] == 0.1).all()
    assert (r["red_strikes"] == 0).all() and (r["scripted_strikes"] == 1).all()
    rows = res.trace[res.trace["event"] == "scripted"]
    assert len(rows) == 1 and rows["time_h"].iloc[0] == 0.1


def test_scripted_recognition_enters_the_timeline():
    ev = [{"at_h": 30, "action": "recognise", "situation": "armed_attack"}]
    over = {"legal.timeline": [{"situation": "important_influence", "at_h": 0}], "events": ev}
    r = nansei.simulate(load_scenario(IDEAL, overrides=over), 3, seed=1).records
    assert (r["t_armed_attack_h"] == 30.0).all()
    assert (r["t_evacuation_authorised_h"] == 30.0).all()


def test_scripted_arrival_equals_a_scheduled_group():
    """``launchers_arrive``/``launchers_withdraw`` reuse the group schedule: same numbers."""
    ev = [
        {"at_h": 6, "action": "launchers_arrive", "group": "l1"},
        {"at_h": 50, "action": "launchers_withdraw", "group": "l1"},
    ]
    a = nansei.simulate(load_scenario(IDEAL, overrides={"events": ev}), 20, seed=5).records
    sched = {"blue.launchers[0].arrive_h": 6, "blue.launchers[0].withdraw_h": 50}
    b = nansei.simulate(load_scenario(IDEAL, overrides=sched), 20, seed=5).records
    cols = [c for c in b.columns if c.startswith(("launcher", "salvos", "red_", "time_"))]
    pd.testing.assert_frame_equal(a[cols], b[cols])
    assert (a["launchers_withdrawn"] + a["launchers_lost"] == 1).all()


# --- evacuation ---------------------------------------------------------------------------
def _evac(events: list, reps: int = 2):
    res = simulate_evacuation(load_scenario(PLAN, overrides={"events": events}), reps, seed=1)
    return res


def test_scripted_order_takes_effect_at_its_time():
    r = _evac([{"at_h": 48, "action": "order_evacuation"}]).records
    assert (r["evac_order_h"] == 48.0).all()


def test_scripted_order_waits_for_the_authority():
    over = {
        "legal.timeline": [{"situation": "anticipated_armed_attack", "at_h": 60}],
        "events": [{"at_h": 48, "action": "order_evacuation"}],
    }
    r = simulate_evacuation(load_scenario(PLAN, overrides=over), 2, seed=1).records
    assert (r["evac_order_h"] == 60.0).all()


def _day_total(res, day: int) -> np.ndarray:
    s = res.series[res.series["day"] == day]
    cols = [c for c in s.columns if c.startswith("gateway.")]
    return s[cols].sum(axis=1).to_numpy()


def test_suspension_stops_every_departure_until_the_next_order():
    res = _evac(
        [
            {"at_h": 24, "action": "suspend_evacuation"},
            {"at_h": 48, "action": "order_evacuation"},
        ]
    )
    assert (_day_total(res, 0) > 0).all() and (_day_total(res, 2) > 0).all()
    assert (_day_total(res, 1) == 0).all()
    assert (res.records["evac_order_h"] == 0.0).all()  # the first order came from the law


def test_weather_stops_one_mode_only():
    res = _evac([{"at_h": 24, "action": "weather", "cancels": "air", "duration_h": 24}])
    day1 = res.series[res.series["day"] == 1]
    air = [c for c in day1.columns if c.startswith("gateway.") and c.endswith("_air")]
    sea = [c for c in day1.columns if c.startswith("gateway.") and c.endswith("_sea")]
    assert (day1[air].to_numpy() == 0).all()
    assert (day1[sea].sum(axis=1) > 0).all()
    # scripted weather is not the weather draw's
    assert (res.records["evac_air_days_cancelled"] == 0).all()


# --- nansei verify --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name", ["scripted-closure-from-t", "scripted-recognition-at-t", "scripted-strike-not-red"]
)
def test_verify_checks_pass(name):
    assert name in REGISTRY
    (row,) = run_checks([name], scale=1.0, seed=1).itertuples()
    assert row.passed, row
    assert math.isfinite(row.simulated) and row.simulated == 0.0


def _inter_island_leaves(res, compiled) -> list[float]:
    """Leave times of the moves to another island in a trace (a leave row paired with the
    launcher's next arrival)."""
    tr = res.trace
    isl = compiled.arrays["site_island"]
    sites = {s: k for k, s in enumerate(compiled.site_ids)}
    out, pending = [], {}
    for row in tr.itertuples():
        if row.event == "leave":
            pending[row.entity] = (row.time_h, sites[row.site])
        elif row.event == "arrive" and row.entity in pending:
            t, a = pending.pop(row.entity)
            if isl[a] != isl[sites[row.site]]:
                out.append(t)
    return out


def test_closure_blocks_lift_exactly_from_its_time():
    """Closing every gateway at T: the run is the same as without until T, then no move to
    another island leaves (a lift leaving at T itself is blocked)."""
    t_close = 200.0
    ev = [{**e, "at_h": t_close} for e in _all_gateways_closed("kyodo-2021")]
    base = nansei.simulate("kyodo-2021", replications=1, seed=7, trace=True)
    shut_sc = load_scenario("kyodo-2021", overrides={"events": ev})
    shut = nansei.simulate(shut_sc, replications=1, seed=7, trace=True)
    c = compile_scenario(shut_sc)
    before = [t for t in _inter_island_leaves(base, c) if t < t_close]
    assert before and len(_inter_island_leaves(base, c)) > len(before)
    assert _inter_island_leaves(shut, c) == before
    assert int(shut.records["inter_island_moves"].iloc[0]) == len(before)
    early = shut.trace[(shut.trace["time_h"] < t_close) & (shut.trace["event"] != "scripted")]
    b0 = base.trace[base.trace["time_h"] < t_close]
    pd.testing.assert_frame_equal(early.reset_index(drop=True), b0.reset_index(drop=True))
