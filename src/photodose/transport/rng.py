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

from typing import Any

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.core.extending import intrinsic
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


#: xoshiro256's jump polynomial: 2^128 steps ahead (Blackman & Vigna, xoshiro256starstar.c).
_JUMP = np.array(
    [0x180EC6D33CFD0ABA, 0xD5A61266F0C9392C, 0xA9582618E03FC9AA, 0x39ABDC4529B1661C], dtype=np.uint64
)


@njit(nogil=True)
def lane_states(state: NDArray[np.uint64], lanes: int) -> NDArray[np.uint64]:
    """``lanes`` non-overlapping xoshiro256** streams from one: lane k starts 2^128·k steps
    after ``state`` (the authors' ``jump()``), as a (4, lanes) array (one row per state word).

    A chunk of the lane kernel (:mod:`photodose.transport.lanes`) still draws from its one
    seeded stream, cut into sub-streams far longer than any run.
    """
    out = np.empty((4, lanes), dtype=np.uint64)
    s0, s1, s2, s3 = state[0], state[1], state[2], state[3]
    one = np.uint64(1)
    for k in range(lanes):
        out[0, k] = s0
        out[1, k] = s1
        out[2, k] = s2
        out[3, k] = s3
        j0 = np.uint64(0)
        j1 = np.uint64(0)
        j2 = np.uint64(0)
        j3 = np.uint64(0)
        for word in range(4):
            for bit in range(64):
                if (_JUMP[word] >> np.uint64(bit)) & one:
                    j0 ^= s0
                    j1 ^= s1
                    j2 ^= s2
                    j3 ^= s3
                _, s0, s1, s2, s3 = xoshiro_next(s0, s1, s2, s3)
        s0, s1, s2, s3 = j0, j1, j2, j3
    return out


@intrinsic
def _bits_of(typingctx: Any, x: Any) -> Any:
    """The IEEE-754 bits of a float64 as an int64 (a bit cast, no conversion)."""
    sig = types.int64(types.float64)

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        return builder.bitcast(args[0], ir.IntType(64))

    return sig, codegen


@intrinsic
def _float_of(typingctx: Any, i: Any) -> Any:
    """The float64 whose IEEE-754 bits are the int64 ``i`` (a bit cast, no conversion)."""
    sig = types.float64(types.int64)

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        return builder.bitcast(args[0], ir.DoubleType())

    return sig, codegen


# fdlibm's e_log.c (Sun Microsystems 1993; the algorithm of musl's and FreeBSD's log):
# log(1+f) = f − f²/2 + s·(f²/2 + R(s²)), s = f/(2+f), R a minimax polynomial; error < 1 ulp.
_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
_LG1 = 6.666666666666735130e-01
_LG2 = 3.999999999940941908e-01
_LG3 = 2.857142874366239149e-01
_LG4 = 2.222219843214978396e-01
_LG5 = 1.818357216161805012e-01
_LG6 = 1.531383769920937332e-01
_LG7 = 1.479819860511658591e-01
_SQRT2 = 1.4142135623730951
_MANTISSA = 0x000FFFFFFFFFFFFF
_ONE_BITS = 0x3FF0000000000000


@njit(inline="always", fastmath={"contract"}, error_model="numpy")
def neg_log(x: float) -> float:
    """−ln x for a positive normal ``x`` (a step length in mean free paths from a uniform).

    fdlibm's ``log`` written out (error < 1 ulp against the correctly rounded value), without
    branches or calls, so that a loop over photon packets that takes it vectorises (a libm call
    cannot be vectorised). CPU only: it bit-casts floats.
    """
    bits: int = _bits_of(x)  # type: ignore[call-arg]
    k = (bits >> 52) - 1023
    m: float = _float_of((bits & _MANTISSA) | _ONE_BITS)  # x = m·2^k, m in [1, 2)
    big = m > _SQRT2  # then use m/2 in [√2/2, 1) and k + 1, so that |f| ≤ 0.42
    m = 0.5 * m if big else m
    k = k + 1 if big else k
    f = m - 1.0
    s = f / (2.0 + f)
    z = s * s
    w = z * z
    t1 = w * (_LG2 + w * (_LG4 + w * _LG6))
    t2 = z * (_LG1 + w * (_LG3 + w * (_LG5 + w * _LG7)))
    r = t2 + t1
    hfsq = 0.5 * f * f
    dk = float(k)
    return -(dk * _LN2_HI - ((hfsq - (s * (hfsq + r) + dk * _LN2_LO)) - f))


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
