"""The evacuation's record (:func:`nansei.engine.evacuation.run_evacuation`).

After the last hour: the coupling to the fighting (the first strike or closure, the
people still in the region then, the resident-hours near launchers, the casualty proxy)
and the record's totals and per-island columns (layout in
:mod:`nansei.engine.evac_layout`). Each function runs once per replication, so none is
inlined (``@kernel(inline=False)``).
"""

from __future__ import annotations

import numpy as np

from nansei.engine import evac_layout as Y
from nansei.engine.evac_flows import _off, _share
from nansei.engine.evac_layout import ACC_AIR_DAYS, ACC_OFF, ACC_SEA_DAYS, ACC_UNHOSTED
from nansei.engine.jit import kernel

__all__ = ["casualty", "exposure", "first_strike", "write_at_strike", "write_record"]


@kernel(inline=False)
def first_strike(gw_log, n_gw, strike_log, n_strike):
    """Time (h) of the first strike or gateway closure; inf if none.

    Parameters
    ----------
    gw_log : ndarray (m, 3)
        ``[combat gateway index, t_close_h, t_reopen_h]``; first ``n_gw`` rows used.
    n_gw : int
    strike_log : ndarray (m, 4)
        ``[t_h, site index, island index, leaked]``; first ``n_strike`` rows used.
    n_strike : int
    """
    t1 = np.inf
    for r in range(n_strike):
        if strike_log[r, 0] < t1:
            t1 = strike_log[r, 0]
    for r in range(n_gw):
        if gw_log[r, 1] < t1:
            t1 = gw_log[r, 1]
    return t1


@kernel(inline=False)
def exposure(ev, w, stay_log, n_stay):
    """Resident-hours near launchers: residents of each stay's site × hours × share present.

    Parameters
    ----------
    ev : Evac
        ``site_res`` (n_site,) residents in the hazard radius, ``site_isl``, ``isl_ev``,
        horizon ``ev_f[F_HORIZON_H]`` (h).
    w : EvacWork
        ``pres`` (n_h + 1, n_ev) and ``start`` (n_ev,) give the share of an island's
        people still on it in each hour.
    stay_log : ndarray (m, 4)
        ``[launcher, site, t_start_h, t_end_h]``; first ``n_stay`` rows used.
    n_stay : int

    Returns
    -------
    float
        Resident-hours.
    """
    horizon = ev.ev_f[Y.F_HORIZON_H]
    total = 0.0
    for r in range(n_stay):
        s = int(stay_log[r, 1])
        a = stay_log[r, 2]
        b = stay_log[r, 3]
        if b > horizon:
            b = horizon
        if s < 0 or b <= a:
            continue
        isl = ev.site_isl[s]
        e = ev.isl_ev[isl] if isl >= 0 else -1
        h = int(np.floor(a))
        while h < b:
            lo = a if a > h else float(h)
            hi = b if b < h + 1.0 else h + 1.0
            total += ev.site_res[s] * (hi - lo) * _share(w.pres, w.start, e, h)
            h += 1
    return total


@kernel(inline=False)
def casualty(ev, w, strike_log, n_strike):
    """Casualty proxy: residents near each leaking strike's site × the share still present.

    Parameters
    ----------
    ev : Evac
        ``site_res`` (n_site,) residents in the hazard radius, ``isl_ev``.
    w : EvacWork
        ``pres`` and ``start`` (see :func:`exposure`).
    strike_log : ndarray (m, 4)
        ``[t_h, site index, island index, leaked]``; first ``n_strike`` rows used.
    n_strike : int

    Returns
    -------
    float
        People.
    """
    total = 0.0
    for r in range(n_strike):
        if strike_log[r, 3] <= 0.0:
            continue
        s = int(strike_log[r, 1])
        isl = int(strike_log[r, 2])
        e = ev.isl_ev[isl] if isl >= 0 else -1
        if s >= 0:
            total += ev.site_res[s] * _share(w.pres, w.start, e, int(np.floor(strike_log[r, 0])))
    return total


@kernel(inline=False)
def write_at_strike(w, out_ev, t1):
    """People and residents still in the region at the first strike (nan if none).

    Parameters
    ----------
    w : EvacWork
        ``rem_o`` (n_h + 1, n_ev) and ``res_share`` (n_ev,).
    out_ev : ndarray (N_SCALAR + N_P * n_ev + n_pref,)
        ``S_FIRST_STRIKE_H``, ``S_RESIDENTS_AT_STRIKE``, ``S_PEOPLE_AT_STRIKE`` and
        ``P_RESIDENTS_AT_STRIKE`` written.
    t1 : float
        Time (h) of the first strike or closure; inf if none.
    """
    n_ev = w.start.shape[0]
    n_h = w.pres.shape[0] - 1
    if np.isfinite(t1):
        h1 = int(np.floor(t1))
        if h1 > n_h:
            h1 = n_h
        out_ev[Y.S_FIRST_STRIKE_H] = t1
        res_at = 0.0
        ppl_at = 0.0
        for o in range(n_ev):
            ppl_at += w.rem_o[h1, o]
            res_at += w.rem_o[h1, o] * w.res_share[o]
            out_ev[_off(Y.P_RESIDENTS_AT_STRIKE, o, n_ev)] = w.rem_o[h1, o] * w.res_share[o]
        out_ev[Y.S_RESIDENTS_AT_STRIKE] = res_at
        out_ev[Y.S_PEOPLE_AT_STRIKE] = ppl_at
    else:
        out_ev[Y.S_FIRST_STRIKE_H] = np.nan
        out_ev[Y.S_RESIDENTS_AT_STRIKE] = np.nan
        out_ev[Y.S_PEOPLE_AT_STRIKE] = np.nan
        for o in range(n_ev):
            out_ev[_off(Y.P_RESIDENTS_AT_STRIKE, o, n_ev)] = np.nan


@kernel(inline=False)
def write_record(w, out_ev, series_ev, t_order):
    """The record's totals, completion hour, cancelled days and per-island columns.

    Parameters
    ----------
    w : EvacWork
        The state after the last hour.
    out_ev : ndarray (N_SCALAR + N_P * n_ev + n_pref,)
        Written, apart from the strike, exposure and casualty fields.
    series_ev : ndarray (n_days, 2 * n_ev + n_pref + n_g)
        The daily series (its evacuees columns give the busiest day).
    t_order : float
        Hour the order took effect.
    """
    n_ev = w.start.shape[0]
    n_h = w.pres.shape[0] - 1
    out_ev[Y.S_POPULATION] = w.start.sum()
    out_ev[Y.S_EVACUATED] = w.evacuated.sum()
    out_ev[Y.S_REMAINING] = w.rem_o[n_h, :].sum()
    out_ev[Y.S_ORDER_H] = t_order
    all_done = True
    last = 0.0
    for o in range(n_ev):
        if w.start[o] > 0.0:
            if np.isnan(w.complete[o]):
                all_done = False
            elif w.complete[o] > last:
                last = w.complete[o]
    out_ev[Y.S_COMPLETE_H] = last if all_done else np.nan
    out_ev[Y.S_UNHOSTED] = w.acc[ACC_UNHOSTED]
    out_ev[Y.S_OFF_PAIRING] = w.acc[ACC_OFF]
    out_ev[Y.S_AIR_DAYS_CANCELLED] = w.acc[ACC_AIR_DAYS]
    out_ev[Y.S_SEA_DAYS_CANCELLED] = w.acc[ACC_SEA_DAYS]
    best = 0.0
    for d in range(series_ev.shape[0]):
        day = series_ev[d, 0:n_ev].sum()
        if day > best:
            best = day
    out_ev[Y.S_MAX_PER_DAY] = best
    for o in range(n_ev):
        out_ev[_off(Y.P_START, o, n_ev)] = w.start[o]
        out_ev[_off(Y.P_EVACUATED, o, n_ev)] = w.evacuated[o]
        out_ev[_off(Y.P_REMAINING, o, n_ev)] = w.rem_o[n_h, o]
        out_ev[_off(Y.P_COMPLETE_H, o, n_ev)] = w.complete[o]
        out_ev[_off(Y.P_CLEARED_H, o, n_ev)] = w.cleared[o]
    base = Y.N_SCALAR + Y.N_P * n_ev
    for p in range(w.hosted.shape[0]):
        out_ev[base + p] = w.hosted[p]
