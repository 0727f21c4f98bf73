"""Engine performance benchmark: nansei against the SimPy peer, scaling, start-up, ceiling.

Run from the repository root::

    .venv/bin/python benchmarks/bench_engine.py           # full (several minutes)
    .venv/bin/python benchmarks/bench_engine.py --quick   # smoke run (about a minute)

Every figure is the median of repeated runs; competing measurements (SimPy against
nansei, 1 against 2 workers) are interleaved so that both sides see the same machine
state. The script prints a Markdown table and writes
``benchmarks/results/engine-<date>.json`` with the machine description (with the time
added to the name when that file exists: results are never overwritten).

The SimPy comparison is void unless both implementations agree on survival; the script
prints both estimates with standard errors, the exact value, and a z-score.

The kernel is measured through its batch entry point
(:func:`nansei.engine.kernel.run_batch_kernel`, called as in
:func:`nansei.engine.simulate.run_batch`) on preallocated arrays: one call per batch,
seeding inside the kernel.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import textwrap
import time
from dataclasses import replace
from pathlib import Path

import numba
import numpy as np
import simpy
import yaml
from numba import njit

import nansei
from nansei import __version__ as nansei_version
from nansei.engine import layout as Y
from nansei.engine.compile import compile_scenario
from nansei.engine.heap import heap_pop, heap_push
from nansei.engine.kernel import run_batch_kernel
from nansei.engine.rng import entropy_words, exponential, new_stream, random, seed_stream
from nansei.engine.simulate import replication_rng, simulate
from nansei.scenario import load_scenario
from nansei.scenario.loader import builtin_path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"

_spec = importlib.util.spec_from_file_location("simpy_peer", HERE / "simpy_peer.py")
simpy_peer = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(simpy_peer)

SEED = 20261122

# The benchmarked sub-model: the built-in ``ideal-fixed-delay`` with lambda lowered to
# 0.05/h so that survival over 72 h is about 0.15 (the built-in's 0.5/h gives survival
# ~1e-7, which cannot discriminate between the two implementations).
PEER_PARAMS: dict[str, object] = {
    "lam": 0.05,
    "lam_move": 0.0,
    "p": 0.8,
    "dwell": 4.0,
    "dwell_dist": "fixed",
    "move": 0.5,
    "horizon": 72.0,
    "doctrine": "per_site_first_detection",
    "delay_kind": "fixed",
    "delay": 1.0,
    "salvos": 0,
    "q": 0.0,
}

# Mean pending heap size of kyodo-2021: run the kernel as plain Python
# (NUMBA_DISABLE_JIT=1) with heap_pop wrapped to record the heap size at each pop.
KYODO_PROBE = textwrap.dedent(
    """
    import json, sys
    import numpy as np
    import nansei.engine.heap as H
    sizes = []
    _pop = H.heap_pop
    def heap_pop(times, ints, state):
        sizes.append(int(state[0]))
        return _pop(times, ints, state)
    H.heap_pop = heap_pop
    from dataclasses import replace
    from nansei.engine import layout as Y
    from nansei.engine.simulate import run_batch
    from nansei.engine.compile import compile_scenario
    from nansei.scenario import load_scenario
    c = compile_scenario(load_scenario("kyodo-2021"))
    ip = c.arrays["ip"].copy()
    ip[Y.I_LOG_CIVIL] = 0  # combat heap only (the evacuation is not an event loop)
    c = replace(c, arrays={**c.arrays, "ip": ip}, civil=None)
    run_batch(c, int(sys.argv[1]), 0, 0, int(sys.argv[2]))
    print(json.dumps({"mean": float(np.mean(sizes)), "max": int(np.max(sizes))}))
    """
)

SCALING_CHILD = textwrap.dedent(
    """
    import sys, time
    sys.path.insert(0, sys.argv[1])
    from bench_engine import heap_loop
    from nansei.engine.rng import new_stream
    st = new_stream(1)
    heap_loop(st, 27, 10, 108)
    n = int(sys.argv[2])
    t0 = time.perf_counter()
    heap_loop(st, 27, n, 108)
    print(n / (time.perf_counter() - t0))
    """
)

WARM_START = "from nansei.engine.simulate import simulate; simulate('kyodo-2021', replications=1)"
# The same through the command line (``nansei run kyodo-2021 --reps 1 --out DIR``): adds typer
# and rich, the summary table and writing the run directory (parquet, YAML, JSON).
WARM_CLI = (
    "import sys; from nansei.cli import app; "
    "sys.argv = ['nansei', 'run', 'kyodo-2021', '--reps', '1', '--out', sys.argv[1]]; app()"
)

# The engine's own warm start: the first simulate() of a process whose libraries are imported
# (as in a notebook or a server), from the call to the returned Results, Numba's first-call
# start-up and the loading of the cached kernel included.
WARM_FIRST_CALL = (
    "import time, numpy, numba, pandas, pydantic, yaml, nansei.scenario; "
    "from nansei.engine.simulate import simulate; t = time.perf_counter(); "
    "simulate('kyodo-2021', replications=1); print(time.perf_counter() - t)"
)

# Phases of a warm start, in a fresh process, each as (wall s, CPU s). Numba's own start-up
# (its typing and lowering registries, and scipy.linalg, which numba.np.arraymath imports
# to check for BLAS) happens at the first call of any compiled function, cached or not; it
# is triggered explicitly here so that the first batch measures loading the cached kernel.
WARM_PHASES = textwrap.dedent(
    """
    import json, time
    W, C = time.perf_counter, time.process_time
    out, last = {}, [W(), C()]
    def mark(name):
        w, c = W(), C()
        out[name] = (w - last[0], c - last[1])
        last[:] = [w, c]
    import numpy  # noqa
    mark("import_numpy")
    import numba  # noqa
    mark("import_numba")
    import pandas  # noqa
    mark("import_pandas")
    import pydantic, yaml  # noqa
    mark("import_pydantic_yaml")
    import nansei.scenario  # noqa
    mark("import_scenario_models")
    import nansei.engine.simulate as S
    mark("import_engine_rest")
    from nansei.scenario import load_scenario
    sc = load_scenario("kyodo-2021")
    mark("load_scenario")
    c = S.compile_scenario(sc)
    mark("compile_scenario")
    import scipy.linalg.cython_blas  # noqa
    mark("numba_startup_scipy_linalg")
    from numba.core.registry import cpu_target
    cpu_target.target_context.refresh()
    mark("numba_startup_registries")
    S.run_batch(c, 1, 0, 0, 1)
    mark("first_batch")
    S.run_batch(c, 1, 0, 1, 2)
    mark("second_batch")
    S.simulate(sc, replications=1)
    mark("simulate_after")
    print(json.dumps(out))
    """
)


# --------------------------------------------------------------------------- machine


def _git_commit() -> str:
    try:
        root = Path(nansei.__file__).resolve().parents[2]
        head = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--", "src/nansei/engine"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        return head + ("+dirty-engine" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def machine_info() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_gb = float("nan")
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram_gb = int(line.split()[1]) / 1024**2
                break
    except OSError:
        pass
    return {
        "date": dt.date.today().isoformat(),
        "cpu_model": cpu,
        "cores": os.cpu_count(),
        "ram_gb": round(ram_gb, 1),
        "load_avg_at_start": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numba": numba.__version__,
        "simpy": simpy.__version__,
        "nansei": nansei_version,
        "nansei_path": str(Path(nansei.__file__).resolve().parent),
        "commit": _git_commit(),
    }


# --------------------------------------------------------------------------- helpers


def median(xs) -> float:
    return float(statistics.median(xs))


def timed(fn, *args, **kw) -> tuple[float, object]:
    t0 = time.perf_counter()
    res = fn(*args, **kw)
    return time.perf_counter() - t0, res


def ideal_scenario(horizon: float | None = None, p_kill: float | None = None):
    """``ideal-fixed-delay`` with every parameter set to match :data:`PEER_PARAMS`.

    ``horizon`` and ``p_kill`` override those two parameters (used to separate fixed
    and per-event costs: with ``p_kill=0`` the launcher survives and the number of
    events grows with the horizon).
    """
    P = dict(PEER_PARAMS)
    if horizon is not None:
        P["horizon"] = float(horizon)
    if p_kill is not None:
        P["p"] = float(p_kill)
    doc = yaml.safe_load(builtin_path("ideal-fixed-delay").read_text())
    rates = doc["red"]["isr"]["detection_rate_per_h"]
    for state in ("hidden", "setting_up", "firing", "reloading"):
        rates[state] = P["lam"]
    rates["moving"] = P["lam_move"]
    doc["red"]["isr"]["p_detect_launch"] = P["q"]
    doc["red"]["kill_chain"] = {"delay_h": P["delay"]}
    doc["red"]["doctrine"] = P["doctrine"]
    doc["red"]["p_kill"] = P["p"]
    doc["red"]["missiles_per_strike"] = 1
    doc["red"]["tie_rule"] = "launcher_escapes"
    reloc = doc["blue"]["relocation"]
    reloc.update(dwell_h=P["dwell"], scoot_delay_h=0, move_time="fixed", fixed_move_h=P["move"])
    doc["run"]["horizon_h"] = P["horizon"]
    sc = load_scenario(doc)
    c = compile_scenario(sc)
    # guard the mapping: one launcher, no set-up/tear-down, no intercept, no firing
    assert c.arrays["lp"].shape[0] == 1
    assert c.arrays["fp"][Y.F_P_INTERCEPT] == 0.0
    assert c.arrays["fp"][Y.F_HORIZON_H] == P["horizon"]
    assert c.arrays["fp"][Y.F_P_KILL] == P["p"]
    assert c.arrays["ip"][Y.I_DOCTRINE] == 0
    assert c.arrays["ip"][Y.I_TIE_RULE] == 0
    assert c.arrays["ip"][Y.I_MISSILES_PER_STRIKE] == 1
    assert c.arrays["zone_f"].shape[0] == 0 or not np.any(c.arrays["zone_f"][:, 0] > 0)
    assert c.civil is None
    return sc, c


def exact_survival() -> float:
    """Closed form for fixed dwell, fixed delay, first-detection doctrine."""
    P = PEER_PARAMS
    lam, p, tau, m, H, D = (float(P[k]) for k in ("lam", "p", "dwell", "move", "horizon", "delay"))
    surv, t = 1.0, 0.0
    while t < H:
        w = max(0.0, min(tau, H - t) - D)
        surv *= 1.0 - p * (1.0 - math.exp(-lam * w))
        t += tau + m
    return surv


def without_civil(compiled):
    """The same compiled scenario with the evacuation sub-model switched off."""
    ip = compiled.arrays["ip"].copy()
    ip[Y.I_LOG_CIVIL] = 0
    return replace(compiled, arrays={**compiled.arrays, "ip": ip}, civil=None)


# --------------------------------------------------------------------------- sections


def bench_peer(reps_nansei: int, reps_simpy: int, repeats: int) -> dict:
    sc, _ = ideal_scenario()
    simulate(sc, replications=20, seed=SEED)  # load the compiled kernel
    eng, e2e, peer, ratios, ratios_e2e = [], [], [], [], []
    res_n = res_p = None
    for _ in range(repeats):
        t_p, res_p = timed(simpy_peer.run_replications, PEER_PARAMS, reps_simpy, SEED)
        t_n, res_n = timed(simulate, sc, replications=reps_nansei, seed=SEED)
        peer.append(reps_simpy / t_p)
        eng.append(res_n.meta["reps_per_s"])
        e2e.append(reps_nansei / t_n)
        ratios.append(eng[-1] / peer[-1])
        ratios_e2e.append(e2e[-1] / peer[-1])
    s_n = 1.0 - res_n.records["launchers_lost"].to_numpy().mean()
    s_p = res_p["survived"].mean()
    se_n = math.sqrt(s_n * (1 - s_n) / reps_nansei)
    se_p = math.sqrt(s_p * (1 - s_p) / reps_simpy)
    z = (s_n - s_p) / math.hypot(se_n, se_p)
    st_n = res_n.records["red_strikes"].to_numpy().mean()
    st_p = res_p["strikes"].mean()
    return {
        "params": PEER_PARAMS,
        "reps_nansei": reps_nansei,
        "reps_simpy": reps_simpy,
        "nansei_reps_per_s": median(eng),
        "nansei_end_to_end_reps_per_s": median(e2e),
        "simpy_reps_per_s": median(peer),
        "ratio": median(ratios),
        "ratio_end_to_end": median(ratios_e2e),
        "events_per_rep": float(res_n.records["events"].mean()),
        "survival_nansei": s_n,
        "survival_nansei_se": se_n,
        "survival_simpy": s_p,
        "survival_simpy_se": se_p,
        "survival_exact": exact_survival(),
        "survival_z": z,
        "strikes_nansei": float(st_n),
        "strikes_simpy": float(st_p),
        "agree": abs(z) < 3.0,
        "raw": {"nansei": eng, "nansei_end_to_end": e2e, "simpy": peer},
    }


def bench_kyodo(reps: int, repeats: int) -> dict:
    """kyodo-2021 on 1 worker and on 2, interleaved.

    ``reps_per_s`` is the engine loop (``Results.meta``); ``end_to_end`` is the wall
    time of the whole ``simulate`` call (scenario load, compile, records).
    """
    simulate("kyodo-2021", replications=4, seed=SEED)
    simulate("kyodo-2021", replications=20, seed=SEED, workers=2)
    one, two, ratios, e2e1, e2e2, startup, steady = [], [], [], [], [], [], []
    events = float("nan")
    for _ in range(repeats):
        t1, r1 = timed(simulate, "kyodo-2021", replications=reps, seed=SEED, workers=1)
        t2, r2 = timed(simulate, "kyodo-2021", replications=reps, seed=SEED, workers=2)
        one.append(r1.meta["reps_per_s"])
        two.append(r2.meta["reps_per_s"])
        e2e1.append(reps / t1)
        e2e2.append(reps / t2)
        ratios.append(two[-1] / one[-1])
        events = float(r1.records["events"].mean())
        # start-up: pool start (fork or spawn) + first batch, 20 replications
        t_small = simulate("kyodo-2021", replications=20, seed=SEED, workers=2).meta["wall_s"]
        startup.append(max(t_small - 20 / (2 * one[-1]), 0.0))
        steady.append(reps / max(r2.meta["wall_s"] - startup[-1], 1e-9) / one[-1])
    return {
        "reps": reps,
        "reps_per_s_1": median(one),
        "reps_per_s_2": median(two),
        "end_to_end_reps_per_s_1": median(e2e1),
        "end_to_end_reps_per_s_2": median(e2e2),
        "speedup_2": median(ratios),
        "pool_startup_s": median(startup),
        "speedup_2_excl_startup": median(steady),
        "events_per_rep": events,
        "raw": {"w1": one, "w2": two, "e2e_w1": e2e1, "e2e_w2": e2e2, "ratios": ratios},
    }


def machine_scaling(n_events: int) -> dict:
    """Control: throughput of 2 concurrent CPU-bound processes over 1 (no nansei involved)."""
    cmd = [sys.executable, "-c", SCALING_CHILD, str(HERE), str(n_events)]
    one = float(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    two = [float(p.communicate()[0]) for p in procs]
    return {"one_events_per_s": one, "two_events_per_s": sum(two), "ratio": sum(two) / one}


def bench_workers(reps: int, repeats: int, n_events: int) -> dict:
    """kyodo-2021 on 1 and 2 workers with the 2-process control in every round.

    Each round runs, back to back: 1 worker, 2 workers, one heap-loop process, two
    concurrent heap-loop processes. A round whose control is far below 2 saw the second
    core taken by other work; the ratios are reported per round so they can be read
    against their own control.
    """
    ky = bench_kyodo(reps, 1)
    rounds = [{"speedup_2": ky["speedup_2"], "control": machine_scaling(n_events)["ratio"]}]
    for _ in range(repeats - 1):
        k = bench_kyodo(reps, 1)
        rounds.append({"speedup_2": k["speedup_2"], "control": machine_scaling(n_events)["ratio"]})
        for key in ("w1", "w2", "e2e_w1", "e2e_w2", "ratios"):
            ky["raw"][key] += k["raw"][key]
    ky["reps_per_s_1"] = median(ky["raw"]["w1"])
    ky["reps_per_s_2"] = median(ky["raw"]["w2"])
    ky["speedup_2"] = median(ky["raw"]["ratios"])
    ky["rounds"] = rounds
    ky["control_median"] = median(r["control"] for r in rounds)
    return ky


def _child(code: str, src: str | None, *args: str) -> tuple[float, float, str, float]:
    """Run ``python -c code`` in a fresh process.

    Returns (wall s, CPU s of the child, stdout, seconds from the start to the time the
    child printed last, as ``time.time()``: the time to the result, before teardown).
    """
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = src
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    e0 = time.time()
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", code, *args], env=env, check=True, capture_output=True, text=True
    )
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    try:
        to_result = float(proc.stdout.split()[-1]) - e0
    except (IndexError, ValueError):
        to_result = math.nan
    return wall, cpu, proc.stdout, to_result


def bench_warm_start(repeats: int, baseline_src: str | None = None) -> dict:
    """Warm start: fresh processes after one warm-up each, wall and CPU (user + sys).

    With ``baseline_src`` (the ``src`` directory of another checkout, with its own warm
    Numba cache) every measurement is taken for both trees, alternating which goes
    first, so that both see the same machine state.
    """
    import tempfile

    trees = {"this": None}
    if baseline_src is not None:
        trees = {"baseline": baseline_src, "this": None}
    tmp = tempfile.mkdtemp(prefix="nansei-warm-")
    for src in trees.values():  # make sure the Numba caches are warm
        _child(WARM_START, src)
        _child(WARM_CLI, src, tmp)
    raw: dict = {
        k: {"sim": [], "to_result": [], "cli": [], "import": [], "first": [], "phases": []}
        for k in trees
    }
    python_alone = []
    for i in range(repeats):
        order = list(trees) if i % 2 == 0 else list(trees)[::-1]
        python_alone.append(_child("pass", None)[:2])
        for what in ("sim", "cli", "import", "first", "phases"):
            for k in order:
                src = trees[k]
                if what == "sim":
                    w, c, _, r = _child(WARM_START + "; import time; print(time.time())", src)
                    raw[k]["sim"].append((w, c))
                    raw[k]["to_result"].append(r)
                elif what == "cli":
                    raw[k]["cli"].append(_child(WARM_CLI, src, tmp)[:2])
                elif what == "import":
                    raw[k]["import"].append(_child("import nansei.engine.simulate", src)[:2])
                elif what == "first":
                    out = _child(WARM_FIRST_CALL, src)[2]
                    raw[k]["first"].append(float(out.strip().splitlines()[-1]))
                else:
                    out = _child(WARM_PHASES, src)[2]
                    raw[k]["phases"].append(json.loads(out.strip().splitlines()[-1]))
    res: dict = {"repeats": repeats, "python_s": median(w for w, _ in python_alone)}
    for k, r in raw.items():
        ph = r["phases"]
        res[k] = {
            "src": trees[k] or str(Path(nansei.__file__).resolve().parents[1]),
            "median_s": median(w for w, _ in r["sim"]),
            "cpu_s": median(c for _, c in r["sim"]),
            "raw": [w for w, _ in r["sim"]],
            "to_result_s": median(r["to_result"]),
            "cli_median_s": median(w for w, _ in r["cli"]),
            "cli_cpu_s": median(c for _, c in r["cli"]),
            "cli_raw": [w for w, _ in r["cli"]],
            "import_s": median(w for w, _ in r["import"]),
            "import_cpu_s": median(c for _, c in r["import"]),
            "first_call_s": median(r["first"]),
            "first_call_raw": r["first"],
            "phases": {key: median(p[key][0] for p in ph) for key in ph[0]},
            "phases_cpu": {key: median(p[key][1] for p in ph) for key in ph[0]},
        }
    # The figures of this tree at top level, as before.
    res.update({k: v for k, v in res["this"].items() if k != "src"})
    return res


# --------------------------------------------------------------------------- profile


@njit
def _seed_many(entropy, n):
    st = np.zeros(4, dtype=np.uint64)
    acc = np.uint64(0)
    for i in range(n):
        seed_stream(st, entropy, 0, i)
        acc ^= st[0]
    return acc


@njit
def _rng_exponential(st, n):
    acc = 0.0
    for _ in range(n):
        acc += exponential(st, 1.0)
    return acc


@njit
def _rng_random(st, n):
    acc = 0.0
    for _ in range(n):
        acc += random(st)
    return acc


@njit
def heap_loop(st, pending, n_events, capacity):
    """The ceiling: pop the earliest event, push its successor at an exponential gap.

    Uses the kernel's own heap (``heap_push``/``heap_pop``, inlined) and RNG, with the
    same storage as the kernel's event heap (:class:`nansei.engine.state.Heap`).
    """
    times = np.empty(capacity, dtype=np.float64)
    ints = np.empty((capacity, 4), dtype=np.int64)
    state = np.zeros(2, dtype=np.int64)
    for e in range(pending):
        heap_push(times, ints, state, exponential(st, float(pending)), 0, e, 0)
    acc = 0
    for _ in range(n_events):
        t, code, e, tag = heap_pop(times, ints, state)
        acc += code + e + tag
        heap_push(times, ints, state, t + exponential(st, float(pending)), code, e, tag)
    return acc


@njit
def heap_loop_norng(pending, n_events, capacity):
    times = np.empty(capacity, dtype=np.float64)
    ints = np.empty((capacity, 4), dtype=np.int64)
    state = np.zeros(2, dtype=np.int64)
    x = 0.5
    for e in range(pending):
        x = (x * 3.987) % 1.0
        heap_push(times, ints, state, x * pending, 0, e, 0)
    acc = 0
    for _ in range(n_events):
        t, code, e, tag = heap_pop(times, ints, state)
        acc += code + e + tag
        x = 4.0 * x * (1.0 - x) * 0.999 + 0.0005  # cheap chaotic stand-in for a draw
        heap_push(times, ints, state, t + x * pending, code, e, tag)
    return acc


def per_call_us(fn, n: int) -> float:
    fn()
    t0 = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - t0) / n * 1e6


class Batch:
    """Preallocated arguments of ``run_batch_kernel`` for ``n`` replications."""

    def __init__(self, compiled, n: int):
        self.c = compiled
        self.n = n
        self.entropy = entropy_words(SEED)
        self.out = np.empty((n, Y.N_OUT_KERNEL), dtype=np.float64)
        self.series = np.zeros((0, compiled.n_steps, Y.N_SERIES), dtype=np.float64)
        self.scratch = np.zeros((compiled.n_steps, Y.N_SERIES), dtype=np.float64)
        n_ev, n_ser = len(compiled.evac_output_names), len(compiled.evac_series_names)
        self.out_ev = np.zeros((n, n_ev), dtype=np.float64)
        self.series_ev = np.zeros((0, compiled.n_days, n_ser), dtype=np.float64)
        self.scratch_ev = np.zeros((compiled.n_days, n_ser), dtype=np.float64)
        self.model = compiled.model()
        self.evac = compiled.evac()
        self.no_trace = np.zeros((0, 5), dtype=np.float64)

    def run(self, start: int = 0) -> None:
        run_batch_kernel(
            self.entropy, 0, start, self.model, self.evac, self.out, self.series, self.scratch,
            self.out_ev, self.series_ev, self.scratch_ev, self.no_trace,
        )  # fmt: skip


def kernel_only(compiled, n: int, repeats: int) -> dict:
    """Median microseconds per replication of ``run_batch_kernel`` on ``n`` replications."""
    Batch(compiled, 2).run()  # load / compile
    b = Batch(compiled, n)
    ts = []
    for r in range(repeats):
        t, _ = timed(b.run, r * n)
        ts.append(t)
    us = median(ts) / n * 1e6
    ev = float(b.out[:, Y.O_EVENTS].mean())
    return {"us_per_rep": us, "events_per_rep": ev, "raw_s": ts, "n": n}


def batch_call_us(compiled, n_calls: int) -> float:
    """Microseconds per call of ``run_batch_kernel`` on a 1-replication batch."""
    b = Batch(compiled, 1)
    i = iter(range(10**9))
    return per_call_us(lambda: b.run(next(i)), n_calls)


def kyodo_pending(reps: int) -> dict:
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1"}
    proc = subprocess.run(
        [sys.executable, "-c", KYODO_PROBE, str(SEED), str(reps)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def profile(quick: bool) -> dict:
    n_calls = 20_000 if quick else 100_000
    rep = 3 if quick else 5
    res: dict = {}

    # seeding: from Python (one stream state) and inside Numba
    i = iter(range(10**9))
    res["seed_python_us"] = per_call_us(lambda: replication_rng(SEED, 0, next(i)), n_calls)
    ent = entropy_words(SEED)
    _seed_many(ent, 10)
    t, _ = timed(_seed_many, ent, 10 * n_calls)
    res["seed_numba_ns"] = t / (10 * n_calls) * 1e9
    st = new_stream(SEED)
    n_draws = 2_000_000 if quick else 20_000_000
    _rng_exponential(st, 10)
    _rng_random(st, 10)
    t, _ = timed(_rng_exponential, st, n_draws)
    res["rng_exponential_ns"] = t / n_draws * 1e9
    t, _ = timed(_rng_random, st, n_draws)
    res["rng_random_ns"] = t / n_draws * 1e9

    # ideal sub-model: fixed cost per batch call, per replication and per event (the
    # per-event fit uses p_kill = 0, so that events grow with the horizon)
    _, ideal = ideal_scenario()
    res["ideal_batch_call_1rep_us"] = batch_call_us(ideal, n_calls // 2)
    k = kernel_only(ideal, 20_000 if quick else 200_000, rep)
    res["ideal_kernel_us_per_rep"] = k["us_per_rep"]
    res["ideal_events_per_rep"] = k["events_per_rep"]
    res["ideal_kernel_reps_per_s"] = 1e6 / k["us_per_rep"]
    res["ideal_batch_fixed_us"] = res["ideal_batch_call_1rep_us"] - k["us_per_rep"]
    fit = []
    for h in (24.0, 72.0, 288.0, 1152.0):
        _, c = ideal_scenario(horizon=h, p_kill=0.0)
        kk = kernel_only(c, max(2_000, (5_000 if quick else 50_000) * 72 // int(h)), rep)
        fit.append((h, kk["events_per_rep"], kk["us_per_rep"]))
    ev = np.array([f[1] for f in fit])
    us = np.array([f[2] for f in fit])
    slope, icpt = np.polyfit(ev, us, 1)
    res["ideal_horizon_fit"] = [
        {"horizon_h": h, "events_per_rep": e, "us_per_rep": u} for h, e, u in fit
    ]
    res["ideal_ns_per_event"] = slope * 1e3
    res["ideal_fixed_us_per_rep"] = icpt

    # kyodo-2021: combat kernel with and without the evacuation sub-model
    kyodo = compile_scenario(load_scenario("kyodo-2021"))
    nk = 300 if quick else 3_000
    k_full = kernel_only(kyodo, nk, rep)
    k_comb = kernel_only(without_civil(kyodo), nk, rep)
    res["kyodo_kernel_us_per_rep"] = k_full["us_per_rep"]
    res["kyodo_kernel_reps_per_s"] = 1e6 / k_full["us_per_rep"]
    res["kyodo_combat_us_per_rep"] = k_comb["us_per_rep"]
    res["kyodo_evacuation_us_per_rep"] = k_full["us_per_rep"] - k_comb["us_per_rep"]
    res["kyodo_events_per_rep"] = k_comb["events_per_rep"]
    res["kyodo_events_same_with_civil"] = k_full["events_per_rep"] == k_comb["events_per_rep"]
    per_ev = k_comb["us_per_rep"] / k_comb["events_per_rep"]
    res["kyodo_kernel_ns_per_event"] = per_ev * 1e3
    res["kyodo_kernel_events_per_s"] = 1e6 / per_ev
    res["kyodo_kernel_events_per_s_incl_evac"] = (
        k_full["events_per_rep"] / k_full["us_per_rep"] * 1e6
    )

    pend = kyodo_pending(1 if quick else 2)
    res["kyodo_pending_mean"] = pend["mean"]
    res["kyodo_pending_max"] = pend["max"]
    kp = max(2, round(pend["mean"]))
    n_ev = 2_000_000 if quick else 20_000_000
    heap_loop(st, kp, 10, 4 * kp)
    heap_loop_norng(kp, 10, 4 * kp)
    ts, ts0 = [], []
    for _ in range(3):
        t, _ = timed(heap_loop, st, kp, n_ev, 4 * kp)
        ts.append(t)
        t, _ = timed(heap_loop_norng, kp, n_ev, 4 * kp)
        ts0.append(t)
    res["heap_loop_pending"] = kp
    res["heap_loop_ns_per_event"] = median(ts) / n_ev * 1e9
    res["heap_loop_events_per_s"] = n_ev / median(ts)
    res["heap_loop_norng_ns_per_event"] = median(ts0) / n_ev * 1e9
    res["kernel_vs_ceiling"] = res["kyodo_kernel_events_per_s"] / res["heap_loop_events_per_s"]
    return res


# --------------------------------------------------------------------------- report


def table(m: dict) -> str:
    pe, ky, ws, pr = m["peer"], m["kyodo"], m["warm_start"], m["profile"]

    def row(name, value, target, met):
        flag = met if isinstance(met, str) else ("met" if met else "**not met**")
        return f"| {name} | {value} | {target} | {flag} |"

    lines = [
        "| measure | measured (median) | target | status |",
        "|---|---|---|---|",
        row(
            "nansei / SimPy peer, same sub-model (engine loop)",
            f"{pe['ratio']:.1f}x ({pe['nansei_reps_per_s']:,.0f} vs "
            f"{pe['simpy_reps_per_s']:,.0f} reps/s)",
            ">= 100x",
            pe["ratio"] >= 100,
        ),
        row(
            "nansei / SimPy peer, end to end (incl. compile, records)",
            f"{pe['ratio_end_to_end']:.1f}x ({pe['nansei_end_to_end_reps_per_s']:,.0f} reps/s)",
            ">= 100x",
            pe["ratio_end_to_end"] >= 100,
        ),
        row(
            "nansei kernel only / SimPy peer",
            f"{pr['ideal_kernel_reps_per_s'] / pe['simpy_reps_per_s']:.0f}x "
            f"({pr['ideal_kernel_reps_per_s']:,.0f} reps/s)",
            "(diagnostic)",
            "—",
        ),
        row(
            "kyodo-2021 (30 d, with civil), 1 core, engine loop",
            f"{ky['reps_per_s_1']:,.0f} reps/s",
            ">= 1,000 reps/s",
            ky["reps_per_s_1"] >= 1000,
        ),
        row(
            "kyodo-2021, 1 core, end to end",
            f"{ky['end_to_end_reps_per_s_1']:,.0f} reps/s",
            ">= 1,000 reps/s",
            ky["end_to_end_reps_per_s_1"] >= 1000,
        ),
        row(
            f"kyodo-2021, 2 workers / 1 ({ky['reps']:,} reps)",
            f"{ky['speedup_2']:.2f}x ({ky['reps_per_s_2']:,.0f} reps/s)",
            ">= 1.8x",
            ky["speedup_2"] >= 1.8,
        ),
        row(
            "warm start, fresh process, kyodo-2021 x1",
            f"{ws['median_s']:.2f} s (CPU {ws['cpu_s']:.2f} s)",
            "< 1 s",
            ws["median_s"] < 1.0,
        ),
        row(
            "engine warm start: first simulate() after the imports, kyodo-2021 x1",
            f"{ws['first_call_s']:.2f} s",
            "< 1 s",
            ws["first_call_s"] < 1.0,
        ),
        row(
            "warm start, `nansei run kyodo-2021 --reps 1 --out DIR`",
            f"{ws['cli_median_s']:.2f} s (CPU {ws['cli_cpu_s']:.2f} s)",
            "(< 1 s)",
            ws["cli_median_s"] < 1.0,
        ),
        row(
            "kernel events/s (kyodo combat, in-kernel) vs heap-loop ceiling",
            f"{pr['kyodo_kernel_events_per_s'] / 1e6:.2f} M/s vs "
            f"{pr['heap_loop_events_per_s'] / 1e6:.1f} M/s "
            f"({pr['kernel_vs_ceiling']:.0%})",
            "report",
            "—",
        ),
    ]
    return "\n".join(lines)


def details(m: dict) -> str:
    pe, ky, ws, pr = m["peer"], m["kyodo"], m["warm_start"], m["profile"]
    fit = ", ".join(
        f"H={f['horizon_h']:.0f}h: {f['events_per_rep']:.1f} ev {f['us_per_rep']:.2f} us"
        for f in pr["ideal_horizon_fit"]
    )
    return "\n".join(
        [
            "",
            f"Survival check (72 h, {pe['params']['doctrine']}, lam={pe['params']['lam']}/h):",
            f"  nansei {pe['survival_nansei']:.4f} +- {pe['survival_nansei_se']:.4f} "
            f"(n={pe['reps_nansei']:,}); SimPy {pe['survival_simpy']:.4f} +- "
            f"{pe['survival_simpy_se']:.4f} (n={pe['reps_simpy']:,}); exact "
            f"{pe['survival_exact']:.4f}; z = {pe['survival_z']:+.2f} -> "
            f"{'AGREE' if pe['agree'] else 'DISAGREE: the comparison is void'}",
            f"  mean strikes: nansei {pe['strikes_nansei']:.3f}, SimPy {pe['strikes_simpy']:.3f}",
            f"  events per replication (nansei): {pe['events_per_rep']:.1f}",
            "",
            "Profile:",
            f"  seeding from Python (new_stream)   {pr['seed_python_us']:.2f} us",
            f"  seeding inside Numba (seed_stream) {pr['seed_numba_ns']:.0f} ns",
            f"  exponential / random in @njit      {pr['rng_exponential_ns']:.1f} / "
            f"{pr['rng_random_ns']:.1f} ns",
            f"  ideal: batch call of 1 rep         {pr['ideal_batch_call_1rep_us']:.2f} us "
            f"(fixed per call {pr['ideal_batch_fixed_us']:.2f} us)",
            f"  ideal: kernel per rep (batch)      {pr['ideal_kernel_us_per_rep']:.3f} us "
            f"({pr['ideal_events_per_rep']:.1f} events)",
            f"  ideal: fit over horizons           {pr['ideal_fixed_us_per_rep']:.3f} us/rep "
            f"+ {pr['ideal_ns_per_event']:.1f} ns/event  [{fit}]",
            f"  kyodo: kernel per rep (batch)      {pr['kyodo_kernel_us_per_rep']:.1f} us "
            f"(combat {pr['kyodo_combat_us_per_rep']:.1f} us + evacuation "
            f"{pr['kyodo_evacuation_us_per_rep']:.1f} us)",
            f"  kyodo: combat events               {pr['kyodo_events_per_rep']:.0f} per rep, "
            f"{pr['kyodo_kernel_ns_per_event']:.0f} ns/event",
            f"  kyodo pending events               mean {pr['kyodo_pending_mean']:.1f}, "
            f"max {pr['kyodo_pending_max']}",
            f"  heap loop, {pr['heap_loop_pending']} pending          "
            f"{pr['heap_loop_ns_per_event']:.1f} ns/event "
            f"({pr['heap_loop_norng_ns_per_event']:.1f} ns without RNG)",
            f"  kyodo end to end, 2 workers        {ky['end_to_end_reps_per_s_2']:,.0f} reps/s",
            f"  pool start-up (2 workers)          {ky['pool_startup_s']:.2f} s; 2-worker "
            f"speed-up excluding start-up {ky['speedup_2_excl_startup']:.2f}x",
            f"  control: 2 concurrent heap loops / 1 = {m['machine_scaling']['ratio']:.2f}x",
            "",
            warm_text(ws),
        ]
    )


WARM_PHASE_NAMES = {
    "import_numpy": "import numpy",
    "import_numba": "import numba",
    "import_pandas": "import pandas (imports pyarrow)",
    "import_pydantic_yaml": "import pydantic, yaml",
    "import_scenario_models": "import nansei.scenario (pydantic models)",
    "import_engine_rest": "import nansei.engine.simulate (rest)",
    "load_scenario": "load_scenario('kyodo-2021') (YAML, validation, geography)",
    "compile_scenario": "compile_scenario",
    "numba_startup_scipy_linalg": "Numba start-up: scipy.linalg (BLAS check)",
    "numba_startup_registries": "Numba start-up: typing/lowering registries",
    "first_batch": "first batch (loads the cached kernel)",
    "second_batch": "second batch (1 replication)",
    "simulate_after": "simulate() after that",
}


def warm_text(ws: dict) -> str:
    """Warm-start figures (and the baseline's, when measured side by side)."""
    trees = [k for k in ("baseline", "this") if k in ws]
    head = " | ".join(f"{k} wall | {k} CPU" for k in trees)
    lines = [
        f"Warm start, medians of {ws['repeats']} fresh processes (python alone "
        f"{ws['python_s']:.3f} s):",
        *(f"  {k}: {ws[k]['src']}" for k in trees),
        "",
        f"| measure | {head} |",
        "|---|" + "---|" * (2 * len(trees)),
    ]

    def cells(get) -> str:
        out = []
        for k in trees:
            wall, cpu = get(ws[k])
            out += [f"{wall:.3f}", "—" if cpu is None else f"{cpu:.3f}"]
        return " | ".join(out)

    rows = [
        ("simulate('kyodo-2021', replications=1)", lambda d: (d["median_s"], d["cpu_s"])),
        ("  the same, until simulate() returned (no teardown)", lambda d: (d["to_result_s"], None)),
        ("nansei run kyodo-2021 --reps 1 --out DIR", lambda d: (d["cli_median_s"], d["cli_cpu_s"])),
        ("import nansei.engine.simulate", lambda d: (d["import_s"], d["import_cpu_s"])),
        (
            "first simulate() after the imports (engine warm start)",
            lambda d: (d["first_call_s"], None),
        ),
    ]
    for key, name in WARM_PHASE_NAMES.items():
        rows.append((f"phase: {name}", lambda d, key=key: (d["phases"][key], d["phases_cpu"][key])))
    for name, get in rows:
        lines.append(f"| {name} | {cells(get)} |")
    total = " | ".join(
        f"{sum(ws[k]['phases'].values()):.3f} | {sum(ws[k]['phases_cpu'].values()):.3f}"
        for k in trees
    )
    lines.append(f"| sum of phases | {total} |")
    return "\n".join(lines)


def _new_result(stem: str) -> Path:
    """``results/<stem>.json``, or ``<stem>-<HHMMSS>.json`` if that exists: never overwrite."""
    path = RESULTS / f"{stem}.json"
    if path.exists():
        path = RESULTS / f"{stem}-{dt.datetime.now():%H%M%S}.json"
    return path


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    ap.add_argument("--out", type=Path, default=None, help="JSON path (default: results/)")
    ap.add_argument(
        "--warm-only", action="store_true", help="measure only the warm start (a few minutes)"
    )
    ap.add_argument(
        "--warm-baseline",
        default=None,
        metavar="SRC",
        help="also measure the warm start of this src directory (another checkout), interleaved",
    )
    ap.add_argument(
        "--workers-only",
        action="store_true",
        help="measure only 1 against 2 workers, with the 2-process control in every round",
    )
    a = ap.parse_args(argv)
    q = a.quick
    info = machine_info()
    print(
        f"machine: {info['cpu_model']}, {info['cores']} cores, {info['ram_gb']} GB; "
        f"nansei {info['nansei_path']} @ {info['commit']}",
        flush=True,
    )
    m: dict = {"machine": info, "mode": "quick" if q else "full"}
    if a.warm_only:
        m["mode"] = "warm-only"
        print("warm start ...", flush=True)
        m["warm_start"] = bench_warm_start(3 if q else 5, a.warm_baseline)
        m["machine"]["load_avg_at_end"] = os.getloadavg() if hasattr(os, "getloadavg") else None
        print()
        print(warm_text(m["warm_start"]))
        path = a.out or _new_result(f"engine-warm-{info['date']}")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(m, indent=2, default=float) + "\n")
        print(f"\nwrote {path}")
        return m
    if a.workers_only:
        m["mode"] = "workers-only"
        print("kyodo-2021, 1 and 2 workers, with the control in every round ...", flush=True)
        ky = bench_workers(400 if q else 10_000, 2 if q else 5, 5_000_000 if q else 50_000_000)
        m["kyodo"] = ky
        m["machine"]["load_avg_at_end"] = os.getloadavg() if hasattr(os, "getloadavg") else None
        for r in ky["rounds"]:
            print(f"  2 workers / 1 = {r['speedup_2']:.2f}x   control {r['control']:.2f}x")
        print(
            f"median: {ky['speedup_2']:.2f}x ({ky['reps_per_s_1']:,.0f} -> "
            f"{ky['reps_per_s_2']:,.0f} reps/s), control {ky['control_median']:.2f}x"
        )
        path = a.out or _new_result(f"engine-workers-{info['date']}")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(m, indent=2, default=float) + "\n")
        print(f"\nwrote {path}")
        return m
    print("SimPy peer vs nansei ...", flush=True)
    m["peer"] = bench_peer(5_000 if q else 100_000, 1_000 if q else 10_000, 3 if q else 5)
    print("kyodo-2021, 1 and 2 workers ...", flush=True)
    m["kyodo"] = bench_kyodo(400 if q else 10_000, 2 if q else 3)
    print("machine 2-process scaling (control) ...", flush=True)
    m["machine_scaling"] = machine_scaling(5_000_000 if q else 50_000_000)
    print("warm start ...", flush=True)
    m["warm_start"] = bench_warm_start(3 if q else 5, a.warm_baseline)
    print("profile ...", flush=True)
    m["profile"] = profile(q)
    m["machine"]["load_avg_at_end"] = os.getloadavg() if hasattr(os, "getloadavg") else None
    text = table(m) + "\n" + details(m)
    print()
    print(text)
    path = a.out or _new_result(f"engine-{info['date']}{'-quick' if q else ''}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(m, indent=2, default=float) + "\n")
    print(f"\nwrote {path}")
    if not m["peer"]["agree"]:
        print("WARNING: SimPy and nansei disagree on survival; the comparison is void")
    return m


if __name__ == "__main__":
    main()
