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
    Orthogonal Latin hypercube of Cioppa and Lucas (2007), see :mod:`.nolh`.
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

from .nolh import columns_for, nolh
from .spec import MAX_POINTS, Experiment, Range

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
    """

    kind: str
    factors: tuple[str, ...]
    unit: np.ndarray
    values: list[dict[str, Any]]

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
        return round(x) if spec.integer else x
    k = len(spec)
    return spec[min(math.floor(float(u) * k), k - 1)]


def _factorial_levels(spec: Any) -> list[Any]:
    if isinstance(spec, Range):
        xs = np.linspace(spec.low, spec.high, spec.levels or 2)
        return [round(x) for x in xs] if spec.integer else [float(x) for x in xs]
    return list(spec)


def _count(exp: Experiment) -> int:
    d, k = exp.design, len(exp.factors)
    if d.kind == "full_factorial":
        return math.prod(len(_factorial_levels(s)) for s in exp.factors.values())
    if d.kind == "nolh":
        from .nolh import runs_for

        return d.points or runs_for(k)
    n = d.points or 0
    return {"saltelli": n * (k + 2), "morris": n * (k + 1)}.get(d.kind, n)


def check_design(exp: Experiment) -> list[tuple[str, str | None, str, str | None]]:
    """Problems with the design section: ``(path, value, message, allowed)`` tuples."""
    d, k = exp.design, len(exp.factors)
    out: list[tuple[str, str | None, str, str | None]] = []
    if d.kind == "full_factorial":
        for path, spec in exp.factors.items():
            if isinstance(spec, Range) and spec.levels is None:
                out.append(
                    (
                        f"factors.{path}",
                        None,
                        "a range in a full factorial design needs "
                        "'levels' (how many evenly spaced values)",
                        "levels: 2 .. 1000",
                    )
                )
    elif k == 0:
        out.append(("factors", None, f"a {d.kind} design needs at least one factor", None))
    elif d.kind == "nolh":
        if k > columns_for(7):
            out.append(
                ("factors", str(k), "too many factors for a NOLH design", f"1 .. {columns_for(7)}")
            )
    elif d.points is None:
        out.append(("design.points", None, f"a {d.kind} design needs 'points'", None))
    elif d.kind == "sobol" and d.points & (d.points - 1):
        out.append(
            (
                "design.points",
                str(d.points),
                "a Sobol sequence needs a power of 2",
                "1, 2, 4, 8, ..., 65536",
            )
        )
    if d.kind in ("saltelli", "morris") and k < 2:
        out.append(("factors", str(k), f"a {d.kind} design needs at least two factors", None))
    if not out:
        n = _count(exp)
        if n > MAX_POINTS:
            out.append(("design", str(n), "too many design points", f"at most {MAX_POINTS:,}"))
    return out


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
        return Design("full_factorial", names, unit, values)
    unit = np.clip(np.asarray(_unit(exp), dtype=float), 0.0, 1.0)
    values = [
        {n: factor_value(s, u) for n, s, u in zip(names, specs, row, strict=True)} for row in unit
    ]
    return Design(exp.design.kind, names, unit, values)
