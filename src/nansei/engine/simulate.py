"""Drive replications of the kernel: seeds, batches, worker processes.

Replication ``i`` of design point ``dp`` always uses the stream of
``PCG64(SeedSequence(seed, spawn_key=(dp, i)))``, computed inside the kernel
by :mod:`nansei.engine.rng`, so results do not depend on the batch size, the
executor or the number of workers.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from nansei.engine import layout as Y
from nansei.engine.compile import Compiled, compile_scenario
from nansei.engine.kernel import run_batch_kernel
from nansei.engine.results import Results, series_frame, trace_frame
from nansei.engine.rng import entropy_words, new_stream
from nansei.scenario.resolve import gazetteer_file, geodata
from nansei.version import __version__

TRACE_CAPACITY = 200_000
_NO_TRACE = np.zeros((0, 5))
MAX_WORKERS = 256
#: Target duration of one kernel call (s): Ctrl-C is seen between calls (:func:`run_batch`).
CALL_TARGET_S = 0.2

Progress = Callable[[int, int], None]


def replication_rng(seed: int, design_point: int, replication: int) -> np.ndarray:
    """The stream state of one replication (the reproducibility contract).

    Its uniforms equal ``default_rng(SeedSequence(seed, spawn_key=(design_point,
    replication))).random()`` value for value.
    """
    return new_stream(seed, design_point, replication)


def run_batch(
    compiled: Compiled,
    seed: int,
    design_point: int,
    start: int,
    stop: int,
    want_series: bool = False,
    chunk: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Run replications ``start .. stop-1``.

    The kernel holds the interpreter until it returns, so Ctrl-C is only seen between two
    kernel calls. The batch is therefore run in calls of ``chunk`` replications, or, by
    default, of as many as last about :data:`CALL_TARGET_S` at the speed measured on the
    batch's previous calls (the first call runs one replication). Results do not depend on
    the split: each replication seeds its own stream.

    Returns
    -------
    tuple
        ``(out (n, len(compiled.output_names)) float64,
        series (n, n_steps, len(compiled.series_names)) float64)``;
        series has 0 steps unless ``want_series``. With civil protection the
        evacuation's outputs follow the combat outputs (and its daily series
        follow the combat series when ``compiled.series_merged``).
    """
    n = stop - start
    out = np.empty((n, Y.N_OUT_KERNEL), dtype=np.float64)
    n_steps = compiled.n_steps
    series = np.zeros((n if want_series else 0, n_steps, Y.N_SERIES), dtype=np.float64)
    scratch = np.zeros((n_steps, Y.N_SERIES), dtype=np.float64)
    n_ev, n_ev_ser = len(compiled.evac_output_names), len(compiled.evac_series_names)
    keep_ev = want_series and compiled.series_merged
    out_ev = np.zeros((n, n_ev), dtype=np.float64)
    series_ev = np.zeros((n if keep_ev else 0, compiled.n_days, n_ev_ser), dtype=np.float64)
    scratch_ev = np.zeros((compiled.n_days, n_ev_ser), dtype=np.float64)
    entropy, model, evac = entropy_words(seed), compiled.model(), compiled.evac()
    size = max(1, int(chunk)) if chunk is not None else 1
    a = 0
    while a < n:
        b = min(a + size, n)
        t0 = time.perf_counter()
        # row slices of C-contiguous arrays stay C-contiguous: the same compiled signature
        run_batch_kernel(
            entropy, design_point, start + a, model, evac, out[a:b],
            series[a:b] if want_series else series, scratch, out_ev[a:b],
            series_ev[a:b] if keep_ev else series_ev, scratch_ev, _NO_TRACE,
        )  # fmt: skip
        dt = time.perf_counter() - t0
        flags = out[a:b, Y.O_OVERFLOW]
        if np.any(flags > 0):  # an invalid run: stop at once, as the kernel does in a call
            out[b:, :] = np.nan
            out[b:, Y.O_OVERFLOW] = flags[flags > 0][0]
            break
        if chunk is None:  # the next call lasts about CALL_TARGET_S (grows 8x at most)
            per_rep = dt / (b - a)
            size = int(min(8 * size, max(1.0, CALL_TARGET_S / max(per_rep, 1e-9))))
        a = b
    out = out[:, : len(compiled.combat_output_names)]  # scripted outputs: with events only
    if n_ev:
        out = np.concatenate([out, out_ev], axis=1)
    if keep_ev:
        series = np.concatenate([series, series_ev], axis=2)
    if not want_series:
        series = np.zeros((n, 0, len(compiled.series_names)), dtype=np.float64)
    return out, series


def load_kernel(compiled: Compiled) -> float:
    """Compile the kernel, or load it from the cache, before a timed run; seconds taken.

    Runs one throwaway replication (seed 0), about a millisecond once the kernel is
    loaded. Under ``NUMBA_DISABLE_JIT=1`` there is nothing to load (0.0).
    """
    from numba import config

    if config.DISABLE_JIT:
        return 0.0
    t = time.perf_counter()
    run_batch(compiled, 0, 0, 0, 1)
    return time.perf_counter() - t


def run_trace(compiled: Compiled, seed: int, design_point: int = 0, replication: int = 0):
    """Event trace of one replication, ``(rows, 5)`` float64 (a batch of one)."""
    n_ev, n_ev_ser = len(compiled.evac_output_names), len(compiled.evac_series_names)
    out = np.empty((1, Y.N_OUT_KERNEL))
    series = np.zeros((0, compiled.n_steps, Y.N_SERIES))
    scratch = np.zeros((compiled.n_steps, Y.N_SERIES))
    scratch_ev = np.zeros((compiled.n_days, n_ev_ser))
    trace = np.zeros((TRACE_CAPACITY, 5))
    n = run_batch_kernel(
        entropy_words(seed), design_point, replication, compiled.model(), compiled.evac(),
        out, series, scratch, np.zeros((1, n_ev)), np.zeros((0, compiled.n_days, n_ev_ser)),
        scratch_ev, trace,
    )  # fmt: skip
    return trace[:n]


def _batches(total: int, workers: int) -> list[tuple[int, int]]:
    """Replication ranges: about 20 per worker, 50 to 2,000 replications each; with several
    workers the last ``workers`` ranges are split in four (25 or more each), so that the
    workers finish close together.

    Results do not depend on the split (each replication seeds its own stream).
    """
    size = int(np.clip(total // max(workers * 20, 1), 50, 2000))
    out = [(a, min(a + size, total)) for a in range(0, total, size)]
    if workers > 1 and len(out) > 2 * workers:
        tail = out[-workers:]
        del out[-workers:]
        for a, b in tail:
            step = max(-(-(b - a) // 4), 25)
            out += [(c, min(c + step, b)) for c in range(a, b, step)]
    return out


def run_id(compiled: Compiled, seed: int, replications: int) -> str:
    """Short content hash identifying a run (scenario, seed, replications, version)."""
    text = json.dumps([compiled.fingerprint, seed, replications, __version__])
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def simulate(
    scenario,
    replications: int | None = None,
    seed: int | None = None,
    workers: int = 1,
    *,
    design_point: int = 0,
    series: bool = False,
    trace: bool = False,
    progress: Progress | None = None,
    overrides=None,
) -> Results:
    """Simulate a scenario.

    Parameters
    ----------
    scenario : Scenario, str or path
        A validated scenario, a built-in name or a YAML file.
    replications : int, optional
        Number of replications (default: the scenario's ``run.replications``).
    seed : int, optional
        Root seed (default: the scenario's ``run.seed``).
    workers : int
        Worker processes; 1 runs in this process.
    design_point : int
        Design point index used in the seed's spawn key.
    series : bool
        Also return the per-step series (``run.series_step_h``).
    trace : bool
        Also return the event trace of replication 0.
    progress : callable, optional
        Called as ``progress(done, total)`` after each batch.
    overrides : mapping, optional
        ``{dotted path: value}`` applied to the scenario and validated with it, e.g.
        ``{"red.kill_chain.delay_h.median": 4, "blue.launchers[0].count": 6}``
        (see :mod:`nansei.scenario.overrides`). They change the scenario, hence the
        run id; ``meta["overrides"]`` lists them.

    Returns
    -------
    Results
    """
    from nansei.scenario import load_scenario
    from nansei.scenario.errors import problem_error

    if overrides is not None:
        from nansei.scenario.overrides import normalize_overrides

        overrides = normalize_overrides(overrides)
    sc = scenario if hasattr(scenario, "run") and not overrides else None
    if sc is None:
        sc = load_scenario(scenario, overrides=overrides or None)
    reps = sc.run.replications if replications is None else int(replications)
    root = sc.run.seed if seed is None else int(seed)
    if not 1 <= reps <= 10_000_000:
        raise problem_error("replications", reps, "must be between 1 and 10,000,000")
    if not 0 <= root <= 2**63 - 1:
        raise problem_error("seed", root, "must be an integer in 0 .. 2**63 - 1")
    if not 1 <= workers <= MAX_WORKERS:
        raise problem_error("workers", workers, f"must be between 1 and {MAX_WORKERS}")
    compiled = compile_scenario(sc)
    from nansei.limits import check_run

    check_run(compiled, reps, series, workers)  # refuse before running what cannot fit

    # the kernel's compile (first run on a machine) or cache load is not part of the rate;
    # with workers, each loads it on its first batch, inside the timed loop (None: not apart)
    load_s = load_kernel(compiled) if workers == 1 else None
    t0 = time.perf_counter()
    outs: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    batches = _batches(reps, workers)
    done = 0
    if workers == 1:
        for a, b in batches:
            outs[a] = run_batch(compiled, root, design_point, a, b, series)
            done += b - a
            if progress:
                progress(done, reps)
    else:
        from contextlib import nullcontext

        from nansei.workerpool import die_with_parent, pool_for

        # A pool forked early by the CLI (workerpool.prestart) has done Numba's start-up
        # and is shared with the command's later stages: not shut down here.
        pool, owned = pool_for(workers, die_with_parent)
        with pool if owned else nullcontext(pool):
            try:
                futs = {
                    pool.submit(run_batch, compiled, root, design_point, a, b, series): (a, b)
                    for a, b in batches
                }
                for fut in _as_completed(futs):
                    a, b = futs[fut]
                    outs[a] = fut.result()
                    done += b - a
                    if progress:
                        progress(done, reps)
            except BaseException:
                # Ctrl-C or a failed batch: stop the workers now rather than wait for the
                # batches they are running
                from nansei.workerpool import terminate

                terminate(pool)
                raise
    wall = time.perf_counter() - t0
    out = np.concatenate([outs[a][0] for a, _ in batches])
    check_overflow(out, compiled, sc.name)
    rid = run_id(compiled, root, reps)
    records = records_frame(out, compiled, rid, sc.name, root, design_point)
    ser = None
    if series:
        arr = np.concatenate([outs[a][1] for a, _ in batches])
        ser = series_frame(arr, compiled.step_h, np.arange(reps), compiled.series_names)
    tr = None
    if trace:
        tr = trace_frame(run_trace(compiled, root, design_point), Y.EVENT_NAMES, compiled.site_ids)
    meta = {
        "run_id": rid,
        "scenario": sc.name,
        "seed": root,
        "design_point": design_point,
        "replications": reps,
        "workers": workers,
        "wall_s": wall,
        "reps_per_s": reps / wall if wall > 0 else float("nan"),
        "kernel_load_s": load_s,
        "nansei_version": __version__,
        "numpy_version": np.__version__,
        "params": compiled.params,
    }
    if overrides:
        meta["overrides"] = dict(overrides)
    gfile = gazetteer_file(sc)
    if gfile is not None:  # a user's gazetteer: which file, and which content
        meta["gazetteer"] = {"file": gfile, "sha256": geodata(sc).source.sha256}
    return Results(records=records, series=ser, trace=tr, meta=meta)


def check_overflow(out: np.ndarray, compiled: Compiled, name: str, where: str = "") -> None:
    """Raise a one-line error if a replication overflowed a capacity or the event cap.

    Parameters
    ----------
    out : ndarray (n, N_OUT)
        Records of a batch.
    compiled : Compiled
    name : str
        Scenario name, for the message.
    where : str
        Prefix naming the design point, for experiments.
    """
    from nansei.scenario.errors import problem_error

    flags = out[:, Y.O_OVERFLOW]
    label = f"scenario '{name}': " if name else ""
    if np.any(flags == 2):
        cap = int(compiled.arrays["ip"][Y.I_EVENT_CAP])
        raise problem_error(
            "blue.relocation.dwell_h",
            name,
            f"{where}{label}a replication processed more than {cap:,} events "
            "without reaching the horizon, a cycle of zero or near-zero length; check "
            "blue.relocation.dwell_h, blue.launchers[*].setup_h and teardown_h, "
            "blue.relocation.fixed_move_h and blue.fires.salvo_interval_h",
        )
    if np.any(flags > 0):
        raise RuntimeError(
            f"{where}an internal capacity of the kernel was exceeded; reduce target arrival "
            "rates or report this scenario as a bug"
        )


def _mp_context():
    """``fork`` where the platform has it and this process runs a single thread
    (workers inherit the imported, compiled kernel: start-up in milliseconds);
    otherwise ``spawn``, since forking a threaded process can deadlock."""
    import multiprocessing as mp
    import threading

    fork = "fork" in mp.get_all_start_methods() and threading.active_count() == 1
    return mp.get_context("fork" if fork else "spawn")


def _as_completed(futs):
    from concurrent.futures import as_completed

    return as_completed(futs)


def records_frame(
    out: np.ndarray,
    compiled: Compiled,
    rid: str,
    name: str,
    seed: int,
    dp: int,
    first_replication: int = 0,
) -> pd.DataFrame:
    """Flat, self-describing records from the kernel's output matrix.

    Parameters
    ----------
    out : ndarray, shape (n, N_OUT)
        Rows of replications ``first_replication .. first_replication + n - 1``.
    compiled, rid, name, seed, dp
        The compiled scenario, run id, scenario name, root seed and design point.
    """
    n = out.shape[0]
    df = pd.DataFrame(out, columns=list(compiled.output_names))
    for c in Y.INTEGER_OUTPUTS:
        if c in df.columns:  # scripted outputs only with scripted events
            df[c] = df[c].astype(np.int64)
    front = pd.DataFrame(
        {
            "run_id": [rid] * n,
            "scenario": [name] * n,
            "design_point": np.full(n, dp, dtype=np.int64),
            "replication": np.arange(first_replication, first_replication + n, dtype=np.int64),
            "seed": np.full(n, seed, dtype=np.int64),
        }
    )
    params = pd.DataFrame({f"param.{k}": [v] * n for k, v in compiled.params.items()})
    return pd.concat([front, params, df], axis=1)
