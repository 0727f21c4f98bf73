"""A scenario whose cycle has zero length is refused, and the kernel never hangs (issue 17).

``dwell_h: 0`` with ``teardown_h: 0`` used to pass validation and then spin for ever
at one instant (ignoring Ctrl-C, freezing the web server). Validation now refuses any
cycle shorter than a minute, naming the field; and should a runaway slip past it, the
kernel stops the replication at its event cap and the run fails with a one-line error.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import numpy as np
import pytest
import yaml

from nansei.engine import layout as Y
from nansei.engine.compile import compile_scenario
from nansei.engine.simulate import check_overflow, run_batch
from nansei.scenario import ScenarioError, builtin_path, load_scenario


def _zero_cycle_doc() -> dict:
    doc = yaml.safe_load(builtin_path("ideal-fixed-delay").read_text(encoding="utf-8"))
    doc["blue"]["relocation"].update(dwell_h=0, fixed_move_h=0)
    return doc


def test_validation_refuses_a_zero_length_cycle():
    with pytest.raises(ScenarioError) as exc:
        load_scenario(_zero_cycle_doc())
    msg = str(exc.value)
    assert "blue.relocation.dwell_h" in msg and "teardown_h" in msg and "1 min" in msg


def test_validate_command_names_the_field(tmp_path):
    path = tmp_path / "zero.yaml"
    path.write_text(yaml.safe_dump(_zero_cycle_doc()), encoding="utf-8")
    res = subprocess.run(
        [sys.executable, "-m", "nansei.cli", "validate", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode != 0
    assert "blue.relocation.dwell_h" in res.stdout + res.stderr
    assert "Traceback" not in res.stdout + res.stderr


def test_kernel_stops_a_runaway_at_its_event_cap():
    """A compiled model with a zero-length cycle (forced past validation) stops and says why."""
    c = compile_scenario(load_scenario("ideal-fixed-delay"))
    fp = c.arrays["fp"].copy()
    fp[Y.F_DWELL_A] = 0.0  # fixed dwell 0; set-up and tear-down are 0 in this scenario
    fp[Y.F_FIXED_MOVE_H] = 0.0
    runaway = dataclasses.replace(c, arrays={**c.arrays, "fp": fp})
    out, _ = run_batch(runaway, 1, 0, 0, 50)
    cap = int(c.arrays["ip"][Y.I_EVENT_CAP])
    assert out[0, Y.O_OVERFLOW] == 2
    assert out[0, Y.O_EVENTS] == cap + 1
    # the batch stopped at the first runaway: the other rows carry the flag and no numbers
    assert (out[1:, Y.O_OVERFLOW] == 2).all() and np.isnan(out[1:, Y.O_EVENTS]).all()
    with pytest.raises(ScenarioError) as exc:
        check_overflow(out, runaway, "ideal-fixed-delay")
    assert "event" in str(exc.value) and "blue.relocation.dwell_h" in str(exc.value)


def test_event_cap_leaves_room_for_real_runs():
    """The built-in flagship stays far below its cap (a cap that bit real runs would lie)."""
    c = compile_scenario(load_scenario("kyodo-2021"))
    out, _ = run_batch(c, 3, 0, 0, 20)
    assert (out[:, Y.O_OVERFLOW] == 0).all()
    assert out[:, Y.O_EVENTS].max() * 50 < c.arrays["ip"][Y.I_EVENT_CAP]
