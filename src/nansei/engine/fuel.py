"""Launcher fuel in the kernel (sustainment enabled only).

Burn follows activity. A launcher burns ``lp[la, L_FUEL_IDLE]`` litres an
hour whenever it is not moving (auxiliary power while hidden), on top of that
``lp[la, L_FUEL_ACTIVE]`` an hour while it sets up, fires, reloads or tears
down (engine running; charged when the activity starts, for its drawn
duration), and ``lp[la, L_FUEL_KM]`` a km driven, charged when the move starts.
Idle burn is accounted lazily, up to ``fuel_t`` (set to the arrival time while
moving). Fuel comes from the island's issuing node (travel on the island
neglected, as for pods) and is SDF supply of fuel: it needs
``sdf_supply_fuel`` and, in a combat zone, ``sdf_logistics_in_combat_zone``.
A launcher that cannot fire or move for lack of fuel is *stranded*
(:data:`~nansei.engine.state.STRAND_FIRE`, ``STRAND_MOVE``) until a refuel.
"""

from __future__ import annotations

import numpy as np

from nansei.engine import layout as Y
from nansei.engine.books import push, stock_row
from nansei.engine.gating import blocked, combat_zone_blocks
from nansei.engine.jit import kernel
from nansei.engine.layout import U_ENABLED, U_REFUEL_BELOW, U_WINDOW
from nansei.engine.legal import A_COMBAT_ZONE, A_SUPPLY_FUEL, REASON_COMBAT_ZONE


@kernel(inline=False)
def fuel_start(m, s):
    """Fill every tank at t = 0."""
    fu, lp = s.fu, m.lp
    total = 0.0
    for la in range(lp.shape[0]):
        fu.fuel[la] = lp[la, Y.L_FUEL_CAP]
        total += fu.fuel[la]
    fu.fuel_t[:] = 0.0
    fu.dry[:] = np.inf
    fu.strand[:] = 0
    s.b.out[Y.O_FUEL_L_START] = total


@kernel
def fuel_sync(m, s, t, la):
    """Charge launcher ``la``'s idle burn up to ``t``; record when the tank ran dry."""
    fuel, fuel_t, dry = s.fu.fuel, s.fu.fuel_t, s.fu.dry
    t0 = fuel_t[la]
    if t <= t0:
        return
    rate = m.lp[la, Y.L_FUEL_IDLE]
    burn = rate * (t - t0)
    t_dry = t0
    if burn >= fuel[la]:
        if rate > 0.0:
            t_dry = t0 + fuel[la] / rate
        burn = fuel[la]
    s.b.out[Y.O_FUEL_BURNED] += burn
    fuel[la] -= burn
    fuel_t[la] = t
    if fuel[la] <= 0.0 and dry[la] == np.inf:
        dry[la] = t_dry


@kernel
def fuel_active(m, s, t, la, hours):
    """Charge ``hours`` of engine-running activity starting at ``t`` (sustainment only)."""
    if m.su_f[U_ENABLED] != 1.0 or hours <= 0.0:
        return
    fuel_sync(m, s, t, la)
    fuel, dry = s.fu.fuel, s.fu.dry
    rate = m.lp[la, Y.L_FUEL_ACTIVE]
    burn = min(rate * hours, fuel[la])
    fuel[la] -= burn
    s.b.out[Y.O_FUEL_BURNED] += burn
    if fuel[la] <= 0.0 and dry[la] == np.inf and rate > 0.0:
        dry[la] = t + burn / rate


@kernel(inline=False)
def refuel(m, s, t, la, site, force):
    """Top up launcher ``la`` at ``site`` from its island's node; return the litres issued.

    Without ``force`` only below ``refuel_below`` of capacity. A refusal by law
    is counted and logged; in a combat zone a retry (a supply review of the
    node) is scheduled for when the zone clears.
    """
    fu, out = s.fu, s.b.out
    fuel_sync(m, s, t, la)
    cap = m.lp[la, Y.L_FUEL_CAP]
    if fu.fuel[la] >= cap or (not force and fu.fuel[la] >= m.su_f[U_REFUEL_BELOW] * cap):
        return 0.0
    island = m.su_site_isl[site]
    if island < 0 or m.su_issue[island] < 0:
        return 0.0
    nd = m.su_issue[island]
    stock = s.su.stock
    n_m = stock.shape[1] - 1
    q = min(cap - fu.fuel[la], stock[nd, n_m])
    if q <= 0.0:
        return 0.0
    if t < s.lg.auth_t[A_SUPPLY_FUEL]:
        blocked(m, s, t, A_SUPPLY_FUEL, 0, site, 1)
        return 0.0
    if combat_zone_blocks(m, s, island, t):
        blocked(m, s, t, A_COMBAT_ZONE, REASON_COMBAT_ZONE, site, 1)
        clear = s.su.isl_hit[island] + m.su_f[U_WINDOW]
        if force and clear > t:
            push(s, clear, Y.EV_SUPPLY_REVIEW, nd, 0)
        return 0.0
    stock[nd, n_m] -= q
    fu.fuel[la] += q
    out[Y.O_FUEL_ISSUED] += q
    stock_row(s.b, t, Y.EV_STOCK_ISSUED, nd, n_m, -q)
    if fu.dry[la] < np.inf:
        out[Y.O_FUEL_DRY_H] += max(t - fu.dry[la], 0.0)
        fu.dry[la] = np.inf
    if fu.strand[la] > 0:
        fu.strand[la] = -fu.strand[la]  # fuelled: the kernel lets it go on
    push(s, t, Y.EV_SUPPLY_REVIEW, nd, 0)
    return q


@kernel
def fuel_ok(m, s, t, la, site, need):
    """True if launcher ``la`` holds ``need`` litres (more than 0 when ``need`` is 0),
    refuelling first if it does not."""
    fuel = s.fu.fuel
    fuel_sync(m, s, t, la)
    if fuel[la] >= need and fuel[la] > 0.0:
        return True
    refuel(m, s, t, la, site, True)
    return fuel[la] >= need and fuel[la] > 0.0


@kernel
def fuel_move(m, s, la, km, t_arr):
    """Charge a move of ``km`` that ends at ``t_arr``."""
    fuel, fuel_t, dry = s.fu.fuel, s.fu.fuel_t, s.fu.dry
    burn = min(m.lp[la, Y.L_FUEL_KM] * km, fuel[la])
    fuel[la] -= burn
    s.b.out[Y.O_FUEL_BURNED] += burn
    fuel_t[la] = t_arr
    if fuel[la] <= 0.0 and dry[la] == np.inf:
        dry[la] = t_arr


@kernel
def any_stranded(s):
    """True if some launcher waits for fuel."""
    strand = s.fu.strand
    for la in range(strand.shape[0]):
        if strand[la] != 0:
            return True
    return False


@kernel(inline=False)
def fuel_lost(m, s, t, la):
    """Launcher ``la`` is destroyed at ``t``: its fuel is lost, its dry time closed."""
    fuel_sync(m, s, t, la)
    fu, out = s.fu, s.b.out
    out[Y.O_FUEL_L_LOST] += fu.fuel[la]
    fu.fuel[la] = 0.0
    if fu.dry[la] < np.inf:
        out[Y.O_FUEL_DRY_H] += max(t - fu.dry[la], 0.0)
        fu.dry[la] = np.inf
    fu.strand[la] = 0


@kernel(inline=False)
def fuel_close(m, s, horizon, la):
    """Close a surviving launcher's fuel books at the horizon."""
    fuel_sync(m, s, horizon, la)
    fu, out = s.fu, s.b.out
    out[Y.O_FUEL_L_END] += fu.fuel[la]
    if fu.dry[la] < np.inf:
        out[Y.O_FUEL_DRY_H] += max(horizon - fu.dry[la], 0.0)
        fu.dry[la] = np.inf
