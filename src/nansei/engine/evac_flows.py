"""Building blocks of the evacuation sub-model (:mod:`nansei.engine.evacuation`).

Shares of a gateway's capacity among the people waiting (by priority rule), the
assignment of arrivals to host prefectures, the hours a gateway is blocked by
closures and strikes, and tallies of the people on each island.
"""

from __future__ import annotations

import numpy as np

from nansei.engine import evac_layout as Y
from nansei.engine.jit import kernel


@kernel
def _prop_split(amount, stock, take, idx_a, idx_o, idx_c, n):
    """Split ``amount`` (integer-valued) over ``n`` groups in proportion to their stock.

    Parameters
    ----------
    amount : float
        People to move, an integer value not above the groups' total stock.
    stock, take : ndarray (n_ev, n_ev, 2)
        People by (island where they are, island of origin, class); ``take`` is increased.
    idx_a, idx_o, idx_c : ndarray of int64 (m,)
        The groups, first ``n`` entries used.
    n : int
        Number of groups.

    Returns
    -------
    float
        People moved (``amount`` unless the groups hold fewer).
    """
    total = 0.0
    for j in range(n):
        total += stock[idx_a[j], idx_o[j], idx_c[j]]
    if total <= 0.0 or amount <= 0.0:
        return 0.0
    if amount > total:
        amount = total
    given = 0.0
    for j in range(n):
        s = stock[idx_a[j], idx_o[j], idx_c[j]]
        x = np.floor(amount * s / total)
        if x > s:
            x = s
        take[idx_a[j], idx_o[j], idx_c[j]] += x
        given += x
    rest = amount - given
    j = 0
    while rest > 0.0 and j < n:
        a, o, c = idx_a[j], idx_o[j], idx_c[j]
        if take[a, o, c] < stock[a, o, c]:
            take[a, o, c] += 1.0
            rest -= 1.0
        j += 1
    return amount - rest


@kernel
def split_outflow(amount, pool, priority, stock, take, ev_int, order_o, ia, io, ic):
    """Give ``amount`` departures of a gateway pool to the people waiting there.

    Parameters
    ----------
    amount : float
        Departures this hour, an integer value ≤ the people on the pool's islands.
    pool : int
        Pool index (``ev_int[:, E_POOL]``).
    priority : int
        :data:`nansei.engine.evac_layout.PRIORITY_CODES` value.
    stock : ndarray (n_ev, n_ev, 2)
        People by (island where they are, island of origin, class 0 care / 1 other).
    take : ndarray (n_ev, n_ev, 2)
        Output, zeroed here: people leaving per group.
    ev_int : ndarray of int64 (n_ev, N_E)
        Per-island integer columns.
    order_o : ndarray of int64 (n_ev,)
        Islands of origin from the smallest to the largest population.
    ia, io, ic : ndarray of int64 (2 n_ev^2,)
        Work space: the (island, origin, class) of each group sharing the departures.
    """
    n_ev = stock.shape[0]
    take[:, :, :] = 0.0
    rest = amount
    if priority == 0:  # small islands first, care before other
        for r in range(n_ev):
            o = order_o[r]
            for c in range(2):
                for a in range(n_ev):
                    if rest <= 0.0:
                        return
                    if ev_int[a, Y.E_POOL] != pool:
                        continue
                    s = stock[a, o, c]
                    x = s if s < rest else rest
                    take[a, o, c] += x
                    rest -= x
        return
    for c_pass in range(2):
        n = 0
        for a in range(n_ev):
            if ev_int[a, Y.E_POOL] != pool:
                continue
            for o in range(n_ev):
                for c in range(2):
                    if priority == 2 and c != c_pass:
                        continue
                    if stock[a, o, c] > 0.0:
                        ia[n] = a
                        io[n] = o
                        ic[n] = c
                        n += 1
        rest -= _prop_split(rest, stock, take, ia, io, ic, n)
        if priority != 2 or rest <= 0.0:
            return


@kernel
def host_assign(o, x, pref_rank, quota_left, hosted):
    """Assign ``x`` arrivals from island of origin ``o`` to host prefectures.

    Parameters
    ----------
    o : int
        Evacuated-island index of origin.
    x : float
        Arrivals (people).
    pref_rank : ndarray of int64 (n_ev, n_pref)
        Rank of each prefecture among those paired with the island's town (0 first),
        -1 if not paired.
    quota_left : ndarray (n_pref,)
        Remaining allocation per prefecture (people), decreased here.
    hosted : ndarray (n_pref,)
        Output: people assigned per prefecture, increased here.

    Returns
    -------
    (float, float)
        People hosted off-pairing, and people left unhosted.
    """
    n_pref = quota_left.shape[0]
    rest = x
    for r in range(n_pref):
        for p in range(n_pref):
            if pref_rank[o, p] == r and rest > 0.0:
                y = quota_left[p] if quota_left[p] < rest else rest
                quota_left[p] -= y
                hosted[p] += y
                rest -= y
    off = 0.0
    for p in range(n_pref):
        if rest > 0.0 and quota_left[p] > 0.0:
            y = quota_left[p] if quota_left[p] < rest else rest
            quota_left[p] -= y
            hosted[p] += y
            off += y
            rest -= y
    return off, rest


@kernel
def _hours(t0, t1, n_h):
    """Range of whole hours ``h`` in [0, n_h) that can satisfy ``t0 < h + 1`` and ``t1 > h``."""
    if t0 >= n_h:
        return n_h, n_h
    lo = 0
    if t0 > 1.0:
        lo = int(np.floor(t0)) - 1
    hi = n_h
    if t1 < n_h:
        hi = min(max(int(np.ceil(t1)) + 1, 0), n_h)
    return lo, hi


@kernel
def _blocked_hours(blocked, gw_int, gw_log, n_gw, strike_log, n_strike, site_near, suspend_h):
    """Mark ``blocked[g, h]`` if gateway ``g`` is closed (gw_log) or suspended (strike) in [h, h+1).

    The same tests as checking every gateway-hour, done once per replication.
    """
    n_g, n_h = blocked.shape
    blocked[:, :] = 0
    for r in range(n_gw):
        cg = int(gw_log[r, 0])
        t0 = gw_log[r, 1]
        t1 = gw_log[r, 2]
        lo, hi = _hours(t0, t1, n_h)
        for g in range(n_g):
            if cg < 0 or gw_int[g, Y.G_COMBAT] != cg:
                continue
            for h in range(lo, hi):
                if t0 < h + 1.0 and t1 > h:
                    blocked[g, h] = 1
    if suspend_h > 0.0:
        for r in range(n_strike):
            t = strike_log[r, 0]
            s = int(strike_log[r, 1])
            if s < 0 or s >= site_near.shape[0]:
                continue
            lo, hi = _hours(t, t + suspend_h, n_h)
            for g in range(n_g):
                if site_near[s, g] == 0:
                    continue
                for h in range(lo, hi):
                    if t < h + 1.0 and t + suspend_h > h:
                        blocked[g, h] = 1


@kernel
def _stopped_hours(blocked, gw_int, ev_stop):
    """Mark ``blocked[g, h]`` where a scripted stop (``ev_stop`` row ``[t0, t1, mode,
    gateway]``) covers part of hour ``[h, h+1)`` of gateway ``g`` (same rule as gw_log)."""
    n_g, n_h = blocked.shape
    for r in range(ev_stop.shape[0]):
        t0, t1 = ev_stop[r, 0], ev_stop[r, 1]
        mode, gi = int(ev_stop[r, 2]), int(ev_stop[r, 3])
        lo, hi = _hours(t0, t1, n_h)
        for g in range(n_g):
            if gi >= 0 and g != gi:
                continue
            if mode != Y.STOP_BOTH and gw_int[g, Y.G_MODE] != mode:
                continue
            for h in range(lo, hi):
                if t0 < h + 1.0 and t1 > h:
                    blocked[g, h] = 1


@kernel
def _tally(stock, at, of):
    """``at[e]`` people on island ``e``, ``of[o]`` people of origin ``o`` in the region; total.

    Each sum runs in the order of ``stock[e, :, :].sum()`` and ``stock[:, o, :].sum()``.
    """
    n_ev = stock.shape[0]
    total = 0.0
    for a in range(n_ev):
        s = 0.0
        for o in range(n_ev):
            for c in range(2):
                x = stock[a, o, c]
                s += x
                total += x
        at[a] = s
    for o in range(n_ev):
        s = 0.0
        for a in range(n_ev):
            for c in range(2):
                s += stock[a, o, c]
        of[o] = s
    return total


@kernel
def _land(stock, inflow):
    """People staged this hour arrive: ``stock += inflow``, then ``inflow = 0``."""
    n_ev = stock.shape[0]
    for a in range(n_ev):
        for o in range(n_ev):
            for c in range(2):
                stock[a, o, c] += inflow[a, o, c]
                inflow[a, o, c] = 0.0


@kernel
def _off(field, e, n_ev):
    """Index in ``out_ev`` of per-island field ``field`` of evacuated island ``e``."""
    return Y.N_SCALAR + field * n_ev + e


@kernel
def _share(pres, start, e, h):
    """Share of island ``e``'s initial people physically there at hour ``h`` (1 if e < 0)."""
    if e < 0:
        return 1.0
    if start[e] <= 0.0:
        return 0.0
    n_h = pres.shape[0] - 1
    if h > n_h:
        h = n_h
    if h < 0:
        h = 0
    return pres[h, e] / start[e]
