"""Blue launchers in the kernel: stays, set-up, salvos, reloads, departures, losses.

A launcher cycles (``docs/engine.md``): arrive at a site and set up
(``setting_up``); stay ``hidden`` for a dwell drawn from the relocation policy,
firing salvos (``firing``) and reloading (``reloading``); after
``scoot_after_salvos`` salvos, or when the dwell ends, tear down
(``setting_up``) and leave (:mod:`nansei.engine.relocation`); move
(``moving``); arrive. Each handler below takes ``(rng, m, s, t, e, tag, step)``
(``e`` the launcher, ``tag`` the stay or departure version that discards a
stale event, ``step`` the series step) and returns which launchers then look
for a target (``state.ENG_*`` or ``e``).
"""

from __future__ import annotations

import numpy as np

from nansei.engine import layout as Y
from nansei.engine.books import log_row, push
from nansei.engine.detection import on_detection, refresh_detection
from nansei.engine.dists import draw
from nansei.engine.fuel import fuel_active, fuel_ok, refuel, request_resupply
from nansei.engine.jit import kernel
from nansei.engine.layout import U_ENABLED
from nansei.engine.legal import T_BLUE_SALVO
from nansei.engine.rng import random
from nansei.engine.state import (
    AT_FP,
    C_NSTAYLOG,
    DEP,
    ENG_NONE,
    NSALVO,
    PEND,
    SCOOT,
    SITE,
    ST,
    STAY,
    STRAND_FIRE,
    STRAND_MOVE,
    T_LEAVE,
    T_RELOAD,
    T_SALVO,
    T_STAY,
)
from nansei.engine.supply import after_salvo, issue_pod, stock_check, stockout_lost
from nansei.engine.targets import find_target


@kernel
def ldraw(rng, m, la, col):
    """Draw launcher ``la``'s time from the distribution at ``lp[la, col:col + 3]``."""
    lp = m.lp
    return draw(rng, int(lp[la, col]), lp[la, col + 1], lp[la, col + 2])


@kernel
def draw_dwell(rng, m):
    """A dwell (h) from ``blue.relocation.dwell_h``."""
    return draw(rng, m.ip[Y.I_DWELL_KIND], m.fp[Y.F_DWELL_A], m.fp[Y.F_DWELL_B])


@kernel
def schedule_depart(rng, m, s, la, t_dep):
    """Schedule departure at ``t_dep``; the leave time (after tear-down) is fixed now."""
    li = s.L.i
    li[la, DEP] += 1
    s.L.f[la, T_LEAVE] = t_dep + ldraw(rng, m, la, Y.L_TEARDOWN)
    push(s, t_dep, Y.EV_DEPART, la, li[la, DEP])


#: A reload event's tag is ``stay * RELOAD_TAG + munition + 1`` (0: the first held).
RELOAD_TAG = 64


@kernel
def start_reload(rng, m, s, t, la, mu=-1):
    """Start reloading a pod (of munition ``mu``, or -1 for the first held) if launcher
    ``la`` holds one; return True if it did."""
    L = s.L
    have = 0
    for k in range(L.reload.shape[1]):
        if mu < 0 or k == mu:
            have += L.reload[la, k]
    if have <= 0:
        return False
    L.i[la, ST] = Y.RELOADING
    L.f[la, T_RELOAD] = t + ldraw(rng, m, la, Y.L_RELOAD)
    fuel_active(m, s, t, la, L.f[la, T_RELOAD] - t)
    push(s, L.f[la, T_RELOAD], Y.EV_RELOAD_DONE, la, L.i[la, STAY] * RELOAD_TAG + mu + 1)
    return True


@kernel(inline=False)
def issue_and_reload(rng, m, s, t, la, mu=-1):
    """Draw a pod (of munition ``mu``, or -1 for any that reaches) from the island's SDF
    node for launcher ``la`` and reload it."""
    nd = issue_pod(m, s, t, la, s.L.i[la, SITE], mu)
    if nd < 0:
        return False
    push(s, t, Y.EV_SUPPLY_REVIEW, nd, 0)
    return start_reload(rng, m, s, t, la, mu)


@kernel
def log_stay(s, la, site, t0, t1):
    """Log a stay for the civil-protection coupling."""
    log_row(s.b.stay_log, s.b.cnt, C_NSTAYLOG, la, site, t0, t1)


@kernel
def end_stay(m, s, t, la):
    """Launcher ``la`` leaves (or dies at) its site at ``t``: exposure, log, site free."""
    li, lt, w = s.L.i, s.L.f, s.w
    site = li[la, SITE]
    s.b.out[Y.O_EXPOSURE] += m.site_f[site, 1] * (t - lt[la, T_STAY])
    log_stay(s, la, site, lt[la, T_STAY], t)
    w.site_last[site] = t
    if w.site_occ[site] == la:
        w.site_occ[site] = -1


@kernel
def destroy(m, s, t, la):
    """Launcher ``la`` is destroyed at ``t``."""
    li, out, occ = s.L.i, s.b.out, s.w.site_occ
    if li[la, ST] != Y.MOVING:
        end_stay(m, s, t, la)
    elif occ[li[la, SITE]] == la:
        occ[li[la, SITE]] = -1
    li[la, ST] = Y.DESTROYED
    stockout_lost(s, t, la)
    out[Y.O_LOST] += 1
    out[Y.O_LAUNCHER_HOURS] += t - m.lp[la, Y.L_ARRIVE_H]
    if np.isnan(out[Y.O_FIRST_LOSS]):
        out[Y.O_FIRST_LOSS] = t


@kernel
def on_arrive(rng, m, s, t, e, tag, step):
    """``EV_ARRIVE``: launcher ``e`` reaches its site and starts setting up."""
    li, lt = s.L.i, s.L.f
    if li[e, ST] >= Y.DESTROYED:  # destroyed, or withdrawn while moving
        return ENG_NONE
    li[e, ST] = Y.SETTING_UP
    li[e, STAY] += 1
    li[e, NSALVO] = 0
    li[e, SCOOT] = 0
    li[e, PEND] = 0
    lt[e, T_STAY] = t
    lt[e, T_LEAVE] = np.inf
    setup = ldraw(rng, m, e, Y.L_SETUP)
    if m.su_f[U_ENABLED] == 1.0:
        refuel(m, s, t, e, li[e, SITE], False)
    fuel_active(m, s, t, e, setup)
    push(s, t + setup, Y.EV_SETUP_DONE, e, li[e, STAY])
    refresh_detection(rng, m, s, e, t)
    return ENG_NONE


@kernel
def on_setup_done(rng, m, s, t, e, tag, step):
    """``EV_SETUP_DONE``: launcher ``e`` is hidden; its dwell starts."""
    li = s.L.i
    if li[e, ST] != Y.SETTING_UP or tag != li[e, STAY]:
        return ENG_NONE
    li[e, ST] = Y.HIDDEN
    if li[e, AT_FP] == 1:
        # at a firing point: fire, or leave after the longest wait
        schedule_depart(rng, m, s, e, t + m.fp[Y.F_FP_MAX_H])
    else:
        schedule_depart(rng, m, s, e, t + draw_dwell(rng, m))
    refresh_detection(rng, m, s, e, t)
    return e


@kernel
def _salvo(rng, m, s, t, e, k, mu, step):
    """Launcher ``e`` fires a salvo of munition ``mu`` at target ``k``."""
    li, rounds, out, tg = s.L.i, s.L.rounds, s.b.out, s.w.tg
    r = min(m.ip[Y.I_ROUNDS_PER_SALVO], rounds[e, mu])
    rounds[e, mu] -= r
    if rounds[e, mu] <= 0:
        stock_check(m, s, t, e)
    out[Y.O_SALVOS] += 1
    out[Y.O_ROUNDS] += r
    s.b.series[step, Y.S_SALVOS] += 1
    if tg[k, 2] == 0:
        out[Y.O_TARGETS_ENGAGED] += 1
    tg[k, 2] += 1
    if random(rng) < m.mun_f[mu, 0]:
        out[Y.O_TARGETS_HIT] += 1
        if m.zone_i[tg[k, 0], 1] == 0:
            tg[k, 1] = 0
            s.w.zone_alive[tg[k, 0]] -= 1
    li[e, NSALVO] += 1
    li[e, ST] = Y.FIRING
    s.L.f[e, T_SALVO] = t
    s.w.site_hot[li[e, SITE]] = t  # Blue knows the launch may have been seen


@kernel
def on_fire(rng, m, s, t, e, tag, step):
    """``EV_FIRE``: launcher ``e`` fires at the first target in range, fuel permitting."""
    li = s.L.i
    li[e, PEND] = 0
    if li[e, ST] != Y.HIDDEN or tag != li[e, STAY] or li[e, SCOOT] == 1:
        return ENG_NONE
    k, mu = find_target(m, s, e)
    if k < 0:
        return ENG_NONE
    su_on = m.su_f[U_ENABLED] == 1.0
    if su_on and not fuel_ok(m, s, t, e, li[e, SITE], 0.0):
        s.b.out[Y.O_NO_FUEL_SALVOS] += 1
        if s.fu.strand[e] != STRAND_MOVE:
            s.fu.strand[e] = STRAND_FIRE
        request_resupply(rng, m, s, t, e, li[e, SITE])
        return ENG_NONE
    if li[e, AT_FP] == 1 and li[e, NSALVO] == 0:
        # the first salvo at a firing point cancels the wait-for-a-target departure
        li[e, DEP] += 1
        s.L.f[e, T_LEAVE] = np.inf
    _salvo(rng, m, s, t, e, k, mu, step)
    fuel_active(m, s, t, e, m.lp[e, Y.L_FIRING_H])
    if s.lg.trig_t[T_BLUE_SALVO] == np.inf:
        after_salvo(m, s, t, e)
    if random(rng) < m.fp[Y.F_P_DETECT_LAUNCH]:
        s.b.out[Y.O_DETECTIONS] += 1
        s.b.out[Y.O_LAUNCH_DETECTIONS] += 1
        on_detection(rng, m, s, t, e, Y.CUE_LAUNCH, step)
    push(s, t + m.lp[e, Y.L_FIRING_H], Y.EV_FIRE_DONE, e, li[e, STAY])
    refresh_detection(rng, m, s, e, t)
    return ENG_NONE


@kernel
def on_fire_done(rng, m, s, t, e, tag, step):
    """``EV_FIRE_DONE``: the salvo is out; scoot, reload or schedule the next salvo."""
    li, lt, rounds = s.L.i, s.L.f, s.L.rounds
    if li[e, ST] != Y.FIRING or tag != li[e, STAY]:
        return ENG_NONE
    li[e, ST] = Y.HIDDEN
    refresh_detection(rng, m, s, e, t)
    scoot = m.ip[Y.I_SCOOT_AFTER]
    if scoot > 0 and li[e, NSALVO] >= scoot:
        li[e, SCOOT] = 1
        t_dep = max(t, lt[e, T_SALVO] + m.fp[Y.F_SCOOT_DELAY_H])
        schedule_depart(rng, m, s, e, t_dep)
        return ENG_NONE
    left = 0
    for k in range(rounds.shape[1]):
        left += rounds[e, k]
    if left <= 0 and li[e, AT_FP] == 1:
        # empty at a firing point: back to a hide to reload
        li[e, SCOOT] = 1
        schedule_depart(rng, m, s, e, max(t, lt[e, T_SALVO] + m.fp[Y.F_SCOOT_DELAY_H]))
        return ENG_NONE
    if left <= 0:
        if not start_reload(rng, m, s, t, e):
            issue_and_reload(rng, m, s, t, e)
        if li[e, ST] == Y.RELOADING:
            refresh_detection(rng, m, s, e, t)
            return ENG_NONE
        return e  # empty and nothing to reload: the engagement counts targets it cannot fire at

    gap = max(m.fp[Y.F_SALVO_INTERVAL_H] - m.lp[e, Y.L_FIRING_H], 0.0)
    li[e, PEND] = 1
    push(s, t + gap, Y.EV_FIRE, e, li[e, STAY])
    return ENG_NONE


@kernel
def on_reload_done(rng, m, s, t, e, tag, step):
    """``EV_RELOAD_DONE``: one pod of the munition asked for (or the first held) is loaded."""
    li, rounds, reload = s.L.i, s.L.rounds, s.L.reload
    if li[e, ST] != Y.RELOADING or tag // RELOAD_TAG != li[e, STAY]:
        return ENG_NONE
    mu = tag % RELOAD_TAG - 1
    for k in range(rounds.shape[1]):
        if reload[e, k] > 0 and (mu < 0 or k == mu):
            pod = min(reload[e, k], int(m.mun_f[k, 1]))
            rounds[e, k] += pod
            reload[e, k] -= pod
            break
    li[e, ST] = Y.HIDDEN
    refresh_detection(rng, m, s, e, t)
    return e


@kernel
def on_depart(rng, m, s, t, e, tag, step):
    """``EV_DEPART``: tear down (after a salvo or reload in progress), then leave."""
    li, lt = s.L.i, s.L.f
    st = li[e, ST]
    if tag != li[e, DEP] or st >= Y.DESTROYED or st == Y.MOVING or st == Y.SETTING_UP:
        return ENG_NONE
    if st == Y.RELOADING or st == Y.FIRING:
        t_next = lt[e, T_RELOAD] if st == Y.RELOADING else t + m.lp[e, Y.L_FIRING_H]
        t_next = max(t_next, t)
        lt[e, T_LEAVE] += t_next - t
        push(s, t_next, Y.EV_DEPART, e, tag)
        return ENG_NONE
    li[e, ST] = Y.SETTING_UP
    li[e, SCOOT] = 1
    fuel_active(m, s, t, e, lt[e, T_LEAVE] - t)
    push(s, lt[e, T_LEAVE], Y.EV_LEAVE, e, li[e, STAY])
    refresh_detection(rng, m, s, e, t)
    return ENG_NONE
