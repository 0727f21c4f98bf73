"""A user's own gazetteer file (issue 15, item 1): the same schema, loader and errors as the
built-in Nansei gazetteer, threaded through validation, compile, simulate, maps and the CLI.

The example is the fictional Tessera Islands (``examples/tessera``): no real place and no
real installations.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from shapely.geometry import shape
from typer.testing import CliRunner

from nansei.cli import app
from nansei.engine.compile import compile_scenario
from nansei.engine.compile_sites import planar_lat0
from nansei.engine.simulate import simulate
from nansei.geo.coastlines import geodesic_area_km2
from nansei.geo.gazetteer import BUILTIN_FILE, GazetteerError, load_gazetteer
from nansei.geo.geodata import load_geodata
from nansei.report.html_map import map_data, render_map
from nansei.report.layers import EXTENT, scenario_layers
from nansei.scenario import ScenarioError, load_scenario, summarize

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "tessera"
#: Residents and tourists of the three Tessera islands (the example file's figures).
TESSERA_PEOPLE = 42_000 + 2_000 + 9_000 + 500 + 1_800 + 0


@pytest.fixture
def tess(tmp_path: Path) -> Path:
    """A copy of the example (gazetteer and scenario) in a fresh folder."""
    dst = tmp_path / "tessera"
    shutil.copytree(EXAMPLE, dst)
    return dst


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"edit target not found: {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# ---- one loader -------------------------------------------------------------------------
def test_builtin_gazetteer_is_the_default_file_of_the_same_loader():
    geo = load_geodata()
    assert geo.builtin and geo.path == BUILTIN_FILE.resolve()
    assert load_gazetteer() is geo.gazetteer
    assert load_gazetteer(BUILTIN_FILE) is geo.gazetteer
    assert len(geo.sites) == 40 and geo.outline == "file"
    sc = load_scenario("kyodo-2021")
    assert summarize(sc)["gazetteer"] == "built-in (Nansei Islands)"


def test_example_gazetteer_loads_with_sources_and_confidence():
    geo = load_geodata(EXAMPLE / "gazetteer.yaml")
    gaz = geo.gazetteer
    assert not geo.builtin and geo.outline == "simple"
    assert [i.id for i in gaz.islands] == ["aran", "bel", "corin"]
    figs = list(gaz.iter_figures())
    assert len(figs) > 20
    assert all(f.source in gaz.sources and f.confidence in "ABC" for _, f in figs)
    assert gaz.evacuation_plan is None and gaz.camps == ()
    assert {s.id for s in geo.sites} >= {"aran-c1", "corin-c1"}
    assert next(s for s in geo.sites if s.id == "corin-c1").access == "port"  # 0.6 km from it


def test_simple_outline_is_a_disc_of_the_island_area():
    geo = load_geodata(EXAMPLE / "gazetteer.yaml")
    for isl in geo.gazetteer.islands:
        poly = geo.coastlines.polygon_at(isl.lat, isl.lon)
        assert poly is not None
        assert geodesic_area_km2(poly) == pytest.approx(isl.area_km2.value, rel=0.01)
    assert not geo.coastlines.on_land(22.5, 131.95)  # 16 km east of Aran's centre: sea


def _feature(ring: list) -> dict:
    return {
        "type": "Feature",
        "properties": {},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def test_geojson_coastlines_file(tess: Path):
    ring = [[131.70, 22.40], [131.90, 22.40], [131.90, 22.60], [131.70, 22.60], [131.70, 22.40]]
    feats = [_feature(ring)]
    for lat, lon in ((22.30, 132.30), (22.75, 132.70)):
        d = 0.06
        sq = [[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d]]
        feats.append(_feature([*sq, sq[0]]))
    (tess / "land.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": feats}), encoding="utf-8"
    )
    _edit(tess / "gazetteer.yaml", "coastlines: simple", "coastlines: {file: land.geojson}")
    geo = load_geodata(tess / "gazetteer.yaml")
    assert geo.outline == "file"
    assert geo.coastlines.on_land(22.41, 131.71)  # a corner of the square, off the disc
    assert shape(feats[0]["geometry"]).equals(geo.coastlines.polygons[0])


# ---- the scenario ------------------------------------------------------------------------
def test_relative_path_resolves_against_the_scenario_folder(tess: Path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # not the scenario's folder
    sc = load_scenario(str(tess / "scenario.yaml"))
    assert sc.geography.theatre.file == str((tess / "gazetteer.yaml").resolve())
    assert summarize(sc)["gazetteer"] == str((tess / "gazetteer.yaml").resolve())
    assert sc.islands_in_play() == ["aran", "bel", "corin"]
    ids = [s.id for s in sc.sites()]
    assert ids[:7] == ["aran-c1", "aran-n1", "aran-s1", "aran-e1", "bel-c1", "bel-n1", "corin-c1"]
    assert all(s.startswith(("aran-", "bel-", "corin-")) for s in ids)
    assert [z.id for z in sc.zones()] == ["tessera_channel"]


def test_example_runs_end_to_end_through_simulate():
    sc = load_scenario(str(EXAMPLE / "scenario.yaml"))
    compiled = compile_scenario(sc)
    assert list(compiled.island_ids) == ["aran", "bel", "corin"]
    assert "XTAR" in compiled.gateway_ids and "corin_port" in compiled.gateway_ids
    assert planar_lat0(sc) == 22.5  # the planar frame sits on the file's islands
    res = simulate(sc, replications=6, seed=11)
    a, b = res.records, simulate(sc, replications=6, seed=11).records
    digest = hashlib.sha256((EXAMPLE / "gazetteer.yaml").read_bytes()).hexdigest()
    assert res.meta["gazetteer"] == {"file": sc.geography.theatre.file, "sha256": digest}
    assert "gazetteer" not in simulate("ideal-fixed-delay", replications=2, seed=1).meta
    assert len(a) == 6 and (a["scenario"] == "tessera-example").all()
    cols = [c for c in a.columns if c not in ("run_id",)]
    assert a[cols].equals(b[cols])  # same scenario and seed, same numbers
    assert a["salvos_fired"].sum() > 0  # the zone lies within GMLRS range of Aran
    assert (a["launchers_lost"] <= 4).all()
    # everyone is hosted once the evacuation completes (residents + tourists of the file)
    done = a["evac_cleared_h.aran"].notna() & a["evac_cleared_h.bel"].notna()
    assert done.any()
    hosted = a.loc[done, "evac_hosted.Mainland"]
    assert np.allclose(hosted, TESSERA_PEOPLE)


def test_map_layers_use_the_gazetteer_and_its_extent():
    sc = load_scenario(str(EXAMPLE / "scenario.yaml"))
    layers = scenario_layers(sc, compile_scenario(sc))
    assert [i["id"] for i in layers.islands] == ["aran", "bel", "corin"]
    lon0, lon1, lat0, lat1 = layers.extent
    assert layers.extent != EXTENT
    assert lon0 < 131.8 < 132.7 < lon1 and lat0 < 22.3 < 22.95 < lat1
    assert "simple outline" in layers.coast_credit
    assert layers.evacuation == []  # the file has no evacuation plan
    assert len(layers.coastlines["features"]) == 3
    data = map_data(layers)
    assert data["bounds"] == [[lat0, lon0], [lat1, lon1]]
    html = render_map(layers, None, "tessera")
    assert "simple outline" in html and "GSHHG" not in html


def test_unknown_island_gets_the_same_error_as_with_the_builtin(tess: Path):
    _edit(tess / "scenario.yaml", "  islands: all", "  islands: [aran, ishigaki]")
    with pytest.raises(ScenarioError) as info:
        load_scenario(str(tess / "scenario.yaml"))
    p = next(p for p in info.value.problems if p.path == "geography.islands[1]")
    assert p.message == "unknown island" and p.value == "'ishigaki'"
    assert p.allowed == "aran, bel, corin" and p.line is not None
    text = "schema_version: 1\nname: x\ngeography: {islands: [atlantis]}\n"
    text += "blue: {launchers: [{id: a, count: 1}]}\n"
    with pytest.raises(ScenarioError) as ref:
        load_scenario(text)
    q = next(p for p in ref.value.problems if p.path == "geography.islands[0]")
    assert q.message == p.message  # the same error, with the built-in's ids
    assert "ishigaki" in q.allowed


# ---- the same errors ---------------------------------------------------------------------
BAD_EDITS = [
    # (old text, new text, path in the gazetteer file, message part, allowed part)
    (
        "population: {value: 42000, source: fiction, confidence: C}",
        "population: {value: 42000, source: fiction, confidence: D}",
        "islands[0].population.confidence",
        "invalid value",
        "A, B, C",
    ),
    (
        "area_km2: {value: 60.0,",
        "area_km2: {value: -60.0,",
        "islands[1].area_km2.value",
        "out of range",
        "(0, 1e+06]",
    ),
    (
        "    island: bel\n    position: {value: [22.31",
        "    island: belle\n    position: {value: [22.31",
        "airports[1].island",
        "unknown island",
        "aran, bel, corin",
    ),
    (
        "runway_m: {value: 1200.0, source: fiction,",
        "runway_m: {value: 1200.0, source: wiki,",
        "airports[1].runway_m.source",
        "unknown source 'wiki'",
        "fiction",
    ),
    (
        "coastlines: simple",
        "coastlines: detailed",
        "coastlines",
        "invalid value",
        "simple",
    ),
    (
        "coastlines: simple",
        "coastlines: {file: missing.geojson}",
        "coastlines.file",
        "file not found",
        "a readable file",
    ),
    ("coastlines: simple", "", "coastlines", "missing required field", "simple"),
    ("camps: []", "camps: []\nharbours: []", "harbours", "unknown field", "ports"),
    (
        "    position: {value: [22.47, 131.84], source: fiction, confidence: C, "
        'note: "runway midpoint"}\n',
        "",
        "airports[0]",
        "no runway end coordinates and no position",
        "a position figure",
    ),
    (
        "{id: bel-n1, island: bel, lat: 22.32",
        "{id: bel-n1, island: bell, lat: 22.32",
        "candidate_sites.sites[5].island",
        "unknown island",
        "aran, bel, corin",
    ),
    (
        "{id: corin-c1, island: corin, lat: 22.75, lon: 132.70, concealment: 0.3",
        "{id: corin-c1, island: corin, lat: 22.75, lon: 132.70, concealment: 1.3",
        "candidate_sites.sites[6].concealment",
        "less than or equal to 1",
        None,
    ),
]


@pytest.mark.parametrize(("old", "new", "path", "message", "allowed"), BAD_EDITS)
def test_malformed_gazetteer_errors_name_path_line_value_allowed(
    tess: Path, old, new, path, message, allowed
):
    gfile = tess / "gazetteer.yaml"
    _edit(gfile, old, new)
    with pytest.raises(GazetteerError) as info:
        load_geodata(gfile)
    probs = [p for p in info.value.problems if p.path == path]
    assert probs, f"no problem at {path}: {info.value}"
    p = probs[0]
    assert message in p.message
    assert p.line is not None and 1 <= p.line <= len(gfile.read_text().splitlines())
    if allowed is not None:
        assert allowed in (p.allowed or "")
    # the scenario that uses the file reports it at geography.theatre.file, with both lines
    with pytest.raises(ScenarioError) as sc_info:
        load_scenario(str(tess / "scenario.yaml"))
    msgs = [q for q in sc_info.value.problems if q.path == "geography.theatre.file"]
    assert msgs and all(q.line == 11 for q in msgs)  # the line of `theatre:` in the scenario
    assert any(f"line {p.line}: {path}: " in q.message for q in msgs)


def test_a_gazetteer_needs_an_island(tmp_path: Path):
    f = tmp_path / "empty.yaml"
    f.write_text(
        "schema_version: 1\ncoastlines: simple\nsources: {x: {title: t}}\nislands: []\n"
        "airports: []\nports: []\ncamps: []\nsea_zones: []\n",
        encoding="utf-8",
    )
    with pytest.raises(GazetteerError) as info:
        load_geodata(f)
    (p,) = info.value.problems
    assert p.path == "islands" and p.message == "at least one island is needed" and p.line == 4


def test_yaml_syntax_error_in_the_gazetteer_names_its_line(tess: Path):
    gfile = tess / "gazetteer.yaml"
    _edit(gfile, "  - id: bel\n", "  - id: [bel\n")
    with pytest.raises(GazetteerError) as info:
        load_geodata(gfile)
    assert "YAML" in info.value.problems[0].message
    assert info.value.problems[0].line is not None


def test_missing_gazetteer_file_is_a_scenario_error(tess: Path):
    _edit(tess / "scenario.yaml", "file: gazetteer.yaml", "file: nowhere.yaml")
    with pytest.raises(ScenarioError) as info:
        load_scenario(str(tess / "scenario.yaml"))
    (p,) = info.value.problems
    assert p.path == "geography.theatre.file" and "file not found" in p.message
    assert str(tess / "nowhere.yaml") in p.message


def test_islands_outside_the_scenario_box_are_reported(tess: Path):
    gfile = tess / "gazetteer.yaml"
    text = gfile.read_text(encoding="utf-8")
    gfile.write_text(text.replace("131.", "136.").replace("132.", "137."), encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(str(tess / "scenario.yaml"))
    msgs = [p.message for p in info.value.problems if p.path == "geography.theatre.file"]
    assert any("islands[0] 'aran' lies outside the scenario's coordinate box" in m for m in msgs)


# ---- the CLI ----------------------------------------------------------------------------
def test_cli_gazetteer_file_and_scenario(tess: Path):
    runner = CliRunner()
    ok = runner.invoke(app, ["gazetteer", "--file", str(tess / "gazetteer.yaml"), "--json"])
    assert ok.exit_code == 0, ok.output
    assert '"id": "aran"' in ok.output
    by_sc = runner.invoke(app, ["gazetteer", "--scenario", str(tess / "scenario.yaml")])
    assert by_sc.exit_code == 0 and "Corin" in by_sc.output
    assert "simple outline" in by_sc.output
    _edit(tess / "gazetteer.yaml", "area_km2: {value: 60.0,", "area_km2: {value: -60.0,")
    bad = runner.invoke(app, ["gazetteer", "--file", str(tess / "gazetteer.yaml")])
    assert bad.exit_code == 2
    assert "islands[1].area_km2.value: out of range (got -60.0)" in bad.output
    assert "Traceback" not in bad.output


def test_json_schema_exports_the_gazetteer_theatre():
    from nansei.scenario import json_schema

    defs = json_schema()["$defs"]
    gt = defs["GazetteerTheatre"]
    assert gt["properties"]["kind"]["const"] == "gazetteer" or gt["properties"]["kind"].get(
        "enum"
    ) == ["gazetteer"]
    assert gt["required"] == ["kind", "file"]
    refs = json.dumps(defs["Geography"]["properties"]["theatre"])
    assert "#/$defs/GazetteerTheatre" in refs and "#/$defs/AbstractTheatre" in refs


# ---- the web workbench ------------------------------------------------------------------
def test_web_editor_reads_gazetteers_only_from_its_workspace_folder(tmp_path: Path):
    from nansei.web.app import _problems

    folder = tmp_path / "gazetteers"
    shutil.copytree(EXAMPLE, folder)
    text = (EXAMPLE / "scenario.yaml").read_text(encoding="utf-8")
    sc, problems = _problems(text, 100_000, folder)  # relative: resolves in the folder
    assert problems == [] and sc.geography.theatre.file == str(folder / "gazetteer.yaml")
    outside = text.replace("file: gazetteer.yaml", f"file: {EXAMPLE / 'gazetteer.yaml'}")
    sc, problems = _problems(outside, 100_000, folder)
    assert sc is None
    (p,) = problems
    assert p["path"] == "geography.theatre.file" and p["line"] == 11
    assert p["message"] == f"a gazetteer file must lie in {folder}"
    sneaky = text.replace("file: gazetteer.yaml", "file: ../../../../etc/passwd")
    assert _problems(sneaky, 100_000, folder)[1][0]["message"].startswith("a gazetteer file")


def test_mutated_gazetteers_give_located_errors_never_a_traceback(tmp_path: Path):
    """Random edits of the example (fixed seed): the loader raises GazetteerError only, and
    every problem names a path and a line of the file."""
    import random
    import re

    rng = random.Random(15)
    tokens = ["-1", "1e9", "null", "[]", "{}", "abc", "[1]", "{value: 1}", "true", "nan"]
    base = (EXAMPLE / "gazetteer.yaml").read_text(encoding="utf-8").splitlines()
    raised = 0
    for k in range(40):
        lines = list(base)
        for _ in range(rng.randint(1, 3)):
            i = rng.randrange(len(lines))
            nums = re.findall(r"-?\d+\.?\d*", lines[i])
            if rng.random() < 0.3:
                del lines[i]
            elif nums:
                lines[i] = lines[i].replace(nums[0], rng.choice(tokens), 1)
            elif ":" in lines[i]:
                lines[i] = lines[i].rsplit(":", 1)[0] + ": " + rng.choice(tokens)
        f = tmp_path / f"g{k}.yaml"
        f.write_text("\n".join(lines) + "\n", encoding="utf-8")
        try:
            load_geodata(f)
        except GazetteerError as exc:
            raised += 1
            assert exc.problems
            assert all(p.message and p.line is not None for p in exc.problems), str(exc)
    assert raised >= 20  # most edits break the file


def test_companion_files_must_lie_beside_the_gazetteer(tess: Path, tmp_path: Path):
    outside = tmp_path / "elsewhere.geojson"
    outside.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    for target in (str(outside), "../elsewhere.geojson"):
        _edit(tess / "gazetteer.yaml", "coastlines: simple", f"coastlines: {{file: {target}}}")
        with pytest.raises(GazetteerError) as err:
            load_geodata(tess / "gazetteer.yaml")
        text = str(err.value)
        assert "coastlines.file" in text and "gazetteer file's folder" in text, text
        _edit(tess / "gazetteer.yaml", f"coastlines: {{file: {target}}}", "coastlines: simple")
