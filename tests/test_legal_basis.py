"""The authority tables: every permitted cell has a public basis, and docs/model.md is
generated from the code (``scripts/gen_legal_table.py``)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from nansei.scenario.legal import ACTIONS, BUILTIN_AUTHORITIES
from nansei.scenario.legal_basis import BASIS, SOURCES, basis_for, permitted_situations

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("authority", list(BUILTIN_AUTHORITIES))
def test_every_cell_has_a_basis(authority):
    for action in ACTIONS:
        b = basis_for(authority, action)
        assert b.situations == permitted_situations(authority, action), (authority, action)
        assert b.sources and all(s in SOURCES for s in b.sources)
        assert b.grade[0] in "ABC"
    assert len([b for b in BASIS if b.authority == authority]) == len(ACTIONS)


def test_amended_differs_only_where_a_change_is_stated():
    for action in ACTIONS:
        law, amended = basis_for("law-2021", action), basis_for("amended", action)
        if law.situations != amended.situations:
            assert amended.rule.startswith("CHANGE") and amended.grade == "C"


def test_docs_table_is_generated_from_the_code():
    spec = importlib.util.spec_from_file_location(
        "gen_legal_table", ROOT / "scripts" / "gen_legal_table.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    text = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
    assert mod.updated(text) == text, "docs/model.md is stale; run scripts/gen_legal_table.py"
