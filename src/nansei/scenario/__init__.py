"""Scenario schema, loading with located errors, and the built-in scenarios.

>>> from nansei.scenario import load_scenario, builtin_names
>>> "ideal-fixed-delay" in builtin_names()
True
>>> load_scenario("ideal-fixed-delay").blue.total_launchers()
1
"""

from .errors import Problem, ScenarioError
from .loader import (
    builtin_names,
    builtin_path,
    json_schema,
    load_scenario,
    parse_scenario_text,
    scenario_to_yaml,
    summarize,
)
from .model import Scenario

__all__ = [
    "Problem",
    "Scenario",
    "ScenarioError",
    "builtin_names",
    "builtin_path",
    "json_schema",
    "load_scenario",
    "parse_scenario_text",
    "scenario_to_yaml",
    "summarize",
]
