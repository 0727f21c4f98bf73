"""Cross-field checks of a whole scenario (references, geography, size limits).

:func:`check_scenario` returns problem records (see :func:`._base.problem`);
:class:`nansei.scenario.model.Scenario` raises them all at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import resolve
from ._base import problem
from .events import check_events

if TYPE_CHECKING:  # pragma: no cover
    from .model import Scenario

__all__ = ["MAX_LAUNCHERS", "MAX_SITES", "ON_LAND_TOL_KM", "check_scenario"]

#: Limits on absurd sizes.
MAX_LAUNCHERS = 1000
MAX_SITES = 2000
#: A site must lie on land or within this distance of the coastline.
ON_LAND_TOL_KM = 0.5

Problems = list[tuple[tuple[str | int, ...], str, Any, str | None]]


def _geo_data(sc: Scenario, probs: Problems, need_coast: bool = True) -> tuple[Any, Any, Any]:
    """Gazetteer, coastlines and built-in sites of the scenario's gazetteer (None where
    unavailable); a user's gazetteer file that is invalid adds its problems, each at
    ``geography.theatre.file`` naming the line and key path in that file.

    The coastlines (GeoJSON polygons, shapely) are loaded only when ``need_coast``:
    only custom sites are checked against them.
    """
    from nansei.geo.gazetteer import GazetteerError

    try:
        geo = resolve.geodata(sc)
    except resolve.GeoDataError as exc:
        probs.append(problem(("geography",), f"cannot check geography: {exc}"))
        return None, None, None
    except GazetteerError as exc:
        for p in exc.problems:
            where = f"line {p.line}: " if p.line is not None else ""
            where += "" if p.path == "<document>" else f"{p.path}: "
            probs.append(
                (
                    ("geography", "theatre", "file"),
                    f"invalid gazetteer {exc.source}: {where}{p.message}",
                    p.value if p.value is None else _Raw(p.value),
                    p.allowed,
                )
            )
        return None, None, None
    if geo is None:
        return None, None, None
    if not geo.builtin and _outside_box(geo, probs):
        return None, None, None
    return geo.gazetteer, geo.coastlines if need_coast else None, resolve.builtin_sites(sc)


def _outside_box(geo: Any, probs: Problems) -> bool:
    """Report islands and candidate sites of a user's gazetteer outside the scenario's
    coordinate box (:data:`~.geography.SITE_LAT`, :data:`~.geography.SITE_LON`)."""
    from .geography import SITE_LAT, SITE_LON

    allowed = f"lat {SITE_LAT[0]:g}..{SITE_LAT[1]:g}, lon {SITE_LON[0]:g}..{SITE_LON[1]:g}"
    n = len(probs)
    points = [(f"islands[{j}] '{i.id}'", i.lat, i.lon) for j, i in enumerate(geo.gazetteer.islands)]
    points += [(f"candidate site '{s.id}'", s.lat, s.lon) for s in geo.sites]
    for what, lat, lon in points:
        if not (SITE_LAT[0] <= lat <= SITE_LAT[1] and SITE_LON[0] <= lon <= SITE_LON[1]):
            probs.append(
                problem(
                    ("geography", "theatre", "file"),
                    f"gazetteer {geo.path}: {what} lies outside the scenario's coordinate box",
                    value=(lat, lon),
                    allowed=allowed,
                )
            )
    from pydantic import ValidationError

    from .targets import SeaZone

    for j, z in enumerate(geo.gazetteer.sea_zones):
        try:
            SeaZone(id=z.id, name=z.name, lat=z.lat, lon=z.lon, radius_km=z.radius_km.value)
        except ValidationError as exc:
            err = exc.errors(include_url=False)[0]
            field = ".".join(map(str, err["loc"]))
            probs.append(
                problem(
                    ("geography", "theatre", "file"),
                    f"gazetteer {geo.path}: sea_zones[{j}] '{z.id}': {field}: {err['msg']}",
                    value=err.get("input"),
                    allowed="as targets.zones.custom[] (docs/scenario-reference.md)",
                )
            )
    return len(probs) > n


class _Raw(str):
    """A value already rendered (``repr``) by the gazetteer's problem: shown as is."""

    def __repr__(self) -> str:
        return str(self)


def _islands(sc: Scenario, gaz: Any, probs: Problems) -> tuple[list[str], list[str]]:
    """Check geography.islands; return (all gazetteer ids, ids in play); the region id
    alone for an abstract theatre."""
    th = resolve.theatre(sc)
    if th is not None:
        return [th.id], [th.id]
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


def _abstract_theatre(sc: Scenario, probs: Problems) -> None:
    """An abstract theatre replaces the gazetteer: no islands, sites, sea zones, lift,
    civil protection or Nansei supply nodes may be named."""
    th = resolve.theatre(sc)
    if th is None:
        return
    geo, why = sc.geography, "is not used with an abstract theatre (geography.theatre)"
    if geo.islands != "all":
        probs.append(problem(("geography", "islands"), f"a list of islands {why}", allowed="all"))
    sel = geo.sites
    if sel.builtin not in ("all", "none") or sel.generated is not None or sel.custom:
        probs.append(
            problem(
                ("geography", "sites"),
                f"built-in, generated or custom sites {why}: its positions are generated",
                allowed="builtin: none, generated: null, custom: []",
            )
        )
    if sc.targets.zones.builtin not in ("all", "none") or sc.targets.zones.custom:
        probs.append(
            problem(
                ("targets", "zones"),
                f"sea zones {why}: its one zone is '{resolve.FRONT_ZONE}'",
                allowed="builtin: none, custom: []",
            )
        )
    if sc.civil.enabled:
        probs.append(
            problem(("civil", "enabled"), f"civil protection {why}", value=True, allowed="false")
        )
    if sc.blue.relocation.inter_island_move_prob > 0:
        probs.append(
            problem(
                ("blue", "relocation", "inter_island_move_prob"),
                f"inter-island moves {why} (one region, moves by road)",
                value=sc.blue.relocation.inter_island_move_prob,
                allowed="0",
            )
        )
    su = sc.sustainment
    for name, nodes in (("depots", su.depots), ("supply_points", su.supply_points)):
        for j, node in enumerate(nodes):
            if node.island != th.id:
                probs.append(
                    problem(
                        ("sustainment", name, j, "island"),
                        f"node '{node.id}' must lie in the theatre's region",
                        value=node.island,
                        allowed=[th.id],
                    )
                )


def _check_island(
    path: tuple, isl: str, known: list[str], probs: Problems, extra: tuple[str, ...] = ()
) -> None:
    if known and isl not in known and isl not in extra:
        probs.append(problem(path, f"unknown island '{isl}'", value=isl, allowed=[*known, *extra]))


def _sites(
    sc: Scenario, known: list[str], play: list[str], coast: Any, bsites: Any, probs: Problems
) -> list[Any]:
    """Check the site selection; return the resolved sites in play (compile order)."""
    if resolve.theatre(sc) is not None:
        return resolve.resolved_sites(sc)
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
        resolved = resolve.resolved_sites(sc)
    except resolve.GeneratedSitesError:  # reported above
        resolved = resolve.resolved_sites(sc, generated=False)
    if len(resolved) > MAX_SITES:
        probs.append(
            problem(("geography", "sites"), f"too many sites: {len(resolved)} (limit {MAX_SITES})")
        )
    return resolved


def _site_capacity(sc: Scenario, sites: list, probs: Problems) -> None:
    """Every launcher with ``start_sites: auto`` must find a free usable start site.

    Mirrors the compile's placement (``nansei.engine.compile_sites.auto_site``): launchers are
    placed group by group; an ``auto`` launcher takes a free non-decoy site on the island
    with the most usable sites per launcher already placed (ties to the earlier site); a
    listed start site is taken whether or not another launcher already holds it. Decoy
    sites never hold a launcher. Per-island decoys (``blue.decoys.count_per_island``) are
    drawn afterwards from the sites left free, so they never take a launcher's place.
    """
    usable = [i for i, s in enumerate(sites) if not s.decoy]
    index = {s.id: i for i, s in enumerate(sites)}
    by_island: dict[str, list[int]] = {}
    for i in usable:
        by_island.setdefault(sites[i].island, []).append(i)
    first = dict.fromkeys(by_island, 0)  # position of the first free site of each island
    placed: dict[str, int] = {}
    taken: set[int] = set()

    def first_free(isl: str) -> int | None:
        lst, k = by_island[isl], first[isl]
        while k < len(lst) and lst[k] in taken:
            k += 1
        first[isl] = k
        return lst[k] if k < len(lst) else None

    n_placed = 0
    for gi, g in enumerate(sc.blue.launchers):
        for j in range(g.count):
            if g.start_sites == "auto":
                best: tuple[float, int] | None = None
                for isl, lst in by_island.items():
                    s = first_free(isl)
                    if s is not None:
                        key = (-len(lst) / (placed.get(isl, 0) + 1.0), s)
                        best = key if best is None or key < best else best
                if best is None:
                    n_auto = sum(x.count for x in sc.blue.launchers if x.start_sites == "auto")
                    probs.append(
                        problem(
                            ("blue", "launchers", gi, "count"),
                            f"more launchers than usable candidate sites: launcher "
                            f"{n_placed + 1} ('{g.id}-{j + 1}') finds no free start site; "
                            f"{len(usable)} usable sites are in play (decoy sites excluded) "
                            f"for {n_auto} launchers placed automatically",
                            value=g.count,
                            allowed="fewer launchers, more islands in geography.islands, "
                            "or more sites (geography.sites)",
                        )
                    )
                    return
                s = best[1]
            else:
                s = index.get(g.start_sites[j % len(g.start_sites)], -1)
                if s < 0:  # unknown start site: reported with its path
                    continue
            if s not in taken:
                taken.add(s)
                isl = sites[s].island
                placed[isl] = placed.get(isl, 0) + 1
            n_placed += 1


def check_scenario(sc: Scenario) -> Problems:
    """Return every cross-field problem of a structurally valid scenario."""
    probs: Problems = []
    _abstract_theatre(sc, probs)
    n_before = len(probs)
    gaz, coast, bsites = _geo_data(sc, probs, need_coast=bool(sc.geography.sites.custom))
    if resolve.gazetteer_file(sc) is not None and len(probs) > n_before:
        return probs  # the rest needs the scenario's gazetteer, which is invalid
    known, play = _islands(sc, gaz, probs)
    sites = _sites(sc, known, play, coast, bsites, probs)
    site_ids = [s.id for s in sites]
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
        if usable and len(sites) <= MAX_SITES and total <= MAX_LAUNCHERS:
            _site_capacity(sc, sites, probs)

    # Targets
    zones = resolve.resolved_zones(sc)
    if resolve.theatre(sc) is not None:
        bsites = None
    zone_ids = [z.id for z in zones]
    bz = None
    try:
        bz = resolve.builtin_zones(sc)
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
            if (
                sus.enabled
                and name == "supply_points"
                and node.island in known
                and node.island not in play
            ):
                probs.append(
                    problem(
                        ("sustainment", name, j, "island"),
                        f"supply point '{node.id}' is on island '{node.island}', "
                        "which is not in play (geography.islands)",
                        value=node.island,
                        allowed=play,
                    )
                )
            for k in node.pods:
                if k not in mids:
                    probs.append(
                        problem(
                            ("sustainment", name, j, "pods", k),
                            f"unknown munition '{k}'",
                            allowed=mids,
                        )
                    )

    # Red: look-alike densities by island or region
    for isl in sc.red.isr.identification.lookalikes_per_km2_by_island:
        path = ("red", "isr", "identification", "lookalikes_per_km2_by_island", isl)
        _check_island(path, isl, known, probs)

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
                        loc = gaz.gateway(gw.location)
                    except KeyError:
                        probs.append(
                            problem(
                                ("civil", "evacuation", "gateways", j, "location"),
                                f"unknown airport/port '{gw.location}'",
                                value=gw.location,
                            )
                        )
                    else:
                        if loc.island != gw.island:
                            probs.append(
                                problem(
                                    ("civil", "evacuation", "gateways", j, "location"),
                                    f"'{gw.location}' is on '{loc.island}', not on '{gw.island}'",
                                    value=gw.location,
                                )
                            )
        if gaz is not None:
            _evacuation_plan(sc, gaz, play, probs)
    probs.extend(check_events(sc, gaz, play, site_ids))
    return probs


def _evacuation_plan(sc: Scenario, gaz: Any, play: list[str], probs: Problems) -> None:
    """What the evacuation compile (``nansei.engine.compile_civil``) needs of the islands
    evacuated (``civil.evacuation.islands`` less ``shelter_in_place``): staging islands
    evacuated too, inline gateways only on evacuated islands, and every evacuated island
    served by a gateway with capacity, its own or one on a road-linked island."""
    civ = sc.civil
    ev = civ.evacuation
    shelter = set(civ.shelter_in_place)
    evac = [i for i in ev.islands if i not in shelter]
    if any(i not in play for i in evac):
        return  # reported above
    for src, dst in ev.staging.items():
        if src in evac and dst not in evac:
            probs.append(
                problem(
                    ("civil", "evacuation", "staging", src),
                    f"'{src}' stages through '{dst}', which is not evacuated "
                    "(civil.evacuation.islands, less shelter_in_place)",
                    value=dst,
                    allowed=evac,
                )
            )
    inline = not isinstance(ev.gateways, str)
    pool = {i: i for i in evac}

    def root(i: str) -> str:
        while pool[i] != i:
            i = pool[i]
        return i

    for a, b in ev.road_links.items():
        if a in pool and b in pool:
            pool[root(a)] = root(b)
    served = set()
    for j, gw in enumerate(resolve.resolved_gateways(sc)):
        if gw.island not in pool:
            if inline:
                probs.append(
                    problem(
                        ("civil", "evacuation", "gateways", j, "island"),
                        f"gateway '{gw.id}' is on island '{gw.island}', which is not evacuated",
                        value=gw.island,
                        allowed=evac,
                    )
                )
            continue
        if gw.capacity_per_day > 0:
            served.add(root(gw.island))
    for j, i in enumerate(ev.islands):
        if i in pool and root(i) not in served and _people(sc, gaz, i) > 0:
            probs.append(
                problem(
                    ("civil", "evacuation", "islands", j),
                    f"island '{i}' has no gateway with capacity (own or road-linked)",
                    value=i,
                    allowed="add a gateway (civil.evacuation.gateways), a road link, or "
                    "remove the island",
                )
            )


def _people(sc: Scenario, gaz: Any, isl: str) -> float:
    try:
        rec = gaz.island(isl)
    except KeyError:
        return 0.0
    tourists = sc.civil.tourists
    extra = tourists.get(isl, 0) if isinstance(tourists, dict) else rec.tourists.value
    return float(rec.population.value) + float(extra)
