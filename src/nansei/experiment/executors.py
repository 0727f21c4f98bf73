"""Executors: where tasks run. ``local``, ``dask[=ADDRESS]`` and ``shard K/N``.

Every executor yields the results of the tasks it is given as they finish, in
any order; the records do not depend on the executor, because each replication
seeds itself from its key. At most ``2 x workers`` tasks are in flight, so
memory is bounded by the batch size, not by the number of replications.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .errors import experiment_error
from .tasks import Task, run_task

__all__ = ["ExecutorSpec", "parse_executor", "run_tasks"]

ALLOWED = "local, dask, dask=tcp://HOST:PORT, shard K/N (0 <= K < N)"
_SHARD = re.compile(r"^shard[\s=:]+(\d+)\s*/\s*(\d+)$")


@dataclass(frozen=True)
class ExecutorSpec:
    """A parsed executor.

    Attributes
    ----------
    kind : str
        ``local``, ``dask`` or ``shard``.
    address : str or None
        Dask scheduler address (None: start a LocalCluster).
    shard : tuple of int or None
        ``(K, N)``: this process runs keys ``K, K + N, K + 2N, ...`` of the sorted key list.
    """

    kind: str
    address: str | None = None
    shard: tuple[int, int] | None = None

    def describe(self) -> str:
        """Text form, as accepted by :func:`parse_executor`."""
        if self.kind == "dask":
            return f"dask={self.address}" if self.address else "dask"
        if self.kind == "shard" and self.shard:
            return f"shard {self.shard[0]}/{self.shard[1]}"
        return self.kind


def parse_executor(text: str) -> ExecutorSpec:
    """Parse ``local``, ``dask``, ``dask=ADDRESS`` or ``shard K/N``.

    Raises
    ------
    ExperimentError
        With path ``executor``, the value and the allowed forms.
    """
    t = str(text).strip()
    if t == "local":
        return ExecutorSpec("local")
    if t == "dask":
        return ExecutorSpec("dask")
    if t.startswith("dask="):
        addr = t[5:].strip()
        if not re.match(r"^[a-z+]+://[^\s/]+$|^[\w.\-]+:\d+$", addr):
            raise experiment_error("executor", text, "invalid Dask scheduler address", ALLOWED)
        return ExecutorSpec("dask", address=addr)
    m = _SHARD.match(t)
    if m:
        k, n = int(m.group(1)), int(m.group(2))
        if n < 1 or not 0 <= k < n:
            raise experiment_error(
                "executor",
                text,
                f"shard index must satisfy 0 <= K < N (got K={k}, N={n})",
                ALLOWED,
            )
        return ExecutorSpec("shard", shard=(k, n))
    raise experiment_error("executor", text, "unknown executor", ALLOWED)


def _local(tasks: Iterable[Task], workers: int) -> Iterator:
    if workers == 1:
        for task in tasks:
            yield run_task(task)
        return
    import multiprocessing as mp
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    from nansei.workerpool import worker_initializer

    ctx = mp.get_context("spawn")
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=ctx,
        initializer=worker_initializer,  # ignores Ctrl-C, dies with this process
        initargs=(os.getpid(),),
    )
    it = iter(tasks)
    pending: set = set()
    ended = False
    try:
        while True:
            while len(pending) < 2 * workers:
                task = next(it, None)
                if task is None:
                    break
                pending.add(pool.submit(run_task, task))
            if not pending:
                break
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                yield fut.result()
        ended = True
    finally:
        for fut in pending:
            fut.cancel()
        if not ended:  # Ctrl-C, a failed batch or a closed consumer: do not wait for batches
            from nansei.workerpool import terminate

            terminate(pool)
        pool.shutdown(wait=True, cancel_futures=True)


def _dask(tasks: Iterable[Task], workers: int, address: str | None) -> Iterator:
    try:
        from distributed import Client, LocalCluster, as_completed

        from .dask_plugin import DieWithParent
    except ImportError:  # pragma: no cover - dask is a test dependency
        raise experiment_error(
            "executor", "dask", "Dask is not installed", "pip install 'nansei[dask]'"
        ) from None
    cluster = None
    if address is None:
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            host="127.0.0.1",
        )
        client = Client(cluster)
        # the loopback cluster's workers are this process's children: they die with it
        client.register_plugin(DieWithParent(os.getpid()), name="nansei-die-with-parent")
    else:
        try:
            client = Client(address, timeout="30s")
        except (OSError, TimeoutError) as exc:
            raise experiment_error(
                "executor", f"dask={address}", f"cannot reach the Dask scheduler: {exc}"
            ) from None
    try:
        yield from _dask_loop(client, as_completed, tasks, workers)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _dask_loop(client, as_completed, tasks: Iterable[Task], workers: int) -> Iterator:
    it = iter(tasks)
    width = 2 * max(
        workers, sum(client.nthreads().values()) if hasattr(client, "nthreads") else workers
    )
    first = [client.submit(run_task, t, pure=False) for t in _take(it, width)]
    if not first:
        return
    ac = as_completed(first)
    for fut in ac:
        result = fut.result()
        fut.release()
        nxt = next(it, None)
        if nxt is not None:
            ac.add(client.submit(run_task, nxt, pure=False))
        yield result


def _take(it: Iterator, n: int) -> list:
    out = []
    for _ in range(n):
        x = next(it, None)
        if x is None:
            break
        out.append(x)
    return out


def run_tasks(tasks: Iterable[Task], spec: ExecutorSpec, workers: int) -> Iterator:
    """Run tasks on an executor; yield ``(key, table, kernel_s)`` as they finish.

    For ``shard``, the caller has already selected this shard's keys; the shard
    runs them on local processes.
    """
    if spec.kind == "dask":
        return _dask(tasks, workers, spec.address)
    return _local(tasks, workers)
