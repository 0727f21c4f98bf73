"""Shared small run for the report tests (kyodo-2021, 120 replications, series and trace)."""

from __future__ import annotations

from pathlib import Path

REPS = 120


def write_small_run(out: Path) -> Path:
    """Simulate kyodo-2021 briefly and write a run directory."""
    from nansei.engine.simulate import simulate
    from nansei.io.runs import write_run
    from nansei.scenario import load_scenario

    sc = load_scenario("kyodo-2021")
    res = simulate(sc, REPS, seed=7, series=True, trace=True)
    return write_run(res, sc, out)
