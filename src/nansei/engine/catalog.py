"""The catalogue of outputs: subsystem, description and unit of every record column.

Each output's meaning and unit is stated once, in the layouts: :data:`layout.OUTPUTS`
(the description ends with its unit in brackets, e.g. ``"salvos fired (count)"``) and
:mod:`nansei.engine.evac_layout` (a separate unit). This module only reads them, adds the
subsystem each output belongs to, and names the per-island and per-prefecture columns, so
that the report, the terminal and the web page describe every output the same way.

>>> describe("salvos_fired")
OutputInfo(name='salvos_fired', subsystem='fires', description='salvos fired', unit='count')
>>> describe("evac_remaining.ishigaki").description
'ishigaki: people of the island still in the region at the horizon (on it or staging)'
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from nansei.engine import evac_layout, layout

__all__ = ["SUBSYSTEMS", "OutputInfo", "describe", "split_unit"]

#: Subsystems in report order: (key, title).
SUBSYSTEMS: tuple[tuple[str, str], ...] = (
    ("launchers", "Launchers: survival and movement"),
    ("fires", "Blue fires"),
    ("red", "Red ISR and strikes"),
    ("sustainment", "SDF sustainment: ammunition and fuel"),
    ("legal", "Legal authorities"),
    ("civil", "Residents and evacuation"),
    ("scripted", "Scripted events"),
    ("run", "Run bookkeeping"),
    ("other", "Other columns"),
)

#: The combat kernel's own outputs by subsystem (sustainment, legal and civil outputs are
#: placed by the layout block they come from).
_CORE = {
    "launchers": (
        "launchers", "launchers_lost", "no_launcher_lost", "time_first_loss_h",
        "launcher_hours_available", "launchers_withdrawn", "relocations",
        "firing_point_sorties", "inter_island_moves", "inter_island_blocked",
        "decoys_destroyed",
    ),
    "fires": (
        "salvos_fired", "rounds_fired", "targets_arrived", "targets_engaged", "targets_hit",
        "targets_no_ammo",
    ),
    "red": (
        "detections", "launch_detections", "decoy_detections", "red_strikes",
        "red_missiles_spent", "red_missiles_intercepted", "red_missiles_on_target",
        "red_missiles_wasted", "red_missiles_on_gateways", "red_missiles_in_flight_end",
        "strikes_wasted", "strikes_on_decoys", "strikes_on_road", "revisit_strikes",
        "tracks_held", "tracks_lost", "red_claimed_kills", "strikes_denied", "gateway_strikes",
        "gateway_closed_h",
    ),
    "civil": ("exposure_person_h", "casualty_proxy"),
    "run": ("events", "overflow"),
}  # fmt: skip

#: Outputs derived from the records by the report (not written by the kernel).
DERIVED: dict[str, tuple[str, str]] = {
    "no_launcher_lost": (
        "1 if the replication lost no launcher: its mean is the probability that none is lost",
        "probability",
    ),
}


@dataclass(frozen=True)
class OutputInfo:
    """What one output column means.

    Attributes
    ----------
    name : str
        The record column.
    subsystem : str
        Key in :data:`SUBSYSTEMS`.
    description : str
        What it counts, without the unit.
    unit : str
        Its unit (``count``, ``h``, ``people``, ``l``...).
    """

    name: str
    subsystem: str
    description: str
    unit: str


def split_unit(text: str) -> tuple[str, str]:
    """Split a layout description ``"what it counts (unit)"`` into (what, unit)."""
    text = text.strip()
    if text.endswith(")") and " (" in text:
        head, _, unit = text[:-1].rpartition(" (")
        return head, unit
    return text, ""


@cache
def _table() -> dict[str, OutputInfo]:
    sub = {name: key for key, names in _CORE.items() for name in names}
    sustain = {n for n, _ in layout._SUSTAIN_OUTPUTS}
    for name, _ in layout.OUTPUTS:
        if name in sustain:
            sub[name] = "sustainment"
        elif name.startswith("blocked_") or name.startswith("t_"):
            sub[name] = "legal"
    out = {}
    for name, text in layout.OUTPUTS:
        what, unit = split_unit(text)
        out[name] = OutputInfo(name, sub.get(name, "other"), what, unit)
    for name, text in layout.SCRIPTED_OUTPUTS:  # only in runs of scenarios with events:
        what, unit = split_unit(text)
        out[name] = OutputInfo(name, "scripted", what, unit)
    for name, unit, what in evac_layout.SCALAR_OUTPUTS:
        out[name] = OutputInfo(name, "civil", what, unit)
    for name, (what, unit) in DERIVED.items():
        out[name] = OutputInfo(name, sub[name], what, unit)
    return out


@cache
def _members() -> dict[str, OutputInfo]:
    """Fields of the per-island and per-prefecture columns ``<field>.<member>``."""
    fields = (*evac_layout.ISLAND_OUTPUTS, evac_layout.HOSTED_OUTPUT)
    return {name: OutputInfo(name, "civil", what, unit) for name, unit, what in fields}


def describe(name: str) -> OutputInfo:
    """The subsystem, description and unit of a record column.

    Per-island and per-prefecture columns (``evac_remaining.ishigaki``,
    ``evac_hosted.Fukuoka``) take their field's description, prefixed with the island or
    prefecture. A column that no layout states is placed in ``"other"`` with an empty
    description (a test keeps every column of a run out of it).
    """
    table = _table()
    if name in table:
        return table[name]
    base, _, member = name.partition(".")
    info = _members().get(base) if member else None
    if info is None:
        return OutputInfo(name, "other", "", "")
    return OutputInfo(name, info.subsystem, f"{member}: {info.description}", info.unit)
