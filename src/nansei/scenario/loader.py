"""Load scenarios from YAML files, built-in names, text or mappings.

:func:`load_scenario` raises :class:`~nansei.scenario.errors.ScenarioError` and
nothing else, whatever the input. YAML is read with ``yaml.SafeLoader``,
composed into nodes first so that every problem carries its line number;
duplicate keys are rejected.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from .errors import Problem, ScenarioError, problems_from_validation
from .files import InputTooLarge, read_input_bytes
from .model import Scenario
from .yaml_lines import Lines, parse_yaml

__all__ = [
    "builtin_names",
    "builtin_path",
    "json_schema",
    "load_scenario",
    "parse_scenario_text",
    "scenario_to_yaml",
    "summarize",
]

BUILTIN_DIR = Path(__file__).with_name("builtin")
SCHEMA_ID = "urn:nansei:scenario:schema:1"


def _err(
    message: str,
    *,
    line: int | None = None,
    path: str = "<document>",
    allowed: str | None = None,
    value: str | None = None,
    source: str | None = None,
) -> ScenarioError:
    return ScenarioError([Problem(path, line, value, message, allowed)], source)


def builtin_names() -> list[str]:
    """Return the names of the built-in scenarios, sorted."""
    return sorted(p.stem for p in BUILTIN_DIR.glob("*.yaml"))


def builtin_path(name: str) -> Path:
    """Return the file of built-in scenario ``name``.

    Raises
    ------
    ScenarioError
        If there is no such built-in; the message lists the names.
    """
    names = builtin_names()
    if name not in names:
        raise _err(
            f"unknown built-in scenario {name!r}", allowed=", ".join(names), value=repr(name)[:60]
        )
    return BUILTIN_DIR / f"{name}.yaml"


# ---------------------------------------------------------------------------
# public loading API


def _validate(
    data: Any,
    lines: Lines | None,
    source: str,
    base_dir: Path | None = None,
    files_under: Path | None = None,
) -> Scenario:
    if not isinstance(data, Mapping):
        kind = "nothing" if data is None else type(data).__name__
        raise _err(
            f"the top level must be a mapping (key: value pairs), not {kind}",
            line=1 if lines else None,
            value=repr(data)[:60],
            source=source,
            allowed=", ".join(Scenario.model_fields),
        )
    try:
        ctx = {"base_dir": base_dir, "files_under": files_under}
        return Scenario.model_validate(dict(data), context=ctx)
    except ValidationError as exc:
        raise ScenarioError(problems_from_validation(exc, data, lines, Scenario), source) from None


def parse_scenario_text(
    text: str,
    source: str = "<text>",
    base_dir: Path | None = None,
    files_under: Path | None = None,
) -> Scenario:
    """Validate a scenario written as YAML (or JSON) text.

    Parameters
    ----------
    base_dir : pathlib.Path, optional
        Folder against which relative paths in the scenario resolve
        (``geography.theatre.file``); default the working folder.
    files_under : pathlib.Path, optional
        If given, a gazetteer file must lie in this folder (the web workbench's
        ``gazetteers`` folder), so that a scenario cannot make the server read other files.

    Raises
    ------
    ScenarioError
        For any problem, with line numbers.
    """
    return _guard(
        lambda: _validate(*parse_yaml(text, source), source, base_dir, files_under), source
    )


def _guard(fn: Any, source: str) -> Scenario:
    try:
        return fn()
    except ScenarioError:
        raise
    except RecursionError:
        raise _err("document nested too deeply", source=source) from None
    except MemoryError:
        raise _err("document too large to load", source=source) from None
    except Exception as exc:  # never let anything else escape
        raise _err(
            f"could not load scenario: {type(exc).__name__}: {exc}"[:300], source=source
        ) from None


_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")


def _read_file(path: Path) -> Scenario:
    source = str(path)
    try:
        raw = read_input_bytes(path)
    except InputTooLarge as exc:
        raise _err(str(exc), source=source) from None
    except FileNotFoundError:
        raise _err(
            f"file not found: {source}",
            source=source,
            allowed="a YAML file, or a built-in: " + ", ".join(builtin_names()),
        ) from None
    except OSError as exc:
        raise _err(f"cannot read {source}: {exc.strerror or exc}", source=source) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _err(f"file is not UTF-8 text (byte {exc.start})", source=source) from None
    return parse_scenario_text(text, source, path.resolve().parent)


def load_scenario(spec: Any, overrides: Any = None) -> Scenario:
    """Load and validate a scenario.

    Parameters
    ----------
    spec : str, os.PathLike, mapping or Scenario
        A built-in name (see :func:`builtin_names`), a path to a YAML file,
        YAML text (anything containing a newline or ``:``), or a mapping.
        A :class:`Scenario` is returned unchanged (unless there are overrides).
    overrides : mapping, optional
        ``{dotted path: value}``, e.g. ``{"blue.launchers[0].count": 6}``, applied
        to the loaded scenario and validated with it
        (see :mod:`nansei.scenario.overrides`); also a list of ``"PATH=VALUE"``
        strings, whose values are read as YAML.

    Returns
    -------
    Scenario
        The validated, frozen scenario.

    Raises
    ------
    ScenarioError
        For every kind of problem (and nothing else).
    """
    sc = _load_spec(spec)
    if overrides is None:
        return sc
    from .overrides import apply_overrides

    source = spec if isinstance(spec, str) and "\n" not in spec else None
    return _guard(lambda: apply_overrides(sc, overrides, source), source or sc.name)


def _load_spec(spec: Any) -> Scenario:
    if isinstance(spec, Scenario):
        return spec
    try:
        if isinstance(spec, Mapping):
            return _guard(lambda: _validate(spec, None, "<mapping>"), "<mapping>")
        if isinstance(spec, bytes):
            spec = spec.decode("utf-8-sig")
        if isinstance(spec, os.PathLike):
            return _guard(lambda: _read_file(Path(os.fspath(spec))), str(spec))
        if not isinstance(spec, str):
            raise _err(
                f"cannot load a scenario from {type(spec).__name__}",
                allowed="built-in name, path, YAML text, mapping",
            )
        if spec in builtin_names():
            return _read_file(builtin_path(spec))
        if "\n" not in spec and (
            spec.endswith((".yaml", ".yml", ".json")) or os.sep in spec or os.path.exists(spec)
        ):
            return _guard(lambda: _read_file(Path(spec)), spec)
        if _NAME.match(spec):
            builtin_path(spec)  # raises, listing the built-in names
        return parse_scenario_text(spec)
    except ScenarioError:
        raise
    except Exception as exc:  # e.g. UnicodeDecodeError, odd path objects
        raise _err(f"could not load scenario: {type(exc).__name__}: {exc}"[:300]) from None


def scenario_to_yaml(sc: Scenario, *, full: bool = True) -> str:
    """Render a scenario as YAML that loads back to an equal scenario.

    Parameters
    ----------
    full : bool
        Write every field (default); if false, omit fields equal to their defaults.
    """
    data = sc.model_dump(mode="json", by_alias=True, exclude_defaults=not full)
    data = {"schema_version": sc.schema_version, "name": sc.name, **data}
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def json_schema() -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) of scenario documents."""
    schema = Scenario.model_json_schema(by_alias=True, mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
        "title": "nansei scenario (schema_version 1)",
    }


def _gazetteer_name(sc: Scenario) -> str:
    from .resolve import gazetteer_file, theatre

    if theatre(sc) is not None:
        return "none (abstract theatre)"
    return gazetteer_file(sc) or "built-in (Nansei Islands)"


def summarize(sc: Scenario) -> dict[str, Any]:
    """Return the key facts of a scenario (for ``nansei show``)."""
    b, r, leg = sc.blue, sc.red, sc.legal
    rel = b.relocation
    try:
        sites = sc.sites()
        islands = sc.islands_in_play()
    except Exception:  # geography data unavailable
        sites, islands = list(sc.geography.sites.custom), []
    return {
        "name": sc.name,
        "title": sc.title,
        "horizon_h": sc.run.horizon_h,
        "replications": sc.run.replications,
        "seed": sc.run.seed,
        "gazetteer": _gazetteer_name(sc),
        "islands": islands,
        "sites": len(sites),
        "launchers": b.total_launchers(),
        "launcher_groups": [f"{g.id}: {g.count} x {g.kind}" for g in b.launchers],
        "munitions": {m.id: f"{m.range_km:g} km, {m.rounds_per_pod}/pod" for m in b.munitions},
        "relocation": {
            "dwell_h_mean": rel.dwell_h.mean(),
            "dwell_kind": rel.dwell_h.kind,
            "scoot_after_salvos": rel.scoot_after_salvos,
            "site_choice": rel.site_choice,
            "move_time": rel.move_time,
        },
        "red_isr_per_h": r.isr.detection_rate_per_h.model_dump(),
        "kill_chain_mean_h": r.kill_chain.delay_h.mean(),
        "doctrine": r.doctrine,
        "red_inventory": r.inventory,
        "legal_set": leg.authority_set().name,
        "timeline": [f"{x.situation} ({x.mode})" for x in leg.timeline],
        "sustainment": sc.sustainment.enabled,
        "civil": sc.civil.enabled,
        "assumptions": [
            {"id": a.id, "text": a.text, "source": a.source, "confidence": a.confidence}
            for a in sc.assumptions
        ],
    }
