"""The best number of salvos before moving, against the speed of Red's kill chain.

Shim & Atkinson (2018, Naval Research Logistics) find that firing several salvos
from one position is often better than moving after the first, the more so the
slower the counter-battery kill chain. This sweep reproduces the qualitative
result on ``ideal-counter-battery``: one launcher, a persistent target, launch
detection only (q = 0.6 per salvo), 0.5 h moves, p_kill 0.8, 24 h. For each
kill-chain median (lognormal, sigma 0.5) and each k = salvos before moving, it
reports the expected salvos fired in 24 h (a dead launcher fires no more), the
best k and its interval (the ks whose mean is within 2 paired SE of the best).
``docs/verification.md`` quotes the output.

Usage::

    python scripts/salvos_before_moving.py [--reps 4000] [--seed 18]
"""

from __future__ import annotations

import argparse
import math

import numpy as np

from nansei.engine.simulate import simulate
from nansei.scenario import load_scenario

MEDIANS = (0.1, 0.25, 0.5, 1.0, 2.0)
KS = (1, 2, 3, 4, 6, 8, 12)


def _scenario(median: float, k: int):
    return load_scenario(
        "ideal-counter-battery",
        overrides={
            "run.horizon_h": 24.0,
            "blue.relocation.scoot_after_salvos": k,
            "red.kill_chain.delay_h": {"kind": "lognormal", "median": median, "sigma": 0.5},
        },
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=4000)
    ap.add_argument("--seed", type=int, default=18)
    args = ap.parse_args()
    head = " | ".join(f"k={k}" for k in KS)
    print(f"Expected salvos fired in 24 h ({args.reps} replications, seed {args.seed})")
    print(f"| kill chain median | {head} | best k | within 2 SE of best |")
    print("|---" * (len(KS) + 3) + "|")
    for median in MEDIANS:
        fired = {
            k: simulate(_scenario(median, k), replications=args.reps, seed=args.seed)
            .records["salvos_fired"]
            .to_numpy(dtype=float)
            for k in KS
        }
        best = max(KS, key=lambda k: fired[k].mean())
        near = []
        for k in KS:
            d = fired[best] - fired[k]
            se = d.std(ddof=1) / math.sqrt(d.size) if k != best else 0.0
            if d.mean() <= 2.0 * se:
                near.append(k)
        cells = " | ".join(f"{np.mean(fired[k]):.1f}" for k in KS)
        print(f"| {median:g} h | {cells} | {best} | {min(near)}-{max(near)} |")


if __name__ == "__main__":
    main()
