"""The Nansei gazetteer: islands, airports, ports, SDF camps, sea zones, evacuation plan.

Every figure carries its provenance as a :class:`Sourced` value: the value, the id of its source
in :attr:`Gazetteer.sources`, a confidence letter and, where published sources disagree, the
other values. Confidence ``A`` is an official or primary source, ``B`` press, a mirror or a
community database, ``C`` a compiler's estimate; C-grade figures are assumptions
(:attr:`Sourced.is_assumption`).

Airport positions are computed at load time as the midpoint of the end points of the airport's
longest open runway in the packaged OurAirports extract (``data/runways.csv``, public domain).

Units: positions in degrees (WGS84), areas in km², runway lengths in metres, radii and widths
in km, populations in people, evacuation capacities in people per day.

Examples
--------
>>> gaz = load_gazetteer()
>>> gaz.island("yonaguni").population.value
1676
>>> gaz.airport("ROYN").runway_m.value
2000.0
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import Any, Generic, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, computed_field, model_validator

# libyaml's parser (same safe constructor, several times faster) for the packaged data
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

__all__ = [
    "MAINLAND_IDS",
    "Airport",
    "Camp",
    "Disagreement",
    "EvacuationCapacity",
    "EvacuationPlan",
    "Gazetteer",
    "Island",
    "Port",
    "RunwayRecord",
    "SeaZone",
    "Source",
    "Sourced",
    "build_gazetteer",
    "load_gazetteer",
    "read_runways",
    "runway_midpoint",
]

T = TypeVar("T")
Confidence = Literal["A", "B", "C"]
#: Location ids that are not islands of the chain (destination gateways).
MAINLAND_IDS: tuple[str, ...] = ("kyushu",)
FT_TO_M = 0.3048

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class Source(BaseModel):
    """A published source: ``id`` is the key used by every :class:`Sourced` figure."""

    model_config = _FROZEN
    id: str
    title: str
    url: str | None = None


class Disagreement(BaseModel):
    """Another published value for a figure, with its source id."""

    model_config = _FROZEN
    value: Any
    source: str
    note: str | None = None


class Sourced(BaseModel, Generic[T]):
    """A figure with provenance.

    Attributes
    ----------
    value : T
        The chosen value (units given by the field that holds it).
    source : str
        Id of the source in :attr:`Gazetteer.sources`.
    confidence : {'A', 'B', 'C'}
        A official, B press/mirror/community database, C compiler's estimate.
    note : str or None
        Reasoning, derivation or caveat.
    disagreements : tuple of Disagreement
        Other published values, when sources disagree.
    """

    model_config = _FROZEN
    value: T
    source: str
    confidence: Confidence
    note: str | None = None
    disagreements: tuple[Disagreement, ...] = ()

    @property
    def is_assumption(self) -> bool:
        """True for C-grade figures, which the product must label as assumptions."""
        return self.confidence == "C"


LatLon = Sourced[tuple[float, float]]


class _Located(BaseModel):
    model_config = _FROZEN
    position: LatLon

    @computed_field  # type: ignore[prop-decorator]
    @property
    def lat(self) -> float:
        """Latitude, degrees."""
        return float(self.position.value[0])

    @computed_field  # type: ignore[prop-decorator]
    @property
    def lon(self) -> float:
        """Longitude, degrees."""
        return float(self.position.value[1])


class Island(_Located):
    """An inhabited island (or a small group modelled as one node).

    ``lat``/``lon`` are floats in degrees; ``area_km2`` (km²), ``population`` and ``tourists``
    (people) are :class:`Sourced`. ``shelter_in_place`` islands are not evacuated.
    """

    id: str
    name: str
    prefecture: str
    region: Literal["amami", "okinawa", "daito", "miyako", "yaeyama"]
    municipalities: tuple[str, ...]
    area_km2: Sourced[float]
    population: Sourced[int]
    tourists: Sourced[int]
    shelter_in_place: bool = False

    @property
    def density_per_km2(self) -> float:
        """Resident population density, people per km² (uniform-density assumption)."""
        return self.population.value / self.area_km2.value

    @property
    def sakishima(self) -> bool:
        """True for the Miyako and Yaeyama groups covered by the 2025 evacuation plan."""
        return self.region in ("miyako", "yaeyama")


class Airport(_Located):
    """An airport; ``position`` is the runway midpoint (or a C-grade fallback)."""

    icao: str
    name: str
    island: str
    role: Literal["island", "destination"] = "island"
    runway_m: Sourced[float]
    runway_ident: str | None = None
    ourairports_length_m: float | None = None


class Port(_Located):
    """A port; positions are approximate (C) points on or next to the harbour."""

    id: str
    name: str
    island: str
    role: Literal["island", "destination"] = "island"
    note: str | None = None
    note_source: str | None = None
    crane_lift_only: bool = False


class Camp(BaseModel):
    """A publicly reported SDF (or US) unit location, at island level only (no coordinates)."""

    model_config = _FROZEN
    id: str
    name: str
    island: str
    operator: str
    units: Sourced[str]


class SeaZone(_Located):
    """A notional abstract target zone at sea (a circle); not an installation."""

    id: str
    name: str
    radius_km: Sourced[float]
    width_km: Sourced[float] | None = None


class EvacuationCapacity(BaseModel):
    """Daily evacuation capacity of one island gateway and mode, people per day."""

    model_config = _FROZEN
    id: str
    island: str
    gateway: str
    mode: Literal["air", "sea"]
    destination: str
    per_day: Sourced[int]


class EvacuationPlan(BaseModel):
    """The Sakishima evacuation plan (Cabinet Secretariat, March 2025) and its capacities."""

    model_config = _FROZEN
    residents: Sourced[int]
    tourists: Sourced[int]
    total: Sourced[int]
    days: Sourced[int]
    per_day: Sourced[int]
    drill_max_per_day: Sourced[int]
    municipalities: Sourced[tuple[str, ...]]
    origin_gateways: Sourced[tuple[str, ...]]
    destination_gateways: Sourced[tuple[str, ...]]
    host_prefectures: dict[str, Sourced[int]]
    host_municipalities: Sourced[int]
    pairings: Sourced[dict[str, tuple[str, ...]]]
    staging: Sourced[dict[str, str]]
    shelter_in_place: Sourced[tuple[str, ...]]
    yonaguni_days: Sourced[int]
    capacities: tuple[EvacuationCapacity, ...]

    def host_total(self) -> int:
        """Sum of the host-prefecture allocations, people."""
        return sum(s.value for s in self.host_prefectures.values())

    def capacity_per_day(self, island: str, mode: Literal["air", "sea"] | None = None) -> int:
        """Total daily capacity out of ``island`` (optionally one mode), people per day."""
        return sum(
            c.per_day.value
            for c in self.capacities
            if c.island == island and (mode is None or c.mode == mode)
        )


_TABLES = ("islands", "airports", "ports", "camps", "sea_zones", "capacities")


class Gazetteer(BaseModel):
    """All geographic reference data, validated for internal consistency on construction."""

    model_config = _FROZEN
    schema_version: int
    sources: dict[str, Source]
    islands: tuple[Island, ...]
    airports: tuple[Airport, ...]
    ports: tuple[Port, ...]
    camps: tuple[Camp, ...]
    sea_zones: tuple[SeaZone, ...]
    evacuation_plan: EvacuationPlan

    # ---- lookups -------------------------------------------------------------------------
    @property
    def island_ids(self) -> tuple[str, ...]:
        return tuple(i.id for i in self.islands)

    def island(self, island_id: str) -> Island:
        """The island with id ``island_id``; KeyError lists the valid ids."""
        return _lookup(self.islands, "id", island_id, "island")

    def airport(self, icao: str) -> Airport:
        """The airport with ICAO code ``icao``; KeyError lists the valid codes."""
        return _lookup(self.airports, "icao", icao, "airport")

    def port(self, port_id: str) -> Port:
        """The port with id ``port_id``; KeyError lists the valid ids."""
        return _lookup(self.ports, "id", port_id, "port")

    def sea_zone(self, zone_id: str) -> SeaZone:
        """The sea zone with id ``zone_id``; KeyError lists the valid ids."""
        return _lookup(self.sea_zones, "id", zone_id, "sea zone")

    def gateway(self, gateway_id: str) -> Airport | Port:
        """An airport (by ICAO) or a port (by id)."""
        for a in self.airports:
            if a.icao == gateway_id:
                return a
        return self.port(gateway_id)

    def airports_on(self, island_id: str) -> tuple[Airport, ...]:
        return tuple(a for a in self.airports if a.island == island_id)

    def ports_on(self, island_id: str) -> tuple[Port, ...]:
        return tuple(p for p in self.ports if p.island == island_id)

    # ---- provenance ----------------------------------------------------------------------
    def iter_figures(self) -> Iterator[tuple[str, Sourced]]:
        """Yield ``(path, figure)`` for every :class:`Sourced` figure in the gazetteer."""
        yield from _walk(self, "")

    def assumptions(self) -> list[tuple[str, Sourced]]:
        """All C-grade figures, as ``(path, figure)``."""
        return [(p, f) for p, f in self.iter_figures() if f.is_assumption]

    def disagreements(self) -> list[tuple[str, Sourced]]:
        """All figures on which published sources disagree, as ``(path, figure)``."""
        return [(p, f) for p, f in self.iter_figures() if f.disagreements]

    # ---- dumps ---------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict of everything, including computed ``lat``/``lon``."""
        return self.model_dump(mode="json")

    def to_records(self, table: str) -> list[dict[str, Any]]:
        """Flat records for one table, for a data frame or CSV.

        Parameters
        ----------
        table : {'islands', 'airports', 'ports', 'camps', 'sea_zones', 'capacities'}

        Returns
        -------
        list of dict
            One dict per row. A figure ``f`` becomes the columns ``f``, ``f_source``,
            ``f_confidence`` and ``f_assumption``; positions become ``lat`` and ``lon``.
        """
        if table not in _TABLES:
            raise ValueError(f"unknown table {table!r}; expected one of {', '.join(_TABLES)}")
        rows = self.evacuation_plan.capacities if table == "capacities" else getattr(self, table)
        return [_flatten(r) for r in rows]

    # ---- validation ----------------------------------------------------------------------
    @model_validator(mode="after")
    def _check_references(self) -> Gazetteer:
        problems: list[str] = []
        for path, fig in self.iter_figures():
            for src in (fig.source, *(d.source for d in fig.disagreements)):
                if src not in self.sources:
                    problems.append(f"{path}: unknown source {src!r}")
        for key, src in self.sources.items():
            if key != src.id:
                problems.append(f"sources.{key}: id mismatch {src.id!r}")
        places = set(self.island_ids) | set(MAINLAND_IDS)
        for kind, rows in (("airports", self.airports), ("ports", self.ports)):
            for r in rows:
                if r.island not in places:
                    problems.append(f"{kind}.{r.name}: unknown island {r.island!r}")
        for c in self.camps:
            if c.island not in self.island_ids:
                problems.append(f"camps.{c.id}: unknown island {c.island!r}")
        for kind, rows, key in (
            ("islands", self.islands, "id"),
            ("airports", self.airports, "icao"),
            ("ports", self.ports, "id"),
            ("camps", self.camps, "id"),
            ("sea_zones", self.sea_zones, "id"),
        ):
            ids = [getattr(r, key) for r in rows]
            if len(ids) != len(set(ids)):
                problems.append(f"{kind}: duplicate ids")
        gateways = {a.icao: a.island for a in self.airports} | {p.id: p.island for p in self.ports}
        plan = self.evacuation_plan
        for g in (*plan.origin_gateways.value, *plan.destination_gateways.value):
            if g not in gateways:
                problems.append(f"evacuation_plan: unknown gateway {g!r}")
        for c in plan.capacities:
            if gateways.get(c.gateway) != c.island:
                problems.append(
                    f"evacuation_plan.capacities.{c.id}: "
                    f"gateway {c.gateway!r} is not on {c.island!r}"
                )
            if c.destination not in places:
                problems.append(f"evacuation_plan.capacities.{c.id}: bad destination")
        for a, b in plan.staging.value.items():
            if a not in self.island_ids or b not in self.island_ids:
                problems.append(f"evacuation_plan.staging: unknown island in {a!r} -> {b!r}")
        for muni, prefs in plan.pairings.value.items():
            for p in prefs:
                if p not in plan.host_prefectures:
                    problems.append(f"evacuation_plan.pairings.{muni}: unknown prefecture {p!r}")
        for i in plan.shelter_in_place.value:
            if i not in self.island_ids:
                problems.append(f"evacuation_plan.shelter_in_place: unknown island {i!r}")
        if problems:
            raise ValueError("inconsistent gazetteer:\n  " + "\n  ".join(problems))
        return self


def _lookup(rows, key: str, value: str, what: str):
    for r in rows:
        if getattr(r, key) == value:
            return r
    valid = ", ".join(getattr(r, key) for r in rows)
    raise KeyError(f"unknown {what} {value!r}; valid: {valid}")


def _walk(obj: Any, path: str) -> Iterator[tuple[str, Sourced]]:
    if isinstance(obj, Sourced):
        yield path, obj
    elif isinstance(obj, BaseModel):
        name = getattr(obj, "id", None) or getattr(obj, "icao", None)
        for field in type(obj).model_fields:
            sub = f"{path}.{field}" if path else field
            if name is not None:
                sub = f"{path}[{name}].{field}"
            yield from _walk(getattr(obj, field), sub)
    elif isinstance(obj, dict):
        for k, v in obj.items():
            if isinstance(v, (BaseModel, dict, tuple)):
                yield from _walk(v, f"{path}.{k}")
    elif isinstance(obj, tuple):
        for v in obj:
            if isinstance(v, BaseModel):
                yield from _walk(v, path)


def _flatten(row: BaseModel) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field in type(row).model_fields:
        v = getattr(row, field)
        if field == "position":
            out["lat"], out["lon"] = float(v.value[0]), float(v.value[1])
            out["position_source"] = v.source
            out["position_confidence"] = v.confidence
            out["position_assumption"] = v.is_assumption
        elif isinstance(v, Sourced):
            out[field] = v.value
            out[f"{field}_source"] = v.source
            out[f"{field}_confidence"] = v.confidence
            out[f"{field}_assumption"] = v.is_assumption
        elif isinstance(v, tuple):
            out[field] = "; ".join(map(str, v))
        else:
            out[field] = v
    return out


# ---- runways (OurAirports) ---------------------------------------------------------------
class RunwayRecord(BaseModel):
    """One OurAirports runway row: length in metres, end points in degrees (None if absent)."""

    model_config = _FROZEN
    icao: str
    ident: str
    length_m: float
    closed: bool
    le_lat: float | None
    le_lon: float | None
    he_lat: float | None
    he_lon: float | None

    @property
    def has_ends(self) -> bool:
        return None not in (self.le_lat, self.le_lon, self.he_lat, self.he_lon)


def _opt_float(text: str) -> float | None:
    text = text.strip()
    return float(text) if text else None


def read_runways(text: str | None = None) -> tuple[RunwayRecord, ...]:
    """Parse an OurAirports ``runways.csv`` (``#`` lines are comments).

    Parameters
    ----------
    text : str, optional
        CSV text; defaults to the packaged ``nansei/geo/data/runways.csv``.
    """
    if text is None:
        text = _data_text("runways.csv")
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    out = []
    for row in csv.DictReader(io.StringIO("\n".join(lines))):
        out.append(
            RunwayRecord(
                icao=row["airport_ident"],
                ident=f"{row['le_ident']}/{row['he_ident']}",
                length_m=float(row["length_ft"]) * FT_TO_M,
                closed=row["closed"].strip() == "1",
                le_lat=_opt_float(row["le_latitude_deg"]),
                le_lon=_opt_float(row["le_longitude_deg"]),
                he_lat=_opt_float(row["he_latitude_deg"]),
                he_lon=_opt_float(row["he_longitude_deg"]),
            )
        )
    return tuple(out)


def _primary_runway(runways: tuple[RunwayRecord, ...], icao: str) -> RunwayRecord | None:
    """Longest open runway of ``icao`` (first in file on ties), or None."""
    best = None
    for r in runways:
        if r.icao == icao and not r.closed and (best is None or r.length_m > best.length_m):
            best = r
    return best


def runway_midpoint(
    icao: str, runways: tuple[RunwayRecord, ...] | None = None
) -> tuple[float, float] | None:
    """Midpoint (lat, lon), degrees, of the primary runway's end points; None if unknown.

    The primary runway is the longest open one. The midpoint is the arithmetic mean of the
    end coordinates (for runways of a few km this is within centimetres of the geodesic
    midpoint).
    """
    r = _primary_runway(read_runways() if runways is None else runways, icao)
    if r is None or not r.has_ends:
        return None
    return ((r.le_lat + r.he_lat) / 2.0, (r.le_lon + r.he_lon) / 2.0)


# ---- loading -----------------------------------------------------------------------------
def _data_text(name: str) -> str:
    return (resources.files("nansei.geo") / "data" / name).read_text(encoding="utf-8")


def build_gazetteer(raw: dict[str, Any], runways: tuple[RunwayRecord, ...]) -> Gazetteer:
    """Build and validate a :class:`Gazetteer` from parsed YAML and runway records.

    Airport positions are computed here from ``runways``; an airport may carry its own
    ``position`` only if its primary runway has no end coordinates.

    Raises
    ------
    ValueError
        On any schema error or inconsistency (the message names the field).
    """
    data = dict(raw)
    data["sources"] = {k: {"id": k, **v} for k, v in raw["sources"].items()}
    airports = []
    for a in raw["airports"]:
        a = dict(a)
        rwy = _primary_runway(runways, a["icao"])
        mid = runway_midpoint(a["icao"], runways)
        if rwy is not None:
            a["ourairports_length_m"] = round(rwy.length_m, 1)
            a["runway_ident"] = rwy.ident
        if mid is not None:
            if "position" in a:
                raise ValueError(
                    f"airports.{a['icao']}: position is computed from runways.csv; remove it"
                )
            a["position"] = {
                "value": [round(mid[0], 6), round(mid[1], 6)],
                "source": "ourairports",
                "confidence": "B",
                "note": f"midpoint of runway {rwy.ident} end points (OurAirports, public domain)",
            }
        elif "position" not in a:
            raise ValueError(f"airports.{a['icao']}: no runway end coordinates and no position")
        airports.append(a)
    data["airports"] = airports
    data["evacuation_plan"] = data.pop("evacuation_plan_2025")
    return Gazetteer.model_validate(data)


@cache
def load_gazetteer() -> Gazetteer:
    """Load the packaged gazetteer (cached; the returned object is immutable)."""
    raw = yaml.load(_data_text("gazetteer.yaml"), Loader=_SAFE_LOADER)
    return build_gazetteer(raw, read_runways())
