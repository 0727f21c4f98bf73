"""One replication told in order: what happened, when, for a facilitator.

:func:`timeline` turns the event trace of one replication (every event the kernel popped,
see :func:`nansei.engine.results.trace_frame`), its record and its daily series into a
short table of readable lines, in time order:

- the start: launchers and the islands they stand on;
- the legal recognitions and authorisations (from the replication's record);
- each Red strike on a launcher position, with what it found (from the replay
  reconstruction, :mod:`nansei.report.replay`, which is checked against the records);
- strikes on airports and ports and their reopening;
- scripted events (the scenario's ``events:``) as they take effect;
- the first action of each kind blocked by law, and how often it was blocked;
- each day's salvos and the launchers still alive (from the daily series);
- the evacuation order, the first strike and the end of the evacuation;
- the end: the replication's headline numbers.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

__all__ = ["clock", "timeline"]


def clock(t: float) -> str:
    """A time in hours as ``day D HH:MM`` (day 1 starts at t = 0; the end of a day, a
    whole multiple of 24 h after the start, is ``day D 24:00``).

    >>> clock(0.25), clock(48.0), clock(49.5)
    ('day 1 00:15', 'day 2 24:00', 'day 3 01:30')
    """
    if not math.isfinite(t):
        return "never"
    minutes = round(t * 60)
    if minutes > 0 and minutes % (24 * 60) == 0:
        return f"day {minutes // (24 * 60)} 24:00"
    d, rest = divmod(minutes, 24 * 60)
    return f"day {d + 1} {rest // 60:02d}:{rest % 60:02d}"


_LEGAL_TIMES = (
    ("t_important_influence_h", "The important influence situation is recognised."),
    ("t_anticipated_armed_attack_h", "The anticipated armed attack situation is recognised."),
    ("t_armed_attack_h", "The armed attack situation is recognised."),
    ("t_survival_threatening_h", "The survival-threatening situation is recognised."),
    ("t_us_fires_authorised_h", "US fires from Japanese territory are authorised."),
    ("t_evacuation_authorised_h", "A civil-protection evacuation order becomes lawful."),
)


def _islands(compiled) -> dict[str, str]:
    """Site id -> island id (empty for a decoy site or an abstract theatre)."""
    isl = compiled.arrays["site_island"]
    return {
        s: (compiled.island_ids[int(i)] if 0 <= int(i) < len(compiled.island_ids) else "")
        for s, i in zip(compiled.site_ids, isl, strict=True)
    }


def _at(site: str, islands: dict[str, str]) -> str:
    island = islands.get(site, "")
    return f"{site} ({island})" if island else site


def _start(trace: pd.DataFrame, islands_of: dict[str, str]) -> list[tuple[float, str]]:
    first = trace[(trace["event"] == "arrive") & (trace["time_h"] <= 0)]
    if first.empty:
        return []
    islands = sorted({islands_of.get(s, "") for s in first["site"]} - {""})
    return [
        (
            0.0,
            f"{first['entity'].nunique()} launchers stand at {first['site'].nunique()} sites on "
            f"{len(islands)} islands ({', '.join(islands)}).",
        )
    ]


def _legal(record: dict[str, Any], horizon: float) -> list[tuple[float, str]]:
    out = []
    for col, text in _LEGAL_TIMES:
        t = record.get(col)
        if t is not None and t == t and math.isfinite(t) and t <= horizon:
            out.append((float(t), text))
    return out


def _strikes(replay, islands: dict[str, str]) -> list[tuple[float, str]]:
    out = []
    for r in replay.strikes.itertuples(index=False):
        if r.killed:
            what = f"destroys launcher {r.launcher}"
        elif r.launcher >= 0:
            what = f"misses launcher {r.launcher}"
        else:
            what = "finds the site empty (or a decoy)"
        out.append((float(r.time_h), f"Red strikes {_at(r.site, islands)}: {what}."))
    return out


def _gateways(trace: pd.DataFrame, replay) -> list[tuple[float, str]]:
    """Strikes on airports and ports. The trace names the gateway of each reopening, not
    of each strike: a closure is matched to the latest earlier strike (inferred)."""
    matched = {float(r.t_start): r for r in replay.closures.itertuples(index=False)}
    out = []
    for t in replay.gateway_strikes:
        r = matched.get(float(t))
        if r is None:
            out.append((t, "Red strikes an airport or port: it stays closed to the end."))
        else:
            out.append(
                (
                    t,
                    f"Red strikes an airport or port: {r.gateway} (inferred) is closed for "
                    f"{r.t_end - r.t_start:.0f} h.",
                )
            )
    return out


def _blocked(trace: pd.DataFrame, islands: dict[str, str]) -> list[tuple[float, str]]:
    from nansei.engine.legal import ACTION_NAMES, REASONS

    rows = trace[trace["event"] == "blocked"]
    out = []
    for a, g in rows.groupby("entity", sort=True):
        first = g.sort_values("time_h", kind="stable").iloc[0]
        action = ACTION_NAMES[int(a)] if 0 <= int(a) < len(ACTION_NAMES) else str(a)
        why = REASONS.get(int(first["value"]), "no authority")
        where = f" at {_at(first['site'], islands)}" if first["site"] else ""
        out.append(
            (
                float(first["time_h"]),
                f"Law blocks {action}{where} ({why}); {len(g)} such refusals in all.",
            )
        )
    return out


def _scripted(trace: pd.DataFrame, events: list | None) -> list[tuple[float, str]]:
    """Scripted events (``events:`` of the scenario) as they took effect."""
    rows = trace[trace["event"] == "scripted"].sort_values("time_h", kind="stable")
    out = []
    seen: set[int] = set()
    for t, k in zip(rows["time_h"], rows["value"], strict=True):
        i = int(k)
        head = "End of scripted event" if i in seen else "Scripted event"  # a timed end
        seen.add(i)
        if events is None or not 0 <= i < len(events):
            out.append((float(t), f"{head} {i}."))
            continue
        ev = events[i].model_dump(mode="json", exclude_none=True)
        action, note = ev.pop("action"), ev.pop("note", "")
        ev.pop("at_h", None)
        what = ", ".join(f"{k} {v}" for k, v in ev.items())
        text = f"{head}: {action}" + (f" ({what})" if what else "")
        out.append((float(t), text + (f": {note}." if note else ".")))
    return out


def _days(series0: pd.DataFrame | None) -> list[tuple[float, str]]:
    """One line per series step (a day in the built-in scenarios) with salvos or strikes."""
    if series0 is None or "salvos" not in series0.columns:
        return []
    out = []
    t_prev = 0.0
    for r in series0.itertuples(index=False):
        step = float(r.t_end_h) - t_prev
        t_prev = float(r.t_end_h)
        if r.salvos > 0 or r.strikes > 0:
            span = "day" if step == 24 else f"{step:g} h"
            out.append(
                (
                    float(r.t_end_h),
                    f"In the last {span}: {int(r.salvos)} salvos fired, {int(r.strikes)} "
                    f"strikes arrived; {int(r.launchers_alive)} launchers alive.",
                )
            )
    return out


def _civil(record: dict[str, Any], horizon: float) -> list[tuple[float, str]]:
    out = []
    t = record.get("evac_order_h")
    if t is not None and t == t and math.isfinite(t) and t <= horizon:
        out.append((float(t), "The evacuation order takes effect."))
    t = record.get("evac_first_strike_h")
    if t is not None and t == t:
        people = record.get("evac_residents_at_strike")
        text = "First Red strike"
        if people is not None and people == people:
            text += f": {people:,.0f} residents are still in the region"
        out.append((float(t), text + "."))
    t = record.get("evac_complete_h")
    if t is not None and t == t and math.isfinite(t):
        out.append((float(t), "The last evacuee leaves the region."))
    return out


def _end(record: dict[str, Any], horizon: float) -> list[tuple[float, str]]:
    parts = []
    if "launchers_lost" in record and "launchers" in record:
        parts.append(f"{record['launchers_lost']:.0f} of {record['launchers']:.0f} launchers lost")
    if "salvos_fired" in record:
        parts.append(f"{record['salvos_fired']:.0f} salvos fired")
    if "red_missiles_spent" in record:
        parts.append(f"{record['red_missiles_spent']:.0f} Red missiles spent")
    if record.get("evac_remaining") == record.get("evac_remaining") and "evac_remaining" in record:
        parts.append(f"{record['evac_remaining']:,.0f} people not evacuated")
    return [(horizon, "End of the run: " + ", ".join(parts) + ".")] if parts else []


def timeline(
    trace: pd.DataFrame,
    record: dict[str, Any],
    compiled,
    horizon_h: float,
    series0: pd.DataFrame | None = None,
    events: list | None = None,
) -> pd.DataFrame:
    """Readable events of one replication, in time order.

    Parameters
    ----------
    trace : pandas.DataFrame
        The replication's trace (``time_h, event, entity, site, value``).
    record : dict
        The replication's record (output -> value).
    compiled : nansei.engine.compile.Compiled
        The compiled scenario (entity names).
    horizon_h : float
    series0 : pandas.DataFrame, optional
        The replication's daily series.
    events : list, optional
        The scenario's scripted events (``Scenario.events``), to name those in the trace.

    Returns
    -------
    pandas.DataFrame
        ``time_h``, ``when`` (``day D HH:MM``) and ``what`` (a sentence), sorted by time
        (ties keep the order above).
    """
    from nansei.report.replay import build_replay

    replay = build_replay(trace, compiled, horizon_h, series0)
    islands = _islands(compiled)
    rows: list[tuple[float, str]] = []
    for part in (
        _start(trace, islands),
        _scripted(trace, events),
        _legal(record, horizon_h),
        _civil(record, horizon_h),
        _blocked(trace, islands),
        _strikes(replay, islands),
        _gateways(trace, replay),
        _days(series0),
        _end(record, horizon_h),
    ):
        rows.extend(part)
    df = pd.DataFrame(rows, columns=["time_h", "what"])
    df = df.sort_values("time_h", kind="stable").reset_index(drop=True)
    df.insert(1, "when", [clock(t) for t in df["time_h"]])
    return df
