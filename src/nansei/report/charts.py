"""Charts of a run with confidence bands (matplotlib, Agg backend).

Every mean and confidence interval comes from :func:`nansei.analysis.summarize`,
so charts agree with ``nansei analyze`` and the report's tables. Charts of
outputs a run did not simulate (stock levels, evacuees, blocked actions)
render a labelled "not simulated in this run" panel instead of nothing.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from nansei.analysis import summarize

#: Series/record column prefixes of the sustainment, civil and legal outputs.
STOCK_PREFIX = "stock"
REMAINING_PREFIX = "remaining."
BLOCKED_PREFIX = "blocked_"
SIZE = (5.6, 3.2)


def columns_with(df: pd.DataFrame | None, prefix: str) -> list[str]:
    """Numeric columns of ``df`` whose names start with ``prefix``."""
    if df is None:
        return []
    return [c for c in df.columns if c.startswith(prefix) and pd.api.types.is_numeric_dtype(df[c])]


def band(series: pd.DataFrame, column: str, level: float = 0.95) -> pd.DataFrame:
    """Mean and confidence interval of a series column at each step.

    Returns
    -------
    pandas.DataFrame
        ``step``, ``t_end_h``, ``mean``, ``ci_low``, ``ci_high``, ``n``.
    """
    s = summarize(series, outputs=[column], by=("step",), level=level)
    t = series.groupby("step")["t_end_h"].first()
    s["t_end_h"] = s["step"].map(t)
    return s


def placeholder(title: str, message: str) -> Figure:
    """A panel that says plainly what is missing and why."""
    fig, ax = plt.subplots(figsize=(SIZE[0], 1.6))
    ax.set_axis_off()
    ax.set_title(title, loc="left", fontsize=11)
    ax.text(
        0.5,
        0.45,
        message,
        ha="center",
        va="center",
        fontsize=10,
        color="#555555",
        wrap=True,
        transform=ax.transAxes,
    )
    fig.tight_layout()
    return fig


def _band_axes(title: str, ylabel: str):
    fig, ax = plt.subplots(figsize=SIZE)
    ax.set_title(title, loc="left", fontsize=11)
    ax.set_xlabel("day")
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    return fig, ax


def _plot_band(ax, b: pd.DataFrame, label: str, color=None) -> None:
    days = b["t_end_h"] / 24.0
    (line,) = ax.plot(days, b["mean"], label=label, color=color, lw=1.8)
    ax.fill_between(days, b["ci_low"], b["ci_high"], color=line.get_color(), alpha=0.25, lw=0)


def _n_reps(series: pd.DataFrame) -> int:
    return int(series["replication"].nunique())


def survival_chart(series: pd.DataFrame | None, level: float = 0.95) -> Figure:
    """Launchers alive at the end of each step: mean and confidence band."""
    title = "Launchers alive"
    if series is None or "launchers_alive" not in series:
        return placeholder(title, "No series in this run (run with --series).")
    if not series["launchers_alive"].any():
        return placeholder(title, "No launcher in this scenario.")
    fig, ax = _band_axes(
        f"{title} (mean, {level:.0%} CI band, {_n_reps(series)} replications)", "launchers"
    )
    _plot_band(ax, band(series, "launchers_alive", level), "launchers alive")
    ax.set_ylim(bottom=0)
    fig.tight_layout()
    return fig


def salvos_chart(series: pd.DataFrame | None, level: float = 0.95) -> Figure:
    """Salvos fired per step (day): mean with confidence interval bars."""
    title = "Salvos fired per day"
    if series is None or "salvos" not in series:
        return placeholder(title, "No series in this run (run with --series).")
    if "launchers_alive" in series and not series["launchers_alive"].any():
        return placeholder(title, "No launcher in this scenario.")
    b = band(series, "salvos", level)
    fig, ax = _band_axes(f"{title} (mean, {level:.0%} CI)", "salvos per step")
    days = b["t_end_h"] / 24.0
    err = [b["mean"] - b["ci_low"], b["ci_high"] - b["mean"]]
    ax.bar(
        days - 0.5,
        b["mean"],
        width=0.8,
        color="#4c72b0",
        yerr=err,
        capsize=2,
        error_kw={"elinewidth": 0.8},
        label="salvos",
    )
    fig.tight_layout()
    return fig


def _multi_band(series, cols, title, ylabel, strip, level) -> Figure:
    fig, ax = _band_axes(f"{title} (mean, {level:.0%} CI bands)", ylabel)
    for c in cols:
        _plot_band(ax, band(series, c, level), c.removeprefix(strip).lstrip("_") or c)
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=8, ncol=2, frameon=False)
    fig.tight_layout()
    return fig


def _unit(column: str) -> str:
    """The unit of a series column, as stated once in ``layout.SERIES`` ("count" for pods)."""
    from nansei.engine.layout import SERIES

    desc = dict(SERIES).get(column, "")
    if desc.endswith(")"):
        unit = desc[desc.rfind("(") + 1 : -1]
    else:  # a column the layout does not list: its name's suffix
        unit = column.rsplit("_", 1)[-1] if "_" in column else ""
    return {"count": "pods", "l": "litres", "t": "tonnes"}.get(unit, unit or "stock")


def stock_chart(series: pd.DataFrame | None, level: float = 0.95) -> Figure:
    """Stock levels over time (series columns starting with ``stock``): one panel per unit,
    so pods and litres never share an axis."""
    cols = columns_with(series, STOCK_PREFIX)
    if not cols:
        return placeholder("Stock levels", "SDF sustainment not simulated in this run.")
    if not series[cols].to_numpy().any():
        return placeholder("Stock levels", "No SDF stock held at any step of this run.")
    units: dict[str, list[str]] = {}
    for c in cols:
        units.setdefault(_unit(c), []).append(c)
    fig, axes = plt.subplots(1, len(units), figsize=(SIZE[0], SIZE[1]), squeeze=False)
    fig.suptitle(f"Stock levels (mean, {level:.0%} CI bands)", x=0.01, ha="left", fontsize=11)
    for ax, (unit, group) in zip(axes[0], units.items(), strict=True):
        for c in group:
            label = c.removeprefix(STOCK_PREFIX).lstrip("_").removesuffix("_l") or c
            _plot_band(ax, band(series, c, level), label)
        ax.set_xlabel("day")
        ax.set_ylabel(unit)
        ax.set_ylim(0, 1.08 * ax.get_ylim()[1])  # a level flat at its maximum stays in view
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


def evacuees_chart(series: pd.DataFrame | None, level: float = 0.95) -> Figure:
    """Residents remaining per island over time (series columns ``remaining.<island>``)."""
    cols = columns_with(series, REMAINING_PREFIX)
    if not cols:
        return placeholder(
            "Residents remaining per island", "Civil protection not simulated in this run."
        )
    return _multi_band(
        series, cols, "Residents remaining per island", "people", REMAINING_PREFIX, level
    )


def blocked_chart(records: pd.DataFrame, level: float = 0.95) -> Figure:
    """Actions blocked by the legal authorities, per situation (record columns ``blocked_*``)."""
    cols = columns_with(records, BLOCKED_PREFIX)
    title = "Actions blocked by legal authority"
    if not cols:
        return placeholder(title, "Legal gating not simulated in this run.")
    s = summarize(records, outputs=cols, level=level)
    fig, ax = plt.subplots(figsize=(SIZE[0], 0.5 + 0.4 * len(cols)))
    y = range(len(s))
    err = [s["mean"] - s["ci_low"], s["ci_high"] - s["mean"]]
    ax.barh(list(y), s["mean"], xerr=err, color="#c44e52", capsize=3)
    ax.set_yticks(list(y), [o.removeprefix(BLOCKED_PREFIX) for o in s["output"]])
    ax.invert_yaxis()
    ax.set_xlabel(
        f"per replication (mean, {level:.0%} CI)\nus_fires_from_japan: targets; others: attempts"
    )
    ax.set_title(title, loc="left", fontsize=11)
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return fig


def main_effects_chart(
    records: pd.DataFrame, factors: Sequence[str], output: str, level: float = 0.95
) -> Figure:
    """Main-effects plot of an experiment: mean output at each level of each factor.

    Parameters
    ----------
    records : pandas.DataFrame
        One row per replication with factor columns and the output column.
    factors : sequence of str
        Factor columns (for example ``param.dwell_mean_h``).
    output : str
        Output column.
    """
    fig, axes = plt.subplots(
        1, len(factors), figsize=(2.6 * len(factors) + 1, 3.2), sharey=True, squeeze=False
    )
    for ax, f in zip(axes[0], factors, strict=True):
        s = summarize(records, outputs=[output], by=(f,), level=level)
        x = range(len(s))
        ax.errorbar(
            list(x),
            s["mean"],
            yerr=[s["mean"] - s["ci_low"], s["ci_high"] - s["mean"]],
            marker="o",
            capsize=3,
        )
        ax.set_xticks(list(x), [f"{v:g}" if isinstance(v, float) else str(v) for v in s[f]])
        ax.set_xlabel(f.removeprefix("param."))
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel(f"{output} (mean, {level:.0%} CI)")
    fig.suptitle(f"Main effects on {output}", x=0.01, ha="left", fontsize=11)
    fig.tight_layout()
    return fig


def sensitivity_chart(indices: pd.DataFrame, output: str = "") -> Figure:
    """Sensitivity bar chart from Sobol indices (SALib style).

    Parameters
    ----------
    indices : pandas.DataFrame
        Columns ``parameter``, ``S1``, ``ST`` and optionally ``S1_conf``,
        ``ST_conf`` (half-widths of the confidence intervals).
    output : str
        Name of the output, for the title.
    """
    d = indices.sort_values("ST", ascending=True)
    fig, ax = plt.subplots(figsize=(SIZE[0], 0.6 + 0.35 * len(d)))
    y = list(range(len(d)))
    h = 0.38
    ax.barh(
        [v + h / 2 for v in y],
        d["ST"],
        height=h,
        xerr=d.get("ST_conf"),
        label="total (ST)",
        color="#4c72b0",
        capsize=2,
    )
    ax.barh(
        [v - h / 2 for v in y],
        d["S1"],
        height=h,
        xerr=d.get("S1_conf"),
        label="first order (S1)",
        color="#dd8452",
        capsize=2,
    )
    ax.set_yticks(y, list(d["parameter"]))
    ax.set_xlabel("Sobol index")
    ax.set_title(f"Sensitivity of {output}" if output else "Sensitivity", loc="left", fontsize=11)
    ax.legend(frameon=False, fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return fig


def png_bytes(fig: Figure, dpi: int = 110) -> bytes:
    """Render a figure to PNG bytes and close it."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    plt.close(fig)
    return buf.getvalue()


def run_charts(records: pd.DataFrame, series: pd.DataFrame | None) -> dict[str, Figure]:
    """The standard charts of one run, by name, in report order."""
    return {
        "survival": survival_chart(series),
        "salvos": salvos_chart(series),
        "stocks": stock_chart(series),
        "evacuees": evacuees_chart(series),
        "blocked": blocked_chart(records),
    }
