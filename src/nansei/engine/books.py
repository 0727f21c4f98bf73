"""Bookkeeping shared by every subsystem: scheduling, the trace, the logs, the series.

Every function takes the :class:`~nansei.engine.state.State` (or its parts) and
writes in place; none allocates (they run inside the replication loop, which
is compiled without reference counting).
"""

from __future__ import annotations

from nansei.engine import layout as Y
from nansei.engine.heap import heap_push
from nansei.engine.jit import kernel
from nansei.engine.state import C_NTRACE, C_OVERFLOW, ST


@kernel
def push(s, t, code, entity, tag):
    """Schedule an event; a full heap sets the overflow flag (the run then stops)."""
    if not heap_push(s.ev.t, s.ev.ints, s.ev.state, t, code, entity, tag):
        s.b.cnt[C_OVERFLOW] = 1


@kernel
def trace_row(b, t, code, entity, site, value):
    """Append a trace row ``(time, event, entity, site, value)`` if there is room."""
    n = b.cnt[C_NTRACE]
    if n < b.trace.shape[0]:
        b.trace[n, 0] = t
        b.trace[n, 1] = code
        b.trace[n, 2] = entity
        b.trace[n, 3] = site
        b.trace[n, 4] = value
        b.cnt[C_NTRACE] = n + 1


@kernel
def stock_row(b, t, code, node, item, q):
    """Trace a stock change of ``q`` of ``item`` at supply ``node`` (when tracing)."""
    if b.trace.shape[0] > 0 and q != 0.0:
        trace_row(b, t, code, node + Y.NODE_ITEM_BASE * item, -1, q)


@kernel
def log_row(log, cnt, col, a, b, c, d):
    """Append a row to a coupling log; return its index (-1 when the log has no rows)."""
    n = cnt[col]
    if log.shape[0] == 0:
        return -1
    if n >= log.shape[0]:
        cnt[C_OVERFLOW] = 1
        return -1
    log[n, 0] = a
    log[n, 1] = b
    log[n, 2] = c
    if log.shape[1] > 3:
        log[n, 3] = d
    cnt[col] = n + 1
    return n


@kernel
def close_step(s, step):
    """Launchers alive and gateways closed at the end of series step ``step``."""
    series = s.b.series
    if step >= series.shape[0]:
        return
    li, gw_open = s.L.i, s.w.gw_open
    alive = 0
    for la in range(li.shape[0]):
        if li[la, ST] < Y.DESTROYED:  # in the theatre and alive
            alive += 1
    closed = 0
    for g in range(gw_open.shape[0]):
        if gw_open[g] == 0:
            closed += 1
    series[step, Y.S_ALIVE] = alive
    series[step, Y.S_GW_CLOSED] = closed
