"""Report: static map pixels, replay against the records, numbers equal to summarize/analyze."""

from __future__ import annotations

import io
import json
import re
from html.parser import HTMLParser

import matplotlib.image as mpimg
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point
from typer.testing import CliRunner

from nansei.analysis import summarize
from nansei.report.layers import scenario_layers
from nansei.report.replay import build_replay, closed_gateways, frames
from nansei.report.report import build_report, key_results
from nansei.report.rundir import load_run
from nansei.report.static_map import LAND, SEA, static_map
from nansei.report.verification import verification_status
from tests.report_fixtures import REPS, write_small_run


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    return write_small_run(tmp_path_factory.mktemp("run") / "kyodo")


@pytest.fixture(scope="module")
def run(run_dir):
    return load_run(run_dir)


@pytest.fixture(scope="module")
def replay(run):
    s0 = run.series[run.series["replication"] == 0]
    return build_replay(run.trace, run.compiled(), run.scenario.run.horizon_h, s0)


@pytest.fixture(scope="module")
def report_path(run_dir):
    return build_report(run_dir, verify_scale=0.01)


def _rgb(hex_colour: str) -> np.ndarray:
    return np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)]) / 255.0


def _rendered(fig) -> np.ndarray:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=fig.dpi)
    buf.seek(0)
    return mpimg.imread(buf)[:, :, :3]


def _colour_share(img, ax, points, colour) -> float:
    """Share of the given (lon, lat) points whose pixel has ``colour``."""
    xy = ax.transData.transform(np.asarray(points))
    rows = np.round(img.shape[0] - xy[:, 1]).astype(int)
    cols = np.round(xy[:, 0]).astype(int)
    px = img[rows, cols]
    return float(np.all(np.abs(px - _rgb(colour)) < 0.03, axis=-1).mean())


def _grid_inside(poly, step=0.01, margin=0.01):
    lon0, lat0, lon1, lat1 = poly.bounds
    inner = poly.buffer(-margin)
    pts = [(x, y) for x in np.arange(lon0, lon1, step) for y in np.arange(lat0, lat1, step)]
    return [p for p in pts if inner.contains(Point(p))]


def test_static_map_has_island_pixels_where_islands_are(run):
    from nansei.geo.coastlines import load_coastlines
    from nansei.geo.gazetteer import load_gazetteer

    layers = scenario_layers(run.scenario, run.compiled())
    fig = static_map(layers)
    fig.canvas.draw()
    ax = fig.axes[0]
    img = _rendered(fig)
    coast = load_coastlines()
    islands = {i.id: i for i in load_gazetteer().islands}
    for isl in ("ishigaki", "okinawa", "amami_oshima", "tokunoshima"):
        i = islands[isl]
        poly = coast.polygon_at(i.lat, i.lon, tol_km=5.0)
        pts = _grid_inside(poly)
        assert len(pts) >= 20, isl
        land = _colour_share(img, ax, pts, LAND)
        sea = _colour_share(img, ax, pts, SEA)
        # site, decoy, airport and port markers cover part of a small island (Ishigaki, with
        # three launchers, a decoy, an airport and two ports on ~3 px: ~24% land); no sea
        assert land > 0.2 and sea < 0.05, f"{isl}: land {land:.0%}, sea {sea:.0%}"
    open_sea = [(x, y) for x in np.arange(127.0, 130.0, 0.1) for y in np.arange(23.6, 24.6, 0.1)]
    assert not any(coast.on_land(y, x) for x, y in open_sea)
    assert _colour_share(img, ax, open_sea, SEA) > 0.95
    assert _colour_share(img, ax, open_sea, LAND) == 0.0


def test_replay_reproduces_the_replication_records(run, replay):
    r0 = run.records[run.records["replication"] == 0].iloc[0]
    assert len(replay.strikes) == r0["red_strikes"]
    assert int(replay.strikes["wasted"].sum()) == r0["strikes_wasted"]
    assert len(replay.destroyed) == r0["launchers_lost"]
    s0 = run.series[run.series["replication"] == 0]
    n = int(r0["launchers"])
    for t, alive in zip(s0["t_end_h"], s0["launchers_alive"], strict=True):
        dead = sum(1 for v in replay.destroyed.values() if v <= t)
        assert n - dead == alive, t


def test_inferred_gateway_closures_agree_with_the_series(run, replay):
    s0 = run.series[run.series["replication"] == 0]
    agree = [
        len(closed_gateways(replay, t - 1e-6)) == c
        for t, c in zip(s0["t_end_h"], s0["gateways_closed"], strict=True)
    ]
    assert np.mean(agree) >= 0.8, agree


def test_frames_move_launchers_and_count_strikes(run, replay):
    layers = scenario_layers(run.scenario, run.compiled())
    pos = {s["id"]: (s["lat"], s["lon"]) for s in layers.sites}
    fr = frames(replay, pos, step_h=6.0)
    assert fr[0]["strikes"] == 0 and fr[-1]["strikes"] == len(replay.strikes)
    assert fr[-1]["alive"] == fr[0]["alive"] - len(replay.destroyed)
    assert any(p[2] == "moving" for f in fr for p in f["launchers"])


class _Rows(HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows: dict[str, dict] = {}
        self._cur = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "tr" and "data-output" in a:
            self._cur = self.rows.setdefault(a["data-output"], {})
        elif tag == "td" and self._cur is not None and a.get("data-field") == "mean":
            self._cur["mean"] = json.loads(a["data-value"])
        elif tag == "td" and self._cur is not None and a.get("data-field") == "ci":
            self._cur["ci_low"] = json.loads(a["data-low"])
            self._cur["ci_high"] = json.loads(a["data-high"])


def _report_numbers(path) -> dict:
    p = _Rows()
    p.feed(path.read_text(encoding="utf-8"))
    return p.rows


def test_report_numbers_equal_summarize(run, report_path):
    shown = _report_numbers(report_path)
    expected = summarize(run.records).set_index("output")
    compared = 0
    for name, row in shown.items():
        if name == "no_launcher_lost":
            ind = pd.DataFrame({"x": (run.records["launchers_lost"] == 0).astype(float)})
            ref = summarize(ind).iloc[0]
        else:
            ref = expected.loc[name]
        for k in ("mean", "ci_low", "ci_high"):
            if ref[k] != ref[k]:
                assert row[k] is None
            else:
                assert row[k] == ref[k], (name, k)
        compared += 1
    assert compared == len(key_results(run.records)) >= 25


def test_report_numbers_equal_nansei_analyze(run_dir, report_path):
    from nansei.cli import app

    res = CliRunner().invoke(app, ["analyze", str(run_dir), "--json"])
    assert res.exit_code == 0, res.output
    analyzed = {r["output"]: r for r in json.loads(res.stdout)["summary"]}
    shown = _report_numbers(report_path)
    common = set(analyzed) & set(shown)
    assert {"launchers_lost", "salvos_fired", "red_missiles_wasted"} <= common
    for name in common:
        for k in ("mean", "ci_low", "ci_high"):
            want = analyzed[name][k]
            if want is None or want != want:  # NaN (a time that never occurs): null
                assert shown[name][k] is None, (name, k)
            else:
                assert shown[name][k] == want, (name, k)


def test_report_has_provenance_verification_versions(run, report_path):
    html = report_path.read_text(encoding="utf-8")
    for a in run.scenario.assumptions:
        assert f"<td>{a.id}</td>" in html
    assert "PrSM" in html and "Sources" in html
    assert "Quick check" in html and 'id="verification-status"' in html
    assert f"{run.meta['seed']}" in html and run.meta["run_id"] in html
    imgs = re.findall(r'<img [^>]*src="([^"]+)"', html)
    assert len(imgs) == 6 and all(s.startswith("data:image/png;base64,") for s in imgs)
    outside_scripts = re.sub(r"<script.*?</script>", "", html, flags=re.S)
    assert not re.search(r'(src|href)="(https?:)?//', outside_scripts)
    for name in ("map.html", "map.png", "chart-survival.png"):
        assert (report_path.parent / name).stat().st_size > 1000


def test_verification_status_uses_stored_rows_and_says_not_run():
    rows = [
        {
            "check": "a",
            "expected": 0.5,
            "simulated": 0.5,
            "se": 0.01,
            "z": 0.0,
            "replications": 10,
            "passed": False,
        }
    ]
    st = verification_status(rows)
    assert st.source == "verification.json" and st.passed is False
    off = verification_status(None, scale=0)
    assert off.source == "not run" and off.passed is None and len(off.registry) > 5


def test_cli_report_writes_file_and_rejects_non_run_dir(run_dir, tmp_path):
    from nansei.cli import app

    out = tmp_path / "r.html"
    res = CliRunner().invoke(
        app, ["report", str(run_dir), "--out", str(out), "--verify-scale", "0"]
    )
    assert res.exit_code == 0, res.output
    assert "Not run" in out.read_text(encoding="utf-8")
    bad = CliRunner().invoke(app, ["report", str(tmp_path)])
    assert bad.exit_code == 2
    assert "records.parquet" in bad.output


def test_fixture_size():
    assert REPS <= 200
