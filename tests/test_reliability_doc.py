"""docs/reliability.md stays true: every test it names exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "reliability.md"


def test_every_test_named_in_reliability_doc_exists() -> None:
    text = DOC.read_text(encoding="utf-8")
    named: list[tuple[str, str | None]] = []
    current = None
    for m in re.finditer(r"`(tests/\w+\.py)(?:::(test_\w+))?`|`::(test_\w+)`", text):
        if m.group(1):
            current = m.group(1)
            named.append((current, m.group(2)))
        else:
            assert current is not None
            named.append((current, m.group(3)))
    assert len(named) >= 20
    for path, name in named:
        src = (ROOT / path).read_text(encoding="utf-8")
        if name is not None:
            assert re.search(rf"^def {name}\(", src, re.M), f"{path}::{name} is not a test"
