"""Run an experiment into a store: plan the batch keys, skip stored ones, run the rest.

Seeds: replication ``i`` of design point ``dp`` uses
``SeedSequence(seed, spawn_key=(dp, i))`` (with ``common_random_numbers``,
``(0, i)`` for every design point), so the records are the same whatever the
executor, the number of workers, the shard or how often the sweep was resumed.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
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

__all__ = [
    "BatchKeys",
    "ExperimentResult",
    "SweepReport",
    "batch_keys",
    "run_experiment",
    "sweep",
]

#: ``progress(done_replications, total_replications)`` after each stored batch.
Progress = Callable[[int, int], None]
MAX_WORKERS = 256


class BatchKeys(Sequence):
    """The batch keys of an experiment (or of one shard), generated on demand, never held.

    Key ``g`` of the sorted list (by design point, then replication) is batch
    ``g % per_dp`` of design point ``g // per_dp``; shard ``K/N`` holds keys
    ``K, K + N, K + 2N, ...``. Length, membership and replication counts are arithmetic,
    so 100,000 points x 10,000,000 replications take no memory.
    """

    def __init__(self, points: int, replications: int, batch_size: int, shard=(0, 1)) -> None:
        self.points, self.replications, self.batch_size = points, replications, batch_size
        self.k, self.n = shard
        self.per_dp = -(-replications // batch_size)
        self.total = points * self.per_dp

    def shard(self, k: int, n: int) -> BatchKeys:
        """Shard ``k`` of ``n`` of these keys."""
        return BatchKeys(self.points, self.replications, self.batch_size, (k, n))

    def _key(self, g: int) -> BatchKey:
        dp, j = divmod(g, self.per_dp)
        a = j * self.batch_size
        return BatchKey(dp, a, min(a + self.batch_size, self.replications))

    def _count(self, lo: int, hi: int) -> int:
        """How many global indices in ``[lo, hi)`` belong to this shard."""
        if hi <= lo:
            return 0
        first = lo + (self.k - lo) % self.n
        return 0 if first >= hi else (hi - 1 - first) // self.n + 1

    def __len__(self) -> int:
        return self._count(0, self.total)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return self._key(self.k + i * self.n)

    def __iter__(self) -> Iterator[BatchKey]:
        for g in range(self.k, self.total, self.n):
            yield self._key(g)

    def __contains__(self, key) -> bool:
        try:
            dp, start, stop = key
        except (TypeError, ValueError):
            return False
        if not (0 <= dp < self.points and 0 <= start < self.replications):
            return False
        if start % self.batch_size:
            return False
        g = dp * self.per_dp + start // self.batch_size
        return self._key(g) == BatchKey(dp, start, stop) and g % self.n == self.k

    def in_dp(self, dp: int) -> int:
        """Keys of design point ``dp`` in this shard."""
        return self._count(dp * self.per_dp, (dp + 1) * self.per_dp)

    def replications_in_dp(self, dp: int) -> int:
        """Replications of design point ``dp`` in this shard."""
        lo, hi = dp * self.per_dp, (dp + 1) * self.per_dp
        n = self._count(lo, hi)
        last = self._count(hi - 1, hi)  # the last, possibly short, batch
        short = self.replications - (self.per_dp - 1) * self.batch_size
        return (n - last) * self.batch_size + last * short

    def of_dp(self, dp: int) -> list[BatchKey]:
        """The keys of design point ``dp`` in this shard."""
        lo, hi = dp * self.per_dp, (dp + 1) * self.per_dp
        return [self._key(g) for g in range(lo + (self.k - lo) % self.n, hi, self.n)]

    def replications_total(self) -> int:
        """Replications of every key (of this shard)."""
        if self.n == 1:
            return self.points * self.replications
        return sum(self.replications_in_dp(dp) for dp in range(self.points))


def batch_keys(exp: Experiment, points: int) -> BatchKeys:
    """Every batch key of the experiment, sorted by design point then replication (a lazy
    sequence: :class:`BatchKeys`)."""
    return BatchKeys(points, exp.replications, exp.batch_size)


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
        (``results/NAME: reason`` each), when there were any. ``design``: the
        design's kind, points, ``max_abs_correlation`` between factor values as
        run (after rounding; None with fewer than two factors) and a sentence
        saying how orthogonal it is (:meth:`Design.orthogonality`).
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


def _tasks(exp: Experiment, design: Design, keys: Iterable[BatchKey], rid: str) -> Iterator[Task]:
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


def _stored_in(store: ResultStore, keys: BatchKeys) -> list[BatchKey]:
    """The stored parts and compacted design points of ``keys`` (what a shard verifies)."""
    parts, full = store.done()
    out = [key for key in parts if key in keys]
    out += [keys._key(dp * keys.per_dp) for dp in full if dp < keys.points and keys.in_dp(dp)]
    return out


def check_sweep_environment(out: Path | str, spec: ExecutorSpec) -> None:
    """Before anything runs: ``out`` can be a store directory (not a file, writable) and a
    Dask scheduler given by address answers (:mod:`nansei.envcheck`).

    Raises
    ------
    ExperimentError
        Naming ``out`` or ``executor``.
    """
    from nansei.envcheck import EnvError, check_output_dir, check_scheduler

    try:
        check_output_dir(out, "out")
        if spec.kind == "dask" and spec.address:
            check_scheduler(spec.address, "executor")
    except EnvError as exc:
        value = str(out) if exc.option == "out" else spec.describe()
        raise experiment_error(exc.option, value, exc.reason) from None


def check_sweep_limits(exp: Experiment, design: Design, out: Path, workers: int) -> None:
    """Refuse, before anything runs, a sweep whose store cannot fit on its disk or whose
    workers and batches in flight exceed the memory limit (:mod:`nansei.limits`).

    Raises
    ------
    ExperimentError
    """
    from nansei.limits import WORKER_BYTES, LimitError, check_disk, check_memory

    records = design.points * exp.replications
    width = 8 * (400 + len(design.factors))  # a generous record width (bytes)
    memory = WORKER_BYTES * workers + 2 * workers * exp.batch_size * width * 4
    try:
        check_disk(records, out, "out")
        check_memory(
            memory,
            f"a sweep with {workers} workers",
            "workers",
            "use fewer workers",
        )
    except LimitError as exc:
        value = {"out": str(out), "workers": workers}.get(exc.option, "")
        raise experiment_error(exc.option, value, str(exc)) from None


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
        "design_max_abs_correlation": design.max_abs_correlation(),
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
    check_sweep_environment(out, spec)
    design = make_design(exp)
    check_sweep_limits(exp, design, Path(out), workers)
    check_design_points(exp, design)
    store = open_store(exp, design, Path(out))
    keys = batch_keys(exp, design.points)
    if spec.shard:
        keys = keys.shard(*spec.shard)
    try:
        # stored parts are checked, not trusted: damaged ones are moved aside and rerun
        damaged = store.verify(_stored_in(store, keys) if spec.shard else None)
        store.quarantine(damaged)
        done, full = store.done()
        done = {key for key in done if key in keys and key.dp not in full}
        full = {dp for dp in full if dp < keys.points}
        n_todo = len(keys) - len(done) - sum(keys.in_dp(dp) for dp in full)
        total = keys.replications_total()
        already = sum(key.stop - key.start for key in done)
        already += sum(keys.replications_in_dp(dp) for dp in full)
        todo = (key for key in keys if key not in done and key.dp not in full)
        run_no = store.meta.begin_run(spec.describe(), workers, n_todo)
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
        results = run_tasks(_tasks(exp, design, todo, rid), spec, workers)
        try:
            for key, table, wall in results:
                store.write_part(key, table)
                store.meta.batch_done(run_no, key, wall)
                n_run += 1
                reps += key.stop - key.start
                kernel_s += wall
                if progress:
                    progress(already + reps, total)
        finally:
            results.close()  # on Ctrl-C: stops the workers at once (see executors._local)
        status = "partial" if spec.shard and spec.shard[1] > 1 else "finished"
    except KeyboardInterrupt:
        status = "interrupted"
    finally:
        with _no_sigint():  # a second Ctrl-C does not break the run's bookkeeping
            store.meta.end_run(run_no, status)
            store.close()
    return SweepReport(
        out=Path(out),
        status=status,
        batches_run=n_run,
        batches_skipped=len(keys) - n_todo,
        batches_total=len(batch_keys(exp, design.points)),
        replications_run=reps,
        wall_s=time.perf_counter() - t0,
        kernel_s=kernel_s,
        extra={
            "design": {
                "kind": design.kind,
                "points": design.points,
                "max_abs_correlation": design.max_abs_correlation(),
                "orthogonality": design.orthogonality(),
            },
            **({"quarantined": [d.describe() for d in damaged]} if damaged else {}),
        },
    )


@contextmanager
def _no_sigint():
    """Ignore Ctrl-C inside the block (main thread only; elsewhere a no-op)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before)


def _check_records_memory(exp: Experiment) -> None:
    """Refuse a :func:`run_experiment` whose records (all read back into memory) exceed the
    memory limit; :func:`sweep` streams them to a store instead."""
    from nansei.limits import LimitError, check_memory, run_bytes

    points = make_design(exp).points
    columns = (len(exp.outputs) if exp.outputs else 160) + 12 + len(exp.factors)
    try:
        check_memory(
            run_bytes(columns, points * exp.replications),
            f"the records of {points:,} design points x {exp.replications:,} replications",
            "replications",
            "run it with sweep() (or nansei sweep), which streams the records to a store, "
            "and analyse the store",
        )
    except LimitError as exc:
        raise experiment_error(exc.option, exp.replications, str(exc)) from None


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
    _check_records_memory(exp)
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
    full = {dp for dp in full if dp < points}
    got = [k for k in done if k in keys and k.dp not in full]
    n_got = len(got) + sum(keys.in_dp(dp) for dp in full)
    reps_got = sum(k.stop - k.start for k in got) + len(full) * exp.replications
    info: dict[str, Any] = {
        "experiment": exp.name,
        "fingerprint": exp.fingerprint(),
        "design_kind": exp.design.kind,
        "design_points": points,
        "replications": exp.replications,
        "batches_total": len(keys),
        "batches_done": n_got,
        "replications_total": points * exp.replications,
        "replications_done": reps_got,
        "complete": n_got == len(keys) and not damaged,
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
    keys = batch_keys(exp, points)
    store.lock(exclusive=True)
    try:
        store.recover()
        parts, _ = store.done()
        # only design points with stored parts can be compacted: their keys, not all keys
        dps = sorted({k.dp for k in parts if k.dp < points})
        n = store.compact({dp: set(keys.of_dp(dp)) for dp in dps})
        return n, len(store.files())
    finally:
        store.close()
