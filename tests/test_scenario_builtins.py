"""Built-in scenarios: validation, YAML/JSON round trips, JSON schema, summaries."""

from __future__ import annotations

import json
import math

import pytest
import yaml

from nansei.scenario import (
    Scenario,
    builtin_names,
    json_schema,
    load_scenario,
    scenario_to_yaml,
    summarize,
)
from nansei.scenario.distributions import Exponential, Fixed
from nansei.scenario.loader import builtin_path

NAMES = builtin_names()
EXPECTED = {
    "kyodo-2021",
    "sakishima-evacuation-2025",
    "ideal-fixed-delay",
    "ideal-exp-delay",
    "ideal-counter-battery",
}


def test_expected_builtins_exist():
    assert EXPECTED <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_builtin_validates_and_round_trips(name):
    sc = load_scenario(name)
    assert sc.name == name
    text = scenario_to_yaml(sc)
    again = load_scenario(text)
    assert again == sc
    assert scenario_to_yaml(again) == text
    short = scenario_to_yaml(sc, full=False)
    assert load_scenario(short) == sc


@pytest.mark.parametrize("name", NAMES)
def test_builtin_json_round_trip(name):
    sc = load_scenario(name)
    data = json.loads(sc.model_dump_json(by_alias=True))
    assert Scenario.model_validate(data) == sc


@pytest.mark.parametrize("name", NAMES)
def test_builtin_lists_assumptions(name):
    sc = load_scenario(name)
    assert sc.assumptions, "every built-in labels its notional parameters"
    assert all(a.text and a.confidence in "ABC" for a in sc.assumptions)


@pytest.mark.parametrize("name", NAMES)
def test_load_by_path_equals_by_name(name):
    assert load_scenario(builtin_path(name)) == load_scenario(name)
    assert load_scenario(str(builtin_path(name))) == load_scenario(name)


def test_json_schema_structure():
    schema = json_schema()
    assert schema["$id"].startswith("urn:nansei")
    assert "title" in schema and schema["type"] == "object"
    assert set(schema["required"]) == {"schema_version", "name"}
    props = schema["properties"]
    for key in ("run", "geography", "blue", "targets", "red", "sustainment", "legal", "civil"):
        assert key in props
    defs = schema["$defs"]
    assert defs["Blue"]["additionalProperties"] is False
    # every field carries a description (the docs reference is generated from them)
    for name, d in defs.items():
        for field, spec in d.get("properties", {}).items():
            assert spec.get("description"), f"{name}.{field} has no description"
    # the distribution shorthand (a bare number) is part of the schema
    dwell = defs["Relocation"]["properties"]["dwell_h"]
    assert any(alt.get("type") == "number" for alt in dwell.get("anyOf", []))
    json.dumps(schema)  # serialisable


def test_minimal_scenario_is_short():
    sc = load_scenario("schema_version: 1\nname: tiny\nblue:\n  launchers: [{id: a}]\n")
    assert sc.blue.total_launchers() == 1
    assert sc.run.horizon_h == 720
    assert [m.id for m in sc.blue.munitions] == ["GMLRS", "ER-GMLRS", "ATACMS", "PrSM"]
    assert len(sc.sites()) >= 30


def test_distribution_shorthand_and_means():
    sc = load_scenario("ideal-exp-delay")
    assert isinstance(sc.blue.relocation.dwell_h, Fixed)
    assert sc.blue.relocation.dwell_h.mean() == 4.0
    assert isinstance(sc.red.kill_chain.delay_h, Exponential)
    assert sc.red.kill_chain.delay_h.mean() == 1.0
    kyodo = load_scenario("kyodo-2021")
    assert kyodo.blue.relocation.dwell_h.mean() == pytest.approx(6.0)
    # lognormal, median 1 h, sigma 0.7: mean exp(sigma^2 / 2)
    assert kyodo.red.kill_chain.delay_h.mean() == pytest.approx(math.exp(0.7**2 / 2), rel=1e-9)


def test_civil_only_scenario_has_no_launchers():
    sc = load_scenario("sakishima-evacuation-2025")
    assert sc.blue.launchers == [] and sc.civil.enabled and sc.red.inventory == 0
    gws = sc.gateways()
    assert sum(g.capacity_per_day for g in gws) > 20_000
    assert sum(sc.civil.evacuation.host_prefectures.values()) == 112_800


def test_idealised_cases_are_idealised():
    for name in ("ideal-fixed-delay", "ideal-exp-delay", "ideal-counter-battery"):
        sc = load_scenario(name)
        assert sc.blue.total_launchers() == 1
        assert not sc.sustainment.enabled and not sc.civil.enabled
        assert sc.blue.relocation.move_time == "fixed"
        assert sc.red.isr.concealment_effect == "none"
        assert sc.blue.air_defence.p_intercept == 0.0
    cb = load_scenario("ideal-counter-battery")
    assert cb.targets.streams[0].persistent
    assert cb.blue.relocation.scoot_after_salvos == 3
    assert cb.red.isr.detection_rate_per_h.hidden == 0.0


def test_summarize_kyodo():
    info = summarize(load_scenario("kyodo-2021"))
    assert info["launchers"] == 16
    assert info["sites"] >= 30
    assert info["legal_set"] == "law-2021"
    assert info["civil"] is True and info["sustainment"] is True
    assert info["doctrine"] == "per_site_first_detection"
    assert any(a["id"] == "kill-chain" and a["confidence"] in "ABC" for a in info["assumptions"])
    yaml.safe_dump(info)  # plain data


def test_legal_builtin_sets():
    sc = load_scenario("kyodo-2021")
    law = sc.legal.authority_set()
    assert "sdf_use_of_force" not in law.permits["important_influence"]
    assert "sdf_logistics_in_combat_zone" not in law.permits["important_influence"]
    assert "evacuation_order" in law.permits["anticipated_armed_attack"]
    amended = load_scenario(
        scenario_to_yaml(sc).replace("authorities: law-2021", "authorities: amended")
    ).legal.authority_set()
    assert "sdf_logistics_in_combat_zone" in amended.permits["important_influence"]
    assert any("CHANGE" in a for a in amended.assumptions)


def test_models_are_frozen():
    sc = load_scenario("ideal-fixed-delay")
    with pytest.raises(Exception):  # noqa: B017 - pydantic raises ValidationError
        sc.run.horizon_h = 5  # type: ignore[misc]


def test_distribution_params_for_the_engine():
    from pydantic import TypeAdapter

    from nansei.scenario.distributions import KIND_CODES, Distribution

    ta = TypeAdapter(Distribution)
    assert ta.validate_python(2).params() == (KIND_CODES["fixed"], 2.0, 0.0)
    assert ta.validate_python({"kind": "exponential", "mean": 3}).params() == (1, 3.0, 0.0)
    assert ta.validate_python({"kind": "lognormal", "median": 1, "sigma": 0.5}).params() == (
        2,
        1.0,
        0.5,
    )
    assert ta.validate_python({"kind": "uniform", "low": 1, "high": 3}).mean() == 2.0
