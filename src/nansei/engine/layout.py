"""Layout of the flat arrays shared by the compiler and the kernel.

The kernel takes only arrays and scalars (QuantEcon style). Scalar parameters
travel in two vectors, ``fp`` (float64) and ``ip`` (int64), indexed by the
constants below; per-replication outputs are written to ``out`` (float64),
indexed by the ``O_*`` constants. ``OUTPUTS`` names and documents every output
column, in order, so records are self-describing.
"""

from __future__ import annotations

# --- launcher states -------------------------------------------------------
HIDDEN = 0
MOVING = 1
SETTING_UP = 2
FIRING = 3
RELOADING = 4
DESTROYED = 5
#: Not in the theatre: before its group's ``arrive_h`` or after its ``withdraw_h``. Every
#: state from DESTROYED on is out of play (``st >= DESTROYED``).
ABSENT = 6
STATE_NAMES = ("hidden", "moving", "setting_up", "firing", "reloading", "destroyed", "absent")

# --- float parameters (fp) -------------------------------------------------
F_HORIZON_H = 0
F_SERIES_STEP_H = 1
F_DWELL_A = 2
F_DWELL_B = 3
F_SCOOT_DELAY_H = 4
F_FIXED_MOVE_H = 5
F_INTER_ISLAND_P = 6
F_SALVO_INTERVAL_H = 7
F_P_INTERCEPT = 8
F_RATE_HIDDEN = 9  # .. F_RATE_HIDDEN + 4: per-state detection rates (1/h)
F_P_DETECT_LAUNCH = 14
F_DELAY_A = 15
F_DELAY_B = 16
F_P_KILL = 17
F_STRIKES_START_H = 18
F_GW_RATE_PER_H = 19
F_REPAIR_A = 20
F_REPAIR_B = 21
F_DECOY_CONCEALMENT = 22
F_AIR_SPEED_KMH = 23
F_AIR_TURNAROUND_H = 24
F_AIR_MIN_RUNWAY_M = 25
F_SEA_SPEED_KMH = 26
F_SEA_TURNAROUND_H = 27
F_LIFT_LOAD_H = 28
F_DECOY_P_IDENTIFY = 29
F_LAUNCH_DELAY_A = 30  # kill chain cued by a launch detection (kind I_LAUNCH_DELAY_KIND)
F_LAUNCH_DELAY_B = 31
F_TRACK_DELAY_A = 32  # kill chain cued by a track (kind I_TRACK_DELAY_KIND)
F_TRACK_DELAY_B = 33
F_TRACK_LOSS = 34  # rate Red loses a road track (1/h)
F_LETHAL_KM = 35  # lethal radius of a missile's impact (km)
F_AIM_SD_KM = 36  # location error: sd of each impact about the aim point, per axis (km)
F_HAZARD_GROWTH = 37  # detection-rate growth per hour at a position (1/h)
F_HAZARD_MAX = 38  # cap of the growth factor
F_P_FALSE_CLAIM = 39  # Red claims a kill for a leaking strike that killed nothing
F_SITE_MEMORY_H = 40  # Blue avoids positions it fired from or saw struck this recently (h)
F_REATTACK_H = 41  # first-detection doctrine: strike a stay again this long after (inf never)
F_FP_KM = 42  # firing points: within this distance of the hide (km)
F_FP_MAX_H = 43  # longest wait at a firing point for a salvo (h)
F_FP_CONCEAL = 44  # concealment of a launcher at a firing point
F_HIDE_CONCEAL = 45  # firing-point mode: concealment at a hide (-1: the site's own)
F_REVISIT_RATE = 46  # Red's revisit strikes on positions it saw used (per hour)
F_REVISIT_MEMORY_H = 47  # how long Red remembers a position it saw used (h)
F_SIGNATURE = 48  # .. F_SIGNATURE + 4: per-state probability a sighting shows the signature
F_ID_RADIUS_KM = 53  # radius of the disc Red picks a launcher out of look-alikes in (km)
N_FP = 54

# --- per-launcher parameters (lp, shape (L, N_LP)) ----------------------------
# Set-up, tear-down and reload times are distributions stored as (kind, a, b)
# in three consecutive columns starting at L_SETUP, L_TEARDOWN and L_RELOAD.
L_SPEED_KMH = 0
L_SETUP = 1
L_TEARDOWN = 4
L_RELOAD = 7
L_FIRING_H = 10
L_FUEL_CAP = 11  # tank capacity (l)
L_FUEL_IDLE = 12  # fuel burned per hour when not moving (l/h)
L_FUEL_KM = 13  # fuel burned per km driven (l/km)
L_FUEL_ACTIVE = 14  # fuel burned per hour setting up, firing, reloading, tearing down (l/h)
L_ARRIVE_H = 15  # time the launcher enters the theatre (h)
L_WITHDRAW_H = 16  # time it leaves the theatre (h; inf: never)
N_LP = 17

# --- integer parameters (ip) -----------------------------------------------
I_DWELL_KIND = 0
I_SCOOT_AFTER = 1  # 0 = never scoot on salvo count
I_SITE_CHOICE = 2
I_MOVE_MODE = 3  # 0 road, 1 fixed
I_DELAY_KIND = 4
I_DOCTRINE = 5  # 0 per-site first detection, 1 per detection
I_TIE_RULE = 6  # 0 launcher escapes, 1 launcher caught
I_MISSILES_PER_STRIKE = 7
I_INVENTORY = 8
I_DAILY_CAPACITY = 9
I_REPAIR_KIND = 10
I_GW_TARGETS = 11  # 0 airports, 1 ports, 2 both
I_ROUNDS_PER_SALVO = 12
I_MAX_SALVOS_PER_TARGET = 13
I_AIR_LIFT_COUNT = 14
I_SEA_LIFT_COUNT = 15
I_TRACE = 16
I_MAX_TARGETS = 17
I_DECOY_DESTROYABLE = 18
I_LOG_CIVIL = 19  # 1: log stays, strikes and closures for the evacuation sub-model
I_LAUNCH_DELAY_KIND = 20
I_TRACK_DELAY_KIND = 21
I_FIRE_FROM = 22  # 0 from the site it waits at, 1 from a firing point
I_EVENT_CAP = 23  # a replication that processes more events stops (overflow 2)
I_ID_MAX_CANDIDATES = 24  # Red strikes an unsigned sighting among at most this many vehicles
N_IP = 25

SITE_CHOICES = ("random", "nearest_free", "least_recently_used", "farthest")
DOCTRINES = ("per_site_first_detection", "per_detection")
TIE_RULES = ("launcher_escapes", "launcher_caught")
GW_TARGETS = ("airports", "ports", "both")

# --- event codes -----------------------------------------------------------
EV_ARRIVE = 0
EV_SETUP_DONE = 1
EV_FIRE = 2
EV_FIRE_DONE = 3
EV_RELOAD_DONE = 4
EV_DEPART = 5
EV_LEAVE = 6
EV_DETECT = 7
EV_DECOY_DETECT = 8
EV_STRIKE = 9
EV_TARGET_ARRIVE = 10
EV_TARGET_LEAVE = 11
EV_GW_STRIKE = 12
EV_GW_REOPEN = 13
EV_LEGAL = 14  # a recognition or the prior-consultation decision takes effect
EV_SUPPLY_ARRIVE = 15  # a supply trip arrives (tag 0) or a withdrawn load is back (1)
EV_SUPPLY_REVIEW = 16  # (s, S) review of a supply point (entity; -1 = all)
EV_CONVOY = 17  # scheduled convoy departures
EV_BLOCKED = 18  # trace only: an action blocked by law (entity action, value reason)
EV_STOCK_SHIPPED = 19  # trace only (stock rows: entity = node + 1000 x item, value = change)
EV_STOCK_DELIVERED = 20
EV_STOCK_ISSUED = 21
EV_STOCK_DESTROYED = 22
EV_STOCK_RETURNED = 23
EV_TRANSIT_LOST = 24
EV_STOCK_END = 25  # trace only: stock of a node and item at the horizon
EV_HORIZON = 26
EV_TRACK = 27  # a road track ends: the launcher stopped (tag 1) or the track was lost (0)
EV_REVISIT = 28  # Red strikes again a position it saw used (pattern of life)
EV_FUEL_RESUPPLY = 29  # an SDF fuel vehicle reaches a stranded launcher
EV_WITHDRAW = 30  # a launcher leaves the theatre on its group's schedule
EV_DEPLOY = 31  # a launcher enters the theatre on its group's schedule
EV_SCRIPTED = 32  # a scripted event (entity: row of Model.sx; value: index in events)
#: Stock trace rows: entity = node + NODE_ITEM_BASE x item.
NODE_ITEM_BASE = 1000
EVENT_NAMES = (
    "arrive",
    "setup_done",
    "fire",
    "fire_done",
    "reload_done",
    "depart",
    "leave",
    "detect",
    "decoy_detect",
    "strike",
    "target_arrive",
    "target_leave",
    "gateway_strike",
    "gateway_reopen",
    "legal",
    "supply_arrive",
    "supply_review",
    "convoy",
    "blocked",
    "stock_shipped",
    "stock_delivered",
    "stock_issued",
    "stock_destroyed",
    "stock_returned",
    "transit_lost",
    "stock_end",
    "horizon",
    "track",
    "revisit",
    "fuel_resupply",
    "withdraw",
    "deploy",
    "scripted",
)
# --- strike cues (the kill chain that applies) and move kinds ---------------
CUE_ISR = 0
CUE_LAUNCH = 1
CUE_TRACK = 2
MV_ROAD = 0  # on the island by road: a position on the road at every instant
MV_LIFT = 1  # to another island by air or sea lift: out of reach of position strikes
MV_FIXED = 2  # an idealised move of fixed duration: out of reach of position strikes
# --- what Red makes of a sighting (identification among look-alikes) ---------
ID_LAUNCHER = 0  # the launcher: its signature, or picked out of the look-alikes
ID_LOOKALIKE = 1  # Red picked a look-alike: a strike on empty ground near the sighting
ID_NONE = 2  # too many look-alikes in view: no strike

# --- outputs (one record per replication) ----------------------------------
OUTPUTS: tuple[tuple[str, str], ...] = (
    ("launchers", "launchers in the scenario, whenever they arrive (count)"),
    ("launchers_lost", "launchers destroyed by the horizon (count)"),
    ("time_first_loss_h", "time of the first launcher loss, NaN if none (h)"),
    ("launcher_hours_available", "summed hours launchers were in theatre and alive (launcher-h)"),
    ("launchers_withdrawn", "launchers that left the theatre alive on schedule (count)"),
    ("salvos_fired", "salvos fired (count)"),
    ("rounds_fired", "rounds/missiles fired by Blue (count)"),
    ("targets_arrived", "Red surface groups that entered a sea zone (count)"),
    ("targets_engaged", "targets that received at least one salvo (count)"),
    ("targets_hit", "salvos that hit a target (count)"),
    ("detections", "Red detections of launchers: ISR and launch detections, not decoys (count)"),
    ("launch_detections", "salvo launches detected by Red (count)"),
    ("decoy_detections", "detections of decoys (count)"),
    (
        "red_strikes",
        "strikes launched on launcher positions: sites, firing points, road points, "
        "revisits (count)",
    ),
    ("red_missiles_spent", "Red missiles fired at launcher positions and gateways (count)"),
    ("red_missiles_intercepted", "Red missiles intercepted by Blue air defence (count)"),
    (
        "red_missiles_on_target",
        "leaking missiles of position strikes that found a launcher in the lethal radius (count)",
    ),
    (
        "red_missiles_wasted",
        "leaking missiles of position strikes that found no launcher: empty or decoys (count)",
    ),
    ("red_missiles_on_gateways", "leaking missiles on airports and ports (count)"),
    ("red_missiles_in_flight_end", "missiles of strikes still in flight at the horizon (count)"),
    ("strikes_wasted", "position strikes that found no launcher in the lethal radius (count)"),
    ("strikes_on_decoys", "position strikes that found an intact decoy and no launcher (count)"),
    ("strikes_on_road", "strikes aimed at the last seen point of a lost road track (count)"),
    ("revisit_strikes", "strikes on positions Red saw used earlier, pattern of life (count)"),
    ("tracks_held", "road tracks Red held until the launcher stopped (count)"),
    ("tracks_lost", "road tracks Red lost before the launcher stopped (count)"),
    ("red_claimed_kills", "launchers Red believes it destroyed: kills and false claims (count)"),
    ("strikes_denied", "strikes not launched: no inventory or daily capacity (count)"),
    ("decoys_destroyed", "decoys destroyed (count)"),
    ("relocations", "site-to-site moves started (count)"),
    ("firing_point_sorties", "moves from a hide to a firing point (count)"),
    ("inter_island_moves", "moves to another island by air or sea lift (count)"),
    (
        "inter_island_blocked",
        "inter-island moves not made: no free site there, too little fuel, no open gateway "
        "or lift (count)",
    ),
    ("gateway_strikes", "strikes on airports and ports (count)"),
    ("gateway_closed_h", "summed closure hours of airports and ports (gateway-h)"),
    (
        "targets_no_ammo",
        "targets that a hidden idle launcher in reach could not fire at for lack of rounds "
        "or pods of a munition that reaches them, none to draw; each target once (count)",
    ),
    (
        "exposure_person_h",
        "residents within the hazard radius x hours a site was occupied (person-h)",
    ),
    ("casualty_proxy", "residents within the hazard radius of strikes that leaked (persons)"),
    ("events", "events processed (count)"),
    (
        "overflow",
        "1 if an internal capacity, 2 if the event cap was exceeded: results invalid (flag)",
    ),
)
# legal authorities and SDF sustainment (nansei.engine.legal / sustain)
_LEGAL_ACTIONS = (
    "sdf_supply_ammunition",
    "sdf_supply_fuel",
    "sdf_transport",
    "sdf_logistics_in_combat_zone",
    "us_fires_from_japan",
    "sdf_use_of_force",
    "evacuation_order",
    "us_temporary_bases",
)
_SUSTAIN_OUTPUTS = (
    ("pods_issued", "pods issued by SDF nodes to launchers (count)"),
    (
        "launcher_stockout_h",
        "hours launchers in theatre held no rounds or pods of a munition that reaches a sea "
        "zone from their site (any round in firing-point mode) (launcher-h)",
    ),
    ("supply_trips", "supply trips dispatched (count)"),
    ("deliveries_made", "supply trips that delivered their load (count)"),
    ("deliveries_lost", "supply trips lost to interdiction on the loaded leg (count)"),
    ("deliveries_withdrawn", "trips that withdrew from a combat zone with their load (count)"),
    ("transports_lost", "transport vehicles lost (count)"),
    ("pods_delivered", "pods delivered to supply points (count)"),
    ("pods_lost_in_transit", "pods lost with interdicted trips (count)"),
    ("pods_destroyed", "pods destroyed at depots and supply points by strikes (count)"),
    ("fuel_delivered_l", "fuel delivered to supply points (l)"),
    ("fuel_lost_in_transit_l", "fuel lost with interdicted trips (l)"),
    ("fuel_destroyed_l", "fuel destroyed at depots and supply points (l)"),
    ("pods_at_nodes_start", "pods held at depots and supply points at t = 0 (count)"),
    ("pods_at_nodes_end", "pods held at depots and supply points at the horizon (count)"),
    ("pods_in_transit_end", "pods on trips still under way at the horizon (count)"),
    ("fuel_at_nodes_start_l", "fuel held at depots and supply points at t = 0 (l)"),
    ("fuel_at_nodes_end_l", "fuel held at depots and supply points at the horizon (l)"),
    ("fuel_in_transit_end_l", "fuel on trips still under way at the horizon (l)"),
    ("fuel_in_launchers_start_l", "fuel in launcher tanks at t = 0 (l)"),
    ("fuel_issued_l", "fuel issued by SDF nodes to launchers (l)"),
    ("fuel_burned_l", "fuel burned by launchers moving, idling and working (l)"),
    ("fuel_lost_with_launchers_l", "fuel in the tanks of destroyed launchers (l)"),
    ("fuel_in_launchers_end_l", "fuel in the tanks of surviving launchers at the horizon (l)"),
    ("launcher_fuel_dry_h", "hours launchers spent with an empty tank (launcher-h)"),
    (
        "salvos_no_fuel",
        "salvos not fired for lack of fuel: attempts, a launcher waiting for fuel that is "
        "offered a target again counts again (count)",
    ),
    ("moves_no_fuel", "relocations not made for lack of fuel for the move (count)"),
    ("fuel_resupply_runs", "SDF fuel vehicles that refuelled a stranded launcher (count)"),
)
#: What each ``blocked_*`` output counts (``nansei.engine.gating.blocked`` and its callers).
_BLOCKED_MEANING = {
    "sdf_supply_ammunition": "pod issues and supply orders refused for lack of the authority: "
    "attempts, a request repeated at each engagement or review counts again (count)",
    "sdf_supply_fuel": "fuel issues, fuel-vehicle runs and supply orders refused for lack of "
    "the authority: attempts, repeats count again (count)",
    "sdf_transport": "supply orders refused for lack of the authority: attempts, each review "
    "counts (count)",
    "sdf_logistics_in_combat_zone": "issues, orders and trips refused or withdrawn because "
    "an island was a combat zone: attempts, repeats count again (count)",
    "us_fires_from_japan": "targets a hidden launcher with loaded rounds that reach them could "
    "not fire at before US fires from Japan were authorised; each target once (count)",
    "sdf_use_of_force": "Red missiles SDF air defence could not engage before the authority "
    "(count)",
    "evacuation_order": "not counted: the evacuation waits for t_evacuation_authorised_h; "
    "always 0 (count)",
    "us_temporary_bases": "relocations refused for lack of the authority; the launcher stays "
    "and draws a new dwell (count)",
}
_BLOCKED_OUTPUTS = tuple((f"blocked_{a}", _BLOCKED_MEANING[a]) for a in _LEGAL_ACTIONS)
_LEGAL_OUTPUTS = (
    ("t_important_influence_h", "time the important influence situation is recognised (h)"),
    ("t_anticipated_armed_attack_h", "time the anticipated armed attack is recognised (h)"),
    ("t_armed_attack_h", "time the armed attack situation is recognised (h)"),
    ("t_survival_threatening_h", "time the survival-threatening situation is recognised (h)"),
    ("t_us_fires_authorised_h", "time US fires from Japan are first authorised (h)"),
    (
        "t_evacuation_authorised_h",
        "time a civil-protection evacuation order is first lawful: the first of the "
        "anticipated armed attack and armed attack recognitions (h)",
    ),
)
OUTPUTS = (*OUTPUTS, *_SUSTAIN_OUTPUTS, *_BLOCKED_OUTPUTS, *_LEGAL_OUTPUTS)
OUTPUT_NAMES = tuple(name for name, _ in OUTPUTS)
N_OUT = len(OUTPUTS)
#: Outputs that are whole numbers (stored as int64 in records): every count, and the flag.
INTEGER_OUTPUTS = frozenset(n for n, d in OUTPUTS if d.endswith("(count)")) | {"overflow"}
OUT_INDEX = {name: i for i, name in enumerate(OUTPUT_NAMES)}
#: Outputs of scripted events (``events:``), after the others in the kernel's record; a
#: scenario without events has no such columns in its records (they would all be 0).
SCRIPTED_OUTPUTS: tuple[tuple[str, str], ...] = (
    ("scripted_events", "scripted events applied, timed ends of closures included (count)"),
    (
        "scripted_gateway_closed_h",
        "airport- and port-hours closed by scripted events (close_*, strike_gateway), "
        "not counted in gateway_closed_h (h)",
    ),
    (
        "scripted_strikes",
        "scripted strikes (strike_site, strike_gateway); not in red_strikes (count)",
    ),
    (
        "scripted_launcher_kills",
        "launchers destroyed by scripted strikes (counted in launchers_lost too) (count)",
    ),
)
SCRIPTED_NAMES = tuple(name for name, _ in SCRIPTED_OUTPUTS)
O_SX_EVENTS = N_OUT
O_SX_GW_CLOSED_H = N_OUT + 1
O_SX_STRIKES = N_OUT + 2
O_SX_KILLS = N_OUT + 3
#: Width of the kernel's record: the outputs, then the scripted ones.
N_OUT_KERNEL = N_OUT + len(SCRIPTED_OUTPUTS)
INTEGER_OUTPUTS = INTEGER_OUTPUTS | {n for n, d in SCRIPTED_OUTPUTS if d.endswith("(count)")}
# --- scripted event operations (Model.sx rows: time, op, entity, event index) ---------
SX_NOTE = 0  # mapped at compile time (legal timeline, group times, evacuation): trace only
SX_CLOSE_GW = 1  # hold gateway ``entity`` closed
SX_OPEN_GW = 2  # end the scripted hold of gateway ``entity``
SX_STRIKE_GW = 3  # hold it closed, and its island is struck (SDF combat zone)
SX_STRIKE_SITE = 4  # a strike lands on site ``entity``

O_LAUNCHERS = OUT_INDEX["launchers"]
O_LOST = OUT_INDEX["launchers_lost"]
O_FIRST_LOSS = OUT_INDEX["time_first_loss_h"]
O_LAUNCHER_HOURS = OUT_INDEX["launcher_hours_available"]
O_WITHDRAWN = OUT_INDEX["launchers_withdrawn"]
O_IN_FLIGHT_END = OUT_INDEX["red_missiles_in_flight_end"]
O_SALVOS = OUT_INDEX["salvos_fired"]
O_ROUNDS = OUT_INDEX["rounds_fired"]
O_TARGETS_ARRIVED = OUT_INDEX["targets_arrived"]
O_TARGETS_ENGAGED = OUT_INDEX["targets_engaged"]
O_TARGETS_HIT = OUT_INDEX["targets_hit"]
O_DETECTIONS = OUT_INDEX["detections"]
O_LAUNCH_DETECTIONS = OUT_INDEX["launch_detections"]
O_DECOY_DETECTIONS = OUT_INDEX["decoy_detections"]
O_STRIKES = OUT_INDEX["red_strikes"]
O_MISSILES = OUT_INDEX["red_missiles_spent"]
O_INTERCEPTED = OUT_INDEX["red_missiles_intercepted"]
O_ON_TARGET = OUT_INDEX["red_missiles_on_target"]
O_WASTED = OUT_INDEX["red_missiles_wasted"]
O_ON_GATEWAYS = OUT_INDEX["red_missiles_on_gateways"]
O_STRIKES_WASTED = OUT_INDEX["strikes_wasted"]
O_STRIKES_DECOY = OUT_INDEX["strikes_on_decoys"]
O_STRIKES_DENIED = OUT_INDEX["strikes_denied"]
O_STRIKES_ROAD = OUT_INDEX["strikes_on_road"]
O_REVISITS = OUT_INDEX["revisit_strikes"]
O_TRACKS_HELD = OUT_INDEX["tracks_held"]
O_TRACKS_LOST = OUT_INDEX["tracks_lost"]
O_CLAIMED = OUT_INDEX["red_claimed_kills"]
O_DECOYS_DESTROYED = OUT_INDEX["decoys_destroyed"]
O_RELOCATIONS = OUT_INDEX["relocations"]
O_FP_SORTIES = OUT_INDEX["firing_point_sorties"]
O_INTER_ISLAND = OUT_INDEX["inter_island_moves"]
O_INTER_BLOCKED = OUT_INDEX["inter_island_blocked"]
O_GW_STRIKES = OUT_INDEX["gateway_strikes"]
O_GW_CLOSED_H = OUT_INDEX["gateway_closed_h"]
O_NO_AMMO = OUT_INDEX["targets_no_ammo"]
O_EXPOSURE = OUT_INDEX["exposure_person_h"]
O_CASUALTY = OUT_INDEX["casualty_proxy"]
O_EVENTS = OUT_INDEX["events"]
O_OVERFLOW = OUT_INDEX["overflow"]
O_PODS_ISSUED = OUT_INDEX["pods_issued"]
O_STOCKOUT_H = OUT_INDEX["launcher_stockout_h"]
O_TRIPS = OUT_INDEX["supply_trips"]
O_DELIVERIES = OUT_INDEX["deliveries_made"]
O_DELIVERIES_LOST = OUT_INDEX["deliveries_lost"]
O_DELIVERIES_WITHDRAWN = OUT_INDEX["deliveries_withdrawn"]
O_TRANSPORTS_LOST = OUT_INDEX["transports_lost"]
O_PODS_DELIVERED = OUT_INDEX["pods_delivered"]
O_PODS_LOST = OUT_INDEX["pods_lost_in_transit"]
O_PODS_DESTROYED = OUT_INDEX["pods_destroyed"]
O_FUEL_DELIVERED = OUT_INDEX["fuel_delivered_l"]
O_FUEL_LOST = OUT_INDEX["fuel_lost_in_transit_l"]
O_FUEL_DESTROYED = OUT_INDEX["fuel_destroyed_l"]
O_PODS_START = OUT_INDEX["pods_at_nodes_start"]
O_PODS_END = OUT_INDEX["pods_at_nodes_end"]
O_PODS_TRANSIT_END = OUT_INDEX["pods_in_transit_end"]
O_FUEL_NODES_START = OUT_INDEX["fuel_at_nodes_start_l"]
O_FUEL_NODES_END = OUT_INDEX["fuel_at_nodes_end_l"]
O_FUEL_TRANSIT_END = OUT_INDEX["fuel_in_transit_end_l"]
O_FUEL_L_START = OUT_INDEX["fuel_in_launchers_start_l"]
O_FUEL_ISSUED = OUT_INDEX["fuel_issued_l"]
O_FUEL_BURNED = OUT_INDEX["fuel_burned_l"]
O_FUEL_L_LOST = OUT_INDEX["fuel_lost_with_launchers_l"]
O_FUEL_L_END = OUT_INDEX["fuel_in_launchers_end_l"]
O_FUEL_DRY_H = OUT_INDEX["launcher_fuel_dry_h"]
O_NO_FUEL_SALVOS = OUT_INDEX["salvos_no_fuel"]
O_NO_FUEL_MOVES = OUT_INDEX["moves_no_fuel"]
O_FUEL_RESUPPLY = OUT_INDEX["fuel_resupply_runs"]
O_BLOCKED_FIRST = OUT_INDEX["blocked_sdf_supply_ammunition"]  # + legal action index
O_T_SIT_FIRST = OUT_INDEX["t_important_influence_h"]  # + situation index - 1
O_T_US_FIRES = OUT_INDEX["t_us_fires_authorised_h"]
O_T_EVACUATION = OUT_INDEX["t_evacuation_authorised_h"]

# --- daily series (one row per series step) --------------------------------
SERIES: tuple[tuple[str, str], ...] = (
    ("launchers_alive", "launchers not destroyed at the end of the step (count)"),
    ("salvos", "salvos fired during the step (count)"),
    ("red_missiles", "Red missiles spent during the step (count)"),
    ("strikes", "site strikes arriving during the step (count)"),
    ("relocations", "moves started during the step (count)"),
    ("gateways_closed", "airports and ports closed at the end of the step (count)"),
    ("stock_pods_forward", "pods at supply points at the end of the step (count)"),
    ("stock_pods_depots", "pods at depots at the end of the step (count)"),
    ("stock_fuel_forward_l", "fuel at supply points at the end of the step (l)"),
)
SERIES_NAMES = tuple(name for name, _ in SERIES)
N_SERIES = len(SERIES)
S_ALIVE = 0
S_SALVOS = 1
S_MISSILES = 2
S_STRIKES = 3
S_RELOCATIONS = 4
S_GW_CLOSED = 5
S_STOCK_FWD = 6
S_STOCK_DEPOTS = 7
S_STOCK_FUEL_FWD = 8

# --- trace columns: time, event code, entity, site, value ------------------
TRACE_COLUMNS = ("time_h", "event", "entity", "site", "value")

# --- SDF sustainment arrays (nansei.engine.compile_sustain, nansei.engine.supply) ---
FUEL_T_PER_L = 0.0008  # diesel/JP-8 about 0.8 kg per litre
# su_f entries
U_ENABLED = 0
U_POLICY = 1  # 0 scheduled, 1 s_S
U_INTERVAL = 2
U_P_LOSS = 3
U_WINDOW = 4
U_STOCK_LOSS = 5
U_REFUEL_BELOW = 6
U_FUEL_REORDER = 7
U_RESUPPLY = 8  # 1: the SDF sends fuel vehicles to stranded launchers
U_RESUPPLY_KIND = 9  # response time distribution (kind, a, b)
U_RESUPPLY_A = 10
U_RESUPPLY_B = 11
N_SU_F = 12
# su_node columns
N_KIND = 0  # 0 depot, 1 supply point
N_ISLAND = 1  # island index, -1 off-map (Kyushu)
N_S = 2
N_BIG_S = 3
N_PORT = 4  # gateway index of the island's port, -1 none, -2 off-map (always open)
N_AIRPORT = 5
N_NODE_COLS = 6
# su_tr columns
T_MODE = 0
T_COUNT = 1
T_CAPACITY = 2
T_SPEED = 3
T_TURN = 4
N_TR_COLS = 5
# trip columns (SupplyState.trip)
P_ACTIVE = 0  # 0 free, 1 outbound, 2 withdrawing
P_ORIGIN = 1
P_DEST = 2
P_POOL = 3
P_VEHICLE = 4
P_BACK = 5  # time the vehicle is back at the origin
N_TRIP_COLS = 6
