"""Real coastlines of the Nansei Islands (GSHHG full resolution, packaged GeoJSON).

The polygons come from ``geo/data/coastlines.geojson``, built by
``scripts/build_coastlines.py`` from GSHHG 2.3.6 (Wessel & Smith, LGPL-3.0-or-later;
see ``geo/data/COASTLINES-LICENSE.txt``). They cover 122–132°E, 23.5–29.5°N,
are GSHHG level-1 land (lakes not subtracted) and are snapped to 1e-5° (~1 m).
GSHHG full resolution has vertices every ~100–200 m, so land/sea tests within
a few hundred metres of the shore are only as good as that.

Conventions
-----------
- Public functions take ``(lat, lon)`` in degrees, in that order.
- Shapely geometries are in ``(lon, lat)`` degrees (GeoJSON order).
- Distances are in kilometres, areas in km².

Distances to land use a local projection: around the query point, coordinates
are mapped to a plane with the WGS84 meridional and prime-vertical radii of
curvature at the query latitude (an ellipsoidal equirectangular projection).
The nearest point found in that plane is then measured exactly with
geographiclib's geodesic inverse. Within ~300 km of the point (every island
pair in the box) the error is well under 1 %; it grows slowly beyond that,
because the plane ignores the convergence of meridians.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import shapely
from geographiclib.geodesic import Geodesic
from shapely.geometry import Point, Polygon, shape
from shapely.strtree import STRtree

__all__ = ["Coastlines", "geodesic_area_km2", "load_coastlines", "simple_coastlines"]

_DATA_PACKAGE = "nansei.geo"
_DATA_FILE = "data/coastlines.geojson"

# WGS84 ellipsoid.
_A_KM = 6378.137
_F = 1 / 298.257223563
_E2 = _F * (2 - _F)


def _check_latlon(lat: float, lon: float) -> tuple[float, float]:
    lat, lon = float(lat), float(lon)
    if not (math.isfinite(lat) and -90.0 <= lat <= 90.0):
        raise ValueError(f"lat must be a finite number of degrees in [-90, 90], got {lat!r}")
    if not (math.isfinite(lon) and -180.0 <= lon <= 360.0):
        raise ValueError(f"lon must be a finite number of degrees in [-180, 360], got {lon!r}")
    return lat, lon


def _check_tol(tol_km: float) -> float:
    tol_km = float(tol_km)
    if not (math.isfinite(tol_km) and tol_km >= 0.0):
        raise ValueError(f"tol_km must be a finite number of km >= 0, got {tol_km!r}")
    return tol_km


def _km_per_degree(lat: float) -> tuple[float, float]:
    """Kilometres per degree of longitude and of latitude at ``lat`` (WGS84).

    Parameters
    ----------
    lat : float
        Latitude, degrees.

    Returns
    -------
    (kx, ky) : tuple of float
        km per degree of longitude, km per degree of latitude.
    """
    phi = math.radians(lat)
    w = 1.0 - _E2 * math.sin(phi) ** 2
    n = _A_KM / math.sqrt(w)  # prime-vertical radius of curvature, km
    m = _A_KM * (1.0 - _E2) / w**1.5  # meridional radius of curvature, km
    return math.radians(1.0) * n * math.cos(phi), math.radians(1.0) * m


def geodesic_area_km2(polygon: Polygon) -> float:
    """Area of a lon/lat polygon on the WGS84 ellipsoid.

    Parameters
    ----------
    polygon : shapely.Polygon
        Coordinates ``(lon, lat)`` in degrees. Holes are subtracted.

    Returns
    -------
    float
        Geodesic area in km² (always >= 0, whatever the ring orientation).

    Notes
    -----
    Uses ``geographiclib.geodesic.Geodesic.WGS84.Polygon`` (Karney 2013),
    accurate to round-off for polygons of any size.
    """

    def ring_m2(coords: Any) -> float:
        pts = np.asarray(coords, dtype=float)
        if len(pts) > 1 and np.array_equal(pts[0], pts[-1]):
            pts = pts[:-1]
        poly = Geodesic.WGS84.Polygon()
        for lon, lat in pts:
            poly.AddPoint(float(lat), float(lon))
        _, _, area = poly.Compute(False, True)
        return abs(area)

    if polygon.is_empty:
        return 0.0
    area = ring_m2(polygon.exterior.coords)
    for hole in polygon.interiors:
        area -= ring_m2(hole.coords)
    return area / 1e6


@dataclass(frozen=True, eq=False)
class Coastlines:
    """Land polygons with fast point queries.

    Build with :func:`load_coastlines` (cached) rather than directly.

    Parameters
    ----------
    geojson : dict
        A GeoJSON ``FeatureCollection`` of ``Polygon`` features in lon/lat
        degrees, as written by ``scripts/build_coastlines.py``.

    Attributes
    ----------
    license : str
        Licence of the data (LGPL-3.0-or-later, GSHHG).
    source : dict
        Provenance: package, versions and an attribution sentence.
    """

    geojson: dict = field(repr=False)
    _polygons: tuple[Polygon, ...] = field(init=False, repr=False)
    _props: tuple[dict, ...] = field(init=False, repr=False)
    _tree: STRtree = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.geojson.get("type") != "FeatureCollection":
            raise ValueError("coastlines GeoJSON must be a FeatureCollection")
        polys: list[Polygon] = []
        props: list[dict] = []
        for i, feat in enumerate(self.geojson.get("features", [])):
            geom = shape(feat["geometry"])
            if not isinstance(geom, Polygon):
                raise ValueError(f"features[{i}].geometry must be a Polygon, got {geom.geom_type}")
            shapely.prepare(geom)
            polys.append(geom)
            props.append(dict(feat.get("properties") or {}))
        object.__setattr__(self, "_polygons", tuple(polys))
        object.__setattr__(self, "_props", tuple(props))
        object.__setattr__(self, "_tree", STRtree(polys))

    def __repr__(self) -> str:
        return f"Coastlines({len(self._polygons)} polygons, bounds={self.bounds})"

    # ------------------------------------------------------------------ data
    @property
    def polygons(self) -> list[shapely.Polygon]:
        """Land polygons, lon/lat degrees, largest first (a new list each call)."""
        return list(self._polygons)

    @property
    def properties(self) -> list[dict]:
        """Per-polygon properties (``gshhg_id``, ``area_km2``, optional ``clipped``)."""
        return [dict(p) for p in self._props]

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """Extent of the polygons ``(lon_min, lat_min, lon_max, lat_max)``, degrees."""
        if not self._polygons:
            return (math.nan, math.nan, math.nan, math.nan)
        b = shapely.total_bounds(np.asarray(self._polygons, dtype=object))
        return (float(b[0]), float(b[1]), float(b[2]), float(b[3]))

    @property
    def license(self) -> str:
        return str(self.geojson.get("license", ""))

    @property
    def source(self) -> dict:
        return dict(self.geojson.get("source", {}))

    def as_geojson(self) -> dict:
        """The GeoJSON ``FeatureCollection`` (a deep copy), with licence and source members."""
        return json.loads(json.dumps(self.geojson))

    # --------------------------------------------------------------- queries
    def _containing(self, lat: float, lon: float) -> Polygon | None:
        pt = Point(lon, lat)
        idx = self._tree.query(pt, predicate="intersects")
        if len(idx) == 0:
            return None
        return self._polygons[int(min(idx))]  # lowest index = largest polygon

    def _nearest(self, lat: float, lon: float) -> tuple[int, float]:
        """Index of the nearest polygon and the distance to it, km (point assumed at sea)."""
        if not self._polygons:
            return -1, math.inf
        pt = Point(lon, lat)
        kx, ky = _km_per_degree(lat)
        # Nearest in plain degree space gives an upper bound on the km distance ...
        first = int(self._tree.query_nearest(pt)[0])
        bound = self._planar_km(first, lat, lon, kx, ky)[0]
        # ... and every polygon closer in km lies within this degree box.
        box = shapely.box(lon - bound / kx, lat - bound / ky, lon + bound / kx, lat + bound / ky)
        best, best_d, best_xy = first, math.inf, (0.0, 0.0)
        for i in sorted(int(j) for j in self._tree.query(box)):
            d, xy = self._planar_km(i, lat, lon, kx, ky)
            if d < best_d:
                best, best_d, best_xy = i, d, xy
        # Measure the planar nearest point exactly on the ellipsoid.
        near_lon = lon + best_xy[0] / kx
        near_lat = lat + best_xy[1] / ky
        g = Geodesic.WGS84.Inverse(lat, lon, near_lat, near_lon, Geodesic.DISTANCE)
        return best, g["s12"] / 1000.0

    def _planar_km(
        self, i: int, lat: float, lon: float, kx: float, ky: float
    ) -> tuple[float, tuple[float, float]]:
        """Planar distance (km) from the query point to polygon ``i`` and the nearest point."""
        poly = self._polygons[i]
        local = shapely.transform(poly, lambda c: (c - (lon, lat)) * (kx, ky))
        origin = Point(0.0, 0.0)
        d = float(local.distance(origin))
        near = shapely.shortest_line(origin, local).coords[-1]
        return d, (float(near[0]), float(near[1]))

    def on_land(self, lat: float, lon: float, tol_km: float = 0.0) -> bool:
        """Whether a point is on land (or within ``tol_km`` of it).

        Parameters
        ----------
        lat, lon : float
            Point, degrees.
        tol_km : float, default 0.0
            Tolerance, km; a point at sea at most this far from land counts as land.

        Returns
        -------
        bool
            True if the point lies in (or on the boundary of) a polygon, or
            within ``tol_km`` of one.
        """
        lat, lon = _check_latlon(lat, lon)
        tol_km = _check_tol(tol_km)
        if self._containing(lat, lon) is not None:
            return True
        return tol_km > 0.0 and self._nearest(lat, lon)[1] <= tol_km

    def distance_to_land_km(self, lat: float, lon: float) -> float:
        """Distance from a point to the nearest land.

        Parameters
        ----------
        lat, lon : float
            Point, degrees.

        Returns
        -------
        float
            0.0 on land; otherwise the distance in km to the nearest coast
            (``inf`` if there are no polygons). The nearest point is found in a
            local ellipsoidal equirectangular plane centred on the query point
            and its distance is measured with the WGS84 geodesic; error < 1 %
            within ~300 km.
        """
        lat, lon = _check_latlon(lat, lon)
        if self._containing(lat, lon) is not None:
            return 0.0
        return self._nearest(lat, lon)[1]

    def polygon_at(self, lat: float, lon: float, tol_km: float = 0.0) -> shapely.Polygon | None:
        """The land polygon containing a point, or the nearest one within ``tol_km``.

        Parameters
        ----------
        lat, lon : float
            Point, degrees.
        tol_km : float, default 0.0
            Search radius for points at sea, km.

        Returns
        -------
        shapely.Polygon or None
            Polygon in lon/lat degrees, or None if the point is at sea farther
            than ``tol_km`` from land.
        """
        lat, lon = _check_latlon(lat, lon)
        tol_km = _check_tol(tol_km)
        poly = self._containing(lat, lon)
        if poly is not None or tol_km == 0.0:
            return poly
        i, d = self._nearest(lat, lon)
        return self._polygons[i] if i >= 0 and d <= tol_km else None

    @staticmethod
    def geodesic_area_km2(polygon: Polygon) -> float:
        """Geodesic (WGS84) area of a lon/lat polygon, km². See :func:`geodesic_area_km2`."""
        return geodesic_area_km2(polygon)


#: Vertices of each island's disc in a simple outline.
SIMPLE_VERTICES = 72


def _packaged_path() -> str:
    return str(resources.files(_DATA_PACKAGE).joinpath(_DATA_FILE))


@lru_cache(maxsize=8)
def _read(path: str, stamp: tuple[int, int]) -> Coastlines:
    with open(path, encoding="utf-8") as fh:
        return Coastlines(json.load(fh))


def load_coastlines(path: str | None = None) -> Coastlines:
    """Load coastlines from a GeoJSON file (cached per file and modification time).

    Parameters
    ----------
    path : str, optional
        A GeoJSON ``FeatureCollection`` of ``Polygon`` features (lon/lat degrees); default
        the packaged ``nansei/geo/data/coastlines.geojson`` (GSHHG).

    Returns
    -------
    Coastlines
        One shared instance per file.

    Raises
    ------
    OSError, ValueError
        The file cannot be read or is not such a FeatureCollection.
    """
    import os

    p = os.path.realpath(_packaged_path() if path is None else path)
    st = os.stat(p)
    return _read(p, (st.st_mtime_ns, st.st_size))


def simple_coastlines(islands: list[tuple[str, float, float, float]]) -> Coastlines:
    """A simple outline: each island a disc of its land area around its position.

    For a gazetteer without coastline data (``coastlines: simple``). An assumption: real
    islands are not round, so on-land checks and generated positions are approximate.

    Parameters
    ----------
    islands : list of (id, lat, lon, area_km2)
        Island id, position (degrees) and land area (km², > 0).

    Returns
    -------
    Coastlines
        One polygon per island (:data:`SIMPLE_VERTICES` vertices), largest first; the
        properties hold ``island``, ``area_km2`` and ``outline: simple``.
    """
    feats = []
    for iid, lat, lon, area in sorted(islands, key=lambda t: -t[3]):
        r = math.sqrt(max(area, 1e-6) / math.pi)
        kx, ky = _km_per_degree(lat)
        ring = [
            [
                round(lon + r * math.cos(2 * math.pi * k / SIMPLE_VERTICES) / kx, 6),
                round(lat + r * math.sin(2 * math.pi * k / SIMPLE_VERTICES) / ky, 6),
            ]
            for k in range(SIMPLE_VERTICES)
        ]
        ring.append(ring[0])
        feats.append(
            {
                "type": "Feature",
                "properties": {"island": iid, "area_km2": area, "outline": "simple"},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    return Coastlines(
        {
            "type": "FeatureCollection",
            "license": "none: generated from the gazetteer",
            "source": {
                "attribution": "simple outline: a disc of each island's gazetteer land area "
                "around its position (assumption)"
            },
            "features": feats,
        }
    )
