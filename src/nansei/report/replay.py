"""Replay of one replication's event trace: where launchers were, what was struck.

The engine's trace (see :func:`nansei.engine.results.trace_frame`) records
every event popped from the heap, including stale ones, with the launcher's
site for launcher events. From it this module reconstructs

* launcher moves: each ``arrive`` ends a move that started at the launcher's
  last ``leave`` before it;
* strikes on sites: a strike is *on an occupied site* if a launcher had
  arrived there and not yet left, otherwise it is *wasted*; an occupied-site
  strike *killed* the launcher if that launcher never arrives anywhere or is
  detected again afterwards (a destroyed launcher does neither);
* gateway closures: the trace names the gateway of each reopening but not of
  each strike, so a closure is taken to start at the latest unmatched gateway
  strike before the reopening (labelled *inferred* wherever shown).

Tests check the reconstruction against the replication's own records
(``launchers_lost``, ``strikes_wasted``) and daily series.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

#: Events after which a launcher is known to be alive.
ALIVE_EVENTS = ("arrive", "detect")


@dataclass
class Replay:
    """Reconstructed history of one replication.

    Attributes
    ----------
    horizon_h : float
    moves : pandas.DataFrame
        ``launcher, t_leave, t_arrive, from_site, to_site`` (the start
        positions are moves with ``t_leave = t_arrive = 0`` and no origin).
    strikes : pandas.DataFrame
        ``time_h, site, launcher (-1 if none), wasted, killed``.
    destroyed : dict
        Launcher index -> time destroyed (h).
    gateway_strikes : list of float
        Times of strikes on airports and ports (target not recorded).
    closures : pandas.DataFrame
        ``gateway, t_start, t_end`` (start inferred, see module notes).
    people : pandas.DataFrame or None
        Residents remaining per island at each series step (columns are
        island ids), or None when civil protection was not simulated.
    """

    horizon_h: float
    moves: pd.DataFrame
    strikes: pd.DataFrame
    destroyed: dict
    gateway_strikes: list
    closures: pd.DataFrame
    people: pd.DataFrame | None = None
    notes: list = field(default_factory=list)


def _moves(trace: pd.DataFrame) -> pd.DataFrame:
    rows = []
    lt = trace[trace["event"].isin(["arrive", "leave"])]
    for la, g in lt.groupby("entity", sort=True):
        last_leave, cur = 0.0, None
        for t, ev, site in zip(g["time_h"], g["event"], g["site"], strict=True):
            if ev == "leave":
                last_leave = float(t)
            else:
                rows.append((int(la), last_leave if cur else float(t), float(t), cur, site))
                cur = site
    return pd.DataFrame(rows, columns=["launcher", "t_leave", "t_arrive", "from_site", "to_site"])


def _stays(moves: pd.DataFrame) -> pd.DataFrame:
    """Intervals ``[t_arrive, t_next_leave)`` a launcher spent at a site."""
    out = moves.sort_values(["launcher", "t_arrive"]).copy()
    nxt = out.groupby("launcher")["t_leave"].shift(-1)
    out["t_until"] = nxt.fillna(math.inf)
    return out[["launcher", "to_site", "t_arrive", "t_until"]].rename(columns={"to_site": "site"})


def _last_alive(trace: pd.DataFrame) -> pd.Series:
    ev = trace[trace["event"].isin(ALIVE_EVENTS)]
    return ev.groupby("entity")["time_h"].max()


def _strikes(trace: pd.DataFrame, stays: pd.DataFrame, site_ids) -> pd.DataFrame:
    """Classify strikes in time order; a destroyed launcher no longer occupies its site."""
    last_alive = _last_alive(trace)
    dead: set[int] = set()
    rows = []
    st = trace[trace["event"] == "strike"].sort_values("time_h", kind="stable")
    for t, s in zip(st["time_h"].astype(float), st["entity"].astype(int), strict=True):
        if s < 0:
            continue
        site = site_ids[s]
        here = stays[(stays["site"] == site) & (stays["t_arrive"] <= t) & (stays["t_until"] > t)]
        here = here[~here["launcher"].isin(dead)]
        la = int(here["launcher"].iloc[0]) if len(here) else -1
        killed = la >= 0 and float(last_alive.get(la, -1.0)) <= t
        if killed:
            dead.add(la)
        rows.append((t, site, la, la < 0, killed))
    return pd.DataFrame(rows, columns=["time_h", "site", "launcher", "wasted", "killed"])


def _closures(trace: pd.DataFrame, gateway_ids) -> pd.DataFrame:
    strikes = sorted(trace.loc[trace["event"] == "gateway_strike", "time_h"].astype(float))
    used = [False] * len(strikes)
    rows = []
    reopen = trace[trace["event"] == "gateway_reopen"].sort_values("time_h")
    for t, g in zip(reopen["time_h"], reopen["entity"], strict=True):
        k = next((i for i in range(len(strikes) - 1, -1, -1) if strikes[i] < t and not used[i]), -1)
        if k < 0:
            continue
        used[k] = True
        rows.append((gateway_ids[int(g)], strikes[k], float(t)))
    return pd.DataFrame(rows, columns=["gateway", "t_start", "t_end"])


def _people(series0: pd.DataFrame | None) -> pd.DataFrame | None:
    if series0 is None:
        return None
    cols = [c for c in series0.columns if c.startswith("remaining.")]
    if not cols:
        return None
    df = series0.set_index("t_end_h")[cols]
    df.columns = [c.removeprefix("remaining.") for c in cols]
    return df


def build_replay(trace: pd.DataFrame, compiled, horizon_h: float, series0=None) -> Replay:
    """Reconstruct replication 0 from its trace.

    Parameters
    ----------
    trace : pandas.DataFrame
        As in ``trace.parquet`` (``time_h, event, entity, site, value``).
    compiled : nansei.engine.compile.Compiled
        The compiled scenario of the run (entity names in array order).
    horizon_h : float
    series0 : pandas.DataFrame, optional
        The series rows of replication 0 (for residents remaining).

    Returns
    -------
    Replay
    """
    moves = _moves(trace)
    stays = _stays(moves)
    strikes = _strikes(trace, stays, compiled.site_ids)
    destroyed = {int(r.launcher): float(r.time_h) for r in strikes[strikes["killed"]].itertuples()}
    notes = [
        "Gateway closures start at the latest earlier gateway strike (inferred: the trace "
        "does not record which gateway a strike hit)."
    ]
    people = _people(series0)
    if people is None:
        notes.append("Civil protection not simulated in this run: residents shown at t = 0.")
    return Replay(
        horizon_h=float(horizon_h),
        moves=moves,
        strikes=strikes,
        destroyed=destroyed,
        gateway_strikes=sorted(
            float(t) for t in trace.loc[trace["event"] == "gateway_strike", "time_h"]
        ),
        closures=_closures(trace, compiled.gateway_ids),
        people=people,
        notes=notes,
    )


def _track(moves: pd.DataFrame, pos: dict, times: np.ndarray, t_dead: float):
    """Latitude, longitude and state code (0 site, 1 moving, 2 destroyed, -1 absent)."""
    m = moves.sort_values("t_arrive")
    ta, tl = m["t_arrive"].to_numpy(), m["t_leave"].to_numpy()
    to = np.array([pos[s] for s in m["to_site"]])
    frm = np.array(
        [
            pos[s] if isinstance(s, str) else pos[d]
            for s, d in zip(m["from_site"], m["to_site"], strict=True)
        ]
    )
    k = np.searchsorted(ta, times, side="right") - 1  # last arrival at or before t
    lat, lon = to[np.maximum(k, 0), 0].copy(), to[np.maximum(k, 0), 1].copy()
    state = np.where(k >= 0, 0, -1)
    j = np.minimum(k + 1, len(ta) - 1)  # the next move
    moving = (k + 1 < len(ta)) & (tl[j] <= times) & (k >= 0)
    f = np.clip((times - tl[j]) / np.maximum(ta[j] - tl[j], 1e-9), 0.0, 1.0)
    lat = np.where(moving, frm[j, 0] + f * (to[j, 0] - frm[j, 0]), lat)
    lon = np.where(moving, frm[j, 1] + f * (to[j, 1] - frm[j, 1]), lon)
    state = np.where(moving, 1, state)
    state = np.where((times >= t_dead) & (state >= 0), 2, state)
    return lat, lon, state


STATES = ("site", "moving", "destroyed")


def launcher_positions(replay: Replay, pos: dict, t: float) -> list[dict]:
    """Position and state of every launcher at time ``t``.

    Parameters
    ----------
    replay : Replay
    pos : dict
        Site id -> ``(lat, lon)``.
    t : float
        Time (h).

    Returns
    -------
    list of dict
        ``launcher, lat, lon, state`` with state ``site``, ``moving`` or
        ``destroyed``; launchers not yet placed are omitted.
    """
    return _positions(replay, pos, np.array([float(t)]))[0]


def _positions(replay: Replay, pos: dict, times: np.ndarray) -> list[list[dict]]:
    per_time: list[list[dict]] = [[] for _ in times]
    for la, g in replay.moves.groupby("launcher", sort=True):
        lat, lon, st = _track(g, pos, times, replay.destroyed.get(int(la), math.inf))
        for i in np.flatnonzero(st >= 0):
            per_time[i].append(
                {
                    "launcher": int(la),
                    "lat": float(lat[i]),
                    "lon": float(lon[i]),
                    "state": STATES[st[i]],
                }
            )
    return per_time


def closed_gateways(replay: Replay, t: float) -> list[str]:
    """Gateways (inferred) closed at time ``t``."""
    c = replay.closures
    return sorted(set(c.loc[(c["t_start"] <= t) & (c["t_end"] > t), "gateway"]))


def people_at(replay: Replay, t: float) -> dict | None:
    """Residents remaining per island at ``t`` (last completed series step), or None."""
    if replay.people is None:
        return None
    done = replay.people[replay.people.index <= t + 1e-9]
    row = done.iloc[-1] if len(done) else replay.people.iloc[0]
    return {k: float(v) for k, v in row.items()}


def frames(replay: Replay, pos: dict, step_h: float = 1.0) -> list[dict]:
    """Snapshots for the time slider, every ``step_h`` hours from 0 to the horizon.

    Returns
    -------
    list of dict
        ``t``, ``launchers`` (``[lat, lon, state]`` per launcher),
        ``closed`` (gateway ids), ``alive``, ``strikes`` (so far), ``wasted``
        (so far) and ``people`` (island -> residents, or None).
    """
    times = np.arange(0.0, replay.horizon_h + 1e-9, step_h)
    st = replay.strikes
    out = []
    for t, lp in zip(times, _positions(replay, pos, times), strict=True):
        so_far = st[st["time_h"] <= t]
        out.append(
            {
                "t": round(float(t), 3),
                "launchers": [
                    [round(p["lat"], 4), round(p["lon"], 4), p["state"], p["launcher"]] for p in lp
                ],
                "closed": closed_gateways(replay, float(t)),
                "alive": sum(p["state"] != "destroyed" for p in lp),
                "strikes": len(so_far),
                "wasted": int(so_far["wasted"].sum()),
                "people": people_at(replay, float(t)),
            }
        )
    return out
