"""Dotted paths into a scenario mapping: ``blue.relocation.dwell_h``, ``blue.launchers[0].count``.

A factor names a field of the scenario by the same dotted path that scenario
errors print. :func:`get_path` reads it from ``Scenario.model_dump()``,
:func:`set_path` writes a level into a copy.
"""

from __future__ import annotations

import copy
import difflib
import re
from typing import Any

__all__ = ["PathError", "get_path", "parse_path", "set_path"]

_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


class PathError(ValueError):
    """A dotted path does not name a field; ``message`` and ``allowed`` explain."""

    def __init__(self, message: str, allowed: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.allowed = allowed


def parse_path(path: str) -> tuple[str | int, ...]:
    """Split ``"a.b[2].c"`` into ``("a", "b", 2, "c")``.

    Raises
    ------
    PathError
        If the text is not a dotted path.
    """
    parts: list[str | int] = []
    pos = 0
    text = path.strip()
    while pos < len(text):
        if text[pos] == "." and parts:
            pos += 1
        m = _PART.match(text, pos)
        if not m:
            raise PathError("not a dotted path like 'blue.relocation.dwell_h'")
        parts.append(m.group(1) if m.group(1) is not None else int(m.group(2)))
        pos = m.end()
    if not parts:
        raise PathError("empty path")
    return tuple(parts)


def _step(node: Any, part: str | int, done: tuple[str | int, ...]) -> Any:
    where = ".".join(str(p) for p in done) or "the scenario"
    if isinstance(part, int):
        if not isinstance(node, list):
            raise PathError(f"{where} is not a list")
        if part >= len(node):
            raise PathError(f"{where} has {len(node)} items (index {part} is out of range)")
        return node[part]
    if not isinstance(node, dict):
        raise PathError(f"{where} has no fields (it is {type(node).__name__})")
    if part not in node:
        keys = sorted(str(k) for k in node)
        close = difflib.get_close_matches(part, keys, n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise PathError(f"unknown scenario field '{part}' in {where}{hint}", ", ".join(keys))
    return node[part]


def get_path(data: dict, path: str) -> Any:
    """Return the value at ``path`` in ``data``.

    Raises
    ------
    PathError
        If a part does not exist; the message names it and suggests a close key.
    """
    node: Any = data
    parts = parse_path(path)
    for i, part in enumerate(parts):
        node = _step(node, part, parts[:i])
    return node


def set_path(data: dict, path: str, value: Any) -> dict:
    """Return a deep copy of ``data`` with ``path`` set to ``value``."""
    out = copy.deepcopy(data)
    parts = parse_path(path)
    node: Any = out
    for i, part in enumerate(parts[:-1]):
        node = _step(node, part, parts[:i])
    _step(node, parts[-1], parts[:-1])  # the field must exist
    node[parts[-1]] = copy.deepcopy(value)
    return out
