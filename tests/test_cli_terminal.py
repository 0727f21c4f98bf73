"""What the terminal shows (issue 16, item 7): `nansei run` headlines fitted to the width,
`nansei verify` as "exact" / "within ±x" / "z = ...", `nansei show` with filled columns."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from nansei.cli import HEADLINES, _check_test, app
from nansei.engine.layout import OUTPUT_NAMES
from nansei.scenario import load_scenario
from nansei.verification.checks import REGISTRY

ROOT = Path(__file__).resolve().parents[1]
KYODO_LABELS = [label for _, label in HEADLINES]


def _cli(*args: str, columns: int) -> subprocess.CompletedProcess:
    """The real command in a fresh process with a terminal of ``columns`` characters."""
    env = {**os.environ, "COLUMNS": str(columns), "PYTHONPATH": str(ROOT / "src")}
    env.pop("FORCE_COLOR", None)
    return subprocess.run(
        [sys.executable, "-m", "nansei.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )


@pytest.fixture(scope="module")
def kyodo_runs() -> dict[int, str]:
    out = {}
    for columns in (60, 80, 140):
        proc = _cli("run", "kyodo-2021", "--reps", "40", "--seed", "5", columns=columns)
        assert proc.returncode == 0, proc.stderr
        out[columns] = proc.stdout
    return out


@pytest.mark.parametrize("columns", [60, 80, 140])
def test_run_headlines_fit_the_terminal_and_nothing_is_cut(kyodo_runs, columns) -> None:
    text = kyodo_runs[columns]
    assert "…" not in text  # rich's ellipsis: a cut cell
    assert max(len(line) for line in text.splitlines()) <= columns
    flat = " ".join(text.split())  # labels may wrap at narrow widths: join the words
    cells = " ".join(part.strip() for line in text.splitlines() for part in line.split("│")[1:2])
    for label in KYODO_LABELS:  # kyodo-2021 has sustainment and civil protection
        assert label.split(" (")[0] in " ".join(cells.split()), (label, columns)
    assert "--all prints every output" in flat
    assert "outputs shown" in flat


def test_run_headlines_are_about_ten_with_names_when_wide(kyodo_runs) -> None:
    text = kyodo_runs[140]
    first = text.split("└", 1)[0]  # the headline table (the uncertainty ranking follows)
    rows = [ln for ln in first.splitlines() if ln.startswith("│")]
    assert 8 <= len(rows) <= 12
    for name, _ in HEADLINES:
        assert f" {name} " in text  # the output's own name, in full
    assert "launchers lost (of 16)" in text


def test_run_headlines_leave_out_what_the_scenario_lacks() -> None:
    proc = _cli("run", "ideal-fixed-delay", "--reps", "50", columns=100)
    assert proc.returncode == 0, proc.stderr
    rows = [ln for ln in proc.stdout.splitlines() if ln.startswith("│")]
    assert len(rows) == 7  # no supply, no evacuation
    assert "pods delivered" not in proc.stdout and "evacuat" not in proc.stdout


def test_run_all_prints_every_output_uncut() -> None:
    proc = _cli("run", "ideal-fixed-delay", "--reps", "30", "--all", columns=80)
    assert proc.returncode == 0, proc.stderr
    assert "…" not in proc.stdout
    assert max(len(line) for line in proc.stdout.splitlines()) <= 80
    for name in OUTPUT_NAMES:
        if name not in ("events", "overflow"):
            assert f"│ {name} " in proc.stdout, name


def test_run_out_says_where_the_full_table_is(tmp_path) -> None:
    out = tmp_path / "k"
    args = ["run", "ideal-fixed-delay", "--reps", "30", "--out", str(out)]
    r = CliRunner().invoke(app, args, env={"COLUMNS": "250"})  # the path fits on its line
    assert r.exit_code == 0, r.output
    flat = " ".join(r.stdout.split())
    assert "summary.csv" in flat and (out / "summary.csv").exists()
    assert len(pd.read_csv(out / "summary.csv")) > 60


# ---------------------------------------------------------------------------
# verify


def test_verify_shows_exact_and_tolerance_checks_in_words() -> None:
    names = [
        "survival-fixed-delay-first-D1",  # statistical: z
        "survival-fixed-delay-each-D4",  # certain outcome: SE 0
        "conservation-missiles",  # identity
        "evac-plan-total",  # published "about" figure, 5 %
    ]
    args = ["verify", "--scale", "0.02"]
    for n in names:
        args += ["--check", n]
    r = CliRunner().invoke(app, args, env={"COLUMNS": "150"})
    assert r.exit_code == 0, r.output
    rows = {ln.split("│")[1].strip(): ln for ln in r.stdout.splitlines() if ln.startswith("│")}
    assert "inf" not in r.stdout
    assert "z = " in rows["survival-fixed-delay-first-D1"]
    assert " exact " in rows["survival-fixed-delay-each-D4"]
    assert "z = +0.00" not in r.stdout
    assert " exact " in rows["conservation-missiles"]
    assert "within ±6,000 (5 %)" in rows["evac-plan-total"]
    assert "120,000" in rows["evac-plan-total"]


def test_check_test_words_for_failures() -> None:
    exact = REGISTRY["conservation-missiles"]
    row = {"expected": 0.0, "simulated": 2.0, "se": 0.0, "z": float("inf")}
    assert _check_test(exact, row) == "off by +2 (must be exact)"
    about = REGISTRY["evac-plan-total"]
    row = {"expected": 120_000.0, "simulated": 100_000.0, "se": 0.0, "z": float("inf")}
    assert _check_test(about, row) == "outside ±6,000 (5 %)"
    stat = REGISTRY["survival-fixed-delay-first-D1"]
    row = {"expected": 0.15, "simulated": 0.25, "se": 0.01, "z": 10.0}
    assert _check_test(stat, row) == "z = +10.00"


# ---------------------------------------------------------------------------
# show


def test_show_fills_the_assumption_columns() -> None:
    r = CliRunner().invoke(app, ["show", "kyodo-2021"])
    assert r.exit_code == 0, r.output
    lines = r.stdout.split("Labelled assumptions", 1)[1].splitlines()
    sc = load_scenario("kyodo-2021")
    assert sc.assumptions
    for a in sc.assumptions:
        row = [ln for ln in lines if ln.startswith(f"│ {a.id} ")]
        assert row, a.id
        assert row[0].rstrip("│ ").endswith(a.confidence), row[0]


def test_show_json_lists_assumptions_with_their_fields() -> None:
    r = CliRunner().invoke(app, ["show", "kyodo-2021", "--json"])
    assert r.exit_code == 0, r.output
    got = json.loads(r.stdout)["assumptions"]
    want = load_scenario("kyodo-2021").assumptions
    assert [a["id"] for a in got] == [a.id for a in want]
    assert all(set(a) == {"id", "text", "source", "confidence"} for a in got)
    assert all(a["confidence"] in "ABC" and a["text"] for a in got)
