"""Resolve scenario references against the gazetteer, sites and coastlines.

A scenario plays on the built-in Nansei gazetteer or on a user's own gazetteer file
(``geography.theatre: {kind: gazetteer, file: PATH}``); :func:`geodata` returns the one in
play, and every function here takes the scenario so as to use it. The geographic data
modules are imported lazily. If a module is not installed at all (``ImportError``), checks
that need it are skipped and resolution falls back to the scenario's inline data; any other
failure is reported as a problem rather than raised.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from .civil import Gateway
from .geography import AbstractTheatre, Site
from .targets import SeaZone

if TYPE_CHECKING:  # pragma: no cover
    from .model import Scenario

__all__ = [
    "FRONT_ZONE",
    "builtin_sites",
    "builtin_zones",
    "coastlines",
    "gazetteer",
    "gazetteer_file",
    "generated_sites",
    "geodata",
    "islands_in_play",
    "resolved_gateways",
    "resolved_sites",
    "resolved_zones",
    "theatre",
    "theatre_sites",
]


class GeoDataError(RuntimeError):
    """A geographic data module exists but failed to load."""


class GeneratedSitesError(ValueError):
    """``geography.sites.generated`` cannot be honoured (positions do not fit, no data)."""


def gazetteer_file(sc: Scenario | None) -> str | None:
    """The scenario's own gazetteer file (absolute path), or None for the built-in one."""
    th = None if sc is None else sc.geography.theatre
    if th is None or isinstance(th, str) or th.kind != "gazetteer":
        return None
    return th.file


def geodata(sc: Scenario | None = None) -> Any:
    """The geography the scenario plays on (:class:`nansei.geo.geodata.GeoData`).

    The built-in Nansei gazetteer unless ``geography.theatre`` names a gazetteer file; None
    if :mod:`nansei.geo.geodata` is not installed.

    Raises
    ------
    nansei.geo.gazetteer.GazetteerError
        A user's gazetteer file is invalid (every problem located in that file).
    GeoDataError
        The built-in data failed to load.
    """
    try:
        from nansei.geo.gazetteer import GazetteerError
        from nansei.geo.geodata import load_geodata
    except ImportError:
        return None
    path = gazetteer_file(sc)
    try:
        return load_geodata(path)
    except GazetteerError:
        if path is not None:
            raise
        raise GeoDataError("the built-in gazetteer failed to load") from None
    except Exception as exc:  # data files broken: report, never crash the loader
        raise GeoDataError(f"geography failed to load: {type(exc).__name__}: {exc}") from exc


def gazetteer(sc: Scenario | None = None) -> Any:
    """The scenario's gazetteer (built-in by default), or None if unavailable."""
    geo = geodata(sc)
    return None if geo is None else geo.gazetteer


def coastlines(sc: Scenario | None = None) -> Any:
    """The scenario's coastlines (built-in by default), or None if unavailable."""
    geo = geodata(sc)
    return None if geo is None else geo.coastlines


_ACCESS = {"road", "airport", "port"}
#: Hazard radius (km) for which each packaged site's resident count was computed
#: (built-in sites and generated positions), per gazetteer file and site id.
_BUILTIN_RADIUS_KM: dict[tuple[str | None, str], float] = {}


def _rescaled(site: Site, radius_km: float, path: str | None = None) -> Site:
    """Scale a built-in site's resident count to the scenario's hazard radius (∝ r²)."""
    r0 = _BUILTIN_RADIUS_KM.get((path, site.id), 0.0)
    if site.residents_in_hazard_radius is None or r0 <= 0.0 or r0 == radius_km:
        return site
    scaled = round(site.residents_in_hazard_radius * (radius_km / r0) ** 2)
    return site.model_copy(update={"residents_in_hazard_radius": scaled})


def _as_site(s: Any, path: str | None = None) -> Site:
    """A gazetteer's :class:`~nansei.geo.sites.CandidateSite` as a scenario :class:`Site`
    (``path``: the gazetteer file, None for the built-in one)."""
    access = s.access  # the gazetteer's schema requires each of these fields
    residents = s.residents_in_hazard_radius
    _BUILTIN_RADIUS_KM[(path, s.id)] = float(s.hazard_radius_km or 0.0)
    return Site(
        id=s.id,
        island=s.island,
        lat=float(s.lat),
        lon=float(s.lon),
        concealment=float(s.concealment),
        access=access if access in _ACCESS else "road",
        residents_in_hazard_radius=None if residents is None else round(residents),
        decoy=False,
    )


def builtin_sites(sc: Scenario | None = None) -> tuple[Site, ...] | None:
    """Return the candidate sites of the scenario's gazetteer (the built-in one by default)
    as :class:`Site`, or None if unavailable."""
    geo = geodata(sc)
    if geo is None:
        return None
    return _sites_of(geo, gazetteer_file(sc))


@cache
def _sites_of(geo: Any, path: str | None) -> tuple[Site, ...]:
    return tuple(_as_site(s, path) for s in geo.sites)


@cache
def _generated_on(
    geo: Any, path: str | None, island: str, count: int, concealment: float | None
) -> tuple[Site, ...]:
    """Generated positions of one island as :class:`Site` (cached: pure and deterministic)."""
    try:
        from nansei.geo.positions import generate_positions
    except ImportError as exc:
        raise GeneratedSitesError(f"nansei.geo.positions is unavailable: {exc}") from exc
    try:
        pos = generate_positions(
            island,
            count,
            concealment=concealment,
            gazetteer=geo.gazetteer,
            coastlines=geo.coastlines,
            sites=geo.sites,
        )
    except (KeyError, ValueError) as exc:
        raise GeneratedSitesError(str(exc)) from exc
    return tuple(_as_site(s, path) for s in pos.sites)


def generated_sites(sc: Scenario) -> list[Site]:
    """Return the generated positions on the islands in play (``geography.sites.generated``).

    Empty when the field is null (the default). The count on an island is
    :func:`nansei.geo.positions.position_count` of its gazetteer area.

    Raises
    ------
    GeneratedSitesError
        If positions cannot be generated (no gazetteer or coastlines, or they do not fit).
    """
    gen = sc.geography.sites.generated
    if gen is None:
        return []
    geo = geodata(sc)
    if geo is None:
        raise GeneratedSitesError("the gazetteer is unavailable")
    gaz, path = geo.gazetteer, gazetteer_file(sc)
    try:
        from nansei.geo.positions import position_count
    except ImportError as exc:
        raise GeneratedSitesError(f"nansei.geo.positions is unavailable: {exc}") from exc

    conceal = None if gen.concealment == "island_mean" else float(gen.concealment)
    out: list[Site] = []
    for isl in islands_in_play(sc):
        try:
            area = float(gaz.island(isl).area_km2.value)
        except KeyError:  # unknown island: reported by the checks
            continue
        n = position_count(
            area,
            per_km2=gen.per_km2,
            min_per_island=gen.min_per_island,
            max_per_island=gen.max_per_island,
        )
        out.extend(_generated_on(geo, path, isl, n, conceal))
    return out


def builtin_zones(sc: Scenario | None = None) -> tuple[SeaZone, ...] | None:
    """Return the sea zones of the scenario's gazetteer (the built-in one by default) as
    :class:`SeaZone`, or None if unavailable."""
    geo = geodata(sc)
    if geo is None:
        return None
    return _zones_of(geo)


@cache
def _zones_of(geo: Any) -> tuple[SeaZone, ...]:
    gaz = geo.gazetteer
    out = []
    for z in gaz.sea_zones:
        radius = float(z.radius_km.value)  # a sourced figure
        out.append(SeaZone(id=z.id, name=z.name, lat=z.lat, lon=z.lon, radius_km=radius))
    return tuple(out)


def theatre(sc: Scenario) -> AbstractTheatre | None:
    """The scenario's abstract theatre, or None for a gazetteer (built-in or a file)."""
    th = sc.geography.theatre
    return None if isinstance(th, str) or th.kind != "abstract" else th


#: Id of the one target zone of an abstract theatre (Red's side of the front line).
FRONT_ZONE = "front"


def theatre_sites(th: AbstractTheatre) -> list[Site]:
    """The generated positions of an abstract theatre as :class:`Site` (ids ``<id>-p<n>``).

    Built with ``model_construct``: their plane coordinates (:mod:`nansei.geo.theatre`)
    are not Nansei latitudes, so the Site bounds do not apply. Residents within the hazard
    radius come from ``residents_per_km2`` at compile time.
    """
    from nansei.geo.theatre import theatre_points, to_lonlat

    pts = theatre_points(th.positions, th.width_km, th.min_depth_km, th.depth_km)
    lon, lat = to_lonlat(pts[:, 0], -pts[:, 1])
    return [
        Site.model_construct(
            id=f"{th.id}-p{j + 1}", island=th.id, lat=float(lat[j]), lon=float(lon[j]),
            concealment=th.concealment, access="road", residents_in_hazard_radius=None,
            decoy=False,
        )
        for j in range(th.positions)
    ]  # fmt: skip


def islands_in_play(sc: Scenario) -> list[str]:
    """Return the gazetteer island ids in play (``geography.islands`` resolved); the region
    id alone for an abstract theatre."""
    th = theatre(sc)
    if th is not None:
        return [th.id]
    if isinstance(sc.geography.islands, list):
        return list(sc.geography.islands)
    gaz = gazetteer(sc)
    return [] if gaz is None else [i.id for i in gaz.islands]


def resolved_sites(sc: Scenario, *, generated: bool = True) -> list[Site]:
    """Return every site in play: selected built-in sites, generated positions, custom sites.

    With ``builtin: all``, built-in sites on islands not in play are dropped. Generated
    positions (``generated``, default none) lie on the islands in play only; ``generated=False``
    leaves them out. Built-in and generated resident counts are rescaled to
    ``geography.hazard_radius_km`` (∝ r²).

    Raises
    ------
    GeneratedSitesError
        If ``generated`` is set and the positions cannot be generated.
    """
    th = theatre(sc)
    if th is not None:
        return theatre_sites(th)
    sel = sc.geography.sites
    out: list[Site] = []
    if sel.builtin != "none":
        known = {s.id: s for s in (builtin_sites(sc) or ())}
        if sel.builtin == "all":
            play = set(islands_in_play(sc))
            out.extend(s for s in known.values() if s.island in play)
        else:
            out.extend(known[i] for i in sel.builtin if i in known)
    if generated:
        out.extend(generated_sites(sc))
    radius, path = sc.geography.hazard_radius_km, gazetteer_file(sc)
    out = [_rescaled(s, radius, path) for s in out]
    out.extend(sel.custom)
    return out


def resolved_zones(sc: Scenario) -> list[SeaZone]:
    """Return every sea zone: selected built-in (gazetteer) zones, then custom zones; for
    an abstract theatre the one zone ``front`` (its position is not used: a munition
    reaches it from a position at depth d when d + ``targets_beyond_km`` <= its range)."""
    th = theatre(sc)
    if th is not None:
        name = f"Red's side of the front of {th.id}"
        return [SeaZone.model_construct(id=FRONT_ZONE, name=name, lat=0.0, lon=0.0, radius_km=1.0)]
    sel = sc.targets.zones
    out: list[SeaZone] = []
    if sel.builtin != "none":
        known = {z.id: z for z in (builtin_zones(sc) or ())}
        if sel.builtin == "all":
            out.extend(known.values())
        else:
            out.extend(known[i] for i in sel.builtin if i in known)
    out.extend(sel.custom)
    return out


def resolved_gateways(sc: Scenario) -> list[Gateway]:
    """Return the evacuation gateways (inline, or from the gazetteer's capacities)."""
    gws = sc.civil.evacuation.gateways
    if not isinstance(gws, str):
        return list(gws)
    gaz = gazetteer(sc)
    if gaz is None or gaz.evacuation_plan is None:
        return []
    out = []
    for c in gaz.evacuation_plan.capacities:
        out.append(
            Gateway(
                id=c.id,
                island=c.island,
                mode=c.mode,
                location=c.gateway,
                capacity_per_day=int(c.per_day.value),
                source=str(c.per_day.source),
                confidence=c.per_day.confidence,
            )
        )
    return out
