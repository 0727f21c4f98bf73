"""Verification status shown in a report: stored results, a quick run, or "not run"."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class VerificationStatus:
    """What the report says about verification.

    Attributes
    ----------
    source : str
        ``"verification.json"`` (stored with the run), ``"quick"`` (run now at
        ``scale``) or ``"not run"``.
    scale : float or None
        Replication scale of a quick run (1.0 = the full check suite).
    rows : list of dict
        ``check, expected, simulated, se, z, replications, passed`` (empty if not run).
    registry : list of str
        Names of all registered checks.
    """

    source: str
    scale: float | None
    rows: list = field(default_factory=list)
    registry: list = field(default_factory=list)

    @property
    def passed(self) -> bool | None:
        """True if every check passed, False if any failed, None if not run."""
        return None if not self.rows else all(bool(r["passed"]) for r in self.rows)


def verification_status(stored: list | None, scale: float = 0.02) -> VerificationStatus:
    """Verification status for a report.

    Parameters
    ----------
    stored : list of dict or None
        Rows of the run directory's ``verification.json`` (as written by
        ``nansei verify --json``), used as they are when present.
    scale : float
        Otherwise run every check now at this replication scale (a quick
        smoke check, labelled as such); 0 means do not run and say so.
    """
    from nansei.verification.checks import REGISTRY, run_checks

    names = list(REGISTRY)
    if stored is not None:
        return VerificationStatus("verification.json", None, list(stored), names)
    if scale <= 0:
        return VerificationStatus("not run", None, [], names)
    table = run_checks(None, scale=scale)
    return VerificationStatus("quick", scale, table.to_dict(orient="records"), names)
