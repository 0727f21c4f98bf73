"""Evacuation-only runs: the civil-protection sub-model without the fighting.

:func:`simulate_evacuation` compiles the scenario's ``civil`` section and runs
:func:`nansei.engine.evacuation.run_evacuation` once per replication with empty combat logs,
or with hand-made ones: a gateway closure (``gw_log`` row), strikes starting at a given time
(``strike_log`` rows), launcher stays (``stay_log`` rows). Coupled runs call
``run_evacuation`` from the combat batch kernel with the kernel's own logs.

Examples
--------
>>> res = simulate_evacuation("sakishima-evacuation-2025", replications=2, seed=1)
>>> int(res.records["evac_evacuated"].iloc[0])
117339
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from nansei.engine.compile_civil import CompiledCivil, compile_civil
from nansei.engine.evacuation import run_evacuation
from nansei.engine.rng import STATE_WORDS, entropy_words

__all__ = ["EvacResults", "empty_logs", "run_evacuation_batch", "simulate_evacuation"]


@dataclass
class EvacResults:
    """What :func:`simulate_evacuation` returns.

    Attributes
    ----------
    records : pandas.DataFrame
        One row per replication: ``scenario``, ``design_point``, ``replication``, ``seed``,
        then :attr:`CompiledCivil.output_names`.
    series : pandas.DataFrame
        Long table: ``replication``, ``day`` (0-based), ``t_end_h`` and
        :attr:`CompiledCivil.series_names`.
    compiled : CompiledCivil
        The compiled sub-model (names, provenance).
    meta : dict
        Scenario, seed, replications, authority time, wall time.
    """

    records: pd.DataFrame
    series: pd.DataFrame
    compiled: CompiledCivil
    meta: dict = field(default_factory=dict)


def empty_logs() -> dict[str, np.ndarray]:
    """Empty ``gw_log`` (0, 3), ``strike_log`` (0, 4) and ``stay_log`` (0, 4)."""
    return {
        "gw_log": np.zeros((0, 3)),
        "strike_log": np.zeros((0, 4)),
        "stay_log": np.zeros((0, 4)),
    }


def _log(a, width: int, name: str) -> np.ndarray:
    arr = np.zeros((0, width)) if a is None else np.asarray(a, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[1] != width:
        raise ValueError(f"{name} must have shape (n, {width}), got {arr.shape}")
    return np.ascontiguousarray(arr)


def run_evacuation_batch(
    cc: CompiledCivil,
    seed: int,
    design_point: int,
    replications: range,
    authority_h: float,
    gw_log: np.ndarray,
    strike_log: np.ndarray,
    stay_log: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Run replications; return ``out`` (R, n_out) and ``series`` (R, n_days, n_series)."""
    ent = entropy_words(seed)
    st = np.zeros(STATE_WORDS, dtype=np.uint64)
    args = cc.evac_args()
    reps = list(replications)
    out = np.zeros((len(reps), len(cc.output_names)))
    ser = np.zeros((len(reps), cc.n_days, len(cc.series_names)))
    for k, rep in enumerate(reps):
        run_evacuation(
            st,
            ent,
            design_point,
            rep,
            *args,
            float(authority_h),
            gw_log,
            gw_log.shape[0],
            strike_log,
            strike_log.shape[0],
            stay_log,
            stay_log.shape[0],
            out[k],
            ser[k],
        )
    return out, ser


def simulate_evacuation(
    scenario,
    replications: int,
    seed: int,
    design_point: int = 0,
    *,
    authority_h: float | None = None,
    gw_log=None,
    strike_log=None,
    stay_log=None,
    workers: int = 1,
) -> EvacResults:
    """Run the evacuation sub-model alone.

    Parameters
    ----------
    scenario : str, path, mapping or Scenario
        Anything :func:`nansei.scenario.load_scenario` takes, with ``civil.enabled``.
    replications : int
        Number of replications (≥ 1).
    seed : int
        Root seed; replication ``i`` uses the sub-stream ``(design_point, i, 1)``.
    design_point : int
        Design point of the spawn key.
    authority_h : float, optional
        Time (h) from which the order is lawful; default from the scenario's timeline
        (:func:`nansei.engine.compile_civil.evacuation_authority_h`).
    gw_log : array_like (n, 3), optional
        ``[gateway index, t_close_h, t_reopen_h]`` closures; gateway indices from
        :meth:`CompiledCivil.gateway_index`.
    strike_log : array_like (n, 4), optional
        ``[t_h, site index, island index, leaked]`` strikes; the first one sets
        "residents remaining at the first strike". Use site index -1 for a strike that is
        only a time marker.
    stay_log : array_like (n, 4), optional
        ``[launcher, site, t_start_h, t_end_h]`` launcher stays.
    workers : int
        Accepted for interface compatibility with :func:`nansei.simulate`; runs in-process.

    Returns
    -------
    EvacResults
    """
    from nansei.scenario import Scenario, load_scenario

    if int(replications) < 1:
        raise ValueError(f"replications must be >= 1, got {replications}")
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    t0 = time.perf_counter()
    cc = compile_civil(sc)
    auth = cc.authority_h if authority_h is None else float(authority_h)
    gl = _log(gw_log, 3, "gw_log")
    sl = _log(strike_log, 4, "strike_log")
    yl = _log(stay_log, 4, "stay_log")
    out, ser = run_evacuation_batch(
        cc, int(seed), int(design_point), range(int(replications)), auth, gl, sl, yl
    )
    reps = np.arange(int(replications))
    records = pd.DataFrame(out, columns=list(cc.output_names))
    records.insert(0, "seed", int(seed))
    records.insert(0, "replication", reps)
    records.insert(0, "design_point", int(design_point))
    records.insert(0, "scenario", sc.name)
    n_days = cc.n_days
    series = pd.DataFrame(ser.reshape(-1, len(cc.series_names)), columns=list(cc.series_names))
    series.insert(0, "t_end_h", np.tile((np.arange(n_days) + 1) * 24.0, int(replications)))
    series.insert(0, "day", np.tile(np.arange(n_days), int(replications)))
    series.insert(0, "replication", np.repeat(reps, n_days))
    meta = {
        "scenario": sc.name,
        "seed": int(seed),
        "replications": int(replications),
        "design_point": int(design_point),
        "authority_h": auth if math.isfinite(auth) else None,
        "wall_s": time.perf_counter() - t0,
    }
    return EvacResults(records=records, series=series, compiled=cc, meta=meta)
