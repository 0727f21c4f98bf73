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

``rng`` is a stream state of :mod:`nansei.engine.rng`; every draw comes from
its uniform stream, so the numbers are identical with and without
``NUMBA_DISABLE_JIT``.
"""

from __future__ import annotations

import math

import numpy as np

from nansei.engine.jit import kernel
from nansei.engine.rng import exponential, random, standard_normal

FIXED = 0
EXPONENTIAL = 1
LOGNORMAL = 2
UNIFORM = 3


@kernel(python=True)
def draw(rng, kind, a, b):
    """Draw one value (same unit as the parameters, usually hours)."""
    if kind == FIXED:
        return a
    if kind == EXPONENTIAL:
        if a <= 0.0:
            return 0.0
        return exponential(rng, a)
    if kind == LOGNORMAL:
        return a * math.exp(b * standard_normal(rng))  # C library, as rng.exponential
    return a + (b - a) * random(rng)


@kernel(python=True)
def exp_time(rng, rate):
    """Waiting time (h) to the next Poisson event at ``rate`` per hour; inf if 0."""
    if rate <= 0.0:
        return np.inf
    return exponential(rng, 1.0 / rate)
