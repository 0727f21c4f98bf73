"""Checks of launcher fuel against exact results (``docs/verification.md`` §12).

Listed in ``CHECKS`` and registered in :data:`nansei.verification.checks.REGISTRY`, so
``nansei verify`` runs them.

* **Running dry.** One launcher on the ``ideal-fixed-delay`` cycle (fixed dwell τ, fixed
  move of m hours at speed v, so k = m v km a move), never detected, with sustainment on
  but no fuel anywhere: a tank of C litres, idle burn r l/h, move burn b l/km. A cycle
  costs c = r τ + b k. The launcher makes n = ⌊C / c⌋ moves (no ties: C / c is not an
  integer) and its tank is empty at T = n (τ + m) + (C − n c) / r, whether it runs dry
  during its last stay or, short of the fuel for the next move, idles there until empty.
  Hence ``relocations = n``, ``launcher_fuel_dry_h = H − T`` and ``moves_no_fuel = 1``
  when T < H; all exact.
* **Accounting.** In every replication of ``kyodo-2021`` with a small tank (so launchers
  run dry and refuel), interdiction and stock destruction: tank fuel at start + issued =
  burned + lost with destroyed launchers + in tanks at the horizon; node fuel at start =
  at the end + issued + destroyed + lost in transit + in transit at the horizon.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from nansei.verification.base import Check, _doc

__all__ = ["CHECKS", "DryRun", "dry_run"]

CHECKS: list[Check] = []

#: The lonely launcher: tank (l), idle burn (l/h), move burn (l/km), speed (km/h).
CAP_L, IDLE_L_H, MOVE_L_KM, SPEED_KMH = 33.0, 1.0, 0.1, 40.0
#: The ideal-fixed-delay cycle: dwell and move (h), horizon (h).
TAU_H, MOVE_H, HORIZON_H = 4.0, 0.5, 72.0


@dataclass(frozen=True)
class DryRun:
    """When a launcher with no resupply runs out of fuel.

    Attributes
    ----------
    moves : int
        Moves made, ``n = floor(C / c)``.
    t_dry_h : float
        Time the tank is empty, ``T = n (tau + m) + (C - n c) / r`` (h).
    dry_h : float
        Hours with an empty tank before the horizon, ``max(H - T, 0)``.
    """

    moves: int
    t_dry_h: float
    dry_h: float


def dry_run(cap, idle, per_km, tau, move_h, speed, horizon) -> DryRun:
    """The exact dry-out of a launcher cycling dwell ``tau`` / move ``move_h`` with no fuel supply.

    Parameters
    ----------
    cap : float
        Tank at t = 0 (l).
    idle, per_km : float
        Burn while not moving (l/h, > 0) and per km driven (l/km).
    tau, move_h : float
        Dwell at a site and move time (h); set-up and tear-down are 0.
    speed : float
        Road speed (km/h): a move is ``move_h * speed`` km.
    horizon : float
        Horizon (h).

    Raises
    ------
    ValueError
        If ``cap / c`` is an integer (the outcome then depends on a tie) or ``idle <= 0``.
    """
    if idle <= 0.0:
        raise ValueError(f"idle burn must be > 0, got {idle}")
    cycle = idle * tau + per_km * move_h * speed
    ratio = cap / cycle
    if abs(ratio - round(ratio)) < 1e-9:
        raise ValueError(f"C / c = {ratio:g} is an integer: a tie between running dry and moving")
    n = math.floor(ratio)
    t_dry = n * (tau + move_h) + (cap - n * cycle) / idle
    return DryRun(moves=n, t_dry_h=t_dry, dry_h=max(horizon - t_dry, 0.0))


def _expected() -> DryRun:
    return dry_run(CAP_L, IDLE_L_H, MOVE_L_KM, TAU_H, MOVE_H, SPEED_KMH, HORIZON_H)


LONELY = _doc(
    "ideal-fixed-delay",
    **{
        "run.horizon_h": HORIZON_H,
        "blue.launchers": [
            {
                "id": "l1",
                "count": 1,
                "setup_h": 0,
                "teardown_h": 0,
                "reload_h": 0,
                "road_speed_kmh": SPEED_KMH,
                "fuel_capacity_l": CAP_L,
                "fuel_idle_l_per_h": IDLE_L_H,
                "fuel_move_l_per_km": MOVE_L_KM,
            }
        ],
        "blue.relocation.dwell_h": TAU_H,
        "blue.relocation.fixed_move_h": MOVE_H,
        "red.isr.detection_rate_per_h": dict.fromkeys(
            ("hidden", "moving", "setting_up", "firing", "reloading"), 0.0
        ),
        "sustainment": {
            "enabled": True,
            "depots": [{"id": "kyushu", "island": "kyushu", "fuel_l": 0}],
        },
    },
)
_DESC = (
    f"one launcher, tank C={CAP_L:g} l, idle r={IDLE_L_H:g} l/h, b={MOVE_L_KM:g} l/km, "
    f"dwell {TAU_H:g} h, move {MOVE_H:g} h at {SPEED_KMH:g} km/h, no resupply: "
)


def _common(col: str, also=None):
    """The value of ``col`` shared by every replication (NaN if they differ, or if
    ``also(records)`` is False), with SE 0."""

    def est(r: pd.DataFrame) -> tuple[float, float]:
        x = r[col].to_numpy(dtype=float).round(9)
        ok = (x == x[0]).all() and (also is None or bool(also(r)))
        return (float(x[0]) if ok else math.nan), 0.0

    return est


CHECKS.append(
    Check(
        name="fuel-dry-hours",
        description=_DESC + "hours with an empty tank = H - [n (τ + m) + (C - n c) / r]",
        scenario=LONELY,
        expected=lambda: _expected().dry_h,
        estimate=_common("launcher_fuel_dry_h"),
        replications=50,
        exact_match=True,
    )
)
CHECKS.append(
    Check(
        name="fuel-moves-before-dry",
        description=_DESC + "relocations = n = floor(C / (r τ + b k)), then one move refused",
        scenario=LONELY,
        expected=lambda: float(_expected().moves),
        estimate=_common("relocations", also=lambda r: (r["moves_no_fuel"] == 1).all()),
        replications=50,
        exact_match=True,
    )
)


def resupplied_run(cap, idle, per_km, tau, move_h, speed, horizon, response):
    """The same launcher when an SDF fuel vehicle reaches it ``response`` hours after it
    is stranded (it cannot make its next move), and fills its tank.

    A deterministic recurrence over its stays: each stay burns ``idle tau``; at the
    departure it moves if it holds the fuel for the move (``per_km move_h speed``),
    otherwise it asks for fuel, idles (running dry at ``idle`` l/h), is filled at
    ``t + response`` and leaves at once. Returns ``(moves, dry hours before the horizon,
    vehicles that arrived)``.
    """
    need = per_km * move_h * speed
    t, fuel, moves, dry_h, runs = 0.0, cap, 0, 0.0, 0
    while t + tau < horizon:
        t_dep = t + tau
        t_empty = t + fuel / idle if fuel < idle * tau else math.inf
        fuel = max(fuel - idle * tau, 0.0)
        if fuel >= need and fuel > 0.0:
            fuel -= need
            moves += 1
            t = t_dep + move_h
            continue
        t_fill = t_dep + response
        t_empty = min(t_empty, t_dep + fuel / idle)
        dry_h += max(min(t_fill, horizon) - t_empty, 0.0)
        if t_fill >= horizon:
            return moves, dry_h, runs
        runs += 1
        fuel = cap - need
        moves += 1
        t = t_fill + move_h
    return moves, dry_h, runs


#: Response time of the fuel vehicle (h) in the resupply checks.
RESPONSE_H = 3.3
RESUPPLIED = _doc(
    "ideal-fixed-delay",
    **{
        **LONELY["overrides"],
        "sustainment": {
            "enabled": True,
            "depots": [{"id": "kyushu", "island": "kyushu", "fuel_l": 1_000_000}],
            "fuel_resupply": {"enabled": True, "response_h": RESPONSE_H},
        },
    },
)


def _resupplied():
    return resupplied_run(
        CAP_L, IDLE_L_H, MOVE_L_KM, TAU_H, MOVE_H, SPEED_KMH, HORIZON_H, RESPONSE_H
    )


_RDESC = (
    f"the same launcher with SDF fuel vehicles arriving {RESPONSE_H:g} h after it is "
    "stranded (exact recurrence over its stays): "
)
CHECKS.append(
    Check(
        name="fuel-resupply-runs",
        description=_RDESC + "fuel vehicles that refuelled it",
        scenario=RESUPPLIED,
        expected=lambda: float(_resupplied()[2]),
        estimate=_common("fuel_resupply_runs"),
        replications=50,
        exact_match=True,
    )
)
CHECKS.append(
    Check(
        name="fuel-resupply-dry-hours",
        description=_RDESC + "hours with an empty tank",
        scenario=RESUPPLIED,
        expected=lambda: round(_resupplied()[1], 9),  # as _common rounds
        estimate=_common("launcher_fuel_dry_h"),
        replications=50,
        exact_match=True,
    )
)
CHECKS.append(
    Check(
        name="fuel-resupply-moves",
        description=_RDESC + "relocations",
        scenario=RESUPPLIED,
        expected=lambda: float(_resupplied()[0]),
        estimate=_common("relocations"),
        replications=50,
        exact_match=True,
    )
)


def _kyodo_small_tank() -> dict:
    import yaml

    from nansei.scenario import builtin_path

    doc = yaml.safe_load(builtin_path("kyodo-2021").read_text(encoding="utf-8"))
    groups = doc["blue"]["launchers"]
    for g in groups:
        g["fuel_capacity_l"] = 120.0
    return _doc(
        "kyodo-2021",
        **{
            "run.horizon_h": 240,
            "blue.launchers": groups,
            "sustainment.p_loss_per_leg": 0.1,
            "sustainment.stock_loss_per_gateway_hit": 0.2,
        },
    )


SMALL_TANK = _kyodo_small_tank()


def _tank_balance(r: pd.DataFrame):
    return (
        r["fuel_in_launchers_start_l"]
        + r["fuel_issued_l"]
        - r["fuel_burned_l"]
        - r["fuel_lost_with_launchers_l"]
        - r["fuel_in_launchers_end_l"]
    ).to_numpy(dtype=float)


def _node_balance(r: pd.DataFrame):
    return (
        r["fuel_at_nodes_start_l"]
        - r["fuel_at_nodes_end_l"]
        - r["fuel_issued_l"]
        - r["fuel_destroyed_l"]
        - r["fuel_lost_in_transit_l"]
        - r["fuel_in_transit_end_l"]
    ).to_numpy(dtype=float)


_KDESC = "kyodo-2021, 240 h, 120 l tanks, p_loss 0.1, stock loss 0.2: in every replication, "
CHECKS.append(
    Check(
        name="fuel-tank-conservation",
        description=_KDESC + "tanks at start + issued = burned + lost with launchers + at end",
        scenario=SMALL_TANK,
        expected=lambda: 0.0,
        estimate=lambda r: (round(float(abs(_tank_balance(r)).max()), 6), 0.0),
        replications=400,
        exact_match=True,
    )
)
CHECKS.append(
    Check(
        name="fuel-node-conservation",
        description=_KDESC + "nodes at start = at end + issued + destroyed + lost + in transit",
        scenario=SMALL_TANK,
        expected=lambda: 0.0,
        estimate=lambda r: (round(float(abs(_node_balance(r)).max()), 6), 0.0),
        replications=400,
        exact_match=True,
    )
)
