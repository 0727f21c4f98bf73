"""Tests for nansei.geo.gazetteer and nansei.geo.distance: provenance, runway-derived airport
positions, independent distance facts, and the published 2025 Sakishima evacuation plan."""

from __future__ import annotations

import copy
import csv
import io
import json
import math
from importlib import resources

import numpy as np
import pytest
import yaml

from nansei.geo.distance import distance_matrix_km, geodesic_km
from nansei.geo.gazetteer import Sourced, build_gazetteer, load_gazetteer, read_runways

ISLAND_IDS = [
    "amami_oshima", "kikai", "tokunoshima", "okinoerabu", "yoron", "okinawa", "kumejima",
    "kitadaito", "minamidaito", "miyako", "irabu_shimoji", "tarama", "ishigaki",
    "iriomote_taketomi", "hateruma", "yonaguni",
]  # fmt: skip
SAKISHIMA = [
    "miyako", "irabu_shimoji", "tarama", "ishigaki", "iriomote_taketomi", "hateruma", "yonaguni",
]  # fmt: skip


def _data(name: str) -> str:
    return (resources.files("nansei.geo") / "data" / name).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def gaz():
    return load_gazetteer()


@pytest.fixture(scope="module")
def raw():
    return yaml.safe_load(_data("gazetteer.yaml"))


# ---- provenance ----------------------------------------------------------------------------
def _raw_figures(obj, path=""):
    if isinstance(obj, dict):
        if "value" in obj:
            yield path, obj
        for k, v in obj.items():
            if k not in ("value", "disagreements"):
                yield from _raw_figures(v, f"{path}.{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _raw_figures(v, f"{path}[{i}]")


def test_every_raw_figure_has_known_source_and_confidence(raw):
    figs = list(_raw_figures({k: v for k, v in raw.items() if k != "sources"}))
    assert len(figs) > 100
    for path, fig in figs:
        assert fig.get("source") in raw["sources"], f"{path}: bad source {fig.get('source')!r}"
        assert fig.get("confidence") in ("A", "B", "C"), f"{path}: bad confidence"
        for d in fig.get("disagreements", []):
            assert d["source"] in raw["sources"], f"{path}: disagreement source {d['source']!r}"


def test_sources_have_title_and_url_key(raw):
    for sid, src in raw["sources"].items():
        assert src["title"], sid
        assert "url" in src, sid


def test_loaded_figures_flag_assumptions(gaz):
    figs = list(gaz.iter_figures())
    assert len(figs) > 100
    for path, fig in figs:
        assert isinstance(fig, Sourced)
        assert fig.source in gaz.sources, path
        assert fig.is_assumption == (fig.confidence == "C"), path
    assert gaz.assumptions(), "expected some C-grade assumptions"
    assert all(f.confidence == "C" for _, f in gaz.assumptions())


def test_unknown_source_is_rejected(raw):
    bad = copy.deepcopy(raw)
    bad["islands"][0]["population"]["source"] = "no_such_source"
    with pytest.raises(ValueError, match="no_such_source"):
        build_gazetteer(bad, read_runways())


@pytest.mark.parametrize(
    ("path", "other"),
    [
        ("airports[ROYN].runway_m", 1500),
        ("airports[RJKI].runway_m", 1313),
        ("airports[RORY].runway_m", 1323),
        ("islands[miyako].population", 45625),
        ("islands[miyako].population", 52962),
        ("islands[okinawa].population", 1300000),
        ("evacuation_plan.capacities[miyako_air].per_day", 6434),
        ("evacuation_plan.capacities[shimojishima_air].per_day", 3570),
    ],
)
def test_known_disagreements_recorded(gaz, path, other):
    figs = dict(gaz.disagreements())
    assert path in figs
    assert other in [d.value for d in figs[path].disagreements]
    assert figs[path].note, f"{path}: the choice needs a reason"


# ---- islands -------------------------------------------------------------------------------
def test_islands(gaz):
    assert [i.id for i in gaz.islands] == ISLAND_IDS
    for i in gaz.islands:
        assert isinstance(i.lat, float) and isinstance(i.lon, float)
        assert 24.0 < i.lat < 28.6 and 122.9 < i.lon < 131.4
        assert i.area_km2.value > 0 and i.population.value > 0
        assert i.municipalities and i.prefecture in ("Kagoshima", "Okinawa")
    assert gaz.island("okinawa").shelter_in_place
    assert not any(i.shelter_in_place for i in gaz.islands if i.id != "okinawa")


def test_island_lookup_error_lists_valid_ids(gaz):
    with pytest.raises(KeyError) as exc:
        gaz.island("atlantis")
    msg = str(exc.value)
    assert "atlantis" in msg
    assert all(i in msg for i in ISLAND_IDS)


def test_loader_is_cached(gaz):
    assert load_gazetteer() is gaz


def test_dumps_are_json(gaz):
    d = gaz.to_dict()
    json.dumps(d)
    assert d["islands"][0]["lat"] == gaz.islands[0].lat
    recs = gaz.to_records("islands")
    assert len(recs) == 16 and {"lat", "population", "population_confidence"} <= set(recs[0])
    for table in ("airports", "ports", "camps", "sea_zones", "capacities"):
        json.dumps(gaz.to_records(table))
    with pytest.raises(ValueError, match="islands"):
        gaz.to_records("nope")


def test_camps_have_no_coordinates(gaz):
    assert len(gaz.camps) >= 10
    for c in gaz.camps:
        assert not hasattr(c, "lat") and not hasattr(c, "position")
        assert c.island in gaz.island_ids


# ---- airports ------------------------------------------------------------------------------
def _independent_midpoints():
    text = "\n".join(ln for ln in _data("runways.csv").splitlines() if not ln.startswith("#"))
    best: dict[str, tuple[float, dict]] = {}
    for row in csv.DictReader(io.StringIO(text)):
        if row["closed"] == "1":
            continue
        length = float(row["length_ft"])
        icao = row["airport_ident"]
        if icao not in best or length > best[icao][0]:
            best[icao] = (length, row)
    out = {}
    for icao, (_, r) in best.items():
        if r["le_latitude_deg"] and r["he_latitude_deg"]:
            out[icao] = (
                (float(r["le_latitude_deg"]) + float(r["he_latitude_deg"])) / 2,
                (float(r["le_longitude_deg"]) + float(r["he_longitude_deg"])) / 2,
            )
    return out


def test_runways_csv_carries_public_domain_note():
    assert "PUBLIC DOMAIN" in _data("runways.csv").splitlines()[1]


def test_airport_positions_are_runway_midpoints(gaz):
    mids = _independent_midpoints()
    assert len(gaz.airports) == 17
    for a in gaz.airports:
        if a.icao in mids:
            assert a.lat == pytest.approx(mids[a.icao][0], abs=1e-6), a.icao
            assert a.lon == pytest.approx(mids[a.icao][1], abs=1e-6), a.icao
            assert a.position.source == "ourairports"
        else:
            assert a.icao in ("ROIG", "RORH")
            assert a.position.is_assumption


def test_miyako_midpoint_matches_prefecture_arp(gaz):
    a = gaz.airport("ROMY")
    arp = (24 + 46 / 60 + 58 / 3600, 125 + 17 / 60 + 42 / 3600)
    assert geodesic_km(a.lat, a.lon, *arp) < 0.5


def test_runway_lengths_agree_with_ourairports_or_disagree_explicitly(gaz):
    for a in gaz.airports:
        assert a.ourairports_length_m is not None, a.icao
        rel = abs(a.ourairports_length_m / a.runway_m.value - 1)
        recorded = any(d.source == "ourairports" for d in a.runway_m.disagreements)
        assert rel < 0.02 or recorded, a.icao


def test_airports_on_islands_and_kyushu(gaz):
    assert {a.icao for a in gaz.airports if a.island == "kyushu"} == {"RJFF", "RJFK"}
    assert gaz.airport("ROYN").runway_m.value == 2000
    with pytest.raises(KeyError, match="RJKA"):
        gaz.airport("XXXX")


# ---- distances -----------------------------------------------------------------------------
def test_geodesic_basic():
    assert geodesic_km(0, 0, 0, 1) == pytest.approx(111.3195, abs=1e-3)
    assert geodesic_km(24.4, 124.2, 24.4, 124.2) == 0.0
    with pytest.raises(ValueError):
        geodesic_km(91, 0, 0, 0)
    with pytest.raises(ValueError):
        geodesic_km(math.nan, 0, 0, 0)


def _ap(gaz, icao):
    a = gaz.airport(icao)
    return a.lat, a.lon


@pytest.mark.parametrize(
    ("a", "b", "km", "tol"),
    [
        ("ROYN", "ROIG", 127.0, 0.10),  # Yonaguni-Ishigaki 127 km (airportraveler)
        ("ROMY", "ROIG", 130.0, 0.15),  # Miyako Airport 130 km ENE of Ishigaki (OCAB)
        ("ROMY", "ROAH", 300.0, 0.15),  # Miyako Airport 300 km SW of Okinawa (OCAB)
        ("ROYN", "ROAH", 500.0, 0.10),  # Naha >500 km from Yonaguni (Straits Times)
    ],
)
def test_distance_facts(gaz, a, b, km, tol):
    d = geodesic_km(*_ap(gaz, a), *_ap(gaz, b))
    assert d == pytest.approx(km, rel=tol)


def test_ishigaki_okinawa_distance(gaz):
    i, o = gaz.island("ishigaki"), gaz.island("okinawa")  # ~411 km (Okinawa pref.)
    assert geodesic_km(i.lat, i.lon, o.lat, o.lon) == pytest.approx(411.0, rel=0.15)


def test_distance_matrix(gaz):
    lats = [i.lat for i in gaz.islands]
    lons = [i.lon for i in gaz.islands]
    d = distance_matrix_km(lats, lons)
    assert d.shape == (16, 16)
    np.testing.assert_array_equal(d, d.T)
    np.testing.assert_array_equal(np.diag(d), 0.0)
    assert d[0, 15] == pytest.approx(geodesic_km(lats[0], lons[0], lats[15], lons[15]))
    assert (d[~np.eye(16, dtype=bool)] > 0).all()
    with pytest.raises(ValueError, match="equal length"):
        distance_matrix_km([1.0, 2.0], [1.0])


# ---- evacuation plan -----------------------------------------------------------------------
PUBLISHED_HOSTS = {
    "Fukuoka": 47400, "Kagoshima": 13800, "Kumamoto": 12800, "Yamaguchi": 12600,
    "Oita": 10500, "Miyazaki": 9800, "Nagasaki": 4200, "Saga": 1700,
}  # fmt: skip


def test_evacuation_plan_matches_published(gaz):
    p = gaz.evacuation_plan
    assert {k: v.value for k, v in p.host_prefectures.items()} == PUBLISHED_HOSTS
    # The eight published allocations add up to 112,800 (BRIEF's "112,700" is an arithmetic slip).
    assert p.host_total() == 112_800
    assert p.residents.value + p.tourists.value == p.total.value == 120_000
    assert p.per_day.value * p.days.value == 120_000
    assert p.drill_max_per_day.value == 22_000
    assert p.staging.value == {
        "yonaguni": "ishigaki", "iriomote_taketomi": "ishigaki",
        "hateruma": "ishigaki", "tarama": "miyako",
    }  # fmt: skip
    assert p.pairings.value["Yonaguni"] == ("Saga",)
    assert p.shelter_in_place.value == ("okinawa",)
    assert set(p.destination_gateways.value) == {"RJFF", "RJFK", "kagoshima_port"}


def test_per_mode_capacities(gaz):
    p = gaz.evacuation_plan
    caps = {c.id: c.per_day.value for c in p.capacities}
    assert caps["ishigaki_air"] == 8700 and caps["ishigaki_sea"] == 1500
    assert caps["miyako_sea"] == 1500
    assert caps["tarama_air"] == 400 and caps["tarama_sea"] == 900
    assert p.capacity_per_day("yonaguni") == 480 + 740 + 520
    assert p.capacity_per_day("yonaguni", "air") == 520
    for c in p.capacities:
        gw = gaz.gateway(c.gateway)
        assert gw.island == c.island, c.id


def test_island_populations_consistent_with_plan(gaz):
    p = gaz.evacuation_plan
    residents = sum(gaz.island(i).population.value for i in SAKISHIMA)
    tourists = sum(gaz.island(i).tourists.value for i in SAKISHIMA)
    assert residents == pytest.approx(p.residents.value, rel=0.05)
    assert tourists == p.tourists.value
    assert all(gaz.island(i).tourists.is_assumption for i in SAKISHIMA)
    y = gaz.island("yonaguni")  # "Yonaguni, about 1,700 people, moves out in one day"
    assert y.population.value + y.tourists.value <= p.capacity_per_day("yonaguni")


# ---- ports and sea zones -------------------------------------------------------------------
def test_ports_cover_inhabited_islands(gaz):
    for i in gaz.islands:
        assert gaz.ports_on(i.id), i.id
    assert gaz.port("sonai").note and "north" in gaz.port("sonai").note
    assert gaz.port("kitadaito_port").crane_lift_only
    assert all(p.position.is_assumption for p in gaz.ports)


def test_sea_zones_notional(gaz):
    assert 3 <= len(gaz.sea_zones) <= 4
    for z in gaz.sea_zones:
        assert z.position.is_assumption and z.radius_km.is_assumption
    assert gaz.sea_zone("miyako_strait").width_km.value == 250.0


def test_ports_and_zones_against_coastlines(gaz):
    coastlines = pytest.importorskip("nansei.geo.coastlines")
    coast = coastlines.load_coastlines()
    for p in gaz.ports:
        if p.island in ("kyushu",):
            continue
        assert coast.on_land(p.lat, p.lon, tol_km=1.0), f"port {p.id} too far from land"
        assert coast.polygon_at(p.lat, p.lon, tol_km=1.0) is not None
    for z in gaz.sea_zones:
        d = coast.distance_to_land_km(z.lat, z.lon)
        assert d > z.radius_km.value, f"sea zone {z.id} overlaps land ({d:.1f} km)"
