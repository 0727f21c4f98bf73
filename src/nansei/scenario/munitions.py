"""Munitions carried by Blue launchers, with public figures and their provenance."""

from __future__ import annotations

from pydantic import Field

from ._base import Confidence, Ident, Model, Probability

__all__ = ["DEFAULT_MUNITIONS", "Munition"]


class Munition(Model):
    """A munition type, as loaded in pods.

    ``p_hit`` is notional in every built-in: it is the probability that one
    salvo (``blue.fires.rounds_per_salvo`` rounds) achieves its effect against
    one target in a sea zone.
    """

    id: Ident = Field(description="Munition id referenced by pods, depots and fire preferences.")
    range_km: float = Field(gt=0.0, le=2000.0, description="Maximum range in km.")
    rounds_per_pod: int = Field(ge=1, le=1000, description="Rounds in one launch pod.")
    p_hit: Probability = Field(
        0.3, description="Probability that one salvo is effective against a target (notional)."
    )
    pod_mass_t: float = Field(
        2.3, gt=0.0, le=50.0, description="Mass of one loaded pod in tonnes (for transport)."
    )
    source: str = Field("", max_length=500, description="Where the figures come from.")
    confidence: Confidence = Field(
        "C", description="Confidence in the figures: A official, B press/mirror, C estimate."
    )


_HIMARS_SRC = (
    "6 rounds/pod: army.mil 2007 https://www.army.mil/article/6260/ and DVIDS 139th AW "
    "https://dvidshub.net/news/237035/"
)

#: The default munitions (used when ``blue.munitions`` is omitted). ``p_hit`` and
#: ``pod_mass_t`` are notional (C) in all of them.
DEFAULT_MUNITIONS: tuple[Munition, ...] = (
    Munition(
        id="GMLRS",
        range_km=70.0,
        rounds_per_pod=6,
        p_hit=0.3,
        pod_mass_t=2.3,
        source=_HIMARS_SRC + "; range ~70 km (public reporting). p_hit, pod mass notional.",
        confidence="B",
    ),
    Munition(
        id="ER-GMLRS",
        range_km=150.0,
        rounds_per_pod=6,
        p_hit=0.3,
        pod_mass_t=2.4,
        source="goal ~150 km (90 mi): highergroundtimes 2021-03-31 "
        "https://highergroundtimes.com/higher-ground/2021/mar/31/"
        "lockheed-wins-1-billion-army-contract-longer-range ; p_hit, pod mass notional.",
        confidence="C",
    ),
    Munition(
        id="ATACMS",
        range_km=300.0,
        rounds_per_pod=1,
        p_hit=0.5,
        pod_mass_t=2.0,
        source="300 km: defensedaily https://defensedaily.com/u-s-deploys-himars-in-syria-2/ ; "
        "1 per pod: tribune.net.ph 2024. p_hit, pod mass notional.",
        confidence="B",
    ),
    Munition(
        id="PrSM",
        range_km=499.0,
        rounds_per_pod=2,
        p_hit=0.5,
        pod_mass_t=2.2,
        source="499 km requirement: Defense News 2020-03-25 https://www.defensenews.com/smr/"
        "army-modernization/2020/03/25/raytheon-exits-precision-strike-missile-competition/ ; "
        "2 per pod: zonearmee (GMARS) https://www.zonearmee.com/. p_hit, pod mass notional.",
        confidence="B",
    ),
)
