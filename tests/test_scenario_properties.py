"""Property tests: no input document makes the loader raise anything but ScenarioError."""

from __future__ import annotations

import copy
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nansei.scenario import ScenarioError, load_scenario, parse_scenario_text

SETTINGS = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

KEYS = st.sampled_from(
    [
        "schema_version", "name", "blue", "red", "run", "launchers", "count", "id", "kind",
        "dwell_h", "value", "mean", "low", "high", "islands", "sites", "custom", "lat", "lon",
        "civil", "enabled", "legal", "timeline", "situation", "zone", "streams", "x", "",
    ]
)  # fmt: skip
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["all", "none", "fixed", "HIMARS", "ishigaki", "law-2021", "auto"]),
)
TREES = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(
            st.one_of(KEYS, st.text(max_size=8), st.integers(-3, 3)), children, max_size=5
        ),
    ),
    max_leaves=30,
)

BASE = yaml.safe_load(
    open(
        __import__("nansei.scenario.loader", fromlist=["x"]).BUILTIN_DIR / "kyodo-2021.yaml",
        encoding="utf-8",
    )
)


def _expect_only_scenario_error(fn, arg) -> None:
    try:
        fn(arg)
    except ScenarioError as exc:
        text = str(exc)
        assert text and len(text.splitlines()) < 40
        for p in exc.problems:
            assert isinstance(p.path, str) and (p.line is None or p.line >= 1)
            # the catch-all must not be what handled it: that would hide a bug
            assert not p.message.startswith("could not load scenario"), p.message


@SETTINGS
@given(TREES)
def test_random_trees_as_mappings(tree):
    doc = tree if isinstance(tree, dict) else {"schema_version": 1, "name": "x", "blue": tree}
    _expect_only_scenario_error(load_scenario, doc)


@SETTINGS
@given(TREES)
def test_random_trees_as_yaml_text(tree):
    text = yaml.safe_dump(tree, allow_unicode=True)
    _expect_only_scenario_error(parse_scenario_text, text)


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out.extend(_paths(v, (*prefix, k)))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out.extend(_paths(v, (*prefix, i)))
    return out


ALL_PATHS = _paths(BASE)[1:]


@st.composite
def mutated_builtin(draw):
    doc = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        path = draw(st.sampled_from(ALL_PATHS))
        parent = doc
        try:
            for part in path[:-1]:
                parent = parent[part]
        except (KeyError, IndexError, TypeError):
            continue
        last = path[-1]
        action = draw(st.sampled_from(["delete", "replace", "insert"]))
        try:
            if action == "delete":
                del parent[last]
            elif action == "replace":
                parent[last] = draw(TREES)
            elif isinstance(parent, dict):
                parent[draw(st.one_of(KEYS, st.text(max_size=6)))] = draw(TREES)
            else:
                parent.insert(last, draw(TREES))
        except (KeyError, IndexError, TypeError):
            continue
    return doc


@SETTINGS
@given(mutated_builtin())
def test_mutated_builtin(doc):
    _expect_only_scenario_error(load_scenario, doc)
    _expect_only_scenario_error(parse_scenario_text, yaml.safe_dump(doc, allow_unicode=True))


@SETTINGS
@given(st.text(max_size=200))
def test_random_text(text):
    _expect_only_scenario_error(parse_scenario_text, text)
    _expect_only_scenario_error(load_scenario, text)


@SETTINGS
@given(st.text(alphabet="{}[]:,-&*!|>'\"#%@` \n\tabc01.?<", max_size=80))
def test_random_yaml_punctuation(text):
    _expect_only_scenario_error(parse_scenario_text, text)
