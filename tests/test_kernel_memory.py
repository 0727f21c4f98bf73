"""The replication kernel runs without Numba's reference counting: it must free all it allocates.

``_replicate`` is compiled with ``_nrt=False`` (no reference counting); every array it
touches comes from the batch workspace, which ``run_batch_kernel`` (with reference
counting) allocates and frees. A callee that returned a fresh array into ``_replicate``
would leak it; Numba's allocation counters show that.
"""

from __future__ import annotations

import os

import pytest
from numba.core.runtime import _nrt_python, rtsys

from nansei.engine.compile import compile_scenario
from nansei.engine.simulate import run_batch, run_trace
from nansei.scenario import load_scenario

JIT = os.environ.get("NUMBA_DISABLE_JIT", "0") != "1"


@pytest.mark.skipif(not JIT, reason="Numba's allocation counters exist only for compiled code")
@pytest.mark.parametrize(
    "name", ["kyodo-2021", "sakishima-evacuation-2025", "ideal-counter-battery"]
)
def test_batch_frees_every_allocation(name):
    compiled = compile_scenario(load_scenario(name))
    run_batch(compiled, 5, 0, 0, 4, True)  # load the compiled code
    _nrt_python.memsys_enable_stats()
    before = rtsys.get_allocation_stats()
    out, series = run_batch(compiled, 5, 0, 0, 60, True)
    trace = run_trace(compiled, 5)
    del out, series, trace
    after = rtsys.get_allocation_stats()
    allocated = after.alloc - before.alloc
    assert allocated > 0  # the workspace was allocated inside the kernel
    assert after.free - before.free == allocated
    assert after.mi_free - before.mi_free == after.mi_alloc - before.mi_alloc
