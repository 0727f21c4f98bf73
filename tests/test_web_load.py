"""Bounded load test on loopback: 20 concurrent clients browse results with no errors."""

from __future__ import annotations

from benchmarks.bench_web import browse_paths, load

from tests.web_server import Server, launch, scenario_text, wait_status, web_client


def test_twenty_clients_browse_results_without_errors(tmp_path):
    srv = Server(tmp_path / "ws")
    try:
        with web_client(srv.base, timeout=60) as c:
            a = launch(c, scenario_text(), 200, seed=1, name="a")
            b = launch(c, scenario_text().replace("  p_kill: 0.8", "  p_kill: 0.4"), 200, 1, "b")
            for rid in (a, b):
                wait_status(c, rid)
        # shorter than the benchmark's 30 s; the assertion is on errors, never on time
        result = load(srv.base, browse_paths(a, b), clients=20, duration=4.0)
    finally:
        srv.stop()
    assert result["errors"] == 0, result["error_samples"]
    assert result["requests"] >= 20
