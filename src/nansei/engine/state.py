"""Named state of the kernel: the read-only model and the per-replication bundles.

The kernel takes a few named bundles of arrays instead of long argument lists
(named tuples of arrays: Numba types them once, caches them across processes
and passes them without reference counting). Two kinds:

* :class:`Model`: the compiled scenario, read only. Its fields are the arrays
  that :func:`nansei.engine.compile.compile_scenario` builds (``MODEL_FIELDS``).
* :class:`State`: everything one replication changes, grouped by subsystem:
  the event heap (:class:`Heap`), launchers (:class:`Launchers`), sites,
  targets and gateways (:class:`World`), the record, series and logs
  (:class:`Books`), the legal state (:class:`LegalState`), the SDF supply
  chain (:class:`SupplyState`) and launcher fuel (:class:`FuelState`).

:func:`new_state` allocates a workspace once per batch; :func:`reset_state`
and the subsystems' start functions reset it for each replication, so the
replication loop allocates nothing (it runs without Numba's reference
counting, ``docs/engine.md``).
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from nansei.engine import layout as Y
from nansei.engine.evac_layout import EVAC_ARGS
from nansei.engine.jit import kernel
from nansei.engine.legal import N_ACT, N_SIT

#: The compiled scenario's arrays (see ``nansei.engine.compile`` for each shape).
MODEL_FIELDS = (
    "fp",  # (N_FP,) float64 scalar parameters (layout.F_*)
    "ip",  # (N_IP,) int64 scalar parameters (layout.I_*)
    "lp",  # (L, N_LP) float64 per-launcher parameters (layout.L_*)
    "l_site0",  # (L,) int64 start site
    "rounds0",  # (L, M) int64 rounds loaded at the start
    "reload0",  # (L, M) int64 rounds held for reloading at the start
    "mun_f",  # (M, 2) float64 p_hit of a salvo, rounds per pod
    "site_f",  # (S, 5) float64 concealment, residents in the hazard radius, excluded until (h),
    # factor on Red's detection rates (ISR cover: 1, or less deep in an abstract theatre),
    # expected look-alike vehicles in Red's view there (identification)
    "site_island",  # (S,) int64
    "site_xy",  # (S, 2) float64 planar position (km; compile_sites.planar_km projection)
    "road_km",  # (S, S) float64 road distance on an island
    "in_range",  # (S, Z, M) uint8 zone z within range of munition m from site s
    "isl_gw",  # (I, 2) int64 island's airport and port gateway, -1 none
    "isl_km",  # (I, I) float64 gateway-to-gateway geodesic distance
    "site_gw_km",  # (S, 2) float64 road km from a site to its island's airport and port
    "gw_type",  # (G,) int64 0 airport, 1 port
    "gw_runway",  # (G,) float64 runway length (m), 0 for ports
    "zone_f",  # (Z, 4) float64 arrivals per hour, dwell a, dwell b, start (h)
    "zone_i",  # (Z, 2) int64 dwell kind, persistent flag
    "decoy_site",  # (K,) int64 site of each decoy
    "lg_perm",  # (N_SIT, N_ACT) uint8 situation permits action
    "lg_rec",  # (R, 7) float64 legal timeline entries (legal.R_*)
    "lg_f",  # (4,) float64 prior consultation and flags (legal.G_*)
    "su_f",  # (8,) float64 sustainment scalars (supply.U_*)
    "su_node",  # (N, 6) int64 supply nodes (supply.N_*)
    "su_stock0",  # (N, M + 1) float64 initial pods per munition and fuel (l)
    "su_km",  # (N, N, 3) float64 sea, air, road km between nodes (inf impossible)
    "su_tr",  # (T, 5) float64 transport pools (supply.T_*)
    "su_mass",  # (M,) float64 pod mass (t)
    "su_issue",  # (I,) int64 issuing node of each island, -1 none
    "su_site_isl",  # (S,) int64 island of every site, -1 not in play
    "gw_island",  # (G,) int64 island of each gateway
    "sx",  # (X, 4) float64 scripted events: time (h), op (layout.SX_*), entity, event index
)
Model = namedtuple("Model", MODEL_FIELDS)
#: The evacuation sub-model's arrays (``nansei.engine.compile_civil``).
Evac = namedtuple("Evac", EVAC_ARGS)

#: Pending events: times (cap,), ints (cap, 4) sequence, code, entity, tag; state [size, seq].
Heap = namedtuple("Heap", ("t", "ints", "state"))
#: Launchers: ``i`` (L, N_LI) int64 and ``f`` (L, N_LF) float64 columns below,
#: next detection time (L,), rounds loaded and held for reloading (L, M).
Launchers = namedtuple("Launchers", ("i", "f", "det_t", "rounds", "reload"))
#: Sites, targets, decoys, gateways and lift.
World = namedtuple(
    "World",
    (
        "site_occ",  # (S,) int64 launcher at the site (or heading to it), -1 none
        "site_last",  # (S,) float64 time the site was last left
        "site_hot",  # (S,) float64 last time Blue fired from the site or saw it struck
        "site_seen",  # (S,) float64 last time Red saw a launcher (or a decoy) at the site
        "issue_site",  # (S,) int64 SDF node issuing at the site, -1 none
        "tg",  # (max_targets, 4) int64 zone, alive, salvos received, flags (engagement.TG_*)
        "zone_alive",  # (Z,) int64 live targets per zone
        "dec",  # (K, 2) int64 decoy intact, struck this horizon
        "gw_open",  # (G,) int64 1 open
        "gw_ver",  # (G,) int64 closure version
        "gw_since",  # (G,) float64 closed since (h)
        "gw_row",  # (G,) int64 row of the open closure in the gateway log
        "gw_held",  # (G,) int64 1 while a scripted event holds the gateway closed
        "gw_held_since",  # (G,) float64 held closed since (h)
        "lift_free",  # (2, n_lift) float64 time each air / sea lift platform is free
        "aim",  # (cap, 4) float64 pending strikes: x, y (km), reference site, position (1)
        "hit",  # (L,) int64 scratch: launchers a strike killed
    ),
)
#: The record, series, trace, counters and the coupling logs of a replication.
Books = namedtuple(
    "Books",
    (
        "cnt",  # (N_C,) int64 counters below
        "out",  # (N_OUT,) float64 the record
        "series",  # (n_steps, N_SERIES) float64
        "trace",  # (n_trace, 5) float64 time, event, entity, site, value (0 rows: off)
        "gw_log",  # (n_log, 3) float64 gateway, closed, reopened
        "strike_log",  # (n_log, 4) float64 time, site, island, leaked
        "stay_log",  # (n_stay, 4) float64 launcher, site, start, end
    ),
)
#: Legal state (``nansei.engine.legal``): sub-stream, recognition and authority times.
LegalState = namedtuple(
    "LegalState", ("lrng", "ent", "rec_t", "rec_delay", "recog_t", "auth_t", "trig_t")
)
#: SDF supply chain (``nansei.engine.supply``).
SupplyState = namedtuple(
    "SupplyState",
    (
        "srng",  # (4,) uint64 sustainment sub-stream
        "stock",  # (N, M + 1) pods and fuel on hand
        "on_order",  # (N, M + 1)
        "veh_free",  # (T, V) time each vehicle is free
        "trip",  # (K, 6) trips (supply.P_*)
        "trip_q",  # (K, M + 1) load of each trip
        "isl_hit",  # (I,) time of the last strike on each island
        "empty_since",  # (L,) time a launcher ran out of usable rounds and pods (inf)
        "want",  # (M + 1,) scratch of a review
        "rev_t",  # (N,) last review time pushed per node
    ),
)
#: Launcher fuel (``nansei.engine.fuel``).
FuelState = namedtuple(
    "FuelState",
    (
        "fuel",  # (L,) litres in the tank
        "fuel_t",  # (L,) time idle burn is accounted to (arrival time while moving)
        "dry",  # (L,) time the tank ran dry (inf)
        "strand",  # (L,) int64 0, 1 could not fire, 2 could not move; negated once refuelled
        "req",  # (L,) time a fuel vehicle was requested for the launcher (inf: none pending)
    ),
)
State = namedtuple("State", ("ev", "L", "w", "b", "lg", "su", "fu"))

# launcher int columns (Launchers.i)
ST = 0  # state (layout.HIDDEN ...)
SITE = 1  # current site, or destination while moving
STAY = 2  # stay counter (increments on arrival)
DEP = 3  # departure version
NSALVO = 4  # salvos this stay
PEND = 5  # a FIRE event is pending
SCOOT = 6  # departing: no more fires this stay
STRUCK = 7  # stay id already struck (first-detection doctrine)
ORIGIN = 8  # site left by the current (or last) move
MOVE_KIND = 9  # layout.MV_* of the current (or last) move
AT_FP = 10  # 1 at (or heading to) a firing point
NEXT = 11  # firing point chosen for the next move, -1 none
N_LI = 12
# launcher float columns (Launchers.f)
T_STAY = 0  # time the current stay began (arrival)
T_LEAVE = 1  # scheduled leave time (inf if none)
T_RELOAD = 2  # reload end time
T_SALVO = 3  # time of the last salvo
T_ARRIVE = 4  # arrival time of the current (or last) move
T_STRUCK = 5  # time Red last launched a strike at the current stay
N_LF = 6
# counters (Books.cnt)
C_INV = 0  # Red inventory left
C_DAY_USED = 1  # Red missiles used today
C_NTGT = 2  # targets created
C_NTRACE = 3  # trace rows written
C_OVERFLOW = 4  # an internal capacity was exceeded
C_TLO = 5  # no target below this index is alive
C_DAY = 6  # index of the day Red's daily capacity refers to
C_NGWLOG = 7  # rows in the gateway-closure log
C_NSTRLOG = 8  # rows in the strike log
C_NSTAYLOG = 9  # rows in the stay log
C_NAIM = 10  # strikes aimed so far (ring index into World.aim)
N_C = 11

# what an event handler returns: which launchers then look for a target
ENG_NONE = -1  # none
ENG_ALL = -2  # every launcher (otherwise: the launcher with that index)
# strand codes (FuelState.strand)
STRAND_FIRE = 1
STRAND_MOVE = 2


@kernel(nrt=True, inline=False)
def new_state(m, out, series):
    """Allocate one replication's state; reused (and reset) across a batch.

    Parameters
    ----------
    m : Model
    out : ndarray (N_OUT,) float64
        The first replication's record (``Books.out``; replaced per replication).
    series : ndarray (n_steps, N_SERIES) float64

    Returns
    -------
    State
        The logs have 0 rows unless ``ip[I_LOG_CIVIL]``.
    """
    ip = m.ip
    n_l = m.lp.shape[0]
    n_s = m.site_island.shape[0]
    n_z = m.zone_f.shape[0]
    n_g = m.gw_type.shape[0]
    n_d = m.decoy_site.shape[0]
    n_m = m.rounds0.shape[1]
    cap = 256 + m.sx.shape[0] + 16 * n_l + 4 * n_d + 4 * n_g + 8 * n_z + 4 * ip[Y.I_MAX_TARGETS]
    n_lift = max(ip[Y.I_AIR_LIFT_COUNT], ip[Y.I_SEA_LIFT_COUNT], 1)
    n_log = 0
    n_stay = 0
    if ip[Y.I_LOG_CIVIL] == 1:
        n_log = 64 + min(ip[Y.I_INVENTORY], 100_000)
        n_stay = 64 + 4 * n_l * (int(m.fp[Y.F_HORIZON_H]) + 1)
    ev = Heap(np.empty(cap), np.empty((cap, 4), dtype=np.int64), np.zeros(2, dtype=np.int64))
    launchers = Launchers(
        np.zeros((n_l, N_LI), dtype=np.int64),
        np.zeros((n_l, N_LF)),
        np.full(n_l, np.inf),
        np.zeros((n_l, n_m), dtype=np.int64),
        np.zeros((n_l, n_m), dtype=np.int64),
    )
    w = World(
        np.zeros(n_s, dtype=np.int64),
        np.zeros(n_s),
        np.zeros(n_s),
        np.zeros(n_s),
        np.full(n_s, -1, dtype=np.int64),
        np.zeros((max(ip[Y.I_MAX_TARGETS], 1), 4), dtype=np.int64),
        np.zeros(n_z, dtype=np.int64),
        np.zeros((n_d, 2), dtype=np.int64),
        np.ones(n_g, dtype=np.int64),
        np.zeros(n_g, dtype=np.int64),
        np.zeros(n_g),
        np.full(n_g, -1, dtype=np.int64),
        np.zeros(n_g, dtype=np.int64),
        np.zeros(n_g),
        np.zeros((2, n_lift)),
        np.zeros((cap, 4)),
        np.zeros(n_l, dtype=np.int64),
    )
    b = Books(
        np.zeros(N_C, dtype=np.int64),
        out,
        series,
        np.zeros((0, 5)),
        np.zeros((n_log, 3)),
        np.zeros((n_log, 4)),
        np.zeros((n_stay, 4)),
    )
    n_r = m.lg_rec.shape[0]
    lg = LegalState(
        np.zeros(4, dtype=np.uint64),
        np.zeros(2, dtype=np.uint64),
        np.full(n_r, np.inf),
        np.zeros(n_r),
        np.full(N_SIT, np.inf),
        np.full(N_ACT, np.inf),
        np.full(2, np.inf),
    )
    n_v = 1
    total = 0
    for j in range(m.su_tr.shape[0]):
        n_v = max(n_v, int(m.su_tr[j, Y.T_COUNT]))
        total += int(m.su_tr[j, Y.T_COUNT])
    n_i = m.su_stock0.shape[1]
    su = SupplyState(
        np.zeros(4, dtype=np.uint64),
        m.su_stock0.copy(),
        np.zeros_like(m.su_stock0),
        np.zeros((m.su_tr.shape[0], n_v)),
        np.zeros((total + 1, Y.N_TRIP_COLS)),
        np.zeros((total + 1, n_i)),
        np.full(m.isl_gw.shape[0], -np.inf),
        np.full(n_l, np.inf),
        np.zeros(n_i),
        np.full(m.su_node.shape[0], -1.0),
    )
    fu = FuelState(
        np.zeros(n_l), np.zeros(n_l), np.full(n_l, np.inf), np.zeros(n_l, np.int64), np.zeros(n_l)
    )
    return State(ev, launchers, w, b, lg, su, fu)


@kernel(nrt=True, inline=False)
def with_books(s, out, series, trace):
    """``s`` writing its record, series and trace to the given arrays."""
    b = s.b
    books = Books(b.cnt, out, series, trace, b.gw_log, b.strike_log, b.stay_log)
    return State(s.ev, s.L, s.w, books, s.lg, s.su, s.fu)


@kernel(inline=False)
def reset_state(m, s):
    """Reset the combat state for a new replication (element loops: no temporaries)."""
    L, w, b = s.L, s.w, s.b
    s.ev.state[:] = 0
    L.i[:, :] = 0
    L.det_t[:] = np.inf
    L.f[:, :] = 0.0
    for i in range(L.rounds.shape[0]):
        for k in range(L.rounds.shape[1]):
            L.rounds[i, k] = m.rounds0[i, k]
            L.reload[i, k] = m.reload0[i, k]
    w.site_occ[:] = -1
    w.site_last[:] = -np.inf
    w.site_hot[:] = -np.inf
    w.site_seen[:] = -np.inf
    w.tg[:, :] = 0
    w.zone_alive[:] = 0
    w.dec[:, :] = 0
    w.gw_open[:] = 1
    w.gw_ver[:] = 0
    w.gw_since[:] = 0.0
    w.gw_held[:] = 0
    w.gw_held_since[:] = 0.0
    w.lift_free[:, :] = 0.0
    b.cnt[:] = 0
    w.gw_row[:] = -1
    b.cnt[C_INV] = m.ip[Y.I_INVENTORY]
    b.out[:] = 0.0
    b.series[:, :] = 0.0
    b.out[Y.O_FIRST_LOSS] = np.nan
    b.out[Y.O_LAUNCHERS] = m.lp.shape[0]
