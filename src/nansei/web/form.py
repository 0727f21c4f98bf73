"""The scenario form: the common parameters, generated from the scenario JSON Schema.

The editor shows, beside the YAML, a form of the parameters users change most
(forces, relocation, Red's ISR and kill chain, air defence, the legal set).
Each field is read from the JSON Schema that ``nansei schema`` exports: its
type (number, whole number or a choice), its bounds, its description, and a
unit from the field's name. Its value is the scenario's; its source and
confidence come from the scenario's ``uncertain:`` entry for that path when
there is one (which also gives the range), else the field is marked as having
no stated source.

A submitted form becomes overrides (:mod:`nansei.scenario.overrides`): only
the fields the user changed in the form (the value differs from the one the
form was drawn with) are applied, in the same validation as ``--set``, so an
error names the field path, the value and what is allowed.

>>> from nansei.scenario import load_scenario
>>> fields = form_fields(load_scenario("ideal-fixed-delay"))
>>> f = next(f for f in fields if f.path == "red.p_kill")
>>> (f.kind, f.minimum, f.maximum, f.unit)
('number', 0.0, 1.0, 'probability')
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

__all__ = ["COMMON_PATHS", "FormField", "changed_overrides", "form_fields"]

#: Parameters shown in the form, in order; ``[*]`` expands over the scenario's list.
#: A path whose value is a distribution shows one field per numeric parameter.
COMMON_PATHS: tuple[str, ...] = (
    "run.horizon_h",
    "blue.launchers[*].count",
    "blue.launchers[*].arrive_h",
    "blue.relocation.dwell_h",
    "blue.relocation.scoot_after_salvos",
    "blue.relocation.site_choice",
    "blue.relocation.inter_island_move_prob",
    "blue.decoys.count_per_island",
    "blue.decoys.p_identify",
    "blue.air_defence.p_intercept",
    "red.isr.detection_rate_per_h.hidden",
    "red.isr.detection_rate_per_h.moving",
    "red.isr.detection_rate_per_h.firing",
    "red.isr.p_detect_launch",
    "red.isr.track_loss_rate_per_h",
    "red.kill_chain.delay_h",
    "red.p_kill",
    "red.missiles_per_strike",
    "red.inventory",
    "red.daily_capacity",
    "red.strikes_start_h",
    "legal.authorities",
)

FORM_PREFIX = "set:"  # the form's input names: set:<path>
ORIG_PREFIX = "orig:"  # the value the form was drawn with: orig:<path>

_UNIT_SUFFIXES = (
    ("_per_h", "1/h"),
    ("_per_km2", "1/km²"),
    ("_kmh", "km/h"),
    ("_km", "km"),
    ("_h", "h"),
    ("_l", "l"),
)


@dataclass(frozen=True)
class FormField:
    """One input of the scenario form.

    Attributes
    ----------
    path : str
        Override path, e.g. ``"red.kill_chain.delay_h.median"``.
    label : str
        What the field is, from the schema's description.
    kind : str
        ``"number"``, ``"integer"`` or ``"choice"``.
    value : Any
        The scenario's value.
    minimum, maximum : float or None
        Inclusive bounds from the schema (None: unbounded).
    exclusive_minimum : bool
        True if the lower bound is exclusive (``> minimum``).
    choices : tuple of str
        The allowed values of a choice.
    unit : str
        Unit from the field's name (``h``, ``km``, ``1/h``, ``probability``, ``count``).
    source : str
        Source of the value, from the scenario's ``uncertain:`` entry, or "".
    confidence : str
        Confidence grade A/B/C of that source, or "".
    uncertain_range : str
        The range the ``uncertain:`` block gives the parameter, or "".
    """

    path: str
    label: str
    kind: str
    value: Any
    minimum: float | None
    maximum: float | None
    exclusive_minimum: bool
    choices: tuple[str, ...]
    unit: str
    source: str
    confidence: str
    uncertain_range: str

    @property
    def allowed(self) -> str:
        """The allowed values in words (``"0 to 1"``, ``"> 0"``, ``"a or b"``)."""
        if self.kind == "choice":
            return " or ".join(self.choices)
        lo = "" if self.minimum is None else f"{self.minimum:g}"
        hi = "" if self.maximum is None else f"{self.maximum:g}"
        if lo and hi and not self.exclusive_minimum:
            return f"{lo} to {hi}"
        parts = []
        if lo:
            parts.append(f"{'>' if self.exclusive_minimum else '≥'} {lo}")
        if hi:
            parts.append(f"≤ {hi}")
        return ", ".join(parts) or "any"

    @property
    def step(self) -> str:
        """The HTML ``step`` of the input: 1 for whole numbers, any for the others."""
        return "1" if self.kind == "integer" else "any"


@lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    from nansei.scenario.loader import json_schema

    return json_schema()


def _deref(node: Mapping[str, Any]) -> Mapping[str, Any]:
    ref = node.get("$ref")
    if ref:
        return _schema()["$defs"][ref.rsplit("/", 1)[1]]
    return node


def _branch(node: Mapping[str, Any], value: Any) -> Mapping[str, Any]:
    """The ``anyOf``/``oneOf`` branch of ``node`` that describes ``value``."""
    node = _deref(node)
    options = node.get("anyOf") or node.get("oneOf")
    if not options:
        return node
    for opt in options:
        opt = _deref(opt)
        if opt.get("anyOf") or opt.get("oneOf"):
            inner = _branch(opt, value)
            if inner is not opt:
                return inner
            continue
        t = opt.get("type")
        if isinstance(value, dict) and t == "object":
            kind = opt.get("properties", {}).get("kind", {})
            if "kind" not in value or kind.get("const", value["kind"]) == value["kind"]:
                return opt
        elif isinstance(value, str) and (t == "string" or "enum" in opt):
            return opt
        elif isinstance(value, bool) and t == "boolean":
            return opt
        elif isinstance(value, int | float) and not isinstance(value, bool):
            if t in ("number", "integer"):
                return opt
    return node


def _node_at(parts: tuple[str | int, ...], data: Any) -> tuple[Mapping[str, Any], str]:
    """The schema of the field at ``parts`` (with ``data`` choosing union branches)."""
    node: Mapping[str, Any] = _schema()
    description = ""
    value = data
    for part in parts:
        node = _branch(node, value)
        if isinstance(part, int):
            node = node["items"]
        else:
            node = node["properties"][part]
            description = node.get("description", description)
        value = value[part]
    return _branch(node, value), description


def _unit(name: str, kind: str) -> str:
    if name.startswith("p_") or name.endswith("_prob") or name == "concealment":
        return "probability"
    for suffix, unit in _UNIT_SUFFIXES:
        if name.endswith(suffix):
            return unit
    if kind == "integer":
        return "count"
    return ""


def _expand(pattern: str, data: Mapping[str, Any]) -> list[tuple[str | int, ...]]:
    from nansei.scenario.overrides import split_path

    head, star, tail = pattern.partition("[*]")
    if not star:
        return [split_path(pattern)]
    base = split_path(head)
    items: Any = data
    for part in base:
        items = items.get(part) if isinstance(items, Mapping) else None
    if not isinstance(items, list):
        return []
    rest = split_path(tail.lstrip(".")) if tail else ()
    return [(*base, i, *rest) for i in range(len(items))]


def _value_at(data: Any, parts: tuple[str | int, ...]) -> Any:
    for part in parts:
        if isinstance(part, int):
            if not isinstance(data, list) or part >= len(data):
                return None
        elif not isinstance(data, Mapping) or part not in data:
            return None
        data = data[part]
    return data


def _field(parts, data, uncertain: Mapping[str, Any]) -> FormField | None:
    from nansei.scenario.errors import format_path

    value = _value_at(data, parts)
    if value is None or isinstance(value, bool | list):
        return None
    node, description = _node_at(parts, data)
    path = format_path(parts)
    if "enum" in node:
        kind, choices = "choice", tuple(str(c) for c in node["enum"])
    elif node.get("type") in ("number", "integer"):
        kind, choices = node["type"], ()
    else:
        return None
    lo = node.get("minimum", node.get("exclusiveMinimum"))
    names = [p for p in parts if isinstance(p, str)]
    unit = _unit(names[-1], kind)
    if not unit and len(names) > 1 and names[-1] != "sigma":  # a rate or distribution member
        unit = _unit(names[-2], "number")
    u = uncertain.get(path)
    return FormField(
        path=path,
        label=description or node.get("description", "") or path,
        kind=kind,
        value=value,
        minimum=None if lo is None else float(lo),
        maximum=None if "maximum" not in node else float(node["maximum"]),
        exclusive_minimum="minimum" not in node and "exclusiveMinimum" in node,
        choices=choices,
        unit=unit,
        source="" if u is None else u["source"],
        confidence="" if u is None else u["confidence"],
        uncertain_range="" if u is None else f"{u['low']:g} to {u['high']:g}",
    )


def form_fields(sc) -> list[FormField]:
    """The form's fields for scenario ``sc``, in :data:`COMMON_PATHS` order.

    Parameters
    ----------
    sc : nansei.scenario.Scenario

    Returns
    -------
    list of FormField
        Fields that the scenario has (an absent or null value is left out).
        A distribution gives one field per numeric parameter, e.g.
        ``red.kill_chain.delay_h.median`` and ``.sigma``.
    """
    data = sc.model_dump(mode="json", by_alias=True)
    uncertain = {}
    if sc.uncertain is not None:
        for p in sc.uncertain.parameters:
            uncertain[p.path] = p.model_dump(mode="json")
    out: list[FormField] = []
    for pattern in COMMON_PATHS:
        for parts in _expand(pattern, data):
            value = _value_at(data, parts)
            owner = _owner(parts, data)
            if isinstance(value, dict):  # a distribution: one field per parameter
                _, what = _node_at(parts, data)
                for sub in [(*parts, k) for k in value if k != "kind"]:
                    f = _field(sub, data, uncertain)
                    if f is not None:
                        label = f"{what} {value.get('kind', '')}: {sub[-1]}{owner}"
                        out.append(replace(f, label=label))
                continue
            f = _field(parts, data, uncertain)
            if f is not None:
                out.append(replace(f, label=f.label + owner) if owner else f)
    return out


def _owner(parts: tuple[str | int, ...], data: Any) -> str:
    """`` (group btry-a)`` for a field inside a list item that has an ``id``."""
    for i in range(len(parts) - 1, 0, -1):
        if isinstance(parts[i], int):
            item = _value_at(data, parts[: i + 1])
            if isinstance(item, Mapping) and "id" in item:
                return f" ({item['id']})"
    return ""


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def _parse(text: str) -> Any:
    """A form value as YAML would read it (numbers as numbers, words as strings)."""
    t = text.strip()
    if _NUMBER.match(t):
        n = float(t)
        return int(n) if n.is_integer() and not re.search(r"[.eE]", t) else n
    return t


def changed_overrides(form: Mapping[str, Any]) -> dict[str, Any]:
    """Overrides for the form fields the user changed.

    Parameters
    ----------
    form : mapping
        The submitted form: ``set:<path>`` holds the value, ``orig:<path>`` the
        value the form was drawn with.

    Returns
    -------
    dict
        ``{path: value}`` for each field whose value differs from its original
        (so a change made in the YAML to a field the form did not touch wins).
    """
    out: dict[str, Any] = {}
    for key, raw in form.items():
        if not key.startswith(FORM_PREFIX) or not isinstance(raw, str):
            continue
        path = key[len(FORM_PREFIX) :]
        orig = form.get(ORIG_PREFIX + path)
        if isinstance(orig, str) and _parse(orig) == _parse(raw):
            continue
        if raw.strip() == "":
            out[path] = raw  # refused by validation, with the field's path
            continue
        out[path] = _parse(raw)
    return out
