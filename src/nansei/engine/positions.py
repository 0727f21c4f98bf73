"""Where a launcher is at an instant: the geometry that strikes are judged by.

Positions are planar (km; ``Model.site_xy``, an equirectangular projection
about ``compile_sites.PLANAR_LAT0``). A launcher that is not moving stands at its
site. On a road move it runs the straight line from the site it left to its
destination at constant speed (a proxy of the road). During a lift or an
idealised fixed move it is out of reach of a strike on a position. The tie
rule (``I_TIE_RULE``) decides the instant a launcher leaves: under
``launcher_escapes`` it is gone, under ``launcher_caught`` it is still there.
"""

from __future__ import annotations

from nansei.engine import layout as Y
from nansei.engine.jit import kernel
from nansei.engine.state import MOVE_KIND, ORIGIN, SITE, ST, T_ARRIVE, T_LEAVE


@kernel
def road_point(m, s, t, la):
    """Launcher ``la``'s point on the straight line of its current move at ``t`` (km)."""
    li, lt, xy = s.L.i, s.L.f, m.site_xy
    a, b = li[la, ORIGIN], li[la, SITE]
    t0, t1 = lt[la, T_LEAVE], lt[la, T_ARRIVE]
    f = 1.0
    if t1 > t0:
        f = min(max((t - t0) / (t1 - t0), 0.0), 1.0)
    return xy[a, 0] + f * (xy[b, 0] - xy[a, 0]), xy[a, 1] + f * (xy[b, 1] - xy[a, 1])


@kernel
def within(m, s, t, la, x, y, radius):
    """True if launcher ``la`` is within ``radius`` km of ``(x, y)`` at ``t``."""
    li, lt, xy = s.L.i, s.L.f, m.site_xy
    st = li[la, ST]
    if st >= Y.DESTROYED:
        return False
    escapes = m.ip[Y.I_TIE_RULE] == 0
    if st != Y.MOVING:
        if escapes and t >= lt[la, T_LEAVE]:
            return False  # leaving at this very instant
        px, py = xy[li[la, SITE], 0], xy[li[la, SITE], 1]
    elif t == lt[la, T_LEAVE]:
        if escapes:
            return False
        px, py = xy[li[la, ORIGIN], 0], xy[li[la, ORIGIN], 1]  # caught as it leaves
    elif li[la, MOVE_KIND] == Y.MV_ROAD:
        px, py = road_point(m, s, t, la)
    else:
        return False
    dx, dy = px - x, py - y
    return dx * dx + dy * dy <= radius * radius
