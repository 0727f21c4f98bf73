"""Verification and validation status shown in a report: stored results, a quick run of
the exact checks, or "not run"."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class VerificationStatus:
    """What the report says about verification and validation.

    Attributes
    ----------
    source : str
        ``"verification.json"`` (stored with the run), ``"quick"`` (run now at
        ``scale``) or ``"not run"``.
    scale : float or None
        Replication scale of a quick run (1.0 = the full check suite).
    rows : list of dict
        ``check, expected, simulated, se, z, replications, passed`` and ``test`` (the
        result in words: ``exact``, ``within ±x``, ``z = +0.53``); empty if not run.
    registry : list of str
        Names of all registered checks.
    validation : list of dict
        Rows of the validation against the public record (``nansei verify``'s
        ``validation``: ``row, source, grade, band_low, band_high, simulated, ci_low,
        ci_high, passed``); empty when the stored results have none.
    validation_rows : list of dict
        ``name`` and ``what`` of every validation row, shown when it was not run.
    """

    source: str
    scale: float | None
    rows: list = field(default_factory=list)
    registry: list = field(default_factory=list)
    validation: list = field(default_factory=list)
    validation_rows: list = field(default_factory=list)

    @property
    def passed(self) -> bool | None:
        """True if every check passed, False if any failed, None if not run."""
        return None if not self.rows else all(bool(r["passed"]) for r in self.rows)

    @property
    def validation_failed(self) -> int:
        """Validation rows that fail (0 when none was run)."""
        return sum(not bool(r["passed"]) for r in self.validation)


def _with_words(rows: list) -> list:
    """Check rows with ``test``: how each passed or failed, in words (never ``z = inf``)."""
    from nansei.verification.base import result_words
    from nansei.verification.checks import REGISTRY

    return [{**r, "test": result_words(REGISTRY.get(r["check"]), r)} for r in rows]


def verification_status(stored: list | dict | None, scale: float = 0.02) -> VerificationStatus:
    """Verification and validation status for a report.

    Parameters
    ----------
    stored : list of dict, dict or None
        The run directory's ``verification.json`` as written by ``nansei verify --json``:
        a list of check rows, or ``{"checks": [...], "validation": [...]}``. Used as it is
        when present.
    scale : float
        Otherwise run every exact check now at this replication scale (a quick smoke
        check, labelled as such; the validation is not run); 0 means do not run and say so.
    """
    from nansei.verification.checks import REGISTRY, run_checks
    from nansei.verification.validation import ROWS

    names = list(REGISTRY)
    known = [{"name": r.name, "what": r.what} for r in ROWS]
    if stored is not None:
        checks = stored.get("checks", []) if isinstance(stored, dict) else stored
        valid = stored.get("validation", []) if isinstance(stored, dict) else []
        return VerificationStatus(
            "verification.json", None, _with_words(list(checks)), names, list(valid), known
        )
    if scale <= 0:
        return VerificationStatus("not run", None, [], names, [], known)
    table = run_checks(None, scale=scale)
    rows = _with_words(table.to_dict(orient="records"))
    return VerificationStatus("quick", scale, rows, names, [], known)
