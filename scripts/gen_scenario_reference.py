"""Generate ``docs/scenario-reference.md`` from the scenario schema.

The reference is derived from :class:`nansei.scenario.Scenario` (pydantic v2):
every field, its type, default, allowed values or numeric bounds and its
``Field(description=...)``, one section per (nested) model, plus the list of
built-in scenarios and an example scenario. The output is deterministic, so
the committed file can be checked against the schema::

    python scripts/gen_scenario_reference.py           # (re)write the file
    python scripts/gen_scenario_reference.py --check   # exit 1 if it is stale

``tests/test_docs.py`` runs :func:`render` and compares it with the file.
"""

from __future__ import annotations

import argparse
import sys
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

import annotated_types as at
from pydantic import BaseModel, StringConstraints
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from nansei.scenario import Scenario, builtin_names, builtin_path, load_scenario
from nansei.scenario.distributions import Exponential, Fixed, Lognormal, Uniform

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "scenario-reference.md"
EXAMPLE = "ideal-fixed-delay"

#: The distribution models, documented once in their own section.
DIST_MODELS: tuple[type[BaseModel], ...] = (Fixed, Exponential, Lognormal, Uniform)
DIST_LINK = "[distribution](#distributions)"

#: Named string patterns, shown by name in the type column.
PATTERNS = {
    r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$": "id",
    r"^[a-z0-9][a-z0-9-]*$": "slug",
}

SCALARS = {str: "string", int: "integer", float: "number", bool: "boolean"}


# ---------------------------------------------------------------------------
# walking the schema


@dataclass
class Row:
    """One field of a model, as a table row."""

    path: str
    type: str
    default: str
    allowed: str
    description: str
    leaf: bool


@dataclass
class Section:
    """One model at one place in the scenario (``path`` is its dotted prefix)."""

    path: str
    model: type[BaseModel]
    rows: list[Row] = field(default_factory=list)


def anchor(path: str) -> str:
    """Return the HTML anchor of the section at dotted ``path``."""
    if not path:
        return "scenario"
    return "s-" + path.replace("[]", "").replace(".", "-").replace("_", "-").lower()


def _is_union(tp: Any) -> bool:
    return get_origin(tp) in (Union, types.UnionType)


def _strip(tp: Any) -> Any:
    while get_origin(tp) is typing.Annotated:
        tp = get_args(tp)[0]
    return tp


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _is_dist(tp: Any) -> bool:
    """True if ``tp`` is the distribution union (possibly wrapped in Annotated)."""
    tp = _strip(tp)
    if not _is_union(tp):
        return False
    return {_strip(a) for a in get_args(tp)} == set(DIST_MODELS)


def _num(v: Any) -> str:
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        v = int(v)
    return str(v)


def _constraints(meta: list[Any], base: Any) -> list[str]:
    """Render numeric bounds and length/pattern constraints from field metadata."""
    out: list[str] = []
    base = _strip(base)
    origin = get_origin(base)
    unit = "items" if origin in (list, dict) or base in (list, dict) else "chars"
    for m in meta:
        if isinstance(m, FieldInfo):
            out += _constraints(list(m.metadata), base)
        elif isinstance(m, at.Ge):
            out.append(f"≥ {_num(m.ge)}")
        elif isinstance(m, at.Gt):
            out.append(f"> {_num(m.gt)}")
        elif isinstance(m, at.Le):
            out.append(f"≤ {_num(m.le)}")
        elif isinstance(m, at.Lt):
            out.append(f"< {_num(m.lt)}")
        elif isinstance(m, at.MinLen):
            out.append(f"≥ {m.min_length} {unit}")
        elif isinstance(m, at.MaxLen):
            out.append(f"≤ {m.max_length} {unit}")
        elif isinstance(m, StringConstraints):
            if m.pattern and m.pattern not in PATTERNS:
                out.append(f"pattern `{m.pattern}`")
            if m.min_length is not None and not (m.pattern in PATTERNS and m.min_length == 1):
                out.append(f"≥ {m.min_length} chars")
            if m.max_length is not None and m.pattern not in PATTERNS:
                out.append(f"≤ {m.max_length} chars")
    return out


def _pattern_name(meta: list[Any]) -> str | None:
    for m in meta:
        if isinstance(m, StringConstraints) and m.pattern in PATTERNS:
            return PATTERNS[m.pattern]
    return None


def _literal(values: tuple[Any, ...]) -> str:
    return ", ".join(f"`{v}`" for v in values)


class TypeInfo:
    """Result of describing a type: text, allowed literal values, nested models."""

    def __init__(self) -> None:
        self.allowed: list[str] = []
        self.models: list[tuple[type[BaseModel], str]] = []  # (model, path suffix)


def describe(tp: Any, info: TypeInfo, *, top: bool, suffix: str = "", role: str = "") -> str:
    """Return the type text of ``tp``; collect allowed values and nested models.

    Literal values go to ``info.allowed`` (prefixed by ``role``, e.g. ``keys:``
    inside a mapping), except in a union with other types, where they are shown
    inline. Bounds go to ``info.allowed`` at the top level and inline in nested
    types. ``suffix`` is what the path of a nested model gets (``[]`` in a list).
    """
    if get_origin(tp) is typing.Annotated:
        base, *meta = get_args(tp)
        if _is_dist(base):
            return DIST_LINK
        name = _pattern_name(meta) if _strip(base) is str else None
        text = name or describe(base, info, top=top, suffix=suffix, role=role)
        cons = _constraints(meta, base)
        if cons and top:
            info.allowed += cons
        elif cons:
            text += " (" + ", ".join(cons) + ")"
        return text
    if _is_dist(tp):
        return DIST_LINK
    if tp is type(None):
        return "null"
    if _is_union(tp):
        args = get_args(tp)
        mixed = any(
            get_origin(_strip(a)) is not Literal and _strip(a) is not type(None) for a in args
        )
        parts = []
        for a in args:
            if mixed and get_origin(_strip(a)) is Literal:
                parts.append(" or ".join(f"`{v}`" for v in get_args(_strip(a))))
            else:
                parts.append(describe(a, info, top=top, suffix=suffix, role=role))
        return " or ".join(parts)
    origin = get_origin(tp)
    if origin is Literal:
        values = get_args(tp)
        info.allowed.append(role + _literal(values))
        kinds = {type(v) for v in values}
        return SCALARS.get(kinds.pop(), "value") if len(kinds) == 1 else "value"
    if origin is list:
        (item,) = get_args(tp)
        text = describe(item, info, top=False, suffix=suffix + "[]", role=role or "items: ")
        return "list of " + text
    if origin is dict:
        key, value = get_args(tp)
        k = describe(key, info, top=False, suffix=suffix, role="keys: ")
        v = describe(value, info, top=False, suffix=suffix + ".*", role="values: ")
        return f"map {k} → {v}"
    if _is_model(tp):
        info.models.append((tp, suffix))
        return f"[{tp.__name__}](#{{anchor{suffix}}})"
    if tp in SCALARS:
        return SCALARS[tp]
    return getattr(tp, "__name__", str(tp))


def _inline(v: Any) -> str:
    """Render a default value in YAML flow style."""
    if isinstance(v, DIST_MODELS):
        d = v.model_dump(mode="json", by_alias=True)
        if d["kind"] == "fixed":
            return _num(d["value"])
        return _inline(d)
    if isinstance(v, BaseModel):
        return _inline(v.model_dump(mode="json", by_alias=True, exclude_defaults=True))
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return _num(v)
    if isinstance(v, str):
        return v if v else '""'
    if isinstance(v, list | tuple):
        if v and all(isinstance(x, BaseModel) and hasattr(x, "id") for x in v):
            return "[" + ", ".join(x.id for x in v) + "]"
        return "[" + ", ".join(_inline(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {_inline(x)}" for k, x in v.items()) + "}"
    return str(v)


def _default(f: FieldInfo, nested: bool) -> str:
    if f.default is PydanticUndefined and f.default_factory is None:
        return "*required*"
    value = f.get_default(call_default_factory=True)
    if nested and isinstance(value, BaseModel) and not isinstance(value, DIST_MODELS):
        return "*see section*"
    return "`" + _inline(value) + "`"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _rows(model: type[BaseModel], prefix: str, info_out: list[tuple[str, TypeInfo]]) -> list[Row]:
    rows = []
    for name, f in model.model_fields.items():
        key = f.alias or name
        path = f"{prefix}.{key}" if prefix else key
        info = TypeInfo()
        tp = typing.Annotated[(f.annotation, *f.metadata)] if f.metadata else f.annotation
        text = describe(tp, info, top=True)
        # Resolve links to nested sections now that the field's path is known.
        for _model, suffix in info.models:
            text = text.replace("{anchor" + suffix + "}", anchor(path + suffix), 1)
        info_out.append((path, info))
        rows.append(
            Row(
                path=path,
                type=text,
                default=_default(f, bool(info.models)),
                allowed="; ".join(dict.fromkeys(info.allowed)),
                description=f.description or "",
                leaf=not info.models,
            )
        )
    return rows


def walk(model: type[BaseModel] = Scenario, prefix: str = "") -> list[Section]:
    """Return the sections of ``model`` and of every model nested in it, depth first."""
    nested: list[tuple[str, TypeInfo]] = []
    section = Section(prefix, model, _rows(model, prefix, nested))
    sections = [section]
    for path, info in nested:
        for sub, suffix in info.models:
            sections += walk(sub, path + suffix)
    return sections


def leaf_paths() -> list[str]:
    """Return the dotted paths of every leaf field (not a nested model)."""
    return [r.path for s in walk() for r in s.rows if r.leaf]


# ---------------------------------------------------------------------------
# rendering

INTRO = """\
# Scenario reference

<!-- Generated by scripts/gen_scenario_reference.py from the pydantic schema in
     src/nansei/scenario/. Do not edit by hand: edit the Field(description=...)
     strings and rerun `python scripts/gen_scenario_reference.py`. -->

A nansei scenario is one YAML (or JSON) file validated against the schema of
`nansei.scenario.Scenario`. Unknown keys are rejected, every number must be
finite, and everything except `schema_version` and `name` has a default, so a
minimal scenario is short (see [the example](#example-scenario)).

## Validating and editing

- `nansei validate FILE` checks a file (or a built-in name) and reports every
  problem with its field path and line number.
- `nansei schema --out nansei-scenario.schema.json` exports the JSON Schema.
  Point your editor at it for completion and inline checks, e.g. with the YAML
  language server put `# yaml-language-server: $schema=nansei-scenario.schema.json`
  on the first line of the scenario file.
- `nansei show FILE` prints a summary; `nansei scenarios` lists the built-ins.
- `nansei show NAME --yaml > my-case.yaml` writes a built-in scenario's YAML,
  with its comments and sources, to start your own from.
- `nansei run NAME --set PATH=VALUE` (repeatable) changes a field for one run
  without editing a file, e.g. `--set 'blue.launchers[0].count=6'` or
  `--set red.kill_chain.delay_h.median=4`. `PATH` is the dotted path of this
  reference, with `[i]` for the i-th item of a list (from 0); the value is read
  as YAML (`=4`, `=true`, `={kind: fixed, value: 2}`) and validated like a file.
  `nansei validate` and `nansei show` take `--set` too; in Python,
  `load_scenario(..., overrides={...})` and `nansei.simulate(..., overrides={...})`.

## Conventions

**Units** are given by the field-name suffix:

| suffix | unit |
| --- | --- |
| `_h` | hours |
| `_km` | kilometres |
| `_kmh` | kilometres per hour |
| `_m` | metres |
| `_l` | litres |
| `_t` | tonnes |
| `_per_h` | per hour |
| `_per_day` | per day |

`lat`/`lon` are decimal degrees (WGS 84). **Probabilities** (`p_*` and fields
typed with bounds `≥ 0; ≤ 1`) lie in [0, 1].

**Distributions.** A field typed *distribution* takes a mapping with a `kind`
key, or a bare number, which is shorthand for `{kind: fixed, value: NUMBER}`:

```yaml
dwell_h: 4                                   # fixed 4 h
dwell_h: {kind: exponential, mean: 4}
delay_h: {kind: lognormal, median: 1.0, sigma: 0.5}
delay_h: {kind: uniform, low: 0.5, high: 2}
```

Values are in the unit of the field's suffix (hours for `_h`). See
[Distributions](#distributions).

**Notation in the tables.** Paths are dotted from the top of the file;
`[]` stands for any item of a list (`blue.launchers[].count` is the `count`
of each launcher group). *id* is a string of letters, digits, `_`, `-` and
`.` starting with a letter or digit, at most 64 characters; *slug* is lower-case
letters, digits and `-`, at most 64 characters. *required* fields have no
default. A default shown as *see section* is the nested model with all its own
defaults. Cross-field rules (unknown ids, sites in the sea, `low ≤ high`...)
are checked after the structure and are stated in the descriptions.
"""


def _first_paragraph(doc: str | None) -> str:
    if not doc:
        return ""
    return " ".join(doc.strip().split("\n\n")[0].split()).replace("``", "`")


def _table(rows: list[Row], *, path_header: str = "path") -> list[str]:
    lines = [
        f"| {path_header} | type | default | allowed values / bounds | description |",
        "| --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        cells = [f"`{r.path}`", r.type, r.default, r.allowed, r.description]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return lines


def render_sections() -> list[str]:
    """Render one section per model occurrence.

    Where several models may stand at one path (``geography.theatre``), the second and
    later get the anchor ``<anchor>-<model name>``, and the links to them follow.
    """
    out = ["## Fields", ""]
    seen: set[str] = set()
    renamed: dict[str, str] = {}
    for s in walk():
        title = f"`{s.path}`" if s.path else "Top level"
        a = anchor(s.path)
        if a in seen:
            unique = f"{a}-{s.model.__name__.lower()}"
            renamed[f"[{s.model.__name__}](#{a})"] = f"[{s.model.__name__}](#{unique})"
            a = unique
        seen.add(a)
        out += [f'<a id="{a}"></a>', "", f"### {title} — {s.model.__name__}", ""]
        doc = _first_paragraph(s.model.__doc__)
        if doc:
            out += [doc, ""]
        out += [*_table(s.rows), ""]
    for old, new in renamed.items():
        out = [line.replace(old, new) for line in out]
    return out


def render_distributions() -> list[str]:
    """Render the distribution kinds and their parameters."""
    out = [
        '<a id="distributions"></a>',
        "",
        "## Distributions",
        "",
        "Every field typed *distribution* accepts one of these mappings (or a bare "
        "number for `fixed`). All parameters are finite and non-negative.",
        "",
    ]
    for m in DIST_MODELS:
        kind = get_args(m.model_fields["kind"].annotation)[0]
        rows = _rows(m, "", [])
        out += [f"### `{kind}` — {m.__name__}", "", _first_paragraph(m.__doc__), ""]
        out += [*_table(rows, path_header="key"), ""]
    return out


def render_builtins() -> list[str]:
    """Render the list of built-in scenarios with title and description."""
    out = [
        "## Built-in scenarios",
        "",
        "Use a built-in by name wherever a file is accepted "
        "(e.g. `nansei validate kyodo-2021`); `nansei show NAME --yaml` prints "
        "its file.",
        "",
    ]
    for name in builtin_names():
        sc = load_scenario(name)
        out.append(f"- **`{name}`** — {' '.join(sc.title.split()) or '(no title)'}")
        desc = " ".join(sc.description.split())
        if desc:
            out.append(f"  {desc}")
    return [*out, ""]


def render_example() -> list[str]:
    """Render the example scenario (the ``ideal-fixed-delay`` built-in, verbatim)."""
    text = builtin_path(EXAMPLE).read_text(encoding="utf-8").rstrip("\n")
    return [
        '<a id="example-scenario"></a>',
        "",
        "## Example scenario",
        "",
        f"The built-in `{EXAMPLE}` (an idealised closed-form check); every key not "
        "given takes its default from the tables above.",
        "",
        "```yaml",
        text,
        "```",
        "",
    ]


#: Top-level keys of a gazetteer file: (key, required, what).
GAZETTEER_KEYS = [
    (
        "`schema_version`",
        "yes",
        "`1`",
    ),
    (
        "`sources`",
        "yes",
        "id → `{title, url}`; every figure cites one",
    ),
    (
        "`islands`",
        "yes",
        (
            "`id`, `name`, `prefecture`, `region` (lower-case id), `municipalities`, figures "
            "`position` `[lat, lon]`, `area_km2` (> 0), `population` and `tourists` (≥ 0); "
            "`shelter_in_place` (default false)"
        ),
    ),
    (
        "`airports`",
        "yes (may be `[]`)",
        (
            "`icao`, `name`, `island`, `role` (`island` or `destination`), figure `runway_m` "
            "(0–10,000 m); figure `position` unless the runways file gives the runway's end "
            "points"
        ),
    ),
    (
        "`ports`",
        "yes (may be `[]`)",
        ("`id`, `name`, `island`, `role`, figure `position`, `crane_lift_only` (default false)"),
    ),
    (
        "`camps`",
        "yes (may be `[]`)",
        "publicly reported units at island level (no coordinates)",
    ),
    (
        "`sea_zones`",
        "yes (may be `[]`)",
        "notional zones at sea: `id`, `name`, figures `position` and `radius_km` (0–500)",
    ),
    (
        "`evacuation_plan`",
        "no",
        (
            "the plan's fields as in the built-in file; without it, "
            "`civil.evacuation.gateways` must be listed inline"
        ),
    ),
    (
        "`coastlines`",
        "yes",
        (
            "`{file: PATH}`, a GeoJSON `FeatureCollection` of `Polygon` land features "
            "(lon/lat), or `simple`: maps, on-land checks and generated positions use a disc "
            "of each island's area around its position (an assumption)"
        ),
    ),
    (
        "`runways`",
        "no",
        (
            "`{file: PATH}`, an OurAirports `runways.csv`: airport positions are the "
            "midpoints of the longest open runway"
        ),
    ),
    (
        "`candidate_sites`",
        "no",
        (
            "notional launcher sites, `{file: PATH}` or inline, in the format of "
            "`src/nansei/geo/data/sites.yaml`; ids `<island>-<area><n>`"
        ),
    ),
]


def _gazetteer_keys() -> str:
    """The table of a gazetteer file's top-level keys (Markdown)."""
    rows = ["| key | required | what |", "| --- | --- | --- |"]
    rows += [f"| {k} | {r} | {w} |" for k, r, w in GAZETTEER_KEYS]
    return "\n".join(rows)


GAZETTEER_TEXT = """\
<a id="your-own-gazetteer"></a>

## Your own gazetteer

A scenario plays on the built-in gazetteer of the Nansei Islands unless it names a
gazetteer file of its own:

```yaml
geography:
  theatre: {kind: gazetteer, file: gazetteer.yaml}   # relative to the scenario file's folder
```

The file has **the schema of the built-in one** (`src/nansei/geo/data/gazetteer.yaml`), which
is read by the same loader with the same validation: the built-in gazetteer is just the
default file. Islands, candidate sites (`geography.sites.builtin`), sea zones
(`targets.zones.builtin`), airports and ports (lift, gateways), residents and tourists
(`civil`) then come from the file, and every id a scenario names must be one of its ids.
The example is the fictional Tessera Islands,
[`examples/tessera/gazetteer.yaml`](../examples/tessera/gazetteer.yaml) with
[`examples/tessera/scenario.yaml`](../examples/tessera/scenario.yaml). No real
installations, ever: a gazetteer holds islands, gateways and notional sites only.

Every figure is a mapping `{value, source, confidence, note?, disagreements?}`: `source` is a
key of `sources:`, `confidence` is `A` (official), `B` (press, mirror, community database) or
`C` (compiler's estimate, shown as an assumption). Units: degrees (WGS 84) for positions, km²,
metres of runway, km, people, people per day.

{keys}

Paths in the file are relative to its folder. Islands, sites and sea zones must lie inside
the scenario's coordinate box (sites: lat 20–35, lon 120–135; zones: lat 15–40, lon 115–140).
The mainland destination id `kyushu` (depots, evacuation destinations) keeps its built-in
position. A run's metadata (`meta.json`, `Results.meta["gazetteer"]`) names the file and the
SHA-256 of its text; a run directory's `scenario.yaml` holds the absolute path, so keep the file
where it is (or copy it with the run) to reproduce the run.

**Errors.** A malformed file gets the errors a scenario gets: every problem with the key path
and line in the gazetteer file, the value and what is allowed. `nansei gazetteer --file FILE`
checks a file on its own (exit code 2 if invalid); in a scenario each problem is reported at
`geography.theatre.file`:

```text
line 11: geography.theatre.file: invalid gazetteer /home/me/tessera/gazetteer.yaml: line 41:
  islands[1].area_km2.value: out of range (got -60.0); allowed: (0, 1e+06]
```

A scenario that names an island the file does not have gets the same `unknown island` error
as with the built-in gazetteer, listing the file's islands.

```console
nansei gazetteer --file examples/tessera/gazetteer.yaml      # check and print a file
nansei gazetteer --scenario examples/tessera/scenario.yaml   # the one a scenario plays on
nansei show examples/tessera/scenario.yaml                   # shows `gazetteer: PATH`
nansei run examples/tessera/scenario.yaml --reps 20 --out runs/tessera --series --trace
nansei report runs/tessera                                   # maps drawn on the file's islands
```
"""


def render() -> str:
    """Return the full Markdown reference."""
    parts = [
        INTRO,
        *render_builtins(),
        *render_example(),
        GAZETTEER_TEXT.replace("{keys}", _gazetteer_keys()),
        *render_sections(),
        *render_distributions(),
    ]
    return "\n".join(parts).rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the reference, or with ``--check`` verify it is up to date."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    parser.add_argument("--out", type=Path, default=OUT, help=f"output file (default {OUT})")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else None
        if current != text:
            print(
                f"{args.out} is out of date with the scenario schema; "
                "rerun: python scripts/gen_scenario_reference.py",
                file=sys.stderr,
            )
            return 1
        print(f"{args.out} is up to date.")
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"Wrote {args.out} ({len(text.encode('utf-8'))} bytes).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
