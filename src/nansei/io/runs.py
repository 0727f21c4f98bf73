"""Write a simulation run to a directory of Parquet and JSON files.

Each file is written to a temporary name and renamed into place, so a crash
never leaves a half-written file under its final name.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pandas as pd


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except BaseException:  # a full disk, Ctrl-C: leave no temporary behind
        tmp.unlink(missing_ok=True)
        raise


def _atomic_parquet(df: pd.DataFrame, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        df.to_parquet(tmp, index=False)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _clean(obj):
    if isinstance(obj, float) and math.isnan(obj):
        return None
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    if hasattr(obj, "item"):
        return obj.item()
    return obj


def write_run(results, scenario, out: Path, summary: pd.DataFrame | None = None) -> Path:
    """Write records, summary, series, trace, scenario and metadata to ``out``.

    Parameters
    ----------
    results : nansei.engine.results.Results
    scenario : nansei.scenario.Scenario
    out : Path
        Directory, created if needed.
    summary : pandas.DataFrame, optional
        ``results.summary()`` if the caller has it already (it is not computed again).

    Returns
    -------
    Path
        The directory written.
    """
    from nansei.scenario import scenario_to_yaml

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    _atomic_parquet(results.records, out / "records.parquet")
    if results.series is not None:
        _atomic_parquet(results.series, out / "series.parquet")
    if results.trace is not None:
        _atomic_parquet(results.trace, out / "trace.parquet")
    summary = (results.summary() if summary is None else summary).reset_index()
    _atomic_write_bytes(out / "summary.csv", summary.to_csv(index=False).encode())
    _atomic_write_bytes(out / "scenario.yaml", scenario_to_yaml(scenario).encode())
    meta = _clean(dict(results.meta))
    _atomic_write_bytes(out / "meta.json", (json.dumps(meta, indent=2) + "\n").encode())
    return out


def write_uncertainty(unc, out: Path) -> Path:
    """Write uncertainty bands to a run directory: ``uncertainty.parquet`` (one row per
    hypercube point: parameter values and output means), ``uncertainty_bands.csv``,
    ``uncertainty_ranking.csv`` and ``uncertainty.json`` (the design and the parameters
    with their provenance).

    Parameters
    ----------
    unc : nansei.analysis.uncertainty.UncertaintyResult
    out : Path
        The run directory (created if needed).
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    _atomic_parquet(unc.points, out / "uncertainty.parquet")
    bands = unc.bands.reset_index().to_csv(index=False).encode()
    _atomic_write_bytes(out / "uncertainty_bands.csv", bands)
    ranking = unc.ranking.to_csv(index=False).encode()
    _atomic_write_bytes(out / "uncertainty_ranking.csv", ranking)
    meta = json.dumps(_clean(dict(unc.meta)), indent=2) + "\n"
    _atomic_write_bytes(out / "uncertainty.json", meta.encode())
    return out
