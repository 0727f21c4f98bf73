"""Charts on synthetic data with the sustainment, civil and legal columns, and placeholders."""

from __future__ import annotations

import numpy as np
import pandas as pd

from nansei.analysis import summarize
from nansei.report import charts


def _texts(fig) -> str:
    return " ".join(t.get_text() for ax in fig.axes for t in ax.texts)


def _series(extra: bool) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    rows = []
    for r in range(30):
        for step in range(10):
            row = {
                "replication": r,
                "step": step,
                "t_end_h": 24.0 * (step + 1),
                "launchers_alive": 16 - step - rng.integers(0, 2),
                "salvos": rng.poisson(5),
            }
            if extra:
                row |= {
                    "stock_prsm_pods": 40 - 3 * step + rng.normal(),
                    "stock_fuel_t": 100 - 5 * step + rng.normal(),
                    "remaining.ishigaki": max(0.0, 47600 - 9000 * step + rng.normal(0, 500)),
                    "remaining.miyako": max(0.0, 47962 - 8000 * step),
                }
            rows.append(row)
    return pd.DataFrame(rows)


def _line_data(fig, label):
    for line in fig.axes[0].lines:
        if line.get_label() == label:
            return np.asarray(line.get_ydata(), dtype=float)
    raise AssertionError(f"no line {label}")


def test_band_is_summarize_by_step():
    s = _series(False)
    b = charts.band(s, "launchers_alive")
    ref = summarize(s, outputs=["launchers_alive"], by=("step",))
    assert np.array_equal(b["ci_low"].to_numpy(), ref["ci_low"].to_numpy())
    assert list(b["t_end_h"]) == [24.0 * (k + 1) for k in range(10)]
    fig = charts.survival_chart(s)
    assert np.array_equal(_line_data(fig, "launchers alive"), ref["mean"].to_numpy())


def test_stock_and_evacuee_charts_draw_every_column_with_bands():
    s = _series(True)
    fig = charts.stock_chart(s)
    assert _line_data(fig, "prsm_pods")[0] > _line_data(fig, "prsm_pods")[-1]
    # pods and tonnes on separate panels, one CI band per column, each axis its unit
    assert [len(ax.collections) for ax in fig.axes] == [1, 1]
    assert [ax.get_ylabel() for ax in fig.axes] == ["pods", "tonnes"]
    fig = charts.evacuees_chart(s)
    ref = summarize(s, outputs=["remaining.ishigaki"], by=("step",))["mean"].to_numpy()
    assert np.array_equal(_line_data(fig, "ishigaki"), ref)
    assert "not simulated" not in _texts(fig)
    assert len(charts.png_bytes(fig)) > 5000


def test_blocked_actions_bar_chart_from_records():
    rng = np.random.default_rng(2)
    rec = pd.DataFrame(
        {
            "blocked_grey_zone": rng.poisson(4, 50),
            "blocked_armed_attack": rng.poisson(1, 50),
            "salvos_fired": 1,
        }
    )
    fig = charts.blocked_chart(rec)
    widths = sorted(p.get_width() for p in fig.axes[0].patches)
    ref = sorted(summarize(rec, outputs=["blocked_grey_zone", "blocked_armed_attack"])["mean"])
    assert np.allclose(widths, ref)


def test_charts_without_their_columns_show_a_placeholder():
    s = _series(False)
    assert "sustainment not simulated" in _texts(charts.stock_chart(s))
    assert "Civil protection not simulated" in _texts(charts.evacuees_chart(s))
    assert "Legal gating not simulated" in _texts(charts.blocked_chart(pd.DataFrame({"a": [1]})))
    assert "No series" in _texts(charts.survival_chart(None))
    # a scenario without launchers (evacuation only) or without any stock says so
    empty = _series(True).assign(launchers_alive=0, salvos=0, stock_prsm_pods=0.0, stock_fuel_t=0.0)
    assert "No launcher" in _texts(charts.survival_chart(empty))
    assert "No launcher" in _texts(charts.salvos_chart(empty))
    assert "No SDF stock" in _texts(charts.stock_chart(empty))
    assert "No launcher" not in _texts(charts.survival_chart(_series(False)))


def test_experiment_main_effects_and_sensitivity():
    rng = np.random.default_rng(3)
    dwell = np.repeat([2.0, 6.0, 12.0], 40)
    rec = pd.DataFrame(
        {
            "param.dwell_mean_h": dwell,
            "param.doctrine": np.tile(["a", "b"], 60),
            "launchers_lost": dwell + rng.normal(0, 1, dwell.size),
        }
    )
    fig = charts.main_effects_chart(rec, ["param.dwell_mean_h", "param.doctrine"], "launchers_lost")
    assert len(fig.axes) == 2
    y = fig.axes[0].lines[0].get_ydata()
    assert np.allclose(y, summarize(rec, ["launchers_lost"], by=("param.dwell_mean_h",))["mean"])
    idx = pd.DataFrame(
        {
            "parameter": ["dwell", "p_kill", "delay"],
            "S1": [0.5, 0.2, 0.05],
            "S1_conf": [0.05, 0.03, 0.02],
            "ST": [0.6, 0.3, 0.1],
            "ST_conf": [0.05, 0.03, 0.02],
        }
    )
    fig = charts.sensitivity_chart(idx, "launchers_lost")
    assert len(fig.axes[0].patches) == 6
    assert max(p.get_width() for p in fig.axes[0].patches) == 0.6
