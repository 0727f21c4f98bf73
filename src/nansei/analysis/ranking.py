"""Sensitivity ranking of a space-filling design (NOLH, LHS, Sobol): which factors drive
each output, with intervals.

Two methods, both on the per-point means of an output (one value per design point, as
SALib's methods use):

``prcc``
    Partial rank correlation (:func:`nansei.analysis.prcc.prcc`): a monotone effect of
    a factor with the other factors held fixed, in [-1, 1], with a Fisher-z interval.
``regression``
    Ordinary least squares of the mean on the factor values as run (a linear main-effects
    model). Each factor's ``effect`` is its coefficient times its range (max - min over
    the design): the change in the mean output from the lowest to the highest value, in
    the output's unit, with a Student-t interval on ``n - k - 1`` degrees of freedom. The
    ranking key is the standardised coefficient ``src = b sd(x) / sd(y)``; ``r2`` says how
    much of the variation between points the linear model explains (a low ``r2`` means
    the effects are not linear: read the PRCC).

Categorical factors enter as their level number (0, 1, ...), as in
:meth:`nansei.experiment.design.Design.coded`: with more than two levels their effect is
that of the order of the list.

>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> x = rng.random((40, 2))
>>> t = regression_effects(x, 3.0 * x[:, 0] + 0.01 * rng.normal(size=40))
>>> bool(abs(t["coefficient"][0] - 3.0) < 0.05 and t["ci_low"][1] < 0 < t["ci_high"][1])
True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from nansei.analysis.prcc import design_xy, prcc

__all__ = ["METHODS", "regression_effects", "sensitivity_ranking"]

#: The ranking methods of :func:`sensitivity_ranking`.
METHODS = ("prcc", "regression")


def regression_effects(x: np.ndarray, y: np.ndarray, level: float = 0.95) -> dict[str, np.ndarray]:
    """Linear main effects of each column of ``x`` on ``y`` by least squares.

    Parameters
    ----------
    x : ndarray, shape (n, k)
        Factor values, one row per design point.
    y : ndarray, shape (n,)
        Output (per-point mean); rows where it is NaN are left out.
    level : float
        Confidence level of the intervals.

    Returns
    -------
    dict of str to ndarray
        ``coefficient``, ``effect`` (coefficient x range of the factor), ``ci_low`` and
        ``ci_high`` (interval of the effect), ``src`` (standardised coefficient),
        ``p_value``, each shape (k,), and ``r2`` (shape (), the coefficient of
        determination). NaN for a factor that does not vary or is a linear function of
        the others; the intervals and p-values are NaN when ``n - k - 1 < 1``.
    """
    from scipy.special import stdtr, stdtrit

    x, y = design_xy(x, y)
    n, k = x.shape
    nan = np.full(k, np.nan)
    out = {key: nan.copy() for key in ("coefficient", "effect", "ci_low", "ci_high", "src")}
    out["p_value"] = nan.copy()
    out["r2"] = np.array(np.nan)
    varies = np.ptp(x, axis=0) > 0 if n else np.zeros(k, bool)
    cols = np.flatnonzero(varies)
    design = np.column_stack([np.ones(n), x[:, cols]])
    if n < 2 or np.linalg.matrix_rank(design) < design.shape[1]:
        return out
    beta, *_ = np.linalg.lstsq(design, y, rcond=None)
    resid = y - design @ beta
    sst = float(np.sum((y - y.mean()) ** 2))
    out["r2"] = np.array(1.0 - float(resid @ resid) / sst if sst > 0 else np.nan)
    b = beta[1:]
    span = np.ptp(x[:, cols], axis=0)
    out["coefficient"][cols] = b
    out["effect"][cols] = b * span
    sd_y = float(y.std(ddof=1))
    if sd_y > 0:
        out["src"][cols] = b * x[:, cols].std(axis=0, ddof=1) / sd_y
    dof = n - design.shape[1]
    if dof < 1:
        return out
    sigma2 = float(resid @ resid) / dof
    cov = sigma2 * np.linalg.inv(design.T @ design)
    se = np.sqrt(np.diag(cov)[1:])
    half = float(stdtrit(dof, 0.5 + level / 2)) * se * span
    out["ci_low"][cols] = b * span - half
    out["ci_high"][cols] = b * span + half
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(se > 0, b / se, np.where(b == 0, 0.0, np.inf))
    out["p_value"][cols] = 2.0 * stdtr(dof, -np.abs(t))
    return out


def _order(key: np.ndarray) -> list[int]:
    """Indices by decreasing ``|key|``, NaN last (stable)."""
    return sorted(range(key.size), key=lambda i: -abs(key[i]) if key[i] == key[i] else 1.0)


def sensitivity_ranking(
    x: pd.DataFrame,
    y: pd.DataFrame,
    *,
    method: Literal["prcc", "regression"] = "prcc",
    level: float = 0.95,
) -> pd.DataFrame:
    """Rank the factors of a design by their effect on each output.

    Parameters
    ----------
    x : pandas.DataFrame, shape (points, factors)
        Factor values as run, numeric (a list's level number), one row per design point;
        the column names are the factor names.
    y : pandas.DataFrame, shape (points, outputs)
        Per-point means of each output, in the same row order.
    method : {"prcc", "regression"}
        Partial rank correlation, or least-squares main effects (see the module).
    level : float
        Confidence level of the intervals.

    Returns
    -------
    pandas.DataFrame
        One row per output and factor, ``rank`` 1 the strongest. ``prcc``: ``output``,
        ``rank``, ``factor``, ``prcc``, ``ci_low``, ``ci_high``, ``p_value``.
        ``regression``: ``output``, ``rank``, ``factor``, ``effect``, ``ci_low``,
        ``ci_high`` (the effect over the factor's range, in the output's unit), ``src``,
        ``p_value``, ``r2``.

    Raises
    ------
    ValueError
        If ``method`` is not one of :data:`METHODS` or the row counts differ.
    """
    if method not in METHODS:
        raise ValueError(f"method: unknown ranking method {method!r}; allowed: prcc, regression")
    if len(x) != len(y):
        raise ValueError(f"x has {len(x)} design points and y {len(y)}")
    xv = x.to_numpy(dtype=float)
    factors: Sequence[str] = list(x.columns)
    rows = []
    for output in y.columns:
        yv = y[output].to_numpy(dtype=float)
        if method == "prcc":
            r, lo, hi, p = prcc(xv, yv, level)
            for rank, i in enumerate(_order(r), start=1):
                rows.append((output, rank, factors[i], r[i], lo[i], hi[i], p[i]))
        else:
            t = regression_effects(xv, yv, level)
            for rank, i in enumerate(_order(t["src"]), start=1):
                rows.append(
                    (output, rank, factors[i], t["effect"][i], t["ci_low"][i],
                     t["ci_high"][i], t["src"][i], t["p_value"][i], float(t["r2"]))
                )  # fmt: skip
    head = ["output", "rank", "factor"]
    if method == "prcc":
        cols = [*head, "prcc", "ci_low", "ci_high", "p_value"]
    else:
        cols = [*head, "effect", "ci_low", "ci_high", "src", "p_value", "r2"]
    return pd.DataFrame(rows, columns=cols)
