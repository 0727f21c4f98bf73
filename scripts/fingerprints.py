"""Fingerprints of simulated records, series and traces, to show that a refactor is exact.

Run it on two source trees and compare the output::

    PYTHONPATH=/path/to/base/src .venv/bin/python scripts/fingerprints.py > base.txt
    .venv/bin/python scripts/fingerprints.py > this.txt
    diff base.txt this.txt

Each line is a scenario (a built-in, or ``kyodo-2021`` with one change), a SHA-256 prefix
of its records (without ``run_id``), daily series and replication 0's event trace, and the
mean number of events per replication. Fixed seed and replication counts.
"""

from __future__ import annotations

import hashlib

import pandas as pd
import yaml

from nansei.engine.simulate import simulate
from nansei.scenario import builtin_path, load_scenario

SEED = 11
CASES = [
    ("kyodo-2021", {}, 1500),
    ("sakishima-evacuation-2025", {}, 300),
    ("ideal-fixed-delay", {}, 2000),
    ("ideal-exp-delay", {}, 2000),
    ("ideal-counter-battery", {}, 2000),
    ("kyodo-2021", {"legal.authorities": "amended"}, 400),
    ("kyodo-2021", {"red.doctrine": "per_detection", "red.tie_rule": "launcher_caught"}, 400),
    ("kyodo-2021", {"blue.relocation.site_choice": "nearest_free"}, 400),
    ("kyodo-2021", {"blue.relocation.site_choice": "farthest"}, 400),
    ("kyodo-2021", {"blue.relocation.site_choice": "least_recently_used"}, 400),
]


def variant(name: str, changes: dict) -> dict:
    """The built-in scenario ``name`` with dotted-path ``changes`` applied."""
    doc = yaml.safe_load(builtin_path(name).read_text(encoding="utf-8"))
    for path, value in changes.items():
        node = doc
        *parents, leaf = path.split(".")
        for key in parents:
            node = node.setdefault(key, {})
        node[leaf] = value
    return doc


def fingerprint(name: str, changes: dict, reps: int) -> tuple[str, float]:
    """SHA-256 prefix of records, series and trace; mean events per replication."""
    res = simulate(load_scenario(variant(name, changes)), reps, SEED, series=True, trace=True)
    h = hashlib.sha256()
    for frame in (res.records.drop(columns=["run_id"]), res.series, res.trace):
        h.update(pd.util.hash_pandas_object(frame).to_numpy().tobytes())
    return h.hexdigest()[:16], float(res.records["events"].mean())


def main() -> None:
    for name, changes, reps in CASES:
        digest, events = fingerprint(name, changes, reps)
        print(f"{name} {changes} {digest} events={events:.1f}", flush=True)


if __name__ == "__main__":
    main()
