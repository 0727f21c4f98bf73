"""SDF sustainment: depots, forward supply points and transport assets.

SDF supply of ammunition and fuel to US forces is gated by the legal
authorities (``sdf_supply_ammunition``, ``sdf_supply_fuel``,
``sdf_transport``, ``sdf_logistics_in_combat_zone``). A supply point's
island counts as a combat zone while it has been struck within the last
``combat_zone_window_h`` hours.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from ._base import Confidence, Count, Ident, Model, Probability, fail
from .distributions import Distribution, fixed

__all__ = ["Depot", "FuelResupply", "SupplyPoint", "Sustainment", "TransportAsset"]


class Depot(Model):
    """A rear depot (e.g. on Kyushu or Okinawa) holding munitions and fuel."""

    id: Ident = Field(description="Unique node id (depots and supply points share ids).")
    island: str = Field(description="Gazetteer island id, or 'kyushu' for the mainland (off-map).")
    pods: dict[Ident, Count] = Field(
        default_factory=dict, description="Pods held at start, by munition id."
    )
    fuel_l: float = Field(0.0, ge=0.0, le=1e9, description="Fuel held at start, litres.")


class SupplyPoint(Model):
    """A forward supply point on an island, reordering with an (s, S) policy.

    Launchers on the same island reload pods and refuel here. With
    ``policy: s_S`` an order is placed when the pods of a munition fall to
    ``reorder_point`` or below, for enough pods to reach ``order_up_to``.
    Fuel is topped up to the initial ``fuel_l`` with each delivery.
    """

    id: Ident = Field(description="Unique node id.")
    island: str = Field(description="Gazetteer island id.")
    pods: dict[Ident, Count] = Field(
        default_factory=dict, description="Pods held at start, by munition id."
    )
    fuel_l: float = Field(0.0, ge=0.0, le=1e8, description="Fuel held at start, litres.")
    reorder_point: int = Field(2, ge=0, le=100_000, description="s: reorder at or below, pods.")
    order_up_to: int = Field(6, ge=0, le=100_000, description="S: order up to, pods.")

    @model_validator(mode="after")
    def _s_le_S(self) -> SupplyPoint:
        if self.reorder_point > self.order_up_to:
            fail(
                ("reorder_point",),
                f"reorder_point s={self.reorder_point} must be <= order_up_to S={self.order_up_to}",
                value=self.reorder_point,
            )
        return self


class TransportAsset(Model):
    """A pool of SDF (or chartered) transports moving supplies between nodes."""

    id: Ident = Field(description="Unique transport id.")
    kind: Literal["LCU", "LSV", "LST", "PFI_ferry", "C-130H", "C-2", "truck"] = Field(
        description="Transport type."
    )
    count: int = Field(1, ge=1, le=1000, description="Number of vehicles/ships/aircraft.")
    capacity_t: float = Field(gt=0.0, le=100_000.0, description="Payload per trip, tonnes.")
    speed_kmh: float = Field(gt=0.0, le=1200.0, description="Speed, km/h.")
    turnaround_h: float = Field(
        4.0, ge=0.0, le=240.0, description="Load/unload time per trip, hours."
    )
    source: str = Field("", max_length=500, description="Where the figures come from.")
    confidence: Confidence = Field("C", description="Confidence grade A/B/C.")


class FuelResupply(Model):
    """SDF fuel vehicles sent to launchers stranded for fuel where no node can refuel them.

    A launcher that cannot fire or move for lack of fuel, on an island without a depot or
    supply point (or whose node has no fuel), asks for a vehicle once; after
    ``response_h`` (dispatch, lift to the island, the drive) it fills the tank from the
    node holding the most fuel, if ``sdf_supply_fuel`` is authorised and, on an island
    struck within ``combat_zone_window_h``, ``sdf_logistics_in_combat_zone``; otherwise
    the launcher asks again.
    """

    enabled: bool = Field(False, description="Send fuel vehicles to stranded launchers.")
    response_h: Distribution = Field(
        fixed(12.0),
        description="Time from the request to the vehicle's arrival, hours (assumption C).",
    )


class Sustainment(Model):
    """The SDF supply chain (off by default: launchers then use only their own pods)."""

    enabled: bool = Field(False, description="Simulate the supply chain.")
    depots: list[Depot] = Field(default_factory=list, max_length=100, description="Depots.")
    supply_points: list[SupplyPoint] = Field(
        default_factory=list, max_length=500, description="Forward supply points."
    )
    transports: list[TransportAsset] = Field(
        default_factory=list, max_length=100, description="Transport pools."
    )
    policy: Literal["scheduled", "s_S"] = Field(
        "s_S",
        description="'scheduled': a convoy every convoy_interval_h to each supply point, "
        "filling it to order_up_to; 's_S': order when stock <= reorder_point.",
    )
    convoy_interval_h: float = Field(
        24.0, gt=0.0, le=8760.0, description="Interval between scheduled convoys, hours."
    )
    p_loss_per_leg: Probability = Field(
        0.0, description="Probability a transport and its load are lost on one leg."
    )
    stock_loss_per_gateway_hit: Probability = Field(
        0.0,
        description="Probability that each pod (and fraction of fuel) held at depots and "
        "supply points on an island is destroyed when a Red strike leaks at one of its "
        "airports or ports (C).",
    )
    combat_zone_window_h: float = Field(
        24.0,
        ge=0.0,
        le=8760.0,
        description="An island struck within this many hours is 'where combat is taking "
        "place': SDF supply there needs sdf_logistics_in_combat_zone.",
    )
    refuel_below: float = Field(
        0.5,
        ge=0.0,
        le=1.0,
        description="A launcher arriving at a site on an island with a depot or supply point "
        "tops up its tank there when it holds less than this fraction of its capacity (C). "
        "An empty launcher, or one without the fuel for its next move, refuels whenever "
        "the node has fuel.",
    )
    fuel_resupply: FuelResupply = Field(
        default_factory=FuelResupply,
        description="SDF fuel vehicles for launchers stranded where no node can refuel them.",
    )
    fuel_reorder_fraction: float = Field(
        0.5,
        ge=0.0,
        le=1.0,
        description="Under 's_S', a supply point also orders fuel (back to its initial fuel_l) "
        "when its fuel on hand and on order falls to this fraction of fuel_l (C).",
    )

    @model_validator(mode="after")
    def _nodes(self) -> Sustainment:
        ids = [n.id for n in (*self.depots, *self.supply_points)]
        dup = sorted({x for x in ids if ids.count(x) > 1})
        if dup:
            fail((), f"duplicate depot/supply point ids: {', '.join(dup)}")
        if self.enabled and not self.depots:
            fail(("depots",), "sustainment is enabled but there is no depot")
        if self.enabled and self.supply_points and not self.transports:
            fail(("transports",), "sustainment is enabled but there is no transport")
        return self
