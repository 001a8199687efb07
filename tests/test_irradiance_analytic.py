"""The LED irradiance kernel against analytic cases."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import quad

from photodose.device.irradiance import (
    cos_exponent_from_viewing_angle,
    irradiance_from_leds,
    irradiance_from_leds_numpy,
    normalized_intensity,
)

DOWN = np.array([[0.0, 0.0, -1.0]])


def plane(xs: np.ndarray, ys: np.ndarray, z: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    X, Y = np.meshgrid(xs, ys)
    pts = np.column_stack([X.ravel(), Y.ravel(), np.full(X.size, z)])
    return pts, np.tile([0.0, 0.0, 1.0], (pts.shape[0], 1))


def test_viewing_angle_to_exponent() -> None:
    # 120° full angle at half intensity is the Lambertian cos θ (cos 60° = 1/2)
    assert cos_exponent_from_viewing_angle(120.0) == pytest.approx(1.0, rel=1e-12)
    # definition: cos^m(θ½) = 1/2
    for va in (20.0, 60.0, 90.0, 150.0):
        m = cos_exponent_from_viewing_angle(va)
        assert np.cos(np.radians(va / 2)) ** m == pytest.approx(0.5, rel=1e-12)
    assert cos_exponent_from_viewing_angle(60.0) > cos_exponent_from_viewing_angle(120.0)
    with pytest.raises(ValueError):
        cos_exponent_from_viewing_angle(180.0)


@pytest.mark.parametrize("m", [0.0, 0.5, 1.0, 4.82, 20.0])
def test_intensity_normalised_over_hemisphere(m: float) -> None:
    # ∫ I dΩ = 2π ∫_0^{π/2} I(θ) sin θ dθ = 1
    val, _ = quad(lambda t: normalized_intensity(np.cos(t), m) * np.sin(t), 0, np.pi / 2)
    assert 2 * np.pi * val == pytest.approx(1.0, rel=1e-9)
    assert float(normalized_intensity(-0.3, m)) == 0.0  # nothing behind the LED


@pytest.mark.parametrize("m", [1.0, 0.65, 4.82])
def test_single_led_over_plane_matches_closed_form(m: float) -> None:
    # E(r) = P (m+1)/(2π) h^(m+1) / (h² + r²)^((m+3)/2)
    P, h = 7.0, 2.5
    r = np.linspace(0, 10, 41)
    pts = np.column_stack([r, np.zeros_like(r), np.zeros_like(r)])
    nrm = np.tile([0.0, 0.0, 1.0], (r.size, 1))
    E = irradiance_from_leds(pts, nrm, np.array([[0.0, 0.0, h]]), DOWN, P, m)
    expected = P * (m + 1) / (2 * np.pi) * h ** (m + 1) / (h**2 + r**2) ** ((m + 3) / 2)
    np.testing.assert_allclose(E, expected, rtol=1e-12)
    # Lambertian on-axis: P / (π h²)
    if m == 1.0:
        assert E[0] == pytest.approx(P / (np.pi * h**2), rel=1e-12)


@pytest.mark.parametrize("m", [1.0, 3.0])
def test_power_landing_on_a_disc(m: float) -> None:
    # Power on a disc of radius R under the LED = P (1 − cos^(m+1) θ_max)
    P, h, R = 10.0, 1.0, 8.0
    edges = np.linspace(0, R, 4001)
    rc = 0.5 * (edges[1:] + edges[:-1])
    area = np.pi * (edges[1:] ** 2 - edges[:-1] ** 2)
    pts = np.column_stack([rc, np.zeros_like(rc), np.zeros_like(rc)])
    nrm = np.tile([0.0, 0.0, 1.0], (rc.size, 1))
    E = irradiance_from_leds(pts, nrm, np.array([[0.0, 0.0, h]]), DOWN, P, m)
    cos_max = h / np.hypot(h, R)
    assert (E * area).sum() == pytest.approx(P * (1 - cos_max ** (m + 1)), rel=1e-5)


def test_dense_uniform_array_gives_uniform_field() -> None:
    # LEDs on a square grid of pitch p, far enough (h ≥ 2p): E → P / p² in the middle
    P, p, h, n = 5.0, 0.5, 1.5, 81
    g = (np.arange(n) - (n - 1) / 2) * p
    LX, LY = np.meshgrid(g, g)
    leds = np.column_stack([LX.ravel(), LY.ravel(), np.full(LX.size, h)])
    dirs = np.tile(DOWN, (leds.shape[0], 1))
    pts, nrm = plane(np.linspace(-2, 2, 21), np.linspace(-2, 2, 21))
    E = irradiance_from_leds(pts, nrm, leds, dirs, P, 1.0)
    # an infinite array gives exactly P/p²; the finite one misses the LEDs beyond its edge,
    # a fraction cos²θ_edge of the total for a Lambertian array seen from the centre
    cos_edge = h / np.hypot(h, (n / 2) * p - 2.0)
    assert E.max() <= P / p**2
    assert E.min() >= P / p**2 * (1 - 2 * cos_edge**2)
    assert E.std() / E.mean() < 0.01
    assert E.min() / E.max() > 0.97


def test_inverse_square_far_field() -> None:
    # a 4 × 4 cm array seen from far away behaves like one source: E d² → constant
    g = np.linspace(-2, 2, 5)
    LX, LY = np.meshgrid(g, g)
    leds = np.column_stack([LX.ravel(), LY.ravel(), np.zeros(LX.size)])
    dirs = np.tile([0.0, 0.0, 1.0], (leds.shape[0], 1))
    n_face = np.array([[0.0, 0.0, -1.0]])

    def e_at(d: float) -> float:
        return float(irradiance_from_leds(np.array([[0, 0, d]]), n_face, leds, dirs, 1.0, 1.0)[0])

    assert e_at(100.0) / e_at(200.0) == pytest.approx(4.0, rel=2e-3)
    assert e_at(400.0) * 400**2 == pytest.approx(25 / np.pi, rel=1e-4)  # N P / π
    # …but not close up, where the array is extended
    assert e_at(1.0) / e_at(2.0) < 3.0


def test_incidence_cosine_and_back_faces() -> None:
    led = np.array([[0.0, 0.0, 3.0]])
    p = np.array([[0.0, 0.0, 0.0]])
    on = irradiance_from_leds(p, np.array([[0.0, 0.0, 1.0]]), led, DOWN, 1.0, 1.0)[0]
    for deg in (30.0, 60.0):
        t = np.radians(deg)
        tilted = irradiance_from_leds(p, np.array([[np.sin(t), 0, np.cos(t)]]), led, DOWN, 1, 1)
        assert tilted[0] == pytest.approx(on * np.cos(t), rel=1e-12)
    # a patch facing away, or an LED pointing away, gives nothing
    assert irradiance_from_leds(p, np.array([[0.0, 0.0, -1.0]]), led, DOWN, 1.0, 1.0)[0] == 0.0
    assert irradiance_from_leds(p, np.array([[0.0, 0.0, 1.0]]), led, -DOWN, 1.0, 1.0)[0] == 0.0


def test_linear_in_power_and_additive() -> None:
    rng = np.random.default_rng(3)
    pts = rng.normal(size=(50, 3))
    nrm = np.tile([0.0, 0.0, 1.0], (50, 1))
    leds = rng.normal(size=(7, 3)) + np.array([0.0, 0.0, 4.0])
    dirs = np.tile(DOWN, (7, 1))
    pw = rng.uniform(1, 5, 7)
    E_all = irradiance_from_leds(pts, nrm, leds, dirs, pw, 2.0)
    E_sum = sum(
        irradiance_from_leds(pts, nrm, leds[i : i + 1], dirs[i : i + 1], pw[i], 2.0) for i in range(7)
    )
    np.testing.assert_allclose(E_all, E_sum, rtol=1e-12)
    np.testing.assert_allclose(irradiance_from_leds(pts, nrm, leds, dirs, 2 * pw, 2.0), 2 * E_all, rtol=1e-12)


def test_bad_shapes_are_rejected() -> None:
    with pytest.raises(ValueError, match="points_cm"):
        irradiance_from_leds(np.zeros((3, 2)), np.zeros((3, 2)), np.zeros((1, 3)), DOWN, 1, 1)
    with pytest.raises(ValueError, match="exponent"):
        irradiance_from_leds(np.zeros((1, 3)), np.zeros((1, 3)), np.zeros((1, 3)), DOWN, 1, -1)


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    m=st.floats(0.0, 30.0),
    n=st.integers(1, 40),
)
def test_compiled_kernel_matches_numpy_reference(seed: int, m: float, n: int) -> None:
    rng = np.random.default_rng(seed)
    pts = rng.uniform(-5, 5, (60, 3))
    nrm = rng.normal(size=(60, 3))
    nrm /= np.linalg.norm(nrm, axis=1, keepdims=True)
    leds = rng.uniform(-5, 5, (n, 3))
    dirs = rng.normal(size=(n, 3))
    dirs /= np.linalg.norm(dirs, axis=1, keepdims=True)
    pw = rng.uniform(0.1, 10, n)
    a = irradiance_from_leds(pts, nrm, leds, dirs, pw, m)
    b = irradiance_from_leds_numpy(pts, nrm, leds, dirs, pw, m)
    assert np.all(np.isfinite(a)) and np.all(a >= 0)
    np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-9 * max(1.0, float(a.max())))
