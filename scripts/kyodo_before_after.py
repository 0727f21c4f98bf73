"""kyodo-2021 before and after the kill-chain mechanisms, one mechanism at a time.

Runs ``kyodo-2021`` with the new mechanisms switched off (the parameters it had
before issue 14), then switches them on one by one, with the same seed
(common random numbers), and prints one row per stage: launchers lost, salvos
fired, Red missiles wasted, claimed against true kills. The same stages run in
the low-ISR regime issue 14 measured the kill-chain inversion in, with a 1 h
and a 4 h kill chain. ``docs/model.md`` quotes the output.

Usage::

    python scripts/kyodo_before_after.py [--reps 400] [--seed 2021]
"""

from __future__ import annotations

import argparse
import math

from nansei.engine.simulate import simulate
from nansei.scenario import load_scenario
from nansei.verification.killchain_checks import LOW_ISR

N_GROUPS = len(load_scenario("kyodo-2021").blue.launchers)
#: The new fields at the values that reproduce the old rules (and the old fuel defaults).
BEFORE = {
    "geography.sites.generated": None,
    "blue.relocation.site_memory_h": 0.0,
    "red.isr.track_loss_rate_per_h": 0.0,
    "red.isr.location_error_km": 0.0,
    "red.isr.dwell_hazard": {"growth_per_h": 0.0, "max_factor": 10.0},
    "red.lethal_radius_km": 0.1,
    "red.reattack_after_h": None,
    "red.p_false_claim": 0.0,
    "fuel": (3.0, 0.0),
}
#: Each stage switches one group back to kyodo-2021's values (cumulative).
STAGES = [
    ("engine rules only (old parameters)", []),
    ("+ fuel burn by activity", ["fuel"]),
    ("+ generated positions", ["geography.sites.generated"]),
    ("+ site memory 48 h", ["blue.relocation.site_memory_h"]),
    ("+ tracks lost at 1/h", ["red.isr.track_loss_rate_per_h"]),
    ("+ aim error 30 m, lethal radius 50 m", ["red.isr.location_error_km", "red.lethal_radius_km"]),
    ("+ pattern of life (10 %/h, x3)", ["red.isr.dwell_hazard"]),
    ("+ re-attack after 6 h", ["red.reattack_after_h"]),
    ("+ false claims 0.5 (= kyodo-2021)", ["red.p_false_claim"]),
]
#: Firing from the site a launcher waits at, against hides and firing points.
FIRE_FROM = [
    ("fire from the site (kyodo-2021)", {}),
    ("firing points, hides as concealed as sites", {"blue.relocation.fire_from": "firing_point"}),
    (
        "firing points, hides with concealment 0.9",
        {"blue.relocation.fire_from": "firing_point", "blue.relocation.hide_concealment": 0.9},
    ),
]
COLS = ("launchers_lost", "salvos_fired", "red_missiles_wasted", "red_claimed_kills")


def _document(reverted: dict, extra: dict) -> dict:
    """Overrides of ``kyodo-2021``: the reverted mechanisms, then ``extra``."""
    over = {}
    for path, value in {**reverted, **extra}.items():
        if path == "fuel":  # the old fuel defaults, on every launcher group
            for i in range(N_GROUPS):
                over[f"blue.launchers[{i}].fuel_idle_l_per_h"] = value[0]
                over[f"blue.launchers[{i}].fuel_active_l_per_h"] = value[1]
        else:
            over[path] = value
    return over


def _row(over: dict, reps: int, seed: int):
    sc = load_scenario("kyodo-2021", overrides=over)
    return simulate(sc, replications=reps, seed=seed).records


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=400)
    ap.add_argument("--seed", type=int, default=2021)
    args = ap.parse_args()
    print(f"kyodo-2021, {args.reps} replications, seed {args.seed} (means; ± 1 SE of lost)")
    print("| stage | lost | salvos | Red missiles wasted | claimed kills |")
    print("|---|---:|---:|---:|---:|")
    reverted = dict(BEFORE)
    for label, keys in STAGES:
        for k in keys:
            reverted.pop(k)
        r = _row(_document(reverted, {}), args.reps, args.seed)
        lost = r["launchers_lost"]
        se = lost.std(ddof=1) / math.sqrt(len(lost))
        vals = " | ".join(f"{r[c].mean():.2f}" for c in COLS[1:])
        print(f"| {label} | {lost.mean():.2f} ± {se:.2f} | {vals} |")
    print()
    print("Low-ISR regime (issue 14): launchers lost with a 1 h and a 4 h kill chain (paired)")
    print("| stage | lost, 1 h | lost, 4 h | 4 h - 1 h (SE) |")
    print("|---|---:|---:|---:|")
    reverted = dict(BEFORE)
    for label, keys in STAGES:
        for k in keys:
            reverted.pop(k)
        lost = []
        for median in (1.0, 4.0):
            kc = {"red.kill_chain.delay_h": {"kind": "lognormal", "median": median, "sigma": 0.5}}
            doc = _document(reverted, {**LOW_ISR, **kc})
            lost.append(_row(doc, args.reps, args.seed)["launchers_lost"])
        d = lost[1] - lost[0]
        se = d.std(ddof=1) / math.sqrt(len(d))
        a, b = lost[0].mean(), lost[1].mean()
        print(f"| {label} | {a:.2f} | {b:.2f} | {d.mean():+.2f} ({se:.2f}) |")
    print()
    print("Low-ISR regime: firing from hides (site) against firing points (paired)")
    print("| variant | lost | salvos | firing-point sorties | lost - site (SE) |")
    print("|---|---:|---:|---:|---:|")
    base = None
    for label, over in FIRE_FROM:
        r = _row(_document({}, {**LOW_ISR, **over}), args.reps, args.seed)
        lost = r["launchers_lost"].to_numpy(dtype=float)
        base = lost if base is None else base
        d = lost - base
        se = d.std(ddof=1) / math.sqrt(len(d)) if label != FIRE_FROM[0][0] else 0.0
        cells = f"{lost.mean():.2f} | {r['salvos_fired'].mean():.1f}"
        sorties = r["firing_point_sorties"].mean()
        print(f"| {label} | {cells} | {sorties:.1f} | {d.mean():+.2f} ({se:.2f}) |")


if __name__ == "__main__":
    main()
