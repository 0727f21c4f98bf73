"""Bad scenario documents: every problem is located (path, line) and hints at a fix."""

from __future__ import annotations

import pytest

from nansei.scenario import ScenarioError, load_scenario, parse_scenario_text
from nansei.scenario.errors import Problem, problem_error

HEAD = "schema_version: 1\nname: bad\n"  # lines 1-2


def _err(text: str) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        parse_scenario_text(text)
    return info.value


def _one(text: str, path: str) -> Problem:
    err = _err(text)
    found = [p for p in err.problems if p.path == path]
    assert found, f"no problem at {path}: {err}"
    return found[0]


def test_wrong_type():
    p = _one(HEAD + "run:\n  horizon_h: lots\n", "run.horizon_h")
    assert p.line == 4 and "number" in p.message and p.value == "'lots'"


def test_unknown_field_lists_allowed():
    p = _one(HEAD + "blue:\n  launchers: [{id: a}]\n  relocaton: {}\n", "blue.relocaton")
    assert p.line == 5
    assert "unknown field 'relocaton'" in p.message and "did you mean 'relocation'" in p.message
    assert "relocation" in p.allowed and "launchers" in p.allowed


def test_unknown_top_level_field():
    p = _one(HEAD + "bleu: {}\n", "bleu")
    assert p.line == 3 and "blue" in p.allowed and "civil" in p.allowed


def test_negative_time():
    p = _one(
        HEAD + "blue:\n  launchers: [{id: a}]\n  relocation:\n    dwell_h: -1\n",
        "blue.relocation.dwell_h",
    )
    assert p.line == 6 and ">= 0" in p.message.replace("greater than or equal to", ">=")


def test_negative_time_in_distribution_mapping():
    p = _one(
        HEAD + "red:\n  kill_chain:\n    delay_h: {kind: exponential, mean: -2}\n",
        "red.kill_chain.delay_h.mean",
    )
    assert p.line == 5


def test_site_in_the_sea():
    text = HEAD + (
        "blue:\n  launchers: [{id: a}]\n"
        "geography:\n  sites:\n    custom:\n"
        "      - {id: wet, island: ishigaki, lat: 24.0, lon: 124.0}\n"
    )
    p = _one(text, "geography.sites.custom[0].lat")
    assert p.line == 8 and "'wet'" in p.message and "sea" in p.message and "km" in p.message


def test_unknown_island():
    p = _one(
        HEAD + "blue:\n  launchers: [{id: a}]\ngeography:\n  islands: [ishigaki, atlantis]\n",
        "geography.islands[1]",
    )
    assert p.line == 6 and "yonaguni" in p.allowed and p.value == "'atlantis'"


def test_empty_file(tmp_path):
    f = tmp_path / "empty.yaml"
    f.write_text("")
    with pytest.raises(ScenarioError) as info:
        load_scenario(f)
    (p,) = info.value.problems
    assert p.path == "<document>" and p.line == 1 and "empty" in p.message
    assert "empty.yaml" in str(info.value)


def test_yaml_syntax_error_has_line_and_column():
    (p,) = _err(HEAD + "run: {horizon_h: 5\nblue: [\n").problems
    assert p.line is not None and p.line >= 3 and "column" in p.message
    assert "YAML syntax error" in p.message


def test_duplicate_key_rejected():
    (p,) = _err(HEAD + "run:\n  seed: 1\n  seed: 2\n").problems
    assert p.line == 5 and "duplicate key 'seed'" in p.message and "line 4" in p.message


def test_unknown_doctrine_lists_allowed_values():
    p = _one(HEAD + "red:\n  doctrine: shoot_everything\n", "red.doctrine")
    assert p.line == 4
    assert p.allowed == "per_site_first_detection, per_detection"
    assert p.value == "'shoot_everything'"


def test_probability_above_one():
    p = _one(HEAD + "red:\n  isr: {p_detect_launch: 1.5}\n", "red.isr.p_detect_launch")
    assert p.line == 4 and "1" in p.message and p.value == "1.5"


def test_uniform_low_above_high():
    p = _one(
        HEAD + "blue:\n  relocation:\n    dwell_h: {kind: uniform, low: 5, high: 2}\n",
        "blue.relocation.dwell_h.low",
    )
    assert p.line == 5 and "<=" in p.message


def test_unknown_distribution_kind():
    p = _one(
        HEAD + "red:\n  kill_chain: {delay_h: {kind: gamma, mean: 1}}\n", "red.kill_chain.delay_h"
    )
    assert p.line == 4 and "exponential" in p.allowed and "gamma" in p.message


def test_unknown_munition_referenced():
    text = HEAD + "blue:\n  launchers:\n    - id: a\n      pods_carried: {Tomahawk: 1}\n"
    p = _one(text, "blue.launchers[0].pods_carried.Tomahawk")
    assert p.line == 6 and "Tomahawk" in p.message and "PrSM" in p.allowed


def test_unknown_munition_in_preference():
    text = HEAD + "blue:\n  launchers: [{id: a}]\n  fires:\n    munition_preference: [PrSM, X]\n"
    p = _one(text, "blue.fires.munition_preference[1]")
    assert p.line == 6 and "GMLRS" in p.allowed


def test_too_many_launchers():
    text = (
        HEAD
        + "blue:\n  launchers:\n"
        + "".join(f"    - {{id: g{i}, count: 400}}\n" for i in range(3))
    )
    p = _one(text, "blue.launchers")
    assert p.line == 4 and "1200" in p.message and "limit 1000" in p.message


def test_count_above_group_limit():
    p = _one(HEAD + "blue:\n  launchers: [{id: a, count: 501}]\n", "blue.launchers[0].count")
    assert p.line == 4 and "500" in p.message


def test_non_mapping_top_level():
    (p,) = _err("- just\n- a list\n").problems
    assert p.path == "<document>" and p.line == 1 and "mapping" in p.message
    assert "schema_version" in p.allowed


def test_unknown_builtin_name_lists_names():
    with pytest.raises(ScenarioError) as info:
        load_scenario("kyodo-2022")
    (p,) = info.value.problems
    assert "kyodo-2022" in p.message and "kyodo-2021" in p.allowed
    assert "ideal-fixed-delay" in p.allowed


def test_fixed_move_h_required():
    text = HEAD + "blue:\n  launchers: [{id: a}]\n  relocation:\n    move_time: fixed\n"
    p = _one(text, "blue.relocation.fixed_move_h")
    assert p.line == 5 and "required" in p.message and "fixed" in p.message


def test_missing_required_fields():
    err = _err("title: no name\n")
    paths = err.paths()
    assert "schema_version" in paths and "name" in paths
    assert all(p.line == 1 for p in err.problems if p.path in ("name", "schema_version"))


def test_wrong_schema_version():
    p = _one("schema_version: 2\nname: x\n", "schema_version")
    assert p.line == 1 and p.allowed == "1"


def test_bad_slug_name():
    p = _one("schema_version: 1\nname: My Scenario\n", "name")
    assert p.line == 2


def test_unknown_start_site_and_zone():
    text = HEAD + (
        "blue:\n  launchers: [{id: a, start_sites: [nowhere-1]}]\n"
        "targets:\n  streams: [{zone: atlantic, arrivals_per_day: 1}]\n"
    )
    err = _err(text)
    by = {p.path: p for p in err.problems}
    assert by["blue.launchers[0].start_sites[0]"].line == 4
    assert "ishigaki" in by["blue.launchers[0].start_sites[0]"].allowed
    assert by["targets.streams[0].zone"].line == 6
    assert "miyako_strait" in by["targets.streams[0].zone"].allowed


def test_no_launchers_without_civil():
    p = _one(HEAD + "blue: {launchers: []}\n", "blue.launchers")
    assert "civil.enabled" in p.message


def test_union_collapsed_for_islands():
    p = _one(HEAD + "geography: {islands: everything}\n", "geography.islands")
    assert p.line == 3 and "all" in p.allowed
    assert len([q for q in _err(HEAD + "geography: {islands: everything}\n").problems]) == 1


def test_authorities_name_or_inline():
    p = _one(HEAD + "legal: {authorities: law-2024}\n", "legal.authorities")
    assert p.allowed == "law-2021, amended"
    inline = HEAD + (
        "blue: {launchers: [{id: a}]}\n"
        "legal:\n  authorities:\n    name: mine\n"
        "    permits: {armed_attack: [sdf_use_of_force, fly_to_moon]}\n"
    )
    p = _one(inline, "legal.authorities.permits.armed_attack[1]")
    assert p.line == 7 and "sdf_use_of_force" in p.allowed


def test_deescalating_timeline():
    text = HEAD + (
        "blue: {launchers: [{id: a}]}\nlegal:\n  timeline:\n"
        "    - {situation: armed_attack, at_h: 0}\n"
        "    - {situation: important_influence, at_h: 10}\n"
    )
    p = _one(text, "legal.timeline[1].situation")
    assert p.line == 7 and "de-escalate" in p.message


def test_file_not_found(tmp_path):
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "missing.yaml")
    assert "not found" in info.value.problems[0].message
    with pytest.raises(ScenarioError):
        load_scenario(str(tmp_path / "missing.yaml"))


def test_recursive_alias_and_billion_laughs():
    with pytest.raises(ScenarioError, match="recursive"):
        parse_scenario_text("a: &x [*x]\n")
    laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    with pytest.raises(ScenarioError, match="too large"):
        parse_scenario_text(laughs)


def test_deep_nesting():
    with pytest.raises(ScenarioError, match="deep"):
        parse_scenario_text("a: " + "[" * 5000 + "]" * 5000)


def test_many_errors_fit_one_screen():
    text = (
        HEAD
        + "blue:\n  launchers:\n"
        + "".join(
            f"    - {{id: g{i}, count: -1, crew: x, kind: tank, bogus{i}: 1}}\n" for i in range(30)
        )
    )
    err = _err(text)
    assert len(err.problems) > 40
    rendered = str(err)
    assert len(rendered.splitlines()) < 40
    assert "and" in rendered.splitlines()[-1] and "more" in rendered.splitlines()[-1]


def test_problem_error_helper():
    err = problem_error("replications", -1, "must be between 1 and 10,000,000")
    assert isinstance(err, ScenarioError) and err.problems[0].path == "replications"
    assert "replications" in str(err)


def test_inputs_of_other_types():
    for bad in (None, 3, 2.5, ["a"], object(), b"\xff\xfe"):
        with pytest.raises(ScenarioError):
            load_scenario(bad)


def test_a_bad_character_below_japanese_text_is_on_its_own_line():
    # libyaml counts positions in UTF-8 bytes: the line must still be the character's
    with pytest.raises(ScenarioError) as info:
        parse_scenario_text("name: 日本語の名前\nnote: 石垣島\nc: \x01x\n")
    assert info.value.problems[0].line == 3 and "unacceptable character" in str(info.value)
