"""Input files are read with a size cap (``nansei.scenario.files.MAX_INPUT_BYTES``).

``nansei validate /dev/zero`` used to read without end (6 GB in 20 s). Now every
scenario or experiment file is refused after at most the cap plus one byte, with
a one-line message naming the file and the cap.
"""

from __future__ import annotations

import resource
import subprocess
import sys

import pytest

from nansei.experiment import ExperimentError, load_experiment
from nansei.scenario import ScenarioError, load_scenario
from nansei.scenario.files import MAX_INPUT_BYTES
from tests.web_server import scenario_text

CAP = f"{MAX_INPUT_BYTES:,} bytes"


def _limit_memory() -> None:  # the old code read /dev/zero until memory ran out
    resource.setrlimit(resource.RLIMIT_AS, (2 * 1024**3, 2 * 1024**3))


def test_validate_dev_zero_stops_at_once_naming_the_file_and_the_cap():
    r = subprocess.run(
        [sys.executable, "-m", "nansei.cli", "validate", "/dev/zero"],
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=_limit_memory,
    )
    assert r.returncode == 2  # within the timeout and the memory limit, not a hang
    [line] = [ln for ln in r.stderr.splitlines() if "/dev/zero: file too large" in ln]
    assert CAP in line
    assert "Traceback" not in r.stderr


def test_large_scenario_and_experiment_files_are_refused(tmp_path):
    big = tmp_path / "big.yaml"
    with open(big, "wb") as fh:  # sparse: twice the cap, nothing written
        fh.truncate(2 * MAX_INPUT_BYTES)
    with pytest.raises(ScenarioError) as exc:
        load_scenario(big)
    [p] = exc.value.problems
    assert p.message.startswith(f"{big}: file too large") and CAP in p.message
    with pytest.raises(ExperimentError) as exc:
        load_experiment(big)
    assert f"{big}: file too large" in str(exc.value) and CAP in str(exc.value)
    # an experiment naming a scenario file that is too large
    exp = tmp_path / "e.yaml"
    exp.write_text("schema_version: 1\nname: e\nscenario: big.yaml\nreplications: 10\nseed: 1\n")
    with pytest.raises(ExperimentError, match="file too large"):
        load_experiment(exp)


def test_a_file_just_under_the_cap_still_loads(tmp_path):
    text = scenario_text()
    padded = text + "#" * (MAX_INPUT_BYTES - len(text.encode()) - 1) + "\n"
    path = tmp_path / "padded.yaml"
    path.write_text(padded)
    assert path.stat().st_size == MAX_INPUT_BYTES
    assert load_scenario(path).name == load_scenario(text).name
