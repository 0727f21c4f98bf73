"""Crash-safe result store: Parquet parts per batch, SQLite metadata, DuckDB queries.

>>> from nansei.store import ResultStore  # doctest: +SKIP
>>> ResultStore.open("runs/sweep").query("SELECT count(*) FROM records")  # doctest: +SKIP
"""

from .parts import BatchKey
from .store import (
    Damage,
    DamagedPartError,
    ResultStore,
    StoreBusy,
    StoreError,
    is_store,
    table_hash,
)

__all__ = [
    "BatchKey",
    "Damage",
    "DamagedPartError",
    "ResultStore",
    "StoreBusy",
    "StoreError",
    "is_store",
    "table_hash",
]
