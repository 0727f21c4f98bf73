"""Run metadata in a small SQLite file: experiment, design, versions, seeds, runs, batches.

The Parquet parts are the truth about which batches are done; this file
records when and how they were made. Every write is one short transaction,
so a killed process leaves it consistent (at worst, a finished batch whose
row was not yet inserted, which ``status`` reports from the parts).
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import time
from pathlib import Path
from typing import Any

__all__ = ["MetaDB"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS experiment (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    run_no INTEGER PRIMARY KEY AUTOINCREMENT,
    started REAL NOT NULL, ended REAL, status TEXT NOT NULL,
    executor TEXT NOT NULL, workers INTEGER NOT NULL, host TEXT, pid INTEGER,
    batches_planned INTEGER, batches_done INTEGER DEFAULT 0);
CREATE TABLE IF NOT EXISTS batches (
    dp INTEGER NOT NULL, start INTEGER NOT NULL, stop INTEGER NOT NULL,
    run_no INTEGER, finished REAL NOT NULL, wall_s REAL,
    PRIMARY KEY (dp, start, stop));
"""


class MetaDB:
    """The metadata file of a store.

    Parameters
    ----------
    path : Path
        The SQLite file (created with its tables if missing).
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._con = sqlite3.connect(self.path, timeout=60.0, isolation_level=None)
        # The Parquet parts are the durable truth; the metadata need not fsync each batch
        # (a kill -9 still leaves it consistent; only an OS crash could lose recent rows).
        self._con.execute("PRAGMA synchronous=OFF")
        self._con.executescript(_SCHEMA)

    def close(self) -> None:
        """Close the connection."""
        self._con.close()

    def set_info(self, info: dict[str, Any]) -> None:
        """Store ``key -> JSON value`` pairs (experiment, design, versions, seeds)."""
        with self._con:
            self._con.executemany(
                "INSERT OR REPLACE INTO experiment VALUES (?, ?)",
                [(k, json.dumps(v, default=str)) for k, v in info.items()],
            )

    def info(self) -> dict[str, Any]:
        """All stored ``key -> value`` pairs."""
        rows = self._con.execute("SELECT key, value FROM experiment").fetchall()
        return {k: json.loads(v) for k, v in rows}

    def begin_run(self, executor: str, workers: int, planned: int) -> int:
        """Record the start of a run; return its number."""
        with self._con:
            cur = self._con.execute(
                "INSERT INTO runs (started, status, executor, workers, host, pid, "
                "batches_planned) VALUES (?, 'running', ?, ?, ?, ?, ?)",
                (time.time(), executor, workers, socket.gethostname(), os.getpid(), planned),
            )
        return int(cur.lastrowid)

    def batch_done(self, run_no: int, key: tuple[int, int, int], wall_s: float) -> None:
        """Record a finished batch (idempotent)."""
        with self._con:
            self._con.execute(
                "INSERT OR REPLACE INTO batches VALUES (?, ?, ?, ?, ?, ?)",
                (*key, run_no, time.time(), wall_s),
            )
            self._con.execute(
                "UPDATE runs SET batches_done = batches_done + 1 WHERE run_no = ?", (run_no,)
            )

    def end_run(self, run_no: int, status: str) -> None:
        """Record the end of a run (``finished``, ``interrupted`` or ``failed``)."""
        with self._con:
            self._con.execute(
                "UPDATE runs SET ended = ?, status = ? WHERE run_no = ?",
                (time.time(), status, run_no),
            )

    def runs(self) -> list[dict[str, Any]]:
        """Every run, oldest first.

        A run recorded as ``running`` whose process is gone (same host, no such
        process: it was killed) is reported as ``interrupted``.
        """
        from .parts import pid_alive

        cur = self._con.execute("SELECT * FROM runs ORDER BY run_no")
        names = [c[0] for c in cur.description]
        rows = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
        host = socket.gethostname()
        for r in rows:
            if r["status"] == "running" and r["host"] == host and not pid_alive(r["pid"] or 0):
                r["status"] = "interrupted"
        return rows

    def kernel_seconds(self) -> float:
        """Sum of the recorded batch wall times (s)."""
        row = self._con.execute("SELECT COALESCE(SUM(wall_s), 0) FROM batches").fetchone()
        return float(row[0])
