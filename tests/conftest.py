"""Test-session set-up shared by every test module.

The suite runs on two pytest-xdist workers (``make test``). Before they start, the
controlling process compiles the kernel once into the kernel cache, so that the
workers (and the command-line processes the tests start) load it instead of each
compiling it again at the same time.
"""

from __future__ import annotations

import os


def pytest_sessionstart(session) -> None:
    if hasattr(session.config, "workerinput"):  # an xdist worker: the controller compiled
        return
    if os.environ.get("NUMBA_DISABLE_JIT") == "1":
        return
    from nansei.engine.simulate import simulate

    # one replication with series and trace reaches every compiled entry point
    simulate("kyodo-2021", replications=1, seed=1, series=True, trace=True)
