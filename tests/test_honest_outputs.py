"""Honest outputs (issue 16, item 6): stock-out hours, targets lost for lack of ammunition
and fires blocked by law count what their descriptions in ``layout.OUTPUTS`` say.

Every case is the ``ideal-counter-battery`` built-in (one launcher, one persistent target in
range, 72 h, no Red ISR here) with overrides, so each count is known exactly.
"""

from __future__ import annotations

import numpy as np
import pytest

import nansei
from nansei.engine.layout import OUTPUTS
from nansei.scenario import load_scenario

BASE = "ideal-counter-battery"
HORIZON_H = 72.0
QUIET = {"red.isr.p_detect_launch": 0}  # Red never sees the launcher: nothing is lost


def _records(over: dict, reps: int = 8, seed: int = 16):
    sc = load_scenario(BASE, overrides={**QUIET, **over})
    return nansei.simulate(sc, replications=reps, seed=seed).records


def test_no_rounds_is_a_stockout_for_the_whole_horizon():
    r = _records({"blue.launchers[0].pods_carried": {}})
    assert (r["launcher_stockout_h"] == HORIZON_H).all()
    assert (r["targets_no_ammo"] == 1).all()  # one target, counted once, not per retry
    assert (r["salvos_fired"] == 0).all()


def test_a_pod_that_reaches_nothing_is_no_stock():
    """A pod of a 1 km munition reaches no sea zone: the launcher is stocked out."""
    r = _records(
        {
            "blue.munitions": [
                {
                    "id": "notional",
                    "range_km": 2000,
                    "rounds_per_pod": 1000,
                    "p_hit": 1.0,
                    "source": "notional",
                    "confidence": "C",
                },
                {
                    "id": "short",
                    "range_km": 1,
                    "rounds_per_pod": 6,
                    "p_hit": 1.0,
                    "source": "notional",
                    "confidence": "C",
                },
            ],
            "blue.launchers[0].pods_carried": {"short": 1},
        }
    )
    assert (r["launcher_stockout_h"] == HORIZON_H).all()
    assert (r["targets_no_ammo"] == 1).all()
    assert (r["salvos_fired"] == 0).all()


def test_stockout_starts_at_the_last_round():
    """3 rounds, 1 a salvo, 0.25 h apart from t = 0: empty at 0.5 h, out for 71.5 h."""
    r = _records(
        {
            "blue.munitions[0].rounds_per_pod": 3,
            "blue.relocation.scoot_after_salvos": None,
        }
    )
    assert (r["salvos_fired"] == 3).all()
    np.testing.assert_allclose(r["launcher_stockout_h"], HORIZON_H - 0.5, atol=1e-9)
    assert (r["targets_no_ammo"] == 1).all()


def test_a_loaded_launcher_is_never_stocked_out():
    r = _records({})
    assert (r["launcher_stockout_h"] == 0.0).all()
    assert (r["targets_no_ammo"] == 0).all()
    assert (r["salvos_fired"] > 0).all()


def test_fires_blocked_until_24h_count_the_target_once():
    """The armed attack situation recognised at 24 h: the one target is blocked once (not
    once per engagement pass), then engaged."""
    r = _records({"legal.timeline": [{"situation": "armed_attack", "at_h": 24}]})
    assert (r["t_us_fires_authorised_h"] == 24.0).all()
    assert (r["blocked_us_fires_from_japan"] == 1).all()
    assert (r["targets_engaged"] == 1).all()


def test_fires_never_authorised_count_the_target_once():
    r = _records({"legal.timeline": [{"situation": "armed_attack", "at_h": 100}]})
    assert (r["blocked_us_fires_from_japan"] == 1).all()
    assert (r["salvos_fired"] == 0).all()


@pytest.mark.parametrize("name,desc", OUTPUTS)
def test_every_output_states_its_unit(name, desc):
    """Each description ends with its unit in parentheses (stated once, in the layout)."""
    assert desc.rstrip().endswith(")"), name
