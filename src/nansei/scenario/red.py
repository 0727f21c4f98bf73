"""Red: ISR detection, the kill chain, strike doctrine and strikes on gateways.

A launcher in state ``s`` at a site with concealment ``c`` is detected as a
Poisson process of rate ``isr.detection_rate_per_h.<s> * (1 - c)`` (with
``concealment_effect: multiplicative``; ``none`` ignores concealment). Each
salvo is detected with probability ``isr.p_detect_launch``. A detection
starts a kill chain of duration ``kill_chain.delay_h``; the strike then hits
the detected *site*, whoever is there. Each of ``missiles_per_strike``
missiles is intercepted with ``blue.air_defence.p_intercept`` and otherwise
kills the launcher with ``p_kill``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ._base import Model, Probability
from .distributions import Distribution, Lognormal, fixed

__all__ = ["ISR", "GatewayStrikes", "KillChain", "Red", "StateRates"]


class StateRates(Model):
    """Detection rate per hour in each launcher state, before concealment."""

    hidden: float = Field(0.05, ge=0.0, le=1000.0, description="At a site, idle, per hour.")
    moving: float = Field(0.2, ge=0.0, le=1000.0, description="On the road, per hour.")
    setting_up: float = Field(0.1, ge=0.0, le=1000.0, description="Setting up/tearing down.")
    firing: float = Field(
        0.1, ge=0.0, le=1000.0, description="Between salvos (launch flashes: p_detect_launch)."
    )
    reloading: float = Field(0.1, ge=0.0, le=1000.0, description="Reloading a pod, per hour.")


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


class KillChain(Model):
    """Delay from detection to the strike's arrival."""

    delay_h: Distribution = Field(
        default_factory=lambda: Lognormal(kind="lognormal", median=1.0, sigma=0.5),
        description="Detection-to-impact delay, hours (notional).",
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


class Red(Model):
    """Red forces acting against Blue launchers and gateways."""

    isr: ISR = Field(default_factory=ISR, description="Detection processes.")
    kill_chain: KillChain = Field(default_factory=KillChain, description="Kill chain.")
    doctrine: Literal["per_site_first_detection", "per_detection"] = Field(
        "per_site_first_detection",
        description="'per_site_first_detection': one strike per site, on its first "
        "detection (later detections of a struck or pending site are ignored); "
        "'per_detection': every detection triggers a strike.",
    )
    tie_rule: Literal["launcher_escapes", "launcher_caught"] = Field(
        "launcher_escapes",
        description="A strike arriving at exactly the instant the launcher departs: "
        "'launcher_escapes' processes the departure first, 'launcher_caught' the strike.",
    )
    missiles_per_strike: int = Field(2, ge=1, le=1000, description="Missiles per strike.")
    p_kill: Probability = Field(0.7, description="Kill probability of each arriving missile.")
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
    gateway_strikes: GatewayStrikes = Field(
        default_factory=GatewayStrikes, description="Strikes on airports and ports."
    )
