"""Checksums of Parquet parts, and the checks that every stored part must pass.

When a part is committed its footer gets ``nansei.sha256``: a SHA-256 over
every column's name, type, null mask and values, in file order. The digest does
not depend on how the rows are split into row groups or tables, so a compacted
file's checksum is computed while its parts are streamed into it.

:func:`read_part` reads a part and checks, in order:

1. the footer is readable (a truncated or overwritten file fails here);
2. the row count is the one its name promises (``stop - start`` rows for a batch
   part, the experiment's replications for a compacted design point);
3. the keys are the ones its name promises (``design_point`` is the part's
   design point, ``replication`` is exactly ``start .. stop-1``);
4. the data decode and their checksum equals the one written at commit time.

Parts written before checksums existed have none; they pass on checks 1-3 and
a full decode.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .parts import BatchKey

__all__ = ["CHECKSUM_KEY", "ContentDigest", "PartDamaged", "read_part"]

CHECKSUM_KEY = b"nansei.sha256"


class PartDamaged(Exception):
    """A stored part failed a check; ``str()`` is a one-line reason."""


class ContentDigest:
    """Incremental SHA-256 of a sequence of tables with the same columns."""

    def __init__(self) -> None:
        self._cols: dict[str, tuple[str, Any, Any]] = {}
        self._order: list[str] = []

    def update(self, table: pa.Table) -> None:
        """Add the rows of ``table`` (columns in the order of the first table)."""
        for name in table.column_names:
            col = table.column(name)
            if name not in self._cols:
                self._cols[name] = (str(col.type), hashlib.sha256(), hashlib.sha256())
                self._order.append(name)
            _, values, nulls = self._cols[name]
            for chunk in col.chunks:
                _feed(chunk, values, nulls)

    def hexdigest(self) -> str:
        """The digest of everything added so far."""
        h = hashlib.sha256()
        for name in self._order:
            typ, values, nulls = self._cols[name]
            h.update(f"{name}:{typ};".encode())
            h.update(values.digest())
            h.update(nulls.digest())
        return h.hexdigest()


def _feed(arr: pa.Array, values, nulls) -> None:
    if arr.null_count:
        nulls.update(np.asarray(arr.is_null().to_numpy(zero_copy_only=False)).tobytes())
    t = arr.type
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        for v in arr.to_pylist():
            values.update(b"\x01" if v is None else v.encode() + b"\x00")
    elif pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_boolean(t):
        filled = arr
        if arr.null_count:
            filled = pc.fill_null(arr, False if pa.types.is_boolean(t) else 0)
        values.update(np.ascontiguousarray(filled.to_numpy(zero_copy_only=False)).tobytes())
    else:
        for v in arr.to_pylist():
            values.update(repr(v).encode() + b"\x00")


def digest(table: pa.Table) -> str:
    """The checksum of one table."""
    d = ContentDigest()
    d.update(table)
    return d.hexdigest()


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    first = text[0] if text else type(exc).__name__
    return first if len(first) <= 160 else first[:157] + "..."


def read_part(path: Path, expect: BatchKey) -> pa.Table:
    """Read a part and check it (see the module docstring).

    Parameters
    ----------
    path : Path
    expect : BatchKey
        The design point and replications its name promises; ``stop`` may be
        -1 for a compacted file of unknown size (then only contiguity from 0).

    Raises
    ------
    PartDamaged
        With a one-line reason.
    FileNotFoundError
        If the part vanished (a concurrent compaction removed it).
    """
    try:
        pf = pq.ParquetFile(path)
    except FileNotFoundError:
        raise
    except Exception as exc:
        raise PartDamaged(f"unreadable footer ({_one_line(exc)})") from None
    try:
        rows = pf.metadata.num_rows
        want = expect.stop - expect.start if expect.stop >= 0 else None
        if want is not None and rows != want:
            raise PartDamaged(f"holds {rows} rows; its name says {want}")
        stored = (pf.metadata.metadata or {}).get(CHECKSUM_KEY)
        try:
            table = pf.read()
        except Exception as exc:
            raise PartDamaged(f"unreadable data ({_one_line(exc)})") from None
        _check_keys(table, expect)
        if stored is not None and digest(table) != stored.decode("ascii", "replace"):
            raise PartDamaged("checksum mismatch: the content changed after it was written")
        return table.replace_schema_metadata(None)
    finally:
        pf.close()


def _check_keys(table: pa.Table, expect: BatchKey) -> None:
    for col in ("design_point", "replication"):
        if col not in table.column_names:
            raise PartDamaged(f"has no {col} column")
    dp = table.column("design_point").to_numpy(zero_copy_only=False)
    if len(dp) and not np.all(dp == expect.dp):
        bad = sorted(set(dp.tolist()) - {expect.dp})[:3]
        raise PartDamaged(f"holds design point(s) {bad}; its name says {expect.dp}")
    rep = np.sort(table.column("replication").to_numpy(zero_copy_only=False))
    stop = expect.stop if expect.stop >= 0 else expect.start + len(rep)
    if not np.array_equal(rep, np.arange(expect.start, stop)):
        lo, hi = (int(rep[0]), int(rep[-1])) if len(rep) else (None, None)
        raise PartDamaged(
            f"replications {lo}..{hi} ({len(rep)} rows) do not match {expect.start}..{stop - 1}"
        )
