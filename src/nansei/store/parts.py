"""Parquet parts named by their batch key, written atomically.

A batch key is ``(design_point, start, stop)``: replications ``start .. stop-1``
of one design point. Its part is ``results/dp0000003-r0000000050-0000000100.parquet``.
Because the name is a function of the key, a batch that is run twice (a resume
after a crash just before the rename was recorded) replaces its own part with
identical content: it can never be stored twice. A part is written to
``.<name>.tmp-<pid>``, flushed to disk, then renamed with :func:`os.replace`, so
a reader or a ``kill -9`` never sees a half-written part under its final name.

A compacted design point is ``results/dp0000003-all.parquet``; it supersedes
every batch part of that design point.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import NamedTuple

import pyarrow as pa
import pyarrow.parquet as pq

__all__ = [
    "BatchKey",
    "all_name",
    "atomic_write_table",
    "parse_part",
    "part_name",
    "remove_stale_temporaries",
]

_PART = re.compile(r"^dp(\d{7})-r(\d{10})-(\d{10})\.parquet$")
_ALL = re.compile(r"^dp(\d{7})-all\.parquet$")


class BatchKey(NamedTuple):
    """Replications ``start .. stop-1`` of design point ``dp``."""

    dp: int
    start: int
    stop: int


def part_name(key: BatchKey) -> str:
    """File name of a batch part."""
    return f"dp{key.dp:07d}-r{key.start:010d}-{key.stop:010d}.parquet"


def all_name(dp: int) -> str:
    """File name of a compacted design point."""
    return f"dp{dp:07d}-all.parquet"


def parse_part(name: str) -> BatchKey | int | None:
    """A batch key for a part, the design point for a compacted file, else None."""
    m = _PART.match(name)
    if m:
        return BatchKey(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = _ALL.match(name)
    return int(m.group(1)) if m else None


def atomic_write_table(table: pa.Table, path: Path, *, fsync: bool = True) -> None:
    """Write ``table`` to ``path`` via a temporary file and an atomic rename."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "wb") as fh:
        pq.write_table(table, fh, compression="zstd")
        fh.flush()
        if fsync:
            os.fsync(fh.fileno())
    os.replace(tmp, path)


def remove_stale_temporaries(directory: Path) -> int:
    """Delete temporary files left by killed writers; return how many."""
    n = 0
    for p in directory.glob(".*.tmp-*"):
        try:
            p.unlink()
            n += 1
        except FileNotFoundError:
            pass
    return n
