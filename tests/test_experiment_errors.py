"""Bad experiment files get one clear message naming the field, the value and what is allowed."""

from __future__ import annotations

import pytest

from nansei.experiment import ExperimentError, load_experiment, parse_executor, sweep
from nansei.scenario import ScenarioError

GOOD = """\
schema_version: 1
name: t
scenario: ideal-fixed-delay
factors:
  red.p_kill: {low: 0.2, high: 0.8}
design: {kind: lhs, points: 4}
replications: 10
seed: 1
"""


def _err(text: str) -> ExperimentError:
    with pytest.raises(ExperimentError) as info:
        load_experiment(text)
    assert isinstance(info.value, ScenarioError)  # callers handling scenario errors cope
    assert str(info.value).startswith("invalid experiment")
    return info.value


def test_good_file_loads() -> None:
    exp = load_experiment(GOOD)
    assert exp.base_scenario()["name"] == "ideal-fixed-delay"


def test_unknown_factor_path_suggests() -> None:
    e = _err(GOOD.replace("red.p_kill", "red.p_kil"))
    assert e.paths() == ["factors.red.p_kil"]
    msg = str(e)
    assert "unknown scenario field 'p_kil'" in msg and "did you mean 'p_kill'" in msg
    assert "line 5" in msg


def test_unknown_nested_path() -> None:
    e = _err(GOOD.replace("red.p_kill", "blue.relocaton.dwell_h"))
    assert "did you mean 'relocation'" in str(e)


def test_empty_range_and_empty_levels() -> None:
    e = _err(GOOD.replace("{low: 0.2, high: 0.8}", "{low: 0.5, high: 0.5}"))
    assert "empty range" in str(e) and "factors.red.p_kill" in str(e)
    e = _err(GOOD.replace("{low: 0.2, high: 0.8}", "[]"))
    assert "factors.red.p_kill" in str(e)


def test_wrong_typed_and_out_of_range_levels() -> None:
    e = _err(GOOD.replace("{low: 0.2, high: 0.8}", "[0.5, high]"))
    assert e.paths() == ["factors.red.p_kill[1]"]
    assert "'high'" in str(e) and "level rejected by the scenario schema" in str(e)
    e = _err(GOOD.replace("{low: 0.2, high: 0.8}", "{low: 0.2, high: 1.5}"))
    assert "less than or equal to 1" in str(e)
    e = _err(GOOD.replace("red.p_kill: {low: 0.2, high: 0.8}", "legal.authorities: [law-2021, x]"))
    assert "law-2021, amended" in str(e)  # allowed values listed
    e = _err(
        GOOD.replace("red.p_kill: {low: 0.2, high: 0.8}", "legal.authorities: {low: 1, high: 2}")
    )
    assert "a range needs a numeric field" in str(e)


def test_design_problems() -> None:
    e = _err(GOOD.replace("kind: lhs", "kind: latin"))
    assert "design.kind" in e.paths()[0] and "full_factorial" in str(e)
    e = _err(GOOD.replace("{kind: lhs, points: 4}", "{kind: sobol, points: 100}"))
    assert "power of 2" in str(e)
    e = _err(GOOD.replace("{kind: lhs, points: 4}", "{kind: full_factorial}"))
    assert "needs 'levels'" in str(e)
    e = _err(GOOD.replace("{kind: lhs, points: 4}", "{kind: lhs}"))
    assert "design.points" in str(e)


def test_other_fields() -> None:
    e = _err(GOOD.replace("replications: 10", "replications: 0"))
    assert e.paths() == ["replications"]
    e = _err(GOOD + "outputs: [launchers_lots]\n")
    assert "did you mean 'launchers_lost'" in str(e)
    e = _err(GOOD + "batch_size: 500\n")
    assert e.paths() == ["batch_size"]
    e = _err(GOOD + "colour: red\n")
    assert "unknown field 'colour'" in str(e)
    e = _err(GOOD.replace("scenario: ideal-fixed-delay", "scenario: no-such-scenario"))
    assert e.paths() == ["scenario"] and "kyodo-2021" in str(e)


@pytest.mark.parametrize("bad", ["lokal", "shard 3/2", "shard 1", "dask=not an address", ""])
def test_bad_executor(bad: str) -> None:
    with pytest.raises(ExperimentError) as info:
        parse_executor(bad)
    assert info.value.paths() == ["executor"]
    assert "local, dask" in str(info.value)


def test_good_executors() -> None:
    assert parse_executor("shard 2/8").shard == (2, 8)
    assert parse_executor("dask=tcp://127.0.0.1:8786").address == "tcp://127.0.0.1:8786"
    assert parse_executor("local").kind == "local"


def test_store_of_another_experiment_and_bad_workers(tmp_path) -> None:
    out = tmp_path / "s"
    sweep(GOOD.replace("replications: 10", "replications: 10\nbatch_size: 10"), out)
    with pytest.raises(ExperimentError) as info:
        sweep(GOOD.replace("seed: 1", "seed: 2"), out)
    assert "holds a different experiment" in str(info.value)
    with pytest.raises(ExperimentError) as info:
        sweep(GOOD, tmp_path / "t", workers=0)
    assert info.value.paths() == ["workers"]


def test_missing_file() -> None:
    with pytest.raises(ExperimentError) as info:
        load_experiment("nope/missing.yaml")
    assert "not found" in str(info.value)
