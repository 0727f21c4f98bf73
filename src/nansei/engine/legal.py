"""Japan's legal authorities in the kernel: recognitions, prior consultation, gating.

:func:`compile_legal` turns the scenario's ``legal`` section into arrays; the
``@njit`` helpers below keep the state of one replication:

* ``rec_t`` (R,): recognition time of each timeline entry (h; ``inf`` while
  pending). ``scheduled`` entries are known at t = 0; ``delay`` entries
  ``delay_h`` after the previous entry; ``trigger`` entries ``delay_h``
  (default 0) after the first trigger event (first Red strike on Japanese
  territory, first Blue salvo from Japanese soil). Delays are drawn once per
  replication, at its start, from the legal sub-stream, so two authority sets
  run with the same seed see the same decision delays.
* ``recog_t`` (N_SIT,): recognition time of each situation (earliest entry).
  A situation contained in a more severe one (:data:`CONTAINMENT`: the
  anticipated armed attack situation in the armed attack situation) is not
  recognised at or after the recognition of the one containing it: its entry
  lapses (``recog_t`` stays ``inf``, its ``EV_LEGAL`` event changes nothing).
* ``auth_t`` (N_ACT,): earliest time each action is permitted: the earliest
  time a situation that permits it holds (recognitions are never withdrawn, so
  permission is the union over recognised situations; a contained situation
  holds from its own recognition or from that of the situation containing it,
  whichever is first). For ``us_fires_from_japan`` the permission of every
  situation but the armed attack situation also waits for prior-consultation
  approval (never if denied or pending): operations under Article V of the
  1960 treaty, in defence of Japan under armed attack, are outside prior
  consultation (Kishi-Herter exchange of notes).

Gating is then one comparison, ``t >= auth_t[a]``. Blocked actions are
counted per action and logged in the trace with a reason code
(:data:`REASONS`).
"""

from __future__ import annotations

import math

import numpy as np

from nansei.engine.dists import draw
from nansei.engine.jit import kernel, plain_python
from nansei.scenario.legal import ACTIONS, CONTAINED_IN, SITUATIONS

#: Actions in array order (``auth_t`` index).
ACTION_NAMES: tuple[str, ...] = tuple(ACTIONS)
A_SUPPLY_AMMO = ACTION_NAMES.index("sdf_supply_ammunition")
A_SUPPLY_FUEL = ACTION_NAMES.index("sdf_supply_fuel")
A_TRANSPORT = ACTION_NAMES.index("sdf_transport")
A_COMBAT_ZONE = ACTION_NAMES.index("sdf_logistics_in_combat_zone")
A_US_FIRES = ACTION_NAMES.index("us_fires_from_japan")
A_USE_OF_FORCE = ACTION_NAMES.index("sdf_use_of_force")
A_EVACUATION = ACTION_NAMES.index("evacuation_order")
A_TEMP_BASES = ACTION_NAMES.index("us_temporary_bases")
N_ACT = len(ACTION_NAMES)
N_SIT = len(SITUATIONS)
S_ARMED_ATTACK = SITUATIONS.index("armed_attack")
#: (contained situation, situation containing it) index pairs, from ``CONTAINED_IN``.
CONTAINMENT: tuple = tuple(
    (SITUATIONS.index(a), SITUATIONS.index(b)) for a, b in CONTAINED_IN.items()
)

#: Actions the combat kernel gates (and counts as ``blocked_<action>``).
GATED_ACTIONS: tuple[str, ...] = (
    "sdf_supply_ammunition",
    "sdf_supply_fuel",
    "sdf_transport",
    "sdf_logistics_in_combat_zone",
    "us_fires_from_japan",
    "sdf_use_of_force",
)

#: Reason codes of blocked-action log rows (trace ``value`` column).
REASON_NO_SITUATION = 1
REASON_CONSULTATION = 2
REASON_COMBAT_ZONE = 3
REASONS = {
    REASON_NO_SITUATION: "no recognised situation permits the action",
    REASON_CONSULTATION: "prior consultation not (yet) approved",
    REASON_COMBAT_ZONE: "destination is where combat is taking place",
}

# lg_rec columns
R_SIT = 0
R_MODE = 1  # 0 scheduled, 1 delay, 2 trigger
R_AT = 2
R_DKIND = 3  # delay distribution (kind, a, b); kind -1 = no delay (0 h)
R_DA = 4
R_DB = 5
R_TRIGGER = 6  # 0 first Red strike on Japan, 1 first Blue salvo from Japan
N_REC_COLS = 7
TRIGGERS = ("first_red_strike_on_japan", "first_blue_salvo_from_japan")
T_RED_STRIKE = 0
T_BLUE_SALVO = 1

# lg_f entries
G_PC_STATUS = 0  # 0 approved, 1 denied, 2 pending
G_PC_AT = 1
G_AD_SDF = 2  # 1 if air defence is provided by the SDF (needs sdf_use_of_force)
G_RANDOM = 3  # 1 if any recognition delay is random
N_LG_F = 4
PC_STATUSES = ("approved", "denied", "pending")


def compile_legal(sc) -> dict[str, np.ndarray]:
    """Compile ``sc.legal`` (and the air-defence provider) to kernel arrays.

    Returns
    -------
    dict
        ``lg_perm`` (N_SIT, N_ACT) uint8, 1 where a situation permits an action;
        ``lg_rec`` (R, 7) float64, one row per timeline entry (see ``R_*``);
        ``lg_f`` (4,) float64, prior consultation status and decision time (h),
        SDF air-defence flag, random-delay flag.
    """
    from nansei.scenario.events import legal_timeline  # not at module level: no kernel code

    aset = sc.legal.authority_set()
    perm = np.zeros((N_SIT, N_ACT), dtype=np.uint8)
    for s, acts in aset.permits.items():
        for a in acts:
            perm[SITUATIONS.index(s), ACTION_NAMES.index(a)] = 1
    rows = []
    random_delay = False
    for rec in legal_timeline(sc):  # scripted recognitions appended (scenario.events)
        row = np.zeros(N_REC_COLS)
        row[R_SIT] = SITUATIONS.index(rec.situation)
        row[R_MODE] = ("scheduled", "delay", "trigger").index(rec.mode)
        row[R_AT] = rec.at_h if rec.at_h is not None else math.inf
        row[R_DKIND] = -1.0
        if rec.delay_h is not None:
            kind, a, b = rec.delay_h.params()
            row[R_DKIND], row[R_DA], row[R_DB] = kind, a, b
            random_delay = random_delay or int(kind) != 0
        row[R_TRIGGER] = TRIGGERS.index(rec.trigger) if rec.trigger else -1
        rows.append(row)
    pc = sc.legal.prior_consultation
    lg_f = np.zeros(N_LG_F)
    lg_f[G_PC_STATUS] = PC_STATUSES.index(pc.status)
    lg_f[G_PC_AT] = pc.decision_at_h
    lg_f[G_AD_SDF] = 1.0 if sc.blue.air_defence.provider == "sdf" else 0.0
    lg_f[G_RANDOM] = 1.0 if random_delay else 0.0
    return {
        "lg_perm": perm,
        "lg_rec": np.array(rows, dtype=np.float64).reshape(len(rows), N_REC_COLS),
        "lg_f": lg_f,
    }


def new_legal_state(n_rec: int) -> tuple:
    """Per-replication legal state: ``(rec_t, rec_delay, recog_t, auth_t, trig_t)``."""
    return (
        np.full(n_rec, np.inf),
        np.zeros(n_rec),
        np.full(N_SIT, np.inf),
        np.full(N_ACT, np.inf),
        np.full(2, np.inf),
    )


@kernel(python=True)
def legal_reset(lrng, lg_rec, rec_t, rec_delay, trig_t):
    """Start a replication: draw every recognition delay from ``lrng``."""
    trig_t[:] = np.inf
    for r in range(lg_rec.shape[0]):
        rec_t[r] = np.inf
        k = int(lg_rec[r, R_DKIND])
        rec_delay[r] = 0.0 if k < 0 else draw(lrng, k, lg_rec[r, R_DA], lg_rec[r, R_DB])


@kernel(python=True)
def holds_from(recog_t, s):
    """Time from which situation ``s`` holds: its recognition, or that of the situation
    containing it (:data:`CONTAINMENT`) if earlier."""
    t = recog_t[s]
    for pair in CONTAINMENT:
        if pair[0] == s and recog_t[pair[1]] < t:
            t = recog_t[pair[1]]
    return t


@kernel(python=True)
def entry_in_effect(lg_rec, rec_t, recog_t, r):
    """True if timeline entry ``r`` recognises its situation (``r`` = number of entries:
    the prior-consultation decision, always in effect); False for an entry that lapsed
    or repeats an earlier recognition of its situation."""
    if r >= lg_rec.shape[0]:
        return True
    return rec_t[r] == recog_t[int(lg_rec[r, R_SIT])]


@kernel(python=True)
def legal_resolve(lg_perm, lg_rec, lg_f, rec_t, rec_delay, recog_t, auth_t, trig_t):
    """Fix every recognition time that is now known; recompute ``recog_t`` and ``auth_t``.

    Returns
    -------
    int
        Bit mask of the timeline entries whose time became known in this call
        (entries >= 62 are not reported).
    """
    new = 0
    prev = 0.0
    for r in range(lg_rec.shape[0]):
        if rec_t[r] == np.inf:
            mode = int(lg_rec[r, R_MODE])
            t = np.inf
            if mode == 0:
                t = lg_rec[r, R_AT]
            elif mode == 1:
                t = prev + rec_delay[r]
            else:
                t = trig_t[int(lg_rec[r, R_TRIGGER])] + rec_delay[r]
            if t < np.inf:
                rec_t[r] = t
                if r < 62:
                    new |= 1 << r
        prev = rec_t[r]
    for s in range(recog_t.shape[0]):
        recog_t[s] = np.inf
    recog_t[0] = 0.0  # peacetime holds from the start: its permissions apply from t = 0
    for r in range(lg_rec.shape[0]):
        s = int(lg_rec[r, R_SIT])
        if rec_t[r] < recog_t[s]:
            recog_t[s] = rec_t[r]
    for pair in CONTAINMENT:
        if recog_t[pair[0]] >= recog_t[pair[1]]:
            recog_t[pair[0]] = np.inf  # lapses: never recognised at or after its container
    for a in range(auth_t.shape[0]):
        best = np.inf
        for s in range(recog_t.shape[0]):
            if lg_perm[s, a] == 1:
                best = min(best, holds_from(recog_t, s))
        auth_t[a] = best
    # US fires: consultation gates every permission but the armed attack situation's
    free = np.inf
    if lg_perm[S_ARMED_ATTACK, A_US_FIRES] == 1:
        free = recog_t[S_ARMED_ATTACK]
    gated = np.inf
    for s in range(recog_t.shape[0]):
        if s != S_ARMED_ATTACK and lg_perm[s, A_US_FIRES] == 1:
            gated = min(gated, holds_from(recog_t, s))
    pc = int(lg_f[G_PC_STATUS])
    gated = max(gated, lg_f[G_PC_AT]) if pc == 0 else np.inf
    auth_t[A_US_FIRES] = min(free, gated)
    return new


@kernel(python=True)
def block_reason(lg_perm, lg_f, recog_t, a, t):
    """Why action ``a`` is not permitted at ``t`` (a ``REASON_*`` code)."""
    if a == A_US_FIRES:
        for s in range(recog_t.shape[0]):
            if lg_perm[s, a] == 1 and holds_from(recog_t, s) <= t:
                return REASON_CONSULTATION
    return REASON_NO_SITUATION


def authority_times(sc, trigger_times: dict[str, float] | None = None) -> dict[str, float]:
    """Python reference: earliest permitted time (h) of every action for fixed delays.

    Random delays are replaced by their means; ``trigger_times`` gives the
    time of each trigger event (default: never). Used by tests and docs.
    """
    return _resolve_means(sc, trigger_times)[1]


def recognition_times(sc, trigger_times: dict[str, float] | None = None) -> dict[str, float]:
    """Python reference: recognition time (h) of every situation, as :func:`authority_times`
    (``inf``: never recognised, or lapsed)."""
    return _resolve_means(sc, trigger_times)[0]


def _resolve_means(sc, trigger_times, resolve=None):
    """Recognition and authority times at the delays' means; ``resolve`` is the resolver
    to run (default: :func:`legal_resolve` as plain Python, which needs no Numba start-up
    for this one call; the tests pass the compiled one to compare)."""
    from nansei.scenario.events import legal_timeline

    if resolve is None:
        resolve = plain_python(legal_resolve)
    arrays = compile_legal(sc)
    rec = arrays["lg_rec"]
    rec_t, rec_delay, recog_t, auth_t, trig_t = new_legal_state(rec.shape[0])
    for r, entry in enumerate(legal_timeline(sc)):
        rec_delay[r] = entry.delay_h.mean() if entry.delay_h is not None else 0.0
    for name, t in (trigger_times or {}).items():
        trig_t[TRIGGERS.index(name)] = t
    resolve(arrays["lg_perm"], rec, arrays["lg_f"], rec_t, rec_delay, recog_t, auth_t, trig_t)
    return (
        {s: float(recog_t[i]) for i, s in enumerate(SITUATIONS)},
        {a: float(auth_t[i]) for i, a in enumerate(ACTION_NAMES)},
    )
