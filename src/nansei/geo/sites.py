"""Candidate launcher sites: about 40 NOTIONAL points on the inhabited islands.

Public reporting (Kyodo, December 2021) gives only a count (about 40, most on inhabited
islands, Amami Oshima, Miyako and Ishigaki among them). The points in ``data/sites.yaml`` are
generic inventions for modelling, not real installations; every coordinate and concealment
value is an assumption.

Derived attributes are computed from the gazetteer at load time:

- ``access``: ``'airport'`` if an airport of the same island lies within the access radius
  (3 km by default), else ``'port'`` if a port does, else ``'road'``.
- ``residents_in_hazard_radius``: island population density × π r² (r = 2 km by default),
  capped at the island's population. Assumption: uniform density over the island.

Examples
--------
>>> sites = load_sites()
>>> 35 <= len(sites) <= 45
True
>>> get_site("yonaguni-c1").island
'yonaguni'
"""

from __future__ import annotations

import math
import re
from functools import cache
from importlib import resources
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from nansei.geo.distance import geodesic_km
from nansei.geo.gazetteer import Gazetteer, Sourced, load_gazetteer

# libyaml's parser (same safe constructor, several times faster) for the packaged data
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

__all__ = [
    "DEFAULT_ACCESS_RADIUS_KM",
    "DEFAULT_HAZARD_RADIUS_KM",
    "CandidateSite",
    "build_sites",
    "classify_access",
    "get_site",
    "load_sites",
    "residents_within",
    "sites_to_records",
]

DEFAULT_HAZARD_RADIUS_KM = 2.0
DEFAULT_ACCESS_RADIUS_KM = 3.0
#: Sanity bound: a site must lie within this distance of its island's centre, km.
MAX_FROM_CENTRE_KM = 60.0
_ID_RE = re.compile(r"^[a-z][a-z_]*-[a-z]+\d+$")

Access = Literal["road", "airport", "port"]


class CandidateSite(BaseModel):
    """A notional candidate launcher site.

    Attributes
    ----------
    id : str
        ``<island>-<area><n>``, e.g. ``ishigaki-n1``; generated positions
        (:mod:`nansei.geo.positions`) use ``<island id>-g<n>``, e.g. ``amami_oshima-g1``.
    island : str
        Gazetteer island id.
    lat, lon : float
        Position, degrees (WGS84). Always an assumption.
    concealment : float
        In [0, 1]; 0 open ground, 1 fully concealed. Assumption.
    access : {'road', 'airport', 'port'}
        How the site is reached; see module docstring.
    access_gateway : str or None
        ICAO code or port id giving airport/port access.
    access_distance_km : float or None
        Distance to ``access_gateway``, km.
    residents_in_hazard_radius : float
        Residents within ``hazard_radius_km``, people (uniform-density assumption).
    hazard_radius_km : float
        Radius used for ``residents_in_hazard_radius``, km.
    note : str
    assumption : bool
        Always True: the coordinates are notional.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str
    island: str
    lat: float = Field(ge=-90.0, le=90.0)
    lon: float = Field(ge=-180.0, le=360.0)
    concealment: float = Field(ge=0.0, le=1.0)
    access: Access = "road"
    access_gateway: str | None = None
    access_distance_km: float | None = None
    residents_in_hazard_radius: float = 0.0
    hazard_radius_km: float = DEFAULT_HAZARD_RADIUS_KM
    note: str = ""
    assumption: bool = True

    @model_validator(mode="after")
    def _check(self) -> CandidateSite:
        if not _ID_RE.match(self.id):
            raise ValueError(f"site id {self.id!r} must look like 'ishigaki-n1'")
        if not self.assumption:
            raise ValueError(f"site {self.id}: coordinates are notional, assumption must be true")
        return self


def residents_within(
    site: CandidateSite,
    radius_km: float = DEFAULT_HAZARD_RADIUS_KM,
    gazetteer: Gazetteer | None = None,
) -> float:
    """Residents within ``radius_km`` of a site, assuming uniform density over the island.

    Parameters
    ----------
    site : CandidateSite
    radius_km : float, default 2.0
        Hazard radius, km (>= 0).
    gazetteer : Gazetteer, optional
        Defaults to :func:`~nansei.geo.gazetteer.load_gazetteer`.

    Returns
    -------
    float
        ``density × min(π r², island area)``, people; never more than the island population.
    """
    if not (math.isfinite(radius_km) and radius_km >= 0.0):
        raise ValueError(f"radius_km must be finite and >= 0, got {radius_km!r}")
    gaz = load_gazetteer() if gazetteer is None else gazetteer
    isl = gaz.island(site.island)
    area = min(math.pi * radius_km**2, isl.area_km2.value)
    return isl.density_per_km2 * area


def classify_access(
    island: str,
    lat: float,
    lon: float,
    gazetteer: Gazetteer | None = None,
    radius_km: float = DEFAULT_ACCESS_RADIUS_KM,
) -> tuple[Access, str | None, float | None]:
    """Access class of a point: nearest airport, else port, on ``island`` within ``radius_km``.

    Returns
    -------
    (access, gateway, distance_km)
        ``('airport', icao, km)``, ``('port', port_id, km)`` or ``('road', None, None)``.
    """
    gaz = load_gazetteer() if gazetteer is None else gazetteer
    for kind, rows, key in (
        ("airport", gaz.airports_on(island), "icao"),
        ("port", gaz.ports_on(island), "id"),
    ):
        best = min(
            ((geodesic_km(lat, lon, r.lat, r.lon), getattr(r, key)) for r in rows),
            default=None,
        )
        if best is not None and best[0] <= radius_km:
            return kind, best[1], round(best[0], 3)  # type: ignore[return-value]
    return "road", None, None


def build_sites(raw: dict[str, Any], gazetteer: Gazetteer) -> tuple[CandidateSite, ...]:
    """Validate raw ``sites.yaml`` content and derive access and exposure.

    Raises
    ------
    ValueError
        On duplicate ids, unknown islands, or a site implausibly far from its island.
    """
    for key in ("provenance", "hazard_radius_km", "access_radius_km"):
        figs = raw[key].values() if key == "provenance" else [raw[key]]
        for f in figs:
            fig = Sourced[Any].model_validate(f)
            if fig.source not in gazetteer.sources:
                raise ValueError(f"sites.yaml {key}: unknown source {fig.source!r}")
    hazard = float(raw["hazard_radius_km"]["value"])
    access_r = float(raw["access_radius_km"]["value"])
    out: list[CandidateSite] = []
    seen: set[str] = set()
    for i, entry in enumerate(raw["sites"]):
        base = CandidateSite.model_validate({**entry, "hazard_radius_km": hazard})
        if base.id in seen:
            raise ValueError(f"sites[{i}]: duplicate id {base.id!r}")
        seen.add(base.id)
        isl = gazetteer.island(base.island)  # KeyError lists the valid ids
        d = geodesic_km(base.lat, base.lon, isl.lat, isl.lon)
        if d > MAX_FROM_CENTRE_KM:
            raise ValueError(f"sites[{i}] {base.id}: {d:.0f} km from the {isl.id} centre")
        access, gw, dist = classify_access(base.island, base.lat, base.lon, gazetteer, access_r)
        site = base.model_copy(
            update={"access": access, "access_gateway": gw, "access_distance_km": dist}
        )
        res = residents_within(site, hazard, gazetteer)
        out.append(site.model_copy(update={"residents_in_hazard_radius": round(res, 1)}))
    return tuple(out)


@cache
def load_sites() -> tuple[CandidateSite, ...]:
    """Load the packaged notional candidate sites (cached, immutable)."""
    text = (resources.files("nansei.geo") / "data" / "sites.yaml").read_text(encoding="utf-8")
    return build_sites(yaml.load(text, Loader=_SAFE_LOADER), load_gazetteer())


def get_site(site_id: str) -> CandidateSite:
    """The site with id ``site_id``; KeyError lists the valid ids."""
    sites = load_sites()
    for s in sites:
        if s.id == site_id:
            return s
    raise KeyError(f"unknown site {site_id!r}; valid: {', '.join(s.id for s in sites)}")


def sites_to_records(sites: tuple[CandidateSite, ...] | None = None) -> list[dict[str, Any]]:
    """Flat records (one dict per site) for a data frame, JSON or CSV."""
    rows = load_sites() if sites is None else sites
    return [
        s.model_dump()
        | {"residents_note": "assumption: uniform density", "position_source": "compiler"}
        for s in rows
    ]
