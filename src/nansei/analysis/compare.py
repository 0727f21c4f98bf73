"""Paired comparison of two factor levels under common random numbers."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from nansei.engine.results import mean_ci

__all__ = ["paired_difference"]


def paired_difference(
    records: pd.DataFrame,
    factor: str,
    a,
    b,
    outputs: Sequence[str],
    level: float = 0.95,
) -> pd.DataFrame:
    """Mean of ``output(b) - output(a)`` over replications paired by number.

    Rows with ``factor == a`` are paired with rows with ``factor == b`` that have
    the same replication and the same value of every other ``factor.*`` column.
    With ``common_random_numbers: true`` the pair shares its random streams, so
    the paired CI is usually much narrower than the unpaired one.

    Parameters
    ----------
    records : DataFrame
        Sweep records with ``factor.<path>`` columns.
    factor : str
        Factor path (with or without the ``factor.`` prefix).
    a, b : object
        The two levels (compared as in the records' column, e.g. ``"law-2021"``).
    outputs : sequence of str
        Output columns.
    level : float
        Confidence level.

    Returns
    -------
    DataFrame
        One row per output and setting of the other factors: ``pairs``, ``mean_diff``,
        ``sem``, ``ci_low``, ``ci_high`` and ``sem_unpaired`` (SE if the two samples were
        independent), ``variance_ratio`` (unpaired / paired variance).
    """
    col = factor if factor.startswith("factor.") else f"factor.{factor}"
    if col not in records.columns:
        have = [c.removeprefix("factor.") for c in records.columns if c.startswith("factor.")]
        raise KeyError(f"no factor {factor!r} in the records; factors: {have}")
    others = [c for c in records.columns if c.startswith("factor.") and c != col]
    levels = records[col].astype(str)
    left = records[levels == str(a)]
    right = records[levels == str(b)]
    if left.empty or right.empty:
        raise ValueError(
            f"factor {factor!r} has no records at level {a!r} or {b!r}; "
            f"levels: {sorted(levels.unique())}"
        )
    keys = [*others, "replication"]
    merged = left.merge(right, on=keys, suffixes=("_a", "_b"))
    groups = merged.groupby(others, sort=True) if others else [((), merged)]
    rows = []
    for key, g in groups:
        key = key if isinstance(key, tuple) else (key,)
        for out in outputs:
            xa = g[f"{out}_a"].to_numpy(dtype=float)
            xb = g[f"{out}_b"].to_numpy(dtype=float)
            m, sem, lo, hi = mean_ci(xb - xa, level)
            n = len(xa)
            unpaired = float(np.sqrt((np.var(xa, ddof=1) + np.var(xb, ddof=1)) / n))
            ratio = unpaired**2 / sem**2 if sem > 0 else float("inf")
            rows.append((*key, out, n, m, sem, lo, hi, unpaired, ratio))
    cols = [
        *others,
        "output",
        "pairs",
        "mean_diff",
        "sem",
        "ci_low",
        "ci_high",
        "sem_unpaired",
        "variance_ratio",
    ]
    return pd.DataFrame(rows, columns=cols)
