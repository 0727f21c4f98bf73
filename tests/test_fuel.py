"""Launcher fuel: idle and move burn, running dry, refuelling, gating and accounting."""

from __future__ import annotations

import math

import numpy as np
import pytest
import yaml

import nansei
from nansei.engine import layout as Y
from nansei.engine.compile import compile_scenario
from nansei.engine.layout import NODE_ITEM_BASE
from nansei.engine.simulate import run_trace
from nansei.scenario import builtin_path, load_scenario


def _doc(name: str) -> dict:
    return yaml.safe_load(builtin_path(name).read_text(encoding="utf-8"))


def _lonely_launcher(cap: float, idle: float, per_km: float, horizon: float = 72.0):
    """One launcher cycling dwell 4 h / fixed move 0.5 h, never detected, no fuel anywhere."""
    doc = _doc("ideal-fixed-delay")
    doc["run"]["horizon_h"] = horizon
    doc["blue"]["launchers"][0].update(
        fuel_capacity_l=cap, fuel_idle_l_per_h=idle, fuel_move_l_per_km=per_km
    )
    doc["red"]["isr"]["detection_rate_per_h"] = dict.fromkeys(
        ("hidden", "moving", "setting_up", "firing", "reloading"), 0.0
    )
    doc["sustainment"] = {
        "enabled": True,
        "depots": [{"id": "kyushu", "island": "kyushu", "fuel_l": 0}],
    }
    return load_scenario(doc)


def _reference_dry(cap, idle, move_l, dwell, move_h, horizon):
    """Step through stays and moves by hand: (relocations, time the tank ran dry, burned)."""
    fuel, t, moves = cap, 0.0, 0
    while True:
        if fuel <= idle * dwell:  # runs dry during this stay (or exactly at its end)
            t_dry = t + fuel / idle
            return moves, t_dry, cap
        fuel -= idle * dwell
        t += dwell
        if fuel < move_l:
            return moves, t + fuel / idle, cap  # cannot leave; idles on to empty
        fuel -= move_l
        t += move_h
        moves += 1


@pytest.mark.parametrize("cap", [33.0, 35.0])  # dry during the stay; short of fuel to leave
def test_launcher_runs_dry_exactly_as_by_hand(cap):
    idle, per_km = 1.0, 0.1
    sc = _lonely_launcher(cap, idle, per_km)
    move_km = sc.blue.relocation.fixed_move_h * sc.blue.launchers[0].road_speed_kmh
    r = nansei.simulate(sc, replications=3, seed=1).records
    moves, t_dry, _ = _reference_dry(
        cap, idle, per_km * move_km, 4.0, sc.blue.relocation.fixed_move_h, 72.0
    )
    assert t_dry < 72.0
    assert (r["relocations"] == moves).all()
    np.testing.assert_allclose(r["launcher_fuel_dry_h"], 72.0 - t_dry)
    np.testing.assert_allclose(r["fuel_burned_l"], cap)
    assert (r["moves_no_fuel"] == 1).all()
    assert (r["fuel_in_launchers_end_l"] == 0).all()


def test_no_idle_burn_means_no_dry_time():
    sc = _lonely_launcher(33.0, 0.0, 0.0)
    r = nansei.simulate(sc, replications=2, seed=1).records
    assert (r["launcher_fuel_dry_h"] == 0).all()
    assert (r["fuel_in_launchers_end_l"] == 33.0).all()
    assert (r["moves_no_fuel"] == 0).all()


def _kyodo(**launcher):
    doc = _doc("kyodo-2021")
    doc["run"]["horizon_h"] = 240
    for g in doc["blue"]["launchers"]:
        g.update(launcher)
    return doc


def test_launcher_fuel_identity_every_replication():
    sc = load_scenario(_kyodo(fuel_capacity_l=120.0))
    r = nansei.simulate(sc, replications=60, seed=3).records
    lhs = r["fuel_in_launchers_start_l"] + r["fuel_issued_l"]
    rhs = r["fuel_burned_l"] + r["fuel_lost_with_launchers_l"] + r["fuel_in_launchers_end_l"]
    np.testing.assert_allclose(lhs, rhs, rtol=1e-9, atol=1e-6)
    assert r["fuel_issued_l"].sum() > 0
    assert r["launcher_fuel_dry_h"].sum() > 0  # launchers on islands without a node run dry
    assert (r["fuel_in_launchers_start_l"] == 16 * 120.0).all()


def test_dry_launchers_fire_less_under_common_random_numbers():
    full = nansei.simulate(load_scenario(_kyodo()), replications=200, seed=9).records
    dry = nansei.simulate(
        load_scenario(_kyodo(fuel_capacity_l=30.0)), replications=200, seed=9
    ).records
    assert dry["salvos_no_fuel"].sum() > 0
    d = full["salvos_fired"] - dry["salvos_fired"]
    se = d.std(ddof=1) / math.sqrt(len(d))
    assert d.mean() > 4 * se


def _fuel_rows(c, tr, name):
    n_m = c.arrays["su_stock0"].shape[1] - 1
    rows = tr[tr[:, 1] == Y.EVENT_NAMES.index(name)]
    return rows[(rows[:, 2] // NODE_ITEM_BASE).astype(np.int64) == n_m]


def test_law_2021_no_fuel_to_launchers_before_iis():
    iis = 48.0
    doc = _kyodo(fuel_capacity_l=60.0)
    doc["legal"]["timeline"] = [
        {"situation": "important_influence", "mode": "scheduled", "at_h": iis}
    ]
    # law-2021, except that launchers may use temporary bases in peacetime (so they move,
    # run dry and ask for fuel before the important influence situation)
    from nansei.scenario.legal import LAW_2021

    permits = {k: list(v) for k, v in LAW_2021.permits.items()}
    permits["peacetime"] = ["us_temporary_bases"]
    doc["legal"]["authorities"] = {"name": "law-2021-bases", "permits": permits}
    c = compile_scenario(load_scenario(doc))
    issued_after = 0
    blocked_fuel = 0
    a_fuel = Y._LEGAL_ACTIONS.index("sdf_supply_fuel")
    for seed in (1, 2, 3):
        tr = run_trace(c, seed)
        rows = _fuel_rows(c, tr, "stock_issued")
        assert (rows[:, 0] >= iis).all()
        issued_after += len(rows)
        blocked = tr[tr[:, 1] == Y.EVENT_NAMES.index("blocked")]
        blocked_fuel += int(((blocked[:, 2] == a_fuel) & (blocked[:, 0] < iis)).sum())
    assert issued_after > 0
    assert blocked_fuel > 0


def test_node_fuel_identity_every_replication():
    doc = _kyodo(fuel_capacity_l=120.0)
    doc["sustainment"].update(stock_loss_per_gateway_hit=0.2, p_loss_per_leg=0.1)
    r = nansei.simulate(load_scenario(doc), replications=60, seed=4).records
    lhs = r["fuel_at_nodes_start_l"]
    rhs = (
        r["fuel_at_nodes_end_l"]
        + r["fuel_issued_l"]
        + r["fuel_destroyed_l"]
        + r["fuel_lost_in_transit_l"]
        + r["fuel_in_transit_end_l"]
    )
    np.testing.assert_allclose(lhs, rhs, rtol=1e-9)
    assert r["fuel_delivered_l"].sum() > 0 and r["fuel_destroyed_l"].sum() > 0


def test_dry_run_closed_form_matches_the_step_by_step_replay():
    from nansei.verification.fuel_checks import dry_run

    rng = np.random.default_rng(7)
    n = 0
    while n < 300:
        cap, idle = rng.uniform(5, 500), rng.uniform(0.1, 10)
        per_km, tau, move_h = rng.uniform(0, 2), rng.uniform(0.5, 12), rng.uniform(0.1, 3)
        cycle = idle * tau + per_km * move_h * 40.0
        if abs(cap / cycle - round(cap / cycle)) < 1e-6:
            continue
        exact = dry_run(cap, idle, per_km, tau, move_h, 40.0, 1e9)
        moves, t_dry, _ = _reference_dry(cap, idle, per_km * move_h * 40.0, tau, move_h, 1e9)
        assert exact.moves == moves
        assert math.isclose(exact.t_dry_h, t_dry, rel_tol=1e-9)
        n += 1


def test_fuel_checks_pass_and_respond_to_the_tank():
    from nansei.verification.checks import run_checks
    from nansei.verification.fuel_checks import dry_run

    rows = run_checks(names=_fuel_check_names(), scale=1.0, seed=3)
    from nansei.verification import fuel_checks

    assert len(rows) == len(fuel_checks.CHECKS) >= 7  # dry run, resupply, balances
    assert all(rows["passed"]), rows
    # a bigger tank moves the exact value, and the engine follows it
    sc = _lonely_launcher(45.0, 1.0, 0.1)
    r = nansei.simulate(sc, replications=2, seed=1).records
    exact = dry_run(45.0, 1.0, 0.1, 4.0, 0.5, 40.0, 72.0)
    assert exact.dry_h != dry_run(33.0, 1.0, 0.1, 4.0, 0.5, 40.0, 72.0).dry_h
    np.testing.assert_allclose(r["launcher_fuel_dry_h"], exact.dry_h)
    assert (r["relocations"] == exact.moves).all()


def _fuel_check_names():
    from nansei.verification.checks import REGISTRY

    return [name for name in REGISTRY if name.startswith("fuel-")]
