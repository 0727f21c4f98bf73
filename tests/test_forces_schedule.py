"""Forces that change over time: launcher groups arriving and leaving on a schedule.

A reinforcement is absent before ``arrive_h`` (never detected, struck or counted) and a
withdrawn launcher is out of reach after ``withdraw_h``; the exact checks are in
``nansei.verification.forces_checks`` (``nansei verify``). These tests add the
validation errors and the properties that hold replication by replication.
"""

from __future__ import annotations

import math

import pytest

from nansei.engine.simulate import simulate
from nansei.scenario import ScenarioError, load_scenario
from nansei.verification.killchain_checks import LOW_ISR

SEED = 5


def test_withdraw_before_arrival_is_refused_with_the_field():
    with pytest.raises(ScenarioError) as err:
        load_scenario(
            "kyodo-2021",
            overrides={"blue.launchers[0].arrive_h": 100, "blue.launchers[0].withdraw_h": 50},
        )
    text = str(err.value)
    assert "blue.launchers[0].withdraw_h" in text
    assert "> 100" in text


def test_no_loss_and_no_detection_before_arrival():
    """Every launcher arrives at 200 h: the first loss is never earlier."""
    over = {"blue.launchers[0].arrive_h": 200.0, "blue.launchers[1].arrive_h": 200.0}
    r = simulate(load_scenario("kyodo-2021", overrides=over), 100, SEED).records
    first = r["time_first_loss_h"].dropna().to_numpy()
    assert first.size > 0
    assert first.min() >= 200.0
    hours = r["launcher_hours_available"].to_numpy()
    assert hours.max() <= 16 * (720.0 - 200.0) + 1e-9


def test_withdrawn_launchers_are_never_lost_afterwards():
    """Group a leaves at 100 h: losses + withdrawn never exceed the launchers, and after
    the withdrawal only group b can be lost (at most 8 losses after 100 h)."""
    over = {**LOW_ISR, "blue.launchers[0].withdraw_h": 100.0}
    r = simulate(load_scenario("kyodo-2021", overrides=over), 200, SEED).records
    lost, out = r["launchers_lost"].to_numpy(), r["launchers_withdrawn"].to_numpy()
    assert (lost + out <= 16).all()
    assert out.mean() > 0


def test_a_later_arrival_never_raises_expected_losses():
    """Arriving later can only shorten the exposure: paired seeds, within 3 SE."""
    base = simulate(load_scenario("kyodo-2021", overrides=LOW_ISR), 300, SEED).records
    late = {**LOW_ISR, "blue.launchers[1].arrive_h": 360.0}
    later = simulate(load_scenario("kyodo-2021", overrides=late), 300, SEED).records
    d = later["launchers_lost"].to_numpy(float) - base["launchers_lost"].to_numpy(float)
    se = d.std(ddof=1) / math.sqrt(d.size)
    assert d.mean() < 3 * se
    # and the launcher-hours fall by at most the 8 launchers' 360 h
    dh = later["launcher_hours_available"].mean() - base["launcher_hours_available"].mean()
    assert dh <= 0.0
    assert dh >= -8 * 360.0 - 1e-6


def test_schedule_identical_whatever_the_batch_split():
    over = {"blue.launchers[1].arrive_h": 100.0, "blue.launchers[0].withdraw_h": 300.0}
    sc = load_scenario("kyodo-2021", overrides=over)
    a = simulate(sc, 40, SEED).records.drop(columns=["run_id"])
    b = simulate(sc, 40, SEED, workers=2).records.drop(columns=["run_id"])
    assert a.equals(b)
