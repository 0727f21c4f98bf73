"""One hour of the evacuation sub-model (:func:`nansei.engine.evacuation.run_evacuation`).

The steps of an hour, in order: the sums of the people on each island at the start of the
hour (:func:`open_sums`); then, from the order, each gateway's capacity after weather,
closures and suspensions (:func:`open_gateways`), and for each gateway pool the people who
leave (:func:`pool_amount`), shared out by priority (``split_outflow``), counted against
the gateways (:func:`gateway_series`) and moved to a staging island or out of the region
to host prefectures (:func:`move_takes`, :func:`leave_region`); staged people land at the
end of the hour and the hour closes with its sums and completion hours
(:func:`close_hour`). :func:`depart` runs the departures of one hour.

Every function is compiled into its caller (``alwaysinline``), without reference counting
(it allocates nothing; with it, each call would incref and decref every array of the
bundles), and takes the named bundles ``ev`` (:class:`nansei.engine.state.Evac`) and ``w``
(:class:`nansei.engine.evac_layout.EvacWork`).
"""

from __future__ import annotations

import numpy as np

from nansei.engine import evac_layout as Y
from nansei.engine.evac_flows import _land, _tally, host_assign, split_outflow
from nansei.engine.evac_layout import ACC_OFF, ACC_UNHOSTED
from nansei.engine.jit import kernel

__all__ = [
    "close_hour",
    "depart",
    "gateway_series",
    "leave_region",
    "move_takes",
    "open_gateways",
    "open_sums",
    "pool_amount",
]


@kernel
def open_sums(w, h, changed):
    """Sums of the stock at the start of hour ``h`` into ``pres[h]`` and ``rem_o[h]``.

    Parameters
    ----------
    w : EvacWork
    h : int
        The hour.
    changed : bool
        The stock moved in hour ``h - 1``; if not, the rows of ``h - 1`` are copied.
    """
    if changed or h == 0:
        _tally(w.stock, w.pres[h], w.rem_o[h])
    else:
        for e in range(w.pres.shape[1]):
            w.pres[h, e] = w.pres[h - 1, e]
            w.rem_o[h, e] = w.rem_o[h - 1, e]


@kernel
def open_gateways(ev, w, h, hod, air_x, sea_x):
    """Each gateway's departures this hour, people: 0 if cancelled by weather or blocked.

    Parameters
    ----------
    ev : Evac
        ``gw_cap_h`` (n_g, 24) people per hour of the day, ``gw_int`` mode.
    w : EvacWork
        ``capg`` (n_g,) is written; ``blocked`` (n_g, n_h) is read.
    h, hod : int
        Hour of the run and hour of the day.
    air_x, sea_x : bool
        The day's weather cancels air departures, sailings.
    """
    for g in range(ev.gw_int.shape[0]):
        cap = ev.gw_cap_h[g, hod]
        if cap > 0.0:
            if ev.gw_int[g, Y.G_MODE] == Y.MODE_AIR and air_x:
                cap = 0.0
            elif ev.gw_int[g, Y.G_MODE] == Y.MODE_SEA and sea_x:
                cap = 0.0
            elif w.blocked[g, h] == 1:
                cap = 0.0
        w.capg[g] = cap


@kernel
def pool_amount(ev, w, q, h):
    """People who leave gateway pool ``q`` in hour ``h``: its open capacity or its waiting.

    Parameters
    ----------
    ev : Evac
        ``ev_int`` pools of the islands, ``gw_int`` islands of the gateways.
    w : EvacWork
        ``capg`` (n_g,) this hour's capacity; ``pres[h]`` (n_ev,) people on each island.
    q : int
        Pool index.
    h : int
        The hour.

    Returns
    -------
    float
        People (an integer value, ≥ 0).
    """
    c_tot = 0.0
    for g in range(ev.gw_int.shape[0]):
        if ev.ev_int[ev.gw_int[g, Y.G_ISLAND], Y.E_POOL] == q:
            c_tot += w.capg[g]
    if c_tot <= 0.0:
        return 0.0
    waiting = 0.0
    for a in range(ev.ev_int.shape[0]):
        if ev.ev_int[a, Y.E_POOL] == q:
            waiting += w.pres[h, a]  # the pool's stock is untouched until now
    return c_tot if c_tot < waiting else waiting


@kernel
def gateway_series(ev, w, series_ev, q, d, amount):
    """Count ``amount`` people leaving pool ``q`` against its gateways, in gateway order.

    Parameters
    ----------
    ev : Evac
    w : EvacWork
        ``capg`` (n_g,) this hour's capacity of each gateway, people.
    series_ev : ndarray (n_days, 2 * n_ev + n_pref + n_g)
        The gateway columns of day ``d`` are increased.
    q, d : int
        Pool and day.
    amount : float
        People leaving the pool this hour.
    """
    c_gw = 2 * ev.ev_pop.shape[0] + ev.pref_quota.shape[0]
    rest = amount
    for g in range(ev.gw_int.shape[0]):
        if ev.ev_int[ev.gw_int[g, Y.G_ISLAND], Y.E_POOL] == q and rest > 0.0:
            x = w.capg[g] if w.capg[g] < rest else rest
            series_ev[d, c_gw + g] += x
            rest -= x


@kernel
def leave_region(ev, w, series_ev, o, x, d):
    """``x`` people of origin ``o`` leave the region and go to host prefectures.

    Parameters
    ----------
    ev : Evac
        ``pref_rank`` (n_ev, n_pref) pairing ranks.
    w : EvacWork
        ``evacuated``, ``quota_left``, ``hosted`` and the totals ``acc`` are updated.
    series_ev : ndarray (n_days, 2 * n_ev + n_pref + n_g)
        Evacuees of ``o`` and the hosted columns of day ``d`` are increased.
    o, d : int
        Island of origin and day.
    x : float
        People.
    """
    n_ev = ev.ev_pop.shape[0]
    n_pref = ev.pref_quota.shape[0]
    c_pref = 2 * n_ev
    w.evacuated[o] += x
    series_ev[d, o] += x
    for p in range(n_pref):
        w.hosted_before[p] = w.hosted[p]
    off, unh = host_assign(o, x, ev.pref_rank, w.quota_left, w.hosted)
    w.acc[ACC_OFF] += off
    w.acc[ACC_UNHOSTED] += unh
    for p in range(n_pref):
        series_ev[d, c_pref + p] += w.hosted[p] - w.hosted_before[p]


@kernel
def move_takes(ev, w, series_ev, q, d):
    """Move the people taken from pool ``q``'s islands: to staging, or out of the region.

    Parameters
    ----------
    ev : Evac
        ``ev_int`` pools and staging islands.
    w : EvacWork
        ``take`` (n_ev, n_ev, 2) the people leaving, taken out of ``stock``; staged people
        go to ``inflow`` (they land at the end of the hour).
    series_ev : ndarray (n_days, 2 * n_ev + n_pref + n_g)
    q, d : int
        Pool and day.

    Returns
    -------
    moved : bool
        Anyone left an island.
    staged : bool
        Anyone left for a staging island.
    """
    n_ev = ev.ev_pop.shape[0]
    moved = False
    staged = False
    for a in range(n_ev):
        if ev.ev_int[a, Y.E_POOL] != q:
            continue
        dst = ev.ev_int[a, Y.E_STAGE]
        for o in range(n_ev):
            for c in range(2):
                x = w.take[a, o, c]
                if x <= 0.0:
                    continue
                w.stock[a, o, c] -= x
                moved = True
                if dst >= 0:
                    w.inflow[dst, o, c] += x
                    staged = True
                else:
                    leave_region(ev, w, series_ev, o, x, d)
    return moved, staged


@kernel
def depart(ev, w, series_ev, h, d, hod, air_x, sea_x, n_pool):
    """One hour of departures: open gateways, then each pool's share by priority.

    Parameters
    ----------
    ev : Evac
    w : EvacWork
    series_ev : ndarray (n_days, 2 * n_ev + n_pref + n_g)
    h, d, hod : int
        Hour of the run, day, hour of the day.
    air_x, sea_x : bool
        The day's weather cancels air departures, sailings.
    n_pool : int
        Number of gateway pools.

    Returns
    -------
    bool
        The stock changed (anyone moved).
    """
    open_gateways(ev, w, h, hod, air_x, sea_x)
    priority = ev.ev_i[Y.I_PRIORITY]
    changed = False
    staged = False  # people moved to a staging island this hour (inflow > 0)
    for q in range(n_pool):
        amount = pool_amount(ev, w, q, h)
        if amount <= 0.0:
            continue
        split_outflow(
            amount,
            q,
            priority,
            w.stock,
            w.take,
            ev.ev_int,
            w.order_o,
            w.split_a,
            w.split_o,
            w.split_c,
        )
        gateway_series(ev, w, series_ev, q, d, amount)
        moved, st_q = move_takes(ev, w, series_ev, q, d)
        changed = changed or moved
        staged = staged or st_q
    if staged:
        _land(w.stock, w.inflow)
    return changed


@kernel
def close_hour(w, h):
    """Sums at the end of hour ``h`` into row ``h + 1``; completion and clearance hours.

    Parameters
    ----------
    w : EvacWork
        ``pres[h + 1]``, ``rem_o[h + 1]`` written; ``complete``, ``cleared`` set (h) the
        first hour an island's people have all left the region, the island is empty.
    h : int
        The hour.

    Returns
    -------
    float
        People still in the region.
    """
    total = _tally(w.stock, w.pres[h + 1], w.rem_o[h + 1])
    for o in range(w.start.shape[0]):
        if np.isnan(w.complete[o]) and w.start[o] > 0.0 and w.rem_o[h + 1, o] <= 0.0:
            w.complete[o] = h + 1.0
        if np.isnan(w.cleared[o]) and w.start[o] > 0.0 and w.pres[h + 1, o] <= 0.0:
            w.cleared[o] = h + 1.0
    return total
