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
    assert "ranking" not in res  # SALib designs keep their own method
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


def test_regression_effects_recover_known_coefficients() -> None:
    from nansei.analysis.ranking import regression_effects

    rng = np.random.default_rng(4)
    x = rng.uniform(0.0, 10.0, (60, 3))
    y = 2.0 * x[:, 0] - 1.0 * x[:, 1] + rng.normal(0.0, 0.5, 60)  # x[:, 2] inert
    t = regression_effects(x, y)
    span = np.ptp(x, axis=0)
    # the 95 % t-interval is about +-2 SE: true effect within 4 SE of the estimate
    se = (t["ci_high"] - t["ci_low"]) / 4.0
    for j, b in enumerate((2.0, -1.0, 0.0)):
        assert abs(t["effect"][j] - b * span[j]) < 4 * se[j], j
    assert t["ci_low"][0] > 0 and t["ci_high"][1] < 0 and t["ci_low"][2] < 0 < t["ci_high"][2]
    assert t["r2"] > 0.99 and abs(t["src"][0]) > abs(t["src"][1]) > abs(t["src"][2])
    # a factor that does not vary has no effect; too few points leave the intervals NaN
    const = regression_effects(np.column_stack([x[:, 0], np.ones(60)]), y)
    assert np.isnan(const["effect"][1]) and not np.isnan(const["effect"][0])
    few = regression_effects(x[:4], y[:4])
    assert np.isnan(few["ci_low"]).all() and not np.isnan(few["effect"]).any()


def test_sensitivity_ranking_rejects_an_unknown_method() -> None:
    from nansei.analysis.ranking import sensitivity_ranking

    x = pd.DataFrame({"a": [0.0, 1.0, 2.0]})
    with pytest.raises(ValueError, match="allowed: prcc, regression"):
        sensitivity_ranking(x, pd.DataFrame({"y": [1.0, 2.0, 3.0]}), method="sobol")


@pytest.fixture(scope="module")
def nolh_store(tmp_path_factory):
    """The built-in NOLH data-farming experiment (17 points x 40 replications)."""
    out = tmp_path_factory.mktemp("nolh") / "store"
    sweep("ideal-nolh", out)
    return out


@pytest.mark.parametrize("method", ["prcc", "regression"])
def test_nolh_ranking_finds_the_drivers_and_not_the_dummy(nolh_store, method) -> None:
    from scipy.special import stdtrit

    res = analyze_directory(nolh_store, ["time_first_loss_h", "launchers_lost"], ranking=method)
    assert "sobol" not in res and "morris" not in res
    rank = res["ranking"]
    assert len(rank) == 2 * 3 and set(rank["rank"]) == {1, 2, 3}
    t = rank[rank["output"] == "time_first_loss_h"].set_index("factor")
    est = "prcc" if method == "prcc" else "effect"
    # a higher detection rate or kill probability brings the first loss earlier: both
    # intervals lie below 0
    for f in ("red.isr.detection_rate_per_h.hidden", "red.p_kill"):
        assert t.loc[f, "ci_high"] < 0 and t.loc[f, est] < 0, f
        assert t.loc[f, "rank"] <= 2
    # Red's daily capacity never binds: it ranks last, within 4 SE of 0
    dummy = t.loc["red.daily_capacity"]
    assert dummy["rank"] == 3 and dummy["ci_low"] < 0 < dummy["ci_high"]
    if method == "prcc":  # Fisher z: SE 1 / sqrt(n - 3 - (k - 1)) = 1 / sqrt(12)
        assert abs(np.arctanh(dummy["prcc"])) * np.sqrt(17 - 3 - 2) < 4
    else:  # t interval on 17 - 4 degrees of freedom
        se = (dummy["ci_high"] - dummy["ci_low"]) / (2 * stdtrit(13, 0.975))
        assert abs(dummy["effect"]) < 4 * se
        assert 0 < t["r2"].iloc[0] <= 1
    lost = rank[rank["output"] == "launchers_lost"].set_index("factor")
    assert lost.loc["red.p_kill", "ci_low"] > 0 and lost.loc["red.p_kill", "rank"] == 1


def test_cli_analyze_ranking_option(nolh_store) -> None:
    r = CliRunner().invoke(
        app, ["analyze", str(nolh_store), "--json", "-o", "red_strikes", "--ranking", "regression"]
    )
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)["ranking"]
    assert [row["rank"] for row in rows] == [1, 2, 3] and "effect" in rows[0]
    r = CliRunner().invoke(app, ["analyze", str(nolh_store), "--ranking", "anova"])
    assert r.exit_code == 2 and "--ranking: unknown method 'anova'" in r.stderr
    assert "allowed: prcc, regression" in r.stderr
