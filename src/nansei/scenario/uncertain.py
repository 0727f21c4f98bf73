"""The ``uncertain:`` block: parameter ranges for uncertainty bands.

A scenario may name numeric fields whose values are uncertain, each with a range
(``low``, ``high``) or a triangular distribution over it. ``nansei run`` then runs an
outer Latin hypercube over those ranges, with inner replications at each point, and
reports, beside the Monte Carlo confidence interval of each headline output, the band
that parameter uncertainty spans (see ``docs/experiments.md``)::

    uncertain:
      points: 32
      replications: 50
      parameters:
        - {path: red.p_kill, low: 0.5, high: 0.9, source: assumption, confidence: C}
        - {path: red.kill_chain.delay_h.median, low: 0.25, high: 4, scale: log}

Paths use the syntax of ``--set`` (:mod:`nansei.scenario.overrides`). The schema checks
the block's shape. :func:`validate_uncertain` then applies each range's ends (and mode) to
the scenario through the overrides machinery, so an unknown path, a field that is not a
number, or a value the schema rejects is reported before anything is simulated. That
second check runs when the block is used (``nansei run``, ``nansei validate``,
:func:`nansei.uncertainty_bands`), not on every load: a sweep or a ``--set`` that
replaces a field the block varies (e.g. a lognormal kill chain by a fixed one) still
loads, and ``nansei run --no-uncertainty`` still runs it.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, field_validator, model_validator

from ._base import Confidence, Model, fail_many, problem

if TYPE_CHECKING:  # pragma: no cover
    from .model import Scenario

__all__ = [
    "Uncertain",
    "UncertainParameter",
    "check_uncertain",
    "drop_overridden",
    "integer_bounds",
    "validate_uncertain",
]

#: Most uncertain parameters in one block.
MAX_PARAMETERS = 50
#: Most simulated replications of the outer loop (points x replications).
MAX_TOTAL_REPLICATIONS = 10_000_000


class UncertainParameter(Model):
    """One uncertain numeric field: a range, sampled uniformly or triangularly, in linear
    or log space."""

    path: str = Field(
        min_length=1,
        max_length=300,
        description="Field path, as for --set: dotted names with [i] list indices, e.g. "
        "red.kill_chain.delay_h.median or blue.launchers[0].count. The field must hold a "
        "number in this scenario.",
    )
    low: float = Field(description="Lowest value, in the field's unit (< high).")
    high: float = Field(description="Highest value, in the field's unit (> low).")
    scale: Literal["linear", "log"] = Field(
        "linear",
        description="Space in which values are spread: linear, or log (low > 0; each "
        "factor of 10 gets the same share of points).",
    )
    integer: bool = Field(
        False,
        description="Round each value to the nearest whole number in [low, high] (required "
        "for whole-number fields such as counts).",
    )
    dist: Literal["uniform", "triangular"] = Field(
        "uniform",
        description="Distribution over the range (in the chosen scale): uniform, or "
        "triangular with its peak at mode.",
    )
    mode: float | None = Field(
        None,
        description="Peak of a triangular distribution, in [low, high] (only with dist: "
        "triangular).",
    )
    source: str = Field(
        "assumption", max_length=500, description="Where the range comes from (provenance)."
    )
    confidence: Confidence = Field(
        "C", description="Confidence grade of the range: A official, B press, C estimate."
    )

    @field_validator("path")
    @classmethod
    def _path_parses(cls, v: str) -> str:
        from .errors import ScenarioError
        from .overrides import split_path

        try:
            parts = split_path(v)
        except ScenarioError as exc:
            p = exc.problems[0]
            fail_many([problem((), f"{p.message}", value=v, allowed=p.allowed)])
        if parts[0] == "uncertain":
            fail_many(
                [problem((), "the uncertain block cannot vary itself", value=v, allowed=None)]
            )
        return v

    @model_validator(mode="after")
    def _range(self) -> UncertainParameter:
        probs = []
        if not self.low < self.high:
            probs.append(
                problem(
                    ("high",),
                    f"high must be greater than low ({self.low:g})",
                    value=self.high,
                    allowed=f"> {self.low:g}",
                )
            )
        if self.scale == "log" and not self.low > 0:
            probs.append(
                problem(
                    ("low",),
                    "a log scale needs low > 0",
                    value=self.low,
                    allowed="> 0, or scale: linear",
                )
            )
        if self.dist == "triangular":
            if self.mode is None:
                probs.append(
                    problem(
                        ("mode",),
                        "dist: triangular needs a mode",
                        value=self.dist,
                        allowed=f"{self.low:g} .. {self.high:g}",
                    )
                )
            elif not self.low <= self.mode <= self.high:
                probs.append(
                    problem(
                        ("mode",),
                        "mode is outside [low, high]",
                        value=self.mode,
                        allowed=f"{self.low:g} .. {self.high:g}",
                    )
                )
        elif self.mode is not None:
            probs.append(
                problem(
                    ("mode",),
                    "mode is only used with dist: triangular",
                    value=self.mode,
                    allowed="dist: triangular, or no mode",
                )
            )
        if self.integer and self.low < self.high:
            lo, hi = integer_bounds(self)
            if hi <= lo:
                probs.append(
                    problem(
                        ("integer",),
                        f"integer: true needs two or more whole numbers in [{self.low:g}, "
                        f"{self.high:g}]",
                        value=True,
                        allowed="a wider range, or integer: false",
                    )
                )
        fail_many(probs)
        return self


def integer_bounds(p: UncertainParameter) -> tuple[int, int]:
    """The smallest and largest whole numbers in ``[p.low, p.high]``."""
    return math.ceil(p.low), math.floor(p.high)


class Uncertain(Model):
    """Parameter uncertainty: an outer Latin hypercube over ranges, inner replications at
    each point with the same seeds (common random numbers)."""

    points: int = Field(
        32,
        ge=4,
        le=1000,
        description="Points of the outer Latin hypercube (at least the number of parameters "
        "+ 3, for the ranking).",
    )
    replications: int = Field(
        100,
        ge=2,
        le=100_000,
        description="Inner replications per point; every point uses the same replication "
        "seeds (common random numbers).",
    )
    band: list[float] = Field(
        default_factory=lambda: [0.05, 0.95],
        min_length=2,
        max_length=2,
        description="Quantiles of the band over parameter uncertainty, [lower, upper] in "
        "[0, 1], e.g. [0.05, 0.95].",
    )
    seed: int | None = Field(
        None,
        ge=0,
        le=2**63 - 1,
        description="Seed of the hypercube (default: the run's root seed, run.seed or --seed).",
    )
    parameters: list[UncertainParameter] = Field(
        min_length=1,
        max_length=MAX_PARAMETERS,
        description="The uncertain parameters, each a numeric field with a range and its "
        "provenance.",
    )

    @model_validator(mode="after")
    def _shape(self) -> Uncertain:
        probs = []
        lo, hi = self.band
        if not 0.0 <= lo < hi <= 1.0:
            probs.append(
                problem(
                    ("band",),
                    "band must be two quantiles [lower, upper] with 0 <= lower < upper <= 1",
                    value=self.band,
                    allowed="e.g. [0.05, 0.95]",
                )
            )
        seen: dict[str, int] = {}
        for i, p in enumerate(self.parameters):
            key = _canonical(p.path)
            if key in seen:
                probs.append(
                    problem(
                        ("parameters", i, "path"),
                        f"duplicate path (also parameters[{seen[key]}])",
                        value=p.path,
                        allowed="each path once",
                    )
                )
            seen.setdefault(key, i)
        k = len(self.parameters)
        if self.points < k + 3:
            probs.append(
                problem(
                    ("points",),
                    f"{self.points} points are too few to rank {k} parameters",
                    value=self.points,
                    allowed=f">= {k + 3} (parameters + 3)",
                )
            )
        total = self.points * self.replications
        if total > MAX_TOTAL_REPLICATIONS:
            probs.append(
                problem(
                    ("replications",),
                    f"points x replications = {total:,} is more than {MAX_TOTAL_REPLICATIONS:,}",
                    value=self.replications,
                    allowed=f"<= {MAX_TOTAL_REPLICATIONS // self.points:,} with "
                    f"{self.points} points",
                )
            )
        fail_many(probs)
        return self


def _canonical(path: str) -> tuple[str | int, ...]:
    from .overrides import split_path

    return split_path(path)


def _value_at(data: Any, parts: tuple[str | int, ...]) -> Any:
    node = data
    for part in parts:
        node = node[part]
    return node


def check_uncertain(sc: Scenario) -> list[tuple[tuple[str | int, ...], str, Any, str | None]]:
    """Problems of ``sc.uncertain`` against the scenario itself (empty if none).

    For each parameter: the path must name a field of this scenario that holds a number
    (a whole number needs ``integer: true``), and the scenario must accept each end of
    the range (and the mode), applied alone through the overrides machinery. Problems
    are located at ``uncertain.parameters[i].<field>``.
    """
    from pydantic import ValidationError

    from .errors import problems_from_validation
    from .model import Scenario
    from .overrides import _set_one

    unc = sc.uncertain
    if unc is None:
        return []
    base = sc.model_dump(mode="json", by_alias=True)
    base["uncertain"] = None
    probs = []
    for i, p in enumerate(unc.parameters):
        at = ("uncertain", "parameters", i)
        trial = _copy(base)
        bad = _set_one(trial, p.path, p.low, Scenario)
        if bad is not None:
            probs.append(
                problem(
                    (*at, "path"),
                    f"{bad.path}: {bad.message}",
                    value=p.path,
                    allowed=bad.allowed or "a numeric field of this scenario",
                )
            )
            continue
        from .overrides import split_path

        current = _value_at(base, split_path(p.path))
        if isinstance(current, bool) or not isinstance(current, int | float):
            probs.append(
                problem(
                    (*at, "path"),
                    f"{p.path} is not a number here ({_describe(current)}): only numeric "
                    "fields can be uncertain",
                    value=p.path,
                    allowed="a field holding a number, e.g. red.p_kill",
                )
            )
            continue
        if isinstance(current, int) and not p.integer:
            probs.append(
                problem(
                    (*at, "integer"),
                    f"{p.path} is a whole number ({current}): set integer: true",
                    value=p.integer,
                    allowed="true",
                )
            )
            continue
        ends: list[tuple[str, float]] = [("low", p.low), ("high", p.high)]
        if p.integer:
            lo, hi = integer_bounds(p)
            ends = [("low", lo), ("high", hi)]
        if p.mode is not None:
            ends.append(("mode", p.mode))
        for field, value in ends:
            trial = _copy(base)
            _set_one(trial, p.path, value, Scenario)
            try:
                Scenario.model_validate(trial)
            except ValidationError as exc:
                found = problems_from_validation(exc, trial, None, Scenario)
                first = found[0]
                more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
                probs.append(
                    problem(
                        (*at, field),
                        f"the scenario rejects {p.path} = {value:g}: {first.path}: "
                        f"{first.message}{more}",
                        value=value,
                        allowed=first.allowed or f"a range {first.path} accepts",
                    )
                )
    return probs


def _copy(data: dict) -> dict:
    import copy

    return copy.deepcopy(data)


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"a boolean, {str(value).lower()}"
    if isinstance(value, str):
        return f"a string, {value!r:.40}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def validate_uncertain(sc: Scenario, source: str | None = None) -> None:
    """Raise a :class:`~nansei.scenario.errors.ScenarioError` listing every problem of
    :func:`check_uncertain` (nothing if the scenario has no block or it is sound)."""
    from .errors import Problem, ScenarioError, _short_repr, format_path

    probs = check_uncertain(sc)
    if probs:
        raise ScenarioError(
            [
                Problem(format_path(path), None, _short_repr(value), message, allowed)
                for path, message, value, allowed in probs
            ],
            source or sc.name,
        )


def drop_overridden(sc: Scenario, paths) -> tuple[Scenario, list[str]]:
    """Drop the uncertain parameters that overrides fix.

    An override of a parameter's path, or of a field above it (``red.kill_chain.delay_h``
    above ``red.kill_chain.delay_h.median``), fixes that field for the run: the parameter
    is no longer uncertain. Returns the scenario without those parameters (without the
    block if none is left) and the dropped paths.
    """
    from .overrides import split_path

    unc = sc.uncertain
    if unc is None:
        return sc, []
    fixed = [split_path(p) for p in paths if not str(p).strip().startswith("uncertain")]
    kept, dropped = [], []
    for p in unc.parameters:
        parts = split_path(p.path)
        if any(parts[: len(f)] == f for f in fixed):
            dropped.append(p.path)
        else:
            kept.append(p)
    if not dropped:
        return sc, []
    new = unc.model_copy(update={"parameters": kept}) if kept else None
    return sc.model_copy(update={"uncertain": new}), dropped
