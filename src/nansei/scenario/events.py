"""Scripted events (injects): timed actions a facilitator or planner states in a scenario.

A scenario's ``events:`` list holds "what if" actions at given times, e.g. Ishigaki's
airport cratered on day 1::

    events:
      - {at_h: 24, action: close_airport, airport: ROIG, duration_h: 72}
      - {at_h: 72, action: recognise, situation: armed_attack}

Each action maps onto the mechanism that owns the behaviour (``docs/model.md``,
"Scripted events"):

* ``close_airport``/``close_port`` (for ``duration_h``, or until a ``reopen_*`` event or
  the horizon) and ``strike_gateway`` (closed for ``repair_h``) hold a gateway closed:
  no inter-island lift or SDF route through it, no evacuation departures from it. They are
  not Red's strikes: Red's ``gateway_strikes``, ``gateway_closed_h`` and the evacuation's
  "first strike" do not count them; ``scripted_gateway_closed_h`` does.
* ``strike_site``: a strike lands on a launcher position (each launcher within Red's lethal
  radius is destroyed with ``red.p_kill``); it spends no Red missile and is counted in
  ``scripted_strikes``, not in ``red_strikes``.
* ``recognise``: a scheduled entry appended to ``legal.timeline``.
* ``order_evacuation``/``suspend_evacuation``/``weather``: the evacuation order time and
  hours when departures stop (all gateways, or those of one mode).
* ``launchers_arrive``/``launchers_withdraw``: a launcher group's ``arrive_h``/``withdraw_h``.

Every event also appears in the trace as a ``scripted`` row and is counted in
``scripted_events``. This module holds the schema and the resolved views the compile uses;
its cross-field checks name the path, the value and the allowed values.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Annotated, Any, Literal, NamedTuple

from pydantic import Field

from ._base import Ident, Model, problem
from .legal import Recognition, Situation

if TYPE_CHECKING:  # pragma: no cover
    from .model import Scenario

__all__ = [
    "Event",
    "GatewayClosure",
    "check_events",
    "evacuation_script",
    "gateway_closures",
    "group_times",
    "legal_timeline",
]

_AT = Field(ge=0.0, le=8760.0, description="Time the event takes effect, hours from the start.")
_NOTE = Field("", max_length=500, description="Free text: what the event stands for.")
_DURATION = Field(
    None,
    gt=0.0,
    le=8760.0,
    description="How long it lasts, hours; absent: until a matching later event or the horizon.",
)


class _Event(Model):
    at_h: float = _AT
    note: str = _NOTE


class CloseAirport(_Event):
    """Close an airport (no lift, SDF flights or evacuation flights through it)."""

    action: Literal["close_airport"] = Field(description="Close an airport.")
    airport: str = Field(
        max_length=16, description="ICAO code of an airport on an island in play, e.g. ROIG."
    )
    duration_h: float | None = _DURATION


class ReopenAirport(_Event):
    """Reopen an airport closed by an earlier ``close_airport`` without a duration (a
    ``strike_gateway`` crater ends after its ``repair_h``)."""

    action: Literal["reopen_airport"] = Field(description="Reopen an airport.")
    airport: str = Field(max_length=16, description="ICAO code of the airport.")


class ClosePort(_Event):
    """Close a port (no sea lift, SDF sailings or evacuation sailings through it)."""

    action: Literal["close_port"] = Field(description="Close a port.")
    port: str = Field(
        max_length=64,
        description="Gazetteer id of a port on an island in play, e.g. ishigaki_port.",
    )
    duration_h: float | None = _DURATION


class ReopenPort(_Event):
    """Reopen a port closed by an earlier ``close_port`` without a duration (a
    ``strike_gateway`` crater ends after its ``repair_h``)."""

    action: Literal["reopen_port"] = Field(description="Reopen a port.")
    port: str = Field(max_length=64, description="Gazetteer id of the port.")


class StrikeGateway(_Event):
    """A strike on an airport or port: it is closed for ``repair_h`` (a scripted closure)."""

    action: Literal["strike_gateway"] = Field(description="Strike an airport or port.")
    gateway: str = Field(
        max_length=64, description="ICAO code of an airport or id of a port on an island in play."
    )
    repair_h: float = Field(
        gt=0.0, le=8760.0, description="Hours until it reopens (runway or quay repair)."
    )


class StrikeSite(_Event):
    """A strike on a launcher position: launchers within Red's lethal radius die with p_kill."""

    action: Literal["strike_site"] = Field(description="Strike a launcher position.")
    site: str = Field(max_length=64, description="Id of a site in play (geography.sites).")


class Recognise(_Event):
    """The Cabinet recognises a situation at ``at_h`` (a scheduled timeline entry)."""

    action: Literal["recognise"] = Field(description="Recognise a legal situation.")
    situation: Situation = Field(description="The situation recognised.")


class OrderEvacuation(_Event):
    """The evacuation order takes effect at ``at_h`` (once lawful, replacing the drawn order
    delay); one that follows a ``suspend_evacuation`` without ``duration_h`` ends the
    suspension instead."""

    action: Literal["order_evacuation"] = Field(description="Order (or resume) the evacuation.")


class SuspendEvacuation(_Event):
    """No evacuation departures from ``at_h`` for ``duration_h`` (absent: until the next
    ``order_evacuation`` or the horizon)."""

    action: Literal["suspend_evacuation"] = Field(description="Suspend the evacuation.")
    duration_h: float | None = _DURATION


class Weather(_Event):
    """Weather stops flights, sailings or both for ``duration_h`` (evacuation departures)."""

    action: Literal["weather"] = Field(description="Bad weather.")
    cancels: Literal["air", "sea", "both"] = Field(
        description="Which departures the weather stops."
    )
    duration_h: float = Field(gt=0.0, le=8760.0, description="How long it lasts, hours.")


class LaunchersArrive(_Event):
    """A launcher group enters the theatre at ``at_h`` (its ``arrive_h``)."""

    action: Literal["launchers_arrive"] = Field(description="A launcher group arrives.")
    group: Ident = Field(description="Id of a group in blue.launchers.")


class LaunchersWithdraw(_Event):
    """A launcher group leaves the theatre at ``at_h`` (its ``withdraw_h``)."""

    action: Literal["launchers_withdraw"] = Field(description="A launcher group withdraws.")
    group: Ident = Field(description="Id of a group in blue.launchers.")


Event = Annotated[
    CloseAirport
    | ReopenAirport
    | ClosePort
    | ReopenPort
    | StrikeGateway
    | StrikeSite
    | Recognise
    | OrderEvacuation
    | SuspendEvacuation
    | Weather
    | LaunchersArrive
    | LaunchersWithdraw,
    Field(discriminator="action"),
]

_EVAC = ("order_evacuation", "suspend_evacuation", "weather")


class GatewayClosure(NamedTuple):
    """A scripted closure of one gateway over ``[t_close_h, t_open_h)`` (resolved view)."""

    gateway: str  #: ICAO code or port id
    t_close_h: float  #: closed from (h)
    t_open_h: float  #: open again from (h; inf: not before the horizon)
    event: int  #: index of the closing event in ``events``


def _gateway_of(ev: Any) -> tuple[str, str] | None:
    """(field name, gateway id) of a gateway event, else None."""
    if ev.action in ("close_airport", "reopen_airport"):
        return "airport", ev.airport
    if ev.action in ("close_port", "reopen_port"):
        return "port", ev.port
    if ev.action == "strike_gateway":
        return "gateway", ev.gateway
    return None


def _order(sc: Scenario) -> list[int]:
    """Event indices in time order (stable: list order breaks ties)."""
    return sorted(range(len(sc.events)), key=lambda j: sc.events[j].at_h)


def gateway_closures(sc: Scenario) -> list[GatewayClosure]:
    """Scripted closures, in time order of their start.

    A ``close_*`` lasts ``duration_h``, else until the next ``reopen_*`` of its gateway,
    else to the horizon (``inf``); a ``strike_gateway`` lasts ``repair_h``.
    """
    out = []
    order = _order(sc)
    for k, j in enumerate(order):
        ev = sc.events[j]
        if ev.action not in ("close_airport", "close_port", "strike_gateway"):
            continue
        gid = _gateway_of(ev)[1]
        dur = ev.repair_h if ev.action == "strike_gateway" else ev.duration_h
        t1 = math.inf if dur is None else ev.at_h + dur
        if dur is None:
            for j2 in order[k + 1 :]:
                e2 = sc.events[j2]
                if e2.action in ("reopen_airport", "reopen_port") and _gateway_of(e2)[1] == gid:
                    t1 = e2.at_h
                    break
        out.append(GatewayClosure(gid, ev.at_h, t1, j))
    return out


def legal_timeline(sc: Scenario) -> list[Recognition]:
    """``legal.timeline`` followed by one scheduled entry per ``recognise`` event."""
    extra = [
        Recognition(situation=sc.events[j].situation, mode="scheduled", at_h=sc.events[j].at_h)
        for j in _order(sc)
        if sc.events[j].action == "recognise"
    ]
    return [*sc.legal.timeline, *extra]


def group_times(sc: Scenario, group: Any) -> tuple[float, float | None]:
    """``(arrive_h, withdraw_h)`` of a launcher group, scripted events applied."""
    arrive, withdraw = group.arrive_h, group.withdraw_h
    for ev in sc.events:
        if ev.action == "launchers_arrive" and ev.group == group.id:
            arrive = ev.at_h
        elif ev.action == "launchers_withdraw" and ev.group == group.id:
            withdraw = ev.at_h
    return arrive, withdraw


def evacuation_script(sc: Scenario) -> tuple[float, list[tuple[float, float, str]]]:
    """The scripted evacuation order time and stops.

    Returns
    -------
    tuple
        ``(order_h, stops)``: ``order_h`` the time of the first ``order_evacuation`` that
        does not end a suspension (``inf``: none); ``stops`` rows ``(t_from_h, t_to_h,
        modes)`` with modes ``air``, ``sea`` or ``both``: a suspension lasts
        ``duration_h``, else until the next ``order_evacuation``, else to the horizon; bad
        weather lasts ``duration_h``.
    """
    order_h = math.inf
    stops: list[tuple[float, float, str]] = []
    order = _order(sc)
    resumes: set[int] = set()  # order_evacuation events that end an open suspension
    for k, j in enumerate(order):
        ev = sc.events[j]
        if ev.action == "order_evacuation" and order_h == math.inf and j not in resumes:
            order_h = ev.at_h
        elif ev.action == "weather":
            stops.append((ev.at_h, ev.at_h + ev.duration_h, ev.cancels))
        elif ev.action == "suspend_evacuation":
            t1 = math.inf if ev.duration_h is None else ev.at_h + ev.duration_h
            if ev.duration_h is None:
                for j2 in order[k + 1 :]:
                    if sc.events[j2].action == "order_evacuation":
                        t1 = sc.events[j2].at_h
                        resumes.add(j2)
                        break
            stops.append((ev.at_h, t1, "both"))
    return order_h, stops


# --- cross-field checks ------------------------------------------------------------------
Problems = list[tuple[tuple[str | int, ...], str, Any, str | None]]


def _gateways_in_play(gaz: Any, play: list[str]) -> tuple[list[str], list[str]]:
    """ICAO codes of the airports and ids of the ports on the islands in play."""
    chosen = set(play)
    airports = [a.icao for a in gaz.airports if a.island in chosen and a.role == "island"]
    ports = [p.id for p in gaz.ports if p.island in chosen and p.role == "island"]
    return airports, ports


def check_events(sc: Scenario, gaz: Any, play: list[str], site_ids: list[str]) -> Problems:
    """Every problem of ``sc.events``: unknown gateways, sites and groups, times after the
    horizon, overlapping closures, reopenings of open gateways, evacuation events without
    civil protection, group times set twice."""
    probs: Problems = []
    if not sc.events:
        return probs
    horizon = sc.run.horizon_h
    airports, ports = _gateways_in_play(gaz, play) if gaz is not None else (None, None)
    groups = {g.id: i for i, g in enumerate(sc.blue.launchers)}
    seen: dict[tuple[str, str], int] = {}
    for j, ev in enumerate(sc.events):
        here = ("events", j)
        if ev.at_h > horizon:
            probs.append(
                problem(
                    (*here, "at_h"),
                    f"after the horizon (run.horizon_h = {horizon:g})",
                    value=ev.at_h,
                    allowed=f"0 .. {horizon:g}",
                )
            )
        gw = _gateway_of(ev)
        if gw is not None and airports is not None:
            field, gid = gw
            allowed = {"airport": airports, "port": ports, "gateway": airports + ports}[field]
            if gid not in allowed:
                kind = {"airport": "airport", "port": "port", "gateway": "airport or port"}[field]
                probs.append(
                    problem(
                        (*here, field),
                        f"no {kind} with this id on the islands in play",
                        value=gid,
                        allowed=allowed or "(none)",
                    )
                )
        if ev.action == "strike_site" and ev.site not in site_ids:
            probs.append(
                problem((*here, "site"), "unknown site", value=ev.site, allowed=site_ids[:40])
            )
        if ev.action in _EVAC and not sc.civil.enabled:
            probs.append(
                problem(
                    (*here, "action"),
                    "needs civil protection (civil.enabled: true)",
                    value=ev.action,
                )
            )
        if ev.action in ("launchers_arrive", "launchers_withdraw"):
            if ev.group not in groups:
                probs.append(
                    problem(
                        (*here, "group"), "unknown launcher group", value=ev.group, allowed=groups
                    )
                )
                continue
            g = sc.blue.launchers[groups[ev.group]]
            key = (ev.action, ev.group)
            if key in seen:
                probs.append(
                    problem(
                        (*here, "group"),
                        f"a second {ev.action} for this group (first: events[{seen[key]}])",
                        value=ev.group,
                    )
                )
            seen[key] = j
            own = g.arrive_h > 0.0 if ev.action == "launchers_arrive" else g.withdraw_h is not None
            if own:
                name = "arrive_h" if ev.action == "launchers_arrive" else "withdraw_h"
                probs.append(
                    problem(
                        (*here, "group"),
                        f"blue.launchers[{groups[ev.group]}].{name} is set too; set one of them",
                        value=ev.group,
                    )
                )
    probs.extend(_check_group_order(sc, groups))
    probs.extend(_check_closures(sc))
    return probs


def _check_group_order(sc: Scenario, groups: dict[str, int]) -> Problems:
    """A group withdraws after it arrives."""
    probs: Problems = []
    for i, g in enumerate(sc.blue.launchers):
        arrive, withdraw = group_times(sc, g)
        if withdraw is not None and withdraw <= arrive:
            probs.append(
                problem(
                    ("events",),
                    f"launcher group '{g.id}' (blue.launchers[{i}]) would withdraw at "
                    f"{withdraw:g} h, not after it arrives at {arrive:g} h",
                    value=withdraw,
                )
            )
    return probs


def _check_closures(sc: Scenario) -> Problems:
    """Scripted closures of one gateway do not overlap; a reopening follows a closure."""
    probs: Problems = []
    last: dict[str, GatewayClosure] = {}
    for c in gateway_closures(sc):
        prev = last.get(c.gateway)
        if prev is not None and c.t_close_h < prev.t_open_h:
            probs.append(
                problem(
                    ("events", c.event, "at_h"),
                    f"'{c.gateway}' is still closed by events[{prev.event}] "
                    + (
                        f"until {prev.t_open_h:g} h"
                        if math.isfinite(prev.t_open_h)
                        else "(no duration_h and no reopen event)"
                    ),
                    value=c.t_close_h,
                )
            )
        last[c.gateway] = c
    closures = gateway_closures(sc)
    for j, ev in enumerate(sc.events):
        if ev.action in ("reopen_airport", "reopen_port"):
            gid = _gateway_of(ev)[1]
            if not any(c.gateway == gid and c.t_open_h == ev.at_h for c in closures):
                probs.append(
                    problem(
                        ("events", j, _gateway_of(ev)[0]),
                        "not closed by an earlier close event without a duration",
                        value=gid,
                    )
                )
    return probs
