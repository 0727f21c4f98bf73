"""Random draws from the scenario's distributions inside the kernel.

A distribution is compiled to ``(kind, a, b)``:

======  ============  ====================  ===================
kind    name          a                     b
======  ============  ====================  ===================
0       fixed         value                 unused
1       exponential   mean                  unused
2       lognormal     median                sigma (log scale)
3       uniform       low                   high
======  ============  ====================  ===================

Only ``rng.random``, ``rng.exponential`` and ``rng.standard_normal`` are used,
so the stream is identical with and without ``NUMBA_DISABLE_JIT``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

FIXED = 0
EXPONENTIAL = 1
LOGNORMAL = 2
UNIFORM = 3


@njit(cache=True)
def draw(rng, kind, a, b):
    """Draw one value (same unit as the parameters, usually hours)."""
    if kind == FIXED:
        return a
    if kind == EXPONENTIAL:
        if a <= 0.0:
            return 0.0
        return rng.exponential(a)
    if kind == LOGNORMAL:
        return a * np.exp(b * rng.standard_normal())
    return a + (b - a) * rng.random()


@njit(cache=True)
def exp_time(rng, rate):
    """Waiting time (h) to the next Poisson event at ``rate`` per hour; inf if 0."""
    if rate <= 0.0:
        return np.inf
    return rng.exponential(1.0 / rate)
