"""Start-up: what the light entry points import, and the shortcuts that keep a warm start
fast give the same answers as the slow paths (no wall-clock assertions here)."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest

from nansei.engine.results import mean_ci
from nansei.geo.distance import geodesic_km, within_km

HEAVY = ("numpy", "pandas", "numba", "pydantic", "scipy", "pyarrow", "shapely", "rich", "typer")


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport json, sys; print(json.dumps(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return set(json.loads(out.strip().splitlines()[-1]))


def test_package_and_cli_import_nothing_heavy():
    mods = _modules_after("import nansei")
    assert not {m for m in HEAVY if m in mods}
    mods = _modules_after("import nansei.cli")
    assert not {m for m in HEAVY if m in mods} - {"rich", "typer"}


def test_builtin_scenario_does_not_load_coastlines():
    # Only custom sites are checked against the coastlines (tests/test_scenario_errors.py
    # covers a custom site in the sea), and generated positions are placed inside them
    # (kyodo-2021 uses them; this built-in does not).
    mods = _modules_after(
        "from nansei.scenario import load_scenario; load_scenario('sakishima-evacuation-2025')"
    )
    assert "nansei.geo.coastlines" not in mods and "shapely" not in mods


def test_generated_positions_load_the_coastlines():
    """The other side of the rule above: a scenario with generated positions needs them."""
    mods = _modules_after("from nansei.scenario import load_scenario; load_scenario('kyodo-2021')")
    assert "nansei.geo.coastlines" in mods


def test_simulate_does_not_import_scipy_stats():
    mods = _modules_after(
        "from nansei.engine.simulate import simulate\n"
        "simulate('ideal-fixed-delay', replications=20, seed=1).summary()"
    )
    assert "scipy.stats" not in mods


def test_within_km_agrees_with_geodesic_km():
    rng = np.random.default_rng(20261123)
    for i in range(3000):
        lat1, lat2 = rng.uniform(-90.0, 90.0, 2)
        lon1, lon2 = rng.uniform(-180.0, 180.0, 2)
        if i % 2:  # short distances, as between sites and gateways
            lat2 = float(np.clip(lat1 + rng.normal(0.0, 0.3), -90.0, 90.0))
            lon2 = float(np.clip(lon1 + rng.normal(0.0, 0.3), -180.0, 180.0))
        d = geodesic_km(lat1, lon1, lat2, lon2)
        for km in (d, math.nextafter(d, 0.0), math.nextafter(d, math.inf), d * 1.004, d * 0.996,
                   d * 1.02, d * 0.98, 0.0, 5.0, 50.0, math.inf, math.nan):  # fmt: skip
            assert within_km(lat1, lon1, lat2, lon2, km) == (d <= km), (lat1, lon1, lat2, lon2, km)


def test_within_km_rejects_what_geodesic_km_rejects():
    with pytest.raises(ValueError):
        within_km(91.0, 0.0, 0.0, 0.0, 10.0)
    with pytest.raises(ValueError):
        within_km(0.0, 0.0, math.nan, 0.0, 10.0)
    assert within_km(24.3, 124.1, 24.3, 124.1, 0.0)


def test_mean_ci_quantile_is_scipy_stats_t():
    from scipy import stats

    rng = np.random.default_rng(1)
    for n in (2, 3, 10, 31, 500, 10_000):
        x = rng.normal(size=n)
        for level in (0.8, 0.9, 0.95, 0.99):
            m, sem, lo, hi = mean_ci(x, level)
            half = float(stats.t.ppf(0.5 + level / 2, n - 1) * sem)
            assert (lo, hi) == (m - half, m + half)


def test_quick_exit_keeps_duckdb_teardown_quiet():
    code = (
        "from nansei.cli import _quick_exit\n_quick_exit()\nimport duckdb\n"
        "print(duckdb.connect().execute('select 41 + 1').fetchall())"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "42" in done.stdout
    assert "leaked" not in done.stderr, done.stderr
