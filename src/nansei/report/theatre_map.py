"""Static map of an abstract theatre (``geography.theatre``) on its own plane.

The Nansei map (:mod:`nansei.report.static_map`) draws coastlines and the evacuation plan;
an abstract theatre has neither. This map draws the theatre in km: x along the front, y the
depth behind the front line (Blue below 0, Red's side above): the generated positions, the
positions launchers used, decoys, the front line, the band where Red's targets are, the depth
Red's drones cover, the deepest position each carried munition reaches the targets from, and
replication 0's strikes. The legend lists only what is drawn.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from nansei.geo.theatre import KM_PER_DEG
from nansei.report.static_map import DPI

__all__ = ["theatre_map"]


def _plane(lonlat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(x along the front, y north of the front line) in km of compiled positions."""
    return lonlat[:, 0] * KM_PER_DEG, lonlat[:, 1] * KM_PER_DEG


def theatre_map(sc, compiled, strikes: pd.DataFrame | None = None, title: str = "") -> Figure:
    """The abstract theatre of ``sc`` with replication 0's strikes.

    Parameters
    ----------
    sc : nansei.scenario.Scenario
        A scenario with an abstract ``geography.theatre``.
    compiled : nansei.engine.compile.Compiled
    strikes : pandas.DataFrame, optional
        ``Replay.strikes`` of replication 0 (``site``, ``wasted``, ``killed``).
    title : str

    Returns
    -------
    matplotlib.figure.Figure
    """
    th = sc.geography.theatre
    x, y = _plane(np.asarray(compiled.site_lonlat))
    index = {sid: i for i, sid in enumerate(compiled.site_ids)}
    decoy = np.zeros(len(x), bool)
    decoy[compiled.arrays["decoy_site"]] = True
    fig, ax = plt.subplots(figsize=(12, 5.2), dpi=DPI)
    top = th.targets_beyond_km + 0.6 * th.depth_km  # room for the legend on Red's side
    ax.axhspan(0, top, color="#fde0dd", zorder=0, label="Red's side of the front")
    ax.axhline(0, color="#d62728", lw=2, zorder=2, label="front line")
    ax.axhline(
        th.targets_beyond_km, color="#d62728", lw=1, ls=":", zorder=2,
        label=f"Red's targets ({th.targets_beyond_km:g} km beyond the front)",
    )  # fmt: skip
    if th.isr_beyond_factor < 1.0 and th.isr_depth_km < th.depth_km:
        ax.axhline(
            -th.isr_depth_km, color="#6a3d9a", lw=1, ls="--", zorder=2,
            label=f"depth of Red's drone cover ({th.isr_depth_km:g} km; "
            f"rates x{th.isr_beyond_factor:g} beyond)",
        )  # fmt: skip
    carried = {m for g in sc.blue.launchers for m in (*g.pods_carried, *g.reload_pods)}
    for m in sc.blue.munitions:
        reach = m.range_km - th.targets_beyond_km
        if m.id in carried and 0 < reach < th.depth_km:
            ax.axhline(
                -reach, color="#1f78b4", lw=1, ls="-.", zorder=2,
                label=f"{m.id} reaches the targets from above this depth ({reach:g} km)",
            )  # fmt: skip
    free = ~decoy
    ax.scatter(x[free], y[free], s=4, c="#888888", zorder=3, label="position (hide or firing)")
    if decoy.any():
        ax.scatter(
            x[decoy], y[decoy], s=22, marker="D", facecolors="none", edgecolors="#33a02c",
            zorder=4, label="decoy",
        )  # fmt: skip
    if strikes is not None and not strikes.empty:
        styles = (
            (strikes["wasted"], dict(marker="o", s=36, facecolors="none", edgecolors="#ff7f00"),
             "strike that found no launcher"),
            (~strikes["wasted"] & ~strikes["killed"], dict(marker="x", s=36, c="#d62728"),
             "strike on a launcher (missed)"),
            (strikes["killed"], dict(marker="*", s=90, c="#d62728", edgecolors="black",
                                     linewidths=0.5), "launcher destroyed"),
        )  # fmt: skip
        for mask, style, label in styles:
            sel = [index[s] for s in strikes.loc[mask, "site"] if s in index]
            if sel:
                ax.scatter(x[sel], y[sel], zorder=6, label=label, **style)
    ax.set_xlim(-5, th.width_km + 5)
    ax.set_ylim(-th.depth_km - 5, top)
    ax.set_xlabel("along the front (km)")
    ax.set_ylabel("beyond the front line (km; Blue below 0)")
    ax.set_title(title, fontsize=11, loc="left")
    ax.legend(loc="upper right", ncol=2, fontsize=7, framealpha=0.9)
    fig.text(
        0.01, 0.01,
        f"Abstract theatre '{th.id}': generated positions on a plane, no real place. "
        "Unclassified.",
        fontsize=7, color="#555555",
    )  # fmt: skip
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    return fig
