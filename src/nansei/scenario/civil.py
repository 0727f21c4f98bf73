"""Residents, tourists and the Civil Protection Law evacuation.

Evacuation may be ordered only while ``evacuation_order`` is permitted (an
anticipated armed attack or armed attack situation under ``law-2021``); the
order takes effect ``evacuation.order_delay_h`` later. Evacuees leave through
gateways (airports, ports) with daily capacities; small islands first move to
their staging island (``staging``) and leave from there.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from ._base import Confidence, Count, Ident, Model, Probability, fail
from .distributions import Distribution, fixed

__all__ = ["SAKISHIMA", "Civil", "Evacuation", "Gateway", "Weather"]

#: Gazetteer ids of the Sakishima islands covered by the 2025 evacuation plan.
SAKISHIMA: tuple[str, ...] = (
    "miyako",
    "irabu_shimoji",
    "tarama",
    "ishigaki",
    "iriomote_taketomi",
    "hateruma",
    "yonaguni",
)

#: Host prefectures and their quotas in the 2025 plan (Jiji/Kyodo via Nation Thailand,
#: 2025-03-27; confidence B).
HOST_PREFECTURES_2025: dict[str, int] = {
    "Fukuoka": 47400,
    "Kagoshima": 13800,
    "Kumamoto": 12800,
    "Yamaguchi": 12600,
    "Oita": 10500,
    "Miyazaki": 9800,
    "Nagasaki": 4200,
    "Saga": 1700,
}


class Gateway(Model):
    """An evacuation gateway (airport or port) on an island."""

    id: Ident = Field(description="Unique gateway id, e.g. 'ROIG' or 'ishigaki-port'.")
    island: str = Field(description="Gazetteer island id.")
    mode: Literal["air", "sea"] = Field(description="'air' (airport) or 'sea' (port).")
    location: str | None = Field(
        None,
        max_length=64,
        description="Gazetteer airport ICAO or port id giving the gateway's position "
        "(None = the island's centre).",
    )
    capacity_per_day: int = Field(ge=0, le=1_000_000, description="Evacuees per day.")
    hours_per_day: float = Field(
        12.0, gt=0.0, le=24.0, description="Operating hours per day (capacity spread evenly)."
    )
    source: str = Field("", max_length=500, description="Where the capacity comes from.")
    confidence: Confidence = Field("C", description="Confidence grade A/B/C.")


class Weather(Model):
    """Daily cancellation of flights and sailings."""

    p_cancel_air_per_day: Probability = Field(
        0.0, description="Probability all air departures are cancelled on a given day."
    )
    p_cancel_sea_per_day: Probability = Field(
        0.0, description="Probability all sailings are cancelled on a given day."
    )


def _default_staging() -> dict[str, str]:
    return {
        "yonaguni": "ishigaki",
        "iriomote_taketomi": "ishigaki",
        "hateruma": "ishigaki",
        "tarama": "miyako",
    }


class Evacuation(Model):
    """The evacuation of residents and tourists by air and sea."""

    islands: list[str] = Field(
        default_factory=lambda: list(SAKISHIMA),
        description="Islands evacuated (default: Sakishima, as in the 2025 plan).",
    )
    order_delay_h: Distribution = Field(
        fixed(0.0), description="Delay from the authority to the order taking effect, hours."
    )
    priority: Literal["small_islands_first", "proportional", "care_first"] = Field(
        "small_islands_first",
        description="Allocation of shared gateway capacity among islands.",
    )
    gateways: Literal["gazetteer"] | list[Gateway] = Field(
        "gazetteer", description="Gateways: 'gazetteer' (built-in) or an inline list."
    )
    staging: dict[str, str] = Field(
        default_factory=_default_staging,
        description="Island → island where its evacuees first go (plan: Yonaguni and "
        "Taketomi via Ishigaki, Tarama via Miyako).",
    )
    destinations: list[str] = Field(
        default_factory=lambda: ["Fukuoka AP", "Kagoshima AP", "Kagoshima Port"],
        description="Destination gateways outside the region (reporting only).",
    )
    host_prefectures: dict[str, Count] = Field(
        default_factory=lambda: dict(HOST_PREFECTURES_2025),
        description="Host prefecture → evacuees it receives (2025 plan).",
    )
    weather: Weather = Field(default_factory=Weather, description="Weather disruption.")
    suspend_radius_km: float = Field(
        5.0,
        ge=0.0,
        le=100.0,
        description="A Red strike within this distance of a gateway suspends it for suspend_h.",
    )
    suspend_h: float = Field(6.0, ge=0.0, le=720.0, description="Suspension time, hours.")
    road_links: dict[str, str] = Field(
        default_factory=lambda: {"irabu_shimoji": "miyako"},
        description="Island → island joined to it by road bridges: people on either may "
        "leave through the gateways of both (default: Irabu/Shimoji–Miyako, Irabu Bridge).",
    )
    care_fraction: Probability = Field(
        0.05,
        description="Share of each island's people who need care; served first under "
        "priority 'care_first' (assumption, confidence C).",
    )
    opens_at_h: float = Field(
        7.0,
        ge=0.0,
        lt=24.0,
        description="Hour of the day (t = 0 is midnight) at which gateways open; each "
        "gateway then operates hours_per_day hours (assumption, confidence C).",
    )
    gateway_exclusion_km: float = Field(
        0.0,
        ge=0.0,
        le=100.0,
        description="While an island evacuates, launchers avoid sites this close to its "
        "gateways (0 = no rule).",
    )

    @model_validator(mode="after")
    def _staging(self) -> Evacuation:
        for src, dst in self.staging.items():
            if src == dst:
                fail(("staging", src), "an island cannot stage through itself", value=dst)
            if dst in self.staging:
                fail(("staging", src), f"staging island '{dst}' is itself staged", value=dst)
        for src, dst in self.road_links.items():
            if src == dst:
                fail(("road_links", src), "an island cannot be linked to itself", value=dst)
            if self.staging.get(src) != self.staging.get(dst):
                fail(
                    ("road_links", src),
                    f"islands joined by road must share their staging ('{src}' stages via "
                    f"{self.staging.get(src)!r}, '{dst}' via {self.staging.get(dst)!r})",
                    value=dst,
                )
        return self


class Civil(Model):
    """Residents, tourists, sheltering and evacuation (off by default)."""

    enabled: bool = Field(False, description="Simulate residents and evacuation.")
    population_source: Literal["gazetteer"] = Field(
        "gazetteer", description="Residents per island: the gazetteer's census figures."
    )
    tourists: Literal["gazetteer"] | dict[str, Count] = Field(
        "gazetteer", description="Tourists per island: 'gazetteer' or island → count."
    )
    shelter_in_place: list[str] = Field(
        default_factory=lambda: ["okinawa"],
        description="Islands whose residents shelter indoors instead of evacuating.",
    )
    evacuation: Evacuation = Field(default_factory=Evacuation, description="Evacuation.")

    @model_validator(mode="after")
    def _overlap(self) -> Civil:
        both = sorted(set(self.shelter_in_place) & set(self.evacuation.islands))
        if both:
            fail(
                ("shelter_in_place",),
                f"islands both shelter and evacuate: {', '.join(both)}",
            )
        return self
