"""Red's ISR and the launch of strikes: detections, tracks, aim points, Red's missiles.

* A launcher in state ``st`` at a position with concealment ``c`` is detected
  at rate ``fp[F_RATE_HIDDEN + st] * (1 - c) * g(tau)`` (moving: without ``c``
  and ``g``), where ``tau`` is the time since it arrived at the position and
  ``g(tau) = min(1 + growth * tau, max_factor)`` the pattern-of-life growth
  (``growth`` 0: a constant rate). Each salvo's launch is detected with
  ``p_detect_launch``. A launcher's next detection is redrawn whenever its
  state changes (:func:`refresh_detection`), exactly: memoryless for a constant
  rate, by inverting the cumulative hazard from ``tau`` for a growing one.
  Detection times live in ``Launchers.det_t``, not in the heap.
* A sighting (ISR detection) is read first (:mod:`nansei.engine.identification`):
  Red sees the launcher, strikes a look-alike near it instead, or holds fire
  among too many look-alikes. Launch detections need no reading.
* A detection at a position gives Red an aim point: the position. A detection
  on the road starts a *track*, lost at ``F_TRACK_LOSS`` per hour: a track held
  until the launcher stops cues a strike on the position where it stopped; a
  lost track cues one on the road point where it was last seen (none when it
  was lost during a lift or an idealised move; :func:`on_track`). Doctrine
  ``per_site_first_detection`` (``I_DOCTRINE`` 0): one strike per stay;
  ``per_detection`` (1): every detection.
* Revisit strikes (pattern of life): a Poisson stream at ``F_REVISIT_RATE``
  on a position where Red saw a launcher (or a decoy it took for one) within
  ``F_REVISIT_MEMORY_H``, chosen uniformly among them (:func:`on_revisit`).
* A strike is launched if Red's inventory and daily capacity (a new day at
  t = 24 k h) allow; it lands after the kill chain of its cue (ISR detection,
  launch detection, track; :func:`kill_chain`) and kills what is near its aim
  point then (:mod:`nansei.engine.strikes`).
"""

from __future__ import annotations

import numpy as np

from nansei.engine import layout as Y
from nansei.engine.books import push
from nansei.engine.dists import draw, exp_time
from nansei.engine.identification import identify
from nansei.engine.jit import kernel
from nansei.engine.positions import road_point
from nansei.engine.rng import random
from nansei.engine.state import (
    AT_FP,
    C_DAY,
    C_DAY_USED,
    C_INV,
    C_NAIM,
    ENG_NONE,
    MOVE_KIND,
    ORIGIN,
    SITE,
    ST,
    STAY,
    STRUCK,
    T_ARRIVE,
    T_STAY,
    T_STRUCK,
)


@kernel
def detection_rate(m, s, la):
    """Red's detection rate of launcher ``la`` in its current state, before growth (1/h)."""
    li = s.L.i
    st = li[la, ST]
    if st >= Y.DESTROYED:
        return 0.0
    rate = m.fp[Y.F_RATE_HIDDEN + st]
    if st != Y.MOVING:
        site = li[la, SITE]
        c = m.site_f[site, 0]
        if li[la, AT_FP] == 1:
            c = m.fp[Y.F_FP_CONCEAL]
        elif m.ip[Y.I_FIRE_FROM] == 1 and m.fp[Y.F_HIDE_CONCEAL] >= 0.0:
            c = m.fp[Y.F_HIDE_CONCEAL]
        rate *= (1.0 - c) * m.site_f[site, 3]  # concealment, then Red's ISR cover there
    else:  # on the road: Red's ISR cover averaged over the two ends of the move
        rate *= 0.5 * (m.site_f[li[la, ORIGIN], 3] + m.site_f[li[la, SITE], 3])
    return rate


@kernel
def hazard_cum(g, cap, tau):
    """Integral of ``min(1 + g u, cap)`` over ``u`` in ``[0, tau]`` (h); ``g > 0``."""
    tc = (cap - 1.0) / g
    if tau <= tc:
        return tau + 0.5 * g * tau * tau
    return tc + 0.5 * g * tc * tc + cap * (tau - tc)


@kernel
def hazard_inverse(g, cap, target):
    """The ``tau`` (h) at which :func:`hazard_cum` reaches ``target``."""
    tc = (cap - 1.0) / g
    fc = tc + 0.5 * g * tc * tc
    if target <= fc:
        return (np.sqrt(1.0 + 2.0 * g * target) - 1.0) / g
    return tc + (target - fc) / cap


@kernel
def refresh_detection(rng, m, s, la, t):
    """Redraw launcher ``la``'s next detection time after a state change.

    Detection times are kept in ``det_t`` rather than in the heap, so a state
    change never leaves a stale event behind. A constant rate is memoryless;
    a growing one is drawn from the cumulative hazard past the current time at
    the position (exact, by inversion).
    """
    rate = detection_rate(m, s, la)
    g = m.fp[Y.F_HAZARD_GROWTH]
    if g > 0.0 and rate > 0.0 and s.L.i[la, ST] != Y.MOVING:
        cap = m.fp[Y.F_HAZARD_MAX]
        tau0 = max(t - s.L.f[la, T_STAY], 0.0)
        target = hazard_cum(g, cap, tau0) + exp_time(rng, 1.0) / rate
        dt = hazard_inverse(g, cap, target) - tau0
    else:
        dt = exp_time(rng, rate)
    s.L.det_t[la] = t + dt if t + dt <= m.fp[Y.F_HORIZON_H] else np.inf


@kernel
def earliest(det_t):
    """Index of the smallest finite entry of ``det_t``, or -1."""
    best = -1
    tb = np.inf
    for j in range(det_t.shape[0]):
        if det_t[j] < tb:
            tb = det_t[j]
            best = j
    return best


@kernel
def red_can_fire(m, s, t, n):
    """Red can launch ``n`` missiles at ``t``; a new day starts at t = 24 k h."""
    cnt = s.b.cnt
    day = int(t // 24.0)
    if day != cnt[C_DAY]:
        cnt[C_DAY] = day
        cnt[C_DAY_USED] = 0
    if cnt[C_INV] < n:
        return False
    cap = m.ip[Y.I_DAILY_CAPACITY]
    return cap <= 0 or cnt[C_DAY_USED] + n <= cap


@kernel
def red_spend(s, step, n):
    """Red launches ``n`` missiles (series step ``step``)."""
    cnt = s.b.cnt
    cnt[C_INV] -= n
    cnt[C_DAY_USED] += n
    s.b.out[Y.O_MISSILES] += n
    s.b.series[step, Y.S_MISSILES] += n


@kernel
def kill_chain(rng, m, cue):
    """Detection-to-impact delay (h) of a strike cued by ``cue`` (``layout.CUE_*``)."""
    ip, fp = m.ip, m.fp
    if cue == Y.CUE_LAUNCH:
        return draw(rng, ip[Y.I_LAUNCH_DELAY_KIND], fp[Y.F_LAUNCH_DELAY_A], fp[Y.F_LAUNCH_DELAY_B])
    if cue == Y.CUE_TRACK:
        return draw(rng, ip[Y.I_TRACK_DELAY_KIND], fp[Y.F_TRACK_DELAY_A], fp[Y.F_TRACK_DELAY_B])
    return draw(rng, ip[Y.I_DELAY_KIND], fp[Y.F_DELAY_A], fp[Y.F_DELAY_B])


@kernel
def strike_at(rng, m, s, t, x, y, site, position, cue, step):
    """Launch a strike on the aim point ``(x, y)`` (km) if Red can; True if launched.

    ``site`` is the position aimed at (``position`` 1) or, for a road point
    (``position`` 0), the site the launcher left: it places the strike on an
    island for the logs and the casualty proxy.
    """
    fp, ip, out = m.fp, m.ip, s.b.out
    if t < fp[Y.F_STRIKES_START_H]:
        return False
    n = ip[Y.I_MISSILES_PER_STRIKE]
    if not red_can_fire(m, s, t, n):
        out[Y.O_STRIKES_DENIED] += 1
        return False
    red_spend(s, step, n)
    out[Y.O_STRIKES] += 1
    delay = kill_chain(rng, m, cue)
    aim, cnt = s.w.aim, s.b.cnt
    k = cnt[C_NAIM] % aim.shape[0]  # a ring as long as the heap: a slot outlives its strike
    cnt[C_NAIM] += 1
    aim[k, 0] = x
    aim[k, 1] = y
    aim[k, 2] = site
    aim[k, 3] = position
    push(s, t + delay, Y.EV_STRIKE, k, cue)
    return True


@kernel
def strike_site(rng, m, s, t, site, cue, step):
    """Launch a strike on position ``site`` if Red can; True if launched."""
    xy = m.site_xy
    return strike_at(rng, m, s, t, xy[site, 0], xy[site, 1], site, 1.0, cue, step)


@kernel
def _strike_stay_at(rng, m, s, t, la, cue, step, x, y, position):
    """Strike ``(x, y)`` for launcher ``la``'s stay: under the first-detection doctrine
    once per stay, or again once ``F_REATTACK_H`` has passed since the last strike
    (Red saw it survive). ``position`` 1: the aim point is the launcher's site."""
    li, lt = s.L.i, s.L.f
    stay = li[la, STAY]
    s.w.site_seen[li[la, SITE]] = t
    if m.ip[Y.I_DOCTRINE] == 0 and li[la, STRUCK] == stay:
        if t - lt[la, T_STRUCK] < m.fp[Y.F_REATTACK_H]:
            return
    if strike_at(rng, m, s, t, x, y, li[la, SITE], position, cue, step):
        li[la, STRUCK] = stay
        lt[la, T_STRUCK] = t


@kernel
def _strike_stay(rng, m, s, t, la, cue, step):
    """Strike launcher ``la``'s position (see :func:`_strike_stay_at`)."""
    site = s.L.i[la, SITE]
    xy = m.site_xy
    _strike_stay_at(rng, m, s, t, la, cue, step, xy[site, 0], xy[site, 1], 1.0)


@kernel
def _strike_lookalike(rng, m, s, t, la, x, y, step):
    """Red strikes the look-alike at ``(x, y)`` that it took for launcher ``la``.

    At a site it is Red's strike on the stay (Red believes it struck the
    launcher it saw there; the doctrine counts it so); on the road it is the
    strike on the look-alike Red followed, with the track's kill chain. None
    when the launcher had no position (a lift or an idealised move).
    """
    if np.isnan(x):
        return
    li = s.L.i
    if li[la, ST] != Y.MOVING:
        _strike_stay_at(rng, m, s, t, la, Y.CUE_ISR, step, x, y, 0.0)
    else:
        strike_at(rng, m, s, t, x, y, li[la, ORIGIN], 0.0, Y.CUE_TRACK, step)


@kernel
def on_detection(rng, m, s, t, la, cue, step):
    """Red reacts to a detection of launcher ``la``: strike its position, or track it."""
    if s.L.i[la, ST] != Y.MOVING:
        _strike_stay(rng, m, s, t, la, cue, step)
    elif t >= m.fp[Y.F_STRIKES_START_H]:
        # a road track: held until the launcher stops, or lost on the way
        t_arr = s.L.f[la, T_ARRIVE]
        t_loss = t + exp_time(rng, m.fp[Y.F_TRACK_LOSS])
        if t_loss >= t_arr:
            push(s, t_arr, Y.EV_TRACK, la, 1)
        else:
            push(s, t_loss, Y.EV_TRACK, la, 0)


@kernel
def on_track(rng, m, s, t, e, tag, step):
    """``EV_TRACK``: a track of launcher ``e`` ends, held (``tag`` 1) or lost (0)."""
    li, out = s.L.i, s.b.out
    if li[e, ST] >= Y.DESTROYED:
        return ENG_NONE
    if tag == 1:
        out[Y.O_TRACKS_HELD] += 1
        if li[e, ST] != Y.MOVING:
            _strike_stay(rng, m, s, t, e, Y.CUE_TRACK, step)
        return ENG_NONE
    out[Y.O_TRACKS_LOST] += 1
    if s.L.i[e, MOVE_KIND] != Y.MV_ROAD:
        return ENG_NONE  # lost in a lift or an idealised move: no point to aim at
    x, y = road_point(m, s, t, e)
    if strike_at(rng, m, s, t, x, y, li[e, ORIGIN], 0.0, Y.CUE_TRACK, step):
        out[Y.O_STRIKES_ROAD] += 1
    return ENG_NONE


@kernel
def on_detect(rng, m, s, t, e, tag, step):
    """``EV_DETECT``: Red sights launcher ``e`` (drawn from ``det_t``) and reads the
    sighting (:func:`nansei.engine.identification.identify`): the launcher, a
    look-alike it strikes instead, or too many look-alikes to strike."""
    s.b.out[Y.O_DETECTIONS] += 1
    seen, x, y = identify(rng, m, s, t, e)
    if seen == Y.ID_LAUNCHER:
        on_detection(rng, m, s, t, e, Y.CUE_ISR, step)
    elif seen == Y.ID_LOOKALIKE:
        _strike_lookalike(rng, m, s, t, e, x, y, step)
    refresh_detection(rng, m, s, e, t)
    return ENG_NONE


@kernel
def decoy_next(rng, m, s, t, d):
    """Schedule decoy ``d``'s next detection (as a hidden launcher at its position, with
    the decoy's concealment)."""
    fp = m.fp
    cover = m.site_f[m.decoy_site[d], 3]  # Red's ISR cover at the decoy's position
    dt = exp_time(rng, fp[Y.F_RATE_HIDDEN] * (1.0 - fp[Y.F_DECOY_CONCEALMENT]) * cover)
    if t + dt <= fp[Y.F_HORIZON_H]:
        push(s, t + dt, Y.EV_DECOY_DETECT, d, 0)


@kernel
def on_decoy_detect(rng, m, s, t, e, tag, step):
    """``EV_DECOY_DETECT``: Red detects decoy ``e``; unless identified, it may strike it."""
    dec = s.w.dec
    if dec[e, 0] == 0:
        return ENG_NONE
    s.b.out[Y.O_DECOY_DETECTIONS] += 1
    identified = random(rng) < m.fp[Y.F_DECOY_P_IDENTIFY]
    if not identified:
        s.w.site_seen[m.decoy_site[e]] = t  # Red believes it saw a launcher there
    if not identified and (m.ip[Y.I_DOCTRINE] == 1 or dec[e, 1] == 0):
        if strike_site(rng, m, s, t, m.decoy_site[e], Y.CUE_ISR, step):
            dec[e, 1] = 1
    decoy_next(rng, m, s, t, e)
    return ENG_NONE


@kernel
def revisit_next(rng, m, s, t):
    """Schedule Red's next revisit strike (a Poisson stream; none at rate 0)."""
    dt = exp_time(rng, m.fp[Y.F_REVISIT_RATE])
    if t + dt <= m.fp[Y.F_HORIZON_H]:
        push(s, t + dt, Y.EV_REVISIT, 0, 0)


@kernel(inline=False)
def on_revisit(rng, m, s, t, e, tag, step):
    """``EV_REVISIT``: Red strikes a position it saw used within its memory (chosen
    uniformly among them), whoever is there now; none if it remembers none."""
    seen, memory = s.w.site_seen, m.fp[Y.F_REVISIT_MEMORY_H]
    n = 0
    for site in range(seen.shape[0]):
        if t - seen[site] <= memory:
            n += 1
    if n > 0:
        pick = int(random(rng) * n)
        for site in range(seen.shape[0]):
            if t - seen[site] <= memory:
                if pick == 0:
                    if strike_site(rng, m, s, t, site, Y.CUE_ISR, step):
                        s.b.out[Y.O_REVISITS] += 1
                    break
                pick -= 1
    revisit_next(rng, m, s, t)
    return ENG_NONE
