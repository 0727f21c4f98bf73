"""SDF sustainment in the kernel: nodes, stocks, transport trips, interdiction.

:mod:`nansei.engine.compile_sustain` turns ``sc.sustainment`` into the
``su_*`` arrays of the :class:`~nansei.engine.state.Model`; the functions here
keep one replication's supply chain in :class:`~nansei.engine.state.SupplyState`.
Semantics (``docs/model.md``):

* **Nodes** are depots and forward supply points (SPs), each holding pods per
  munition and fuel (litres): ``stock`` (N, M + 1), the last column fuel.
* **Issue.** An empty launcher (no rounds, no reload pods) on an island draws
  one pod from the island's issuing node (its first SP, else a depot on the
  island) and reloads in ``reload_h`` (travel on the island is neglected — an
  assumption). It takes the first munition in preference order that the node
  holds and that reaches a zone with a live target from the launcher's site.
  Issue is SDF supply of ammunition to US forces: it needs
  ``sdf_supply_ammunition`` and, on an island struck within
  ``combat_zone_window_h``, ``sdf_logistics_in_combat_zone``.
* **Orders.** ``s_S``: when an SP's pods of a munition (on hand + on order)
  fall to ``s`` or below, an order fills them to ``S``; reviews happen after an
  issue, a delivery, a vehicle's return, a new recognition, and when a combat
  zone clears. ``scheduled``: every ``convoy_interval_h`` from t = 0, one trip
  per SP fills every munition to ``S``; a convoy that cannot leave is skipped.
  Fuel is topped up to the SP's initial fuel with each trip.
* **Trips.** The source is the nearest depot holding a wanted item; the
  vehicle is the free one (of any pool whose mode can make the trip) that
  arrives first. Sea trips need an open port at both ends, air trips an open
  airport, trucks stay on one island. A trip arrives after
  ``distance / speed + turnaround_h``; its vehicle is back after
  ``2 distance / speed + turnaround_h``. Load: pods in preference order while
  their mass fits ``capacity_t``, then fuel (0.8 kg/l) in the remaining mass.
* **Interdiction.** The loaded leg is lost with ``p_loss_per_leg`` (vehicle and
  load); empty return legs are not attacked (an assumption). Lost vehicles are
  not replaced.
* **Combat zone.** An island is "where combat is taking place" for
  ``combat_zone_window_h`` after a Red strike arrives on it (a launcher site,
  decoy site, airport or port). Without ``sdf_logistics_in_combat_zone`` no
  trip leaves for it, and a trip arriving there withdraws: it returns its load
  to the origin when the vehicle is back (2015 law: the SDF suspends or
  withdraws).
* **Node strikes.** A gateway strike that leaks destroys each pod at the
  island's nodes with ``stock_loss_per_gateway_hit`` and that fraction of fuel.

Random draws (interdiction, destruction) come from the sustainment sub-stream
``SupplyState.srng``, so they do not shift the combat stream.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from nansei.engine import layout as Y
from nansei.engine.books import push, stock_row, trace_row
from nansei.engine.gating import blocked, combat_zone_blocks, trigger
from nansei.engine.layout import (
    FUEL_T_PER_L,
    N_AIRPORT,
    N_BIG_S,
    N_ISLAND,
    N_KIND,
    N_PORT,
    N_S,
    P_ACTIVE,
    P_BACK,
    P_DEST,
    P_ORIGIN,
    P_POOL,
    P_VEHICLE,
    T_CAPACITY,
    T_COUNT,
    T_MODE,
    T_SPEED,
    T_TURN,
    U_ENABLED,
    U_FUEL_REORDER,
    U_P_LOSS,
    U_POLICY,
    U_STOCK_LOSS,
    U_WINDOW,
)
from nansei.engine.legal import (
    A_COMBAT_ZONE,
    A_SUPPLY_AMMO,
    A_SUPPLY_FUEL,
    A_TRANSPORT,
    REASON_COMBAT_ZONE,
    T_BLUE_SALVO,
    T_RED_STRIKE,
)
from nansei.engine.rng import random
from nansei.engine.state import C_OVERFLOW


@njit(cache=True, _nrt=False)
def supply_start(m, s):
    """Reset the supply state; count the initial stocks; schedule the first review."""
    su, out = s.su, s.b.out
    stock, su_f = su.stock, m.su_f
    for i in range(stock.shape[0]):  # element loops: no temporaries (no NRT)
        for j in range(stock.shape[1]):
            stock[i, j] = m.su_stock0[i, j]
    su.on_order[:, :] = 0.0
    su.veh_free[:, :] = np.inf
    for j in range(m.su_tr.shape[0]):
        for v in range(int(m.su_tr[j, T_COUNT])):
            su.veh_free[j, v] = 0.0
    su.trip[:, :] = 0.0
    su.isl_hit[:] = -np.inf
    su.empty_since[:] = np.inf
    su.rev_t[:] = -1.0
    if su_f[U_ENABLED] == 1.0:
        pods = 0.0
        for nd in range(stock.shape[0]):
            for k in range(stock.shape[1] - 1):
                pods += stock[nd, k]
        out[Y.O_PODS_START] = pods
        fuel = 0.0
        for nd in range(stock.shape[0]):
            fuel += stock[nd, stock.shape[1] - 1]
        out[Y.O_FUEL_NODES_START] = fuel
        if su_f[U_POLICY] == 0.0:
            push(s, 0.0, Y.EV_CONVOY, 0, 0)
        else:
            push(s, 0.0, Y.EV_SUPPLY_REVIEW, -1, 0)


@njit(cache=True, _nrt=False)
def issue_pod(m, s, t, la, site):
    """Issue one pod to empty launcher ``la`` at ``site`` from its island's node.

    Returns the node index, or -1 when nothing was issued (sustainment off, no
    node, no suitable stock, or blocked by law — then counted and logged).
    """
    if m.su_f[U_ENABLED] == 0.0:
        return -1
    island = m.su_site_isl[site]
    if island < 0:
        return -1
    nd = m.su_issue[island]
    if nd < 0:
        return -1
    stock, in_range, zone_alive = s.su.stock, m.in_range, s.w.zone_alive
    pick = -1
    for k in range(in_range.shape[2]):
        if stock[nd, k] < 1.0:
            continue
        for z in range(in_range.shape[1]):
            if zone_alive[z] > 0 and in_range[site, z, k] == 1:
                pick = k
                break
        if pick >= 0:
            break
    if pick < 0:
        return -1
    if t < s.lg.auth_t[A_SUPPLY_AMMO]:
        blocked(m, s, t, A_SUPPLY_AMMO, 0, site, 1)
        return -1
    if combat_zone_blocks(m, s, island, t):
        blocked(m, s, t, A_COMBAT_ZONE, REASON_COMBAT_ZONE, site, 1)
        return -1
    out, empty_since = s.b.out, s.su.empty_since
    stock[nd, pick] -= 1.0
    s.L.reload[la, pick] += int(m.mun_f[pick, 1])
    out[Y.O_PODS_ISSUED] += 1
    stock_row(s.b, t, Y.EV_STOCK_ISSUED, nd, pick, -1.0)
    if empty_since[la] < np.inf:
        out[Y.O_STOCKOUT_H] += t - empty_since[la]
        empty_since[la] = np.inf
    return nd


@njit(cache=True, _nrt=False)
def _route_ok(m, gw_open, nd, mode):
    if mode == 2:
        return True
    g = m.su_node[nd, N_PORT] if mode == 0 else m.su_node[nd, N_AIRPORT]
    return g == -2 or (g >= 0 and gw_open[g] == 1)


@njit(cache=True, _nrt=False)
def _wanted(m, s, t, p, fill):
    """Fill ``want`` with what supply point ``p`` needs and the law lets the SDF ship.

    Returns the pods wanted (the fuel wanted is ``want[-1]``), or -1.0 when
    nothing is wanted (a refusal by law is counted and logged).
    """
    su, su_node, su_stock0 = s.su, m.su_node, m.su_stock0
    stock, on_order, want, auth_t = su.stock, su.on_order, su.want, s.lg.auth_t
    n_m = m.su_mass.shape[0]
    total = 0.0
    for k in range(n_m):
        pos = stock[p, k] + on_order[p, k]
        big = float(su_node[p, N_BIG_S])
        need = 0.0
        if pos < big and (fill or pos <= float(su_node[p, N_S])):
            need = big - pos
        want[k] = need
        total += need
    fuel = su_stock0[p, n_m] - stock[p, n_m] - on_order[p, n_m]
    low = su_stock0[p, n_m] - fuel <= m.su_f[U_FUEL_REORDER] * su_stock0[p, n_m]
    want[n_m] = fuel if fuel > 0.0 and (fill or total > 0.0 or low) else 0.0
    if total + want[n_m] <= 0.0:
        return -1.0
    if t < auth_t[A_TRANSPORT]:
        blocked(m, s, t, A_TRANSPORT, 0, -1, 1)
        return -1.0
    if total > 0.0 and t < auth_t[A_SUPPLY_AMMO]:
        blocked(m, s, t, A_SUPPLY_AMMO, 0, -1, 1)
        for k in range(n_m):
            want[k] = 0.0
        total = 0.0
    if want[n_m] > 0.0 and t < auth_t[A_SUPPLY_FUEL]:
        blocked(m, s, t, A_SUPPLY_FUEL, 0, -1, 1)
        want[n_m] = 0.0
    if total + want[n_m] <= 0.0:
        return -1.0
    return total


@njit(cache=True, _nrt=False)
def _source(m, s, p):
    """The nearest depot holding an item that supply point ``p`` wants, or -1."""
    su_node, su_km, stock, want = m.su_node, m.su_km, s.su.stock, s.su.want
    n_m = m.su_mass.shape[0]
    src = -1
    best_d = np.inf
    for d in range(su_node.shape[0]):
        if su_node[d, N_KIND] != 0:
            continue
        has = False
        for k in range(n_m + 1):
            if want[k] > 0.0 and stock[d, k] >= (1.0 if k < n_m else 1e-9):
                has = True
        if not has:
            continue
        dd = min(su_km[d, p, 0], min(su_km[d, p, 1], su_km[d, p, 2]))
        if dd < best_d:
            best_d = dd
            src = d
    return src


@njit(cache=True, _nrt=False)
def _load(m, s, slot, src, pool):
    """Load trip ``slot`` from ``src``: pods in preference order while their mass fits,
    then fuel in the remaining mass. Returns the total load (pods + litres)."""
    su = s.su
    stock, want, trip_q, su_mass = su.stock, su.want, su.trip_q, m.su_mass
    n_m = su_mass.shape[0]
    cap = m.su_tr[pool, T_CAPACITY]
    for k in range(n_m + 1):
        trip_q[slot, k] = 0.0
    for k in range(n_m):
        if want[k] <= 0.0:
            continue
        n = min(want[k], math.floor(stock[src, k]))
        if su_mass[k] > 0.0:
            n = min(n, math.floor(cap / su_mass[k] + 1e-9))
        if n > 0.0:
            trip_q[slot, k] = n
            cap -= n * su_mass[k]
    if want[n_m] > 0.0:
        trip_q[slot, n_m] = min(want[n_m], stock[src, n_m], cap / FUEL_T_PER_L)
    load = 0.0
    for k in range(n_m + 1):
        load += trip_q[slot, k]
    return load


@njit(cache=True, _nrt=False)
def review_node(m, s, t, p, fill):
    """Place (and dispatch) a replenishment trip to supply point ``p`` if one is due.

    ``fill`` is True for a scheduled convoy (fill to S), False for an (s, S)
    review. Returns the time at which a new review is useful (a vehicle frees up
    or a combat zone clears), or inf.
    """
    su, su_tr, su_km = s.su, m.su_tr, m.su_km
    if _wanted(m, s, t, p, fill) < 0.0:
        return np.inf
    k = m.su_node[p, N_ISLAND]
    if combat_zone_blocks(m, s, k, t):
        blocked(m, s, t, A_COMBAT_ZONE, REASON_COMBAT_ZONE, -1, 1)
        return su.isl_hit[k] + m.su_f[U_WINDOW]
    src = _source(m, s, p)
    if src < 0:
        return np.inf
    # vehicle: free now, feasible mode, earliest arrival
    gw_open, veh_free = s.w.gw_open, su.veh_free
    pool = -1
    veh = -1
    best_arr = np.inf
    next_free = np.inf
    for j in range(su_tr.shape[0]):
        mode = int(su_tr[j, T_MODE])
        dist = su_km[src, p, mode]
        if dist == np.inf or not _route_ok(m, gw_open, src, mode):
            continue
        if not _route_ok(m, gw_open, p, mode):
            continue
        for v in range(int(su_tr[j, T_COUNT])):
            f = veh_free[j, v]
            if f > t:
                if f < next_free:
                    next_free = f
                continue
            arr = t + dist / su_tr[j, T_SPEED] + su_tr[j, T_TURN]
            if arr < best_arr:
                best_arr = arr
                pool = j
                veh = v
    if pool < 0:
        return next_free
    # a free trip slot
    trip = su.trip
    slot = -1
    for q in range(trip.shape[0]):
        if trip[q, P_ACTIVE] == 0.0:
            slot = q
            break
    if slot < 0:
        s.b.cnt[C_OVERFLOW] = 1
        return np.inf
    if _load(m, s, slot, src, pool) <= 0.0:
        return np.inf
    for k in range(m.su_mass.shape[0] + 1):
        q = su.trip_q[slot, k]
        if q > 0.0:
            su.stock[src, k] -= q
            su.on_order[p, k] += q
            stock_row(s.b, t, Y.EV_STOCK_SHIPPED, src, k, -q)
    dist = su_km[src, p, int(su_tr[pool, T_MODE])]
    back = t + 2.0 * dist / su_tr[pool, T_SPEED] + su_tr[pool, T_TURN]
    veh_free[pool, veh] = back
    trip[slot, P_ACTIVE] = 1.0
    trip[slot, P_ORIGIN] = src
    trip[slot, P_DEST] = p
    trip[slot, P_POOL] = pool
    trip[slot, P_VEHICLE] = veh
    trip[slot, P_BACK] = back
    s.b.out[Y.O_TRIPS] += 1
    push(s, best_arr, Y.EV_SUPPLY_ARRIVE, slot, 0)
    return back


@njit(cache=True, _nrt=False)
def review(m, s, t, fill, only):
    """Review every supply point (or only node ``only`` >= 0) and dispatch trips."""
    su_f, su_node, rev_t = m.su_f, m.su_node, s.su.rev_t
    if su_f[U_ENABLED] == 0.0 or (not fill and su_f[U_POLICY] == 0.0):
        return
    for p in range(su_node.shape[0]):
        if su_node[p, N_KIND] != 1 or (only >= 0 and p != only):
            continue
        again = review_node(m, s, t, p, fill)
        if not fill and again < np.inf and again != rev_t[p]:
            rev_t[p] = again
            push(s, max(again, t), Y.EV_SUPPLY_REVIEW, p, 0)


@njit(cache=True, _nrt=False)
def trip_arrive(m, s, t, slot, tag):
    """A trip reaches its destination (``tag`` 0) or a withdrawn load is back (1).

    Returns the destination node when its stock changed (for an (s, S)
    review), else -1.
    """
    su, out = s.su, s.b.out
    stock, trip, trip_q = su.stock, su.trip, su.trip_q
    n_i = stock.shape[1]
    src = int(trip[slot, P_ORIGIN])
    p = int(trip[slot, P_DEST])
    if tag == 1:
        for k in range(n_i):
            q = trip_q[slot, k]
            if q > 0.0:
                stock[src, k] += q
                stock_row(s.b, t, Y.EV_STOCK_RETURNED, src, k, q)
        trip[slot, P_ACTIVE] = 0.0
        return -1
    for k in range(n_i):
        su.on_order[p, k] -= trip_q[slot, k]
    if random(su.srng) < m.su_f[U_P_LOSS]:
        su.veh_free[int(trip[slot, P_POOL]), int(trip[slot, P_VEHICLE])] = np.inf
        out[Y.O_DELIVERIES_LOST] += 1
        out[Y.O_TRANSPORTS_LOST] += 1
        for k in range(n_i):
            q = trip_q[slot, k]
            if q > 0.0:
                if k < n_i - 1:
                    out[Y.O_PODS_LOST] += q
                else:
                    out[Y.O_FUEL_LOST] += q
                stock_row(s.b, t, Y.EV_TRANSIT_LOST, src, k, -q)
        trip[slot, P_ACTIVE] = 0.0
        return -1
    if combat_zone_blocks(m, s, m.su_node[p, N_ISLAND], t):
        blocked(m, s, t, A_COMBAT_ZONE, REASON_COMBAT_ZONE, -1, 1)
        out[Y.O_DELIVERIES_WITHDRAWN] += 1
        trip[slot, P_ACTIVE] = 2.0
        push(s, max(trip[slot, P_BACK], t), Y.EV_SUPPLY_ARRIVE, slot, 1)
        return -1
    for k in range(n_i):
        q = trip_q[slot, k]
        if q > 0.0:
            stock[p, k] += q
            if k < n_i - 1:
                out[Y.O_PODS_DELIVERED] += q
            else:
                out[Y.O_FUEL_DELIVERED] += q
            stock_row(s.b, t, Y.EV_STOCK_DELIVERED, p, k, q)
    out[Y.O_DELIVERIES] += 1
    trip[slot, P_ACTIVE] = 0.0
    return p


@njit(cache=True, _nrt=False)
def on_supply_arrive(m, s, t, slot, tag):
    """``EV_SUPPLY_ARRIVE``: a trip event; reviews the destination.

    Returns the node whose stock rose, or -1.
    """
    p = trip_arrive(m, s, t, slot, tag)
    if p >= 0:
        review(m, s, t, False, p)
    return p


@njit(cache=True, _nrt=False)
def strike_nodes(m, s, t, island):
    """A leaking gateway strike on ``island`` destroys stock at its nodes."""
    f = m.su_f[U_STOCK_LOSS]
    if f <= 0.0:
        return
    stock, out, srng = s.su.stock, s.b.out, s.su.srng
    n_m = stock.shape[1] - 1
    for nd in range(m.su_node.shape[0]):
        if m.su_node[nd, N_ISLAND] != island:
            continue
        for k in range(n_m):
            lost = 0.0
            for _ in range(int(stock[nd, k])):
                if random(srng) < f:
                    lost += 1.0
            if lost > 0.0:
                stock[nd, k] -= lost
                out[Y.O_PODS_DESTROYED] += lost
                stock_row(s.b, t, Y.EV_STOCK_DESTROYED, nd, k, -lost)
        fl = stock[nd, n_m] * f
        if fl > 0.0:
            stock[nd, n_m] -= fl
            out[Y.O_FUEL_DESTROYED] += fl
            stock_row(s.b, t, Y.EV_STOCK_DESTROYED, nd, n_m, -fl)


@njit(cache=True, _nrt=False)
def struck(m, s, t, island, node_hit):
    """A Red strike arrived on ``island`` at ``t``: trigger, combat zone, node losses."""
    trigger(m, s, t, T_RED_STRIKE)
    if island < 0 or m.su_f[U_ENABLED] == 0.0:
        return
    s.su.isl_hit[island] = t
    if node_hit:
        strike_nodes(m, s, t, island)
    su_f, su_node, rev_t = m.su_f, m.su_node, s.su.rev_t
    if su_f[U_POLICY] == 1.0 and su_f[U_WINDOW] > 0.0:
        for p in range(su_node.shape[0]):
            if su_node[p, N_KIND] == 1 and su_node[p, N_ISLAND] == island:
                rev_t[p] = t + su_f[U_WINDOW]
                push(s, rev_t[p], Y.EV_SUPPLY_REVIEW, p, 0)


@njit(cache=True, _nrt=False)
def after_salvo(m, s, t, la):
    """After a salvo: the first-salvo trigger and the start of a stock-out."""
    if s.lg.trig_t[T_BLUE_SALVO] == np.inf:
        trigger(m, s, t, T_BLUE_SALVO)
    rounds, reload = s.L.rounds, s.L.reload
    left = 0
    for k in range(rounds.shape[1]):
        left += rounds[la, k] + reload[la, k]
    if left <= 0 and m.su_f[U_ENABLED] == 1.0:
        s.su.empty_since[la] = t


@njit(cache=True, _nrt=False)
def stockout_lost(s, t, la):
    """A launcher is destroyed: close its stock-out time."""
    es, out = s.su.empty_since, s.b.out
    if la < es.shape[0] and es[la] < np.inf:
        out[Y.O_STOCKOUT_H] += t - es[la]
        es[la] = np.inf


@njit(cache=True, _nrt=False)
def supply_close(m, s, horizon):
    """Close the supply books at the horizon: stock-outs, stocks, loads in transit."""
    out, b = s.b.out, s.b
    stock, trip, trip_q, empty_since = s.su.stock, s.su.trip, s.su.trip_q, s.su.empty_since
    for la in range(empty_since.shape[0]):
        if empty_since[la] < np.inf:
            out[Y.O_STOCKOUT_H] += horizon - empty_since[la]
    n_m = stock.shape[1] - 1
    if m.su_f[U_ENABLED] != 1.0:
        return
    pods = 0.0
    for nd in range(stock.shape[0]):
        for k in range(n_m + 1):
            if k < n_m:
                pods += stock[nd, k]
            if b.trace.shape[0] > 0:  # every row, zero stocks included
                trace_row(b, horizon, Y.EV_STOCK_END, nd + Y.NODE_ITEM_BASE * k, -1, stock[nd, k])
    out[Y.O_PODS_END] = pods
    fuel = 0.0
    for nd in range(stock.shape[0]):
        fuel += stock[nd, n_m]
    out[Y.O_FUEL_NODES_END] = fuel
    transit = 0.0
    fuel = 0.0
    for q in range(trip.shape[0]):
        if trip[q, P_ACTIVE] != 0.0:
            for k in range(n_m):
                transit += trip_q[q, k]
            fuel += trip_q[q, n_m]
    out[Y.O_PODS_TRANSIT_END] = transit
    out[Y.O_FUEL_TRANSIT_END] = fuel


@njit(cache=True, _nrt=False)
def supply_series(m, s, step):
    """Stock levels at the end of series step ``step``."""
    stock, series, su_node = s.su.stock, s.b.series, m.su_node
    n_m = stock.shape[1] - 1
    fwd = 0.0
    dep = 0.0
    fuel = 0.0
    for nd in range(stock.shape[0]):
        pods = 0.0
        for k in range(n_m):
            pods += stock[nd, k]
        if su_node[nd, N_KIND] == 1:
            fwd += pods
            fuel += stock[nd, n_m]
        else:
            dep += pods
    series[step, Y.S_STOCK_FWD] = fwd
    series[step, Y.S_STOCK_DEPOTS] = dep
    series[step, Y.S_STOCK_FUEL_FWD] = fuel
