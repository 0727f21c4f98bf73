"""Writers of one store do not delete each other's work.

A temporary part belongs to its writer (host and pid in its name); opening a
store sweeps only temporaries whose writer is gone or that are older than
``STALE_TEMP_AGE_S``. ``compact`` and sweeps exclude each other through the
store lock, with a message, and a killed holder leaves no stale lock.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from nansei.experiment import ExperimentError, load_experiment, sweep
from nansei.experiment.design import make_design
from nansei.experiment.runner import compact_store, open_store
from nansei.store import ResultStore, StoreBusy
from nansei.store.parts import (
    STALE_TEMP_AGE_S,
    BatchKey,
    part_name,
    remove_stale_temporaries,
    temp_path,
    this_host,
)

EXP = """\
schema_version: 1
name: shards
scenario: ideal-fixed-delay
factors:
  red.p_kill: [0.3, 0.7]
design: {kind: full_factorial}
replications: 200
batch_size: 100
seed: 5
outputs: [launchers_lost]
"""


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_temporaries_of_live_or_foreign_writers_survive_opening_a_store(tmp_path) -> None:
    out = tmp_path / "s"
    sweep(EXP, out)
    res = out / "results"
    name = part_name(BatchKey(0, 0, 100))
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        host = this_host()
        live = res / f".{name}.tmp-{host}-{sleeper.pid}"  # a shard about to rename its part
        dead = res / f".{name}.tmp-{host}-{_dead_pid()}"  # killed writer on this host
        foreign = res / f".{name}.tmp-node17.cluster-{os.getpid()}"  # another host, recent
        foreign_old = res / f".{name}.tmp-node18.cluster-12345"  # another host, long silent
        legacy_old = res / f".{name}.tmp-4242"  # old-style name, long silent
        for p in (live, dead, foreign, foreign_old, legacy_old):
            p.write_bytes(b"partial")
        old = time.time() - STALE_TEMP_AGE_S - 60
        os.utime(foreign_old, (old, old))
        os.utime(legacy_old, (old, old))

        report = sweep(EXP, out)  # opens the store (a resume with nothing to do)
        assert report.batches_run == 0
        assert live.exists() and foreign.exists()
        assert not dead.exists() and not foreign_old.exists() and not legacy_old.exists()
        assert remove_stale_temporaries(res) == 0  # what is left belongs to live writers
    finally:
        sleeper.kill()
        sleeper.wait()
    assert remove_stale_temporaries(res) == 1  # the sleeper is gone now
    assert foreign.exists()


def test_a_writer_names_its_temporary_after_itself(tmp_path) -> None:
    tmp = temp_path(tmp_path / "x.parquet")
    assert tmp.name == f".x.parquet.tmp-{this_host()}-{os.getpid()}"


def test_compact_refuses_while_a_sweep_holds_the_store(tmp_path) -> None:
    out = tmp_path / "s"
    sweep(EXP, out)
    exp = load_experiment(EXP)
    running = open_store(exp, make_design(exp), out)  # what a sweep holds while it runs
    try:
        with pytest.raises(StoreBusy, match="a sweep is writing to this store"):
            compact_store(ResultStore.open(out))
        assert len(list((out / "results").glob("dp*-r*.parquet"))) == 4
    finally:
        running.close()
    assert compact_store(ResultStore.open(out)) == (2, 2)


def test_a_sweep_refuses_while_compact_holds_the_store(tmp_path) -> None:
    out = tmp_path / "s"
    sweep(EXP, out)
    code = (
        "import sys, time; from nansei.store import ResultStore; "
        "s = ResultStore.open(sys.argv[1]); s.lock(exclusive=True); print('locked', flush=True); "
        "time.sleep(60)"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code, str(out)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(ExperimentError, match="is being compacted") as exc:
            sweep(EXP, out)
        assert f"pid {holder.pid}" in str(exc.value)
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    # the kernel released the dead holder's lock: no stale lock file blocks the store
    assert sweep(EXP, out).status == "finished"
