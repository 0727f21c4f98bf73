"""Engine: determinism, JIT/no-JIT agreement, accounting identities, semantics."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import yaml

from nansei.engine import layout as Y
from nansei.engine.compile import compile_scenario
from nansei.engine.simulate import run_batch, simulate
from nansei.scenario import ScenarioError, builtin_path, load_scenario


def _doc(name: str, **over) -> dict:
    doc = yaml.safe_load(builtin_path(name).read_text(encoding="utf-8"))
    for path, value in over.items():
        node = doc
        keys = path.split(".")
        for k in keys[:-1]:
            node = node.setdefault(k, {})
        node[keys[-1]] = value
    return doc


@pytest.fixture(scope="module")
def kyodo():
    return simulate("kyodo-2021", replications=300, seed=5, series=True)


def test_same_seed_same_records(kyodo):
    again = simulate("kyodo-2021", replications=300, seed=5, series=True)
    pd.testing.assert_frame_equal(kyodo.records, again.records)
    pd.testing.assert_frame_equal(kyodo.series, again.series)


def test_rate_leaves_out_the_kernel_load(kyodo):
    # the kernel is loaded (or compiled, on a first run) before the timed loop: the rate
    # is replications over the loop alone, and the load is reported on its own
    m = kyodo.meta
    assert np.isfinite(m["kernel_load_s"]) and m["kernel_load_s"] >= 0.0
    assert m["reps_per_s"] == pytest.approx(300 / m["wall_s"], rel=1e-12)
    assert simulate("kyodo-2021", replications=8, seed=5, workers=2).meta["kernel_load_s"] is None


def test_other_seed_other_records(kyodo):
    other = simulate("kyodo-2021", replications=300, seed=6)
    assert not kyodo.records["red_strikes"].equals(other.records["red_strikes"])


def test_batches_do_not_change_results():
    c = compile_scenario(load_scenario("kyodo-2021"))
    whole, _ = run_batch(c, 9, 0, 0, 40)
    a, _ = run_batch(c, 9, 0, 0, 13)
    b, _ = run_batch(c, 9, 0, 13, 40)
    np.testing.assert_array_equal(whole, np.concatenate([a, b]))


def test_two_workers_equal_one_worker():
    one = simulate("kyodo-2021", replications=240, seed=3, workers=1)
    two = simulate("kyodo-2021", replications=240, seed=3, workers=2)
    pd.testing.assert_frame_equal(
        one.records.drop(columns=[]), two.records.drop(columns=[]), check_exact=True
    )


def test_design_point_changes_stream():
    a = simulate("kyodo-2021", replications=100, seed=3, design_point=0)
    b = simulate("kyodo-2021", replications=100, seed=3, design_point=1)
    assert not a.records["detections"].equals(b.records["detections"])


_NOJIT_SCRIPT = """
import json, sys
from nansei.engine.simulate import simulate
r = simulate("kyodo-2021", replications=3, seed=11, series=True, trace=True)
json.dump({"records": r.records.to_dict(orient="list"),
           "series": r.series.to_dict(orient="list"),
           "trace": r.trace.to_dict(orient="list")}, sys.stdout)
"""


def test_jit_and_pure_python_agree():
    env = dict(os.environ, NUMBA_DISABLE_JIT="1")
    proc = subprocess.run(
        [sys.executable, "-c", _NOJIT_SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    plain = json.loads(proc.stdout)
    jit = simulate("kyodo-2021", replications=3, seed=11, series=True, trace=True)
    pd.testing.assert_frame_equal(
        pd.DataFrame(plain["records"]), jit.records, check_dtype=False, check_exact=True
    )
    pd.testing.assert_frame_equal(
        pd.DataFrame(plain["series"]), jit.series, check_dtype=False, check_exact=True
    )
    pd.testing.assert_frame_equal(
        pd.DataFrame(plain["trace"]), jit.trace, check_dtype=False, check_exact=True
    )
    assert len(jit.trace) > 100


def test_missile_accounting(kyodo):
    r = kyodo.records
    total = (
        r["red_missiles_intercepted"]
        + r["red_missiles_on_target"]
        + r["red_missiles_wasted"]
        + r["red_missiles_on_gateways"]
        + r["red_missiles_in_flight_end"]
    )
    assert (r["red_missiles_spent"] == total).all()
    assert r["red_missiles_spent"].sum() > 0


def test_launcher_accounting(kyodo):
    r = kyodo.records
    assert ((r["launchers_lost"] >= 0) & (r["launchers_lost"] <= r["launchers"])).all()
    assert (r["time_first_loss_h"].isna() == (r["launchers_lost"] == 0)).all()
    assert (r["launcher_hours_available"] <= r["launchers"] * r["param.horizon_h"] + 1e-9).all()
    assert (r["targets_engaged"] <= r["targets_arrived"]).all()
    assert (r["targets_hit"] <= r["salvos_fired"]).all()
    assert (r["strikes_on_decoys"] <= r["strikes_wasted"]).all()
    assert (r["strikes_wasted"] <= r["red_strikes"]).all()
    assert (r["launch_detections"] <= r["salvos_fired"]).all()
    assert (r["overflow"] == 0).all()


def test_series_consistent_with_records(kyodo):
    s = kyodo.series
    per_rep = s.groupby("replication")["salvos"].sum().to_numpy()
    np.testing.assert_array_equal(per_rep, kyodo.records["salvos_fired"].to_numpy())
    last = s[s["step"] == s["step"].max()]["launchers_alive"].to_numpy()
    r = kyodo.records
    np.testing.assert_array_equal(last, (r["launchers"] - r["launchers_lost"]).to_numpy())


def test_summary_has_ci(kyodo):
    summ = kyodo.summary()
    row = summ.loc["salvos_fired"]
    assert row["ci_low"] <= row["mean"] <= row["ci_high"]
    assert row["n"] == 300


def test_no_red_inventory_no_losses():
    r = simulate(load_scenario(_doc("kyodo-2021", **{"red.inventory": 0})), 50, 1).records
    assert (r["launchers_lost"] == 0).all()
    assert (r["red_missiles_spent"] == 0).all()
    assert (r["strikes_denied"] > 0).any()


def test_daily_capacity_binds():
    doc = _doc("kyodo-2021", **{"red.daily_capacity": 2, "red.missiles_per_strike": 2})
    r = simulate(load_scenario(doc), 50, 1).records
    days = 720 / 24
    assert (r["red_missiles_spent"] <= 2 * days).all()
    assert (r["strikes_denied"] > 0).all()


@pytest.mark.parametrize(
    ("rule", "expect_kill"), [("launcher_escapes", False), ("launcher_caught", True)]
)
def test_tie_rule(rule, expect_kill):
    # One salvo, departure L after it, and a fixed kill chain D == L exactly.
    doc = _doc(
        "ideal-counter-battery",
        **{
            "blue.relocation.scoot_after_salvos": 1,
            "blue.relocation.scoot_delay_h": 0.5,
            "red.kill_chain.delay_h": 0.5,
            "red.isr.p_detect_launch": 1.0,
            "red.p_kill": 1.0,
            "red.tie_rule": rule,
        },
    )
    r = simulate(load_scenario(doc), 200, 2).records
    assert (r["red_strikes"] > 0).all()
    if expect_kill:
        assert (r["launchers_lost"] == 1).all()
        assert (r["time_first_loss_h"] == 0.5).all()
    else:
        assert (r["launchers_lost"] == 0).all()
        assert (r["strikes_wasted"] == r["red_strikes"]).all()


def test_doctrine_per_detection_strikes_more():
    first = simulate(load_scenario(_doc("ideal-fixed-delay")), 2000, 4).records
    each = simulate(
        load_scenario(_doc("ideal-fixed-delay", **{"red.doctrine": "per_detection"})), 2000, 4
    ).records
    assert each["red_strikes"].mean() > first["red_strikes"].mean()


def test_bad_arguments_name_the_field():
    with pytest.raises(ScenarioError, match="replications"):
        simulate("kyodo-2021", replications=0)
    with pytest.raises(ScenarioError, match="workers"):
        simulate("kyodo-2021", replications=10, workers=0)
    with pytest.raises(ScenarioError, match="seed"):
        simulate("kyodo-2021", replications=10, seed=-1)


def test_record_columns_self_describing(kyodo):
    cols = list(kyodo.records.columns)
    assert cols[:5] == ["run_id", "scenario", "design_point", "replication", "seed"]
    assert any(c.startswith("param.") for c in cols)
    first = cols.index(Y.OUTPUT_NAMES[0])
    assert cols[first : first + Y.N_OUT] == list(Y.OUTPUT_NAMES)
    # kyodo-2021 enables civil protection: the evacuation outputs follow
    rest = cols[first + Y.N_OUT :]
    assert rest and all(c.startswith("evac_") for c in rest)
    assert kyodo.records["run_id"].nunique() == 1


def test_distribution_codes_match_schema():
    from nansei.engine import dists
    from nansei.scenario.distributions import KIND_CODES

    assert KIND_CODES == {
        "fixed": dists.FIXED,
        "exponential": dists.EXPONENTIAL,
        "lognormal": dists.LOGNORMAL,
        "uniform": dists.UNIFORM,
    }
