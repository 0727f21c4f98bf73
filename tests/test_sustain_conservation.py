"""Property test: stock is conserved per item and node in random sustainment scenarios.

For every replication of a random supply chain (depots and supply points with pods and
fuel, transport pools of every kind, both policies, interdiction, gateway strikes that
destroy stock, both built-in authority sets) the trace's stock rows must balance:

* per node and item: start + delivered + returned = end + issued + destroyed + shipped;
* per item over the network: shipped = delivered + lost in transit + returned + in transit
  at the horizon, with the pods in transit equal to the record's ``pods_in_transit_end``;
* the trace agrees with the replication's record (pods and fuel delivered, lost,
  destroyed, issued, pods at the nodes at start and end).
"""

from __future__ import annotations

import copy

import numpy as np
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nansei.engine import layout as Y
from nansei.engine.compile import compile_scenario
from nansei.engine.simulate import TRACE_CAPACITY, run_batch, run_trace
from nansei.scenario import builtin_path, load_scenario
from tests.sustain_trace import stock_ledger

SETTINGS = settings(
    max_examples=50,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
REPLICATIONS = 3
BASE = yaml.safe_load(builtin_path("kyodo-2021").read_text(encoding="utf-8"))
MUNITIONS = ("PrSM", "ATACMS", "ER-GMLRS", "GMLRS")
#: Depot islands: the mainland (off-map), islands with port and airport, and one without a
#: port (kitadaito: air only).
DEPOT_ISLANDS = ("kyushu", "okinawa", "miyako", "ishigaki", "amami_oshima", "kitadaito")
SP_ISLANDS = ("ishigaki", "miyako", "yonaguni", "amami_oshima", "okinawa", "kitadaito")
KINDS = ("LCU", "LSV", "LST", "PFI_ferry", "C-130H", "C-2", "truck")

POD_COUNTS = st.dictionaries(st.sampled_from(MUNITIONS), st.integers(0, 30), min_size=1, max_size=4)
FUEL = st.sampled_from([0.0, 5_000.0, 50_000.0, 300_000.0])


@st.composite
def depot(draw, j):
    return {
        "id": f"dep{j}",
        "island": draw(st.sampled_from(DEPOT_ISLANDS)),
        "pods": draw(POD_COUNTS),
        "fuel_l": draw(FUEL),
    }


@st.composite
def supply_point(draw, j):
    s = draw(st.integers(0, 4))
    return {
        "id": f"sp{j}",
        "island": draw(st.sampled_from(SP_ISLANDS)),
        "pods": draw(st.dictionaries(st.sampled_from(MUNITIONS), st.integers(0, 6), max_size=4)),
        "fuel_l": draw(st.sampled_from([0.0, 2_000.0, 20_000.0])),
        "reorder_point": s,
        "order_up_to": s + draw(st.integers(1, 10)),
    }


@st.composite
def transport(draw, j):
    return {
        "id": f"tr{j}",
        "kind": draw(st.sampled_from(KINDS)),
        "count": draw(st.integers(1, 4)),
        "capacity_t": draw(st.sampled_from([2.0, 5.0, 10.0, 30.0, 350.0])),
        "speed_kmh": draw(st.sampled_from([20.0, 70.0, 500.0])),
        "turnaround_h": draw(st.sampled_from([0.0, 2.0, 6.0, 12.0])),
    }


@st.composite
def sustainment_case(draw):
    """A kyodo-2021 variant with a random supply chain, legal set and Red gateway strikes."""
    doc = copy.deepcopy(BASE)
    doc["run"]["horizon_h"] = draw(st.sampled_from([240, 120]))
    doc["civil"]["enabled"] = False
    # few islands in play concentrate gateway strikes (combat zones, stock destroyed)
    doc["geography"]["islands"] = draw(st.sampled_from(["all", list(SP_ISLANDS)]))
    for stream in doc["targets"]["streams"]:
        stream["arrivals_per_day"] *= draw(st.sampled_from([1, 4]))
    for g in doc["blue"]["launchers"]:
        g["count"] = draw(st.integers(1, 5))
    rate = draw(st.sampled_from([12.0, 4.0, 0.0]))
    doc["red"]["gateway_strikes"]["enabled"] = rate > 0
    doc["red"]["gateway_strikes"]["rate_per_day"] = rate
    doc["red"]["strikes_start_h"] = draw(st.sampled_from([0, 24, 72]))
    n_dep = draw(st.integers(1, 3))
    n_sp = draw(st.integers(1, 3))
    doc["sustainment"] = {
        "enabled": True,
        "policy": draw(st.sampled_from(["scheduled", "s_S"])),
        "convoy_interval_h": draw(st.sampled_from([6.0, 12.0, 24.0, 48.0])),
        "p_loss_per_leg": draw(st.sampled_from([0.0, 0.1, 0.4, 0.9])),
        "stock_loss_per_gateway_hit": draw(st.sampled_from([0.0, 0.2, 0.6, 1.0])),
        "combat_zone_window_h": draw(st.sampled_from([12.0, 48.0, 0.0])),
        "depots": [draw(depot(j)) for j in range(n_dep)],
        "supply_points": [draw(supply_point(j)) for j in range(n_sp)],
        "transports": [draw(transport(j)) for j in range(draw(st.integers(1, 3)))],
    }
    doc["legal"]["authorities"] = draw(st.sampled_from(["law-2021", "amended"]))
    doc["legal"]["timeline"][0]["at_h"] = draw(st.sampled_from([0, 48]))
    if draw(st.sampled_from([True, False])):  # no armed attack: under law-2021, no
        # logistics where combat is taking place, so loads in transit withdraw
        doc["legal"]["timeline"] = doc["legal"]["timeline"][:1]
    return doc, draw(st.integers(0, 3))


def _check_replication(c, trace, out):
    n_m = c.arrays["su_stock0"].shape[1] - 1
    led = stock_ledger(c, trace)
    scale = 1.0 + np.abs(led.start).max(initial=0.0)
    tol = 1e-9 * scale
    # per node and item: start + in = end + out
    np.testing.assert_allclose(led.node_balance(), 0.0, atol=tol)
    for name in ("shipped", "delivered", "issued", "destroyed", "returned", "lost", "end"):
        assert (getattr(led, name) >= -tol).all(), name
    # losses and returns are booked at the origin of the trip: never more than it shipped
    assert (led.shipped - led.lost - led.returned >= -tol).all()
    # per item over the network: shipped = delivered + lost + returned + in transit at H
    transit = led.in_transit_end()
    assert (transit >= -tol).all()
    np.testing.assert_allclose(transit[:n_m].sum(), out[Y.O_PODS_TRANSIT_END], atol=tol)
    # system identity per item: start = end + issued + destroyed + lost + in transit
    lhs = led.start.sum(axis=0)
    rhs = (led.end + led.issued + led.destroyed + led.lost).sum(axis=0) + transit
    np.testing.assert_allclose(lhs, rhs, atol=tol)
    # the trace agrees with the record
    pods = slice(0, n_m)
    for name, book, cols in (
        ("pods_at_nodes_start", led.start, pods),
        ("pods_at_nodes_end", led.end, pods),
        ("pods_delivered", led.delivered, pods),
        ("pods_lost_in_transit", led.lost, pods),
        ("pods_destroyed", led.destroyed, pods),
        ("pods_issued", led.issued, pods),
        ("fuel_delivered_l", led.delivered, n_m),
        ("fuel_lost_in_transit_l", led.lost, n_m),
        ("fuel_destroyed_l", led.destroyed, n_m),
    ):
        np.testing.assert_allclose(
            book[:, cols].sum(), out[Y.OUT_INDEX[name]], atol=tol, err_msg=name
        )
    return led


@SETTINGS
@given(sustainment_case())
def test_stock_is_conserved_per_item_and_node(case):
    doc, seed = case
    c = compile_scenario(load_scenario(doc))
    outs, _ = run_batch(c, seed, 0, 0, REPLICATIONS)
    for i in range(REPLICATIONS):
        trace = run_trace(c, seed, 0, i)
        assert trace.shape[0] < TRACE_CAPACITY
        assert outs[i, Y.O_OVERFLOW] == 0
        _check_replication(c, trace, outs[i])


def _hard_case() -> tuple[dict, int]:
    """Every flow at once: trips, losses, withdrawals, destruction and issues."""
    doc = copy.deepcopy(BASE)
    doc["run"]["horizon_h"] = 240
    doc["civil"]["enabled"] = False
    doc["red"]["gateway_strikes"].update(enabled=True, rate_per_day=6.0)
    doc["red"]["strikes_start_h"] = 0
    su = doc["sustainment"]
    su.update(p_loss_per_leg=0.2, stock_loss_per_gateway_hit=0.3, combat_zone_window_h=48)
    return doc, 3


def test_identity_covers_every_flow():
    """The property's scenarios do exercise every term of the identity."""
    doc, seed = _hard_case()
    c = compile_scenario(load_scenario(doc))
    totals = {}
    outs, _ = run_batch(c, seed, 0, 0, 8)
    for i in range(8):
        led = _check_replication(c, run_trace(c, seed, 0, i), outs[i])
        for name in ("shipped", "delivered", "issued", "destroyed", "returned", "lost"):
            totals[name] = totals.get(name, 0.0) + float(getattr(led, name).sum())
    assert all(v > 0 for v in totals.values()), totals
