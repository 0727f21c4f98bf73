"""Parquet parts named by their batch key, written atomically by a named writer.

A batch key is ``(design_point, start, stop)``: replications ``start .. stop-1``
of one design point. Its part is ``results/dp0000003-r0000000050-0000000100.parquet``.
Because the name is a function of the key, a batch that is run twice (a resume
after a crash just before the rename was recorded) replaces its own part with
identical content: it can never be stored twice.

A part is written to a temporary ``.<name>.tmp-<host>-<pid>`` (its writer's host
name and process id), flushed to disk, then renamed with :func:`os.replace`, so
a reader or a ``kill -9`` never sees a half-written part under its final name.
Each part carries a checksum of its content in its footer (see :mod:`.integrity`).

Temporaries left by killed writers are swept when a store is opened, but only
those whose writer is known to be gone: a writer on this host whose process no
longer exists, or any temporary not modified for :data:`STALE_TEMP_AGE_S`
seconds (one hour; a live writer renames its temporary within seconds of its
last write). A shard of a job array on another host never loses the part it is
about to rename.

A compacted design point is ``results/dp0000003-all.parquet``; it supersedes
every batch part of that design point.
"""

from __future__ import annotations

import os
import re
import socket
import time
from pathlib import Path
from typing import NamedTuple

import pyarrow as pa
import pyarrow.parquet as pq

__all__ = [
    "STALE_TEMP_AGE_S",
    "BatchKey",
    "all_name",
    "atomic_write_table",
    "parse_part",
    "parse_temp",
    "part_name",
    "pid_alive",
    "remove_stale_temporaries",
    "temp_path",
    "this_host",
]

#: A temporary file not modified for this long (s) is swept whoever wrote it.
STALE_TEMP_AGE_S = 3600.0

_PART = re.compile(r"^dp(\d{7})-r(\d{10})-(\d{10})\.parquet$")
_ALL = re.compile(r"^dp(\d{7})-all\.parquet$")
_TEMP = re.compile(r"^\..+\.tmp-(?:(?P<host>[A-Za-z0-9_.]+)-)?(?P<pid>\d+)$")


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


def this_host() -> str:
    """This host's name as written into temporary file names (``[A-Za-z0-9_.]`` only)."""
    name = socket.gethostname() or "host"
    return re.sub(r"[^A-Za-z0-9_.]", "_", name)


def temp_path(path: Path) -> Path:
    """The temporary file that this process writes before renaming it to ``path``."""
    return path.with_name(f".{path.name}.tmp-{this_host()}-{os.getpid()}")


def parse_temp(name: str) -> tuple[str | None, int] | None:
    """``(host, pid)`` of a temporary file's writer (host None for an old-style name)."""
    m = _TEMP.match(name)
    return (m.group("host"), int(m.group("pid"))) if m else None


def pid_alive(pid: int) -> bool:
    """Whether a process with id ``pid`` exists on this host."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    except OSError:
        return False
    return True


def atomic_write_table(
    table: pa.Table, path: Path, *, fsync: bool = True, metadata: dict | None = None
) -> None:
    """Write ``table`` to ``path`` via a temporary file and an atomic rename.

    ``metadata`` (bytes or str keys and values) is added to the file's footer.
    The whole table is one row group. The temporary is removed if writing fails.
    """
    tmp = temp_path(path)
    if metadata:
        meta = dict(table.schema.metadata or {})
        meta.update({_b(k): _b(v) for k, v in metadata.items()})
        table = table.replace_schema_metadata(meta)
    try:
        with open(tmp, "wb") as fh:
            pq.write_table(table, fh, compression="zstd", row_group_size=max(1, table.num_rows))
            fh.flush()
            if fsync:
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _b(x: str | bytes) -> bytes:
    return x if isinstance(x, bytes) else str(x).encode()


def remove_stale_temporaries(directory: Path, max_age_s: float = STALE_TEMP_AGE_S) -> int:
    """Delete temporaries whose writer is gone (see the module docstring); return how many.

    A temporary is removed if its writer ran on this host and that process no
    longer exists, or if it was last modified more than ``max_age_s`` seconds
    ago. Others (live writers here, recent writers elsewhere) are left alone.
    """
    n = 0
    host = this_host()
    now = time.time()
    for p in directory.glob(".*.tmp-*"):
        writer = parse_temp(p.name)
        try:
            age = now - p.stat().st_mtime
        except FileNotFoundError:
            continue
        gone = writer is not None and writer[0] == host and not pid_alive(writer[1])
        if not (gone or age > max_age_s):
            continue
        try:
            p.unlink()
            n += 1
        except FileNotFoundError:
            pass
    return n
