"""One validation gate (issue 17, hole 2): whatever validates also compiles.

Every rule the compile can raise is checked by validation first, with the field path and the
YAML line: site capacity, supply points on islands in play, the evacuation plan's islands;
sweep factor levels and design points that make invalid scenarios are refused before any
simulation starts, naming the factor, the level and the field; integer ranges that hold no
integer and NOLH designs with an invalid number of points give clean errors.
"""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nansei.engine.compile import compile_scenario
from nansei.experiment import ExperimentError, load_experiment, sweep
from nansei.experiment.design import make_design
from nansei.geo.gazetteer import load_gazetteer
from nansei.scenario import ScenarioError, builtin_names, load_scenario, parse_scenario_text
from nansei.scenario.loader import BUILTIN_DIR

BASES = {n: yaml.safe_load((BUILTIN_DIR / f"{n}.yaml").read_text()) for n in builtin_names()}
ISLANDS = [i.id for i in load_gazetteer().islands]


def _text(name: str) -> str:
    return (BUILTIN_DIR / f"{name}.yaml").read_text()


def _problem(text: str, path: str):
    with pytest.raises(ScenarioError) as info:
        parse_scenario_text(text)
    hits = [p for p in info.value.problems if p.path == path]
    assert hits, str(info.value)
    return hits[0]


def test_supply_point_on_an_island_not_in_play_is_refused_with_its_line() -> None:
    text = _text("kyodo-2021").replace(
        "  islands: all", "  islands: [okinoerabu, yoron, ishigaki]", 1
    )
    p = _problem(text, "sustainment.supply_points[0].island")
    assert "amami-sp" in p.message and "not in play" in p.message
    assert p.line == next(
        i + 1 for i, line in enumerate(text.splitlines()) if "id: amami-sp" in line
    )
    # the ishigaki supply point is in play: only the Amami one is named
    assert not any("ishigaki-sp" in q.message for q in _all(text))


def _all(text: str):
    try:
        parse_scenario_text(text)
    except ScenarioError as exc:
        return exc.problems
    return []


def test_more_launchers_than_usable_sites_is_refused_with_its_line() -> None:
    text = _text("kyodo-2021").replace("  islands: all", "  islands: [yoron, tarama]", 1)
    p = _problem(text, "blue.launchers[1].count")  # btry-a takes the 10 sites, btry-b fails
    assert "more launchers than usable candidate sites" in p.message
    assert "10 usable sites" in p.message and "16 launchers" in p.message
    lines = text.splitlines()
    btry_b = next(i for i, line in enumerate(lines) if "id: btry-b" in line)
    assert p.line == btry_b + 2  # the 'count: 8' line of btry-b
    # five launchers per battery fit exactly (decoys are placed after the launchers)
    ok = text.replace("count: 8", "count: 5")
    assert not [q for q in _all(ok) if q.path.startswith("blue")]


def test_custom_decoy_sites_do_not_count_as_launcher_sites() -> None:
    doc = copy.deepcopy(BASES["ideal-fixed-delay"])
    doc["geography"] = {
        "islands": ["yoron"],
        "sites": {
            "builtin": "none",
            "custom": [
                {"id": "a", "island": "yoron", "lat": 27.04, "lon": 128.42},
                {"id": "d", "island": "yoron", "lat": 27.05, "lon": 128.43, "decoy": True},
            ],
        },
    }
    doc["blue"]["launchers"][0]["count"] = 2
    with pytest.raises(ScenarioError) as info:
        load_scenario(doc)
    assert info.value.paths() == ["blue.launchers[0].count"]
    doc["blue"]["launchers"][0]["count"] = 1
    compile_scenario(load_scenario(doc))


def test_staging_through_an_island_not_evacuated_is_refused() -> None:
    doc = copy.deepcopy(BASES["sakishima-evacuation-2025"])
    doc["civil"]["evacuation"]["islands"] = ["yonaguni", "miyako"]
    with pytest.raises(ScenarioError) as info:
        load_scenario(doc)
    assert "civil.evacuation.staging.yonaguni" in info.value.paths()
    assert "not evacuated" in str(info.value)


def test_an_evacuated_island_without_a_gateway_is_refused() -> None:
    doc = copy.deepcopy(BASES["sakishima-evacuation-2025"])
    doc["civil"]["evacuation"]["islands"] = ["kitadaito"]
    doc["civil"]["evacuation"]["staging"] = {}
    with pytest.raises(ScenarioError) as info:
        load_scenario(doc)
    assert info.value.paths() == ["civil.evacuation.islands[0]"]
    assert "no gateway with capacity" in str(info.value)


# -- experiments ---------------------------------------------------------------------------

EXP = """\
schema_version: 1
name: gate
scenario: {scenario}
factors:
{factors}
design: {design}
replications: 10
seed: 1
"""


def _exp(factors: str, design: str = "{kind: full_factorial}", scenario: str = "kyodo-2021"):
    return EXP.format(factors=factors, design=design, scenario=scenario)


def test_a_factor_level_that_breaks_a_rule_is_refused_at_load() -> None:
    text = _exp("  geography.islands: [all, [okinoerabu, yoron, ishigaki]]")
    with pytest.raises(ExperimentError) as info:
        load_experiment(text)
    msg = str(info.value)
    assert "factors.geography.islands[1]" in msg and "line 5" in msg
    assert "sustainment.supply_points[0].island" in msg and "not in play" in msg


def test_design_points_are_checked_before_any_simulation(tmp_path: Path) -> None:
    # each level is valid alone; 3 launchers on the 2 sites of Yoron and Tarama are not
    text = _exp(
        "  geography.islands: [all, [yoron, tarama]]\n  blue.launchers[0].count: [1, 3]",
        scenario="ideal-fixed-delay",
    )
    exp = load_experiment(text)
    out = tmp_path / "store"
    with pytest.raises(ExperimentError) as info:
        sweep(exp, out)
    assert info.value.paths() == ["factors.blue.launchers[0].count"]
    msg = str(info.value)
    assert "design point 3" in msg
    assert "geography.islands = ['yoron', 'tarama']" in msg and "count = 3" in msg
    assert "blue.launchers[0].count: more launchers than usable candidate sites" in msg
    assert not out.exists()  # refused before the store was created


def test_integer_range_without_an_integer_is_refused() -> None:
    text = _exp(
        "  blue.launchers[0].count: {low: 1.2, high: 1.4, integer: true}",
        "{kind: lhs, points: 4}",
        "ideal-fixed-delay",
    )
    with pytest.raises(ExperimentError) as info:
        load_experiment(text)
    assert "holds no integer" in str(info.value)
    assert "factors.blue.launchers[0].count" in str(info.value)


def test_integer_values_stay_inside_the_range() -> None:
    text = _exp(
        "  red.daily_capacity: {low: 1.2, high: 3.6, integer: true}",
        "{kind: lhs, points: 16}",
        "ideal-fixed-delay",
    )
    values = {v["red.daily_capacity"] for v in make_design(load_experiment(text)).values}
    assert values <= {2, 3} and values == {2, 3}


@pytest.mark.parametrize("points", [7, 3, 257])
def test_nolh_with_an_invalid_number_of_points_is_a_clean_error(points, tmp_path) -> None:
    text = _exp(
        "  blue.relocation.dwell_h: {low: 2, high: 24}",
        f"{{kind: nolh, points: {points}}}",
        "ideal-fixed-delay",
    )
    with pytest.raises(ExperimentError) as info:
        load_experiment(text)
    assert "design.points" in str(info.value) and "5, 9, 17, 33, 65, 129" in str(info.value)
    f = tmp_path / "e.yaml"
    f.write_text(text)
    proc = subprocess.run(
        [sys.executable, "-m", "nansei.cli", "sweep", str(f), "--out", str(tmp_path / "s")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "design.points" in proc.stderr


# -- property: whatever validates also compiles ---------------------------------------------


@st.composite
def perturbed(draw):
    name = draw(st.sampled_from(sorted(BASES)))
    doc = copy.deepcopy(BASES[name])
    if draw(st.booleans()):
        doc.setdefault("geography", {})["islands"] = draw(
            st.lists(st.sampled_from(ISLANDS), min_size=1, max_size=5, unique=True)
        )
    for g in doc.get("blue", {}).get("launchers", []):
        if draw(st.booleans()):
            g["count"] = draw(st.integers(1, 40))
    for section in ("sustainment", "civil", "targets", "legal", "red", "geography"):
        if draw(st.integers(0, 5)) == 0:
            doc.pop(section, None)
    if "blue" in doc and draw(st.integers(0, 3)) == 0:
        doc["blue"].setdefault("decoys", {})["count_per_island"] = draw(st.integers(0, 4))
    civ = doc.get("civil", {})
    if civ.get("enabled") and draw(st.booleans()):
        ev = civ.setdefault("evacuation", {})
        ev["islands"] = draw(
            st.lists(st.sampled_from(ISLANDS), min_size=1, max_size=6, unique=True)
        )
        if draw(st.booleans()):
            ev.pop("staging", None)
    return doc


@settings(
    max_examples=80,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(perturbed())
def test_whatever_validates_also_compiles(doc) -> None:
    try:
        sc = load_scenario(doc)
    except ScenarioError:
        return
    compile_scenario(sc)  # attaches the evacuation compile when civil protection is on
