"""A directory of results: Parquet parts, SQLite metadata, DuckDB queries.

Layout of a store directory::

    experiment.json     the canonical experiment (with its fingerprint and versions)
    design.parquet      one row per design point: design_point, factor.<path> ...
    meta.sqlite         runs and batches with times (see :mod:`.meta`)
    results/*.parquet   one part per finished batch (see :mod:`.parts`)

Queries run in an in-memory DuckDB over an explicit list of the parts, so no
DuckDB file is ever held open and readers never block a running sweep.

Stored data are checked, not trusted: every read goes through
:func:`.integrity.read_part` (footer, row count, key range, checksum), a
damaged part raises :class:`DamagedPartError` naming it, and :meth:`ResultStore.verify`
lists the damaged parts so that a resumed sweep can :meth:`~ResultStore.quarantine`
them (move them to ``quarantine/``) and recompute their batches.

Sweeps and compaction share the lock file ``.nansei-store.lock``: any number of
sweeps (shards) hold it shared, ``compact`` holds it exclusively, and whoever
comes second is refused with a message (:class:`StoreBusy`). The lock is an
``flock`` and is released by the kernel when its process dies.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .integrity import CHECKSUM_KEY, ContentDigest, PartDamaged, digest, read_part
from .meta import MetaDB
from .parts import (
    BatchKey,
    all_name,
    atomic_write_table,
    parse_part,
    part_name,
    remove_stale_temporaries,
    temp_path,
)

__all__ = ["Damage", "DamagedPartError", "ResultStore", "StoreBusy", "StoreError", "is_store"]

EXPERIMENT_FILE = "experiment.json"
DESIGN_FILE = "design.parquet"
META_FILE = "meta.sqlite"
LOCK_FILE = ".nansei-store.lock"
QUARANTINE_DIR = "quarantine"
KEY_COLUMNS = ("design_point", "replication")


class StoreError(Exception):
    """A directory is not a store, holds a different experiment, or cannot be read."""


class StoreBusy(StoreError):
    """A sweep and a compaction of the same store would overlap."""


class Damage(NamedTuple):
    """A stored part that failed its checks, and the one-line reason."""

    path: Path
    reason: str

    def describe(self) -> str:
        """``results/NAME: reason``."""
        return f"{self.path.parent.name}/{self.path.name}: {self.reason}"


class DamagedPartError(StoreError):
    """Stored data failed their checks; ``damage`` lists the damaged parts."""

    def __init__(self, root: Path, damage: list[Damage]) -> None:
        self.damage = damage
        more = f" (and {len(damage) - 1} more damaged parts)" if len(damage) > 1 else ""
        super().__init__(
            f"damaged part {damage[0].describe()}{more}; resume the sweep "
            f"(`nansei sweep EXPERIMENT --out {root}`) to quarantine and recompute it"
        )


def is_store(path: Path) -> bool:
    """Whether ``path`` is a store directory."""
    return (Path(path) / EXPERIMENT_FILE).is_file()


def _atomic_text(path: Path, text: str) -> None:
    tmp = temp_path(path)
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


class ResultStore:
    """A results directory (see the module docstring).

    Use :meth:`create` to start or resume a sweep and :meth:`open` to read one.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.results = self.root / "results"
        self._meta: MetaDB | None = None
        self._lock_fd: int | None = None

    # -- creation ---------------------------------------------------------

    @classmethod
    def create(
        cls, root: Path, experiment: dict[str, Any], design: pd.DataFrame, info: dict[str, Any]
    ) -> ResultStore:
        """Create a store, or reopen it if it holds the same experiment.

        Parameters
        ----------
        root : Path
            The directory (created if missing).
        experiment : dict
            ``{"fingerprint": ..., "experiment": canonical mapping, ...}``.
        design : DataFrame
            The design table.
        info : dict
            Metadata for SQLite (versions, seeds, design kind, ...).

        The store is locked for a sweep (shared with other sweeps, refused while
        ``compact`` runs) until :meth:`close`.

        Raises
        ------
        StoreError
            If ``root`` holds another experiment or other files.
        StoreBusy
            If the store is being compacted.
        """
        root = Path(root)
        store = cls(root)
        if is_store(root):
            old = json.loads((root / EXPERIMENT_FILE).read_text(encoding="utf-8"))
            if old.get("fingerprint") != experiment["fingerprint"]:
                raise StoreError(
                    f"{root} holds a different experiment ({old.get('name')!r}, fingerprint "
                    f"{str(old.get('fingerprint'))[:12]}); use a new --out directory to run "
                    f"{experiment.get('name')!r}"
                )
        else:
            ours = {
                "results",
                QUARANTINE_DIR,
                DESIGN_FILE,
                META_FILE,
                f"{META_FILE}-journal",
                EXPERIMENT_FILE,
            }
            if root.exists() and any(
                p.name not in ours and not p.name.startswith(".") for p in root.iterdir()
            ):
                raise StoreError(
                    f"{root} exists and is not an experiment store; use a new --out directory"
                )
            root.mkdir(parents=True, exist_ok=True)
            tmp = temp_path(root / DESIGN_FILE)
            design.to_parquet(tmp, index=False)
            os.replace(tmp, root / DESIGN_FILE)
            store.meta.set_info(info)
            _atomic_text(root / EXPERIMENT_FILE, json.dumps(experiment, indent=1) + "\n")
        store.results.mkdir(exist_ok=True)
        store.lock(exclusive=False)
        store.recover()
        return store

    @classmethod
    def open(cls, root: Path) -> ResultStore:
        """Open an existing store for reading (and compaction).

        Raises
        ------
        StoreError
            If ``root`` is not a store.
        """
        if not is_store(root):
            raise StoreError(
                f"{root} is not an experiment store (no {EXPERIMENT_FILE}); "
                "run `nansei sweep EXPERIMENT --out DIR` first"
            )
        store = cls(Path(root))
        store.results.mkdir(exist_ok=True)
        return store

    @property
    def meta(self) -> MetaDB:
        """The SQLite metadata (opened on first use)."""
        if self._meta is None:
            self._meta = MetaDB(self.root / META_FILE)
        return self._meta

    def close(self) -> None:
        """Close the metadata connection and release the lock."""
        if self._meta is not None:
            self._meta.close()
            self._meta = None
        self.unlock()

    # -- the sweep/compact lock ------------------------------------------------

    def lock(self, *, exclusive: bool) -> None:
        """Take the store lock: shared for a sweep, exclusive for ``compact`` (no waiting).

        Raises
        ------
        StoreBusy
            With a message naming who holds it.
        """
        import fcntl

        if self._lock_fd is not None:
            return
        path = self.root / LOCK_FILE
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            if exclusive:
                raise StoreBusy(
                    f"{self.root}: a sweep is writing to this store{self._running_runs()}; "
                    "run compact after it has finished"
                ) from None
            holder = path.read_text(encoding="utf-8", errors="replace").strip()
            raise StoreBusy(
                f"{self.root} is being compacted ({holder or 'nansei compact'}); "
                "run the sweep again when compact has finished"
            ) from None
        if exclusive:
            note = f"nansei compact on host {socket.gethostname()}, pid {os.getpid()}, "
            note += "since " + time.strftime("%Y-%m-%d %H:%M:%S")
            os.ftruncate(fd, 0)
            os.pwrite(fd, note.encode(), 0)
        self._lock_fd = fd

    def unlock(self) -> None:
        """Release the store lock (if held)."""
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def _running_runs(self) -> str:
        try:
            runs = [r for r in self.meta.runs() if r["status"] == "running"]
        except Exception:  # the metadata are only used for the message
            return ""
        if not runs:
            return ""
        r = runs[-1]
        return f" (run {r['run_no']} on host {r['host']}, pid {r['pid']})"

    def experiment(self) -> dict[str, Any]:
        """The stored ``experiment.json``."""
        return json.loads((self.root / EXPERIMENT_FILE).read_text(encoding="utf-8"))

    def design(self) -> pd.DataFrame:
        """The design table."""
        return pd.read_parquet(self.root / DESIGN_FILE)

    # -- parts --------------------------------------------------------------

    def _scan(self) -> tuple[dict[BatchKey, Path], dict[int, Path]]:
        parts: dict[BatchKey, Path] = {}
        full: dict[int, Path] = {}
        with os.scandir(self.results) as it:
            for entry in it:
                parsed = parse_part(entry.name)
                if isinstance(parsed, BatchKey):
                    parts[parsed] = Path(entry.path)
                elif isinstance(parsed, int):
                    full[parsed] = Path(entry.path)
        return parts, full

    def recover(self) -> None:
        """Finish what a killed writer left: drop temporaries and superseded parts."""
        remove_stale_temporaries(self.results)
        parts, full = self._scan()
        for key, path in parts.items():
            if key.dp in full:
                path.unlink(missing_ok=True)

    def done(self, damaged: Iterable[Damage] = ()) -> tuple[set[BatchKey], set[int]]:
        """Stored batch keys and compacted (complete) design points.

        The parts are not read here; pass the result of :meth:`verify` as
        ``damaged`` to leave damaged parts out.
        """
        parts, full = self._scan()
        bad = {d.path.name for d in damaged}
        full = {dp for dp, p in full.items() if p.name not in bad}
        return {k for k, p in parts.items() if k.dp not in full and p.name not in bad}, full

    def files(self) -> list[Path]:
        """The part files to read, sorted, without superseded parts."""
        return [path for path, _ in self._current()]

    def _current(self) -> list[tuple[Path, BatchKey]]:
        """The current part files with the keys their names promise, sorted by name."""
        parts, full = self._scan()
        reps = self._replications()
        out = [(p, k) for k, p in parts.items() if k.dp not in full]
        out += [(p, BatchKey(dp, 0, -1 if reps is None else reps)) for dp, p in full.items()]
        return sorted(out)

    def _replications(self) -> int | None:
        try:
            return int(self.experiment()["experiment"]["replications"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def write_part(self, key: BatchKey, table: pa.Table) -> Path:
        """Store a finished batch atomically (replacing an identical earlier copy).

        The part's footer gets the checksum of ``table`` (see :mod:`.integrity`).
        """
        path = self.results / part_name(key)
        atomic_write_table(table, path, metadata={CHECKSUM_KEY: digest(table)})
        return path

    # -- checking -------------------------------------------------------------

    def verify(self, keys: Iterable[BatchKey] | None = None) -> list[Damage]:
        """Check the current parts (footer, rows, keys, checksum); return the damaged ones.

        Parameters
        ----------
        keys : iterable of BatchKey, optional
            Check only the parts of these batches (and the compacted files of
            their design points), e.g. a shard's slice; default: every part.
        """
        wanted = None if keys is None else set(keys)
        dps = None if wanted is None else {k.dp for k in wanted}
        damaged = []
        for path, key in self._current():
            if wanted is not None and dps is not None:
                compacted = key.start == 0 and path.name == all_name(key.dp)
                if not (key in wanted or (compacted and key.dp in dps)):
                    continue
            try:
                read_part(path, key)
            except FileNotFoundError:  # removed by a concurrent compaction: not damage
                continue
            except PartDamaged as exc:
                damaged.append(Damage(path, str(exc)))
        return damaged

    def quarantine(self, damaged: Iterable[Damage]) -> list[Path]:
        """Move damaged parts to ``quarantine/`` (never deleted); return their new paths.

        Their batches are then missing, so the next sweep recomputes them. Each
        move is logged in ``quarantine/quarantine.log`` with its reason.
        """
        qdir = self.root / QUARANTINE_DIR
        moved = []
        for d in damaged:
            qdir.mkdir(exist_ok=True)
            stamp = time.strftime("%Y%m%dT%H%M%S")
            dest = qdir / f"{d.path.name}.{stamp}-{os.getpid()}"
            try:
                os.replace(d.path, dest)
            except FileNotFoundError:
                continue
            with open(qdir / "quarantine.log", "a", encoding="utf-8") as fh:
                fh.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')}\t{dest.name}\t{d.reason}\n")
            moved.append(dest)
        return moved

    # -- reading ------------------------------------------------------------

    def records(self, columns: Iterable[str] | None = None) -> pd.DataFrame:
        """Every stored record, sorted by design point and replication.

        Raises
        ------
        DamagedPartError
            If a part fails its checks.
        """
        table = self.table(columns)
        return table.to_pandas()

    def table(self, columns: Iterable[str] | None = None) -> pa.Table:
        """Every stored record as an Arrow table, sorted by key (every part checked).

        Raises
        ------
        DamagedPartError
            If a part fails its checks (see :mod:`.integrity`).
        """
        cols = None if columns is None else list(dict.fromkeys([*KEY_COLUMNS, *columns]))
        for _ in range(5):
            try:
                tables = list(self._read_current(cols))
                break
            except FileNotFoundError:  # a concurrent compaction replaced parts: list again
                time.sleep(0.05)
        else:
            tables = list(self._read_current(cols))
        if not tables:
            return pa.table({c: pa.array([], pa.int64()) for c in KEY_COLUMNS})
        table = pa.concat_tables(tables, promote_options="default")
        return table.sort_by([(c, "ascending") for c in KEY_COLUMNS])

    def _read_current(self, cols: list[str] | None) -> Iterator[pa.Table]:
        for path, key in self._current():
            try:
                t = read_part(path, key)
            except PartDamaged as exc:
                raise DamagedPartError(self.root, [Damage(path, str(exc))]) from None
            yield t if cols is None else t.select([c for c in cols if c in t.column_names])

    def check(self) -> None:
        """Raise :class:`DamagedPartError` if any part is damaged."""
        damaged = self.verify()
        if damaged:
            raise DamagedPartError(self.root, damaged)

    def query(self, sql: str) -> pd.DataFrame:
        """Run DuckDB SQL over the view ``records`` (all stored parts).

        Example: ``store.query("SELECT design_point, avg(launchers_lost) FROM records
        GROUP BY 1 ORDER BY 1")``.
        """
        import duckdb

        self.check()
        files = [str(f) for f in self.files()]
        con = duckdb.connect(":memory:")
        try:
            if files:
                listing = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
                con.execute(
                    f"CREATE VIEW records AS SELECT * FROM read_parquet([{listing}], "
                    "union_by_name=true)"
                )
            else:
                con.execute("CREATE VIEW records AS SELECT 0::BIGINT AS design_point LIMIT 0")
            con.register("design", self.design())
            return con.execute(sql).df()
        finally:
            con.close()

    def content_hash(self) -> str:
        """SHA-256 of all records sorted by key: equal iff the stored data are bitwise equal."""
        return table_hash(self.table())

    # -- compaction ---------------------------------------------------------

    def compact(self, expected: dict[int, set[BatchKey]]) -> int:
        """Merge the parts of every complete design point into one file.

        Parameters
        ----------
        expected : dict
            Design point -> every batch key it needs.

        Returns
        -------
        int
            Design points compacted. Crash-safe: the merged file is written with
            its checksum, checked, and renamed into place before its parts are
            removed, and :meth:`recover` removes parts superseded by a merged
            file, so no record is ever lost or doubled.

        Raises
        ------
        DamagedPartError
            If any part is damaged (nothing is compacted then).
        """
        self.check()
        parts, full = self._scan()
        n = 0
        for dp, keys in sorted(expected.items()):
            if dp in full or not keys or not keys <= parts.keys():
                continue
            path = self.results / all_name(dp)
            self._merge(path, [(parts[k], k) for k in sorted(keys)], dp)
            for key in keys:
                parts[key].unlink(missing_ok=True)
            n += 1
        return n

    def _merge(self, path: Path, parts: list[tuple[Path, BatchKey]], dp: int) -> None:
        """Stream ``parts`` into ``path`` (via a checked temporary and a rename)."""
        tmp = temp_path(path)
        writer = None
        sha = ContentDigest()
        rows = 0
        try:
            for part, key in parts:
                try:
                    t = read_part(part, key)
                except PartDamaged as exc:
                    raise DamagedPartError(self.root, [Damage(part, str(exc))]) from None
                if writer is None:
                    writer = pq.ParquetWriter(tmp, t.schema, compression="zstd")
                t = t.cast(writer.schema)
                sha.update(t)
                rows += t.num_rows
                writer.write_table(t, row_group_size=max(1, t.num_rows))
            if writer is None:
                raise StoreError(f"{path.name}: no parts to merge")
            writer.add_key_value_metadata({CHECKSUM_KEY: sha.hexdigest().encode()})
            writer.close()
            writer = None
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            try:
                read_part(tmp, BatchKey(dp, 0, rows))
            except PartDamaged as exc:
                raise StoreError(f"{path.name}: the merged file fails its check ({exc})") from None
            os.replace(tmp, path)
        finally:
            if writer is not None:
                writer.close()
            tmp.unlink(missing_ok=True)


def table_hash(table: pa.Table) -> str:
    """SHA-256 over column names, types and values of a key-sorted table."""
    if all(c in table.column_names for c in KEY_COLUMNS):
        table = table.sort_by([(c, "ascending") for c in KEY_COLUMNS])
    h = hashlib.sha256()
    for name in table.column_names:
        col = table.column(name)
        h.update(f"{name}:{col.type};".encode())
        if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            h.update("\x00".join("" if v is None else v for v in col.to_pylist()).encode())
        else:
            arr = col.to_numpy(zero_copy_only=False)
            h.update(np.ascontiguousarray(arr).tobytes())
    return h.hexdigest()
