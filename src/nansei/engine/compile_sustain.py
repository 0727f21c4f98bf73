"""Compile ``sc.sustainment`` to the ``su_*`` arrays of the kernel's model.

The kernel side is :mod:`nansei.engine.supply` (nodes, stocks, trips) and
:mod:`nansei.engine.fuel` (launcher fuel); the array layouts are the ``U_*``,
``N_*``, ``T_*`` and ``P_*`` constants of :mod:`nansei.engine.layout`.
"""

from __future__ import annotations

import numpy as np

from nansei.engine.layout import (
    N_AIRPORT,
    N_BIG_S,
    N_ISLAND,
    N_KIND,
    N_NODE_COLS,
    N_PORT,
    N_S,
    N_SU_F,
    N_TR_COLS,
    U_ENABLED,
    U_FUEL_REORDER,
    U_INTERVAL,
    U_P_LOSS,
    U_POLICY,
    U_REFUEL_BELOW,
    U_RESUPPLY,
    U_RESUPPLY_A,
    U_RESUPPLY_B,
    U_RESUPPLY_KIND,
    U_STOCK_LOSS,
    U_WINDOW,
)

#: Off-map mainland node coordinates (Kagoshima port area; an assumption).
KYUSHU_LATLON = (31.59, 130.56)
#: Transport kinds by mode: 0 sea, 1 air, 2 road.
MODE_OF_KIND = {
    "LCU": 0,
    "LSV": 0,
    "LST": 0,
    "PFI_ferry": 0,
    "C-130H": 1,
    "C-2": 1,
    "truck": 2,
}
# gateway column of isl_gw used by each mode (isl_gw: 0 airport, 1 port)
_GW_COL = (1, 0)


def compile_sustain(sc, islands, munitions, isl_gw, site_islands) -> dict[str, np.ndarray]:
    """Compile ``sc.sustainment`` to kernel arrays.

    Parameters
    ----------
    sc : Scenario
    islands : list of str
        Island ids in play (array order).
    munitions : list of Munition
        Munitions in preference order (array order).
    isl_gw : ndarray (I, 2) int64
        Island's airport and port gateway index, or -1.
    site_islands : list of str
        Island id of every site, decoys included (array order).

    Returns
    -------
    dict
        ``su_f`` (6,), ``su_node`` (N, 6) int64, ``su_stock0`` (N, M + 1) float64
        (pods, fuel l), ``su_km`` (N, N, 3) float64 (sea, air, road km; inf if
        impossible), ``su_tr`` (T, 5) float64, ``su_mass`` (M,) pod mass (t),
        ``su_issue`` (I,) int64 issuing node per island (-1 none),
        ``su_site_isl`` (S,) int64 island of every site (decoys included),
        ``gw_island`` (G,) int64.
    """
    from nansei.geo.distance import geodesic_km
    from nansei.geo.theatre import KM_PER_DEG as THEATRE_KM_PER_DEG
    from nansei.scenario.errors import problem_error
    from nansei.scenario.resolve import gazetteer, theatre

    su = sc.sustainment
    th = theatre(sc)
    if th is None:
        pos = {i.id: (i.lat, i.lon) for i in gazetteer(sc).islands}
        pos["kyushu"] = KYUSHU_LATLON
    else:  # the region's centre on its plane (nansei.geo.theatre)
        depth = -(th.min_depth_km + th.depth_km) / 2.0
        pos = {th.id: (depth / THEATRE_KM_PER_DEG, th.width_km / 2.0 / THEATRE_KM_PER_DEG)}
    isl_index = {k: i for i, k in enumerate(islands)}
    mun_index = {m.id: i for i, m in enumerate(munitions)}
    n_m = len(munitions)
    nodes = [*su.depots, *su.supply_points] if su.enabled else []
    n_n = len(nodes)
    su_node = np.zeros((n_n, N_NODE_COLS), dtype=np.int64)
    stock0 = np.zeros((n_n, n_m + 1))
    for j, nd in enumerate(nodes):
        is_sp = j >= len(su.depots)
        where = ("sustainment", "supply_points" if is_sp else "depots", nd.id, "island")
        if nd.island != "kyushu" and nd.island not in pos:
            raise problem_error(".".join(where), nd.island, "unknown island")
        if is_sp and nd.island not in isl_index:
            raise problem_error(".".join(where), nd.island, "supply point on an island not in play")
        k = isl_index.get(nd.island, -1)
        su_node[j, N_KIND] = 1 if is_sp else 0
        su_node[j, N_ISLAND] = k
        su_node[j, N_S] = nd.reorder_point if is_sp else 0
        su_node[j, N_BIG_S] = nd.order_up_to if is_sp else 0
        su_node[j, N_PORT] = isl_gw[k, 1] if k >= 0 else -2
        su_node[j, N_AIRPORT] = isl_gw[k, 0] if k >= 0 else -2
        for mid, pods in nd.pods.items():
            if mid not in mun_index:
                raise problem_error(
                    ".".join(where[:-1]) + ".pods", mid, "unknown munition", ", ".join(mun_index)
                )
            stock0[j, mun_index[mid]] = pods
        stock0[j, n_m] = nd.fuel_l
    km = np.full((n_n, n_n, 3), np.inf)
    for a, na in enumerate(nodes):
        for b, nb in enumerate(nodes):
            same = na.island == nb.island
            d = 0.0 if same else geodesic_km(*pos[na.island], *pos[nb.island])
            if same:
                km[a, b, 2] = 0.0
            for mode in (0, 1):
                col = _GW_COL[mode]
                ok_a = su_node[a, N_ISLAND] < 0 or isl_gw[su_node[a, N_ISLAND], col] >= 0
                ok_b = su_node[b, N_ISLAND] < 0 or isl_gw[su_node[b, N_ISLAND], col] >= 0
                if ok_a and ok_b and not same:
                    km[a, b, mode] = d
    tr = np.zeros((len(su.transports), N_TR_COLS))
    for j, t in enumerate(su.transports if su.enabled else []):
        tr[j] = (MODE_OF_KIND[t.kind], t.count, t.capacity_t, t.speed_kmh, t.turnaround_h)
    tr = tr[: len(su.transports) if su.enabled else 0]
    issue = -np.ones(len(islands), dtype=np.int64)
    for kind in (1, 0):  # supply points first, then depots
        for j in range(n_n):
            k = su_node[j, N_ISLAND]
            if su_node[j, N_KIND] == kind and k >= 0 and issue[k] < 0:
                issue[k] = j
    su_f = np.zeros(N_SU_F)
    su_f[U_ENABLED] = 1.0 if su.enabled else 0.0
    su_f[U_POLICY] = 1.0 if su.policy == "s_S" else 0.0
    su_f[U_INTERVAL] = su.convoy_interval_h
    su_f[U_P_LOSS] = su.p_loss_per_leg
    su_f[U_WINDOW] = su.combat_zone_window_h
    su_f[U_STOCK_LOSS] = su.stock_loss_per_gateway_hit
    su_f[U_REFUEL_BELOW] = su.refuel_below
    fr = su.fuel_resupply
    su_f[U_RESUPPLY] = 1.0 if fr.enabled else 0.0
    su_f[U_RESUPPLY_KIND], su_f[U_RESUPPLY_A], su_f[U_RESUPPLY_B] = fr.response_h.params()
    su_f[U_FUEL_REORDER] = su.fuel_reorder_fraction
    return {
        "su_f": su_f,
        "su_node": su_node,
        "su_stock0": stock0,
        "su_km": km,
        "su_tr": tr.reshape(-1, N_TR_COLS),
        "su_mass": np.array([m.pod_mass_t for m in munitions], dtype=np.float64),
        "su_issue": issue,
        "su_site_isl": np.array([isl_index.get(s, -1) for s in site_islands], dtype=np.int64),
    }
