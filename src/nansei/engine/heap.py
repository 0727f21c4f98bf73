"""Binary min-heap of events for the Numba kernel.

An event is the tuple (time, sequence, code, entity, tag), stored in parallel
arrays. Ordering is by time, then by sequence number (insertion order), so
simultaneous events are processed first-in first-out and the run is fully
deterministic. ``tag`` carries a version stamp used to discard stale events.
"""

from __future__ import annotations

import numpy as np
from numba import njit


def new_heap(capacity: int):
    """Allocate heap storage.

    Parameters
    ----------
    capacity : int
        Maximum number of pending events.

    Returns
    -------
    tuple
        ``(times (capacity,) float64, ints (capacity, 4) int64, state (2,) int64)``
        where ``ints[:, 0..3]`` are sequence, code, entity and tag, and
        ``state = [size, next_sequence]``.
    """
    return (
        np.empty(capacity, dtype=np.float64),
        np.empty((capacity, 4), dtype=np.int64),
        np.zeros(2, dtype=np.int64),
    )


@njit(cache=True)
def _less(times, ints, i, j):
    if times[i] < times[j]:
        return True
    if times[i] > times[j]:
        return False
    return ints[i, 0] < ints[j, 0]


@njit(cache=True)
def _swap(times, ints, i, j):
    t = times[i]
    times[i] = times[j]
    times[j] = t
    for c in range(4):
        v = ints[i, c]
        ints[i, c] = ints[j, c]
        ints[j, c] = v


@njit(cache=True)
def heap_push(times, ints, state, t, code, entity, tag):
    """Push an event; return False if the heap is full."""
    n = state[0]
    if n >= times.shape[0]:
        return False
    times[n] = t
    ints[n, 0] = state[1]
    ints[n, 1] = code
    ints[n, 2] = entity
    ints[n, 3] = tag
    state[0] = n + 1
    state[1] += 1
    i = n
    while i > 0:
        parent = (i - 1) // 2
        if _less(times, ints, i, parent):
            _swap(times, ints, i, parent)
            i = parent
        else:
            break
    return True


@njit(cache=True)
def heap_pop(times, ints, state):
    """Pop the earliest event.

    Returns
    -------
    tuple
        ``(time, code, entity, tag)``; the caller checks ``state[0] > 0`` first.
    """
    t = times[0]
    code = ints[0, 1]
    entity = ints[0, 2]
    tag = ints[0, 3]
    n = state[0] - 1
    state[0] = n
    if n > 0:
        times[0] = times[n]
        for c in range(4):
            ints[0, c] = ints[n, c]
        i = 0
        while True:
            left = 2 * i + 1
            if left >= n:
                break
            small = left
            right = left + 1
            if right < n and _less(times, ints, right, left):
                small = right
            if _less(times, ints, small, i):
                _swap(times, ints, small, i)
                i = small
            else:
                break
    return t, code, entity, tag
