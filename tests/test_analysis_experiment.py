"""Analysis: CIs per design point, replications needed, paired CRN comparison, SALib indices."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from nansei.analysis import paired_difference, replications_needed, summarize
from nansei.cli import app
from nansei.experiment import run_experiment, sweep
from nansei.experiment.analyze import analyze_directory

SENS = """\
schema_version: 1
name: sens
scenario: ideal-fixed-delay
factors:
  red.isr.detection_rate_per_h.hidden: {{low: 0.01, high: 0.3}}
  red.p_kill: {{low: 0.05, high: 0.95}}
  red.daily_capacity: {{low: 1000, high: 100000, integer: true}}
design: {{kind: {kind}, points: {n}, seed: 3}}
replications: 20
batch_size: 20
seed: 5
common_random_numbers: true
outputs: [launchers_lost]
"""


def test_replications_needed_hits_the_target() -> None:
    rng = np.random.default_rng(1)
    pilot = pd.DataFrame({"x": rng.normal(10.0, 4.0, 200)})
    need = replications_needed(pilot, "x", half_width=0.5)["n_needed"].iloc[0]
    # (1.96 * 4 / 0.5)^2 = 246; the pilot SD has a relative SE of 1/sqrt(2 * 199) = 5 %.
    assert 246 * 0.8 < need < 246 * 1.2
    sample = pd.DataFrame({"x": rng.normal(10.0, 4.0, need)})
    s = summarize(sample, ["x"]).iloc[0]
    assert abs((s.ci_high - s.ci_low) / 2 - 0.5) < 0.1


def test_paired_crn_comparison_is_sharper(tmp_path) -> None:
    exp = """\
schema_version: 1
name: crn
scenario: ideal-fixed-delay
factors:
  red.p_kill: [0.3, 0.6]
  red.isr.detection_rate_per_h.hidden: [0.05]
design: {kind: full_factorial}
replications: 400
batch_size: 100
seed: 12
common_random_numbers: true
outputs: [launchers_lost, red_strikes]
"""
    res = run_experiment(exp)
    d = paired_difference(res.records, "red.p_kill", 0.3, 0.6, ["launchers_lost"]).iloc[0]
    assert d.pairs == 400
    # Higher kill probability loses more launchers; CI excludes 0, and CRN shrinks the
    # variance of the difference against independent samples.
    assert d.ci_low > 0
    assert d.variance_ratio > 1.5
    independent = run_experiment(exp.replace("common_random_numbers: true", ""))
    e = paired_difference(independent.records, "red.p_kill", 0.3, 0.6, ["launchers_lost"])
    # same true difference: the two estimates agree within 4 combined SE
    assert abs(e.mean_diff.iloc[0] - d.mean_diff) < 4 * np.hypot(e["sem"].iloc[0], d["sem"])
    assert e.variance_ratio.iloc[0] < d.variance_ratio


@pytest.fixture(scope="module")
def sobol_store(tmp_path_factory):
    out = tmp_path_factory.mktemp("sens") / "sobol"
    sweep(SENS.format(kind="saltelli", n=16), out, "local", 2)
    return out


def test_sobol_indices_rank_the_factors(sobol_store) -> None:
    res = analyze_directory(sobol_store)
    s = res["sobol"].set_index("factor")
    dummy = s.loc["red.daily_capacity"]
    # Red's daily capacity (>= 1000) never binds for one launcher: with common random
    # numbers, points that differ only in it give identical records, so its indices are 0.
    assert abs(dummy.ST) < 1e-12 and abs(dummy.S1) < 1e-12
    for f in ("red.isr.detection_rate_per_h.hidden", "red.p_kill"):
        assert s.loc[f, "ST"] > 0.1
    assert 0.5 < s["ST"].sum() < 1.5
    summary = res["summary"]
    assert len(summary) == 16 * 5 and summary["n"].eq(20).all()


def test_morris_ranks_the_factors(tmp_path) -> None:
    out = tmp_path / "morris"
    sweep(SENS.format(kind="morris", n=10), out)
    m = analyze_directory(out)["morris"].set_index("factor")
    assert m.loc["red.daily_capacity", "mu_star"] < 1e-12
    assert m.loc["red.p_kill", "mu_star"] > 0.1


def test_cli_sweep_status_analyze_compact(tmp_path) -> None:
    exp = tmp_path / "e.yaml"
    exp.write_text(SENS.format(kind="lhs", n=4))
    out = tmp_path / "store"
    r = CliRunner().invoke(app, ["sweep", str(exp), "--out", str(out), "--workers", "1"])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(app, ["status", str(out), "--json"])
    info = json.loads(r.stdout)
    assert info["complete"] and info["replications_done"] == 80
    assert info["runs"][0]["status"] == "finished"
    r = CliRunner().invoke(app, ["analyze", str(out), "--json", "--half-width", "0.1"])
    payload = json.loads(r.stdout)
    rows = payload["summary"]
    assert len(rows) == 4 and all(row["n"] == 20 for row in rows)
    assert len(payload["replications_needed"]) == 4
    r = CliRunner().invoke(app, ["analyze", str(out), "--compare", "red.p_kil"])
    assert r.exit_code == 2 and "unknown factor" in r.stderr
    r = CliRunner().invoke(app, ["compact", str(out)])
    assert r.exit_code == 0 and "compacted 4 design points" in r.stdout
    r = CliRunner().invoke(app, ["sweep", str(exp), "--out", str(out), "--executor", "lokal"])
    assert r.exit_code == 2 and "executor: unknown executor" in r.stderr


def test_cli_analyze_plain_run_directory(tmp_path) -> None:
    out = tmp_path / "run"
    r = CliRunner().invoke(app, ["run", "ideal-fixed-delay", "--reps", "50", "--out", str(out)])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(app, ["analyze", str(out), "--json", "-o", "launchers_lost"])
    assert r.exit_code == 0, r.output
    row = json.loads(r.stdout)["summary"][0]
    ref = summarize(pd.read_parquet(out / "records.parquet"), ["launchers_lost"]).iloc[0]
    assert row["mean"] == ref["mean"] and row["ci_low"] == ref["ci_low"]
    r = CliRunner().invoke(app, ["analyze", str(tmp_path)])
    assert r.exit_code == 2 and "neither a sweep store" in r.stderr
