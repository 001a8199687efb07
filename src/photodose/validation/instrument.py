"""What a contact skin spectrophotometer reads: reflectance through a finite aperture.

Skin is translucent: light that enters at one point leaves the surface up to several millimetres
away (the pencil-beam reflectance R(ρ) has a long tail in the red and near infrared). A handheld
d:8 spectrophotometer illuminates a disc of radius ``a_i`` and collects light leaving a disc of
radius ``a_v ≤ a_i`` at its centre, and is calibrated on a white tile that does not spread light
sideways. Light that would come from skin outside the illuminated disc is missing, so the
instrument reads less than the laterally infinite reflectance the Monte Carlo model (and an
integrating sphere with a large sample) gives — the "edge loss" of skin colorimetry (Takiwaki et
al. 2002, Skin Res Technol 8:94, doi:10.1034/j.1600-0846.2001.80206.x: readings with a 5 mm
aperture lie below those with an 11 mm aperture by ≈ 0 at 400 nm and ≈ 10 % at 700 nm).

For a uniformly lit disc, by superposition of pencil beams (the MCML convolution):

    R_meas = R_sp + ∫₀^∞ R(ρ) K(ρ) 2πρ dρ,
    K(ρ) = ⟨ fraction of the circle of radius ρ about a point v of the viewed disc that lies
            inside the illuminated disc ⟩ over v uniform in the viewed disc,

with the arc fraction of a circle of radius ρ whose centre lies at distance s from the centre of
a disc of radius a: 1 if s + ρ ≤ a, 0 if ρ ≥ s + a or s ≥ ρ + a, else arccos((s² + ρ² − a²)/(2sρ))/π.
K(0) = 1 and K → 0 beyond ρ = a_i + a_v; R_sp is the specular reflection (collected in
"specular included" mode). Radii in cm.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]


def arc_fraction_inside_disc(rho_cm: ArrayLike, s_cm: ArrayLike, a_cm: float) -> FloatArray:
    """Fraction [-] of the circle of radius ``rho_cm`` centred at distance ``s_cm`` from the centre
    of a disc of radius ``a_cm`` that lies inside the disc (broadcasts ``rho_cm`` against ``s_cm``)."""
    rho = np.asarray(rho_cm, dtype=np.float64)
    s = np.asarray(s_cm, dtype=np.float64)
    rho, s = np.broadcast_arrays(rho, s)
    out = np.zeros(rho.shape)
    inside = s + rho <= a_cm
    out[inside] = 1.0
    partial = ~inside & (rho < s + a_cm) & (s < rho + a_cm) & (rho > 0) & (s > 0)
    c = (s[partial] ** 2 + rho[partial] ** 2 - a_cm**2) / (2.0 * s[partial] * rho[partial])
    out[partial] = np.arccos(np.clip(c, -1.0, 1.0)) / np.pi
    return out


def aperture_kernel(rho_cm: ArrayLike, view_radius_cm: float, illumination_radius_cm: float) -> FloatArray:
    """K(ρ) [-]: mean fraction of the light arriving at distance ``rho_cm`` from its entry point
    that an instrument viewing a disc of ``view_radius_cm`` inside an illuminated disc of
    ``illumination_radius_cm`` collects (module docstring; Gauss–Legendre over the viewed disc)."""
    if not (0 < view_radius_cm <= illumination_radius_cm):
        raise ValueError(
            f"aperture: view radius {view_radius_cm} cm must be > 0 and ≤ the illuminated radius "
            f"{illumination_radius_cm} cm"
        )
    rho = np.atleast_1d(np.asarray(rho_cm, dtype=np.float64))
    x, w = np.polynomial.legendre.leggauss(64)
    s = 0.5 * view_radius_cm * (x + 1.0)  # points over the viewed radius
    weight = 0.5 * view_radius_cm * w * 2.0 * s / view_radius_cm**2  # pdf 2s/a_v² of a uniform disc
    frac = arc_fraction_inside_disc(rho[:, None], s[None, :], illumination_radius_cm)
    out: FloatArray = np.clip(frac @ weight, 0.0, 1.0)  # quadrature weights sum to 1 ± 1e-16
    return out


def contact_reflectance(
    specular: float,
    diffuse_r_per_cm2: ArrayLike,
    radial_edges_cm: ArrayLike,
    view_radius_cm: float,
    illumination_radius_cm: float,
) -> float:
    """Reflectance [-] a contact spectrophotometer reads, from a pencil-beam Monte Carlo run's
    specular reflectance and radial diffuse reflectance R(ρ) [1/cm²] on the given ring edges.

    Light leaving beyond the radial grid is not collected (make the grid reach past
    ``view_radius_cm + illumination_radius_cm``).
    """
    edges = np.asarray(radial_edges_cm, dtype=np.float64)
    rr = np.asarray(diffuse_r_per_cm2, dtype=np.float64)
    if edges[-1] < view_radius_cm + illumination_radius_cm:
        raise ValueError(
            f"radial grid ends at {edges[-1]} cm, before the aperture's reach "
            f"{view_radius_cm + illumination_radius_cm} cm"
        )
    ring_cm2 = np.pi * (edges[1:] ** 2 - edges[:-1] ** 2)
    centres = 0.5 * (edges[1:] + edges[:-1])
    k = aperture_kernel(centres, view_radius_cm, illumination_radius_cm)
    return float(specular + np.sum(rr * ring_cm2 * k))
