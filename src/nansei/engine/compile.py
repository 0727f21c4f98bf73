"""Compile a validated scenario into the flat arrays the kernel takes.

The compiled form is a frozen, picklable :class:`Compiled` (so worker
processes receive it whole). Nothing here draws random numbers: all
randomness happens in the kernel, from the replication's generator. The sites,
islands and gateways come from :mod:`nansei.engine.compile_geo`, the site table, start
sites and distance tables from :mod:`nansei.engine.compile_sites`.

Simplifications of this compile step, documented in ``docs/engine.md``:

* Lift pools of one mode are merged into one pool: counts add up, speed and
  turnaround are count-weighted means, the usable runway is the longest
  ``min_runway_m`` among the pools.
* An island's air gateway is its airport with the longest runway; its sea
  gateway is its first port that is not crane-lift only. Inter-island lift
  distance is the geodesic between the two gateways.
* A target stream is engageable from a site when the zone centre is within
  the munition's range of the site.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field

import numpy as np

from nansei.engine import layout as Y
from nansei.engine.compile_events import scripted_rows
from nansei.engine.compile_geo import Site, gateways, island_ids, resolve_sites
from nansei.engine.compile_sites import (
    auto_site,
    decoy_sites,
    island_km,
    road_km,
    site_gateway_km,
    site_table,
    zones_in_range,
)
from nansei.engine.compile_sustain import compile_sustain
from nansei.engine.legal import compile_legal
from nansei.engine.state import MODEL_FIELDS, Evac, Model
from nansei.geo.distance import geodesic_km
from nansei.scenario.events import group_times
from nansei.scenario.resolve import gazetteer as resolve_gazetteer
from nansei.scenario.resolve import theatre


@dataclass(frozen=True)
class Compiled:
    """A scenario compiled to arrays (the kernel's :class:`~nansei.engine.state.Model`).

    Attributes
    ----------
    arrays : dict of str to ndarray
        The model's arrays by name (:data:`nansei.engine.state.MODEL_FIELDS`).
    n_steps : int
        Number of series steps over the horizon.
    step_h : float
        Series step (h).
    site_ids, launcher_ids, zone_ids, gateway_ids, island_ids, munition_ids : tuple of str
        Names of the entities, in array order.
    site_lonlat : ndarray (S, 2)
        Site positions (degrees), for maps.
    params : dict
        Key parameters carried into every record (``param.*`` columns).
    fingerprint : str
        SHA-256 of the scenario's canonical JSON.
    """

    arrays: dict
    n_steps: int
    step_h: float
    site_ids: tuple
    launcher_ids: tuple
    zone_ids: tuple
    gateway_ids: tuple
    island_ids: tuple
    munition_ids: tuple
    site_lonlat: np.ndarray
    params: dict = field(default_factory=dict)
    fingerprint: str = ""
    civil: object = None

    def model(self) -> Model:
        """The kernel's read-only :class:`~nansei.engine.state.Model` (C-contiguous arrays:
        one compiled kernel serves every scenario)."""
        return Model(*(np.ascontiguousarray(self.arrays[name]) for name in MODEL_FIELDS))

    def evac(self) -> Evac:
        """The evacuation arrays for ``run_batch_kernel`` (empty ones without civil
        protection)."""
        if self.civil is not None:
            return Evac(*(np.ascontiguousarray(a) for a in self.civil.evac_args()))
        return Evac(*_no_evacuation(self.arrays["site_f"].shape[0], len(self.island_ids)))

    @property
    def authority_h(self) -> float:
        """Compile-time time (h) from which an evacuation order is lawful (inf without one).

        The batch kernel uses each replication's own authority time from the legal
        state machine; this value serves the evacuation-only driver and reports.
        """
        return self.civil.authority_h if self.civil is not None else float("inf")

    @property
    def n_days(self) -> int:
        """Rows of the daily evacuation series (0 without civil protection)."""
        return self.civil.n_days if self.civil is not None else 0

    @property
    def evac_output_names(self) -> tuple:
        return tuple(self.civil.output_names) if self.civil is not None else ()

    @property
    def evac_series_names(self) -> tuple:
        return tuple(self.civil.series_names) if self.civil is not None else ()

    @property
    def has_events(self) -> bool:
        """True if the scenario has scripted events (``events:``)."""
        return self.arrays["sx"].shape[0] > 0

    @property
    def combat_output_names(self) -> tuple:
        """The kernel's outputs in a record: the scripted ones only with scripted events."""
        return tuple(Y.OUTPUT_NAMES) + (Y.SCRIPTED_NAMES if self.has_events else ())

    @property
    def output_names(self) -> tuple:
        """Columns of a record: the combat outputs, then the evacuation's."""
        return self.combat_output_names + self.evac_output_names

    @property
    def series_merged(self) -> bool:
        """True if the daily evacuation series share the combat series' steps."""
        return self.civil is not None and self.step_h == 24.0 and self.n_days == self.n_steps

    @property
    def series_names(self) -> tuple:
        """Columns of the series: combat, then evacuation when their steps agree."""
        extra = self.evac_series_names if self.series_merged else ()
        return tuple(Y.SERIES_NAMES) + extra


def _no_evacuation(n_sites: int, n_islands: int) -> tuple:
    """Empty evacuation arrays with the dtypes and ranks of a real compile."""
    from nansei.engine import evac_layout as E

    return (
        np.zeros(E.N_F),
        np.zeros(E.N_I, dtype=np.int64),
        np.zeros((0, 2)),
        np.zeros((0, E.N_E), dtype=np.int64),
        np.full(n_islands, -1, dtype=np.int64),
        np.zeros((0, 0), dtype=np.int64),
        np.zeros(0),
        np.zeros((0, E.N_G), dtype=np.int64),
        np.zeros((0, 24)),
        np.zeros((n_sites, 0), dtype=np.int64),
        np.zeros(n_sites),
        np.zeros(n_sites, dtype=np.int64),
        np.zeros((0, 4)),
    )


def _dist(d) -> tuple[int, float, float]:
    kind, a, b = d.params()
    return int(kind), float(a), float(b)


def _munition_order(sc) -> list:
    pref = list(sc.blue.fires.munition_preference)
    muns = {m.id: m for m in sc.blue.munitions}
    rest = sorted((m for m in sc.blue.munitions if m.id not in pref), key=lambda m: m.range_km)
    return [muns[p] for p in pref if p in muns] + rest


def _launchers(sc, sites: list[Site], mun_index: dict, mun_pod: np.ndarray):
    usable = [i for i, s in enumerate(sites) if not s.decoy]
    index = {s.id: i for i, s in enumerate(sites)}
    taken: set[int] = set()
    ids, start, lp_rows, rounds, reloads = [], [], [], [], []
    n_mun = len(mun_index)
    for g in sc.blue.launchers:
        for j in range(g.count):
            ids.append(f"{g.id}-{j + 1}")
            if g.start_sites == "auto":
                s = auto_site(sites, usable, taken)
            else:
                s = index[g.start_sites[j % len(g.start_sites)]]
            taken.add(s)
            start.append(s)
            row = np.zeros(Y.N_LP)
            row[Y.L_SPEED_KMH] = g.road_speed_kmh
            row[Y.L_SETUP : Y.L_SETUP + 3] = _dist(g.setup_h)
            row[Y.L_TEARDOWN : Y.L_TEARDOWN + 3] = _dist(g.teardown_h)
            row[Y.L_RELOAD : Y.L_RELOAD + 3] = _dist(g.reload_h)
            row[Y.L_FIRING_H] = sc.blue.fires.salvo_duration_h
            row[Y.L_FUEL_CAP] = g.fuel_capacity_l
            row[Y.L_FUEL_IDLE] = g.fuel_idle_l_per_h
            row[Y.L_FUEL_KM] = g.fuel_move_l_per_km
            row[Y.L_FUEL_ACTIVE] = g.fuel_active_l_per_h
            arrive_h, withdraw_h = group_times(sc, g)  # scripted events applied
            row[Y.L_ARRIVE_H] = arrive_h
            row[Y.L_WITHDRAW_H] = math.inf if withdraw_h is None else withdraw_h
            lp_rows.append(row)
            r = np.zeros(n_mun, np.int64)
            rl = np.zeros(n_mun, np.int64)
            for m, pods in g.pods_carried.items():
                r[mun_index[m]] = pods * mun_pod[mun_index[m]]
            for m, pods in g.reload_pods.items():
                rl[mun_index[m]] = pods * mun_pod[mun_index[m]]
            rounds.append(r)
            reloads.append(rl)
    lp = np.array(lp_rows).reshape(len(ids), Y.N_LP)
    return (
        ids,
        np.array(start, np.int64),
        lp,
        np.array(rounds, np.int64).reshape(len(ids), n_mun),
        np.array(reloads, np.int64).reshape(len(ids), n_mun),
    )


#: Events per hour of horizon and per active entity the event cap allows (see ``event_cap``).
EVENTS_PER_ENTITY_H = 200


def event_cap(horizon_h: float, n_launchers: int, n_zones: int, n_decoys: int, n_sites: int) -> int:
    """Most events one replication may process before it is stopped as a runaway.

    A launcher's cycle (set-up, dwell, salvos, reload, tear-down, move) takes
    minutes at least, so a real replication processes tens of events per launcher
    and hour at most; ``EVENTS_PER_ENTITY_H`` per entity and hour, plus 200,000,
    leaves a wide margin. A cycle of zero length (which validation rejects) would
    otherwise spin for ever at one instant.
    """
    entities = n_launchers + n_zones + n_decoys + n_sites // 10 + 10
    return int(min(200_000 + EVENTS_PER_ENTITY_H * max(horizon_h, 1.0) * entities, 2**62))


def _lift_pool(pools, air: bool) -> tuple[int, float, float, float]:
    count = sum(p.count for p in pools)
    if count == 0:
        return 0, 1.0, 0.0, 0.0
    speed = sum(p.count * p.speed_kmh for p in pools) / count
    turn = sum(p.count * p.turnaround_h for p in pools) / count
    runway = max((p.min_runway_m or 0.0) for p in pools) if air else 0.0
    return count, speed, turn, runway


def compile_scenario(sc) -> Compiled:
    """Compile a validated :class:`nansei.scenario.Scenario` to kernel arrays."""
    islands = island_ids(sc)
    isl_index = {k: i for i, k in enumerate(islands)}
    sites = resolve_sites(sc)
    muns = _munition_order(sc)
    mun_index = {m.id: i for i, m in enumerate(muns)}
    mun_f = np.array([[m.p_hit, m.rounds_per_pod] for m in muns], dtype=np.float64)
    mun_pod = np.array([m.rounds_per_pod for m in muns], dtype=np.int64)
    l_ids, l_site0, lp, rounds0, reload0 = _launchers(sc, sites, mun_index, mun_pod)
    decoy_site = np.array(decoy_sites(sc, sites, l_site0), dtype=np.int64)
    th = theatre(sc)
    lat, lon, site_island, site_xy, site_f = site_table(sc, sites, isl_index, th)
    detour = sc.blue.relocation.road_detour_factor
    road = road_km(sites, lat, lon, detour)
    gw_ids, gw_type, gw_runway, gw_lat, gw_lon, isl_gw, gw_island = gateways(
        islands, resolve_gazetteer(sc)
    )
    isl_km = island_km(isl_gw, gw_lat, gw_lon)
    site_gw_km = site_gateway_km(sites, lat, lon, isl_index, isl_gw, gw_lat, gw_lon, detour)
    zone_f, zone_i, expected_targets = _zone_tables(sc)
    in_range = zones_in_range(sc, lat, lon, muns, th)

    fp, ip = _parameters(sc)
    ip[Y.I_MAX_TARGETS] = int(expected_targets + 10.0 * math.sqrt(expected_targets) + 16)
    ip[Y.I_EVENT_CAP] = event_cap(
        sc.run.horizon_h, len(l_ids), len(zone_f), len(decoy_site), len(sites)
    )

    arrays = {
        "fp": fp,
        "ip": ip,
        "lp": lp,
        "l_site0": l_site0,
        "rounds0": rounds0,
        "reload0": reload0,
        "mun_f": mun_f,
        "site_f": site_f,
        "site_island": site_island,
        "site_xy": site_xy,
        "road_km": road,
        "in_range": in_range,
        "isl_gw": isl_gw,
        "isl_km": isl_km,
        "site_gw_km": site_gw_km,
        "gw_type": gw_type,
        "gw_runway": gw_runway,
        "zone_f": zone_f,
        "zone_i": zone_i,
        "decoy_site": decoy_site,
        **compile_legal(sc),
        **compile_sustain(sc, islands, muns, isl_gw, [s.island for s in sites]),
        "gw_island": gw_island,
        "sx": scripted_rows(sc, list(gw_ids), [s.id for s in sites]),
    }
    step = sc.run.series_step_h
    compiled = Compiled(
        arrays=arrays,
        n_steps=max(1, math.ceil(sc.run.horizon_h / step - 1e-9)),
        step_h=step,
        site_ids=tuple(s.id for s in sites),
        launcher_ids=tuple(l_ids),
        zone_ids=tuple(st.zone for st in sc.targets.streams),
        gateway_ids=tuple(gw_ids),
        island_ids=tuple(islands),
        munition_ids=tuple(m.id for m in muns),
        site_lonlat=np.column_stack([lon, lat]),
        params=_params(sc, len(l_ids)),
        fingerprint=hashlib.sha256(sc.model_dump_json(exclude={"uncertain"}).encode()).hexdigest(),
    )
    if sc.civil.enabled:
        compiled = _with_civil(sc, compiled, gw_lat, gw_lon)
    return compiled


def _zone_tables(sc) -> tuple[np.ndarray, np.ndarray, float]:
    """The target streams' parameters.

    Returns
    -------
    tuple
        ``(zone_f (Z, 4), zone_i (Z, 2) int64, expected_targets)``: ``zone_f`` rows
        ``[arrivals per h, dwell a, dwell b, start (h)]``, ``zone_i`` rows ``[dwell kind,
        persistent]``, and the expected number of targets over the horizon (a persistent
        stream counts one).
    """
    streams = sc.targets.streams
    n_z = len(streams)
    zone_f = np.zeros((n_z, 4))
    zone_i = np.zeros((n_z, 2), np.int64)
    expected_targets = 0.0
    for z, st in enumerate(streams):
        kind, a, b = _dist(st.dwell_h)
        zone_f[z] = (st.arrivals_per_day / 24.0, a, b, st.start_h)
        zone_i[z] = (kind, int(st.persistent))
        expected_targets += 1 if st.persistent else st.arrivals_per_day * sc.run.horizon_h / 24.0
    return zone_f, zone_i, expected_targets


def _parameters(sc) -> tuple[np.ndarray, np.ndarray]:
    """The scalar parameters ``(fp (N_FP,) float64, ip (N_IP,) int64)`` (``layout.F_*``,
    ``layout.I_*``), but for ``I_MAX_TARGETS`` and ``I_EVENT_CAP``, which depend on the
    compiled tables."""
    red, blue, rel = sc.red, sc.blue, sc.blue.relocation
    fp = np.zeros(Y.N_FP)
    ip = np.zeros(Y.N_IP, np.int64)
    fp[Y.F_HORIZON_H] = sc.run.horizon_h
    fp[Y.F_SERIES_STEP_H] = sc.run.series_step_h
    ip[Y.I_DWELL_KIND], fp[Y.F_DWELL_A], fp[Y.F_DWELL_B] = _dist(rel.dwell_h)
    ip[Y.I_SCOOT_AFTER] = rel.scoot_after_salvos or 0
    fp[Y.F_SCOOT_DELAY_H] = rel.scoot_delay_h
    ip[Y.I_SITE_CHOICE] = Y.SITE_CHOICES.index(rel.site_choice)
    ip[Y.I_MOVE_MODE] = 1 if rel.move_time == "fixed" else 0
    fp[Y.F_FIXED_MOVE_H] = rel.fixed_move_h or 0.0
    fp[Y.F_INTER_ISLAND_P] = rel.inter_island_move_prob
    fp[Y.F_SALVO_INTERVAL_H] = blue.fires.salvo_interval_h
    ip[Y.I_ROUNDS_PER_SALVO] = blue.fires.rounds_per_salvo
    ip[Y.I_MAX_SALVOS_PER_TARGET] = blue.fires.max_salvos_per_target
    fp[Y.F_P_INTERCEPT] = blue.air_defence.p_intercept
    rates = red.isr.detection_rate_per_h
    for k, name in enumerate(Y.STATE_NAMES[:5]):
        fp[Y.F_RATE_HIDDEN + k] = getattr(rates, name)
    fp[Y.F_P_DETECT_LAUNCH] = red.isr.p_detect_launch
    kc, isr = red.kill_chain, red.isr
    ip[Y.I_DELAY_KIND], fp[Y.F_DELAY_A], fp[Y.F_DELAY_B] = _dist(kc.delay_h)
    launch = kc.launch_delay_h if kc.launch_delay_h is not None else kc.delay_h
    track = kc.track_delay_h if kc.track_delay_h is not None else kc.delay_h
    ip[Y.I_LAUNCH_DELAY_KIND], fp[Y.F_LAUNCH_DELAY_A], fp[Y.F_LAUNCH_DELAY_B] = _dist(launch)
    ip[Y.I_TRACK_DELAY_KIND], fp[Y.F_TRACK_DELAY_A], fp[Y.F_TRACK_DELAY_B] = _dist(track)
    fp[Y.F_TRACK_LOSS] = isr.track_loss_rate_per_h
    fp[Y.F_AIM_SD_KM] = isr.location_error_km
    fp[Y.F_HAZARD_GROWTH] = isr.dwell_hazard.growth_per_h
    fp[Y.F_HAZARD_MAX] = isr.dwell_hazard.max_factor
    ident = isr.identification
    for k, name in enumerate(Y.STATE_NAMES[:5]):
        fp[Y.F_SIGNATURE + k] = getattr(ident.p_signature, name)
    fp[Y.F_ID_RADIUS_KM] = math.sqrt(ident.view_km2 / math.pi)
    ip[Y.I_ID_MAX_CANDIDATES] = ident.max_candidates
    fp[Y.F_LETHAL_KM] = red.lethal_radius_km
    fp[Y.F_P_FALSE_CLAIM] = red.p_false_claim
    fp[Y.F_SITE_MEMORY_H] = rel.site_memory_h
    fp[Y.F_REATTACK_H] = math.inf if red.reattack_after_h is None else red.reattack_after_h
    fp[Y.F_REVISIT_RATE] = red.revisit_strikes.rate_per_day / 24.0
    fp[Y.F_REVISIT_MEMORY_H] = red.revisit_strikes.memory_h
    ip[Y.I_FIRE_FROM] = 1 if rel.fire_from == "firing_point" else 0
    fp[Y.F_FP_KM] = rel.firing_point_km
    fp[Y.F_FP_MAX_H] = rel.firing_point_max_h
    multiplicative = red.isr.concealment_effect == "multiplicative"
    fp[Y.F_FP_CONCEAL] = rel.firing_point_concealment if multiplicative else 0.0
    hide = rel.hide_concealment
    fp[Y.F_HIDE_CONCEAL] = (-1.0 if hide is None else hide) if multiplicative else 0.0
    ip[Y.I_DOCTRINE] = Y.DOCTRINES.index(red.doctrine)
    ip[Y.I_TIE_RULE] = Y.TIE_RULES.index(red.tie_rule)
    ip[Y.I_MISSILES_PER_STRIKE] = red.missiles_per_strike
    fp[Y.F_P_KILL] = red.p_kill
    ip[Y.I_INVENTORY] = red.inventory
    ip[Y.I_DAILY_CAPACITY] = red.daily_capacity
    fp[Y.F_STRIKES_START_H] = red.strikes_start_h
    gs = red.gateway_strikes
    fp[Y.F_GW_RATE_PER_H] = gs.rate_per_day / 24.0 if gs.enabled else 0.0
    ip[Y.I_REPAIR_KIND], fp[Y.F_REPAIR_A], fp[Y.F_REPAIR_B] = _dist(gs.repair_h)
    ip[Y.I_GW_TARGETS] = Y.GW_TARGETS.index(gs.targets)
    fp[Y.F_DECOY_CONCEALMENT] = blue.decoys.concealment
    fp[Y.F_DECOY_P_IDENTIFY] = blue.decoys.p_identify
    ip[Y.I_DECOY_DESTROYABLE] = int(blue.decoys.destroyed_when_struck)
    n_air, fp[Y.F_AIR_SPEED_KMH], fp[Y.F_AIR_TURNAROUND_H], fp[Y.F_AIR_MIN_RUNWAY_M] = _lift_pool(
        blue.lift.air, True
    )
    n_sea, fp[Y.F_SEA_SPEED_KMH], fp[Y.F_SEA_TURNAROUND_H], _ = _lift_pool(blue.lift.sea, False)
    ip[Y.I_AIR_LIFT_COUNT] = n_air
    ip[Y.I_SEA_LIFT_COUNT] = n_sea
    fp[Y.F_LIFT_LOAD_H] = 0.5
    return fp, ip


def _with_civil(sc, compiled: Compiled, gw_lat, gw_lon) -> Compiled:
    """Attach the evacuation compile, turn on the coupling logs, apply the exclusion rule.

    Sites within ``civil.evacuation.gateway_exclusion_km`` of an airport or port of
    an evacuated island are excluded for the whole horizon (a simplification of
    "while the island evacuates"; see docs/civil.md).
    """
    from dataclasses import replace

    from nansei.engine.compile_civil import compile_civil

    cc = compile_civil(sc, compiled)
    arrays = dict(compiled.arrays)
    ip = arrays["ip"].copy()
    ip[Y.I_LOG_CIVIL] = 1
    arrays["ip"] = ip
    km = sc.civil.evacuation.gateway_exclusion_km
    if km > 0:
        site_f = arrays["site_f"].copy()
        isl_gw = arrays["isl_gw"]
        lon, lat = compiled.site_lonlat[:, 0], compiled.site_lonlat[:, 1]
        evacuated = {compiled.island_ids.index(i) for i in cc.islands if i in compiled.island_ids}
        for s, isl in enumerate(arrays["site_island"]):
            if isl not in evacuated:
                continue
            for g in isl_gw[isl]:
                if g >= 0 and geodesic_km(lat[s], lon[s], gw_lat[g], gw_lon[g]) < km:
                    site_f[s, 2] = sc.run.horizon_h
        arrays["site_f"] = site_f
    return replace(compiled, arrays=arrays, civil=cc)


def _params(sc, n_launchers: int) -> dict:
    rel, red = sc.blue.relocation, sc.red
    legal = sc.legal.authorities
    return {
        "horizon_h": sc.run.horizon_h,
        "launchers": n_launchers,
        "dwell_mean_h": rel.dwell_h.mean(),
        "scoot_after_salvos": rel.scoot_after_salvos or 0,
        "site_choice": rel.site_choice,
        "doctrine": red.doctrine,
        "kill_chain_mean_h": red.kill_chain.delay_h.mean(),
        "detection_rate_hidden_per_h": red.isr.detection_rate_per_h.hidden,
        "p_kill": red.p_kill,
        "missiles_per_strike": red.missiles_per_strike,
        "p_intercept": sc.blue.air_defence.p_intercept,
        "legal_authorities": legal if isinstance(legal, str) else legal.name,
    }
