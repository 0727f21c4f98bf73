"""Findings in sentences: what the numbers say, computed from them, always with intervals.

Every function here is pure: summary numbers in, sentences out. Nothing is free text: each
number in a sentence is a mean with its 95% confidence interval as ``m [low, high]``, and
each output is named by its meaning and unit as stated once in
:data:`nansei.engine.layout.OUTPUTS` (the evacuation outputs in
:mod:`nansei.engine.evac_layout`), or by its label in :data:`nansei.engine.headlines.HEADLINES`.

Three kinds of finding:

- :func:`run_findings`: what one scenario run shows ("Red destroys 14.9 [14.7, 15.1] of 16
  launchers over 30 days; the first is lost at 82 h [80, 84]").
- :func:`comparison_finding`: a paired difference between a variant and a baseline under
  common random numbers ("dwell 4 h instead of dwell 12 h: launchers destroyed by the
  horizon down by 2.1 [1.6, 2.6] of 16 ... (paired, 1,000 replications)"). An interval that
  contains 0 is reported as "no detectable difference".
- :func:`sensitivity_finding`: the factors of a space-filling design ranked by their
  partial rank correlation with an output, each with its interval.

Numbers are rounded to the resolution of their interval: one significant digit of the
half-width (``2.1 [1.6, 2.6]``, ``11 [9, 13]``), never below whole numbers under 10,000.

>>> fmt_estimate(2.13, 1.61, 2.64)
'2.1 [1.6, 2.6]'
>>> fmt_estimate(11.2, 9.1, 13.3)
'11 [9, 13]'
>>> difference_clause("salvos_fired", -0.4, -1.9, 1.1)
'no detectable difference in salvos fired (-0.4 [-1.9, 1.1])'
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "comparison_finding",
    "contains_zero",
    "difference_clause",
    "fmt_estimate",
    "fmt_number",
    "horizon_words",
    "levels_finding",
    "output_meaning",
    "run_findings",
    "sensitivity_finding",
]


# ---------------------------------------------------------------------------
# what an output means: from the layout, stated once there


def _noun(text: str) -> str:
    """The noun phrase of a description: before its first ``": "`` or ``"; "``, and before
    a ``", "`` that follows three words or more (``"issues, orders and trips ..."`` keeps
    its list); without a trailing ``(NaN ...)``/``(inf ...)`` note."""
    for sep in (": ", "; "):
        text = text.split(sep, 1)[0]
    head, comma, _ = text.partition(", ")
    if comma and len(head.split()) >= 3:
        text = head
    text = text.strip()
    if text.count("(") > text.count(")"):  # cut inside a parenthesis: drop it
        text = text[: text.rfind("(")].strip()
    if text.endswith(")") and "(" in text:
        i = text.rfind("(")
        if text[i + 1 :].lower().startswith(("nan", "inf")):
            text = text[:i].strip()
    return text


def output_meaning(name: str) -> tuple[str, str]:
    """What an output counts, as a noun phrase, and its unit.

    Parameters
    ----------
    name : str
        An output column, e.g. ``"launchers_lost"`` or ``"evac_remaining.ishigaki"``.

    Returns
    -------
    tuple of str
        ``(noun phrase, unit)``, from the output's description in the layout
        (:func:`nansei.engine.catalog.describe`); the unit is
        ``"count"`` for counts and ``""`` if the layout states none. An output the layouts do
        not describe is named by its column.

    >>> output_meaning("launchers_lost")
    ('launchers destroyed by the horizon', 'count')
    >>> output_meaning("time_first_loss_h")
    ('time of the first launcher loss', 'h')
    """
    from nansei.engine.catalog import describe

    _, _, island = name.partition(".")
    info = describe(name)  # the layouts' description and unit, stated once there
    if not info.description:
        return name, ""
    text, unit = info.description, info.unit
    if island and text.startswith(f"{island}: "):  # the catalogue prefixes the member
        text = text[len(island) + 2 :]
    if island and text.startswith("of them, "):  # a per-island field: the island's people
        rest = _noun(text[len("of them, ") :])
        who = "" if rest.startswith("still ") else "who "
        return f"people of {island} {who}{rest}", unit
    noun = _noun(text)
    if island and noun.startswith("its "):
        return f"{island}'s {noun[len('its ') :]}", unit
    if island and "the island" in noun:  # "people of the island ..." -> "people of ishigaki ..."
        return noun.replace("the island", island, 1), unit
    if island:
        noun = f"{noun} ({island})"
    return noun, unit


def _unit_suffix(unit: str) -> str:
    """A unit as written after a number: nothing for counts and flags."""
    return "" if unit in ("", "count", "flag") else f" {unit}"


# ---------------------------------------------------------------------------
# numbers


def _decimals(half: float, mean: float) -> int:
    """Decimals for a mean with a CI half-width ``half``: one significant digit of the
    half-width, at most 3 decimals, no rounding above units below 10,000."""
    if not half > 0 or not math.isfinite(half):
        return 3
    d = -math.floor(math.log10(half))
    if d < 0 and abs(mean) < 10_000:
        d = 0
    return min(d, 3)


def fmt_number(x: float, decimals: int) -> str:
    """``x`` rounded to ``decimals`` (negative: tens, hundreds, ...), with thousands
    separators.

    >>> fmt_number(99907.2, -3)
    '100,000'
    >>> fmt_number(14.96, 1)
    '15.0'
    """
    if not math.isfinite(x):
        return "n/a" if x != x else ("inf" if x > 0 else "-inf")
    if decimals < 0:
        x = round(x, decimals)
        decimals = 0
    text = f"{x:,.{decimals}f}"
    if text.startswith("-") and not text.strip("-0.,"):
        text = text[1:]  # no "-0.0"
    return text


def _trim(text: str) -> str:
    """An exact value without needless trailing zeros (``3.000`` -> ``3``)."""
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def fmt_estimate(mean: float, low: float, high: float, signed: bool = False, unit: str = "") -> str:
    """A mean and its interval, rounded to the interval's resolution: ``m [low, high]``.

    With ``signed``, the mean carries its sign (``+2.1 [1.6, 2.6]``); a ``unit`` follows the
    mean (``82 h [80, 83]``; nothing for counts). Without an interval (one replication),
    ``m (no interval)``; a zero-width interval keeps the exact value.
    """
    u = _unit_suffix(unit)
    if mean != mean:
        return "n/a"
    if low != low or high != high:
        d = 3 if abs(mean) < 100 else 0
        m = _trim(fmt_number(mean, d))
        return f"{'+' if signed and mean > 0 else ''}{m}{u} (no interval)"
    half = max(high - mean, mean - low)
    d = _decimals(half, mean)
    if mean != 0 and round(mean, d) == 0 and d < 3:
        d += 1  # a small mean in a wide interval keeps its sign and first digit
    parts = [fmt_number(v, d) for v in (mean, low, high)]
    if half == 0:
        parts = [_trim(p) for p in parts]
    m = parts[0]
    if signed and mean > 0 and m != "0":
        m = "+" + m
    return f"{m}{u} [{parts[1]}, {parts[2]}]"


def contains_zero(low: float, high: float) -> bool:
    """Whether an interval ``[low, high]`` contains 0 (or is undefined): no detectable
    difference."""
    return not (low > 0 or high < 0)


# ---------------------------------------------------------------------------
# paired differences


def difference_clause(
    output: str, mean: float, low: float, high: float, of: float | None = None
) -> str:
    """One clause on a paired difference of ``output`` (variant minus baseline).

    Parameters
    ----------
    output : str
        Output column.
    mean, low, high : float
        Mean paired difference and its confidence interval, in the output's unit.
    of : float, optional
        A total to compare with, e.g. the number of launchers ("... of 16").

    Returns
    -------
    str
        ``"<noun> down by 2.1 [1.6, 2.6] of 16"``, ``"<noun> up by ..."``, or, when the
        interval contains 0, ``"no detectable difference in <noun> (+0.1 [-0.2, 0.4])"``
        (``"no difference in <noun> (the same in every pair)"`` when every pair is equal).
    """
    noun, unit = output_meaning(output)
    if mean == 0 and low == 0 and high == 0:
        return f"no difference in {noun} (the same in every pair)"
    if contains_zero(low, high):
        est = fmt_estimate(mean, low, high, signed=True, unit=unit)
        return f"no detectable difference in {noun} ({est})"
    verb = "down" if mean < 0 else "up"
    est = fmt_estimate(abs(mean), min(abs(low), abs(high)), max(abs(low), abs(high)), unit=unit)
    total = f" of {fmt_number(of, 0)}" if of is not None and of == of else ""
    return f"{noun} {verb} by {est}{total}"


def _join(clauses: Sequence[str]) -> str:
    if len(clauses) <= 1:
        return "".join(clauses)
    return "; ".join(clauses[:-1]) + " and " + clauses[-1]


def comparison_finding(
    variant: str,
    baseline: str,
    differences: Sequence[Mapping[str, Any]],
    pairs: int,
    context: str = "",
    totals: Mapping[str, float] | None = None,
) -> str:
    """One sentence on a variant against its baseline, from paired differences.

    Parameters
    ----------
    variant, baseline : str
        Their labels, e.g. ``"dwell 4 h"`` and ``"dwell 12 h"``.
    differences : sequence of mapping
        One per output, in the order to report: ``output``, ``mean_diff``, ``ci_low``,
        ``ci_high`` (variant minus baseline), as from
        :func:`nansei.analysis.compare.paired_difference`.
    pairs : int
        Paired replications.
    context : str
        Where the comparison holds, e.g. ``"with a kill-chain median of 1 h"``.
    totals : mapping, optional
        Output -> a total to state with it (e.g. launchers for ``launchers_lost``).

    Returns
    -------
    str
        E.g. ``"Dwell 4 h instead of dwell 12 h, with ...: launchers destroyed by the horizon
        down by 2.1 [1.6, 2.6] of 16 and salvos fired down by 11 [9, 13] (paired, 1,000
        replications)."``
    """
    totals = totals or {}
    clauses = [
        difference_clause(
            d["output"], d["mean_diff"], d["ci_low"], d["ci_high"], totals.get(d["output"])
        )
        for d in differences
        if d["mean_diff"] == d["mean_diff"]
    ]
    if not clauses:
        clauses = ["no output is defined in both"]
    head = f"{variant} instead of {baseline}"
    head = head[:1].upper() + head[1:]
    where = f", {context}" if context else ""
    return f"{head}{where}: {_join(clauses)} (paired, {pairs:,} replications)."


def levels_finding(
    output: str,
    arms: Sequence[tuple[str, float, float, float]],
    context: str = "",
    of: float | None = None,
) -> str:
    """One sentence giving an output's mean under each arm of a comparison.

    Parameters
    ----------
    output : str
    arms : sequence of (label, mean, low, high)
        Each arm's words and the output's mean with its 95% interval.
    context : str
        Where the means hold, e.g. ``"over 30 days"``.
    of : float, optional
        A total to state with each mean ("... of 16").

    Returns
    -------
    str
        E.g. ``"Launchers destroyed by the horizon, over 30 days: 14.9 [14.8, 15.0] of 16
        (relocating every 12 h); 14.8 [14.7, 15.0] of 16 (relocating every 4 h)."``
    """
    noun, unit = output_meaning(output)
    total = f" of {fmt_number(of, 0)}" if of is not None and of == of else ""
    parts = [
        f"{fmt_estimate(m, lo, hi, unit=unit)}{total} ({label})"
        for label, m, lo, hi in arms
        if m == m
    ]
    head = noun[:1].upper() + noun[1:] + (f", {context}" if context else "")
    return f"{head}: {'; '.join(parts) or 'not defined'}."


# ---------------------------------------------------------------------------
# sensitivity


def sensitivity_finding(
    output: str, ranking: Sequence[Mapping[str, Any]], points: int, replications: int
) -> str:
    """One sentence ranking the factors that drive ``output`` by partial rank correlation.

    Parameters
    ----------
    output : str
    ranking : sequence of mapping
        ``factor``, ``prcc``, ``ci_low``, ``ci_high``, most influential first (NaN rows are
        left out).
    points, replications : int
        Design points and replications per point (the means ranked).

    Returns
    -------
    str
        Factors whose interval excludes 0, strongest first, then those with no detectable
        effect.
    """
    noun, _ = output_meaning(output)
    rows = [r for r in ranking if r["prcc"] == r["prcc"]]
    clear = [r for r in rows if not contains_zero(r["ci_low"], r["ci_high"])]
    none = [r for r in rows if contains_zero(r["ci_low"], r["ci_high"])]

    def one(r) -> str:
        return f"{r['factor']} (PRCC {fmt_estimate(r['prcc'], r['ci_low'], r['ci_high'], True)})"

    lead = f"Across {points} design points x {replications:,} replications, {noun}"
    if clear:
        text = f"{lead} is driven most by {one(clear[0])}"
        if len(clear) > 1:
            text += ", then " + ", ".join(one(r) for r in clear[1:])
    else:
        text = f"{lead} shows no detectable effect of any factor"
    if none and clear:
        text += "; no detectable effect of " + ", ".join(one(r) for r in none)
    return text + "."


# ---------------------------------------------------------------------------
# one run


def _row(summary, name: str) -> Mapping[str, Any] | None:
    """The summary row of ``name`` (a DataFrame indexed by output, or a mapping of
    mappings), or None if absent or undefined."""
    try:
        r = summary.loc[name] if hasattr(summary, "loc") else summary[name]
    except KeyError:
        return None
    if r["mean"] != r["mean"]:
        return None
    return r


def _est(r, unit: str = "", signed: bool = False) -> str:
    return fmt_estimate(float(r["mean"]), float(r["ci_low"]), float(r["ci_high"]), signed, unit)


def horizon_words(horizon_h: float | None) -> str:
    """A run's horizon as words: ``"over 30 days"`` (whole days) or ``"over 36 h"``; empty
    if unknown.

    >>> horizon_words(720), horizon_words(36)
    ('over 30 days', 'over 36 h')
    """
    if horizon_h is None or horizon_h != horizon_h:
        return ""
    days = horizon_h / 24
    return f"over {fmt_number(days, 0)} days" if days.is_integer() else f"over {horizon_h:g} h"


def _horizon(horizon_h: float | None) -> str:
    words = horizon_words(horizon_h)
    return f" {words}" if words else ""


def _in(r, n: int) -> str:
    k = int(r.get("n", n)) if hasattr(r, "get") else n
    return "" if k >= n else f" (in {k:,} of {n:,} replications)"


def _losses(summary, n: int, horizon: str) -> str | None:
    lost = _row(summary, "launchers_lost")
    total = _row(summary, "launchers")
    if lost is None or total is None or not float(total["mean"]) > 0:
        return None
    of = fmt_number(float(total["mean"]), 0)
    if float(lost["mean"]) == 0 and float(lost["ci_high"]) <= 0:
        return f"Red destroys none of {of} launchers{horizon}."
    text = f"Red destroys {_est(lost)} of {of} launchers{horizon}"
    first = _row(summary, "time_first_loss_h")
    if first is not None:
        _, unit = output_meaning("time_first_loss_h")
        text += f"; the first is lost at {_est(first, unit)}{_in(first, n)}"
    return text + "."


def _fires(summary, n: int) -> str | None:
    salvos = _row(summary, "salvos_fired")
    if salvos is None:
        return None
    if float(salvos["mean"]) == 0 and float(salvos["ci_high"]) <= 0:
        arrived = _row(summary, "targets_arrived")
        return None if arrived is None or float(arrived["mean"]) == 0 else "Blue fires no salvo."
    text = f"Blue fires {_est(salvos)} salvos"
    hit = _row(summary, "targets_hit")
    if hit is not None:
        text += f", of which {_est(hit)} hit a target"
    no_ammo = _row(summary, "targets_no_ammo")
    if no_ammo is not None and not contains_zero(no_ammo["ci_low"], no_ammo["ci_high"]):
        noun, unit = output_meaning("targets_no_ammo")
        text += f"; {noun}: {_est(no_ammo, unit)}"
    return text + "."


def _missiles(summary, n: int) -> str | None:
    spent = _row(summary, "red_missiles_spent")
    if spent is None or float(spent["mean"]) == 0:
        return None
    text = f"Red spends {_est(spent)} missiles"
    wasted = _row(summary, "red_missiles_wasted")
    if wasted is not None:
        noun, unit = output_meaning("red_missiles_wasted")
        text += f"; {noun}: {_est(wasted, unit)}"
    return text + "."


def _people(summary, n: int) -> str | None:
    parts = []
    at_strike = _row(summary, "evac_residents_at_strike")
    if at_strike is not None:
        noun, unit = output_meaning("evac_residents_at_strike")
        parts.append(f"{noun}: {_est(at_strike, unit)}")
    done = _row(summary, "evac_complete_h")
    if done is not None:
        _, unit = output_meaning("evac_complete_h")
        parts.append(f"the evacuation is complete at {_est(done, unit)}{_in(done, n)}")
    else:
        left = _row(summary, "evac_remaining")
        if left is not None and float(left["mean"]) > 0:
            noun, unit = output_meaning("evac_remaining")
            parts.append(f"{noun}: {_est(left, unit)}")
    if not parts:
        return None
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] + "."


def _blocked(summary, n: int) -> str | None:
    from nansei.engine.layout import OUTPUT_NAMES

    rows = []
    for name in OUTPUT_NAMES:
        if not name.startswith("blocked_"):
            continue
        r = _row(summary, name)
        if r is not None and not contains_zero(r["ci_low"], r["ci_high"]):
            rows.append((float(r["mean"]), name, r))
    if not rows:
        return None
    rows.sort(key=lambda x: -x[0])
    clauses = []
    for _, name, r in rows[:2]:
        noun, unit = output_meaning(name)
        clauses.append(f"{_est(r, unit)} {noun} ({name})")
    return "Law blocks " + " and ".join(clauses) + "."


def run_findings(
    summary,
    replications: int | None = None,
    horizon_h: float | None = None,
    limit: int = 5,
) -> list[str]:
    """The findings of one scenario run, as sentences with 95% intervals.

    Parameters
    ----------
    summary : pandas.DataFrame or mapping
        Indexed by output with ``mean``, ``ci_low``, ``ci_high`` and ``n`` columns, as
        :meth:`nansei.engine.results.Results.summary` returns (or ``summary.csv`` of a run
        directory read with ``index_col="output"``), or a mapping output -> such a mapping.
    replications : int, optional
        Replications of the run (default: the largest ``n`` in the summary).
    horizon_h : float, optional
        The run's horizon (h), stated as "over 30 days".
    limit : int
        At most this many sentences.

    Returns
    -------
    list of str
        In order, as far as the run has them: launcher losses and the first loss; Blue's
        salvos; Red's missiles; residents at the first strike and the evacuation; actions
        blocked by law. Outputs the run does not define are left out.

    Examples
    --------
    >>> s = {"launchers": {"mean": 16, "ci_low": 16, "ci_high": 16, "n": 100},
    ...      "launchers_lost": {"mean": 14.93, "ci_low": 14.81, "ci_high": 15.04, "n": 100}}
    >>> run_findings(s, 100, 720)
    ['Red destroys 14.9 [14.8, 15.0] of 16 launchers over 30 days.']
    """
    if replications is None:
        try:
            ns = summary["n"] if hasattr(summary, "loc") else [r["n"] for r in summary.values()]
            replications = int(max(ns))
        except (KeyError, ValueError, TypeError):
            replications = 0
    n = int(replications)
    out = []
    for make in (
        lambda: _losses(summary, n, _horizon(horizon_h)),
        lambda: _fires(summary, n),
        lambda: _missiles(summary, n),
        lambda: _people(summary, n),
        lambda: _blocked(summary, n),
    ):
        text = make()
        if text:
            out.append(text)
    return out[:limit]
