"""Relocation: where a launcher goes when it leaves a site, and how it gets there.

Site choice among free sites (a site holds at most one launcher; a site
excluded by the evacuation's gateway rule is not free, nor, under site memory,
one Blue fired from or saw struck within ``site_memory_h``): ``random``,
``nearest_free`` (road distance; straight line between islands),
``least_recently_used``, ``farthest`` (``I_SITE_CHOICE`` 0-3).

* Road moves (``I_MOVE_MODE`` 0): with probability ``inter_island_move_prob``
  a move goes to another island by air or sea lift (open gateways at both ends,
  a runway long enough for air lift, a free platform); otherwise to a free site
  on the island by road, and, when the island has none, to another island by
  lift.
* Fixed moves (1, idealised): to any free site in play, in ``fixed_move_h``.
* Firing points (``I_FIRE_FROM`` 1): a launcher waits at a hide; for a fire
  mission it drives to the nearest free site within ``F_FP_KM`` from which a
  loaded munition reaches a target (:func:`choose_firing_point`), fires there,
  and then moves to a hide other than the one it came from.

A move the law bars (``us_temporary_bases``) or with nowhere to go stays and
draws a new dwell; a move without the fuel for it waits for fuel.
"""

from __future__ import annotations

import numpy as np

from nansei.engine import layout as Y
from nansei.engine.books import push, trace_row
from nansei.engine.detection import refresh_detection
from nansei.engine.fuel import fuel_move, fuel_ok, request_resupply
from nansei.engine.jit import kernel
from nansei.engine.launchers import draw_dwell, end_stay, schedule_depart
from nansei.engine.layout import U_ENABLED
from nansei.engine.legal import A_TEMP_BASES, block_reason
from nansei.engine.rng import random
from nansei.engine.state import (
    AT_FP,
    ENG_NONE,
    MOVE_KIND,
    NEXT,
    NSALVO,
    ORIGIN,
    SCOOT,
    SITE,
    ST,
    STAY,
    STRAND_MOVE,
    T_ARRIVE,
    T_LEAVE,
)
from nansei.engine.supply import stock_check
from nansei.engine.targets import find_target_at


@kernel
def _free(m, s, site, cur, island, t, avoid):
    """Site ``site`` is on ``island`` (any island in play if -1), unoccupied, not
    ``cur`` or ``avoid``, not excluded at ``t`` and not remembered as compromised."""
    isl = m.site_island[site]
    return (
        (isl == island or (island < 0 and isl >= 0))
        and s.w.site_occ[site] < 0
        and site != cur
        and site != avoid
        and t >= m.site_f[site, 2]
        and t - s.w.site_hot[site] >= m.fp[Y.F_SITE_MEMORY_H]
    )


@kernel
def _km(m, a, b):
    """Road km between sites ``a`` and ``b``, or the straight line between islands."""
    d = m.road_km[a, b]
    if d < np.inf:
        return d
    dx = m.site_xy[a, 0] - m.site_xy[b, 0]
    dy = m.site_xy[a, 1] - m.site_xy[b, 1]
    return np.sqrt(dx * dx + dy * dy)


@kernel
def choose_site(rng, m, s, t, la, island, avoid):
    """Pick the next site on ``island`` (-1: anywhere in play) for launcher ``la``,
    other than ``avoid``; -1 if none is free."""
    cur = s.L.i[la, SITE]
    rule = m.ip[Y.I_SITE_CHOICE]
    site_island, site_last = m.site_island, s.w.site_last
    best = -1
    n_free = 0
    best_val = 0.0
    for site in range(site_island.shape[0]):
        if not _free(m, s, site, cur, island, t, avoid):
            continue
        n_free += 1
        if rule == 0:
            continue
        d = _km(m, cur, site) if site_island[cur] == island or island < 0 else 0.0
        if rule == 1:
            val = -d
        elif rule == 2:
            val = -site_last[site]
        else:
            val = d
        if best < 0 or val > best_val:
            best = site
            best_val = val
    if rule == 0 and n_free > 0:
        pick = int(random(rng) * n_free)
        for site in range(site_island.shape[0]):
            if not _free(m, s, site, cur, island, t, avoid):
                continue
            if pick == 0:
                return site
            pick -= 1
    return best


@kernel
def choose_firing_point(m, s, t, la):
    """Firing-point mode: the nearest free site within ``F_FP_KM`` of launcher ``la``'s
    hide (its island; anywhere in play for fixed moves) from which a loaded munition
    reaches a live target.

    Returns
    -------
    tuple of int
        ``(site, mu)``: the firing point, or -1 with ``mu >= 0`` when a target is
        reachable from a candidate but no rounds are loaded for it (``-1, -1``: none).
    """
    cur = s.L.i[la, SITE]
    island = -1 if m.ip[Y.I_MOVE_MODE] == 1 else m.site_island[cur]
    best = -1
    best_d = np.inf
    empty = -1
    for site in range(m.site_island.shape[0]):
        if not _free(m, s, site, cur, island, t, -1):
            continue
        d = _km(m, cur, site)
        if d > m.fp[Y.F_FP_KM] or d >= best_d:
            continue
        k, mu = find_target_at(m, s, la, site)
        if k >= 0:
            best = site
            best_d = d
        elif mu >= 0 and (empty < 0 or mu < empty):
            empty = mu  # the preferred munition that would reach from some candidate
    return best, empty


@kernel
def lift(m, s, t, a, b, s0, speed):
    """Plan an inter-island lift from island ``a`` (site ``s0``) to ``b``.

    Returns ``(arrival time at the destination gateway, mode)``; mode -1 when no
    lift is possible (gateway closed, runway too short, no asset).
    """
    fp, ip, isl_gw, gw_open, lift_free = m.fp, m.ip, m.isl_gw, s.w.gw_open, s.w.lift_free
    held = s.w.gw_held  # closed by a scripted event
    for mode in range(2):
        count = ip[Y.I_AIR_LIFT_COUNT] if mode == 0 else ip[Y.I_SEA_LIFT_COUNT]
        if count <= 0:
            continue
        ga = isl_gw[a, mode]
        gb = isl_gw[b, mode]
        if (
            ga < 0
            or gb < 0
            or gw_open[ga] == 0
            or gw_open[gb] == 0
            or held[ga] == 1
            or held[gb] == 1
        ):
            continue
        rw = fp[Y.F_AIR_MIN_RUNWAY_M]
        if mode == 0 and (m.gw_runway[ga] < rw or m.gw_runway[gb] < rw):
            continue
        v = fp[Y.F_AIR_SPEED_KMH] if mode == 0 else fp[Y.F_SEA_SPEED_KMH]
        turn = fp[Y.F_AIR_TURNAROUND_H] if mode == 0 else fp[Y.F_SEA_TURNAROUND_H]
        k_best = 0
        for k in range(1, count):
            if lift_free[mode, k] < lift_free[mode, k_best]:
                k_best = k
        at_gw = t + m.site_gw_km[s0, mode] / speed
        t0 = max(at_gw, lift_free[mode, k_best]) + fp[Y.F_LIFT_LOAD_H]
        leg = m.isl_km[a, b] / v
        lift_free[mode, k_best] = t0 + 2.0 * leg + turn
        return t0 + leg, mode
    return -1.0, -1


@kernel
def inter_km(m, a, b):
    """Road km of an inter-island move from site ``a`` to ``b`` by the longer of the
    two gateway routes that exist (the fuel a launcher needs before asking for lift)."""
    best = 0.0
    for mode in range(2):
        km = m.site_gw_km[a, mode] + m.site_gw_km[b, mode]
        if km < np.inf and km > best:
            best = km
    return best


@kernel(inline=False)
def _inter_island(rng, m, s, t, e, cur, isl):
    """Try a move to another island: ``(destination, arrival time, km)``, destination -1."""
    out, lp = s.b.out, m.lp
    n_isl = m.isl_gw.shape[0]
    b = int(random(rng) * (n_isl - 1))
    if b >= isl:
        b += 1
    cand = choose_site(rng, m, s, t, e, b, -1)
    if cand >= 0 and m.su_f[U_ENABLED] == 1.0:
        km = inter_km(m, cur, cand)
        if not fuel_ok(m, s, t, e, cur, km * lp[e, Y.L_FUEL_KM]):
            cand = -1  # not enough fuel to reach the gateways: stay on the island
    if cand < 0:
        out[Y.O_INTER_BLOCKED] += 1
        return -1, 0.0, 0.0
    speed = lp[e, Y.L_SPEED_KMH]
    t_gw, mode = lift(m, s, t, isl, b, cur, speed)
    if mode < 0:
        out[Y.O_INTER_BLOCKED] += 1
        return -1, 0.0, 0.0
    out[Y.O_INTER_ISLAND] += 1
    t_arr = t_gw + m.site_gw_km[cand, mode] / speed
    return cand, t_arr, m.site_gw_km[cur, mode] + m.site_gw_km[cand, mode]


@kernel
def _can_lift(m):
    """Blue has lift assets and more than one island is in play."""
    has = m.ip[Y.I_AIR_LIFT_COUNT] > 0 or m.ip[Y.I_SEA_LIFT_COUNT] > 0
    return has and m.isl_gw.shape[0] > 1


@kernel
def _stay(rng, m, s, t, e, no_fuel):
    """No move: stay hidden and draw a new dwell, or wait for fuel."""
    li = s.L.i
    li[e, ST] = Y.HIDDEN
    li[e, SCOOT] = 0
    li[e, NSALVO] = 0
    s.L.f[e, T_LEAVE] = np.inf
    if no_fuel:
        s.b.out[Y.O_NO_FUEL_MOVES] += 1
        s.fu.strand[e] = STRAND_MOVE
        request_resupply(rng, m, s, t, e, li[e, SITE])
    else:
        schedule_depart(rng, m, s, e, t + draw_dwell(rng, m))
    refresh_detection(rng, m, s, e, t)


@kernel
def _go(rng, m, s, t, e, dest, t_arr, km, kind, to_fp, step):
    """Leave the current site for ``dest`` (a ``layout.MV_*`` move; a firing point if
    ``to_fp``), arriving at ``t_arr`` after ``km`` driven."""
    li, out = s.L.i, s.b.out
    end_stay(m, s, t, e)
    out[Y.O_RELOCATIONS] += 1
    s.b.series[step, Y.S_RELOCATIONS] += 1
    li[e, AT_FP] = 1 if to_fp else 0
    if to_fp:
        out[Y.O_FP_SORTIES] += 1
    li[e, ORIGIN] = li[e, SITE]
    li[e, MOVE_KIND] = kind
    s.L.f[e, T_ARRIVE] = t_arr
    li[e, ST] = Y.MOVING
    li[e, SITE] = dest
    s.w.site_occ[dest] = e
    stock_check(m, s, t, e)
    if m.su_f[U_ENABLED] == 1.0:
        fuel_move(m, s, e, km, t_arr)
    push(s, t_arr, Y.EV_ARRIVE, e, 0)
    refresh_detection(rng, m, s, e, t)


@kernel
def on_leave(rng, m, s, t, e, tag, step):
    """``EV_LEAVE``: tear-down is done; move to the next site, or stay."""
    li, fp, lp = s.L.i, m.fp, m.lp
    if li[e, ST] != Y.SETTING_UP or tag != li[e, STAY]:
        return ENG_NONE
    cur = li[e, SITE]
    isl = m.site_island[cur]
    dest = -1
    t_arr = 0.0
    km = 0.0
    kind = Y.MV_LIFT
    no_fuel = False
    fixed = m.ip[Y.I_MOVE_MODE] == 1
    sortie = li[e, NEXT]  # a firing point chosen for this move, or -1
    li[e, NEXT] = -1
    # leaving a firing point: to a hide other than the one the launcher came from
    avoid = li[e, ORIGIN] if li[e, AT_FP] == 1 else -1
    barred = t < s.lg.auth_t[A_TEMP_BASES]
    if barred:
        # no new temporary base yet: stay at the current site, draw a new dwell
        s.b.out[Y.O_BLOCKED_FIRST + A_TEMP_BASES] += 1
        if s.b.trace.shape[0] > 0:
            why = block_reason(m.lg_perm, m.lg_f, s.lg.recog_t, A_TEMP_BASES, t)
            trace_row(s.b, t, Y.EV_BLOCKED, A_TEMP_BASES, cur, why)
    elif (
        sortie < 0
        and not fixed
        and fp[Y.F_INTER_ISLAND_P] > 0.0
        and random(rng) < fp[Y.F_INTER_ISLAND_P]
    ):
        dest, t_arr, km = _inter_island(rng, m, s, t, e, cur, isl)
    if dest < 0 and not barred:
        if sortie >= 0:
            ok = _free(m, s, sortie, cur, -1 if fixed else isl, t, -1)
            dest = sortie if ok else -1
        else:
            dest = choose_site(rng, m, s, t, e, -1 if fixed else isl, avoid)
        if dest >= 0:
            if fixed:
                kind = Y.MV_FIXED
                t_arr = t + fp[Y.F_FIXED_MOVE_H]
                km = fp[Y.F_FIXED_MOVE_H] * lp[e, Y.L_SPEED_KMH]
            else:
                kind = Y.MV_ROAD
                t_arr = t + m.road_km[cur, dest] / lp[e, Y.L_SPEED_KMH]
                km = m.road_km[cur, dest]
            if m.su_f[U_ENABLED] == 1.0 and not fuel_ok(m, s, t, e, cur, km * lp[e, Y.L_FUEL_KM]):
                dest = -1
                no_fuel = True
        elif not fixed and sortie < 0 and _can_lift(m):
            # nowhere free on the island: another island by lift
            dest, t_arr, km = _inter_island(rng, m, s, t, e, cur, isl)
    if dest < 0:
        _stay(rng, m, s, t, e, no_fuel)
        return e
    _go(rng, m, s, t, e, dest, t_arr, km, kind, dest == sortie, step)
    return ENG_NONE
