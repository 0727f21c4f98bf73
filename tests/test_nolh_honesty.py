"""A NOLH design reports the orthogonality it achieves as run (issue 16, item 9)."""

from __future__ import annotations

import collections
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from nansei.cli import app
from nansei.experiment import load_experiment
from nansei.experiment.design import make_design

DOC = Path(__file__).resolve().parents[1] / "docs" / "experiments.md"

MIXED = """\
schema_version: 1
name: nolh-mixed
scenario: ideal-fixed-delay
factors:
  red.p_kill: {low: 0.2, high: 0.9}
  blue.relocation.dwell_h: {low: 1, high: 8, integer: true}
  red.doctrine: [per_site_first_detection, per_detection]
design: {kind: nolh, points: 17}
replications: 10
seed: 1
"""


def _independent_max_corr(values: list[dict], factors: tuple[str, ...]) -> float:
    """Max |Pearson r| between factor values as run, computed without the design module:
    numbers as they are, anything else by its order of first appearance in the levels."""
    df = pd.DataFrame(values, columns=list(factors))
    cols = {}
    for f in factors:
        col = df[f]
        if col.map(lambda v: isinstance(v, int | float) and not isinstance(v, bool)).all():
            cols[f] = col.astype(float)
        else:
            cols[f] = col.astype(str).map({"per_site_first_detection": 0, "per_detection": 1})
    r = pd.DataFrame(cols).corr().to_numpy()
    return float(np.max(np.abs(r[~np.eye(len(factors), dtype=bool)])))


def test_continuous_nolh_is_exactly_orthogonal_as_run() -> None:
    d = make_design(load_experiment("kyodo-dwell-killchain"))
    assert d.max_abs_correlation() < 1e-12
    assert "exactly orthogonal as run" in d.orthogonality()


def test_whole_number_and_categorical_factors_report_their_correlation() -> None:
    d = make_design(load_experiment(MIXED))
    r = d.max_abs_correlation()
    assert abs(r - _independent_max_corr(d.values, d.factors)) < 1e-12
    assert r > 0.03  # well above the published NOLH figure: not orthogonal
    assert abs(r - 0.19245) < 1e-4
    text = d.orthogonality()
    assert "only nearly orthogonal" in text and "0.192" in text
    assert "exactly orthogonal as run" not in text
    # the unit-cube columns themselves are orthogonal: it is the rounding that costs
    u = np.corrcoef(d.unit, rowvar=False)
    assert np.max(np.abs(u[~np.eye(3, dtype=bool)])) < 1e-12


def test_rounding_gives_end_values_half_weight() -> None:
    exp = MIXED.replace("{low: 1, high: 8, integer: true}", "{low: 1, high: 3, integer: true}")
    d = make_design(load_experiment(exp))
    counts = collections.Counter(v["blue.relocation.dwell_h"] for v in d.values)
    assert counts == {1: 4, 2: 9, 3: 4}  # as docs/experiments.md says


def test_sweep_prints_and_stores_the_achieved_correlation(tmp_path) -> None:
    exp = tmp_path / "nolh-mixed.yaml"
    exp.write_text(MIXED)
    out = tmp_path / "store"
    r = CliRunner().invoke(app, ["sweep", str(exp), "--out", str(out)], env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    assert "max |pairwise correlation| 0.192 as run" in r.stdout
    assert "only nearly orthogonal" in r.stdout
    r = CliRunner().invoke(app, ["status", str(out), "--json"])
    meta = json.loads(r.stdout)["metadata"]
    assert abs(meta["design_max_abs_correlation"] - 0.19245) < 1e-4
    r = CliRunner().invoke(app, ["sweep", str(exp), "--out", str(out), "--json"])
    report = json.loads(r.stdout)
    assert report["extra"]["design"]["kind"] == "nolh"
    assert abs(report["extra"]["design"]["max_abs_correlation"] - 0.19245) < 1e-4


def test_docs_do_not_claim_orthogonality_the_design_lacks() -> None:
    doc = DOC.read_text(encoding="utf-8")
    for m in re.finditer(r"exactly orthogonal", doc):
        context = doc[max(0, m.start() - 200) : m.end() + 200]
        assert re.search(r"unit cube|only when every factor is a continuous|columns", context), (
            context
        )
    # the documented example is what the code reports
    block = doc.split("(`nolh-mixed.yaml`):", 1)[1].split("```yaml", 1)[1].split("```", 1)[0]
    d = make_design(load_experiment(block))
    shown = doc.split("$ nansei sweep nolh-mixed.yaml --out runs/nm", 1)[1].split("```", 1)[0]
    assert d.orthogonality() in " ".join(shown.split())


def test_a_tiny_correlation_is_not_printed_as_zero() -> None:
    from nansei.experiment import load_experiment
    from nansei.experiment.design import make_design

    # ideal-nolh rounds a range of 99,000 to whole numbers: a correlation of about 1e-5
    d = make_design(load_experiment("ideal-nolh"))
    r = d.max_abs_correlation()
    assert 0 < r < 5e-4
    text = d.orthogonality()
    assert f"{r:.1e}" in text and "0.000" not in text and "nearly orthogonal" in text
