"""The event kernel: one replication as a loop over events, and a batch of them.

Private, Numba-compiled (``@njit(cache=True)``) and written so that it runs
unchanged as plain Python under ``NUMBA_DISABLE_JIT=1``. It takes the compiled
scenario as a :class:`~nansei.engine.state.Model`, a replication's state as a
:class:`~nansei.engine.state.State` and a stream state of
:mod:`nansei.engine.rng`; :mod:`nansei.engine.compile` builds the model and
:mod:`nansei.engine.simulate` drives batches.

The loop (:func:`_replicate`) pops the earliest event (a heap event or a
launcher's next detection), closes the series steps it passes, hands the event
to its handler (one small function per event kind, in the module of its
subsystem) and offers a fire mission to the launchers the handler
names (:func:`nansei.engine.engagement.engage`). Map of the modules:
``docs/engine.md``.
"""

from __future__ import annotations

import numpy as np

from nansei.engine import layout as Y
from nansei.engine.books import close_step, push, trace_row
from nansei.engine.deployment import on_deploy, on_withdraw
from nansei.engine.detection import (
    decoy_next,
    earliest,
    on_decoy_detect,
    on_detect,
    on_revisit,
    on_track,
    revisit_next,
)
from nansei.engine.dists import exp_time
from nansei.engine.engagement import engage, on_fuel_resupply
from nansei.engine.evacuation import run_evacuation
from nansei.engine.fuel import fuel_close, fuel_start
from nansei.engine.gating import legal_close, legal_start
from nansei.engine.heap import heap_pop
from nansei.engine.jit import kernel
from nansei.engine.launchers import (
    log_stay,
    on_arrive,
    on_depart,
    on_fire,
    on_fire_done,
    on_reload_done,
    on_setup_done,
)
from nansei.engine.layout import U_ENABLED
from nansei.engine.legal import A_EVACUATION, G_RANDOM
from nansei.engine.relocation import on_leave
from nansei.engine.rng import MASK32, next_uint64, seed_stream
from nansei.engine.scripted import on_scripted, scripted_close, scripted_start
from nansei.engine.state import (
    C_NGWLOG,
    C_NSTAYLOG,
    C_NSTRLOG,
    C_NTRACE,
    C_OVERFLOW,
    ENG_ALL,
    ENG_NONE,
    MOVE_KIND,
    NEXT,
    ORIGIN,
    SITE,
    ST,
    STRUCK,
    T_LEAVE,
    T_STAY,
    new_state,
    reset_state,
    with_books,
)
from nansei.engine.strikes import on_gw_reopen, on_gw_strike, on_strike
from nansei.engine.supply import stock_check, supply_close, supply_series, supply_start
from nansei.engine.support import on_convoy, on_legal, on_review, on_trip
from nansei.engine.targets import on_target_arrive, on_target_leave, targets_start
from nansei.engine.trips import review


@kernel(nrt=True, inline=False)
def _seed_substreams(rng, m, s):
    """Seed the legal and sustainment sub-streams from one draw of the replication's
    stream (only when they are used): two authority sets run with the same seed see
    the same decision delays (common random numbers). Allocates (seeding), so it
    keeps reference counting."""
    if m.lg_f[G_RANDOM] == 1.0 or m.su_f[U_ENABLED] == 1.0:
        w = next_uint64(rng)
        ent = s.lg.ent
        ent[0] = w & MASK32
        ent[1] = w >> np.uint64(32)
        seed_stream(s.lg.lrng, ent, 0, 0, 2)
        seed_stream(s.su.srng, ent, 0, 0, 3)


@kernel(inline=False)
def _start(rng, m, s):
    """Reset the state and schedule the initial events (order fixes the tie-breaks)."""
    reset_state(m, s)
    li, lt, w = s.L.i, s.L.f, s.w
    fp = m.fp
    horizon = fp[Y.F_HORIZON_H]
    for la in range(m.lp.shape[0]):
        li[la, SITE] = m.l_site0[la]
        li[la, ST] = Y.MOVING
        li[la, STRUCK] = -1
        li[la, ORIGIN] = m.l_site0[la]
        li[la, NEXT] = -1
        li[la, MOVE_KIND] = Y.MV_FIXED  # deploying: out of reach until it arrives at t = 0
        lt[la, T_LEAVE] = np.inf
        t_in, t_out = m.lp[la, Y.L_ARRIVE_H], m.lp[la, Y.L_WITHDRAW_H]
        if t_in > 0.0:  # a reinforcement: absent until it deploys
            li[la, ST] = Y.ABSENT
            if t_in < horizon:
                push(s, t_in, Y.EV_DEPLOY, la, 0)
        else:
            w.site_occ[m.l_site0[la]] = la
            push(s, 0.0, Y.EV_ARRIVE, la, 0)
        if t_out < horizon:
            push(s, t_out, Y.EV_WITHDRAW, la, 0)
    for d in range(m.decoy_site.shape[0]):
        w.dec[d, 0] = 1
        decoy_next(rng, m, s, 0.0, d)
    targets_start(m, s)
    if fp[Y.F_GW_RATE_PER_H] > 0.0 and m.gw_type.shape[0] > 0:
        t0 = fp[Y.F_STRIKES_START_H] + exp_time(rng, fp[Y.F_GW_RATE_PER_H])
        push(s, t0, Y.EV_GW_STRIKE, 0, 0)
    if fp[Y.F_REVISIT_RATE] > 0.0:
        revisit_next(rng, m, s, fp[Y.F_STRIKES_START_H])
    push(s, horizon, Y.EV_HORIZON, 0, 0)
    su_on = m.su_f[U_ENABLED] == 1.0
    w.issue_site[:] = -1
    if su_on:
        for site in range(m.site_island.shape[0]):
            if m.su_site_isl[site] >= 0:
                w.issue_site[site] = m.su_issue[m.su_site_isl[site]]
    _seed_substreams(rng, m, s)
    legal_start(m, s, horizon)
    supply_start(m, s)
    for la in range(m.lp.shape[0]):
        if li[la, ST] != Y.ABSENT:
            stock_check(m, s, 0.0, la)
    if su_on:
        fuel_start(m, s)
    scripted_start(s, m.sx, horizon)


@kernel(inline=False)
def _close(m, s, step):
    """Close the books at the horizon (series steps from ``step`` on)."""
    li, lt, out = s.L.i, s.L.f, s.b.out
    horizon = m.fp[Y.F_HORIZON_H]
    su_on = m.su_f[U_ENABLED] == 1.0
    for la in range(li.shape[0]):
        st = li[la, ST]
        if st >= Y.DESTROYED:  # destroyed, withdrawn or never arrived: books closed
            continue
        out[Y.O_LAUNCHER_HOURS] += horizon - m.lp[la, Y.L_ARRIVE_H]
        if su_on:
            fuel_close(m, s, horizon, la)
        if st != Y.MOVING:
            out[Y.O_EXPOSURE] += m.site_f[li[la, SITE], 1] * (horizon - lt[la, T_STAY])
            log_stay(s, la, li[la, SITE], lt[la, T_STAY], horizon)
    for g in range(s.w.gw_open.shape[0]):
        if s.w.gw_open[g] == 0:
            out[Y.O_GW_CLOSED_H] += horizon - s.w.gw_since[g]
    ev = s.ev
    for i in range(ev.state[0]):  # strikes launched that land after the horizon
        if ev.ints[i, 1] == Y.EV_STRIKE:
            out[Y.O_IN_FLIGHT_END] += m.ip[Y.I_MISSILES_PER_STRIKE]
    n_steps = s.b.series.shape[0]
    while step < n_steps:
        close_step(s, step)
        if su_on:
            supply_series(m, s, step)
        step += 1
    supply_close(m, s, horizon)
    legal_close(s, horizon)
    scripted_close(s, horizon)
    out[Y.O_OVERFLOW] = s.b.cnt[C_OVERFLOW]


@kernel(ir_inline=True)
def _replicate(rng, m, s):
    """Simulate one replication in the reused state ``s``.

    Parameters
    ----------
    rng : ndarray (4,) uint64
        The replication's stream state (:mod:`nansei.engine.rng`).
    m : Model
        The compiled scenario (:data:`nansei.engine.state.MODEL_FIELDS`).
    s : State
        Workspace from :func:`nansei.engine.state.new_state`, reset here; the
        record, series and trace are written to ``s.b``.

    Returns
    -------
    int
        Number of trace rows written.

    Notes
    -----
    Compiled without Numba's reference counting (``_nrt=False``), like every
    function it calls except :func:`_seed_substreams`: nothing here may
    allocate, copy a whole array or receive a new array from a callee
    (``docs/engine.md``, ``tests/test_kernel_memory.py``).
    """
    _start(rng, m, s)
    ev, b = s.ev, s.b
    step_h = m.fp[Y.F_SERIES_STEP_H]
    n_steps = b.series.shape[0]
    su_on = m.su_f[U_ENABLED] == 1.0
    trace_on = b.trace.shape[0] > 0
    det_t, li, cnt = s.L.det_t, s.L.i, b.cnt
    step = 0
    while ev.state[0] > 0 and cnt[C_OVERFLOW] == 0:
        e = earliest(det_t)
        if e >= 0 and det_t[e] < ev.t[0]:
            t = det_t[e]
            code = Y.EV_DETECT
            tag = 0
        else:
            t, code, e, tag = heap_pop(ev.t, ev.ints, ev.state)
        b.out[Y.O_EVENTS] += 1
        if b.out[Y.O_EVENTS] > m.ip[Y.I_EVENT_CAP]:
            cnt[C_OVERFLOW] = 2  # a cycle of (near) zero length: stop, never hang
            break
        # series steps close lazily, before the first event at or after their end
        while step < n_steps and t >= (step + 1) * step_h:
            close_step(s, step)
            if su_on:
                supply_series(m, s, step)
            step += 1
        if code == Y.EV_HORIZON:
            break
        if trace_on:
            if code == Y.EV_STRIKE:  # the site aimed at (a road point: the site left)
                site = int(s.w.aim[e, 2])
                trace_row(b, t, code, site, site, s.w.aim[e, 3])
            else:
                trace_row(b, t, code, e, li[e, SITE] if code <= Y.EV_DETECT else -1, tag)
        k = min(step, n_steps - 1)
        # one small handler per event kind, in its subsystem's module
        if code == Y.EV_ARRIVE:
            who = on_arrive(rng, m, s, t, e, tag, k)
        elif code == Y.EV_SETUP_DONE:
            who = on_setup_done(rng, m, s, t, e, tag, k)
        elif code == Y.EV_FIRE:
            who = on_fire(rng, m, s, t, e, tag, k)
        elif code == Y.EV_FIRE_DONE:
            who = on_fire_done(rng, m, s, t, e, tag, k)
        elif code == Y.EV_RELOAD_DONE:
            who = on_reload_done(rng, m, s, t, e, tag, k)
        elif code == Y.EV_DEPART:
            who = on_depart(rng, m, s, t, e, tag, k)
        elif code == Y.EV_LEAVE:
            who = on_leave(rng, m, s, t, e, tag, k)
        elif code == Y.EV_DETECT:
            who = on_detect(rng, m, s, t, e, tag, k)
        elif code == Y.EV_DECOY_DETECT:
            who = on_decoy_detect(rng, m, s, t, e, tag, k)
        elif code == Y.EV_STRIKE:
            who = on_strike(rng, m, s, t, e, tag, k)
        elif code == Y.EV_TARGET_ARRIVE:
            who = on_target_arrive(rng, m, s, t, e, tag, k)
        elif code == Y.EV_TARGET_LEAVE:
            who = on_target_leave(rng, m, s, t, e, tag, k)
        elif code == Y.EV_GW_STRIKE:
            who = on_gw_strike(rng, m, s, t, e, tag, k)
        elif code == Y.EV_GW_REOPEN:
            who = on_gw_reopen(rng, m, s, t, e, tag, k)
        elif code == Y.EV_LEGAL:
            who = on_legal(rng, m, s, t, e, tag, k)
        elif code == Y.EV_SUPPLY_ARRIVE:
            who = on_trip(rng, m, s, t, e, tag, k)
        elif code == Y.EV_SUPPLY_REVIEW:
            who = on_review(rng, m, s, t, e, tag, k)
        elif code == Y.EV_CONVOY:
            who = on_convoy(rng, m, s, t, e, tag, k)
        elif code == Y.EV_TRACK:
            who = on_track(rng, m, s, t, e, tag, k)
        elif code == Y.EV_REVISIT:
            who = on_revisit(rng, m, s, t, e, tag, k)
        elif code == Y.EV_FUEL_RESUPPLY:
            who = on_fuel_resupply(rng, m, s, t, e, tag, k)
        elif code == Y.EV_WITHDRAW:
            who = on_withdraw(rng, m, s, t, e, tag, k)
        elif code == Y.EV_DEPLOY:
            who = on_deploy(rng, m, s, t, e, tag, k)
        elif code == Y.EV_SCRIPTED:
            who = on_scripted(rng, m, s, t, e, tag, k)
        else:
            who = ENG_NONE
        engage(rng, m, s, t, who)  # the one engagement site
        if code == Y.EV_LEGAL and who == ENG_ALL:
            review(m, s, t, False, -1)  # after the engagements (on_legal: in effect)
    _close(m, s, step)
    return cnt[C_NTRACE]


@kernel(nrt=True, python=True)
def run_batch_kernel(
    entropy, design_point, start, m, ev, out, series, scratch, out_ev, series_ev, scratch_ev, trace
):
    """Run replications ``start .. start + n - 1`` in one call.

    Seeding happens here (:func:`nansei.engine.rng.seed_stream`), so a batch
    costs one dispatch from Python, not one per replication. When
    ``ip[I_LOG_CIVIL]`` is set, each replication's stays, strikes and gateway
    closures feed the evacuation sub-model
    (:func:`nansei.engine.evacuation.run_evacuation`), which draws from its own
    sub-stream ``(design_point, replication, 1)``.

    Parameters
    ----------
    entropy : ndarray (k,) uint64
        Root seed words (:func:`nansei.engine.rng.entropy_words`).
    design_point, start : int
        Spawn key of the first replication is ``(design_point, start)``.
    m : Model
    ev : Evac
        Evacuation arrays (:data:`nansei.engine.evac_layout.EVAC_ARGS`).
    out : ndarray (n, N_OUT) float64
        One record per replication, written in place.
    series : ndarray (n, n_steps, N_SERIES) or (0, n_steps, N_SERIES) float64
        Per-replication series, written in place when it has ``n`` rows.
    scratch : ndarray (n_steps, N_SERIES) float64
        Work space for the series when they are not kept.
    out_ev : ndarray (n, n_ev_out) float64
        Evacuation outputs per replication (0 columns when not simulated).
    series_ev : ndarray (n or 0, n_days, n_ev_series) float64
        Daily evacuation series, kept when it has ``n`` rows.
    scratch_ev : ndarray (n_days, n_ev_series) float64
        Work space for the evacuation series when they are not kept.
    trace : ndarray (n_trace, 5) float64
        Event trace rows (time, event, entity, site, value) of the batch's last
        replication; 0 rows for none (a trace is taken with a batch of one).

    Returns
    -------
    int
        Trace rows written.
    """
    st = np.zeros(4, dtype=np.uint64)
    st_ev = np.zeros(4, dtype=np.uint64)
    keep = series.shape[0] == out.shape[0]
    keep_ev = series_ev.shape[0] == out.shape[0]
    civil = m.ip[Y.I_LOG_CIVIL] == 1
    n_trace = 0
    if out.shape[0] == 0:
        return n_trace
    s0 = new_state(m, out[0], scratch)
    for j in range(out.shape[0]):
        seed_stream(st, entropy, design_point, start + j)
        s = with_books(s0, out[j], series[j] if keep else scratch, trace)
        n_trace = _replicate(st, m, s)
        if out[j, Y.O_OVERFLOW] > 0:
            # the run is invalid: stop the batch at once (the caller raises); the rows not
            # simulated carry the flag and no numbers
            for jj in range(j + 1, out.shape[0]):
                out[jj, :] = np.nan
                out[jj, Y.O_OVERFLOW] = out[j, Y.O_OVERFLOW]
            break
        if civil:
            b, cnt = s.b, s.b.cnt
            run_evacuation(
                st_ev, entropy, design_point, start + j, ev.ev_f, ev.ev_i, ev.ev_pop,
                ev.ev_int, ev.isl_ev, ev.pref_rank, ev.pref_quota, ev.gw_int, ev.gw_cap_h,
                ev.site_near, ev.site_res, ev.site_isl, ev.ev_stop, s.lg.auth_t[A_EVACUATION],
                b.gw_log, cnt[C_NGWLOG], b.strike_log, cnt[C_NSTRLOG], b.stay_log,
                cnt[C_NSTAYLOG], out_ev[j], series_ev[j] if keep_ev else scratch_ev,
            )  # fmt: skip
    return n_trace
