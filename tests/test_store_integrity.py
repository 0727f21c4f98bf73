"""Stored data are checked, not trusted: damaged parts are named, quarantined and recomputed.

Each test damages a real store written by :func:`nansei.experiment.sweep` the way a
disk, a full file system or a careless copy would (truncation, flipped bytes, a
part holding other rows), then checks that ``status``, ``analyze``,
``status --hash`` and ``compact`` name the part in one line instead of a pyarrow
traceback, and that resuming the sweep moves it to ``quarantine/`` and
recomputes exactly its batch (the content hash equals an undamaged run's).
"""

from __future__ import annotations

import subprocess
import sys

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from nansei.cli import app
from nansei.experiment import sweep
from nansei.experiment.runner import compact_store, store_status
from nansei.store import DamagedPartError, ResultStore
from nansei.store.parts import BatchKey, all_name, part_name

EXP = """\
schema_version: 1
name: integrity
scenario: ideal-fixed-delay
factors:
  red.p_kill: [0.3, 0.7]
design: {kind: full_factorial}
replications: 300
batch_size: 100
seed: 7
outputs: [launchers_lost, red_strikes, time_first_loss_h]
"""

VICTIM = part_name(BatchKey(1, 100, 200))


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    out = tmp_path_factory.mktemp("ref") / "store"
    sweep(EXP, out)
    return ResultStore.open(out).content_hash()


def _fresh(tmp_path):
    out = tmp_path / "store"
    sweep(EXP, out)
    return out


def _truncate(path, keep: float = 0.5) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


def _one_line_naming(text: str, name: str) -> None:
    assert "Traceback" not in text and "pyarrow.lib" not in text
    lines = [ln for ln in text.splitlines() if name in ln]
    assert lines, text
    assert "damaged part" in lines[0]


def test_truncated_part_is_named_everywhere_then_quarantined_and_recomputed(
    tmp_path, reference
) -> None:
    out = _fresh(tmp_path)
    victim = out / "results" / VICTIM
    _truncate(victim)

    info = store_status(ResultStore.open(out), content_hash=True)
    assert info["batches_done"] == 5 and info["batches_total"] == 6
    assert not info["complete"]
    assert info["content_hash"] is None
    [d] = info["damaged_parts"]
    assert d["part"] == f"results/{VICTIM}" and "unreadable footer" in d["error"]

    runner = CliRunner()
    r = runner.invoke(app, ["status", str(out), "--hash"])
    assert r.exit_code == 2
    _one_line_naming(r.stderr, VICTIM)
    r = runner.invoke(app, ["analyze", str(out)])
    assert r.exit_code == 2
    _one_line_naming(r.stderr, VICTIM)
    assert r.stderr.count("\n") == 1
    r = runner.invoke(app, ["compact", str(out)])
    assert r.exit_code == 2
    _one_line_naming(r.stderr, VICTIM)
    assert len(list((out / "results").glob("dp*-r*.parquet"))) == 6  # compact touched nothing
    with pytest.raises(DamagedPartError, match=VICTIM):
        ResultStore.open(out).query("SELECT count(*) FROM records")

    # status only reports; resuming moves the part aside and recomputes its batch
    assert victim.exists()
    report = sweep(EXP, out)
    assert report.batches_run == 1 and report.batches_skipped == 5
    assert report.extra["quarantined"][0].startswith(f"results/{VICTIM}: unreadable footer")
    moved = list((out / "quarantine").glob(f"{VICTIM}.*"))
    assert len(moved) == 1 and moved[0].stat().st_size > 0
    assert VICTIM in (out / "quarantine" / "quarantine.log").read_text()
    store = ResultStore.open(out)
    assert store.verify() == []
    assert store.content_hash() == reference
    assert store_status(store)["complete"]


def _rewrite(path, table: pa.Table, keep_footer_metadata: bool) -> None:
    if keep_footer_metadata:
        meta = pq.ParquetFile(path).metadata.metadata
        table = table.replace_schema_metadata(meta)
    pq.write_table(table, path, compression="zstd")


def test_changed_values_rows_and_keys_are_caught(tmp_path, reference) -> None:
    out = _fresh(tmp_path)
    res = out / "results"
    # 1. same shape, one value changed (decodes fine): only the checksum can tell
    p1 = res / part_name(BatchKey(0, 0, 100))
    t = pq.read_table(p1)
    lost = t.column("launchers_lost").to_pylist()
    lost[17] += 1
    t = t.set_column(t.schema.get_field_index("launchers_lost"), "launchers_lost", pa.array(lost))
    _rewrite(p1, t, keep_footer_metadata=True)
    # 2. rows lost (a valid Parquet file, no checksum)
    p2 = res / part_name(BatchKey(0, 100, 200))
    _rewrite(p2, pq.read_table(p2).slice(0, 60), keep_footer_metadata=False)
    # 3. another batch's rows under this name (a bad copy)
    p3 = res / part_name(BatchKey(1, 0, 100))
    _rewrite(p3, pq.read_table(res / part_name(BatchKey(1, 100, 200))), False)

    reasons = {d.path.name: d.reason for d in ResultStore.open(out).verify()}
    assert reasons.keys() == {p1.name, p2.name, p3.name}
    assert "checksum mismatch" in reasons[p1.name]
    assert reasons[p2.name] == "holds 60 rows; its name says 100"
    assert "replications 100..199" in reasons[p3.name] and "0..99" in reasons[p3.name]
    with pytest.raises(DamagedPartError):
        ResultStore.open(out).records()
    report = sweep(EXP, out)
    assert report.batches_run == 3
    assert ResultStore.open(out).content_hash() == reference


def test_compacted_file_carries_a_checksum_and_is_checked(tmp_path, reference) -> None:
    out = _fresh(tmp_path)
    n, files = compact_store(ResultStore.open(out))
    assert (n, files) == (2, 2)
    full = out / "results" / all_name(0)
    assert b"nansei.sha256" in pq.ParquetFile(full).metadata.metadata
    assert ResultStore.open(out).verify() == []
    # flip one byte inside the data pages
    data = bytearray(full.read_bytes())
    data[len(data) // 3] ^= 0xFF
    full.write_bytes(bytes(data))
    [d] = ResultStore.open(out).verify()
    assert d.path.name == all_name(0)
    info = store_status(ResultStore.open(out))
    assert info["batches_done"] == 3  # design point 1 only
    report = sweep(EXP, out)
    assert report.batches_run == 3  # every batch of the quarantined design point
    assert ResultStore.open(out).content_hash() == reference


def test_a_killed_run_shows_as_interrupted(tmp_path) -> None:
    out = _fresh(tmp_path)
    code = (
        "import sys; from nansei.store.meta import MetaDB; "
        "MetaDB(sys.argv[1]).begin_run('local', 1, 6)"  # exits without end_run: a kill
    )
    subprocess.run([sys.executable, "-c", code, str(out / "meta.sqlite")], check=True)
    runs = store_status(ResultStore.open(out))["runs"]
    assert [r["status"] for r in runs] == ["finished", "interrupted"]
