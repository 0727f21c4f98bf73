"""Worker processes for ``simulate(..., workers=N)``, forked before the scenario is compiled.

``nansei run --workers N`` used to create its pool inside ``simulate()``, after the imports
and the scenario compile, and with ``spawn`` (rich's progress bar runs a refresh thread, and
forking a threaded process is unsafe): each worker re-imported everything and loaded the
kernel, ~1.5 s before its first batch, as long as the kernel work of 3,000 replications.

:func:`prestart` instead forks one worker while the process still runs one thread, once
numpy, Numba and the engine modules are imported (the worker shares them) and before pandas.
That worker does Numba's one-time start-up (its typing and lowering registries, ~0.5 s on
the first call of any compiled function) while the main process imports pandas and loads and
compiles the scenario; then it forks the other workers, which inherit all of that
(:class:`ZygotePool`): the start-up is paid once, not once per worker.
``simulate()`` and the uncertainty points of the same command use that pool
(:func:`pool_for`) instead of creating one each, and the command ends it (:func:`discard`).

Workers only run the kernel and send back float64 arrays; they never build records, so
pandas (imported by the engine's modules) is registered in them as a deferred module:
imported by name, executed only if something uses it. Results do not depend on any of this
(each replication seeds its own stream).
"""

from __future__ import annotations

import os
import pickle
import sys
import types

MAX_WORKERS = 256

_prestarted: tuple[int, ZygotePool] | None = None


def fork_safe() -> bool:
    """``fork`` exists here and this process runs a single thread (forking a threaded
    process can deadlock the child)."""
    import multiprocessing as mp
    import threading

    return "fork" in mp.get_all_start_methods() and threading.active_count() == 1


def prestart(workers: int) -> bool:
    """Start the worker pool of the next ``simulate(..., workers=workers)`` now.

    Call it early in a process that will simulate once, before any thread is started (a
    progress bar, an executor). Does nothing (returns False) for fewer than 2 workers,
    where ``fork`` is unavailable or unsafe, or when a pool is already waiting.
    """
    global _prestarted
    if not 2 <= workers <= MAX_WORKERS or _prestarted is not None or not fork_safe():
        return False
    try:
        # What the workers need and share with this process, imported once before the fork.
        import numba  # noqa: F401
        import numpy  # noqa: F401

        import nansei.engine.compile
        import nansei.engine.kernel  # noqa: F401
    except Exception:  # let simulate() report it the usual way
        return False
    _prestarted = (workers, ZygotePool(workers))
    return True


def die_with_parent(parent: int | None = None) -> None:
    """Make this worker process end when its parent process ends, however it ends.

    Call it first thing in a worker (a pool initialiser, a forked child, a Dask worker
    plugin) with the parent's pid. On Linux the kernel sends the worker SIGKILL when its
    parent dies (``prctl(PR_SET_PDEATHSIG)``, through ctypes); elsewhere a daemon thread
    checks the parent once a second. If the parent is already gone (it died before this
    call), the worker exits at once. A SIGKILLed sweep or run thus leaves no orphan worker.
    """
    parent = os.getppid() if parent is None else int(parent)
    if not _pdeathsig():
        import threading

        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    if os.getppid() != parent:
        os._exit(1)


def _pdeathsig() -> bool:
    """``prctl(PR_SET_PDEATHSIG, SIGKILL)`` on Linux; False where unavailable."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(1, int(signal.SIGKILL), 0, 0, 0) == 0  # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return False


def _watch_parent(parent: int) -> None:
    import time

    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


def worker_initializer(parent: int) -> None:
    """Initialiser of spawned pool workers: ignore Ctrl-C (the parent handles it) and die
    with the parent (:func:`die_with_parent`)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent(parent)


def terminate(pool) -> None:
    """Kill the workers of ``pool`` (a :class:`ZygotePool` or a ``ProcessPoolExecutor``) at
    once, without waiting for the tasks they are running, and shut the pool down.

    For Ctrl-C: a worker runs a batch in one compiled call and would otherwise finish it.
    """
    if isinstance(pool, ZygotePool):
        pool.terminate()
        return
    for proc in list((getattr(pool, "_processes", None) or {}).values()):
        try:
            proc.kill()
        except (OSError, ValueError, AttributeError):
            pass
    pool.shutdown(wait=False, cancel_futures=True)


def take_prestarted(workers: int) -> ZygotePool | None:
    """The pool started by :func:`prestart` for ``workers`` workers (once), or None."""
    global _prestarted
    if _prestarted is None or _prestarted[0] != workers:
        return None
    pool = _prestarted[1]
    _prestarted = None
    return pool


def pool_for(workers: int, initializer) -> tuple[object, bool]:
    """The pool for one stage of work on ``workers`` processes, and whether it is owned.

    The pool started by :func:`prestart` is shared by every stage of the command (the run,
    then its uncertainty points), so its workers start up once; the command ends it with
    :func:`discard`, and the stages must not shut it down (owned is False). Without one, a
    new ``ProcessPoolExecutor`` whose workers run ``initializer(this process id)``; the
    stage owns it and shuts it down.
    """
    if _prestarted is not None and _prestarted[0] == workers:
        return _prestarted[1], False
    from concurrent.futures import ProcessPoolExecutor

    from nansei.engine.simulate import _mp_context

    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=_mp_context(),
        initializer=initializer,  # no orphan if this process is killed
        initargs=(os.getpid(),),
    )
    return pool, True


def discard() -> None:
    """Shut down a prestarted pool that was not used."""
    global _prestarted
    if _prestarted is not None:
        _prestarted[1].shutdown(wait=False, cancel_futures=True)
        _prestarted = None


class ZygotePool:
    """A process pool (``submit``, ``shutdown``, context manager; futures are
    ``concurrent.futures.Future``) whose first worker forks the others after its start-up.

    Worker 0 is forked at construction, runs :func:`_init_worker`, then forks workers
    1 .. N-1, which inherit what it loaded. Tasks go to idle workers one at a time, over a
    pipe each, from a thread of this process started with the first task (a task sent
    before its worker exists waits in the pipe). A worker that dies breaks the pool
    (``BrokenProcessPool``), as with ``ProcessPoolExecutor``; when this process ends or shuts
    the pool down, the workers see their pipes close and exit.
    """

    def __init__(self, workers: int):
        import multiprocessing as mp
        import threading
        from collections import deque

        ctx = mp.get_context("fork")
        pairs = [ctx.Pipe() for _ in range(workers)]
        self._conns = [a for a, _ in pairs]
        ends = [b for _, b in pairs]
        self._proc = ctx.Process(
            target=_zygote,
            args=(ends, self._conns, os.getpid()),
            daemon=True,
            name="nansei-worker",
        )
        self._proc.start()
        for b in ends:
            b.close()
        self._wake_r, self._wake_w = ctx.Pipe(duplex=False)
        self._lock = threading.Lock()
        self._queue: deque = deque()
        self._thread: threading.Thread | None = None
        self._closing = False

    def submit(self, fn, /, *args):
        """Run ``fn(*args)`` in a worker; returns a ``concurrent.futures.Future``."""
        import threading
        from concurrent.futures import Future

        fut = Future()
        payload = pickle.dumps((fn, args), protocol=pickle.HIGHEST_PROTOCOL)
        with self._lock:
            if self._closing:
                raise RuntimeError("cannot submit to a pool that is shut down")
            self._queue.append((fut, payload))
            if self._thread is None:
                self._thread = threading.Thread(target=self._dispatch, daemon=True)
                self._thread.start()
        self._wake_w.send_bytes(b"")
        return fut

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Let the queued tasks finish (or cancel them), then end the workers."""
        with self._lock:
            self._closing = True
            if cancel_futures:
                while self._queue:
                    self._queue.popleft()[0].cancel()
            thread = self._thread
        if thread is None:
            self._close()
        else:
            self._wake_w.send_bytes(b"")
            if wait:
                thread.join()
        if wait:
            self._proc.join()

    def terminate(self) -> None:
        """Kill the workers now (worker 0; the others die with it) and fail what is pending."""
        with self._lock:
            self._closing = True
            while self._queue:
                self._queue.popleft()[0].cancel()
        if self._proc.is_alive():
            self._proc.kill()
        self._proc.join(timeout=5)
        self._wake_w.send_bytes(b"")

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.shutdown(wait=True, cancel_futures=exc_type is not None)
        return False

    def _close(self) -> None:
        for c in self._conns:
            c.close()

    def _dispatch(self) -> None:
        from concurrent.futures.process import BrokenProcessPool
        from multiprocessing.connection import wait

        idle, busy = list(range(len(self._conns) - 1, -1, -1)), {}
        try:
            while True:
                with self._lock:
                    while idle and self._queue:
                        fut, payload = self._queue.popleft()
                        if fut.set_running_or_notify_cancel():
                            i = idle.pop()
                            self._conns[i].send_bytes(payload)
                            busy[i] = fut
                    if self._closing and not self._queue and not busy:
                        return
                for c in wait([self._wake_r, *(self._conns[i] for i in busy)]):
                    if c is self._wake_r:
                        c.recv_bytes()
                        continue
                    i = self._conns.index(c)
                    try:
                        ok, value = c.recv()
                    except EOFError:
                        raise BrokenProcessPool(
                            "a worker process ended abruptly while running a task"
                        ) from None
                    fut = busy.pop(i)
                    if ok:
                        fut.set_result(value)
                    else:
                        fut.set_exception(value)
                    idle.append(i)
        except BaseException as exc:
            with self._lock:
                self._closing = True
                pending = [*busy.values(), *(f for f, _ in self._queue)]
                self._queue.clear()
            for fut in pending:
                if not fut.done():
                    fut.set_exception(exc)
        finally:
            self._close()


def _zygote(ends, parent_conns, parent: int) -> None:
    """Worker 0: Numba's start-up, then fork the other workers, then serve. Every worker
    dies with its parent (worker 0 with the main process, the others with worker 0)."""
    die_with_parent(parent)
    for c in parent_conns:  # the main process's ends, inherited by the fork
        c.close()
    _init_worker()
    children = []
    zygote = os.getpid()
    for i in range(1, len(ends)):
        pid = os.fork()
        if pid == 0:  # worker i
            code = 1
            try:
                die_with_parent(zygote)
                for j, c in enumerate(ends):
                    if j != i:
                        c.close()
                _serve(ends[i])
                code = 0
            finally:
                os._exit(code)
        children.append(pid)
        ends[i].close()
    try:
        _serve(ends[0])
    finally:
        ends[0].close()
        for pid in children:
            os.waitpid(pid, 0)


def _serve(conn) -> None:
    """Run tasks from ``conn`` until it closes."""
    try:
        while True:
            try:
                payload = conn.recv_bytes()
            except (EOFError, OSError):
                return
            conn.send(_call(payload))
    except (KeyboardInterrupt, BrokenPipeError):
        return


def _call(payload: bytes) -> tuple[bool, object]:
    try:
        fn, args = pickle.loads(payload)
        return True, fn(*args)
    except Exception as exc:
        try:
            pickle.dumps(exc)
        except Exception:
            exc = RuntimeError(f"{type(exc).__name__}: {exc}")
        return False, exc


def _init_worker() -> None:
    """In a new worker: deferred pandas, then Numba's one-time start-up. Never raises; what
    it skips happens on the first batch."""
    try:
        if "pandas" not in sys.modules:
            _register_deferred("pandas")
        from numba.core.registry import cpu_target

        # What the first call of any compiled function does first ("useful for third-party
        # extensions" in Numba's source): load the typing and lowering registries.
        cpu_target.target_context.refresh()
    except Exception:
        pass


class _Deferred(types.ModuleType):
    """A module in ``sys.modules`` whose code runs on the first lookup of a name it does not
    have yet. Its import metadata (``__spec__``, ``__file__`` ...) is set beforehand, except
    a package's ``__path__``: importing a submodule looks it up, so the package runs first,
    as in a normal import.

    ``importlib.util.LazyLoader`` does the same but runs the module on any attribute lookup,
    and on Python 3.11 ``import pandas`` itself reads ``__spec__``: it would not stay lazy.
    """

    def __getattr__(self, name: str):
        self.__class__ = types.ModuleType  # run once
        spec = self.__spec__
        if spec.submodule_search_locations is not None:
            self.__path__ = spec.submodule_search_locations
        spec.loader.exec_module(self)
        return getattr(self, name)


def _register_deferred(name: str) -> None:
    """Register module ``name`` as :class:`_Deferred` (import it without running it)."""
    import importlib.util

    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    module.__dict__.pop("__path__", None)
    module.__class__ = _Deferred
    sys.modules[name] = module
