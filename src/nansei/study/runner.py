"""Run a study: each variant as an experiment into its own crash-safe store, then answer.

``run_study(study, out)`` sweeps every variant (:func:`nansei.experiment.sweep`) into
``out/stores/<variant>/`` (rerunning resumes: stored batches are skipped), reads the
records back, computes the answer (paired differences, a sensitivity ranking or a
timeline), turns it into sentences (:mod:`nansei.analysis.findings`) and writes the brief
(:mod:`nansei.study.brief`) and its tables to ``out``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .spec import Study, experiment_of, load_study

__all__ = ["StudyResult", "answer_study", "run_study"]

Progress = Callable[[int, int], None]


@dataclass
class StudyResult:
    """What :func:`run_study` returns.

    Attributes
    ----------
    study : Study
    findings : list of str
        The answer, in sentences with 95% intervals.
    summary : pandas.DataFrame
        ``variant``, ``design_point``, the ``factor.*`` columns, ``output``, ``mean``,
        ``sem``, ``ci_low``, ``ci_high``, ``n``.
    differences : pandas.DataFrame or None
        compare: ``variant``, ``baseline``, the other ``factor.*`` columns, ``output``,
        ``pairs``, ``mean_diff``, ``sem``, ``ci_low``, ``ci_high``, ``sem_unpaired``,
        ``variance_ratio``.
    ranking : pandas.DataFrame or None
        sensitivity: ``variant``, ``output``, ``rank``, ``factor``, ``prcc``, ``ci_low``,
        ``ci_high``, ``p_value``.
    timeline : pandas.DataFrame or None
        timeline: ``time_h``, ``when``, ``what``.
    out : Path or None
    meta : dict
        Replications, points, seeds, the traced replication, wall time, stores.
    """

    study: Study
    findings: list[str]
    summary: pd.DataFrame
    differences: pd.DataFrame | None = None
    ranking: pd.DataFrame | None = None
    timeline: pd.DataFrame | None = None
    out: Path | None = None
    meta: dict[str, Any] = field(default_factory=dict)


def run_study(
    study: Any,
    out: Path | str,
    workers: int = 1,
    progress: Progress | None = None,
) -> StudyResult:
    """Run (or resume) a study and write its brief to ``out``.

    Parameters
    ----------
    study : str, path, mapping or Study
        A built-in study name, a study file, or a mapping (see :mod:`nansei.study.spec`).
    out : path
        Output directory: ``brief.md``, ``findings.json``, tables, and the variants'
        stores under ``stores/``.
    workers : int
        Local worker processes (the numbers do not depend on it).
    progress : callable, optional
        ``progress(done, total)`` in replications, over every variant.

    Returns
    -------
    StudyResult

    Raises
    ------
    StudyError, ExperimentError
        For a bad study, worker count or output directory.
    KeyboardInterrupt
        On Ctrl-C; the finished batches are kept and a rerun resumes.
    """
    import time

    from nansei.experiment import ExperimentError, sweep
    from nansei.experiment.design import make_design

    from .brief import write_brief
    from .spec import StudyError

    st = load_study(study)
    out = Path(out)
    arms = st.arms()
    exps = [experiment_of(st, arm) for arm in arms]
    points = make_design(exps[0]).points
    per_arm = points * st.replications
    total = per_arm * len(arms)
    t0 = time.perf_counter()
    for k, (arm, exp) in enumerate(zip(arms, exps, strict=True)):
        offset = k * per_arm

        def step(done: int, _total: int, offset: int = offset) -> None:
            if progress:
                progress(offset + done, total)

        try:
            report = sweep(exp, out / "stores" / arm.name, "local", workers, step)
        except ExperimentError as exc:
            if any(p.path == "out" for p in exc.problems):
                raise StudyError(exc.problems, exc.source) from None
            raise
        if report.status == "interrupted":
            raise KeyboardInterrupt
    result = answer_study(st, out)
    result.meta["wall_s"] = time.perf_counter() - t0
    write_brief(result, out)
    return result


def _records(st: Study, out: Path) -> dict[str, pd.DataFrame]:
    from nansei.store import ResultStore

    recs = {}
    for arm in st.arms():
        store = ResultStore.open(out / "stores" / arm.name)
        try:
            recs[arm.name] = store.records()
        finally:
            store.close()
    return recs


def _factor_cols(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if c.startswith("factor.")]


def answer_study(st: Study, out: Path) -> StudyResult:
    """Compute the answer of a study whose stores under ``out/stores`` are complete.

    Returns
    -------
    StudyResult
        Not yet written (see :func:`nansei.study.brief.write_brief`).
    """
    from nansei.analysis import summarize

    recs = _records(st, out)
    frames = []
    for name, df in recs.items():
        fcols = _factor_cols(df)
        s = summarize(df, [*st.outputs, "launchers"], by=("design_point", *fcols))
        s.insert(0, "variant", name)
        frames.append(s)
    summary = pd.concat(frames, ignore_index=True)
    points = int(summary["design_point"].nunique())
    meta: dict[str, Any] = {
        "replications": st.replications,
        "design_points": points,
        "variants": [a.name for a in st.arms()],
        "seed": st.seed,
        "seed_rule": "replication i of every variant and design point: "
        "SeedSequence(seed, spawn_key=(0, i)), as nansei run --seed SEED",
        # the horizon as run (the study's and the first variant's overrides applied)
        "horizon_h": float(experiment_of(st, st.arms()[0]).base_scenario()["run"]["horizon_h"]),
    }
    res = StudyResult(st, [], summary, out=Path(out), meta=meta)
    kind = st.answer.kind
    if kind == "compare":
        _compare(st, recs, res)
    elif kind == "sensitivity":
        _sensitivity(st, recs, res)
    else:
        _timeline(st, recs, res)
    return res


def _context(row: dict[str, Any], fcols: list[str], horizon_h: float) -> str:
    """Where a comparison holds: ``"over 30 days, with <factor> = <value>, ..."``."""
    from nansei.analysis.findings import horizon_words

    parts = [horizon_words(horizon_h)]
    if fcols:
        parts.append(
            "with " + ", ".join(f"{c.removeprefix('factor.')} = {_value(row[c])}" for c in fcols)
        )
    return ", ".join(p for p in parts if p)


def _value(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return f"{v:.4g}" if isinstance(v, float) else str(v)


def _launchers(recs: pd.DataFrame) -> float | None:
    if "launchers" not in recs.columns:
        return None
    return float(recs["launchers"].mean())


def _compare(st: Study, recs: dict[str, pd.DataFrame], res: StudyResult) -> None:
    from nansei.analysis.compare import paired_difference
    from nansei.analysis.findings import comparison_finding

    arms = {a.name: a for a in st.arms()}
    base = st.answer.baseline or st.arms()[0].name
    both = pd.concat(
        [df.assign(**{"factor.variant": name}) for name, df in recs.items()], ignore_index=True
    )
    both = both.drop(columns=["design_point"])
    tables = []
    for name in arms:
        if name == base:
            continue
        d = paired_difference(both, "variant", base, name, st.outputs)
        d.insert(0, "baseline", base)
        d.insert(0, "variant", name)
        tables.append(d)
    diffs = pd.concat(tables, ignore_index=True)
    res.differences = diffs
    fcols = _factor_cols(diffs)
    shown = st.outputs[: st.answer.findings]
    totals = {"launchers_lost": _launchers(recs[base])}
    horizon = res.meta["horizon_h"]
    order = [base, *(n for n in arms if n != base)]
    points = diffs.groupby(fcols, sort=False) if fcols else [((), diffs)]
    for _, at in points:
        first = at.iloc[0].to_dict()
        res.findings.append(
            _levels(res.summary, st.outputs[0], order, arms, first, fcols, horizon, totals)
        )
        for _, g in at.groupby("variant", sort=False):
            rows = [
                g[g["output"] == o].iloc[0].to_dict() for o in shown if (g["output"] == o).any()
            ]
            res.findings.append(
                comparison_finding(
                    arms[g.iloc[0]["variant"]].words(),
                    arms[base].words(),
                    rows,
                    int(min(r["pairs"] for r in rows)) if rows else 0,
                    _context(first, fcols, horizon),
                    totals,
                )
            )


def _levels(summary, output, order, arms, at, fcols, horizon, totals) -> str:
    """The first output's mean under every arm, at one design point."""
    from nansei.analysis.findings import levels_finding

    rows = summary[summary["output"] == output]
    for c in fcols:
        rows = rows[rows[c].astype(str) == str(at[c])]
    means = []
    for name in order:
        r = rows[rows["variant"] == name]
        if not r.empty:
            r = r.iloc[0]
            means.append((arms[name].words(), r["mean"], r["ci_low"], r["ci_high"]))
    return levels_finding(output, means, _context(at, fcols, horizon), totals.get(output))


def _coded(df: pd.DataFrame, factor: str, spec) -> np.ndarray:
    """A factor column as numbers: values, or level numbers of a list of levels."""
    col = df[f"factor.{factor}"]
    if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
        return col.to_numpy(dtype=float)
    levels = [str(v) for v in spec] if isinstance(spec, list) else sorted(col.astype(str).unique())
    return np.array([levels.index(str(v)) for v in col], dtype=float)


def _sensitivity(st: Study, recs: dict[str, pd.DataFrame], res: StudyResult) -> None:
    from nansei.analysis.findings import sensitivity_finding
    from nansei.analysis.ranking import sensitivity_ranking

    tables = []
    for name, df in recs.items():  # the ranking of `nansei analyze`, per variant
        means = df.groupby("design_point", sort=True).mean(numeric_only=True)
        design = df.groupby("design_point", sort=True).first()
        x = pd.DataFrame({f: _coded(design, f, st.factors[f]) for f in st.factors})
        t = sensitivity_ranking(x, means[list(st.outputs)].reset_index(drop=True))
        tables.append(t.assign(variant=name))
    cols = ["variant", "output", "rank", "factor", "prcc", "ci_low", "ci_high", "p_value"]
    res.ranking = pd.concat(tables, ignore_index=True)[cols]
    points = res.meta["design_points"]
    for name in recs:
        for o in st.outputs[: st.answer.findings]:
            sub = res.ranking[(res.ranking["variant"] == name) & (res.ranking["output"] == o)]
            text = sensitivity_finding(o, sub.to_dict("records"), points, st.replications)
            if len(recs) > 1:
                text = f"{name}: {text}"
            res.findings.append(text)
    from nansei.experiment.design import make_design

    design = make_design(experiment_of(st, st.arms()[0]))
    res.meta["design_kind"] = st.design.kind
    res.meta["factors"] = list(st.factors)
    res.meta["design_max_abs_correlation"] = design.max_abs_correlation()
    res.meta["orthogonality"] = design.orthogonality()


def _typical(df: pd.DataFrame, output: str) -> int:
    """The replication whose ``output`` is closest to its median (the first such)."""
    x = df[output].to_numpy(dtype=float)
    ok = ~np.isnan(x)
    if not ok.any():
        return int(df["replication"].min())
    med = float(np.median(x[ok]))
    dist = np.where(ok, np.abs(x - med), np.inf)
    return int(df["replication"].to_numpy()[int(np.argmin(dist))])


def _timeline(st: Study, recs: dict[str, pd.DataFrame], res: StudyResult) -> None:
    from nansei.analysis.findings import run_findings
    from nansei.engine.compile import compile_scenario
    from nansei.engine.layout import EVENT_NAMES
    from nansei.engine.results import series_frame, trace_frame
    from nansei.engine.simulate import run_batch, run_trace
    from nansei.scenario import load_scenario

    from .timeline import timeline

    arm = st.arms()[0]
    df = recs[arm.name]
    k = st.answer.replication
    k = _typical(df, st.outputs[0]) if k == "typical" else int(k)
    sc = load_scenario(st.base_scenario(), overrides={**st.overrides, **arm.overrides} or None)
    compiled = compile_scenario(sc)
    out, series = run_batch(compiled, st.seed, 0, k, k + 1, True)
    record = dict(zip(compiled.output_names, (float(v) for v in out[0]), strict=True))
    stored = df[df["replication"] == k].iloc[0]
    for o in st.outputs:  # the traced replication is the stored one (same seeds)
        a, b = float(stored[o]), record[o]
        if not (a == b or (math.isnan(a) and math.isnan(b))):
            raise RuntimeError(f"replication {k} does not reproduce: {o} {a} != {b}")
    ser = series_frame(series, compiled.step_h, np.array([k]), compiled.series_names)
    trace = trace_frame(run_trace(compiled, st.seed, 0, k), EVENT_NAMES, compiled.site_ids)
    horizon = float(sc.run.horizon_h)
    res.timeline = timeline(trace, record, compiled, horizon, ser, list(sc.events))
    res.meta["replication"] = k
    res.meta["replication_rule"] = (
        f"closest to the median of {st.outputs[0]}"
        if st.answer.replication == "typical"
        else "chosen in the study"
    )
    summ = res.summary[res.summary["variant"] == arm.name].set_index("output")
    res.findings.extend(run_findings(summ, st.replications, horizon, limit=st.answer.findings))
    lost = record.get("launchers_lost")
    if lost is not None and "launchers" in record:
        res.findings.append(
            f"The replication told below (number {k}, {res.meta['replication_rule']}) loses "
            f"{lost:.0f} of {record['launchers']:.0f} launchers and fires "
            f"{record.get('salvos_fired', float('nan')):.0f} salvos."
        )
