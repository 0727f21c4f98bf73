"""Simulations of the workbench run in child processes, never in the server's threads.

The compiled kernel holds the interpreter lock while it runs, so a simulation in a server
thread slows every request and can only be stopped between two kernel calls. A
:class:`Child` is a worker process (``spawn``: forking the threaded server is unsafe) that
dies with the server (:func:`nansei.workerpool.die_with_parent`) and runs one task at a
time, ``fn(send, *args)``: it sends back messages (progress) and the result through a pipe.
It stays alive between tasks, so only its first task pays for the imports and the loading
of the kernel (~1.5 s).

:meth:`Child.stop` ends it: SIGTERM, which the child turns into ``KeyboardInterrupt`` (a
sweep then stops cleanly between two kernel calls, keeping its stored batches; the child
reports and exits), then SIGKILL after :data:`STOP_GRACE_S` seconds. The child ignores
SIGINT: Ctrl-C in the server's terminal reaches the whole process group, and the server
stops its children itself when it shuts down.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from typing import Any

__all__ = ["Child", "ChildFailed", "run_child"]

#: Seconds a child has to end after SIGTERM before it is killed.
STOP_GRACE_S = 3.0


class ChildFailed(Exception):
    """The task raised: ``kind`` is the exception's class name, the message its text;
    ``user_error`` when its class is one of the task's ``user_errors``."""

    def __init__(self, kind: str, message: str, user_error: bool) -> None:
        super().__init__(message)
        self.kind = kind
        self.user_error = user_error


class Child:
    """A worker process running tasks one at a time (see the module docstring)."""

    def __init__(self) -> None:
        import multiprocessing as mp

        ctx = mp.get_context("spawn")
        self._conn, theirs = ctx.Pipe(duplex=True)
        self.proc = ctx.Process(
            target=_serve, args=(os.getpid(), theirs), daemon=True, name="nansei-web-child"
        )
        self.proc.start()
        theirs.close()
        self.stopped = False

    @property
    def pid(self) -> int | None:
        return self.proc.pid

    def alive(self) -> bool:
        """The process runs and was not asked to stop."""
        return not self.stopped and self.proc.exitcode is None

    def run(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_message: Callable[[Any], None] = lambda obj: None,
        should_stop: Callable[[], bool] = lambda: False,
        user_errors: tuple[str, ...] = (),
        poll_s: float = 0.1,
    ) -> tuple[str, Any]:
        """Run ``fn(send, *args)`` in the child (``fn`` importable: a module-level function).

        Each ``send(obj)`` in the child calls ``on_message(obj)`` here. Polls every
        ``poll_s`` seconds; once ``should_stop()`` is true the child is stopped
        (:meth:`stop`).

        Returns
        -------
        tuple
            ``("done", value)``, ``("interrupted", None)`` (the task stopped on SIGTERM;
            the child then exits) or ``("died", exit code)``.

        Raises
        ------
        ChildFailed
            If ``fn`` raised (classes named in ``user_errors``, or their subclasses, are
            flagged as user errors).
        """
        try:
            self._conn.send(("task", fn, args, user_errors))
        except (OSError, ValueError):
            return self._died()
        while True:
            if not self.stopped and should_stop():
                self.stop(wait=False)
            try:
                msg = self._conn.recv() if self._conn.poll(poll_s) else None
            except (EOFError, OSError):
                return self._died()
            if msg is None:
                continue
            kind, value = msg
            if kind == "message":
                on_message(value)
            elif kind == "error":
                if self.stopped:
                    self._reap()
                raise ChildFailed(*value)
            else:
                if self.stopped or kind == "interrupted":
                    self._reap()  # a stopped child ends, even if its task ended normally
                return kind, value

    def _died(self) -> tuple[str, Any]:
        self._reap()
        return "died", self.proc.exitcode

    def _reap(self) -> None:
        """Close the pipe (an idle child exits on it), wait, then kill what is left."""
        self.stopped = True
        try:
            self._conn.close()
        except OSError:
            pass
        self.proc.join(STOP_GRACE_S)
        self.kill()

    def stop(self, wait: bool = True) -> None:
        """SIGTERM (a task stops between two kernel calls and the child exits); SIGKILL
        after :data:`STOP_GRACE_S` seconds if it is still alive. Without ``wait``, the
        :meth:`run` in progress does the waiting."""
        self.stopped = True
        if self.proc.exitcode is None:
            try:
                self.proc.terminate()
            except (OSError, ValueError):
                pass
        if wait:
            self._reap()

    def kill(self) -> None:
        """SIGKILL if still alive, and wait for the process."""
        if self.proc.exitcode is None:
            try:
                self.proc.kill()
            except (OSError, ValueError):
                pass
            self.proc.join(5)

    def close(self) -> None:
        """End an idle child (it exits when its pipe closes) or stop a busy one."""
        try:
            self._conn.close()
        except OSError:
            pass
        self.proc.join(1.0)
        if self.proc.exitcode is None:
            self.stop()


def run_child(fn: Callable[..., Any], *args: Any, user_errors: tuple[str, ...] = ()) -> Any:
    """Run ``fn(send, *args)`` in a new child, return its result and end the child.

    Raises
    ------
    ChildFailed
        If ``fn`` raised, was stopped or its process died.
    """
    child = Child()
    try:
        kind, value = child.run(fn, *args, user_errors=user_errors)
    finally:
        child.close()
    if kind == "done":
        return value
    if kind == "interrupted":
        raise ChildFailed("Interrupted", "the worker process was stopped", False)
    raise ChildFailed("ChildDied", f"the worker process ended (exit code {value})", False)


def _interrupt(signum, frame) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # once: let the clean-up finish
    raise KeyboardInterrupt


def _serve(parent: int, conn) -> None:
    """The child: die with the server; run tasks until the pipe closes or a task is
    stopped (SIGTERM -> KeyboardInterrupt, reported, then exit)."""
    from nansei.workerpool import die_with_parent

    die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _interrupt)

    def send(obj: Any) -> None:
        conn.send(("message", obj))

    try:
        while True:
            try:
                _, fn, args, user_errors = conn.recv()
            except (EOFError, OSError):
                return
            try:
                conn.send(("done", fn(send, *args)))
            except KeyboardInterrupt:
                conn.send(("interrupted", None))
                return
            except Exception as exc:
                user = any(c.__name__ in user_errors for c in type(exc).__mro__)
                conn.send(("error", (type(exc).__name__, str(exc)[:2000], user)))
    except (KeyboardInterrupt, BrokenPipeError, OSError):
        pass
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        try:
            conn.close()
        except OSError:
            pass
