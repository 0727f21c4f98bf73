"""Runs of the workbench: a queue, a bounded number of running sweeps, cancel and resume.

Every web run is an experiment run into its own :class:`nansei.store.ResultStore`
(a simulation is an experiment with one design point and no factors), through
:func:`nansei.experiment.sweep`. So a run is stored in crash-safe Parquet
batches; if the server stops mid-run, the finished batches stay readable and
:meth:`RunManager.resume` runs only the missing ones (the sweep skips stored
batch keys). At most ``max_running`` runs execute at once; extra runs wait in
a FIFO queue.

Each run's sweep runs in a child process (:class:`nansei.web.child.Child`), never in a
server thread: the server keeps answering while it runs, *Cancel* stops the child (SIGTERM,
then SIGKILL), and stopping the server stops every child.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any

import pandas as pd

from .workspace import Workspace

__all__ = ["ACTIVE", "TERMINAL", "RunManager"]

log = logging.getLogger("nansei.web")

ACTIVE = ("queued", "running")
TERMINAL = ("finished", "cancelled", "interrupted", "failed")


class RunManager:
    """Launch, track, cancel and resume runs.

    Parameters
    ----------
    workspace : Workspace
    max_running : int
        Runs executing at the same time; the others are queued.
    """

    def __init__(self, workspace: Workspace, max_running: int = 1) -> None:
        self.ws = workspace
        self.max_running = max(1, int(max_running))
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._lock = threading.Lock()
        self._progress: dict[str, tuple[int, int]] = {}
        self._cancel: set[str] = set()
        self._threads: list[threading.Thread] = []
        self._records: OrderedDict[tuple[str, tuple], pd.DataFrame] = OrderedDict()
        self._stopping = False
        self._recover()

    # -- life cycle ---------------------------------------------------------------

    def _recover(self) -> None:
        """Mark runs left queued or running by a stopped server as interrupted."""
        for rid in self.ws.run_ids():
            try:
                info = self.ws.info(rid)
            except (OSError, ValueError):
                continue
            if info.get("status") in ACTIVE:
                done, total = self.stored_progress(rid, info)
                self.ws.update_info(
                    rid,
                    status="interrupted",
                    done=done,
                    total=total,
                    message="the server stopped during this run; resume runs the missing batches",
                )

    def start(self) -> None:
        """Start the worker threads."""
        for i in range(self.max_running):
            t = threading.Thread(target=self._worker, name=f"nansei-run-{i}", daemon=True)
            t.start()
            self._threads.append(t)

    def stop(self) -> None:
        """Ask running sweeps to stop (they keep their finished batches) and end the workers."""
        self._stopping = True
        with self._lock:
            self._cancel.update(self._progress)
        for _ in self._threads:
            self._queue.put(None)
        for t in self._threads:
            t.join(timeout=30)

    # -- requests ---------------------------------------------------------------------

    def submit(self, label: str, experiment: dict[str, Any], scenario_yaml: str, kind: str) -> str:
        """Create a run and queue it; return its id."""
        total = int(experiment["replications"]) * int(experiment.get("_points", 1))
        exp = {k: v for k, v in experiment.items() if not k.startswith("_")}
        info = {
            "label": label,
            "kind": kind,
            "experiment": exp,
            "replications": int(exp["replications"]),
            "seed": int(exp["seed"]),
            "status": "queued",
            "done": 0,
            "total": total,
            "message": "",
        }
        rid = self.ws.new_run(info, scenario_yaml)
        self._queue.put(rid)
        return rid

    def resume(self, run_id: str) -> bool:
        """Queue a run again; False if it is not resumable.

        Interrupted, cancelled and failed runs are resumable, and so is a finished
        run with a damaged stored part (the sweep quarantines and recomputes it).
        """
        info = self.ws.info(run_id)
        status = info.get("status")
        if status not in ("interrupted", "cancelled", "failed") and not (
            status == "finished" and self.damaged(run_id)
        ):
            return False
        self.ws.update_info(run_id, status="queued", message="resumed")
        self._queue.put(run_id)
        return True

    def cancel(self, run_id: str) -> bool:
        """Cancel a queued or running run (finished batches are kept)."""
        info = self.ws.info(run_id)
        if info.get("status") not in ACTIVE:
            return False
        with self._lock:
            self._cancel.add(run_id)
            running = run_id in self._progress
        if not running:
            self.ws.update_info(run_id, status="cancelled", message="cancelled before it started")
        return True

    def queue_position(self, run_id: str) -> int | None:
        """1-based place of a queued run in the queue, or None."""
        with self._queue.mutex:
            items = list(self._queue.queue)
        return items.index(run_id) + 1 if run_id in items else None

    # -- progress and data ----------------------------------------------------------------

    def stored_progress(self, run_id: str, info: dict[str, Any] | None = None) -> tuple[int, int]:
        """``(replications stored, replications planned)`` from the store's Parquet parts."""
        from nansei.store import ResultStore
        from nansei.store.store import is_store

        info = info or self.ws.info(run_id)
        total = int(info.get("total", 0))
        if info.get("kind") == "study":
            reps = int(info.get("replications", 0))
            return _study_progress(self.ws.run_dir(run_id) / "study", reps, total)
        root = self.ws.run_dir(run_id) / "store"
        if not is_store(root):
            return 0, total
        store = ResultStore.open(root)
        done_keys, full = store.done()
        points = max(1, total // max(1, int(info.get("replications", 1))))
        reps = int(info.get("replications", 0))
        done = sum(k.stop - k.start for k in done_keys) + len(full) * reps
        return min(done, points * reps), total

    def progress(self, run_id: str) -> dict[str, Any]:
        """Status of a run: ``status``, ``done``, ``total``, ``percent``, ``message``."""
        info = self.ws.info(run_id)
        with self._lock:
            live = self._progress.get(run_id)
        if live is not None:
            done, total = live
        elif info.get("status") in TERMINAL:
            done, total = int(info.get("done", 0)), int(info.get("total", 0))
        else:
            done, total = 0, int(info.get("total", 0))
        pct = 100.0 * done / total if total else 0.0
        return {
            **info,
            "done": done,
            "total": total,
            "percent": round(pct, 1),
            "queue_position": self.queue_position(run_id)
            if info.get("status") == "queued"
            else None,
        }

    def damaged(self, run_id: str) -> list[str]:
        """The run's damaged stored parts (``results/NAME: reason`` each)."""
        from nansei.store import ResultStore
        from nansei.store.store import is_store

        root = self.ws.run_dir(run_id) / "store"
        if not is_store(root):
            return []
        return [d.describe() for d in ResultStore.open(root).verify()]

    def records(self, run_id: str) -> pd.DataFrame:
        """The stored records of a run (cached per part files' names, sizes and times).

        Raises
        ------
        nansei.store.DamagedPartError
            If a stored part fails its checks.
        """
        from nansei.store import ResultStore
        from nansei.store.store import is_store

        root = self.ws.run_dir(run_id) / "store"
        if not is_store(root):
            return pd.DataFrame()
        store = ResultStore.open(root)
        files = store.files()
        n = len(files)
        key = (run_id, _signature(files))
        with self._lock:
            hit = self._records.get(key)
            if hit is not None:
                self._records.move_to_end(key)
                return hit
        df = store.records() if n else pd.DataFrame()
        with self._lock:
            self._records[key] = df
            while len(self._records) > 16:
                self._records.popitem(last=False)
        return df

    # -- the worker -------------------------------------------------------------------------

    def _worker(self) -> None:
        """A run slot: takes queued runs one at a time and runs each in its child process
        (kept between runs, replaced when a run was stopped or the process died)."""
        from .child import Child

        child: Child | None = None
        try:
            while True:
                rid = self._queue.get()
                if rid is None:
                    return
                try:
                    if child is None or not child.alive():
                        child = Child()
                    self._run(rid, child)
                except Exception:  # never let a worker thread die
                    log.exception("run %s failed", rid)
        finally:
            if child is not None:
                child.close()

    def _run(self, rid: str, child) -> None:
        from .child import ChildFailed

        info = self.ws.info(rid)
        with self._lock:
            cancelled = rid in self._cancel
        if cancelled or info.get("status") != "queued" or self._stopping:
            with self._lock:
                self._cancel.discard(rid)
            return
        store = Path(self.ws.run_dir(rid)) / "store"
        self.ws.update_info(rid, status="running", started=time.time(), message="")
        with self._lock:
            self._progress[rid] = (int(info.get("done", 0)), int(info.get("total", 0)))

        def on_message(progress: tuple[int, int]) -> None:
            with self._lock:
                self._progress[rid] = (int(progress[0]), int(progress[1]))

        def should_stop() -> bool:
            with self._lock:
                return rid in self._cancel

        status, message = "failed", ""
        task, target = _sweep_child, store
        if info.get("kind") == "study":
            task, target = _study_child, Path(self.ws.run_dir(rid)) / "study"
        try:
            kind, value = child.run(
                task,
                info["experiment"],
                str(target),
                on_message=on_message,
                should_stop=should_stop,
                user_errors=USER_ERRORS,
            )
            if kind == "done" and value == "finished":
                status = "finished"
            elif child.stopped and not self._stopping:
                status = "cancelled"
                message = "cancelled; finished batches are kept and the run can be resumed"
            elif child.stopped or kind == "done":
                status = "interrupted"
                message = "the server stopped during this run; resume runs the missing batches"
            else:
                message = f"the run's process ended unexpectedly (exit code {value})"
        except ChildFailed as exc:
            if not exc.user_error:
                log.error("run %s failed: %s: %s", rid, exc.kind, exc)
            message = str(exc) if exc.user_error else f"{exc.kind}: {exc}"[:500]
        except Exception as exc:
            log.exception("run %s failed", rid)
            message = f"{type(exc).__name__}: {exc}"[:500]
        finally:
            with self._lock:
                self._progress.pop(rid, None)
                self._cancel.discard(rid)
        done, total = self.stored_progress(rid)
        self.ws.update_info(
            rid, status=status, message=message, ended=time.time(), done=done, total=total
        )


#: Exceptions of a run that are the user's to fix: their message is shown as it is.
USER_ERRORS = ("ExperimentError", "StudyError")


def _study_child(send, request: dict[str, Any], out: str) -> str:
    """In the run's child process: a study (its variants' sweeps, then its brief)."""
    from nansei.study import load_study, run_study

    st = load_study(request["study"])
    if request.get("replications"):
        st = st.with_replications(int(request["replications"]))
    run_study(st, Path(out), 1, lambda done, total: send((done, total)))
    return "finished"


def _study_progress(root: Path, reps: int, total: int) -> tuple[int, int]:
    """``(replications stored, planned)`` over a study's variant stores, or all of them
    once its brief is written."""
    from nansei.store import ResultStore
    from nansei.store.store import is_store

    if (root / "findings.json").is_file():
        return total, total
    done = 0
    stores = root / "stores"
    for path in sorted(stores.iterdir()) if stores.is_dir() else []:
        if not is_store(path):
            continue
        keys, full = ResultStore.open(path).done()
        done += sum(k.stop - k.start for k in keys) + len(full) * reps
    return min(done, total), total


def _sweep_child(send, experiment: dict[str, Any], store: str) -> str:
    """In the run's child process: the sweep, with its progress sent to the server."""
    from nansei.experiment import sweep

    report = sweep(experiment, Path(store), "local", 1, lambda done, total: send((done, total)))
    return report.status


def _signature(files: list[Path]) -> tuple:
    """Names, sizes and modification times of ``files``: any change to a part changes it."""
    out = []
    for f in files:
        try:
            st = f.stat()
        except FileNotFoundError:
            continue
        out.append((f.name, st.st_size, st.st_mtime_ns))
    return tuple(out)
