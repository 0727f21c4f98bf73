"""The worker side of a sweep: one task runs one batch of replications.

A :class:`Task` carries everything a worker needs (the canonical base scenario,
the factor values of its design point, the seed and the batch key), so a task
runs the same on this machine, in a local process or on a Dask worker of a
cluster. Compiled scenarios are cached per worker process. The batch's records
are built as an Arrow table with exactly the columns and values of
:func:`nansei.engine.simulate.records_frame`, plus ``factor.<path>`` columns.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

from nansei.store.parts import BatchKey

from .paths import set_path

__all__ = ["RecordsBuilder", "Task", "run_task"]

_CACHE: dict[tuple[str, int], tuple[Any, RecordsBuilder]] = {}
_BASES: dict[str, dict] = {}
_CACHE_MAX = 32


@dataclass(frozen=True)
class Task:
    """One batch of one design point.

    Attributes
    ----------
    fingerprint : str
        Experiment fingerprint (cache key).
    scenario_json : str
        The canonical base scenario, JSON.
    levels : dict
        Factor path -> value at this design point.
    factor_columns : dict
        Column name -> (value, arrow type name) for the ``factor.*`` columns.
    key : BatchKey
        Design point and replications ``start .. stop-1``.
    seed : int
        Root seed.
    stream : int
        Design-point index used in the seed's spawn key (``key.dp``, or 0 with
        common random numbers).
    run_id, scenario_name : str
        Written into every record.
    outputs : tuple of str or None
        Outputs to keep (None: all).
    """

    fingerprint: str
    scenario_json: str
    levels: dict[str, Any]
    factor_columns: dict[str, tuple[Any, str]]
    key: BatchKey
    seed: int
    stream: int
    run_id: str
    scenario_name: str
    outputs: tuple[str, ...] | None = field(default=None)


class RecordsBuilder:
    """Build the records of a batch as an Arrow table, fast.

    The column layout and every constant column are taken from
    :func:`records_frame` on a two-row probe, so the table always matches it;
    only outputs (columns of the kernel's ``out``) and ``replication`` vary by row.

    Parameters
    ----------
    compiled : Compiled
    run_id, name : str
    seed, dp : int
    outputs : sequence of str or None
        Outputs to keep.
    factor_columns : dict
        Extra constant columns ``name -> (value, arrow type name)``.
    """

    def __init__(self, compiled, run_id, name, seed, dp, outputs, factor_columns) -> None:
        from nansei.engine.simulate import records_frame

        names = list(compiled.output_names)  # combat outputs, then evacuation outputs
        probe = np.zeros((2, len(names)))
        probe[1] = 1.0
        df = records_frame(probe, compiled, run_id, name, seed, dp, first_replication=0)
        keep = set(names if outputs is None else outputs)
        self.plan: list[tuple[str, str, Any, pa.DataType]] = []
        schema = pa.Schema.from_pandas(df, preserve_index=False)
        for col in df.columns:
            typ = schema.field(col).type
            if col in names:
                if col in keep:
                    self.plan.append((col, "out", names.index(col), typ))
            elif col == "replication":
                self.plan.append((col, "rep", None, typ))
            else:
                a, b = df[col].iloc[0], df[col].iloc[1]
                if not (a == b or (a != a and b != b)):
                    raise RuntimeError(f"records_frame column {col!r} varies by row")
                self.plan.append((col, "const", a, typ))
        for col, (value, tname) in factor_columns.items():
            self.plan.append((col, "const", value, _TYPES[tname]))

    def table(self, out: np.ndarray, first_replication: int) -> pa.Table:
        """Records of ``out`` (shape ``(n, len(compiled.output_names))``) as an Arrow table."""
        n = out.shape[0]
        arrays, names = [], []
        for col, kind, arg, typ in self.plan:
            if kind == "out":
                x = out[:, arg]
                arrays.append(pa.array(x.astype(np.int64) if pa.types.is_integer(typ) else x))
            elif kind == "rep":
                arrays.append(pa.array(np.arange(first_replication, first_replication + n)))
            else:
                arrays.append(pa.array([_scalar(arg)] * n, type=typ))
            names.append(col)
        return pa.Table.from_arrays(arrays, names=names)


_TYPES = {"float64": pa.float64(), "bool": pa.bool_(), "string": pa.large_string()}


def _scalar(v: Any) -> Any:
    return v.item() if hasattr(v, "item") else v


def _prepare(task: Task):
    from nansei.engine.compile import compile_scenario
    from nansei.scenario import load_scenario

    ck = (task.fingerprint, task.key.dp)
    hit = _CACHE.get(ck)
    if hit is not None:
        return hit
    if len(_CACHE) >= _CACHE_MAX:
        _CACHE.clear()
    base = _BASES.get(task.fingerprint)
    if base is None:
        base = _BASES[task.fingerprint] = json.loads(task.scenario_json)
    data = base
    for path, value in task.levels.items():
        data = set_path(data, path, value)
    compiled = compile_scenario(load_scenario(data))
    builder = RecordsBuilder(
        compiled,
        task.run_id,
        task.scenario_name,
        task.seed,
        task.key.dp,
        task.outputs,
        task.factor_columns,
    )
    _CACHE[ck] = (compiled, builder)
    return compiled, builder


def run_task(task: Task) -> tuple[BatchKey, pa.Table, float]:
    """Run one batch.

    Returns
    -------
    tuple
        ``(key, records table, kernel wall time in s)``.
    """
    from nansei.engine.simulate import check_overflow, run_batch

    compiled, builder = _prepare(task)
    t0 = time.perf_counter()
    out, _ = run_batch(compiled, task.seed, task.stream, task.key.start, task.key.stop)
    wall = time.perf_counter() - t0
    check_overflow(out, compiled, "", f"design point {task.key.dp}: ")
    return task.key, builder.table(out, task.key.start), wall
