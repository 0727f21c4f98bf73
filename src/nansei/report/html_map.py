"""Interactive offline map (Leaflet, inlined; no tile server, no network).

Layers can be switched on and off; a time slider replays replication 0's
event trace: launcher moves, strikes, gateway closures and residents
remaining per island. The page's data is one JSON document built here.
"""

from __future__ import annotations

import json

from nansei.report.layers import MapLayers
from nansei.report.replay import Replay, frames
from nansei.report.templating import environment


def _strikes(replay: Replay | None, pos: dict) -> list[dict]:
    if replay is None:
        return []
    return [
        {
            "t": round(r.time_h, 3),
            "site": r.site,
            "lat": pos[r.site][0],
            "lon": pos[r.site][1],
            "wasted": bool(r.wasted),
            "killed": bool(r.killed),
        }
        for r in replay.strikes.itertuples()
    ]


def map_data(layers: MapLayers, replay: Replay | None = None, step_h: float = 1.0) -> dict:
    """The JSON document the map page draws.

    Parameters
    ----------
    layers : MapLayers
    replay : Replay, optional
        Replication 0's reconstructed history; without it the slider is hidden.
    step_h : float
        Time between slider positions (h).

    Returns
    -------
    dict
    """
    pos = {s["id"]: (s["lat"], s["lon"]) for s in layers.sites}
    return {
        "coastlines": layers.coastlines,
        "bounds": [[layers.extent[2], layers.extent[0]], [layers.extent[3], layers.extent[1]]],
        "coast_credit": layers.coast_credit,
        "islands": layers.islands,
        "airports": [a for a in layers.airports if a["role"] == "island"],
        "ports": [p for p in layers.ports if p["role"] == "island"],
        "sites": layers.sites,
        "used_sites": layers.used_sites,
        "zones": layers.zones,
        "ranges": layers.ranges,
        "gateways": layers.gateways,
        "evacuation": layers.evacuation,
        "strikes": _strikes(replay, pos),
        "frames": frames(replay, pos, step_h) if replay is not None else [],
        "notes": replay.notes if replay is not None else [],
    }


def script_json(obj) -> str:
    """JSON safe to place inside a ``<script>`` element."""
    return json.dumps(obj, separators=(",", ":")).replace("</", "<\\/")


def render_map(layers: MapLayers, replay: Replay | None = None, title: str = "") -> str:
    """A standalone, self-contained HTML page with the interactive map.

    Returns
    -------
    str
        HTML text; Leaflet and all data are inlined.
    """
    env = environment()
    return env.get_template("map.html.j2").render(
        title=title or "nansei map",
        data_json=script_json(map_data(layers, replay)),
        coast_credit=layers.coast_credit,
    )
