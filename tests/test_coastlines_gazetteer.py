"""Cross-checks between the gazetteer (islands) and the GSHHG coastlines.

Uses only the gazetteer's public interface:
``load_gazetteer().islands``, each with ``.id``, ``.lat``, ``.lon`` (degrees) and
``.area_km2`` (a sourced value with ``.value`` in km² and ``.confidence`` in
``{"A", "B", "C"}``).
"""

from __future__ import annotations

import pytest

from nansei.geo import gazetteer
from nansei.geo.coastlines import geodesic_area_km2, load_coastlines

#: Island centres may sit up to this far off the GSHHG coast, km.
CENTRE_TOL_KM = 2.0
#: Allowed relative difference between gazetteer (GSI) and GSHHG areas.
AREA_REL_TOL = 0.10

#: Extra points (lat, lon, degrees) on other members of island groups whose stated
#: area covers more than the island holding the centre. The group area is the sum over
#: the distinct polygons holding the centre and these points. Shimoji point: Shimojishima
#: airport runway 35 end (OurAirports). GSHHG 2.3.6 draws Irabu and Shimoji (separated by
#: a narrow channel) as one polygon, so the sum is that one polygon there.
#: ``iriomote_taketomi``'s stated area is Iriomote only (see gazetteer.yaml notes), so it
#: needs no extra point.
GROUP_MEMBERS: dict[str, list[tuple[float, float]]] = {
    "irabu_shimoji": [(24.8138, 125.1490)],
}


def _islands():
    return list(gazetteer.load_gazetteer().islands)


def _island_ids():
    return [i.id for i in _islands()]


def _graded_area_ids():
    """Islands whose area is official (A) or press (B); C-grade areas are estimates."""
    return [i.id for i in _islands() if i.area_km2.confidence in ("A", "B")]


@pytest.fixture(scope="module")
def islands():
    return {i.id: i for i in _islands()}


@pytest.fixture(scope="module")
def coast():
    return load_coastlines()


def test_gazetteer_has_islands(islands):
    assert len(islands) >= 10


@pytest.mark.parametrize("island_id", _island_ids())
def test_island_centre_on_or_near_land(islands, coast, island_id):
    isl = islands[island_id]
    d = coast.distance_to_land_km(isl.lat, isl.lon)
    assert d <= CENTRE_TOL_KM, (
        f"{island_id} centre ({isl.lat}, {isl.lon}) is {d:.2f} km off the GSHHG coast"
    )


@pytest.mark.parametrize("island_id", _graded_area_ids())
def test_island_area_matches_polygon(islands, coast, island_id):
    isl = islands[island_id]
    area = isl.area_km2
    points = [(isl.lat, isl.lon), *GROUP_MEMBERS.get(island_id, [])]
    polys = []
    for lat, lon in points:
        poly = coast.polygon_at(lat, lon, tol_km=CENTRE_TOL_KM)
        assert poly is not None, f"{island_id}: no polygon within {CENTRE_TOL_KM} km of {lat, lon}"
        if all(poly is not p for p in polys):
            polys.append(poly)
    got = sum(geodesic_area_km2(p) for p in polys)
    rel = got / area.value - 1.0
    assert abs(rel) <= AREA_REL_TOL, (
        f"{island_id}: GSHHG {got:.2f} km² vs gazetteer {area.value} km² ({rel:+.1%})"
    )
