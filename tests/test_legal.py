"""Legal authorities compiled for the kernel: recognition times and permissions."""

from __future__ import annotations

import math
import os

import numpy as np

from nansei.engine.legal import (
    A_COMBAT_ZONE,
    A_EVACUATION,
    A_SUPPLY_AMMO,
    A_US_FIRES,
    ACTION_NAMES,
    N_SIT,
    REASON_CONSULTATION,
    authority_times,
    block_reason,
    compile_legal,
    legal_reset,
    legal_resolve,
    new_legal_state,
    recognition_times,
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


# --- recognition order (issue 15): the anticipated situation lapses after an armed attack --


def _state(sc):
    arr = compile_legal(sc)
    rec_t, rec_delay, recog_t, auth_t, trig_t = new_legal_state(arr["lg_rec"].shape[0])
    for r, entry in enumerate(sc.legal.timeline):
        rec_delay[r] = entry.delay_h.mean() if entry.delay_h is not None else 0.0
    args = (arr["lg_perm"], arr["lg_rec"], arr["lg_f"], rec_t, rec_delay, recog_t, auth_t, trig_t)
    return args, recog_t, auth_t, trig_t


ANT = SITUATIONS.index("anticipated_armed_attack")
ARMED = SITUATIONS.index("armed_attack")


def test_anticipated_lapses_once_armed_attack_is_recognised_first():
    # kyodo-2021's timeline: anticipated at 60 h (mean delay); armed attack 6 h after a
    # first strike at 40 h, i.e. at 46 h: the anticipated recognition due at 60 h lapses
    sc = _kyodo()
    args, recog_t, auth_t, trig_t = _state(sc)
    legal_resolve(*args)
    assert recog_t[ANT] == 60.0 and auth_t[A_EVACUATION] == 60.0
    trig_t[0] = 40.0  # the first Red strike on Japan becomes known
    legal_resolve(*args)
    assert np.isinf(recog_t[ANT])
    assert recog_t[ARMED] == 46.0 and auth_t[A_EVACUATION] == 46.0  # the first of the two
    # a first strike after the anticipated recognition leaves it in place
    args, recog_t, auth_t, trig_t = _state(sc)
    trig_t[0] = 80.0
    legal_resolve(*args)
    assert recog_t[ANT] == 60.0 and recog_t[ARMED] == 86.0 and auth_t[A_EVACUATION] == 60.0


def test_recognition_times_reference_and_ties():
    t = recognition_times(_kyodo(), {"first_red_strike_on_japan": 54.0})  # armed at 60 h
    assert math.isinf(t["anticipated_armed_attack"])  # due at 60 h: at (not after) = lapses
    assert t["armed_attack"] == 60.0 and t["important_influence"] == 0.0
    assert authority_times(_kyodo(), {"first_red_strike_on_japan": 54.0})["evacuation_order"] == 60


def test_anticipated_permissions_hold_from_the_armed_attack_situation():
    # a custom set in which only the anticipated situation permits temporary bases: they are
    # permitted from the armed attack recognition when that comes first (it contains it)
    permits = {k: [a for a in v if a != "us_temporary_bases"] for k, v in LAW_2021.permits.items()}
    permits["anticipated_armed_attack"].append("us_temporary_bases")
    sc = _kyodo(authorities={"name": "own", "permits": permits})
    t = authority_times(sc, {"first_red_strike_on_japan": 10.0})
    assert t["us_temporary_bases"] == 16.0  # armed attack at 16 h, anticipated (60 h) lapsed


def test_article_v_fires_need_no_prior_consultation():
    for status in ("denied", "pending"):
        sc = _kyodo(prior_consultation={"status": status})
        assert authority_times(sc)["us_fires_from_japan"] == math.inf
        t = authority_times(sc, {"first_red_strike_on_japan": 80.0})
        assert t["us_fires_from_japan"] == 86.0  # from the armed attack situation (Art. V)
    late = _kyodo(prior_consultation={"status": "approved", "decision_at_h": 200})
    assert authority_times(late, {"first_red_strike_on_japan": 80.0})["us_fires_from_japan"] == 86
    assert authority_times(late)["us_fires_from_japan"] == 200.0
    # a refusal before the armed attack is for want of consultation
    args, recog_t, _, _ = _state(_kyodo(prior_consultation={"status": "denied"}))
    legal_resolve(*args)
    perm, f = args[0], args[2]
    assert block_reason(perm, f, recog_t, A_US_FIRES, 10.0) == REASON_CONSULTATION


def test_kyodo_records_keep_the_recognition_order():
    """Fixed seed, 300 replications of kyodo-2021 (CRN: the recognition delays are drawn from
    the legal sub-stream). The anticipated recognition is never at or after the armed attack
    recognition, it lapses in some replications (about 22 %: anticipated U(24, 96) h, armed
    attack about 80 h), and the order takes effect 12 h after the first of the two."""
    import nansei

    r = nansei.simulate(_kyodo(), replications=300, seed=15).records
    ant, arm = r["t_anticipated_armed_attack_h"], r["t_armed_attack_h"]
    assert arm.notna().all()
    assert not (ant >= arm).any()
    lapsed = ant.isna().mean()
    se = math.sqrt(0.22 * 0.78 / len(r))
    assert abs(lapsed - 0.22) < 4 * se + 0.03  # the share depends on the first-strike time
    first = np.fmin(ant.to_numpy(), arm.to_numpy())
    assert np.array_equal(r["t_evacuation_authorised_h"].to_numpy(), first)
    assert np.allclose(r["evac_order_h"].to_numpy(), first + 12.0)


def test_amended_removes_every_combat_zone_refusal_same_seeds():
    """A mechanism guarantees the sign: ``amended`` permits combat-zone logistics from the
    IIS (t = 0), so it never refuses them and no trip withdraws; ``law-2021`` refuses them
    between the first strike and the armed attack recognition (6 h later). Before the first
    strike no island is a combat zone, so the two runs are identical up to it (same seeds):
    the first strike, the armed attack recognition and (the evacuation row being the same in
    both sets) the evacuation order coincide in every pair."""
    import nansei

    law = nansei.simulate(_kyodo(), replications=100, seed=15).records
    amended = nansei.simulate(_kyodo(authorities="amended"), replications=100, seed=15).records
    assert (amended["blocked_sdf_logistics_in_combat_zone"] == 0).all()
    assert (amended["deliveries_withdrawn"] == 0).all()
    assert law["blocked_sdf_logistics_in_combat_zone"].sum() > 0
    diff = (
        law["blocked_sdf_logistics_in_combat_zone"]
        - amended["blocked_sdf_logistics_in_combat_zone"]
    )
    assert (diff >= 0).all()
    assert np.array_equal(law["evac_order_h"].to_numpy(), amended["evac_order_h"].to_numpy())


def test_python_reference_resolves_as_the_compiled_kernel():
    # authority_times runs the legal resolver as plain Python (no Numba start-up); it must
    # give the compiled resolver's times for every built-in scenario, with and without
    # trigger events
    from nansei.engine import legal as L
    from nansei.scenario import builtin_names

    assert L.plain_python(legal_resolve) is not legal_resolve or "NUMBA_DISABLE_JIT" in os.environ
    for name in builtin_names():
        sc = load_scenario(name)
        for triggers in (None, {t: 30.0 + 7 * i for i, t in enumerate(L.TRIGGERS)}):
            plain = L._resolve_means(sc, triggers)
            compiled = L._resolve_means(sc, triggers, resolve=legal_resolve)
            assert plain == compiled, name
