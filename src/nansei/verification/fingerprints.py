"""Fingerprints of simulated records, series and traces: proof that a refactor is exact.

Each case is a built-in scenario, or ``kyodo-2021`` with one change, run with a
fixed seed and replication count. Its fingerprint is a SHA-256 prefix of the
records (without ``run_id``), the daily series and replication 0's event trace,
with the mean number of events per replication. The committed values are in
``tests/data/fingerprints.txt`` and ``tests/test_fingerprints.py`` compares
them; refresh them only when a change of results is intended, with::

    .venv/bin/python scripts/fingerprints.py --write

and say why in the commit that changes the file.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import yaml

SEED = 11
#: (built-in scenario, dotted-path changes, replications)
CASES = [
    ("kyodo-2021", {}, 300),
    ("sakishima-evacuation-2025", {}, 60),
    ("ideal-fixed-delay", {}, 500),
    ("ideal-exp-delay", {}, 500),
    ("ideal-counter-battery", {}, 500),
    ("kyodo-2021", {"legal.authorities": "amended"}, 100),
    ("kyodo-2021", {"red.doctrine": "per_detection", "red.tie_rule": "launcher_caught"}, 100),
    ("kyodo-2021", {"blue.relocation.site_choice": "nearest_free"}, 100),
    ("kyodo-2021", {"blue.relocation.site_choice": "farthest"}, 100),
    ("kyodo-2021", {"blue.relocation.site_choice": "least_recently_used"}, 100),
]
PINNED = Path(__file__).resolve().parents[3] / "tests" / "data" / "fingerprints.txt"


def variant(name: str, changes: dict) -> dict:
    """The built-in scenario ``name`` as a document, with dotted-path ``changes`` applied."""
    from nansei.scenario import builtin_path

    doc = yaml.safe_load(builtin_path(name).read_text(encoding="utf-8"))
    for path, value in changes.items():
        node = doc
        *parents, leaf = path.split(".")
        for key in parents:
            node = node.setdefault(key, {})
        node[leaf] = value
    return doc


def fingerprint(name: str, changes: dict, reps: int) -> tuple[str, float]:
    """SHA-256 prefix (16 hex) of records, series and trace; mean events per replication."""
    from nansei.engine.simulate import simulate
    from nansei.scenario import load_scenario

    res = simulate(load_scenario(variant(name, changes)), reps, SEED, series=True, trace=True)
    h = hashlib.sha256()
    for frame in (res.records.drop(columns=["run_id"]), res.series, res.trace):
        h.update(pd.util.hash_pandas_object(frame).to_numpy().tobytes())
    return h.hexdigest()[:16], float(res.records["events"].mean())


def line(name: str, changes: dict, reps: int) -> str:
    """One line of the fingerprint file."""
    digest, events = fingerprint(name, changes, reps)
    return f"{name} {changes} reps={reps} {digest} events={events:.1f}"
