"""Binary min-heap of events for the Numba kernel.

An event is the tuple (time, sequence, code, entity, tag), stored in parallel
arrays. Ordering is by time, then by sequence number (insertion order), so
simultaneous events are processed first-in first-out and the run is fully
deterministic. ``tag`` carries a version stamp used to discard stale events.
"""

from __future__ import annotations

from nansei.engine.jit import kernel


@kernel(python=True)
def _before(t1, q1, t2, q2):
    """True if event (t1, q1) comes before (t2, q2)."""
    return t1 < t2 or (t1 == t2 and q1 < q2)


@kernel(python=True)
def _move(times, ints, src, dst):
    times[dst] = times[src]
    ints[dst, 0] = ints[src, 0]
    ints[dst, 1] = ints[src, 1]
    ints[dst, 2] = ints[src, 2]
    ints[dst, 3] = ints[src, 3]


@kernel(python=True)
def heap_push(times, ints, state, t, code, entity, tag):
    """Push an event; return False if the heap is full.

    Sifts a hole up from the end and writes the event once, at its place.
    """
    n = state[0]
    if n >= times.shape[0]:
        return False
    seq = state[1]
    state[0] = n + 1
    state[1] = seq + 1
    i = n
    while i > 0:
        parent = (i - 1) >> 1
        if _before(t, seq, times[parent], ints[parent, 0]):
            _move(times, ints, parent, i)
            i = parent
        else:
            break
    times[i] = t
    ints[i, 0] = seq
    ints[i, 1] = code
    ints[i, 2] = entity
    ints[i, 3] = tag
    return True


@kernel(python=True)
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
        # sift a hole down from the root, then drop the last event into it
        lt = times[n]
        lq = ints[n, 0]
        i = 0
        while True:
            c = 2 * i + 1
            if c >= n:
                break
            if c + 1 < n and _before(times[c + 1], ints[c + 1, 0], times[c], ints[c, 0]):
                c += 1
            if _before(times[c], ints[c, 0], lt, lq):
                _move(times, ints, c, i)
                i = c
            else:
                break
        _move(times, ints, n, i)
    return t, code, entity, tag
