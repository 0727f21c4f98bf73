"""Red's ISR and the launch of strikes: detections, the doctrine, Red's missiles.

* A launcher in state ``st`` at a site with concealment ``c`` is detected at
  rate ``fp[F_RATE_HIDDEN + st] * (1 - c)`` (moving: without ``c``); each
  salvo's launch is detected with ``p_detect_launch``. Memorylessness lets the
  kernel redraw a launcher's next detection whenever its state changes
  (:func:`refresh_detection`); detection times live in ``Launchers.det_t``, not
  in the heap.
* A detection cues a strike on the launcher's site or, while it moves, its
  destination. Doctrine ``per_site_first_detection`` (``I_DOCTRINE`` 0): one
  strike per stay; ``per_detection`` (1): every detection.
* A strike is launched if Red's inventory and daily capacity (a new day at
  t = 24 k h) allow; it lands after the kill-chain delay
  (:mod:`nansei.engine.strikes`).
"""

from __future__ import annotations

import numpy as np

from nansei.engine import layout as Y
from nansei.engine.books import push
from nansei.engine.dists import draw, exp_time
from nansei.engine.jit import kernel
from nansei.engine.rng import random
from nansei.engine.state import C_DAY, C_DAY_USED, C_INV, ENG_NONE, SITE, ST, STAY, STRUCK


@kernel
def detection_rate(m, s, la):
    """Red's detection rate of launcher ``la`` in its current state (1/h)."""
    li = s.L.i
    st = li[la, ST]
    if st == Y.DESTROYED:
        return 0.0
    rate = m.fp[Y.F_RATE_HIDDEN + st]
    if st != Y.MOVING:
        rate *= 1.0 - m.site_f[li[la, SITE], 0]
    return rate


@kernel
def refresh_detection(rng, m, s, la, t):
    """Redraw launcher ``la``'s next detection time after a state change.

    Detection times are kept in ``det_t`` rather than in the heap, so a state
    change never leaves a stale event behind (memorylessness makes the redraw
    exact).
    """
    dt = exp_time(rng, detection_rate(m, s, la))
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
def strike_site(rng, m, s, t, site, step):
    """Launch a strike on ``site`` if Red can; return True if launched."""
    fp, ip, out = m.fp, m.ip, s.b.out
    if t < fp[Y.F_STRIKES_START_H]:
        return False
    n = ip[Y.I_MISSILES_PER_STRIKE]
    if not red_can_fire(m, s, t, n):
        out[Y.O_STRIKES_DENIED] += 1
        return False
    red_spend(s, step, n)
    out[Y.O_STRIKES] += 1
    delay = draw(rng, ip[Y.I_DELAY_KIND], fp[Y.F_DELAY_A], fp[Y.F_DELAY_B])
    push(s, t + delay, Y.EV_STRIKE, site, 0)
    return True


@kernel
def on_detection(rng, m, s, t, la, step):
    """Red reacts to a detection of launcher ``la`` (at its site or destination)."""
    li = s.L.i
    stay = li[la, STAY]
    if li[la, ST] == Y.MOVING:
        stay += 1
    if m.ip[Y.I_DOCTRINE] == 0 and li[la, STRUCK] == stay:
        return
    if strike_site(rng, m, s, t, li[la, SITE], step):
        li[la, STRUCK] = stay


@kernel
def on_detect(rng, m, s, t, e, tag, step):
    """``EV_DETECT``: Red detects launcher ``e`` (drawn from ``det_t``)."""
    s.b.out[Y.O_DETECTIONS] += 1
    on_detection(rng, m, s, t, e, step)
    refresh_detection(rng, m, s, e, t)
    return ENG_NONE


@kernel
def decoy_next(rng, m, s, t, d):
    """Schedule decoy ``d``'s next detection (as a hidden launcher, decoy concealment)."""
    fp = m.fp
    dt = exp_time(rng, fp[Y.F_RATE_HIDDEN] * (1.0 - fp[Y.F_DECOY_CONCEALMENT]))
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
    if not identified and (m.ip[Y.I_DOCTRINE] == 1 or dec[e, 1] == 0):
        if strike_site(rng, m, s, t, m.decoy_site[e], step):
            dec[e, 1] = 1
    decoy_next(rng, m, s, t, e)
    return ENG_NONE
