"""Layout of the flat arrays of the evacuation sub-model (:mod:`nansei.engine.evacuation`).

Like :mod:`nansei.engine.layout` for the combat kernel: scalar parameters travel in ``ev_f``
(float64) and ``ev_i`` (int64), indexed by the ``F_*`` and ``I_*`` constants; per-entity
integer columns are indexed by the ``E_*`` (evacuated islands) and ``G_*`` (gateways)
constants. Per-replication outputs go to ``out_ev`` (float64): first the ``N_SCALAR`` scalars
in :data:`SCALAR_OUTPUTS`, then one block of ``n_ev`` values per field in
:data:`ISLAND_OUTPUTS` (evacuated islands, compile order), then one value per host prefecture.
The daily series ``series_ev`` has shape ``(n_days, 2 * n_ev + n_pref + n_g)``: see
:func:`series_names`.
"""

from __future__ import annotations

from collections import namedtuple

# --- float parameters (ev_f) -------------------------------------------------
F_HORIZON_H = 0  # simulated horizon (h)
F_P_AIR = 1  # daily probability that air departures are cancelled
F_P_SEA = 2  # daily probability that sailings are cancelled
F_SUSPEND_H = 3  # suspension of a gateway after a strike within the radius (h)
F_DELAY_KIND = 4  # order delay distribution (kind, a, b) as in nansei.engine.dists
F_DELAY_A = 5
F_DELAY_B = 6
F_CARE_FRACTION = 7  # share of people who need care
F_ORDER_AT = 8  # scripted order time (h; inf = none): the order takes effect then, once lawful
N_F = 9

# --- integer parameters (ev_i) -----------------------------------------------
I_PRIORITY = 0  # PRIORITY_CODES
N_I = 1

#: Priority rule codes (``civil.evacuation.priority``).
PRIORITY_CODES: dict[str, int] = {"small_islands_first": 0, "proportional": 1, "care_first": 2}

# --- per evacuated island integer columns (ev_int, shape (n_ev, N_E)) ----------
E_ISLAND = 0  # island index in the combat compile order (Compiled.island_ids)
E_STAGE = 1  # evacuated-island index of the staging island, -1 = leaves for Kyushu
E_POOL = 2  # gateway pool (islands joined by road share gateways)
E_RANK = 3  # rank by population, ascending (0 = smallest): small_islands_first order
N_E = 4

# --- per gateway integer columns (gw_int, shape (n_g, N_G)) --------------------
G_ISLAND = 0  # evacuated-island index the gateway is on
G_MODE = 1  # 0 air, 1 sea
G_COMBAT = 2  # index in Compiled.gateway_ids (closures from gw_log), -1 = none
N_G = 3

MODE_AIR = 0
MODE_SEA = 1

# --- scalar outputs ----------------------------------------------------------
S_POPULATION = 0
S_EVACUATED = 1
S_REMAINING = 2
S_ORDER_H = 3
S_COMPLETE_H = 4
S_FIRST_STRIKE_H = 5
S_RESIDENTS_AT_STRIKE = 6
S_PEOPLE_AT_STRIKE = 7
S_EXPOSURE = 8
S_CASUALTY = 9
S_UNHOSTED = 10
S_OFF_PAIRING = 11
S_AIR_DAYS_CANCELLED = 12
S_SEA_DAYS_CANCELLED = 13
S_MAX_PER_DAY = 14
N_SCALAR = 15

#: Scalar outputs, in ``out_ev`` order: (column, unit, description).
SCALAR_OUTPUTS: tuple[tuple[str, str, str], ...] = (
    ("evac_population", "people", "residents + tourists on the evacuated islands at t = 0"),
    ("evac_evacuated", "people", "people who left the region (reached Kyushu) by the horizon"),
    ("evac_remaining", "people", "people still in the region at the horizon"),
    ("evac_order_h", "h", "time the evacuation order took effect (inf = never)"),
    ("evac_complete_h", "h", "time the last evacuee left the region (NaN = not complete)"),
    ("evac_first_strike_h", "h", "time of the first strike (strike or gateway log; NaN = none)"),
    (
        "evac_residents_at_strike",
        "people",
        "residents (excluding tourists) still in the region at the first strike (NaN = none)",
    ),
    ("evac_people_at_strike", "people", "residents + tourists in the region at the first strike"),
    (
        "evac_exposure_person_h",
        "person-h",
        "Σ launcher stays × site residents × share of the island's people still present",
    ),
    (
        "evac_casualty_proxy",
        "people",
        "Σ strikes with a leak × site residents × share of the island's people still present",
    ),
    ("evac_unhosted", "people", "evacuees beyond every host prefecture's allocation"),
    ("evac_off_pairing", "people", "evacuees hosted by a prefecture not paired with their town"),
    ("evac_air_days_cancelled", "days", "days on which air departures were cancelled"),
    ("evac_sea_days_cancelled", "days", "days on which sailings were cancelled"),
    ("evac_max_per_day", "people/day", "most people leaving the region in one day (0-24 h)"),
)

# --- per evacuated island outputs (blocks of n_ev) -----------------------------
P_START = 0
P_EVACUATED = 1
P_REMAINING = 2
P_COMPLETE_H = 3
P_RESIDENTS_AT_STRIKE = 4
P_CLEARED_H = 5
N_P = 6

#: Per-island output fields (one column per evacuated island, by island of origin).
ISLAND_OUTPUTS: tuple[tuple[str, str, str], ...] = (
    ("evac_start", "people", "residents + tourists of the island at t = 0"),
    ("evac_evacuated", "people", "people of the island who left the region by the horizon"),
    (
        "evac_remaining",
        "people",
        "people of the island still in the region at the horizon (on it or staging)",
    ),
    ("evac_complete_h", "h", "time the island's last evacuee left the region (NaN = not)"),
    (
        "evac_residents_at_strike",
        "people",
        "residents of the island still in the region at the first strike",
    ),
    (
        "evac_cleared_h",
        "h",
        "time nobody was left on the island itself (staged islands: all moved to the "
        "staging island; NaN = not)",
    ),
)


#: Per-prefecture output ``evac_hosted.<prefecture>`` (one column per host prefecture).
HOSTED_OUTPUT: tuple[str, str, str] = (
    "evac_hosted",
    "people",
    "evacuees assigned to the host prefecture by the horizon",
)


def island_offset(field: int, e: int, n_ev: int) -> int:
    """Index in ``out_ev`` of per-island field ``field`` for evacuated island ``e``."""
    return N_SCALAR + field * n_ev + e


def output_names(islands: tuple[str, ...] | list[str], prefectures: tuple | list) -> list[str]:
    """Column names of ``out_ev``: scalars, ``<field>.<island>``, ``evac_hosted.<prefecture>``."""
    names = [n for n, _, _ in SCALAR_OUTPUTS]
    for f, _, _ in ISLAND_OUTPUTS:
        names.extend(f"{f}.{i}" for i in islands)
    names.extend(f"{HOSTED_OUTPUT[0]}.{p}" for p in prefectures)
    return names


def series_names(islands, prefectures, gateways) -> list[str]:
    """Column names of ``series_ev`` (one row per day).

    ``evacuees.<island>`` people of the island who left the region that day;
    ``remaining.<island>`` people of the island still in the region at the end of the day;
    ``hosted.<prefecture>`` arrivals assigned to the prefecture that day;
    ``gateway.<id>`` departures through the gateway that day (to Kyushu or to staging).
    """
    return (
        [f"evacuees.{i}" for i in islands]
        + [f"remaining.{i}" for i in islands]
        + [f"hosted.{p}" for p in prefectures]
        + [f"gateway.{g}" for g in gateways]
    )


#: Arrays of :func:`run_evacuation` between ``replication`` and ``authority_h``, in order.
EVAC_ARGS = (
    "ev_f",
    "ev_i",
    "ev_pop",
    "ev_int",
    "isl_ev",
    "pref_rank",
    "pref_quota",
    "gw_int",
    "gw_cap_h",
    "site_near",
    "site_res",
    "site_isl",
    "ev_stop",
)
# --- scripted stops of departures (ev_stop, shape (k, 4)) ------------------------
# rows (t_from_h, t_to_h, mode, gateway): departures of the mode (MODE_AIR, MODE_SEA or
# STOP_BOTH) from the gateway (index; -1 = every gateway) stop in every hour overlapping
# [t_from_h, t_to_h): scripted closures, suspensions and bad weather.
STOP_BOTH = 2

# --- work arrays of one replication (allocated by run_evacuation) ------------------
#: One replication's work arrays (allocated by ``run_evacuation``). Shapes:
#: ``n_ev`` evacuated islands, ``n_pref`` host prefectures, ``n_g`` gateways, ``n_h`` hours,
#: ``n_days`` days; people as whole numbers in float64.
EvacWork = namedtuple(
    "EvacWork",
    (
        "stock",  # (n_ev, n_ev, 2) people by (island where they are, origin, care/other)
        "inflow",  # (n_ev, n_ev, 2) people arriving on a staging island at the hour's end
        "take",  # (n_ev, n_ev, 2) people leaving this hour (split_outflow)
        "start",  # (n_ev,) people of each island at t = 0
        "res_share",  # (n_ev,) residents' share of those people
        "order_o",  # (n_ev,) int64 islands by size rank (small_islands_first)
        "pres",  # (n_h + 1, n_ev) people on island e at the start of hour h
        "rem_o",  # (n_h + 1, n_ev) people of origin e still in the region at hour h
        "evacuated",  # (n_ev,) people of origin e who left the region
        "complete",  # (n_ev,) hour everyone of origin e had left the region (nan: never)
        "cleared",  # (n_ev,) hour island e was empty (nan: never)
        "quota_left",  # (n_pref,) host allocation left, people
        "hosted",  # (n_pref,) people hosted by each prefecture
        "hosted_before",  # (n_pref,) ``hosted`` before the current transfer
        "capg",  # (n_g,) departures each gateway can make this hour, people
        "blocked",  # (n_g, n_h) uint8: 1 if the gateway is closed or suspended that hour
        "wx",  # (n_days,) the weather uniform of each day
        "acc",  # (N_ACC,) running totals (ACC_*)
        "split_a",  # (2 n_ev^2,) int64 work space of split_outflow: island of each group
        "split_o",  # (2 n_ev^2,) int64 ... origin of each group
        "split_c",  # (2 n_ev^2,) int64 ... class of each group
    ),
)
ACC_OFF = 0  #: people hosted off their pairing
ACC_UNHOSTED = 1  #: people who found no host allocation
ACC_AIR_DAYS = 2  #: days with air departures cancelled (from the order)
ACC_SEA_DAYS = 3  #: days with sailings cancelled (from the order)
N_ACC = 4
