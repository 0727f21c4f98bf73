"""An abstract theatre's report and web map draw the theatre on its own plane, never the
Nansei islands (a run of ``ukraine-himars-2022``)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from nansei.cli import app
from nansei.report.report import build_report
from nansei.web.app import _build_map


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("ua")
    args = ["run", "ukraine-himars-2022", "--reps", "2", "--trace", "--no-uncertainty"]
    r = CliRunner().invoke(app, [*args, "--out", str(out)])
    assert r.exit_code == 0, r.output
    return out


def test_report_draws_the_theatre_not_the_islands(run_dir):
    html = build_report(run_dir, verify_scale=0).read_text(encoding="utf-8")
    assert "Static map of the abstract theatre" in html
    assert "nansei-map-data" not in html  # the Nansei-only interactive map is left out
    assert "Kyushu" not in html
    assert not (run_dir / "map.html").exists()
    assert (run_dir / "map.png").stat().st_size > 10_000


def test_web_map_of_a_theatre_is_its_plane(run_dir):
    _build_map(None, str(run_dir), 1)
    page = (run_dir / "map.html").read_text(encoding="utf-8")
    assert "abstract theatre" in page
    assert "data:image/png;base64," in page
    assert "Kyushu" not in page
