"""The civil-protection evacuation sub-model (Numba), run once per replication.

Evacuation does not change the fighting, so it runs after the combat kernel of a
replication and reads three small logs the combat kernel writes (gateway closures, strikes,
launcher stays). For evacuation-only runs the logs are empty or hand-made
(:mod:`nansei.engine.civil_run`). The arrays come from
:func:`nansei.engine.compile_civil.compile_civil`; their layout is in
:mod:`nansei.engine.evac_layout`.

Model (hourly steps, people as whole numbers held in float64):

* People (residents + tourists, by island of origin, split into "needs care" and "other")
  stand on an island. At t = 0 everyone is on their own island.
* From the hour the order takes effect (``authority_h`` + a drawn order delay), every open
  gateway moves up to its hourly capacity. A gateway's daily capacity is spread over
  ``hours_per_day`` whole hours from ``opens_at_h`` (each hour of the day gets its integer
  share, so no calendar day exceeds the daily capacity). Islands joined by road form a pool
  whose gateways serve everyone on the pool's islands.
* A gateway's hour is lost if its mode is cancelled by the day's weather, if ``gw_log``
  closes it during that hour, or if a strike logged in ``strike_log`` fell within the
  suspension radius in the previous ``suspend_h`` hours.
* People leaving a staged island (Yonaguni, Taketomi, Hateruma, Tarama) arrive on the
  staging island at the end of the hour and leave from there later; people leaving any
  other island leave the region (for the destination gateways in Kyushu) and are assigned
  to a host prefecture.
* Shared capacity is given out by ``priority``: ``small_islands_first`` serves people in the
  order of the size of their home island (smallest first, care before other);
  ``proportional`` in proportion to the people waiting; ``care_first`` serves people who need
  care first (proportionally), then the others (proportionally).
* Host prefectures: an arrival goes to the first prefecture paired with its home town that
  has allocation left (pairing order), else to any prefecture with allocation left (counted
  as off-pairing), else it is unhosted.
* Weather: one uniform ``u`` per day from the evacuation sub-stream; air departures are
  cancelled that day if ``u < p_air``, sailings if ``u < p_sea`` (the same ``u``: a day bad
  enough to ground aircraft also stops ships when ``p_sea >= p_air``).

Randomness comes only from the sub-stream ``(design_point, replication, 1)`` of the run's
seed (:func:`nansei.engine.rng.seed_stream`): the order delay, then one weather draw per day.
The fighting never changes these draws (common random numbers). Everything runs as plain
Python under ``NUMBA_DISABLE_JIT=1`` with identical results.
"""

from __future__ import annotations

import numpy as np

from nansei.engine import evac_layout as Y
from nansei.engine.dists import draw
from nansei.engine.evac_flows import (
    _blocked_hours,
    _land,
    _off,
    _share,
    _stopped_hours,
    _tally,
    host_assign,
    split_outflow,
)
from nansei.engine.jit import kernel
from nansei.engine.rng import random, seed_stream

__all__ = ["host_assign", "run_evacuation", "split_outflow"]


@kernel(nrt=True, python=True)
def run_evacuation(
    st,
    entropy,
    design_point,
    replication,
    ev_f,
    ev_i,
    ev_pop,
    ev_int,
    isl_ev,
    pref_rank,
    pref_quota,
    gw_int,
    gw_cap_h,
    site_near,
    site_res,
    site_isl,
    ev_stop,
    authority_h,
    gw_log,
    n_gw,
    strike_log,
    n_strike,
    stay_log,
    n_stay,
    out_ev,
    series_ev,
):
    """Run the evacuation of one replication.

    Parameters
    ----------
    st : ndarray of uint64 (4,)
        Scratch stream state; seeded here as the sub-stream ``(design_point, replication, 1)``.
    entropy : ndarray of uint64 (k,)
        Root seed words (:func:`nansei.engine.rng.entropy_words`).
    design_point, replication : int
        Spawn key of the replication.
    ev_f : ndarray (N_F,)
        Float parameters (``F_*``): horizon h, daily cancel probabilities, suspension h,
        order delay (kind, a, b) in h, care fraction.
    ev_i : ndarray of int64 (N_I,)
        Integer parameters (``I_*``): priority code.
    ev_pop : ndarray (n_ev, 2)
        Residents and tourists of each evacuated island, people.
    ev_int : ndarray of int64 (n_ev, N_E)
        Island index (combat order), staging island (evacuated index, -1 none), gateway
        pool, size rank.
    isl_ev : ndarray of int64 (n_isl,)
        Evacuated index of each island of the combat compile (-1 = not evacuated).
    pref_rank : ndarray of int64 (n_ev, n_pref)
        Pairing rank of each host prefecture for each island's town (-1 = not paired).
    pref_quota : ndarray (n_pref,)
        Allocation of each host prefecture, people.
    gw_int : ndarray of int64 (n_g, N_G)
        Gateway island (evacuated index), mode (0 air, 1 sea), combat gateway index (-1).
    gw_cap_h : ndarray (n_g, 24)
        Departures per hour of the day (integer values; row sums = daily capacity).
    site_near : ndarray of int64 (n_site, n_g)
        1 if the site is within the suspension radius of the gateway.
    site_res : ndarray (n_site,)
        Residents within the hazard radius of each site (``Compiled`` ``site_f[:, 1]``).
    site_isl : ndarray of int64 (n_site,)
        Island index (combat order) of each site, -1 for none.
    ev_stop : ndarray (k, 4)
        Scripted stops ``[t_from_h, t_to_h, mode, gateway]`` (``evac_layout.STOP_BOTH``;
        gateway -1: all): scripted closures, suspensions, weather.
    authority_h : float
        Time (h) from which the order is lawful (recognition); inf = never.
    gw_log : ndarray (m, 3)
        ``[combat gateway index, t_close_h, t_reopen_h]``; first ``n_gw`` rows used.
    strike_log : ndarray (m, 4)
        ``[t_h, site index, island index, 1 if any missile leaked]``; first ``n_strike`` rows.
    stay_log : ndarray (m, 4)
        ``[launcher, site, t_start_h, t_end_h]``; first ``n_stay`` rows.
    out_ev : ndarray (N_SCALAR + N_P * n_ev + n_pref,)
        Output record, overwritten (see :func:`nansei.engine.evac_layout.output_names`).
    series_ev : ndarray (n_days, 2 * n_ev + n_pref + n_g)
        Daily series, overwritten (see :func:`nansei.engine.evac_layout.series_names`).
    """
    seed_stream(st, entropy, design_point, replication, 1)
    n_ev = ev_pop.shape[0]
    n_pref = pref_quota.shape[0]
    n_g = gw_int.shape[0]
    n_days = series_ev.shape[0]
    horizon = ev_f[Y.F_HORIZON_H]
    n_h = int(np.ceil(horizon))
    priority = ev_i[Y.I_PRIORITY]
    p_air = ev_f[Y.F_P_AIR]
    p_sea = ev_f[Y.F_P_SEA]
    suspend_h = ev_f[Y.F_SUSPEND_H]
    # --- draws: order delay, then one weather uniform per day -----------------
    delay = draw(st, int(ev_f[Y.F_DELAY_KIND]), ev_f[Y.F_DELAY_A], ev_f[Y.F_DELAY_B])
    wx = np.empty(n_days)
    for d in range(n_days):
        wx[d] = random(st)
    t_order = authority_h + delay
    if ev_f[Y.F_ORDER_AT] < np.inf:  # a scripted order: at its time, once lawful
        t_order = max(authority_h, ev_f[Y.F_ORDER_AT])
    out_ev[:] = 0.0
    series_ev[:, :] = 0.0
    c_pref = 2 * n_ev
    c_gw = 2 * n_ev + n_pref
    # --- state -----------------------------------------------------------------
    stock = np.zeros((n_ev, n_ev, 2))
    inflow = np.zeros((n_ev, n_ev, 2))
    take = np.zeros((n_ev, n_ev, 2))
    start = np.zeros(n_ev)
    res_share = np.zeros(n_ev)
    for e in range(n_ev):
        tot = ev_pop[e, 0] + ev_pop[e, 1]
        start[e] = tot
        res_share[e] = ev_pop[e, 0] / tot if tot > 0.0 else 0.0
        care = np.floor(tot * ev_f[Y.F_CARE_FRACTION] + 0.5)
        stock[e, e, 0] = care
        stock[e, e, 1] = tot - care
    order_o = np.argsort(ev_int[:, Y.E_RANK])
    n_pool = 0
    for e in range(n_ev):
        if ev_int[e, Y.E_POOL] + 1 > n_pool:
            n_pool = ev_int[e, Y.E_POOL] + 1
    pres = np.zeros((n_h + 1, n_ev))  # people on island e at the start of hour h
    rem_o = np.zeros((n_h + 1, n_ev))  # people of origin e still in the region
    evacuated = np.zeros(n_ev)
    complete = np.full(n_ev, np.nan)
    cleared = np.full(n_ev, np.nan)
    quota_left = pref_quota.copy()
    hosted = np.zeros(n_pref)
    capg = np.zeros(n_g)
    off_total = 0.0
    unhosted = 0.0
    air_days = 0.0
    sea_days = 0.0
    hosted_before = np.zeros(n_pref)
    blocked = np.zeros((n_g, n_h), dtype=np.uint8)
    _blocked_hours(blocked, gw_int, gw_log, n_gw, strike_log, n_strike, site_near, suspend_h)
    _stopped_hours(blocked, gw_int, ev_stop)
    changed = True  # stock moved in the previous hour (else the sums are unchanged)
    tallied = False  # pres[h], rem_o[h] were summed at the end of the previous hour
    empty = False  # everyone has left the region: only weather days remain to count
    for h in range(n_h):
        if tallied:
            tallied = False
        elif changed or h == 0:
            _tally(stock, pres[h], rem_o[h])
        else:
            for e in range(n_ev):
                pres[h, e] = pres[h - 1, e]
                rem_o[h, e] = rem_o[h - 1, e]
        changed = False
        d = h // 24
        hod = h % 24
        if h >= t_order:
            air_x = wx[d] < p_air
            sea_x = wx[d] < p_sea
            if hod == 0 or h == int(np.ceil(t_order)):
                if air_x:
                    air_days += 1.0
                if sea_x:
                    sea_days += 1.0
            if empty:
                continue
            for g in range(n_g):
                cap = gw_cap_h[g, hod]
                if cap > 0.0:
                    if gw_int[g, Y.G_MODE] == Y.MODE_AIR and air_x:
                        cap = 0.0
                    elif gw_int[g, Y.G_MODE] == Y.MODE_SEA and sea_x:
                        cap = 0.0
                    elif blocked[g, h] == 1:
                        cap = 0.0
                capg[g] = cap
            staged = False  # people moved to a staging island this hour (inflow > 0)
            for q in range(n_pool):
                c_tot = 0.0
                for g in range(n_g):
                    if ev_int[gw_int[g, Y.G_ISLAND], Y.E_POOL] == q:
                        c_tot += capg[g]
                if c_tot <= 0.0:
                    continue
                waiting = 0.0
                for a in range(n_ev):
                    if ev_int[a, Y.E_POOL] == q:
                        waiting += pres[h, a]  # the pool's stock is untouched until now
                amount = c_tot if c_tot < waiting else waiting
                if amount <= 0.0:
                    continue
                split_outflow(amount, q, priority, stock, take, ev_int, order_o)
                rest = amount
                for g in range(n_g):
                    if ev_int[gw_int[g, Y.G_ISLAND], Y.E_POOL] == q and rest > 0.0:
                        x = capg[g] if capg[g] < rest else rest
                        series_ev[d, c_gw + g] += x
                        rest -= x
                for a in range(n_ev):
                    if ev_int[a, Y.E_POOL] != q:
                        continue
                    dst = ev_int[a, Y.E_STAGE]
                    for o in range(n_ev):
                        for c in range(2):
                            x = take[a, o, c]
                            if x <= 0.0:
                                continue
                            stock[a, o, c] -= x
                            changed = True
                            if dst >= 0:
                                inflow[dst, o, c] += x
                                staged = True
                            else:
                                evacuated[o] += x
                                series_ev[d, o] += x
                                for p in range(n_pref):
                                    hosted_before[p] = hosted[p]
                                off, unh = host_assign(o, x, pref_rank, quota_left, hosted)
                                off_total += off
                                unhosted += unh
                                for p in range(n_pref):
                                    series_ev[d, c_pref + p] += hosted[p] - hosted_before[p]
            if staged:
                _land(stock, inflow)
            total = _tally(stock, pres[h + 1], rem_o[h + 1])
            tallied = True
            for o in range(n_ev):
                if np.isnan(complete[o]) and start[o] > 0.0 and rem_o[h + 1, o] <= 0.0:
                    complete[o] = h + 1.0
                if np.isnan(cleared[o]) and start[o] > 0.0 and pres[h + 1, o] <= 0.0:
                    cleared[o] = h + 1.0
            empty = total <= 0.0
        if hod == 23 or h == n_h - 1:
            k = h + 1 if tallied else h  # the row that holds the current stock's sums
            for o in range(n_ev):
                series_ev[d, n_ev + o] = rem_o[k, o]
    _tally(stock, pres[n_h], rem_o[n_h])
    # --- coupling to the fighting: first strike, exposure, casualty proxy ----------
    t1 = np.inf
    for r in range(n_strike):
        if strike_log[r, 0] < t1:
            t1 = strike_log[r, 0]
    for r in range(n_gw):
        if gw_log[r, 1] < t1:
            t1 = gw_log[r, 1]
    exposure = 0.0
    for r in range(n_stay):
        s = int(stay_log[r, 1])
        a = stay_log[r, 2]
        b = stay_log[r, 3]
        if b > horizon:
            b = horizon
        if s < 0 or b <= a:
            continue
        isl = site_isl[s]
        e = isl_ev[isl] if isl >= 0 else -1
        h = int(np.floor(a))
        while h < b:
            lo = a if a > h else float(h)
            hi = b if b < h + 1.0 else h + 1.0
            exposure += site_res[s] * (hi - lo) * _share(pres, start, e, h)
            h += 1
    casualty = 0.0
    for r in range(n_strike):
        if strike_log[r, 3] <= 0.0:
            continue
        s = int(strike_log[r, 1])
        isl = int(strike_log[r, 2])
        e = isl_ev[isl] if isl >= 0 else -1
        if s >= 0:
            casualty += site_res[s] * _share(pres, start, e, int(np.floor(strike_log[r, 0])))
    # --- record ------------------------------------------------------------------
    pop = start.sum()
    ev_tot = evacuated.sum()
    out_ev[Y.S_POPULATION] = pop
    out_ev[Y.S_EVACUATED] = ev_tot
    out_ev[Y.S_REMAINING] = rem_o[n_h, :].sum()
    out_ev[Y.S_ORDER_H] = t_order
    all_done = True
    last = 0.0
    for o in range(n_ev):
        if start[o] > 0.0:
            if np.isnan(complete[o]):
                all_done = False
            elif complete[o] > last:
                last = complete[o]
    out_ev[Y.S_COMPLETE_H] = last if all_done else np.nan
    if np.isfinite(t1):
        h1 = int(np.floor(t1))
        if h1 > n_h:
            h1 = n_h
        out_ev[Y.S_FIRST_STRIKE_H] = t1
        res_at = 0.0
        ppl_at = 0.0
        for o in range(n_ev):
            ppl_at += rem_o[h1, o]
            res_at += rem_o[h1, o] * res_share[o]
            out_ev[_off(Y.P_RESIDENTS_AT_STRIKE, o, n_ev)] = rem_o[h1, o] * res_share[o]
        out_ev[Y.S_RESIDENTS_AT_STRIKE] = res_at
        out_ev[Y.S_PEOPLE_AT_STRIKE] = ppl_at
    else:
        out_ev[Y.S_FIRST_STRIKE_H] = np.nan
        out_ev[Y.S_RESIDENTS_AT_STRIKE] = np.nan
        out_ev[Y.S_PEOPLE_AT_STRIKE] = np.nan
        for o in range(n_ev):
            out_ev[_off(Y.P_RESIDENTS_AT_STRIKE, o, n_ev)] = np.nan
    out_ev[Y.S_EXPOSURE] = exposure
    out_ev[Y.S_CASUALTY] = casualty
    out_ev[Y.S_UNHOSTED] = unhosted
    out_ev[Y.S_OFF_PAIRING] = off_total
    out_ev[Y.S_AIR_DAYS_CANCELLED] = air_days
    out_ev[Y.S_SEA_DAYS_CANCELLED] = sea_days
    best = 0.0
    for d in range(n_days):
        day = series_ev[d, 0:n_ev].sum()
        if day > best:
            best = day
    out_ev[Y.S_MAX_PER_DAY] = best
    for o in range(n_ev):
        out_ev[_off(Y.P_START, o, n_ev)] = start[o]
        out_ev[_off(Y.P_EVACUATED, o, n_ev)] = evacuated[o]
        out_ev[_off(Y.P_REMAINING, o, n_ev)] = rem_o[n_h, o]
        out_ev[_off(Y.P_COMPLETE_H, o, n_ev)] = complete[o]
        out_ev[_off(Y.P_CLEARED_H, o, n_ev)] = cleared[o]
    base = Y.N_SCALAR + Y.N_P * n_ev
    for p in range(n_pref):
        out_ev[base + p] = hosted[p]
