"""Japan's legal authorities as explicit, switchable data.

Situations (2015 security legislation, Civil Protection Law) are recognised
along a :class:`Recognition` timeline. **Semantics:** recognitions are never
withdrawn within a run, and the actions permitted at time ``t`` are the union
of ``permits[s]`` over every situation ``s`` that holds at ``t``. A situation
holds from its recognition, and also from the recognition of a more severe
situation that contains it (:data:`CONTAINED_IN`: an armed attack situation
contains the anticipated one); a contained situation is never recognised at or
after the situation that contains it (its timeline entry lapses).
``us_fires_from_japan`` additionally needs :class:`PriorConsultation` approval,
except when the armed attack situation permits it (operations under Article V
of the 1960 treaty are outside prior consultation).
Built-in authority sets: ``law-2021`` (the law as it stood when the plan was
reported) and ``amended`` (the "legal changes" — each change an assumption).
The public basis of every cell is in :mod:`nansei.scenario.legal_basis`.
"""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import Field, model_validator

from ._base import Model, fail, fail_many, problem
from .distributions import Distribution

__all__ = [
    "ACTIONS",
    "BUILTIN_AUTHORITIES",
    "CONTAINED_IN",
    "SITUATIONS",
    "Action",
    "AuthoritySet",
    "Legal",
    "PriorConsultation",
    "Recognition",
    "Situation",
]

Situation = Literal[
    "peacetime",
    "important_influence",
    "anticipated_armed_attack",
    "armed_attack",
    "survival_threatening",
]
Action = Literal[
    "sdf_supply_ammunition",
    "sdf_supply_fuel",
    "sdf_transport",
    "sdf_logistics_in_combat_zone",
    "us_fires_from_japan",
    "sdf_use_of_force",
    "evacuation_order",
    "us_temporary_bases",
]

#: Situations in escalation order (the rank used to check scheduled timelines).
SITUATIONS: tuple[str, ...] = get_args(Situation)
#: Situation -> the more severe situation that contains it. The anticipated armed attack
#: situation has "not yet reached" an armed attack situation (Armed Attack Situations Act
#: art. 2; MOD white paper 2024), so it is not recognised once an armed attack situation is,
#: and it holds (with what it permits) from the armed attack situation's recognition.
CONTAINED_IN: dict[str, str] = {"anticipated_armed_attack": "armed_attack"}
#: All gated actions, with what each gates in the engine.
ACTIONS: dict[str, str] = {
    "sdf_supply_ammunition": "SDF delivers munition pods to US launchers / supply points",
    "sdf_supply_fuel": "SDF delivers fuel to US launchers / supply points",
    "sdf_transport": "SDF-operated lift moves US launchers or supplies",
    "sdf_logistics_in_combat_zone": "SDF supply continues on an island where combat is "
    "taking place (struck within sustainment.combat_zone_window_h)",
    "us_fires_from_japan": "US launchers fire from Japanese territory (also needs prior "
    "consultation approval, unless permitted by the armed attack situation: Article V)",
    "sdf_use_of_force": "SDF uses force, e.g. SDF air defence intercepts Red missiles",
    "evacuation_order": "Civil Protection Law evacuation of residents may be ordered",
    "us_temporary_bases": "US launchers may occupy temporary sites outside US facilities",
}


class AuthoritySet(Model):
    """What each situation permits."""

    name: str = Field(max_length=64, description="Name of the set, e.g. 'law-2021'.")
    description: str = Field("", max_length=2000, description="What the set represents.")
    permits: dict[Situation, list[Action]] = Field(
        description="Actions permitted by each situation (missing situation = nothing)."
    )
    assumptions: list[str] = Field(
        default_factory=list, description="Labelled assumptions behind the table."
    )


_IIS = ["sdf_supply_ammunition", "sdf_supply_fuel", "sdf_transport"]
LAW_2021 = AuthoritySet(
    name="law-2021",
    description="Authorities as they stood in December 2021 (2015 legislation, Civil "
    "Protection Law 2004), as interpreted for this model.",
    permits={
        "peacetime": [],
        "important_influence": [*_IIS, "us_fires_from_japan", "us_temporary_bases"],
        "anticipated_armed_attack": [
            *_IIS,
            "evacuation_order",
            "us_fires_from_japan",
            "us_temporary_bases",
        ],
        "armed_attack": [
            *_IIS,
            "sdf_logistics_in_combat_zone",
            "sdf_use_of_force",
            "evacuation_order",
            "us_fires_from_japan",
            "us_temporary_bases",
        ],
        "survival_threatening": [
            *_IIS,
            "sdf_logistics_in_combat_zone",
            "sdf_use_of_force",
            "us_fires_from_japan",
            "us_temporary_bases",
        ],
    },
    assumptions=[
        "IIS permits SDF supply of ammunition and fuel and transport, but not where combat is "
        "actually taking place, and no use of force (Act on Important Influence Situations, "
        "as amended 2015; Kotobank 重要影響事態; Sankei 2015-09-18). (B)",
        "Anticipated armed attack: the same support, still not where combat is taking place "
        "(the SDF does not use force yet; the 'integration with the use of force' doctrine). (C)",
        "Evacuation orders need an armed attack or anticipated armed attack situation (Civil "
        "Protection Act; Shugiin question 2025-06). (A)",
        "Armed attack permits SDF use of force and evacuation orders, and SDF supply to US "
        "forces repelling the attack with no combat-site clause (US Forces Measures Act art. "
        "10); survival-threatening permits use of force (MOD white paper 2024). (A/B)",
        "US fires from Japan are not barred by Japanese situation law from the IIS on; they "
        "need prior consultation approval, except under Article V once Japan is attacked "
        "(Kishi-Herter exchange of notes, 1960; Diet answer 2021-04-27). (A; the IIS "
        "threshold is C)",
        "US temporary bases on SDF facilities are assumed possible from IIS (SOFA Art. "
        "II(4)(b) joint use). (C)",
    ],
)
AMENDED = AuthoritySet(
    name="amended",
    description="law-2021 plus the 'legal changes' the plan is reported to need "
    "(each change is an assumption of this model).",
    permits={
        **LAW_2021.permits,
        "important_influence": [
            *LAW_2021.permits["important_influence"],
            "sdf_logistics_in_combat_zone",
        ],
        "anticipated_armed_attack": [
            *LAW_2021.permits["anticipated_armed_attack"],
            "sdf_logistics_in_combat_zone",
        ],
    },
    assumptions=[
        *LAW_2021.assumptions,
        "CHANGE (assumption C): SDF logistics may continue where combat is taking place "
        "from the IIS on (the SDF need not suspend or withdraw).",
    ],
)

#: Built-in authority sets by name.
BUILTIN_AUTHORITIES: dict[str, AuthoritySet] = {"law-2021": LAW_2021, "amended": AMENDED}


class Recognition(Model):
    """When the Cabinet recognises a situation.

    ``scheduled``: at ``at_h``. ``delay``: ``delay_h`` after the previous
    timeline entry is recognised (after t=0 for the first). ``trigger``:
    ``delay_h`` (default 0) after the first ``trigger`` event.
    """

    situation: Situation = Field(description="The situation recognised.")
    mode: Literal["scheduled", "delay", "trigger"] = Field(
        "scheduled", description="How the recognition time is set."
    )
    at_h: float | None = Field(
        None, ge=0.0, le=8760.0, description="Time of recognition, hours (scheduled only)."
    )
    delay_h: Distribution | None = Field(
        None, description="Delay, hours (delay: required; trigger: optional, default 0)."
    )
    trigger: Literal["first_red_strike_on_japan", "first_blue_salvo_from_japan"] | None = Field(
        None, description="Event that triggers recognition (trigger only)."
    )

    @model_validator(mode="after")
    def _mode_fields(self) -> Recognition:
        need = {"scheduled": "at_h", "delay": "delay_h", "trigger": "trigger"}[self.mode]
        if getattr(self, need) is None:
            fail((need,), f"required when mode is '{self.mode}'")
        if self.mode != "scheduled" and self.at_h is not None:
            fail(("at_h",), f"only for mode 'scheduled' (mode is '{self.mode}')")
        if self.mode != "trigger" and self.trigger is not None:
            fail(("trigger",), f"only for mode 'trigger' (mode is '{self.mode}')")
        return self


class PriorConsultation(Model):
    """US–Japan prior consultation on combat operations launched from Japan."""

    status: Literal["approved", "denied", "pending"] = Field(
        "approved",
        description="'approved' from decision_at_h; 'denied' never; 'pending' never decided.",
    )
    decision_at_h: float = Field(0.0, ge=0.0, le=8760.0, description="Time of the decision, hours.")


def _default_timeline() -> list[Recognition]:
    return [Recognition(situation="important_influence", mode="scheduled", at_h=0.0)]


class Legal(Model):
    """Legal authorities, the recognition timeline and prior consultation."""

    authorities: Literal["law-2021", "amended"] | AuthoritySet = Field(
        "law-2021", description="A built-in authority set by name, or an inline custom set."
    )
    timeline: list[Recognition] = Field(
        default_factory=_default_timeline,
        max_length=20,
        description="Recognitions (default: important influence situation at t=0).",
    )
    prior_consultation: PriorConsultation = Field(
        default_factory=PriorConsultation, description="Prior consultation outcome."
    )

    def authority_set(self) -> AuthoritySet:
        """Return the resolved authority set."""
        if isinstance(self.authorities, str):
            return BUILTIN_AUTHORITIES[self.authorities]
        return self.authorities

    @model_validator(mode="after")
    def _ordering(self) -> Legal:
        probs = []
        last_rank, last_at = -1, -1.0
        for i, rec in enumerate(self.timeline):
            if rec.mode != "scheduled" or rec.at_h is None:
                continue
            rank = SITUATIONS.index(rec.situation)
            if rec.at_h < last_at:
                probs.append(
                    problem(
                        ("timeline", i, "at_h"),
                        "scheduled recognitions must be listed in time order",
                        value=rec.at_h,
                    )
                )
            elif rank < last_rank:
                probs.append(
                    problem(
                        ("timeline", i, "situation"),
                        "scheduled situations must not de-escalate (order: "
                        + " < ".join(SITUATIONS)
                        + ")",
                        value=rec.situation,
                    )
                )
            last_rank, last_at = max(last_rank, rank), max(last_at, rec.at_h)
        fail_many(probs)
        return self
