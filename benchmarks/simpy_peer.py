"""Independent SimPy implementation of the idealised one-launcher shoot-and-scoot model.

This is the speed peer for the benchmarks and a statistical cross-check of both the
engine and :mod:`nansei.verification.closed_form`.  It shares no code with either.

Model (see ``docs/verification.md``): one launcher cycles stay/move until the
horizon ``H``; Red detects it as a Poisson process (rate ``lam`` at a site,
``lam_move`` while moving) and, optionally, detects each salvo launch with
probability ``q``; each accepted detection launches a strike that lands after the
kill-chain delay and kills a launcher still present with probability ``p``.  A
strike that lands exactly at the instant of departure misses.  The run covers
``[0, H)``: ``env.run(until=H)`` does not process events scheduled at ``H``.

Processes
---------
``Launcher.run``
    stays (optionally firing salvos), then moves; interrupted when killed.
``RedISR.watch``
    one per stay or move leg: Poisson detections at that location until the
    launcher leaves or dies (memorylessness lets the process simply stop at the
    boundary instead of being interrupted).
``RedISR.strike``
    one per strike: ``env.timeout(D)``, then checks the launcher's state.
"""

from __future__ import annotations

import math
import sys
import time

import numpy as np
import simpy

DEFAULTS: dict[str, object] = {
    "lam": 0.5,  # detections per hour at a site
    "lam_move": 0.0,  # detections per hour while moving
    "p": 1.0,  # kill probability of a strike on a present launcher
    "dwell": 2.0,  # hours at a site (fixed, or mean if exponential)
    "dwell_dist": "fixed",  # "fixed" | "exponential"
    "move": 0.5,  # hours per move
    "horizon": 72.0,  # hours
    "doctrine": "per_site_first_detection",  # | "per_detection"
    "delay_kind": "fixed",  # "fixed" | "exponential" | "lognormal"
    "delay": 1.0,  # fixed delay, hours
    "delay_rate": 1.0,  # exponential delay rate, per hour
    "delay_median": 1.0,  # lognormal median, hours
    "delay_sigma": 0.5,  # lognormal sigma of log-delay
    "salvos": 0,  # k salvos per stay (0: no firing, dwell applies)
    "salvo_spacing": 0.25,  # hours between salvos
    "linger": 0.5,  # hours from last salvo to departure
    "q": 0.0,  # launch-detection probability per salvo
}
DOCTRINES = ("per_site_first_detection", "per_detection")
DELAY_KINDS = ("fixed", "exponential", "lognormal")
DWELL_DISTS = ("fixed", "exponential")


def _validate(params: dict) -> dict:
    unknown = set(params) - set(DEFAULTS)
    if unknown:
        raise ValueError(f"unknown parameters {sorted(unknown)}; allowed: {sorted(DEFAULTS)}")
    prm = {**DEFAULTS, **params}
    for key, allowed in (
        ("doctrine", DOCTRINES),
        ("delay_kind", DELAY_KINDS),
        ("dwell_dist", DWELL_DISTS),
    ):
        if prm[key] not in allowed:
            raise ValueError(f"{key} must be one of {allowed}, got {prm[key]!r}")
    return prm


class Stats:
    """Counters of one replication."""

    __slots__ = ("loss_stay", "strikes", "time_of_loss", "wasted")

    def __init__(self) -> None:
        self.strikes = 0
        self.wasted = 0
        self.time_of_loss = math.nan
        self.loss_stay = -1


class Launcher:
    """The launcher: cycles stay → move; ``location`` is a fresh id per stay or leg."""

    def __init__(self, env: simpy.Environment, rng: np.random.Generator, prm: dict, stats: Stats):
        self.env = env
        self.rng = rng
        self.prm = prm
        self.stats = stats
        self.alive = True
        self.location = -1
        self.depart_time = 0.0
        self.stay_index = -1
        self.red: RedISR | None = None
        self.proc = env.process(self.run())

    def _arrive(self, duration: float) -> int:
        self.location += 1
        self.depart_time = self.env.now + duration
        return self.location

    def run(self):
        env, prm, rng = self.env, self.prm, self.rng
        k = int(prm["salvos"])
        try:
            while True:
                # ---- stay at a new site
                if k > 0:
                    stay = (k - 1) * prm["salvo_spacing"] + prm["linger"]
                elif prm["dwell_dist"] == "exponential":
                    stay = rng.exponential(prm["dwell"])
                else:
                    stay = prm["dwell"]
                self.stay_index += 1
                loc = self._arrive(stay)
                depart = self.depart_time
                self.red.start_watch(loc, depart, prm["lam"], moving=False)
                for j in range(k):
                    self.red.launch(loc)
                    if j < k - 1:
                        yield env.timeout(prm["salvo_spacing"])
                yield env.timeout(depart - env.now)
                # ---- move
                if prm["move"] > 0.0:
                    loc = self._arrive(prm["move"])
                    self.red.start_watch(loc, self.depart_time, prm["lam_move"], moving=True)
                    yield env.timeout(prm["move"])
        except simpy.Interrupt:
            pass  # killed: ``kill`` has already updated the state

    def kill(self) -> None:
        self.alive = False
        self.depart_time = math.inf  # a wreck never leaves
        self.stats.time_of_loss = self.env.now
        self.stats.loss_stay = self.stay_index
        self.proc.interrupt("killed")


class RedISR:
    """Red detection and strike processes."""

    def __init__(self, env: simpy.Environment, rng: np.random.Generator, prm: dict, stats: Stats):
        self.env = env
        self.rng = rng
        self.prm = prm
        self.stats = stats
        self.first_only = prm["doctrine"] == "per_site_first_detection"
        self.struck: set[int] = set()
        self.launcher: Launcher | None = None
        kind = prm["delay_kind"]
        if kind == "fixed":
            d = float(prm["delay"])
            self.draw_delay = lambda: d
        elif kind == "exponential":
            scale = 1.0 / prm["delay_rate"]
            self.draw_delay = lambda: rng.exponential(scale)
        else:
            mu, sigma = math.log(prm["delay_median"]), prm["delay_sigma"]
            self.draw_delay = lambda: rng.lognormal(mu, sigma)

    def start_watch(self, loc: int, until: float, rate: float, moving: bool) -> None:
        if rate > 0.0:
            self.env.process(self.watch(loc, until, rate, moving))

    def watch(self, loc: int, until: float, rate: float, moving: bool):
        """Poisson detections of location ``loc`` until ``until`` or the launcher's death."""
        env, rng, launcher = self.env, self.rng, self.launcher
        scale = 1.0 / rate
        while True:
            gap = rng.exponential(scale)
            if env.now + gap >= until:
                return
            yield env.timeout(gap)
            if not launcher.alive:
                return
            self.detect(loc, moving)
            if self.first_only:
                return

    def launch(self, loc: int) -> None:
        """A salvo is fired from ``loc``; Red sees the launch with probability ``q``."""
        if self.rng.random() < self.prm["q"]:
            self.detect(loc, moving=False)

    def detect(self, loc: int, moving: bool) -> None:
        if self.first_only:
            if loc in self.struck:
                return
            self.struck.add(loc)
        self.env.process(self.strike(loc, moving, self.env.now))

    def strike(self, loc: int, moving: bool, t_detect: float):
        yield self.env.timeout(self.draw_delay())
        stats, launcher = self.stats, self.launcher
        stats.strikes += 1
        if launcher.location != loc:
            stats.wasted += 1  # the launcher has left the site
            return
        if not launcher.alive:
            return  # lands on the wreck
        present = (self.env.now == t_detect) if moving else (self.env.now < launcher.depart_time)
        if not present:
            stats.wasted += 1  # tie rule / moving target
            return
        if self.rng.random() < self.prm["p"]:
            launcher.kill()


def run_one(prm: dict, rng: np.random.Generator) -> Stats:
    """Run one replication with validated parameters ``prm``."""
    env = simpy.Environment()
    stats = Stats()
    red = RedISR(env, rng, prm, stats)
    launcher = Launcher(env, rng, prm, stats)
    launcher.red = red
    red.launcher = launcher
    env.run(until=prm["horizon"])
    return stats


def run_replications(params: dict, n: int, seed: int) -> dict[str, np.ndarray]:
    """Run ``n`` independent replications.

    Parameters
    ----------
    params : dict
        Model parameters; keys and defaults in :data:`DEFAULTS` (hours, per hour).
    n : int
        Number of replications.
    seed : int
        Root seed; replication ``i`` uses ``SeedSequence(seed).spawn(n)[i]``.

    Returns
    -------
    dict of numpy.ndarray, each shape (n,)
        ``survived`` (bool), ``time_of_loss`` (hours, NaN if survived), ``strikes``
        and ``wasted_strikes`` (int, strikes landing before ``H``), ``loss_stay``
        (index of the stay during or after which the launcher was lost, -1 if none).
    """
    prm = _validate(params)
    children = np.random.SeedSequence(seed).spawn(n)
    survived = np.empty(n, dtype=bool)
    time_of_loss = np.empty(n)
    strikes = np.empty(n, dtype=np.int64)
    wasted = np.empty(n, dtype=np.int64)
    loss_stay = np.empty(n, dtype=np.int64)
    for i, child in enumerate(children):
        s = run_one(prm, np.random.default_rng(child))
        survived[i] = math.isnan(s.time_of_loss)
        time_of_loss[i] = s.time_of_loss
        strikes[i] = s.strikes
        wasted[i] = s.wasted
        loss_stay[i] = s.loss_stay
    return {
        "survived": survived,
        "time_of_loss": time_of_loss,
        "strikes": strikes,
        "wasted_strikes": wasted,
        "loss_stay": loss_stay,
    }


def main(argv: list[str]) -> None:
    n = int(argv[1]) if len(argv) > 1 else 20_000
    params = {
        "lam": 0.2,
        "p": 0.7,
        "dwell": 2.0,
        "move": 0.5,
        "horizon": 72.0,
        "delay": 1.0,
        "doctrine": "per_detection",
    }
    t0 = time.perf_counter()
    out = run_replications(params, n, seed=20240601)
    dt = time.perf_counter() - t0
    print(f"simpy_peer fixed-delay case {params}")
    print(f"{n} replications in {dt:.2f} s: {n / dt:,.0f} replications/s")
    print(
        f"survival {out['survived'].mean():.4f}, strikes {out['strikes'].mean():.3f}, "
        f"wasted {out['wasted_strikes'].mean():.3f}"
    )


if __name__ == "__main__":
    main(sys.argv)
