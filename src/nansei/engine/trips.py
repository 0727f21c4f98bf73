"""SDF replenishment trips: (s, S) reviews and convoys, loading, delivery, interdiction.

Part of the supply chain of :mod:`nansei.engine.supply` (stocks, issue, node strikes).

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
"""

from __future__ import annotations

import math

import numpy as np

from nansei.engine import layout as Y
from nansei.engine.books import push, stock_row
from nansei.engine.gating import blocked, combat_zone_blocks
from nansei.engine.jit import kernel
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
    U_WINDOW,
)
from nansei.engine.legal import (
    A_COMBAT_ZONE,
    A_SUPPLY_AMMO,
    A_SUPPLY_FUEL,
    A_TRANSPORT,
    REASON_COMBAT_ZONE,
)
from nansei.engine.rng import random
from nansei.engine.state import C_OVERFLOW


@kernel
def _route_ok(m, w, nd, mode):
    """Node ``nd``'s gateway of ``mode`` is usable: open after Red's strikes and not held
    closed by a scripted event (road: always)."""
    if mode == 2:
        return True
    g = m.su_node[nd, N_PORT] if mode == 0 else m.su_node[nd, N_AIRPORT]
    return g == -2 or (g >= 0 and w.gw_open[g] == 1 and w.gw_held[g] == 0)


@kernel
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


@kernel
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


@kernel
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


@kernel(inline=False)
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
    veh_free = su.veh_free
    pool = -1
    veh = -1
    best_arr = np.inf
    next_free = np.inf
    for j in range(su_tr.shape[0]):
        mode = int(su_tr[j, T_MODE])
        dist = su_km[src, p, mode]
        if dist == np.inf or not _route_ok(m, s.w, src, mode):
            continue
        if not _route_ok(m, s.w, p, mode):
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


@kernel(inline=False)
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


@kernel(inline=False)
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


@kernel(inline=False)
def on_supply_arrive(m, s, t, slot, tag):
    """``EV_SUPPLY_ARRIVE``: a trip event; reviews the destination.

    Returns the node whose stock rose, or -1.
    """
    p = trip_arrive(m, s, t, slot, tag)
    if p >= 0:
        review(m, s, t, False, p)
    return p
