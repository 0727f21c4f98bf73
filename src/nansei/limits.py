"""Memory and disk estimates made before a run or a sweep starts, and the limits they meet.

A run keeps every record in memory (the kernel's output matrix, then the records table):
about ``2 x 8`` bytes per column per replication (2.5 kB for kyodo-2021's 159 columns), plus
the daily series when asked for. A sweep streams its batches into the store, so its memory
is the worker processes and the batches in flight; :func:`nansei.experiment.run_experiment`
then reads every record back. Each is estimated from the compiled widths and refused, with
the estimate and the limit in the message, if it exceeds the limit.

The limit is ``NANSEI_MEMORY_LIMIT`` (bytes, or with a suffix: ``512M``, ``16G``, ``1.5T``)
when set, else :data:`DEFAULT_FRACTION` of this machine's physical memory (or
:data:`FALLBACK_BYTES` where that is unknown). A sweep's store must also fit on its disk:
at least :data:`STORED_BYTES_PER_RECORD` bytes per replication (Parquet compresses; this is a
low estimate, so only sweeps that cannot fit are refused).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

__all__ = [
    "DEFAULT_FRACTION",
    "ENV",
    "FALLBACK_BYTES",
    "STORED_BYTES_PER_RECORD",
    "WORKER_BYTES",
    "LimitError",
    "check_disk",
    "check_memory",
    "check_run",
    "fmt_bytes",
    "memory_limit",
    "run_bytes",
]

ENV = "NANSEI_MEMORY_LIMIT"
#: Share of physical memory a run or sweep may plan to use by default.
DEFAULT_FRACTION = 0.8
#: Default limit where the physical memory is unknown (8 GiB).
FALLBACK_BYTES = 8 * 2**30
#: Memory of one worker process (imports, kernel, its batches), an estimate.
WORKER_BYTES = 350 * 2**20
#: Columns of a record besides the outputs and params (run_id, scenario, design point, ...).
FRONT_COLUMNS = 5
#: Copies of the records a run holds at its peak (kernel output, records table).
RECORD_COPIES = 2
#: A low estimate of one stored record, bytes (Parquet, compressed).
STORED_BYTES_PER_RECORD = 100

_UNITS = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}


class LimitError(ValueError):
    """A run or sweep would exceed a limit (``option`` names what to change)."""

    def __init__(self, option: str, message: str) -> None:
        super().__init__(message)
        self.option = option


def fmt_bytes(n: float) -> str:
    """``1.5 GB`` style (powers of 1024)."""
    for unit in ("B", "kB", "MB", "GB", "TB", "PB"):
        if abs(n) < 1024 or unit == "PB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1024
    return f"{n:.1f} PB"  # pragma: no cover


def _physical() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def memory_limit() -> tuple[int, str]:
    """The memory limit in bytes and where it comes from.

    Raises
    ------
    LimitError
        If ``NANSEI_MEMORY_LIMIT`` is set but not a size.
    """
    text = os.environ.get(ENV, "").strip()
    if text:
        m = re.fullmatch(r"(\d+(?:\.\d+)?(?:e\d+)?)\s*([KMGT]?)i?B?", text, re.IGNORECASE)
        if not m or float(m.group(1)) <= 0:
            raise LimitError(ENV, f"{ENV}={text!r} is not a size (examples: 4G, 512M, 2e9)")
        return int(float(m.group(1)) * _UNITS[m.group(2).upper()]), f"{ENV}={text}"
    phys = _physical()
    if phys is None:
        return FALLBACK_BYTES, f"default {fmt_bytes(FALLBACK_BYTES)}; set {ENV} to change it"
    return int(phys * DEFAULT_FRACTION), (
        f"default {DEFAULT_FRACTION:.0%} of {fmt_bytes(phys)} of physical memory; "
        f"set {ENV} to change it"
    )


def run_bytes(columns: int, replications: int, series_cells: int = 0, workers: int = 1) -> int:
    """Estimated peak memory (bytes) of a run holding every record in memory.

    Parameters
    ----------
    columns : int
        Record columns: outputs and params (the front columns are added here).
    replications : int
    series_cells : int
        Daily-series cells per replication (steps x series), 0 without series.
    workers : int
        Worker processes besides this one.
    """
    per_rep = RECORD_COPIES * 8 * (columns + FRONT_COLUMNS + series_cells)
    extra = WORKER_BYTES * workers if workers > 1 else 0
    return per_rep * int(replications) + extra


def check_memory(estimate: int, what: str, option: str, hint: str) -> None:
    """Refuse a plan whose estimated memory exceeds the limit.

    Raises
    ------
    LimitError
        ``"<what> needs about X of memory, over the limit of Y (<source>); <hint>"``.
    """
    limit, source = memory_limit()
    if estimate > limit:
        raise LimitError(
            option,
            f"{what} needs about {fmt_bytes(estimate)} of memory, over the limit of "
            f"{fmt_bytes(limit)} ({source}); {hint}",
        )


def check_disk(records: int, directory: Path, option: str) -> None:
    """Refuse a sweep whose store cannot fit in the free space under ``directory``.

    Raises
    ------
    LimitError
    """
    need = int(records) * STORED_BYTES_PER_RECORD
    probe = Path(directory).absolute()
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        free = shutil.disk_usage(probe).free
    except OSError:
        return
    if need > free:
        raise LimitError(
            option,
            f"the store of {records:,} replications needs at least {fmt_bytes(need)} "
            f"({STORED_BYTES_PER_RECORD} bytes a record); {fmt_bytes(free)} is free at "
            f"{probe}: fewer design points or replications, or another --out",
        )


def check_run(compiled, replications: int, series: bool, workers: int) -> None:
    """Refuse a :func:`nansei.engine.simulate.simulate` call that would exceed the memory
    limit, before any replication runs.

    Raises
    ------
    nansei.scenario.ScenarioError
        With path ``replications`` and the estimate and limit in the message.
    """
    from nansei.scenario.errors import problem_error

    cells = compiled.n_steps * len(compiled.series_names) if series else 0
    columns = len(compiled.output_names) + len(compiled.params)
    estimate = run_bytes(columns, replications, cells, workers)
    try:
        check_memory(
            estimate,
            f"a run of {replications:,} replications",
            "replications",
            "use fewer replications (or no --series), or a sweep, which streams its "
            "records to disk",
        )
    except LimitError as exc:
        raise problem_error(exc.option, replications, str(exc)) from None
