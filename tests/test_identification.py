"""Identification among look-alike vehicles (``red.isr.identification``, docs/model.md).

The default (every sighting shows the launcher's signature) draws no random number, so
every built-in scenario is unchanged (``tests/test_fingerprints.py``); the exact checks
``identification-*`` of ``nansei verify`` compare the mechanism with its closed form. Here:
the schema and compile, errors that name the field, and paired-seed properties (more
look-alikes never raise Blue's losses).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from nansei.engine import layout as Y
from nansei.engine.compile import compile_scenario
from nansei.engine.compile_geo import resolve_sites
from nansei.engine.simulate import simulate
from nansei.scenario import ScenarioError, load_scenario
from nansei.verification import killchain_forms as kf


def test_default_identification_is_certain_and_compiles_to_no_lookalikes():
    sc = load_scenario("kyodo-2021")
    ident = sc.red.isr.identification
    assert ident.lookalikes_per_km2 == 0.0 and ident.max_candidates == 1
    c = compile_scenario(sc)
    fp = c.arrays["fp"]
    assert list(fp[Y.F_SIGNATURE : Y.F_SIGNATURE + 5]) == [1.0] * 5
    assert np.all(c.arrays["site_f"][:, 4] == 0.0)


def test_density_by_island_overrides_the_theatre_wide_one_in_the_compile():
    over = {
        "red.isr.identification": {
            "lookalikes_per_km2": 0.5,
            "lookalikes_per_km2_by_island": {"ishigaki": 4.0},
            "view_km2": 2.0,
        }
    }
    sc = load_scenario("kyodo-2021", overrides=over)
    c = compile_scenario(sc)
    sites = resolve_sites(sc)
    mu = c.arrays["site_f"][:, 4]
    for s, m in zip(sites, mu, strict=True):
        assert m == pytest.approx(8.0 if s.island == "ishigaki" else 1.0)
    assert c.arrays["fp"][Y.F_ID_RADIUS_KM] == pytest.approx(math.sqrt(2.0 / math.pi))


def test_unknown_island_and_bad_probability_are_refused_by_name():
    path = "red.isr.identification.lookalikes_per_km2_by_island"
    with pytest.raises(ScenarioError) as err:
        load_scenario("kyodo-2021", overrides={path: {"atlantis": 1.0}})
    (p,) = err.value.problems
    assert "atlantis" in p.path and "atlantis" in p.message and "ishigaki" in p.allowed
    with pytest.raises(ScenarioError) as err:
        load_scenario("kyodo-2021", overrides={"red.isr.identification.p_signature.moving": 1.5})
    (p,) = err.value.problems
    assert p.path == "red.isr.identification.p_signature.moving"
    with pytest.raises(ScenarioError) as err:
        load_scenario("kyodo-2021", overrides={"red.isr.identification.max_candidates": 0})
    assert err.value.problems[0].path == "red.isr.identification.max_candidates"


def test_region_id_names_the_abstract_theatre():
    over = {"red.isr.identification.lookalikes_per_km2_by_island": {"front": 2.0}}
    sc = load_scenario("ukraine-himars-2022", overrides=over)
    assert compile_scenario(sc).arrays["site_f"][:, 4].max() > 0.0


def test_closed_form_limits():
    """No look-alikes: every unsigned sighting is a lone launcher; a Red that always
    guesses picks it with (1 - e^-mu) / mu; one that never guesses with e^-mu."""
    o = kf.sighting_outcomes(0.2, 0.0, 1)
    assert o.on_launcher == pytest.approx(1.0) and o.on_lookalike == 0.0
    mu = 1.7
    o = kf.sighting_outcomes(0.0, mu, 400)
    assert o.on_launcher == pytest.approx(-math.expm1(-mu) / mu)
    assert o.strike == pytest.approx(1.0)
    assert kf.sighting_outcomes(0.0, mu, 1).on_launcher == pytest.approx(math.exp(-mu))
    assert kf.sighting_outcomes(0.0, mu, 1).on_lookalike == 0.0


def _lost(over: dict, reps: int = 40, seed: int = 9) -> np.ndarray:
    base = {"run.horizon_h": 4000}
    sc = load_scenario("ukraine-himars-2022", overrides={**base, **over})
    return simulate(sc, reps, seed).records


SIGNATURE = {"hidden": 0.3, "moving": 0.3, "setting_up": 0.7, "firing": 0.9, "reloading": 0.7}


def _ident(density: float, max_candidates: int = 3) -> dict:
    return {
        "red.isr.identification": {
            "p_signature": SIGNATURE,
            "lookalikes_per_km2": density,
            "view_km2": 1.0,
            "max_candidates": max_candidates,
        }
    }


def test_more_lookalikes_never_raise_losses_and_fewer_sightings_are_struck():
    """Paired seeds (the same uniforms per sighting): the Ukraine case with 0.5 and with 5
    look-alikes per km². Losses do not rise by more than 3 paired SE; strikes fall."""
    a, b = _lost(_ident(0.5)), _lost(_ident(5.0))
    d = b["launchers_lost"].to_numpy(float) - a["launchers_lost"].to_numpy(float)
    assert d.mean() <= 3 * d.std(ddof=1) / math.sqrt(d.size)
    per = [r["red_missiles_on_target"].sum() / r["detections"].sum() for r in (a, b)]
    assert per[1] < per[0]


def test_identification_at_all_never_raises_losses():
    """Certain identification against a signature seen in 30-90 % of sightings, 0.5
    look-alikes per km² and a Red that strikes only a lone vehicle: only helps Blue."""
    a, b = (
        _lost({"red.isr.identification.p_signature": dict.fromkeys(SIGNATURE, 1.0)}),
        _lost(_ident(0.5, 1)),
    )
    d = b["launchers_lost"].to_numpy(float) - a["launchers_lost"].to_numpy(float)
    assert d.mean() <= 3 * d.std(ddof=1) / math.sqrt(d.size)


KYODO_CLUTTER = {**_ident(7.0, 1000), "run.horizon_h": 240}  # Red always guesses

_NOJIT = """
import json, sys
from nansei.engine.simulate import simulate
from nansei.scenario import load_scenario
sc = load_scenario("kyodo-2021", overrides=json.loads(sys.argv[1]))
r = simulate(sc, replications=3, seed=5, trace=True)
json.dump({"records": r.records.to_dict(orient="list"),
           "trace": r.trace.to_dict(orient="list")}, sys.stdout)
"""


def test_jit_and_pure_python_agree_with_lookalikes():
    """The identification path (signatures, picks, look-alike strikes) gives the same
    records and trace compiled and as plain Python."""
    import json
    import os
    import subprocess
    import sys

    import pandas as pd

    env = dict(os.environ, NUMBA_DISABLE_JIT="1")
    args = [sys.executable, "-c", _NOJIT, json.dumps(KYODO_CLUTTER)]
    proc = subprocess.run(args, env=env, capture_output=True, text=True, timeout=600, check=True)
    plain = json.loads(proc.stdout)
    jit = simulate(load_scenario("kyodo-2021", overrides=KYODO_CLUTTER), 3, 5, trace=True)
    assert jit.records["strikes_wasted"].sum() > 0
    pd.testing.assert_frame_equal(
        pd.DataFrame(plain["records"]), jit.records, check_dtype=False, check_exact=True
    )
    pd.testing.assert_frame_equal(
        pd.DataFrame(plain["trace"]), jit.trace, check_dtype=False, check_exact=True
    )
