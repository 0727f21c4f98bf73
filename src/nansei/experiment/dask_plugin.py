"""Dask worker plugin of the loopback cluster (imported only where Dask is installed)."""

from __future__ import annotations

import logging

from distributed.diagnostics.plugin import WorkerPlugin

__all__ = ["DieWithParent"]


class DieWithParent(WorkerPlugin):
    """The worker process dies with the process that started the ``LocalCluster``
    (:func:`nansei.workerpool.die_with_parent`): its workers are that process's children.

    Parameters
    ----------
    parent : int
        Pid of the process that started the cluster.
    """

    idempotent = True

    def __init__(self, parent: int) -> None:
        self.parent = parent

    def setup(self, worker) -> None:
        from nansei.workerpool import die_with_parent

        die_with_parent(self.parent)
        # The parent closes the cluster at the end of a sweep or on Ctrl-C; a heartbeat in
        # flight then finds the scheduler gone and Dask prints its traceback. Expected, not
        # an error: a scheduler lost at any other time fails the sweep with its own message.
        logging.getLogger("distributed.worker").addFilter(_HeartbeatLost())


class _HeartbeatLost(logging.Filter):
    """Drop Dask's "Failed to communicate with scheduler during heartbeat" record."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(
            "Failed to communicate with scheduler during heartbeat"
        )
