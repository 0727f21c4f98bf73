"""Replications needed for a target confidence-interval half-width."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["replications_needed"]


def replications_needed(
    records: pd.DataFrame,
    output: str,
    half_width: float,
    by: Sequence[str] = (),
    level: float = 0.95,
) -> pd.DataFrame:
    """Replications needed so that the CI of the mean of ``output`` has ``half_width``.

    Uses the pilot standard deviation ``s`` of the ``n`` replications at hand:
    ``n* = ceil((t_{(1+level)/2, n-1} s / h)^2)`` (the usual sequential-sampling
    estimate; rerun with ``n*`` and check).

    Parameters
    ----------
    records : DataFrame
        One row per replication.
    output : str
        Output column.
    half_width : float
        Target half-width, in the output's units (> 0).
    by : sequence of str
        Group columns, e.g. ``("design_point",)``.
    level : float
        Confidence level.

    Returns
    -------
    DataFrame
        ``by`` columns, ``n`` (at hand), ``sd``, ``half_width_now`` and ``n_needed``.
    """
    from scipy import stats  # imported here: keeps `import nansei.analysis` fast

    if not half_width > 0:
        raise ValueError(f"half_width must be > 0 (got {half_width})")
    groups = records.groupby(list(by), sort=True) if by else [((), records)]
    rows = []
    for key, g in groups:
        key = key if isinstance(key, tuple) else (key,)
        x = g[output].to_numpy(dtype=float)
        x = x[~np.isnan(x)]
        n = len(x)
        sd = float(np.std(x, ddof=1)) if n > 1 else float("nan")
        t = float(stats.t.ppf(0.5 + level / 2, max(n - 1, 1)))
        now = t * sd / math.sqrt(n) if n > 1 else float("nan")
        need = max(2, math.ceil((t * sd / half_width) ** 2)) if n > 1 else -1
        rows.append((*key, n, sd, now, need))
    return pd.DataFrame(rows, columns=[*by, "n", "sd", "half_width_now", "n_needed"])
