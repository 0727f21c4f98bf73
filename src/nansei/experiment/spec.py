"""The experiment file: base scenario, factors, design, replications, seed, outputs.

An experiment is YAML such as::

    schema_version: 1
    name: kyodo-dwell-killchain
    scenario: kyodo-2021                  # built-in name, file (relative to this one) or mapping
    overrides:                            # optional: changes to the base, before the factors
      blue.launchers[0].count: 6
    factors:
      blue.relocation.dwell_h: {low: 2, high: 24}        # a range (continuous)
      red.kill_chain.delay_h: [0.5, 1, 2]                # levels
    design: {kind: nolh}                  # full_factorial, lhs, sobol, nolh, saltelli, morris
    replications: 50
    seed: 2021
    outputs: [launchers_lost, salvos_fired]

:func:`load_experiment` validates the file, applies the overrides to the base
scenario (:mod:`nansei.scenario.overrides`), and validates every factor level
against the scenario schema; every problem is reported like a scenario problem (dotted
path, YAML line, value, allowed values) in one :class:`ExperimentError`.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from nansei.scenario.errors import Problem, ScenarioError, problems_from_validation

from .errors import ExperimentError, experiment_error
from .nolh import MAX_M, columns_for, nolh_runs, runs_for
from .paths import PathError, get_path, set_path

__all__ = [
    "BUILTIN_DIR",
    "DesignSpec",
    "Experiment",
    "Range",
    "builtin_experiments",
    "check_design",
    "load_experiment",
]

BUILTIN_DIR = Path(__file__).with_name("builtin")
MAX_REPLICATIONS = 10_000_000
MAX_POINTS = 100_000


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Range(_Model):
    """A continuous (or integer) factor range ``[low, high]``."""

    low: float = Field(description="Lower end of the range.")
    high: float = Field(description="Upper end of the range (> low).")
    integer: bool = Field(False, description="Round values to integers.")
    levels: int | None = Field(
        None, ge=2, le=1000, description="Evenly spaced values (full factorial designs only)."
    )

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if not self.high > self.low:
            raise ValueError(f"empty range: high ({self.high:g}) must exceed low ({self.low:g})")
        if self.integer and math.ceil(self.low) > math.floor(self.high):
            raise ValueError(
                f"an integer range [{self.low:g}, {self.high:g}] holds no integer; "
                "widen it or drop 'integer'"
            )
        return self


Levels = Annotated[list[Any], Field(min_length=1, max_length=1000)]

DesignKind = Literal["full_factorial", "lhs", "sobol", "nolh", "saltelli", "morris"]


class DesignSpec(_Model):
    """How design points are chosen from the factors."""

    kind: DesignKind = Field("full_factorial", description="Design type.")
    points: int | None = Field(
        None,
        ge=1,
        le=MAX_POINTS,
        description="Design points (lhs, sobol: a power of 2), or base samples N "
        "(saltelli: N (D + 2) points; morris: N trajectories of D + 1 points).",
    )
    seed: int = Field(0, ge=0, description="Seed of the design's randomisation (lhs, sobol, ...).")
    optimization: Literal["none", "random-cd", "lloyd"] = Field(
        "random-cd", description="scipy.stats.qmc optimisation of an LHS."
    )
    morris_levels: int = Field(4, ge=2, le=20, description="Grid levels of a Morris design.")


class Experiment(_Model):
    """A validated experiment (frozen). ``scenario`` is resolved to a full mapping."""

    schema_version: Literal[1] = 1
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$", max_length=64)
    title: str = Field("", max_length=200)
    description: str = Field("", max_length=4000)
    scenario: str | dict[str, Any] = Field(
        description="Base scenario: built-in name, YAML file (relative to the experiment) "
        "or an inline mapping."
    )
    overrides: dict[str, Any] = Field(
        default_factory=dict,
        description="Dotted scenario paths with a value, applied to the base scenario before "
        "the factors (as `nansei run --set`).",
    )
    factors: dict[str, Levels | Range] = Field(
        default_factory=dict, description="Dotted scenario paths with levels or a range."
    )
    design: DesignSpec = Field(default_factory=DesignSpec)
    replications: int = Field(ge=1, le=MAX_REPLICATIONS, description="Per design point.")
    seed: int = Field(
        ge=0, le=2**63 - 1, description="Root seed of SeedSequence(seed, spawn_key=(dp, rep))."
    )
    batch_size: int = Field(50, ge=10, le=100, description="Replications per task (10-100).")
    outputs: list[str] | None = Field(None, description="Outputs to keep (default: all).")
    common_random_numbers: bool = Field(
        False,
        description="Every design point uses the streams of design point 0, so replication i "
        "of every point shares random numbers (for paired comparisons).",
    )

    def canonical(self) -> dict[str, Any]:
        """The experiment as a JSON-able mapping (scenario already resolved, overrides
        applied; an empty ``overrides`` is left out, so that stores written before the
        field existed keep their fingerprint)."""
        return self.model_dump(mode="json", exclude=set() if self.overrides else {"overrides"})

    def fingerprint(self) -> str:
        """SHA-256 of the canonical experiment (identifies a store)."""
        text = json.dumps(self.canonical(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    def base_scenario(self) -> dict[str, Any]:
        """The resolved base scenario mapping."""
        assert isinstance(self.scenario, dict)
        return self.scenario


def builtin_experiments() -> list[str]:
    """Names of the built-in experiments, sorted."""
    return sorted(p.stem for p in BUILTIN_DIR.glob("*.yaml"))


# ---------------------------------------------------------------------------
# loading


def _read(spec: Any) -> tuple[Any, dict | None, str, Path | None]:
    """Return ``(data, lines, source, base_dir)`` for a name, path, text or mapping."""
    from nansei.scenario.files import InputTooLarge, read_input_bytes
    from nansei.scenario.yaml_lines import parse_yaml

    if isinstance(spec, Mapping):
        return dict(spec), None, "<mapping>", None
    if isinstance(spec, os.PathLike) or (
        isinstance(spec, str) and "\n" not in spec and spec.endswith((".yaml", ".yml", ".json"))
    ):
        path = Path(os.fspath(spec))
        try:
            text = read_input_bytes(path).decode("utf-8-sig")
        except InputTooLarge as exc:
            raise experiment_error("<document>", None, str(exc)) from None
        except FileNotFoundError:
            raise experiment_error(
                "<document>",
                str(path),
                "experiment file not found",
                "a YAML file, or a built-in: " + ", ".join(builtin_experiments()),
            ) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise experiment_error("<document>", str(path), f"cannot read: {exc}") from None
        data, lines = parse_yaml(text, str(path))
        return data, lines, str(path), path.parent
    if isinstance(spec, str) and spec in builtin_experiments():
        return _read(BUILTIN_DIR / f"{spec}.yaml")
    if isinstance(spec, str) and "\n" in spec:
        data, lines = parse_yaml(spec, "<text>")
        return data, lines, "<text>", Path.cwd()
    raise experiment_error(
        "<document>",
        spec,
        "not an experiment file, YAML text or built-in experiment",
        ", ".join(builtin_experiments()),
    )


def _resolve_scenario(
    raw: Any,
    base_dir: Path | None,
    line: int | None,
    overrides: dict[str, Any] | None = None,
    lines: dict | None = None,
) -> dict[str, Any]:
    from nansei.scenario import builtin_names, load_scenario
    from nansei.scenario.overrides import apply_overrides

    source: Any = raw
    if isinstance(raw, str) and raw not in builtin_names() and base_dir is not None:
        candidate = base_dir / raw
        if candidate.exists():
            source = candidate
    try:
        sc = load_scenario(source)
    except ScenarioError as exc:
        if isinstance(raw, str):
            msg = "; ".join(p.render() for p in exc.problems[:5])
            probs = [Problem("scenario", line, repr(raw)[:60], f"cannot load scenario: {msg}")]
        else:
            probs = [
                Problem(f"scenario.{p.path}", line, p.value, p.message, p.allowed)
                for p in exc.problems
            ]
        raise ExperimentError(probs) from None
    if overrides:
        try:
            sc = apply_overrides(sc, overrides)
        except ScenarioError as exc:
            probs = []
            for p in exc.problems:
                key = next((k for k in overrides if _covers(k, p.path)), None)
                where = (lines or {}).get(("overrides", key)) or (lines or {}).get(("overrides",))
                probs.append(Problem(f"overrides.{p.path}", where, p.value, p.message, p.allowed))
            raise ExperimentError(probs) from None
    return sc.model_dump(mode="json", by_alias=True)


def _covers(override: str, path: str) -> bool:
    """Whether a problem at ``path`` lies at or below (or above) the override's path."""
    return (
        path == override
        or path.startswith((override + ".", override + "["))
        or (override.startswith((path + ".", path + "[")))
    )


def _validate_scenario_dict(data: dict[str, Any]) -> ScenarioError | None:
    from nansei.scenario import load_scenario

    try:
        load_scenario(data)
    except ScenarioError as exc:
        return exc
    return None


def _check_factor(
    path: str, spec: Any, base: dict, line: int | None, problems: list[Problem]
) -> None:
    where = f"factors.{path}"
    try:
        current = get_path(base, path)
    except PathError as exc:
        problems.append(Problem(where, line, None, exc.message, exc.allowed))
        return
    levels = [spec.low, spec.high] if isinstance(spec, Range) else list(spec)
    if isinstance(spec, Range) and isinstance(current, bool | str | list):
        problems.append(
            Problem(
                where,
                line,
                f"{{low: {spec.low:g}, high: {spec.high:g}}}",
                f"a range needs a numeric field; this one is {type(current).__name__} "
                f"(currently {current!r:.40})",
                "a list of levels",
            )
        )
        return
    seen: list[str] = []
    for i, level in enumerate(levels):
        key = json.dumps(level, sort_keys=True, default=str)
        if key in seen:
            problems.append(Problem(f"{where}[{i}]", line, repr(level), "duplicate level"))
        seen.append(key)
        level = _round(level, spec)
        err = _validate_scenario_dict(set_path(base, path, level))
        if err is not None:
            for p in err.problems:
                inner = "" if p.path == path else f" (at {p.path})"
                label = where if isinstance(spec, Range) else f"{where}[{i}]"
                problems.append(
                    Problem(
                        label,
                        line,
                        repr(level)[:60],
                        f"level rejected by the scenario schema{inner}: {p.message}",
                        p.allowed,
                    )
                )


def _round(level: Any, spec: Any) -> Any:
    if isinstance(spec, Range) and spec.integer:  # as the design rounds (inside the range)
        return min(max(round(level), math.ceil(spec.low)), math.floor(spec.high))
    return level


def _level_count(spec: Any) -> int:
    """How many levels a factor takes in a full factorial design."""
    return (spec.levels or 2) if isinstance(spec, Range) else len(spec)


def _count(exp: Experiment) -> int:
    d, k = exp.design, len(exp.factors)
    if d.kind == "full_factorial":
        return math.prod(_level_count(s) for s in exp.factors.values())
    if d.kind == "nolh":
        return d.points or runs_for(k)
    n = d.points or 0
    return {"saltelli": n * (k + 2), "morris": n * (k + 1)}.get(d.kind, n)


def check_design(exp: Experiment) -> list[tuple[str, str | None, str, str | None]]:
    """Problems with the design section: ``(path, value, message, allowed)`` tuples."""
    d, k = exp.design, len(exp.factors)
    out: list[tuple[str, str | None, str, str | None]] = []
    if d.kind == "full_factorial":
        for path, spec in exp.factors.items():
            if isinstance(spec, Range) and spec.levels is None:
                out.append(
                    (
                        f"factors.{path}",
                        None,
                        "a range in a full factorial design needs "
                        "'levels' (how many evenly spaced values)",
                        "levels: 2 .. 1000",
                    )
                )
    elif k == 0:
        out.append(("factors", None, f"a {d.kind} design needs at least one factor", None))
    elif d.kind == "nolh":
        if k > columns_for(MAX_M):
            out.append(
                (
                    "factors",
                    str(k),
                    "too many factors for a NOLH design",
                    f"1 .. {columns_for(MAX_M)}",
                )
            )
        elif d.points is not None and d.points not in nolh_runs(k):
            out.append(
                (
                    "design.points",
                    str(d.points),
                    f"a NOLH design of {k} factor(s) has 2**m + 1 runs, at least {runs_for(k)}",
                    ", ".join(str(n) for n in nolh_runs(k)) + " (or leave 'points' out)",
                )
            )
    elif d.points is None:
        out.append(("design.points", None, f"a {d.kind} design needs 'points'", None))
    elif d.kind == "sobol" and d.points & (d.points - 1):
        out.append(
            (
                "design.points",
                str(d.points),
                "a Sobol sequence needs a power of 2",
                "1, 2, 4, 8, ..., 65536",
            )
        )
    if d.kind in ("saltelli", "morris") and k < 2:
        out.append(("factors", str(k), f"a {d.kind} design needs at least two factors", None))
    if not out:
        n = _count(exp)
        if n > MAX_POINTS:
            out.append(("design", str(n), "too many design points", f"at most {MAX_POINTS:,}"))
    return out


def _check_design(exp: Experiment, lines: dict | None, problems: list[Problem]) -> None:
    line = (lines or {}).get(("design",))
    for path, value, message, allowed in check_design(exp):
        problems.append(Problem(path, line, value, message, allowed))


def load_experiment(spec: Any) -> Experiment:
    """Load and validate an experiment.

    Parameters
    ----------
    spec : str, os.PathLike, mapping or Experiment
        A built-in experiment name, a YAML file, YAML text, or a mapping.

    Returns
    -------
    Experiment
        With ``scenario`` resolved to the full base-scenario mapping.

    Raises
    ------
    ExperimentError
        Every problem found, each with its dotted path, line, value and allowed values.
    """
    if isinstance(spec, Experiment):
        return spec
    try:
        data, lines, source, base_dir = _read(spec)
    except ScenarioError as exc:
        if isinstance(exc, ExperimentError):
            raise
        raise ExperimentError(exc.problems, exc.source) from None
    try:
        return _load(data, lines, source, base_dir)
    except ExperimentError as exc:
        exc.source = exc.source or source
        raise ExperimentError(exc.problems, exc.source) from None


def _load(data: Any, lines: dict | None, source: str, base_dir: Path | None) -> Experiment:
    if not isinstance(data, Mapping):
        raise experiment_error(
            "<document>",
            data,
            "the top level must be a mapping",
            ", ".join(Experiment.model_fields),
            source=source,
        )
    data = dict(data)
    try:
        exp = Experiment.model_validate(data)
    except ValidationError as exc:
        probs = problems_from_validation(exc, data, lines, Experiment)
        raise ExperimentError(probs, source) from None
    line = (lines or {}).get(("scenario",))
    base = _resolve_scenario(exp.scenario, base_dir, line, exp.overrides, lines)
    exp = exp.model_copy(update={"scenario": base})
    problems: list[Problem] = []
    for path, fspec in exp.factors.items():
        _check_factor(path, fspec, base, (lines or {}).get(("factors", path)), problems)
    _check_outputs(exp, (lines or {}).get(("outputs",)), problems)
    if not problems:
        _check_design(exp, lines, problems)
    if problems:
        raise ExperimentError(problems, source)
    return exp


def _check_outputs(exp: Experiment, line: int | None, problems: list[Problem]) -> None:
    import difflib

    from nansei.engine.layout import OUTPUT_NAMES

    for i, name in enumerate(exp.outputs or []):
        if name not in OUTPUT_NAMES and not name.startswith("evac_"):
            close = difflib.get_close_matches(name, OUTPUT_NAMES, n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            problems.append(
                Problem(
                    f"outputs[{i}]",
                    line,
                    repr(name),
                    f"unknown output{hint}",
                    ", ".join(OUTPUT_NAMES) + ", or an evac_* output of civil protection",
                )
            )
