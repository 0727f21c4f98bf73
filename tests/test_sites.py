"""Tests for the notional candidate launcher sites (nansei.geo.sites)."""

from __future__ import annotations

import math
import re

import pytest

from nansei.geo.distance import geodesic_km
from nansei.geo.gazetteer import load_gazetteer
from nansei.geo.sites import (
    CandidateSite,
    classify_access,
    get_site,
    load_sites,
    residents_within,
    sites_to_records,
)

#: Sites must be at least this far inland of the GSHHG coast, km.
INLAND_KM = 0.5


@pytest.fixture(scope="module")
def sites():
    return load_sites()


@pytest.fixture(scope="module")
def gaz():
    return load_gazetteer()


def test_count_and_ids(sites):
    assert 35 <= len(sites) <= 45
    ids = [s.id for s in sites]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[a-z]+-[a-z]+\d+", i) for i in ids)
    assert load_sites() is sites


def test_islands_exist_and_named_islands_covered(sites, gaz):
    for s in sites:
        gaz.island(s.island)
    on = {s.island for s in sites}
    assert {"amami_oshima", "miyako", "ishigaki"} <= on
    # "most on inhabited islands": every gazetteer island is inhabited
    assert len(on) >= 12


def test_attributes(sites):
    for s in sites:
        assert 0.0 <= s.concealment <= 1.0
        assert s.access in ("road", "airport", "port")
        assert s.assumption is True
        assert isinstance(s.lat, float) and isinstance(s.lon, float)


def test_validation_errors():
    with pytest.raises(ValueError):
        CandidateSite(id="x-c1", island="kikai", lat=28.3, lon=129.9, concealment=1.5)
    with pytest.raises(ValueError, match="ishigaki-n1"):
        CandidateSite(id="Bad Id", island="kikai", lat=28.3, lon=129.9, concealment=0.5)


def test_lookup_error_lists_ids(sites):
    with pytest.raises(KeyError) as exc:
        get_site("nowhere-c9")
    assert sites[0].id in str(exc.value)


def test_access_is_consistent_with_gateways(sites, gaz):
    for s in sites:
        near_ap = [
            a for a in gaz.airports_on(s.island) if geodesic_km(s.lat, s.lon, a.lat, a.lon) <= 3.0
        ]
        if near_ap:
            assert s.access == "airport", s.id
        elif s.access == "port":
            p = gaz.port(s.access_gateway)
            assert geodesic_km(s.lat, s.lon, p.lat, p.lon) <= 3.0
        else:
            assert s.access == "road" and s.access_gateway is None
    assert classify_access("kikai", 0.0, 0.0, gaz) == ("road", None, None)


def test_residents_within(sites, gaz):
    s = get_site("ishigaki-c1")
    isl = gaz.island("ishigaki")
    expected = isl.population.value / isl.area_km2.value * math.pi * 2.0**2
    assert residents_within(s, 2.0) == pytest.approx(expected)
    assert s.residents_in_hazard_radius == pytest.approx(expected, abs=0.1)
    assert residents_within(s, 0.0) == 0.0
    assert residents_within(s, 1.0) < residents_within(s, 2.0)
    huge = residents_within(s, 100.0)
    assert huge == pytest.approx(isl.population.value)
    with pytest.raises(ValueError):
        residents_within(s, -1.0)


def test_records(sites):
    recs = sites_to_records()
    assert len(recs) == len(sites)
    assert recs[0]["residents_note"] == "assumption: uniform density"


def test_sites_on_land_per_coastlines(sites, gaz):
    coastlines = pytest.importorskip("nansei.geo.coastlines")
    coast = coastlines.load_coastlines()
    for s in sites:
        assert coast.on_land(s.lat, s.lon, tol_km=0.0), f"{s.id} is at sea"
        # at least INLAND_KM inland: points INLAND_KM away in 16 directions are on land too
        dlat = INLAND_KM / 110.574
        dlon = INLAND_KM / (111.320 * math.cos(math.radians(s.lat)))
        for k in range(16):
            t = 2 * math.pi * k / 16
            lat, lon = s.lat + dlat * math.sin(t), s.lon + dlon * math.cos(t)
            assert coast.on_land(lat, lon), f"{s.id} is within {INLAND_KM} km of the coast"
        # on the island it claims (same polygon as the island centre)
        isl = gaz.island(s.island)
        assert coast.polygon_at(s.lat, s.lon) is coast.polygon_at(isl.lat, isl.lon), s.id
