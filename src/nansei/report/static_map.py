"""Static map of a scenario or a run (PNG, matplotlib Agg).

Left panel: the island chain with coastlines (GSHHG), island labels,
airports and ports, candidate and used launcher sites, range envelopes of
the munitions carried, sea target zones and the strikes of replication 0
(wasted strikes drawn differently). Right panel: the evacuation plan's flows
from the Sakishima gateways to Kyushu, which lie far beyond the chain.
"""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.patheffects as pe
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from nansei.report.layers import MapLayers, circle

LAND = "#e6dcc0"
COAST = "#8a7a55"
SEA = "#d4e6f1"
#: Resolution of the map; islands such as Ishigaki are ~25 px wide at 150 dpi.
DPI = 150
RANGE_COLOURS = ("#7b3294", "#008837", "#c2a5cf", "#a6dba0")
_HALO = [pe.withStroke(linewidth=2.5, foreground="white")]


def _frame(ax, extent) -> None:
    lon0, lon1, lat0, lat1 = extent
    ax.set_xlim(lon0, lon1)
    ax.set_ylim(lat0, lat1)
    ax.set_aspect(1.0 / math.cos(math.radians((lat0 + lat1) / 2)))
    ax.set_facecolor(SEA)
    ax.set_xlabel("longitude (°E)")
    ax.set_ylabel("latitude (°N)")
    ax.tick_params(labelsize=8)


def draw_coastlines(ax, geojson: dict) -> None:
    """Fill the land polygons of a GeoJSON FeatureCollection."""
    for feat in geojson["features"]:
        ring = feat["geometry"]["coordinates"][0]
        xs, ys = zip(*ring, strict=True)
        ax.fill(xs, ys, facecolor=LAND, edgecolor=COAST, linewidth=0.4, zorder=1)


def _zones(ax, layers: MapLayers) -> None:
    for z in layers.zones:
        x, y = circle(z["lat"], z["lon"], z["radius_km"]).exterior.xy
        ax.fill(x, y, facecolor="#d62728", alpha=0.12, edgecolor="#d62728", lw=1, zorder=2)
        ax.text(
            z["lon"],
            z["lat"],
            z["name"],
            fontsize=7,
            color="#8b0000",
            ha="center",
            va="center",
            zorder=6,
            path_effects=_HALO,
        )


def _covers_map(geojson: dict, extent: tuple[float, float, float, float]) -> bool:
    from shapely.geometry import box, shape

    lon0, lon1, lat0, lat1 = extent
    return shape(geojson).contains(box(lon0, lat0, lon1, lat1))


def _ranges(ax, layers: MapLayers) -> list:
    """Draw each range envelope; return legend handles for the outlines visible on the map
    (a range covering the whole map is named in a note instead: its outline is not drawn)."""
    handles = []
    covering = []
    for k, r in enumerate(layers.ranges):
        col = RANGE_COLOURS[k % len(RANGE_COLOURS)]
        g = r["geojson"]
        polys = g["coordinates"] if g["type"] == "MultiPolygon" else [g["coordinates"]]
        for poly in polys:
            xs, ys = zip(*poly[0], strict=True)
            ax.plot(xs, ys, ls="--", lw=1.1, color=col, zorder=3)
        label = f"{r['id']} range {r['range_km']:g} km from used sites"
        if _covers_map(g, layers.extent):  # its outline lies outside the map: say so, list no line
            covering.append(label)
            continue
        handles.append(Line2D([], [], ls="--", color=col, label=label))
    if covering:
        ax.text(
            0.99,
            0.01,
            "; ".join(covering) + ": covers the whole map (outline outside it)",
            transform=ax.transAxes,
            ha="right",
            va="bottom",
            fontsize=7,
            color="#333333",
            bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none"},
        )
    return handles


def _points(ax, layers: MapLayers) -> None:
    used = set(layers.used_sites)
    cand = [s for s in layers.sites if not s["decoy"] and s["id"] not in used]
    gen = [s for s in cand if s["generated"]]
    cand = [s for s in cand if not s["generated"]]
    if gen:  # hundreds of generated positions: faint dots that leave the islands visible
        ax.scatter(
            [s["lon"] for s in gen],
            [s["lat"] for s in gen],
            s=0.5,
            c="#555555",
            alpha=0.6,
            linewidths=0,
            zorder=4,
            label="generated position",
        )
    ax.scatter(
        [s["lon"] for s in cand],
        [s["lat"] for s in cand],
        s=4,
        c="#777777",
        zorder=4,
        label="candidate site",
    )
    us = [s for s in layers.sites if s["id"] in used]
    ax.scatter(
        [s["lon"] for s in us],
        [s["lat"] for s in us],
        s=14,
        marker="^",
        c="#1b7837",
        edgecolors="white",
        linewidths=0.4,
        zorder=5,
        label="site used by a launcher",
    )
    dec = [s for s in layers.sites if s["decoy"]]
    ax.scatter(
        [s["lon"] for s in dec],
        [s["lat"] for s in dec],
        s=10,
        marker="D",
        facecolors="none",
        edgecolors="#1b7837",
        zorder=5,
        label="decoy site",
    )
    air = [a for a in layers.airports if a["role"] == "island"]
    ax.scatter(
        [a["lon"] for a in air],
        [a["lat"] for a in air],
        s=16,
        marker="P",
        c="#253494",
        zorder=5,
        label="airport",
    )
    ports = [p for p in layers.ports if p["role"] == "island"]
    ax.scatter(
        [p["lon"] for p in ports],
        [p["lat"] for p in ports],
        s=7,
        marker="s",
        alpha=0.9,
        c="#41b6c4",
        edgecolors="#225ea8",
        linewidths=0.4,
        zorder=5,
        label="port",
    )


#: Label offsets (degrees) that keep names off small islands and each other.
_LABEL_NUDGE = {
    "irabu_shimoji": (-0.05, 0.14),
    "iriomote_taketomi": (-0.1, -0.2),
    "hateruma": (0.0, -0.14),
    "kitadaito": (0.0, 0.12),
    "minamidaito": (0.0, -0.16),
    "kikai": (0.15, 0.0),
    "tarama": (-0.1, 0.1),
}


def _labels(ax, layers: MapLayers) -> None:
    for isl in layers.islands:
        dx, dy = _LABEL_NUDGE.get(isl["id"], (0.12, 0.1))
        ax.annotate(
            isl["name"].split(" (")[0].split(" +")[0],
            (isl["lon"], isl["lat"]),
            (isl["lon"] + dx, isl["lat"] + dy),
            fontsize=7.5,
            zorder=7,
            path_effects=_HALO,
            ha="left" if dx >= 0 else "right",
        )


def _strikes(ax, layers: MapLayers, strikes: pd.DataFrame | None) -> list:
    if strikes is None or strikes.empty:
        return []
    pos = {s["id"]: (s["lat"], s["lon"]) for s in layers.sites}
    handles = []
    kinds = (
        (
            strikes["wasted"],
            dict(marker="o", s=40, facecolors="none", edgecolors="#ff7f00", linewidths=1.2),
            "strike on an empty or decoy site (wasted)",
        ),
        (
            ~strikes["wasted"] & ~strikes["killed"],
            dict(marker="x", s=40, c="#d62728", linewidths=1.4),
            "strike on an occupied site",
        ),
        (
            strikes["killed"],
            dict(marker="*", s=110, c="#d62728", edgecolors="black", linewidths=0.5),
            "launcher destroyed",
        ),
    )
    for mask, style, label in kinds:
        sel = strikes[mask]
        if sel.empty:
            continue
        lat = [pos[s][0] for s in sel["site"]]
        lon = [pos[s][1] for s in sel["site"]]
        handles.append(ax.scatter(lon, lat, zorder=8, label=label, **style))
    return handles


def draw_main(ax, layers: MapLayers, strikes: pd.DataFrame | None = None) -> None:
    """Draw the island-chain panel on ``ax``."""
    _frame(ax, layers.extent)
    draw_coastlines(ax, layers.coastlines)
    _zones(ax, layers)
    range_handles = _ranges(ax, layers)
    _points(ax, layers)
    _strikes(ax, layers, strikes)
    _labels(ax, layers)
    handles, _ = ax.get_legend_handles_labels()
    zone = Line2D(
        [],
        [],
        marker="o",
        ls="",
        ms=10,
        mfc="#d62728",
        alpha=0.3,
        mec="#d62728",
        label="sea target zone",
    )
    ax.legend(
        handles=[*handles, *range_handles, zone], loc="upper left", fontsize=8.5, framealpha=0.9
    )


def draw_evacuation(ax, layers: MapLayers) -> None:
    """Draw the evacuation-flow panel (island gateways to staging and Kyushu) on ``ax``."""
    _frame(ax, layers.evac_extent)
    draw_coastlines(ax, layers.coastlines)
    top = max((f["per_day"] for f in layers.evacuation), default=1)
    for f in layers.evacuation:
        col = "#253494" if f["mode"] == "air" else "#41b6c4"
        ax.annotate(
            "",
            (f["to_lon"], f["to_lat"]),
            (f["from_lon"], f["from_lat"]),
            arrowprops=dict(
                arrowstyle="-|>",
                color=col,
                alpha=0.75,
                lw=0.6 + 4.0 * f["per_day"] / top,
                connectionstyle="arc3,rad=0.12",
            ),
            zorder=4,
        )
    for name, lat, lon in {(f["to"], f["to_lat"], f["to_lon"]) for f in layers.evacuation}:
        ax.scatter([lon], [lat], s=40, c="black", zorder=6)
        ax.text(lon + 0.15, lat, name, fontsize=8, zorder=7, path_effects=_HALO)
    if not layers.evacuation:
        ax.set_title("No evacuation plan in the gazetteer", fontsize=10, loc="left")
        return
    ax.text(
        layers.evac_extent[0] + 0.2,
        layers.evac_extent[3] - 0.3,
        "Kyushu lies outside the clipped coastline data;\nits destinations are drawn as points.",
        fontsize=7,
        va="top",
        color="#444444",
    )
    total = sum(f["per_day"] for f in layers.evacuation if f["to"].startswith("Kyushu"))
    ax.set_title(
        f"Evacuation plan flows (capacity to Kyushu {total:,}/day)", fontsize=10, loc="left"
    )
    ax.legend(
        handles=[
            Line2D([], [], color="#253494", lw=2, label="air"),
            Line2D([], [], color="#41b6c4", lw=2, label="sea"),
            Line2D([], [], color="black", marker="o", ls="", ms=5, label="staging or destination"),
        ],
        loc="lower right",
        fontsize=7,
        title="width ∝ people/day",
        title_fontsize=7,
    )


def static_map(layers: MapLayers, strikes: pd.DataFrame | None = None, title: str = "") -> Figure:
    """Two-panel static map.

    Parameters
    ----------
    layers : MapLayers
    strikes : pandas.DataFrame, optional
        ``Replay.strikes`` of replication 0 (``site``, ``wasted``, ``killed``).
    title : str

    Returns
    -------
    matplotlib.figure.Figure
        ``fig.axes[0]`` is the island-chain panel, ``fig.axes[1]`` the evacuation panel.
    """
    fig = plt.figure(figsize=(15, 6.3), dpi=DPI)
    gs = fig.add_gridspec(1, 2, width_ratios=(2.1, 1.0))
    ax, ax2 = fig.add_subplot(gs[0]), fig.add_subplot(gs[1])
    draw_main(ax, layers, strikes)
    draw_evacuation(ax2, layers)
    ax.set_title(title, fontsize=11, loc="left")
    fig.text(
        0.01,
        0.01,
        f"{layers.coast_credit} Sites are notional. Unclassified.",
        fontsize=7,
        color="#555555",
    )
    fig.tight_layout(rect=(0, 0.02, 1, 1))
    return fig
