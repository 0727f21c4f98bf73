"""Blue: relocating HIMARS launchers, their munitions, lift, decoys and fires.

Each launcher of a :class:`LauncherGroup` is simulated individually: it cycles
through the states hidden → setting_up → firing → reloading → (teardown) →
moving, under the :class:`Relocation` policy. Figures without a public source
are notional defaults (confidence C) and built-in scenarios list them as
assumptions.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from ._base import Count, Ident, Model, Probability, fail, fail_many, problem
from .distributions import Distribution, fixed
from .lift import Lift
from .munitions import DEFAULT_MUNITIONS, Munition

__all__ = ["MIN_CYCLE_H", "AirDefence", "Blue", "Decoys", "Fires", "LauncherGroup", "Relocation"]

#: Shortest mean time from a launcher's arrival at a site to its next departure (h): one
#: minute. A shorter cycle (``dwell_h: 0`` with ``teardown_h: 0``) would repeat at one
#: instant for ever; validation refuses it, and the kernel's event cap stops what slips by.
MIN_CYCLE_H = 1.0 / 60.0

SiteChoice = Literal["random", "nearest_free", "least_recently_used", "farthest"]


class LauncherGroup(Model):
    """A group of identical launchers (e.g. one battery), each moving independently."""

    id: Ident = Field(description="Unique group id, e.g. 'btry-a'.")
    count: int = Field(1, ge=1, le=500, description="Number of launchers in the group.")
    kind: Literal["HIMARS"] = Field("HIMARS", description="Launcher type.")
    crew: int = Field(3, ge=1, le=20, description="Crew per launcher (DVIDS: 3).")
    road_speed_kmh: float = Field(
        40.0, gt=0.0, le=120.0, description="Mean road speed in km/h (assumption C)."
    )
    setup_h: Distribution = Field(
        fixed(0.25),
        description="Time from arrival at a site to ready to fire, hours (C; ~15 min claim).",
    )
    teardown_h: Distribution = Field(
        fixed(0.25), description="Time to pack up before moving, hours (C)."
    )
    reload_h: Distribution = Field(
        fixed(0.5), description="Time to swap in a new pod from reload stock, hours (C)."
    )
    pods_carried: dict[Ident, Count] = Field(
        default_factory=lambda: {"GMLRS": 1},
        description="Pods loaded on each launcher at start, by munition id (HIMARS: 1 pod).",
    )
    reload_pods: dict[Ident, Count] = Field(
        default_factory=lambda: {"GMLRS": 2},
        description="Reload pods held with each launcher (moving with it), by munition id.",
    )
    fuel_capacity_l: float = Field(
        300.0, gt=0.0, le=10_000.0, description="Fuel tank capacity per launcher, litres (C)."
    )
    fuel_idle_l_per_h: float = Field(
        0.5,
        ge=0.0,
        le=200.0,
        description="Fuel burned per hour at a site, around the clock (auxiliary power while "
        "hidden), litres (C).",
    )
    fuel_active_l_per_h: float = Field(
        10.0,
        ge=0.0,
        le=500.0,
        description="Fuel burned per hour, on top of fuel_idle_l_per_h, while setting up, "
        "firing, reloading or tearing down (engine running), litres (C).",
    )
    fuel_move_l_per_km: float = Field(
        0.5, ge=0.0, le=20.0, description="Fuel burned per km driven, litres (C)."
    )
    arrive_h: float = Field(
        0.0,
        ge=0.0,
        le=87_600.0,
        description="Time the group's launchers enter the theatre, hours from t = 0 (0: "
        "present from the start). Before it they are absent: not detectable, not "
        "struck, not counted in launcher-hours (a reinforcement schedule).",
    )
    withdraw_h: float | None = Field(
        None,
        gt=0.0,
        le=87_600.0,
        description="Time the group's surviving launchers leave the theatre, hours from "
        "t = 0 (> arrive_h), or null to stay to the horizon. Pending strikes then find "
        "nothing; launchers_withdrawn counts them.",
    )
    start_sites: Literal["auto"] | list[Ident] = Field(
        "auto",
        description="Initial sites: 'auto' (distinct free sites drawn by the engine) or a "
        "list of site ids; launcher i starts at start_sites[i mod len].",
    )

    @model_validator(mode="after")
    def _pods(self) -> LauncherGroup:
        probs = []
        if self.withdraw_h is not None and self.withdraw_h <= self.arrive_h:
            probs.append(
                problem(
                    ("withdraw_h",),
                    f"withdraw_h ({self.withdraw_h}) must be later than arrive_h ({self.arrive_h})",
                    value=self.withdraw_h,
                    allowed=f"> {self.arrive_h}, or null",
                )
            )
        if sum(self.pods_carried.values()) > 1:
            probs.append(
                problem(
                    ("pods_carried",),
                    "a HIMARS carries at most 1 pod; hold spares in reload_pods",
                    value=dict(self.pods_carried),
                )
            )
        fail_many(probs)
        return self


class Relocation(Model):
    """When and where launchers move ("shoot and scoot")."""

    dwell_h: Distribution = Field(
        fixed(4.0),
        description="Time a launcher stays at a site before moving, hours (from arrival).",
    )
    scoot_after_salvos: int | None = Field(
        None,
        ge=1,
        le=1000,
        description="Move after this many salvos at one site (None = only dwell_h applies).",
    )
    scoot_delay_h: float = Field(
        0.1,
        ge=0.0,
        le=24.0,
        description="Time from the last salvo to departure, hours (L in the closed forms).",
    )
    site_choice: SiteChoice = Field(
        "random",
        description="Next site: 'random' free site, 'nearest_free', 'least_recently_used' "
        "or 'farthest' free site on the same island (or the destination island; any island "
        "in play for fixed moves).",
    )
    move_time: Literal["road", "fixed"] = Field(
        "road",
        description="'road': geodesic distance x road_detour_factor / road_speed_kmh on the "
        "island (lift between islands); 'fixed': every move takes fixed_move_h and may go to "
        "any free site in play, without lift, out of reach of strikes (idealised cases).",
    )
    fixed_move_h: float | None = Field(
        None, ge=0.0, le=240.0, description="Move time, hours; required when move_time='fixed'."
    )
    road_detour_factor: float = Field(
        1.3, ge=1.0, le=5.0, description="Road distance / geodesic distance (assumption C)."
    )
    inter_island_move_prob: Probability = Field(
        0.0,
        description="Probability that a relocation goes to another island by air or sea lift. "
        "A road move that finds no free site on its island also goes by lift, if any.",
    )
    fire_from: Literal["site", "firing_point"] = Field(
        "site",
        description="'site': a launcher fires from the site where it waits; 'firing_point': "
        "it waits concealed at a hide, drives to a firing point to fire (so a salvo reveals "
        "the firing point, not the hide), and then moves to a different hide, where it "
        "reloads.",
    )
    firing_point_km: float = Field(
        5.0,
        gt=0.0,
        le=1000.0,
        description="Firing points are free sites within this distance of the hide (road km "
        "on the island; straight line for fixed moves), km (assumption C).",
    )
    firing_point_max_h: float = Field(
        0.5,
        gt=0.0,
        le=48.0,
        description="Longest wait at a firing point, from the end of set-up, before the "
        "launcher leaves for a hide without firing, hours (assumption C).",
    )
    firing_point_concealment: Probability = Field(
        0.0,
        description="Concealment of a launcher at a firing point, in place of the site's, "
        "[0, 1] (0 = open ground; assumption C).",
    )
    hide_concealment: Probability | None = Field(
        None,
        description="With fire_from 'firing_point': concealment of a launcher waiting at a "
        "hide, in place of the site's, [0, 1] (None = the site's own; assumption C).",
    )
    site_memory_h: float = Field(
        0.0,
        ge=0.0,
        le=8760.0,
        description="Blue does not move to a site it fired from, or saw struck, within this "
        "many hours (0 = no memory; assumption C).",
    )

    @model_validator(mode="after")
    def _fixed(self) -> Relocation:
        if self.move_time == "fixed" and self.fixed_move_h is None:
            fail(("fixed_move_h",), "required when move_time is 'fixed'")
        return self


class Decoys(Model):
    """Decoy launchers placed on free candidate sites.

    Red detects a decoy like a hidden launcher (with the decoy's concealment),
    cannot tell it apart unless it identifies it, and strikes it: those
    missiles count as wasted.
    """

    count_per_island: int = Field(
        0, ge=0, le=200, description="Decoys on each island that has launchers at start."
    )
    concealment: Probability = Field(0.3, description="Concealment of a decoy, [0, 1].")
    p_identify: Probability = Field(
        0.0, description="Probability Red identifies a detected decoy and does not strike it."
    )
    destroyed_when_struck: bool = Field(
        True, description="A struck decoy is removed (else it keeps attracting strikes)."
    )


class Fires(Model):
    """Blue fire missions against targets in sea zones within range."""

    salvo_interval_h: float = Field(
        0.25, gt=0.0, le=48.0, description="Time between salvos of one launcher, hours (Δ)."
    )
    salvo_duration_h: float = Field(
        1.0 / 60.0,
        ge=0.0,
        le=1.0,
        description="Time a salvo takes (the 'firing' state), hours (1 min; assumption C).",
    )
    rounds_per_salvo: int = Field(2, ge=1, le=100, description="Rounds fired per salvo.")
    munition_preference: list[Ident] = Field(
        default_factory=list,
        description="Munition ids in order of preference; empty = shortest range that reaches.",
    )
    max_salvos_per_target: int = Field(
        2, ge=1, le=10_000, description="Salvos fired at one target before it is dropped."
    )


class AirDefence(Model):
    """Blue air defence against Red strike missiles."""

    p_intercept: Probability = Field(
        0.0, description="Probability that each Red missile is intercepted, [0, 1]."
    )
    provider: Literal["us", "sdf"] = Field(
        "us",
        description="Who intercepts: 'sdf' interception needs the sdf_use_of_force authority.",
    )


def _default_munitions() -> list[Munition]:
    return list(DEFAULT_MUNITIONS)


class Blue(Model):
    """All Blue (US Marine Littoral Regiment) forces and policies."""

    launchers: list[LauncherGroup] = Field(
        default_factory=list,
        max_length=100,
        description="Launcher groups. May be empty only in a civil-only scenario.",
    )
    munitions: list[Munition] = Field(
        default_factory=_default_munitions,
        min_length=1,
        max_length=50,
        description="Munition types (default: GMLRS, ER-GMLRS, ATACMS, PrSM).",
    )
    relocation: Relocation = Field(default_factory=Relocation, description="Relocation policy.")
    lift: Lift = Field(default_factory=Lift, description="Inter-island lift.")
    decoys: Decoys = Field(default_factory=Decoys, description="Decoys.")
    fires: Fires = Field(default_factory=Fires, description="Fire missions.")
    air_defence: AirDefence = Field(default_factory=AirDefence, description="Air defence.")

    def munition_ids(self) -> list[str]:
        """Return the munition ids in declaration order."""
        return [m.id for m in self.munitions]

    def total_launchers(self) -> int:
        """Return the total number of launchers over all groups."""
        return sum(g.count for g in self.launchers)

    @model_validator(mode="after")
    def _refs(self) -> Blue:
        probs = []
        mids = self.munition_ids()
        for i, m in enumerate(self.munitions):
            if mids.count(m.id) > 1 and mids.index(m.id) != i:
                probs.append(problem(("munitions", i, "id"), f"duplicate munition id '{m.id}'"))
        gids = [g.id for g in self.launchers]
        for i, g in enumerate(self.launchers):
            if gids.count(g.id) > 1 and gids.index(g.id) != i:
                probs.append(problem(("launchers", i, "id"), f"duplicate launcher id '{g.id}'"))
            for name in ("pods_carried", "reload_pods"):
                for k in getattr(g, name):
                    if k not in mids:
                        probs.append(
                            problem(
                                ("launchers", i, name, k),
                                f"unknown munition '{k}'",
                                allowed=mids,
                            )
                        )
        for j, k in enumerate(self.fires.munition_preference):
            if k not in mids:
                probs.append(
                    problem(
                        ("fires", "munition_preference", j),
                        f"unknown munition '{k}'",
                        value=k,
                        allowed=mids,
                    )
                )
        dwell = self.relocation.dwell_h.mean()
        for i, g in enumerate(self.launchers):
            cycle = dwell + g.teardown_h.mean()
            if cycle < MIN_CYCLE_H:
                probs.append(
                    problem(
                        ("relocation", "dwell_h"),
                        f"a launcher of group '{g.id}' would leave a site {cycle:g} h after "
                        f"arriving (dwell_h mean + launchers[{i}].teardown_h mean): a cycle "
                        "this short never lets the simulation advance",
                        value=dwell,
                        allowed=f"dwell_h + teardown_h of at least {MIN_CYCLE_H * 60:g} min "
                        "on average",
                    )
                )
        if self.total_launchers() > 1000:
            probs.append(
                problem(
                    ("launchers",),
                    f"too many launchers: {self.total_launchers()} in total (limit 1000)",
                )
            )
        fail_many(probs)
        return self
