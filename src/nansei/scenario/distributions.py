"""Probability distributions for durations and other non-negative quantities.

A distribution is written as a mapping with a ``kind`` key, or as a bare number,
which is shorthand for ``{kind: fixed, value: <number>}``::

    dwell_h: 4                                   # fixed 4 h
    dwell_h: {kind: exponential, mean: 4}
    delay_h: {kind: lognormal, median: 1.0, sigma: 0.5}
    delay_h: {kind: uniform, low: 0.5, high: 2}

Values are in hours unless the parent field's name says otherwise (``_km``...).
All parameters are finite and non-negative.

The engine compiles a distribution to ``(code, p1, p2)`` with
:func:`Distribution` ``.params()``: fixed → (0, value, 0), exponential →
(1, mean, 0), lognormal → (2, median, sigma), uniform → (3, low, high).
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, model_validator

from ._base import Model, fail

__all__ = [
    "KIND_CODES",
    "Distribution",
    "Exponential",
    "Fixed",
    "Lognormal",
    "Uniform",
    "fixed",
]

#: Integer code of each distribution kind, as used by the compiled engine.
KIND_CODES: dict[str, int] = {"fixed": 0, "exponential": 1, "lognormal": 2, "uniform": 3}


class Fixed(Model):
    """A constant (degenerate distribution)."""

    kind: Literal["fixed"] = Field("fixed", description="Distribution kind: a constant.")
    value: float = Field(ge=0.0, description="The constant value (hours unless stated).")

    def mean(self) -> float:
        """Return the mean, ``value``."""
        return self.value

    def params(self) -> tuple[int, float, float]:
        """Return ``(code, p1, p2)`` for the engine."""
        return (KIND_CODES["fixed"], self.value, 0.0)


class Exponential(Model):
    """Exponential distribution with the given mean (rate ``1/mean``)."""

    kind: Literal["exponential"] = Field(description="Distribution kind: exponential.")
    mean_: float = Field(
        alias="mean", ge=0.0, description="Mean (hours unless stated); 0 means always 0."
    )

    model_config = Model.model_config | {"populate_by_name": True, "serialize_by_alias": True}

    def mean(self) -> float:
        """Return the mean."""
        return self.mean_

    def params(self) -> tuple[int, float, float]:
        """Return ``(code, p1, p2)`` for the engine."""
        return (KIND_CODES["exponential"], self.mean_, 0.0)


class Lognormal(Model):
    """Lognormal distribution given by its median and log-scale standard deviation.

    ``X = median * exp(sigma * Z)`` with ``Z`` standard normal.
    """

    kind: Literal["lognormal"] = Field(description="Distribution kind: lognormal.")
    median: float = Field(ge=0.0, description="Median, exp(mu) (hours unless stated).")
    sigma: float = Field(ge=0.0, le=10.0, description="Standard deviation of log(X).")

    def mean(self) -> float:
        """Return the mean, ``median * exp(sigma**2 / 2)``."""
        return self.median * math.exp(self.sigma**2 / 2.0)

    def params(self) -> tuple[int, float, float]:
        """Return ``(code, p1, p2)`` for the engine."""
        return (KIND_CODES["lognormal"], self.median, self.sigma)


class Uniform(Model):
    """Continuous uniform distribution on ``[low, high]``."""

    kind: Literal["uniform"] = Field(description="Distribution kind: uniform.")
    low: float = Field(ge=0.0, description="Lower bound (hours unless stated).")
    high: float = Field(ge=0.0, description="Upper bound, >= low.")

    @model_validator(mode="after")
    def _check_order(self) -> Uniform:
        if self.low > self.high:
            fail(
                ("low",),
                f"uniform low ({self.low}) must be <= high ({self.high})",
                value=self.low,
            )
        return self

    def mean(self) -> float:
        """Return the mean, ``(low + high) / 2``."""
        return (self.low + self.high) / 2.0

    def params(self) -> tuple[int, float, float]:
        """Return ``(code, p1, p2)`` for the engine."""
        return (KIND_CODES["uniform"], self.low, self.high)


def _shorthand(value: Any) -> Any:
    """Turn a bare number into ``{kind: fixed, value: number}``."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return {"kind": "fixed", "value": value}
    if isinstance(value, dict) and "kind" not in value and set(value) == {"value"}:
        return {"kind": "fixed", **value}
    if not isinstance(value, dict):
        fail(
            (),
            "expected a number (fixed) or a mapping with 'kind'",
            value=value,
            allowed=", ".join(KIND_CODES),
        )
    return value


_Union = Annotated[Fixed | Exponential | Lognormal | Uniform, Field(discriminator="kind")]

#: A distribution: a mapping discriminated on ``kind``, or a bare number (fixed).
Distribution = Annotated[
    _Union,
    BeforeValidator(_shorthand, json_schema_input_type=float | _Union),
]


def fixed(value: float) -> Fixed:
    """Return a fixed distribution (convenience for defaults)."""
    return Fixed(value=value)
