"""Geography: which islands are in play and where launchers may set up.

Islands and built-in candidate sites come from the project gazetteer
(:mod:`nansei.geo.gazetteer`, :mod:`nansei.geo.sites`); custom sites can be
added inline. Cross-checks against the gazetteer and the coastlines (island
ids exist, sites lie on land) run when the whole scenario is validated.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from ._base import Ident, Model, Probability, fail

__all__ = [
    "AbstractTheatre",
    "GazetteerTheatre",
    "GeneratedSites",
    "Geography",
    "Site",
    "SiteSelection",
]


#: Bounds of a site's latitude and longitude, degrees (WGS 84): the scenario's map box. A
#: user's gazetteer file must place its islands and candidate sites inside it.
SITE_LAT = (20.0, 35.0)
SITE_LON = (120.0, 135.0)


class Site(Model):
    """A candidate launcher site (a place a launcher can hide and fire from).

    Built-in sites come from :func:`nansei.geo.sites.load_sites`; a custom site
    is written inline in ``geography.sites.custom``.
    """

    id: Ident = Field(description="Unique site id (must not clash with built-in site ids).")
    island: str = Field(description="Gazetteer island id the site lies on, e.g. 'ishigaki'.")
    lat: float = Field(
        ge=SITE_LAT[0], le=SITE_LAT[1], description="Latitude, decimal degrees (WGS 84)."
    )
    lon: float = Field(
        ge=SITE_LON[0], le=SITE_LON[1], description="Longitude, decimal degrees (WGS 84)."
    )
    concealment: float = Field(
        0.5,
        ge=0.0,
        le=1.0,
        description=(
            "Fraction of Red detection suppressed at this site: the detection rate is "
            "multiplied by (1 - concealment) when red.isr.concealment_effect is "
            "'multiplicative'."
        ),
    )
    access: Literal["road", "airport", "port"] = Field(
        "road",
        description="How the site is reached: 'road' (on-island only), or co-located "
        "with an 'airport' or 'port' usable for inter-island lift.",
    )
    residents_in_hazard_radius: int | None = Field(
        None,
        ge=0,
        le=2_000_000,
        description="Residents within geography.hazard_radius_km of the site; None = derive "
        "from the island's mean population density.",
    )
    decoy: bool = Field(
        False, description="If true the site holds a decoy only and never a launcher."
    )


class GeneratedSites(Model):
    """Generated notional launcher positions inside each island's land polygon.

    Generic points spread evenly (an unscrambled Halton sequence filtered by the packaged
    GSHHG land polygon, each at least 0.5 km inland and spaced apart), on every island in
    play; see :func:`nansei.geo.positions.generate_positions`. They are never real
    installations, and every figure here is an assumption (confidence C). Ids are
    ``<island id>-g<n>``, e.g. ``ishigaki-g3``. Access and residents within the hazard
    radius are derived exactly as for the built-in sites.
    """

    per_km2: float = Field(
        0.1,
        gt=0.0,
        le=5.0,
        description="Assumption (C): generated positions per km² of island land area "
        "(gazetteer area), before the per-island bounds; unit 1/km². The count on an "
        "island is round(per_km2 × area) clipped to [min_per_island, max_per_island].",
    )
    min_per_island: int = Field(
        4,
        ge=1,
        le=120,
        description="Assumption (C): least number of generated positions on each island "
        "in play, so that small islands still get a few; count.",
    )
    max_per_island: int = Field(
        60,
        ge=1,
        le=120,
        description="Assumption (C): greatest number of generated positions on each island "
        "in play; count (>= min_per_island).",
    )
    concealment: Literal["island_mean"] | Probability = Field(
        "island_mean",
        description="Assumption (C): concealment in [0, 1] of every generated position, or "
        "'island_mean' for the mean concealment of the island's built-in sites (0.5 on an "
        "island without built-in sites).",
    )

    @model_validator(mode="after")
    def _bounds(self) -> GeneratedSites:
        if self.min_per_island > self.max_per_island:
            fail(
                ("min_per_island",),
                f"min_per_island ({self.min_per_island}) must be <= max_per_island "
                f"({self.max_per_island})",
                value=self.min_per_island,
                allowed=f"1..{self.max_per_island}",
            )
        return self


class SiteSelection(Model):
    """Which candidate sites exist: built-in ones, generated ones and custom ones."""

    builtin: Literal["all", "none"] | list[Ident] = Field(
        "all",
        description="Built-in candidate sites to use: 'all', 'none', or a list of site ids. "
        "With 'all', built-in sites on islands not in geography.islands are dropped.",
    )
    generated: GeneratedSites | None = Field(
        None,
        description="Generated notional positions on every island in play (assumption, "
        "C), or null for none. They follow the built-in sites and precede the custom ones.",
    )
    custom: list[Site] = Field(
        default_factory=list,
        max_length=2000,
        description="Additional sites defined inline.",
    )

    @model_validator(mode="after")
    def _unique(self) -> SiteSelection:
        seen: set[str] = set()
        for i, site in enumerate(self.custom):
            if site.id in seen:
                fail(("custom", i, "id"), f"duplicate site id '{site.id}'", value=site.id)
            seen.add(site.id)
        if isinstance(self.builtin, list):
            dup = {s for s in self.builtin if self.builtin.count(s) > 1}
            if dup:
                fail(("builtin",), f"duplicate built-in site ids: {', '.join(sorted(dup))}")
        return self


class AbstractTheatre(Model):
    """An abstract land theatre: generated positions behind a straight front line.

    For a front such as Ukraine's, with no real place: one region (its ``id`` plays the
    part of an island), ``positions`` generic points spread evenly over a rectangle
    ``width_km`` along the front and ``min_depth_km`` to ``depth_km`` behind it
    (:mod:`nansei.geo.theatre`), one target zone ``front`` on Red's side, and Red's ISR
    covering the positions within ``isr_depth_km`` of the front. Moves are by road inside
    the region (no lift). Civil protection, built-in sites and sea zones do not apply.
    Every figure is an assumption (C) unless the scenario cites a source.
    """

    kind: Literal["abstract"] = Field(description="'abstract' (the only kind so far).")
    id: Ident = Field(description="Region id (used where an island id is, e.g. by depots).")
    name: str = Field("", max_length=200, description="Human-readable name.")
    width_km: float = Field(gt=0.0, le=2000.0, description="Length of the front, km.")
    depth_km: float = Field(
        gt=0.0, le=1000.0, description="Deepest position behind the front line, km."
    )
    min_depth_km: float = Field(
        0.0, ge=0.0, le=1000.0, description="Nearest position to the front line, km (< depth_km)."
    )
    positions: int = Field(
        ge=1, le=2000, description="Generated positions (hides and firing positions), count."
    )
    concealment: Probability = Field(
        0.5, description="Concealment of every position in [0, 1] (as Site.concealment)."
    )
    residents_per_km2: float = Field(
        0.0,
        ge=0.0,
        le=20_000.0,
        description="Residents per km² around positions (exposure and casualty proxy), "
        "persons/km².",
    )
    targets_beyond_km: float = Field(
        15.0,
        ge=0.0,
        le=1000.0,
        description="Depth of Red's targets behind the front line on Red's side, km: a "
        "munition reaches the zone 'front' from a position at depth d when d + "
        "targets_beyond_km <= its range.",
    )
    isr_depth_km: float = Field(
        1000.0,
        gt=0.0,
        le=2000.0,
        description="Depth behind the front line that Red's persistent ISR (drones) covers, "
        "km; positions deeper are seen at isr_beyond_factor times the detection rates.",
    )
    isr_beyond_factor: Probability = Field(
        1.0,
        description="Factor in [0, 1] on Red's detection rates of a launcher or decoy at a "
        "position deeper than isr_depth_km, hide or firing point (1: no difference); on the "
        "road, the mean of the factors at the two ends of the move. Launch detection is not "
        "affected.",
    )

    @model_validator(mode="after")
    def _depths(self) -> AbstractTheatre:
        if self.min_depth_km >= self.depth_km:
            fail(
                ("min_depth_km",),
                f"min_depth_km ({self.min_depth_km}) must be < depth_km ({self.depth_km})",
                value=self.min_depth_km,
                allowed=f"0 .. < {self.depth_km}",
            )
        return self


class GazetteerTheatre(Model):
    """A user's own gazetteer file: islands, airports, ports, sea zones, coastlines and
    candidate sites, with the schema and the validation of the built-in Nansei gazetteer
    (see docs/scenario-reference.md, "Your own gazetteer"). Islands, sites, sea zones,
    lift and civil protection then refer to its ids. No real installations.
    """

    kind: Literal["gazetteer"] = Field(description="'gazetteer' (a user's gazetteer file).")
    file: str = Field(
        min_length=1,
        max_length=4096,
        description="Path of the gazetteer YAML file; a relative path resolves against the "
        "scenario file's folder (the working folder for scenario text). Stored absolute.",
    )

    @field_validator("file")
    @classmethod
    def _absolute(cls, v: str, info: ValidationInfo) -> str:
        ctx = info.context or {}
        p = Path(v).expanduser()
        if not p.is_absolute():
            base = ctx.get("base_dir")
            p = (Path(base) if base else Path.cwd()) / p
        p = p.resolve()
        root = ctx.get("files_under")  # the web workbench: only its own gazetteers folder
        if root is not None and not p.is_relative_to(Path(root).resolve()):
            raise ValueError(f"a gazetteer file must lie in {root}")
        return str(p)


class Geography(Model):
    """The islands and sites in play."""

    theatre: (
        Literal["nansei"]
        | Annotated[AbstractTheatre | GazetteerTheatre, Field(discriminator="kind")]
    ) = Field(
        "nansei",
        description="'nansei' (the built-in gazetteer of the Nansei Islands), an abstract "
        "theatre (a region of generated positions behind a front line) or a user's own "
        "gazetteer file ({kind: gazetteer, file: PATH}). With an abstract theatre, islands, "
        "sites and the built-in sea zones are not used; with a gazetteer file, they are "
        "that file's.",
    )
    islands: Literal["all"] | list[str] = Field(
        "all",
        description="Gazetteer island ids in play, or 'all'. Sites on other islands are "
        "not used and civil measures apply only to these islands.",
    )
    sites: SiteSelection = Field(
        default_factory=SiteSelection, description="Candidate launcher sites."
    )
    hazard_radius_km: float = Field(
        2.0,
        gt=0.0,
        le=50.0,
        description="Radius around an occupied or struck site within which residents count "
        "as exposed (person-hours) and as at risk from a strike.",
    )

    @model_validator(mode="after")
    def _islands_nonempty(self) -> Geography:
        if isinstance(self.islands, list):
            if not self.islands:
                fail(("islands",), "list of islands is empty; use 'all' or name islands")
            dup = {s for s in self.islands if self.islands.count(s) > 1}
            if dup:
                fail(("islands",), f"duplicate island ids: {', '.join(sorted(dup))}")
        return self
