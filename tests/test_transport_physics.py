"""Physical invariants of the engine: energy, reproducibility, sources, tallies, diffusion."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numba import njit
from scipy.special import expn

from photodose.transport import (
    Grid,
    Layer,
    LayerStack,
    cos_power_from_half_angle,
    cosine_source,
    oblique_beam,
    pencil_beam,
    simulate,
)
from photodose.transport import diffusion as dt
from photodose.transport.kernel import fresnel, henyey_greenstein_cos, spin
from photodose.transport.rng import seed_states, xoshiro_next

SKIN5 = LayerStack(
    [
        Layer(4.3, 107, 0.79, 1.4, 0.01, "epidermis"),
        Layer(1.7, 190, 0.82, 1.4, 0.02, "papillary dermis"),
        Layer(1.1, 150, 0.82, 1.4, 0.15, "reticular dermis"),
        Layer(1.0, 120, 0.75, 1.44, 0.3, "hypodermis"),
        Layer(0.8, 80, 0.9, 1.37, 1.0, "muscle"),
    ]
)


@pytest.mark.parametrize(
    "source", [pencil_beam(), oblique_beam(40.0), cosine_source(1.0), cosine_source(8.0)]
)
def test_energy_is_conserved_to_rounding(source) -> None:  # type: ignore[no-untyped-def]
    r = simulate(SKIN5, 20_000, source=source, seed=3)
    # Roulette creates or destroys weight at random; with it booked, the balance is exact.
    assert r.energy_balance - r.roulette_weight_gain == pytest.approx(1.0, abs=1e-10)
    # and roulette is unbiased: its net gain is zero within a few parts in 10⁴
    assert abs(r.roulette_weight_gain) < 2e-3


def test_depth_tallies_sum_to_layer_absorption() -> None:
    grid = Grid(step_cm=0.0005, bins=round(SKIN5.total_thickness_cm / 0.0005))
    r = simulate(SKIN5, 20_000, seed=4, depth_grid=grid)
    assert r.absorbed_beyond_depth_grid == pytest.approx(0.0, abs=1e-12)
    assert (r.absorption_per_cm * grid.step_cm).sum() == pytest.approx(r.absorbed_total, rel=1e-9)
    # Φ = A/μa layer by layer: bins wholly inside the epidermis
    inside = grid.edges_cm[1:] <= 0.01
    np.testing.assert_allclose(r.fluence_per_irradiance[inside], r.absorption_per_cm[inside] / 4.3, rtol=1e-9)


def test_same_seed_same_numbers_whatever_the_threads() -> None:
    kw = dict(seed=99, radial_grid=Grid(0.01, 20))
    one = simulate(SKIN5, 30_000, threads=1, **kw)  # type: ignore[arg-type]
    two = simulate(SKIN5, 30_000, threads=2, **kw)  # type: ignore[arg-type]
    assert one.diffuse_reflectance == two.diffuse_reflectance
    np.testing.assert_array_equal(one.absorbed_by_layer, two.absorbed_by_layer)
    np.testing.assert_array_equal(one.absorption_per_cm, two.absorption_per_cm)
    np.testing.assert_array_equal(one.absorption_rz_per_cm3, two.absorption_rz_per_cm3)
    other = simulate(SKIN5, 30_000, threads=2, seed=100)
    assert other.diffuse_reflectance != one.diffuse_reflectance


def test_standard_error_shrinks_like_inverse_sqrt_n() -> None:
    small = simulate(SKIN5, 10_000, seed=5)
    big = simulate(SKIN5, 160_000, seed=6)
    ratio = small.diffuse_reflectance_se / big.diffuse_reflectance_se
    assert 2.5 < ratio < 6.0  # √16 = 4
    assert abs(small.diffuse_reflectance - big.diffuse_reflectance) < 4 * math.hypot(
        small.diffuse_reflectance_se, big.diffuse_reflectance_se
    )


def test_oblique_specular_equals_fresnel() -> None:
    stack = LayerStack([Layer(1.0, 100.0, 0.9, 1.4, 0.1)])
    r = simulate(stack, 2_000, source=oblique_beam(60.0), seed=1)
    # Fresnel for unpolarised light at 60° from air into n = 1.4 (Born & Wolf).
    ci = math.cos(math.radians(60.0))
    ct = math.sqrt(1 - (math.sin(math.radians(60.0)) / 1.4) ** 2)
    rs = ((ci - 1.4 * ct) / (ci + 1.4 * ct)) ** 2
    rp = ((ct - 1.4 * ci) / (ct + 1.4 * ci)) ** 2
    assert r.specular_reflectance == pytest.approx((rs + rp) / 2, rel=1e-9)


def test_fresnel_total_internal_reflection_and_normal_incidence() -> None:
    assert fresnel(1.4, 1.0, 0.5)[0] == 1.0  # beyond the critical angle (cos 45.6° = 0.70)
    assert fresnel(1.0, 1.5, 1.0)[0] == pytest.approx(0.04)
    r, ca2 = fresnel(1.0, 1.0, 0.3)
    assert r == 0.0 and ca2 == 0.3


def test_oblique_beam_in_pure_absorber_follows_beer_lambert() -> None:
    mua, d, theta = 5.0, 0.1, 50.0
    stack = LayerStack([Layer(mua, 0.0, 0.0, 1.0, d)])
    r = simulate(stack, 100_000, source=oblique_beam(theta), seed=2)
    # Matched and non-scattering: the packet path is d / cos θ, so T = e^{−μa d / cos θ}
    # (with μs = 0 each interaction absorbs the whole packet, so T is a binomial estimate).
    expected = math.exp(-mua * d / math.cos(math.radians(theta)))
    assert abs(r.transmittance - expected) < 4 * r.transmittance_se


def test_lambertian_source_in_pure_absorber_gives_2e3() -> None:
    mua, d = 5.0, 0.1
    r = simulate(LayerStack([Layer(mua, 0.0, 0.0, 1.0, d)]), 200_000, source=cosine_source(1.0), seed=3)
    # Diffuse irradiance through an absorbing slab: T = 2·E3(μa·d) (exponential integral).
    expected = 2.0 * expn(3, mua * d)
    assert abs(r.transmittance - expected) < 4 * r.transmittance_se


def test_cos_power_from_half_angle() -> None:
    assert cos_power_from_half_angle(60.0) == pytest.approx(1.0)
    m = cos_power_from_half_angle(15.0)
    assert math.cos(math.radians(15.0)) ** m == pytest.approx(0.5)
    with pytest.raises(ValueError, match="half_angle_deg"):
        cos_power_from_half_angle(95.0)


def test_radial_reflectance_integrates_to_total() -> None:
    stack = LayerStack([Layer(1.0, 100.0, 0.9, 1.4, math.inf)])
    grid = Grid(0.05, 400)  # out to 20 cm: nothing escapes beyond
    r = simulate(stack, 20_000, seed=8, radial_grid=grid)
    ring = 2 * math.pi * grid.centers_cm * grid.step_cm
    assert (r.diffuse_reflectance_r_per_cm2 * ring).sum() == pytest.approx(r.diffuse_reflectance, rel=1e-9)
    edges = r.angle_edges_rad
    dom = 2 * math.pi * (np.cos(edges[:-1]) - np.cos(edges[1:]))
    assert (r.diffuse_reflectance_angle_per_sr * dom).sum() == pytest.approx(r.diffuse_reflectance, rel=1e-9)


def test_diffusion_agrees_with_monte_carlo_in_the_diffusive_regime() -> None:
    mua, mus, g, n = 0.5, 200.0, 0.9, 1.4  # μs′/μa = 40: diffusive
    musp = mus * (1 - g)
    r = simulate(
        LayerStack([Layer(mua, mus, g, n, math.inf)]), 100_000, seed=9,
        depth_grid=Grid(0.01, 200), radial_grid=Grid(0.02, 100),
    )  # fmt: skip
    assert r.diffuse_reflectance == pytest.approx(dt.total_diffuse_reflectance(mua, musp, n), rel=0.1)
    z = r.depth_centers_cm
    deep = (z > 3.0 / (mua + musp)) & (z < 1.2)  # beyond a few transport mean free paths
    ratio = r.fluence_per_irradiance[deep] / dt.fluence_vs_depth(z[deep], mua, musp, n)
    assert np.all(np.abs(ratio - 1.0) < 0.12)
    rho = r.radial_grid.centers_cm if r.radial_grid else np.empty(0)
    sel = (rho > 0.1) & (rho < 1.0)
    # per 1 mm ring (five 0.2 mm bins): a single far bin holds ~100 photons (±10 % noise)
    mc_ring = (r.diffuse_reflectance_r_per_cm2[sel] * rho[sel])[:45].reshape(9, 5).sum(axis=1)
    dt_ring = (dt.radial_reflectance(rho[sel], mua, musp, n) * rho[sel])[:45].reshape(9, 5).sum(axis=1)
    assert np.all(np.abs(mc_ring / dt_ring - 1.0) < 0.3)  # R(ρ) is the weaker check (reference §4)


def test_farrell_closed_form_equals_integral_of_radial() -> None:
    from scipy.integrate import quad

    mua, musp, n = 0.3, 12.0, 1.4
    total, _ = quad(lambda p: 2 * math.pi * p * float(dt.radial_reflectance(p, mua, musp, n)), 0, 50)
    assert total == pytest.approx(dt.total_diffuse_reflectance(mua, musp, n), rel=2e-3)
    assert 1 / dt.penetration_depth(mua, musp) == pytest.approx(math.sqrt(3 * mua * (mua + musp)))
    assert dt.internal_reflection(1.0) == 0.0
    assert (1 + dt.internal_reflection(1.4)) / (1 - dt.internal_reflection(1.4)) == pytest.approx(
        3.25, abs=0.01
    )


@njit
def _spin_and_textbook(
    u: np.ndarray, g: float, xi: float, st: np.ndarray
) -> tuple[float, float, float, float, float, float]:
    """:func:`spin`'s direction, and the textbook form with the same draws: HG inversion
    (:func:`henyey_greenstein_cos`), then MCML's ``Spin`` rotation (manual Eq. 3.24–3.25)."""
    ux, uy, uz = u[0], u[1], u[2]
    s0, s1, s2, s3 = st[0], st[1], st[2], st[3]
    nux, nuy, nuz, _, _, _, _ = spin(ux, uy, uz, g, xi, s0, s1, s2, s3)
    while True:  # spin's azimuth draw: a point in the unit disc from one 64-bit number
        r, s0, s1, s2, s3 = xoshiro_next(s0, s1, s2, s3)
        a = float(np.int64(r >> np.uint64(32))) * 2.0**-31 - 1.0
        b = float(np.int64(r & np.uint64(0xFFFFFFFF))) * 2.0**-31 - 1.0
        r2 = a * a + b * b
        if 0.0 < r2 <= 1.0:
            break
    cosp = (a * a - b * b) / r2
    sinp = 2.0 * a * b / r2
    cost = henyey_greenstein_cos(g, xi)
    sint = math.sqrt(1.0 - cost * cost)
    if abs(uz) > 1.0 - 1e-12:
        return nux, nuy, nuz, sint * cosp, sint * sinp, (cost if uz >= 0.0 else -cost)
    temp = math.sqrt(1.0 - uz * uz)
    tx = sint * (ux * uz * cosp - uy * sinp) / temp + ux * cost
    ty = sint * (uy * uz * cosp + ux * sinp) / temp + uy * cost
    tz = -sint * cosp * temp + uz * cost
    return nux, nuy, nuz, tx, ty, tz


def test_spin_equals_the_textbook_henyey_greenstein_and_rotation() -> None:
    rng = np.random.default_rng(4)
    states = seed_states(9, 400)
    for k in range(400):
        u = rng.normal(size=3) if k % 10 else np.array([0.0, 0.0, 1.0 if k % 20 else -1.0])
        u /= np.linalg.norm(u)
        g = (0.0, 0.5, 0.9, -0.3, 0.99)[k % 5]
        got = _spin_and_textbook(u, g, float(rng.uniform(1e-9, 1.0)), states[k])
        np.testing.assert_allclose(got[:3], got[3:], rtol=0, atol=1e-9)
        assert math.hypot(*got[:3]) == pytest.approx(1.0, abs=1e-9)
