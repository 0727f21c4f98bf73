"""The :class:`Scenario`: one validated, frozen description of a simulation.

A minimal scenario is short; everything else has a documented default::

    schema_version: 1
    name: my-case
    blue:
      launchers: [{id: btry-a, count: 6}]
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from . import resolve
from ._base import Confidence, Ident, Model, fail_many
from .blue import Blue
from .checks import check_scenario
from .civil import Civil, Gateway
from .events import Event
from .geography import Geography, Site
from .legal import Legal
from .red import Red
from .run import RunSettings
from .sustainment import Sustainment
from .targets import SeaZone, Targets
from .uncertain import Uncertain

__all__ = ["Assumption", "Scenario"]

#: A scenario name: lower-case letters, digits and '-', starting with a letter or digit.
SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, min_length=1, max_length=64)]


class Assumption(Model):
    """A labelled assumption: a notional or C-grade parameter and its basis."""

    id: Ident = Field(description="Short id, e.g. 'kill-chain'.")
    text: str = Field(max_length=2000, description="What is assumed.")
    source: str = Field("notional", max_length=500, description="Basis or source.")
    confidence: Confidence = Field("C", description="Confidence grade A/B/C.")


class Scenario(Model):
    """A complete nansei scenario.

    Build with :func:`nansei.scenario.load_scenario` (YAML file, built-in name,
    text or mapping) or ``Scenario.model_validate(mapping)``. Cross-field
    problems (unknown ids, sites in the sea, size limits) are all reported
    together, after the structural ones are fixed.
    """

    schema_version: Literal[1] = Field(description="Schema version; currently 1.")
    name: Slug = Field(description="Slug naming the scenario: lower-case letters, digits, '-'.")
    title: str = Field("", max_length=200, description="One-line title.")
    description: str = Field("", max_length=10_000, description="Free-text description.")
    assumptions: list[Assumption] = Field(
        default_factory=list, max_length=500, description="Labelled assumptions."
    )
    run: RunSettings = Field(default_factory=RunSettings, description="Run settings.")
    geography: Geography = Field(default_factory=Geography, description="Islands and sites.")
    blue: Blue = Field(default_factory=Blue, description="Blue forces.")
    targets: Targets = Field(default_factory=Targets, description="Sea zones and targets.")
    red: Red = Field(default_factory=Red, description="Red ISR and strikes.")
    sustainment: Sustainment = Field(
        default_factory=Sustainment, description="SDF supply chain (off by default)."
    )
    legal: Legal = Field(default_factory=Legal, description="Legal authorities.")
    civil: Civil = Field(default_factory=Civil, description="Residents and evacuation.")
    events: list[Event] = Field(
        default_factory=list,
        max_length=500,
        description="Scripted events (injects): timed actions such as closing an airport, "
        "striking a position, recognising a situation, ordering or suspending the evacuation, "
        "bad weather, a launcher group arriving or withdrawing (docs/model.md, Scripted "
        "events). Reported apart from Red's own strikes.",
    )
    uncertain: Uncertain | None = Field(
        None,
        description="Parameter uncertainty: ranges of numeric fields over which nansei run "
        "adds a band to each headline output (off when absent; see docs/experiments.md). "
        "Its paths and range ends are checked against the scenario by nansei validate and "
        "before nansei run simulates (not when a sweep uses the scenario as its base).",
    )

    @model_validator(mode="after")
    def _cross_checks(self) -> Scenario:
        probs = check_scenario(self)
        ids = [a.id for a in self.assumptions]
        for j, a in enumerate(self.assumptions):
            if ids.index(a.id) != j:
                probs.append(
                    (("assumptions", j, "id"), f"duplicate assumption id '{a.id}'", a.id, None)
                )
        fail_many(probs)
        return self

    # -- resolved views for the engine ------------------------------------------------
    def islands_in_play(self) -> list[str]:
        """Return the gazetteer island ids in play."""
        return resolve.islands_in_play(self)

    def sites(self) -> list[Site]:
        """Return every candidate site in play (built-in selection, then custom)."""
        return resolve.resolved_sites(self)

    def zones(self) -> list[SeaZone]:
        """Return every sea zone (built-in selection, then custom)."""
        return resolve.resolved_zones(self)

    def gateways(self) -> list[Gateway]:
        """Return the evacuation gateways (inline or from the gazetteer)."""
        return resolve.resolved_gateways(self)
