"""The compiler reads only what the scenario schema defines (no silent defaults).

Every built-in scenario is compiled through a recording proxy that stands in
for each schema object: a read of a declared field is passed through, a read
of any other attribute is recorded and refused. ``getattr(x, "name", default)``
on a field the schema lacks would otherwise return its default silently, so the
recorded list, not only the exception, is what the test checks.
"""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from nansei.engine.compile import compile_scenario
from nansei.scenario import builtin_names, load_scenario


class _Recorder:
    """Wraps a pydantic model; records every attribute read."""

    def __init__(self, obj: BaseModel, path: str, log: dict) -> None:
        object.__setattr__(self, "_obj", obj)
        object.__setattr__(self, "_path", path)
        object.__setattr__(self, "_log", log)

    def __getattr__(self, name: str):
        obj = object.__getattribute__(self, "_obj")
        path = object.__getattribute__(self, "_path")
        log = object.__getattribute__(self, "_log")
        cls = type(obj)
        if name in cls.model_fields:
            log["read"].add(f"{path}.{name}")
            return _wrap(getattr(obj, name), f"{path}.{name}", log)
        if callable(getattr(cls, name, None)) or name.startswith("model_"):
            return getattr(obj, name)  # methods of the schema (mean, params, ...)
        log["unknown"].append(f"{path}.{name}")
        raise AttributeError(f"{cls.__name__} has no field {name!r} ({path})")


def _wrap(value, path: str, log: dict):
    if isinstance(value, BaseModel):
        return _Recorder(value, path, log)
    if isinstance(value, list):
        return [_wrap(v, f"{path}[{i}]", log) for i, v in enumerate(value)]
    return value


@pytest.mark.parametrize("name", builtin_names())
def test_compiler_reads_only_schema_fields(name):
    sc = load_scenario(name)
    log: dict = {"read": set(), "unknown": []}
    compiled = compile_scenario(_wrap(sc, "scenario", log))
    assert compiled.arrays["fp"].shape[0] > 0
    assert log["unknown"] == [], f"the compiler read undefined attributes: {log['unknown']}"
    # the walk really passed through the proxy (the new kill-chain fields among them)
    assert "scenario.blue.fires.salvo_duration_h" in log["read"] or not sc.blue.launchers
    assert "scenario.red.isr.track_loss_rate_per_h" in log["read"]


def test_recorder_catches_a_silent_default():
    """The proxy sees ``getattr(x, 'undefined', default)``, which returns the default."""
    sc = load_scenario("ideal-fixed-delay")
    log: dict = {"read": set(), "unknown": []}
    fires = _wrap(sc, "scenario", log).blue.fires
    assert getattr(fires, "salvo_spacing_undefined_h", 0.5) == 0.5
    assert log["unknown"] == ["scenario.blue.fires.salvo_spacing_undefined_h"]
