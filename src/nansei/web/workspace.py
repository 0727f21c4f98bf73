"""The web workbench's store directory: saved scenarios and runs, with safe paths.

Layout of the workspace directory::

    scenarios/<name>.yaml        scenarios saved from the editor
    runs/<run id>/run.json       what was asked (experiment mapping) and the run's state
    runs/<run id>/scenario.yaml  the scenario as run
    runs/<run id>/store/         a :class:`nansei.store.ResultStore` (Parquet parts, SQLite)
    runs/<run id>/map.html       the interactive map, built on first view
    verification.json            the last quick check table

Every path built from a request goes through :func:`Workspace.run_dir` or
:func:`Workspace.scenario_path`: names must match a strict pattern (no ``/``,
no ``..``, no absolute paths) and the resolved path must lie inside the
workspace, so no request reaches the file system outside it.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import time
from pathlib import Path
from typing import Any

__all__ = ["NAME_RE", "RUN_ID_RE", "PathRefused", "Workspace"]

RUN_ID_RE = re.compile(r"^r[0-9]{8}-[0-9]{6}-[0-9a-f]{6}$")
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,63}$")


class PathRefused(LookupError):
    """A name from a request does not name anything inside the workspace."""


def _atomic_json(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}-{secrets.token_hex(3)}")
    tmp.write_text(json.dumps(data, indent=1, default=str) + "\n", encoding="utf-8")
    os.replace(tmp, path)


class Workspace:
    """The workbench's directory.

    Parameters
    ----------
    root : Path
        Directory (created if missing).
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()
        self.runs = self.root / "runs"
        self.scenarios = self.root / "scenarios"
        #: Users' gazetteer files (``geography.theatre.file`` in the web workbench).
        self.gazetteers = self.root / "gazetteers"
        self.runs.mkdir(parents=True, exist_ok=True)
        self.scenarios.mkdir(parents=True, exist_ok=True)

    # -- safe paths -----------------------------------------------------------

    def _inside(self, path: Path, parent: Path) -> Path:
        resolved = path.resolve()
        if not resolved.is_relative_to(parent):
            raise PathRefused(str(path))
        return resolved

    def run_dir(self, run_id: str) -> Path:
        """The directory of an existing run.

        Raises
        ------
        PathRefused
            If ``run_id`` is malformed or no such run exists.
        """
        if not isinstance(run_id, str) or not RUN_ID_RE.match(run_id):
            raise PathRefused(run_id)
        path = self._inside(self.runs / run_id, self.runs)
        if not (path / "run.json").is_file():
            raise PathRefused(run_id)
        return path

    def scenario_path(self, name: str, must_exist: bool = True) -> Path:
        """The file of a saved scenario.

        Raises
        ------
        PathRefused
            If ``name`` is malformed (or, with ``must_exist``, not saved).
        """
        if not isinstance(name, str) or not NAME_RE.match(name):
            raise PathRefused(name)
        path = self._inside(self.scenarios / f"{name}.yaml", self.scenarios)
        if must_exist and not path.is_file():
            raise PathRefused(name)
        return path

    # -- scenarios ----------------------------------------------------------------

    def saved_scenarios(self) -> list[str]:
        """Names of the saved scenarios, sorted."""
        return sorted(p.stem for p in self.scenarios.glob("*.yaml") if NAME_RE.match(p.stem))

    def save_scenario(self, name: str, text: str) -> Path:
        """Write a scenario's YAML text (atomically)."""
        path = self.scenario_path(name, must_exist=False)
        tmp = path.with_name(f".{path.name}.tmp-{secrets.token_hex(3)}")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
        return path

    # -- runs ---------------------------------------------------------------------

    def new_run(self, info: dict[str, Any], scenario_yaml: str) -> str:
        """Create a run directory; return its id."""
        while True:
            rid = time.strftime("r%Y%m%d-%H%M%S-") + secrets.token_hex(3)
            path = self.runs / rid
            try:
                path.mkdir()
                break
            except FileExistsError:  # pragma: no cover - 1 in 16 M per second
                continue
        (path / "scenario.yaml").write_text(scenario_yaml, encoding="utf-8")
        self.write_info(rid, {**info, "id": rid, "created": time.time()})
        return rid

    def info(self, run_id: str) -> dict[str, Any]:
        """The ``run.json`` of a run."""
        return json.loads((self.run_dir(run_id) / "run.json").read_text(encoding="utf-8"))

    def write_info(self, run_id: str, info: dict[str, Any]) -> None:
        """Replace the ``run.json`` of a run atomically."""
        if not RUN_ID_RE.match(run_id):
            raise PathRefused(run_id)
        _atomic_json(self.runs / run_id / "run.json", info)

    def update_info(self, run_id: str, **changes: Any) -> dict[str, Any]:
        """Change fields of ``run.json``; return the new mapping."""
        info = self.info(run_id)
        info.update(changes)
        self.write_info(run_id, info)
        return info

    def run_ids(self) -> list[str]:
        """Every run id, newest first."""
        ids = [
            p.name
            for p in self.runs.iterdir()
            if RUN_ID_RE.match(p.name) and (p / "run.json").is_file()
        ]
        return sorted(ids, reverse=True)

    def store_dir(self, run_id: str) -> Path:
        """The result store directory of a run."""
        return self.run_dir(run_id) / "store"
