"""SDF sustainment in the kernel: nodes, stocks, transport trips, interdiction.

:mod:`nansei.engine.compile_sustain` turns ``sc.sustainment`` into the
``su_*`` arrays of the :class:`~nansei.engine.state.Model`; the functions here
keep one replication's supply chain in :class:`~nansei.engine.state.SupplyState`
(replenishment trips: :mod:`nansei.engine.trips`). Semantics (``docs/model.md``):

* **Nodes** are depots and forward supply points (SPs), each holding pods per
  munition and fuel (litres): ``stock`` (N, M + 1), the last column fuel.
* **Issue.** An empty launcher (no rounds, no reload pods that reach a target) on an island draws
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

import numpy as np

from nansei.engine import layout as Y
from nansei.engine.books import push, stock_row, trace_row
from nansei.engine.gating import blocked, combat_zone_blocks, trigger
from nansei.engine.jit import kernel
from nansei.engine.layout import (
    N_ISLAND,
    N_KIND,
    P_ACTIVE,
    T_COUNT,
    U_ENABLED,
    U_POLICY,
    U_STOCK_LOSS,
    U_WINDOW,
)
from nansei.engine.legal import (
    A_COMBAT_ZONE,
    A_SUPPLY_AMMO,
    REASON_COMBAT_ZONE,
    T_BLUE_SALVO,
    T_RED_STRIKE,
)
from nansei.engine.rng import random
from nansei.engine.state import AT_FP, SITE


@kernel(inline=False)
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


@kernel(inline=False)
def issue_pod(m, s, t, la, site, want=-1):
    """Issue one pod to launcher ``la`` at ``site`` from its island's node: munition
    ``want`` if given (the engagement found a target it reaches), else the first munition
    in order with stock that reaches a live zone from ``site``, or, for a launcher at a
    hide in firing-point mode, the first with stock (it fires from a firing point, which
    may reach what the hide does not).

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
    at_hide = m.ip[Y.I_FIRE_FROM] == 1 and s.L.i[la, AT_FP] == 0
    pick = -1
    for k in range(in_range.shape[2]):
        if stock[nd, k] < 1.0 or (want >= 0 and k != want):
            continue
        if at_hide or want >= 0:  # asked for, or for a firing point out of the hide's reach
            pick = k
            break
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
    out = s.b.out
    stock[nd, pick] -= 1.0
    s.L.reload[la, pick] += int(m.mun_f[pick, 1])
    out[Y.O_PODS_ISSUED] += 1
    stock_row(s.b, t, Y.EV_STOCK_ISSUED, nd, pick, -1.0)
    stock_check(m, s, t, la)
    return nd


@kernel(inline=False)
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


@kernel(inline=False)
def struck(m, s, t, island, node_hit):
    """A Red strike arrived on ``island`` at ``t``: trigger, combat zone, node losses."""
    trigger(m, s, t, T_RED_STRIKE)
    island_hit(m, s, t, island, node_hit)


@kernel(inline=False)
def island_hit(m, s, t, island, node_hit):
    """A strike on ``island`` at ``t`` (Red's or scripted): combat zone, node losses."""
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


@kernel
def after_salvo(m, s, t, la):
    """After a salvo: the first-salvo trigger."""
    if s.lg.trig_t[T_BLUE_SALVO] == np.inf:
        trigger(m, s, t, T_BLUE_SALVO)


@kernel
def holds_usable(m, s, la):
    """True if launcher ``la`` holds a round or pod (loaded or for reloading) of a munition
    that reaches some sea zone from its site (the site it is at or moving to). In
    firing-point mode any round or pod counts: it fires from firing points, which may
    reach what its hide does not."""
    rounds, reload, in_range = s.L.rounds, s.L.reload, m.in_range
    site = s.L.i[la, SITE]
    fp_mode = m.ip[Y.I_FIRE_FROM] == 1
    for k in range(rounds.shape[1]):
        if rounds[la, k] + reload[la, k] <= 0:
            continue
        if fp_mode:
            return True
        for z in range(in_range.shape[1]):
            if in_range[site, z, k] == 1:
                return True
    return False


@kernel
def stock_check(m, s, t, la):
    """Open or close launcher ``la``'s stock-out (``launcher_stockout_h``) at ``t``: called
    whenever its rounds, pods or site change."""
    es, out = s.su.empty_since, s.b.out
    if holds_usable(m, s, la):
        if es[la] < np.inf:
            out[Y.O_STOCKOUT_H] += t - es[la]
            es[la] = np.inf
    elif es[la] == np.inf:
        es[la] = t


@kernel
def stockout_lost(s, t, la):
    """A launcher is destroyed or leaves the theatre: close its stock-out time."""
    es, out = s.su.empty_since, s.b.out
    if la < es.shape[0] and es[la] < np.inf:
        out[Y.O_STOCKOUT_H] += t - es[la]
        es[la] = np.inf


@kernel(inline=False)
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


@kernel(inline=False)
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
