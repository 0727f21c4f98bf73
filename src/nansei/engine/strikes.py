"""Red strikes landing: on launcher and decoy sites, and on airports and ports.

* A strike lands on its aim point (a position or a road point) after the kill
  chain of its cue (:func:`nansei.engine.detection.strike_at`). Each missile is
  intercepted with ``blue.air_defence.p_intercept``; each leaking one lands at
  the aim point plus a location error and kills, with ``p_kill``, each launcher
  (and decoy) within the lethal radius of its impact, whoever it is
  (:mod:`nansei.engine.positions`). **Tie rule**: a strike landing at the
  instant a launcher leaves misses it under ``launcher_escapes``
  (``I_TIE_RULE`` 0) and finds it under ``launcher_caught`` (1). A strike that
  finds no launcher within the radius of its aim point is wasted.
* Red claims a kill for every launcher killed and, with ``p_false_claim``, for
  a leaking strike that killed nothing (a decoy, an empty position or road).
* Gateway strikes: a Poisson stream on a uniformly chosen airport or port; a
  leak closes it for a drawn repair time (a new hit extends the closure).
"""

from __future__ import annotations

import numpy as np

from nansei.engine import layout as Y
from nansei.engine.books import log_row, push
from nansei.engine.detection import red_can_fire, red_spend
from nansei.engine.dists import draw, exp_time
from nansei.engine.fuel import fuel_lost
from nansei.engine.gating import p_intercept
from nansei.engine.jit import kernel
from nansei.engine.launchers import destroy
from nansei.engine.layout import U_ENABLED
from nansei.engine.legal import A_USE_OF_FORCE, G_AD_SDF, T_RED_STRIKE
from nansei.engine.positions import within
from nansei.engine.rng import random, standard_normal
from nansei.engine.state import C_NGWLOG, C_NSTRLOG, ENG_NONE
from nansei.engine.supply import struck
from nansei.engine.trips import review


@kernel
def _struck_by_law(m, s):
    """A strike on Japanese territory matters to the supply chain or the legal timeline."""
    return m.su_f[U_ENABLED] == 1.0 or s.lg.trig_t[T_RED_STRIKE] == np.inf


@kernel
def _p_intercept(m, s, t, n, site):
    """Blue's intercept probability per missile, gated by ``sdf_use_of_force``."""
    p = m.fp[Y.F_P_INTERCEPT]
    if p > 0.0 and t < s.lg.auth_t[A_USE_OF_FORCE] and m.lg_f[G_AD_SDF] == 1.0:
        p = p_intercept(m, s, p, t, n, site)
    return p


@kernel
def _kills(rng, m, s, t, x, y, p_int):
    """Fly a strike's missiles at ``(x, y)``: ``(leaking missiles, launchers killed)``.

    Each missile is intercepted with ``p_int``; a leaking one lands at the aim
    point plus a location error (normal, ``F_AIM_SD_KM`` per axis) and kills
    each launcher within ``F_LETHAL_KM`` of its impact with ``p_kill``
    (:func:`nansei.engine.positions.within`). Killed launchers are marked in
    ``World.hit``; decoys within the radius are destroyed likewise.
    """
    fp, out, hit, dec = m.fp, s.b.out, s.w.hit, s.w.dec
    radius, sd, p_kill = fp[Y.F_LETHAL_KM], fp[Y.F_AIM_SD_KM], fp[Y.F_P_KILL]
    xy = m.site_xy
    destroyable = m.ip[Y.I_DECOY_DESTROYABLE] == 1
    hit[:] = 0
    leak = 0
    n_hit = 0
    for _ in range(m.ip[Y.I_MISSILES_PER_STRIKE]):
        if random(rng) < p_int:
            out[Y.O_INTERCEPTED] += 1
            continue
        leak += 1
        ix, iy = x, y
        if sd > 0.0:
            ix += sd * standard_normal(rng)
            iy += sd * standard_normal(rng)
        for la in range(hit.shape[0]):
            if hit[la] == 0 and within(m, s, t, la, ix, iy, radius):
                if random(rng) < p_kill:
                    hit[la] = 1
                    n_hit += 1
        for d in range(dec.shape[0]):
            if dec[d, 0] == 1 and destroyable:
                dx, dy = xy[m.decoy_site[d], 0] - ix, xy[m.decoy_site[d], 1] - iy
                if dx * dx + dy * dy <= radius * radius and random(rng) < p_kill:
                    dec[d, 0] = 0
                    out[Y.O_DECOYS_DESTROYED] += 1
    return leak, n_hit


@kernel
def _found(m, s, t, x, y):
    """True if a launcher stands within the lethal radius of the aim point at ``t``."""
    for la in range(s.L.i.shape[0]):
        if within(m, s, t, la, x, y, m.fp[Y.F_LETHAL_KM]):
            return True
    return False


@kernel
def _decoy_at(m, s, x, y):
    """True if an intact decoy stands within the lethal radius of ``(x, y)``."""
    r = m.fp[Y.F_LETHAL_KM]
    for d in range(s.w.dec.shape[0]):
        dx = m.site_xy[m.decoy_site[d], 0] - x
        dy = m.site_xy[m.decoy_site[d], 1] - y
        if s.w.dec[d, 0] == 1 and dx * dx + dy * dy <= r * r:
            return True
    return False


@kernel
def on_strike(rng, m, s, t, e, tag, step):
    """``EV_STRIKE``: the strike aimed at ``World.aim[e]`` lands."""
    out, w = s.b.out, s.w
    x, y = w.aim[e, 0], w.aim[e, 1]
    site = int(w.aim[e, 2])
    position = w.aim[e, 3] == 1.0
    s.b.series[step, Y.S_STRIKES] += 1
    found = _found(m, s, t, x, y)
    decoy = not found and _decoy_at(m, s, x, y)
    if _struck_by_law(m, s):
        struck(m, s, t, m.su_site_isl[site], False)
    p_int = _p_intercept(m, s, t, m.ip[Y.I_MISSILES_PER_STRIKE], site)
    leak, n_hit = _kills(rng, m, s, t, x, y, p_int)
    if leak > 0:
        out[Y.O_CASUALTY] += m.site_f[site, 1]
        if position:
            w.site_hot[site] = t  # Blue sees the position struck
    log_row(s.b.strike_log, s.b.cnt, C_NSTRLOG, t, site, m.site_island[site], min(leak, 1))
    if found:
        out[Y.O_ON_TARGET] += leak
    else:
        out[Y.O_WASTED] += leak
        out[Y.O_STRIKES_WASTED] += 1
        if decoy:
            out[Y.O_STRIKES_DECOY] += 1
    if n_hit > 0:
        out[Y.O_CLAIMED] += n_hit
        for la in range(w.hit.shape[0]):
            if w.hit[la] == 1:
                destroy(m, s, t, la)
                s.L.det_t[la] = np.inf
                if m.su_f[U_ENABLED] == 1.0:
                    fuel_lost(m, s, t, la)
    elif leak > 0 and m.fp[Y.F_P_FALSE_CLAIM] > 0.0:
        if random(rng) < m.fp[Y.F_P_FALSE_CLAIM]:
            out[Y.O_CLAIMED] += 1
    return ENG_NONE


@kernel
def gateway_next(rng, m, s, t):
    """Schedule the next gateway strike of the Poisson stream."""
    dt = exp_time(rng, m.fp[Y.F_GW_RATE_PER_H])
    if t + dt <= m.fp[Y.F_HORIZON_H]:
        push(s, t + dt, Y.EV_GW_STRIKE, 0, 0)


@kernel
def _close_gateway(rng, m, s, t, g):
    """A leaking strike closes gateway ``g`` (or extends its closure) for a repair time."""
    w = s.w
    if w.gw_open[g] == 1:
        w.gw_open[g] = 0
        w.gw_since[g] = t
        w.gw_row[g] = log_row(s.b.gw_log, s.b.cnt, C_NGWLOG, g, t, np.inf, 0.0)
    w.gw_ver[g] += 1
    rep = draw(rng, m.ip[Y.I_REPAIR_KIND], m.fp[Y.F_REPAIR_A], m.fp[Y.F_REPAIR_B])
    push(s, t + rep, Y.EV_GW_REOPEN, g, w.gw_ver[g])


@kernel(inline=False)
def on_gw_strike(rng, m, s, t, e, tag, step):
    """``EV_GW_STRIKE``: Red strikes a uniformly chosen gateway (of the allowed type)."""
    out = s.b.out
    g = int(random(rng) * m.gw_type.shape[0])
    gt = m.ip[Y.I_GW_TARGETS]
    n = m.ip[Y.I_MISSILES_PER_STRIKE]
    if (gt == 2 or m.gw_type[g] == gt) and red_can_fire(m, s, t, n):
        red_spend(s, step, n)
        out[Y.O_GW_STRIKES] += 1
        p_int = _p_intercept(m, s, t, n, -1)
        leak = 0
        for _ in range(n):
            if random(rng) < p_int:
                out[Y.O_INTERCEPTED] += 1
            else:
                leak += 1
        out[Y.O_ON_GATEWAYS] += leak
        if _struck_by_law(m, s):
            struck(m, s, t, m.gw_island[g], leak > 0)
        if leak > 0:
            _close_gateway(rng, m, s, t, g)
    gateway_next(rng, m, s, t)
    return ENG_NONE


@kernel(inline=False)
def on_gw_reopen(rng, m, s, t, e, tag, step):
    """``EV_GW_REOPEN``: gateway ``e`` is repaired (unless a later hit extended it)."""
    w = s.w
    if tag == w.gw_ver[e] and w.gw_open[e] == 0:
        w.gw_open[e] = 1
        review(m, s, t, False, -1)
        s.b.out[Y.O_GW_CLOSED_H] += t - w.gw_since[e]
        if w.gw_row[e] >= 0:
            s.b.gw_log[w.gw_row[e], 2] = t
    return ENG_NONE
