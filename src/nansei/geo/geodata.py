"""A gazetteer file with its companion data: the geography one scenario plays on.

The built-in Nansei gazetteer (``data/gazetteer.yaml``) is the default file; a user's own
gazetteer file (``geography.theatre: {kind: gazetteer, file: PATH}``) goes through the same
loader and the same validation. A file holds the :class:`~nansei.geo.gazetteer.Gazetteer`
tables (sources, islands, airports, ports, camps, sea zones, an optional evacuation plan)
and the companion keys:

``runways: {file: PATH}``
    An OurAirports runways CSV (optional): airport positions are the midpoints of their
    longest open runway. An airport without runway end coordinates carries a ``position``.
``coastlines: {file: PATH}`` or ``coastlines: simple``
    Required. Land polygons (a GeoJSON ``FeatureCollection`` of ``Polygon`` features in
    lon/lat degrees), or the explicit statement that maps, on-land checks and generated
    positions use a simple outline: a disc of each island's land area around its position
    (:func:`~nansei.geo.coastlines.simple_coastlines`, an assumption).
``candidate_sites: {file: PATH}`` or the sites document inline
    Notional launcher sites (optional, same schema as ``data/sites.yaml``); without them a
    scenario uses generated or custom sites.

Relative companion paths resolve against the gazetteer file's folder. Every problem is a
:class:`~nansei.geo.gazetteer.GazetteerError` naming the key path, the line, the value and
what is allowed; nothing else escapes.

Examples
--------
>>> geo = load_geodata()
>>> geo.builtin, len(geo.gazetteer.islands) > 10, geo.outline
(True, True, 'file')
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from nansei.geo.gazetteer import (
    BUILTIN_FILE,
    Gazetteer,
    GazetteerError,
    GazetteerFile,
    companion_path,
    file_stamp,
    gazetteer_error,
    parse_gazetteer_text,
    read_gazetteer_cached,
    read_text_file,
)
from nansei.geo.sites import CandidateSite, SitesError, build_sites

if TYPE_CHECKING:  # pragma: no cover - shapely is imported only when coastlines are read
    from nansei.geo.coastlines import Coastlines

__all__ = ["GeoData", "load_geodata"]


@dataclass(frozen=True, eq=False)
class GeoData:
    """The geography of one gazetteer file.

    Attributes
    ----------
    path : pathlib.Path
        The gazetteer file (absolute).
    gazetteer : Gazetteer
    sites : tuple of CandidateSite
        Its notional candidate sites (may be empty).
    coastlines : Coastlines
        Land polygons (from a file, or the simple outline); read on first use for the
        built-in gazetteer, at load time for a user's file (so that its errors show).
    outline : {'file', 'simple'}
        Where the coastlines come from.
    """

    path: Path
    gazetteer: Gazetteer = field(repr=False)
    sites: tuple[CandidateSite, ...] = field(repr=False)
    source: GazetteerFile = field(repr=False)

    @property
    def builtin(self) -> bool:
        """True for the built-in Nansei gazetteer."""
        return self.path == BUILTIN_FILE.resolve()

    @cached_property
    def _coast(self) -> tuple[Coastlines, Literal["file", "simple"]]:
        return _coastlines(self.source)

    @property
    def coastlines(self) -> Coastlines:
        return self._coast[0]

    @property
    def outline(self) -> Literal["file", "simple"]:
        return self._coast[1]


def _coastlines(gf: GazetteerFile) -> tuple[Coastlines, Literal["file", "simple"]]:
    from nansei.geo.coastlines import load_coastlines, simple_coastlines

    src, lines = str(gf.path), gf.lines
    spec = gf.companions.get("coastlines")
    allowed = "{file: PATH} (GeoJSON polygons) or simple"
    if spec is None:
        raise gazetteer_error(
            src, ("coastlines",), "missing required field 'coastlines'", None, allowed, lines
        )
    if spec == "simple":
        gaz = gf.gazetteer
        isl = [(i.id, i.lat, i.lon, float(i.area_km2.value)) for i in gaz.islands]
        return simple_coastlines(isl), "simple"
    if not isinstance(spec, dict):
        raise gazetteer_error(src, ("coastlines",), "invalid value", spec, allowed, lines)
    path = companion_path(gf.path.parent, spec, "coastlines", src, lines)
    read_text_file(path, src, ("coastlines", "file"), lines)  # located read errors first
    try:
        return load_coastlines(str(path)), "file"
    except Exception as exc:  # malformed GeoJSON: report, never a traceback
        msg = f"not a GeoJSON FeatureCollection of Polygons: {type(exc).__name__}: {exc}"
        raise gazetteer_error(
            src, ("coastlines", "file"), msg[:300], str(path), None, lines
        ) from None


def _sites(gf: GazetteerFile) -> tuple[CandidateSite, ...]:
    src, lines = str(gf.path), gf.lines
    spec = gf.companions.get("candidate_sites")
    if spec is None:
        return ()
    prefix: tuple = ("candidate_sites",)
    doc, doc_lines = spec, None
    if isinstance(spec, dict) and set(spec) == {"file"}:
        path = companion_path(gf.path.parent, spec, "candidate_sites", src, lines)
        text = read_text_file(path, src, ("candidate_sites", "file"), lines)
        doc, doc_lines = parse_gazetteer_text(text, str(path))
        src, prefix, lines = str(path), (), doc_lines
    try:
        return build_sites(doc, gf.gazetteer)
    except SitesError as exc:
        from nansei.scenario.errors import Problem, _loc_line, _short_repr, format_path

        probs = []
        for loc, msg, value, allowed in exc.problems:
            full = (*prefix, *loc)
            val = None if value is None else _short_repr(value)
            probs.append(Problem(format_path(full), _loc_line(lines, full), val, msg, allowed))
        raise GazetteerError(probs, src) from None


@cache
def _build(path: str, stamp: tuple[int, int]) -> GeoData:
    gf = read_gazetteer_cached(path)
    geo = GeoData(gf.path, gf.gazetteer, _sites(gf), gf)
    if not geo.builtin:
        geo.coastlines  # noqa: B018 - read now, so that a user's file reports its errors
    return geo


def load_geodata(path: str | os.PathLike | None = None) -> GeoData:
    """Load a gazetteer file and its companions (default: the built-in Nansei gazetteer).

    Cached per file and modification time (of the gazetteer file itself).

    Raises
    ------
    GazetteerError
        For every problem of the file or its companions, located by key path and line.
    """
    p = Path(BUILTIN_FILE if path is None else path).expanduser().resolve()
    try:
        return _build(str(p), file_stamp(p))
    except GazetteerError:
        raise
    except Exception as exc:  # never a traceback: anything unforeseen is one located problem
        msg = f"could not load the gazetteer: {type(exc).__name__}: {exc}"[:300]
        raise gazetteer_error(str(p), (), msg) from None
