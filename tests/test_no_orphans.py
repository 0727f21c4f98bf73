"""Workers die with their parent (issue 17, hole 7), on every executor.

Each case starts a 2-worker run or sweep in a subprocess, waits until its workers are at
work, SIGKILLs the parent and finds no worker (no descendant at all) alive a few seconds
later. Before the fix the workers of a killed sweep lived on indefinitely.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

EXPERIMENT = """\
schema_version: 1
name: orphans
scenario: ideal-fixed-delay
factors:
  red.p_kill: {low: 0.2, high: 0.8}
design: {kind: lhs, points: 4}
replications: 200000
batch_size: 100
seed: 1
"""

API = """\
from nansei.engine.simulate import simulate
simulate("ideal-fixed-delay", replications=2_000_000, seed=1, workers=2)
"""


def _alive(pids: list[int]) -> list[int]:
    out = []
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                out.append(pid)
        except psutil.NoSuchProcess:
            pass
    return out


def _wait_for_work(proc: subprocess.Popen, store: Path | None, timeout: float = 240.0):
    """Descendants of ``proc`` once two workers run (and, for a sweep, a part is stored)."""
    parent = psutil.Process(proc.pid)
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        assert proc.poll() is None, f"exited with {proc.returncode} before the kill"
        kids = parent.children(recursive=True)
        busy = store is None or any((store / "results").glob("*.parquet"))
        if len(kids) >= 2 and busy:
            time.sleep(1.0 if store is None else 0.2)  # the workers are simulating
            return [k.pid for k in parent.children(recursive=True)]
        time.sleep(0.2)
    raise AssertionError("the workers did not start")


def _kill_and_check(proc: subprocess.Popen, workers: list[int]) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    deadline = time.monotonic() + 8.0
    while _alive(workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = _alive(workers)
    for pid in left:  # do not leave them to the next test
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    assert not left, f"orphan workers still alive 8 s after the parent died: {left}"


@pytest.mark.parametrize(
    "case", ["run", "api", "sweep-local", "sweep-dask"], ids=lambda c: c.replace("-", "_")
)
def test_workers_die_with_their_parent(case: str, tmp_path: Path) -> None:
    store = None
    if case == "run":  # the prestarted fork pool of `nansei run` (workerpool.ZygotePool)
        cmd = ["-m", "nansei.cli", "run", "ideal-fixed-delay", "--reps", "2000000"]
        cmd += ["--workers", "2"]
    elif case == "api":  # simulate(workers=2) from Python: a ProcessPoolExecutor
        cmd = ["-c", API]
    else:
        exp = tmp_path / "exp.yaml"
        exp.write_text(EXPERIMENT)
        store = tmp_path / "store"
        executor = "local" if case == "sweep-local" else "dask"
        cmd = ["-m", "nansei.cli", "sweep", str(exp), "--out", str(store), "--workers", "2"]
        cmd += ["--executor", executor]
    log = (tmp_path / "stderr.txt").open("wb")
    proc = subprocess.Popen(
        [sys.executable, *cmd], stdout=subprocess.DEVNULL, stderr=log, start_new_session=True
    )
    try:
        workers = _wait_for_work(proc, store)
        assert len(workers) >= 2
        _kill_and_check(proc, workers)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()
