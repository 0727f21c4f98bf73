"""Tests for nansei.geo.coastlines (packaged GSHHG coastlines)."""

from __future__ import annotations

import itertools
import json
import math

import pytest
from shapely.geometry import Point, Polygon, box

from nansei.geo.coastlines import Coastlines, geodesic_area_km2, load_coastlines

# Runway end coordinates (lat, lon, degrees) copied from OurAirports' runways.csv
# (public domain, https://ourairports.com/data/), via reference/runways.csv.
# Depth inland (GSHHG 2.3.6) in the comments.
LAND_POINTS = {
    "ROAH 18L (Naha)": (26.209299087524414, 127.6449966430664),  # ~0.14 km inland
    "RODN 23L (Kadena)": (26.364999771118164, 127.78399658203125),  # ~3.5 km
    "ROTM 24 (Futenma)": (26.281400680541992, 127.76799774169922),  # ~1.4 km
    "ROMY 22 (Miyako)": (24.789899826049805, 125.3010025024414),  # ~2.4 km
    "RORK 03 (Kitadaito)": (25.937999725341797, 131.32000732421875),  # ~0.7 km
    "ROYN 08 (Yonaguni)": (24.465200424194336, 122.97100067138672),  # ~0.02 km
}
# Naha's second runway (18R/36L) opened in 2020 on reclaimed land, after GSHHG 2.3.6
# (2017): its end lies ~0.7 km off the GSHHG coast.
NAHA_18R = (26.203100204467773, 127.63200378417969)

SEA_POINTS = [(25.0, 126.0), (24.0, 131.5), (28.0, 123.0), (26.0, 129.0)]


@pytest.fixture(scope="module")
def coast() -> Coastlines:
    return load_coastlines()


def test_load_is_cached(coast):
    assert load_coastlines() is coast


def test_polygons_and_bounds(coast):
    polys = coast.polygons
    assert len(polys) > 100
    assert all(isinstance(p, Polygon) and p.is_valid and not p.is_empty for p in polys)
    lon_min, lat_min, lon_max, lat_max = coast.bounds
    assert 122.0 <= lon_min < lon_max <= 132.0
    assert 23.5 <= lat_min < lat_max <= 29.5
    # Each island group is present: Yonaguni in the west, the Daitos in the east, Amami north.
    assert lon_min < 123.0 and lon_max > 131.2 and lat_max > 28.4
    # The list is a copy: mutating it does not change the cached object.
    polys.clear()
    assert len(coast.polygons) > 100


@pytest.mark.parametrize("name", sorted(LAND_POINTS))
def test_on_land_runway_ends(coast, name):
    lat, lon = LAND_POINTS[name]
    assert coast.on_land(lat, lon)
    assert coast.distance_to_land_km(lat, lon) == 0.0
    assert coast.polygon_at(lat, lon) is not None


@pytest.mark.parametrize(("lat", "lon"), SEA_POINTS)
def test_open_sea(coast, lat, lon):
    assert not coast.on_land(lat, lon)
    assert coast.polygon_at(lat, lon) is None
    assert coast.distance_to_land_km(lat, lon) > 20.0


def test_reclaimed_runway_needs_tolerance(coast):
    lat, lon = NAHA_18R
    d = coast.distance_to_land_km(lat, lon)
    assert 0.3 < d < 1.0
    assert not coast.on_land(lat, lon)
    assert coast.on_land(lat, lon, tol_km=1.0)
    assert not coast.on_land(lat, lon, tol_km=0.2)
    okinawa = coast.polygon_at(lat, lon, tol_km=1.0)
    assert okinawa is not None and geodesic_area_km2(okinawa) > 1000.0
    assert coast.polygon_at(lat, lon, tol_km=0.2) is None


def test_distance_monotone_moving_offshore(coast):
    # Walk due east from Kitadaito (RORK 03) into the open Pacific: nothing lies east of it.
    lat, lon0 = LAND_POINTS["RORK 03 (Kitadaito)"]
    ds = [coast.distance_to_land_km(lat, lon0 + 0.05 * k) for k in range(1, 14)]
    assert all(b > a for a, b in itertools.pairwise(ds))
    # One step of 0.05° of longitude is ~5 km, so the distance grows by at most that.
    step_km = 0.05 * 111.32 * math.cos(math.radians(lat))
    assert all(b - a <= step_km * 1.01 for a, b in itertools.pairwise(ds))
    assert ds[-1] > 50.0


def test_distance_against_known_gap(coast):
    # Open sea between Okinawa and Miyako (the Miyako Strait is ~250 km wide).
    lat, lon = 25.0, 126.0
    d = coast.distance_to_land_km(lat, lon)
    assert 40.0 < d < 120.0
    # Moving straight towards Miyako (24.75N, 125.33E) decreases the distance.
    assert coast.distance_to_land_km(24.9, 125.7) < d


def test_largest_polygon_is_okinawa(coast):
    areas = [geodesic_area_km2(p) for p in coast.polygons]
    largest = coast.polygons[max(range(len(areas)), key=areas.__getitem__)]
    # Okinawa Island: 1,206.98 km² (GSI, via Wikipedia; reference/gazetteer.yaml).
    assert abs(max(areas) / 1206.98 - 1.0) < 0.10
    assert largest.contains(Point(LAND_POINTS["RODN 23L (Kadena)"][::-1]))
    assert coast.geodesic_area_km2(largest) == pytest.approx(max(areas))


def test_geodesic_area_of_known_square():
    # A 0.1° x 0.1° cell at the equator: ~ 11.132 km x 11.057 km on WGS84.
    cell = box(0.0, 0.0, 0.1, 0.1)
    assert geodesic_area_km2(cell) == pytest.approx(123.1, rel=0.005)
    assert geodesic_area_km2(Polygon(list(cell.exterior.coords)[::-1])) == pytest.approx(
        geodesic_area_km2(cell)
    )
    holed = Polygon(cell.exterior.coords, [box(0.04, 0.04, 0.06, 0.06).exterior.coords])
    assert geodesic_area_km2(holed) < geodesic_area_km2(cell)


def test_geojson_structure_and_licence(coast):
    doc = coast.as_geojson()
    assert doc["type"] == "FeatureCollection"
    assert "LGPL-3.0" in doc["license"]
    assert "GSHHG" in doc["source"]["attribution"]
    assert "Wessel" in doc["source"]["attribution"]
    assert doc["source"]["gshhg_version"] not in ("", "unknown")
    assert len(doc["features"]) == len(coast.polygons)
    for feat in doc["features"]:
        assert feat["type"] == "Feature"
        assert feat["geometry"]["type"] == "Polygon"
        assert {"gshhg_id", "area_km2"} <= set(feat["properties"])
        assert feat["properties"]["area_km2"] >= 0.05
        ring = feat["geometry"]["coordinates"][0]
        assert ring[0] == ring[-1] and len(ring) >= 4
    # A deep copy that round-trips through JSON.
    doc["features"].clear()
    assert len(coast.as_geojson()["features"]) == len(coast.polygons)
    json.dumps(doc)


def test_feature_areas_match_geodesic(coast):
    for poly, props in zip(coast.polygons, coast.properties, strict=True):
        assert geodesic_area_km2(poly) == pytest.approx(props["area_km2"], abs=2e-3)


@pytest.mark.parametrize(
    ("lat", "lon"), [(math.nan, 127.0), (26.0, math.inf), (91.0, 127.0), (26.0, -181.0)]
)
def test_rejects_bad_coordinates(coast, lat, lon):
    with pytest.raises(ValueError, match=r"lat|lon"):
        coast.on_land(lat, lon)
    with pytest.raises(ValueError, match=r"lat|lon"):
        coast.distance_to_land_km(lat, lon)


def test_rejects_negative_tolerance(coast):
    with pytest.raises(ValueError, match="tol_km"):
        coast.on_land(25.0, 126.0, tol_km=-1.0)
    with pytest.raises(ValueError, match="tol_km"):
        coast.polygon_at(25.0, 126.0, tol_km=math.nan)


def test_custom_collection():
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"gshhg_id": "x", "area_km2": 1.0},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [box(125.0, 25.0, 125.01, 25.01).exterior.coords[:]],
                },
            }
        ],
    }
    c = Coastlines(doc)
    assert c.on_land(25.001, 125.009)
    # 0.1° of latitude north of the island: ~11.07 km on WGS84 at 25°N.
    assert c.distance_to_land_km(25.11, 125.005) == pytest.approx(11.07, rel=0.005)
    with pytest.raises(ValueError, match="FeatureCollection"):
        Coastlines({"type": "Feature"})
