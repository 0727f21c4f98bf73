"""Overrides (issue 16, item 1): ``--set PATH=VALUE``, ``load_scenario(..., overrides=)``,
``simulate(..., overrides=)``, experiment files' ``overrides:`` and ``nansei show NAME --yaml``."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import nansei
from nansei.cli import app
from nansei.scenario import ScenarioError, builtin_names, load_scenario, parse_scenario_text
from nansei.scenario.overrides import parse_assignment


def _problem(exc: ScenarioError):
    assert len(exc.problems) == 1, str(exc)
    return exc.problems[0]


# ---------------------------------------------------------------------------
# load_scenario(..., overrides=)


def test_overrides_change_the_named_fields_only() -> None:
    base = load_scenario("kyodo-2021")
    sc = load_scenario(
        "kyodo-2021",
        overrides={"red.kill_chain.delay_h.median": 4, "blue.launchers[0].count": 6},
    )
    assert sc.red.kill_chain.delay_h.median == 4.0
    assert sc.red.kill_chain.delay_h.sigma == base.red.kill_chain.delay_h.sigma
    assert sc.blue.launchers[0].count == 6
    assert sc.blue.launchers[1:] == base.blue.launchers[1:]
    rest = sc.model_dump(exclude={"red", "blue"})
    assert rest == base.model_dump(exclude={"red", "blue"})
    assert load_scenario("kyodo-2021") == base  # the built-in is untouched


def test_values_are_read_as_yaml() -> None:
    assert parse_assignment("blue.launchers[0].count=6") == ("blue.launchers[0].count", 6)
    assert parse_assignment("civil.enabled=false") == ("civil.enabled", False)
    assert parse_assignment("legal.authorities = amended") == ("legal.authorities", "amended")
    assert parse_assignment("red.kill_chain.delay_h={kind: fixed, value: 2}") == (
        "red.kill_chain.delay_h",
        {"kind": "fixed", "value": 2},
    )
    sc = load_scenario(
        "kyodo-2021",
        overrides=["red.kill_chain.delay_h={kind: fixed, value: 2}", "legal.authorities=amended"],
    )
    assert sc.red.kill_chain.delay_h.kind == "fixed" and sc.red.kill_chain.delay_h.value == 2
    assert sc.legal.authority_set().name == "amended"


def test_a_later_override_of_the_same_path_wins() -> None:
    sc = load_scenario("ideal-fixed-delay", overrides=["red.p_kill=0.2", "red.p_kill=0.4"])
    assert sc.red.p_kill == 0.4


def test_an_unset_optional_section_can_be_set_field_by_field() -> None:
    base = load_scenario("ideal-fixed-delay")
    assert base.geography.sites.generated is None
    sc = load_scenario(
        "ideal-fixed-delay",
        overrides={"geography.sites.generated.per_km2": 0.05},
    )
    assert sc.geography.sites.generated is not None
    assert sc.geography.sites.generated.per_km2 == 0.05


def test_unknown_field_names_path_value_and_allowed_keys() -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario("kyodo-2021", overrides={"red.kill_chain.delay_h.medain": 4})
    p = _problem(info.value)
    assert p.path == "red.kill_chain.delay_h.medain"
    assert p.value == "4"
    assert p.allowed == "kind, median, sigma"
    assert "unknown field" in p.message and "median" in p.message
    text = str(info.value)
    assert "red.kill_chain.delay_h.medain: unknown field" in text
    assert "allowed: kind, median, sigma" in text


def test_bad_value_goes_through_the_schema() -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario("kyodo-2021", overrides={"blue.relocation.site_choice": "closest"})
    p = _problem(info.value)
    assert p.path == "blue.relocation.site_choice"
    assert p.value == "'closest'"
    assert "nearest_free" in (p.allowed or "")
    with pytest.raises(ScenarioError) as info:
        load_scenario("kyodo-2021", overrides={"red.p_kill": 1.5})
    p = _problem(info.value)
    assert p.path == "red.p_kill" and p.value == "1.5" and "less than or equal to 1" in p.message


def test_cross_field_checks_apply_to_overrides() -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario("kyodo-2021", overrides={"blue.launchers[0].count": 0})
    assert any(p.path == "blue.launchers[0].count" for p in info.value.problems)


def test_index_out_of_range_and_wrong_shapes() -> None:
    n = len(load_scenario("kyodo-2021").blue.launchers)
    with pytest.raises(ScenarioError) as info:
        load_scenario("kyodo-2021", overrides={f"blue.launchers[{n}].count": 3})
    p = _problem(info.value)
    assert p.path == f"blue.launchers[{n}]"
    assert f"has {n} items" in p.message and p.allowed == f"0 .. {n - 1}"
    with pytest.raises(ScenarioError) as info:
        load_scenario("kyodo-2021", overrides={"blue.launchers.count": 3})
    assert "give an index" in _problem(info.value).message
    with pytest.raises(ScenarioError) as info:
        load_scenario("kyodo-2021", overrides={"red.p_kill.x": 1})
    assert "not a mapping" in _problem(info.value).message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("red.p_kill", "an override is PATH=VALUE"),
        ("=3", "an override is PATH=VALUE"),
        ("red.p_kill=", "empty value"),
        ("red..p_kill=1", "not a field path"),
        ("red.p_kill=[1", "not valid YAML"),
    ],
)
def test_malformed_assignments(text: str, message: str) -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario("ideal-fixed-delay", overrides=[text])
    assert message in str(info.value)


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario("kyodo-2021", overrides={"red.p_kil": 0.5, "blue.relocaton.dwell_h": 4})
    assert sorted(info.value.paths()) == ["blue.relocaton", "red.p_kil"]


# ---------------------------------------------------------------------------
# simulate(..., overrides=): the record and the run id reflect them


def test_simulate_overrides_change_results_and_run_id() -> None:
    plain = nansei.simulate("ideal-fixed-delay", replications=200, seed=3)
    assert plain.records["launchers_lost"].mean() > 0.5
    over = nansei.simulate(
        "ideal-fixed-delay", replications=200, seed=3, overrides={"red.p_kill": 0.0}
    )
    assert over.records["launchers_lost"].sum() == 0
    assert over.meta["run_id"] != plain.meta["run_id"]
    assert over.meta["overrides"] == {"red.p_kill": 0.0}
    assert "overrides" not in plain.meta
    # the same scenario reached another way gets the same run id (a content hash)
    sc = load_scenario("ideal-fixed-delay", overrides={"red.p_kill": 0.0})
    same = nansei.simulate(sc, replications=200, seed=3)
    assert same.meta["run_id"] == over.meta["run_id"]
    assert same.records["launchers_lost"].equals(over.records["launchers_lost"])
    # a Scenario object takes overrides too
    again = nansei.simulate(
        load_scenario("ideal-fixed-delay"), replications=200, seed=3, overrides=["red.p_kill=0"]
    )
    assert again.meta["run_id"] == over.meta["run_id"]


def test_simulate_rejects_a_bad_override() -> None:
    with pytest.raises(ScenarioError) as info:
        nansei.simulate("ideal-fixed-delay", replications=10, overrides={"red.pkill": 0.1})
    assert "did you mean 'p_kill'" in str(info.value)


# ---------------------------------------------------------------------------
# the command line


def test_cli_run_set_records_overrides(tmp_path) -> None:
    out = tmp_path / "run"
    r = CliRunner().invoke(
        app,
        [
            "run",
            "ideal-fixed-delay",
            "--reps",
            "100",
            "--seed",
            "3",
            "--set",
            "red.p_kill=0",
            "--set",
            "red.kill_chain.delay_h={kind: fixed, value: 2}",
            "--json",
            "--out",
            str(out),
        ],
    )
    assert r.exit_code == 0, r.output
    payload = json.loads(r.stdout)
    assert payload["meta"]["overrides"] == {
        "red.p_kill": 0,
        "red.kill_chain.delay_h": {"kind": "fixed", "value": 2},
    }
    lost = next(row for row in payload["summary"] if row["output"] == "launchers_lost")
    assert lost["mean"] == 0
    meta = json.loads((out / "meta.json").read_text())
    assert meta["overrides"] == payload["meta"]["overrides"]
    assert meta["run_id"] == payload["meta"]["run_id"]
    saved = load_scenario(out / "scenario.yaml")  # the run's scenario has the overrides
    assert saved.red.p_kill == 0 and saved.red.kill_chain.delay_h.value == 2


def test_cli_run_bad_set_exits_2_naming_path_and_allowed() -> None:
    r = CliRunner().invoke(
        app, ["run", "kyodo-2021", "--reps", "10", "--set", "red.kill_chain.delay_h.medain=4"]
    )
    assert r.exit_code == 2
    assert "red.kill_chain.delay_h.medain: unknown field" in r.stderr
    assert "(got 4)" in r.stderr and "allowed: kind, median, sigma" in r.stderr
    assert "Traceback" not in r.output


def test_cli_validate_with_set() -> None:
    r = CliRunner().invoke(app, ["validate", "kyodo-2021", "--set", "blue.launchers[0].count=6"])
    assert r.exit_code == 0 and "valid" in r.stdout
    r = CliRunner().invoke(app, ["validate", "kyodo-2021", "--set", "blue.launchers[9].count=6"])
    assert r.exit_code == 2 and "blue.launchers[9]: index 9 is out of range" in r.stderr


@pytest.mark.parametrize("name", builtin_names())
def test_show_yaml_prints_the_builtin_for_editing(name: str) -> None:
    r = CliRunner().invoke(app, ["show", name, "--yaml"])
    assert r.exit_code == 0, r.output
    assert parse_scenario_text(r.stdout) == load_scenario(name)
    assert "#" in r.stdout  # the file itself, with its comments and sources


def test_show_yaml_with_set_round_trips(tmp_path) -> None:
    sets = ["red.kill_chain.delay_h.median=4", "blue.launchers[0].count=6"]
    args = ["show", "kyodo-2021", "--yaml"]
    for s in sets:
        args += ["--set", s]
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 0, r.output
    path = tmp_path / "edited.yaml"
    path.write_text(r.stdout)
    assert load_scenario(path) == load_scenario("kyodo-2021", overrides=sets)


# ---------------------------------------------------------------------------
# experiment files: `overrides:` changes the base before the factors

EXP = """\
schema_version: 1
name: t-over
scenario: ideal-fixed-delay
overrides:
  red.p_kill: 0
  red.kill_chain.delay_h: {kind: fixed, value: 3}
factors:
  red.kill_chain.delay_h.value: [1, 2]
design: {kind: full_factorial}
replications: 20
batch_size: 10
seed: 1
outputs: [launchers_lost]
"""


def test_experiment_overrides_apply_to_the_base_before_factors(tmp_path) -> None:
    from nansei.experiment import load_experiment, run_experiment

    exp = load_experiment(EXP)
    base = exp.base_scenario()
    assert base["red"]["p_kill"] == 0
    assert base["red"]["kill_chain"]["delay_h"] == {"kind": "fixed", "value": 3.0}
    assert exp.canonical()["overrides"] == {
        "red.p_kill": 0,
        "red.kill_chain.delay_h": {"kind": "fixed", "value": 3},
    }
    plain = load_experiment(EXP.replace("  red.p_kill: 0\n", ""))
    assert plain.fingerprint() != exp.fingerprint()
    without = EXP.split("overrides:")[0] + "factors:" + EXP.split("factors:")[1]
    assert "overrides" not in load_experiment(without).canonical()  # old stores keep their hash
    res = run_experiment(exp, out=tmp_path / "store")
    assert res.records["launchers_lost"].sum() == 0  # p_kill 0 at every design point
    assert sorted(res.records["factor.red.kill_chain.delay_h.value"].unique()) == [1, 2]


def test_experiment_bad_override_names_path_line_and_allowed() -> None:
    from nansei.experiment import ExperimentError, load_experiment

    with pytest.raises(ExperimentError) as info:
        load_experiment(EXP.replace("red.p_kill: 0", "red.kill_chain.delay_h.medain: 4"))
    p = info.value.problems[0]
    assert p.path == "overrides.red.kill_chain.delay_h.medain"
    assert p.line == 5 and p.value == "4"
    assert p.allowed == "kind, value"  # the base's delay is fixed: {kind: fixed, value: 1}
    with pytest.raises(ExperimentError) as info:
        load_experiment(EXP.replace("red.p_kill: 0", "red.p_kill: 2"))
    p = info.value.problems[0]
    assert p.path == "overrides.red.p_kill" and p.line == 5
    assert "less than or equal to 1" in p.message


def test_cli_run_prints_the_overrides_as_typed() -> None:
    r = CliRunner().invoke(
        app,
        [
            "run",
            "ideal-fixed-delay",
            "--reps",
            "30",
            "--set",
            "red.kill_chain.delay_h={kind: fixed, value: 2}",
            "--set",
            "red.p_kill=0.5",
        ],
        env={"COLUMNS": "200"},
    )
    assert r.exit_code == 0, r.output
    first = r.stdout.splitlines()[0]
    assert first == "overrides: red.kill_chain.delay_h={kind: fixed, value: 2}, red.p_kill=0.5"
