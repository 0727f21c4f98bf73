"""kyodo-2021 before and after its calibration (issue 15), and whether dwell matters.

Runs ``kyodo-2021`` with the values it had before the calibration of
``docs/kyodo-calibration.md``, then applies the calibrated values group by group
with the same seed (common random numbers), printing one row per stage: launchers
lost with the paired change from the previous stage, salvos, Red missiles wasted,
claimed kills. Then the dwell sweep on the calibrated base case (fixed dwell 2 to 24 h)
and the number of salvos before moving, each with paired differences. ``docs/model.md``
quotes the output.

Usage::

    python scripts/kyodo_calibration.py [--reps 1000] [--seed 2021]
"""

from __future__ import annotations

import argparse
import math

import numpy as np

from nansei.engine.simulate import simulate
from nansei.scenario import load_scenario

N_GROUPS = len(load_scenario("kyodo-2021").blue.launchers)
_OLD_RATES = {"hidden": 0.05, "moving": 0.2, "setting_up": 0.1, "firing": 0.1, "reloading": 0.1}
#: The values kyodo-2021 had before the calibration, by group (reverted in that order).
BEFORE = {
    "isr": {"red.isr.detection_rate_per_h": _OLD_RATES},
    "launch": {"red.isr.p_detect_launch": 0.5},
    "kill chain": {
        "red.kill_chain": {"delay_h": {"kind": "lognormal", "median": 1.0, "sigma": 0.5}}
    },
    "blue": {
        **{f"blue.launchers[{i}].teardown_h": 0.25 for i in range(N_GROUPS)},
        "blue.relocation.inter_island_move_prob": 0.1,
        "blue.decoys.p_identify": 0.0,
    },
    "gateways": {
        "red.gateway_strikes.rate_per_day": 0.5,
        "red.gateway_strikes.repair_h": {"kind": "lognormal", "median": 24, "sigma": 0.5},
    },
}
STAGES = [
    ("before calibration (first guesses)", None),
    ("+ ISR rates / 10 (hidden 0.005, moving 0.02, others 0.01 per h)", "isr"),
    ("+ launch detection 0.5 -> 0.3", "launch"),
    ("+ kill chain sigma 0.7, launch cue median 0.5 h", "kill chain"),
    ("+ Blue: teardown 0.1 h, 5 % lift moves, decoys identified 10 %", "blue"),
    ("+ gateways struck 1/day (= kyodo-2021)", "gateways"),
]
COLS = ("salvos_fired", "red_missiles_wasted", "red_claimed_kills")


def _records(over: dict, reps: int, seed: int):
    sc = load_scenario("kyodo-2021", overrides=over)
    return simulate(sc, replications=reps, seed=seed).records


def _paired(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    d = b - a
    return float(d.mean()), float(d.std(ddof=1) / math.sqrt(d.size))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=2021)
    args = ap.parse_args()
    reps, seed = args.reps, args.seed
    print(f"kyodo-2021, {reps} replications, seed {seed} (means; paired change, ± 1 SE)")
    print("| stage | lost | change | salvos | Red missiles wasted | claimed kills |")
    print("|---|---:|---:|---:|---:|---:|")
    reverted = dict(BEFORE)
    prev = None
    for label, key in STAGES:
        if key is not None:
            reverted.pop(key)
        over = {k: v for group in reverted.values() for k, v in group.items()}
        r = _records(over, reps, seed)
        lost = r["launchers_lost"].to_numpy(float)
        change = "" if prev is None else "{:+.2f} ± {:.2f}".format(*_paired(prev, lost))
        vals = " | ".join(f"{r[c].mean():.1f}" for c in COLS)
        print(f"| {label} | {lost.mean():.2f} | {change} | {vals} |")
        prev = lost
    print()
    print("Dwell on the calibrated base case (fixed dwell; paired against 4 h)")
    print("| dwell | lost | salvos | lost - 4 h | salvos - 4 h |")
    print("|---|---:|---:|---:|---:|")
    runs = {d: _records({"blue.relocation.dwell_h": d}, reps, seed) for d in (2, 4, 8, 12, 24)}
    b = runs[4]
    for d, r in runs.items():
        dl = _paired(b["launchers_lost"].to_numpy(float), r["launchers_lost"].to_numpy(float))
        ds = _paired(b["salvos_fired"].to_numpy(float), r["salvos_fired"].to_numpy(float))
        print(
            f"| {d} h | {r['launchers_lost'].mean():.2f} | {r['salvos_fired'].mean():.1f} | "
            f"{dl[0]:+.2f} ± {dl[1]:.2f} | {ds[0]:+.1f} ± {ds[1]:.1f} |"
        )
    print()
    print("Salvos before moving on the calibrated base case (paired against 2)")
    print("| scoot after | lost | salvos | lost - 2 | salvos - 2 |")
    print("|---|---:|---:|---:|---:|")
    runs = {k: _records({"blue.relocation.scoot_after_salvos": k}, reps, seed) for k in (1, 2, 3)}
    b = runs[2]
    for k, r in runs.items():
        dl = _paired(b["launchers_lost"].to_numpy(float), r["launchers_lost"].to_numpy(float))
        ds = _paired(b["salvos_fired"].to_numpy(float), r["salvos_fired"].to_numpy(float))
        print(
            f"| {k} | {r['launchers_lost'].mean():.2f} | {r['salvos_fired'].mean():.1f} | "
            f"{dl[0]:+.2f} ± {dl[1]:.2f} | {ds[0]:+.1f} ± {ds[1]:.1f} |"
        )


if __name__ == "__main__":
    main()
