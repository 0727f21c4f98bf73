"""Compile a scenario's ``civil`` section (and the gazetteer) into evacuation arrays.

:func:`compile_civil` returns a :class:`CompiledCivil` whose arrays are the arguments of
:func:`nansei.engine.evacuation.run_evacuation` after the stream and before ``authority_h``
(:data:`EVAC_ARGS`). Islands are indexed as in the combat compile
(:attr:`nansei.engine.compile.Compiled.island_ids`), gateways of the logs as in
:attr:`~nansei.engine.compile.Compiled.gateway_ids`, sites as in its site arrays, so the
combat kernel's logs can be passed as they are.

Rules of this compile step (documented in ``docs/civil.md``):

* People per island: the gazetteer's residents, and tourists from the gazetteer or the
  scenario. Islands in ``shelter_in_place`` are not evacuated.
* A gateway belongs to its island; its people go to the island's staging island if it has
  one, otherwise out of the region (to the destination gateways in Kyushu). Islands joined
  in ``road_links`` pool their gateways. Gateways of islands not evacuated are ignored when
  they come from the gazetteer and rejected when they are inline.
* A gateway's daily capacity is spread over ``round(hours_per_day)`` whole hours from
  ``opens_at_h``, as integers (largest-remainder rounding; the hours sum to the daily
  capacity exactly).
* Host prefectures are paired with the islands' towns by the gazetteer's published
  pairings (``evacuation_plan.pairings``), in the published order.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from nansei.engine import evac_layout as Y
from nansei.engine.compile_events import evacuation_stops
from nansei.engine.compile_geo import gateways, island_ids, resolve_sites
from nansei.engine.evac_layout import EVAC_ARGS
from nansei.geo.distance import within_km
from nansei.scenario.errors import problem_error

__all__ = [
    "EVAC_ARGS",
    "CompiledCivil",
    "compile_civil",
    "evacuation_authority_h",
    "order_time_h",
]


@dataclass(frozen=True)
class CompiledCivil:
    """The evacuation sub-model compiled to arrays.

    Attributes
    ----------
    arrays : dict of str to ndarray
        :data:`EVAC_ARGS` arrays.
    authority_h : float
        Time (h) from which the order is lawful, from the scenario's timeline (inf = never).
    islands : tuple of str
        Evacuated island ids, in ``ev_*`` order.
    prefectures : tuple of str
        Host prefectures, in ``pref_*`` order.
    gateways : tuple of str
        Evacuation gateway ids, in ``gw_*`` order.
    combat_gateway_ids : tuple of str
        Gateway ids of the combat compile (index space of ``gw_log``).
    island_ids : tuple of str
        Islands of the combat compile (index space of ``strike_log``).
    n_days : int
        Rows of the daily series.
    output_names, series_names : tuple of str
        Columns of ``out_ev`` and ``series_ev``.
    provenance : dict
        Source and confidence of each figure used (people, capacities, allocations).
    """

    arrays: dict
    authority_h: float
    islands: tuple
    prefectures: tuple
    gateways: tuple
    combat_gateway_ids: tuple
    island_ids: tuple
    n_days: int
    output_names: tuple
    series_names: tuple
    provenance: dict = field(default_factory=dict)

    def evac_args(self) -> tuple:
        """The :data:`EVAC_ARGS` arrays, in order."""
        return tuple(self.arrays[k] for k in EVAC_ARGS)

    def new_out(self) -> tuple[np.ndarray, np.ndarray]:
        """Fresh ``(out_ev, series_ev)`` buffers."""
        return np.zeros(len(self.output_names)), np.zeros((self.n_days, len(self.series_names)))

    def gateway_index(self, gateway_id: str) -> int:
        """Index of an airport (ICAO) or port id in the combat gateway order, for ``gw_log``."""
        try:
            return self.combat_gateway_ids.index(gateway_id)
        except ValueError:
            raise problem_error(
                "gw_log",
                gateway_id,
                "unknown gateway",
                ", ".join(self.combat_gateway_ids),
            ) from None


def evacuation_authority_h(sc) -> float:
    """Earliest time (h) at which the timeline permits ``evacuation_order`` (inf if never).

    The legal state machine's own rule (:func:`nansei.engine.legal.authority_times`): the
    first time a situation permitting the order holds, an anticipated armed attack entry
    lapsing if the armed attack situation is recognised first. Random delays count at
    their means (exact for fixed delays); ``trigger`` recognitions depend on the fighting
    and are not known here (inf).
    """
    from nansei.engine.legal import authority_times

    return authority_times(sc)["evacuation_order"]


def order_time_h(sc) -> float:
    """Time (h) the evacuation order takes effect: authority time + mean order delay."""
    return evacuation_authority_h(sc) + float(sc.civil.evacuation.order_delay_h.mean())


def _hour_capacity(per_day: int, hours: float, opens_at: float) -> np.ndarray:
    n = max(1, min(24, round(hours)))
    start = math.floor(opens_at)
    out = np.zeros(24)
    for j in range(n):
        out[(start + j) % 24] = (per_day * (j + 1)) // n - (per_day * j) // n
    return out


def _pools(islands: list[str], links: dict[str, str]) -> list[int]:
    parent = list(range(len(islands)))
    idx = {k: i for i, k in enumerate(islands)}

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for a, b in links.items():
        if a in idx and b in idx:
            parent[root(idx[a])] = root(idx[b])
    roots: dict[int, int] = {}
    return [roots.setdefault(root(i), len(roots)) for i in range(len(islands))]


def _combat_order(sc, compiled, gaz) -> tuple:
    """Islands, gateways and sites in the combat compile's order.

    Taken from ``compiled`` when given, else derived the way the combat compile does.

    Returns
    -------
    tuple
        ``(isl_ids list of str, combat_gw list of str, site_lonlat (S, 2) degrees,
        site_res (S,) residents in the hazard radius, site_isl (S,) int64 island index or
        -1)``.
    """
    if compiled is not None:
        isl_ids = list(compiled.island_ids)
        combat_gw = list(compiled.gateway_ids)
        site_lonlat = np.asarray(compiled.site_lonlat, dtype=np.float64).reshape(-1, 2)
        site_res = np.ascontiguousarray(compiled.arrays["site_f"][:, 1], dtype=np.float64)
        site_isl = np.asarray(compiled.arrays["site_island"], dtype=np.int64)
    else:
        isl_ids = island_ids(sc)
        combat_gw = list(gateways(isl_ids, gaz)[0])
        sites = resolve_sites(sc)
        where = {k: i for i, k in enumerate(isl_ids)}
        site_lonlat = np.array([[s.lon, s.lat] for s in sites], dtype=np.float64).reshape(-1, 2)
        site_res = np.array([s.residents for s in sites], dtype=np.float64)
        site_isl = np.array(
            [-1 if s.decoy else where.get(s.island, -1) for s in sites], dtype=np.int64
        )
    return isl_ids, combat_gw, site_lonlat, site_res, site_isl


def _people(civ, gaz, evac: list[str], prov: dict) -> np.ndarray:
    """Residents and tourists of each evacuated island, shape (E, 2) (persons); their
    sources go into ``prov``."""
    ev_pop = np.zeros((len(evac), 2))
    for e, i in enumerate(evac):
        isl = gaz.island(i)
        ev_pop[e, 0] = isl.population.value
        prov[f"residents.{i}"] = (isl.population.source, isl.population.confidence)
        if isinstance(civ.tourists, dict):
            ev_pop[e, 1] = civ.tourists.get(i, 0)
            prov[f"tourists.{i}"] = ("scenario", "C")
        else:
            ev_pop[e, 1] = isl.tourists.value
            prov[f"tourists.{i}"] = (isl.tourists.source, isl.tourists.confidence)
    return ev_pop


def _islands(ev, evac: list[str], e_index: dict, isl_ids: list, isl_index: dict, ev_pop):
    """Staging islands, road-linked pools and size ranks of the evacuated islands.

    Returns
    -------
    tuple
        ``(ev_int (E, N_E) int64, isl_ev (I,) int64, pools list of int, sizes (E,))``:
        ``ev_int`` rows ``[island, staging island or -1, pool, rank by size]``, ``isl_ev``
        each combat island's evacuated index or -1, ``sizes`` the people of each island.
    """
    n_ev = len(evac)
    stage = np.full(n_ev, -1, dtype=np.int64)
    for src, dst in ev.staging.items():
        if src not in e_index:
            continue
        if dst not in e_index:
            raise problem_error(
                f"civil.evacuation.staging.{src}",
                dst,
                "the staging island must be evacuated too",
                ", ".join(evac),
            )
        stage[e_index[src]] = e_index[dst]
    pools = _pools(evac, ev.road_links)
    sizes = ev_pop.sum(axis=1)
    rank = np.empty(n_ev, dtype=np.int64)
    rank[np.argsort(sizes, kind="stable")] = np.arange(n_ev)
    ev_int = np.zeros((n_ev, Y.N_E), dtype=np.int64)
    for e, i in enumerate(evac):
        ev_int[e] = (isl_index[i], stage[e], pools[e], rank[e])
    isl_ev = np.array([e_index.get(i, -1) for i in isl_ids], dtype=np.int64)
    return ev_int, isl_ev, pools, sizes


def _gateways(sc, gaz, evac: list[str], e_index: dict, prov: dict) -> list[tuple]:
    """The evacuation gateways of the evacuated islands, ``(gateway, lat, lon)`` each
    (degrees: the airport or port, else the island's centre); their capacities' sources
    go into ``prov``."""
    from nansei.scenario.resolve import resolved_gateways

    ev = sc.civil.evacuation
    inline = not isinstance(ev.gateways, str)
    gws = []
    for j, gw in enumerate(resolved_gateways(sc)):
        if gw.island not in e_index:
            if inline:
                raise problem_error(
                    f"civil.evacuation.gateways[{j}].island",
                    gw.island,
                    "gateway on an island that is not evacuated",
                    ", ".join(evac),
                )
            continue
        if gw.location is not None:
            try:
                loc = gaz.gateway(gw.location)
            except KeyError:
                raise problem_error(
                    f"civil.evacuation.gateways[{j}].location",
                    gw.location,
                    "unknown airport (ICAO) or port id",
                ) from None
            if loc.island != gw.island:
                raise problem_error(
                    f"civil.evacuation.gateways[{j}].location",
                    gw.location,
                    f"is on '{loc.island}', not on '{gw.island}'",
                )
            lat, lon = loc.lat, loc.lon
        else:
            isl = gaz.island(gw.island)
            lat, lon = isl.lat, isl.lon
        gws.append((gw, lat, lon))
        prov[f"capacity.{gw.id}"] = (gw.source, gw.confidence)
    return gws


def _gateway_table(ev, gws: list[tuple], combat_gw: list[str], evac, e_index, pools, sizes):
    """The gateways' islands, modes and hourly capacities.

    Returns
    -------
    tuple
        ``(gw_int (G, N_G) int64, gw_cap_h (G, 24) persons per hour)``: ``gw_int`` rows
        ``[evacuated island, mode, combat gateway or -1]``.

    Raises
    ------
    nansei.scenario.errors.ScenarioError
        An island with people and no gateway with capacity in its pool.
    """
    n_g = len(gws)
    gw_int = np.zeros((n_g, Y.N_G), dtype=np.int64)
    gw_cap_h = np.zeros((n_g, 24))
    for g, (gw, _, _) in enumerate(gws):
        cg = combat_gw.index(gw.location) if gw.location in combat_gw else -1
        gw_int[g] = (e_index[gw.island], Y.MODE_AIR if gw.mode == "air" else Y.MODE_SEA, cg)
        gw_cap_h[g] = _hour_capacity(gw.capacity_per_day, gw.hours_per_day, ev.opens_at_h)
    served = {pools[int(gw_int[g, Y.G_ISLAND])] for g in range(n_g) if gw_cap_h[g].sum() > 0}
    for e, i in enumerate(evac):
        if pools[e] not in served and sizes[e] > 0:
            raise problem_error(
                "civil.evacuation.gateways",
                ev.gateways if isinstance(ev.gateways, str) else f"{n_g} gateways",
                f"island '{i}' has no gateway with capacity (own or road-linked); add one",
            )
    return gw_int, gw_cap_h


def _host_prefectures(gaz, ev, evac: list[str], prov: dict) -> tuple:
    """Host prefectures, their quotas and each island's order of preference.

    Returns
    -------
    tuple
        ``(prefs list of str, pref_quota (P,) persons, pref_rank (E, P) int64)``:
        ``pref_rank[e, p]`` the rank of prefecture ``p`` in the published pairings of
        island ``e``'s town, -1 if not paired. Sources go into ``prov``.
    """
    prefs = list(ev.host_prefectures)
    pref_quota = np.array([float(ev.host_prefectures[p]) for p in prefs])
    plan = gaz.evacuation_plan  # None in a user's gazetteer without a plan
    pairings = {} if plan is None else plan.pairings.value
    pref_rank = np.full((len(evac), len(prefs)), -1, dtype=np.int64)
    for e, i in enumerate(evac):
        town = gaz.island(i).municipalities[0]
        r = 0
        for p in pairings.get(town, ()):
            if p in prefs:
                pref_rank[e, prefs.index(p)] = r
                r += 1
    for p in prefs:
        fig = None if plan is None else plan.host_prefectures.get(p)
        if fig is not None and fig.value == ev.host_prefectures[p]:
            prov[f"host.{p}"] = (fig.source, fig.confidence)
        else:
            prov[f"host.{p}"] = ("scenario", "C")
    return prefs, pref_quota, pref_rank


def _sites_near(site_lonlat: np.ndarray, gws: list[tuple], radius_km: float) -> np.ndarray:
    """1 where a site is within ``radius_km`` of a gateway, shape (S, G) int64."""
    n_site = site_lonlat.shape[0]
    site_near = np.zeros((n_site, len(gws)), dtype=np.int64)
    for s in range(n_site):
        for g, (_, lat, lon) in enumerate(gws):
            near = within_km(site_lonlat[s, 1], site_lonlat[s, 0], lat, lon, radius_km)
            site_near[s, g] = 1 if near else 0
    return site_near


def _scalars(sc, gws: list[tuple]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(ev_f (N_F,) float64, ev_i (N_I,) int64, ev_stop (k, 4))``: the scalar parameters
    (``evac_layout.F_*``, ``I_*``) and the scripted stops of the gateways."""
    ev = sc.civil.evacuation
    kind, a, b = ev.order_delay_h.params()
    ev_f = np.zeros(Y.N_F)
    ev_f[Y.F_HORIZON_H] = sc.run.horizon_h
    ev_f[Y.F_P_AIR] = ev.weather.p_cancel_air_per_day
    ev_f[Y.F_P_SEA] = ev.weather.p_cancel_sea_per_day
    ev_f[Y.F_SUSPEND_H] = ev.suspend_h
    ev_f[Y.F_DELAY_KIND] = kind
    ev_f[Y.F_DELAY_A] = a
    ev_f[Y.F_DELAY_B] = b
    ev_f[Y.F_CARE_FRACTION] = ev.care_fraction
    ev_stop, ev_f[Y.F_ORDER_AT] = evacuation_stops(sc, [gw.location for gw, _, _ in gws])
    ev_i = np.zeros(Y.N_I, dtype=np.int64)
    ev_i[Y.I_PRIORITY] = Y.PRIORITY_CODES[ev.priority]
    return ev_f, ev_i, ev_stop


def compile_civil(sc, compiled=None) -> CompiledCivil:
    """Compile ``sc.civil`` to the evacuation arrays.

    Parameters
    ----------
    sc : nansei.scenario.Scenario
        A validated scenario with ``civil.enabled``.
    compiled : nansei.engine.compile.Compiled, optional
        The combat compile of the same scenario (its island, gateway and site order are
        used). Without it they are derived the same way the combat compile does.

    Raises
    ------
    nansei.scenario.errors.ScenarioError
        Civil protection disabled, an evacuated island without a gateway, a staging island
        that is not evacuated, an inline gateway on an island that is not evacuated.
    """
    from nansei.scenario.resolve import gazetteer

    civ = sc.civil
    ev = civ.evacuation
    if not civ.enabled:
        raise problem_error("civil.enabled", False, "must be true to simulate the evacuation")
    gaz = gazetteer(sc)
    isl_ids, combat_gw, site_lonlat, site_res, site_isl = _combat_order(sc, compiled, gaz)
    isl_index = {k: i for i, k in enumerate(isl_ids)}
    shelter = set(civ.shelter_in_place)
    evac = [i for i in ev.islands if i not in shelter]
    for j, i in enumerate(evac):
        if i not in isl_index:
            raise problem_error(
                f"civil.evacuation.islands[{j}]", i, "island is not in play", ", ".join(isl_ids)
            )
    e_index = {k: e for e, k in enumerate(evac)}
    prov: dict = {}  # source and confidence of each figure, in the order they are used
    ev_pop = _people(civ, gaz, evac, prov)
    ev_int, isl_ev, pools, sizes = _islands(ev, evac, e_index, isl_ids, isl_index, ev_pop)
    gws = _gateways(sc, gaz, evac, e_index, prov)
    gw_int, gw_cap_h = _gateway_table(ev, gws, combat_gw, evac, e_index, pools, sizes)
    prefs, pref_quota, pref_rank = _host_prefectures(gaz, ev, evac, prov)
    site_near = _sites_near(site_lonlat, gws, ev.suspend_radius_km)
    ev_f, ev_i, ev_stop = _scalars(sc, gws)
    n_days = math.ceil(math.ceil(sc.run.horizon_h) / 24.0)
    gw_names = tuple(gw.id for gw, _, _ in gws)
    arrays = {
        "ev_f": ev_f,
        "ev_i": ev_i,
        "ev_pop": ev_pop,
        "ev_int": ev_int,
        "isl_ev": isl_ev,
        "pref_rank": pref_rank,
        "pref_quota": pref_quota,
        "gw_int": gw_int,
        "gw_cap_h": gw_cap_h,
        "site_near": site_near,
        "site_res": site_res,
        "site_isl": site_isl,
        "ev_stop": ev_stop,
    }
    return CompiledCivil(
        arrays=arrays,
        authority_h=evacuation_authority_h(sc),
        islands=tuple(evac),
        prefectures=tuple(prefs),
        gateways=gw_names,
        combat_gateway_ids=tuple(combat_gw),
        island_ids=tuple(isl_ids),
        n_days=n_days,
        output_names=tuple(Y.output_names(evac, prefs)),
        series_names=tuple(Y.series_names(evac, prefs, gw_names)),
        provenance=prov,
    )
