"""Engine performance benchmark: nansei against the SimPy peer, scaling, start-up, ceiling.

Run from the repository root::

    .venv/bin/python benchmarks/bench_engine.py           # full (several minutes)
    .venv/bin/python benchmarks/bench_engine.py --quick   # smoke run (about a minute)

Every figure is the median of repeated runs; competing measurements (SimPy against
nansei, 1 against 2 workers) are interleaved so that both sides see the same machine
state. The script prints a Markdown table and writes
``benchmarks/results/engine-<date>.json`` with the machine description.

The SimPy comparison is void unless both implementations agree on survival; the script
prints both estimates with standard errors, the exact value, and a z-score.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numba
import numpy as np
import simpy
import yaml
from numba import njit

from nansei import __version__ as nansei_version
from nansei.engine import layout as Y
from nansei.engine.compile import compile_scenario
from nansei.engine.heap import heap_pop, heap_push, new_heap
from nansei.engine.kernel import run_replication
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
    from nansei.engine.simulate import run_batch
    from nansei.engine.compile import compile_scenario
    from nansei.scenario import load_scenario
    c = compile_scenario(load_scenario("kyodo-2021"))
    run_batch(c, int(sys.argv[1]), 0, 0, 2)
    print(json.dumps({"mean": float(np.mean(sizes)), "max": int(np.max(sizes))}))
    """
)

SCALING_CHILD = textwrap.dedent(
    """
    import sys, time
    import numpy as np
    sys.path.insert(0, sys.argv[1])
    from bench_engine import heap_loop
    rng = np.random.default_rng(1)
    heap_loop(rng, 155, 10, 620)
    n = int(sys.argv[2])
    t0 = time.perf_counter()
    heap_loop(rng, 155, n, 620)
    print(n / (time.perf_counter() - t0))
    """
)

WARM_START = "from nansei.engine.simulate import simulate; simulate('kyodo-2021', replications=1)"


# --------------------------------------------------------------------------- machine


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
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numba": numba.__version__,
        "simpy": simpy.__version__,
        "nansei": nansei_version,
    }


# --------------------------------------------------------------------------- helpers


def median(xs) -> float:
    return float(statistics.median(xs))


def timed(fn, *args, **kw) -> tuple[float, object]:
    t0 = time.perf_counter()
    res = fn(*args, **kw)
    return time.perf_counter() - t0, res


def ideal_scenario():
    """``ideal-fixed-delay`` with every parameter set to match :data:`PEER_PARAMS`."""
    P = PEER_PARAMS
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
        "raw": {"nansei": eng, "simpy": peer},
    }


def bench_kyodo(reps: int, repeats: int) -> dict:
    simulate("kyodo-2021", replications=4, seed=SEED)
    simulate("kyodo-2021", replications=20, seed=SEED, workers=2)
    one, two, ratios, startup, steady = [], [], [], [], []
    events = float("nan")
    for _ in range(repeats):
        r1 = simulate("kyodo-2021", replications=reps, seed=SEED, workers=1)
        r2 = simulate("kyodo-2021", replications=reps, seed=SEED, workers=2)
        one.append(r1.meta["reps_per_s"])
        two.append(r2.meta["reps_per_s"])
        ratios.append(two[-1] / one[-1])
        events = float(r1.records["events"].mean())
        # start-up: pool spawn + import + kernel load in the workers, 20 replications
        t_small = simulate("kyodo-2021", replications=20, seed=SEED, workers=2).meta["wall_s"]
        startup.append(t_small - 20 / (2 * one[-1]))
        steady.append(reps / max(r2.meta["wall_s"] - startup[-1], 1e-9) / one[-1])
    return {
        "reps": reps,
        "reps_per_s_1": median(one),
        "reps_per_s_2": median(two),
        "speedup_2": median(ratios),
        "pool_startup_s": median(startup),
        "speedup_2_excl_startup": median(steady),
        "events_per_rep": events,
        "raw": {"w1": one, "w2": two},
    }


def machine_scaling(n_events: int) -> dict:
    """Control: throughput of 2 concurrent CPU-bound processes over 1 (no nansei involved)."""
    cmd = [sys.executable, "-c", SCALING_CHILD, str(HERE), str(n_events)]
    one = float(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    two = [float(p.communicate()[0]) for p in procs]
    return {"one_events_per_s": one, "two_events_per_s": sum(two), "ratio": sum(two) / one}


def bench_warm_start(repeats: int) -> dict:
    cmd = [sys.executable, "-c", WARM_START]
    subprocess.run(cmd, check=True)  # make sure the Numba cache is warm
    times = []
    for _ in range(repeats):
        t, _ = timed(subprocess.run, cmd, check=True)
        times.append(t)
    t_py, _ = timed(subprocess.run, [sys.executable, "-c", "pass"], check=True)
    t_imp, _ = timed(
        subprocess.run, [sys.executable, "-c", "import nansei.engine.simulate"], check=True
    )
    return {"median_s": median(times), "raw": times, "python_s": t_py, "import_s": t_imp}


# --------------------------------------------------------------------------- profile


@njit
def _noop_rng(rng):
    return 0


@njit
def _noop_all(
    rng,
    a0,
    a1,
    a2,
    a3,
    a4,
    a5,
    a6,
    a7,
    a8,
    a9,
    a10,
    a11,
    a12,
    a13,
    a14,
    a15,
    a16,
    a17,
    a18,
    o,
    s,
    tr,
):
    return 0


@njit
def _rng_exponential(rng, n):
    acc = 0.0
    for _ in range(n):
        acc += rng.exponential(1.0)
    return acc


@njit
def _rng_random(rng, n):
    acc = 0.0
    for _ in range(n):
        acc += rng.random()
    return acc


@njit
def heap_loop(rng, pending, n_events, capacity):
    """The ceiling: pop the earliest event, push its successor at an exponential gap."""
    times = np.empty(capacity, dtype=np.float64)
    ints = np.empty((capacity, 4), dtype=np.int64)
    state = np.zeros(2, dtype=np.int64)
    for e in range(pending):
        heap_push(times, ints, state, rng.exponential(float(pending)), 0, e, 0)
    acc = 0
    for _ in range(n_events):
        t, code, e, tag = heap_pop(times, ints, state)
        acc += code + e + tag
        heap_push(times, ints, state, t + rng.exponential(float(pending)), code, e, tag)
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


def kernel_only(compiled, n: int) -> tuple[float, float]:
    """(microseconds per replication inside ``run_replication`` calls, events/rep)."""
    args = compiled.kernel_args()
    out = np.empty((n, Y.N_OUT))
    scratch = np.zeros((compiled.n_steps, Y.N_SERIES))
    no_trace = np.zeros((0, 5))
    rngs = [replication_rng(SEED, 0, i) for i in range(n)]
    run_replication(replication_rng(SEED, 1, 0), *args, out[0], scratch, no_trace)
    t0 = time.perf_counter()
    for j in range(n):
        run_replication(rngs[j], *args, out[j], scratch, no_trace)
    dt_ = time.perf_counter() - t0
    return dt_ / n * 1e6, float(out[:, Y.O_EVENTS].mean())


def kyodo_pending() -> dict:
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1"}
    proc = subprocess.run(
        [sys.executable, "-c", KYODO_PROBE, str(SEED)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def profile(quick: bool) -> dict:
    n_calls = 20_000 if quick else 100_000
    _, ideal = ideal_scenario()
    kyodo = compile_scenario(load_scenario("kyodo-2021"))
    args = kyodo.kernel_args()
    out = np.empty(Y.N_OUT)
    scratch = np.zeros((kyodo.n_steps, Y.N_SERIES))
    no_trace = np.zeros((0, 5))
    rng = replication_rng(SEED, 0, 0)
    i = iter(range(10**9))
    res: dict[str, float] = {}
    res["seed_sequence_us"] = per_call_us(lambda: replication_rng(SEED, 0, next(i)), n_calls)
    res["dispatch_rng_only_us"] = per_call_us(lambda: _noop_rng(rng), n_calls)
    res["dispatch_all_args_us"] = per_call_us(
        lambda: _noop_all(rng, *args, out, scratch, no_trace), n_calls
    )
    n_draws = 2_000_000 if quick else 20_000_000
    _rng_exponential(rng, 10)
    _rng_random(rng, 10)
    t, _ = timed(_rng_exponential, rng, n_draws)
    res["rng_exponential_ns"] = t / n_draws * 1e9
    t, _ = timed(_rng_random, rng, n_draws)
    res["rng_random_ns"] = t / n_draws * 1e9

    us, ev = kernel_only(ideal, 5_000 if quick else 50_000)
    res["ideal_kernel_us_per_rep"] = us
    res["ideal_events_per_rep"] = ev
    us, ev = kernel_only(kyodo, 300 if quick else 3_000)
    res["kyodo_kernel_us_per_rep"] = us
    res["kyodo_events_per_rep"] = ev
    net = us - res["dispatch_all_args_us"]
    res["kyodo_kernel_ns_per_event"] = net / ev * 1e3
    res["kyodo_kernel_events_per_s"] = ev / net * 1e6

    pend = kyodo_pending()
    res["kyodo_pending_mean"] = pend["mean"]
    res["kyodo_pending_max"] = pend["max"]
    k = max(2, round(pend["mean"]))
    n_ev = 2_000_000 if quick else 20_000_000
    heap_loop(rng, k, 10, 4 * k)
    heap_loop_norng(k, 10, 4 * k)
    t, _ = timed(heap_loop, rng, k, n_ev, 4 * k)
    res["heap_loop_pending"] = k
    res["heap_loop_ns_per_event"] = t / n_ev * 1e9
    res["heap_loop_events_per_s"] = n_ev / t
    t, _ = timed(heap_loop_norng, k, n_ev, 4 * k)
    res["heap_loop_norng_ns_per_event"] = t / n_ev * 1e9
    res["kernel_vs_ceiling"] = res["kyodo_kernel_events_per_s"] / res["heap_loop_events_per_s"]
    # per-replication Python overhead in run_batch vs the whole replication (ideal case)
    res["ideal_overhead_us_per_rep"] = res["seed_sequence_us"] + res["dispatch_all_args_us"]
    _ = new_heap  # the kernel allocates its own heap; new_heap kept for reference
    return res


# --------------------------------------------------------------------------- report


def table(m: dict) -> str:
    pe, ky, ws, pr = m["peer"], m["kyodo"], m["warm_start"], m["profile"]

    def row(name, value, target, met):
        flag = "met" if met else "**not met**"
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
            "nansei / SimPy peer, end to end (incl. records)",
            f"{pe['ratio_end_to_end']:.1f}x ({pe['nansei_end_to_end_reps_per_s']:,.0f} reps/s)",
            ">= 100x",
            pe["ratio_end_to_end"] >= 100,
        ),
        row(
            "kyodo-2021 (30 d), 1 core",
            f"{ky['reps_per_s_1']:,.0f} reps/s",
            ">= 1,000 reps/s",
            ky["reps_per_s_1"] >= 1000,
        ),
        row(
            f"kyodo-2021, 2 workers / 1 ({ky['reps']:,} reps)",
            f"{ky['speedup_2']:.2f}x ({ky['reps_per_s_2']:,.0f} reps/s)",
            ">= 1.8x",
            ky["speedup_2"] >= 1.8,
        ),
        row(
            "warm start, fresh process, kyodo-2021 x1",
            f"{ws['median_s']:.2f} s",
            "< 1 s",
            ws["median_s"] < 1.0,
        ),
        row(
            "kernel events/s (kyodo, in-kernel) vs heap-loop ceiling",
            f"{pr['kyodo_kernel_events_per_s'] / 1e6:.2f} M/s vs "
            f"{pr['heap_loop_events_per_s'] / 1e6:.1f} M/s "
            f"({pr['kernel_vs_ceiling']:.0%})",
            "report",
            True,
        ),
    ]
    return "\n".join(lines)


def details(m: dict) -> str:
    pe, ky, ws, pr = m["peer"], m["kyodo"], m["warm_start"], m["profile"]
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
            "Profile (per call / per replication):",
            f"  SeedSequence + default_rng      {pr['seed_sequence_us']:.2f} us",
            f"  Numba dispatch, rng only        {pr['dispatch_rng_only_us']:.2f} us",
            f"  Numba dispatch, all 23 args     {pr['dispatch_all_args_us']:.2f} us",
            f"  rng.exponential in @njit        {pr['rng_exponential_ns']:.1f} ns",
            f"  rng.random in @njit             {pr['rng_random_ns']:.1f} ns",
            f"  ideal: run_replication call     {pr['ideal_kernel_us_per_rep']:.2f} us "
            f"({pr['ideal_events_per_rep']:.1f} events)",
            f"  kyodo: run_replication call     {pr['kyodo_kernel_us_per_rep']:.1f} us "
            f"({pr['kyodo_events_per_rep']:.0f} events, "
            f"{pr['kyodo_kernel_ns_per_event']:.0f} ns/event)",
            f"  kyodo pending events            mean {pr['kyodo_pending_mean']:.1f}, "
            f"max {pr['kyodo_pending_max']}",
            f"  heap loop, {pr['heap_loop_pending']} pending       "
            f"{pr['heap_loop_ns_per_event']:.1f} ns/event "
            f"({pr['heap_loop_norng_ns_per_event']:.1f} ns without RNG)",
            f"  pool start-up (2 workers)       {ky['pool_startup_s']:.2f} s; 2-worker speed-up "
            f"excluding start-up {ky['speedup_2_excl_startup']:.2f}x",
            f"  control: 2 concurrent heap loops / 1 = {m['machine_scaling']['ratio']:.2f}x",
            f"  warm start: python alone {ws['python_s']:.2f} s, import engine "
            f"{ws['import_s']:.2f} s, whole run {ws['median_s']:.2f} s",
        ]
    )


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    ap.add_argument("--out", type=Path, default=None, help="JSON path (default: results/)")
    a = ap.parse_args(argv)
    q = a.quick
    info = machine_info()
    print(f"machine: {info['cpu_model']}, {info['cores']} cores, {info['ram_gb']} GB", flush=True)
    m: dict = {"machine": info, "mode": "quick" if q else "full"}
    print("SimPy peer vs nansei ...", flush=True)
    m["peer"] = bench_peer(5_000 if q else 50_000, 1_000 if q else 10_000, 3 if q else 5)
    print("kyodo-2021, 1 and 2 workers ...", flush=True)
    m["kyodo"] = bench_kyodo(400 if q else 10_000, 2 if q else 3)
    print("machine 2-process scaling (control) ...", flush=True)
    m["machine_scaling"] = machine_scaling(5_000_000 if q else 50_000_000)
    print("warm start ...", flush=True)
    m["warm_start"] = bench_warm_start(3 if q else 5)
    print("profile ...", flush=True)
    m["profile"] = profile(q)
    text = table(m) + "\n" + details(m)
    print()
    print(text)
    path = a.out or RESULTS / f"engine-{info['date']}{'-quick' if q else ''}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(m, indent=2, default=float) + "\n")
    print(f"\nwrote {path}")
    if not m["peer"]["agree"]:
        print("WARNING: SimPy and nansei disagree on survival; the comparison is void")
    return m


if __name__ == "__main__":
    main()
