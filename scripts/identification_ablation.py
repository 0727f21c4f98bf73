"""Identification among clutter in the Ukraine validation case: ablation and bounds.

Runs ``ukraine-himars-2022`` as built (with ``red.isr.identification`` set from
public figures and labelled assumptions) and with one change at a time, all with
the same seed (common random numbers): identification off, Red's guessing rule,
the look-alike density and view at the ends of their ranges, and two bounds of
what the mechanism can do (Red strikes only sightings that show a signature).
Prints a markdown table of the loss rate per launcher-day (95 % delta-method
interval), the share of replications with no loss in the first 621 days, and
strikes on empty ground that were not decoys. ``docs/validation.md`` quotes it.

With ``--kyodo``, runs instead ``kyodo-2021`` as it is and with the identification values
that ``docs/kyodo-calibration.md`` proposes (and their ranges), paired on the same seed:
launchers lost with the paired change, salvos, missiles wasted, claimed kills.

Usage::

    python scripts/identification_ablation.py [--reps 40] [--seed 7]
    python scripts/identification_ablation.py --kyodo [--reps 400] [--seed 2021]
"""

from __future__ import annotations

import argparse
import math

from nansei.engine.simulate import simulate
from nansei.scenario import load_scenario
from nansei.verification.validation import ROWS

P = "red.isr.identification."
ONES = dict.fromkeys(("hidden", "moving", "setting_up", "firing", "reloading"), 1.0)
ONLY_SIGNATURES = {P + "max_candidates": 1, P + "lookalikes_per_km2": 10_000.0}
CASES = {
    "as built": {},
    "identification off (`p_signature` all 1)": {P + "p_signature": ONES},
    "Red never guesses (`max_candidates: 1`)": {P + "max_candidates": 1},
    "Red always guesses (`max_candidates: 1000`)": {P + "max_candidates": 1000},
    "fewer look-alikes (0.2 /km²)": {P + "lookalikes_per_km2": 0.2},
    "more look-alikes (1.5 /km²)": {P + "lookalikes_per_km2": 1.5},
    "wider view (4 km²)": {P + "view_km2": 4.0},
    "bound: only sightings with a signature are struck": ONLY_SIGNATURES,
    "bound, and signature 0.1 at hides and on the road": {
        **ONLY_SIGNATURES,
        P + "p_signature.hidden": 0.1,
        P + "p_signature.moving": 0.1,
    },
    "bound, and no launch detection": {**ONLY_SIGNATURES, "red.isr.p_detect_launch": 0.0},
}


#: The signature probabilities of ukraine-himars-2022, proposed for kyodo-2021 too.
SIGNATURE = {"hidden": 0.3, "moving": 0.3, "setting_up": 0.7, "firing": 0.9, "reloading": 0.7}


def _kyodo_ident(density: float, max_candidates: int = 3) -> dict:
    return {
        "red.isr.identification": {
            "p_signature": SIGNATURE,
            "lookalikes_per_km2": density,
            "view_km2": 1.0,
            "max_candidates": max_candidates,
        }
    }


KYODO = {
    "kyodo-2021 as it is (identification certain)": {},
    "proposed: 0.5 military look-alikes /km², Red guesses among 3": _kyodo_ident(0.5),
    "0.5 /km², Red never guesses": _kyodo_ident(0.5, 1),
    "satellite-class sensor: 7 truck-sized vehicles /km², guesses among 3": _kyodo_ident(7.0),
    "satellite-class sensor, Red never guesses": _kyodo_ident(7.0, 1),
}


def kyodo(reps: int, seed: int) -> None:
    """The kyodo-2021 table (paired on ``seed``)."""
    print(f"kyodo-2021, {reps} replications, seed {seed}\n")
    print("| identification | lost | paired change (SE) | salvos | missiles wasted | claims |")
    print("|---|---:|---:|---:|---:|---:|")
    base = None
    for name, over in KYODO.items():
        rec = simulate(load_scenario("kyodo-2021", overrides=over), reps, seed).records
        lost = rec["launchers_lost"].to_numpy(float)
        base = lost if base is None else base
        d = lost - base
        se = float(d.std(ddof=1) / math.sqrt(d.size)) if d.any() else 0.0
        print(
            f"| {name} | {lost.mean():.2f} | {d.mean():+.2f} ({se:.2f}) | "
            f"{rec['salvos_fired'].mean():.1f} | {rec['red_missiles_wasted'].mean():.1f} | "
            f"{rec['red_claimed_kills'].mean():.1f} |",
            flush=True,
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=None)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--kyodo", action="store_true", help="the kyodo-2021 table instead")
    args = ap.parse_args()
    if args.kyodo:
        kyodo(args.reps or 400, 2021 if args.seed is None else args.seed)
        return
    args.reps = args.reps or 40
    args.seed = 7 if args.seed is None else args.seed
    rate = next(r for r in ROWS if r.name == "loss-rate-per-launcher-day")
    no_loss = next(r for r in ROWS if r.name == "no-loss-first-20-months")
    print(f"ukraine-himars-2022, {args.reps} replications, seed {args.seed}\n")
    print(
        "| change | loss rate per launcher-day [95 %] | no loss in 621 days | "
        "strikes on empty ground (not decoys) |"
    )
    print("|---|---|---:|---:|")
    for name, over in CASES.items():
        r = simulate(load_scenario("ukraine-himars-2022", overrides=over), args.reps, args.seed)
        rec = r.records
        est, lo, hi = rate.estimate(rec)
        empty = (rec["strikes_wasted"] - rec["strikes_on_decoys"]).mean()
        print(
            f"| {name} | {est:.2e} [{lo:.2e}, {hi:.2e}] | {no_loss.estimate(rec)[0]:.2f} | "
            f"{empty:.0f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
