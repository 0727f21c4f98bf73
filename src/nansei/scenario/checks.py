"""Cross-field checks of a whole scenario (references, geography, size limits).

:func:`check_scenario` returns problem records (see :func:`._base.problem`);
:class:`nansei.scenario.model.Scenario` raises them all at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import resolve
from ._base import problem

if TYPE_CHECKING:  # pragma: no cover
    from .model import Scenario

__all__ = ["MAX_LAUNCHERS", "MAX_SITES", "ON_LAND_TOL_KM", "check_scenario"]

#: Limits on absurd sizes.
MAX_LAUNCHERS = 1000
MAX_SITES = 2000
#: A site must lie on land or within this distance of the coastline.
ON_LAND_TOL_KM = 0.5

Problems = list[tuple[tuple[str | int, ...], str, Any, str | None]]


def _geo_data(probs: Problems, need_coast: bool = True) -> tuple[Any, Any, Any]:
    """Gazetteer, coastlines and built-in sites (None where unavailable).

    The coastlines (GeoJSON polygons, shapely) are loaded only when ``need_coast``:
    only custom sites are checked against them.
    """
    out = []
    for loader in (resolve.gazetteer, resolve.coastlines, resolve.builtin_sites):
        if loader is resolve.coastlines and not need_coast:
            out.append(None)
            continue
        try:
            out.append(loader())
        except resolve.GeoDataError as exc:
            probs.append(problem(("geography",), f"cannot check geography: {exc}"))
            out.append(None)
    return out[0], out[1], out[2]


def _islands(sc: Scenario, gaz: Any, probs: Problems) -> tuple[list[str], list[str]]:
    """Check geography.islands; return (all gazetteer ids, ids in play)."""
    known = [] if gaz is None else [i.id for i in gaz.islands]
    if isinstance(sc.geography.islands, list):
        if gaz is not None:
            for j, isl in enumerate(sc.geography.islands):
                if isl not in known:
                    probs.append(
                        problem(
                            ("geography", "islands", j), "unknown island", value=isl, allowed=known
                        )
                    )
        return known, list(sc.geography.islands)
    return known, known


def _check_island(
    path: tuple, isl: str, known: list[str], probs: Problems, extra: tuple[str, ...] = ()
) -> None:
    if known and isl not in known and isl not in extra:
        probs.append(problem(path, f"unknown island '{isl}'", value=isl, allowed=[*known, *extra]))


def _sites(
    sc: Scenario, known: list[str], play: list[str], coast: Any, bsites: Any, probs: Problems
) -> list[str]:
    sel = sc.geography.sites
    builtin_ids = [s.id for s in bsites] if bsites is not None else None
    if isinstance(sel.builtin, list) and builtin_ids is not None:
        by_id = {s.id: s for s in bsites}
        for j, sid in enumerate(sel.builtin):
            if sid not in by_id:
                probs.append(
                    problem(
                        ("geography", "sites", "builtin", j),
                        f"unknown built-in site '{sid}'",
                        value=sid,
                        allowed=builtin_ids,
                    )
                )
            elif known and by_id[sid].island not in play:
                probs.append(
                    problem(
                        ("geography", "sites", "builtin", j),
                        f"site '{sid}' is on island '{by_id[sid].island}', not in play",
                    )
                )
    generated_ids: set[str] = set()
    if sel.generated is not None:
        try:
            generated_ids = {s.id for s in resolve.generated_sites(sc)}
        except resolve.GeneratedSitesError as exc:
            probs.append(
                problem(
                    ("geography", "sites", "generated"),
                    f"cannot generate positions: {exc}",
                    allowed="a lower min_per_island, or null",
                )
            )
    for j, site in enumerate(sel.custom):
        base = ("geography", "sites", "custom", j)
        if builtin_ids is not None and site.id in builtin_ids:
            probs.append(
                problem(
                    (*base, "id"),
                    f"custom site id '{site.id}' clashes with a built-in site",
                    value=site.id,
                )
            )
        if site.id in generated_ids:
            probs.append(
                problem(
                    (*base, "id"),
                    f"custom site id '{site.id}' clashes with a generated position "
                    "(geography.sites.generated uses '<island>-g<n>')",
                    value=site.id,
                )
            )
        if known and site.island not in known:
            probs.append(
                problem(
                    (*base, "island"),
                    f"unknown island '{site.island}'",
                    value=site.island,
                    allowed=known,
                )
            )
        elif known and site.island not in play:
            probs.append(
                problem(
                    (*base, "island"),
                    f"island '{site.island}' is not in geography.islands",
                    value=site.island,
                    allowed=play,
                )
            )
        if coast is not None and not coast.on_land(site.lat, site.lon, tol_km=ON_LAND_TOL_KM):
            d = coast.distance_to_land_km(site.lat, site.lon)
            probs.append(
                problem(
                    (*base, "lat"),
                    f"site '{site.id}' is in the sea, {d:.1f} km "
                    f"from land (tolerance {ON_LAND_TOL_KM} km)",
                    value=(site.lat, site.lon),
                )
            )
    try:
        ids = [s.id for s in resolve.resolved_sites(sc)]
    except resolve.GeneratedSitesError:  # reported above
        ids = [s.id for s in resolve.resolved_sites(sc, generated=False)]
    if len(ids) > MAX_SITES:
        probs.append(
            problem(("geography", "sites"), f"too many sites: {len(ids)} (limit {MAX_SITES})")
        )
    return ids


def check_scenario(sc: Scenario) -> Problems:
    """Return every cross-field problem of a structurally valid scenario."""
    probs: Problems = []
    gaz, coast, bsites = _geo_data(probs, need_coast=bool(sc.geography.sites.custom))
    known, play = _islands(sc, gaz, probs)
    site_ids = _sites(sc, known, play, coast, bsites, probs)
    decoy_ids = {s.id for s in sc.geography.sites.custom if s.decoy}

    # Blue
    total = sc.blue.total_launchers()
    if not sc.blue.launchers and not sc.civil.enabled:
        probs.append(
            problem(
                ("blue", "launchers"),
                "at least one launcher group is needed "
                "(an empty list is allowed only with civil.enabled: true)",
            )
        )
    if total > MAX_LAUNCHERS:
        probs.append(
            problem(
                ("blue", "launchers"),
                f"too many launchers: {total} in total (limit {MAX_LAUNCHERS})",
                value=total,
            )
        )
    if sc.blue.launchers and (bsites is not None or sc.geography.sites.custom):
        usable = [s for s in site_ids if s not in decoy_ids]
        if not usable:
            probs.append(problem(("geography", "sites"), "no candidate site for launchers"))
        for i, g in enumerate(sc.blue.launchers):
            if isinstance(g.start_sites, list):
                for j, sid in enumerate(g.start_sites):
                    if sid not in usable:
                        probs.append(
                            problem(
                                ("blue", "launchers", i, "start_sites", j),
                                f"unknown start site '{sid}'",
                                value=sid,
                                allowed=usable,
                            )
                        )

    # Targets
    zones = resolve.resolved_zones(sc)
    zone_ids = [z.id for z in zones]
    bz = None
    try:
        bz = resolve.builtin_zones()
    except resolve.GeoDataError:
        pass
    if bz is not None:
        bz_ids = [z.id for z in bz]
        if isinstance(sc.targets.zones.builtin, list):
            for j, zid in enumerate(sc.targets.zones.builtin):
                if zid not in bz_ids:
                    probs.append(
                        problem(
                            ("targets", "zones", "builtin", j),
                            f"unknown built-in sea zone '{zid}'",
                            value=zid,
                            allowed=bz_ids,
                        )
                    )
        for j, z in enumerate(sc.targets.zones.custom):
            if z.id in bz_ids:
                probs.append(
                    problem(
                        ("targets", "zones", "custom", j, "id"),
                        f"zone id '{z.id}' clashes with a built-in zone",
                    )
                )
    if bz is not None or sc.targets.zones.builtin == "none":
        for j, st in enumerate(sc.targets.streams):
            if st.zone not in zone_ids:
                probs.append(
                    problem(
                        ("targets", "streams", j, "zone"),
                        f"unknown sea zone '{st.zone}'",
                        value=st.zone,
                        allowed=zone_ids,
                    )
                )

    # Sustainment
    mids = sc.blue.munition_ids()
    sus = sc.sustainment
    for name, nodes, extra in (
        ("depots", sus.depots, ("kyushu",)),
        ("supply_points", sus.supply_points, ()),
    ):
        for j, node in enumerate(nodes):
            _check_island(("sustainment", name, j, "island"), node.island, known, probs, extra)
            for k in node.pods:
                if k not in mids:
                    probs.append(
                        problem(
                            ("sustainment", name, j, "pods", k),
                            f"unknown munition '{k}'",
                            allowed=mids,
                        )
                    )

    # Civil
    civ = sc.civil
    if civ.enabled:
        if isinstance(civ.tourists, dict):
            for isl in civ.tourists:
                _check_island(("civil", "tourists", isl), isl, known, probs)
        for j, isl in enumerate(civ.shelter_in_place):
            _check_island(("civil", "shelter_in_place", j), isl, known, probs)
        ev = civ.evacuation
        for j, isl in enumerate(ev.islands):
            _check_island(("civil", "evacuation", "islands", j), isl, known, probs)
            if known and isl in known and isl not in play:
                probs.append(
                    problem(
                        ("civil", "evacuation", "islands", j),
                        f"island '{isl}' is not in geography.islands",
                        value=isl,
                    )
                )
        for src, dst in ev.staging.items():
            _check_island(("civil", "evacuation", "staging", src), src, known, probs)
            _check_island(("civil", "evacuation", "staging", src), dst, known, probs)
        if isinstance(ev.gateways, list):
            for j, gw in enumerate(ev.gateways):
                _check_island(
                    ("civil", "evacuation", "gateways", j, "island"), gw.island, known, probs
                )
                if gaz is not None and gw.location is not None:
                    try:
                        gaz.gateway(gw.location)
                    except KeyError:
                        probs.append(
                            problem(
                                ("civil", "evacuation", "gateways", j, "location"),
                                f"unknown airport/port '{gw.location}'",
                                value=gw.location,
                            )
                        )
    return probs
