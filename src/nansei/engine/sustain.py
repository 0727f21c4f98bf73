"""SDF sustainment in the kernel: nodes, stocks, transport trips, interdiction.

:func:`compile_sustain` turns ``sc.sustainment`` into arrays; the ``@njit``
helpers keep one replication's supply chain. Semantics (``docs/model.md``):

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

Random draws (interdiction, destruction) come from the sustainment sub-stream,
so they do not shift the combat stream.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from nansei.engine import layout as Y
from nansei.engine.heap import heap_push
from nansei.engine.legal import (
    A_COMBAT_ZONE,
    A_SUPPLY_AMMO,
    A_SUPPLY_FUEL,
    A_TRANSPORT,
    A_US_FIRES,
    A_USE_OF_FORCE,
    G_AD_SDF,
    G_PC_AT,
    G_PC_STATUS,
    G_RANDOM,
    N_ACT,
    N_SIT,
    REASON_COMBAT_ZONE,
    block_reason,
    legal_reset,
    legal_resolve,
)
from nansei.engine.rng import MASK32, next_uint64, random, seed_stream

#: Off-map mainland node coordinates (Kagoshima port area; an assumption).
KYUSHU_LATLON = (31.59, 130.56)
FUEL_T_PER_L = 0.0008  # diesel/JP-8 about 0.8 kg per litre
#: Transport kinds by mode: 0 sea, 1 air, 2 road.
MODE_OF_KIND = {
    "LCU": 0,
    "LSV": 0,
    "LST": 0,
    "PFI_ferry": 0,
    "C-130H": 1,
    "C-2": 1,
    "truck": 2,
}
# gateway column of isl_gw used by each mode (isl_gw: 0 airport, 1 port)
_GW_COL = (1, 0)

# su_f entries
U_ENABLED = 0
U_POLICY = 1  # 0 scheduled, 1 s_S
U_INTERVAL = 2
U_P_LOSS = 3
U_WINDOW = 4
U_STOCK_LOSS = 5
U_REFUEL_BELOW = 6
U_FUEL_REORDER = 7
N_SU_F = 8
# su_node columns
N_KIND = 0  # 0 depot, 1 supply point
N_ISLAND = 1  # island index, -1 off-map (Kyushu)
N_S = 2
N_BIG_S = 3
N_PORT = 4  # gateway index of the island's port, -1 none, -2 off-map (always open)
N_AIRPORT = 5
N_NODE_COLS = 6
# su_tr columns
T_MODE = 0
T_COUNT = 1
T_CAPACITY = 2
T_SPEED = 3
T_TURN = 4
N_TR_COLS = 5
# trip columns (state)
P_ACTIVE = 0  # 0 free, 1 outbound, 2 withdrawing
P_ORIGIN = 1
P_DEST = 2
P_POOL = 3
P_VEHICLE = 4
P_BACK = 5  # time the vehicle is back at the origin
N_TRIP_COLS = 6
#: Trace row code offsets are layout.EV_STOCK_*; entity = node + NODE_ITEM_BASE * item.
NODE_ITEM_BASE = 1000
C_NTRACE = 3  # the kernel's trace-row counter (kernel._C_NTRACE)
C_OVERFLOW = 4  # the kernel's overflow flag (kernel._C_OVERFLOW)


def compile_sustain(sc, islands, munitions, isl_gw, site_islands) -> dict[str, np.ndarray]:
    """Compile ``sc.sustainment`` to kernel arrays.

    Parameters
    ----------
    sc : Scenario
    islands : list of str
        Island ids in play (array order).
    munitions : list of Munition
        Munitions in preference order (array order).
    isl_gw : ndarray (I, 2) int64
        Island's airport and port gateway index, or -1.
    site_islands : list of str
        Island id of every site, decoys included (array order).

    Returns
    -------
    dict
        ``su_f`` (6,), ``su_node`` (N, 6) int64, ``su_stock0`` (N, M + 1) float64
        (pods, fuel l), ``su_km`` (N, N, 3) float64 (sea, air, road km; inf if
        impossible), ``su_tr`` (T, 5) float64, ``su_mass`` (M,) pod mass (t),
        ``su_issue`` (I,) int64 issuing node per island (-1 none),
        ``su_site_isl`` (S,) int64 island of every site (decoys included),
        ``gw_island`` (G,) int64.
    """
    from nansei.geo.distance import geodesic_km
    from nansei.geo.gazetteer import load_gazetteer
    from nansei.scenario.errors import problem_error

    su = sc.sustainment
    gaz = load_gazetteer()
    pos = {i.id: (i.lat, i.lon) for i in gaz.islands}
    pos["kyushu"] = KYUSHU_LATLON
    isl_index = {k: i for i, k in enumerate(islands)}
    mun_index = {m.id: i for i, m in enumerate(munitions)}
    n_m = len(munitions)
    nodes = [*su.depots, *su.supply_points] if su.enabled else []
    n_n = len(nodes)
    su_node = np.zeros((n_n, N_NODE_COLS), dtype=np.int64)
    stock0 = np.zeros((n_n, n_m + 1))
    for j, nd in enumerate(nodes):
        is_sp = j >= len(su.depots)
        where = ("sustainment", "supply_points" if is_sp else "depots", nd.id, "island")
        if nd.island != "kyushu" and nd.island not in pos:
            raise problem_error(".".join(where), nd.island, "unknown island")
        if is_sp and nd.island not in isl_index:
            raise problem_error(".".join(where), nd.island, "supply point on an island not in play")
        k = isl_index.get(nd.island, -1)
        su_node[j, N_KIND] = 1 if is_sp else 0
        su_node[j, N_ISLAND] = k
        su_node[j, N_S] = getattr(nd, "reorder_point", 0)
        su_node[j, N_BIG_S] = getattr(nd, "order_up_to", 0)
        su_node[j, N_PORT] = isl_gw[k, 1] if k >= 0 else -2
        su_node[j, N_AIRPORT] = isl_gw[k, 0] if k >= 0 else -2
        for mid, pods in nd.pods.items():
            if mid not in mun_index:
                raise problem_error(
                    ".".join(where[:-1]) + ".pods", mid, "unknown munition", ", ".join(mun_index)
                )
            stock0[j, mun_index[mid]] = pods
        stock0[j, n_m] = nd.fuel_l
    km = np.full((n_n, n_n, 3), np.inf)
    for a, na in enumerate(nodes):
        for b, nb in enumerate(nodes):
            same = na.island == nb.island
            d = 0.0 if same else geodesic_km(*pos[na.island], *pos[nb.island])
            if same:
                km[a, b, 2] = 0.0
            for mode in (0, 1):
                col = _GW_COL[mode]
                ok_a = su_node[a, N_ISLAND] < 0 or isl_gw[su_node[a, N_ISLAND], col] >= 0
                ok_b = su_node[b, N_ISLAND] < 0 or isl_gw[su_node[b, N_ISLAND], col] >= 0
                if ok_a and ok_b and not same:
                    km[a, b, mode] = d
    tr = np.zeros((len(su.transports), N_TR_COLS))
    for j, t in enumerate(su.transports if su.enabled else []):
        tr[j] = (MODE_OF_KIND[t.kind], t.count, t.capacity_t, t.speed_kmh, t.turnaround_h)
    tr = tr[: len(su.transports) if su.enabled else 0]
    issue = -np.ones(len(islands), dtype=np.int64)
    for kind in (1, 0):  # supply points first, then depots
        for j in range(n_n):
            k = su_node[j, N_ISLAND]
            if su_node[j, N_KIND] == kind and k >= 0 and issue[k] < 0:
                issue[k] = j
    su_f = np.zeros(N_SU_F)
    su_f[U_ENABLED] = 1.0 if su.enabled else 0.0
    su_f[U_POLICY] = 1.0 if su.policy == "s_S" else 0.0
    su_f[U_INTERVAL] = su.convoy_interval_h
    su_f[U_P_LOSS] = su.p_loss_per_leg
    su_f[U_WINDOW] = su.combat_zone_window_h
    su_f[U_STOCK_LOSS] = getattr(su, "stock_loss_per_gateway_hit", 0.0)
    su_f[U_REFUEL_BELOW] = su.refuel_below
    su_f[U_FUEL_REORDER] = su.fuel_reorder_fraction
    return {
        "su_f": su_f,
        "su_node": su_node,
        "su_stock0": stock0,
        "su_km": km,
        "su_tr": tr.reshape(-1, N_TR_COLS),
        "su_mass": np.array([m.pod_mass_t for m in munitions], dtype=np.float64),
        "su_issue": issue,
        "su_site_isl": np.array([isl_index.get(s, -1) for s in site_islands], dtype=np.int64),
    }


@njit(cache=True, inline="always")
def sustain_reset(su_stock0, su_tr, stock, on_order, veh_free, trip, isl_hit, empty_since):
    """Reset the sustainment state for a new replication."""
    stock[:, :] = su_stock0
    on_order[:, :] = 0.0
    veh_free[:, :] = np.inf
    for j in range(su_tr.shape[0]):
        for v in range(int(su_tr[j, T_COUNT])):
            veh_free[j, v] = 0.0
    trip[:, :] = 0.0
    isl_hit[:] = -np.inf
    empty_since[:] = np.inf


@njit(cache=True, inline="always")
def log_row(trace, cnt, t, code, entity, site, value):
    """Append one trace row (time, event, entity, site, value) if there is room."""
    n = cnt[C_NTRACE]
    if n < trace.shape[0]:
        trace[n, 0] = t
        trace[n, 1] = code
        trace[n, 2] = entity
        trace[n, 3] = site
        trace[n, 4] = value
        cnt[C_NTRACE] = n + 1


@njit(cache=True, _nrt=True)
def blocked(lg_perm, lg_f, recog_t, out, trace, cnt, t, a, reason, site, n):
    """Count ``n`` blocked instances of action ``a`` and log one row with its reason."""
    if reason == 0:
        reason = block_reason(lg_perm, lg_f, recog_t, a, t)
    out[Y.O_BLOCKED_FIRST + a] += n
    log_row(trace, cnt, t, Y.EV_BLOCKED, a, site, reason)


@njit(cache=True, inline="always")
def in_combat_zone(su_f, isl_hit, k, t):
    """True if island ``k`` was struck within the combat-zone window before ``t``.

    Written as ``t < hit + window`` so that an event scheduled at ``hit + window``
    (the zone clearing) sees the zone clear whatever the rounding.
    """
    return k >= 0 and t < isl_hit[k] + su_f[U_WINDOW]


@njit(cache=True, inline="always")
def _stock_log(trace, cnt, t, code, node, item, q):
    if trace.shape[0] > 0 and q != 0.0:
        log_row(trace, cnt, t, code, node + NODE_ITEM_BASE * item, -1, q)


@njit(cache=True, _nrt=True)
def issue_pod(
    su_f, su_issue, stock, empty_since, lg_perm, lg_f, recog_t, auth_t, isl_hit,
    in_range, zone_alive, mun_f, reload, out, trace, cnt, t, la, site, island,
):  # fmt: skip
    """Issue one pod to empty launcher ``la`` from its island's node into ``reload``.

    Returns the node index, or -1 when nothing was issued (no node, no suitable
    stock, or blocked by law — then counted and logged).
    """
    if island < 0:
        return -1
    nd = su_issue[island]
    if nd < 0:
        return -1
    pick = -1
    for m in range(in_range.shape[2]):
        if stock[nd, m] < 1.0:
            continue
        for z in range(in_range.shape[1]):
            if zone_alive[z] > 0 and in_range[site, z, m] == 1:
                pick = m
                break
        if pick >= 0:
            break
    if pick < 0:
        return -1
    if t < auth_t[A_SUPPLY_AMMO]:
        blocked(lg_perm, lg_f, recog_t, out, trace, cnt, t, A_SUPPLY_AMMO, 0, site, 1)
        return -1
    if in_combat_zone(su_f, isl_hit, island, t) and t < auth_t[A_COMBAT_ZONE]:
        blocked(
            lg_perm, lg_f, recog_t, out, trace, cnt, t, A_COMBAT_ZONE, REASON_COMBAT_ZONE, site, 1
        )
        return -1
    stock[nd, pick] -= 1.0
    reload[la, pick] += int(mun_f[pick, 1])
    out[Y.O_PODS_ISSUED] += 1
    _stock_log(trace, cnt, t, Y.EV_STOCK_ISSUED, nd, pick, -1.0)
    if empty_since[la] < np.inf:
        out[Y.O_STOCKOUT_H] += t - empty_since[la]
        empty_since[la] = np.inf
    return nd


@njit(cache=True, inline="always")
def _route_ok(su_node, gw_open, nd, mode):
    if mode == 2:
        return True
    g = su_node[nd, N_PORT] if mode == 0 else su_node[nd, N_AIRPORT]
    return g == -2 or (g >= 0 and gw_open[g] == 1)


@njit(cache=True, _nrt=True)
def review_node(
    su_f, su_node, su_stock0, su_km, su_tr, su_mass, stock, on_order, veh_free, trip, trip_q,
    isl_hit, want, gw_open, lg_perm, lg_f, recog_t, auth_t, out, trace, cnt,
    ht, hi, hs, t, p, fill,
):  # fmt: skip
    """Place (and dispatch) a replenishment trip to supply point ``p`` if one is due.

    ``fill`` is True for a scheduled convoy (fill to S), False for an (s, S)
    review. Returns the time at which a new review is useful (a vehicle frees up
    or a combat zone clears), or inf.
    """
    n_m = su_mass.shape[0]
    total = 0.0
    for m in range(n_m):
        pos = stock[p, m] + on_order[p, m]
        big = float(su_node[p, N_BIG_S])
        need = 0.0
        if pos < big and (fill or pos <= float(su_node[p, N_S])):
            need = big - pos
        want[m] = need
        total += need
    fuel = su_stock0[p, n_m] - stock[p, n_m] - on_order[p, n_m]
    low = su_stock0[p, n_m] - fuel <= su_f[U_FUEL_REORDER] * su_stock0[p, n_m]
    want[n_m] = fuel if fuel > 0.0 and (fill or total > 0.0 or low) else 0.0
    if total + want[n_m] <= 0.0:
        return np.inf
    if t < auth_t[A_TRANSPORT]:
        blocked(lg_perm, lg_f, recog_t, out, trace, cnt, t, A_TRANSPORT, 0, -1, 1)
        return np.inf
    if total > 0.0 and t < auth_t[A_SUPPLY_AMMO]:
        blocked(lg_perm, lg_f, recog_t, out, trace, cnt, t, A_SUPPLY_AMMO, 0, -1, 1)
        for m in range(n_m):
            want[m] = 0.0
        total = 0.0
    if want[n_m] > 0.0 and t < auth_t[A_SUPPLY_FUEL]:
        blocked(lg_perm, lg_f, recog_t, out, trace, cnt, t, A_SUPPLY_FUEL, 0, -1, 1)
        want[n_m] = 0.0
    if total + want[n_m] <= 0.0:
        return np.inf
    k = su_node[p, N_ISLAND]
    if in_combat_zone(su_f, isl_hit, k, t) and t < auth_t[A_COMBAT_ZONE]:
        blocked(
            lg_perm, lg_f, recog_t, out, trace, cnt, t, A_COMBAT_ZONE, REASON_COMBAT_ZONE, -1, 1
        )
        return isl_hit[k] + su_f[U_WINDOW]
    # source: the nearest depot holding a wanted item
    src = -1
    best_d = np.inf
    for d in range(su_node.shape[0]):
        if su_node[d, N_KIND] != 0:
            continue
        has = False
        for m in range(n_m + 1):
            if want[m] > 0.0 and stock[d, m] >= (1.0 if m < n_m else 1e-9):
                has = True
        if not has:
            continue
        dd = min(su_km[d, p, 0], min(su_km[d, p, 1], su_km[d, p, 2]))
        if dd < best_d:
            best_d = dd
            src = d
    if src < 0:
        return np.inf
    # vehicle: free now, feasible mode, earliest arrival
    pool = -1
    veh = -1
    best_arr = np.inf
    next_free = np.inf
    for j in range(su_tr.shape[0]):
        mode = int(su_tr[j, T_MODE])
        dist = su_km[src, p, mode]
        if dist == np.inf or not _route_ok(su_node, gw_open, src, mode):
            continue
        if not _route_ok(su_node, gw_open, p, mode):
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
    slot = -1
    for q in range(trip.shape[0]):
        if trip[q, P_ACTIVE] == 0.0:
            slot = q
            break
    if slot < 0:
        cnt[C_OVERFLOW] = 1
        return np.inf
    mode = int(su_tr[pool, T_MODE])
    dist = su_km[src, p, mode]
    cap = su_tr[pool, T_CAPACITY]
    for m in range(n_m + 1):
        trip_q[slot, m] = 0.0
    for m in range(n_m):
        if want[m] <= 0.0:
            continue
        n = min(want[m], math.floor(stock[src, m]))
        if su_mass[m] > 0.0:
            n = min(n, math.floor(cap / su_mass[m] + 1e-9))
        if n > 0.0:
            trip_q[slot, m] = n
            cap -= n * su_mass[m]
    if want[n_m] > 0.0:
        trip_q[slot, n_m] = min(want[n_m], stock[src, n_m], cap / FUEL_T_PER_L)
    load = 0.0
    for m in range(n_m + 1):
        load += trip_q[slot, m]
    if load <= 0.0:
        return np.inf
    for m in range(n_m + 1):
        q = trip_q[slot, m]
        if q > 0.0:
            stock[src, m] -= q
            on_order[p, m] += q
            _stock_log(trace, cnt, t, Y.EV_STOCK_SHIPPED, src, m, -q)
    back = t + 2.0 * dist / su_tr[pool, T_SPEED] + su_tr[pool, T_TURN]
    veh_free[pool, veh] = back
    trip[slot, P_ACTIVE] = 1.0
    trip[slot, P_ORIGIN] = src
    trip[slot, P_DEST] = p
    trip[slot, P_POOL] = pool
    trip[slot, P_VEHICLE] = veh
    trip[slot, P_BACK] = back
    out[Y.O_TRIPS] += 1
    _push_ev(ht, hi, hs, cnt, best_arr, Y.EV_SUPPLY_ARRIVE, slot, 0)
    return back


@njit(cache=True, inline="always")
def _push_ev(ht, hi, hs, cnt, t, code, entity, tag):
    if not heap_push(ht, hi, hs, t, code, entity, tag):
        cnt[C_OVERFLOW] = 1


@njit(cache=True, _nrt=True)
def trip_arrive(
    srng, su_f, su_node, stock, on_order, veh_free, trip, trip_q, isl_hit,
    lg_perm, lg_f, recog_t, auth_t, out, trace, cnt, ht, hi, hs, t, slot, tag,
):  # fmt: skip
    """A trip reaches its destination (``tag`` 0) or a withdrawn load is back (1).

    Returns the destination node when its stock changed (for an (s, S)
    review), else -1.
    """
    n_i = stock.shape[1]
    src = int(trip[slot, P_ORIGIN])
    p = int(trip[slot, P_DEST])
    if tag == 1:
        for m in range(n_i):
            q = trip_q[slot, m]
            if q > 0.0:
                stock[src, m] += q
                _stock_log(trace, cnt, t, Y.EV_STOCK_RETURNED, src, m, q)
        trip[slot, P_ACTIVE] = 0.0
        return -1
    for m in range(n_i):
        on_order[p, m] -= trip_q[slot, m]
    if random(srng) < su_f[U_P_LOSS]:
        veh_free[int(trip[slot, P_POOL]), int(trip[slot, P_VEHICLE])] = np.inf
        out[Y.O_DELIVERIES_LOST] += 1
        out[Y.O_TRANSPORTS_LOST] += 1
        for m in range(n_i):
            q = trip_q[slot, m]
            if q > 0.0:
                if m < n_i - 1:
                    out[Y.O_PODS_LOST] += q
                else:
                    out[Y.O_FUEL_LOST] += q
                _stock_log(trace, cnt, t, Y.EV_TRANSIT_LOST, src, m, -q)
        trip[slot, P_ACTIVE] = 0.0
        return -1
    k = su_node[p, N_ISLAND]
    if in_combat_zone(su_f, isl_hit, k, t) and t < auth_t[A_COMBAT_ZONE]:
        blocked(
            lg_perm, lg_f, recog_t, out, trace, cnt, t, A_COMBAT_ZONE, REASON_COMBAT_ZONE, -1, 1
        )
        out[Y.O_DELIVERIES_WITHDRAWN] += 1
        trip[slot, P_ACTIVE] = 2.0
        _push_ev(ht, hi, hs, cnt, max(trip[slot, P_BACK], t), Y.EV_SUPPLY_ARRIVE, slot, 1)
        return -1
    for m in range(n_i):
        q = trip_q[slot, m]
        if q > 0.0:
            stock[p, m] += q
            if m < n_i - 1:
                out[Y.O_PODS_DELIVERED] += q
            else:
                out[Y.O_FUEL_DELIVERED] += q
            _stock_log(trace, cnt, t, Y.EV_STOCK_DELIVERED, p, m, q)
    out[Y.O_DELIVERIES] += 1
    trip[slot, P_ACTIVE] = 0.0
    return p


@njit(cache=True, _nrt=True)
def strike_nodes(srng, su_f, su_node, stock, out, trace, cnt, t, island):
    """A leaking gateway strike on ``island`` destroys stock at its nodes."""
    f = su_f[U_STOCK_LOSS]
    if f <= 0.0:
        return
    n_m = stock.shape[1] - 1
    for nd in range(su_node.shape[0]):
        if su_node[nd, N_ISLAND] != island:
            continue
        for m in range(n_m):
            lost = 0.0
            for _ in range(int(stock[nd, m])):
                if random(srng) < f:
                    lost += 1.0
            if lost > 0.0:
                stock[nd, m] -= lost
                out[Y.O_PODS_DESTROYED] += lost
                _stock_log(trace, cnt, t, Y.EV_STOCK_DESTROYED, nd, m, -lost)
        fl = stock[nd, n_m] * f
        if fl > 0.0:
            stock[nd, n_m] -= fl
            out[Y.O_FUEL_DESTROYED] += fl
            _stock_log(trace, cnt, t, Y.EV_STOCK_DESTROYED, nd, n_m, -fl)


@njit(cache=True, inline="always")
def fires_permitted(lg_perm, lg_f, recog_t, auth_t, out, trace, cnt, t, site):
    """``us_fires_from_japan`` at ``t``; a refusal is counted and logged."""
    if t >= auth_t[A_US_FIRES]:
        return True
    blocked(lg_perm, lg_f, recog_t, out, trace, cnt, t, A_US_FIRES, 0, site, 1)
    return False


# ---------------------------------------------------------------------------
# Kernel-facing wrappers. ``cx`` is the tuple of compiled arrays
# (:data:`LS_ARGS` order) and ``sx`` the per-replication state from
# :func:`new_ls_workspace`.
#: Compiled arrays of the legal and sustainment model, in kernel-argument order.
LS_ARGS = (
    "lg_perm",
    "lg_rec",
    "lg_f",
    "su_f",
    "su_node",
    "su_stock0",
    "su_km",
    "su_tr",
    "su_mass",
    "su_issue",
    "su_site_isl",
    "gw_island",
)


@njit(cache=True, _nrt=True)
def new_ls_workspace(lg_rec, su_node, su_stock0, su_tr, n_islands, n_launchers):
    """Allocate the legal and sustainment state of a replication (reset by :func:`ls_start`).

    Returns
    -------
    tuple
        ``lrng, srng`` (4,) uint64 sub-streams, ``ent`` (2,) uint64; legal
        ``rec_t, rec_delay`` (R,), ``recog_t`` (N_SIT,), ``auth_t`` (N_ACT,),
        ``trig_t`` (2,); sustainment ``stock, on_order`` (N, M+1), ``veh_free``
        (T, V), ``trip`` (K, 6), ``trip_q`` (K, M+1), ``isl_hit`` (I,),
        ``empty_since`` (L,), ``want`` (M+1,), ``rev_t`` (N,) last review pushed;
        launcher fuel ``fuel`` (L,) litres, ``fuel_t`` (L,) time idle burn is
        accounted to (the arrival time while moving), ``dry`` (L,) time the tank
        ran empty (inf if not), ``strand`` (L,) int64 0 none, 1 could not fire,
        2 could not move for lack of fuel, negated once refuelled.
    """
    n_v = 1
    total = 0
    for j in range(su_tr.shape[0]):
        n_v = max(n_v, int(su_tr[j, T_COUNT]))
        total += int(su_tr[j, T_COUNT])
    n_r = lg_rec.shape[0]
    n_i = su_stock0.shape[1]
    return (
        np.zeros(4, dtype=np.uint64),
        np.zeros(4, dtype=np.uint64),
        np.zeros(2, dtype=np.uint64),
        np.full(n_r, np.inf),
        np.zeros(n_r),
        np.full(N_SIT, np.inf),
        np.full(N_ACT, np.inf),
        np.full(2, np.inf),
        su_stock0.copy(),
        np.zeros_like(su_stock0),
        np.zeros((su_tr.shape[0], n_v)),
        np.zeros((total + 1, N_TRIP_COLS)),
        np.zeros((total + 1, n_i)),
        np.full(n_islands, -np.inf),
        np.full(n_launchers, np.inf),
        np.zeros(n_i),
        np.full(su_node.shape[0], -1.0),
        np.zeros(n_launchers),
        np.zeros(n_launchers),
        np.full(n_launchers, np.inf),
        np.zeros(n_launchers, dtype=np.int64),
    )


@njit(cache=True, inline="always")
def _legal_events(lg_rec, rec_t, ht, hi, hs, cnt, new, after):
    """Push an ``EV_LEGAL`` event for each newly known recognition later than ``after``.

    Recognitions at the start (t <= 0) need no event: every gate compares with
    ``auth_t`` directly, and without one a scenario's event count is unchanged.
    """
    for r in range(min(lg_rec.shape[0], 62)):
        if (new >> r) & 1 and rec_t[r] > after:
            _push_ev(ht, hi, hs, cnt, rec_t[r], Y.EV_LEGAL, r, 0)


@njit(cache=True, _nrt=True)
def ls_start(rng, cx, sx, out, ht, hi, hs, cnt, horizon):
    """Reset the state, draw the recognition delays, schedule legal and supply events."""
    lg_perm, lg_rec, lg_f, su_f, su_stock0, su_tr = cx[0], cx[1], cx[2], cx[3], cx[5], cx[7]
    lrng, srng, ent, rec_t, rec_delay, recog_t, auth_t, trig_t = sx[:8]
    stock, on_order, veh_free, trip, isl_hit, empty_since, rev_t = (
        sx[8],
        sx[9],
        sx[10],
        sx[11],
        sx[13],
        sx[14],
        sx[16],
    )
    if lg_f[G_RANDOM] == 1.0 or su_f[U_ENABLED] == 1.0:
        # sub-streams keyed by one draw of the replication's stream: identical
        # across authority sets run with the same seed (common random numbers)
        w = next_uint64(rng)
        ent[0] = w & MASK32
        ent[1] = w >> np.uint64(32)
        seed_stream(lrng, ent, 0, 0, 2)
        seed_stream(srng, ent, 0, 0, 3)
    legal_reset(lrng, lg_rec, rec_t, rec_delay, trig_t)
    new = legal_resolve(lg_perm, lg_rec, lg_f, rec_t, rec_delay, recog_t, auth_t, trig_t)
    _legal_events(lg_rec, rec_t, ht, hi, hs, cnt, new, 0.0)
    if lg_f[G_PC_STATUS] == 0.0 and 0.0 < lg_f[G_PC_AT] <= horizon:
        _push_ev(ht, hi, hs, cnt, lg_f[G_PC_AT], Y.EV_LEGAL, lg_rec.shape[0], 0)
    sustain_reset(su_stock0, su_tr, stock, on_order, veh_free, trip, isl_hit, empty_since)
    rev_t[:] = -1.0
    if su_f[U_ENABLED] == 1.0:
        pods = 0.0
        for nd in range(stock.shape[0]):
            for m in range(stock.shape[1] - 1):
                pods += stock[nd, m]
        out[Y.O_PODS_START] = pods
        fuel = 0.0
        for nd in range(stock.shape[0]):
            fuel += stock[nd, stock.shape[1] - 1]
        out[Y.O_FUEL_NODES_START] = fuel
        if su_f[U_POLICY] == 0.0:
            _push_ev(ht, hi, hs, cnt, 0.0, Y.EV_CONVOY, 0, 0)
        else:
            _push_ev(ht, hi, hs, cnt, 0.0, Y.EV_SUPPLY_REVIEW, -1, 0)


@njit(cache=True, _nrt=True)
def ls_trigger(cx, sx, ht, hi, hs, cnt, t, which):
    """A trigger event (``legal.T_*``) happened at ``t``; resolve recognitions."""
    lg_perm, lg_rec, lg_f = cx[0], cx[1], cx[2]
    rec_t, rec_delay, recog_t, auth_t, trig_t = sx[3], sx[4], sx[5], sx[6], sx[7]
    if trig_t[which] < np.inf:
        return
    trig_t[which] = t
    new = legal_resolve(lg_perm, lg_rec, lg_f, rec_t, rec_delay, recog_t, auth_t, trig_t)
    _legal_events(lg_rec, rec_t, ht, hi, hs, cnt, new, -np.inf)


@njit(cache=True, _nrt=True)
def ls_review(cx, sx, gw_open, out, trace, cnt, ht, hi, hs, t, fill, only):
    """Review every supply point (or only node ``only`` >= 0) and dispatch trips."""
    lg_perm, lg_f, su_f, su_node, su_stock0, su_km, su_tr, su_mass = (
        cx[0],
        cx[2],
        cx[3],
        cx[4],
        cx[5],
        cx[6],
        cx[7],
        cx[8],
    )
    recog_t, auth_t, stock, on_order, veh_free, trip, trip_q, isl_hit, want, rev_t = (
        sx[5],
        sx[6],
        sx[8],
        sx[9],
        sx[10],
        sx[11],
        sx[12],
        sx[13],
        sx[15],
        sx[16],
    )
    if su_f[U_ENABLED] == 0.0 or (not fill and su_f[U_POLICY] == 0.0):
        return
    for p in range(su_node.shape[0]):
        if su_node[p, N_KIND] != 1 or (only >= 0 and p != only):
            continue
        again = review_node(
            su_f, su_node, su_stock0, su_km, su_tr, su_mass, stock, on_order, veh_free, trip,
            trip_q, isl_hit, want, gw_open, lg_perm, lg_f, recog_t, auth_t, out, trace, cnt,
            ht, hi, hs, t, p, fill,
        )  # fmt: skip
        if not fill and again < np.inf and again != rev_t[p]:
            rev_t[p] = again
            _push_ev(ht, hi, hs, cnt, max(again, t), Y.EV_SUPPLY_REVIEW, p, 0)


@njit(cache=True, _nrt=True)
def ls_issue(cx, sx, in_range, zone_alive, mun_f, reload, out, trace, cnt, t, la, site):
    """Issue a pod from the island's node to empty launcher ``la``; return the node or -1."""
    lg_perm, lg_f, su_f, su_issue, su_site_isl = cx[0], cx[2], cx[3], cx[9], cx[10]
    recog_t, auth_t, stock, isl_hit, empty_since = sx[5], sx[6], sx[8], sx[13], sx[14]
    if su_f[U_ENABLED] == 0.0:
        return -1
    return issue_pod(
        su_f, su_issue, stock, empty_since, lg_perm, lg_f, recog_t, auth_t, isl_hit,
        in_range, zone_alive, mun_f, reload, out, trace, cnt, t, la, site, su_site_isl[site],
    )  # fmt: skip


@njit(cache=True, _nrt=True)
def ls_fires_ok(cx, sx, out, trace, cnt, t, site):
    """``us_fires_from_japan`` permitted at ``t`` (a refusal is counted and logged)."""
    return fires_permitted(cx[0], cx[2], sx[5], sx[6], out, trace, cnt, t, site)


@njit(cache=True, _nrt=True)
def ls_p_intercept(cx, sx, p, out, trace, cnt, t, n, site):
    """Intercept probability at ``t``: 0 while SDF air defence lacks ``sdf_use_of_force``."""
    lg_f = cx[2]
    if p > 0.0 and lg_f[G_AD_SDF] == 1.0 and t < sx[6][A_USE_OF_FORCE]:
        blocked(cx[0], lg_f, sx[5], out, trace, cnt, t, A_USE_OF_FORCE, 0, site, n)
        return 0.0
    return p


@njit(cache=True, _nrt=True)
def ls_struck(cx, sx, out, trace, cnt, ht, hi, hs, t, island, node_hit):
    """A Red strike arrived on ``island`` at ``t``: trigger, combat zone, node losses."""
    su_f, su_node = cx[3], cx[4]
    srng, stock, isl_hit, rev_t = sx[1], sx[8], sx[13], sx[16]
    ls_trigger(cx, sx, ht, hi, hs, cnt, t, 0)
    if island < 0 or su_f[U_ENABLED] == 0.0:
        return
    isl_hit[island] = t
    if node_hit:
        strike_nodes(srng, su_f, su_node, stock, out, trace, cnt, t, island)
    if su_f[U_POLICY] == 1.0 and su_f[U_WINDOW] > 0.0:
        for p in range(su_node.shape[0]):
            if su_node[p, N_KIND] == 1 and su_node[p, N_ISLAND] == island:
                rev_t[p] = t + su_f[U_WINDOW]
                _push_ev(ht, hi, hs, cnt, rev_t[p], Y.EV_SUPPLY_REVIEW, p, 0)


@njit(cache=True, _nrt=True)
def ls_salvo(cx, sx, rounds, reload, ht, hi, hs, cnt, t, la):
    """After a salvo: the first-salvo trigger and the start of a stock-out."""
    if sx[7][1] == np.inf:
        ls_trigger(cx, sx, ht, hi, hs, cnt, t, 1)
    left = 0
    for m in range(rounds.shape[1]):
        left += rounds[la, m] + reload[la, m]
    if left <= 0 and cx[3][U_ENABLED] == 1.0:
        sx[14][la] = t


@njit(cache=True, _nrt=True)
def ls_arrive(cx, sx, gw_open, out, trace, cnt, ht, hi, hs, t, slot, tag):
    """A trip event (arrival or withdrawn load back); reviews the destination.

    Returns the node whose stock rose, or -1.
    """
    su_f, su_node = cx[3], cx[4]
    srng, recog_t, auth_t, stock, on_order, veh_free, trip, trip_q, isl_hit = (
        sx[1],
        sx[5],
        sx[6],
        sx[8],
        sx[9],
        sx[10],
        sx[11],
        sx[12],
        sx[13],
    )
    p = trip_arrive(
        srng, su_f, su_node, stock, on_order, veh_free, trip, trip_q, isl_hit,
        cx[0], cx[2], recog_t, auth_t, out, trace, cnt, ht, hi, hs, t, slot, tag,
    )  # fmt: skip
    if p >= 0:
        ls_review(cx, sx, gw_open, out, trace, cnt, ht, hi, hs, t, False, p)
    return p


@njit(cache=True, _nrt=True)
def ls_lost(sx, lp, out, t, la):
    """A launcher is destroyed: close its stock-out and dry times; its fuel is lost."""
    es = sx[14]
    if la < es.shape[0] and es[la] < np.inf:
        out[Y.O_STOCKOUT_H] += t - es[la]
        es[la] = np.inf
    fuel_sync(sx, lp, out, t, la)
    fuel, dry = sx[17], sx[19]
    out[Y.O_FUEL_L_LOST] += fuel[la]
    fuel[la] = 0.0
    if dry[la] < np.inf:
        out[Y.O_FUEL_DRY_H] += max(t - dry[la], 0.0)
        dry[la] = np.inf
    sx[20][la] = 0


@njit(cache=True, _nrt=True)
def ls_close(cx, sx, out, trace, cnt, horizon):
    """Close the books at the horizon: stock-outs, stocks, recognition times."""
    su_f = cx[3]
    recog_t, auth_t, stock, trip, trip_q, empty_since = sx[5], sx[6], sx[8], sx[11], sx[12], sx[14]
    for la in range(empty_since.shape[0]):
        if empty_since[la] < np.inf:
            out[Y.O_STOCKOUT_H] += horizon - empty_since[la]
    n_m = stock.shape[1] - 1
    if su_f[U_ENABLED] == 1.0:
        pods = 0.0
        for nd in range(stock.shape[0]):
            for m in range(n_m + 1):
                if m < n_m:
                    pods += stock[nd, m]
                if trace.shape[0] > 0:
                    log_row(
                        trace,
                        cnt,
                        horizon,
                        Y.EV_STOCK_END,
                        nd + NODE_ITEM_BASE * m,
                        -1,
                        stock[nd, m],
                    )
        out[Y.O_PODS_END] = pods
        fuel = 0.0
        for nd in range(stock.shape[0]):
            fuel += stock[nd, n_m]
        out[Y.O_FUEL_NODES_END] = fuel
        transit = 0.0
        fuel = 0.0
        for q in range(trip.shape[0]):
            if trip[q, P_ACTIVE] != 0.0:
                for m in range(n_m):
                    transit += trip_q[q, m]
                fuel += trip_q[q, n_m]
        out[Y.O_PODS_TRANSIT_END] = transit
        out[Y.O_FUEL_TRANSIT_END] = fuel
    for s in range(1, recog_t.shape[0]):
        out[Y.O_T_SIT_FIRST + s - 1] = recog_t[s] if recog_t[s] <= horizon else np.nan
    ta = auth_t[A_US_FIRES]
    out[Y.O_T_US_FIRES] = ta if ta <= horizon else np.nan


@njit(cache=True, _nrt=True)
def ls_series(cx, sx, series, step):
    """Stock levels at the end of a series step."""
    su_node = cx[4]
    stock = sx[8]
    n_m = stock.shape[1] - 1
    fwd = 0.0
    dep = 0.0
    fuel = 0.0
    for nd in range(stock.shape[0]):
        pods = 0.0
        for m in range(n_m):
            pods += stock[nd, m]
        if su_node[nd, N_KIND] == 1:
            fwd += pods
            fuel += stock[nd, n_m]
        else:
            dep += pods
    series[step, Y.S_STOCK_FWD] = fwd
    series[step, Y.S_STOCK_DEPOTS] = dep
    series[step, Y.S_STOCK_FUEL_FWD] = fuel


# ---------------------------------------------------------------------------
# Launcher fuel (sustainment enabled only). A launcher burns
# ``lp[la, L_FUEL_IDLE]`` litres an hour whenever it is not moving and
# ``lp[la, L_FUEL_KM]`` a km driven, charged when the move starts. Idle burn is
# accounted lazily, up to ``fuel_t`` (set to the arrival time while moving).
# Fuel comes from the island's issuing node (travel on the island neglected,
# as for pods) and is SDF supply of fuel: it needs ``sdf_supply_fuel`` and, in
# a combat zone, ``sdf_logistics_in_combat_zone``.


@njit(cache=True, _nrt=True)
def ls_fuel_start(sx, lp, out):
    """Fill every tank at t = 0."""
    fuel, fuel_t, dry, strand = sx[17], sx[18], sx[19], sx[20]
    total = 0.0
    for la in range(lp.shape[0]):
        fuel[la] = lp[la, Y.L_FUEL_CAP]
        total += fuel[la]
    fuel_t[:] = 0.0
    dry[:] = np.inf
    strand[:] = 0
    out[Y.O_FUEL_L_START] = total


@njit(cache=True, _nrt=True)
def fuel_sync(sx, lp, out, t, la):
    """Charge launcher ``la``'s idle burn up to ``t``; record when the tank ran dry."""
    fuel, fuel_t, dry = sx[17], sx[18], sx[19]
    t0 = fuel_t[la]
    if t <= t0:
        return
    rate = lp[la, Y.L_FUEL_IDLE]
    burn = rate * (t - t0)
    t_dry = t0
    if burn >= fuel[la]:
        if rate > 0.0:
            t_dry = t0 + fuel[la] / rate
        burn = fuel[la]
    out[Y.O_FUEL_BURNED] += burn
    fuel[la] -= burn
    fuel_t[la] = t
    if fuel[la] <= 0.0 and dry[la] == np.inf:
        dry[la] = t_dry


@njit(cache=True, _nrt=True)
def ls_refuel(cx, sx, lp, out, trace, cnt, ht, hi, hs, t, la, site, force):
    """Top up launcher ``la`` at ``site`` from its island's node; return the litres issued.

    Without ``force`` only below ``refuel_below`` of capacity. A refusal by law
    is counted and logged; in a combat zone a retry (a supply review of the
    node) is scheduled for when the zone clears.
    """
    lg_perm, lg_f, su_f, su_issue, su_site_isl = cx[0], cx[2], cx[3], cx[9], cx[10]
    recog_t, auth_t, stock, isl_hit, fuel, dry = sx[5], sx[6], sx[8], sx[13], sx[17], sx[19]
    fuel_sync(sx, lp, out, t, la)
    cap = lp[la, Y.L_FUEL_CAP]
    if fuel[la] >= cap or (not force and fuel[la] >= su_f[U_REFUEL_BELOW] * cap):
        return 0.0
    island = su_site_isl[site]
    if island < 0 or su_issue[island] < 0:
        return 0.0
    nd = su_issue[island]
    n_m = stock.shape[1] - 1
    q = min(cap - fuel[la], stock[nd, n_m])
    if q <= 0.0:
        return 0.0
    if t < auth_t[A_SUPPLY_FUEL]:
        blocked(lg_perm, lg_f, recog_t, out, trace, cnt, t, A_SUPPLY_FUEL, 0, site, 1)
        return 0.0
    if in_combat_zone(su_f, isl_hit, island, t) and t < auth_t[A_COMBAT_ZONE]:
        blocked(
            lg_perm, lg_f, recog_t, out, trace, cnt, t, A_COMBAT_ZONE, REASON_COMBAT_ZONE, site, 1
        )
        if force and isl_hit[island] + su_f[U_WINDOW] > t:
            _push_ev(ht, hi, hs, cnt, isl_hit[island] + su_f[U_WINDOW], Y.EV_SUPPLY_REVIEW, nd, 0)
        return 0.0
    stock[nd, n_m] -= q
    fuel[la] += q
    out[Y.O_FUEL_ISSUED] += q
    _stock_log(trace, cnt, t, Y.EV_STOCK_ISSUED, nd, n_m, -q)
    if dry[la] < np.inf:
        out[Y.O_FUEL_DRY_H] += max(t - dry[la], 0.0)
        dry[la] = np.inf
    strand = sx[20]
    if strand[la] > 0:
        strand[la] = -strand[la]  # fuelled: the kernel lets it go on
    _push_ev(ht, hi, hs, cnt, t, Y.EV_SUPPLY_REVIEW, nd, 0)
    return q


@njit(cache=True, _nrt=True)
def ls_fuel_ok(cx, sx, lp, out, trace, cnt, ht, hi, hs, t, la, site, need):
    """True if launcher ``la`` holds ``need`` litres (more than 0 when ``need`` is 0),
    refuelling first if it does not."""
    fuel = sx[17]
    fuel_sync(sx, lp, out, t, la)
    if fuel[la] >= need and fuel[la] > 0.0:
        return True
    ls_refuel(cx, sx, lp, out, trace, cnt, ht, hi, hs, t, la, site, True)
    return fuel[la] >= need and fuel[la] > 0.0


@njit(cache=True, _nrt=True)
def ls_fuel_move(sx, lp, out, la, km, t_arr):
    """Charge a move of ``km`` that ends at ``t_arr``."""
    fuel, fuel_t, dry = sx[17], sx[18], sx[19]
    burn = min(lp[la, Y.L_FUEL_KM] * km, fuel[la])
    fuel[la] -= burn
    out[Y.O_FUEL_BURNED] += burn
    fuel_t[la] = t_arr
    if fuel[la] <= 0.0 and dry[la] == np.inf:
        dry[la] = t_arr


@njit(cache=True, _nrt=True)
def ls_any_stranded(sx):
    """True if some launcher waits for fuel."""
    strand = sx[20]
    for la in range(strand.shape[0]):
        if strand[la] != 0:
            return True
    return False


@njit(cache=True, _nrt=True)
def ls_fuel_close(sx, lp, out, horizon, la):
    """Close a surviving launcher's fuel books at the horizon."""
    fuel_sync(sx, lp, out, horizon, la)
    fuel, dry = sx[17], sx[19]
    out[Y.O_FUEL_L_END] += fuel[la]
    if dry[la] < np.inf:
        out[Y.O_FUEL_DRY_H] += max(horizon - dry[la], 0.0)
        dry[la] = np.inf
