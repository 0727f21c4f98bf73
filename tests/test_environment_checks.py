"""Environment errors checked up front (issue 17, hole 8).

Output paths, the Dask scheduler address, the web port and the seed are checked before any
simulation starts, each failure one line naming the option (exit code 2, no traceback); a
write that fails (a full disk) leaves no temporary file behind.
"""

from __future__ import annotations

import resource
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from nansei.engine.simulate import simulate
from nansei.experiment import ExperimentError, sweep
from nansei.scenario import ScenarioError

EXP = """\
schema_version: 1
name: env
scenario: ideal-fixed-delay
replications: 20
batch_size: 10
seed: 1
"""


def _cli(*args: str, timeout: float = 240.0, preexec=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "nansei.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=preexec,
    )


def _one_line(proc: subprocess.CompletedProcess, code: int = 2) -> str:
    assert proc.returncode == code, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    return " ".join(lines[-1].split())


@pytest.fixture
def a_file(tmp_path: Path) -> Path:
    f = tmp_path / "taken"
    f.write_text("x")
    return f


def test_run_out_that_is_a_file_fails_before_simulating(a_file: Path) -> None:
    # 400,000 kyodo-2021 replications would take minutes: the check comes first
    proc = _cli("run", "kyodo-2021", "--reps", "400000", "--out", str(a_file))
    assert _one_line(proc) == f"--out: {a_file} is a file, not a directory"
    assert "simulating" not in proc.stderr + proc.stdout  # refused before any batch ran
    proc = _cli("run", "kyodo-2021", "--reps", "400000", "--out", str(a_file / "d"))
    err = _one_line(proc)
    assert err.startswith("--out: cannot create") and "is a file" in err
    assert "simulating" not in proc.stderr + proc.stdout


def test_seed_out_of_range_is_refused(tmp_path: Path) -> None:
    err = _one_line(_cli("run", "ideal-fixed-delay", "--reps", "10", "--seed", str(2**70)))
    assert err == f"--seed: {2**70} is out of range; allowed: 0 .. {2**63 - 1}"
    with pytest.raises(ScenarioError) as info:
        simulate("ideal-fixed-delay", replications=10, seed=2**64)
    assert info.value.paths() == ["seed"]
    with pytest.raises(ExperimentError) as info:
        sweep(EXP.replace("seed: 1", f"seed: {2**63}"), tmp_path / "s")
    assert info.value.paths() == ["seed"]


def test_sweep_out_that_is_a_file_is_one_line(tmp_path: Path, a_file: Path) -> None:
    exp = tmp_path / "e.yaml"
    exp.write_text(EXP)
    proc = _cli("sweep", str(exp), "--out", str(a_file))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert f"out: {a_file} is a file, not a directory" in " ".join(proc.stderr.split())


def test_unreachable_or_malformed_dask_scheduler(tmp_path: Path) -> None:
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    store = tmp_path / "s"
    with pytest.raises(ExperimentError) as info:
        sweep(EXP, store, f"dask=tcp://127.0.0.1:{port}")
    assert info.value.paths() == ["executor"]
    # the up-front check answered, not the Dask client's timeout and its traceback
    assert "cannot reach the Dask scheduler" in str(info.value)
    assert f"cannot reach the Dask scheduler at tcp://127.0.0.1:{port}" in str(info.value)
    assert not store.exists()
    with pytest.raises(ExperimentError, match="out of range"):
        sweep(EXP, store, "dask=tcp://127.0.0.1:99999")
    exp = tmp_path / "e.yaml"
    exp.write_text(EXP)
    err = _one_line(
        _cli("sweep", str(exp), "--out", str(store), "--executor", f"dask=127.0.0.1:{port}")
    )
    assert "cannot reach the Dask scheduler" in err


def test_analyze_csv_to_an_unwritable_path(tmp_path: Path) -> None:
    sweep(EXP, tmp_path / "s")
    err = _one_line(_cli("analyze", str(tmp_path / "s"), "--csv", str(tmp_path)))
    assert err == f"--csv: {tmp_path} is a directory, not a file"
    err = _one_line(_cli("analyze", str(tmp_path / "s"), "--csv", str(tmp_path / "no/x.csv")))
    assert err == f"--csv: folder {tmp_path / 'no'} does not exist"
    proc = _cli("analyze", str(tmp_path / "s"), "--csv", str(tmp_path / "ok.csv"))
    assert proc.returncode == 0 and (tmp_path / "ok.csv").read_text().startswith("design_point")


def test_serve_refuses_a_bad_port_or_a_file_as_store(tmp_path: Path, a_file: Path) -> None:
    err = _one_line(_cli("serve", "--store", str(tmp_path / "w"), "--port", "70000"))
    assert err == "--port: 70000 is out of range; allowed: 1 .. 65535"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        busy = s.getsockname()[1]
        err = _one_line(_cli("serve", "--store", str(tmp_path / "w"), "--port", str(busy)))
    assert err.startswith(f"--port: cannot listen on 127.0.0.1:{busy}")
    err = _one_line(_cli("serve", "--store", str(a_file)))
    assert err == f"--store: {a_file} is a file, not a directory"


def _small_file_limit() -> None:
    """A disk that fills up after 64 kB: writes past it fail with EFBIG."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64_000, 64_000))


def test_a_full_disk_leaves_no_temporary_file(tmp_path: Path) -> None:
    out = tmp_path / "run"
    proc = _cli("run", "ideal-fixed-delay", "--reps", "5000", "--out", str(out),
                preexec=_small_file_limit)  # fmt: skip
    err = _one_line(proc, code=1)
    assert err.startswith(f"--out: cannot write {out}: ") and "File too large" in err
    assert not [p.name for p in out.iterdir() if ".tmp-" in p.name]
