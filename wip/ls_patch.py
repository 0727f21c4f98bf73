"""Integrate legal + sustainment into layout/compile/kernel/simulate (str_replace edits)."""
import re
import sys

root = sys.argv[1]


def edit(path, pairs):
    p = f"{root}/src/nansei/engine/{path}"
    s = open(p).read()
    for old, new in pairs:
        n = s.count(old)
        if n != 1:
            raise SystemExit(f"{path}: anchor found {n} times: {old[:80]!r}")
        s = s.replace(old, new)
    open(p, "w").write(s)


# ---------------- layout.py
edit("layout.py", [
    ("EV_HORIZON = 14\n", """EV_LEGAL = 14  # a recognition or the prior-consultation decision takes effect
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
"""),
    ('    "gateway_reopen",\n    "horizon",\n', '''    "gateway_reopen",
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
'''),
    ("OUTPUT_NAMES = tuple(name for name, _ in OUTPUTS)\n", '''# legal authorities and SDF sustainment (nansei.engine.legal / sustain)
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
OUTPUTS = OUTPUTS + (
    ("pods_issued", "pods issued by SDF nodes to empty launchers (count)"),
    ("launcher_stockout_h", "hours launchers held no rounds and no reload pods (launcher-h)"),
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
) + tuple(
    (f"blocked_{a}", f"attempts to {a.replace('_', ' ')} blocked for lack of authority (count)")
    for a in _LEGAL_ACTIONS
) + (
    ("t_important_influence_h", "time the important influence situation is recognised (h)"),
    ("t_anticipated_armed_attack_h", "time the anticipated armed attack situation is recognised (h)"),
    ("t_armed_attack_h", "time the armed attack situation is recognised (h)"),
    ("t_survival_threatening_h", "time the survival-threatening situation is recognised (h)"),
    ("t_us_fires_authorised_h", "time US fires from Japan are first authorised (h)"),
)
OUTPUT_NAMES = tuple(name for name, _ in OUTPUTS)
'''),
    ("O_OVERFLOW = OUT_INDEX[\"overflow\"]\n", '''O_OVERFLOW = OUT_INDEX["overflow"]
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
O_BLOCKED_FIRST = OUT_INDEX["blocked_sdf_supply_ammunition"]  # + legal action index
O_T_SIT_FIRST = OUT_INDEX["t_important_influence_h"]  # + situation index - 1
O_T_US_FIRES = OUT_INDEX["t_us_fires_authorised_h"]
'''),
    ('    ("gateways_closed", "airports and ports closed at the end of the step (count)"),\n)\n',
     '''    ("gateways_closed", "airports and ports closed at the end of the step (count)"),
    ("stock_pods_forward", "pods at supply points at the end of the step (count)"),
    ("stock_pods_depots", "pods at depots at the end of the step (count)"),
    ("stock_fuel_forward_l", "fuel at supply points at the end of the step (l)"),
)
'''),
    ("S_GW_CLOSED = 5\n", "S_GW_CLOSED = 5\nS_STOCK_FWD = 6\nS_STOCK_DEPOTS = 7\nS_STOCK_FUEL_FWD = 8\n"),
])

# ---------------- compile.py
edit("compile.py", [
    ('    "decoy_site",\n)\n', '''    "decoy_site",
    "lg_perm",
    "lg_rec",
    "lg_f",
    "su_f",
    "su_node",
    "su_stock0",
    "su_km",
    "su_tr",
    "su_mass",
    "su_issue",
    "su_site_isl",
    "gw_island",
)
'''),
    ('''    ids, gtype, runway, lat, lon = [], [], [], [], []
''', '''    ids, gtype, runway, lat, lon, gisl = [], [], [], [], [], []
'''),
    ('''            ids.append(a.icao)
''', '''            ids.append(a.icao)
            gisl.append(k)
'''),
    ('''            ids.append(p.id)
''', '''            ids.append(p.id)
            gisl.append(k)
'''),
    ('''    return ids, np.array(gtype, np.int64), np.array(runway), np.array(lat), np.array(lon), isl_gw
''', '''    out = (ids, np.array(gtype, np.int64), np.array(runway), np.array(lat), np.array(lon), isl_gw)
    return (*out, np.array(gisl, dtype=np.int64))
'''),
    ('''    gw_ids, gw_type, gw_runway, gw_lat, gw_lon, isl_gw = _gateways(islands)
''', '''    gw_ids, gw_type, gw_runway, gw_lat, gw_lon, isl_gw, gw_island = _gateways(islands)
'''),
    ('''        "decoy_site": decoy_site,
    }
''', '''        "decoy_site": decoy_site,
        **compile_legal(sc),
        **compile_sustain(sc, islands, muns, isl_gw, [s.island for s in sites]),
        "gw_island": gw_island,
    }
'''),
    ('''from nansei.geo.distance import geodesic_km
''', '''from nansei.engine.legal import compile_legal
from nansei.engine.sustain import compile_sustain
from nansei.geo.distance import geodesic_km
'''),
])

# ---------------- kernel.py
k = f"{root}/src/nansei/engine/kernel.py"
s = open(k).read()
ARGS_OLD = "    decoy_site,\n    out,\n"
ARGS_NEW = ("    decoy_site,\n    lg_perm,\n    lg_rec,\n    lg_f,\n    su_f,\n    su_node,\n    su_stock0,\n"
            "    su_km,\n    su_tr,\n    su_mass,\n    su_issue,\n    su_site_isl,\n    gw_island,\n    out,\n")
assert s.count(ARGS_OLD) == 3, s.count(ARGS_OLD)
s = s.replace(ARGS_OLD, ARGS_NEW)
CALL_OLD = "        decoy_site, out, series, trace, ws,\n"
assert s.count(CALL_OLD) == 1
s = s.replace(CALL_OLD, "        decoy_site, lg_perm, lg_rec, lg_f, su_f, su_node, su_stock0, su_km, su_tr, su_mass,\n"
              "        su_issue, su_site_isl, gw_island, out, series, trace, ws, lsw,\n")
s = s.replace("    trace,\n    ws,\n):", "    trace,\n    ws,\n    lsw,\n):")
m = re.search(r"            decoy_site, out\[j\], ser, no_trace, ws,?(.*)\n", s)
assert m, "batch call"
s = s.replace(m.group(0), "            decoy_site, lg_perm, lg_rec, lg_f, su_f, su_node, su_stock0, su_km, su_tr,\n"
              "            su_mass, su_issue, su_site_isl, gw_island, out[j], ser, no_trace, ws, lsw"
              + (m.group(1) if m.group(1) else ",") + "\n")
# allocate lsw where ws is allocated
lines = s.split("\n")
outl = []
for line in lines:
    outl.append(line)
    if re.match(r"\s+ws = new_workspace\(", line):
        ind = line[: len(line) - len(line.lstrip())]
        outl.append(f"{ind}lsw = new_ls_workspace(")
        outl.append(f"{ind}    lg_rec, su_node, su_stock0, su_tr, isl_gw.shape[0], lp.shape[0]")
        outl.append(f"{ind})")
s = "\n".join(outl)
s = s.replace("from nansei.engine.rng import random, seed_stream\n",
              "from nansei.engine.rng import random, seed_stream\n"
              "from nansei.engine.sustain import (\n    ls_arrive,\n    ls_close,\n    ls_fires_ok,\n"
              "    ls_issue,\n    ls_lost,\n    ls_p_intercept,\n    ls_review,\n    ls_salvo,\n    ls_series,\n"
              "    ls_start,\n    ls_struck,\n    new_ls_workspace,\n)\n")
open(k, "w").write(s)

# ---------------- kernel body
s = open(k).read()


def rep(old, new, count=1):
    global s
    n = s.count(old)
    if n != count:
        raise SystemExit(f"kernel: anchor found {n} times (want {count}): {old[:90]!r}")
    s = s.replace(old, new)


# _try_engage: new trailing arguments at every call, gating and issue in the body
calls = list(re.finditer(r"_try_engage\(([^()]*)\)", s))
for mt in reversed(calls):
    args = [a.strip() for a in mt.group(1).replace("\n", " ").split(",") if a.strip()]
    if args[0] == "rng" and "def " in s[max(0, mt.start() - 4): mt.start()]:
        continue
    line_start = s.rfind("\n", 0, mt.start()) + 1
    ind = s[line_start: mt.start()]
    ind = ind[: len(ind) - len(ind.lstrip())]
    args += ["cx", "sx", "trace", "mun_f"]
    body = f"_try_engage(\n{ind}    " + ", ".join(args[:12]) + ",\n" + f"{ind}    " + ", ".join(args[12:]) + f",\n{ind})"
    end = mt.end()
    tail = s[end: s.find("\n", end)]
    s = s[: mt.start()] + body + ("  # fmt: skip" if "# fmt: skip" not in tail else "") + s[end:]
rep("def _try_engage(\n    rng, ip, lp, li, lt, rounds, reload, in_range, tg, zone_alive, out, ht, hi, hs, cnt, t, la\n):",
    "def _try_engage(\n    rng, ip, lp, li, lt, rounds, reload, in_range, tg, zone_alive, out, ht, hi, hs, cnt, t, la,\n"
    "    cx, sx, trace, mun_f,\n):  # fmt: skip")
rep('''    if k >= 0:
        li[la, _PEND] = 1''', '''    if k >= 0:
        if not ls_fires_ok(cx, sx, out, trace, cnt, t, li[la, _SITE]):
            return
        li[la, _PEND] = 1''')
rep('''        if _start_reload(rng, lp, li, lt, rounds, reload, ht, hi, hs, cnt, t, la):
            return
        out[Y.O_NO_AMMO] += 1''', '''        if _start_reload(rng, lp, li, lt, rounds, reload, ht, hi, hs, cnt, t, la):
            return
        if _issue(rng, lp, li, lt, rounds, reload, in_range, zone_alive, mun_f, out, trace,
                  ht, hi, hs, cnt, t, la, cx, sx):  # fmt: skip
            return
        out[Y.O_NO_AMMO] += 1''')
rep('''@njit(cache=True, inline="always")
def _start_reload(''', '''@njit(cache=True, inline="always")
def _issue(
    rng, lp, li, lt, rounds, reload, in_range, zone_alive, mun_f, out, trace, ht, hi, hs, cnt,
    t, la, cx, sx,
):  # fmt: skip
    """Draw a pod from the island's SDF node for empty launcher ``la`` and reload it."""
    nd = ls_issue(cx, sx, in_range, zone_alive, mun_f, reload, out, trace, cnt, t, la, li[la, _SITE])
    if nd < 0:
        return False
    _push(ht, hi, hs, cnt, t, Y.EV_SUPPLY_REVIEW, nd, 0)
    return _start_reload(rng, lp, li, lt, rounds, reload, ht, hi, hs, cnt, t, la)


@njit(cache=True, inline="always")
def _start_reload(''')
rep('''            if left <= 0:
                _start_reload(rng, lp, li, lt, rounds, reload, ht, hi, hs, cnt, t, e)
''', '''            if left <= 0:
                if not _start_reload(rng, lp, li, lt, rounds, reload, ht, hi, hs, cnt, t, e):
                    _issue(
                        rng, lp, li, lt, rounds, reload, in_range, zone_alive, mun_f, out, trace,
                        ht, hi, hs, cnt, t, e, cx, sx,
                    )  # fmt: skip
''')
rep('''            lt[e, _T_SALVO] = t
''', '''            lt[e, _T_SALVO] = t
            ls_salvo(cx, sx, rounds, reload, ht, hi, hs, cnt, t, e)
''')
# site strikes
rep('''            leak = 0
            kill = False
            for _ in range(ip[Y.I_MISSILES_PER_STRIKE]):
                if random(rng) < fp[Y.F_P_INTERCEPT]:''', '''            leak = 0
            kill = False
            ls_struck(cx, sx, out, trace, cnt, ht, hi, hs, t, su_site_isl[s], False)
            p_int = ls_p_intercept(
                cx, sx, fp[Y.F_P_INTERCEPT], out, trace, cnt, t, ip[Y.I_MISSILES_PER_STRIKE], s
            )
            for _ in range(ip[Y.I_MISSILES_PER_STRIKE]):
                if random(rng) < p_int:''')
m2 = re.search(r"( +)_destroy\(li, lt, site_f, site_occ, site_last, out, t, la(.*)\)\n( +)det_t\[la\] = np.inf\n", s)
assert m2
s = s.replace(m2.group(0), m2.group(0) + f"{m2.group(3)}ls_lost(sx, out, t, la)\n")
# gateway strikes
rep('''                leak = 0
                for _ in range(n):
                    if random(rng) < fp[Y.F_P_INTERCEPT]:''', '''                leak = 0
                p_int = ls_p_intercept(cx, sx, fp[Y.F_P_INTERCEPT], out, trace, cnt, t, n, -1)
                for _ in range(n):
                    if random(rng) < p_int:''')
rep('''                out[Y.O_ON_GATEWAYS] += leak
''', '''                out[Y.O_ON_GATEWAYS] += leak
                ls_struck(cx, sx, out, trace, cnt, ht, hi, hs, t, gw_island[g], leak > 0)
''')
rep('''    # close the books at the horizon
''', '''        elif code == Y.EV_LEGAL:
            for j in range(n_l):
                _try_engage(
                    rng, ip, lp, li, lt, rounds, reload, in_range, tg, zone_alive, out, ht,
                    hi, hs, cnt, t, j, cx, sx, trace, mun_f,
                )  # fmt: skip
            ls_review(cx, sx, gw_open, out, trace, cnt, ht, hi, hs, t, False, -1)

        elif code == Y.EV_SUPPLY_ARRIVE:
            ls_arrive(cx, sx, gw_open, out, trace, cnt, ht, hi, hs, t, e, tag)

        elif code == Y.EV_SUPPLY_REVIEW:
            ls_review(cx, sx, gw_open, out, trace, cnt, ht, hi, hs, t, False, e)

        elif code == Y.EV_CONVOY:
            ls_review(cx, sx, gw_open, out, trace, cnt, ht, hi, hs, t, True, -1)
            if t + su_f[2] < horizon:
                _push(ht, hi, hs, cnt, t + su_f[2], Y.EV_CONVOY, 0, 0)

    # close the books at the horizon
''')
m3 = re.search(r"( +)if tag == gw_ver\[e\] and gw_open\[e\] == 0:\n( +)gw_open\[e\] = 1\n", s)
assert m3
s = s.replace(m3.group(0), m3.group(0) + f"{m3.group(2)}ls_review(cx, sx, gw_open, out, trace, cnt, ht, hi, hs, t, False, -1)\n")
rep('''    out[Y.O_OVERFLOW] = cnt[_C_OVERFLOW]
''', '''    ls_close(cx, sx, out, trace, cnt, horizon)
    out[Y.O_OVERFLOW] = cnt[_C_OVERFLOW]
''')
ms = list(re.finditer(r"( +)_close_step\(li, gw_open, series, step, n_steps\)\n", s))
assert len(ms) == 2, len(ms)
for mm in reversed(ms):
    s = s[: mm.end()] + f"{mm.group(1)}ls_series(cx, sx, series, step)\n" + s[mm.end():]
rep('''    _push(ht, hi, hs, cnt, horizon, Y.EV_HORIZON, 0, 0)
''', '''    _push(ht, hi, hs, cnt, horizon, Y.EV_HORIZON, 0, 0)
    cx = (lg_perm, lg_rec, lg_f, su_f, su_node, su_stock0, su_km, su_tr, su_mass, su_issue,
          su_site_isl, gw_island)  # fmt: skip
    sx = lsw
    ls_start(rng, cx, sx, out, ht, hi, hs, cnt, horizon)
''')
open(k, "w").write(s)

# ---------------- simulate.py
edit("simulate.py", [
    ('''            ("exposure", "casualty", "gateway_closed")''',
     '''            ("exposure", "casualty", "gateway_closed", "t_", "fuel_", "launcher_stockout")'''),
    ('''    if sc.sustainment.enabled:
        out.append("sustainment")
    if sc.legal.timeline:
        out.append("legal")
''', ""),
])
print("patched", root)
