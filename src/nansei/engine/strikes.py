"""Red strikes landing: on launcher and decoy sites, and on airports and ports.

* A strike on a site lands after the kill-chain delay
  (:func:`nansei.engine.detection.strike_site`). Each missile is intercepted
  with ``blue.air_defence.p_intercept``; each leaking one kills a launcher
  present with ``p_kill``. **Tie rule**: a strike landing at the instant the
  launcher leaves misses under ``launcher_escapes`` (``I_TIE_RULE`` 0) and hits
  under ``launcher_caught`` (1); the comparison uses the leave time fixed when
  the departure was scheduled. A strike that finds no launcher is wasted
  (on a decoy, it may destroy it).
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
from nansei.engine.rng import random
from nansei.engine.state import C_NGWLOG, C_NSTRLOG, ENG_NONE, SITE, ST, T_LEAVE
from nansei.engine.supply import stockout_lost, struck
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
def _launcher_present(m, s, t, site):
    """The launcher the strike on ``site`` finds at ``t`` (tie rule applied), or -1."""
    li, lt = s.L.i, s.L.f
    la = s.w.site_occ[site]
    present = la >= 0 and li[la, ST] != Y.MOVING and li[la, SITE] == site
    if present and m.ip[Y.I_TIE_RULE] == 0 and t >= lt[la, T_LEAVE]:
        present = False
    if not present and m.ip[Y.I_TIE_RULE] == 1:
        # launcher caught at the exact instant it left this site
        for j in range(li.shape[0]):
            if li[j, ST] == Y.MOVING and lt[j, T_LEAVE] == t and s.w.site_last[site] == t:
                return j
    return la if present else -1


@kernel
def on_strike(rng, m, s, t, e, tag, step):
    """``EV_STRIKE``: a strike lands on site ``e``."""
    site = e
    out = s.b.out
    s.b.series[step, Y.S_STRIKES] += 1
    la = _launcher_present(m, s, t, site)
    if _struck_by_law(m, s):
        struck(m, s, t, m.su_site_isl[site], False)
    p_int = _p_intercept(m, s, t, m.ip[Y.I_MISSILES_PER_STRIKE], site)
    leak = 0
    kill = False
    for _ in range(m.ip[Y.I_MISSILES_PER_STRIKE]):
        if random(rng) < p_int:
            out[Y.O_INTERCEPTED] += 1
        else:
            leak += 1
            if random(rng) < m.fp[Y.F_P_KILL]:
                kill = True
    if leak > 0:
        out[Y.O_CASUALTY] += m.site_f[site, 1]
    hit = 1.0 if leak > 0 else 0.0
    log_row(s.b.strike_log, s.b.cnt, C_NSTRLOG, t, site, m.site_island[site], hit)
    if la >= 0:
        out[Y.O_ON_TARGET] += leak
        if kill:
            destroy(m, s, t, la)
            s.L.det_t[la] = np.inf
            if m.su_f[U_ENABLED] == 1.0:
                stockout_lost(s, t, la)
                fuel_lost(m, s, t, la)
        return ENG_NONE
    out[Y.O_WASTED] += leak
    out[Y.O_STRIKES_WASTED] += 1
    dec = s.w.dec
    for d in range(m.decoy_site.shape[0]):
        if m.decoy_site[d] == site and dec[d, 0] == 1:
            out[Y.O_STRIKES_DECOY] += 1
            if kill and m.ip[Y.I_DECOY_DESTROYABLE] == 1:
                dec[d, 0] = 0
                out[Y.O_DECOYS_DESTROYED] += 1
            break
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
