"""Scripted events (``events:``) → arrays: kernel rows and evacuation stops.

:func:`scripted_rows` builds ``Model.sx`` for the kernel (:mod:`nansei.engine.scripted`);
:func:`evacuation_stops` builds the evacuation's ``ev_stop`` rows and scripted order time
(:mod:`nansei.engine.evacuation`). The legal timeline and the launcher groups' times take
the events through :func:`nansei.scenario.events.legal_timeline` and
:func:`~nansei.scenario.events.group_times`.
"""

from __future__ import annotations

import math

import numpy as np

from nansei.engine import evac_layout as E
from nansei.engine import layout as Y
from nansei.scenario.events import evacuation_script, gateway_closures

_OPS = {
    "close_airport": Y.SX_CLOSE_GW,
    "close_port": Y.SX_CLOSE_GW,
    "reopen_airport": Y.SX_OPEN_GW,
    "reopen_port": Y.SX_OPEN_GW,
    "strike_gateway": Y.SX_STRIKE_GW,
    "strike_site": Y.SX_STRIKE_SITE,
}


def _entity(ev, gw_ids: list[str], site_ids: list[str]) -> int:
    if ev.action in ("close_airport", "reopen_airport"):
        return gw_ids.index(ev.airport)
    if ev.action in ("close_port", "reopen_port"):
        return gw_ids.index(ev.port)
    if ev.action == "strike_gateway":
        return gw_ids.index(ev.gateway)
    if ev.action == "strike_site":
        return site_ids.index(ev.site)
    return -1


def scripted_rows(sc, gw_ids: list[str], site_ids: list[str]) -> np.ndarray:
    """Kernel rows of the scripted events, in time order (ties: list order).

    Returns
    -------
    ndarray (X, 4) float64
        ``[time_h, op (layout.SX_*), entity (gateway or site index, -1), event index]``:
        one row per event, plus the timed end (``SX_OPEN_GW``) of each closure that lasts
        ``duration_h`` or ``repair_h``.
    """
    rows = []
    for j, ev in enumerate(sc.events):
        rows.append(
            (ev.at_h, float(_OPS.get(ev.action, Y.SX_NOTE)), _entity(ev, gw_ids, site_ids), j)
        )
    for c in gateway_closures(sc):
        ev = sc.events[c.event]
        timed = ev.action == "strike_gateway" or ev.duration_h is not None
        if timed and math.isfinite(c.t_open_h):
            rows.append((c.t_open_h, float(Y.SX_OPEN_GW), gw_ids.index(c.gateway), c.event))
    rows.sort(key=lambda r: r[0])  # stable: list order breaks ties
    return np.array(rows, dtype=np.float64).reshape(-1, 4)


def evacuation_stops(sc, gateway_locations: list[str | None]) -> tuple[np.ndarray, float]:
    """The evacuation's scripted stops and order time.

    Parameters
    ----------
    sc : Scenario
    gateway_locations : list
        Airport (ICAO) or port id of each evacuation gateway (None: none given); a scripted
        closure of that airport or port stops the gateway.

    Returns
    -------
    tuple
        ``(ev_stop (k, 4) float64, order_h)``: rows ``[t_from_h, t_to_h, mode, gateway]``
        (:data:`nansei.engine.evac_layout.STOP_BOTH`; gateway -1: all); ``order_h`` the
        scripted order time (inf: none).
    """
    rows = []
    for c in gateway_closures(sc):
        for g, loc in enumerate(gateway_locations):
            if loc == c.gateway:
                rows.append((c.t_close_h, c.t_open_h, E.STOP_BOTH, g))
    order_h, stops = evacuation_script(sc)
    modes = {"air": E.MODE_AIR, "sea": E.MODE_SEA, "both": E.STOP_BOTH}
    for t0, t1, mode in stops:
        rows.append((t0, t1, modes[mode], -1))
    return np.array(rows, dtype=np.float64).reshape(-1, 4), order_h
