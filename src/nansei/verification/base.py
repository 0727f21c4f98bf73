"""The :class:`Check` record and the helpers the check modules share.

A check module (:mod:`~nansei.verification.attrition_checks`,
:mod:`~nansei.verification.civil_checks`, :mod:`~nansei.verification.fuel_checks`,
:mod:`~nansei.verification.sustain_checks`) imports from here and lists its checks in
``CHECKS``; :mod:`nansei.verification.checks` imports every check module and registers
their checks, in a fixed order, in its ``REGISTRY``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

Estimator = Callable[[pd.DataFrame], tuple[float, float]]


@dataclass(frozen=True)
class Check:
    """One verification check.

    Attributes
    ----------
    name : str
        Short unique name.
    description : str
        What is checked, in words.
    scenario : dict
        Scenario document (built-in name under ``base`` plus overrides).
    expected : Callable[[], float]
        The exact value.
    estimate : Estimator
        ``records -> (estimate, standard error)``.
    replications : int
        Replications at ``scale = 1``.
    exact_match : bool
        The check is an identity: it passes only with zero error.
    runner : Callable, optional
        Replaces :func:`nansei.engine.simulate.simulate` (same keywords), e.g. the
        evacuation-only driver.
    rel_tol : float
        The check also passes when ``|simulated - expected| <= rel_tol * |expected|``
        (for published figures given as "about").
    """

    name: str
    description: str
    scenario: dict
    expected: Callable[[], float]
    estimate: Estimator
    replications: int = 20_000
    exact_match: bool = False
    runner: Callable | None = None  # (scenario, replications, seed, workers) -> .records
    rel_tol: float = 0.0  # also passes within this relative error ("about" figures)


def _mean_se(x: np.ndarray) -> tuple[float, float]:
    n = x.size
    m = float(x.mean())
    se = float(x.std(ddof=1) / math.sqrt(n)) if n > 1 else float("nan")
    return m, se


def _column(name: str) -> Estimator:
    return lambda r: _mean_se(r[name].to_numpy(dtype=float))


def _identity(expr: Callable[[pd.DataFrame], np.ndarray]) -> Estimator:
    """Largest absolute violation of an identity over replications (SE 0)."""
    return lambda r: (float(np.max(np.abs(expr(r)))), 0.0)


def _doc(base: str, **over) -> dict:
    """A scenario document: a built-in plus dotted-path overrides."""
    return {"base": base, "overrides": over}


def check_scenario(doc: dict):
    """Load a check's ``{"base", "overrides"}``: the built-in with the dotted-path
    overrides of :mod:`nansei.scenario.overrides` applied, validated."""
    from nansei.scenario import load_scenario

    return load_scenario(doc["base"], overrides=doc["overrides"])


def scenario_document(doc: dict) -> dict:
    """A check's ``{"base", "overrides"}`` as a raw scenario mapping, *not* validated (tests
    use it to build invalid scenarios): the built-in's YAML with each dotted path set,
    creating missing mappings. :func:`check_scenario` loads and validates instead."""
    import yaml

    from nansei.scenario import builtin_path

    out = yaml.safe_load(builtin_path(doc["base"]).read_text(encoding="utf-8"))
    for path, value in doc["overrides"].items():
        node = out
        keys = path.split(".")
        for k in keys[:-1]:
            node = node.setdefault(k, {})
        node[keys[-1]] = value
    return out


def result_words(check: Check | None, r) -> str:
    """How a check row passed or failed, in words: 'z = +0.53', 'exact', 'within ±6,000'."""
    diff = float(r["simulated"]) - float(r["expected"])
    if check is not None and check.exact_match:
        return "exact" if diff == 0 else f"off by {diff:+.4g} (must be exact)"
    tol = 0.0 if check is None else check.rel_tol * abs(float(r["expected"]))
    z = float(r["z"])
    if check is not None and check.rel_tol > 0 and (abs(diff) <= tol or not abs(z) <= 4.0):
        pct = f"{100 * check.rel_tol:g} %"
        inside = abs(diff) <= tol
        return f"{'within' if inside else 'outside'} ±{tol:,.4g} ({pct})"
    se = float(r["se"])
    if not se > 0 or z != z or abs(z) == float("inf"):  # no sampling error: the difference
        return "exact" if abs(diff) < 1e-12 else f"off by {diff:+.4g} (SE 0)"
    return f"z = {z:+.2f}"


def fmt_value(x: float) -> str:
    """A check's value: thousands separators from 1,000 on, else five significant digits."""
    if x != x:
        return "n/a"
    if abs(x) >= 1000:
        return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.1f}"
    return f"{x:.5g}"
