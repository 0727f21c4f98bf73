"""Whole-process speed-up of ``nansei run`` with 2 workers over 1: paired, alternating runs.

Each round runs ``python -m nansei.cli run SCENARIO --reps R --workers 1 --out DIR`` and the
same with ``--workers 2`` as fresh processes, one after the other, the order alternating
between rounds (1 2, 2 1, ...) so that both see the same machine state. Reported per number of
replications: the median wall and CPU seconds (user + system, the process and its workers)
of each, and the median of the per-round ratios wall(1 worker) / wall(2 workers). The Numba
cache of the tree must be warm (run it once). The load average is recorded: on a shared
machine a ratio is only meaningful while no other process holds a core.

    .venv/bin/python benchmarks/bench_workers.py                 # 3,000 and 12,000 reps, 5 rounds
    .venv/bin/python benchmarks/bench_workers.py --quick         # 3,000 reps, 3 rounds
    .venv/bin/python benchmarks/bench_workers.py --src /tmp/other/src --rounds 7

Writes ``benchmarks/results/workers-<date>.json`` (``-2``, ``-3`` ... if it exists) unless
``--out`` names a file; never overwrites one.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"


def run_once(python: str, src: str, scenario: str, reps: int, workers: int, out: Path) -> dict:
    """One whole ``nansei run`` process: wall and CPU seconds (it and its children)."""
    cmd = [python, "-m", "nansei.cli", "run", scenario, "--reps", str(reps)]
    cmd += ["--workers", str(workers), "--out", str(out)]
    env = {**os.environ, "PYTHONPATH": src}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr.decode()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall_s": wall, "cpu_s": cpu}


def measure(args, reps: int, tmp: Path) -> dict:
    """Paired rounds for one number of replications."""
    one, two, ratios = [], [], []
    for i in range(args.warmup + args.rounds):
        order = (1, 2) if i % 2 == 0 else (2, 1)
        got = {}
        for w in order:
            got[w] = run_once(args.python, args.src, args.scenario, reps, w, tmp / f"w{w}")
        if i < args.warmup:
            continue
        one.append(got[1])
        two.append(got[2])
        ratios.append(got[1]["wall_s"] / got[2]["wall_s"])
        print(
            f"  {reps} reps, round {i - args.warmup + 1}/{args.rounds}: "
            f"1 worker {got[1]['wall_s']:.2f} s, 2 workers {got[2]['wall_s']:.2f} s, "
            f"{ratios[-1]:.2f}x",
            file=sys.stderr,
        )

    def med(rows, key):
        return statistics.median(r[key] for r in rows)

    return {
        "replications": reps,
        "rounds": args.rounds,
        "workers_1": {
            "wall_s_median": med(one, "wall_s"),
            "cpu_s_median": med(one, "cpu_s"),
            "wall_s": [r["wall_s"] for r in one],
        },
        "workers_2": {
            "wall_s_median": med(two, "wall_s"),
            "cpu_s_median": med(two, "cpu_s"),
            "wall_s": [r["wall_s"] for r in two],
        },
        "ratio_median": statistics.median(ratios),
        "ratio_min": min(ratios),
        "ratio_max": max(ratios),
        "ratios": ratios,
    }


def table(rows: list[dict]) -> str:
    lines = [
        "| reps | rounds | 1 worker wall (s) | 2 workers wall (s) | ratio (median, min-max) "
        "| CPU 1 / 2 (s) |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        a, b = r["workers_1"], r["workers_2"]
        lines.append(
            f"| {r['replications']:,} | {r['rounds']} | {a['wall_s_median']:.2f} "
            f"| {b['wall_s_median']:.2f} | **{r['ratio_median']:.2f}x** "
            f"({r['ratio_min']:.2f}-{r['ratio_max']:.2f}) "
            f"| {a['cpu_s_median']:.2f} / {b['cpu_s_median']:.2f} |"
        )
    return "\n".join(lines)


def out_path(requested: str | None) -> Path:
    if requested:
        path = Path(requested)
        if path.exists():
            raise SystemExit(f"{path} exists; not overwriting it")
        return path
    base = RESULTS / f"workers-{dt.date.today().isoformat()}"
    path, n = base.with_suffix(".json"), 1
    while path.exists():
        n += 1
        path = Path(f"{base}-{n}.json")
    return path


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scenario", default="kyodo-2021")
    ap.add_argument("--reps", type=int, nargs="+", default=[3000, 12000])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1, help="unrecorded rounds first")
    ap.add_argument("--src", default=str(ROOT / "src"), help="PYTHONPATH of the tree to run")
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--quick", action="store_true", help="3,000 reps, 3 rounds")
    ap.add_argument("--out", default=None, help="JSON file (default results/workers-DATE)")
    args = ap.parse_args(argv)
    if args.quick:
        args.reps, args.rounds = [3000], 3
    path = out_path(args.out)
    load_before = os.getloadavg()
    tmp = Path(tempfile.mkdtemp(prefix="bench-workers-"))
    try:
        rows = [measure(args, reps, tmp) for reps in args.reps]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    result = {
        "benchmark": "bench_workers",
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "command": f"python -m nansei.cli run {args.scenario} --reps R --workers W --out DIR",
        "src": args.src,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "results": rows,
    }
    print(table(rows))
    print(f"load average before {load_before[0]:.2f}, after {os.getloadavg()[0]:.2f}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
