"""The study file: a question, a base scenario, variants or a design, paired seeds, outputs.

A study is YAML such as::

    schema_version: 1
    name: relocation-vs-kill-chain
    title: "Relocating every 4 h or every 12 h against Red's kill chain"
    user: defence analyst
    question: >-
      How many of the 16 launchers survive 30 days if they relocate every 4 h rather than
      every 12 h, against a 1 h kill chain? How many salvos do they deliver?
    scenario: kyodo-2021              # built-in name, file (relative to this one) or mapping
    overrides: {}                     # optional: changes to the base, for every variant
    variants:                         # named sets of overrides (as `nansei run --set`)
      - {name: dwell-12h, label: "relocating every 12 h",
         overrides: {blue.relocation.dwell_h: 12}}
      - {name: dwell-4h, label: "relocating every 4 h",
         overrides: {blue.relocation.dwell_h: 4}}
    factors:                          # optional: a design run for every variant
      red.kill_chain.delay_h.median: [0.5, 1, 2]
    design: {kind: full_factorial}
    replications: 1000
    seed: 2021
    outputs: [launchers_lost, salvos_fired, red_missiles_wasted]
    answer: {kind: compare, baseline: dwell-12h}

``answer.kind`` says how the outputs answer the question:

compare
    Paired differences (variant minus baseline, replication by replication, at every
    design point) of each output, with 95% intervals. Needs two variants or more.
sensitivity
    The design's factors ranked by partial rank correlation with each output (means per
    design point). Needs a space-filling design (``nolh``, ``lhs``, ``sobol``).
timeline
    One replication's events in order, readable, beside the means over all replications.
    One variant and no factors.

Seeds are always paired (common random numbers): replication ``i`` of every variant and
design point uses ``SeedSequence(seed, spawn_key=(0, i))``, the streams of replication
``i`` of ``nansei run SCENARIO --seed SEED``.

Every variant is an experiment (:mod:`nansei.experiment`): :func:`load_study` builds and
validates each with :func:`nansei.experiment.load_experiment`, so overrides, factors and
designs are checked exactly as in an experiment file and every problem is reported with its
path in the study (``variants[1].overrides.blue.relocation.dwell_h``), line, value and
allowed values, in one :class:`StudyError`.

Scripted events (``events:`` of a scenario) are scenario fields, so a variant states one as
an override (``overrides: {events: [...]}``) once the scenario schema has them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from nansei.experiment.analyze import SPACE_FILLING  # the designs analyze ranks
from nansei.experiment.spec import (
    MAX_REPLICATIONS,
    DesignSpec,
    Experiment,
    Levels,
    Range,
    _check_outputs,
)
from nansei.scenario.errors import MAX_SHOWN, Problem, ScenarioError, problems_from_validation

__all__ = [
    "BUILTIN_DIR",
    "Answer",
    "Study",
    "StudyError",
    "Variant",
    "builtin_studies",
    "load_study",
]

BUILTIN_DIR = Path(__file__).with_name("builtin")
NAME = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"


class StudyError(ScenarioError):
    """A study file, its variants, design or answer is invalid."""

    def __str__(self) -> str:
        n = len(self.problems)
        src = f" {self.source}" if self.source else ""
        lines = [f"invalid study{src}: {n} problem{'s' if n != 1 else ''}"]
        lines += ["  - " + p.render() for p in self.problems[:MAX_SHOWN]]
        if n > MAX_SHOWN:
            lines.append(f"  ... and {n - MAX_SHOWN} more")
        return "\n".join(lines)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Variant(_Model):
    """One arm of a study: a name, a label for sentences, and overrides of the base."""

    name: str = Field(pattern=NAME, max_length=40, description="Short name (store folder).")
    label: str = Field(
        "",
        max_length=120,
        description='Words for the findings, e.g. "relocating every 4 h" (default: the name).',
    )
    overrides: dict[str, Any] = Field(
        default_factory=dict,
        description="Dotted scenario paths with a value (as `nansei run --set`), applied "
        "after the study's own overrides.",
    )

    def words(self) -> str:
        """The label, or the name."""
        return self.label or self.name


class Answer(_Model):
    """How the outputs answer the question."""

    kind: Literal["compare", "sensitivity", "timeline"] = Field(
        description="compare: paired differences against a baseline variant; sensitivity: "
        "factors ranked by partial rank correlation; timeline: one replication's events."
    )
    baseline: str | None = Field(
        None, description="compare: the variant the others are compared with (default: first)."
    )
    replication: int | Literal["typical"] = Field(
        "typical",
        description="timeline: the replication to narrate, or 'typical': the one whose first "
        "output is closest to its median.",
    )
    findings: int = Field(
        3, ge=1, le=10, description="How many outputs (the first ones) the findings state."
    )


class Study(_Model):
    """A validated study (frozen). ``scenario`` is resolved to a full mapping."""

    schema_version: Literal[1] = 1
    name: str = Field(pattern=NAME, max_length=48)
    title: str = Field("", max_length=200)
    user: str = Field("", max_length=80, description="Who asks the question (BRIEF §2).")
    question: str = Field(min_length=10, max_length=2000, description="The question, in words.")
    scenario: str | dict[str, Any] = Field(
        description="Base scenario: built-in name, YAML file (relative to the study) or a mapping."
    )
    overrides: dict[str, Any] = Field(
        default_factory=dict, description="Changes to the base scenario, for every variant."
    )
    variants: list[Variant] = Field(
        default_factory=list,
        max_length=20,
        description="Named sets of overrides; none: the base scenario alone.",
    )
    factors: dict[str, Levels | Range] = Field(
        default_factory=dict, description="Dotted scenario paths with levels or a range."
    )
    design: DesignSpec = Field(default_factory=DesignSpec)
    replications: int = Field(ge=2, le=MAX_REPLICATIONS, description="Per variant and point.")
    seed: int = Field(ge=0, le=2**63 - 1, description="Root seed (shared by every variant).")
    batch_size: int = Field(50, ge=10, le=100, description="Replications per stored batch.")
    outputs: list[str] = Field(
        min_length=1, max_length=40, description="The outputs that answer the question."
    )
    answer: Answer

    def with_replications(self, n: int, path: str = "replications") -> Study:
        """This study with ``n`` replications per variant and point, checked like a file.

        Raises
        ------
        StudyError
            Naming ``path`` if ``n`` is out of range, or the answer that no longer fits
            (a timeline's replication beyond ``n``).
        """
        if isinstance(n, bool) or not isinstance(n, int) or not 2 <= n <= MAX_REPLICATIONS:
            raise StudyError(
                [_problem(path, n, "out of range", f"2 .. {MAX_REPLICATIONS:,}")], self.name
            )
        st = self.model_copy(update={"replications": n})
        problems = _check_answer(st, None)
        if problems:
            raise StudyError(problems, self.name)
        return st

    def arms(self) -> list[Variant]:
        """The variants, or one variant named ``base`` without overrides."""
        return list(self.variants) or [Variant(name="base", label="the base scenario")]

    def base_scenario(self) -> dict[str, Any]:
        """The resolved base scenario mapping (the study's overrides not applied)."""
        assert isinstance(self.scenario, dict)
        return self.scenario


def builtin_studies() -> list[str]:
    """Names of the built-in studies, sorted."""
    return sorted(p.stem for p in BUILTIN_DIR.glob("*.yaml"))


def _problem(path: str, value: Any, message: str, allowed: str | None = None, line=None):
    from nansei.scenario.errors import _short_repr

    return Problem(path, line, None if value is None else _short_repr(value), message, allowed)


def _read(spec: Any) -> tuple[Any, dict | None, str, Path | None]:
    """``(data, lines, source, base_dir)`` of a built-in name, YAML file, text or mapping."""
    from nansei.scenario.files import InputTooLarge, read_input_bytes
    from nansei.scenario.yaml_lines import parse_yaml

    if isinstance(spec, Mapping):
        return dict(spec), None, "<mapping>", None
    if isinstance(spec, str) and spec in builtin_studies():
        return _read(BUILTIN_DIR / f"{spec}.yaml")
    if isinstance(spec, os.PathLike) or (
        isinstance(spec, str) and "\n" not in spec and spec.endswith((".yaml", ".yml", ".json"))
    ):
        path = Path(os.fspath(spec))
        try:
            text = read_input_bytes(path).decode("utf-8-sig")
        except InputTooLarge as exc:
            raise StudyError([_problem("<document>", None, str(exc))]) from None
        except FileNotFoundError:
            allowed = "a YAML file, or a built-in study: " + ", ".join(builtin_studies())
            problem = _problem("<document>", str(path), "study file not found", allowed)
            raise StudyError([problem]) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise StudyError([_problem("<document>", str(path), f"cannot read: {exc}")]) from None
        data, lines = parse_yaml(text, str(path))
        return data, lines, str(path), path.parent
    if isinstance(spec, str) and "\n" in spec:
        data, lines = parse_yaml(spec, "<text>")
        return data, lines, "<text>", Path.cwd()
    raise StudyError(
        [
            _problem(
                "<document>",
                spec,
                "not a study file, YAML text or built-in study",
                ", ".join(builtin_studies()),
            )
        ]
    )


def load_study(spec: Any) -> Study:
    """Load and validate a study.

    Parameters
    ----------
    spec : str, os.PathLike, mapping or Study
        A built-in study name, a YAML file, YAML text, or a mapping.

    Returns
    -------
    Study
        With ``scenario`` resolved to the full base-scenario mapping.

    Raises
    ------
    StudyError
        Every problem found, each with its dotted path in the study, line, value and allowed
        values.
    """
    if isinstance(spec, Study):
        return spec
    try:
        data, lines, source, base_dir = _read(spec)
    except StudyError as exc:
        raise StudyError(exc.problems, exc.source) from None
    except ScenarioError as exc:  # YAML syntax: located by parse_yaml
        raise StudyError(exc.problems, exc.source) from None
    if not isinstance(data, Mapping):
        raise StudyError(
            [
                _problem(
                    "<document>",
                    data,
                    "the top level must be a mapping",
                    ", ".join(Study.model_fields),
                )
            ],
            source,
        )
    data = dict(data)
    try:
        study = Study.model_validate(data)
    except ValidationError as exc:
        raise StudyError(problems_from_validation(exc, data, lines, Study), source) from None
    problems = _check_answer(study, lines)
    _check_outputs(study, (lines or {}).get(("outputs",)), problems)  # as an experiment's
    if isinstance(study.scenario, str) and base_dir is not None:
        candidate = base_dir / study.scenario
        if not _is_builtin_scenario(study.scenario) and candidate.exists():
            study = study.model_copy(update={"scenario": str(candidate)})
    for i, arm in enumerate(study.arms()):
        try:
            experiment_of(study, arm)
        except ScenarioError as exc:
            problems += _relocate(exc.problems, i if study.variants else None, lines)
            if any(p.path.startswith("scenario") for p in exc.problems):
                break  # the base scenario itself: once is enough
    if problems:
        unique = list({(p.path, p.message, p.value): p for p in problems}.values())
        unique.sort(key=lambda p: p.line if p.line is not None else 1 << 30)  # file order
        raise StudyError(unique, source)
    return study.model_copy(update={"scenario": _resolved_base(study)})


def _is_builtin_scenario(name: str) -> bool:
    from nansei.scenario import builtin_names

    return name in builtin_names()


def _resolved_base(study: Study) -> dict[str, Any]:
    """The base scenario as a mapping (no overrides applied)."""
    from nansei.scenario import load_scenario

    if isinstance(study.scenario, dict):
        return study.scenario
    return load_scenario(study.scenario).model_dump(mode="json", by_alias=True)


def _check_answer(study: Study, lines: dict | None) -> list[Problem]:
    """Problems of the ``answer`` section against the variants and design."""
    a = study.answer
    line = (lines or {}).get(("answer",))
    names = [v.name for v in study.variants]
    out: list[Problem] = []
    seen: set[str] = set()
    for i, name in enumerate(names):
        if name in seen:
            where = (lines or {}).get(("variants", i), line)
            out.append(_problem(f"variants[{i}].name", name, "duplicate variant name", line=where))
        seen.add(name)
    if a.kind == "compare":
        if len(names) < 2:
            out.append(
                _problem(
                    "variants",
                    len(names),
                    "a compare answer needs at least two variants",
                    "2 .. 20 variants",
                    (lines or {}).get(("variants",), line),
                )
            )
        if a.baseline is not None and a.baseline not in names:
            out.append(
                _problem("answer.baseline", a.baseline, "no such variant", ", ".join(names), line)
            )
    elif a.kind == "sensitivity":
        if study.design.kind not in SPACE_FILLING or len(study.factors) < 1:
            out.append(
                _problem(
                    "design.kind",
                    study.design.kind,
                    "a sensitivity answer ranks the factors of a space-filling design",
                    ", ".join(SPACE_FILLING) + " (with factors)",
                    (lines or {}).get(("design",), line),
                )
            )
    elif a.kind == "timeline":
        if len(names) > 1 or study.factors:
            out.append(
                _problem(
                    "answer.kind",
                    "timeline",
                    "a timeline narrates one replication of one scenario: at most one "
                    "variant and no factors",
                    "compare (variants) or sensitivity (a design)",
                    line,
                )
            )
        if isinstance(a.replication, int) and not 0 <= a.replication < study.replications:
            out.append(
                _problem(
                    "answer.replication",
                    a.replication,
                    "out of range",
                    f"0 .. {study.replications - 1}, or typical",
                    line,
                )
            )
    if a.kind != "compare" and a.baseline is not None:
        out.append(
            _problem("answer.baseline", a.baseline, "only a compare answer has a baseline", None)
        )
    return out


def _relocate(problems: list[Problem], i: int | None, lines: dict | None) -> list[Problem]:
    """Experiment problems of variant ``i`` as study problems: ``overrides.X`` of the
    variant's own overrides become ``variants[i].overrides.X``; others keep their path (the
    study's fields have the experiment's names) and get the line of their section."""
    import re

    out = []
    for p in problems:
        path, line = p.path, p.line
        if path.startswith("overrides.") and i is not None:
            path = f"variants[{i}].{path}"
            line = (lines or {}).get(("variants", i)) or line
        else:
            head = re.split(r"[.\[]", path, maxsplit=1)[0]
            line = (lines or {}).get((head,)) or line
        out.append(Problem(path, line, p.value, p.message, p.allowed))
    return out


def experiment_of(study: Study, arm: Variant) -> Experiment:
    """The experiment of one variant: the base scenario, the study's overrides then the
    variant's, the study's factors and design, common random numbers.

    Raises
    ------
    ExperimentError
    """
    from nansei.experiment import load_experiment

    overrides = {**study.overrides, **arm.overrides}
    outputs = list(dict.fromkeys([*study.outputs, "launchers"]))
    doc = {
        "schema_version": 1,
        "name": f"{study.name}.{arm.name}"[:64],
        "title": f"{study.title or study.name}: {arm.words()}"[:200],
        "scenario": study.scenario,
        "overrides": overrides,
        "factors": {
            k: (v.model_dump() if isinstance(v, Range) else v) for k, v in study.factors.items()
        },
        "design": study.design.model_dump(),
        "replications": study.replications,
        "seed": study.seed,
        "batch_size": study.batch_size,
        "outputs": outputs,
        "common_random_numbers": True,
    }
    return load_experiment(doc)
