"""Dask worker plugin of the loopback cluster (imported only where Dask is installed)."""

from __future__ import annotations

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
