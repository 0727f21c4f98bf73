"""Geography of a compile: the sites, islands and gateways in play.

Shared by the combat compile (:mod:`nansei.engine.compile`) and the
civil-protection compile (:mod:`nansei.engine.compile_civil`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass
class Site:
    """A site in play: position (degrees), concealment in [0, 1], residents within the
    hazard radius (persons), and whether it holds a decoy."""

    id: str
    island: str
    lat: float
    lon: float
    concealment: float
    residents: float
    decoy: bool


def resolve_sites(sc) -> list[Site]:
    """Sites in play (built-in, then custom), with residents within the hazard radius.

    Residents default to the island's mean density times the hazard disc area
    (an assumption: uniform density), unless the site states a figure.
    """
    from nansei.scenario.resolve import gazetteer, resolved_sites, theatre

    radius = sc.geography.hazard_radius_km
    area = math.pi * radius * radius
    th = theatre(sc)
    if th is None:
        density = {i.id: i.density_per_km2 for i in gazetteer(sc).islands}
    else:
        density = {th.id: th.residents_per_km2}
    out = []
    for s in resolved_sites(sc):
        res = s.residents_in_hazard_radius
        res = density.get(s.island, 0.0) * area if res is None else float(res)
        out.append(Site(s.id, s.island, s.lat, s.lon, s.concealment, res, s.decoy))
    return out


def island_ids(sc) -> list[str]:
    """Island ids in play, in gazetteer order (the region id of an abstract theatre)."""
    from nansei.scenario.resolve import gazetteer, islands_in_play, theatre

    if theatre(sc) is not None:
        return islands_in_play(sc)
    chosen = set(islands_in_play(sc))
    return [i.id for i in gazetteer(sc).islands if i.id in chosen]


def gateways(islands: list[str], gaz=None):
    """Airports and ports of the islands in play (gateway order).

    Returns
    -------
    tuple
        ``(ids, type (G,) 0 airport 1 port, runway (G,) m, lat (G,), lon (G,),
        isl_gw (I, 2) island's airport and port gateway or -1, island (G,))``;
        an island's air gateway is its longest runway, its sea gateway its
        first port that is not crane-lift only. ``gaz`` is the scenario's gazetteer
        (:func:`nansei.scenario.resolve.gazetteer`); default the built-in one.
    """
    from nansei.geo.gazetteer import load_gazetteer

    gaz = load_gazetteer() if gaz is None else gaz
    ids, gtype, runway, lat, lon, gisl = [], [], [], [], [], []
    isl_gw = -np.ones((len(islands), 2), dtype=np.int64)
    for k, isl in enumerate(islands):
        airports = [a for a in gaz.airports if a.island == isl and a.role == "island"]
        airports.sort(key=lambda a: -float(a.runway_m.value))
        for j, a in enumerate(airports):
            if j == 0:
                isl_gw[k, 0] = len(ids)
            ids.append(a.icao)
            gisl.append(k)
            gtype.append(0)
            runway.append(float(a.runway_m.value))
            lat.append(a.lat)
            lon.append(a.lon)
        ports = [p for p in gaz.ports if p.island == isl and p.role == "island"]
        for p in ports:
            if isl_gw[k, 1] < 0 and not p.crane_lift_only:
                isl_gw[k, 1] = len(ids)
            ids.append(p.id)
            gisl.append(k)
            gtype.append(1)
            runway.append(0.0)
            lat.append(p.lat)
            lon.append(p.lon)
    out = (ids, np.array(gtype, np.int64), np.array(runway), np.array(lat), np.array(lon), isl_gw)
    return (*out, np.array(gisl, dtype=np.int64))
