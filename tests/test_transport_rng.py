"""The kernel's random numbers: xoshiro256** against its reference sequence, and seeding."""

from __future__ import annotations

import numpy as np
from numba import njit

from photodose.transport.rng import seed_states, uniform, xoshiro_next


def test_xoshiro256starstar_reference_sequence() -> None:
    # Blackman & Vigna's reference C code from state {1, 2, 3, 4}.
    s = [np.uint64(v) for v in (1, 2, 3, 4)]
    out = []
    for _ in range(4):
        r, *s = xoshiro_next(*s)
        out.append(int(r))
    assert out == [11520, 0, 1509978240, 1215971899390074240]


@njit
def _draw(n: int, st: np.ndarray) -> np.ndarray:
    s0, s1, s2, s3 = st[0], st[1], st[2], st[3]
    out = np.empty(n)
    for i in range(n):
        out[i], s0, s1, s2, s3 = uniform(s0, s1, s2, s3)
    return out


def test_uniform_is_in_open_zero_closed_one_with_the_right_moments() -> None:
    x = _draw(200_000, seed_states(5, 1)[0])
    assert x.min() > 0.0 and x.max() <= 1.0
    assert abs(x.mean() - 0.5) < 4 * np.sqrt(1 / 12 / x.size)
    assert abs(x.var() - 1 / 12) < 0.002
    hist, _ = np.histogram(x, bins=20, range=(0, 1))
    expected = x.size / 20
    chi2 = ((hist - expected) ** 2 / expected).sum()
    assert chi2 < 50  # 19 degrees of freedom: p ≈ 1e-4


def test_seed_states_are_reproducible_and_distinct() -> None:
    a = seed_states(42, 64)
    b = seed_states(42, 64)
    np.testing.assert_array_equal(a, b)
    assert len({tuple(row) for row in a}) == 64
    assert not np.array_equal(seed_states(43, 64), a)
    # stream k does not depend on how many streams were asked for
    np.testing.assert_array_equal(seed_states(42, 8), a[:8])
