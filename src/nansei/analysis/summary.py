"""Means and Student-t confidence intervals of per-replication outputs."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from nansei.engine.results import mean_ci


def summarize(
    records: pd.DataFrame,
    outputs: Sequence[str] | None = None,
    by: Sequence[str] = (),
    level: float = 0.95,
) -> pd.DataFrame:
    """Mean, standard error and confidence interval of each output.

    Parameters
    ----------
    records : pandas.DataFrame
        One row per replication (as written by ``nansei run`` or a sweep).
    outputs : sequence of str, optional
        Output columns to summarise; default: every numeric column that is not
        a key (``design_point``, ``replication``, ``seed``), a ``param.*`` or a
        design factor (``factor.*``: an input, not an output).
    by : sequence of str
        Group columns, for example ``("design_point",)``; empty for one group.
    level : float
        Confidence level of the interval.

    Returns
    -------
    pandas.DataFrame
        Long table with the ``by`` columns, then ``output``, ``mean``, ``sem``,
        ``ci_low``, ``ci_high`` and ``n`` (replications with a defined value).
    """
    if outputs is None:
        skip = {"design_point", "replication", "seed", *by}
        outputs = [
            c
            for c in records.columns
            if c not in skip
            and not c.startswith(("param.", "factor."))
            and pd.api.types.is_numeric_dtype(records[c])
        ]
    missing = [c for c in [*outputs, *by] if c not in records.columns]
    if missing:
        raise KeyError(f"records have no column(s) {missing}; available: {list(records.columns)}")
    groups = records.groupby(list(by), sort=True) if by else [((), records)]
    rows = []
    for key, g in groups:
        key = key if isinstance(key, tuple) else (key,)
        for name in outputs:
            col = g[name].to_numpy(dtype=float)
            m, sem, lo, hi = mean_ci(col, level)
            rows.append((*key, name, m, sem, lo, hi, int(np.sum(~np.isnan(col)))))
    return pd.DataFrame(rows, columns=[*by, "output", "mean", "sem", "ci_low", "ci_high", "n"])
