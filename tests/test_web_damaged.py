"""The web page names a damaged stored part instead of failing, and recomputes it.

A real ``nansei serve`` runs a simulation; one of its Parquet parts is then
truncated on disk. The results page must answer (no HTTP 500, no traceback) and
name the part; downloads refuse with the same one-line reason; *Resume* is
allowed on the finished run, quarantines the part and restores every record.
"""

from __future__ import annotations

from tests.web_server import Server, launch, scenario_text, wait_status, web_client


def test_damaged_part_is_named_and_recomputed_on_resume(tmp_path):
    srv = Server(tmp_path / "ws")
    try:
        with web_client(srv.base, timeout=60) as c:
            rid = launch(c, scenario_text(), 100, seed=3, name="dmg")
            wait_status(c, rid)
            before = c.get(f"/runs/{rid}/records.csv").text
            results = srv.store / "runs" / rid / "store" / "results"
            parts = sorted(results.glob("dp*.parquet"))
            assert len(parts) == 5  # 20 replications per batch
            victim = parts[2]
            data = victim.read_bytes()
            victim.write_bytes(data[: len(data) // 2])

            r = c.get(f"/runs/{rid}/results")
            assert r.status_code == 200
            assert "Traceback" not in r.text and "Internal error" not in r.text
            assert f"results/{victim.name}: unreadable footer" in r.text
            assert 'id="recompute"' in r.text
            r = c.get(f"/runs/{rid}/records.csv")
            assert r.status_code == 409
            assert f"damaged part results/{victim.name}" in r.text
            assert "Traceback" not in r.text

            assert c.post(f"/runs/{rid}/resume").status_code == 303
            info = wait_status(c, rid)
            assert info["done"] == 100
            assert c.get(f"/runs/{rid}/records.csv").text == before
            assert list(
                (srv.store / "runs" / rid / "store" / "quarantine").glob(f"{victim.name}.*")
            )
            # a finished run without damage is still not resumable
            assert c.post(f"/runs/{rid}/resume").status_code == 409
    finally:
        srv.stop()
