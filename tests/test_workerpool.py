"""The early-forked worker pool of ``nansei run --workers N`` (nansei.workerpool): same
records as one worker, errors reported, no pandas in the workers (no wall-clock assertions)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import as_completed
from concurrent.futures.process import BrokenProcessPool

import pandas as pd
import pytest

from nansei.workerpool import ZygotePool, fork_safe

pytestmark = pytest.mark.skipif(
    not hasattr(os, "fork") or not fork_safe(), reason="needs fork in a single-threaded process"
)


def _double_or_fail(x: int) -> int:
    if x == 3:
        raise ValueError("bad 3")
    return 2 * x


def _pid_after(x: float) -> int:
    time.sleep(x)
    return os.getpid()


def _die_on_2(x: int) -> int:
    if x == 2:
        os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(0.05)
    return x


def test_pool_returns_results_and_exceptions():
    with ZygotePool(3) as pool:
        futs = [pool.submit(_double_or_fail, i) for i in range(6)]
        assert [f.result() for f in futs if f.exception() is None] == [0, 2, 4, 8, 10]
        with pytest.raises(ValueError, match="bad 3"):
            futs[3].result()
        pids = {f.result() for f in [pool.submit(_pid_after, 0.2) for _ in range(6)]}
    assert len(pids) == 3 and os.getpid() not in pids
    with pytest.raises(RuntimeError):
        pool.submit(_double_or_fail, 1)


def test_dead_worker_breaks_the_pool():
    with pytest.raises(BrokenProcessPool):
        with ZygotePool(2) as pool:
            for fut in as_completed([pool.submit(_die_on_2, i) for i in range(6)]):
                fut.result()


def _python(code: str) -> str:
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300
    )
    return out.stdout.strip().splitlines()[-1]


def test_prestarted_workers_defer_pandas():
    code = """
import json, sys
def probe():
    import nansei.engine.simulate  # imports pandas by name
    return type(sys.modules["pandas"]).__name__, "pandas.core" in sys.modules
from nansei import workerpool
assert workerpool.prestart(2)
pool = workerpool.take_prestarted(2)
with pool:
    print(json.dumps(pool.submit(probe).result()))
"""
    assert json.loads(_python(code)) == ["_Deferred", False]


def test_deferred_module_runs_on_first_use():
    code = """
import sys
from nansei.workerpool import _register_deferred
_register_deferred("pandas")
import pandas as pd
assert "pandas.core" not in sys.modules
import pandas.io.parquet  # a submodule runs the package first
print(pd.DataFrame({"a": [1.0, 2.0]})["a"].sum(), type(pd).__name__)
"""
    assert _python(code) == "3.0 module"


def test_cli_two_workers_write_the_records_of_one(tmp_path):
    frames = []
    for w in (1, 2):
        out = tmp_path / f"w{w}"
        cmd = [sys.executable, "-m", "nansei.cli", "run", "kyodo-2021", "--reps", "120"]
        cmd += ["--seed", "4", "--workers", str(w), "--out", str(out)]
        subprocess.run(cmd, capture_output=True, check=True, timeout=600)
        frames.append(pd.read_parquet(out / "records.parquet"))
        assert (out / "summary.csv").exists() and (out / "meta.json").exists()
    pd.testing.assert_frame_equal(frames[0], frames[1], check_exact=True)
