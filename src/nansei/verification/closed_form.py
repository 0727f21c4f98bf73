"""Exact results for the idealised one-launcher shoot-and-scoot sub-model.

The sub-model (derivations in ``docs/verification.md``):

* one launcher, no logistics, no civilians, run window ``[0, H)`` hours;
* the launcher arrives at a site at ``t = 0``, stays ``S`` hours, moves ``m`` hours,
  arrives at a new site, and so on; set-up time is zero;
* while at a site Red detects it as a Poisson process of rate ``lam`` per hour
  (``lam_move`` while moving);
* optionally the launcher fires salvos at fixed times after arrival, each detected
  with probability ``q`` (counter-battery);
* each detection that the doctrine accepts triggers a strike that arrives after a
  kill-chain delay ``D`` (independent per detection).  Doctrine
  ``"per_site_first_detection"``: only the first detection of a stay (or of a move
  leg) triggers a strike; ``"per_detection"``: every detection does;
* a strike that arrives while the launcher is still at the site kills it with
  probability ``p``.  **Tie rule**: a strike arriving exactly at the instant of
  departure misses.  Events at or after ``H`` do not happen (half-open window).
  A strike that arrives after the launcher has left the site is *wasted*; a strike
  aimed at a moving launcher can only hit if ``D == 0``.

All times are in hours, all rates per hour.  Functions are pure: no I/O, no random
numbers.  Every delay distribution is represented by a small frozen dataclass that
exposes the three functionals the formulas need.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple

import numpy as np
from scipy import integrate
from scipy.special import ndtr

Doctrine = Literal["per_site_first_detection", "per_detection"]
DOCTRINES: tuple[str, ...] = ("per_site_first_detection", "per_detection")

__all__ = [
    "DOCTRINES",
    "Doctrine",
    "ExponentialDelay",
    "FixedDelay",
    "HorizonOutcomes",
    "LognormalDelay",
    "StayOutcomes",
    "counter_battery_stay_kill_probability",
    "expected_stays_before_loss",
    "horizon_outcomes",
    "no_delay_relocation_comparison",
    "salvo_kill_probability",
    "stay_kill_probability",
    "stay_kill_probability_exponential_delay",
    "stay_kill_probability_exponential_dwell",
    "stay_kill_probability_fixed",
    "stay_kill_probability_lognormal_delay",
    "stay_outcomes",
    "stay_starts",
    "survival_probability",
]

_QUAD_OPTS = {"epsabs": 1e-12, "epsrel": 1e-10, "limit": 400}


# --------------------------------------------------------------------------- delays
def _phi(x: float) -> float:
    """``expm1(x) / x`` with the removable singularity at 0 filled in."""
    return 1.0 if x == 0.0 else math.expm1(x) / x


def _check_nonneg(name: str, value: float) -> None:
    if not (value >= 0.0) or math.isnan(value):
        raise ValueError(f"{name} must be >= 0, got {value!r}")


def _check_prob(name: str, value: float) -> None:
    if not (0.0 <= value <= 1.0):
        raise ValueError(f"{name} must be in [0, 1], got {value!r}")


def _check_doctrine(doctrine: str) -> None:
    if doctrine not in DOCTRINES:
        raise ValueError(f"doctrine must be one of {DOCTRINES}, got {doctrine!r}")


@dataclass(frozen=True)
class FixedDelay:
    """Deterministic kill-chain delay.

    Parameters
    ----------
    value : float
        Delay from detection to strike arrival, hours (>= 0).
    """

    value: float

    def __post_init__(self) -> None:
        _check_nonneg("FixedDelay.value", self.value)

    def cdf(self, x: float) -> float:
        """``P(D < x)`` (strict: encodes the tie rule), ``x`` in hours."""
        return 1.0 if self.value < x else 0.0

    def integrated_cdf(self, x: float) -> float:
        """``∫_0^x P(D < u) du = max(0, x − D)``, hours."""
        return max(0.0, x - self.value)

    def exp_weighted(self, lam: float, a: float, b: float, x: float) -> float:
        """``∫_a^b lam·exp(−lam·t)·P(D < x − t) dt`` (dimensionless)."""
        upper = min(b, x - self.value)
        if upper <= a or lam == 0.0:
            return 0.0
        return math.exp(-lam * a) - math.exp(-lam * upper)

    def breakpoints(self) -> tuple[float, ...]:
        return (self.value,)


@dataclass(frozen=True)
class ExponentialDelay:
    """Exponential kill-chain delay.

    Parameters
    ----------
    rate : float
        Rate ``mu`` per hour (> 0); mean delay ``1/mu`` hours.
    """

    rate: float

    def __post_init__(self) -> None:
        if not (self.rate > 0.0):
            raise ValueError(f"ExponentialDelay.rate must be > 0, got {self.rate!r}")

    def cdf(self, x: float) -> float:
        """``P(D < x) = 1 − exp(−mu·x)`` for ``x > 0``."""
        return -math.expm1(-self.rate * x) if x > 0.0 else 0.0

    def integrated_cdf(self, x: float) -> float:
        """``∫_0^x P(D < u) du = x − (1 − exp(−mu·x))/mu``, hours."""
        if x <= 0.0:
            return 0.0
        mu = self.rate
        return x - (-math.expm1(-mu * x)) / mu

    def exp_weighted(self, lam: float, a: float, b: float, x: float) -> float:
        """``∫_a^b lam·exp(−lam·t)·P(D < x − t) dt``, in closed form."""
        b = min(b, x)
        if b <= a or lam == 0.0:
            return 0.0
        mu = self.rate
        width = b - a
        part1 = math.exp(-lam * a) - math.exp(-lam * b)
        # lam ∫_a^b exp(−lam t − mu (x − t)) dt, evaluated from the end where the
        # exponent is largest so that nothing overflows.
        if mu >= lam:
            part2 = lam * math.exp(-mu * (x - b) - lam * b) * width * _phi(-(mu - lam) * width)
        else:
            part2 = lam * math.exp(-mu * (x - a) - lam * a) * width * _phi((mu - lam) * width)
        return part1 - part2

    def breakpoints(self) -> tuple[float, ...]:
        return ()


@dataclass(frozen=True)
class LognormalDelay:
    """Lognormal kill-chain delay, ``D = median · exp(sigma · Z)``.

    Parameters
    ----------
    median : float
        Median delay, hours (> 0).
    sigma : float
        Standard deviation of ``log D`` (> 0, dimensionless).
    """

    median: float
    sigma: float

    def __post_init__(self) -> None:
        if not (self.median > 0.0 and self.sigma > 0.0):
            raise ValueError(
                f"LognormalDelay needs median > 0 and sigma > 0, got {self.median!r}, "
                f"{self.sigma!r}"
            )

    def _z(self, x: float) -> float:
        return (math.log(x) - math.log(self.median)) / self.sigma

    def cdf(self, x: float) -> float:
        """``P(D < x) = Φ((ln x − ln median)/sigma)`` for ``x > 0``."""
        return float(ndtr(self._z(x))) if x > 0.0 else 0.0

    def integrated_cdf(self, x: float) -> float:
        """``∫_0^x P(D < u) du = x·F(x) − E[D; D < x]`` (partial expectation), hours."""
        if x <= 0.0:
            return 0.0
        z = self._z(x)
        partial_mean = self.median * math.exp(0.5 * self.sigma**2) * float(ndtr(z - self.sigma))
        return x * float(ndtr(z)) - partial_mean

    def exp_weighted(self, lam: float, a: float, b: float, x: float) -> float:
        """``∫_a^b lam·exp(−lam·t)·P(D < x − t) dt`` by adaptive quadrature."""
        b = min(b, x)
        if b <= a or lam == 0.0:
            return 0.0
        val, _ = integrate.quad(
            lambda t: lam * math.exp(-lam * t) * self.cdf(x - t), a, b, **_QUAD_OPTS
        )
        return val

    def breakpoints(self) -> tuple[float, ...]:
        return ()


Delay = FixedDelay | ExponentialDelay | LognormalDelay


# ---------------------------------------------------------------------- elementary
def salvo_kill_probability(p_kill: float, p_intercept: float, n_missiles: int) -> float:
    """Probability that a strike of ``n`` missiles kills a launcher that is present.

    ``p = 1 − (1 − p_kill·(1 − p_intercept))**n``: each missile independently leaks
    through air defence with probability ``1 − p_intercept`` and then kills with
    probability ``p_kill``.

    Parameters
    ----------
    p_kill : float
        Single-shot kill probability of a missile that is not intercepted.
    p_intercept : float
        Probability that Blue air defence intercepts one missile.
    n_missiles : int
        Missiles per strike (>= 0).

    Returns
    -------
    float
        Kill probability per strike, dimensionless.
    """
    _check_prob("p_kill", p_kill)
    _check_prob("p_intercept", p_intercept)
    if n_missiles < 0:
        raise ValueError(f"n_missiles must be >= 0, got {n_missiles!r}")
    return 1.0 - (1.0 - p_kill * (1.0 - p_intercept)) ** n_missiles


def stay_kill_probability_fixed(
    lam: float, p: float, dwell: float, delay: float, doctrine: Doctrine
) -> float:
    """Per-stay kill probability for a fixed dwell and a fixed delay (explicit form).

    ``per_site_first_detection``: ``p·(1 − exp(−lam·(tau − D)))`` if ``D < tau``, else 0.
    ``per_detection``: ``1 − exp(−lam·p·max(0, tau − D))``.

    Parameters
    ----------
    lam : float
        Detection rate at the site, per hour.
    p : float
        Kill probability of a strike that arrives while the launcher is present.
    dwell : float
        Stay length ``tau``, hours.
    delay : float
        Kill-chain delay ``D``, hours.
    doctrine : {"per_site_first_detection", "per_detection"}

    Returns
    -------
    float
        Probability that the launcher is killed during the stay.
    """
    _check_doctrine(doctrine)
    window = max(0.0, dwell - delay)
    if doctrine == "per_site_first_detection":
        return p * -math.expm1(-lam * window)
    return -math.expm1(-lam * p * window)


def stay_kill_probability_exponential_delay(
    lam: float, p: float, dwell: float, rate: float, doctrine: Doctrine
) -> float:
    """Per-stay kill probability for a fixed dwell and an exponential delay (explicit form).

    ``per_site_first_detection``: ``p·P(T + D < tau)`` with ``T ~ Exp(lam)``,
    ``D ~ Exp(mu)``: ``p·[1 − (mu·e^{−lam·tau} − lam·e^{−mu·tau})/(mu − lam)]``, and
    ``p·[1 − e^{−lam·tau}(1 + lam·tau)]`` in the limit ``mu = lam``.
    ``per_detection``: ``1 − exp(−p·lam·(tau − (1 − e^{−mu·tau})/mu))``.

    Parameters
    ----------
    lam : float
        Detection rate at the site, per hour.
    p : float
        Kill probability per strike on a present launcher.
    dwell : float
        Stay length ``tau``, hours.
    rate : float
        Delay rate ``mu``, per hour.
    doctrine : {"per_site_first_detection", "per_detection"}
    """
    _check_doctrine(doctrine)
    tau, mu = dwell, rate
    if doctrine == "per_detection":
        return -math.expm1(-p * lam * (tau + math.expm1(-mu * tau) / mu))
    if lam == 0.0:
        return 0.0
    if math.isclose(mu, lam, rel_tol=1e-9):
        return p * (1.0 - math.exp(-lam * tau) * (1.0 + lam * tau))
    return p * (1.0 - (mu * math.exp(-lam * tau) - lam * math.exp(-mu * tau)) / (mu - lam))


def stay_kill_probability_lognormal_delay(
    lam: float, p: float, dwell: float, median: float, sigma: float, doctrine: Doctrine
) -> float:
    """Per-stay kill probability, fixed dwell, lognormal delay, by quadrature.

    ``per_site_first_detection``: ``p·∫_0^tau lam·e^{−lam·t}·F(tau − t) dt``;
    ``per_detection``: ``1 − exp(−lam·p·∫_0^tau F(u) du)`` with ``F(u) = P(D < u)``.
    Both integrals are evaluated with :func:`scipy.integrate.quad` (exact up to the
    quadrature tolerance, about 1e-10 relative).

    Parameters
    ----------
    lam, p, dwell : float
        Detection rate (per hour), kill probability, stay length (hours).
    median, sigma : float
        Lognormal median (hours) and log-standard deviation.
    doctrine : {"per_site_first_detection", "per_detection"}
    """
    _check_doctrine(doctrine)
    d = LognormalDelay(median, sigma)
    if doctrine == "per_site_first_detection":
        return p * d.exp_weighted(lam, 0.0, dwell, dwell)
    exposure, _ = integrate.quad(d.cdf, 0.0, dwell, **_QUAD_OPTS)
    return -math.expm1(-lam * p * exposure)


def stay_kill_probability_exponential_dwell(
    lam: float, p: float, mean_dwell: float, delay: Delay, doctrine: Doctrine
) -> float:
    """Per-stay kill probability when the dwell is exponential with mean ``1/nu``.

    Fixed delay ``D``: ``per_site_first_detection`` gives ``p·lam/(lam+nu)·e^{−nu·D}``
    (first detection precedes departure, then by memorylessness the residual stay
    exceeds ``D``); ``per_detection`` gives ``e^{−nu·D}·lam·p/(nu + lam·p)``.
    Exponential delay (rate ``mu``), first detection: ``p·lam/(lam+nu)·mu/(mu+nu)``.
    Other cases are integrated numerically over the dwell density.

    Parameters
    ----------
    lam : float
        Detection rate at the site, per hour.
    p : float
        Kill probability per strike on a present launcher.
    mean_dwell : float
        Mean stay ``1/nu``, hours.
    delay : FixedDelay | ExponentialDelay | LognormalDelay
    doctrine : {"per_site_first_detection", "per_detection"}
    """
    _check_doctrine(doctrine)
    nu = 1.0 / mean_dwell
    first = doctrine == "per_site_first_detection"
    if isinstance(delay, FixedDelay):
        tail = math.exp(-nu * delay.value)
        if first:
            return p * lam / (lam + nu) * tail
        return tail * lam * p / (nu + lam * p)
    if isinstance(delay, ExponentialDelay) and first:
        mu = delay.rate
        return p * lam / (lam + nu) * mu / (mu + nu)

    def integrand(s: float) -> float:
        k = stay_kill_probability(lam, p, s, delay, doctrine)
        return nu * math.exp(-nu * s) * k

    val, _ = integrate.quad(integrand, 0.0, np.inf, **_QUAD_OPTS)
    return val


def expected_stays_before_loss(kill_per_stay: float) -> float:
    """Expected number of stays completed before the loss, infinite horizon.

    Stays are i.i.d. trials, so the completed count is geometric:
    ``P(survive n stays) = (1 − k)**n`` and the mean is ``(1 − k)/k``.
    """
    if kill_per_stay <= 0.0:
        return math.inf
    return (1.0 - kill_per_stay) / kill_per_stay


# -------------------------------------------------------------- general single stay
def _salvos_before(salvo_times: Sequence[float], window: float) -> list[float]:
    return sorted(s for s in salvo_times if s < window)


def _first_detection_functional(
    lam: float, q: float, salvo_times: Sequence[float], window: float, x: float, delay: Delay
) -> float:
    """``E[1{T < window}·P(D < x − T)]`` for the first detection time ``T`` of a stay.

    Detections: Poisson at rate ``lam`` plus salvo launches at ``salvo_times``, each
    detected with probability ``q``.
    """
    if window <= 0.0:
        return 0.0
    salvos = _salvos_before(salvo_times, window)
    total = 0.0
    for j, s in enumerate(salvos):
        total += math.exp(-lam * s) * (1.0 - q) ** j * q * delay.cdf(x - s)
    bounds = sorted({0.0, *[s for s in salvos if s > 0.0], window})
    for a, b in itertools.pairwise(bounds):
        n_before = sum(1 for s in salvos if s <= a)
        total += (1.0 - q) ** n_before * delay.exp_weighted(lam, a, b, x)
    return total


def _survival_within(
    lam: float,
    p: float,
    q: float,
    salvos: Sequence[float],
    t: float,
    delay: Delay,
    exclude: int | None = None,
) -> float:
    """Per-detection doctrine: P(no killing strike arrived before ``t``) in one stay."""
    val = math.exp(-lam * p * delay.integrated_cdf(t))
    for j, s in enumerate(salvos):
        if s < t and j != exclude:
            val *= 1.0 - q * p * delay.cdf(t - s)
    return val


class StayOutcomes(NamedTuple):
    """Outcomes of one stay for a launcher alive at its start.

    Attributes
    ----------
    kill : float
        Probability that the launcher is killed during the stay.
    strikes : float
        Expected number of strikes triggered in the stay that arrive before ``H``.
    wasted : float
        Expected number of those strikes that arrive after the launcher left.
    """

    kill: float
    strikes: float
    wasted: float


def stay_kill_probability(
    lam: float,
    p: float,
    dwell: float,
    delay: Delay,
    doctrine: Doctrine,
    *,
    salvo_times: Sequence[float] = (),
    q: float = 0.0,
    remaining: float = math.inf,
) -> float:
    """Per-stay kill probability for any delay distribution (general form).

    Parameters
    ----------
    lam : float
        Poisson detection rate at the site, per hour.
    p : float
        Kill probability per strike on a present launcher.
    dwell : float
        Stay length ``S``, hours (fixed).
    delay : FixedDelay | ExponentialDelay | LognormalDelay
    doctrine : {"per_site_first_detection", "per_detection"}
    salvo_times : sequence of float, optional
        Salvo launch times after arrival, hours; each detected with probability ``q``.
    q : float, optional
        Launch-detection probability per salvo.
    remaining : float, optional
        Hours left before the horizon at the start of the stay (truncation).

    Returns
    -------
    float
        With ``e = min(S, remaining)`` and ``F(u) = P(D < u)``:
        first detection ``p·E[1{T < e}·F(e − T)]``; per detection
        ``1 − exp(−lam·p·∫_0^e F) · Π_{s_j < e} (1 − q·p·F(e − s_j))``.
    """
    return stay_outcomes(
        lam, p, dwell, delay, doctrine, salvo_times=salvo_times, q=q, remaining=remaining
    ).kill


def stay_outcomes(
    lam: float,
    p: float,
    dwell: float,
    delay: Delay,
    doctrine: Doctrine,
    *,
    salvo_times: Sequence[float] = (),
    q: float = 0.0,
    remaining: float = math.inf,
) -> StayOutcomes:
    """Kill probability, expected strikes and expected wasted strikes of one stay.

    The launcher is alive at the start of the stay.  Strikes count if they arrive
    before the horizon, i.e. within ``remaining`` hours of the stay's start.  A
    launcher killed stops generating detections; strikes already in flight still
    arrive (and count), but are not wasted if they land on the wreck's site.
    Parameters are as in :func:`stay_kill_probability`.

    Returns
    -------
    StayOutcomes
    """
    _check_doctrine(doctrine)
    _check_nonneg("lam", lam)
    _check_prob("p", p)
    _check_prob("q", q)
    r = remaining
    e = min(dwell, r)
    if e <= 0.0:
        return StayOutcomes(0.0, 0.0, 0.0)
    salvos = _salvos_before(salvo_times, e)

    if doctrine == "per_site_first_detection":
        kill = p * _first_detection_functional(lam, q, salvos, e, e, delay)
        strikes = _first_detection_functional(lam, q, salvos, e, r, delay)
        wasted = 0.0
        if r > dwell:
            wasted = strikes - _first_detection_functional(lam, q, salvos, e, dwell, delay)
        return StayOutcomes(kill, strikes, max(0.0, wasted))

    # per_detection
    survive = _survival_within(lam, p, q, salvos, e, delay)
    kill = 1.0 - survive
    if isinstance(delay, FixedDelay) and not salvos:
        # Alive at t: exp(−lam·p·(t − D)+); strikes from detections at t < r − D.
        d = delay.value
        b = max(0.0, min(e, r - d))
        strikes = lam * min(b, d)
        if b > d:
            strikes += (-math.expm1(-lam * p * (b - d)) / p) if p > 0.0 else lam * (b - d)
    else:
        points = sorted(
            {
                *salvos,
                *(s + bp for s in salvos for bp in delay.breakpoints()),
                *(r - bp for bp in delay.breakpoints()),
                *delay.breakpoints(),
            }
        )
        points = [t for t in points if 0.0 < t < e]

        def integrand(t: float) -> float:
            return lam * _survival_within(lam, p, q, salvos, t, delay) * delay.cdf(r - t)

        strikes = 0.0
        if lam > 0.0:
            strikes, _ = integrate.quad(integrand, 0.0, e, points=points or None, **_QUAD_OPTS)
        for s in salvos:
            strikes += q * _survival_within(lam, p, q, salvos, s, delay) * delay.cdf(r - s)
    wasted = 0.0
    if r > dwell:
        # Palm/Slivnyak: a wasted strike needs the launcher to survive the stay, which
        # depends only on the *other* detections.
        poisson = lam * (
            delay.integrated_cdf(r) - delay.integrated_cdf(r - dwell) - delay.integrated_cdf(dwell)
        )
        wasted = survive * poisson
        for j, s in enumerate(salvos):
            others = _survival_within(lam, p, q, salvos, dwell, delay, exclude=j)
            wasted += q * (delay.cdf(r - s) - delay.cdf(dwell - s)) * others
    return StayOutcomes(kill, strikes, max(0.0, wasted))


def counter_battery_stay_kill_probability(
    k: int,
    spacing: float,
    linger: float,
    q: float,
    p: float,
    delay: Delay,
    doctrine: Doctrine,
    *,
    lam: float = 0.0,
) -> float:
    """Per-stay kill probability when strikes are cued by launch detection.

    The launcher fires ``k`` salvos at ``0, Δ, …, (k−1)Δ`` after arrival and leaves
    ``L`` hours after the last, so salvo ``j``'s strike hits iff
    ``D < (k − 1 − j)·Δ + L``.  With ``lam = 0``:
    per detection ``1 − Π_j (1 − q·p·F((k−1−j)Δ + L))``;
    first detection ``Σ_j (1 − q)^j·q·p·F((k−1−j)Δ + L)``, ``F(u) = P(D < u)``.
    With ``lam > 0`` Poisson detections are added (general form).

    Parameters
    ----------
    k : int
        Salvos per stay (>= 1).
    spacing : float
        ``Δ``, hours between salvos.
    linger : float
        ``L``, hours from the last salvo to departure.
    q : float
        Launch-detection probability per salvo.
    p : float
        Kill probability per strike on a present launcher.
    delay : FixedDelay | ExponentialDelay | LognormalDelay
    doctrine : {"per_site_first_detection", "per_detection"}
    lam : float, optional
        Additional Poisson detection rate at the site, per hour.
    """
    _check_doctrine(doctrine)
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k!r}")
    stay = (k - 1) * spacing + linger
    if lam == 0.0:
        margins = [(k - 1 - j) * spacing + linger for j in range(k)]
        if doctrine == "per_detection":
            return 1.0 - math.prod(1.0 - q * p * delay.cdf(u) for u in margins)
        return sum((1.0 - q) ** j * q * p * delay.cdf(u) for j, u in enumerate(margins))
    salvos = [j * spacing for j in range(k)]
    return stay_kill_probability(lam, p, stay, delay, doctrine, salvo_times=salvos, q=q)


# ------------------------------------------------------------------------- horizon
def stay_starts(horizon: float, dwell: float, move: float) -> np.ndarray:
    """Arrival times ``t_i = i·(dwell + move)`` that fall before the horizon.

    Returns
    -------
    numpy.ndarray, shape (n_stays,)
        Arrival times in hours, ``t_i < horizon``.
    """
    cycle = dwell + move
    if not (cycle > 0.0):
        return np.zeros(1) if horizon > 0.0 else np.zeros(0)
    n = math.ceil(horizon / cycle)
    starts = cycle * np.arange(n, dtype=float)
    return starts[starts < horizon]


@dataclass(frozen=True)
class HorizonOutcomes:
    """Exact outcomes over the horizon for a fixed dwell.

    Attributes
    ----------
    survival : float
        Probability that the launcher is alive at ``H``.
    expected_strikes : float
        Expected strikes arriving before ``H``.
    expected_wasted : float
        Expected strikes arriving at a site the launcher has left (incl. strikes
        aimed at a moving launcher with ``D > 0``).
    stay_kill : numpy.ndarray, shape (n_stays,)
        Kill probability of each stay given alive at its start (last may be truncated).
    """

    survival: float
    expected_strikes: float
    expected_wasted: float
    stay_kill: np.ndarray


def _leg_outcomes(
    lam_move: float, p: float, leg: float, remaining: float, delay: Delay, doctrine: Doctrine
) -> StayOutcomes:
    """A move leg: a strike on a moving launcher can hit only if ``D == 0``."""
    w = min(leg, remaining)
    if w <= 0.0 or lam_move == 0.0:
        return StayOutcomes(0.0, 0.0, 0.0)
    if isinstance(delay, FixedDelay) and delay.value == 0.0:
        return stay_outcomes(lam_move, p, w, delay, doctrine)
    if doctrine == "per_site_first_detection":
        n = _first_detection_functional(lam_move, 0.0, (), w, remaining, delay)
    else:
        n = lam_move * (delay.integrated_cdf(remaining) - delay.integrated_cdf(remaining - w))
    return StayOutcomes(0.0, n, n)


def horizon_outcomes(
    lam: float,
    p: float,
    dwell: float,
    move: float,
    horizon: float,
    delay: Delay,
    doctrine: Doctrine,
    *,
    lam_move: float = 0.0,
    salvo_times: Sequence[float] = (),
    q: float = 0.0,
) -> HorizonOutcomes:
    """Survival, expected strikes and expected wasted strikes over ``[0, H)``.

    Stays start at ``t_i = i·(dwell + move)``; stay ``i`` is truncated to
    ``min(dwell, H − t_i)``.  With ``A_i`` the probability of being alive at ``t_i``
    and ``k_i``, ``n_i``, ``w_i`` the stay's kill probability, expected strikes and
    wasted strikes given alive at its start (:func:`stay_outcomes`, exact):
    ``survival = Π_i (1 − k_i)(1 − k'_i)``, ``E[strikes] = Σ_i A_i n_i + …`` and
    likewise for wasted strikes, where the primed terms are the move leg after stay
    ``i`` (alive probability ``A_i (1 − k_i)``).

    Parameters
    ----------
    lam : float
        Detection rate at a site, per hour.
    p : float
        Kill probability per strike on a present launcher.
    dwell, move, horizon : float
        Stay length, move time and horizon, hours.
    delay : FixedDelay | ExponentialDelay | LognormalDelay
    doctrine : {"per_site_first_detection", "per_detection"}
    lam_move : float, optional
        Detection rate while moving, per hour.
    salvo_times : sequence of float, optional
        Salvo times after each arrival, hours.
    q : float, optional
        Launch-detection probability per salvo.

    Returns
    -------
    HorizonOutcomes
    """
    alive = 1.0
    strikes = 0.0
    wasted = 0.0
    kills = []
    for t in stay_starts(horizon, dwell, move):
        r = float(horizon - t)
        so = stay_outcomes(
            lam, p, dwell, delay, doctrine, salvo_times=salvo_times, q=q, remaining=r
        )
        kills.append(so.kill)
        strikes += alive * so.strikes
        wasted += alive * so.wasted
        alive *= 1.0 - so.kill
        lo = _leg_outcomes(lam_move, p, move, r - dwell, delay, doctrine)
        strikes += alive * lo.strikes
        wasted += alive * lo.wasted
        alive *= 1.0 - lo.kill
    return HorizonOutcomes(alive, strikes, wasted, np.asarray(kills, dtype=float))


def survival_probability(
    lam: float,
    p: float,
    dwell: float,
    move: float,
    horizon: float,
    delay: Delay,
    doctrine: Doctrine,
    *,
    lam_move: float = 0.0,
    salvo_times: Sequence[float] = (),
    q: float = 0.0,
) -> float:
    """Probability that the launcher survives to ``H`` (fixed dwell); see :func:`horizon_outcomes`.

    For a fixed delay and no salvos this is
    ``Π_i (1 − k(e_i))`` with exposure window ``e_i = max(0, min(tau, H − t_i) − D)``
    and ``k`` from :func:`stay_kill_probability_fixed` evaluated on that window.
    """
    return horizon_outcomes(
        lam,
        p,
        dwell,
        move,
        horizon,
        delay,
        doctrine,
        lam_move=lam_move,
        salvo_times=salvo_times,
        q=q,
    ).survival


def no_delay_relocation_comparison(
    lam: float,
    p: float,
    horizon: float,
    dwell: float,
    doctrine: Doctrine,
    *,
    move: float = 0.0,
    lam_move: float | None = None,
) -> tuple[float, float]:
    """Survival with ``D = 0``: relocating every ``dwell`` hours vs never relocating.

    With no kill-chain delay every strike arrives while the launcher is present, so
    relocation cannot make a strike miss.

    * ``per_detection``: survival ``exp(−p·(lam·T_site + lam_move·T_move))``; equal to
      the static ``exp(−lam·p·H)`` when ``lam_move = lam`` (or ``move = 0``);
      otherwise relocation merely trades site time for move time.
    * ``per_site_first_detection``: each stay (and leg) gives
      ``1 − p·(1 − e^{−lam·e_i})``.  With ``p = 1`` the product is
      ``exp(−lam·T_site − lam_move·T_move)`` = static value when ``lam_move = lam``.
      With ``p < 1`` the map ``x ↦ 1 − p(1 − e^{−x})`` is log-concave in ``x`` with
      value 1 at 0, so splitting the exposure lowers survival: relocation is worse.

    Parameters
    ----------
    lam, p, horizon, dwell : float
        Site detection rate (per hour), kill probability, horizon and dwell (hours).
    doctrine : {"per_site_first_detection", "per_detection"}
    move : float, optional
        Move time between sites, hours.
    lam_move : float, optional
        Detection rate while moving; defaults to ``lam``.

    Returns
    -------
    (float, float)
        ``(survival_with_relocation, survival_without_relocation)``.
    """
    lm = lam if lam_move is None else lam_move
    d0 = FixedDelay(0.0)
    with_reloc = survival_probability(lam, p, dwell, move, horizon, d0, doctrine, lam_move=lm)
    static = survival_probability(lam, p, horizon, 0.0, horizon, d0, doctrine)
    return with_reloc, static
