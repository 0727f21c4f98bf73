"""NumPy's ``SeedSequence`` and ``PCG64`` inside the kernel.

Seeding a NumPy ``Generator`` from Python costs tens of microseconds per
replication, more than a small replication itself. This module implements,
in Numba, the two pieces of NumPy that define a replication's random stream:

* ``SeedSequence(entropy, spawn_key=(design_point, replication))`` and its
  ``generate_state(4, uint64)`` (the hash mixing of
  ``numpy/random/bit_generator.pyx``);
* the ``PCG64`` bit generator seeded from it (``pcg64_set_seed``) and its
  ``next_uint64`` (XSL-RR output of a 128-bit LCG).

The state of a stream is a ``uint64`` array of 4 words
``[state_hi, state_lo, inc_hi, inc_lo]``. ``random`` returns exactly
``numpy.random.Generator(PCG64(SeedSequence(...))).random()``, value for value
(tested). Other variates are built from it by inversion (exponential) and
Box-Muller (normal), so they differ from NumPy's ziggurat draws but come from
the same uniform stream.

Everything runs as plain Python under ``NUMBA_DISABLE_JIT=1`` and gives the
same bits: arithmetic that wraps modulo 2**64 goes through ``_mul``/``_add``,
which mask Python integers in that mode.
"""

from __future__ import annotations

import math

import numpy as np
from numba import config, njit

from nansei.engine.jit import kernel

MASK32 = np.uint64(0xFFFFFFFF)
_U32 = 0xFFFFFFFF
# SeedSequence hash constants (numpy/random/bit_generator.pyx)
_INIT_A = np.uint64(0x43B0D7E5)
_MULT_A = np.uint64(0x931E8875)
_INIT_B = np.uint64(0x8B51F9DD)
_MULT_B = np.uint64(0x58F38DED)
_MIX_MULT_L = np.uint64(0xCA01F9DD)
_MIX_MULT_R = np.uint64(0x4973F715)
_XSHIFT = np.uint64(16)
_POOL = 4
# PCG64 128-bit multiplier
_MUL_HI = np.uint64(2549297995355413924)
_MUL_LO = np.uint64(4865540595714422341)
_SH32 = np.uint64(32)
_SH11 = np.uint64(11)
_SH58 = np.uint64(58)
_ONE = np.uint64(1)
_ZERO = np.uint64(0)
_M63 = np.uint64(63)
_TWO_M53 = 1.0 / 9007199254740992.0
STATE_WORDS = 4

if config.DISABLE_JIT:  # plain Python: NumPy scalars would warn on wrap-around

    def _mul(a, b):
        return np.uint64((int(a) * int(b)) & 0xFFFFFFFFFFFFFFFF)

    def _add(a, b):
        return np.uint64((int(a) + int(b)) & 0xFFFFFFFFFFFFFFFF)

else:

    @njit(inline="always")
    def _mul(a, b):
        return a * b

    @njit(inline="always")
    def _add(a, b):
        return a + b


@kernel(python=True)
def _mul32(a, b):
    """``a * b`` modulo 2**32 for 32-bit values held in uint64."""
    return (a * b) & MASK32


@kernel(python=True)
def _hashmix(value, hc):
    """One SeedSequence ``hashmix``; ``hc`` is a 1-element uint64 array."""
    value ^= hc[0]
    hc[0] = _mul32(hc[0], _MULT_A)
    value = _mul32(value, hc[0])
    value ^= value >> _XSHIFT
    return value


@kernel(python=True)
def _mix(x, y):
    r = (_mul32(_MIX_MULT_L, x) + (np.uint64(0x100000000) - _mul32(_MIX_MULT_R, y))) & MASK32
    r ^= r >> _XSHIFT
    return r


@kernel(python=True)
def _push_words(words, n, value):
    """Append the 32-bit words of a non-negative int64 (0 -> one zero word)."""
    v = np.uint64(value)
    if v == _ZERO:
        words[n] = _ZERO
        return n + 1
    while v > _ZERO:
        words[n] = v & MASK32
        n += 1
        v = v >> _SH32
    return n


def entropy_words(seed: int) -> np.ndarray:
    """The 32-bit words of a root seed, as ``SeedSequence`` coerces it.

    Parameters
    ----------
    seed : int
        Non-negative root seed (any size).

    Returns
    -------
    ndarray of uint64, shape (k,)
        Little-endian 32-bit words, each held in a uint64; at least one.
    """
    seed = int(seed)
    if seed < 0:
        raise ValueError(f"seed must be non-negative, got {seed}")
    out = []
    while True:
        out.append(seed & _U32)
        seed >>= 32
        if seed == 0:
            break
    return np.array(out, dtype=np.uint64)


@kernel(nrt=True, python=True)
def _pool(entropy, design_point, replication, sub):
    """Mixed 4-word pool of ``SeedSequence(entropy, spawn_key=(dp, rep[, sub]))``."""
    n_run = entropy.shape[0]
    words = np.zeros(max(n_run, _POOL) + 6, dtype=np.uint64)
    n = 0
    for k in range(n_run):
        words[n] = entropy[k]
        n += 1
    # spawn keys present: run entropy is padded with zeros to the pool size
    while n < _POOL:
        words[n] = _ZERO
        n += 1
    n = _push_words(words, n, design_point)
    n = _push_words(words, n, replication)
    if sub >= 0:
        n = _push_words(words, n, sub)
    pool = np.zeros(_POOL, dtype=np.uint64)
    hc = np.empty(1, dtype=np.uint64)
    hc[0] = _INIT_A
    for i in range(_POOL):
        pool[i] = _hashmix(words[i] if i < n else _ZERO, hc)
    for i_src in range(_POOL):
        for i_dst in range(_POOL):
            if i_src != i_dst:
                pool[i_dst] = _mix(pool[i_dst], _hashmix(pool[i_src], hc))
    for i_src in range(_POOL, n):
        for i_dst in range(_POOL):
            pool[i_dst] = _mix(pool[i_dst], _hashmix(words[i_src], hc))
    return pool


@kernel(nrt=True, python=True)
def _generate_state64(pool):
    """``generate_state(4, np.uint64)``: 8 hashed 32-bit words paired low-first."""
    hc = _INIT_B
    out = np.zeros(4, dtype=np.uint64)
    for i in range(8):
        v = pool[i % _POOL]
        v ^= hc
        hc = _mul32(hc, _MULT_B)
        v = _mul32(v, hc)
        v ^= v >> _XSHIFT
        if i % 2 == 0:
            out[i // 2] = v
        else:
            out[i // 2] |= v << _SH32
    return out


@kernel(python=True)
def _mulhi64(a, b):
    """High 64 bits of the 128-bit product of two uint64."""
    a_lo = a & MASK32
    a_hi = a >> _SH32
    b_lo = b & MASK32
    b_hi = b >> _SH32
    lo_lo = a_lo * b_lo
    hi_lo = a_hi * b_lo
    lo_hi = a_lo * b_hi
    hi_hi = a_hi * b_hi
    cross = (lo_lo >> _SH32) + (hi_lo & MASK32) + lo_hi
    return hi_hi + (hi_lo >> _SH32) + (cross >> _SH32)


@kernel(python=True)
def _step(st):
    """Advance the 128-bit LCG: ``state = state * MUL + inc`` (mod 2**128)."""
    s_hi = st[0]
    s_lo = st[1]
    hi = _add(_add(_mulhi64(s_lo, _MUL_LO), _mul(s_hi, _MUL_LO)), _mul(s_lo, _MUL_HI))
    lo = _mul(s_lo, _MUL_LO)
    new_lo = _add(lo, st[3])
    carry = _ONE if new_lo < lo else _ZERO
    st[0] = _add(_add(hi, st[2]), carry)
    st[1] = new_lo


@kernel(python=True)
def _add128(st, a_hi, a_lo):
    lo = _add(st[1], a_lo)
    carry = _ONE if lo < st[1] else _ZERO
    st[0] = _add(_add(st[0], a_hi), carry)
    st[1] = lo


@kernel(nrt=True, python=True)
def seed_stream(st, entropy, design_point, replication, sub=-1):
    """Seed ``st`` as ``PCG64(SeedSequence(entropy, spawn_key=(dp, rep)))``.

    With ``sub >= 0`` the spawn key is ``(dp, rep, sub)``: an independent
    sub-stream of the replication (for example the weather of the
    evacuation), unaffected by how many draws the main stream made.

    Parameters
    ----------
    st : ndarray of uint64, shape (4,)
        Stream state, overwritten.
    entropy : ndarray of uint64, shape (k,)
        Root seed words from :func:`entropy_words`.
    design_point, replication : int
        Non-negative spawn key.
    sub : int
        Optional third spawn-key element; -1 for none.
    """
    words = _generate_state64(_pool(entropy, design_point, replication, sub))
    # pcg_setseq_128_srandom_r(initstate=(w0, w1), initseq=(w2, w3))
    st[2] = (words[2] << _ONE) | (words[3] >> _M63)
    st[3] = (words[3] << _ONE) | _ONE
    st[0] = _ZERO
    st[1] = _ZERO
    _step(st)
    _add128(st, words[0], words[1])
    _step(st)


@kernel(python=True)
def next_uint64(st):
    """Next 64 random bits (``PCG64.random_raw``)."""
    _step(st)
    hi = st[0]
    x = hi ^ st[1]
    rot = hi >> _SH58
    return (x >> rot) | (x << ((np.uint64(64) - rot) & _M63))


@kernel(python=True)
def random(st):
    """Uniform on [0, 1): ``(next_uint64 >> 11) * 2**-53``, as NumPy."""
    return float(next_uint64(st) >> _SH11) * _TWO_M53


@kernel(python=True)
def exponential(st, scale):
    """Exponential with mean ``scale``, by inversion of one uniform.

    ``math`` (the C library), not NumPy: NumPy's vectorised ``log1p``/``log``/``cos``/
    ``exp`` differ in the last bit on some CPUs (AVX-512), so the kernel run without JIT
    would not match the compiled one, which calls the C library."""
    return -scale * math.log1p(-random(st))


@kernel(python=True)
def standard_normal(st):
    """Standard normal by Box-Muller (two uniforms, the cosine branch)."""
    u1 = 1.0 - random(st)  # (0, 1]
    u2 = random(st)
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)  # as exponential()


def new_stream(seed: int, design_point: int = 0, replication: int = 0, sub: int = -1) -> np.ndarray:
    """A seeded stream state, shape (4,) uint64, for use outside a batch."""
    st = np.zeros(STATE_WORDS, dtype=np.uint64)
    seed_stream(st, entropy_words(seed), int(design_point), int(replication), int(sub))
    return st
