"""Overrides: change scenario fields by dotted path, validated like a file.

An override names a field by the path that scenario errors print, with dots
and ``[i]`` list indices, and gives it a new value::

    nansei run kyodo-2021 --set red.kill_chain.delay_h.median=4 --set blue.launchers[0].count=6

    nansei.simulate("kyodo-2021", overrides={"red.kill_chain.delay_h.median": 4})

On the command line the value is read as a YAML scalar or flow collection, so
``=4``, ``=true``, ``=amended`` and ``={kind: fixed, value: 2}`` all work.
Overrides are applied in order to the scenario's full mapping (every field,
defaults included), and the result is validated exactly like a scenario file.
An unknown field, an index out of range or a bad value is a
:class:`~nansei.scenario.errors.ScenarioError` naming the path, the value and
the allowed keys or values.

>>> from nansei.scenario import load_scenario
>>> sc = load_scenario("ideal-fixed-delay", overrides={"red.p_kill": 0.5})
>>> sc.red.p_kill
0.5
>>> parse_assignment("blue.launchers[0].count=6")
('blue.launchers[0].count', 6)
"""

from __future__ import annotations

import copy
import difflib
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import yaml

from ._paths import model_keys_at
from .errors import Problem, ScenarioError, _short_repr, format_path

if TYPE_CHECKING:  # pragma: no cover
    from .model import Scenario

__all__ = ["apply_overrides", "normalize_overrides", "parse_assignment", "split_path"]

#: Longest override value accepted on the command line (characters).
MAX_VALUE_CHARS = 10_000

_PART = re.compile(r"([^.\[\]=\s]+)|\[(\d+)\]")


def _problem(path: str, value: Any, message: str, allowed: str | None = None) -> Problem:
    return Problem(path, None, None if value is _NO_VALUE else _short_repr(value), message, allowed)


_NO_VALUE = object()


def split_path(path: str) -> tuple[str | int, ...]:
    """Split ``"blue.launchers[0].count"`` into ``("blue", "launchers", 0, "count")``.

    Raises
    ------
    ScenarioError
        If the text is not a dotted path.
    """
    text = path.strip() if isinstance(path, str) else ""
    parts: list[str | int] = []
    pos = 0
    while pos < len(text):
        if text[pos] == "." and parts:
            pos += 1
        m = _PART.match(text, pos)
        if not m:
            break
        parts.append(m.group(1) if m.group(1) is not None else int(m.group(2)))
        pos = m.end()
    if not parts or pos != len(text) or isinstance(parts[0], int):
        raise ScenarioError(
            [
                _problem(
                    str(path)[:80] or "<override>",
                    _NO_VALUE,
                    "not a field path",
                    "dotted names with [i] list indices, e.g. blue.launchers[0].count",
                )
            ]
        )
    return tuple(parts)


def parse_assignment(text: str) -> tuple[str, Any]:
    """Split a command-line override ``PATH=VALUE``; the value is read as YAML.

    Raises
    ------
    ScenarioError
        If there is no ``=``, the path is empty or the value is not a YAML scalar
        or flow collection.
    """
    path, sep, raw = text.partition("=")
    path = path.strip()
    if not sep or not path:
        raise ScenarioError(
            [
                _problem(
                    path or "<override>",
                    text,
                    "an override is PATH=VALUE",
                    "e.g. red.kill_chain.delay_h.median=4 or blue.launchers[0].count=6",
                )
            ],
            "override",
        )
    try:
        split_path(path)
    except ScenarioError as exc:
        p = exc.problems[0]
        raise ScenarioError([_problem(p.path, text, p.message, p.allowed)], "override") from None
    raw = raw.strip()
    if not raw:
        raise ScenarioError(
            [_problem(path, raw, "empty value (write null to clear a field)")], "override"
        )
    if len(raw) > MAX_VALUE_CHARS:
        raise ScenarioError(
            [_problem(path, raw, f"value longer than {MAX_VALUE_CHARS:,} characters")], "override"
        )
    try:
        value = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ScenarioError(
            [
                _problem(
                    path,
                    raw,
                    f"value is not valid YAML: {what}",
                    "a number, true/false, a word, [a, b] or {key: value}",
                )
            ],
            "override",
        ) from None
    return path, value


def normalize_overrides(overrides: Any) -> dict[str, Any]:
    """Return overrides as an ordered ``{path: value}`` mapping.

    Accepts a mapping, or an iterable of ``(path, value)`` pairs or ``"PATH=VALUE"``
    strings (a later entry for the same path wins).

    Raises
    ------
    ScenarioError
        If ``overrides`` is none of those.
    """
    if overrides is None:
        return {}
    if isinstance(overrides, Mapping):
        items: Iterable[Any] = overrides.items()
    elif isinstance(overrides, str | bytes):
        items = [overrides]
    else:
        try:
            items = list(overrides)
        except TypeError:
            items = None  # type: ignore[assignment]
        if items is None:
            raise ScenarioError(
                [
                    _problem(
                        "overrides",
                        overrides,
                        f"cannot read overrides from {type(overrides).__name__}",
                        "a mapping {path: value}, (path, value) pairs or 'PATH=VALUE' strings",
                    )
                ]
            )
    out: dict[str, Any] = {}
    for item in items:
        if isinstance(item, bytes):
            item = item.decode("utf-8", "replace")
        if isinstance(item, str):
            path, value = parse_assignment(item)
        elif isinstance(item, tuple | list) and len(item) == 2:
            path, value = item
        else:
            raise ScenarioError(
                [_problem("overrides", item, "expected 'PATH=VALUE' or (path, value)")]
            )
        if not isinstance(path, str):
            raise ScenarioError(
                [_problem("overrides", path, "a field path must be a string")], "overrides"
            )
        out.pop(path, None)  # a later entry wins, and takes the later place
        out[path] = value
    return out


def _set_one(data: dict, path: str, value: Any, root: Any) -> Problem | None:
    """Set ``path`` in ``data`` (in place); return the problem if the path is not a field."""
    try:
        parts = split_path(path)
    except ScenarioError as exc:
        p = exc.problems[0]
        return _problem(p.path, value, p.message, p.allowed)
    node: Any = data
    for i, part in enumerate(parts):
        done, last = parts[:i], i == len(parts) - 1
        here = format_path(parts[: i + 1])
        if isinstance(part, int):
            if not isinstance(node, list):
                kind = "a mapping" if isinstance(node, dict) else _kind(node)
                return _problem(here, value, f"{format_path(done)} is {kind}, not a list")
            if part >= len(node):
                allowed = f"0 .. {len(node) - 1}" if node else "none (the list is empty)"
                return _problem(
                    here,
                    value,
                    f"index {part} is out of range: {format_path(done)} has {len(node)} "
                    f"item{'s' if len(node) != 1 else ''}",
                    allowed,
                )
        else:
            if not isinstance(node, dict):
                if isinstance(node, list):
                    return _problem(
                        here,
                        value,
                        f"{format_path(done)} is a list: give an index, "
                        f"e.g. {format_path(done)}[0].{part}",
                        f"0 .. {len(node) - 1}" if node else None,
                    )
                return _problem(here, value, f"{format_path(done)} is {_kind(node)}, not a mapping")
            if part not in node:
                # A model's mapping holds every field (defaults included): a missing key is
                # an unknown field. A free-form mapping (ids as keys) takes a new entry,
                # which validation then checks.
                keys = model_keys_at(root, (*done, part))
                if keys and (node or part not in keys):  # empty: a section just created
                    allowed = [str(k) for k in node] or keys
                    close = difflib.get_close_matches(str(part), allowed, n=1, cutoff=0.6)
                    hint = f"; did you mean '{close[0]}'?" if close else ""
                    return _problem(here, value, f"unknown field{hint}", ", ".join(allowed))
                if not last:
                    node[part] = {}
        if last:
            node[part] = copy.deepcopy(value)
            return None
        child = node[part]
        if child is None and isinstance(parts[i + 1], str):
            child = node[part] = {}  # an unset optional section: filled in by validation
        node = child
    return None  # pragma: no cover - the loop always returns


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return f"a boolean ({value})"
    if isinstance(value, int | float):
        return f"a number ({value:g})"
    if isinstance(value, str):
        return f"a string ({value!r:.40})"
    if value is None:
        return "null"
    return f"a {type(value).__name__}"


def apply_overrides(sc: Scenario, overrides: Any, source: str | None = None) -> Scenario:
    """Return ``sc`` with ``overrides`` applied, validated like a scenario file.

    Parameters
    ----------
    sc : Scenario
        The base scenario.
    overrides : mapping, iterable of pairs or of ``"PATH=VALUE"`` strings
        See :func:`normalize_overrides`. Empty: ``sc`` is returned unchanged.
    source : str, optional
        Where the base came from, for the error's heading.

    Raises
    ------
    ScenarioError
        Every problem: unknown paths (with the allowed keys), indices out of range,
        and whatever the schema rejects in the result.
    """
    from pydantic import ValidationError

    from .errors import problems_from_validation
    from .model import Scenario

    items = normalize_overrides(overrides)
    if not items:
        return sc
    label = f"{source or sc.name} with overrides " + ", ".join(
        f"{p}={_short_repr(v, 30)}" for p, v in list(items.items())[:3]
    )
    if len(items) > 3:
        label += f" (+{len(items) - 3} more)"
    data = sc.model_dump(mode="json", by_alias=True)
    problems = [
        p for p in (_set_one(data, path, v, Scenario) for path, v in items.items()) if p is not None
    ]
    if problems:
        raise ScenarioError(problems, label)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(problems_from_validation(exc, data, None, Scenario), label) from None
