"""The three evacuation analyses of ``docs/civil.md``, with 95 % confidence intervals.

Evacuation-only runs of the built-in ``sakishima-evacuation-2025`` scenario
(:func:`nansei.engine.civil_run.simulate_evacuation`):

1. completion time with realistic weather (daily cancellation: air 5 %, sea 10 %; a notional
   assumption, confidence C, the same as the ``kyodo-2021`` scenario's);
2. New Ishigaki airport (ROIG) closed for the whole first day (a ``gw_log`` row, 0-24 h);
3. residents still in the region when strikes begin, if the anticipated armed attack
   situation is recognised 1, 3 or 7 days before them (the order takes effect at once; the
   start of the strikes is a ``strike_log`` row used as a time marker).

Usage::

    python scripts/civil_analyses.py [--reps 2000] [--seed 2025]
"""

from __future__ import annotations

import argparse

import numpy as np

from nansei.engine.civil_run import simulate_evacuation
from nansei.engine.compile_civil import compile_civil
from nansei.engine.results import mean_ci
from nansei.scenario import load_scenario
from nansei.verification.checks import scenario_document

PLAN = "sakishima-evacuation-2025"
WEATHER = {"p_cancel_air_per_day": 0.05, "p_cancel_sea_per_day": 0.10}


def _fmt(values, scale: float = 1.0, digits: int = 2) -> str:
    m, _, lo, hi = mean_ci(np.asarray(values, dtype=float) / scale)
    return f"{m:,.{digits}f} (95 % CI {lo:,.{digits}f} – {hi:,.{digits}f})"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reps", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=2025)
    a = ap.parse_args(argv)
    doc = scenario_document(
        {
            "base": PLAN,
            "overrides": {"run.horizon_h": 1440, "civil.evacuation.weather": WEATHER},
        }
    )
    calm = load_scenario(scenario_document({"base": PLAN, "overrides": {"run.horizon_h": 1440}}))
    wet = load_scenario(doc)
    roig = compile_civil(wet).gateway_index("ROIG")
    closed = [[roig, 0.0, 24.0]]

    print(f"replications {a.reps}, seed {a.seed}\n")
    print("## 1. Completion with realistic weather (air 5 %, sea 10 % a day)\n")
    base = simulate_evacuation(calm, 1, a.seed).records.iloc[0]
    r = simulate_evacuation(wet, a.reps, a.seed).records
    print(f"- no weather: all out after {base['evac_complete_h'] / 24:.2f} days")
    print(f"- with weather: all out after {_fmt(r['evac_complete_h'], 24)} days")
    p6 = float(np.mean(r["evac_complete_h"] <= 144.0))
    se6 = float(np.sqrt(p6 * (1 - p6) / len(r)))
    print(f"- share of replications done within 6 days: {p6:.3f} (SE {se6:.3f})")
    for isl in ("ishigaki", "miyako", "yonaguni"):
        print(f"- {isl}: {_fmt(r[f'evac_complete_h.{isl}'], 24)} days")

    print("\n## 2. New Ishigaki airport (ROIG) closed on day 1 (0-24 h)\n")
    b1 = simulate_evacuation(calm, 1, a.seed, gw_log=closed).records.iloc[0]
    print(
        f"- no weather: Ishigaki done after {b1['evac_complete_h.ishigaki'] / 24:.2f} days "
        f"(open: {base['evac_complete_h.ishigaki'] / 24:.2f}); all after "
        f"{b1['evac_complete_h'] / 24:.2f} days"
    )
    r2 = simulate_evacuation(wet, a.reps, a.seed, gw_log=closed).records
    delay = (r2["evac_complete_h.ishigaki"] - r["evac_complete_h.ishigaki"]).to_numpy()
    print(f"- with weather: Ishigaki done after {_fmt(r2['evac_complete_h.ishigaki'], 24)} days")
    print(f"- paired delay (same weather draws): {_fmt(delay, 1, 1)} h")
    print(f"- all islands done after {_fmt(r2['evac_complete_h'], 24)} days")

    print("\n## 3. Residents in the region when strikes begin (order at recognition)\n")
    print("| warning | residents remaining (weather off) | with weather, 95 % CI | Ishigaki |")
    print("|---|---|---|---|")
    for days in (1, 3, 7):
        marker = [[24.0 * days, -1, -1, 0.0]]
        c = simulate_evacuation(calm, 1, a.seed, strike_log=marker).records.iloc[0]
        w = simulate_evacuation(wet, a.reps, a.seed, strike_log=marker).records
        print(
            f"| {days} d | {c['evac_residents_at_strike']:,.0f} | "
            f"{_fmt(w['evac_residents_at_strike'], 1, 0)} | "
            f"{_fmt(w['evac_residents_at_strike.ishigaki'], 1, 0)} |"
        )


if __name__ == "__main__":
    main()
