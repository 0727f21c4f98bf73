"""Scripted events (``events:``) in the kernel: gateways held closed, scripted strikes.

Most scripted actions are mapped onto existing mechanisms when the scenario is compiled
(:mod:`nansei.engine.compile_events`): a recognition is a scheduled entry of the legal
timeline, a group's arrival or withdrawal sets its ``arrive_h`` or ``withdraw_h``, the
evacuation's order, suspensions and weather go to the evacuation sub-model. Every scripted
event is still an ``EV_SCRIPTED`` event here, so it is traced (entity: row of ``Model.sx``,
value: index in ``events``) and counted (``scripted_events``). The handler below acts on
the rest:

* a scripted closure holds a gateway closed (``World.gw_held``) apart from Red's closures
  (``World.gw_open``): lift and SDF routes need both open; its hours go to
  ``scripted_gateway_closed_h``, never to ``gateway_closed_h``, and it is not logged for the
  evacuation's "first strike" (the evacuation sees it as a stop of that gateway);
* a scripted strike on a gateway also marks its island struck for the SDF (combat zone,
  supply nodes hit), without the legal trigger "first Red strike on Japan";
* a scripted strike on a site destroys each launcher within Red's lethal radius with
  ``red.p_kill`` (no missile, intercept or location error).
"""

from __future__ import annotations

import numpy as np

from nansei.engine import layout as Y
from nansei.engine.books import push
from nansei.engine.fuel import fuel_lost
from nansei.engine.jit import kernel
from nansei.engine.launchers import destroy
from nansei.engine.layout import U_ENABLED
from nansei.engine.positions import within
from nansei.engine.rng import random
from nansei.engine.state import ENG_NONE
from nansei.engine.supply import island_hit
from nansei.engine.trips import review


@kernel
def hold_gateway(s, t, g):
    """Gateway ``g`` is held closed by a scripted event from ``t``."""
    w = s.w
    if w.gw_held[g] == 0:
        w.gw_held[g] = 1
        w.gw_held_since[g] = t


@kernel
def release_gateway(m, s, t, g):
    """The scripted hold of gateway ``g`` ends at ``t``; the SDF reviews its supply."""
    w = s.w
    if w.gw_held[g] == 1:
        w.gw_held[g] = 0
        s.b.out[Y.O_SX_GW_CLOSED_H] += t - w.gw_held_since[g]
        review(m, s, t, False, -1)


@kernel
def strike_site(rng, m, s, t, site):
    """A scripted strike lands on ``site`` at ``t``: each launcher within Red's lethal
    radius of it is destroyed with ``red.p_kill``."""
    x, y = m.site_xy[site, 0], m.site_xy[site, 1]
    out = s.b.out
    for la in range(s.L.i.shape[0]):
        if within(m, s, t, la, x, y, m.fp[Y.F_LETHAL_KM]) and random(rng) < m.fp[Y.F_P_KILL]:
            destroy(m, s, t, la)
            s.L.det_t[la] = np.inf
            out[Y.O_SX_KILLS] += 1
            if m.su_f[U_ENABLED] == 1.0:
                fuel_lost(m, s, t, la)


@kernel(inline=False)
def on_scripted(rng, m, s, t, e, tag, step):
    """``EV_SCRIPTED``: row ``e`` of ``Model.sx`` takes effect (``tag``: its event index)."""
    out = s.b.out
    op = int(m.sx[e, 1])
    ent = int(m.sx[e, 2])
    out[Y.O_SX_EVENTS] += 1
    if op == Y.SX_CLOSE_GW:
        hold_gateway(s, t, ent)
    elif op == Y.SX_OPEN_GW:
        release_gateway(m, s, t, ent)
    elif op == Y.SX_STRIKE_GW:
        out[Y.O_SX_STRIKES] += 1
        hold_gateway(s, t, ent)
        island_hit(m, s, t, m.gw_island[ent], True)
    elif op == Y.SX_STRIKE_SITE:
        out[Y.O_SX_STRIKES] += 1
        strike_site(rng, m, s, t, ent)
        island_hit(m, s, t, m.su_site_isl[ent], False)
    return ENG_NONE


@kernel
def scripted_start(s, sx, horizon):
    """Schedule the scripted events before the horizon (after every other initial event,
    so a scenario without them keeps its event order)."""
    for x in range(sx.shape[0]):
        if sx[x, 0] < horizon:
            push(s, sx[x, 0], Y.EV_SCRIPTED, x, int(sx[x, 3]))


@kernel
def scripted_close(s, horizon):
    """Close the books of gateways still held closed at the horizon."""
    w = s.w
    for g in range(w.gw_held.shape[0]):
        if w.gw_held[g] == 1:
            s.b.out[Y.O_SX_GW_CLOSED_H] += horizon - w.gw_held_since[g]
