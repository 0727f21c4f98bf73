"""Legal authorities compiled for the kernel: recognition times and permissions."""

from __future__ import annotations

import math

import numpy as np

from nansei.engine.legal import (
    A_COMBAT_ZONE,
    A_SUPPLY_AMMO,
    A_US_FIRES,
    ACTION_NAMES,
    N_SIT,
    authority_times,
    compile_legal,
    legal_reset,
    legal_resolve,
    new_legal_state,
)
from nansei.engine.rng import new_stream
from nansei.scenario import load_scenario
from nansei.scenario.legal import AMENDED, LAW_2021, SITUATIONS


def _kyodo(**legal):
    import yaml

    from nansei.scenario import builtin_path

    doc = yaml.safe_load(builtin_path("kyodo-2021").read_text(encoding="utf-8"))
    doc["legal"].update(legal)
    return load_scenario(doc)


def test_permission_table_matches_the_authority_sets():
    for aset in (LAW_2021, AMENDED):
        perm = compile_legal(_kyodo(authorities=aset.name))["lg_perm"]
        assert perm.shape == (N_SIT, len(ACTION_NAMES))
        for s, sit in enumerate(SITUATIONS):
            want = set(aset.permits.get(sit, []))
            got = {a for j, a in enumerate(ACTION_NAMES) if perm[s, j]}
            assert got == want, sit


def test_kyodo_law_2021_authority_times():
    t = authority_times(_kyodo())
    assert t["sdf_supply_ammunition"] == 0.0  # IIS at t = 0
    assert t["us_fires_from_japan"] == 24.0  # prior consultation approved at 24 h
    assert t["sdf_logistics_in_combat_zone"] == math.inf  # needs armed attack (trigger)
    assert t["sdf_use_of_force"] == math.inf
    # anticipated armed attack: IIS + mean of uniform(24, 96) = 60 h
    assert t["evacuation_order"] == 60.0
    t2 = authority_times(_kyodo(), {"first_red_strike_on_japan": 80.0})
    assert t2["sdf_use_of_force"] == 86.0  # armed attack 6 h after the first strike
    assert t2["sdf_logistics_in_combat_zone"] == 86.0


def test_amended_permits_combat_zone_logistics_from_iis():
    t = authority_times(_kyodo(authorities="amended"))
    assert t["sdf_logistics_in_combat_zone"] == 0.0
    assert t["sdf_use_of_force"] == math.inf


def test_prior_consultation_denied_or_pending_blocks_us_fires():
    for status in ("denied", "pending"):
        t = authority_times(_kyodo(prior_consultation={"status": status}))
        assert t["us_fires_from_japan"] == math.inf
        assert t["sdf_supply_ammunition"] == 0.0


def test_trigger_chain_and_delay_draws():
    sc = _kyodo(
        timeline=[
            {"situation": "important_influence", "mode": "trigger",
             "trigger": "first_blue_salvo_from_japan"},
            {"situation": "armed_attack", "mode": "delay",
             "delay_h": {"kind": "exponential", "mean": 10}},
        ]
    )  # fmt: skip
    arr = compile_legal(sc)
    rec_t, rec_delay, recog_t, auth_t, trig_t = new_legal_state(arr["lg_rec"].shape[0])
    legal_reset(new_stream(1), arr["lg_rec"], rec_t, rec_delay, trig_t)
    assert rec_delay[0] == 0.0 and rec_delay[1] > 0.0
    args = (arr["lg_perm"], arr["lg_rec"], arr["lg_f"], rec_t, rec_delay, recog_t, auth_t, trig_t)
    assert legal_resolve(*args) == 0  # nothing known before the trigger
    assert np.isinf(auth_t[A_SUPPLY_AMMO])
    trig_t[1] = 5.0
    assert legal_resolve(*args) == 0b11  # both entries become known
    assert auth_t[A_SUPPLY_AMMO] == 5.0
    assert recog_t[SITUATIONS.index("armed_attack")] == 5.0 + rec_delay[1]
    assert auth_t[A_COMBAT_ZONE] == 5.0 + rec_delay[1]
    assert auth_t[A_US_FIRES] == 24.0  # consultation approved at 24 h


def test_no_new_temporary_base_before_authority():
    from nansei.engine import layout as Y
    from nansei.engine.compile import compile_scenario
    from nansei.engine.simulate import run_trace

    iis = 48.0
    late = compile_scenario(
        _kyodo(timeline=[{"situation": "important_influence", "mode": "scheduled", "at_h": iis}])
    )
    a = ACTION_NAMES.index("us_temporary_bases")
    leave = Y.EVENT_NAMES.index("leave")
    arrive = Y.EVENT_NAMES.index("arrive")
    blocked = Y.EVENT_NAMES.index("blocked")
    moves_after = 0
    for seed in (1, 2, 3):
        tr = run_trace(late, seed)
        arrivals = tr[(tr[:, 1] == arrive) & (tr[:, 0] > 0)]
        assert (arrivals[:, 0] > iis).all()  # every move started after the recognition
        moves_after += len(arrivals)
        bars = tr[(tr[:, 1] == blocked) & (tr[:, 2] == a)]
        assert len(bars) > 0 and (bars[:, 0] < iis).all()
        assert len(bars) <= len(tr[(tr[:, 1] == leave) & (tr[:, 0] < iis)])
    assert moves_after > 0
    early = compile_scenario(_kyodo())  # IIS at t = 0: nothing to block
    tr = run_trace(early, 1)
    assert not ((tr[:, 1] == blocked) & (tr[:, 2] == a)).any()


def test_peacetime_permissions_apply_from_the_start():
    iis = [{"situation": "important_influence", "mode": "scheduled", "at_h": 30}]
    permits = {k: list(v) for k, v in LAW_2021.permits.items()}
    permits["peacetime"] = ["us_temporary_bases", "evacuation_order"]
    own = authority_times(_kyodo(timeline=iis, authorities={"name": "own", "permits": permits}))
    law = authority_times(_kyodo(timeline=iis))
    assert own["us_temporary_bases"] == 0.0 and law["us_temporary_bases"] == 30.0
    assert own["evacuation_order"] == 0.0 and law["evacuation_order"] == math.inf
    assert own["sdf_supply_ammunition"] == law["sdf_supply_ammunition"] == 30.0
