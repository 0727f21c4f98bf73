"""``nansei analyze DIR``: the tables behind the command, for a store or a plain run.

Means and confidence intervals always come from :func:`nansei.analysis.summarize`,
so the numbers match reports and the web page exactly.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from nansei.analysis import paired_difference, replications_needed, summarize
from nansei.analysis.ranking import METHODS, sensitivity_ranking
from nansei.engine.layout import OUTPUT_NAMES

__all__ = ["SPACE_FILLING", "AnalyzeError", "analyze_directory"]

#: Design kinds that get a sensitivity ranking (SALib's own designs get Sobol or Morris).
SPACE_FILLING = ("lhs", "sobol", "nolh")


class AnalyzeError(Exception):
    """Bad analysis request (unknown output, factor or directory)."""


def _outputs(records: pd.DataFrame, wanted: list[str] | None) -> list[str]:
    have = [c for c in OUTPUT_NAMES if c in records.columns]
    have += [c for c in records.columns if c.startswith("evac_")]
    if not wanted:
        return have
    bad = [w for w in wanted if w not in have]
    if bad:
        raise AnalyzeError(f"--output: unknown output(s) {bad}; allowed: {', '.join(have)}")
    return list(wanted)


def _run_directory(directory: Path, outputs, half_width) -> dict[str, pd.DataFrame]:
    records = pd.read_parquet(directory / "records.parquet")
    outs = _outputs(records, outputs)
    result = {"summary": summarize(records, outs)}
    if half_width is not None:
        result["replications_needed"] = pd.concat(
            [replications_needed(records, o, half_width).assign(output=o) for o in outs]
        )
    return result


def _parse_compare(text: str, records: pd.DataFrame) -> tuple[str, str, str]:
    name, _, levels = text.partition("=")
    col = f"factor.{name.removeprefix('factor.')}"
    if col not in records.columns:
        facs = [c.removeprefix("factor.") for c in records.columns if c.startswith("factor.")]
        raise AnalyzeError(f"--compare: unknown factor {name!r}; factors: {', '.join(facs)}")
    present = [str(v) for v in pd.unique(records[col].astype(str))]
    if levels:
        parts = [p.strip() for p in levels.split(",")]
        if len(parts) != 2 or any(p not in present for p in parts):
            raise AnalyzeError(
                f"--compare {text!r}: give two levels A,B of {name}; levels: {', '.join(present)}"
            )
        return col, parts[0], parts[1]
    if len(present) < 2:
        raise AnalyzeError(f"--compare: factor {name} has one level only")
    return col, present[0], present[1]


def analyze_directory(
    directory: Path,
    outputs: list[str] | None = None,
    half_width: float | None = None,
    compare: str | None = None,
    ranking: str = "prcc",
) -> dict[str, pd.DataFrame]:
    """Analysis tables of a sweep store or a ``nansei run --out`` directory.

    Parameters
    ----------
    directory : Path
        A sweep store or a run directory.
    outputs : list of str, optional
        Outputs to analyse (default: all).
    half_width : float, optional
        Also the replications needed for this CI half-width.
    compare : str, optional
        ``FACTOR`` or ``FACTOR=A,B``: paired differences B - A.
    ranking : {"prcc", "regression"}
        Method of the sensitivity ranking of a space-filling design (``lhs``, ``sobol``,
        ``nolh``): :func:`nansei.analysis.ranking.sensitivity_ranking`.

    Returns
    -------
    dict of str to DataFrame
        ``summary`` (per design point, with factor values), and as requested
        ``replications_needed``, ``paired_difference``; ``sobol`` or ``morris`` for a
        SALib design, ``ranking`` for a complete space-filling design.

    Raises
    ------
    AnalyzeError
    """
    from nansei.store import ResultStore, StoreError, is_store

    directory = Path(directory)
    if half_width is not None and not half_width > 0:
        raise AnalyzeError(f"--half-width must be > 0 (got {half_width})")
    if ranking not in METHODS:
        raise AnalyzeError(f"--ranking: unknown method {ranking!r}; allowed: {', '.join(METHODS)}")
    if (directory / "records.parquet").is_file() and not is_store(directory):
        return _run_directory(directory, outputs, half_width)
    if not is_store(directory):
        raise AnalyzeError(
            f"{directory} is neither a sweep store (experiment.json) nor a run directory "
            "(records.parquet)"
        )
    store = ResultStore.open(directory)
    try:
        records = store.records()
    except StoreError as exc:
        raise AnalyzeError(str(exc)) from None
    if records.empty:
        raise AnalyzeError(f"{directory} holds no records yet; run or resume the sweep")
    design = store.design()
    outs = _outputs(records, outputs)
    table = summarize(records, outs, by=("design_point",))
    result = {"summary": design.merge(table, on="design_point")}
    if half_width is not None:
        result["replications_needed"] = pd.concat(
            [
                replications_needed(records, o, half_width, by=("design_point",)).assign(output=o)
                for o in outs
            ]
        )
    if compare:
        col, a, b = _parse_compare(compare, records)
        result["paired_difference"] = paired_difference(records, col, a, b, outs).assign(
            factor=col.removeprefix("factor."), a=a, b=b
        )
    result.update(_sensitivity(store, records, outs, ranking))
    store.close()
    return result


def _ranking(design, records: pd.DataFrame, outs: list[str], method: str) -> pd.DataFrame:
    """Sensitivity ranking of a space-filling design on the per-point means."""
    from nansei.analysis.sensitivity import point_means

    x = pd.DataFrame(design.coded, columns=list(design.factors))
    y = pd.DataFrame({o: point_means(records, o, design.points) for o in outs})
    return sensitivity_ranking(x, y, method=method)


def _sensitivity(
    store, records: pd.DataFrame, outs: list[str], ranking: str = "prcc"
) -> dict[str, pd.DataFrame]:
    from nansei.analysis.sensitivity import morris_indices, point_means, sobol_indices

    from .design import make_design, salib_problem
    from .runner import _stored_experiment

    exp, points = _stored_experiment(store)
    if exp.design.kind not in ("saltelli", "morris", *SPACE_FILLING):
        return {}
    if records["design_point"].nunique() < points:
        return {}
    design = make_design(exp)
    if exp.design.kind in SPACE_FILLING:
        return {"ranking": _ranking(design, records, outs, ranking)}
    problem = salib_problem(exp)
    frames = []
    for o in outs:
        y = point_means(records, o, points)
        if exp.design.kind == "saltelli":
            df = sobol_indices(problem, y, seed=exp.design.seed)
        else:
            df = morris_indices(problem, design.unit, y, exp.design.morris_levels, exp.design.seed)
        frames.append(df.assign(output=o))
    return {"sobol" if exp.design.kind == "saltelli" else "morris": pd.concat(frames)}
