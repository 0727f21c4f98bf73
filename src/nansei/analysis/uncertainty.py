"""Uncertainty bands: outputs over the scenario's ``uncertain:`` parameter ranges.

Two intervals answer two questions about a headline output:

- the **Monte Carlo confidence interval** of the nominal run: how precisely the
  replications pin down the mean for the parameters as written;
- the **band over parameter uncertainty**: how far the mean moves when the uncertain
  parameters take other plausible values. It is the spread (by default the 5 % and 95 %
  quantiles) of the per-point means of an outer Latin hypercube over the ranges.

:func:`uncertainty_bands` runs that outer loop: ``points`` rows of a
``scipy.stats.qmc.LatinHypercube`` (seeded), each mapped to the ranges (log scale in log
space, triangular through its inverse distribution function, whole numbers rounded), and
``replications`` inner replications at each point. Every point uses the same replication
seeds, those of the nominal run's first replications (common random numbers), so that
the differences between points come from the parameters, not from the draws. It keeps
only a ``points x outputs`` array of means and standard errors: each batch of records is
reduced as soon as it is computed (at most :data:`CHUNK` replications at a time), so
memory does not grow with the number of points or replications. It then ranks the
parameters that drive each output by their partial rank correlation coefficient
(:func:`nansei.analysis.prcc.prcc`) with a Fisher-z interval.

Results do not depend on the number of worker processes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from nansei.engine.simulate import check_overflow, run_batch

from .prcc import prcc

__all__ = [
    "CHUNK",
    "UncertaintyResult",
    "map_unit",
    "point_stats",
    "sample_unit",
    "uncertainty_bands",
]

#: Most replications of one point simulated (and held) at once.
CHUNK = 2000

#: Design-point index of the inner replications' seeds: that of the nominal run (its
#: replications 0 .. replications-1), at every point.
STREAM = 0

Progress = Callable[[int, int], None]


@dataclass
class UncertaintyResult:
    """What :func:`uncertainty_bands` returns.

    Attributes
    ----------
    points : pandas.DataFrame
        One row per hypercube point: ``point``, the value of each uncertain parameter
        (column named by its path), the mean of every output over the inner
        replications (column named by the output) and its standard error
        (``sem.<output>``).
    bands : pandas.DataFrame
        Indexed by output: ``points`` (points where the output is defined), ``low``,
        ``median`` and ``high`` (quantiles ``band[0]``, 0.5 and ``band[1]`` of the point
        means), ``mean`` (mean of the point means) and ``mc_sem`` (median standard error
        of a point mean: the Monte Carlo noise inside the band).
    ranking : pandas.DataFrame
        One row per output and parameter, most influential first within an output:
        ``output``, ``rank`` (1 = largest ``|prcc|``), ``parameter``, ``prcc``,
        ``ci_low``, ``ci_high`` (95 % Fisher-z interval) and ``p_value``.
    meta : dict
        Points, replications, seeds, band quantiles, parameters with provenance, wall
        time.
    """

    points: pd.DataFrame
    bands: pd.DataFrame
    ranking: pd.DataFrame
    meta: dict = field(default_factory=dict)


def sample_unit(k: int, points: int, seed: int) -> np.ndarray:
    """Latin hypercube in the unit cube, shape ``(points, k)``: in each column, exactly
    one point falls in each of the ``points`` strata ``[i / points, (i + 1) / points)``.

    The same numbers as ``scipy.stats.qmc.LatinHypercube(d=k, rng=seed).random(points)``
    (a uniform draw within each stratum, then one random permutation of the strata per
    column, from the first child of ``SeedSequence(seed)``, as SciPy spawns it; a test
    compares them), without importing ``scipy.stats`` (about 0.45 s of every
    ``nansei run``).
    """
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(0,))))
    within = rng.uniform(size=(points, k))
    strata = np.tile(np.arange(1, points + 1), (k, 1))
    for j in range(k):
        rng.shuffle(strata[j, :])
    return (strata.T - within) / points


def _triangular_ppf(u: np.ndarray, c: float) -> np.ndarray:
    """Inverse distribution function of the triangular distribution on [0, 1] with mode
    ``c``."""
    u = np.asarray(u, dtype=float)
    left = np.sqrt(u * c)
    right = 1.0 - np.sqrt((1.0 - u) * (1.0 - c))
    return np.where(u < c, left, right) if 0.0 < c < 1.0 else (left if c >= 1.0 else right)


def map_unit(parameters, unit: np.ndarray) -> np.ndarray:
    """Map unit-cube rows to parameter values as run, shape ``(points, k)``.

    Parameters
    ----------
    parameters : sequence of UncertainParameter
    unit : ndarray, shape (points, k)
        Coordinates in [0, 1].
    """
    from nansei.scenario.uncertain import integer_bounds

    unit = np.asarray(unit, dtype=float)
    out = np.empty_like(unit)
    for j, p in enumerate(parameters):
        lo, hi = (math.log(p.low), math.log(p.high)) if p.scale == "log" else (p.low, p.high)
        u = unit[:, j]
        if p.dist == "triangular":
            mode = math.log(p.mode) if p.scale == "log" else p.mode
            u = _triangular_ppf(u, (mode - lo) / (hi - lo))
        x = lo + u * (hi - lo)
        if p.scale == "log":
            x = np.exp(x)
        x = np.clip(x, p.low, p.high)
        if p.integer:
            a, b = integer_bounds(p)
            x = np.clip(np.rint(x), a, b)
        out[:, j] = x
    return out


def point_stats(
    compiled, seed: int, replications: int, chunk: int = CHUNK, where: str = ""
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean, standard error and count of every output over ``replications`` replications.

    Replications ``0 .. replications-1`` of stream :data:`STREAM` are run in batches of at
    most ``chunk``; each batch is reduced (Chan's pairwise update of mean and sum of
    squares, NaN left out) and dropped before the next is run.

    Returns
    -------
    tuple of ndarray, each shape (len(compiled.output_names),)
        ``(mean, sem, n)``; NaN where an output is never defined (``n`` 0) or, for the
        standard error, defined once.
    """
    n_out = len(compiled.output_names)
    n = np.zeros(n_out)
    mean = np.zeros(n_out)
    m2 = np.zeros(n_out)
    for a in range(0, replications, chunk):
        out, _ = run_batch(compiled, seed, STREAM, a, min(a + chunk, replications))
        check_overflow(out, compiled, "", where)
        ok = ~np.isnan(out)
        nc = ok.sum(axis=0).astype(float)
        mc = np.where(ok, out, 0.0).sum(axis=0) / np.maximum(nc, 1.0)
        m2c = (np.where(ok, out - mc, 0.0) ** 2).sum(axis=0)
        del out, ok  # one batch of records at a time
        tot = n + nc
        delta = mc - mean
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(tot > 0, mean + delta * nc / np.maximum(tot, 1.0), 0.0)
            m2 = m2 + m2c + np.where(tot > 0, delta**2 * n * nc / np.maximum(tot, 1.0), 0.0)
        n = tot
    with np.errstate(invalid="ignore", divide="ignore"):
        sem = np.where(n > 1, np.sqrt(m2 / np.maximum(n - 1, 1.0) / np.maximum(n, 1.0)), np.nan)
    return np.where(n > 0, mean, np.nan), sem, n


def _point_job(compiled, seed: int, replications: int, chunk: int, where: str):
    """Reduce one compiled point's replications (runs in a worker).

    The points are compiled by the process that builds them: its caches (geodesics,
    gazetteer) are warm after the nominal run, while a worker's first compile would pay
    them again (about 0.5 s for ``kyodo-2021``).
    """
    mean, sem, _ = point_stats(compiled, seed, replications, chunk, where)
    return tuple(compiled.output_names), mean, sem


def uncertainty_bands(
    scenario,
    *,
    points: int | None = None,
    replications: int | None = None,
    seed: int | None = None,
    design_seed: int | None = None,
    band: tuple[float, float] | None = None,
    workers: int = 1,
    overrides=None,
    progress: Progress | None = None,
    chunk: int = CHUNK,
) -> UncertaintyResult:
    """Run the outer Latin hypercube of a scenario's ``uncertain:`` block.

    Parameters
    ----------
    scenario : Scenario, str or path
        A scenario with an ``uncertain:`` block (a built-in name, a YAML file, ...).
    points, replications : int, optional
        Hypercube points and inner replications per point (default: the block's).
    seed : int, optional
        Root seed of the inner replications (default: ``run.seed``). Every point runs
        replications ``0 .. replications-1`` of design point 0 of this seed, the first
        replications of the nominal run: common random numbers.
    design_seed : int, optional
        Seed of the hypercube (default: the block's ``seed``, else the root seed).
    band : (float, float), optional
        Quantiles of the band (default: the block's ``band``, 5 % and 95 %).
    workers : int
        Worker processes (the numbers do not depend on it).
    overrides : mapping, optional
        ``--set`` overrides applied to the scenario (hence to every point) first. An
        override of an uncertain parameter's path, or of a field above it, fixes it: that
        parameter is dropped from the block.
    progress : callable, optional
        ``progress(done, total)`` in replications, after each point.
    chunk : int
        Most replications simulated at once within a point (memory bound).

    Returns
    -------
    UncertaintyResult

    Raises
    ------
    ScenarioError
        If the scenario has no ``uncertain:`` block, the block does not fit the scenario
        (:func:`nansei.scenario.uncertain.validate_uncertain`), or a point's combination
        of values is invalid.
    """
    import time

    from nansei.engine.compile import compile_scenario
    from nansei.scenario import load_scenario
    from nansei.scenario.errors import problem_error
    from nansei.scenario.overrides import apply_overrides, normalize_overrides
    from nansei.scenario.uncertain import drop_overridden, validate_uncertain

    sc = scenario if hasattr(scenario, "run") and not overrides else None
    if sc is None:
        sc = load_scenario(scenario, overrides=overrides or None)
        sc, _ = drop_overridden(sc, list(normalize_overrides(overrides)))

    unc = sc.uncertain
    if unc is None:
        raise problem_error(
            "uncertain",
            None,
            f"scenario '{sc.name}' has no uncertain: block",
            "a scenario with one (docs/scenario-reference.md)",
        )
    validate_uncertain(sc)
    n_pts = unc.points if points is None else int(points)
    reps = unc.replications if replications is None else int(replications)
    root = sc.run.seed if seed is None else int(seed)
    dseed = design_seed if design_seed is not None else unc.seed if unc.seed is not None else root
    q = tuple(unc.band) if band is None else (float(band[0]), float(band[1]))
    k = len(unc.parameters)
    if not k + 3 <= n_pts <= 100_000:
        raise problem_error("uncertain.points", n_pts, "out of range", f"{k + 3} .. 100,000")
    if not 1 <= reps <= 10_000_000:
        raise problem_error("uncertain.replications", reps, "out of range", "1 .. 10,000,000")
    if not 0.0 <= q[0] < q[1] <= 1.0:
        raise problem_error("uncertain.band", list(q), "not quantiles", "0 <= lower < upper <= 1")
    if not 1 <= workers <= 256:
        raise problem_error("workers", workers, "must be between 1 and 256")

    paths = [p.path for p in unc.parameters]
    values = map_unit(unc.parameters, sample_unit(k, n_pts, dseed))
    base = sc.model_copy(update={"uncertain": None})  # points are plain scenarios

    def jobs() -> Iterator[tuple]:
        for i in range(n_pts):  # built one at a time, as workers take them
            row = {
                path: (int(v) if p.integer else float(v))
                for path, p, v in zip(paths, unc.parameters, values[i], strict=True)
            }
            sc_i = apply_overrides(base, row, f"{sc.name} uncertainty point {i}")
            yield compile_scenario(sc_i), root, reps, chunk, f"uncertainty point {i}: "

    t0 = time.perf_counter()
    names, means, sems = _run_points(jobs(), n_pts, reps, workers, progress)
    wall = time.perf_counter() - t0

    frame = pd.DataFrame({"point": np.arange(n_pts, dtype=np.int64)})
    for j, (path, p) in enumerate(zip(paths, unc.parameters, strict=True)):
        frame[path] = values[:, j].astype(np.int64) if p.integer else values[:, j]
    frame = pd.concat(
        [
            frame,
            pd.DataFrame(means, columns=list(names)),
            pd.DataFrame(sems, columns=[f"sem.{n}" for n in names]),
        ],
        axis=1,
    )
    meta = {
        "points": n_pts,
        "replications": reps,
        "seed": root,
        "design_seed": dseed,
        "band": list(q),
        "workers": workers,
        "wall_s": wall,
        "parameters": [p.model_dump(mode="json") for p in unc.parameters],
    }
    return UncertaintyResult(
        points=frame,
        bands=band_table(names, means, sems, q),
        ranking=ranking_table(names, paths, values, means),
        meta=meta,
    )


def _run_points(jobs, n_pts: int, reps: int, workers: int, progress: Progress | None):
    """Run the point jobs, in this process or on ``workers`` processes (at most two jobs
    per worker in flight); return output names and ``(points, outputs)`` means and SEs."""
    means: np.ndarray | None = None
    sems: np.ndarray | None = None
    names: tuple[str, ...] | None = None
    total = n_pts * reps

    def keep(i: int, result) -> None:
        nonlocal means, sems, names
        got, mean, sem = result
        if names is None:
            names = got
            means = np.full((n_pts, len(got)), np.nan)
            sems = np.full((n_pts, len(got)), np.nan)
        elif got != names:
            raise RuntimeError(
                f"uncertainty point {i} has other outputs than point 0: an uncertain "
                "parameter changes the scenario's structure"
            )
        means[i] = mean
        sems[i] = sem

    done = 0
    if workers == 1:
        for i, job in enumerate(jobs):
            keep(i, _point_job(*job))
            done += reps
            if progress:
                progress(done, total)
    else:
        from concurrent.futures import FIRST_COMPLETED, wait
        from contextlib import nullcontext

        from nansei.workerpool import pool_for, terminate, worker_initializer

        # the command's prestarted pool when there is one (its workers are warm)
        pool, owned = pool_for(workers, worker_initializer)
        with pool if owned else nullcontext(pool):
            try:
                pending: dict[Any, int] = {}
                it = enumerate(jobs)
                for i, job in it:
                    pending[pool.submit(_point_job, *job)] = i
                    if len(pending) >= 2 * workers:
                        break
                while pending:
                    finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for fut in finished:
                        keep(pending.pop(fut), fut.result())
                        done += reps
                        if progress:
                            progress(done, total)
                    for i, job in it:
                        pending[pool.submit(_point_job, *job)] = i
                        if len(pending) >= 2 * workers:
                            break
            except BaseException:  # Ctrl-C or a failed point: stop the workers now
                terminate(pool)
                raise
    if names is None or means is None or sems is None:  # pragma: no cover - points >= 4
        raise RuntimeError("no uncertainty point was run")
    return names, means, sems


def band_table(names, means: np.ndarray, sems: np.ndarray, q: tuple[float, float]):
    """The band of each output over the points (see :class:`UncertaintyResult`)."""
    rows = []
    for j, name in enumerate(names):
        y = means[:, j]
        y = y[~np.isnan(y)]
        s = sems[:, j]
        s = s[~np.isnan(s)]
        if y.size:
            lo, med, hi = np.quantile(y, [q[0], 0.5, q[1]])
            m = float(y.mean())
        else:
            lo = med = hi = m = np.nan
        mc = float(np.median(s)) if s.size else np.nan
        rows.append((name, int(y.size), float(lo), float(med), float(hi), m, mc))
    df = pd.DataFrame(rows, columns=["output", "points", "low", "median", "high", "mean", "mc_sem"])
    return df.set_index("output")


def ranking_table(names, paths, values: np.ndarray, means: np.ndarray) -> pd.DataFrame:
    """PRCC of every parameter with every output (see :class:`UncertaintyResult`)."""
    rows = []
    for j, name in enumerate(names):
        r, lo, hi, p = prcc(values, means[:, j])
        order = sorted(range(len(paths)), key=lambda i: -abs(r[i]) if r[i] == r[i] else 1.0)
        for rank, i in enumerate(order, start=1):
            rows.append((name, rank, paths[i], r[i], lo[i], hi[i], p[i]))
    cols = ["output", "rank", "parameter", "prcc", "ci_low", "ci_high", "p_value"]
    return pd.DataFrame(rows, columns=cols)
