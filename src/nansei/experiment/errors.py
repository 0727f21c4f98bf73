"""Experiment errors: the scenario error format, headed "invalid experiment".

An :class:`ExperimentError` is a :class:`~nansei.scenario.errors.ScenarioError`
(same :class:`~nansei.scenario.errors.Problem` records, same one-screen
rendering), so callers that already handle scenario errors handle these too.
"""

from __future__ import annotations

from typing import Any

from nansei.scenario.errors import MAX_SHOWN, Problem, ScenarioError, _short_repr

__all__ = ["ExperimentError", "experiment_error"]


class ExperimentError(ScenarioError):
    """An experiment file, its factors, design or executor is invalid."""

    def __str__(self) -> str:
        n = len(self.problems)
        src = f" {self.source}" if self.source else ""
        lines = [f"invalid experiment{src}: {n} problem{'s' if n != 1 else ''}"]
        lines += ["  - " + p.render() for p in self.problems[:MAX_SHOWN]]
        if n > MAX_SHOWN:
            lines.append(f"  ... and {n - MAX_SHOWN} more")
        return "\n".join(lines)


def experiment_error(
    path: str,
    value: Any,
    message: str,
    allowed: str | None = None,
    *,
    line: int | None = None,
    source: str | None = None,
) -> ExperimentError:
    """Return an :class:`ExperimentError` with one problem.

    Parameters
    ----------
    path : str
        Dotted path of the field, e.g. ``"factors.blue.relocation.dwell_h"``.
    value : object
        The offending value (``None`` for none).
    message, allowed : str
        What is wrong, and what is allowed.
    """
    val = None if value is None else _short_repr(value)
    return ExperimentError([Problem(path, line, val, message, allowed)], source)
