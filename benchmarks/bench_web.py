"""Bounded load test of the web workbench: concurrent clients browsing results on loopback.

Starts ``nansei serve`` on 127.0.0.1, makes two finished runs, then lets
``--clients`` threads, each with its own HTTP connection, browse the results
pages (run list, run page, progress, results fragment, compare, run JSON) in a
loop for ``--duration`` seconds. Reports requests, errors (any status but 200, or
286 for a finished run's progress, or a failed request) and p50/p99 latency.

Usage::

    .venv/bin/python benchmarks/bench_web.py                  # 20 clients, 30 s
    .venv/bin/python benchmarks/bench_web.py --duration 5     # quick

Writes ``benchmarks/results/web-load.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def browse_paths(a: str, b: str) -> list[str]:
    """The pages a client cycles through, for runs ``a`` and ``b``."""
    return [
        "/runs",
        f"/runs/{a}",
        f"/runs/{a}/results",
        f"/runs/{a}/progress",
        f"/compare?a={a}&b={b}",
        f"/runs/{b}/results",
        f"/api/runs/{b}",
    ]


def load(base: str, paths: list[str], clients: int = 20, duration: float = 30.0) -> dict:
    """Run the load; return counts and latency percentiles (ms).

    Parameters
    ----------
    base : str
        Server URL, e.g. ``http://127.0.0.1:8000``.
    paths : list of str
        Pages each client requests in turn (starting at a different offset).
    clients : int
        Concurrent clients (threads, one connection each).
    duration : float
        Seconds of load.

    Returns
    -------
    dict
        ``requests``, ``errors``, ``error_samples``, ``p50_ms``, ``p99_ms``,
        ``max_ms``, ``throughput_rps``, ``clients``, ``duration_s``.
    """
    lat: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def client(k: int) -> None:
        mine, bad = [], []
        with httpx.Client(base_url=base, timeout=60) as c:
            start.wait()
            i = k
            while time.perf_counter() < stop_at[0]:
                path = paths[i % len(paths)]
                i += 1
                t0 = time.perf_counter()
                try:
                    r = c.get(path)
                    ok = r.status_code in (200, 286)  # 286: HTMX 'stop polling'
                    if not ok:
                        bad.append(f"{path}: HTTP {r.status_code}")
                except httpx.HTTPError as exc:
                    bad.append(f"{path}: {type(exc).__name__}: {exc}")
                    continue
                mine.append(time.perf_counter() - t0)
        with lock:
            lat.extend(mine)
            errors.extend(bad)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    t0 = time.perf_counter()
    stop_at[0] = t0 + duration
    start.wait()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    ms = sorted(x * 1000 for x in lat)
    q = statistics.quantiles(ms, n=100) if len(ms) >= 2 else [float("nan")] * 99
    return {
        "clients": clients,
        "duration_s": round(wall, 2),
        "requests": len(ms) + len(errors),
        "errors": len(errors),
        "error_samples": errors[:10],
        "p50_ms": round(q[49], 2),
        "p99_ms": round(q[98], 2),
        "max_ms": round(ms[-1], 2) if ms else None,
        "throughput_rps": round(len(ms) / wall, 1),
    }


def main(argv: list[str] | None = None) -> dict:
    """Start a server, make two runs, load it, print and save the result."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--duration", type=float, default=30.0)
    ap.add_argument("--reps", type=int, default=200)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/web-load.json")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from tests.web_server import Server, launch, scenario_text, wait_status, web_client

    with tempfile.TemporaryDirectory(prefix="nansei-bench-web-") as tmp:
        srv = Server(Path(tmp) / "ws")
        try:
            with web_client(srv.base, timeout=120) as c:
                text = scenario_text()
                a = launch(c, text, args.reps, seed=1, name="a")
                b = launch(c, text.replace("  p_kill: 0.8", "  p_kill: 0.4"), args.reps, 1, "b")
                for rid in (a, b):
                    wait_status(c, rid)
                    c.get(f"/runs/{rid}/results").raise_for_status()  # warm the caches
            result = load(srv.base, browse_paths(a, b), args.clients, args.duration)
        finally:
            srv.stop()
    import fastapi
    import uvicorn

    result.update(
        {
            "date": time.strftime("%Y-%m-%d"),
            "python": platform.python_version(),
            "fastapi": fastapi.__version__,
            "uvicorn": uvicorn.__version__,
            "replications_per_run": args.reps,
            "pages": browse_paths("A", "B"),
        }
    )
    print(json.dumps(result, indent=1))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return result


if __name__ == "__main__":
    main()
