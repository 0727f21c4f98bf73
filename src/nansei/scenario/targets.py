"""Targets: abstract sea zones and the streams of targets that transit them.

The product models abstract target zones at sea (e.g. a transit zone in the
Miyako Strait); it holds no lists of real installations. Zones default to
the gazetteer's sea zones (:mod:`nansei.geo.gazetteer`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from ._base import Ident, Model, fail
from .distributions import Distribution, fixed

__all__ = ["SeaZone", "TargetStream", "Targets", "ZoneSelection"]


class SeaZone(Model):
    """A circular abstract target zone at sea."""

    id: Ident = Field(description="Unique zone id.")
    name: str = Field("", max_length=200, description="Human-readable name.")
    lat: float = Field(ge=15.0, le=40.0, description="Centre latitude, decimal degrees.")
    lon: float = Field(ge=115.0, le=140.0, description="Centre longitude, decimal degrees.")
    radius_km: float = Field(gt=0.0, le=500.0, description="Zone radius, km.")


class ZoneSelection(Model):
    """Which sea zones exist: built-in (gazetteer) zones plus custom ones."""

    builtin: Literal["all", "none"] | list[Ident] = Field(
        "all", description="Gazetteer sea zones to use: 'all', 'none' or a list of zone ids."
    )
    custom: list[SeaZone] = Field(
        default_factory=list, max_length=200, description="Additional zones defined inline."
    )


class TargetStream(Model):
    """Targets arriving in one zone as a Poisson process (or one persistent target).

    A target is engageable by a launcher when the zone centre is within the
    munition's range of the launcher's site.
    """

    zone: Ident = Field(description="Sea zone id the targets appear in.")
    arrivals_per_day: float = Field(
        0.0, ge=0.0, le=10_000.0, description="Poisson arrival rate of targets, per day."
    )
    dwell_h: Distribution = Field(fixed(6.0), description="Time a target stays in the zone, hours.")
    start_h: float = Field(0.0, ge=0.0, le=43_800.0, description="First time targets appear, h.")
    persistent: bool = Field(
        False,
        description="If true, one target is present from start_h to the end and is never "
        "destroyed (arrivals_per_day and dwell_h are ignored); used by idealised cases.",
    )

    @model_validator(mode="after")
    def _some(self) -> TargetStream:
        if not self.persistent and self.arrivals_per_day == 0.0:
            fail(("arrivals_per_day",), "must be > 0 unless persistent is true", value=0.0)
        return self


class Targets(Model):
    """Sea zones and target streams."""

    zones: ZoneSelection = Field(default_factory=ZoneSelection, description="Sea zones.")
    streams: list[TargetStream] = Field(
        default_factory=list, max_length=200, description="Target streams (may be empty)."
    )
