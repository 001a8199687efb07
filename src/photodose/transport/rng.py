"""xoshiro256** random numbers for the photon kernels.

Why not ``numpy.random.Generator`` inside the kernel: each chunk of photons needs its own
independent, seedable stream, and the same device function must later run unchanged under
``numba.cuda.jit`` (one stream per GPU thread, as MCX and CUDAMCML do). A four-word xoshiro
state in a small array does both. Streams are seeded from ``numpy.random.SeedSequence`` so
that chunks are statistically independent.

Reference: D. Blackman and S. Vigna, "Scrambled linear pseudorandom number generators",
ACM Trans. Math. Softw. 47(4):36 (2021), https://prng.di.unimi.it/xoshiro256starstar.c
Stock MCML's ``ran3`` is not used: it biases layered-skin results by 0.3–3 %
(``../shared/reference/transport.md`` §0, CUDAMCML manual §2.6).
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numpy.typing import NDArray

_U5 = np.uint64(5)
_U9 = np.uint64(9)
_U7 = np.uint64(7)
_U57 = np.uint64(57)
_U17 = np.uint64(17)
_U45 = np.uint64(45)
_U19 = np.uint64(19)
_U11 = np.uint64(11)
_TWO_M53 = 1.0 / 9007199254740992.0  # 2**-53


@njit(inline="always")
def xoshiro_next(
    s0: np.uint64, s1: np.uint64, s2: np.uint64, s3: np.uint64
) -> tuple[np.uint64, np.uint64, np.uint64, np.uint64, np.uint64]:
    """One xoshiro256** step: ``(output, s0, s1, s2, s3)``.

    The state travels as four scalars rather than an array so that the compiler keeps it in
    registers inside the photon loop (an array could alias the tally arrays).
    """
    x = s1 * _U5
    result = ((x << _U7) | (x >> _U57)) * _U9
    t = s1 << _U17
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = (s3 << _U45) | (s3 >> _U19)
    return result, s0, s1, s2, s3


@njit(inline="always")
def uniform(
    s0: np.uint64, s1: np.uint64, s2: np.uint64, s3: np.uint64
) -> tuple[float, np.uint64, np.uint64, np.uint64, np.uint64]:
    """A uniform double in (0, 1] (safe for ``-log(ξ)``) and the new state."""
    r, s0, s1, s2, s3 = xoshiro_next(s0, s1, s2, s3)
    return (float(r >> _U11) + 1.0) * _TWO_M53, s0, s1, s2, s3


def seed_states(seed: int | None, n_streams: int) -> NDArray[np.uint64]:
    """Independent xoshiro256** states, one row per stream, from one ``SeedSequence``.

    The row for stream ``k`` depends only on ``seed`` and ``k``, so a run split into the same
    chunks gives the same numbers whatever the number of threads.
    """
    children = np.random.SeedSequence(seed).spawn(n_streams)
    states = np.empty((n_streams, 4), dtype=np.uint64)
    for k, child in enumerate(children):
        st = child.generate_state(4, dtype=np.uint64)
        if not st.any():  # the all-zero state is the one fixed point of xoshiro
            st[0] = np.uint64(0x9E3779B97F4A7C15)
        states[k] = st
    return states
