"""Orthogonal and nearly orthogonal Latin hypercubes (Cioppa and Lucas, 2007).

Implements the construction of section 2 of

    T. M. Cioppa and T. W. Lucas, "Efficient nearly orthogonal and space-filling
    Latin hypercubes", *Technometrics* 49(1), 45-55, 2007,

which extends Ye's orthogonal Latin hypercube (K. Q. Ye, "Orthogonal column
Latin hypercubes and their application in computer experiments", *JASA* 93,
1430-1439, 1998) from ``2m - 2`` to ``m + C(m-1, 2)`` columns with
``n = 2**m + 1`` runs: 17 runs for up to 7 factors, 33 for 11, 65 for 16 and
129 for 22, the design sizes of the Naval Postgraduate School NOLH tables.

With ``A_k = I^{(m-1-k)} (x) R^{(k)}`` (Kronecker powers of the 2x2 identity
and reversal matrices), ``e = (1, ..., 2**(m-1))``, the level matrix
``M = [e, A_1 e, ..., A_{m-1} e, A_i A_j e (i < j)]`` and the sign matrix
``S = [1, a_1, ..., a_{m-1}, a_i * a_j (i < j)]`` with
``a_k = b_1 (x) ... (x) b_{m-1}``, ``b_{m-k} = (-1, 1)`` and the other
``b = (1, 1)``, the design is ``[M * S; 0; -M * S]``: every column is a
permutation of ``-q .. q`` (``q = 2**(m-1)``) and every pair of columns is
exactly orthogonal (correlation 0). The space-filling search of the paper's
section 3 (which trades a little orthogonality for spread) is not implemented;
the columns here are exactly orthogonal, so their maximum absolute pairwise
correlation (0) is below the published NOLH figure (< 0.03).

That holds in the unit cube. Rounding a whole-number factor or mapping onto a
list of levels (:func:`nansei.experiment.design.factor_value`) makes the values
as run only nearly orthogonal; :meth:`nansei.experiment.design.Design.max_abs_correlation`
measures them.
"""

from __future__ import annotations

from itertools import combinations
from math import comb

import numpy as np

__all__ = ["MAX_M", "columns_for", "nolh", "nolh_runs", "runs_for"]

#: Largest supported ``m`` (129 runs, 22 columns).
MAX_M = 7


def columns_for(m: int) -> int:
    """Number of orthogonal columns with ``2**m + 1`` runs: ``m + C(m-1, 2)``."""
    return m + comb(m - 1, 2)


def runs_for(k: int) -> int:
    """Smallest run count ``2**m + 1`` that holds ``k`` factors."""
    return 2 ** _m_for(k) + 1


def nolh_runs(k: int) -> list[int]:
    """Every run count a NOLH design of ``k`` factors accepts (``2**m + 1``, up to 129);
    empty if ``k`` is outside 1 .. ``columns_for(MAX_M)``."""
    if not 1 <= k <= columns_for(MAX_M):
        return []
    return [2**m + 1 for m in range(_m_for(k), MAX_M + 1)]


def _m_for(k: int) -> int:
    for m in range(2, MAX_M + 1):
        if columns_for(m) >= k:
            return m
    raise ValueError(f"at most {columns_for(MAX_M)} factors in a NOLH design (got {k})")


def _kron_all(mats: list[np.ndarray]) -> np.ndarray:
    out = np.ones((1, 1)) if mats[0].ndim == 2 else np.ones(1)
    for a in mats:
        out = np.kron(out, a)
    return out


def _orthogonal(m: int) -> np.ndarray:
    """The ``(2**m + 1, m + C(m-1, 2))`` integer design with levels ``-q .. q``."""
    q = 2 ** (m - 1)
    eye, rev = np.eye(2, dtype=np.int64), np.array([[0, 1], [1, 0]], dtype=np.int64)
    e = np.arange(1, q + 1, dtype=np.int64)
    a_mats = [_kron_all([eye] * (m - 1 - k) + [rev] * k) for k in range(1, m)]
    signs = []
    for k in range(1, m):
        parts = [np.array([1, 1], dtype=np.int64) for _ in range(m - 1)]
        parts[m - 1 - k] = np.array([-1, 1], dtype=np.int64)
        signs.append(_kron_all(parts))
    pairs = list(combinations(range(m - 1), 2))
    lev = [e] + [a @ e for a in a_mats] + [a_mats[i] @ a_mats[j] @ e for i, j in pairs]
    sgn = [np.ones(q, dtype=np.int64)] + signs + [signs[i] * signs[j] for i, j in pairs]
    t = np.column_stack([lv * s for lv, s in zip(lev, sgn, strict=True)])
    return np.vstack([t, np.zeros((1, t.shape[1]), dtype=np.int64), -t])


def nolh(k: int, runs: int | None = None) -> np.ndarray:
    """Orthogonal Latin hypercube for ``k`` factors, scaled to ``[0, 1]``.

    Parameters
    ----------
    k : int
        Number of factors, 1 to 22.
    runs : int, optional
        ``2**m + 1`` runs (5, 9, 17, 33, 65 or 129) at least :func:`runs_for` ``(k)``;
        default: the smallest that holds ``k`` factors.

    Returns
    -------
    ndarray, shape (2**m + 1, k)
        Rows are design points; each column takes the values ``0, 1/(n-1), ..., 1``
        once each (``n`` runs). The first ``k`` columns of the construction are used.
    """
    if k < 1:
        raise ValueError("a NOLH design needs at least one factor")
    m = _m_for(k) if runs is None else int(runs - 1).bit_length() - 1
    if runs is not None and (2**m + 1 != runs or m < _m_for(k) or m > MAX_M):
        raise ValueError(f"runs must be 2**m + 1 >= {runs_for(k)} and <= 129 (got {runs})")
    x = _orthogonal(m)[:, :k]
    q = 2 ** (m - 1)
    return (x + q) / (2.0 * q)
