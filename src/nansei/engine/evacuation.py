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

Code: :func:`run_evacuation` allocates the work arrays (:class:`EvacWork`), draws the order
delay and the weather (:func:`_draw_order`), puts everyone on their own island
(:func:`_fill_islands`), marks the blocked gateway hours, runs the hours (:func:`_run_hours`,
whose steps are in :mod:`nansei.engine.evac_hour`) and writes the record
(:mod:`nansei.engine.evac_record`).
"""

from __future__ import annotations

import numpy as np

from nansei.engine import evac_layout as Y
from nansei.engine.dists import draw
from nansei.engine.evac_flows import _blocked_hours, _stopped_hours, _tally
from nansei.engine.evac_hour import close_hour, depart, open_sums
from nansei.engine.evac_layout import ACC_AIR_DAYS, ACC_SEA_DAYS, N_ACC, EvacWork
from nansei.engine.evac_record import (
    casualty,
    exposure,
    first_strike,
    write_at_strike,
    write_record,
)
from nansei.engine.jit import kernel
from nansei.engine.rng import random, seed_stream
from nansei.engine.state import Evac

__all__ = ["EvacWork", "run_evacuation"]


@kernel(inline=False)
def _draw_order(st, ev_f, authority_h, wx):
    """Draw the order delay, then one weather uniform per day; return the order time.

    Parameters
    ----------
    st : ndarray of uint64 (4,)
        The evacuation sub-stream, already seeded.
    ev_f : ndarray (N_F,)
        Float parameters (``F_*``).
    authority_h : float
        Time (h) from which the order is lawful; inf = never.
    wx : ndarray (n_days,)
        Filled with the day's uniform in [0, 1).

    Returns
    -------
    float
        Hour the order takes effect: ``authority_h`` + the delay, or a scripted order's time
        (not before ``authority_h``).
    """
    delay = draw(st, int(ev_f[Y.F_DELAY_KIND]), ev_f[Y.F_DELAY_A], ev_f[Y.F_DELAY_B])
    for d in range(wx.shape[0]):
        wx[d] = random(st)
    t_order = authority_h + delay
    if ev_f[Y.F_ORDER_AT] < np.inf:  # a scripted order: at its time, once lawful
        t_order = max(authority_h, ev_f[Y.F_ORDER_AT])
    return t_order


@kernel(inline=False)
def _fill_islands(ev, w):
    """Put everyone on their own island at t = 0, split into "needs care" and "other".

    Parameters
    ----------
    ev : Evac
        The scenario's evacuation arrays (``ev_pop`` people (n_ev, 2), ``ev_f`` care fraction).
    w : EvacWork
        ``stock[e, e, :]``, ``start`` and ``res_share`` are written.
    """
    for e in range(ev.ev_pop.shape[0]):
        tot = ev.ev_pop[e, 0] + ev.ev_pop[e, 1]
        w.start[e] = tot
        w.res_share[e] = ev.ev_pop[e, 0] / tot if tot > 0.0 else 0.0
        care = np.floor(tot * ev.ev_f[Y.F_CARE_FRACTION] + 0.5)
        w.stock[e, e, 0] = care
        w.stock[e, e, 1] = tot - care


@kernel(inline=False)
def _run_hours(ev, w, series_ev, t_order, n_pool):
    """The hourly loop: sums, cancelled days, departures, and each day's remaining people.

    Parameters
    ----------
    ev : Evac
    w : EvacWork
        Filled at t = 0 (:func:`_fill_islands`) with ``blocked`` and ``wx`` set; updated.
    series_ev : ndarray (n_days, 2 * n_ev + n_pref + n_g)
        Daily series, zeroed; evacuees, remaining, hosted and gateway columns written.
    t_order : float
        Hour the order takes effect.
    n_pool : int
        Number of gateway pools.

    Notes
    -----
    Once everyone has left the region an hour only counts cancelled days (and no longer
    writes the remaining people: they stay 0 from the zeroed series).
    """
    n_ev = ev.ev_pop.shape[0]
    n_h = w.pres.shape[0] - 1
    p_air = ev.ev_f[Y.F_P_AIR]
    p_sea = ev.ev_f[Y.F_P_SEA]
    changed = True  # stock moved in the previous hour (else the sums are unchanged)
    tallied = False  # pres[h], rem_o[h] were summed at the end of the previous hour
    empty = False  # everyone has left the region: only weather days remain to count
    for h in range(n_h):
        if tallied:
            tallied = False
        else:
            open_sums(w, h, changed)
        changed = False
        d = h // 24
        hod = h % 24
        if h >= t_order:
            air_x = w.wx[d] < p_air
            sea_x = w.wx[d] < p_sea
            if hod == 0 or h == int(np.ceil(t_order)):
                if air_x:
                    w.acc[ACC_AIR_DAYS] += 1.0
                if sea_x:
                    w.acc[ACC_SEA_DAYS] += 1.0
            if empty:
                continue
            changed = depart(ev, w, series_ev, h, d, hod, air_x, sea_x, n_pool)
            empty = close_hour(w, h) <= 0.0
            tallied = True
        if hod == 23 or h == n_h - 1:
            k = h + 1 if tallied else h  # the row that holds the current stock's sums
            for o in range(n_ev):
                series_ev[d, n_ev + o] = w.rem_o[k, o]


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
    ev = Evac(
        ev_f, ev_i, ev_pop, ev_int, isl_ev, pref_rank, pref_quota, gw_int, gw_cap_h,
        site_near, site_res, site_isl, ev_stop,
    )  # fmt: skip
    n_ev = ev_pop.shape[0]
    n_pref = pref_quota.shape[0]
    n_g = gw_int.shape[0]
    n_days = series_ev.shape[0]
    n_h = int(np.ceil(ev_f[Y.F_HORIZON_H]))
    w = EvacWork(
        np.zeros((n_ev, n_ev, 2)),  # stock
        np.zeros((n_ev, n_ev, 2)),  # inflow
        np.zeros((n_ev, n_ev, 2)),  # take
        np.zeros(n_ev),  # start
        np.zeros(n_ev),  # res_share
        np.argsort(ev_int[:, Y.E_RANK]),  # order_o
        np.zeros((n_h + 1, n_ev)),  # pres
        np.zeros((n_h + 1, n_ev)),  # rem_o
        np.zeros(n_ev),  # evacuated
        np.full(n_ev, np.nan),  # complete
        np.full(n_ev, np.nan),  # cleared
        pref_quota.copy(),  # quota_left
        np.zeros(n_pref),  # hosted
        np.zeros(n_pref),  # hosted_before
        np.zeros(n_g),  # capg
        np.zeros((n_g, n_h), dtype=np.uint8),  # blocked
        np.empty(n_days),  # wx
        np.zeros(N_ACC),  # acc
        np.empty(2 * n_ev * n_ev, dtype=np.int64),  # split_a
        np.empty(2 * n_ev * n_ev, dtype=np.int64),  # split_o
        np.empty(2 * n_ev * n_ev, dtype=np.int64),  # split_c
    )
    t_order = _draw_order(st, ev_f, authority_h, w.wx)
    out_ev[:] = 0.0
    series_ev[:, :] = 0.0
    _fill_islands(ev, w)
    n_pool = 0
    for e in range(n_ev):
        if ev_int[e, Y.E_POOL] + 1 > n_pool:
            n_pool = ev_int[e, Y.E_POOL] + 1
    _blocked_hours(
        w.blocked, gw_int, gw_log, n_gw, strike_log, n_strike, site_near, ev_f[Y.F_SUSPEND_H]
    )
    _stopped_hours(w.blocked, gw_int, ev_stop)
    _run_hours(ev, w, series_ev, t_order, n_pool)
    _tally(w.stock, w.pres[n_h], w.rem_o[n_h])
    # coupling to the fighting: first strike, exposure, casualty proxy
    write_record(w, out_ev, series_ev, t_order)
    write_at_strike(w, out_ev, first_strike(gw_log, n_gw, strike_log, n_strike))
    out_ev[Y.S_EXPOSURE] = exposure(ev, w, stay_log, n_stay)
    out_ev[Y.S_CASUALTY] = casualty(ev, w, strike_log, n_strike)
