"""Global sensitivity with SALib: Sobol indices and Morris elementary effects.

The experiment's design must be ``saltelli`` (for Sobol) or ``morris``; the
model output at each design point is the mean of an output over its
replications (so replication noise adds a small positive bias to the indices;
use enough replications).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["morris_indices", "point_means", "sobol_indices"]


def point_means(records: pd.DataFrame, output: str, points: int) -> np.ndarray:
    """Mean of ``output`` per design point, shape ``(points,)``, in design-point order."""
    means = records.groupby("design_point")[output].mean()
    missing = sorted(set(range(points)) - set(means.index))
    if missing:
        raise ValueError(f"design points without records: {missing[:10]} (sweep not finished?)")
    return means.reindex(range(points)).to_numpy(dtype=float)


def sobol_indices(problem: dict, y: np.ndarray, seed: int = 0) -> pd.DataFrame:
    """First-order and total Sobol indices (SALib) with 95% bootstrap half-widths.

    Parameters
    ----------
    problem : dict
        SALib problem (``nansei.experiment.design.salib_problem``).
    y : ndarray, shape (N (D + 2),)
        Model output per design point of a ``saltelli`` design.

    Returns
    -------
    DataFrame
        ``factor``, ``S1``, ``S1_conf``, ``ST``, ``ST_conf``.
    """
    from SALib.analyze import sobol

    res = sobol.analyze(problem, y, calc_second_order=False, seed=seed)
    return pd.DataFrame(
        {
            "factor": problem["names"],
            "S1": res["S1"],
            "S1_conf": res["S1_conf"],
            "ST": res["ST"],
            "ST_conf": res["ST_conf"],
        }
    )


def morris_indices(
    problem: dict, x: np.ndarray, y: np.ndarray, levels: int = 4, seed: int = 0
) -> pd.DataFrame:
    """Morris elementary effects (SALib): ``mu``, ``mu_star``, ``mu_star_conf``, ``sigma``.

    Parameters
    ----------
    problem : dict
        SALib problem over the unit cube.
    x : ndarray, shape (N (D + 1), D)
        The design's unit coordinates.
    y : ndarray, shape (N (D + 1),)
        Model output per design point.
    """
    from SALib.analyze import morris

    res = morris.analyze(problem, x, y, num_levels=levels, seed=seed)
    return pd.DataFrame(
        {
            "factor": problem["names"],
            "mu": res["mu"],
            "mu_star": res["mu_star"],
            "mu_star_conf": res["mu_star_conf"],
            "sigma": res["sigma"],
        }
    )
