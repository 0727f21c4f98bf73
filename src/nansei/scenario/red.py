"""Red: ISR detection, the kill chain, strike doctrine and strikes on gateways.

A launcher in state ``s`` at a site with concealment ``c`` is detected at
rate ``isr.detection_rate_per_h.<s> * (1 - c) * g(tau)`` (with
``concealment_effect: multiplicative``; ``none`` ignores concealment), where
``g(tau) = min(1 + isr.dwell_hazard.growth_per_h * tau, max_factor)`` grows
with the time ``tau`` since it arrived (pattern of life; 1 by default). Each
salvo is detected with probability ``isr.p_detect_launch``.

A detection (a sighting) is a positive identification only if it shows the
launcher's signature (``isr.identification.p_signature``, 1 by default);
otherwise Red must pick the launcher out of the look-alike vehicles in its view
(``isr.identification``: it may strike a look-alike, or hold fire).

A detection at a site gives Red an aim point, the site. A detection on the
road gives a track, lost at ``isr.track_loss_rate_per_h``: a held track aims
the strike at the site where the launcher stops, a lost one at the road point
where it was last seen. The strike lands after the kill chain of its cue
(``kill_chain``). Each of ``missiles_per_strike`` missiles is intercepted with
``blue.air_defence.p_intercept``; otherwise it lands within
``isr.location_error_km`` of the aim point and kills, with ``p_kill``, every
launcher within ``lethal_radius_km`` of its impact. A strike on an empty
position is wasted, whoever stood there before.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from ._base import Model, Probability
from .distributions import Distribution, Lognormal, fixed

__all__ = [
    "ISR",
    "DwellHazard",
    "GatewayStrikes",
    "Identification",
    "KillChain",
    "Red",
    "RevisitStrikes",
    "StateProbabilities",
    "StateRates",
]


class StateRates(Model):
    """Detection rate per hour in each launcher state, before concealment."""

    hidden: float = Field(0.05, ge=0.0, le=1000.0, description="At a site, idle, per hour.")
    moving: float = Field(0.2, ge=0.0, le=1000.0, description="On the road, per hour.")
    setting_up: float = Field(0.1, ge=0.0, le=1000.0, description="Setting up/tearing down.")
    firing: float = Field(
        0.1, ge=0.0, le=1000.0, description="Between salvos (launch flashes: p_detect_launch)."
    )
    reloading: float = Field(0.1, ge=0.0, le=1000.0, description="Reloading a pod, per hour.")


class DwellHazard(Model):
    """Detection rate that grows with the time a launcher has spent at its site.

    The rate of every state at a site is multiplied by
    ``min(1 + growth_per_h * tau, max_factor)``, ``tau`` the hours since it
    arrived (pattern of life: Red notices a position used for long). The rate
    on the road does not grow. ``growth_per_h: 0`` keeps a constant rate.
    """

    growth_per_h: float = Field(
        0.0,
        ge=0.0,
        le=100.0,
        description="Growth of the rate multiplier per hour at a site, 1/h (0 = constant; "
        "assumption C).",
    )
    max_factor: float = Field(
        10.0, ge=1.0, le=1000.0, description="Cap of the rate multiplier (assumption C)."
    )


class StateProbabilities(Model):
    """Probability, per launcher state, that a sighting shows the launcher's signature."""

    hidden: Probability = Field(1.0, description="At a site, idle (stowed, often under nets).")
    moving: Probability = Field(1.0, description="On the road, pod stowed.")
    setting_up: Probability = Field(1.0, description="Setting up / tearing down (pod moving).")
    firing: Probability = Field(1.0, description="Between salvos (pod raised, launch smoke).")
    reloading: Probability = Field(1.0, description="Reloading (pods and a reload vehicle).")


class Identification(Model):
    """Identification of a launcher among look-alike vehicles (``docs/model.md``).

    A sighting (an ISR detection; not a launch detection, whose plume is the
    signature) shows the launcher's *signature* with ``p_signature.<state>``:
    Red then knows it is a launcher. Otherwise the launcher is one of ``1 + N``
    vehicles that look alike in the ``view_km2`` around it, ``N`` Poisson with
    mean ``lookalikes_per_km2 * view_km2`` (by island or region, when given).
    Red strikes only if ``1 + N <= max_candidates``, and then strikes one of them
    at random: the launcher with probability ``1 / (1 + N)``, else a look-alike
    at a uniform point of the view disc (a strike on empty ground; it can
    still kill the launcher by chance within the lethal radius). Defaults:
    every sighting shows the signature (identification is certain).
    """

    p_signature: StateProbabilities = Field(
        default_factory=StateProbabilities,
        description="Probability that a sighting shows the launcher's signature, by state "
        "(1 = identification certain, the default; assumption C).",
    )
    lookalikes_per_km2: float = Field(
        0.0,
        ge=0.0,
        le=10_000.0,
        description="Vehicles per km2 that Red's sensor cannot tell from a launcher without its "
        "signature (military trucks, truck-mounted launchers, civilian heavy trucks), "
        "everywhere not named in lookalikes_per_km2_by_island (assumption C).",
    )
    lookalikes_per_km2_by_island: dict[str, Annotated[float, Field(ge=0.0, le=10_000.0)]] = Field(
        default_factory=dict,
        description="Look-alike vehicles per km2 by island id (or the abstract theatre's "
        "region id), overriding lookalikes_per_km2 there (assumption C).",
    )
    view_km2: float = Field(
        1.0,
        gt=0.0,
        le=100.0,
        description="Area around a sighting in which Red must pick the launcher out from "
        "look-alikes, km2: the ground a drone camera covers at a resolution that shows "
        "vehicles (assumption C).",
    )
    max_candidates: int = Field(
        1,
        ge=1,
        le=1000,
        description="Red strikes a sighting without signature only if at most this many "
        "look-alike vehicles, the launcher included, are in view, and then strikes one of "
        "them at random; 1 = only a lone vehicle, Red never guesses (doctrine; "
        "assumption C).",
    )


class ISR(Model):
    """Red intelligence, surveillance and reconnaissance."""

    detection_rate_per_h: StateRates = Field(
        default_factory=StateRates, description="Detection rates by launcher state (notional)."
    )
    concealment_effect: Literal["multiplicative", "none"] = Field(
        "multiplicative",
        description="'multiplicative': rate x (1 - site concealment); 'none': ignore "
        "concealment (idealised cases).",
    )
    p_detect_launch: Probability = Field(
        0.5, description="Probability that a salvo is detected (counter-battery cue)."
    )
    track_loss_rate_per_h: float = Field(
        0.0,
        ge=0.0,
        le=1000.0,
        description="Rate at which Red loses the track of a launcher detected on the road, "
        "per hour (mean track life 1/rate). A track held until the launcher stops cues a "
        "strike on where it stopped; a lost one on the last seen road point. 0 = tracks are "
        "never lost (assumption C).",
    )
    location_error_km: float = Field(
        0.0,
        ge=0.0,
        le=50.0,
        description="Standard deviation, per axis, of each missile's impact point about the "
        "aim point, km (circular normal location error; 0 = on the aim point; assumption C).",
    )
    dwell_hazard: DwellHazard = Field(
        default_factory=DwellHazard,
        description="Growth of the detection rate with time at a site (pattern of life).",
    )
    identification: Identification = Field(
        default_factory=Identification,
        description="Telling a launcher from look-alike vehicles (default: certain).",
    )


class KillChain(Model):
    """Delay from detection to the strike's arrival, by the cue that started it."""

    delay_h: Distribution = Field(
        default_factory=lambda: Lognormal(kind="lognormal", median=1.0, sigma=0.5),
        description="Detection-to-impact delay after an ISR detection at a site, hours (notional).",
    )
    launch_delay_h: Distribution | None = Field(
        None,
        description="Delay after a launch detection (counter-battery), hours; None = delay_h.",
    )
    track_delay_h: Distribution | None = Field(
        None,
        description="Delay after a road track ends (from the stop or the loss), hours; "
        "None = delay_h.",
    )


class GatewayStrikes(Model):
    """Red strikes that close airports and ports (civil gateways, lift nodes)."""

    enabled: bool = Field(False, description="Whether Red strikes gateways.")
    rate_per_day: float = Field(
        0.0, ge=0.0, le=1000.0, description="Poisson rate of gateway strikes per day."
    )
    repair_h: Distribution = Field(
        fixed(24.0), description="Time to reopen a struck gateway, hours."
    )
    targets: Literal["airports", "ports", "both"] = Field(
        "both", description="Which gateways are struck (uniformly among open ones in play)."
    )


class RevisitStrikes(Model):
    """Strikes on positions Red saw used before (pattern of life).

    A Poisson stream from ``strikes_start_h``: each strike goes to a position
    where Red saw a launcher (or a decoy it took for one) within ``memory_h``,
    chosen uniformly among them, whoever is there now. A strike on an empty
    position is wasted; a launcher that came back is struck.
    """

    rate_per_day: float = Field(
        0.0, ge=0.0, le=1000.0, description="Revisit strikes per day (0 = none; assumption C)."
    )
    memory_h: float = Field(
        72.0,
        gt=0.0,
        le=8760.0,
        description="How long Red remembers a position it saw used, hours (assumption C).",
    )


class Red(Model):
    """Red forces acting against Blue launchers and gateways."""

    isr: ISR = Field(default_factory=ISR, description="Detection processes.")
    kill_chain: KillChain = Field(default_factory=KillChain, description="Kill chain.")
    doctrine: Literal["per_site_first_detection", "per_detection"] = Field(
        "per_site_first_detection",
        description="'per_site_first_detection': one strike per stay of a launcher at a "
        "site, on its first detection (later detections of that stay are ignored); "
        "'per_detection': every detection triggers a strike.",
    )
    reattack_after_h: float | None = Field(
        None,
        ge=0.0,
        le=8760.0,
        description="Under 'per_site_first_detection', a detection of a launcher at least this "
        "many hours after Red's last strike on its stay cues a new strike (battle damage "
        "assessment saw it survive); None = one strike per stay (assumption C).",
    )
    tie_rule: Literal["launcher_escapes", "launcher_caught"] = Field(
        "launcher_escapes",
        description="A strike arriving at exactly the instant the launcher departs: "
        "'launcher_escapes' processes the departure first, 'launcher_caught' the strike.",
    )
    missiles_per_strike: int = Field(2, ge=1, le=1000, description="Missiles per strike.")
    p_kill: Probability = Field(
        0.7,
        description="Kill probability of each arriving missile against each launcher "
        "within lethal_radius_km of its impact.",
    )
    lethal_radius_km: float = Field(
        0.1,
        gt=0.0,
        le=50.0,
        description="Radius around a missile's impact within which it can kill a launcher or "
        "decoy, km (a unitary warhead against a vehicle; assumption C).",
    )
    p_false_claim: Probability = Field(
        0.0,
        description="Probability that Red believes a leaking strike that killed nothing (a "
        "decoy, an empty site, a road point) destroyed a launcher (assumption C).",
    )
    inventory: int = Field(
        1000, ge=0, le=10_000_000, description="Red missiles available (0 = no strikes)."
    )
    daily_capacity: int = Field(
        200, ge=0, le=1_000_000, description="Missiles Red can launch per day (rolling 24 h)."
    )
    strikes_start_h: float = Field(
        0.0,
        ge=0.0,
        le=8760.0,
        description="Red strikes nothing before this time; detections made earlier are "
        "not acted on.",
    )
    revisit_strikes: RevisitStrikes = Field(
        default_factory=RevisitStrikes,
        description="Strikes on positions Red saw used before (pattern of life).",
    )
    gateway_strikes: GatewayStrikes = Field(
        default_factory=GatewayStrikes, description="Strikes on airports and ports."
    )
