"""Scenario errors: one exception listing every problem, each located precisely.

:class:`ScenarioError` is the only exception :func:`nansei.scenario.load_scenario`
raises. It holds a list of :class:`Problem` records (dotted path, YAML line,
offending value, message, allowed values) and renders them on one screen.
:func:`problems_from_validation` turns a pydantic ``ValidationError`` into such
problems: union branches are collapsed, unknown keys list the allowed keys,
literal errors list the allowed values.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from ._base import ERROR_TYPE
from ._paths import model_keys_at, walk

__all__ = [
    "MAX_SHOWN",
    "Problem",
    "ScenarioError",
    "format_path",
    "problem_error",
    "problems_from_validation",
]

#: Maximum number of problems rendered by ``str(ScenarioError)``.
MAX_SHOWN = 20

_TYPE_ERRORS = {
    "model_type",
    "model_attributes_type",
    "dict_type",
    "list_type",
    "string_type",
    "int_type",
    "int_parsing",
    "int_from_float",
    "float_type",
    "float_parsing",
    "bool_type",
    "bool_parsing",
    "literal_error",
    "is_instance_of",
    "none_required",
    "union_tag_not_found",
}


def _short_repr(value: Any, limit: int = 60) -> str:
    try:
        text = repr(value)
    except Exception:  # pragma: no cover - exotic objects
        text = f"<{type(value).__name__}>"
    text = text.replace("\n", "\\n")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def format_path(path: tuple[str | int, ...]) -> str:
    """Render a path tuple as ``blue.launchers[0].count`` (``<document>`` if empty)."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "<document>"


@dataclass(frozen=True)
class Problem:
    """One problem in a scenario document.

    Attributes
    ----------
    path : str
        Dotted path of the field, e.g. ``"blue.relocation.dwell_h"`` or
        ``"blue.launchers[0].count"``; ``"<document>"`` for the whole document.
    line : int or None
        1-based line in the YAML source, when known.
    value : str or None
        Truncated ``repr`` of the offending value, when there is one.
    message : str
        What is wrong.
    allowed : str or None
        The allowed values or keys, comma-separated, when there is a finite list.
    """

    path: str
    line: int | None
    value: str | None
    message: str
    allowed: str | None = None

    def render(self) -> str:
        """Return a one-line description."""
        where = f"line {self.line}: " if self.line is not None else ""
        text = f"{where}{self.path}: {self.message}"
        if self.value is not None:
            text += f" (got {self.value})"
        if self.allowed:
            allowed = self.allowed if len(self.allowed) <= 400 else self.allowed[:397] + "..."
            text += f"; allowed: {allowed}"
        return text


class ScenarioError(Exception):
    """A scenario could not be loaded or is invalid.

    Parameters
    ----------
    problems : list of Problem
        Every problem found (at least one).
    source : str, optional
        Where the document came from (file name, built-in name, ``<text>``).
    """

    def __init__(self, problems: list[Problem], source: str | None = None) -> None:
        self.problems = list(problems) or [Problem("<document>", None, None, "invalid scenario")]
        self.source = source
        super().__init__(self.__str__())

    def __str__(self) -> str:
        n = len(self.problems)
        src = f" {self.source}" if self.source else ""
        head = f"invalid scenario{src}: {n} problem{'s' if n != 1 else ''}"
        lines = [head]
        for p in self.problems[:MAX_SHOWN]:
            lines.append("  - " + p.render())
        if n > MAX_SHOWN:
            lines.append(f"  ... and {n - MAX_SHOWN} more")
        return "\n".join(lines)

    def paths(self) -> list[str]:
        """Return the dotted paths of all problems (handy in tests)."""
        return [p.path for p in self.problems]


# ---------------------------------------------------------------------------
# mapping pydantic errors to problems


def _did_you_mean(word: str, options: list[str]) -> str:
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def _quoted(text: str) -> str:
    found = re.findall(r"'([^']*)'", text)
    return ", ".join(found)


def _message(err: dict[str, Any], root: type[BaseModel] | None) -> tuple[str, str | None]:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    msg = str(err.get("msg", "invalid value"))
    loc = tuple(err.get("loc", ()))
    if kind == "missing":
        return f"missing required field '{loc[-1] if loc else '?'}'", None
    if kind == "extra_forbidden":
        keys = model_keys_at(root, loc) if root is not None and loc else []
        name = str(loc[-1]) if loc else "?"
        return f"unknown field '{name}'{_did_you_mean(name, keys)}", ", ".join(keys) or None
    if kind == "literal_error":
        expected = str(ctx.get("expected", ""))
        options = re.findall(r"'([^']*)'", expected)
        hint = _did_you_mean(str(err.get("input")), options)
        return "invalid value" + hint, ", ".join(options) or expected or None
    if kind == "union_tag_invalid":
        tags = str(ctx.get("expected_tags", ""))
        return f"unknown kind {ctx.get('tag')!r}", _quoted(tags) or tags or None
    if kind == "union_tag_not_found":
        from .distributions import KIND_CODES

        return f"missing {ctx.get('discriminator', 'kind')} key", ", ".join(KIND_CODES)
    if kind == "string_pattern_mismatch":
        return "must be an identifier: letters, digits, '_', '-', '.' (no spaces)", None
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return "expected a mapping (key: value pairs)", None
    if kind == "list_type":
        return "expected a list", None
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    if msg.startswith("Input should be "):
        msg = "must be " + msg[len("Input should be ") :]
    return msg, None


def _loc_line(lines: dict[tuple[Any, ...], int] | None, path: tuple[Any, ...]) -> int | None:
    if not lines:
        return None
    p = tuple(path)
    while True:
        if p in lines:
            return lines[p]
        if not p:
            return None
        p = p[:-1]


def problems_from_validation(
    exc: ValidationError,
    data: Any,
    lines: dict[tuple[Any, ...], int] | None = None,
    root: type[BaseModel] | None = None,
) -> list[Problem]:
    """Convert a pydantic ``ValidationError`` into located problems.

    Parameters
    ----------
    exc : pydantic.ValidationError
        The error raised by ``Scenario.model_validate``.
    data : object
        The validated input (to follow paths and drop union tags).
    lines : dict, optional
        Map from path tuples to 1-based YAML line numbers.
    root : type, optional
        The root model (to list allowed keys for unknown fields).
    """
    raw: list[tuple[tuple[Any, ...], int | None, Any, dict[str, Any]]] = []
    for err in exc.errors(include_url=False):
        missing_ok = err["type"] in ("missing", "extra_forbidden")
        path, union_at, tag = walk(data, tuple(err.get("loc", ())), missing_ok)
        raw.append((path, union_at, tag, err))

    # Collapse union branches: keep branches that got "deeper", else merge.
    groups: dict[tuple[Any, ...], list[int]] = {}
    for i, (path, union_at, _tag, _err) in enumerate(raw):
        if union_at is not None:
            groups.setdefault(path[:union_at], []).append(i)
    drop: set[int] = set()
    merged: dict[int, tuple[str, str | None]] = {}
    for point, idxs in groups.items():
        tags = {raw[i][2] for i in idxs}
        if len(tags) < 2:
            continue

        def deep(i: int, point: tuple[Any, ...] = point) -> bool:
            return len(raw[i][0]) > len(point) or raw[i][3]["type"] not in _TYPE_ERRORS

        deep_tags = {raw[i][2] for i in idxs if deep(i)}
        if deep_tags:
            drop.update(i for i in idxs if raw[i][2] not in deep_tags)
            continue
        msgs: list[str] = []
        allowed: list[str] = []
        for i in idxs:
            m, a = _message(raw[i][3], root)
            m = m.removeprefix("must be ").removeprefix("expected ")
            if m.startswith("invalid value") and a:
                m = " or ".join(repr(x.strip()) for x in a.split(","))
            if m not in msgs:
                msgs.append(m)
            if a and a not in allowed:
                allowed.append(a)
        drop.update(idxs[1:])
        merged[idxs[0]] = ("expected " + " or ".join(msgs), ", ".join(allowed) or None)

    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for i, (path, _u, _t, err) in enumerate(raw):
        if i in drop:
            continue
        if err["type"] == ERROR_TYPE and isinstance((err.get("ctx") or {}).get("problems"), tuple):
            for sub, msg, value, allowed in err["ctx"]["problems"]:
                full = path + tuple(sub)
                val = None if value is None else _short_repr(value)
                key = (format_path(full), msg)
                if key not in seen:
                    seen.add(key)
                    problems.append(
                        Problem(format_path(full), _loc_line(lines, full), val, msg, allowed)
                    )
            continue
        msg, allowed = merged.get(i) or _message(err, root)
        value = None if err["type"] in ("missing", "extra_forbidden") else err.get("input")
        val = None if value is None or isinstance(value, dict) else _short_repr(value)
        key = (format_path(path), msg)
        if key in seen:
            continue
        seen.add(key)
        problems.append(Problem(format_path(path), _loc_line(lines, path), val, msg, allowed))
    problems.sort(key=lambda p: (p.line is None, p.line or 0))
    return problems


def problem_error(path: str, value: Any, message: str, allowed: str | None = None) -> ScenarioError:
    """Return a :class:`ScenarioError` with one problem (for checks outside the schema)."""
    return ScenarioError([Problem(path, None, _short_repr(value), message, allowed)])
