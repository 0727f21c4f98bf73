"""Red surface groups in sea zones: arrivals, departures, the choice of a target.

Each ``targets.streams`` entry is a Poisson stream of groups arriving in a zone
(``zone_f`` arrivals per hour from a start time, each staying a drawn dwell);
``persistent`` zones hold one target throughout that is never destroyed.
Targets are rows of ``World.tg`` (zone, alive, salvos received) in order of
arrival.
"""

from __future__ import annotations

from nansei.engine import layout as Y
from nansei.engine.books import push
from nansei.engine.dists import draw, exp_time
from nansei.engine.jit import kernel
from nansei.engine.state import C_NTGT, C_OVERFLOW, C_TLO, ENG_ALL, ENG_NONE, SITE


@kernel
def find_target(m, s, la):
    """Return ``(target, munition)`` for launcher ``la`` at its site (:func:`find_target_at`)."""
    return find_target_at(m, s, la, s.L.i[la, SITE])


@kernel
def _engageable(m, s, z):
    """The earliest live target of zone ``z`` that may still be fired at, or -1."""
    tg, cnt = s.w.tg, s.b.cnt
    max_salvos = m.ip[Y.I_MAX_SALVOS_PER_TARGET]
    lo = cnt[C_TLO]
    while lo < cnt[C_NTGT] and tg[lo, 1] == 0:
        lo += 1
    cnt[C_TLO] = lo
    for k in range(lo, cnt[C_NTGT]):
        if tg[k, 1] == 1 and tg[k, 0] == z and (max_salvos <= 0 or tg[k, 2] < max_salvos):
            return k
    return -1


@kernel
def find_target_at(m, s, la, site):
    """Return ``(target, munition)`` for launcher ``la`` firing from ``site``, or
    ``(-1, mu)`` / ``(-1, -1)``.

    The earliest live target that may still be fired at (fewer than
    ``max_salvos_per_target`` salvos so far) in a zone that a loaded munition
    reaches (in munition order). ``(-1, mu)`` with ``mu >= 0`` means such a
    target is in range of munition ``mu`` but no rounds are loaded for any
    suitable munition: only then does a launcher reload or draw a pod.
    """
    in_range, rounds, zone_alive = m.in_range, s.L.rounds, s.w.zone_alive
    empty = -1
    for z in range(in_range.shape[1]):
        if zone_alive[z] == 0:
            continue
        k = -2  # not yet looked up
        for mu in range(in_range.shape[2]):
            if in_range[site, z, mu] == 0:
                continue
            if k == -2:
                k = _engageable(m, s, z)
            if k < 0:
                break  # every live target of the zone has had its salvos
            if rounds[la, mu] <= 0:
                if empty < 0:
                    empty = mu  # the preferred munition that would reach it
                continue
            return k, mu
    return -1, empty


@kernel
def targets_start(m, s):
    """Schedule each zone's first arrival (persistent zones: their one target)."""
    zone_f, zone_i = m.zone_f, m.zone_i
    for z in range(zone_f.shape[0]):
        if zone_i[z, 1] == 1 or zone_f[z, 0] > 0.0:
            push(s, zone_f[z, 3], Y.EV_TARGET_ARRIVE, z, -1)


@kernel
def on_target_arrive(rng, m, s, t, e, tag, step):
    """``EV_TARGET_ARRIVE``: a group arrives in zone ``e``; the next arrival is drawn.

    ``tag`` -1 marks a zone's first event (a persistent zone's only one).
    """
    zone_f, zone_i, w, cnt = m.zone_f, m.zone_i, s.w, s.b.cnt
    z = e
    if tag == -1 or zone_i[z, 1] == 0:
        k = cnt[C_NTGT]
        if k < w.tg.shape[0]:
            cnt[C_NTGT] = k + 1
            w.tg[k, 0] = z
            w.tg[k, 1] = 1
            w.zone_alive[z] += 1
            s.b.out[Y.O_TARGETS_ARRIVED] += 1
            if zone_i[z, 1] == 0:
                dwell = draw(rng, zone_i[z, 0], zone_f[z, 1], zone_f[z, 2])
                push(s, t + dwell, Y.EV_TARGET_LEAVE, k, 0)
        else:
            cnt[C_OVERFLOW] = 1
    if zone_i[z, 1] == 0 and zone_f[z, 0] > 0.0:
        dt = exp_time(rng, zone_f[z, 0])
        if t + dt <= m.fp[Y.F_HORIZON_H]:
            push(s, t + dt, Y.EV_TARGET_ARRIVE, z, 0)
    return ENG_ALL


@kernel
def on_target_leave(rng, m, s, t, e, tag, step):
    """``EV_TARGET_LEAVE``: target ``e`` leaves its zone (if still alive)."""
    tg = s.w.tg
    if tg[e, 1] == 1:
        tg[e, 1] = 0
        s.w.zone_alive[tg[e, 0]] -= 1
    return ENG_NONE
