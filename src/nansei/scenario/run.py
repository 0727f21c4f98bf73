"""Run settings: horizon, output series, seed and replications."""

from __future__ import annotations

from pydantic import Field

from ._base import Model

__all__ = ["RunSettings"]


class RunSettings(Model):
    """How long and how often to run the scenario.

    Replication ``r`` of design point ``d`` uses
    ``numpy.random.SeedSequence(seed, spawn_key=(d, r))``.
    """

    horizon_h: float = Field(
        720.0, gt=0.0, le=43_800.0, description="Simulated time, hours (at most 5 years)."
    )
    series_step_h: float = Field(
        24.0, gt=0.0, le=8760.0, description="Step of the output time series, hours."
    )
    seed: int = Field(0, ge=0, le=2**63 - 1, description="Root seed (non-negative integer).")
    replications: int = Field(1000, ge=1, le=10_000_000, description="Number of replications.")
    trace: bool = Field(False, description="Record an event trace (slow; for one replication).")
