"""The generated scenario reference (docs/scenario-reference.md) stays true to the schema."""

from __future__ import annotations

import importlib.util
import sys
import types
import typing
from pathlib import Path
from typing import Any, Union, get_args, get_origin

import pytest
from pydantic import BaseModel

from nansei.scenario import Scenario
from nansei.scenario.distributions import Exponential, Fixed, Lognormal, Uniform

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "gen_scenario_reference.py"
DOC = ROOT / "docs" / "scenario-reference.md"
DISTS = {Fixed, Exponential, Lognormal, Uniform}


@pytest.fixture(scope="module")
def gen() -> types.ModuleType:
    """Import the generator script as a module."""
    spec = importlib.util.spec_from_file_location("gen_scenario_reference", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def doc() -> str:
    return DOC.read_text(encoding="utf-8")


def _strip(tp: Any) -> Any:
    while get_origin(tp) is typing.Annotated:
        tp = get_args(tp)[0]
    return tp


def _models(tp: Any, suffix: str = "") -> list[tuple[type[BaseModel], str]]:
    """Models nested in a type (distributions excluded), with the path suffix they get."""
    tp = _strip(tp)
    if get_origin(tp) in (Union, types.UnionType):
        args = {_strip(a) for a in get_args(tp)}
        if args == DISTS:
            return []
        return [m for a in get_args(tp) for m in _models(a, suffix)]
    if get_origin(tp) is list:
        return _models(get_args(tp)[0], suffix + "[]")
    if get_origin(tp) is dict:
        return _models(get_args(tp)[1], suffix + ".*")
    if isinstance(tp, type) and issubclass(tp, BaseModel) and tp not in DISTS:
        return [(tp, suffix)]
    return []


def _walk(model: type[BaseModel], prefix: str = "") -> list[tuple[str, type[BaseModel], str, Any]]:
    """Every field below ``model``: (dotted path, owner model, field name, FieldInfo)."""
    out = []
    for name, f in model.model_fields.items():
        path = f"{prefix}.{f.alias or name}" if prefix else (f.alias or name)
        out.append((path, model, name, f))
        for sub, suffix in _models(f.annotation):
            out += _walk(sub, path + suffix)
    return out


def test_committed_doc_is_up_to_date(gen: types.ModuleType, doc: str) -> None:
    assert doc == gen.render(), (
        "docs/scenario-reference.md is stale; rerun: python scripts/gen_scenario_reference.py"
    )


def test_render_is_deterministic(gen: types.ModuleType) -> None:
    assert gen.render() == gen.render()


def test_check_flag(gen: types.ModuleType, tmp_path: Path) -> None:
    out = tmp_path / "ref.md"
    assert gen.main(["--check", "--out", str(out)]) == 1
    assert gen.main(["--out", str(out)]) == 0
    assert gen.main(["--check", "--out", str(out)]) == 0
    out.write_text(out.read_text(encoding="utf-8") + "x", encoding="utf-8")
    assert gen.main(["--check", "--out", str(out)]) == 1


def test_every_leaf_field_is_documented(doc: str) -> None:
    leaves = [p for p, _m, _n, f in _walk(Scenario) if not _models(f.annotation)]
    assert len(leaves) > 100
    assert "blue.relocation.dwell_h" in leaves
    missing = [p for p in leaves if f"| `{p}` |" not in doc]
    assert not missing, f"leaf fields missing from the reference: {missing}"
    for m in DISTS:
        for name, f in m.model_fields.items():
            assert f"| `{f.alias or name}` |" in doc


def test_generator_leaves_match_schema(gen: types.ModuleType) -> None:
    ours = {p for p, _m, _n, f in _walk(Scenario) if not _models(f.annotation)}
    assert set(gen.leaf_paths()) == ours


def test_every_field_has_a_description() -> None:
    fields = [(f"{m.__name__}.{n}", f) for _p, m, n, f in _walk(Scenario)]
    fields += [(f"{m.__name__}.{n}", f) for m in DISTS for n, f in m.model_fields.items()]
    lacking = sorted({name for name, f in fields if not (f.description or "").strip()})
    assert not lacking, f"fields without Field(description=...): {lacking}"
