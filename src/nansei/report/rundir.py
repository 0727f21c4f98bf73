"""Read a run directory written by ``nansei run --out`` or ``nansei demo``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd


@dataclass
class RunDir:
    """The files of one run.

    Attributes
    ----------
    path : Path
    records : pandas.DataFrame
        One row per replication.
    series : pandas.DataFrame or None
        Per-step series (long), if the run kept them.
    trace : pandas.DataFrame or None
        Event trace of replication 0, if the run kept it.
    meta : dict
        Run metadata (seed, replications, versions, run id).
    scenario : nansei.scenario.Scenario
        The scenario as run (from ``scenario.yaml``).
    verification : list of dict or None
        Rows of ``verification.json`` when the directory has one.
    bands : pandas.DataFrame or None
        ``uncertainty_bands.csv`` (per output: the band over parameter uncertainty) when
        the run had an ``uncertain:`` block.
    ranking : pandas.DataFrame or None
        ``uncertainty_ranking.csv`` (PRCC of each uncertain parameter per output).
    """

    path: Path
    records: pd.DataFrame
    series: pd.DataFrame | None
    trace: pd.DataFrame | None
    meta: dict
    scenario: object
    verification: list | None = None
    bands: pd.DataFrame | None = None
    ranking: pd.DataFrame | None = None

    def compiled(self):
        """The compiled scenario (entity names and positions in array order)."""
        from nansei.engine.compile import compile_scenario

        return compile_scenario(self.scenario)


def _parquet(path: Path) -> pd.DataFrame | None:
    return pd.read_parquet(path) if path.exists() else None


def _csv(path: Path) -> pd.DataFrame | None:
    return pd.read_csv(path) if path.exists() else None


def load_run(path: str | Path) -> RunDir:
    """Load a run directory.

    Parameters
    ----------
    path : str or Path
        A directory with at least ``records.parquet``, ``scenario.yaml`` and
        ``meta.json``.

    Returns
    -------
    RunDir

    Raises
    ------
    FileNotFoundError
        If a required file is missing (the message names it).
    """
    from nansei.scenario import load_scenario

    p = Path(path)
    for name in ("records.parquet", "scenario.yaml", "meta.json"):
        if not (p / name).exists():
            raise FileNotFoundError(f"{p}: no {name}; is this a run directory (nansei run --out)?")
    ver = p / "verification.json"
    return RunDir(
        path=p,
        records=pd.read_parquet(p / "records.parquet"),
        series=_parquet(p / "series.parquet"),
        trace=_parquet(p / "trace.parquet"),
        meta=json.loads((p / "meta.json").read_text(encoding="utf-8")),
        scenario=load_scenario(p / "scenario.yaml"),
        verification=json.loads(ver.read_text(encoding="utf-8")) if ver.exists() else None,
        bands=_csv(p / "uncertainty_bands.csv"),
        ranking=_csv(p / "uncertainty_ranking.csv"),
    )
