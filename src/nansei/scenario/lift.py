"""Inter-island lift of launchers by air and sea."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from ._base import Confidence, Ident, Model, fail, fail_many, problem

__all__ = ["AIR_LIFT_KINDS", "LIFT_OPERATOR", "SEA_LIFT_KINDS", "Lift", "LiftAsset"]

LiftKind = Literal["KC-130J", "C-2", "C-130H", "LCU", "LSV", "LST", "fast_ferry"]

#: Lift kinds that fly (need a runway) and that sail (need a port).
AIR_LIFT_KINDS = ("KC-130J", "C-2", "C-130H")
SEA_LIFT_KINDS = ("LCU", "LSV", "LST", "fast_ferry")

#: Operator of each kind when ``LiftAsset.operator`` is omitted. SDF-operated lift
#: of US launchers needs the ``sdf_transport`` legal authority.
LIFT_OPERATOR: dict[str, str] = {
    "KC-130J": "us",
    "C-2": "sdf",
    "C-130H": "sdf",
    "LCU": "sdf",
    "LSV": "sdf",
    "LST": "sdf",
    "fast_ferry": "sdf",
}


class LiftAsset(Model):
    """A pool of identical lift platforms that move launchers between islands."""

    id: Ident = Field(description="Unique lift asset id.")
    kind: LiftKind = Field(description="Platform type.")
    count: int = Field(1, ge=1, le=100, description="Number of platforms in the pool.")
    speed_kmh: float = Field(gt=0.0, le=1200.0, description="Cruise speed in km/h.")
    launchers_per_sortie: int = Field(
        1, ge=1, le=100, description="Launchers carried per sortie (with crew and one pod)."
    )
    min_runway_m: float | None = Field(
        None,
        ge=0.0,
        le=5000.0,
        description="Shortest usable runway in metres, loaded (air kinds only; required there).",
    )
    turnaround_h: float = Field(
        2.0, ge=0.0, le=240.0, description="Load/unload and servicing time per sortie, hours."
    )
    operator: Literal["us", "sdf"] | None = Field(
        None, description="Who operates it; None = by kind (KC-130J: us, others: sdf)."
    )
    source: str = Field("", max_length=500, description="Where the figures come from.")
    confidence: Confidence = Field("C", description="Confidence grade A/B/C.")

    @model_validator(mode="after")
    def _runway(self) -> LiftAsset:
        if self.kind in AIR_LIFT_KINDS and self.min_runway_m is None:
            fail(("min_runway_m",), f"required for air lift kind '{self.kind}'")
        if self.kind in SEA_LIFT_KINDS and self.min_runway_m is not None:
            fail(("min_runway_m",), f"only for air lift; '{self.kind}' is a ship")
        return self

    def resolved_operator(self) -> str:
        """Return ``operator`` or the default operator of ``kind``."""
        return self.operator or LIFT_OPERATOR[self.kind]


def _default_air() -> list[LiftAsset]:
    return [
        LiftAsset(
            id="kc130j",
            kind="KC-130J",
            count=2,
            speed_kmh=500.0,
            launchers_per_sortie=1,
            min_runway_m=1200.0,
            turnaround_h=2.0,
            source="HIMARS loaded in KC-130J (VMGR-152), DVIDS 2024-10-21 "
            "https://www.dvidshub.net/news/483632/ ; count, speed, runway notional",
            confidence="C",
        )
    ]


def _default_sea() -> list[LiftAsset]:
    return [
        LiftAsset(
            id="lcu",
            kind="LCU",
            count=1,
            speed_kmh=27.8,
            launchers_per_sortie=6,
            turnaround_h=4.0,
            source="LCU Nihonbare 15 kn, 350 t deadweight (ships-net https://ships-net.co.jp/"
            "?p=16703); launchers per sortie and count notional",
            confidence="C",
        )
    ]


class Lift(Model):
    """Air and sea lift available to move launchers between islands."""

    air: list[LiftAsset] = Field(
        default_factory=_default_air, max_length=50, description="Aircraft pools."
    )
    sea: list[LiftAsset] = Field(
        default_factory=_default_sea, max_length=50, description="Ship pools."
    )

    @model_validator(mode="after")
    def _kinds(self) -> Lift:
        probs = []
        for i, a in enumerate(self.air):
            if a.kind not in AIR_LIFT_KINDS:
                probs.append(
                    problem(
                        ("air", i, "kind"), "not an aircraft", value=a.kind, allowed=AIR_LIFT_KINDS
                    )
                )
        for i, a in enumerate(self.sea):
            if a.kind not in SEA_LIFT_KINDS:
                probs.append(
                    problem(("sea", i, "kind"), "not a ship", value=a.kind, allowed=SEA_LIFT_KINDS)
                )
        ids = [a.id for a in (*self.air, *self.sea)]
        dup = sorted({x for x in ids if ids.count(x) > 1})
        if dup:
            probs.append(problem((), f"duplicate lift asset ids: {', '.join(dup)}"))
        fail_many(probs)
        return self
