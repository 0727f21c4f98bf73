"""Start a real ``nansei serve`` (uvicorn) on 127.0.0.1 for the web tests."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

BUILTIN = Path(__file__).resolve().parents[1] / "src/nansei/scenario/builtin"


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A ``nansei serve`` subprocess.

    Parameters
    ----------
    store : Path
        Workspace directory.
    *args : str
        Extra CLI options (``--token``, ``--max-running``, ``--host``).
    """

    def __init__(self, store: Path, *args: str, host: str = "127.0.0.1") -> None:
        self.store = Path(store)
        self.port = free_port()
        self.host = host
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = self.store.with_name(self.store.name + f"-server-{self.port}.log")
        self.store.parent.mkdir(parents=True, exist_ok=True)
        cmd = [
            sys.executable, "-m", "nansei.cli", "serve", "--store", str(self.store),
            "--port", str(self.port), "--host", host, *args,
        ]  # fmt: skip
        self._fh = open(self.log, "w")
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(cmd, stdout=self._fh, stderr=subprocess.STDOUT, env=env)
        self._wait_ready()

    def _wait_ready(self) -> None:
        for _ in range(600):
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.output()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"server did not start: {self.output()}")

    def output(self) -> str:
        """What the server printed so far."""
        self._fh.flush()
        return self.log.read_text(encoding="utf-8", errors="replace")

    def printed_token(self) -> str | None:
        """The token in the printed URL, if any."""
        m = re.search(r"\?token=(\S+)", self.output())
        return m.group(1) if m else None

    def kill(self) -> None:
        """SIGKILL (a crash: nothing is cleaned up)."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)
        self._fh.close()

    def stop(self) -> None:
        """SIGTERM and wait."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=30)
        if not self._fh.closed:
            self._fh.close()


@contextmanager
def web_client(base: str, timeout: float = 30, **kwargs) -> Iterator[httpx.Client]:
    """An httpx client (a context manager) that acts like the workbench's pages: it holds
    the session cookie and sends the session's CSRF token (``GET /api/csrf``) as
    ``X-CSRF-Token``. A server with a token answers 401 without it; the client then has no
    CSRF token."""
    with httpx.Client(base_url=base, timeout=timeout, **kwargs) as c:
        r = c.get("/api/csrf")
        if r.status_code == 200:
            c.headers["X-CSRF-Token"] = r.json()["token"]
        yield c


def scenario_text(name: str = "ideal-fixed-delay") -> str:
    """YAML text of a built-in scenario."""
    return (BUILTIN / f"{name}.yaml").read_text(encoding="utf-8")


def launch(client: httpx.Client, text: str, reps: int, seed: int = 1, name: str = "t") -> str:
    """POST a run; return its id."""
    r = client.post(
        "/runs",
        data={"yaml": text, "name": name, "replications": str(reps), "seed": str(seed)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:2000]
    return r.headers["location"].rsplit("/", 1)[1]


def wait_status(client: httpx.Client, rid: str, want=("finished",), limit: int = 1200) -> dict:
    """Poll ``/api/runs/ID`` until its status is in ``want`` (bounded number of polls)."""
    info: dict = {}
    for _ in range(limit):
        info = client.get(f"/api/runs/{rid}").json()
        if info["status"] in want:
            return info
        if info["status"] in ("failed",):
            raise AssertionError(f"run failed: {info}")
        time.sleep(0.1)
    raise AssertionError(f"run {rid} never reached {want}: {info}")
