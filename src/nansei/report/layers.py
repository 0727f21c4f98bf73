"""Geographic layers of a scenario, shared by the static and the interactive map.

Everything here is plain data (lists of dicts with ``lat``/``lon`` in degrees)
so that matplotlib and the Leaflet page draw exactly the same things.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from geographiclib.geodesic import Geodesic
from shapely.geometry import MultiPolygon, Polygon, mapping
from shapely.ops import unary_union

#: Map extent of the island chain (lon_min, lon_max, lat_min, lat_max), as the coastlines.
EXTENT = (122.0, 132.0, 23.5, 29.0)
#: Extent of the evacuation panel, which reaches Kyushu.
EVAC_EXTENT = (122.0, 132.5, 23.5, 34.2)
#: Attribution of the built-in coastlines.
GSHHG_CREDIT = "Coastlines: GSHHG 2.3.6 (Wessel & Smith), LGPL-3."
#: Margin around a user's gazetteer on its map, degrees.
MAP_MARGIN_DEG = 0.4
#: Where the evacuation plan's destination names are (degrees).
DESTINATIONS = {
    "kyushu": ("Kyushu (Fukuoka, Kagoshima)", 32.6, 130.6),
    "miyako": ("Miyakojima", 24.767, 125.317),
    "ishigaki": ("Ishigakijima", 24.44, 124.22),
}


@dataclass(frozen=True)
class MapLayers:
    """Everything drawn on a map of one scenario.

    Attributes
    ----------
    islands, airports, ports, sites, zones, gateways : list of dict
        Points with ``id``, ``name``/``island``, ``lat``, ``lon`` and extras
        (``population``; ``role``; ``decoy``; ``radius_km``; ``kind``).
    used_sites : list of str
        Sites a launcher occupied (replication 0's trace, or the start sites).
    ranges : list of dict
        One per munition carried: ``id``, ``range_km`` and ``geojson`` (the
        union of range circles around the used sites).
    evacuation : list of dict
        Flows of the evacuation plan: origin island and gateway, mode,
        destination and capacity per day (with its source and confidence).
    coastlines : dict
        GeoJSON FeatureCollection of land polygons (GSHHG, LGPL; or a user's gazetteer's).
    extent, evac_extent : tuple of float
        ``(lon_min, lon_max, lat_min, lat_max)`` of the main and evacuation panels, degrees.
    coast_credit : str
        Where the coastlines come from (for the map's attribution).
    """

    islands: list[dict]
    airports: list[dict]
    ports: list[dict]
    sites: list[dict]
    zones: list[dict]
    gateways: list[dict]
    used_sites: list[str]
    ranges: list[dict]
    evacuation: list[dict]
    coastlines: dict = field(repr=False)
    extent: tuple[float, float, float, float] = EXTENT
    evac_extent: tuple[float, float, float, float] = EVAC_EXTENT
    coast_credit: str = GSHHG_CREDIT


def circle(lat: float, lon: float, radius_km: float, n: int = 72) -> Polygon:
    """Geodesic circle as a lon/lat polygon of ``n`` vertices."""
    g = Geodesic.WGS84
    pts = []
    for az in np.linspace(0.0, 360.0, n, endpoint=False):
        d = g.Direct(lat, lon, float(az), radius_km * 1000.0)
        pts.append((d["lon2"], d["lat2"]))
    return Polygon(pts)


def range_envelope(points: list[tuple[float, float]], radius_km: float) -> dict:
    """GeoJSON geometry of the union of range circles around ``(lat, lon)`` points."""
    shapes = [circle(lat, lon, radius_km) for lat, lon in points]
    union = unary_union(shapes) if shapes else MultiPolygon()
    return mapping(union)


def carried_munitions(sc) -> list[str]:
    """Munition ids loaded or held for reload by any launcher group, in declaration order."""
    held = set()
    for g in sc.blue.launchers:
        held.update(k for k, v in g.pods_carried.items() if v > 0)
        held.update(k for k, v in g.reload_pods.items() if v > 0)
    return [m.id for m in sc.blue.munitions if m.id in held]


def _islands(gaz, play: set[str]) -> list[dict]:
    return [
        {
            "id": i.id,
            "name": i.name,
            "lat": i.lat,
            "lon": i.lon,
            "population": int(i.population.value),
            "in_play": i.id in play,
        }
        for i in gaz.islands
    ]


def _airports(gaz) -> list[dict]:
    return [
        {
            "id": a.icao,
            "name": a.name,
            "island": a.island,
            "lat": a.lat,
            "lon": a.lon,
            "role": a.role,
        }
        for a in gaz.airports
    ]


def _ports(gaz) -> list[dict]:
    return [
        {"id": p.id, "name": p.name, "island": p.island, "lat": p.lat, "lon": p.lon, "role": p.role}
        for p in gaz.ports
    ]


def _point_of(gaz, ident: str) -> tuple[float, float] | None:
    for a in gaz.airports:
        if a.icao == ident:
            return a.lat, a.lon
    for p in gaz.ports:
        if p.id == ident:
            return p.lat, p.lon
    return None


def gazetteer_extent(geo, zones: list[dict]) -> tuple[float, float, float, float]:
    """Map extent ``(lon_min, lon_max, lat_min, lat_max)`` of a gazetteer, degrees: its
    coastlines, islands, airports, ports and the zones in play, with a margin
    (:data:`MAP_MARGIN_DEG`)."""
    gaz = geo.gazetteer
    pts = [(i.lat, i.lon) for i in gaz.islands]
    pts += [(r.lat, r.lon) for r in (*gaz.airports, *gaz.ports) if r.role == "island"]
    pts += [(z["lat"], z["lon"]) for z in zones]
    b = geo.coastlines.bounds
    lons = [p[1] for p in pts] + [v for v in (b[0], b[2]) if np.isfinite(v)]
    lats = [p[0] for p in pts] + [v for v in (b[1], b[3]) if np.isfinite(v)]
    m = MAP_MARGIN_DEG
    return (min(lons) - m, max(lons) + m, min(lats) - m, max(lats) + m)


def evacuation_flows(gaz) -> list[dict]:
    """Flows of the gazetteer's evacuation plan, with positions of both ends (none without
    a plan)."""
    out = []
    if gaz.evacuation_plan is None:
        return out
    for c in gaz.evacuation_plan.capacities:
        start = _point_of(gaz, c.gateway)
        name, lat, lon = DESTINATIONS.get(c.destination, (c.destination, np.nan, np.nan))
        if start is None:
            continue
        out.append(
            {
                "id": c.id,
                "island": c.island,
                "gateway": c.gateway,
                "mode": c.mode,
                "from_lat": start[0],
                "from_lon": start[1],
                "to": name,
                "to_lat": lat,
                "to_lon": lon,
                "per_day": int(c.per_day.value),
                "source": str(c.per_day.source),
                "confidence": c.per_day.confidence,
            }
        )
    return out


def scenario_layers(sc, compiled, used_sites: list[str] | None = None) -> MapLayers:
    """Collect the map layers of a scenario.

    Parameters
    ----------
    sc : nansei.scenario.Scenario
    compiled : nansei.engine.compile.Compiled
        The compiled scenario (site order, decoys, gateways, start sites).
    used_sites : list of str, optional
        Sites occupied by launchers; default: the start sites.

    Returns
    -------
    MapLayers
    """
    from nansei.scenario.resolve import geodata, islands_in_play, resolved_zones

    geo = geodata(sc)
    gaz = geo.gazetteer
    from nansei.geo.positions import GENERATED_ID

    decoys = {compiled.site_ids[i] for i in compiled.arrays["decoy_site"]}
    sites = [
        {
            "id": sid,
            "lat": float(lat),
            "lon": float(lon),
            "decoy": sid in decoys,
            "generated": GENERATED_ID.match(sid) is not None,
        }
        for sid, (lon, lat) in zip(compiled.site_ids, compiled.site_lonlat, strict=True)
    ]
    if used_sites is None:
        used_sites = [compiled.site_ids[i] for i in compiled.arrays["l_site0"]]
    pos = {s["id"]: (s["lat"], s["lon"]) for s in sites}
    used_pts = [pos[s] for s in dict.fromkeys(used_sites) if s in pos]
    ranges = []
    for mid in carried_munitions(sc):
        r = next(m.range_km for m in sc.blue.munitions if m.id == mid)
        ranges.append({"id": mid, "range_km": r, "geojson": range_envelope(used_pts, r)})
    gateways = []
    for k, gid in enumerate(compiled.gateway_ids):
        p = _point_of(gaz, gid)
        if p is not None:
            kind = "airport" if int(compiled.arrays["gw_type"][k]) == 0 else "port"
            gateways.append({"id": gid, "index": k, "lat": p[0], "lon": p[1], "kind": kind})
    zones = [
        {"id": z.id, "name": z.name, "lat": z.lat, "lon": z.lon, "radius_km": z.radius_km}
        for z in resolved_zones(sc)
    ]
    if geo.builtin:
        extent, evac_extent, credit = EXTENT, EVAC_EXTENT, GSHHG_CREDIT
    else:
        extent = evac_extent = gazetteer_extent(geo, zones)
        src = geo.coastlines.source.get("attribution") or f"{geo.path.name} (user's gazetteer)"
        credit = f"Coastlines: {src}."
    return MapLayers(
        islands=_islands(gaz, set(islands_in_play(sc))),
        airports=_airports(gaz),
        ports=_ports(gaz),
        sites=sites,
        zones=zones,
        gateways=gateways,
        used_sites=list(dict.fromkeys(used_sites)),
        ranges=ranges,
        evacuation=evacuation_flows(gaz),
        coastlines=geo.coastlines.geojson,
        extent=extent,
        evac_extent=evac_extent,
        coast_credit=credit,
    )
