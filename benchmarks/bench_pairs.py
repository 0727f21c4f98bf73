"""Interleaved A/B of the engine on two source trees: fresh processes, one worker.

Each round runs one child process per tree (the order alternates between rounds) so that
both trees see the same machine state; the figures are medians over rounds and the ratios
medians of the per-round ratios. Both trees must have a warm Numba cache (run them once).

    .venv/bin/python benchmarks/bench_pairs.py --a /tmp/base/src --b src \\
        --rounds 7 --out benchmarks/results/kyodo-perf-pairs-2026-11-23.json

A child measures, for ``--scenario`` (default ``kyodo-2021``):

* ``engine_reps_per_s``: ``simulate(..., workers=1).meta["reps_per_s"]`` (kernel calls only);
* ``e2e_reps_per_s``: the same ``simulate`` call timed whole (compile, records);
* ``kernel_us`` / ``kernel_cpu_us``: ``run_batch_kernel`` on preallocated arrays, wall and
  process CPU time per replication (CPU time is less sensitive to other processes);
* ``combat_us`` / ``combat_cpu_us``: the same with the evacuation sub-model off
  (``ip[I_LOG_CIVIL] = 0``), so ``kernel - combat`` is the evacuation.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import replace

FIELDS = (
    "engine_reps_per_s",
    "e2e_reps_per_s",
    "kernel_us",
    "kernel_cpu_us",
    "combat_us",
    "combat_cpu_us",
    "events",
)


def child(scenario: str, reps: int, n: int, repeats: int) -> dict:

    from nansei.engine import layout as Y
    from nansei.engine.compile import compile_scenario
    from nansei.engine.simulate import run_batch, simulate
    from nansei.scenario import load_scenario

    simulate(scenario, replications=4, seed=1)  # load the Numba cache
    t0 = time.perf_counter()
    res = simulate(scenario, replications=reps, seed=20261122, workers=1)
    wall = time.perf_counter() - t0

    def batch(c):
        # run_batch is the engine's batch entry point: it allocates the output arrays
        # (negligible at n replications) and calls run_batch_kernel once.
        res = {}

        def run(start):
            res["out"] = run_batch(c, 20261122, 0, start, start + n)[0]

        return run, res

    full = compile_scenario(load_scenario(scenario))
    ip = full.arrays["ip"].copy()
    ip[Y.I_LOG_CIVIL] = 0
    combat = replace(full, arrays={**full.arrays, "ip": ip}, civil=None)
    runs = {"kernel": batch(full), "combat": batch(combat)}
    times = {f"{k}{s}": [] for k in runs for s in ("_us", "_cpu_us")}
    for run, _ in runs.values():
        run(0)
    for r in range(repeats):
        for name, (run, _) in runs.items():
            w, p = time.perf_counter(), time.process_time()
            run((r + 1) * n)
            times[f"{name}_us"].append((time.perf_counter() - w) / n * 1e6)
            times[f"{name}_cpu_us"].append((time.process_time() - p) / n * 1e6)
    out = {k: statistics.median(v) for k, v in times.items()}
    out.update(
        engine_reps_per_s=res.meta["reps_per_s"],
        e2e_reps_per_s=reps / wall,
        events=float(runs["combat"][1]["out"][:, Y.O_EVENTS].mean()),
    )
    return out


def _commit(path: str) -> str | None:
    """Short commit of the git checkout holding ``path``, or None (e.g. an exported tree)."""
    p = subprocess.run(
        ["git", "-C", path, "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    )
    return p.stdout.strip() or None if p.returncode == 0 else None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--a", help="source tree A (the PYTHONPATH of its children)")
    ap.add_argument("--b", help="source tree B")
    ap.add_argument("--labels", default="before,after")
    ap.add_argument("--scenario", default="kyodo-2021")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--reps", type=int, default=3000, help="replications of the simulate() call")
    ap.add_argument("--kernel-reps", type=int, default=1000, help="replications per kernel call")
    ap.add_argument("--repeats", type=int, default=3, help="kernel calls per child (median)")
    ap.add_argument("--out", default=None)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.scenario, args.reps, args.kernel_reps, args.repeats)))
        return
    if not (args.a and args.b):
        ap.error("--a and --b are required")
    sides = list(zip(args.labels.split(","), (args.a, args.b), strict=True))
    rows: dict[str, list[dict]] = {lab: [] for lab, _ in sides}
    cmd = [sys.executable, os.path.abspath(__file__), "--child", "--scenario", args.scenario]
    cmd += ["--reps", str(args.reps), "--kernel-reps", str(args.kernel_reps)]
    cmd += ["--repeats", str(args.repeats)]
    for i in range(args.rounds):
        for lab, path in sides if i % 2 == 0 else sides[::-1]:
            env = dict(os.environ, PYTHONPATH=os.path.abspath(path))
            load = os.getloadavg()[0]
            p = subprocess.run(cmd, env=env, capture_output=True, text=True)
            if p.returncode:
                sys.exit(f"child failed ({path}):\n{p.stderr[-3000:]}")
            row = json.loads(p.stdout.strip().splitlines()[-1]) | {"round": i, "load_1min": load}
            rows[lab].append(row)
            print(lab, json.dumps(row), flush=True)
    (a, _), (b, _) = sides
    summary: dict[str, object] = {
        lab: {f: statistics.median(r[f] for r in rows[lab]) for f in FIELDS} for lab in rows
    }
    for f in ("engine_reps_per_s", "e2e_reps_per_s"):
        summary[f"ratio_{f}"] = statistics.median(
            y[f] / x[f] for x, y in zip(rows[a], rows[b], strict=True)
        )
    for f in ("kernel_us", "kernel_cpu_us", "combat_us", "combat_cpu_us"):
        summary[f"ratio_{f}"] = statistics.median(
            x[f] / y[f] for x, y in zip(rows[a], rows[b], strict=True)
        )
    result = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "scenario": args.scenario,
        "trees": dict(sides),
        "commits": {lab: _commit(path) for lab, path in sides},
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "rounds": rows,
        "summary": summary,
    }
    print(json.dumps(summary, indent=1))
    if args.out:
        with open(args.out, "w") as fh:
            json.dump(result, fh, indent=1)


if __name__ == "__main__":
    main()
