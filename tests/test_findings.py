"""Findings in sentences (issue 16, item 4): computed from the numbers, always with intervals;
an interval that contains 0 says "no detectable difference"; meanings and units come from the
engine's layout."""

from __future__ import annotations

import json
import math
import re

import pytest

from nansei.analysis.findings import (
    comparison_finding,
    difference_clause,
    fmt_estimate,
    output_meaning,
    run_findings,
    sensitivity_finding,
)
from nansei.engine.evac_layout import SCALAR_OUTPUTS
from nansei.engine.layout import OUTPUTS, SCRIPTED_OUTPUTS

INTERVAL = re.compile(r"-?[\d,.]+( \w+)? \[-?[\d,.]+, -?[\d,.]+\]")


@pytest.mark.parametrize(
    ("mean", "low", "high", "text"),
    [
        (2.13, 1.61, 2.64, "2.1 [1.6, 2.6]"),
        (11.2, 9.1, 13.3, "11 [9, 13]"),
        (14.93, 14.81, 15.04, "14.9 [14.8, 15.0]"),
        (99907.0, 97876.0, 101938.0, "100,000 [98,000, 102,000]"),
        (16.0, 16.0, 16.0, "16 [16, 16]"),
        (-0.4, -1.9, 1.1, "-0.4 [-1.9, 1.1]"),  # a small mean keeps its sign
    ],
)
def test_estimates_are_rounded_to_their_interval(mean, low, high, text) -> None:
    assert fmt_estimate(mean, low, high) == text


def test_a_difference_whose_interval_contains_zero_is_no_detectable_difference() -> None:
    text = difference_clause("salvos_fired", -0.4, -1.9, 1.1)
    assert text == "no detectable difference in salvos fired (-0.4 [-1.9, 1.1])"
    # an interval touching 0 still contains it
    assert difference_clause("salvos_fired", 1.0, 0.0, 2.0).startswith("no detectable")
    assert difference_clause("launchers_lost", 0, 0, 0).startswith("no difference in")


def test_a_difference_whose_interval_excludes_zero_states_direction_and_interval() -> None:
    down = difference_clause("launchers_lost", -2.13, -2.64, -1.61, of=16)
    assert down == "launchers destroyed by the horizon down by 2.1 [1.6, 2.6] of 16"
    up = difference_clause("time_first_loss_h", 6.2, 3.1, 9.4)
    assert up == "time of the first launcher loss up by 6 h [3, 9]"
    assert "no detectable" not in down + up


def test_comparison_sentence_names_both_arms_and_the_pairs() -> None:
    rows = [
        {"output": "launchers_lost", "mean_diff": -2.1, "ci_low": -2.6, "ci_high": -1.6},
        {"output": "salvos_fired", "mean_diff": -11.0, "ci_low": -13.0, "ci_high": -9.0},
        {"output": "red_missiles_wasted", "mean_diff": 0.3, "ci_low": -0.2, "ci_high": 0.8},
    ]
    text = comparison_finding(
        "relocating every 4 h", "every 12 h", rows, 2000, totals={"launchers_lost": 16}
    )
    assert text.startswith("Relocating every 4 h instead of every 12 h: ")
    assert "down by 2.1 [1.6, 2.6] of 16" in text
    assert "salvos fired down by 11 [9, 13]" in text
    assert "no detectable difference in leaking missiles" in text
    assert text.endswith("(paired, 2,000 replications).")


def test_every_output_meaning_and_unit_come_from_the_layout() -> None:
    # the unit is the one the layout states, and the noun phrase is the start of its
    # description, for every output the kernel writes (scripted events' included)
    for name, desc in (*OUTPUTS, *SCRIPTED_OUTPUTS):
        noun, unit = output_meaning(name)
        assert unit and desc.endswith(f"({unit})"), name
        assert noun and noun != name and desc.startswith(noun), name
    for name, unit, desc in SCALAR_OUTPUTS:
        noun, got = output_meaning(name)
        assert got == unit and desc.startswith(noun), name
    # per-island fields name the island in the field's own description (ISLAND_OUTPUTS)
    assert output_meaning("evac_remaining.ishigaki") == (
        "people of ishigaki still in the region at the horizon (on it or staging)",
        "people",
    )
    assert output_meaning("evac_residents_at_strike.ishigaki")[0] == (
        "residents of ishigaki still in the region at the first strike"
    )
    assert output_meaning("evac_complete_h.ishigaki") == (
        "time ishigaki's last evacuee left the region",
        "h",
    )
    assert output_meaning("no_such_output") == ("no_such_output", "")


def test_sensitivity_sentence_ranks_clear_effects_first() -> None:
    ranking = [
        {"factor": "red.p_kill", "prcc": 0.81, "ci_low": 0.62, "ci_high": 0.91},
        {"factor": "blue.relocation.dwell_h", "prcc": -0.04, "ci_low": -0.4, "ci_high": 0.33},
    ]
    text = sensitivity_finding("launchers_lost", ranking, 33, 60)
    assert "driven most by red.p_kill (PRCC +0.8 [0.6, 0.9])" in text
    assert "no detectable effect of blue.relocation.dwell_h (PRCC -0.04 [-0.40, 0.33])" in text


def test_run_findings_are_the_numbers_of_a_real_run() -> None:
    import nansei

    res = nansei.simulate("kyodo-2021", replications=60, seed=3)
    summary = res.summary()
    found = run_findings(summary, 60, 720.0)
    assert found and found[0].startswith("Red destroys ")
    lost = summary.loc["launchers_lost"]
    expect = fmt_estimate(lost["mean"], lost["ci_low"], lost["ci_high"])
    assert f"Red destroys {expect} of 16 launchers over 30 days" in found[0]
    first = summary.loc["time_first_loss_h"]
    assert fmt_estimate(first["mean"], first["ci_low"], first["ci_high"], unit="h") in found[0]
    for sentence in found:  # every sentence carries at least one interval
        assert INTERVAL.search(sentence), sentence
        assert sentence.endswith(".")
    assert not any(math.isnan(v) for v in summary.loc["launchers_lost", ["ci_low", "ci_high"]])


def test_nansei_run_opens_with_findings_above_the_table() -> None:
    from typer.testing import CliRunner

    from nansei.cli import app

    r = CliRunner().invoke(app, ["run", "ideal-fixed-delay", "--reps", "200", "--seed", "4"])
    assert r.exit_code == 0, r.output
    text = r.stdout
    assert text.startswith("Findings (200 replications, 95% CIs):")
    head = " ".join(text[: text.index("┏")].split())  # the findings, unwrapped
    assert "- Red destroys 1 [1, 1] of 1 launchers over 3 days; the first is lost at" in head
    assert "Blue fires" not in head  # no targets in this scenario: no salvo sentence
    j = CliRunner().invoke(app, ["run", "ideal-fixed-delay", "--reps", "200", "--json"])
    assert json.loads(j.stdout)["findings"][0].startswith("Red destroys 1 [1, 1] of 1 launchers")


def test_levels_sentence_gives_every_arm_with_its_interval() -> None:
    from nansei.analysis.findings import levels_finding

    text = levels_finding(
        "launchers_lost",
        [
            ("relocating every 12 h", 14.88, 14.84, 14.92),
            ("relocating every 4 h", 14.85, 14.81, 14.9),
        ],
        "over 30 days",
        16,
    )
    assert text == (
        "Launchers destroyed by the horizon, over 30 days: 14.88 [14.84, 14.92] of 16 (relocating "
        "every 12 h); 14.85 [14.81, 14.90] of 16 (relocating every 4 h)."
    )
