"""Generated launcher positions: many NOTIONAL points inside each island's land polygon.

The 40 built-in candidate sites (:mod:`nansei.geo.sites`) give 1-6 points per island, too
few for launchers to relocate without coming back to a site Red has just seen. This module
generates more: generic points spread evenly over the land polygon of an island (the
packaged GSHHG coastlines, :mod:`nansei.geo.coastlines`), each at least
:data:`INLAND_KM` (0.5 km, the same margin the built-in sites satisfy) from the coast.

They are **notional generic points**, placed by a fixed low-discrepancy sequence without
looking at roads, buildings or installations; they are never real installations. Every
generated figure (position, count, spacing, concealment) is an assumption (confidence C,
source ``compiler``).

Method
------
1. The island's polygon is the coastline polygon that contains the gazetteer centre of the
   island (for ``iriomote_taketomi`` that is Iriomote; smaller islets get no points).
2. The polygon is mapped to a local plane in km around the island centre: ``y`` along the
   meridian, ``x`` along the parallel with the WGS84 scale of each vertex's own latitude
   (sinusoidal), then shrunk by ``inland_km`` (a negative buffer) plus a margin of 1 % + 2 m
   that covers the plane's error and the rounding of coordinates to 1e-6°.
3. Candidates are the unscrambled Halton sequence (bases 2 and 3, first point skipped) over
   the bounding box of the shrunk polygon; a candidate is kept if it lies inside the shrunk
   polygon and at least ``spacing_km`` from every point kept before it, in sequence order.
   Each kept point is checked once more, in a plane centred on the point itself (error well
   under 0.1 % within a few km), to be ``inland_km`` from the coast (a failure raises).
4. Without an explicit spacing, the spacing starts at :data:`SPACING_FACTOR` × √(A / n)
   (A the shrunk area, km²; n the count) and shrinks by :data:`SPACING_SHRINK` until n points
   fit, never below :data:`MIN_SPACING_KM`.

Nothing is random: the same arguments give the same points on every machine (up to
floating-point differences between GEOS versions, far below a metre).

Examples
--------
>>> pos = generate_positions("yonaguni", 4)
>>> [s.id for s in pos.sites]
['yonaguni-g1', 'yonaguni-g2', 'yonaguni-g3', 'yonaguni-g4']
>>> pos.spacing_km >= MIN_SPACING_KM
True
>>> position_count(158.87, per_km2=0.1, min_per_island=4, max_per_island=60)
16
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import Point, Polygon

from nansei.geo.coastlines import _A_KM, _E2, Coastlines, _km_per_degree, load_coastlines
from nansei.geo.gazetteer import Gazetteer, load_gazetteer
from nansei.geo.sites import (
    DEFAULT_ACCESS_RADIUS_KM,
    DEFAULT_HAZARD_RADIUS_KM,
    CandidateSite,
    classify_access,
    load_sites,
    residents_within,
)

#: Ids of generated positions: ``<island id>-g<n>``.
GENERATED_ID = re.compile(r"^[a-z0-9_]+-g[0-9]+$")

__all__ = [
    "DEFAULT_CONCEALMENT",
    "DEFAULT_MAX_PER_ISLAND",
    "DEFAULT_MIN_PER_ISLAND",
    "DEFAULT_PER_KM2",
    "INLAND_KM",
    "MIN_SPACING_KM",
    "IslandPositions",
    "generate_positions",
    "halton",
    "island_mean_concealment",
    "position_count",
]

#: Every generated position is at least this far from the coast, km (as the built-in sites).
INLAND_KM = 0.5
#: Default density of generated positions, per km² of island land area. Assumption (C).
DEFAULT_PER_KM2 = 0.1
#: Default least number of generated positions on an island in play. Assumption (C).
DEFAULT_MIN_PER_ISLAND = 4
#: Default greatest number of generated positions on an island in play. Assumption (C).
DEFAULT_MAX_PER_ISLAND = 60
#: Concealment of a generated position on an island without built-in sites. Assumption (C):
#: the schema's default concealment of a custom site.
DEFAULT_CONCEALMENT = 0.5
#: Starting spacing = SPACING_FACTOR × √(land area / count); random sequential packing
#: jams near 0.8, so 0.6 usually fits at the first try.
SPACING_FACTOR = 0.6
#: Factor applied to the spacing each time the count does not fit.
SPACING_SHRINK = 0.85
#: Smallest spacing between two generated positions, km.
MIN_SPACING_KM = 0.1
#: Halton candidates tried per attempt: this many per requested position, at least 4,096.
_CANDIDATES_PER_POINT = 256
#: The polygon is shrunk by inland_km × (1 + _MARGIN_REL) + _MARGIN_KM, so that the exact
#: check at each point (a plane centred on it) passes despite the sinusoidal plane's error
#: (< 0.1 %) and the rounding of coordinates to 1e-6° (~0.1 m).
_MARGIN_REL = 0.01
_MARGIN_KM = 0.002


@dataclass(frozen=True)
class IslandPositions:
    """Generated positions of one island.

    Attributes
    ----------
    island : str
        Gazetteer island id.
    sites : tuple of CandidateSite, shape (n,)
        The positions, ids ``<island>-g1`` ... ``<island>-g<n>`` in generation order, with
        access and residents derived as for the built-in sites.
    spacing_km : float
        Every two positions are at least this far apart, km (in the local plane).
    land_km2 : float
        Area of the island polygon shrunk by ``inland_km`` (where points may go), km².
    inland_km : float
        Least distance of every position from the coast, km.
    """

    island: str
    sites: tuple[CandidateSite, ...]
    spacing_km: float
    land_km2: float
    inland_km: float


def halton(n: int, base: int, skip: int = 1) -> np.ndarray:
    """Unscrambled one-dimensional Halton (van der Corput) sequence.

    Parameters
    ----------
    n : int
        Number of points (>= 0).
    base : int
        Prime base (>= 2).
    skip : int, default 1
        Leading points to skip (index 0 is the point 0.0).

    Returns
    -------
    numpy.ndarray, shape (n,), float64
        Radical inverses of ``skip, skip + 1, ..., skip + n - 1`` in ``base``, in [0, 1).
    """
    if n < 0 or base < 2 or skip < 0:
        raise ValueError(f"halton needs n >= 0, base >= 2, skip >= 0; got {n}, {base}, {skip}")
    idx = np.arange(skip, skip + n, dtype=np.int64)
    out = np.zeros(n)
    f = 1.0 / base
    while np.any(idx > 0):
        out += f * (idx % base)
        idx //= base
        f /= base
    return out


def position_count(
    area_km2: float,
    *,
    per_km2: float = DEFAULT_PER_KM2,
    min_per_island: int = DEFAULT_MIN_PER_ISLAND,
    max_per_island: int = DEFAULT_MAX_PER_ISLAND,
) -> int:
    """Number of generated positions on an island of a given land area.

    Parameters
    ----------
    area_km2 : float
        Land area, km² (>= 0); the gazetteer's figure for the island.
    per_km2 : float, default 0.1
        Density, positions per km² (> 0). Assumption.
    min_per_island, max_per_island : int, default 4 and 60
        Bounds on the count (1 <= min <= max).

    Returns
    -------
    int
        ``clip(round_half_up(per_km2 × area_km2), min_per_island, max_per_island)``.
    """
    if not (math.isfinite(area_km2) and area_km2 >= 0.0):
        raise ValueError(f"area_km2 must be a finite number of km² >= 0, got {area_km2!r}")
    if not (math.isfinite(per_km2) and per_km2 > 0.0):
        raise ValueError(f"per_km2 must be a finite number > 0, got {per_km2!r}")
    if not 1 <= min_per_island <= max_per_island:
        raise ValueError(
            "need 1 <= min_per_island <= max_per_island, "
            f"got min_per_island={min_per_island}, max_per_island={max_per_island}"
        )
    n = math.floor(per_km2 * area_km2 + 0.5)
    return int(min(max(n, min_per_island), max_per_island))


def island_mean_concealment(island: str, sites: tuple[CandidateSite, ...] | None = None) -> float:
    """Mean concealment of the built-in sites on ``island`` (an assumption, confidence C).

    Parameters
    ----------
    island : str
    sites : tuple of CandidateSite, optional
        The gazetteer's candidate sites; default the built-in ones.

    Returns
    -------
    float
        In [0, 1], rounded to 0.01; :data:`DEFAULT_CONCEALMENT` if the island has no
        built-in site.
    """
    vals = [s.concealment for s in (load_sites() if sites is None else sites) if s.island == island]
    return round(sum(vals) / len(vals), 2) if vals else DEFAULT_CONCEALMENT


def _to_plane(poly: Polygon, lat0: float, lon0: float) -> Polygon:
    """Map a lon/lat polygon to km around ``(lat0, lon0)`` (sinusoidal, WGS84 scales)."""
    _, ky = _km_per_degree(lat0)

    def f(c: np.ndarray) -> np.ndarray:
        phi = np.radians(c[:, 1])  # same formula as coastlines._km_per_degree, vectorised
        kx = math.radians(1.0) * _A_KM * np.cos(phi) / np.sqrt(1.0 - _E2 * np.sin(phi) ** 2)
        return np.column_stack([(c[:, 0] - lon0) * kx, (c[:, 1] - lat0) * ky])

    return shapely.transform(poly, f)


def _inland_km(poly: Polygon, lat: float, lon: float) -> float:
    """Distance from a point inside ``poly`` to its boundary, km, in a plane at the point."""
    kx, ky = _km_per_degree(lat)
    local = shapely.transform(poly, lambda c: (c - (lon, lat)) * (kx, ky))
    return float(local.boundary.distance(Point(0.0, 0.0)))


def _place(shrunk: shapely.Geometry, n: int, spacing: float) -> list[tuple[float, float]] | None:
    """Greedy Halton packing of ``n`` points at ``spacing`` in ``shrunk`` (km plane)."""
    x0, y0, x1, y1 = shrunk.bounds
    m = max(4096, _CANDIDATES_PER_POINT * n)
    xs = x0 + (x1 - x0) * halton(m, 2)
    ys = y0 + (y1 - y0) * halton(m, 3)
    inside = shapely.contains_xy(shrunk, xs, ys)
    xs, ys = xs[inside], ys[inside]
    kept = np.empty((n, 2))
    k = 0
    s2 = spacing * spacing
    for x, y in zip(xs, ys, strict=True):
        if k and np.min((kept[:k, 0] - x) ** 2 + (kept[:k, 1] - y) ** 2) < s2:
            continue
        kept[k] = (x, y)
        k += 1
        if k == n:
            return [(float(a), float(b)) for a, b in kept]
    return None


def generate_positions(
    island: str,
    count: int,
    *,
    concealment: float | None = None,
    spacing_km: float | None = None,
    inland_km: float = INLAND_KM,
    gazetteer: Gazetteer | None = None,
    coastlines: Coastlines | None = None,
    sites: tuple[CandidateSite, ...] | None = None,
) -> IslandPositions:
    """Generate ``count`` notional launcher positions inside an island's land polygon.

    Pure and deterministic: the same arguments always give the same positions.

    Parameters
    ----------
    island : str
        Gazetteer island id, e.g. ``'ishigaki'``.
    count : int
        Number of positions (1-500).
    concealment : float, optional
        Concealment of every position, in [0, 1]. Default: the island's mean over its
        built-in sites (:func:`island_mean_concealment`). Assumption.
    spacing_km : float, optional
        Least distance between two positions, km (>= :data:`MIN_SPACING_KM`). Default:
        adaptive (module docstring); an explicit spacing that does not fit raises.
    inland_km : float, default 0.5
        Least distance from the coast, km (>= 0).
    gazetteer, coastlines, sites : optional
        One gazetteer file's data (:class:`nansei.geo.geodata.GeoData`); default the
        built-in gazetteer's.

    Returns
    -------
    IslandPositions
        ``count`` sites with ids ``<island>-g1`` ... ``<island>-g<count>``; ``access`` and
        ``residents_in_hazard_radius`` (2 km, uniform density) derived as for built-in sites.

    Raises
    ------
    KeyError
        Unknown island (the message lists the valid ids).
    ValueError
        A bad argument, or ``count`` positions do not fit at the spacing (the message names
        the island and the argument).
    """
    if not 1 <= count <= 500:
        raise ValueError(f"count must be an integer in 1..500, got {count!r}")
    if concealment is not None and not 0.0 <= concealment <= 1.0:
        raise ValueError(f"concealment must be in [0, 1], got {concealment!r}")
    if spacing_km is not None and not (math.isfinite(spacing_km) and spacing_km >= MIN_SPACING_KM):
        raise ValueError(f"spacing_km must be >= {MIN_SPACING_KM} km, got {spacing_km!r}")
    if not (math.isfinite(inland_km) and inland_km >= 0.0):
        raise ValueError(f"inland_km must be a finite number of km >= 0, got {inland_km!r}")
    gaz = load_gazetteer() if gazetteer is None else gazetteer
    coast = load_coastlines() if coastlines is None else coastlines
    isl = gaz.island(island)
    poly = coast.polygon_at(isl.lat, isl.lon)
    if poly is None:
        raise ValueError(f"island {island!r}: its centre is not on any coastline polygon")
    margin = inland_km * (1.0 + _MARGIN_REL) + (_MARGIN_KM if inland_km > 0.0 else 0.0)
    shrunk = _to_plane(poly, isl.lat, isl.lon).buffer(-margin)
    land = float(shrunk.area)
    if shrunk.is_empty:
        raise ValueError(f"island {island!r}: no land {inland_km} km from the coast")
    shapely.prepare(shrunk)
    if spacing_km is None:
        spacing = SPACING_FACTOR * math.sqrt(land / count)
        pts = None
        while pts is None and spacing >= MIN_SPACING_KM:
            pts = _place(shrunk, count, spacing)
            if pts is None:
                spacing *= SPACING_SHRINK
    else:
        spacing = spacing_km
        pts = _place(shrunk, count, spacing)
    if pts is None:
        at = f"spacing_km={spacing_km:g}" if spacing_km else f"a spacing >= {MIN_SPACING_KM} km"
        raise ValueError(
            f"island {island!r}: {count} positions do not fit at {at} in {land:.1f} km² "
            f"of land {inland_km:g} km inland; lower count"
        )
    if concealment is None:
        conceal = island_mean_concealment(island, sites)
    else:
        conceal = float(concealment)
    _, ky = _km_per_degree(isl.lat)
    sites: list[CandidateSite] = []
    for j, (x, y) in enumerate(pts, start=1):
        lat = isl.lat + y / ky
        lon = isl.lon + x / _km_per_degree(lat)[0]
        lat, lon = round(lat, 6), round(lon, 6)
        if _inland_km(poly, lat, lon) < inland_km:
            raise ValueError(  # pragma: no cover - guards the projection, never seen
                f"island {island!r}: generated point {j} is closer than {inland_km} km to the coast"
            )
        access, gw, dist = classify_access(island, lat, lon, gaz, DEFAULT_ACCESS_RADIUS_KM)
        site = CandidateSite(
            id=f"{island}-g{j}",
            island=island,
            lat=lat,
            lon=lon,
            concealment=conceal,
            access=access,
            access_gateway=gw,
            access_distance_km=dist,
            hazard_radius_km=DEFAULT_HAZARD_RADIUS_KM,
            note="generated notional position (Halton in the land polygon); assumption",
        )
        res = residents_within(site, DEFAULT_HAZARD_RADIUS_KM, gaz)
        sites.append(site.model_copy(update={"residents_in_hazard_radius": round(res, 1)}))
    return IslandPositions(island, tuple(sites), spacing, land, inland_km)
