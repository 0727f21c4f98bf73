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
(:data:`~nansei.engine.state.STRAND_FIRE`, ``STRAND_MOVE``) until a refuel. Where
no node can refuel it, it asks for an SDF fuel vehicle (``fuel_resupply``): after a
drawn response time the vehicle fills the tank from the node holding the most fuel,
if the law allows (:func:`request_resupply`, :func:`resupply_launcher`).
"""

from __future__ import annotations

import numpy as np

from nansei.engine import layout as Y
from nansei.engine.books import push, stock_row
from nansei.engine.dists import draw
from nansei.engine.gating import blocked, combat_zone_blocks
from nansei.engine.jit import kernel
from nansei.engine.layout import (
    U_ENABLED,
    U_REFUEL_BELOW,
    U_RESUPPLY,
    U_RESUPPLY_A,
    U_RESUPPLY_B,
    U_RESUPPLY_KIND,
    U_WINDOW,
)
from nansei.engine.legal import A_COMBAT_ZONE, A_SUPPLY_FUEL, REASON_COMBAT_ZONE
from nansei.engine.state import SITE


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
    fu.req[:] = np.inf
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
    fu = s.fu
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
    _issue_fuel(s, t, la, nd, q)
    return q


@kernel
def _issue_fuel(s, t, la, nd, q):
    """Issue ``q`` litres from node ``nd`` into launcher ``la``'s tank (books, dry time,
    strand released, a supply review of the node)."""
    fu, out, stock = s.fu, s.b.out, s.su.stock
    n_m = stock.shape[1] - 1
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


@kernel
def request_resupply(rng, m, s, t, la, site):
    """A launcher stranded for fuel where no node can refuel it (none on its island, or
    none with fuel) asks for an SDF fuel vehicle, once until it arrives."""
    su_f, fu = m.su_f, s.fu
    if su_f[U_RESUPPLY] != 1.0 or fu.req[la] < np.inf:
        return
    island = m.su_site_isl[site]
    nd = m.su_issue[island] if island >= 0 else -1
    if nd >= 0 and s.su.stock[nd, s.su.stock.shape[1] - 1] > 0.0:
        return  # the island's node refuels it (when the law and the combat zone allow)
    fu.req[la] = t
    dt = draw(rng, int(su_f[U_RESUPPLY_KIND]), su_f[U_RESUPPLY_A], su_f[U_RESUPPLY_B])
    push(s, t + dt, Y.EV_FUEL_RESUPPLY, la, 0)


@kernel(inline=False)
def resupply_launcher(m, s, t, la):
    """An SDF fuel vehicle reaches launcher ``la``: fill its tank from the node holding the
    most fuel, if the law (``sdf_supply_fuel``, and ``sdf_logistics_in_combat_zone`` on a
    struck island) allows; return True if it did."""
    fu, stock = s.fu, s.su.stock
    fuel_sync(m, s, t, la)
    site = s.L.i[la, SITE]
    island = m.su_site_isl[site]
    if t < s.lg.auth_t[A_SUPPLY_FUEL]:
        blocked(m, s, t, A_SUPPLY_FUEL, 0, site, 1)
        return False
    if island >= 0 and combat_zone_blocks(m, s, island, t):
        blocked(m, s, t, A_COMBAT_ZONE, REASON_COMBAT_ZONE, site, 1)
        return False
    n_m = stock.shape[1] - 1
    nd = -1
    for j in range(stock.shape[0]):
        if stock[j, n_m] > 0.0 and (nd < 0 or stock[j, n_m] > stock[nd, n_m]):
            nd = j
    if nd < 0:
        return False
    q = min(m.lp[la, Y.L_FUEL_CAP] - fu.fuel[la], stock[nd, n_m])
    if q <= 0.0:
        return False
    _issue_fuel(s, t, la, nd, q)
    s.b.out[Y.O_FUEL_RESUPPLY] += 1
    return True


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
