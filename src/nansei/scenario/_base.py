"""Shared building blocks of the scenario schema.

Every scenario model derives from :class:`Model`, which forbids unknown keys,
freezes instances and rejects NaN and infinity. Validators report problems
through :func:`fail` / :func:`fail_many`, which attach the offending sub-path
so that :mod:`nansei.scenario.errors` can point at the exact field.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError

__all__ = [
    "Confidence",
    "Count",
    "Ident",
    "Model",
    "Probability",
    "fail",
    "fail_many",
    "problem",
]

#: Provenance grade of a figure: A official/primary, B press or mirror, C estimate/notional.
Confidence = Literal["A", "B", "C"]

#: An identifier: letters, digits, ``_``, ``-`` and ``.``; at most 64 characters.
Ident = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$", max_length=64),
]

#: A probability in [0, 1].
Probability = Annotated[float, Field(ge=0.0, le=1.0)]

#: A non-negative count of pods (or other items) in a mapping.
Count = Annotated[int, Field(ge=0, le=1_000_000)]

#: Error type used for every semantic (cross-field) problem raised by the schema.
ERROR_TYPE = "nansei_problem"


class Model(BaseModel):
    """Base class of all scenario models (frozen, no unknown keys, finite floats)."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        allow_inf_nan=False,
        validate_default=False,
        use_attribute_docstrings=False,
    )


def problem(
    subpath: Sequence[str | int],
    message: str,
    *,
    value: Any = None,
    allowed: Iterable[str] | str | None = None,
) -> tuple[tuple[str | int, ...], str, Any, str | None]:
    """Build one problem record relative to the model being validated.

    Parameters
    ----------
    subpath : sequence of str or int
        Field path below the current model, e.g. ``("fixed_move_h",)``.
    message : str
        Human-readable description of the problem.
    value : object, optional
        The offending value (shown truncated).
    allowed : iterable of str or str, optional
        Allowed values, rendered as a comma-separated hint.
    """
    if allowed is not None and not isinstance(allowed, str):
        allowed = ", ".join(str(a) for a in allowed)
    return (tuple(subpath), message, value, allowed)


def fail_many(problems: Sequence[tuple[tuple[str | int, ...], str, Any, str | None]]) -> None:
    """Raise one pydantic error carrying several located problems (no-op if empty)."""
    if not problems:
        return
    first = problems[0][1].replace("{", "(").replace("}", ")")
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    raise PydanticCustomError(ERROR_TYPE, first + more, {"problems": tuple(problems)})


def fail(
    subpath: Sequence[str | int],
    message: str,
    *,
    value: Any = None,
    allowed: Iterable[str] | str | None = None,
) -> None:
    """Raise a single located problem (see :func:`problem`)."""
    fail_many([problem(subpath, message, value=value, allowed=allowed)])
