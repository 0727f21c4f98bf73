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
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from nansei.geo.distance import geodesic_km
from nansei.geo.gazetteer import Gazetteer, Sourced, load_gazetteer

# libyaml's parser (same safe constructor, several times faster) for the packaged data

__all__ = [
    "DEFAULT_ACCESS_RADIUS_KM",
    "DEFAULT_HAZARD_RADIUS_KM",
    "CandidateSite",
    "SitesError",
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


class SitesError(ValueError):
    """Invalid candidate sites; ``problems`` are ``(location, message, value, allowed)`` with
    the location a key path in the sites document (e.g. ``('sites', 3, 'island')``)."""

    def __init__(self, problems: list[tuple[tuple, str, Any, str | None]]) -> None:
        self.problems = problems
        shown = "; ".join(f"{'.'.join(map(str, p[0]))}: {p[1]} ({p[2]!r})" for p in problems[:5])
        super().__init__(f"invalid candidate sites: {shown}")


def build_sites(raw: dict[str, Any], gazetteer: Gazetteer) -> tuple[CandidateSite, ...]:
    """Validate raw ``sites.yaml`` content and derive access and exposure.

    Raises
    ------
    SitesError
        On a malformed document, duplicate ids, unknown islands or sources, or a site
        implausibly far from its island (every problem, located by key path).
    """
    from pydantic import ValidationError

    probs: list[tuple[tuple, str, Any, str | None]] = []
    if not isinstance(raw, dict):
        raise SitesError([((), "expected a mapping (the sites document)", raw, None)])
    for key in ("provenance", "hazard_radius_km", "access_radius_km", "sites"):
        if key not in raw:
            probs.append(((key,), f"missing required field '{key}'", None, None))
    if probs:
        raise SitesError(probs)
    prov = raw["provenance"]
    figs = [(("provenance", k), f) for k, f in prov.items()] if isinstance(prov, dict) else []
    figs += [((key,), raw[key]) for key in ("hazard_radius_km", "access_radius_km")]
    known = ", ".join(gazetteer.sources)
    for loc, f in figs:
        try:
            fig = Sourced[Any].model_validate(f)
        except ValidationError as exc:
            probs.append((loc, _first(exc), f, "{value, source, confidence}"))
            continue
        if fig.source not in gazetteer.sources:
            probs.append(((*loc, "source"), "unknown source", fig.source, known))
    if probs:
        raise SitesError(probs)
    hazard = _radius(raw, "hazard_radius_km")
    access_r = _radius(raw, "access_radius_km")
    if not isinstance(raw["sites"], list):
        raise SitesError([(("sites",), "expected a list", raw["sites"], None)])
    out: list[CandidateSite] = []
    seen: set[str] = set()
    islands = ", ".join(gazetteer.island_ids)
    for i, entry in enumerate(raw["sites"]):
        try:
            base = CandidateSite.model_validate({**entry, "hazard_radius_km": hazard})
        except (ValidationError, TypeError) as exc:
            probs.extend(_entry_problems(i, entry, exc))
            continue
        if base.id in seen:
            probs.append((("sites", i, "id"), "duplicate site id", base.id, None))
            continue
        seen.add(base.id)
        if base.island not in gazetteer.island_ids:
            probs.append((("sites", i, "island"), "unknown island", base.island, islands))
            continue
        isl = gazetteer.island(base.island)
        d = geodesic_km(base.lat, base.lon, isl.lat, isl.lon)
        if d > MAX_FROM_CENTRE_KM:
            msg = f"{d:.0f} km from the {isl.id} centre (at most {MAX_FROM_CENTRE_KM:g} km)"
            probs.append((("sites", i, "lat"), msg, base.lat, None))
            continue
        access, gw, dist = classify_access(base.island, base.lat, base.lon, gazetteer, access_r)
        site = base.model_copy(
            update={"access": access, "access_gateway": gw, "access_distance_km": dist}
        )
        res = residents_within(site, hazard, gazetteer)
        out.append(site.model_copy(update={"residents_in_hazard_radius": round(res, 1)}))
    if probs:
        raise SitesError(probs)
    return tuple(out)


def _first(exc: Any) -> str:
    err = exc.errors(include_url=False)[0]
    where = ".".join(map(str, err.get("loc", ())))
    return f"{where}: {err['msg']}" if where else str(err["msg"])


def _radius(raw: dict[str, Any], key: str) -> float:
    v = raw[key]["value"]
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0.0 < float(v) <= 100.0:
        raise SitesError([((key, "value"), "must be a number of km in (0, 100]", v, "(0, 100]")])
    return float(v)


def _entry_problems(i: int, entry: Any, exc: Exception) -> list[tuple[tuple, str, Any, None]]:
    from pydantic import ValidationError

    if not isinstance(exc, ValidationError):
        return [(("sites", i), "expected a mapping (one site)", entry, None)]
    out = []
    for err in exc.errors(include_url=False):
        loc = ("sites", i, *err.get("loc", ()))
        msg = str(err["msg"]).removeprefix("Value error, ")
        value = None if err["type"] in ("missing", "extra_forbidden") else err.get("input")
        out.append((loc, msg, None if isinstance(value, dict) else value, None))
    return out


def load_sites() -> tuple[CandidateSite, ...]:
    """The built-in notional candidate sites (the built-in gazetteer's; cached, immutable)."""
    from nansei.geo.geodata import load_geodata

    return load_geodata().sites


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
