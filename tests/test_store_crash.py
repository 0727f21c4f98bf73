"""kill -9 at random moments, then resume: exactly the records of an uninterrupted run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

from nansei.experiment import batch_keys, load_experiment, sweep
from nansei.store import ResultStore
from nansei.store.parts import BatchKey, all_name, part_name, this_host

EXP = """\
schema_version: 1
name: crash
scenario: ideal-fixed-delay
factors:
  red.p_kill: [0.2, 0.4, 0.6, 0.8]
design: {kind: full_factorial}
replications: 12000
batch_size: 100
seed: 99
outputs: [launchers_lost, red_strikes, time_first_loss_h]
"""

NANSEI = [sys.executable, "-c", "from nansei.cli import app; app()"]


def _count_parts(out: Path) -> int:
    d = out / "results"
    return len([p for p in d.glob("dp*.parquet")]) if d.exists() else 0


def test_kill9_then_resume_matches_uninterrupted(tmp_path) -> None:
    exp_file = tmp_path / "crash.yaml"
    exp_file.write_text(EXP)
    ref = tmp_path / "ref"
    sweep(exp_file, ref)
    total = len(batch_keys(load_experiment(exp_file), 4))
    out = tmp_path / "killed"
    rng = np.random.default_rng(20240607)
    mid = 0
    for _ in range(5):
        before = _count_parts(out)
        proc = subprocess.Popen(
            [*NANSEI, "sweep", str(exp_file), "--out", str(out)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        # wait until this run has stored something new, then kill at a random moment
        while _count_parts(out) <= before and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(float(rng.uniform(0.0, 0.6)))
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:  # the sweep finished before the kill
            pass
        proc.wait()
        n = _count_parts(out)
        mid += 0 < n < total
    assert mid >= 3, "the kills should land in the middle of the sweep"
    done = subprocess.run([*NANSEI, "sweep", str(exp_file), "--out", str(out)], check=False)
    assert done.returncode == 0
    store = ResultStore.open(out)
    rec = store.records(["launchers_lost"])
    assert len(rec) == 4 * 12000
    assert not rec.duplicated(["design_point", "replication"]).any()
    assert store.content_hash() == ResultStore.open(ref).content_hash()
    assert not list((out / "results").glob(".*tmp*"))  # temporaries cleaned on resume


def test_stale_temporaries_ignored_and_parts_idempotent(tmp_path) -> None:
    out = tmp_path / "s"
    small = EXP.replace("replications: 12000", "replications: 200")
    sweep(small, out)
    store = ResultStore.open(out)
    h = store.content_hash()
    # a writer killed mid-write leaves a temporary: never read, removed on resume
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    tmp_name = f".{part_name(BatchKey(0, 0, 100))}.tmp-{this_host()}-{dead.pid}"
    (out / "results" / tmp_name).write_bytes(b"junk")
    assert store.content_hash() == h
    # rerunning a stored batch (the crash window after rename) replaces it: no duplicate
    key = BatchKey(1, 100, 200)
    path = out / "results" / part_name(key)
    table = store.table()
    again = pa.Table.from_pandas(
        ResultStore.open(out).records().query("design_point == 1 and replication >= 100"),
        preserve_index=False,
    )
    store.write_part(key, again.cast(table.schema) if again.schema != table.schema else again)
    assert path.exists() and len(store.records()) == 800
    report = sweep(small, out)
    assert report.batches_run == 0 and report.batches_skipped == 8
    assert not list((out / "results").glob(".*tmp*"))


def test_compact_is_crash_safe(tmp_path) -> None:
    out = tmp_path / "c"
    small = EXP.replace("replications: 12000", "replications: 300")
    sweep(small, out)
    store = ResultStore.open(out)
    h = store.content_hash()
    # a compaction killed after its rename but before deleting the parts
    dp0 = store.table().filter(pa.compute.equal(store.table()["design_point"], 0))
    pa.parquet.write_table(dp0, out / "results" / all_name(0))
    assert store.content_hash() == h  # superseded parts are not read
    store.recover()
    assert not (out / "results" / part_name(BatchKey(0, 0, 100))).exists()
    from nansei.experiment.runner import compact_store

    n, files = compact_store(ResultStore.open(out))
    assert n == 3 and files == 4
    assert ResultStore.open(out).content_hash() == h
    assert sweep(small, out).batches_run == 0  # compacted design points count as done
