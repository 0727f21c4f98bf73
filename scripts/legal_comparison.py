"""kyodo-2021 under law-2021 vs amended: paired differences (same seeds), for docs/model.md.

Usage: ``python scripts/legal_comparison.py [replications] [seed]``; prints a Markdown table.
"""

from __future__ import annotations

import sys

import pandas as pd

import nansei
from nansei.analysis.compare import paired_difference
from nansei.scenario import builtin_path, load_scenario

OUTPUTS = (
    "launcher_hours_available",
    "launcher_stockout_h",
    "salvos_fired",
    "targets_no_ammo",
    "pods_issued",
    "deliveries_made",
    "deliveries_withdrawn",
    "blocked_sdf_supply_ammunition",
    "blocked_sdf_supply_fuel",
    "blocked_sdf_transport",
    "blocked_sdf_logistics_in_combat_zone",
    "blocked_us_fires_from_japan",
    "blocked_sdf_use_of_force",
    "launchers_lost",
    "t_evacuation_authorised_h",
    "evac_order_h",
    "evac_residents_at_strike",
    "evac_exposure_person_h",
    "evac_casualty_proxy",
)


def main(replications: int = 1000, seed: int = 2021) -> str:
    import yaml

    doc = yaml.safe_load(builtin_path("kyodo-2021").read_text(encoding="utf-8"))
    frames = []
    for aset in ("law-2021", "amended"):
        doc["legal"]["authorities"] = aset
        rec = nansei.simulate(load_scenario(doc), replications=replications, seed=seed).records
        frames.append(rec.assign(**{"factor.legal.authorities": aset}))
    records = pd.concat(frames, ignore_index=True)
    d = paired_difference(records, "legal.authorities", "law-2021", "amended", OUTPUTS)
    law = frames[0]
    lines = [
        f"kyodo-2021, {replications} replications, seed {seed}; difference = amended - law-2021.",
        "",
        "| output | mean under law-2021 | mean difference | 95% CI | variance ratio |",
        "|---|---:|---:|---|---:|",
    ]
    for _, r in d.iterrows():
        ratio = "inf" if r.variance_ratio == float("inf") else f"{r.variance_ratio:.1f}"
        lines.append(
            f"| `{r.output}` | {law[r.output].mean():.2f} | {r.mean_diff:+.2f} | "
            f"[{r.ci_low:+.2f}, {r.ci_high:+.2f}] | {ratio} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    print(main(*args))
