"""The lane kernel (the CPU default) against the scalar kernel and its own building blocks.

The scalar kernel (``cpu_kernel="scalar"``, the code the GPU runs) is the one the validation
tests pinned first; the lane kernel must give the same physics: the same expectations within the
combined standard errors (other random histories), energy conserved to rounding, and helpers as
accurate as the library functions they replace.
"""

from __future__ import annotations

import math
import platform
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numba import njit

from photodose.transport import Layer, LayerStack, cosine_source, oblique_beam, simulate
from photodose.transport.lanes import LANES, cos_sin_turn
from photodose.transport.rng import lane_states, neg_log, seed_states

SKIN5 = LayerStack(
    [
        Layer(4.3, 107.0, 0.79, 1.4, 0.01),
        Layer(1.7, 190.0, 0.82, 1.4, 0.02),
        Layer(1.1, 150.0, 0.82, 1.4, 0.15),
        Layer(1.0, 120.0, 0.75, 1.44, 0.3),
        Layer(0.8, 60.0, 0.9, 1.4, 1.0),
    ]
)
MISMATCHED = LayerStack(
    [Layer(1.0, 100.0, 0.9, 1.37, 0.1), Layer(1.0, 10.0, 0.0, 1.5, 0.1), Layer(2.0, 10.0, 0.7, 1.33, 0.2)],
    n_above=1.0,
    n_below=1.2,
)


def _close(a: float, sa: float, b: float, sb: float, k: float = 3.5) -> bool:
    return abs(a - b) <= k * math.hypot(sa, sb) + 1e-12


@pytest.mark.parametrize(
    ("stack", "source"),
    [(SKIN5, None), (MISMATCHED, None), (MISMATCHED, oblique_beam(40.0)), (SKIN5, cosine_source(1.0))],
    ids=["skin5-pencil", "mismatched-pencil", "mismatched-oblique", "skin5-led"],
)
def test_lanes_and_scalar_kernels_agree(stack: LayerStack, source: object) -> None:
    kw = {"source": source} if source is not None else {}
    a = simulate(stack, 12_000, seed=31, cpu_kernel="lanes", **kw)  # type: ignore[arg-type]
    b = simulate(stack, 12_000, seed=32, cpu_kernel="scalar", **kw)  # type: ignore[arg-type]
    assert a.specular_reflectance == pytest.approx(b.specular_reflectance, rel=0.05, abs=1e-12)
    assert _close(
        a.diffuse_reflectance, a.diffuse_reflectance_se, b.diffuse_reflectance, b.diffuse_reflectance_se
    )
    assert _close(a.transmittance, a.transmittance_se, b.transmittance, b.transmittance_se)
    for la, sa, lb, sb in zip(
        a.absorbed_by_layer, a.absorbed_by_layer_se, b.absorbed_by_layer, b.absorbed_by_layer_se, strict=True
    ):
        assert _close(la, sa, lb, sb)
    # steps per photon: the same random walk (per-chunk spread ~1 %)
    assert a.steps_per_photon == pytest.approx(b.steps_per_photon, rel=0.05)


@pytest.mark.parametrize("stack", [SKIN5, MISMATCHED, LayerStack([Layer(2.0, 80.0, 0.8, 1.4, math.inf)])])
def test_lanes_conserve_energy_and_fill_every_tally(stack: LayerStack) -> None:
    r = simulate(stack, 3_000, seed=5, cpu_kernel="lanes", angle_bins=5)
    assert r.depth_grid is not None
    assert r.energy_balance - r.roulette_weight_gain == pytest.approx(1.0, abs=1e-10)
    assert r.absorption_per_cm.sum() * r.depth_grid.step_cm + r.absorbed_beyond_depth_grid == pytest.approx(
        r.absorbed_by_layer.sum(), rel=1e-10
    )
    edges = r.angle_edges_rad
    dom = 2 * math.pi * (np.cos(edges[:-1]) - np.cos(edges[1:]))
    assert (r.diffuse_reflectance_angle_per_sr * dom).sum() == pytest.approx(r.diffuse_reflectance, rel=1e-9)


def test_lanes_are_reproducible_and_independent_of_threads() -> None:
    a = simulate(SKIN5, 5_000, seed=3, threads=1)
    b = simulate(SKIN5, 5_000, seed=3, threads=2)
    assert a.diffuse_reflectance == b.diffuse_reflectance
    np.testing.assert_array_equal(a.absorption_per_cm, b.absorption_per_cm)


def test_fewer_photons_than_lanes() -> None:
    r = simulate(SKIN5, 7, seed=1, cpu_kernel="lanes")
    assert r.photons == 7
    assert r.energy_balance - r.roulette_weight_gain == pytest.approx(1.0, abs=1e-12)


@njit()
def _neg_log_many(x: np.ndarray) -> np.ndarray:
    out = np.empty_like(x)
    for i in range(x.shape[0]):
        out[i] = neg_log(x[i])
    return out


@settings(max_examples=300, deadline=None)
@given(st.floats(min_value=2.0**-60, max_value=1.0, allow_nan=False, allow_infinity=False))
def test_neg_log_is_within_one_ulp_of_libm(x: float) -> None:
    # fdlibm's bound is < 1 ulp from the true value, glibc's log's too: at most 2 ulp apart (seen: 1)
    got = float(_neg_log_many(np.array([x]))[0])
    want = -math.log(x)
    assert abs(got - want) <= 2 * np.spacing(abs(want)) or got == want


def test_neg_log_on_the_kernels_uniforms() -> None:
    # the kernel's uniforms (k+1)·2^-53, across the whole range
    rng = np.random.default_rng(2)
    x = (rng.integers(0, 2**53, 200_000, dtype=np.uint64) + 1).astype(np.float64) * 2.0**-53
    x = np.concatenate([x, 2.0 ** -np.arange(54.0), [1 - 2.0**-53, math.sqrt(0.5), 1 / math.sqrt(2) + 1e-16]])
    err = np.abs(_neg_log_many(x) + np.log(x)) / np.spacing(np.abs(np.log(x)) + 1e-300)
    assert err.max() <= 1.0


@njit()
def _cos_sin_many(t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    c = np.empty_like(t)
    s = np.empty_like(t)
    for i in range(t.shape[0]):
        c[i], s[i] = cos_sin_turn(t[i])
    return c, s


def test_cos_sin_turn_matches_libm() -> None:
    t = np.linspace(-0.5, 0.5, 100_001)
    c, s = _cos_sin_many(t)
    assert np.abs(c - np.cos(2 * np.pi * t)).max() < 5e-15
    assert np.abs(s - np.sin(2 * np.pi * t)).max() < 5e-15
    assert np.abs(c * c + s * s - 1.0).max() < 5e-15


_M64 = (1 << 64) - 1


def _xoshiro_reference(s: list[int]) -> None:
    """Blackman & Vigna's xoshiro256** ``next()`` state update, in plain Python integers."""
    t = (s[1] << 17) & _M64
    s[2] ^= s[0]
    s[3] ^= s[1]
    s[1] ^= s[2]
    s[0] ^= s[3]
    s[2] ^= t
    s[3] = ((s[3] << 45) | (s[3] >> 19)) & _M64


def _jump_reference(s: list[int]) -> list[int]:
    """The authors' ``jump()`` (xoshiro256starstar.c), in plain Python integers."""
    jump = [0x180EC6D33CFD0ABA, 0xD5A61266F0C9392C, 0xA9582618E03FC9AA, 0x39ABDC4529B1661C]
    acc = [0, 0, 0, 0]
    s = list(s)
    for word in jump:
        for b in range(64):
            if word & (1 << b):
                acc = [a ^ v for a, v in zip(acc, s, strict=True)]
            _xoshiro_reference(s)
    return acc


def test_lane_streams_follow_the_published_jump() -> None:
    state = seed_states(11, 1)[0]
    lanes = lane_states(state, 4)
    ref = [int(v) for v in state]
    for k in range(4):
        assert [int(v) for v in lanes[:, k]] == ref
        ref = _jump_reference(ref)
    assert LANES >= 8


_VECTORISE_PROBE = """
import sys
import llvmlite.binding as llvm
for kind in ("", "-missed"):
    llvm.set_option("", f"-pass-remarks{kind}=loop-vectorize")
import numpy as np
from numba import njit
from photodose.transport import lanes as L
f = njit(fastmath=L._FM, error_model="numpy")(L.advance.py_func)
print("COMPILING", flush=True)
f(np.zeros(L.N_FIELDS * L.LANES), np.ones(4 * L.LANES, dtype=np.uint64), L.LANES, 1.0, 10, 1.0, 10)
"""


@pytest.mark.skipif(platform.machine().lower() not in ("x86_64", "amd64"), reason="x86-64 SIMD only")
def test_the_lane_loop_is_vectorised() -> None:
    # The lane kernel is fast only if LLVM vectorises `advance`; a branch, a call or an aliasing
    # doubt added to it silently costs ~3×. LLVM's own remark says whether it did.
    proc = subprocess.run(
        [sys.executable, "-c", _VECTORISE_PROBE], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    remarks = (proc.stdout + proc.stderr).split("COMPILING", 1)[-1]
    assert "vectorized loop" in remarks, remarks[-2000:]
    assert "loop not vectorized" not in remarks, remarks[-2000:]
