"""Designs: NOLH orthogonality and Latin property, LHS stratification, factor mapping."""

from __future__ import annotations

import numpy as np
import pytest

from nansei.experiment import load_experiment
from nansei.experiment.design import make_design
from nansei.experiment.nolh import nolh


def _max_corr(x: np.ndarray) -> float:
    c = np.corrcoef(x.T)
    np.fill_diagonal(c, 0.0)
    return float(np.abs(c).max())


@pytest.mark.parametrize(("k", "runs"), [(7, 17), (11, 33), (16, 65), (22, 129), (4, 9)])
def test_nolh_is_latin_and_below_published_correlation(k: int, runs: int) -> None:
    x = nolh(k)
    assert x.shape == (runs, k)
    levels = np.linspace(0.0, 1.0, runs)
    for col in x.T:  # every column is a permutation of the runs' levels (Latin)
        np.testing.assert_allclose(np.sort(col), levels)
    # Cioppa-Lucas NOLH tables: max |pairwise correlation| < 0.03; ours are orthogonal.
    assert _max_corr(x) < 0.03


def test_nolh_17x7_is_exactly_orthogonal() -> None:
    assert _max_corr(nolh(7)) < 1e-12


def test_nolh_fewer_factors_and_larger_runs() -> None:
    assert nolh(3).shape == (9, 3)
    assert nolh(3, 17).shape == (17, 3)
    with pytest.raises(ValueError):
        nolh(3, 16)


def _exp(design: dict, factors: dict) -> dict:
    return {
        "name": "t",
        "scenario": "ideal-fixed-delay",
        "factors": factors,
        "design": design,
        "replications": 10,
        "seed": 1,
    }


def test_lhs_is_stratified_and_nearly_uncorrelated() -> None:
    factors = {
        "red.p_kill": {"low": 0.1, "high": 0.9},
        "blue.relocation.dwell_h": {"low": 1, "high": 8},
        "red.kill_chain.delay_h": {"low": 0.5, "high": 2.0},
    }
    exp = load_experiment(_exp({"kind": "lhs", "points": 50, "seed": 3}, factors))
    d = make_design(exp)
    assert d.points == 50
    for j in range(3):  # one point in each of the 50 strata of every column
        strata = np.floor(d.unit[:, j] * 50).astype(int)
        assert sorted(strata) == list(range(50))
    # random-cd optimised LHS: correlations well below those of random sampling
    # (whose SE is 1/sqrt(50) = 0.14).
    assert _max_corr(d.unit) < 0.15
    p = np.array([v["red.p_kill"] for v in d.values])
    assert p.min() >= 0.1 and p.max() <= 0.9


def test_sobol_and_full_factorial_and_levels_mapping() -> None:
    exp = load_experiment(
        _exp(
            {"kind": "full_factorial"},
            {
                "legal.authorities": ["law-2021", "amended"],
                "red.p_kill": {"low": 0.2, "high": 0.8, "levels": 3},
            },
        )
    )
    d = make_design(exp)
    assert d.points == 6
    assert {(v["legal.authorities"], round(v["red.p_kill"], 3)) for v in d.values} == {
        (a, p) for a in ("law-2021", "amended") for p in (0.2, 0.5, 0.8)
    }
    exp = load_experiment(
        _exp({"kind": "sobol", "points": 16, "seed": 2}, {"red.missiles_per_strike": [1, 2, 3]})
    )
    d = make_design(exp)
    counts = np.bincount([v["red.missiles_per_strike"] for v in d.values])
    # a scrambled Sobol sequence is balanced on dyadic intervals: each third holds 16/3 +- 2
    assert counts.sum() == 16 and all(4 <= c <= 7 for c in counts[1:])
    ones = np.array([v["red.missiles_per_strike"] for v in d.values[:8]])
    assert len(set(ones)) == 3


def test_design_is_deterministic() -> None:
    factors = {"red.p_kill": {"low": 0.1, "high": 0.9}, "blue.relocation.dwell_h": [2, 4, 8]}
    a = make_design(load_experiment(_exp({"kind": "lhs", "points": 20, "seed": 5}, factors)))
    b = make_design(load_experiment(_exp({"kind": "lhs", "points": 20, "seed": 5}, factors)))
    assert a.values == b.values


def test_builtin_experiments_load() -> None:
    from nansei.experiment import builtin_experiments

    names = builtin_experiments()
    assert {"kyodo-dwell-killchain", "kyodo-legal-authorities", "ideal-sensitivity"} <= set(names)
    for n in names:
        assert make_design(load_experiment(n)).points >= 2
