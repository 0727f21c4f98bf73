"""Exact results for the kill-chain mechanisms: aim error, tracks, growing hazard, claims,
identification among look-alikes.

Each function is the closed form that a check in
:mod:`nansei.verification.killchain_checks` compares the engine with; the
derivations are in ``docs/verification.md`` ("Kill-chain mechanisms").
"""

from __future__ import annotations

import math
from typing import NamedTuple

from nansei.verification.closed_form import stay_starts


def hit_probability(radius_km: float, sd_km: float) -> float:
    """Probability that an impact lands within ``radius_km`` of a point target.

    The impact is the aim point plus a circular normal error of ``sd_km`` per
    axis, so its distance is Rayleigh: ``1 - exp(-R^2 / (2 sd^2))`` (1 if
    ``sd_km`` is 0).
    """
    if sd_km <= 0.0:
        return 1.0
    return -math.expm1(-(radius_km**2) / (2.0 * sd_km**2))


def track_held_probability(lam_move: float, loss_rate: float, move_h: float) -> float:
    """Probability that Red holds at least one track of a move until it ends.

    Detections on the road are Poisson at ``lam_move``; one made ``u`` hours
    before the stop is still held then with ``exp(-loss_rate u)``. Held
    detections are a thinned Poisson process, so the probability of none is
    ``exp(-lam_move (1 - exp(-mu m)) / mu)`` (``lam_move m`` when ``mu`` is 0).
    """
    if loss_rate <= 0.0:
        mean = lam_move * move_h
    else:
        mean = lam_move * -math.expm1(-loss_rate * move_h) / loss_rate
    return -math.expm1(-mean)


def survival_track_cued(
    lam_move: float,
    loss_rate: float,
    p: float,
    dwell: float,
    move: float,
    horizon: float,
    delay: float,
) -> float:
    """Survival to ``horizon`` when only tracks cue strikes (first-detection doctrine).

    The launcher stays ``dwell`` and moves ``move`` hours in turn, starting at a
    site at t = 0. A track held until the stop at ``t_i = i (dwell + move)``
    cues a strike that lands at ``t_i + delay`` (``delay < dwell``, before the
    horizon) and kills with ``p``; lost tracks cue strikes on the road, which
    an idealised move keeps out of reach.
    """
    if delay >= dwell:
        return 1.0
    k = p * track_held_probability(lam_move, loss_rate, move)
    cycle = dwell + move
    n = sum(1 for i in range(1, int(horizon / cycle) + 2) if i * cycle + delay < horizon)
    return (1.0 - k) ** n


def growing_hazard_cum(growth: float, cap: float, tau: float) -> float:
    """``F(tau)``: the integral of ``min(1 + growth u, cap)`` over ``[0, tau]`` (h)."""
    if growth <= 0.0:
        return tau
    tc = (cap - 1.0) / growth
    if tau <= tc:
        return tau + 0.5 * growth * tau * tau
    return tc + 0.5 * growth * tc * tc + cap * (tau - tc)


def survival_growing_hazard(
    lam: float,
    growth: float,
    cap: float,
    p: float,
    dwell: float,
    move: float,
    horizon: float,
    delay: float,
) -> float:
    """Survival to ``horizon`` under a growing detection rate and a fixed kill chain.

    First-detection doctrine: stay ``i`` (arrival ``t_i``) is fatal with
    ``p (1 - exp(-lam F(e_i)))``, ``e_i = max(0, min(dwell, H - t_i) - delay)``:
    the first detection must come early enough for the strike to land before
    the launcher leaves and before the horizon.
    """
    alive = 1.0
    for t in stay_starts(horizon, dwell, move):
        e = max(0.0, min(dwell, horizon - t) - delay)
        alive *= 1.0 - p * -math.expm1(-lam * growing_hazard_cum(growth, cap, e))
    return alive


def expected_revisit_strikes(
    rate: float, lam: float, dwell: float, move: float, horizon: float
) -> float:
    """Expected revisit strikes to ``horizon`` when Red remembers every position it saw used.

    Revisit strikes come at ``rate`` per hour once Red remembers a position, i.e.
    after the first detection; detections come at ``lam`` per hour while the
    launcher is at a site (stays of ``dwell`` h from t = 0, moves of ``move`` h)
    and never kill (``p_kill`` 0). With ``S(t)`` the time spent at sites by ``t``,
    ``E[N] = rate ∫_0^H (1 - exp(-lam S(t))) dt``, integrated piece by piece.
    """
    total = 0.0
    t = 0.0
    at_sites = 0.0
    while t < horizon:
        span = min(dwell, horizon - t)  # at a site: S grows with t
        total += span + math.exp(-lam * at_sites) * math.expm1(-lam * span) / lam
        at_sites += span
        t += span
        span = min(move, horizon - t)  # moving: S is constant
        total += span * -math.expm1(-lam * at_sites)
        t += span
    return rate * total


class SightingOutcomes(NamedTuple):
    """What Red makes of one sighting of a launcher that stands still (probabilities)."""

    strike: float  # Red strikes: the launcher, or a look-alike it picked
    on_launcher: float  # Red strikes the launcher itself
    on_lookalike: float  # Red strikes a look-alike


def sighting_outcomes(p_signature: float, mu: float, max_candidates: int) -> SightingOutcomes:
    """Identification among look-alikes: the outcome of one sighting.

    The sighting shows the signature with ``p_signature``; otherwise the launcher
    is one of ``1 + N`` look-alike vehicles in view, ``N`` Poisson with mean
    ``mu``, and Red strikes one of them at random if ``1 + N <= max_candidates``:

    ``on_launcher = s + (1 - s) sum_{n < k} P(N = n) / (n + 1)``,
    ``on_lookalike = (1 - s) sum_{n < k} P(N = n) n / (n + 1)``.
    """
    terms = [
        math.exp(-mu + n * math.log(mu) - math.lgamma(n + 1)) if mu > 0 else float(n == 0)
        for n in range(max_candidates)
    ]
    miss = 1.0 - p_signature
    on = p_signature + miss * sum(p / (n + 1) for n, p in enumerate(terms))
    off = miss * sum(p * n / (n + 1) for n, p in enumerate(terms))
    return SightingOutcomes(on + off, on, off)


def lookalike_hit_probability(radius_km: float, view_km2: float) -> float:
    """Probability that a point uniform in the view disc (area ``view_km2``) lies within
    ``radius_km`` of its centre: ``min(pi R^2 / view_km2, 1)``."""
    return min(math.pi * radius_km**2 / view_km2, 1.0)
