"""Sites of the combat compile: start sites, the site table and the distance tables.

Called by :func:`nansei.engine.compile.compile_scenario`; the sites, islands and gateways
themselves come from :mod:`nansei.engine.compile_geo`.

* Start sites: :func:`auto_site` spreads ``start_sites: auto`` launchers over the islands,
  :func:`decoy_sites` places the decoys.
* The site table: planar positions (:func:`planar_km`, about :func:`planar_lat0`) and the
  columns of ``Model.site_f`` (:func:`site_table`).
* Distances (km): :func:`road_km` between the sites of one island, :func:`island_km`
  between the islands' gateways, :func:`site_gateway_km` from each site to its island's
  gateways; :func:`zones_in_range`, the sea zones each site can engage with each munition.
"""

from __future__ import annotations

import math

import numpy as np

from nansei.engine.compile_geo import Site
from nansei.geo.distance import geodesic_km
from nansei.geo.theatre import KM_PER_DEG as THEATRE_KM_PER_DEG
from nansei.scenario.resolve import gazetteer as resolve_gazetteer
from nansei.scenario.resolve import theatre

#: Planar positions (``Model.site_xy``): km per degree of latitude (mean Earth radius
#: 6,371.0088 km) and the latitude (degrees) whose parallel keeps its length.
KM_PER_DEG = 6371.0088 * math.pi / 180.0
PLANAR_LAT0 = 26.0


def planar_km(lat: np.ndarray, lon: np.ndarray, lat0: float = PLANAR_LAT0) -> np.ndarray:
    """Equirectangular positions (km) about ``lat0``, shape ``(n, 2)`` (x east, y north).

    Distances between nearby points (one island) are within about 3 % of the geodesic over
    latitudes 24-29 degrees; strikes compare a launcher and an aim point in the same frame.
    An abstract theatre's plane lies at the equator (``lat0 = 0``).
    """
    x = KM_PER_DEG * math.cos(math.radians(lat0)) * np.asarray(lon, dtype=float)
    y = KM_PER_DEG * np.asarray(lat, dtype=float)
    return np.column_stack([x, y]).reshape(-1, 2)


def planar_lat0(sc) -> float:
    """Reference latitude of the scenario's planar frame, degrees: :data:`PLANAR_LAT0` for
    the built-in Nansei gazetteer, 0 for an abstract theatre, and the mean island latitude
    (to 0.1 degree) of a user's gazetteer file."""
    from nansei.scenario.resolve import gazetteer_file

    if theatre(sc) is not None:
        return 0.0
    if gazetteer_file(sc) is None:
        return PLANAR_LAT0
    lats = [i.lat for i in resolve_gazetteer(sc).islands]
    return round(sum(lats) / len(lats), 1)


def _zones(sc) -> dict:
    from nansei.scenario.resolve import resolved_zones

    return {z.id: (z.lat, z.lon) for z in resolved_zones(sc)}


def _isr_cover(th, lat: np.ndarray) -> np.ndarray:
    """Factor on Red's detection rates at an abstract theatre's positions: 1 within
    ``isr_depth_km`` of the front line, ``isr_beyond_factor`` deeper."""
    depth = -np.asarray(lat) * THEATRE_KM_PER_DEG
    return np.where(depth > th.isr_depth_km, th.isr_beyond_factor, 1.0)


def _lookalikes_in_view(sc, sites: list[Site]) -> np.ndarray:
    """Expected look-alike vehicles in Red's view around each site, shape (S,).

    The density of the site's island (or region), else the theatre-wide one,
    times ``red.isr.identification.view_km2``.
    """
    ident = sc.red.isr.identification
    by = ident.lookalikes_per_km2_by_island
    dens = [by.get(s.island, ident.lookalikes_per_km2) for s in sites]
    return np.asarray(dens, dtype=np.float64) * ident.view_km2


def auto_site(sites: list[Site], usable: list[int], taken: set[int]) -> int:
    """Spread launchers over islands in proportion to their usable sites.

    The next launcher goes to the island with the most usable sites per launcher
    already placed (``n_sites / (placed + 1)``, ties to the earlier site), so an
    island with one or two sites gets a launcher only once the larger islands
    hold several, and every launcher keeps somewhere to move to.
    """
    per_island: dict[str, int] = {}
    n_sites: dict[str, int] = {}
    for i in usable:
        n_sites[sites[i].island] = n_sites.get(sites[i].island, 0) + 1
    for i in taken:
        per_island[sites[i].island] = per_island.get(sites[i].island, 0) + 1
    free = [i for i in usable if i not in taken]
    if not free:
        from nansei.scenario.errors import problem_error

        raise problem_error(
            "blue.launchers", len(taken) + 1, "more launchers than usable candidate sites"
        )

    def room(i: int) -> float:
        isl = sites[i].island
        return n_sites[isl] / (per_island.get(isl, 0) + 1.0)

    return min(free, key=lambda i: (-room(i), i))


def decoy_sites(sc, sites: list[Site], l_site0: np.ndarray) -> list[int]:
    """Indices of the decoy sites: the scenario's, then ``blue.decoys.count_per_island``
    free sites on each island a launcher starts on (marked ``decoy`` in ``sites``)."""
    out = [i for i, s in enumerate(sites) if s.decoy]
    n = sc.blue.decoys.count_per_island
    if n <= 0:
        return out
    start_islands = []
    for s in l_site0:
        if sites[s].island not in start_islands:
            start_islands.append(sites[s].island)
    taken = set(int(s) for s in l_site0)
    for isl in start_islands:
        free = [
            i for i, s in enumerate(sites) if s.island == isl and not s.decoy and i not in taken
        ]
        for i in free[:n]:
            sites[i].decoy = True
            out.append(i)
    return out


def site_table(sc, sites: list[Site], isl_index: dict, th) -> tuple:
    """Positions and attributes of the sites (after the decoys are placed).

    Parameters
    ----------
    sc : Scenario
    sites : list of Site
        The sites in play, S of them.
    isl_index : dict of str to int
        Island id to its index in the compile.
    th : AbstractTheatre or None
        The scenario's abstract theatre (:func:`nansei.scenario.resolve.theatre`).

    Returns
    -------
    tuple
        ``(lat (S,) degrees, lon (S,) degrees, site_island (S,) int64 (-1 for a decoy or an
        island not in play), site_xy (S, 2) km, site_f (S, 5))``; ``site_f`` columns:
        concealment, residents in the hazard radius, excluded until (h; 0 here), factor on
        Red's detection rates, look-alike vehicles in view.
    """
    n_s = len(sites)
    lat = np.array([s.lat for s in sites])
    lon = np.array([s.lon for s in sites])
    site_island = np.array(
        [-1 if s.decoy else isl_index.get(s.island, -1) for s in sites], dtype=np.int64
    )
    conceal = [s.concealment for s in sites]
    if sc.red.isr.concealment_effect == "none":
        conceal = [0.0] * n_s
    site_xy = planar_km(lat, lon, planar_lat0(sc))
    site_f = np.zeros((n_s, 5), dtype=np.float64)
    site_f[:, 0] = conceal
    site_f[:, 1] = [s.residents for s in sites]
    site_f[:, 3] = 1.0 if th is None else _isr_cover(th, lat)
    site_f[:, 4] = _lookalikes_in_view(sc, sites)
    return lat, lon, site_island, site_xy, site_f


def road_km(sites: list[Site], lat: np.ndarray, lon: np.ndarray, detour: float) -> np.ndarray:
    """Road distances between sites (km), shape (S, S): the geodesic times ``detour``
    (``blue.relocation.road_detour_factor``) on one island, inf between islands."""
    n_s = len(sites)
    out = np.full((n_s, n_s), np.inf)
    for a in range(n_s):
        out[a, a] = 0.0
        for b in range(a + 1, n_s):
            if sites[a].island == sites[b].island:
                d = geodesic_km(lat[a], lon[a], lat[b], lon[b]) * detour
                out[a, b] = out[b, a] = d
    return out


def island_km(isl_gw: np.ndarray, gw_lat: np.ndarray, gw_lon: np.ndarray) -> np.ndarray:
    """Inter-island lift distances (km), shape (I, I): the geodesic between the islands'
    gateways (the airport, else the port; 0 on the diagonal and without a gateway)."""
    n_i = isl_gw.shape[0]
    out = np.zeros((n_i, n_i))
    for a in range(n_i):
        for b in range(n_i):
            ga = isl_gw[a, 0] if isl_gw[a, 0] >= 0 else isl_gw[a, 1]
            gb = isl_gw[b, 0] if isl_gw[b, 0] >= 0 else isl_gw[b, 1]
            if a != b and ga >= 0 and gb >= 0:
                out[a, b] = geodesic_km(gw_lat[ga], gw_lon[ga], gw_lat[gb], gw_lon[gb])
    return out


def site_gateway_km(
    sites: list[Site],
    lat: np.ndarray,
    lon: np.ndarray,
    isl_index: dict,
    isl_gw: np.ndarray,
    gw_lat: np.ndarray,
    gw_lon: np.ndarray,
    detour: float,
) -> np.ndarray:
    """Road distances (km) from each site to its island's airport and port, shape (S, 2):
    the geodesic times ``detour``; 0 without such a gateway or island."""
    out = np.zeros((len(sites), 2))
    for s, site in enumerate(sites):
        k = isl_index.get(site.island, -1)
        for mode in range(2):
            g = isl_gw[k, mode] if k >= 0 else -1
            if g >= 0:
                out[s, mode] = geodesic_km(lat[s], lon[s], gw_lat[g], gw_lon[g]) * detour
    return out


def zones_in_range(sc, lat: np.ndarray, lon: np.ndarray, muns: list, th) -> np.ndarray:
    """Whether each site can engage each target stream's zone with each munition.

    A zone is in range when its centre is within the munition's ``range_km`` of the site
    (geodesic); in an abstract theatre, the distance is the site's depth behind the front
    line plus ``targets_beyond_km``.

    Returns
    -------
    ndarray (S, Z, M) uint8
        1 in range, 0 not; Z target streams, M munitions in ``muns`` order.
    """
    zones = _zones(sc)
    streams = sc.targets.streams
    in_range = np.zeros((len(lat), len(streams), len(muns)), np.uint8)
    for z, st in enumerate(streams):
        zlat, zlon = zones[st.zone]
        for s in range(len(lat)):
            if th is None:
                d = geodesic_km(lat[s], lon[s], zlat, zlon)
            else:  # the front line at y = 0, Red's targets beyond it
                d = -lat[s] * THEATRE_KM_PER_DEG + th.targets_beyond_km
            for m, mun in enumerate(muns):
                in_range[s, z, m] = d <= mun.range_km
    return in_range
