"""Run an experiment into a store: plan the batch keys, skip stored ones, run the rest.

Seeds: replication ``i`` of design point ``dp`` uses
``SeedSequence(seed, spawn_key=(dp, i))`` (with ``common_random_numbers``,
``(0, i)`` for every design point), so the records are the same whatever the
executor, the number of workers, the shard or how often the sweep was resumed.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from nansei.store import BatchKey, ResultStore, StoreError

from .design import Design, column_value, make_design
from .errors import ExperimentError, experiment_error
from .executors import ExecutorSpec, parse_executor, run_tasks
from .spec import Experiment, load_experiment
from .tasks import Task

__all__ = ["ExperimentResult", "SweepReport", "batch_keys", "run_experiment", "sweep"]

#: ``progress(done_replications, total_replications)`` after each stored batch.
Progress = Callable[[int, int], None]
MAX_WORKERS = 256


def batch_keys(exp: Experiment, points: int) -> list[BatchKey]:
    """Every batch key of the experiment, sorted by design point then replication."""
    r, b = exp.replications, exp.batch_size
    return [BatchKey(dp, a, min(a + b, r)) for dp in range(points) for a in range(0, r, b)]


def _factor_types(design: Design) -> dict[str, str]:
    out = {}
    for f in design.factors:
        vals = [column_value(v[f]) for v in design.values]
        if all(isinstance(v, bool) for v in vals):
            out[f] = "bool"
        elif all(isinstance(v, int | float) and not isinstance(v, bool) for v in vals):
            out[f] = "float64"
        else:
            out[f] = "string"
    return out


def _factor_columns(values: dict[str, Any], types: dict[str, str]) -> dict:
    cols = {}
    for f, t in types.items():
        v = column_value(values[f])
        v = float(v) if t == "float64" else (str(v) if t == "string" else bool(v))
        cols[f"factor.{f}"] = (v, t)
    return cols


def check_design_points(exp: Experiment, design: Design) -> None:
    """Validate every design point's scenario; errors name the point and its factor values.

    Raises
    ------
    ExperimentError
    """
    from nansei.scenario import ScenarioError, load_scenario

    from .paths import set_path

    base = exp.base_scenario()
    seen: set[str] = set()
    for dp, values in enumerate(design.values):
        key = json.dumps(values, sort_keys=True, default=str)
        if key in seen:
            continue
        seen.add(key)
        data = base
        for path, v in values.items():
            data = set_path(data, path, v)
        try:
            load_scenario(data)
        except ScenarioError as exc:
            p = exc.problems[0]
            named = [f for f in values if _related(f, p.path)] or list(values)
            levels = ", ".join(f"{f} = {v!r:.60}" for f, v in values.items())
            raise experiment_error(
                f"factors.{named[0]}" if len(named) == 1 else "factors",
                values[named[0]] if len(named) == 1 else values,
                f"design point {dp} ({levels}) gives an invalid scenario: {p.path}: {p.message}",
                p.allowed,
            ) from None


def _related(factor: str, path: str) -> bool:
    """The factor's field is ``path`` or contains it, or ``path`` contains the field."""
    a, b = factor.replace("[", ".["), path.replace("[", ".[")
    return a == b or b.startswith(a + ".") or a.startswith(b + ".")


@dataclass
class SweepReport:
    """What a :func:`sweep` call did.

    Attributes
    ----------
    out : Path
        The store directory.
    status : str
        ``finished``, ``interrupted`` or ``partial`` (a shard finished its slice).
    batches_run, batches_skipped, batches_total : int
        Batches run now, found already stored, and in the whole experiment.
    replications_run : int
        Replications run now.
    wall_s, kernel_s : float
        Wall time of this call and summed kernel time of its batches (s).
    extra : dict
        ``quarantined``: damaged parts found, moved to ``quarantine/`` and rerun
        (``results/NAME: reason`` each), when there were any.
    """

    out: Path
    status: str
    batches_run: int
    batches_skipped: int
    batches_total: int
    replications_run: int
    wall_s: float
    kernel_s: float
    extra: dict[str, Any] = field(default_factory=dict)


def _tasks(exp: Experiment, design: Design, keys: list[BatchKey], rid: str) -> Iterator[Task]:
    scenario_json = json.dumps(exp.base_scenario(), sort_keys=True)
    types = _factor_types(design)
    fp = exp.fingerprint()
    name = str(exp.base_scenario().get("name", exp.name))
    outputs = tuple(exp.outputs) if exp.outputs else None
    for key in keys:
        values = design.values[key.dp]
        yield Task(
            fingerprint=fp,
            scenario_json=scenario_json,
            levels=values,
            factor_columns=_factor_columns(values, types),
            key=key,
            seed=exp.seed,
            stream=0 if exp.common_random_numbers else key.dp,
            run_id=rid,
            scenario_name=name,
            outputs=outputs,
        )


def open_store(exp: Experiment, design: Design, out: Path) -> ResultStore:
    """Create or reopen the store of ``exp`` at ``out``."""
    import numba
    import pyarrow

    from nansei.version import __version__

    fp = exp.fingerprint()
    doc = {
        "name": exp.name,
        "fingerprint": fp,
        "nansei_version": __version__,
        "design_points": design.points,
        "experiment": exp.canonical(),
    }
    info = {
        "experiment": exp.name,
        "fingerprint": fp,
        "design_kind": exp.design.kind,
        "design_points": design.points,
        "factors": list(design.factors),
        "replications": exp.replications,
        "batch_size": exp.batch_size,
        "seed": exp.seed,
        "common_random_numbers": exp.common_random_numbers,
        "seed_rule": "SeedSequence(seed, spawn_key=(0 if crn else design_point, replication))",
        "versions": {
            "nansei": __version__,
            "numpy": np.__version__,
            "numba": numba.__version__,
            "pandas": pd.__version__,
            "pyarrow": pyarrow.__version__,
        },
        "created": time.time(),
    }
    try:
        return ResultStore.create(Path(out), doc, design.table(), info)
    except StoreError as exc:
        raise experiment_error("out", str(out), str(exc)) from None


def sweep(
    experiment: Any,
    out: Path | str,
    executor: str | ExecutorSpec = "local",
    workers: int = 1,
    progress: Progress | None = None,
) -> SweepReport:
    """Run (or resume) an experiment into the store at ``out``.

    Parameters
    ----------
    experiment : str, path, mapping or Experiment
        The experiment (see :func:`nansei.experiment.load_experiment`).
    out : path
        Store directory; rerunning with the same experiment skips stored batches.
    executor : str or ExecutorSpec
        ``local``, ``dask``, ``dask=ADDRESS`` or ``shard K/N``.
    workers : int
        Local worker processes (``local``, ``shard``), or LocalCluster workers (``dask``).
    progress : callable, optional
        ``progress(done, total)`` in replications, after each stored batch.

    Returns
    -------
    SweepReport
        Ctrl-C (KeyboardInterrupt) stops cleanly: finished batches are kept and
        the report says ``interrupted``.

    Raises
    ------
    ExperimentError
        For a bad experiment, executor, worker count or output directory.
    """
    exp = load_experiment(experiment)
    spec = executor if isinstance(executor, ExecutorSpec) else parse_executor(executor)
    if not isinstance(workers, int) or not 1 <= workers <= MAX_WORKERS:
        raise experiment_error("workers", workers, f"must be between 1 and {MAX_WORKERS}")
    design = make_design(exp)
    check_design_points(exp, design)
    store = open_store(exp, design, Path(out))
    keys = batch_keys(exp, design.points)
    if spec.shard:
        k, n = spec.shard
        keys = keys[k::n]
    try:
        # stored parts are checked, not trusted: damaged ones are moved aside and rerun
        damaged = store.verify(keys if spec.shard else None)
        store.quarantine(damaged)
        done, full = store.done()
        todo = [key for key in keys if key not in done and key.dp not in full]
        total = sum(key.stop - key.start for key in keys)
        already = total - sum(key.stop - key.start for key in todo)
        run_no = store.meta.begin_run(spec.describe(), workers, len(todo))
    except BaseException:
        store.close()
        raise
    t0 = time.perf_counter()
    n_run = reps = 0
    kernel_s = 0.0
    status = "failed"
    if progress:
        progress(already, total)
    try:
        rid = exp.fingerprint()[:12]
        for key, table, wall in run_tasks(_tasks(exp, design, todo, rid), spec, workers):
            store.write_part(key, table)
            store.meta.batch_done(run_no, key, wall)
            n_run += 1
            reps += key.stop - key.start
            kernel_s += wall
            if progress:
                progress(already + reps, total)
        status = "partial" if spec.shard and spec.shard[1] > 1 else "finished"
    except KeyboardInterrupt:
        status = "interrupted"
    finally:
        store.meta.end_run(run_no, status)
        store.close()
    return SweepReport(
        out=Path(out),
        status=status,
        batches_run=n_run,
        batches_skipped=len(keys) - len(todo),
        batches_total=len(batch_keys(exp, design.points)),
        replications_run=reps,
        wall_s=time.perf_counter() - t0,
        kernel_s=kernel_s,
        extra={"quarantined": [d.describe() for d in damaged]} if damaged else {},
    )


@dataclass
class ExperimentResult:
    """Tables of a finished experiment.

    Attributes
    ----------
    records : DataFrame
        One row per replication, sorted by design point and replication, with
        ``factor.<path>`` columns.
    design : DataFrame
        One row per design point.
    experiment : Experiment
    out : Path or None
        The store directory, if one was kept.
    report : SweepReport
    """

    records: pd.DataFrame
    design: pd.DataFrame
    experiment: Experiment
    out: Path | None
    report: SweepReport

    def summary(self, outputs=None, level: float = 0.95) -> pd.DataFrame:
        """Per design point mean, SE and CI of each output (:func:`nansei.analysis.summarize`)."""
        from nansei.analysis import summarize

        table = summarize(self.records, outputs, by=("design_point",), level=level)
        return self.design.merge(table, on="design_point")


def run_experiment(
    experiment: Any,
    out: Path | str | None = None,
    executor: str = "local",
    workers: int = 1,
    progress: Progress | None = None,
) -> ExperimentResult:
    """Run an experiment and return its tables.

    Parameters
    ----------
    experiment : str, path, mapping or Experiment
    out : path, optional
        Keep (and resume) the store here; default: a temporary directory, removed after.
    executor, workers, progress
        As for :func:`sweep`.

    Returns
    -------
    ExperimentResult
    """
    import tempfile

    exp = load_experiment(experiment)
    if out is None:
        with tempfile.TemporaryDirectory(prefix="nansei-exp-") as tmp:
            res = run_experiment(exp, Path(tmp) / "store", executor, workers, progress)
            res.out = None
            return res
    report = sweep(exp, out, executor, workers, progress)
    if report.status == "interrupted":
        raise KeyboardInterrupt
    store = ResultStore.open(Path(out))
    return ExperimentResult(store.records(), store.design(), exp, Path(out), report)


__all__ += ["ExperimentError", "check_design_points", "open_store"]


def _iso(t: float | None) -> str | None:
    import datetime as dt

    return None if t is None else dt.datetime.fromtimestamp(t).isoformat(timespec="seconds")


def _stored_experiment(store: ResultStore) -> tuple[Experiment, int]:
    doc = store.experiment()
    return Experiment.model_validate(doc["experiment"]), int(doc["design_points"])


def store_status(store: ResultStore, content_hash: bool = False) -> dict[str, Any]:
    """Progress and runs of a store, as a JSON-able mapping.

    Every part is checked (:meth:`ResultStore.verify`); damaged parts are listed
    under ``damaged_parts`` and not counted as done, and ``content_hash`` is then
    None (the records cannot be hashed honestly). Nothing is moved: resuming the
    sweep quarantines and recomputes them.
    """
    exp, points = _stored_experiment(store)
    keys = batch_keys(exp, points)
    damaged = store.verify()
    done, full = store.done(damaged)
    got = [k for k in keys if k in done or k.dp in full]
    info: dict[str, Any] = {
        "experiment": exp.name,
        "fingerprint": exp.fingerprint(),
        "design_kind": exp.design.kind,
        "design_points": points,
        "replications": exp.replications,
        "batches_total": len(keys),
        "batches_done": len(got),
        "replications_total": points * exp.replications,
        "replications_done": sum(k.stop - k.start for k in got),
        "complete": len(got) == len(keys) and not damaged,
        "part_files": len(store.files()),
        "damaged_parts": [
            {"part": d.describe().split(": ", 1)[0], "error": d.reason} for d in damaged
        ],
        "runs": [
            {**r, "started": _iso(r["started"]), "ended": _iso(r["ended"])}
            for r in store.meta.runs()
        ],
        "metadata": store.meta.info(),
    }
    if content_hash:
        info["content_hash"] = None if damaged else store.content_hash()
    store.close()
    return info


def compact_store(store: ResultStore) -> tuple[int, int]:
    """Compact every complete design point; return ``(compacted, part files now)``.

    Holds the store lock exclusively, so it refuses to start while a sweep runs
    (and a sweep refuses to start while it runs).

    Raises
    ------
    StoreError
        ``StoreBusy`` if a sweep holds the lock, ``DamagedPartError`` if a part
        is damaged (nothing is compacted then).
    """
    exp, points = _stored_experiment(store)
    expected: dict[int, set[BatchKey]] = {}
    for key in batch_keys(exp, points):
        expected.setdefault(key.dp, set()).add(key)
    store.lock(exclusive=True)
    try:
        store.recover()
        n = store.compact(expected)
        return n, len(store.files())
    finally:
        store.close()
