"""Sweep benchmarks: 2-worker speed-up, runner+store overhead, memory flat in replications.

Usage::

    .venv/bin/python benchmarks/bench_sweep.py            # full (about 10 minutes on 2 cores)
    .venv/bin/python benchmarks/bench_sweep.py --quick    # smoke run
    .venv/bin/python benchmarks/bench_sweep.py --only rss --rss-reps 1000000

Writes ``benchmarks/results/sweep-<date>.json``.
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
import threading
import time
from pathlib import Path

KYODO = """\
schema_version: 1
name: bench-kyodo
scenario: kyodo-2021
factors:
  blue.relocation.dwell_h: [4, 8]
design: {{kind: full_factorial}}
replications: {reps}
batch_size: 100
seed: 1
"""

IDEAL = """\
schema_version: 1
name: bench-rss
scenario: ideal-fixed-delay
replications: {reps}
batch_size: 100
seed: 1
"""


def _sweep(text: str, workers: int):
    from nansei.experiment import sweep

    with tempfile.TemporaryDirectory() as tmp:
        return sweep(text, Path(tmp) / "s", "local", workers)


def speedup(reps: int, repeats: int) -> dict:
    """Median wall time of the same kyodo-2021 sweep on 1 and 2 local workers, interleaved."""
    text = KYODO.format(reps=reps)
    _sweep(KYODO.format(reps=10), 1)  # warm the Numba cache
    one, two = [], []
    for _ in range(repeats):
        one.append(_sweep(text, 1).wall_s)
        two.append(_sweep(text, 2).wall_s)
    ratios = [a / b for a, b in zip(one, two, strict=True)]
    return {
        "replications": 2 * reps,
        "wall_1_s": one,
        "wall_2_s": two,
        "median_1_s": statistics.median(one),
        "median_2_s": statistics.median(two),
        "speedup_median_of_ratios": statistics.median(ratios),
    }


def overhead(reps: int, repeats: int) -> dict:
    """In-process sweep (1 worker): wall time against the kernel's own time (run_batch)."""
    from nansei.engine.compile import compile_scenario
    from nansei.scenario import load_scenario

    text = KYODO.format(reps=reps)
    t0 = time.perf_counter()
    compile_scenario(load_scenario("kyodo-2021"))
    compile_s = time.perf_counter() - t0
    rows = []
    for _ in range(repeats):
        r = _sweep(text, 1)
        n = r.replications_run
        rows.append(
            {
                "wall_s": r.wall_s,
                "kernel_s": r.kernel_s,
                "overhead_per_rep_us": (r.wall_s - r.kernel_s) / n * 1e6,
                "overhead_excl_compile_per_rep_us": (r.wall_s - r.kernel_s - 2 * compile_s)
                / n
                * 1e6,
                "kernel_per_rep_us": r.kernel_s / n * 1e6,
            }
        )
    med = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
    med["overhead_fraction"] = med["overhead_per_rep_us"] / med["kernel_per_rep_us"]
    med["overhead_excl_compile_fraction"] = (
        med["overhead_excl_compile_per_rep_us"] / med["kernel_per_rep_us"]
    )
    return {"replications": 2 * reps, "compile_s": compile_s, "runs": rows, "median": med}


def _tree_rss(pid: int) -> int:
    import psutil

    try:
        p = psutil.Process(pid)
        procs = [p, *p.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for q in procs:
        try:
            total += q.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


def rss(reps_list: list[int], workers: int) -> list[dict]:
    """Peak RSS (main + workers) of a sweep subprocess, sampled every 0.25 s."""
    out = []
    for reps in reps_list:
        with tempfile.TemporaryDirectory() as tmp:
            exp = Path(tmp) / "e.yaml"
            exp.write_text(IDEAL.format(reps=reps))
            cmd = [
                sys.executable,
                "-c",
                "from nansei.cli import app; app()",
                "sweep",
                str(exp),
                "--out",
                str(Path(tmp) / "s"),
                "--workers",
                str(workers),
                "--json",
            ]
            t0 = time.perf_counter()
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            samples: list[tuple[float, int]] = []

            def sample(proc=proc, samples=samples, t0=t0) -> None:
                while proc.poll() is None:
                    samples.append((time.perf_counter() - t0, _tree_rss(proc.pid)))
                    time.sleep(0.25)

            th = threading.Thread(target=sample)
            th.start()
            stdout, _ = proc.communicate()
            th.join()
            report = json.loads(stdout)
            wall = time.perf_counter() - t0
            peaks = [s for _, s in samples]
            half = [s for t, s in samples if t > wall / 2]
            out.append(
                {
                    "replications": reps,
                    "workers": workers,
                    "wall_s": wall,
                    "status": report["status"],
                    "peak_rss_mb": max(peaks) / 2**20,
                    "peak_rss_second_half_mb": max(half) / 2**20 if half else None,
                    "samples": len(samples),
                }
            )
            print(out[-1], flush=True)
    return out


def machine() -> dict:
    import numba
    import numpy

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "date": dt.date.today().isoformat(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "numba": numba.__version__,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", choices=["speedup", "overhead", "rss"], action="append")
    ap.add_argument("--rss-reps", type=int, action="append")
    ap.add_argument("--reps", type=int, help="kyodo replications per design point")
    ap.add_argument("--repeats", type=int)
    ap.add_argument("--out", type=Path)
    a = ap.parse_args()
    only = set(a.only or ["speedup", "overhead", "rss"])
    res: dict = {"machine": machine()}
    reps = a.reps or (100 if a.quick else 1000)
    repeats = a.repeats or (1 if a.quick else 3)
    if "overhead" in only:
        res["overhead"] = overhead(reps, repeats)
        print(json.dumps(res["overhead"]["median"], indent=1), flush=True)
    if "speedup" in only:
        res["speedup"] = speedup(reps, repeats)
        print({k: v for k, v in res["speedup"].items() if "median" in k}, flush=True)
    if "rss" in only:
        res["rss"] = rss(a.rss_reps or ([1000, 10000] if a.quick else [10**4, 10**5, 10**6]), 2)
    path = a.out or Path(__file__).with_name("results") / f"sweep-{dt.date.today()}.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(res, indent=1) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
