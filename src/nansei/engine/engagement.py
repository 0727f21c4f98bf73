"""Fire missions: an idle hidden launcher with a target in range fires or reloads.

There is one engagement site in the replication loop: after an event, the
launchers the handler names (``state.ENG_*``) are offered a fire mission
(:func:`engage`). A salvo needs ``us_fires_from_japan``; an empty launcher
reloads a pod it holds, or draws one from the SDF node serving its site.
Launchers that waited for fuel go on once refuelled (:func:`fuel_resume`).
"""

from __future__ import annotations

import numpy as np

from nansei.engine import layout as Y
from nansei.engine.books import push, trace_row
from nansei.engine.fuel import refuel, request_resupply, resupply_launcher
from nansei.engine.jit import kernel
from nansei.engine.launchers import issue_and_reload, schedule_depart, start_reload
from nansei.engine.legal import A_US_FIRES, block_reason
from nansei.engine.relocation import _km, choose_firing_point
from nansei.engine.state import (
    AT_FP,
    C_NTGT,
    C_TLO,
    ENG_ALL,
    ENG_NONE,
    NEXT,
    PEND,
    SCOOT,
    SITE,
    ST,
    STAY,
    STRAND_MOVE,
)
from nansei.engine.targets import find_target

_BLOCKED = 1  # a salvo is not yet permitted (us_fires_from_japan) and a target is new to it
_DRAW_POD = 2  # + munition: no rounds or pods of it held, but the site's SDF node holds one
#: Target flags (``World.tg[:, 3]``): each target counts once in an output.
TG_NO_AMMO = 1  # counted in targets_no_ammo
TG_BLOCKED = 2  # counted in blocked_us_fires_from_japan


@kernel
def _reach_sites(m, s, la, site, z, loaded):
    """True if launcher ``la`` reaches zone ``z`` from ``site`` (in firing-point mode at a
    hide: from some site within ``firing_point_km`` of it) with some munition, or, if
    ``loaded``, with a munition it has rounds of."""
    in_range, rounds = m.in_range, s.L.rounds
    fp_hide = m.ip[Y.I_FIRE_FROM] == 1 and s.L.i[la, AT_FP] == 0
    island = -1 if m.ip[Y.I_MOVE_MODE] == 1 else m.site_island[site]
    for fs in range(in_range.shape[0]):
        if fs != site:
            if not fp_hide or (island >= 0 and m.site_island[fs] != island):
                continue
            if _km(m, site, fs) > m.fp[Y.F_FP_KM]:
                continue
        for mu in range(in_range.shape[2]):
            if in_range[fs, z, mu] == 1 and (not loaded or rounds[la, mu] > 0):
                return True
    return False


@kernel
def flag_targets(m, s, la, flag, loaded, o):
    """Count in output ``o`` each target not yet flagged ``flag`` that launcher ``la`` could
    fire at now (alive, fewer than ``max_salvos_per_target`` salvos, in a zone it reaches:
    :func:`_reach_sites`), and flag it; return how many were new."""
    tg, cnt = s.w.tg, s.b.cnt
    max_salvos = m.ip[Y.I_MAX_SALVOS_PER_TARGET]
    site = s.L.i[la, SITE]
    new = 0
    for k in range(cnt[C_TLO], cnt[C_NTGT]):
        if tg[k, 1] == 0 or (tg[k, 3] & flag) != 0:
            continue
        if max_salvos > 0 and tg[k, 2] >= max_salvos:
            continue
        if _reach_sites(m, s, la, site, tg[k, 0], loaded):
            tg[k, 3] |= flag
            new += 1
    s.b.out[o] += new
    return new


@kernel
def _try_engage(rng, m, s, t, la):
    """Schedule a salvo, or a reload, for an idle hidden launcher with a target.

    In firing-point mode a launcher at a hide sets out for a firing point
    instead of firing, and one at a firing point without a target leaves.
    Returns 0, or a rare case for :func:`_engage_slow` (``_BLOCKED``: counted
    there and logged when tracing; ``_DRAW_POD``).
    """
    li = s.L.i
    fp_mode = m.ip[Y.I_FIRE_FROM] == 1
    site = -1
    if fp_mode and li[la, AT_FP] == 0:
        site, mu = choose_firing_point(m, s, t, la)
        k = 0 if site >= 0 else -1
    else:
        k, mu = find_target(m, s, la)
    if k >= 0:
        if t < s.lg.auth_t[A_US_FIRES]:
            return _BLOCKED
        if site >= 0:
            li[la, NEXT] = site  # drive to the firing point (on_leave)
            li[la, SCOOT] = 1
            schedule_depart(rng, m, s, la, t)
            return 0
        li[la, PEND] = 1
        push(s, t, Y.EV_FIRE, la, li[la, STAY])
    elif fp_mode and li[la, AT_FP] == 1:
        li[la, SCOOT] = 1  # nothing to fire at from here: back to a hide (reload there)
        schedule_depart(rng, m, s, la, t)
    elif mu >= 0:  # a target munition mu reaches, and no rounds that reach: a pod of mu
        if start_reload(rng, m, s, t, la, mu):
            return 0
        nd = s.w.issue_site[li[la, SITE]]
        if nd >= 0 and s.su.stock[nd, mu] >= 1.0:
            return _DRAW_POD + mu
        flag_targets(m, s, la, TG_NO_AMMO, False, Y.O_NO_AMMO)
    return 0


@kernel(inline=False)
def _engage_slow(rng, m, s, t, la, case):
    """The rare outcomes of :func:`_try_engage`: count (once per target) and log a blocked
    salvo, or draw a pod."""
    if case == _BLOCKED:
        o = Y.O_BLOCKED_FIRST + A_US_FIRES
        if flag_targets(m, s, la, TG_BLOCKED, True, o) > 0 and s.b.trace.shape[0] > 0:
            why = block_reason(m.lg_perm, m.lg_f, s.lg.recog_t, A_US_FIRES, t)
            trace_row(s.b, t, Y.EV_BLOCKED, A_US_FIRES, s.L.i[la, SITE], why)
    elif case >= _DRAW_POD:
        if not issue_and_reload(rng, m, s, t, la, case - _DRAW_POD):
            flag_targets(m, s, la, TG_NO_AMMO, False, Y.O_NO_AMMO)


@kernel
def offer(rng, m, s, t, la):
    """Offer launcher ``la`` a fire mission if it is hidden and idle."""
    li = s.L.i
    if li[la, ST] != Y.HIDDEN or li[la, PEND] == 1 or li[la, SCOOT] == 1:
        return
    case = _try_engage(rng, m, s, t, la)
    if case > 0:
        _engage_slow(rng, m, s, t, la, case)


@kernel
def engage(rng, m, s, t, who):
    """Offer a fire mission to the launchers ``who`` names (``state.ENG_*`` or an index)."""
    if who == ENG_NONE:
        return
    if who == ENG_ALL:
        for la in range(s.L.i.shape[0]):
            offer(rng, m, s, t, la)
    else:
        offer(rng, m, s, t, who)


@kernel(inline=False)
def fuel_resume(rng, m, s, t, island):
    """Refuel launchers waiting for fuel on ``island`` (-1: every island) and let the
    fuelled ones go on: move (after tear-down) or look for a target."""
    li, strand = s.L.i, s.fu.strand
    for la in range(li.shape[0]):
        if strand[la] == 0:
            continue
        st = li[la, ST]
        if st >= Y.DESTROYED:
            strand[la] = 0
            continue
        if strand[la] > 0:
            if island >= 0 and m.su_site_isl[li[la, SITE]] != island:
                continue
            refuel(m, s, t, la, li[la, SITE], True)
            if strand[la] > 0:
                continue
        _go_on(rng, m, s, t, la)


@kernel
def _go_on(rng, m, s, t, la):
    """A refuelled launcher goes on: moves (after tear-down) or looks for a target."""
    strand = s.fu.strand
    kind = -strand[la]
    strand[la] = 0
    st = s.L.i[la, ST]
    if kind == STRAND_MOVE:
        if st == Y.HIDDEN or st == Y.RELOADING or st == Y.FIRING:
            schedule_depart(rng, m, s, la, t)
    else:
        offer(rng, m, s, t, la)


@kernel(inline=False)
def on_fuel_resupply(rng, m, s, t, e, tag, step):
    """``EV_FUEL_RESUPPLY``: an SDF fuel vehicle reaches stranded launcher ``e``; if the law
    or an empty supply chain stops it, the launcher asks again."""
    s.fu.req[e] = np.inf
    if s.L.i[e, ST] >= Y.DESTROYED or s.fu.strand[e] == 0:
        return ENG_NONE
    if s.fu.strand[e] < 0 or resupply_launcher(m, s, t, e):
        _go_on(rng, m, s, t, e)
    else:
        request_resupply(rng, m, s, t, e, s.L.i[e, SITE])
    return ENG_NONE
