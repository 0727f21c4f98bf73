"""Events of the SDF's support and the law: recognitions, trips, reviews, convoys.

Each handler takes ``(rng, m, s, t, e, tag, step)`` like the combat handlers
and returns which launchers then look for a target (``state.ENG_*``).
"""

from __future__ import annotations

from nansei.engine import layout as Y
from nansei.engine.books import push
from nansei.engine.engagement import fuel_resume
from nansei.engine.fuel import any_stranded
from nansei.engine.gating import legal_event_in_effect
from nansei.engine.jit import kernel
from nansei.engine.layout import N_ISLAND, U_ENABLED, U_INTERVAL
from nansei.engine.state import ENG_ALL, ENG_NONE
from nansei.engine.trips import on_supply_arrive, review


@kernel(inline=False)
def on_legal(rng, m, s, t, e, tag, step):
    """``EV_LEGAL``: a recognition or the prior-consultation decision takes effect.

    Launchers waiting for fuel get it if now lawful; every launcher then looks
    for a target, and after that the supply points are reviewed (the kernel's
    loop calls :func:`nansei.engine.supply.review` after the engagements, unless
    this returns ``ENG_NONE``: the entry lapsed or repeats a recognition, so
    nothing changed).
    """
    if not legal_event_in_effect(m, s, e):
        return ENG_NONE
    if m.su_f[U_ENABLED] == 1.0 and any_stranded(s):
        fuel_resume(rng, m, s, t, -1)
    return ENG_ALL


@kernel(inline=False)
def on_trip(rng, m, s, t, e, tag, step):
    """``EV_SUPPLY_ARRIVE``: trip ``e`` arrives (``tag`` 0) or its withdrawn load is back."""
    p = on_supply_arrive(m, s, t, e, tag)
    if p >= 0 and any_stranded(s):
        fuel_resume(rng, m, s, t, m.su_node[p, N_ISLAND])
    return ENG_NONE


@kernel(inline=False)
def on_review(rng, m, s, t, e, tag, step):
    """``EV_SUPPLY_REVIEW``: (s, S) review of supply point ``e`` (-1: all)."""
    review(m, s, t, False, e)
    if m.su_f[U_ENABLED] == 1.0 and any_stranded(s):
        fuel_resume(rng, m, s, t, m.su_node[e, N_ISLAND] if e >= 0 else -1)
    return ENG_NONE


@kernel(inline=False)
def on_convoy(rng, m, s, t, e, tag, step):
    """``EV_CONVOY``: scheduled convoys leave for every supply point."""
    review(m, s, t, True, -1)
    interval = m.su_f[U_INTERVAL]
    if t + interval < m.fp[Y.F_HORIZON_H]:
        push(s, t + interval, Y.EV_CONVOY, 0, 0)
    return ENG_NONE
