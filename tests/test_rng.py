"""The kernel's SeedSequence + PCG64 reproduce NumPy's streams bit for bit."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from nansei.engine import rng as R

SEEDS = [0, 1, 12345, 2**32 - 1, 2**32, 2**40 + 7, 2**64 + 3, 2**127 - 1]
KEYS = [(0, 0), (0, 1), (3, 17), (2**32, 5), (1, 2**33 + 1), (0, 999_999)]


def _numpy_state(seed, key):
    bg = np.random.PCG64(np.random.SeedSequence(seed, spawn_key=key))
    s = bg.state["state"]
    mask = 2**64 - 1
    return bg, (s["state"] >> 64, s["state"] & mask, s["inc"] >> 64, s["inc"] & mask)


@pytest.mark.parametrize("seed", SEEDS)
def test_seeding_matches_numpy(seed):
    for dp, rep in KEYS:
        st = R.new_stream(seed, dp, rep)
        _, want = _numpy_state(seed, (dp, rep))
        assert tuple(int(x) for x in st) == want


@pytest.mark.parametrize("seed", SEEDS)
def test_uniforms_match_numpy(seed):
    for dp, rep in KEYS:
        st = R.new_stream(seed, dp, rep)
        bg, _ = _numpy_state(seed, (dp, rep))
        want = np.random.Generator(bg).random(64)
        got = np.array([R.random(st) for _ in range(64)])
        assert np.array_equal(got, want)


def test_substream_matches_numpy_three_element_key():
    st = R.new_stream(7, 2, 3, sub=1)
    bg, want = _numpy_state(7, (2, 3, 1))
    assert tuple(int(x) for x in st) == want
    assert R.random(st) == np.random.Generator(bg).random()


def test_entropy_words_rejects_negative_seed():
    with pytest.raises(ValueError, match="non-negative"):
        R.entropy_words(-1)


def test_variates_have_the_right_moments():
    st = R.new_stream(2026)
    n = 200_000
    e = np.array([R.exponential(st, 2.0) for _ in range(n)])
    z = np.array([R.standard_normal(st) for _ in range(n)])
    # 4 standard errors: exponential(mean 2) has sd 2; normal has sd 1, var sd sqrt(2)
    assert abs(e.mean() - 2.0) < 4 * 2.0 / np.sqrt(n)
    assert abs(z.mean()) < 4 / np.sqrt(n)
    assert abs(z.var() - 1.0) < 4 * np.sqrt(2.0 / n)


def test_plain_python_mode_gives_the_same_bits():
    code = textwrap.dedent(
        """
        import warnings
        warnings.simplefilter("error")
        from nansei.engine import rng as R
        st = R.new_stream(2**40 + 7, 3, 17)
        print([R.random(st) for _ in range(8)], R.exponential(st, 1.5), R.standard_normal(st))
        """
    )
    env = dict(os.environ, NUMBA_DISABLE_JIT="1")
    plain = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout
    st = R.new_stream(2**40 + 7, 3, 17)
    jit = f"{[R.random(st) for _ in range(8)]} {R.exponential(st, 1.5)} {R.standard_normal(st)}\n"
    assert plain == jit
