"""The model's check suite: simulated values against exact results.

Each :class:`Check` builds an idealised scenario, names the exact value from
:mod:`nansei.verification.closed_form` (or an accounting identity), and says
how to estimate it from simulated records. :func:`run_checks` runs them and
reports the error in standard errors; a check passes within ``z_tol`` (4).
The checks live in the check modules (``attrition_checks``, ``civil_checks``,
``fuel_checks``, ``sustain_checks``, ``legal_checks``), which list them in ``CHECKS``; this module
registers them in :data:`REGISTRY` in that order, and :func:`register` adds more.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd

from nansei.verification import (
    attrition_checks,
    civil_checks,
    events_checks,
    forces_checks,
    fuel_checks,
    killchain_checks,
    legal_checks,
    outputs_checks,
    sustain_checks,
)
from nansei.verification.base import Check, Estimator, check_scenario, scenario_document

__all__ = ["REGISTRY", "Check", "Estimator", "register", "run_checks", "scenario_document"]

REGISTRY: dict[str, Check] = {}


def register(check: Check) -> Check:
    """Add a check to the registry (names must be unique)."""
    if check.name in REGISTRY:
        raise ValueError(f"check '{check.name}' is already registered")
    REGISTRY[check.name] = check
    return check


# The registration order is the order `nansei verify` reports.
_MODULES = (
    attrition_checks,
    killchain_checks,
    forces_checks,
    civil_checks,
    fuel_checks,
    sustain_checks,
    legal_checks,
    outputs_checks,
    events_checks,
)
for _module in _MODULES:
    for _check in _module.CHECKS:
        register(_check)


def run_checks(
    names: list[str] | None = None,
    *,
    scale: float = 1.0,
    seed: int = 20211224,
    workers: int = 1,
    z_tol: float = 4.0,
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """Run registered checks.

    Parameters
    ----------
    names : list of str, optional
        Checks to run (default all).
    scale : float
        Multiplies each check's replications (e.g. 0.25 for a quick run).
    seed : int
        Root seed.
    workers : int
        Worker processes per check.
    z_tol : float
        Pass threshold in standard errors.

    Returns
    -------
    pandas.DataFrame
        One row per check: ``check``, ``expected``, ``simulated``, ``se``,
        ``z``, ``replications``, ``passed``, ``description``.
    """
    from nansei.engine.simulate import simulate

    chosen = list(REGISTRY) if names is None else names
    unknown = [n for n in chosen if n not in REGISTRY]
    if unknown:
        raise KeyError(f"unknown checks {unknown}; known: {', '.join(REGISTRY)}")
    rows = []
    for name in chosen:
        c = REGISTRY[name]
        if progress:
            progress(name)
        sc = check_scenario(c.scenario)
        reps = max(20, int(c.replications * scale))
        res = (c.runner or simulate)(sc, replications=reps, seed=seed, workers=workers)
        est, se = c.estimate(res.records)
        exp = float(c.expected())
        if c.exact_match:
            z = 0.0 if est == exp else math.inf
        elif se > 0:
            z = (est - exp) / se
        else:
            z = 0.0 if abs(est - exp) < 1e-12 else math.inf
        ok = abs(z) <= z_tol or abs(est - exp) <= c.rel_tol * abs(exp)
        rows.append((name, exp, est, se, z, reps, ok, c.description))
    cols = ["check", "expected", "simulated", "se", "z", "replications", "passed", "description"]
    return pd.DataFrame(rows, columns=cols)
