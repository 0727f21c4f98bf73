"""Web runs happen in child processes, never in server threads (issue 17, hole 1).

Against a real ``nansei serve``: while a long run simulates, it runs in a child process of
the server and the server answers other requests within a second; *Cancel* ends that child;
the Verify page's check table also runs in a child; SIGTERM shuts the server down with its
children stopped and the run marked ``interrupted`` (its stored batches kept). Before, the
sweep ran in a server thread (no child process at all), the compiled kernel holding the
interpreter lock while it ran.
"""

from __future__ import annotations

import json
import signal
import threading
import time

import httpx
import psutil

from tests.web_server import Server, launch, scenario_text, wait_status, web_client

#: Long enough to be cancelled or interrupted: 100,000 replications in batches of 20.
LONG = 100_000


def _run_children(server: Server) -> list[psutil.Process]:
    """The server's worker processes (multiprocessing ``spawn`` children; not its
    resource tracker)."""
    out = []
    for p in psutil.Process(server.proc.pid).children(recursive=True):
        try:
            if any("spawn_main" in part for part in p.cmdline()):
                out.append(p)
        except psutil.NoSuchProcess:
            pass
    return out


def _gone(procs: list[psutil.Process], wait_s: float = 5.0) -> bool:
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        alive = []
        for p in procs:
            try:
                if p.status() != psutil.STATUS_ZOMBIE:
                    alive.append(p)
            except psutil.NoSuchProcess:
                pass
        if not alive:
            return True
        time.sleep(0.1)
    return False


def _running(
    client: httpx.Client, rid: str, server: Server, above: int = 0
) -> list[psutil.Process]:
    """Wait until ``rid`` has stored more than ``above`` replications; return the server's
    worker children."""
    for _ in range(1200):
        info = client.get(f"/api/runs/{rid}").json()
        assert info["status"] in ("queued", "running"), info
        if info["status"] == "running" and info["done"] > above:
            return _run_children(server)
        time.sleep(0.1)
    raise AssertionError(f"run {rid} did not start: {info}")


def _answer_times(client: httpx.Client, n: int = 10) -> list[float]:
    times = []
    for path in ["/", "/runs", "/verify", "/scenarios/new"] * (n // 4 + 1):
        t0 = time.monotonic()
        r = client.get(path)
        times.append(time.monotonic() - t0)
        assert r.status_code == 200, (path, r.status_code)
    return times


def test_a_run_is_a_child_process_that_cancel_ends(tmp_path):
    srv = Server(tmp_path / "ws")
    try:
        with web_client(srv.base, timeout=30) as c:
            _answer_times(c, 4)  # the pages' first views import what they need
            rid = launch(c, scenario_text(), LONG, seed=3, name="long")
            children = _running(c, rid, srv)
            assert len(children) == 1, "the run does not simulate in a child process"
            assert children[0].cpu_percent(interval=0.5) > 20, "the child is not simulating"
            _answer_times(c)  # every page answers 200 while the child simulates...
            # ...and the run is still going: the server did not wait for it
            assert c.get(f"/api/runs/{rid}").json()["status"] == "running"

            assert c.post(f"/runs/{rid}/cancel").status_code == 303
            info = wait_status(c, rid, ("cancelled", "finished"))
            assert info["status"] == "cancelled"
            assert 0 < info["done"] < LONG
            assert _gone(children), "the run's child process outlived Cancel"
            assert not _run_children(srv)
            # the run resumes in a new child
            assert c.post(f"/runs/{rid}/resume").status_code == 303
            new = _running(c, rid, srv, above=info["done"])
            assert len(new) == 1 and new[0].pid != children[0].pid
            assert c.post(f"/runs/{rid}/cancel").status_code == 303
            assert wait_status(c, rid, ("cancelled",))["done"] > info["done"]
    finally:
        srv.stop()


def test_the_check_table_runs_in_a_child_process(tmp_path):
    srv = Server(tmp_path / "ws")
    try:
        with web_client(srv.base, timeout=300) as c:
            _answer_times(c, 4)  # the pages' first views import what they need
            posted: dict = {}

            def verify() -> None:
                posted["response"] = c.post("/verify", follow_redirects=True)

            t = threading.Thread(target=verify)
            t.start()
            children: list[psutil.Process] = []
            for _ in range(300):
                children = _run_children(srv)
                if children or not t.is_alive():
                    break
                time.sleep(0.05)
            assert children, "the check table does not run in a child process"
            with web_client(srv.base, timeout=30) as other:
                _answer_times(other, 6)  # every page answers 200...
                still_checking = t.is_alive()  # ...while the check table is being computed
            t.join(300)
            assert still_checking, "the pages were answered only after the check table"
            assert posted["response"].status_code == 200
            assert "Quick check at scale" in posted["response"].text
            assert _gone(children)
    finally:
        srv.stop()


def test_sigterm_stops_the_server_and_its_children(tmp_path):
    srv = Server(tmp_path / "ws")
    try:
        with web_client(srv.base, timeout=30) as c:
            rid = launch(c, scenario_text(), LONG, seed=4, name="term")
            children = _running(c, rid, srv)
            assert children, "the run does not simulate in a child process"
        descendants = psutil.Process(srv.proc.pid).children(recursive=True)
        srv.proc.send_signal(signal.SIGTERM)
        code = srv.proc.wait(timeout=30)  # a hang guard, not a measurement
    finally:
        srv.stop()
    log = srv.log.read_text(encoding="utf-8", errors="replace")
    # uvicorn shuts down cleanly, then re-raises SIGTERM: exit status 143 (-15 here)
    assert code == -signal.SIGTERM, (code, log[-2000:])
    assert "Traceback" not in log, log[-3000:]
    assert _gone(descendants, 2.0), "child processes outlived the server"
    info = json.loads((srv.store / "runs" / rid / "run.json").read_text())
    assert info["status"] == "interrupted", info
    assert 0 < info["done"] < LONG
