"""The committed fingerprints of records, series and traces (``tests/data/fingerprints.txt``).

A kernel refactor must leave every line unchanged. A change of results that is
intended refreshes the file with ``.venv/bin/python scripts/fingerprints.py --write``
in a commit that says why.
"""

from __future__ import annotations

import pytest

from nansei.verification.fingerprints import CASES, PINNED, line

PINNED_LINES = PINNED.read_text(encoding="utf-8").splitlines()


def test_pinned_file_lists_every_case_once():
    assert len(PINNED_LINES) == len(CASES)


@pytest.mark.parametrize(("k", "case"), list(enumerate(CASES)), ids=lambda c: str(c)[:60])
def test_fingerprint_unchanged(k, case):
    name, changes, reps = case
    got = line(name, changes, reps)
    assert got == PINNED_LINES[k], (
        f"results changed for {name} {changes}: refresh with "
        "`.venv/bin/python scripts/fingerprints.py --write` only if the change is intended, "
        "and say why in the commit"
    )
