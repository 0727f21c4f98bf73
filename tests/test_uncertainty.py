"""Uncertainty bands (issue 15, item 5): the ``uncertain:`` block, the outer Latin
hypercube with common random numbers, PRCC, flat memory, and what ``nansei run`` shows."""

from __future__ import annotations

import json
import weakref

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import nansei
from nansei.analysis import uncertainty as U
from nansei.analysis.prcc import prcc
from nansei.cli import app
from nansei.engine.compile import compile_scenario
from nansei.scenario import ScenarioError, load_scenario
from nansei.scenario.uncertain import validate_uncertain

BASE = "ideal-fixed-delay"


def _block(*params, points=8, replications=50, **extra) -> dict:
    return {"points": points, "replications": replications, "parameters": list(params), **extra}


def _load(block: dict, base: str = BASE, **sets):
    sc = load_scenario(base, overrides={**sets, "uncertain": block})
    validate_uncertain(sc)
    return sc


def _problems(block: dict, base: str = BASE) -> list:
    with pytest.raises(ScenarioError) as info:
        _load(block, base)
    return info.value.problems


# ---------------------------------------------------------------------------
# validation


@pytest.mark.parametrize(
    ("param", "where", "words"),
    [
        ({"path": "red.p_kil", "low": 0.1, "high": 0.9}, "parameters[0].path", "did you mean"),
        ({"path": "red.doctrine", "low": 0.1, "high": 0.9}, "parameters[0].path", "not a number"),
        ({"path": "red.p_kill", "low": 0.9, "high": 0.9}, "parameters[0].high", "greater than low"),
        (
            {"path": "red.p_kill", "low": 0, "high": 0.9, "scale": "log"},
            "parameters[0].low",
            "log scale",
        ),
        ({"path": "red.p_kill", "low": 0.5, "high": 1.5}, "parameters[0].high", "p_kill = 1.5"),
        ({"path": "red.p_kill", "low": -0.5, "high": 0.5}, "parameters[0].low", "p_kill = -0.5"),
        (
            {"path": "red.p_kill", "low": 0.1, "high": 0.9, "dist": "triangular", "mode": 0.95},
            "parameters[0].mode",
            "outside",
        ),
        (
            {"path": "red.p_kill", "low": 0.1, "high": 0.9, "dist": "triangular"},
            "parameters[0].mode",
            "needs a mode",
        ),
        ({"path": "blue.launchers[0].count", "low": 1, "high": 3}, "parameters[0].integer", ""),
        (
            {"path": "blue.launchers[3].count", "low": 1, "high": 3, "integer": True},
            "parameters[0].path",
            "out of range",
        ),
        ({"path": "red..p_kill", "low": 0.1, "high": 0.9}, "parameters[0].path", "field path"),
    ],
)
def test_a_bad_parameter_is_named_with_its_value_and_what_is_allowed(param, where, words):
    probs = _problems(_block(param))
    assert [p.path for p in probs] == [f"uncertain.{where}"]
    text = str(probs[0].render())
    assert words in text
    assert probs[0].value is not None and probs[0].allowed  # the value and what is allowed


def test_a_rejected_end_names_the_schema_rule():
    (p,) = _problems(_block({"path": "red.p_kill", "low": 0.5, "high": 1.5}))
    assert "red.p_kill" in p.message and "less than or equal to 1" in p.message
    assert p.value == "1.5"


def test_duplicate_paths_and_too_few_points():
    param = {"path": "red.p_kill", "low": 0.1, "high": 0.9}
    probs = _problems(_block(param, dict(param, path=" red.p_kill"), points=4))
    paths = sorted(p.path for p in probs)
    assert paths == ["uncertain.parameters[1].path", "uncertain.points"]
    assert any("duplicate" in p.message for p in probs)


def test_band_must_be_two_increasing_quantiles():
    probs = _problems(_block({"path": "red.p_kill", "low": 0.1, "high": 0.9}, band=[0.9, 0.1]))
    assert [p.path for p in probs] == ["uncertain.band"]


def test_errors_in_a_file_carry_line_numbers(tmp_path):
    text = (
        "schema_version: 1\nname: x\nblue:\n  launchers: [{id: a, count: 1}]\n"
        "uncertain:\n  points: 8\n  parameters:\n"
        "    - {path: red.p_kill, low: 0.2, high: 0.9}\n"
        "    - {path: red.isr.p_detect_launch, low: 0, high: 0.9, scale: log}\n"
    )
    f = tmp_path / "s.yaml"
    f.write_text(text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(str(f))
    (p,) = info.value.problems
    assert p.path == "uncertain.parameters[1].low" and p.line == 9


def test_the_block_leaves_the_run_id_alone():
    plain = load_scenario(BASE)
    with_block = _load(_block({"path": "red.p_kill", "low": 0.1, "high": 0.9}))
    assert compile_scenario(plain).fingerprint == compile_scenario(with_block).fingerprint


def test_kyodo_declares_a_small_block_with_provenance():
    unc = load_scenario("kyodo-2021").uncertain
    assert unc is not None and 4 <= len(unc.parameters) <= 12
    assert unc.points * unc.replications <= 3200  # keeps `nansei demo` fast
    assert all(p.source and p.confidence == "C" for p in unc.parameters)


# ---------------------------------------------------------------------------
# sampling


def test_each_parameter_has_one_point_per_stratum():
    n = 37
    unit = U.sample_unit(3, n, seed=11)
    for j in range(3):
        assert sorted(np.floor(unit[:, j] * n).astype(int)) == list(range(n))
    params = _load(
        _block(
            {"path": "red.p_kill", "low": 0.2, "high": 0.6},
            {"path": "red.isr.detection_rate_per_h.hidden", "low": 0.01, "high": 1, "scale": "log"},
            {"path": "red.isr.p_detect_launch", "low": 0.0, "high": 0.5},
            points=n,
        )
    ).uncertain.parameters
    x = U.map_unit(params, unit)
    lin = (x[:, 0] - 0.2) / 0.4
    log = (np.log(x[:, 1]) - np.log(0.01)) / (np.log(1) - np.log(0.01))
    for v in (lin, log):
        assert sorted(np.floor(v * n + 1e-9).astype(int)) == list(range(n))


@pytest.mark.parametrize("seed", [0, 11, 2**40, 2**63 - 1])
@pytest.mark.parametrize(("k", "n"), [(1, 4), (3, 32), (7, 101)])
def test_hypercube_is_scipys(seed, k, n):
    # sample_unit avoids importing scipy.stats; it must give SciPy's numbers exactly
    from scipy.stats import qmc

    expected = qmc.LatinHypercube(d=k, rng=seed).random(n)
    assert np.array_equal(U.sample_unit(k, n, seed), expected)


def test_triangular_and_integer_mapping():
    params = _load(
        _block(
            {"path": "red.p_kill", "low": 0.0, "high": 1.0, "dist": "triangular", "mode": 0.8},
            {"path": "blue.launchers[0].count", "low": 0.6, "high": 4.4, "integer": True},
        )
    ).uncertain.parameters
    n = 4000
    x = U.map_unit(params, U.sample_unit(2, n, seed=3))
    mean, sd = 1.8 / 3, np.sqrt((0.64 - 0.8) / 18 + 1 / 18)  # triangular(0, 0.8, 1)
    assert abs(x[:, 0].mean() - mean) < 4 * sd / np.sqrt(n)
    assert set(np.unique(x[:, 1])) == {1.0, 2.0, 3.0, 4.0}


# ---------------------------------------------------------------------------
# the outer loop


def test_identical_points_get_identical_means_the_nominal_seeds():
    """Common random numbers: points with the same value run the same replications, which
    are the nominal run's first replications."""
    sc = _load(_block({"path": "blue.launchers[0].count", "low": 1, "high": 2, "integer": True}))
    res = nansei.uncertainty_bands(sc, points=8, replications=60)
    pts = res.points
    assert sorted(pts["blue.launchers[0].count"]) == [1, 1, 1, 1, 2, 2, 2, 2]
    for value, grp in pts.groupby("blue.launchers[0].count"):
        assert grp["launchers_lost"].nunique() == 1
        assert grp["time_first_loss_h"].nunique() == 1
        nominal = nansei.simulate(
            BASE, replications=60, overrides={"blue.launchers[0].count": int(value)}
        )
        assert grp["launchers_lost"].iloc[0] == nominal.records["launchers_lost"].mean()
    ones = pts[pts["blue.launchers[0].count"] == 1]["launchers_lost"].iloc[0]
    twos = pts[pts["blue.launchers[0].count"] == 2]["launchers_lost"].iloc[0]
    assert ones != twos


@pytest.fixture(scope="module")
def pkill_run():
    sc = _load(
        _block(
            {"path": "red.p_kill", "low": 0.1, "high": 1.0},
            {"path": "red.p_false_claim", "low": 0.0, "high": 1.0},
            points=16,
            replications=200,
        ),
        **{"run.horizon_h": 12},  # a short horizon: the launcher is not always lost
    )
    return sc, nansei.uncertainty_bands(sc)


def test_p_kill_drives_launchers_lost(pkill_run):
    _, res = pkill_run
    rank = res.ranking[res.ranking["output"] == "launchers_lost"].set_index("parameter")
    assert rank.loc["red.p_kill", "rank"] == 1
    assert rank.loc["red.p_kill", "ci_low"] > 0
    # p_false_claim only changes what Red claims: it is not a driver of losses
    assert abs(rank.loc["red.p_false_claim", "prcc"]) < rank.loc["red.p_kill", "prcc"]
    band = res.bands.loc["launchers_lost"]
    assert band["low"] < band["median"] < band["high"]
    # the band (parameters) is much wider than the noise inside it (replications)
    assert band["high"] - band["low"] > 10 * band["mc_sem"]


def test_same_numbers_with_one_or_two_workers(pkill_run):
    sc, res = pkill_run
    again = nansei.uncertainty_bands(sc, workers=2)
    pd.testing.assert_frame_equal(res.points, again.points)
    pd.testing.assert_frame_equal(res.ranking, again.ranking)


def test_memory_holds_one_batch_of_records_at_a_time(monkeypatch):
    """By structure: each kernel batch is at most ``chunk`` replications, and no earlier
    batch's records are alive when the next is computed; the result has one row per
    point, never one per replication."""
    alive: list[weakref.ref] = []
    sizes: list[int] = []
    real = U.run_batch

    def spy(compiled, seed, dp, start, stop, *args, **kwargs):
        assert all(r() is None for r in alive), "an earlier batch of records is still held"
        sizes.append(stop - start)
        out, series = real(compiled, seed, dp, start, stop, *args, **kwargs)
        alive.append(weakref.ref(out))
        return out, series

    monkeypatch.setattr(U, "run_batch", spy)
    sc = _load(_block({"path": "red.p_kill", "low": 0.1, "high": 1.0}, points=6))
    res = U.uncertainty_bands(sc, replications=100, chunk=30)
    assert sizes == [30, 30, 30, 10] * 6
    assert len(res.points) == 6
    # and chunking does not change the numbers
    whole = U.uncertainty_bands(sc, replications=100, chunk=1000)
    pd.testing.assert_frame_equal(res.points, whole.points, rtol=1e-12, atol=0)


def test_prcc_of_a_monotone_and_an_unrelated_input():
    rng = np.random.default_rng(0)
    x = rng.random((300, 2))
    r, lo, hi, p = prcc(x, np.exp(3 * x[:, 0]) + 0.05 * rng.standard_normal(300))
    assert r[0] > 0.95 and lo[0] > 0.9 and p[0] < 1e-6
    assert lo[1] < 0 < hi[1]
    r, lo, hi, p = prcc(x, -x[:, 1])  # falls with x1, exactly
    assert r[1] == pytest.approx(-1.0) and np.isnan(prcc(x, np.ones(300))[0]).all()


# ---------------------------------------------------------------------------
# the command line


def _scenario_file(tmp_path, block: dict) -> str:
    import yaml

    sc = load_scenario(BASE)
    from nansei.scenario import scenario_to_yaml

    data = yaml.safe_load(scenario_to_yaml(sc, full=False))
    data["uncertain"] = block
    f = tmp_path / "unc.yaml"
    f.write_text(yaml.safe_dump(data, sort_keys=False))
    return str(f)


def test_run_shows_both_intervals_and_the_ranking(tmp_path):
    path = _scenario_file(
        tmp_path, _block({"path": "red.p_kill", "low": 0.1, "high": 1.0}, points=8)
    )
    runner = CliRunner()
    res = runner.invoke(app, ["run", path, "--reps", "200", "--out", str(tmp_path / "r")])
    assert res.exit_code == 0, res.output
    flat = " ".join(res.stdout.split())
    assert "95% CI" in flat and "5–95% band" in flat
    assert "uncertainty: 8 points x 50 reps over 1 parameters" in flat
    assert "What drives each output" in flat and "red.p_kill" in flat
    row = next(line for line in res.stdout.splitlines() if "launchers lost" in line)
    assert row.count("[") == 2  # the CI and the band on the headline row
    pts = pd.read_parquet(tmp_path / "r" / "uncertainty.parquet")
    assert len(pts) == 8 and "red.p_kill" in pts and "launchers_lost" in pts
    rank = pd.read_csv(tmp_path / "r" / "uncertainty_ranking.csv")
    assert set(rank["parameter"]) == {"red.p_kill"}
    meta = json.loads((tmp_path / "r" / "uncertainty.json").read_text())
    assert meta["points"] == 8 and meta["parameters"][0]["confidence"] == "C"

    plain = runner.invoke(app, ["run", path, "--reps", "200", "--no-uncertainty"])
    assert plain.exit_code == 0 and "band" not in plain.stdout

    js = runner.invoke(app, ["run", path, "--reps", "200", "--json"])
    payload = json.loads(js.stdout)
    bands = {b["output"]: b for b in payload["uncertainty"]["bands"]}
    assert bands["launchers_lost"]["low"] <= bands["launchers_lost"]["high"]
    assert payload["meta"]["uncertainty"]["replications"] == 50


def test_set_overrides_reach_the_block(tmp_path):
    path = _scenario_file(tmp_path, _block({"path": "red.p_kill", "low": 0.1, "high": 1.0}))
    res = CliRunner().invoke(
        app, ["run", path, "--reps", "50", "--set", "uncertain.points=5", "--json"]
    )
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["meta"]["uncertainty"]["points"] == 5
    bad = CliRunner().invoke(app, ["run", path, "--set", "uncertain.parameters[0].high=2"])
    assert bad.exit_code == 2
    assert bad.exit_code == 2
    assert "uncertain.parameters[0].high" in bad.output


def test_a_set_on_an_uncertain_path_or_above_fixes_it(tmp_path):
    block = _block(
        {"path": "red.p_kill", "low": 0.1, "high": 1.0},
        {"path": "red.kill_chain.delay_h.value", "low": 0.5, "high": 2.0},
    )
    path = _scenario_file(tmp_path, block)
    res = CliRunner().invoke(
        app, ["run", path, "--reps", "50", "--json", "--set", "red.kill_chain.delay_h=3"]
    )
    assert res.exit_code == 0, res.output
    params = json.loads(res.stdout)["meta"]["uncertainty"]["parameters"]
    assert [p["path"] for p in params] == ["red.p_kill"]
    assert "not uncertain in this run: red.kill_chain.delay_h.value" in " ".join(res.stderr.split())
    both = CliRunner().invoke(
        app, ["run", path, "--reps", "50", "--set", "red.kill_chain.delay_h=3", "--set",
              "red.p_kill=0.5"],
    )  # fmt: skip
    assert both.exit_code == 0 and "band" not in both.stdout


@pytest.mark.parametrize("workers", [1, 2])
def test_ctrl_c_during_the_bands_exits_130_and_leaves_no_worker(tmp_path, workers):
    from tests.test_interrupt import _cpu_seconds, _interrupt, _left, _start, _wait_running

    # a short nominal run, then points of 2,000 one-year replications (~20 s each)
    args = ["run", "kyodo-2021", "--reps", "20", "--set", "run.horizon_h=8760"]
    args += ["--set", "uncertain.replications=2000", "--workers", str(workers)]
    args += ["--out", str(tmp_path / "r")]
    proc = _start(args, tmp_path)
    _wait_running(proc, workers, lambda: _cpu_seconds(proc) > 10.0 + 2 * workers)
    _took, _out, err, kids = _interrupt(proc)
    assert proc.returncode == 130, (proc.returncode, err[-2000:])
    assert "Traceback" not in err, err[-2000:]
    assert [ln for ln in err.splitlines() if ln.startswith("interrupted:")], err[-2000:]
    assert not (tmp_path / "r").exists()  # a run keeps no partial results
    assert not _left(kids), "worker processes survived the interrupted run"


def test_ranks_are_scipys():
    # prcc ranks without importing scipy.stats; ties (mean rank), constant columns and a
    # NaN (the column becomes NaN) as scipy.stats.rankdata
    from scipy.stats import rankdata

    from nansei.analysis.prcc import _ranks

    rng = np.random.default_rng(5)
    for t in range(60):
        x = rng.integers(0, 4, size=(25, 3)).astype(float) if t % 2 else rng.random((25, 3))
        if t % 3 == 0:
            x[:, 1] = 2.0
        if t % 7 == 0:
            x[rng.integers(25), 2] = np.nan
        assert np.array_equal(_ranks(x), rankdata(x, axis=0), equal_nan=True)
        assert np.array_equal(_ranks(x[:, 0]), rankdata(x[:, 0]), equal_nan=True)


def test_prcc_is_bitwise_what_it_was_with_scipys_ranks(monkeypatch):
    # same ranks in the same memory layout: the regressions give the same last bits
    from scipy.stats import rankdata

    import nansei.analysis.prcc as P

    rng = np.random.default_rng(8)
    x = rng.random((32, 7))
    y = x[:, 0] + 0.5 * rng.random(32)
    ours = P.prcc(x, y)
    monkeypatch.setattr(P, "_ranks", lambda a: rankdata(a, axis=0))
    for a, b in zip(ours, P.prcc(x, y), strict=True):
        assert np.array_equal(a, b, equal_nan=True)
