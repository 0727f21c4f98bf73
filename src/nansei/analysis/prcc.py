"""Partial rank correlation coefficients (PRCC) with Fisher-z confidence intervals.

The PRCC of input ``x_j`` and output ``y`` is the correlation of the residuals of
``rank(x_j)`` and ``rank(y)`` after a linear regression of each on the ranks of the
other inputs (Marino et al., "A methodology for performing global uncertainty and
sensitivity analysis in systems biology", *J. Theor. Biol.* 254, 2008). It measures a
monotone effect of ``x_j`` on ``y`` with the other inputs held fixed, in [-1, 1].

Its interval uses Fisher's transformation ``z = atanh(r)`` with standard error
``1 / sqrt(n - 3 - c)``, where ``c = k - 1`` inputs are controlled for.

>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> x = rng.random((200, 2))
>>> r, lo, hi, p = prcc(x, x[:, 0] + 0.1 * rng.random(200))
>>> bool(r[0] > 0.9 and lo[0] > 0 and abs(r[1]) < 0.3)
True
"""

from __future__ import annotations

import numpy as np

__all__ = ["design_xy", "prcc"]


def _ranks(a: np.ndarray) -> np.ndarray:
    """Ranks of each column (1 .. n; ties get the mean of their ranks), as floats; a
    column that holds a NaN is all NaN.

    The same numbers as ``scipy.stats.rankdata(a, axis=0)``, in the same layout (a test
    compares them), without importing ``scipy.stats``.
    """
    a = np.asarray(a, dtype=float)
    if a.ndim not in (1, 2):
        raise ValueError(f"ranks of a 1-D or 2-D array, got {a.ndim} dimensions")
    cols = a[:, None] if a.ndim == 1 else a
    out = np.full(cols.shape[::-1], np.nan)  # (k, n): returned transposed, as SciPy's
    for j in range(cols.shape[1]):
        x = cols[:, j]
        if np.isnan(x).any():
            continue
        order = np.argsort(x, kind="mergesort")
        xs = x[order]
        starts = np.flatnonzero(np.r_[True, xs[1:] != xs[:-1]])  # first of each tie group
        ends = np.r_[starts[1:], xs.size]
        out[j, order] = np.repeat((starts + 1 + ends) / 2.0, ends - starts)
    # the same memory layout as SciPy's result (columns contiguous), so that the
    # regressions of prcc sum in the same order and give the same last bits
    return out[0] if a.ndim == 1 else out.T


def design_xy(x, y) -> tuple[np.ndarray, np.ndarray]:
    """``x`` (n, k) and ``y`` (n,) as floats, without the rows where ``y`` is NaN.

    Raises
    ------
    ValueError
        If the shapes do not match.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.ndim != 2 or y.shape != (x.shape[0],):
        raise ValueError(f"x must be (n, k) and y (n,); got {x.shape} and {y.shape}")
    keep = ~np.isnan(y)
    return x[keep], y[keep]


def prcc(
    x: np.ndarray, y: np.ndarray, level: float = 0.95
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """PRCC of each column of ``x`` with ``y``, its Fisher-z interval and p-value.

    Parameters
    ----------
    x : ndarray, shape (n, k)
        Inputs, one row per point.
    y : ndarray, shape (n,)
        Output; rows where it is NaN are left out.
    level : float
        Confidence level of the interval.

    Returns
    -------
    tuple of ndarray, each shape (k,)
        ``(r, low, high, p_value)``. NaN for an input or output that does not vary (or an
        input that is a function of the others), and for the interval and p-value when
        ``n - k - 2 < 1``; 0 for an input when the output is a monotone function of the
        other inputs alone.
    """
    from scipy.special import ndtr, ndtri

    x, y = design_xy(x, y)
    n, k = x.shape
    nan = np.full(k, np.nan)
    r = nan.copy()
    if n < 3:
        return r, nan.copy(), nan.copy(), nan.copy()
    rx, ry = _ranks(x), _ranks(y)
    for j in range(k):
        if np.ptp(rx[:, j]) == 0 or np.ptp(ry) == 0:
            continue
        others = np.column_stack([np.ones(n), np.delete(rx, j, axis=1)])
        res_x = rx[:, j] - others @ np.linalg.lstsq(others, rx[:, j], rcond=None)[0]
        res_y = ry - others @ np.linalg.lstsq(others, ry, rcond=None)[0]
        sxx, syy = float(np.dot(res_x, res_x)), float(np.dot(res_y, res_y))
        tiny = 1e-12 * n**3  # ranks are O(n): squared residual sums are O(n^3)
        if sxx <= tiny:
            continue  # x_j is a function of the other inputs: undefined
        if syy <= tiny:
            r[j] = 0.0  # y is a function of the other inputs: x_j adds nothing
            continue
        r[j] = float(np.clip(np.dot(res_x, res_y) / np.sqrt(sxx * syy), -1.0, 1.0))
    dof = n - 3 - (k - 1)
    if dof < 1:
        return r, nan.copy(), nan.copy(), nan.copy()
    se = 1.0 / np.sqrt(dof)
    z = np.arctanh(np.clip(r, -1 + 1e-15, 1 - 1e-15))
    half = float(ndtri(0.5 + level / 2)) * se
    p = 2.0 * ndtr(-np.abs(z) / se)
    return r, np.tanh(z - half), np.tanh(z + half), p
