"""A server killed mid-run keeps its finished batches; the run resumes to the same data."""

from __future__ import annotations

from nansei.experiment import sweep
from nansei.store import ResultStore
from tests.web_server import Server, launch, scenario_text, wait_status, web_client

REPS = 4000


def test_restart_mid_run_keeps_batches_and_resumes(tmp_path):
    ws = tmp_path / "ws"
    srv = Server(ws)
    try:
        with web_client(srv.base, timeout=30) as c:
            rid = launch(c, scenario_text(), REPS, seed=5, name="restart")
            for _ in range(3000):
                info = c.get(f"/api/runs/{rid}").json()
                if info["done"] >= 200:
                    break
            assert info["status"] == "running"
    finally:
        srv.kill()  # a crash: no clean-up at all
    store_dir = ws / "runs" / rid / "store"
    partial = ResultStore.open(store_dir).records()
    assert 200 <= len(partial) < REPS, "the run finished before the kill"
    assert partial["replication"].is_unique
    assert len(partial) % 20 == 0  # whole batches only

    srv = Server(ws)
    try:
        with web_client(srv.base, timeout=60) as c:
            info = c.get(f"/api/runs/{rid}").json()
            assert info["status"] == "interrupted"
            assert info["done"] >= len(partial)
            page = c.get(f"/runs/{rid}/results").text
            assert "these are the completed batches" in page
            assert c.post(f"/runs/{rid}/resume").status_code == 303
            assert wait_status(c, rid)["done"] == REPS
            assert len(c.get(f"/runs/{rid}/records.csv").text.strip().splitlines()) == REPS + 1
    finally:
        srv.stop()
    resumed = ResultStore.open(store_dir)
    assert sorted(resumed.records()["replication"]) == list(range(REPS))
    # the same experiment run straight through gives bitwise the same records
    import json

    exp = json.loads((ws / "runs" / rid / "run.json").read_text())["experiment"]
    sweep(exp, tmp_path / "straight")
    assert ResultStore.open(tmp_path / "straight").content_hash() == resumed.content_hash()
