"""Generated notional launcher positions (nansei.geo.positions, geography.sites.generated)."""

from __future__ import annotations

import itertools
import math
import re

import pytest
import shapely
from shapely.geometry import Point

from nansei.geo.coastlines import _km_per_degree, load_coastlines
from nansei.geo.distance import geodesic_km
from nansei.geo.gazetteer import load_gazetteer
from nansei.geo.positions import (
    DEFAULT_MAX_PER_ISLAND,
    DEFAULT_MIN_PER_ISLAND,
    DEFAULT_PER_KM2,
    INLAND_KM,
    MIN_SPACING_KM,
    generate_positions,
    halton,
    island_mean_concealment,
    position_count,
)
from nansei.geo.sites import DEFAULT_HAZARD_RADIUS_KM, load_sites
from nansei.scenario import ScenarioError, parse_scenario_text

GAZ = load_gazetteer()
ISLANDS = [i.id for i in GAZ.islands]
HEAD = "schema_version: 1\nname: gen\nblue:\n  launchers: [{id: a}]\n"


@pytest.fixture(scope="module")
def generated():
    """Positions of every gazetteer island at the default density."""
    out = {}
    for isl in GAZ.islands:
        n = position_count(isl.area_km2.value)
        out[isl.id] = generate_positions(isl.id, n)
    return out


# ---------------------------------------------------------------------------- function


def test_halton_is_the_radical_inverse():
    assert halton(4, 2).tolist() == [0.5, 0.25, 0.75, 0.125]
    assert halton(3, 3).tolist() == pytest.approx([1 / 3, 2 / 3, 1 / 9])
    assert halton(2, 2, skip=0).tolist() == [0.0, 0.5]
    with pytest.raises(ValueError, match="base"):
        halton(3, 1)


def test_deterministic_and_pinned():
    a = generate_positions("yonaguni", 5)
    b = generate_positions("yonaguni", 5)
    assert a == b
    # pinned: a change of method must be deliberate (and say so in its commit)
    first = a.sites[0]
    assert (first.lat, first.lon) == pytest.approx((24.444979, 122.990789), abs=2e-6)
    # a different count gives a different, equally valid set
    assert generate_positions("yonaguni", 6).sites != a.sites


def test_count_follows_density_within_bounds(generated):
    for isl in GAZ.islands:
        n = len(generated[isl.id].sites)
        assert DEFAULT_MIN_PER_ISLAND <= n <= DEFAULT_MAX_PER_ISLAND
        raw = math.floor(DEFAULT_PER_KM2 * isl.area_km2.value + 0.5)
        assert n == min(max(raw, DEFAULT_MIN_PER_ISLAND), DEFAULT_MAX_PER_ISLAND), isl.id
    # small islands still get a few; the largest are capped
    assert len(generated["hateruma"].sites) == DEFAULT_MIN_PER_ISLAND
    assert len(generated["okinawa"].sites) == DEFAULT_MAX_PER_ISLAND
    assert len(generated["miyako"].sites) == 16  # 158.87 km² × 0.1


def test_position_count_rounding_and_errors():
    assert position_count(25.0, per_km2=0.1, min_per_island=1, max_per_island=10) == 3
    assert position_count(24.9, per_km2=0.1, min_per_island=1, max_per_island=10) == 2
    assert position_count(0.0, per_km2=0.1, min_per_island=2, max_per_island=10) == 2
    assert position_count(1e5, per_km2=1.0, min_per_island=2, max_per_island=10) == 10
    with pytest.raises(ValueError, match="min_per_island"):
        position_count(10.0, min_per_island=5, max_per_island=4)
    with pytest.raises(ValueError, match="per_km2"):
        position_count(10.0, per_km2=0.0)
    with pytest.raises(ValueError, match="area_km2"):
        position_count(-1.0)


def _inland_km(poly, lat, lon):
    """Distance from (lat, lon) to the polygon's boundary in a plane centred on the point."""
    kx, ky = _km_per_degree(lat)
    local = shapely.transform(poly, lambda c: (c - (lon, lat)) * (kx, ky))
    return local.boundary.distance(Point(0.0, 0.0))


def test_every_point_on_its_island_and_inland(generated):
    coast = load_coastlines()
    for island, pos in generated.items():
        isl = GAZ.island(island)
        poly = coast.polygon_at(isl.lat, isl.lon)
        for s in pos.sites:
            assert coast.polygon_at(s.lat, s.lon) is poly, s.id
            assert _inland_km(poly, s.lat, s.lon) >= INLAND_KM, s.id
            # the check the built-in sites pass (tests/test_sites.py), at 0.5 km
            dlat = INLAND_KM / 110.574
            dlon = INLAND_KM / (111.320 * math.cos(math.radians(s.lat)))
            for k in range(16):
                t = 2 * math.pi * k / 16
                lat, lon = s.lat + dlat * math.sin(t), s.lon + dlon * math.cos(t)
                assert coast.on_land(lat, lon), f"{s.id} is within {INLAND_KM} km of the coast"


def test_larger_inland_margin_is_honoured():
    coast = load_coastlines()
    isl = GAZ.island("ishigaki")
    poly = coast.polygon_at(isl.lat, isl.lon)
    pos = generate_positions("ishigaki", 10, inland_km=2.0)
    assert pos.inland_km == 2.0
    assert min(_inland_km(poly, s.lat, s.lon) for s in pos.sites) >= 2.0


def test_minimum_spacing(generated):
    for island, pos in generated.items():
        assert pos.spacing_km >= MIN_SPACING_KM
        d = min(
            geodesic_km(a.lat, a.lon, b.lat, b.lon) for a, b in itertools.combinations(pos.sites, 2)
        )
        # spacing holds in the local plane; the geodesic differs by well under 0.5 %
        assert d >= 0.995 * pos.spacing_km, island
        # and the adaptive spacing is not degenerate: at least a third of √(A/n)
        assert pos.spacing_km >= math.sqrt(pos.land_km2 / len(pos.sites)) / 3, island


def test_explicit_spacing():
    pos = generate_positions("miyako", 10, spacing_km=2.0)
    assert pos.spacing_km == 2.0
    assert (
        min(
            geodesic_km(a.lat, a.lon, b.lat, b.lon) for a, b in itertools.combinations(pos.sites, 2)
        )
        >= 0.995 * 2.0
    )
    with pytest.raises(ValueError, match="spacing_km=10"):
        generate_positions("miyako", 10, spacing_km=10.0)
    with pytest.raises(ValueError, match="spacing_km"):
        generate_positions("miyako", 10, spacing_km=0.01)


def test_argument_errors():
    with pytest.raises(KeyError, match="yonaguni"):
        generate_positions("atlantis", 4)
    with pytest.raises(ValueError, match="count"):
        generate_positions("yonaguni", 0)
    with pytest.raises(ValueError, match="concealment"):
        generate_positions("yonaguni", 4, concealment=1.2)
    with pytest.raises(ValueError, match="no land"):
        generate_positions("hateruma", 4, inland_km=5.0)


def test_ids_unique_and_distinct_from_builtin(generated):
    ids = [s.id for pos in generated.values() for s in pos.sites]
    builtin = {s.id for s in load_sites()}
    assert len(ids) == len(set(ids))
    assert not set(ids) & builtin
    for island, pos in generated.items():
        assert [s.id for s in pos.sites] == [f"{island}-g{j}" for j in range(1, len(pos.sites) + 1)]
        assert all(re.fullmatch(r"[a-z_]+-g\d+", s.id) for s in pos.sites)


def test_attributes_like_builtin_sites(generated):
    for island, pos in generated.items():
        isl = GAZ.island(island)
        conceal = island_mean_concealment(island)
        expected = isl.density_per_km2 * min(math.pi * 2.0**2, isl.area_km2.value)
        for s in pos.sites:
            assert s.assumption is True and "notional" in s.note
            assert s.concealment == conceal
            assert s.hazard_radius_km == DEFAULT_HAZARD_RADIUS_KM
            assert s.residents_in_hazard_radius == pytest.approx(expected, abs=0.1)
            assert s.access in ("road", "airport", "port")
            assert (s.access == "road") == (s.access_gateway is None)
    mean = [x.concealment for x in load_sites() if x.island == "ishigaki"]
    assert island_mean_concealment("ishigaki") == pytest.approx(sum(mean) / len(mean), abs=0.005)
    assert island_mean_concealment("kitadaito") == 0.5  # no built-in site there
    assert {s.concealment for s in generate_positions("kikai", 4, concealment=0.2).sites} == {0.2}


# ---------------------------------------------------------------------------- scenario


def _load(geo: str):
    return parse_scenario_text(HEAD + "geography:\n" + geo)


def test_default_is_none_and_unchanged():
    sc = _load("  islands: [ishigaki, yonaguni]\n")
    assert sc.geography.sites.generated is None
    assert [s.id for s in sc.sites()] == [
        s.id for s in load_sites() if s.island in ("ishigaki", "yonaguni")
    ]


def test_generated_only_on_islands_in_play_and_before_custom():
    sc = _load(
        "  islands: [ishigaki, yonaguni]\n"
        "  hazard_radius_km: 1.0\n"
        "  sites:\n"
        "    generated: {per_km2: 0.05, min_per_island: 5, max_per_island: 8, concealment: 0.3}\n"
        "    custom: [{id: my-1, island: yonaguni, lat: 24.455, lon: 123.0}]\n"
    )
    sites = sc.sites()
    ids = [s.id for s in sites]
    gen = [s for s in sites if "-g" in s.id]
    assert {s.island for s in gen} == {"ishigaki", "yonaguni"}
    assert sum(s.island == "ishigaki" for s in gen) == 8  # round(0.05 × 222.24) = 11 → 8
    assert sum(s.island == "yonaguni" for s in gen) == 5  # round(1.4) = 1 → 5
    assert ids[-1] == "my-1" and ids.index("ishigaki-g1") > ids.index("yonaguni-c1")
    isl = GAZ.island("yonaguni")
    y1 = next(s for s in gen if s.id == "yonaguni-g1")
    assert y1.concealment == 0.3 and y1.decoy is False
    # residents rescaled to the scenario's hazard radius exactly as for built-in sites
    builtin = next(s for s in sites if s.id == "yonaguni-c1")
    assert y1.residents_in_hazard_radius == builtin.residents_in_hazard_radius
    assert y1.residents_in_hazard_radius == round(isl.density_per_km2 * math.pi * 1.0**2)


def test_start_sites_may_name_generated_positions():
    sc = parse_scenario_text(
        "schema_version: 1\nname: gen\n"
        "blue:\n  launchers: [{id: a, count: 1, start_sites: [tarama-g2]}]\n"
        "geography:\n  islands: [tarama]\n  sites: {builtin: none, generated: {}}\n"
    )
    assert [s.id for s in sc.sites()] == [f"tarama-g{j}" for j in range(1, 5)]


def _problem(text: str, path: str):
    with pytest.raises(ScenarioError) as info:
        parse_scenario_text(text)
    found = [p for p in info.value.problems if p.path == path]
    assert found, f"no problem at {path}: {info.value}"
    return found[0]


@pytest.mark.parametrize(
    ("body", "path", "words"),
    [
        ("{per_km2: 0}", "per_km2", ["0"]),
        ("{per_km2: 9}", "per_km2", ["5"]),
        ("{min_per_island: 0}", "min_per_island", ["1"]),
        ("{max_per_island: 500}", "max_per_island", ["120"]),
        ("{min_per_island: 9, max_per_island: 8}", "min_per_island", ["max_per_island"]),
        ("{concealment: 1.5}", "concealment", ["1"]),
        ("{concealment: dark}", "concealment", ["island_mean"]),
        ("{density: 0.1}", "density", ["per_km2"]),
    ],
)
def test_schema_errors_name_the_field(body, path, words):
    text = HEAD + "geography:\n  sites:\n    generated: " + body + "\n"
    p = _problem(text, "geography.sites.generated." + path)
    blob = " ".join(str(x) for x in (p.message, p.allowed, p.value))
    for w in words:
        assert w in blob, blob


def test_custom_id_clashing_with_generated_is_an_error():
    text = HEAD + (
        "geography:\n  islands: [yonaguni]\n  sites:\n    generated: {}\n"
        "    custom: [{id: yonaguni-g2, island: yonaguni, lat: 24.455, lon: 123.0}]\n"
    )
    p = _problem(text, "geography.sites.custom[0].id")
    assert "generated" in p.message


def test_compiled_like_builtin_sites():
    """The compiler sees generated positions as ordinary sites (no kernel run needed)."""
    from nansei.engine.compile import compile_scenario

    sc = parse_scenario_text(
        "schema_version: 1\nname: gen\n"
        "blue:\n  launchers: [{id: a, count: 2, start_sites: [miyako-g1, tarama-g3]}]\n"
        "geography:\n  islands: [miyako, tarama]\n  sites: {generated: {}}\n"
    )
    c = compile_scenario(sc)
    ids = list(c.site_ids)
    assert ids[:6] == [s.id for s in load_sites() if s.island in ("miyako", "tarama")]
    assert ids[6:] == [f"miyako-g{j}" for j in range(1, 17)] + [f"tarama-g{j}" for j in range(1, 5)]
    assert [ids[i] for i in c.arrays["l_site0"]] == ["miyako-g1", "tarama-g3"]
    road = c.arrays["road_km"]
    isl = c.arrays["site_island"]
    same = isl[:, None] == isl[None, :]
    assert (road[same] < 40.0).all() and (road[~same] == float("inf")).all()
    res = c.arrays["site_f"][:, 1]
    assert res[ids.index("miyako-g5")] == res[ids.index("miyako-c1")]
