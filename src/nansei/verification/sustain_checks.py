"""Checks of the SDF sustainment sub-model against exact results (``docs/verification.md`` §11).

Listed in ``CHECKS`` and registered in :data:`nansei.verification.checks.REGISTRY`, so
``nansei verify`` runs them.
Every scenario is the ``ideal-fixed-delay`` built-in with its supply chain replaced by one
depot on Okinawa, one supply point on Miyako, one munition (GMLRS) and one pool of sea
transports on the scheduled-convoy policy. Nothing else touches the stocks: Red detects
nothing and holds no missiles, no gateway is struck, there are no targets (so launchers
never draw a pod), every node holds no fuel and launchers burn none, and the important
influence situation is recognised at t = 0 under ``law-2021`` (ammunition supply and SDF
transport permitted from the start).

* **Deterministic schedule** (no interdiction): the pods delivered and the trips dispatched
  by the horizon are exact functions of the convoy interval, the distance, speed and
  turnaround, the number of vehicles, the capacity in pods and the order-up-to level
  (:func:`convoy_schedule`); checked as identities.
* **Binomial loss per leg**: with one fresh vehicle for every convoy, the ``n`` trips that
  arrive before the horizon are each lost independently with ``p_loss_per_leg``, so the lost
  deliveries are Binomial(n, p): mean ``n p``, variance ``n p (1 - p)``, and the pods
  delivered have mean ``c n (1 - p)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from nansei.verification.base import Check, _doc, _identity, _mean_se, check_scenario

__all__ = [
    "CHECKS",
    "ConvoySchedule",
    "convoy_schedule",
    "schedule_document",
    "schedule_of",
]

CHECKS: list[Check] = []

BASE = "ideal-fixed-delay"
#: Interval between convoys (h), horizon (h) and depot / supply-point islands of every check.
INTERVAL_H, HORIZON_H, DEPOT_ISLAND, SP_ISLAND = 12.0, 200.0, "okinawa", "miyako"
#: The sea transports: LST at 30 km/h with a 6 h turnaround and 10 t per trip (4 GMLRS pods).
SPEED_KMH, TURNAROUND_H, CAPACITY_T = 30.0, 6.0, 10.0
#: Probability that a loaded leg is lost, in the binomial checks.
P_LOSS = 0.25


@dataclass(frozen=True)
class ConvoySchedule:
    """What a scheduled-convoy supply chain does by the horizon (one depot, one SP).

    Attributes
    ----------
    convoys : int
        Scheduled convoys, ``K = ceil(H / I)`` (at ``k I < H``).
    cycle : int
        Convoy intervals a vehicle is away, ``m = max(1, ceil(R / I))``.
    pods_per_trip : int
        Pods one vehicle carries, ``c = floor(capacity_t / pod_mass_t)``.
    trips_needed : int
        Trips that empty the supply point's room (or the depot), ``J = ceil(Q / c)``.
    departures : int
        Trips dispatched before the horizon.
    arrivals : int
        Trips that arrive before the horizon.
    pods_delivered : int
        Pods delivered before the horizon.
    pods_in_transit_end : int
        Pods on trips still under way at the horizon.
    """

    convoys: int
    cycle: int
    pods_per_trip: int
    trips_needed: int
    departures: int
    arrivals: int
    pods_delivered: int
    pods_in_transit_end: int


def convoy_schedule(
    interval_h: float,
    horizon_h: float,
    distance_km: float,
    speed_kmh: float,
    turnaround_h: float,
    vehicles: int,
    capacity_t: float,
    pod_mass_t: float,
    room: int,
    depot_pods: int,
) -> ConvoySchedule:
    """Deliveries of the scheduled-convoy policy without interdiction (exact).

    A convoy leaves at ``t_k = k I`` for every ``k I < H``. A vehicle that leaves at
    ``t`` delivers at ``t + a`` with ``a = d / v + u`` and is free again at ``t + R``,
    ``R = 2 d / v + u``; so it can take convoy ``k + m`` at the earliest,
    ``m = max(1, ceil(R / I))``, and with ``V`` vehicles convoy ``k`` leaves iff
    ``k mod m < min(V, m)``. Each trip carries ``min(c, what is left)`` of
    ``Q = min(S - s0, D)`` pods, so ``J = ceil(Q / c)`` trips ship everything.

    Parameters
    ----------
    interval_h, horizon_h : float
        Convoy interval ``I`` and horizon ``H`` (h).
    distance_km, speed_kmh, turnaround_h : float
        Depot-to-supply-point distance ``d``, vehicle speed ``v`` and turnaround ``u``.
    vehicles : int
        Vehicles in the pool, ``V``.
    capacity_t, pod_mass_t : float
        Payload per trip and mass of one pod (t).
    room : int
        ``S - s0``: order-up-to level less the supply point's initial pods.
    depot_pods : int
        Pods at the depot, ``D``.

    Returns
    -------
    ConvoySchedule

    Raises
    ------
    ValueError
        When an arrival falls on the horizon or a vehicle's return on a convoy time:
        the outcome then depends on the order of simultaneous events.
    """
    eps = 1e-6
    a = distance_km / speed_kmh + turnaround_h
    r = 2.0 * distance_km / speed_kmh + turnaround_h
    k_conv = math.ceil(horizon_h / interval_h - eps)
    ratio = r / interval_h
    if ratio > eps and abs(ratio - round(ratio)) < eps:
        raise ValueError(f"round trip {r:g} h is a multiple of the interval {interval_h:g} h")
    m = max(1, math.ceil(ratio))
    c = math.floor(capacity_t / pod_mass_t + 1e-9)
    q = max(0, min(room, depot_pods))
    need = math.ceil(q / c) if c > 0 else 0
    slots = [k for k in range(k_conv) if k % m < min(vehicles, m)]
    if any(abs(k * interval_h + a - horizon_h) < eps for k in slots):
        raise ValueError("a trip arrives exactly at the horizon")
    dep = min(len(slots), need)
    arr = min(sum(k * interval_h + a < horizon_h for k in slots), need)
    delivered = min(arr * c, q)
    return ConvoySchedule(
        convoys=k_conv,
        cycle=m,
        pods_per_trip=c,
        trips_needed=need,
        departures=dep,
        arrivals=arr,
        pods_delivered=delivered,
        pods_in_transit_end=min(dep * c, q) - delivered,
    )


def _distance_km(a: str, b: str) -> float:
    """Geodesic distance between two gazetteer islands (or ``kyushu``), km."""
    from nansei.engine.compile_sustain import KYUSHU_LATLON
    from nansei.geo.distance import geodesic_km
    from nansei.geo.gazetteer import load_gazetteer

    pos = {i.id: (i.lat, i.lon) for i in load_gazetteer().islands}
    pos["kyushu"] = KYUSHU_LATLON
    return 0.0 if a == b else geodesic_km(*pos[a], *pos[b])


def schedule_of(sc) -> ConvoySchedule:
    """The exact :class:`ConvoySchedule` of a check scenario, from its parameters.

    Parameters
    ----------
    sc : Scenario or dict
        A scenario with one depot, one supply point, one munition at the depot and one
        transport pool (a check document ``{"base", "overrides"}`` is loaded first).
    """
    if isinstance(sc, dict):
        sc = check_scenario(sc)
    su = sc.sustainment
    (depot,), (sp,), (tr,) = su.depots, su.supply_points, su.transports
    (mid,) = [k for k, v in depot.pods.items() if v > 0]
    mass = {m.id: m.pod_mass_t for m in sc.blue.munitions}[mid]
    return convoy_schedule(
        su.convoy_interval_h,
        sc.run.horizon_h,
        _distance_km(depot.island, sp.island),
        tr.speed_kmh,
        tr.turnaround_h,
        tr.count,
        tr.capacity_t,
        mass,
        sp.order_up_to - sp.pods.get(mid, 0),
        depot.pods[mid],
    )


def schedule_document(
    *,
    vehicles: int = 2,
    order_up_to: int = 60,
    sp_pods: int = 2,
    depot_pods: int = 100,
    p_loss: float = 0.0,
    interval_h: float = INTERVAL_H,
    horizon_h: float = HORIZON_H,
    capacity_t: float = CAPACITY_T,
    speed_kmh: float = SPEED_KMH,
    turnaround_h: float = TURNAROUND_H,
    authorities: str = "law-2021",
) -> dict:
    """A check scenario document: ``ideal-fixed-delay`` with an isolated supply chain.

    Red sees nothing and has no missiles, there are no targets and no gateway strikes,
    every node holds no fuel and launchers burn none; the important influence situation
    is recognised at t = 0, so supply is permitted from the start.
    """
    launcher = {
        "id": "l1",
        "count": 1,
        "setup_h": 0,
        "teardown_h": 0,
        "reload_h": 0,
        "fuel_idle_l_per_h": 0.0,
        "fuel_move_l_per_km": 0.0,
    }
    sustainment = {
        "enabled": True,
        "policy": "scheduled",
        "convoy_interval_h": interval_h,
        "p_loss_per_leg": p_loss,
        "stock_loss_per_gateway_hit": 0.0,
        "depots": [
            {"id": "dep", "island": DEPOT_ISLAND, "pods": {"GMLRS": depot_pods}, "fuel_l": 0.0}
        ],
        "supply_points": [
            {
                "id": "sp",
                "island": SP_ISLAND,
                "pods": {"GMLRS": sp_pods},
                "fuel_l": 0.0,
                "reorder_point": 0,
                "order_up_to": order_up_to,
            }
        ],
        "transports": [
            {
                "id": "lst",
                "kind": "LST",
                "count": vehicles,
                "capacity_t": capacity_t,
                "speed_kmh": speed_kmh,
                "turnaround_h": turnaround_h,
            }
        ],
    }
    return _doc(
        BASE,
        **{
            "run.horizon_h": horizon_h,
            "blue.launchers": [launcher],
            "targets.streams": [],
            "red.isr.detection_rate_per_h": {
                k: 0.0 for k in ("hidden", "moving", "setting_up", "firing", "reloading")
            },
            "red.inventory": 0,
            "red.gateway_strikes": {"enabled": False},
            "sustainment": sustainment,
            "legal.authorities": authorities,
            "legal.timeline": [{"situation": "important_influence", "at_h": 0}],
        },
    )


def _deterministic(col: str):
    """The value of ``col`` if every replication has the same one, else NaN (fails)."""

    def est(r: pd.DataFrame) -> tuple[float, float]:
        x = r[col].to_numpy(dtype=float)
        return (float(x[0]) if np.all(x == x[0]) else float("nan")), 0.0

    return est


SCHEDULE = schedule_document()  # V = 2 < m = 3: every third convoy is skipped
FILL = schedule_document(vehicles=3, order_up_to=32)  # S - s0 = 30 binds: last trip partial


def _sched_desc(what: str) -> str:
    return (
        f"Scheduled convoys every {INTERVAL_H:g} h from an Okinawa depot to a Miyako supply "
        f"point, {HORIZON_H:g} h horizon, LST {SPEED_KMH:g} km/h, turnaround "
        f"{TURNAROUND_H:g} h, {CAPACITY_T:g} t (4 GMLRS pods) per trip, no interdiction: " + what
    )


CHECKS.append(
    Check(
        name="sustain-schedule-pods-delivered",
        description=_sched_desc(
            "2 vehicles each away 3 intervals, so every third convoy is skipped; pods "
            "delivered = c x (trips arriving before H), S - s0 = 58 does not bind"
        ),
        scenario=SCHEDULE,
        expected=lambda: float(schedule_of(SCHEDULE).pods_delivered),
        estimate=_deterministic("pods_delivered"),
        replications=40,
        exact_match=True,
    )
)
CHECKS.append(
    Check(
        name="sustain-schedule-trips",
        description=_sched_desc(
            "supply trips dispatched = convoys k < ceil(H/I) with k mod m < V (m = 3, V = 2)"
        ),
        scenario=SCHEDULE,
        expected=lambda: float(schedule_of(SCHEDULE).departures),
        estimate=_deterministic("supply_trips"),
        replications=40,
        exact_match=True,
    )
)
CHECKS.append(
    Check(
        name="sustain-schedule-in-transit",
        description=_sched_desc(
            "pods on trips still under way at H = c x (trips dispatched - trips arrived)"
        ),
        scenario=SCHEDULE,
        expected=lambda: float(schedule_of(SCHEDULE).pods_in_transit_end),
        estimate=_deterministic("pods_in_transit_end"),
        replications=40,
        exact_match=True,
    )
)
CHECKS.append(
    Check(
        name="sustain-schedule-order-up-to",
        description=_sched_desc(
            "3 vehicles (every convoy leaves) and S - s0 = 30 pods: the supply point fills "
            "to S with ceil(30/4) = 8 trips, the last one partial; pods delivered = S - s0"
        ),
        scenario=FILL,
        expected=lambda: float(schedule_of(FILL).pods_delivered),
        estimate=_deterministic("pods_delivered"),
        replications=40,
        exact_match=True,
    )
)

# -- binomial loss per leg ------------------------------------------------------
#: One vehicle per convoy (lost ones are not replaced) and room for c pods on every trip.
_K = math.ceil(HORIZON_H / INTERVAL_H)
LOSS = schedule_document(
    vehicles=_K, order_up_to=4 * _K + 12, sp_pods=0, depot_pods=4 * _K + 50, p_loss=P_LOSS
)


def _loss_trips() -> int:
    """``n``: the trips of the loss scenario that arrive before the horizon (or are lost)."""
    return schedule_of(LOSS).arrivals


def _p_loss() -> float:
    return check_scenario(LOSS).sustainment.p_loss_per_leg


def _variance_se(r: pd.DataFrame, col: str) -> tuple[float, float]:
    """Sample variance of ``col`` and its standard error ``sqrt((m4 - s^4) / N)``."""
    x = r[col].to_numpy(dtype=float)
    n = x.size
    s2 = float(x.var(ddof=1))
    m4 = float(np.mean((x - x.mean()) ** 4))
    return s2, math.sqrt(max(m4 - s2 * s2, 0.0) / n)


def _loss_desc(what: str) -> str:
    return (
        f"Binomial loss per leg: p_loss_per_leg = {P_LOSS:g}, a convoy every {INTERVAL_H:g} h "
        f"with a fresh vehicle each time, {HORIZON_H:g} h horizon, so n trips arrive (or are "
        "lost) before H, each carrying c = 4 pods: " + what
    )


CHECKS.append(
    Check(
        name="sustain-loss-mean",
        description=_loss_desc("E[deliveries lost] = n p"),
        scenario=LOSS,
        expected=lambda: _loss_trips() * _p_loss(),
        estimate=lambda r: _mean_se(r["deliveries_lost"].to_numpy(dtype=float)),
        replications=20_000,
    )
)
CHECKS.append(
    Check(
        name="sustain-loss-variance",
        description=_loss_desc("Var[deliveries lost] = n p (1 - p) (independent legs)"),
        scenario=LOSS,
        expected=lambda: _loss_trips() * _p_loss() * (1.0 - _p_loss()),
        estimate=lambda r: _variance_se(r, "deliveries_lost"),
        replications=20_000,
    )
)
CHECKS.append(
    Check(
        name="sustain-loss-pods-delivered",
        description=_loss_desc("E[pods delivered] = c n (1 - p)"),
        scenario=LOSS,
        expected=lambda: schedule_of(LOSS).pods_per_trip * _loss_trips() * (1.0 - _p_loss()),
        estimate=lambda r: _mean_se(r["pods_delivered"].to_numpy(dtype=float)),
        replications=20_000,
    )
)
CHECKS.append(
    Check(
        name="sustain-loss-trips-resolved",
        description=_loss_desc(
            "in every replication, deliveries made + deliveries lost = n and "
            "pods delivered + pods lost = c n"
        ),
        scenario=LOSS,
        expected=lambda: 0.0,
        estimate=_identity(
            lambda r: np.maximum(
                np.abs(r["deliveries_made"] + r["deliveries_lost"] - _loss_trips()),
                np.abs(
                    r["pods_delivered"]
                    + r["pods_lost_in_transit"]
                    - schedule_of(LOSS).pods_per_trip * _loss_trips()
                ),
            )
        ),
        replications=2_000,
        exact_match=True,
    )
)
