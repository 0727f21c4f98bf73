"""Identification: what Red makes of a sighting of a launcher among look-alike vehicles.

A sighting (an ISR detection, ``EV_DETECT``) of launcher ``la`` in state ``st``
shows its signature with probability ``F_SIGNATURE + st``; Red then knows it is
a launcher (``ID_LAUNCHER``). Otherwise the launcher is one of ``1 + N``
vehicles that look alike in Red's view, ``N`` Poisson with mean ``mu`` (the
site's ``site_f[:, 4]``; on the road the mean of its two ends). Red strikes
only if ``1 + N <= I_ID_MAX_CANDIDATES``, and then one of the ``1 + N`` at
random: the launcher with probability ``1 / (1 + N)`` (``ID_LAUNCHER``), else a
look-alike (``ID_LOOKALIKE``) at a uniform point of the view disc of radius
``F_ID_RADIUS_KM`` about the launcher; with more vehicles in view Red holds
fire (``ID_NONE``). A launch detection is not a sighting here: its plume is
the signature.

With every ``p_signature`` at 1 (the default) no random number is drawn, so
runs are those of a model without identification. Otherwise every sighting
draws five uniforms whatever its outcome, so that two runs that differ only
in the look-alike density stay on common random numbers; the count ``N`` is
drawn by inversion, so it never falls when ``mu`` rises with the same uniform.
"""

from __future__ import annotations

import math

import numpy as np

from nansei.engine import layout as Y
from nansei.engine.jit import kernel
from nansei.engine.positions import road_point
from nansei.engine.rng import random
from nansei.engine.state import MOVE_KIND, ORIGIN, SITE, ST


@kernel
def poisson_at_least(mu, u, cap):
    """``min(N, cap)`` for ``N`` Poisson with mean ``mu`` drawn by inversion of ``u``.

    Counts from ``cap`` on are not told apart (Red holds fire on all of them),
    so the search stops there. Terms are summed in logs (no underflow for large
    ``mu``).
    """
    if mu <= 0.0:
        return 0
    log_mu = math.log(mu)
    log_p = -mu
    cdf = math.exp(log_p)
    n = 0
    while u >= cdf and n < cap:
        n += 1
        log_p += log_mu - math.log(n)
        cdf += math.exp(log_p)
    return n


@kernel
def lookalikes_in_view(m, s, la):
    """Expected look-alike vehicles in Red's view of launcher ``la`` (count)."""
    li = s.L.i
    if li[la, ST] == Y.MOVING:
        return 0.5 * (m.site_f[li[la, ORIGIN], 4] + m.site_f[li[la, SITE], 4])
    return m.site_f[li[la, SITE], 4]


@kernel
def sighting_point(m, s, t, la):
    """Where Red sees launcher ``la`` at ``t`` (km): its site, or its road point; NaN
    during a lift or an idealised move (no point to aim at)."""
    li = s.L.i
    if li[la, ST] != Y.MOVING:
        site = li[la, SITE]
        return m.site_xy[site, 0], m.site_xy[site, 1]
    if li[la, MOVE_KIND] != Y.MV_ROAD:
        return np.nan, np.nan
    return road_point(m, s, t, la)


@kernel
def identify(rng, m, s, t, la):
    """Red's reading of a sighting of launcher ``la`` at ``t``.

    Returns
    -------
    outcome : int
        ``layout.ID_LAUNCHER``, ``ID_LOOKALIKE`` or ``ID_NONE``.
    x, y : float
        For ``ID_LOOKALIKE``, the look-alike's position (km, planar): uniform in
        the view disc about the launcher; NaN when the launcher has no position
        (lift or idealised move). Unused otherwise.
    """
    sig = m.fp[Y.F_SIGNATURE + s.L.i[la, ST]]
    if sig >= 1.0:
        return Y.ID_LAUNCHER, 0.0, 0.0
    u_sig, u_n, u_pick, u_r, u_a = random(rng), random(rng), random(rng), random(rng), random(rng)
    if u_sig < sig:
        return Y.ID_LAUNCHER, 0.0, 0.0
    k = m.ip[Y.I_ID_MAX_CANDIDATES]
    n = poisson_at_least(lookalikes_in_view(m, s, la), u_n, k)
    if n + 1 > k:
        return Y.ID_NONE, 0.0, 0.0
    if u_pick * (n + 1) < 1.0:
        return Y.ID_LAUNCHER, 0.0, 0.0
    x, y = sighting_point(m, s, t, la)
    r = m.fp[Y.F_ID_RADIUS_KM] * math.sqrt(u_r)
    a = 2.0 * math.pi * u_a
    return Y.ID_LOOKALIKE, x + r * math.cos(a), y + r * math.sin(a)
