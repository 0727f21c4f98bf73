"""The event kernel: one replication of launchers, Red ISR, strikes and targets.

Private, Numba-compiled (``@njit(cache=True)``) and written so that it runs
unchanged as plain Python under ``NUMBA_DISABLE_JIT=1``. It takes only arrays,
scalars and a NumPy ``Generator``; :mod:`nansei.engine.compile` builds the
arrays and :mod:`nansei.engine.simulate` drives replications.

Semantics (documented in ``docs/engine.md``):

* A launcher cycles: arrive at a site, set up (``setting_up``), stay ``hidden``
  for a dwell drawn from the relocation policy, firing salvos at targets in
  range, tear down (``setting_up``), leave, move (``moving``), arrive.
* Red detects a launcher as a Poisson process whose rate depends on the
  launcher's state and, at a site, on the site's concealment; memorylessness
  lets the kernel redraw the next detection whenever the state changes. Each
  salvo's launch is detected with probability ``p_detect_launch``.
* A detection triggers a strike on the launcher's site (or, while moving, on
  its destination) after the kill-chain delay, subject to the doctrine, Red's
  inventory and daily capacity. ``per_site_first_detection``: one strike per
  stay at a site; ``per_detection``: one strike per detection.
* Tie rule: a strike arriving exactly when the launcher leaves the site
  misses under ``launcher_escapes`` and hits under ``launcher_caught``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from nansei.engine import layout as Y
from nansei.engine.dists import draw, exp_time
from nansei.engine.evacuation import run_evacuation
from nansei.engine.heap import heap_pop, heap_push
from nansei.engine.legal import (
    A_EVACUATION,
    A_TEMP_BASES,
    A_US_FIRES,
    A_USE_OF_FORCE,
    G_AD_SDF,
    block_reason,
)
from nansei.engine.rng import random, seed_stream
from nansei.engine.sustain import (
    ls_any_stranded,
    ls_arrive,
    ls_close,
    ls_fuel_close,
    ls_fuel_move,
    ls_fuel_ok,
    ls_fuel_start,
    ls_issue,
    ls_lost,
    ls_p_intercept,
    ls_refuel,
    ls_review,
    ls_salvo,
    ls_series,
    ls_start,
    ls_struck,
    new_ls_workspace,
)

# launcher int state columns
_ST = 0  # state
_SITE = 1  # current site, or destination while moving
_STAY = 2  # stay counter (increments on arrival)
_DEP = 3  # departure version
_NSALVO = 4  # salvos this stay
_PEND = 5  # a FIRE event is pending
_SCOOT = 6  # departing: no more fires this stay
_STRUCK = 7  # stay id already struck (first-detection doctrine)
_N_LI = 8
# launcher float state columns
_T_STAY = 0  # time the current stay began (arrival)
_T_LEAVE = 1  # scheduled leave time (inf if none)
_T_RELOAD = 2  # reload end time
_T_SALVO = 3  # time of the last salvo
_N_LT = 4
# counters
_C_INV = 0  # Red inventory left
_C_DAY_USED = 1  # Red missiles used today
_C_NTGT = 2  # targets created
_C_NTRACE = 3  # trace rows written
_C_OVERFLOW = 4
_C_TLO = 5  # no target below this index is alive
_C_DAY = 6  # index of the day Red's daily capacity refers to
_C_NGWLOG = 7  # rows in the gateway-closure log
_C_NSTRLOG = 8  # rows in the strike log
_C_NSTAYLOG = 9  # rows in the stay log
_N_C = 10


@njit(cache=True, inline="always")
def _ldraw(rng, lp, la, col):
    return draw(rng, int(lp[la, col]), lp[la, col + 1], lp[la, col + 2])


@njit(cache=True, inline="always")
def _push(ht, hi, hs, cnt, t, code, entity, tag):
    if not heap_push(ht, hi, hs, t, code, entity, tag):
        cnt[_C_OVERFLOW] = 1


@njit(cache=True, inline="always")
def _trace(trace, cnt, t, code, entity, site, value):
    n = cnt[_C_NTRACE]
    if n < trace.shape[0]:
        trace[n, 0] = t
        trace[n, 1] = code
        trace[n, 2] = entity
        trace[n, 3] = site
        trace[n, 4] = value
        cnt[_C_NTRACE] = n + 1


@njit(cache=True, inline="always")
def _detection_rate(fp, li, site_f, la):
    st = li[la, _ST]
    if st == Y.DESTROYED:
        return 0.0
    rate = fp[Y.F_RATE_HIDDEN + st]
    if st != Y.MOVING:
        rate *= 1.0 - site_f[li[la, _SITE], 0]
    return rate


@njit(cache=True, inline="always")
def _refresh_detection(rng, fp, li, site_f, det_t, la, t):
    """Redraw the launcher's next detection time after a state change.

    Detection times are kept in ``det_t`` rather than in the heap, so a state
    change never leaves a stale event behind (memorylessness makes the redraw
    exact).
    """
    dt = exp_time(rng, _detection_rate(fp, li, site_f, la))
    det_t[la] = t + dt if t + dt <= fp[Y.F_HORIZON_H] else np.inf


@njit(cache=True, inline="always")
def _red_can_fire(ip, cnt, t, n):
    """Red can launch ``n`` missiles at ``t``; a new day starts at t = 24 k h."""
    day = int(t // 24.0)
    if day != cnt[_C_DAY]:
        cnt[_C_DAY] = day
        cnt[_C_DAY_USED] = 0
    if cnt[_C_INV] < n:
        return False
    cap = ip[Y.I_DAILY_CAPACITY]
    return cap <= 0 or cnt[_C_DAY_USED] + n <= cap


@njit(cache=True, inline="always")
def _red_spend(cnt, out, series, step, n):
    cnt[_C_INV] -= n
    cnt[_C_DAY_USED] += n
    out[Y.O_MISSILES] += n
    series[step, Y.S_MISSILES] += n


@njit(cache=True, inline="always")
def _strike_site(rng, fp, ip, cnt, out, series, step, ht, hi, hs, t, s):
    """Launch a strike on site ``s`` if Red can; return True if launched."""
    if t < fp[Y.F_STRIKES_START_H]:
        return False
    n = ip[Y.I_MISSILES_PER_STRIKE]
    if not _red_can_fire(ip, cnt, t, n):
        out[Y.O_STRIKES_DENIED] += 1
        return False
    _red_spend(cnt, out, series, step, n)
    out[Y.O_STRIKES] += 1
    delay = draw(rng, ip[Y.I_DELAY_KIND], fp[Y.F_DELAY_A], fp[Y.F_DELAY_B])
    _push(ht, hi, hs, cnt, t + delay, Y.EV_STRIKE, s, 0)
    return True


@njit(cache=True, inline="always")
def _on_detection(rng, fp, ip, li, cnt, out, series, step, ht, hi, hs, t, la):
    """Red reacts to a detection of launcher ``la`` (at its site or destination)."""
    stay = li[la, _STAY]
    if li[la, _ST] == Y.MOVING:
        stay += 1
    if ip[Y.I_DOCTRINE] == 0 and li[la, _STRUCK] == stay:
        return
    if _strike_site(rng, fp, ip, cnt, out, series, step, ht, hi, hs, t, li[la, _SITE]):
        li[la, _STRUCK] = stay


@njit(cache=True, inline="always")
def _find_target(ip, li, rounds, in_range, tg, zone_alive, cnt, la):
    """Return (target, munition) for launcher ``la``, or (-1, m) / (-1, -1).

    ``(-1, m)`` with ``m >= 0`` means a target is in range but no rounds are
    loaded for any suitable munition.
    """
    s = li[la, _SITE]
    n_zone = in_range.shape[1]
    n_mun = in_range.shape[2]
    max_salvos = ip[Y.I_MAX_SALVOS_PER_TARGET]
    empty = -1
    for z in range(n_zone):
        if zone_alive[z] == 0:
            continue
        for m in range(n_mun):
            if in_range[s, z, m] == 0:
                continue
            if rounds[la, m] <= 0:
                empty = m
                continue
            lo = cnt[_C_TLO]
            while lo < cnt[_C_NTGT] and tg[lo, 1] == 0:
                lo += 1
            cnt[_C_TLO] = lo
            for k in range(lo, cnt[_C_NTGT]):
                if tg[k, 1] == 1 and tg[k, 0] == z and (max_salvos <= 0 or tg[k, 2] < max_salvos):
                    return k, m
    return -1, empty


@njit(cache=True, inline="always")
def _try_engage(
    rng, ip, lp, li, lt, rounds, reload, in_range, tg, zone_alive, out, ht, hi, hs, cnt, t, la,
    auth_t, issue_site, stock, logging,
):  # fmt: skip
    """Schedule a salvo, or a reload, for an idle hidden launcher with a target.

    Returns 0, or a case for :func:`_engage_slow`: 1 a salvo is not yet
    permitted (``us_fires_from_japan``; counted here, logged there when
    ``logging``), 2 no rounds and no reload pods but the SDF node serving the
    site (``issue_site``, -1 none) holds pods.
    """
    if li[la, _ST] != Y.HIDDEN or li[la, _PEND] == 1 or li[la, _SCOOT] == 1:
        return 0
    k, m = _find_target(ip, li, rounds, in_range, tg, zone_alive, cnt, la)
    if k >= 0:
        if t < auth_t[A_US_FIRES]:
            out[Y.O_BLOCKED_FIRST + A_US_FIRES] += 1
            return 1 if logging else 0
        li[la, _PEND] = 1
        _push(ht, hi, hs, cnt, t, Y.EV_FIRE, la, li[la, _STAY])
    elif m >= 0:
        if _start_reload(rng, lp, li, lt, rounds, reload, ht, hi, hs, cnt, t, la):
            return 0
        nd = issue_site[li[la, _SITE]]
        if nd >= 0:
            for mm in range(rounds.shape[1]):
                if stock[nd, mm] >= 1.0:
                    return 2
        out[Y.O_NO_AMMO] += 1
    return 0


@njit(cache=True, _nrt=True)
def _engage_slow(
    rng, lp, li, lt, rounds, reload, in_range, zone_alive, mun_f, out, trace, ht, hi, hs, cnt,
    t, la, cx, sx, case,
):  # fmt: skip
    """The rare outcomes of :func:`_try_engage`: log a blocked salvo, or draw a pod."""
    if case == 1:
        why = block_reason(cx[0], cx[2], sx[5], A_US_FIRES, t)
        _trace(trace, cnt, t, Y.EV_BLOCKED, A_US_FIRES, li[la, _SITE], why)
    elif case == 2:
        if not _issue(
            rng, lp, li, lt, rounds, reload, in_range, zone_alive, mun_f, out, trace, ht, hi, hs,
            cnt, t, la, cx, sx,
        ):  # fmt: skip
            out[Y.O_NO_AMMO] += 1


@njit(cache=True, inline="always")
def _offer(
    rng, ip, lp, li, lt, rounds, reload, in_range, tg, zone_alive, mun_f, out, trace, ht, hi,
    hs, cnt, t, la, auth_t, issue_site, stock, logging, cx, sx,
):  # fmt: skip
    """Offer launcher ``la`` a fire mission: :func:`_try_engage`, then its rare outcomes."""
    case = _try_engage(
        rng, ip, lp, li, lt, rounds, reload, in_range, tg, zone_alive, out,
        ht, hi, hs, cnt, t, la, auth_t, issue_site, stock, logging,
    )  # fmt: skip
    if case > 0:
        _engage_slow(
            rng, lp, li, lt, rounds, reload, in_range, zone_alive, mun_f, out, trace,
            ht, hi, hs, cnt, t, la, cx, sx, case,
        )  # fmt: skip


@njit(cache=True, _nrt=True)
def _issue(
    rng, lp, li, lt, rounds, reload, in_range, zone_alive, mun_f, out, trace, ht, hi, hs, cnt,
    t, la, cx, sx,
):  # fmt: skip
    """Draw a pod from the island's SDF node for empty launcher ``la`` and reload it."""
    nd = ls_issue(
        cx, sx, in_range, zone_alive, mun_f, reload, out, trace, cnt, t, la, li[la, _SITE]
    )
    if nd < 0:
        return False
    _push(ht, hi, hs, cnt, t, Y.EV_SUPPLY_REVIEW, nd, 0)
    return _start_reload(rng, lp, li, lt, rounds, reload, ht, hi, hs, cnt, t, la)


@njit(cache=True, inline="always")
def _start_reload(rng, lp, li, lt, rounds, reload, ht, hi, hs, cnt, t, la):
    have = 0
    for m in range(reload.shape[1]):
        have += reload[la, m]
    if have <= 0:
        return False
    li[la, _ST] = Y.RELOADING
    lt[la, _T_RELOAD] = t + _ldraw(rng, lp, la, Y.L_RELOAD)
    _push(ht, hi, hs, cnt, lt[la, _T_RELOAD], Y.EV_RELOAD_DONE, la, li[la, _STAY])
    return True


@njit(cache=True, inline="always")
def _choose_site(rng, ip, li, site_island, road_km, site_occ, site_last, site_f, t, la, island):
    """Pick the next site on ``island`` for launcher ``la``; -1 if none is free.

    A site is not free while it is occupied or excluded (``t < site_f[s, 2]``,
    the evacuation's gateway exclusion).
    """
    cur = li[la, _SITE]
    rule = ip[Y.I_SITE_CHOICE]
    best = -1
    n_free = 0
    best_val = 0.0
    for s in range(site_island.shape[0]):
        if site_island[s] != island or site_occ[s] >= 0 or s == cur or t < site_f[s, 2]:
            continue
        n_free += 1
        if rule == 0:
            continue
        d = road_km[cur, s] if site_island[cur] == island else 0.0
        if rule == 1:
            val = -d
        elif rule == 2:
            val = -site_last[s]
        else:
            val = d
        if best < 0 or val > best_val:
            best = s
            best_val = val
    if rule == 0 and n_free > 0:
        pick = int(random(rng) * n_free)
        for s in range(site_island.shape[0]):
            if site_island[s] != island or site_occ[s] >= 0 or s == cur or t < site_f[s, 2]:
                continue
            if pick == 0:
                return s
            pick -= 1
    return best


@njit(cache=True, inline="always")
def _lift(fp, ip, lift_free, gw_open, gw_runway, isl_gw, isl_km, site_gw_km, speed, t, a, b, s0):
    """Plan an inter-island lift from island ``a`` (site ``s0``) to ``b``.

    Returns ``(arrival time at the destination gateway, mode)``; mode -1 when no
    lift is possible (gateway closed, runway too short, no asset).
    """
    for mode in range(2):
        count = ip[Y.I_AIR_LIFT_COUNT] if mode == 0 else ip[Y.I_SEA_LIFT_COUNT]
        if count <= 0:
            continue
        ga = isl_gw[a, mode]
        gb = isl_gw[b, mode]
        if ga < 0 or gb < 0 or gw_open[ga] == 0 or gw_open[gb] == 0:
            continue
        if mode == 0 and (
            gw_runway[ga] < fp[Y.F_AIR_MIN_RUNWAY_M] or gw_runway[gb] < fp[Y.F_AIR_MIN_RUNWAY_M]
        ):
            continue
        v = fp[Y.F_AIR_SPEED_KMH] if mode == 0 else fp[Y.F_SEA_SPEED_KMH]
        turn = fp[Y.F_AIR_TURNAROUND_H] if mode == 0 else fp[Y.F_SEA_TURNAROUND_H]
        k_best = 0
        for k in range(1, count):
            if lift_free[mode, k] < lift_free[mode, k_best]:
                k_best = k
        at_gw = t + site_gw_km[s0, mode] / speed
        t0 = max(at_gw, lift_free[mode, k_best]) + fp[Y.F_LIFT_LOAD_H]
        leg = isl_km[a, b] / v
        lift_free[mode, k_best] = t0 + 2.0 * leg + turn
        return t0 + leg, mode
    return -1.0, -1


@njit(cache=True, inline="always")
def _schedule_depart(rng, lp, li, lt, ht, hi, hs, cnt, la, t_dep):
    """Schedule departure at ``t_dep``; the leave time (after tear-down) is fixed now."""
    li[la, _DEP] += 1
    lt[la, _T_LEAVE] = t_dep + _ldraw(rng, lp, la, Y.L_TEARDOWN)
    _push(ht, hi, hs, cnt, t_dep, Y.EV_DEPART, la, li[la, _DEP])


@njit(cache=True, inline="always")
def _log_row(log, cnt, col, a, b, c, d):
    """Append a row to a coupling log; return its index (-1 when the log has no rows)."""
    n = cnt[col]
    if log.shape[0] == 0:
        return -1
    if n >= log.shape[0]:
        cnt[_C_OVERFLOW] = 1
        return -1
    log[n, 0] = a
    log[n, 1] = b
    log[n, 2] = c
    if log.shape[1] > 3:
        log[n, 3] = d
    cnt[col] = n + 1
    return n


@njit(cache=True, inline="always")
def _log_stay(stay_log, cnt, la, s, t0, t1):
    _log_row(stay_log, cnt, _C_NSTAYLOG, la, s, t0, t1)


@njit(cache=True, inline="always")
def _end_stay(li, lt, site_f, site_occ, site_last, out, t, la, stay_log, cnt):
    s = li[la, _SITE]
    out[Y.O_EXPOSURE] += site_f[s, 1] * (t - lt[la, _T_STAY])
    _log_stay(stay_log, cnt, la, s, lt[la, _T_STAY], t)
    site_last[s] = t
    if site_occ[s] == la:
        site_occ[s] = -1


@njit(cache=True, inline="always")
def _destroy(li, lt, site_f, site_occ, site_last, out, t, la, stay_log, cnt):
    if li[la, _ST] != Y.MOVING:
        _end_stay(li, lt, site_f, site_occ, site_last, out, t, la, stay_log, cnt)
    elif site_occ[li[la, _SITE]] == la:
        site_occ[li[la, _SITE]] = -1
    li[la, _ST] = Y.DESTROYED
    out[Y.O_LOST] += 1
    out[Y.O_LAUNCHER_HOURS] += t
    if np.isnan(out[Y.O_FIRST_LOSS]):
        out[Y.O_FIRST_LOSS] = t


@njit(cache=True, _nrt=True)
def new_workspace(fp, ip, lp, rounds0, site_island, zone_f, gw_type, decoy_site):
    """Allocate the per-replication state arrays once; ``_replicate`` resets them.

    Returns
    -------
    tuple
        Heap (times, ints, state), launcher state (ints, detection times,
        floats), rounds and reload stocks, site occupancy and last use, targets,
        zone counts, decoys, gateway state (open, version, closed since), lift
        availability, counters, and the coupling logs (gateway closures
        ``(n, 3)``, strikes ``(n, 4)``, stays ``(n, 4)``, with 0 rows unless
        ``ip[I_LOG_CIVIL]``) with each gateway's open log row, and each site's issuing
        supply node.
    """
    n_l = lp.shape[0]
    n_s = site_island.shape[0]
    n_z = zone_f.shape[0]
    n_g = gw_type.shape[0]
    n_d = decoy_site.shape[0]
    cap = 256 + 16 * n_l + 4 * n_d + 4 * n_g + 8 * n_z + 4 * ip[Y.I_MAX_TARGETS]
    n_lift = max(ip[Y.I_AIR_LIFT_COUNT], ip[Y.I_SEA_LIFT_COUNT], 1)
    n_log = 0
    n_stay = 0
    if ip[Y.I_LOG_CIVIL] == 1:
        n_log = 64 + min(ip[Y.I_INVENTORY], 100_000)
        n_stay = 64 + 4 * n_l * (int(fp[Y.F_HORIZON_H]) + 1)
    return (
        np.empty(cap, dtype=np.float64),
        np.empty((cap, 4), dtype=np.int64),
        np.zeros(2, dtype=np.int64),
        np.zeros((n_l, _N_LI), dtype=np.int64),
        np.full(n_l, np.inf),
        np.zeros((n_l, _N_LT), dtype=np.float64),
        rounds0.copy(),
        rounds0.copy(),
        np.zeros(n_s, dtype=np.int64),
        np.zeros(n_s, dtype=np.float64),
        np.zeros((max(ip[Y.I_MAX_TARGETS], 1), 3), dtype=np.int64),
        np.zeros(n_z, dtype=np.int64),
        np.zeros((n_d, 2), dtype=np.int64),
        np.ones(n_g, dtype=np.int64),
        np.zeros(n_g, dtype=np.int64),
        np.zeros(n_g, dtype=np.float64),
        np.zeros((2, n_lift), dtype=np.float64),
        np.zeros(_N_C, dtype=np.int64),
        np.zeros((n_log, 3), dtype=np.float64),
        np.zeros((n_log, 4), dtype=np.float64),
        np.zeros((n_stay, 4), dtype=np.float64),
        np.full(n_g, -1, dtype=np.int64),
        np.full(n_s, -1, dtype=np.int64),
    )


@njit(cache=True, _nrt=True)
def run_replication(
    rng,
    fp,
    ip,
    lp,
    l_site0,
    rounds0,
    reload0,
    mun_f,
    site_f,
    site_island,
    road_km,
    in_range,
    isl_gw,
    isl_km,
    site_gw_km,
    gw_type,
    gw_runway,
    zone_f,
    zone_i,
    decoy_site,
    lg_perm,
    lg_rec,
    lg_f,
    su_f,
    su_node,
    su_stock0,
    su_km,
    su_tr,
    su_mass,
    su_issue,
    su_site_isl,
    gw_island,
    out,
    series,
    trace,
):
    """Simulate one replication (allocates its own workspace).

    Parameters are those of :func:`_replicate` without ``ws``.

    Returns
    -------
    int
        Number of trace rows written.
    """
    ws = new_workspace(fp, ip, lp, rounds0, site_island, zone_f, gw_type, decoy_site)
    lsw = new_ls_workspace(lg_rec, su_node, su_stock0, su_tr, isl_gw.shape[0], lp.shape[0])
    return _replicate(
        rng, fp, ip, lp, l_site0, rounds0, reload0, mun_f, site_f, site_island, road_km,
        in_range, isl_gw, isl_km, site_gw_km, gw_type, gw_runway, zone_f, zone_i,
        decoy_site, lg_perm, lg_rec, lg_f, su_f, su_node, su_stock0, su_km, su_tr, su_mass,
        su_issue, su_site_isl, gw_island, out, series, trace, ws, lsw,
    )  # fmt: skip


@njit(cache=True, _nrt=False)
def _replicate(
    rng,
    fp,
    ip,
    lp,
    l_site0,
    rounds0,
    reload0,
    mun_f,
    site_f,
    site_island,
    road_km,
    in_range,
    isl_gw,
    isl_km,
    site_gw_km,
    gw_type,
    gw_runway,
    zone_f,
    zone_i,
    decoy_site,
    lg_perm,
    lg_rec,
    lg_f,
    su_f,
    su_node,
    su_stock0,
    su_km,
    su_tr,
    su_mass,
    su_issue,
    su_site_isl,
    gw_island,
    out,
    series,
    trace,
    ws,
    lsw,
):
    """Simulate one replication in a reused workspace.

    Parameters
    ----------
    rng : ndarray (4,) uint64
        The replication's stream state (:mod:`nansei.engine.rng`).
    fp, ip : ndarray (N_FP,) float64, (N_IP,) int64
        Scalar parameters indexed by :mod:`nansei.engine.layout`.
    lp : ndarray (L, N_LP) float64
        Per-launcher speed (km/h) and set-up, tear-down, reload, firing times (h).
    l_site0 : ndarray (L,) int64
        Start site of each launcher.
    rounds0, reload0 : ndarray (L, M) int64
        Rounds loaded, and rounds held for reloading, per munition.
    mun_f : ndarray (M, 2) float64
        Probability that a salvo of munition m hits its target; rounds per pod.
    site_f : ndarray (S, 3) float64
        Concealment in [0, 1], residents within the hazard radius (persons) and
        the time (h) until which the site is excluded (evacuation gateway rule).
    site_island : ndarray (S,) int64
    road_km : ndarray (S, S) float64
        Road distance between sites on the same island (km).
    in_range : ndarray (S, Z, M) uint8
        1 if zone z is within range of munition m fired from site s.
    isl_gw : ndarray (I, 2) int64
        Island's airport (column 0) and port (column 1) gateway index, or -1.
    isl_km : ndarray (I, I) float64
        Geodesic distance between island gateways (km).
    site_gw_km : ndarray (S, 2) float64
        Road distance from a site to its island's airport and port (km).
    gw_type : ndarray (G,) int64
        0 airport, 1 port.
    gw_runway : ndarray (G,) float64
        Runway length (m); 0 for ports.
    zone_f : ndarray (Z, 4) float64
        Arrivals per hour, dwell a, dwell b, start time (h).
    zone_i : ndarray (Z, 2) int64
        Dwell distribution kind, persistent flag.
    decoy_site : ndarray (K,) int64
        Site of each decoy.
    out : ndarray (N_OUT,) float64
        Output record, written in place.
    series : ndarray (n_steps, N_SERIES) float64
        Series per step, written in place.
    trace : ndarray (n_trace, 5) float64
        Event trace rows (time, event, entity, site, value); may have 0 rows.
    ws : tuple
        Workspace from :func:`new_workspace`, reset here.

    Returns
    -------
    int
        Number of trace rows written.

    Notes
    -----
    Compiled without Numba's reference counting (``_nrt=False``): nothing here may
    allocate, copy a whole array or receive a new array from a callee
    (``docs/engine.md``, ``tests/test_kernel_memory.py``).
    """
    horizon = fp[Y.F_HORIZON_H]
    step_h = fp[Y.F_SERIES_STEP_H]
    n_l = lp.shape[0]
    n_z = zone_f.shape[0]
    n_g = gw_type.shape[0]
    n_d = decoy_site.shape[0]
    n_steps = series.shape[0]

    (ht, hi, hs, li, det_t, lt, rounds, reload, site_occ, site_last, tg, zone_alive, dec,
     gw_open, gw_ver, gw_since, lift_free, cnt,
     gw_log, strike_log, stay_log, gw_row, issue_site) = ws  # fmt: skip
    hs[:] = 0
    li[:, :] = 0
    det_t[:] = np.inf
    lt[:, :] = 0.0
    for i in range(rounds.shape[0]):  # element loops: no temporary (the kernel runs without NRT)
        for m in range(rounds.shape[1]):
            rounds[i, m] = rounds0[i, m]
            reload[i, m] = reload0[i, m]
    site_occ[:] = -1
    site_last[:] = -np.inf
    tg[:, :] = 0
    zone_alive[:] = 0
    dec[:, :] = 0
    gw_open[:] = 1
    gw_ver[:] = 0
    gw_since[:] = 0.0
    lift_free[:, :] = 0.0
    cnt[:] = 0
    gw_row[:] = -1
    cnt[_C_INV] = ip[Y.I_INVENTORY]
    out[:] = 0.0
    series[:, :] = 0.0
    out[Y.O_FIRST_LOSS] = np.nan
    out[Y.O_LAUNCHERS] = n_l

    # initial events
    for la in range(n_l):
        li[la, _SITE] = l_site0[la]
        li[la, _ST] = Y.MOVING
        li[la, _STRUCK] = -1
        lt[la, _T_LEAVE] = np.inf
        site_occ[l_site0[la]] = la
        _push(ht, hi, hs, cnt, 0.0, Y.EV_ARRIVE, la, 0)
    for d in range(n_d):
        dec[d, 0] = 1
        dt = exp_time(rng, fp[Y.F_RATE_HIDDEN] * (1.0 - fp[Y.F_DECOY_CONCEALMENT]))
        if dt <= horizon:
            _push(ht, hi, hs, cnt, dt, Y.EV_DECOY_DETECT, d, 0)
    for z in range(n_z):
        if zone_i[z, 1] == 1 or zone_f[z, 0] > 0.0:
            _push(ht, hi, hs, cnt, zone_f[z, 3], Y.EV_TARGET_ARRIVE, z, -1)
    if fp[Y.F_GW_RATE_PER_H] > 0.0 and n_g > 0:
        t0 = fp[Y.F_STRIKES_START_H] + exp_time(rng, fp[Y.F_GW_RATE_PER_H])
        _push(ht, hi, hs, cnt, t0, Y.EV_GW_STRIKE, 0, 0)
    _push(ht, hi, hs, cnt, horizon, Y.EV_HORIZON, 0, 0)
    cx = (lg_perm, lg_rec, lg_f, su_f, su_node, su_stock0, su_km, su_tr, su_mass, su_issue,
          su_site_isl, gw_island)  # fmt: skip
    sx = lsw
    auth_t = lsw[6]
    trig_t = lsw[7]
    su_on = su_f[0] == 1.0
    stock = lsw[8]
    logging = trace.shape[0] > 0
    issue_site[:] = -1
    if su_on:
        for s in range(site_island.shape[0]):
            if su_site_isl[s] >= 0:
                issue_site[s] = su_issue[su_site_isl[s]]
    ls_start(rng, cx, sx, out, ht, hi, hs, cnt, horizon)
    if su_on:
        ls_fuel_start(sx, lp, out)

    t = 0.0
    step = 0
    trace_on = trace.shape[0] > 0
    while hs[0] > 0 and cnt[_C_OVERFLOW] == 0:
        e = _earliest(det_t)
        if e >= 0 and det_t[e] < ht[0]:
            t = det_t[e]
            code = Y.EV_DETECT
            tag = 0
        else:
            t, code, e, tag = heap_pop(ht, hi, hs)
        out[Y.O_EVENTS] += 1
        eng_lo = 0
        eng_hi = 0
        # series steps close lazily, before the first event at or after their end
        while step < n_steps and t >= (step + 1) * step_h:
            _close_step(li, gw_open, series, step, n_steps)
            if su_on:
                ls_series(cx, sx, series, step)
            step += 1
        if code == Y.EV_HORIZON:
            break
        if trace_on:
            site = li[e, _SITE] if code <= Y.EV_DETECT else -1
            _trace(trace, cnt, t, code, e, site, tag)

        if code == Y.EV_ARRIVE:
            if li[e, _ST] == Y.DESTROYED:
                continue
            li[e, _ST] = Y.SETTING_UP
            li[e, _STAY] += 1
            li[e, _NSALVO] = 0
            li[e, _SCOOT] = 0
            li[e, _PEND] = 0
            lt[e, _T_STAY] = t
            lt[e, _T_LEAVE] = np.inf
            if su_on:
                ls_refuel(cx, sx, lp, out, trace, cnt, ht, hi, hs, t, e, li[e, _SITE], False)
            _push(
                ht, hi, hs, cnt, t + _ldraw(rng, lp, e, Y.L_SETUP), Y.EV_SETUP_DONE, e, li[e, _STAY]
            )
            _refresh_detection(rng, fp, li, site_f, det_t, e, t)

        elif code == Y.EV_SETUP_DONE:
            if li[e, _ST] != Y.SETTING_UP or tag != li[e, _STAY]:
                continue
            li[e, _ST] = Y.HIDDEN
            dwell = draw(rng, ip[Y.I_DWELL_KIND], fp[Y.F_DWELL_A], fp[Y.F_DWELL_B])
            _schedule_depart(rng, lp, li, lt, ht, hi, hs, cnt, e, t + dwell)
            _refresh_detection(rng, fp, li, site_f, det_t, e, t)
            eng_lo, eng_hi = e, e + 1

        elif code == Y.EV_FIRE:
            li[e, _PEND] = 0
            if li[e, _ST] != Y.HIDDEN or tag != li[e, _STAY] or li[e, _SCOOT] == 1:
                continue
            k, m = _find_target(ip, li, rounds, in_range, tg, zone_alive, cnt, e)
            if k < 0:
                continue
            if su_on and not ls_fuel_ok(
                cx, sx, lp, out, trace, cnt, ht, hi, hs, t, e, li[e, _SITE], 0.0
            ):
                out[Y.O_NO_FUEL_SALVOS] += 1
                if sx[20][e] != 2:
                    sx[20][e] = 1
                continue
            r = min(ip[Y.I_ROUNDS_PER_SALVO], rounds[e, m])
            rounds[e, m] -= r
            out[Y.O_SALVOS] += 1
            out[Y.O_ROUNDS] += r
            series[min(step, n_steps - 1), Y.S_SALVOS] += 1
            if tg[k, 2] == 0:
                out[Y.O_TARGETS_ENGAGED] += 1
            tg[k, 2] += 1
            if random(rng) < mun_f[m, 0]:
                out[Y.O_TARGETS_HIT] += 1
                if zone_i[tg[k, 0], 1] == 0:
                    tg[k, 1] = 0
                    zone_alive[tg[k, 0]] -= 1
            li[e, _NSALVO] += 1
            li[e, _ST] = Y.FIRING
            lt[e, _T_SALVO] = t
            if su_on or trig_t[1] == np.inf:
                ls_salvo(cx, sx, rounds, reload, ht, hi, hs, cnt, t, e)
            if random(rng) < fp[Y.F_P_DETECT_LAUNCH]:
                out[Y.O_DETECTIONS] += 1
                out[Y.O_LAUNCH_DETECTIONS] += 1
                _on_detection(
                    rng, fp, ip, li, cnt, out, series, min(step, n_steps - 1), ht, hi, hs, t, e
                )
            _push(ht, hi, hs, cnt, t + lp[e, Y.L_FIRING_H], Y.EV_FIRE_DONE, e, li[e, _STAY])
            _refresh_detection(rng, fp, li, site_f, det_t, e, t)

        elif code == Y.EV_FIRE_DONE:
            if li[e, _ST] != Y.FIRING or tag != li[e, _STAY]:
                continue
            li[e, _ST] = Y.HIDDEN
            _refresh_detection(rng, fp, li, site_f, det_t, e, t)
            scoot = ip[Y.I_SCOOT_AFTER]
            if scoot > 0 and li[e, _NSALVO] >= scoot:
                li[e, _SCOOT] = 1
                t_dep = max(t, lt[e, _T_SALVO] + fp[Y.F_SCOOT_DELAY_H])
                _schedule_depart(rng, lp, li, lt, ht, hi, hs, cnt, e, t_dep)
                continue
            left = 0
            for m in range(rounds.shape[1]):
                left += rounds[e, m]
            if left <= 0:
                if not _start_reload(rng, lp, li, lt, rounds, reload, ht, hi, hs, cnt, t, e):
                    _issue(
                        rng, lp, li, lt, rounds, reload, in_range, zone_alive, mun_f, out, trace,
                        ht, hi, hs, cnt, t, e, cx, sx,
                    )  # fmt: skip
                if li[e, _ST] == Y.RELOADING:
                    _refresh_detection(rng, fp, li, site_f, det_t, e, t)
                continue
            gap = max(fp[Y.F_SALVO_INTERVAL_H] - lp[e, Y.L_FIRING_H], 0.0)
            li[e, _PEND] = 1
            _push(ht, hi, hs, cnt, t + gap, Y.EV_FIRE, e, li[e, _STAY])

        elif code == Y.EV_RELOAD_DONE:
            if li[e, _ST] != Y.RELOADING or tag != li[e, _STAY]:
                continue
            for m in range(rounds.shape[1]):
                if reload[e, m] > 0:
                    pod = min(reload[e, m], int(mun_f[m, 1]))
                    rounds[e, m] += pod
                    reload[e, m] -= pod
                    break
            li[e, _ST] = Y.HIDDEN
            _refresh_detection(rng, fp, li, site_f, det_t, e, t)
            eng_lo, eng_hi = e, e + 1

        elif code == Y.EV_DEPART:
            st = li[e, _ST]
            if tag != li[e, _DEP] or st == Y.DESTROYED or st == Y.MOVING or st == Y.SETTING_UP:
                continue
            if st == Y.RELOADING or st == Y.FIRING:
                t_next = lt[e, _T_RELOAD] if st == Y.RELOADING else t + lp[e, Y.L_FIRING_H]
                t_next = max(t_next, t)
                lt[e, _T_LEAVE] += t_next - t
                _push(ht, hi, hs, cnt, t_next, Y.EV_DEPART, e, tag)
                continue
            li[e, _ST] = Y.SETTING_UP
            li[e, _SCOOT] = 1
            _push(ht, hi, hs, cnt, lt[e, _T_LEAVE], Y.EV_LEAVE, e, li[e, _STAY])
            _refresh_detection(rng, fp, li, site_f, det_t, e, t)

        elif code == Y.EV_LEAVE:
            if li[e, _ST] != Y.SETTING_UP or tag != li[e, _STAY]:
                continue
            cur = li[e, _SITE]
            isl = site_island[cur]
            dest = -1
            t_arr = 0.0
            km = 0.0
            no_fuel = False
            barred = t < auth_t[A_TEMP_BASES]
            if barred:
                # no new temporary base yet: stay at the current site, draw a new dwell
                out[Y.O_BLOCKED_FIRST + A_TEMP_BASES] += 1
                if logging:
                    why = block_reason(cx[0], cx[2], sx[5], A_TEMP_BASES, t)
                    _trace(trace, cnt, t, Y.EV_BLOCKED, A_TEMP_BASES, cur, why)
            elif fp[Y.F_INTER_ISLAND_P] > 0.0 and random(rng) < fp[Y.F_INTER_ISLAND_P]:
                n_isl = isl_gw.shape[0]
                b = int(random(rng) * (n_isl - 1))
                if b >= isl:
                    b += 1
                cand = _choose_site(
                    rng, ip, li, site_island, road_km, site_occ, site_last, site_f, t, e, b
                )
                if cand >= 0 and su_on:
                    km = _inter_km(site_gw_km, cur, cand)
                    if not ls_fuel_ok(
                        cx, sx, lp, out, trace, cnt, ht, hi, hs, t, e, cur, km * lp[e, Y.L_FUEL_KM]
                    ):
                        cand = -1  # not enough fuel to reach the gateways: stay on the island
                if cand >= 0:
                    t_gw, mode = _lift(
                        fp, ip, lift_free, gw_open, gw_runway, isl_gw, isl_km, site_gw_km,
                        lp[e, Y.L_SPEED_KMH], t, isl, b, cur,
                    )  # fmt: skip
                    if mode >= 0:
                        dest = cand
                        t_arr = t_gw + site_gw_km[cand, mode] / lp[e, Y.L_SPEED_KMH]
                        km = site_gw_km[cur, mode] + site_gw_km[cand, mode]
                        out[Y.O_INTER_ISLAND] += 1
                    else:
                        out[Y.O_INTER_BLOCKED] += 1
                else:
                    out[Y.O_INTER_BLOCKED] += 1
            if dest < 0 and not barred:
                dest = _choose_site(
                    rng, ip, li, site_island, road_km, site_occ, site_last, site_f, t, e, isl
                )
                if dest >= 0:
                    if ip[Y.I_MOVE_MODE] == 1:
                        t_arr = t + fp[Y.F_FIXED_MOVE_H]
                        km = fp[Y.F_FIXED_MOVE_H] * lp[e, Y.L_SPEED_KMH]
                    else:
                        t_arr = t + road_km[cur, dest] / lp[e, Y.L_SPEED_KMH]
                        km = road_km[cur, dest]
                    if su_on and not ls_fuel_ok(
                        cx, sx, lp, out, trace, cnt, ht, hi, hs, t, e, cur, km * lp[e, Y.L_FUEL_KM]
                    ):
                        dest = -1
                        no_fuel = True
            if dest < 0:
                # no free site (draw a new dwell) or no fuel (wait for fuel): stay put
                li[e, _ST] = Y.HIDDEN
                li[e, _SCOOT] = 0
                li[e, _NSALVO] = 0
                lt[e, _T_LEAVE] = np.inf
                if no_fuel:
                    out[Y.O_NO_FUEL_MOVES] += 1
                    sx[20][e] = 2
                else:
                    dwell = draw(rng, ip[Y.I_DWELL_KIND], fp[Y.F_DWELL_A], fp[Y.F_DWELL_B])
                    _schedule_depart(rng, lp, li, lt, ht, hi, hs, cnt, e, t + dwell)
                _refresh_detection(rng, fp, li, site_f, det_t, e, t)
                eng_lo, eng_hi = e, e + 1
            else:
                _end_stay(li, lt, site_f, site_occ, site_last, out, t, e, stay_log, cnt)
                out[Y.O_RELOCATIONS] += 1
                series[min(step, n_steps - 1), Y.S_RELOCATIONS] += 1
                li[e, _ST] = Y.MOVING
                li[e, _SITE] = dest
                site_occ[dest] = e
                if su_on:
                    ls_fuel_move(sx, lp, out, e, km, t_arr)
                _push(ht, hi, hs, cnt, t_arr, Y.EV_ARRIVE, e, 0)
                _refresh_detection(rng, fp, li, site_f, det_t, e, t)

        elif code == Y.EV_DETECT:
            out[Y.O_DETECTIONS] += 1
            _on_detection(
                rng, fp, ip, li, cnt, out, series, min(step, n_steps - 1), ht, hi, hs, t, e
            )
            _refresh_detection(rng, fp, li, site_f, det_t, e, t)

        elif code == Y.EV_DECOY_DETECT:
            if dec[e, 0] == 0:
                continue
            out[Y.O_DECOY_DETECTIONS] += 1
            identified = random(rng) < fp[Y.F_DECOY_P_IDENTIFY]
            if not identified and (ip[Y.I_DOCTRINE] == 1 or dec[e, 1] == 0):
                if _strike_site(
                    rng, fp, ip, cnt, out, series, min(step, n_steps - 1), ht, hi, hs, t,
                    decoy_site[e],
                ):  # fmt: skip
                    dec[e, 1] = 1
            dt = exp_time(rng, fp[Y.F_RATE_HIDDEN] * (1.0 - fp[Y.F_DECOY_CONCEALMENT]))
            if t + dt <= horizon:
                _push(ht, hi, hs, cnt, t + dt, Y.EV_DECOY_DETECT, e, 0)

        elif code == Y.EV_STRIKE:
            s = e
            series[min(step, n_steps - 1), Y.S_STRIKES] += 1
            la = site_occ[s]
            present = la >= 0 and li[la, _ST] != Y.MOVING and li[la, _SITE] == s
            if present and ip[Y.I_TIE_RULE] == 0 and t >= lt[la, _T_LEAVE]:
                present = False
            if not present and ip[Y.I_TIE_RULE] == 1:
                # launcher caught at the exact instant it left this site
                for j in range(n_l):
                    if li[j, _ST] == Y.MOVING and lt[j, _T_LEAVE] == t and site_last[s] == t:
                        la = j
                        present = True
                        break
            leak = 0
            kill = False
            if su_on or trig_t[0] == np.inf:
                ls_struck(cx, sx, out, trace, cnt, ht, hi, hs, t, su_site_isl[s], False)
            p_int = fp[Y.F_P_INTERCEPT]
            if p_int > 0.0 and t < auth_t[A_USE_OF_FORCE] and lg_f[G_AD_SDF] == 1.0:
                p_int = ls_p_intercept(
                    cx, sx, p_int, out, trace, cnt, t, ip[Y.I_MISSILES_PER_STRIKE], s
                )
            for _ in range(ip[Y.I_MISSILES_PER_STRIKE]):
                if random(rng) < p_int:
                    out[Y.O_INTERCEPTED] += 1
                else:
                    leak += 1
                    if random(rng) < fp[Y.F_P_KILL]:
                        kill = True
            if leak > 0:
                out[Y.O_CASUALTY] += site_f[s, 1]
            _log_row(strike_log, cnt, _C_NSTRLOG, t, s, site_island[s], 1.0 if leak > 0 else 0.0)
            if present:
                out[Y.O_ON_TARGET] += leak
                if kill:
                    _destroy(li, lt, site_f, site_occ, site_last, out, t, la, stay_log, cnt)
                    det_t[la] = np.inf
                    if su_on:
                        ls_lost(sx, lp, out, t, la)
            else:
                out[Y.O_WASTED] += leak
                out[Y.O_STRIKES_WASTED] += 1
                for d in range(n_d):
                    if decoy_site[d] == s and dec[d, 0] == 1:
                        out[Y.O_STRIKES_DECOY] += 1
                        if kill and ip[Y.I_DECOY_DESTROYABLE] == 1:
                            dec[d, 0] = 0
                            out[Y.O_DECOYS_DESTROYED] += 1
                        break

        elif code == Y.EV_TARGET_ARRIVE:
            z = e
            if tag == -1 or zone_i[z, 1] == 0:
                k = cnt[_C_NTGT]
                if k < tg.shape[0]:
                    cnt[_C_NTGT] = k + 1
                    tg[k, 0] = z
                    tg[k, 1] = 1
                    zone_alive[z] += 1
                    out[Y.O_TARGETS_ARRIVED] += 1
                    if zone_i[z, 1] == 0:
                        dwell = draw(rng, zone_i[z, 0], zone_f[z, 1], zone_f[z, 2])
                        _push(ht, hi, hs, cnt, t + dwell, Y.EV_TARGET_LEAVE, k, 0)
                else:
                    cnt[_C_OVERFLOW] = 1
            if zone_i[z, 1] == 0 and zone_f[z, 0] > 0.0:
                dt = exp_time(rng, zone_f[z, 0])
                if t + dt <= horizon:
                    _push(ht, hi, hs, cnt, t + dt, Y.EV_TARGET_ARRIVE, z, 0)
            eng_lo, eng_hi = 0, n_l

        elif code == Y.EV_TARGET_LEAVE:
            if tg[e, 1] == 1:
                tg[e, 1] = 0
                zone_alive[tg[e, 0]] -= 1

        elif code == Y.EV_GW_STRIKE:
            g = int(random(rng) * n_g)
            gt = ip[Y.I_GW_TARGETS]
            n = ip[Y.I_MISSILES_PER_STRIKE]
            if (gt == 2 or gw_type[g] == gt) and _red_can_fire(ip, cnt, t, n):
                _red_spend(cnt, out, series, min(step, n_steps - 1), n)
                out[Y.O_GW_STRIKES] += 1
                leak = 0
                p_int = fp[Y.F_P_INTERCEPT]
                if p_int > 0.0 and t < auth_t[A_USE_OF_FORCE] and lg_f[G_AD_SDF] == 1.0:
                    p_int = ls_p_intercept(cx, sx, p_int, out, trace, cnt, t, n, -1)
                for _ in range(n):
                    if random(rng) < p_int:
                        out[Y.O_INTERCEPTED] += 1
                    else:
                        leak += 1
                out[Y.O_ON_GATEWAYS] += leak
                if su_on or trig_t[0] == np.inf:
                    ls_struck(cx, sx, out, trace, cnt, ht, hi, hs, t, gw_island[g], leak > 0)
                if leak > 0:
                    if gw_open[g] == 1:
                        gw_open[g] = 0
                        gw_since[g] = t
                        gw_row[g] = _log_row(gw_log, cnt, _C_NGWLOG, g, t, np.inf, 0.0)
                    gw_ver[g] += 1
                    rep = draw(rng, ip[Y.I_REPAIR_KIND], fp[Y.F_REPAIR_A], fp[Y.F_REPAIR_B])
                    _push(ht, hi, hs, cnt, t + rep, Y.EV_GW_REOPEN, g, gw_ver[g])
            dt = exp_time(rng, fp[Y.F_GW_RATE_PER_H])
            if t + dt <= horizon:
                _push(ht, hi, hs, cnt, t + dt, Y.EV_GW_STRIKE, 0, 0)

        elif code == Y.EV_GW_REOPEN:
            if tag == gw_ver[e] and gw_open[e] == 0:
                gw_open[e] = 1
                ls_review(cx, sx, gw_open, out, trace, cnt, ht, hi, hs, t, False, -1)
                out[Y.O_GW_CLOSED_H] += t - gw_since[e]
                if gw_row[e] >= 0:
                    gw_log[gw_row[e], 2] = t

        elif code == Y.EV_LEGAL:
            if su_on and ls_any_stranded(sx):
                _fuel_resume(
                    rng, ip, lp, li, lt, rounds, reload, in_range, tg, zone_alive, mun_f, out,
                    trace, ht, hi, hs, cnt, t, cx, sx, -1, auth_t, issue_site, stock, logging,
                )  # fmt: skip
            eng_lo, eng_hi = 0, n_l  # ls_review follows the engagements, below

        elif code == Y.EV_SUPPLY_ARRIVE:
            p = ls_arrive(cx, sx, gw_open, out, trace, cnt, ht, hi, hs, t, e, tag)
            if p >= 0 and ls_any_stranded(sx):
                _fuel_resume(
                    rng, ip, lp, li, lt, rounds, reload, in_range, tg, zone_alive, mun_f, out,
                    trace, ht, hi, hs, cnt, t, cx, sx, su_node[p, 1], auth_t, issue_site, stock,
                    logging,
                )  # fmt: skip

        elif code == Y.EV_SUPPLY_REVIEW:
            ls_review(cx, sx, gw_open, out, trace, cnt, ht, hi, hs, t, False, e)
            if su_on and ls_any_stranded(sx):
                _fuel_resume(
                    rng, ip, lp, li, lt, rounds, reload, in_range, tg, zone_alive, mun_f, out,
                    trace, ht, hi, hs, cnt, t, cx, sx, su_node[e, 1] if e >= 0 else -1, auth_t,
                    issue_site, stock, logging,
                )  # fmt: skip

        elif code == Y.EV_CONVOY:
            ls_review(cx, sx, gw_open, out, trace, cnt, ht, hi, hs, t, True, -1)
            if t + su_f[2] < horizon:
                _push(ht, hi, hs, cnt, t + su_f[2], Y.EV_CONVOY, 0, 0)

        # The one engagement site: launchers eng_lo .. eng_hi-1 that are hidden and idle
        # look for a target (one inlined copy of _try_engage keeps the compile short).
        for j in range(eng_lo, eng_hi):
            if li[j, _ST] != Y.HIDDEN or li[j, _PEND] == 1 or li[j, _SCOOT] == 1:
                continue  # _try_engage's own first test
            _offer(
                rng, ip, lp, li, lt, rounds, reload, in_range, tg, zone_alive, mun_f, out, trace,
                ht, hi, hs, cnt, t, j, auth_t, issue_site, stock, logging, cx, sx,
            )  # fmt: skip
        if code == Y.EV_LEGAL:
            ls_review(cx, sx, gw_open, out, trace, cnt, ht, hi, hs, t, False, -1)

    # close the books at the horizon
    t = horizon
    for la in range(n_l):
        st = li[la, _ST]
        if st == Y.DESTROYED:
            continue
        out[Y.O_LAUNCHER_HOURS] += horizon
        if su_on:
            ls_fuel_close(sx, lp, out, horizon, la)
        if st != Y.MOVING:
            out[Y.O_EXPOSURE] += site_f[li[la, _SITE], 1] * (horizon - lt[la, _T_STAY])
            _log_stay(stay_log, cnt, la, li[la, _SITE], lt[la, _T_STAY], horizon)
    for g in range(n_g):
        if gw_open[g] == 0:
            out[Y.O_GW_CLOSED_H] += horizon - gw_since[g]
    while step < n_steps:
        _close_step(li, gw_open, series, step, n_steps)
        if su_on:
            ls_series(cx, sx, series, step)
        step += 1
    ls_close(cx, sx, out, trace, cnt, horizon)
    out[Y.O_OVERFLOW] = cnt[_C_OVERFLOW]
    return cnt[_C_NTRACE]


@njit(cache=True, inline="always")
def _inter_km(site_gw_km, a, b):
    """Road km of an inter-island move from site ``a`` to ``b`` by the longer of the
    two gateway routes that exist (the fuel a launcher needs before asking for lift)."""
    best = 0.0
    for mode in range(2):
        km = site_gw_km[a, mode] + site_gw_km[b, mode]
        if km < np.inf and km > best:
            best = km
    return best


@njit(cache=True, _nrt=True)
def _fuel_resume(
    rng, ip, lp, li, lt, rounds, reload, in_range, tg, zone_alive, mun_f, out, trace, ht, hi,
    hs, cnt, t, cx, sx, island, auth_t, issue_site, stock, logging,
):  # fmt: skip
    """Refuel launchers waiting for fuel on ``island`` (-1: every island) and let the
    fuelled ones go on: move (after tear-down) or look for a target."""
    strand = sx[20]
    su_site_isl = cx[10]
    for la in range(li.shape[0]):
        if strand[la] == 0:
            continue
        st = li[la, _ST]
        if st == Y.DESTROYED:
            strand[la] = 0
            continue
        if strand[la] > 0:
            if island >= 0 and su_site_isl[li[la, _SITE]] != island:
                continue
            ls_refuel(cx, sx, lp, out, trace, cnt, ht, hi, hs, t, la, li[la, _SITE], True)
            if strand[la] > 0:
                continue
        kind = -strand[la]
        strand[la] = 0
        if kind == 2:
            if st == Y.HIDDEN or st == Y.RELOADING or st == Y.FIRING:
                _schedule_depart(rng, lp, li, lt, ht, hi, hs, cnt, la, t)
        else:
            _offer(
                rng, ip, lp, li, lt, rounds, reload, in_range, tg, zone_alive, mun_f, out, trace,
                ht, hi, hs, cnt, t, la, auth_t, issue_site, stock, logging, cx, sx,
            )  # fmt: skip


@njit(cache=True, inline="always")
def _earliest(det_t):
    """Index of the smallest finite entry of ``det_t``, or -1."""
    best = -1
    tb = np.inf
    for j in range(det_t.shape[0]):
        if det_t[j] < tb:
            tb = det_t[j]
            best = j
    return best


@njit(cache=True, inline="always")
def _close_step(li, gw_open, series, step, n_steps):
    if step >= n_steps:
        return
    alive = 0
    for la in range(li.shape[0]):
        if li[la, _ST] != Y.DESTROYED:
            alive += 1
    closed = 0
    for g in range(gw_open.shape[0]):
        if gw_open[g] == 0:
            closed += 1
    series[step, Y.S_ALIVE] = alive
    series[step, Y.S_GW_CLOSED] = closed


@njit(cache=True, _nrt=True)
def run_batch_kernel(
    entropy,
    design_point,
    start,
    fp,
    ip,
    lp,
    l_site0,
    rounds0,
    reload0,
    mun_f,
    site_f,
    site_island,
    road_km,
    in_range,
    isl_gw,
    isl_km,
    site_gw_km,
    gw_type,
    gw_runway,
    zone_f,
    zone_i,
    decoy_site,
    lg_perm,
    lg_rec,
    lg_f,
    su_f,
    su_node,
    su_stock0,
    su_km,
    su_tr,
    su_mass,
    su_issue,
    su_site_isl,
    gw_island,
    out,
    series,
    scratch,
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
    out_ev,
    series_ev,
    scratch_ev,
):
    """Run replications ``start .. start + n - 1`` in one call.

    Seeding happens here (:func:`nansei.engine.rng.seed_stream`), so a batch
    costs one dispatch from Python, not one per replication. When
    ``ip[I_LOG_CIVIL]`` is set, each replication's stays, strikes and gateway
    closures feed the evacuation sub-model
    (:func:`nansei.engine.evacuation.run_evacuation`), which draws from its own
    sub-stream ``(design_point, replication, 1)``.

    Parameters
    ----------
    entropy : ndarray (k,) uint64
        Root seed words (:func:`nansei.engine.rng.entropy_words`).
    design_point, start : int
        Spawn key of the first replication is ``(design_point, start)``.
    fp ... decoy_site
        As :func:`run_replication`.
    out : ndarray (n, N_OUT) float64
        One record per replication, written in place.
    series : ndarray (n, n_steps, N_SERIES) or (0, n_steps, N_SERIES) float64
        Per-replication series, written in place when it has ``n`` rows.
    scratch : ndarray (n_steps, N_SERIES) float64
        Work space for the series when they are not kept.
    ev_f ... site_isl
        Evacuation arrays (:data:`nansei.engine.compile_civil.EVAC_ARGS`).
    out_ev : ndarray (n, n_ev_out) float64
        Evacuation outputs per replication (0 columns when not simulated).
    series_ev : ndarray (n or 0, n_days, n_ev_series) float64
        Daily evacuation series, kept when it has ``n`` rows.
    scratch_ev : ndarray (n_days, n_ev_series) float64
        Work space for the evacuation series when they are not kept.
    """
    st = np.zeros(4, dtype=np.uint64)
    st_ev = np.zeros(4, dtype=np.uint64)
    no_trace = np.zeros((0, 5), dtype=np.float64)
    keep = series.shape[0] == out.shape[0]
    keep_ev = series_ev.shape[0] == out.shape[0]
    civil = ip[Y.I_LOG_CIVIL] == 1
    ws = new_workspace(fp, ip, lp, rounds0, site_island, zone_f, gw_type, decoy_site)
    lsw = new_ls_workspace(lg_rec, su_node, su_stock0, su_tr, isl_gw.shape[0], lp.shape[0])
    cnt = ws[17]
    for j in range(out.shape[0]):
        seed_stream(st, entropy, design_point, start + j)
        ser = series[j] if keep else scratch
        _replicate(
            st, fp, ip, lp, l_site0, rounds0, reload0, mun_f, site_f, site_island, road_km,
            in_range, isl_gw, isl_km, site_gw_km, gw_type, gw_runway, zone_f, zone_i,
            decoy_site, lg_perm, lg_rec, lg_f, su_f, su_node, su_stock0, su_km, su_tr,
            su_mass, su_issue, su_site_isl, gw_island, out[j], ser, no_trace, ws, lsw,
        )  # fmt: skip
        if civil:
            run_evacuation(
                st_ev, entropy, design_point, start + j, ev_f, ev_i, ev_pop, ev_int, isl_ev,
                pref_rank, pref_quota, gw_int, gw_cap_h, site_near, site_res, site_isl,
                lsw[6][A_EVACUATION], ws[18], cnt[_C_NGWLOG], ws[19], cnt[_C_NSTRLOG], ws[20],
                cnt[_C_NSTAYLOG], out_ev[j], series_ev[j] if keep_ev else scratch_ev,
            )  # fmt: skip
