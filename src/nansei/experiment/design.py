"""Designs: which factor values each design point takes.

Every design is first a matrix ``U`` of shape ``(points, factors)`` in the unit
cube, then mapped to factor values: a range ``{low, high}`` maps ``u`` to
``low + u (high - low)`` (rounded if ``integer``), a list of ``k`` levels maps
``u`` to level ``floor(u k)`` (``u = 1`` to the last). Full factorial designs
enumerate the levels directly.

Kinds
-----
full_factorial
    Every combination of levels (a range needs ``levels: n``).
lhs
    Latin hypercube, ``scipy.stats.qmc.LatinHypercube`` (``points`` rows).
sobol
    Scrambled Sobol sequence, ``scipy.stats.qmc.Sobol`` (``points`` a power of 2).
nolh
    Orthogonal Latin hypercube of Cioppa and Lucas (2007), see :mod:`.nolh`. Its
    columns are exactly orthogonal in the unit cube; rounding a whole-number
    range or mapping onto a list of levels makes the factor values as run only
    nearly orthogonal: :meth:`Design.max_abs_correlation` says how nearly.
saltelli
    SALib's Saltelli/Sobol sample for Sobol indices: ``points`` = N base
    samples, ``N (D + 2)`` design points (first-order and total indices).
morris
    SALib's Morris trajectories: ``points`` = N trajectories, ``N (D + 1)`` points.
"""

from __future__ import annotations

import itertools
import json
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .nolh import nolh
from .spec import Experiment, Range, check_design

__all__ = ["Design", "check_design", "factor_value", "make_design", "salib_problem"]


@dataclass(frozen=True)
class Design:
    """Design points of an experiment.

    Attributes
    ----------
    kind : str
        The design kind.
    factors : tuple of str
        Factor paths, in file order.
    unit : ndarray, shape (points, factors)
        Unit-cube coordinates (level indices scaled to [0, 1] for full factorial).
    values : list of dict
        Per design point, the value of every factor (path -> value).
    coded : ndarray, shape (points, factors), optional
        The factor values as run, as numbers: a range's value (rounded if
        ``integer``), a list's level number (0, 1, ...).
    """

    kind: str
    factors: tuple[str, ...]
    unit: np.ndarray
    values: list[dict[str, Any]]
    coded: np.ndarray | None = None

    def max_abs_correlation(self) -> float | None:
        """Largest absolute Pearson correlation between two factors, as run.

        Computed from :attr:`coded`, i.e. after whole-number ranges are rounded
        and lists of levels are mapped to level numbers, so it is what the
        simulations actually saw (a NOLH is exactly orthogonal only before that).
        None with fewer than two factors that vary.
        """
        x = self.coded if self.coded is not None else self.unit
        if x.ndim != 2 or x.shape[1] < 2 or x.shape[0] < 3:
            return None
        keep = x.std(axis=0) > 0
        if keep.sum() < 2:
            return None
        r = np.corrcoef(x[:, keep], rowvar=False)
        off = np.abs(r[~np.eye(r.shape[0], dtype=bool)])
        return float(np.max(off))

    def orthogonality(self) -> str:
        """One sentence on how orthogonal the factors are as run (for the sweep's report)."""
        r = self.max_abs_correlation()
        if r is None:
            return f"{self.kind} design, {self.points} points: fewer than two varying factors"
        shown = f"{r:.3f}" if r >= 5e-4 or r < 1e-9 else f"{r:.1e}"  # never "0.000" for r > 0
        head = f"{self.kind} design, {self.points} points: max |pairwise correlation| {shown}"
        if self.kind != "nolh":
            return head + " between factor values as run"
        if r < 1e-9:
            return head + " (exactly orthogonal as run)"
        return head + (
            " as run: whole-number or categorical factors make it only nearly orthogonal "
            "(the construction's own columns are exactly orthogonal)"
        )

    @property
    def points(self) -> int:
        """Number of design points."""
        return len(self.values)

    def table(self) -> pd.DataFrame:
        """One row per design point: ``design_point`` then ``factor.<path>`` columns."""
        cols: dict[str, Any] = {"design_point": np.arange(self.points, dtype=np.int64)}
        for f in self.factors:
            cols[f"factor.{f}"] = [column_value(v[f]) for v in self.values]
        return pd.DataFrame(cols)


def column_value(value: Any) -> Any:
    """A factor value as stored in a column: numbers and strings as is, else JSON."""
    if isinstance(value, bool | int | float | str):
        return value
    return json.dumps(value, sort_keys=True)


def factor_value(spec: Any, u: float) -> Any:
    """Map a unit coordinate ``u`` in [0, 1] to a factor value."""
    if isinstance(spec, Range):
        x = spec.low + float(u) * (spec.high - spec.low)
        return _integer(x, spec) if spec.integer else x
    k = len(spec)
    return spec[min(math.floor(float(u) * k), k - 1)]


def _coded(spec: Any, value: Any) -> float:
    """A factor value as a number: a range's value, a list's level number."""
    if isinstance(spec, Range):
        return float(value)
    for i, level in enumerate(spec):
        if level is value:
            return float(i)
    for i, level in enumerate(spec):
        if level == value and type(level) is type(value):
            return float(i)
    return float("nan")  # pragma: no cover - values always come from the levels


def _coded_matrix(specs: list[Any], values: list[dict[str, Any]], names: tuple) -> np.ndarray:
    return np.array(
        [[_coded(s, v[n]) for n, s in zip(names, specs, strict=True)] for v in values],
        dtype=float,
    ).reshape(len(values), len(names))


def _factorial_levels(spec: Any) -> list[Any]:
    if isinstance(spec, Range):
        xs = np.linspace(spec.low, spec.high, spec.levels or 2)
        return [_integer(x, spec) for x in xs] if spec.integer else [float(x) for x in xs]
    return list(spec)


def _integer(x: float, spec: Range) -> int:
    """``x`` rounded to the nearest integer inside the range (a range holds at least one)."""
    return min(max(round(x), math.ceil(spec.low)), math.floor(spec.high))


def salib_problem(exp: Experiment) -> dict[str, Any]:
    """SALib problem over the unit cube, one variable per factor."""
    names = list(exp.factors)
    return {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}


def _unit(exp: Experiment) -> np.ndarray:
    from scipy.stats import qmc

    d, k = exp.design, len(exp.factors)
    if d.kind == "nolh":
        return nolh(k, d.points)
    if d.kind == "lhs":
        opt = None if d.optimization == "none" else d.optimization
        return qmc.LatinHypercube(k, optimization=opt, rng=d.seed).random(d.points)
    if d.kind == "sobol":
        return qmc.Sobol(k, scramble=True, rng=d.seed).random(d.points)
    if d.kind == "saltelli":
        from SALib.sample import sobol as salib_sobol

        return salib_sobol.sample(
            salib_problem(exp), d.points, calc_second_order=False, seed=d.seed
        )
    from SALib.sample import morris

    return morris.sample(salib_problem(exp), d.points, num_levels=d.morris_levels, seed=d.seed)


def make_design(exp: Experiment) -> Design:
    """Build the design points of a validated experiment.

    Returns
    -------
    Design
        Deterministic for a given experiment (the design seed fixes LHS/Sobol/SALib draws).
    """
    names = tuple(exp.factors)
    specs = list(exp.factors.values())
    if not names:
        return Design(exp.design.kind, (), np.zeros((1, 0)), [{}])
    if exp.design.kind == "full_factorial":
        grids = [_factorial_levels(s) for s in specs]
        idx = list(itertools.product(*[range(len(g)) for g in grids]))
        values = [
            {n: grids[j][i] for j, (n, i) in enumerate(zip(names, row, strict=True))} for row in idx
        ]
        unit = np.array(
            [[i / max(len(g) - 1, 1) for i, g in zip(row, grids, strict=True)] for row in idx]
        )
        return Design("full_factorial", names, unit, values, _coded_matrix(specs, values, names))
    unit = np.clip(np.asarray(_unit(exp), dtype=float), 0.0, 1.0)
    values = [
        {n: factor_value(s, u) for n, s, u in zip(names, specs, row, strict=True)} for row in unit
    ]
    return Design(exp.design.kind, names, unit, values, _coded_matrix(specs, values, names))
