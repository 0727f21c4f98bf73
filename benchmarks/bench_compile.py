"""Cold compile of the kernel: fresh processes with an empty cache.

Run from the repository root::

    .venv/bin/python benchmarks/bench_compile.py            # median of 3 (about 5 minutes)
    .venv/bin/python benchmarks/bench_compile.py --rounds 1
    .venv/bin/python benchmarks/bench_compile.py --evacuation   # the evacuation alone

Each round starts a fresh Python process with ``NANSEI_CACHE_DIR`` set to a new empty
folder and times ``simulate("kyodo-2021", 1)`` from the call to the returned Results
(imports excluded): the compile of every kernel function, then one replication. With
``--evacuation`` the probe is ``simulate_evacuation("sakishima-evacuation-2025", 1, 1)``
instead: the compile of the evacuation sub-model alone (``run_evacuation`` and its callees),
then one replication. A second
process on the warm cache gives the load time for comparison. Prints a Markdown table and
writes ``benchmarks/results/compile-<date>.json`` (the time is added to the name when that
file exists).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROBE = """
import time, json, os
from nansei.engine.simulate import simulate
t = time.perf_counter()
simulate("kyodo-2021", 1, 1)
print(json.dumps({"first_call_s": time.perf_counter() - t, "load": os.getloadavg()[0]}))
"""
PROBE_EVAC = """
import time, json, os
from nansei.engine.civil_run import simulate_evacuation
t = time.perf_counter()
simulate_evacuation("sakishima-evacuation-2025", 1, 1)
print(json.dumps({"first_call_s": time.perf_counter() - t, "load": os.getloadavg()[0]}))
"""


def one(cache: Path, probe: str = PROBE) -> dict:
    env = {**os.environ, "NANSEI_CACHE_DIR": str(cache)}
    env.pop("NUMBA_DISABLE_JIT", None)
    p = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(p.stdout.strip().splitlines()[-1])


def result_path(day: str) -> Path:
    path = HERE / "results" / f"compile-{day}.json"
    if path.exists():
        path = path.with_name(f"compile-{day}-{dt.datetime.now():%H%M%S}.json")
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--evacuation", action="store_true", help="time the evacuation alone")
    args = ap.parse_args()
    probe = PROBE_EVAC if args.evacuation else PROBE
    what = "sakishima-evacuation-2025 (evacuation alone)" if args.evacuation else "kyodo-2021"
    cold, warm = [], []
    for r in range(args.rounds):
        with tempfile.TemporaryDirectory(prefix="nansei-cache-") as tmp:
            c = one(Path(tmp), probe)
            w = one(Path(tmp), probe)
        cold.append(c)
        warm.append(w)
        print(f"round {r + 1}: cold {c['first_call_s']:.1f} s (load {c['load']:.2f}), "
              f"warm {w['first_call_s']:.2f} s", flush=True)  # fmt: skip
    med_c = statistics.median(x["first_call_s"] for x in cold)
    med_w = statistics.median(x["first_call_s"] for x in warm)
    print("\n| measure | median | rounds |\n|---|---|---|")
    print(f"| cold compile + 1 replication, {what} | {med_c:.1f} s | {args.rounds} |")
    print(f"| warm cache load + 1 replication | {med_w:.2f} s | {args.rounds} |")
    now = dt.datetime.now(dt.UTC)
    out = {
        "date": now.isoformat(timespec="seconds"),
        "probe": what,
        "machine": {
            "cpu": platform.processor() or platform.machine(),
            "cores": os.cpu_count(),
            "python": platform.python_version(),
        },
        "cold_s": [x["first_call_s"] for x in cold],
        "warm_s": [x["first_call_s"] for x in warm],
        "load_at_end": [x["load"] for x in cold],
        "median_cold_s": med_c,
        "median_warm_s": med_w,
    }
    day = now.strftime("%Y-%m-%d")
    path = result_path(f"evac-{day}" if args.evacuation else day)
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(out, indent=1), encoding="utf-8")
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
