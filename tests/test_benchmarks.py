"""The benchmark scripts call the engine as it is today.

They call the kernel's batch entry point with its full argument list, which changes when
the engine does; these runs, at tiny sizes, catch a script left behind.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import numpy as np

from nansei.engine import layout as Y
from nansei.engine.compile import compile_scenario
from nansei.engine.simulate import run_batch
from nansei.scenario import load_scenario

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


def test_bench_engine_batch_equals_run_batch():
    be = _load("bench_engine")
    compiled = compile_scenario(load_scenario("kyodo-2021"))
    b = be.Batch(compiled, 3)
    b.run(0)
    out, _ = run_batch(compiled, be.SEED, 0, 0, 3)
    np.testing.assert_array_equal(b.out[:, : Y.N_OUT], out[:, : Y.N_OUT])  # no events in kyodo


def test_bench_pairs_child_reports_every_figure():
    bp = _load("bench_pairs")
    r = bp.child("ideal-fixed-delay", 20, 10, 1)
    for key in ("engine_reps_per_s", "e2e_reps_per_s", "kernel_us", "combat_us"):
        assert r[key] > 0, key
    assert r["events"] > 1


def test_bench_engine_never_overwrites_a_result(tmp_path, monkeypatch):
    be = _load("bench_engine")
    monkeypatch.setattr(be, "RESULTS", tmp_path)
    first = be._new_result("engine-warm-2026-11-23")
    assert first == tmp_path / "engine-warm-2026-11-23.json"
    first.write_text("{}")
    second = be._new_result("engine-warm-2026-11-23")
    assert second != first and second.name.startswith("engine-warm-2026-11-23-")
    assert not second.exists()


def test_bench_workers_runs_and_never_overwrites_a_result(tmp_path, monkeypatch):
    bw = _load("bench_workers")
    monkeypatch.setattr(bw, "RESULTS", tmp_path)
    first = bw.out_path(None)
    assert first.parent == tmp_path and first.name.startswith("workers-")
    first.write_text("{}")
    second = bw.out_path(None)
    assert second != first and not second.exists()
    src = str(Path(__file__).resolve().parents[1] / "src")
    bw.main(["--reps", "20", "--rounds", "1", "--warmup", "0", "--src", src])
    rows = json.loads(second.read_text())["results"]
    assert rows[0]["replications"] == 20 and rows[0]["ratio_median"] > 0
