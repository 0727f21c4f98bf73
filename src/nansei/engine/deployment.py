"""Forces that change over time: launchers entering and leaving the theatre.

A launcher group may arrive after t = 0 (``blue.launchers[].arrive_h``) and
leave before the horizon (``withdraw_h``). Until it arrives, and after it
leaves, a launcher is ``layout.ABSENT``: it holds no site, Red cannot detect or
strike it, and its hours do not count in ``launcher_hours_available`` (the
launcher-hours that losses are measured against, ``docs/engine.md``).
"""

from __future__ import annotations

import numpy as np

from nansei.engine import layout as Y
from nansei.engine.fuel import fuel_close
from nansei.engine.jit import kernel
from nansei.engine.launchers import end_stay, on_arrive
from nansei.engine.layout import U_ENABLED
from nansei.engine.relocation import choose_site
from nansei.engine.state import DEP, ENG_NONE, MOVE_KIND, ORIGIN, SITE, ST, STAY
from nansei.engine.supply import stock_check, stockout_lost


@kernel
def on_deploy(rng, m, s, t, e, tag, step):
    """``EV_DEPLOY``: launcher ``e`` enters the theatre at its planned start site, or,
    if that is taken, at the site the relocation policy picks anywhere in play."""
    li = s.L.i
    if li[e, ST] != Y.ABSENT:
        return ENG_NONE
    site = m.l_site0[e]
    if s.w.site_occ[site] >= 0:
        site = choose_site(rng, m, s, t, e, -1, -1)
        if site < 0:
            site = m.l_site0[e]  # every site taken: share the planned one
    li[e, SITE] = site
    li[e, ORIGIN] = site
    li[e, MOVE_KIND] = Y.MV_FIXED
    li[e, ST] = Y.MOVING
    s.w.site_occ[site] = e
    stock_check(m, s, t, e)
    if m.su_f[U_ENABLED] == 1.0:
        s.fu.fuel_t[e] = t  # the tank burns from arrival on
    return on_arrive(rng, m, s, t, e, tag, step)


@kernel
def withdraw_books(m, s, t, la):
    """Close launcher ``la``'s books as it leaves the theatre alive at ``t``."""
    li, out = s.L.i, s.b.out
    if li[la, ST] != Y.MOVING:
        end_stay(m, s, t, la)
    elif s.w.site_occ[li[la, SITE]] == la:
        s.w.site_occ[li[la, SITE]] = -1
    out[Y.O_LAUNCHER_HOURS] += t - m.lp[la, Y.L_ARRIVE_H]
    out[Y.O_WITHDRAWN] += 1
    stockout_lost(s, t, la)
    if m.su_f[U_ENABLED] == 1.0:
        fuel_close(m, s, t, la)  # its tank leaves with it (counted as in launchers at the end)


@kernel
def on_withdraw(rng, m, s, t, e, tag, step):
    """``EV_WITHDRAW``: launcher ``e`` leaves the theatre; every pending event of its
    stay or departure is made stale, and pending strikes find nothing."""
    li = s.L.i
    if li[e, ST] >= Y.DESTROYED:
        return ENG_NONE
    withdraw_books(m, s, t, e)
    li[e, ST] = Y.ABSENT
    li[e, STAY] += 1
    li[e, DEP] += 1
    s.L.det_t[e] = np.inf
    s.fu.strand[e] = 0
    return ENG_NONE
