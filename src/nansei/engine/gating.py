"""Legal gating in the kernel: recognitions as they become known, blocked actions.

The legal state machine itself (:func:`nansei.engine.legal.legal_resolve`)
is pure arithmetic on arrays; this module connects it to a replication:
recognitions become ``EV_LEGAL`` events, trigger events (first Red strike on
Japanese territory, first Blue salvo from it) resolve the timeline, and every
refusal is counted per action and logged with its reason.
"""

from __future__ import annotations

import numpy as np

from nansei.engine import layout as Y
from nansei.engine.books import push, trace_row
from nansei.engine.jit import kernel
from nansei.engine.legal import (
    A_COMBAT_ZONE,
    A_EVACUATION,
    A_US_FIRES,
    A_USE_OF_FORCE,
    G_AD_SDF,
    G_PC_AT,
    G_PC_STATUS,
    block_reason,
    entry_in_effect,
    legal_reset,
    legal_resolve,
)


@kernel
def legal_events(m, s, new, after):
    """Push an ``EV_LEGAL`` event for each newly known recognition later than ``after``.

    Recognitions at the start (t <= 0) need no event: every gate compares with
    ``auth_t`` directly, and without one a scenario's event count is unchanged.
    """
    rec_t = s.lg.rec_t
    for r in range(min(m.lg_rec.shape[0], 62)):
        if (new >> r) & 1 and rec_t[r] > after:
            push(s, rec_t[r], Y.EV_LEGAL, r, 0)


@kernel(inline=False)
def legal_start(m, s, horizon):
    """Draw the recognition delays, resolve the timeline, schedule its events."""
    lg = s.lg
    legal_reset(lg.lrng, m.lg_rec, lg.rec_t, lg.rec_delay, lg.trig_t)
    new = legal_resolve(
        m.lg_perm, m.lg_rec, m.lg_f, lg.rec_t, lg.rec_delay, lg.recog_t, lg.auth_t, lg.trig_t
    )
    legal_events(m, s, new, 0.0)
    if m.lg_f[G_PC_STATUS] == 0.0 and 0.0 < m.lg_f[G_PC_AT] <= horizon:
        push(s, m.lg_f[G_PC_AT], Y.EV_LEGAL, m.lg_rec.shape[0], 0)


@kernel(inline=False)
def trigger(m, s, t, which):
    """A trigger event (``legal.T_*``) happened at ``t``; resolve recognitions."""
    lg = s.lg
    if lg.trig_t[which] < np.inf:
        return
    lg.trig_t[which] = t
    new = legal_resolve(
        m.lg_perm, m.lg_rec, m.lg_f, lg.rec_t, lg.rec_delay, lg.recog_t, lg.auth_t, lg.trig_t
    )
    legal_events(m, s, new, -np.inf)


@kernel(inline=False)
def blocked(m, s, t, a, reason, site, n):
    """Count ``n`` blocked instances of action ``a`` and log one row with its reason
    (``reason`` 0: work it out from the recognised situations)."""
    if reason == 0:
        reason = block_reason(m.lg_perm, m.lg_f, s.lg.recog_t, a, t)
    s.b.out[Y.O_BLOCKED_FIRST + a] += n
    trace_row(s.b, t, Y.EV_BLOCKED, a, site, reason)


@kernel
def in_combat_zone(m, s, k, t):
    """True if island ``k`` was struck within the combat-zone window before ``t``.

    Written as ``t < hit + window`` so that an event scheduled at ``hit + window``
    (the zone clearing) sees the zone clear whatever the rounding.
    """
    return k >= 0 and t < s.su.isl_hit[k] + m.su_f[Y.U_WINDOW]


@kernel
def combat_zone_blocks(m, s, k, t):
    """Island ``k`` is a combat zone at ``t`` and SDF logistics may not enter it."""
    return in_combat_zone(m, s, k, t) and t < s.lg.auth_t[A_COMBAT_ZONE]


@kernel
def p_intercept(m, s, p, t, n, site):
    """Intercept probability at ``t``: 0 while SDF air defence lacks ``sdf_use_of_force``."""
    if p > 0.0 and m.lg_f[G_AD_SDF] == 1.0 and t < s.lg.auth_t[A_USE_OF_FORCE]:
        blocked(m, s, t, A_USE_OF_FORCE, 0, site, n)
        return 0.0
    return p


@kernel
def legal_event_in_effect(m, s, e):
    """False for the ``EV_LEGAL`` event of a timeline entry that changes nothing: it lapsed
    (an anticipated armed attack after the armed attack situation) or repeats an earlier
    recognition of its situation."""
    return entry_in_effect(m.lg_rec, s.lg.rec_t, s.lg.recog_t, e)


@kernel(inline=False)
def legal_close(s, horizon):
    """Record each situation's recognition time (NaN: not recognised by the horizon, or
    lapsed) and the times US fires and the evacuation order were first authorised."""
    out, recog_t = s.b.out, s.lg.recog_t
    for k in range(1, recog_t.shape[0]):
        out[Y.O_T_SIT_FIRST + k - 1] = recog_t[k] if recog_t[k] <= horizon else np.nan
    ta = s.lg.auth_t[A_US_FIRES]
    out[Y.O_T_US_FIRES] = ta if ta <= horizon else np.nan
    te = s.lg.auth_t[A_EVACUATION]
    out[Y.O_T_EVACUATION] = te if te <= horizon else np.nan
