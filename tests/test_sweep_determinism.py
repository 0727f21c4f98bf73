"""Same experiment and seed => bitwise-identical records, whatever the executor or worker count."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nansei.engine.simulate import simulate
from nansei.experiment import load_experiment, sweep
from nansei.experiment.paths import set_path
from nansei.scenario import load_scenario
from nansei.store import ResultStore

EXP = """\
schema_version: 1
name: determinism
scenario: ideal-fixed-delay
factors:
  red.p_kill: [0.3, 0.8]
  blue.relocation.dwell_h: {low: 2, high: 6, levels: 2}
design: {kind: full_factorial}
replications: 60
batch_size: 20
seed: 424242
"""


@pytest.fixture(scope="module")
def local1(tmp_path_factory) -> ResultStore:
    out = tmp_path_factory.mktemp("det") / "local1"
    report = sweep(EXP, out, "local", 1)
    assert report.status == "finished" and report.batches_run == 12
    return ResultStore.open(out)


def test_local_two_workers_and_dask_match_one_worker(local1, tmp_path) -> None:
    ref = local1.content_hash()
    sweep(EXP, tmp_path / "local2", "local", 2)
    assert ResultStore.open(tmp_path / "local2").content_hash() == ref
    # A real Dask LocalCluster on loopback: 2 worker processes, 1 thread each.
    sweep(EXP, tmp_path / "dask", "dask", 2)
    assert ResultStore.open(tmp_path / "dask").content_hash() == ref


def test_shards_together_match(local1, tmp_path) -> None:
    out = tmp_path / "shards"
    for k in range(3):
        assert sweep(EXP, out, f"shard {k}/3", 1).status == "partial"
    assert ResultStore.open(out).content_hash() == local1.content_hash()
    assert sweep(EXP, out).batches_run == 0  # everything already stored


def test_records_match_simulate_with_the_seed_contract(local1) -> None:
    """Design point dp, replication i uses SeedSequence(seed, spawn_key=(dp, i))."""
    rec = local1.records()
    assert len(rec) == 4 * 60
    assert not rec.duplicated(["design_point", "replication"]).any()
    exp = load_experiment(EXP)
    design = local1.design()
    for dp in (0, 3):
        row = design.loc[design.design_point == dp].iloc[0]
        data = exp.base_scenario()
        for path in exp.factors:
            data = set_path(data, path, row[f"factor.{path}"])
        res = simulate(load_scenario(data), 60, exp.seed, design_point=dp)
        mine = rec[rec.design_point == dp].reset_index(drop=True)
        theirs = res.records
        for col in theirs.columns:
            if col == "run_id":
                continue
            a, b = mine[col].to_numpy(), theirs[col].to_numpy()
            if a.dtype.kind == "f":
                np.testing.assert_array_equal(a, b)  # bitwise, NaN == NaN
            else:
                assert list(a) == list(b), col


def test_store_query_and_factor_columns(local1) -> None:
    q = local1.query(
        'SELECT "factor.red.p_kill" AS p, count(*) AS n, avg(launchers_lost) AS lost '
        "FROM records GROUP BY 1 ORDER BY 1"
    )
    assert q["n"].tolist() == [120, 120]
    rec = local1.records()
    direct = rec.groupby("factor.red.p_kill")["launchers_lost"].mean().to_numpy()
    np.testing.assert_allclose(q["lost"].to_numpy(), direct)
    assert isinstance(rec, pd.DataFrame) and "factor.blue.relocation.dwell_h" in rec


def test_run_experiment_returns_tables() -> None:
    import nansei

    res = nansei.run_experiment(EXP.replace("replications: 60", "replications: 20"))
    assert len(res.records) == 80 and res.out is None
    s = res.summary(["launchers_lost"])
    assert len(s) == 4 and {"factor.red.p_kill", "mean", "ci_low", "ci_high"} <= set(s.columns)
