"""The engine against exact results: every registered check passes within 4 SE."""

from __future__ import annotations

import pytest

from nansei.verification.checks import REGISTRY, run_checks


@pytest.mark.parametrize("name", list(REGISTRY))
def test_check_passes(name):
    table = run_checks([name], scale=0.5, seed=20211224)
    row = table.iloc[0]
    assert row["passed"], row.to_dict()


def test_closed_form_cases_are_informative():
    # A check whose exact value is 0 or 1 cannot fail by noise; most must not be.
    from nansei.verification.checks import REGISTRY as R

    values = [R[n].expected() for n in R if not R[n].exact_match]
    assert sum(0.02 < v < 0.98 for v in values) >= 6


def test_unknown_check_lists_known():
    with pytest.raises(KeyError, match="known:"):
        run_checks(["no-such-check"])
