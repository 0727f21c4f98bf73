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
import hashlib
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field as dc_field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, computed_field, model_validator

__all__ = [
    "BUILTIN_FILE",
    "COMPANION_KEYS",
    "MAINLAND_IDS",
    "Airport",
    "Camp",
    "Disagreement",
    "EvacuationCapacity",
    "EvacuationPlan",
    "Gazetteer",
    "GazetteerError",
    "GazetteerFile",
    "Island",
    "Port",
    "RunwayRecord",
    "SeaZone",
    "Source",
    "Sourced",
    "build_gazetteer",
    "load_gazetteer",
    "read_gazetteer_cached",
    "read_gazetteer_file",
    "read_runways",
    "reference_problems",
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


def _bounded(fig: Sourced | None, name: str, low: float, high: float, low_open: bool) -> None:
    """Fail (located at ``name.value``) unless ``low < value`` (or ``<=``) ``<= high``."""
    if fig is None:
        return
    v = float(fig.value)
    ok = (v > low if low_open else v >= low) and v <= high
    if not ok:
        from nansei.scenario._base import fail

        side = "(" if low_open else "["
        fail((name, "value"), "out of range", value=fig.value, allowed=f"{side}{low:g}, {high:g}]")


class _Located(BaseModel):
    model_config = _FROZEN
    position: LatLon

    @model_validator(mode="after")
    def _position_bounds(self) -> _Located:
        lat, lon = self.position.value
        if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 360.0):
            from nansei.scenario._base import fail

            fail(
                ("position", "value"),
                "not a (lat, lon) position in degrees",
                value=list(self.position.value),
                allowed="lat in [-90, 90], lon in [-180, 360]",
            )
        return self

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
    region: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    municipalities: tuple[str, ...]
    area_km2: Sourced[float]
    population: Sourced[int]
    tourists: Sourced[int]
    shelter_in_place: bool = False

    @model_validator(mode="after")
    def _figure_bounds(self) -> Island:
        _bounded(self.area_km2, "area_km2", 0.0, 1e6, True)
        _bounded(self.population, "population", 0.0, 1e8, False)
        _bounded(self.tourists, "tourists", 0.0, 1e8, False)
        return self

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

    @model_validator(mode="after")
    def _runway_bounds(self) -> Airport:
        _bounded(self.runway_m, "runway_m", 0.0, 10_000.0, True)
        return self


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

    @model_validator(mode="after")
    def _zone_bounds(self) -> SeaZone:
        _bounded(self.radius_km, "radius_km", 0.0, 500.0, True)
        _bounded(self.width_km, "width_km", 0.0, 5000.0, True)
        return self


class EvacuationCapacity(BaseModel):
    """Daily evacuation capacity of one island gateway and mode, people per day."""

    model_config = _FROZEN
    id: str
    island: str
    gateway: str
    mode: Literal["air", "sea"]
    destination: str
    per_day: Sourced[int]

    @model_validator(mode="after")
    def _capacity_bounds(self) -> EvacuationCapacity:
        _bounded(self.per_day, "per_day", 0.0, 1_000_000.0, False)
        return self


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
    evacuation_plan: EvacuationPlan | None = None

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
        from nansei.scenario._base import fail_many

        fail_many(reference_problems(self))
        return self


def _figures_at(obj: Any, loc: tuple) -> Iterator[tuple[tuple, Sourced]]:
    """Yield ``(location, figure)`` for every :class:`Sourced` figure below ``obj``; the
    location is the key path in the gazetteer file (list indices, mapping keys)."""
    if isinstance(obj, Sourced):
        yield loc, obj
    elif isinstance(obj, BaseModel):
        for field in type(obj).model_fields:
            yield from _figures_at(getattr(obj, field), (*loc, field))
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from _figures_at(v, (*loc, k))
    elif isinstance(obj, tuple):
        for j, v in enumerate(obj):
            if isinstance(v, BaseModel):
                yield from _figures_at(v, (*loc, j))


def reference_problems(gaz: Gazetteer) -> list[tuple[tuple, str, Any, str | None]]:
    """Cross-references of a gazetteer that do not resolve, as located problems.

    Returns
    -------
    list of tuple
        ``(location, message, value, allowed)``; the location is the key path in the
        gazetteer file, e.g. ``('airports', 3, 'island')``.
    """
    out: list[tuple[tuple, str, Any, str | None]] = []
    if not gaz.islands:
        out.append((("islands",), "at least one island is needed", None, None))
    known = ", ".join(gaz.sources)
    for loc, fig in _figures_at(gaz, ()):
        if fig.source not in gaz.sources:
            out.append(((*loc, "source"), f"unknown source '{fig.source}'", fig.source, known))
        for j, d in enumerate(fig.disagreements):
            if d.source not in gaz.sources:
                out.append(
                    ((*loc, "disagreements", j, "source"), "unknown source", d.source, known)
                )
    for key, src in gaz.sources.items():
        if key != src.id:
            out.append((("sources", key), f"id mismatch {src.id!r}", src.id, key))
    islands = ", ".join(gaz.island_ids)
    places = set(gaz.island_ids) | set(MAINLAND_IDS)
    for kind, rows in (("airports", gaz.airports), ("ports", gaz.ports)):
        for j, r in enumerate(rows):
            if r.island not in places:
                allowed = ", ".join((*gaz.island_ids, *MAINLAND_IDS))
                out.append(((kind, j, "island"), "unknown island", r.island, allowed))
    for j, c in enumerate(gaz.camps):
        if c.island not in gaz.island_ids:
            out.append((("camps", j, "island"), "unknown island", c.island, islands))
    for kind, rows, key in (
        ("islands", gaz.islands, "id"),
        ("airports", gaz.airports, "icao"),
        ("ports", gaz.ports, "id"),
        ("camps", gaz.camps, "id"),
        ("sea_zones", gaz.sea_zones, "id"),
    ):
        seen: set[str] = set()
        for j, r in enumerate(rows):
            v = getattr(r, key)
            if v in seen:
                out.append(((kind, j, key), f"duplicate {key}", v, None))
            seen.add(v)
    if gaz.evacuation_plan is not None:
        out.extend(_plan_problems(gaz, gaz.evacuation_plan, places))
    return out


def _plan_problems(
    gaz: Gazetteer, plan: EvacuationPlan, places: set[str]
) -> list[tuple[tuple, str, Any, str | None]]:
    out: list[tuple[tuple, str, Any, str | None]] = []
    gateways = {a.icao: a.island for a in gaz.airports} | {p.id: p.island for p in gaz.ports}
    gw_list = ", ".join(gateways)
    for key in ("origin_gateways", "destination_gateways"):
        for j, g in enumerate(getattr(plan, key).value):
            if g not in gateways:
                loc = ("evacuation_plan", key, "value", j)
                out.append((loc, "unknown gateway (airport ICAO or port id)", g, gw_list))
    for j, c in enumerate(plan.capacities):
        loc = ("evacuation_plan", "capacities", j)
        if c.gateway not in gateways:
            out.append(((*loc, "gateway"), "unknown gateway", c.gateway, gw_list))
        elif gateways[c.gateway] != c.island:
            msg = f"gateway '{c.gateway}' is on '{gateways[c.gateway]}', not on '{c.island}'"
            out.append(((*loc, "island"), msg, c.island, gateways[c.gateway]))
        if c.destination not in places:
            allowed = ", ".join(sorted(places))
            out.append(((*loc, "destination"), "unknown destination", c.destination, allowed))
    islands = ", ".join(gaz.island_ids)
    for a, b in plan.staging.value.items():
        for v in (a, b):
            if v not in gaz.island_ids:
                loc = ("evacuation_plan", "staging", "value", a)
                out.append((loc, "unknown island", v, islands))
    for muni, prefs in plan.pairings.value.items():
        for j, p in enumerate(prefs):
            if p not in plan.host_prefectures:
                loc = ("evacuation_plan", "pairings", "value", muni, j)
                out.append((loc, "unknown prefecture", p, ", ".join(plan.host_prefectures)))
    for j, i in enumerate(plan.shelter_in_place.value):
        if i not in gaz.island_ids:
            loc = ("evacuation_plan", "shelter_in_place", "value", j)
            out.append((loc, "unknown island", i, islands))
    return out


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


#: The built-in gazetteer file: the default of every scenario, read like any other file.
BUILTIN_FILE = Path(__file__).with_name("data") / "gazetteer.yaml"
#: Largest gazetteer (or companion) file read, bytes.
MAX_GAZETTEER_BYTES = 5_000_000
#: Keys of a gazetteer file that name companion data rather than :class:`Gazetteer` fields:
#: ``runways`` (an OurAirports CSV), ``coastlines`` (GeoJSON or ``simple``) and
#: ``candidate_sites`` (a sites document, inline or in a file).
COMPANION_KEYS = ("runways", "coastlines", "candidate_sites")


class GazetteerError(ValueError):
    """A gazetteer file that cannot be read or is invalid.

    Attributes
    ----------
    problems : list of nansei.scenario.errors.Problem
        Every problem, located by key path (and line) in the gazetteer file.
    source : str
        The file.
    """

    def __init__(self, problems: list[Any], source: str) -> None:
        self.problems = list(problems)
        self.source = source
        super().__init__(self.__str__())

    def __str__(self) -> str:
        n = len(self.problems)
        head = f"invalid gazetteer {self.source}: {n} problem{'s' if n != 1 else ''}"
        return "\n".join([head, *("  - " + p.render() for p in self.problems[:20])])


def gazetteer_error(
    source: str,
    loc: tuple,
    message: str,
    value: Any = None,
    allowed: str | None = None,
    lines: dict | None = None,
) -> GazetteerError:
    """A :class:`GazetteerError` with one problem at ``loc`` (a key path in the file)."""
    from nansei.scenario.errors import Problem, _loc_line, _short_repr, format_path

    val = None if value is None else _short_repr(value)
    return GazetteerError(
        [Problem(format_path(loc), _loc_line(lines, loc), val, message, allowed)], source
    )


def read_text_file(path: Path, source: str, loc: tuple, lines: dict | None = None) -> str:
    """The UTF-8 text of a gazetteer or companion file, capped at MAX_GAZETTEER_BYTES.

    Raises
    ------
    GazetteerError
        Missing, unreadable, too large or not UTF-8; the problem is located at ``loc``.
    """
    from nansei.scenario.files import InputTooLarge, read_input_bytes

    try:
        raw = read_input_bytes(path, MAX_GAZETTEER_BYTES)
        return raw.decode("utf-8-sig")
    except FileNotFoundError:
        msg = "file not found"
    except IsADirectoryError:
        msg = "is a folder, not a file"
    except InputTooLarge:
        msg = f"file too large (limit {MAX_GAZETTEER_BYTES:,} bytes)"
    except UnicodeDecodeError as exc:
        msg = f"file is not UTF-8 text (byte {exc.start})"
    except OSError as exc:
        msg = f"cannot read file: {exc.strerror or exc}"
    raise gazetteer_error(source, loc, msg, str(path), "a readable file", lines)


def companion_path(base: Path, spec: Any, key: str, source: str, lines: dict) -> Path:
    """The file named by ``{file: PATH}`` at top-level key ``key``, relative to ``base``.

    A companion file must lie in the gazetteer file's folder or below it (symbolic links
    resolved), so that a gazetteer the web workbench accepts from its own folder cannot
    make it read files elsewhere.

    Raises
    ------
    GazetteerError
        If ``spec`` is not a mapping with one string ``file``, or the file lies outside
        ``base``.
    """
    if not (isinstance(spec, dict) and set(spec) == {"file"} and isinstance(spec["file"], str)):
        raise gazetteer_error(
            source, (key,), "expected a mapping with one key 'file'", spec, "{file: PATH}", lines
        )
    p = Path(spec["file"]).expanduser()
    p = (p if p.is_absolute() else base / p).resolve()
    if not p.is_relative_to(Path(base).resolve()):
        raise gazetteer_error(
            source,
            (key, "file"),
            "a companion file must lie in the gazetteer file's folder or below it",
            spec["file"],
            f"a path under {base}",
            lines,
        )
    return p


def parse_gazetteer_text(text: str, source: str) -> tuple[dict[str, Any], dict]:
    """Parse gazetteer YAML into ``(data, lines)``; ``lines`` maps key paths to line numbers.

    Raises
    ------
    GazetteerError
        YAML syntax errors (with their line) or a top level that is not a mapping.
    """
    from nansei.scenario.errors import ScenarioError
    from nansei.scenario.yaml_lines import parse_yaml

    try:
        data, lines = parse_yaml(text, source)
    except ScenarioError as exc:
        raise GazetteerError(exc.problems, source) from None
    if not isinstance(data, dict):
        allowed = ", ".join([*Gazetteer.model_fields, *COMPANION_KEYS])
        kind = "nothing" if data is None else type(data).__name__
        msg = f"the top level must be a mapping (key: value pairs), not {kind}"
        raise gazetteer_error(source, (), msg, None, allowed, lines)
    return data, lines


def build_gazetteer(raw: dict[str, Any], runways: tuple[RunwayRecord, ...]) -> Gazetteer:
    """Build and validate a :class:`Gazetteer` from parsed YAML and runway records.

    Airport positions are computed here from ``runways``; an airport may carry its own
    ``position`` only if its primary runway has no end coordinates. The companion keys
    (:data:`COMPANION_KEYS`) are ignored here.

    Raises
    ------
    pydantic.ValidationError
        On any schema error or inconsistency, located by key path in the file (a
        ``ValueError``).
    """
    data = {k: v for k, v in raw.items() if k not in COMPANION_KEYS}
    if isinstance(raw.get("sources"), dict):
        data["sources"] = {
            k: {"id": k, **v} if isinstance(v, dict) else v for k, v in raw["sources"].items()
        }
    if isinstance(raw.get("airports"), list):
        data["airports"] = [_airport_position(j, a, runways) for j, a in enumerate(raw["airports"])]
    return Gazetteer.model_validate(data)


def _airport_position(j: int, a: Any, runways: tuple[RunwayRecord, ...]) -> Any:
    """One raw airport with its position computed from its primary runway, if known."""
    if not (isinstance(a, dict) and isinstance(a.get("icao"), str)):
        return a  # reported by the schema
    a = dict(a)
    rwy = _primary_runway(runways, a["icao"])
    mid = runway_midpoint(a["icao"], runways)
    if rwy is not None:
        a["ourairports_length_m"] = round(rwy.length_m, 1)
        a["runway_ident"] = rwy.ident
    if mid is not None:
        if "position" in a:
            _fail_airport(j, "position is computed from the runways file; remove it", "a runway")
        a["position"] = {
            "value": [round(mid[0], 6), round(mid[1], 6)],
            "source": "ourairports",
            "confidence": "B",
            "note": f"midpoint of runway {rwy.ident} end points (OurAirports, public domain)",
        }
    elif "position" not in a:
        _fail_airport(j, "no runway end coordinates and no position", "a position figure")
    return a


def _fail_airport(j: int, message: str, allowed: str) -> None:
    from pydantic import ValidationError
    from pydantic_core import InitErrorDetails, PydanticCustomError

    problems = (((), message, None, allowed),)
    err = PydanticCustomError("nansei_problem", message, {"problems": problems})
    detail = InitErrorDetails(type=err, loc=("airports", j, "position"), input=None)
    raise ValidationError.from_exception_data("Gazetteer", [detail])


@dataclass(frozen=True, eq=False)
class GazetteerFile:
    """A gazetteer file, read and validated.

    Attributes
    ----------
    path : pathlib.Path
        The file (absolute).
    gazetteer : Gazetteer
    companions : dict
        The raw values of :data:`COMPANION_KEYS` present in the file.
    lines : dict
        Key path in the file -> 1-based line.
    sha256 : str
        Hex digest of the file's text (UTF-8), for the run metadata.
    """

    path: Path
    gazetteer: Gazetteer
    companions: dict[str, Any] = dc_field(repr=False)
    lines: dict = dc_field(repr=False)
    sha256: str = ""


def read_gazetteer_file(path: str | os.PathLike | None = None) -> GazetteerFile:
    """Read and validate a gazetteer file (default: the built-in :data:`BUILTIN_FILE`).

    The file has the schema of the built-in one (:class:`Gazetteer` plus
    :data:`COMPANION_KEYS`); companion paths are relative to the file's folder.

    Raises
    ------
    GazetteerError
        For every problem, each located by key path and line in the file; nothing else.
    """
    from pydantic import ValidationError

    from nansei.scenario.errors import problems_from_validation

    p = Path(BUILTIN_FILE if path is None else path).resolve()
    src = str(p)
    text = read_text_file(p, src, ())
    data, lines = parse_gazetteer_text(text, src)
    runways: tuple[RunwayRecord, ...] = ()
    if "runways" in data:
        rpath = companion_path(p.parent, data["runways"], "runways", src, lines)
        rtext = read_text_file(rpath, src, ("runways", "file"), lines)
        try:
            runways = read_runways(rtext)
        except (KeyError, ValueError) as exc:
            msg = f"not an OurAirports runways CSV: {type(exc).__name__}: {exc}"
            raise gazetteer_error(src, ("runways", "file"), msg, str(rpath), None, lines) from None
    try:
        gaz = build_gazetteer(data, runways)
    except ValidationError as exc:
        probs = problems_from_validation(exc, data, lines, Gazetteer)
        raise GazetteerError(probs, src) from None
    companions = {k: data[k] for k in COMPANION_KEYS if k in data}
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return GazetteerFile(p, gaz, companions, lines, digest)


@cache
def _read_cached(path: str, stamp: tuple[int, int]) -> GazetteerFile:
    return read_gazetteer_file(path)


def file_stamp(path: Path) -> tuple[int, int]:
    """``(mtime_ns, size)`` of a file, ``(0, -1)`` if it cannot be stat'ed (cache key)."""
    try:
        st = path.stat()
    except OSError:
        return (0, -1)
    return (st.st_mtime_ns, st.st_size)


def read_gazetteer_cached(path: str | os.PathLike | None = None) -> GazetteerFile:
    """:func:`read_gazetteer_file`, cached per file and modification time."""
    p = Path(BUILTIN_FILE if path is None else path).resolve()
    return _read_cached(str(p), file_stamp(p))


def load_gazetteer(path: str | os.PathLike | None = None) -> Gazetteer:
    """Load a gazetteer file (default: the built-in one; cached; immutable).

    Raises
    ------
    GazetteerError
        If the file is invalid (every problem located by key path and line).
    """
    return read_gazetteer_cached(path).gazetteer
