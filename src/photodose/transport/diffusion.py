"""Diffusion theory for a semi-infinite turbid medium: a fast, approximate check on Monte Carlo.

Farrell, Patterson & Wilson, "A diffusion theory model of spatially resolved, steady-state
diffuse reflectance for the noninvasive determination of tissue optical properties in vivo",
Med. Phys. 19:879–888 (1992), with the extrapolated boundary of Haskell et al., JOSA A
11:2727 (1994). Valid for μa ≪ μs′ and distances beyond about one transport mean free path
(1/μt′); expect ~10 % agreement with Monte Carlo there and worse near the source.

Symbols: μt′ = μa + μs′, a′ = μs′/μt′, z0 = 1/μt′, D = 1/(3μt′), μeff = √(3 μa μt′),
A = (1 + r_i)/(1 − r_i) with r_i the internal diffuse reflection (Groenhuis 1983 fit),
zb = 2AD.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray


def internal_reflection(n: float) -> float:
    """Internal diffuse reflection r_i of a boundary tissue (n) / air.

    r_i = −1.440/n² + 0.710/n + 0.668 + 0.0636·n (Groenhuis et al., Appl. Opt. 22:2456, 1983;
    as used by Farrell 1992). n = 1.4 gives r_i ≈ 0.53, A ≈ 3.25.
    """
    if n < 1.0:
        raise ValueError(f"n = {n}: refractive index must be ≥ 1")
    if n == 1.0:
        return 0.0
    return -1.440 / n**2 + 0.710 / n + 0.668 + 0.0636 * n


def _params(mua_per_cm: float, musp_per_cm: float, n: float) -> tuple[float, float, float, float]:
    if mua_per_cm <= 0 or musp_per_cm <= 0:
        raise ValueError(
            f"diffusion needs mua_per_cm > 0 and musp_per_cm > 0, got {mua_per_cm}, {musp_per_cm}"
        )
    mutp = mua_per_cm + musp_per_cm
    albedo = musp_per_cm / mutp
    r_i = internal_reflection(n)
    big_a = (1.0 + r_i) / (1.0 - r_i)
    return mutp, albedo, big_a, math.sqrt(3.0 * mua_per_cm * mutp)


def total_diffuse_reflectance(mua_per_cm: float, musp_per_cm: float, n: float = 1.4) -> float:
    """Total diffuse reflectance Rd of a semi-infinite medium (Farrell 1992, closed form).

    Rd = (a′/2)·(1 + exp(−(4/3)·A·√(3(1 − a′))))·exp(−√(3(1 − a′))).
    """
    _, albedo, big_a, _ = _params(mua_per_cm, musp_per_cm, n)
    k = math.sqrt(3.0 * (1.0 - albedo))
    return 0.5 * albedo * (1.0 + math.exp(-4.0 / 3.0 * big_a * k)) * math.exp(-k)


def radial_reflectance(
    r_cm: ArrayLike, mua_per_cm: float, musp_per_cm: float, n: float = 1.4
) -> NDArray[np.float64]:
    """Diffuse reflectance R(ρ) [1/cm²] of a pencil beam at distance ρ (Farrell 1992 Eq. 4).

    R(ρ) = a′/(4π)·[z0(μeff + 1/r1)e^(−μeff r1)/r1² + (z0 + 2zb)(μeff + 1/r2)e^(−μeff r2)/r2²],
    r1 = √(z0² + ρ²), r2 = √((z0 + 2zb)² + ρ²).
    """
    mutp, albedo, big_a, mu_eff = _params(mua_per_cm, musp_per_cm, n)
    rho = np.asarray(r_cm, dtype=np.float64)
    z0 = 1.0 / mutp
    zb = 2.0 * big_a / (3.0 * mutp)
    r1 = np.sqrt(z0**2 + rho**2)
    r2 = np.sqrt((z0 + 2.0 * zb) ** 2 + rho**2)
    term1 = z0 * (mu_eff + 1.0 / r1) * np.exp(-mu_eff * r1) / r1**2
    term2 = (z0 + 2.0 * zb) * (mu_eff + 1.0 / r2) * np.exp(-mu_eff * r2) / r2**2
    out: NDArray[np.float64] = albedo / (4.0 * math.pi) * (term1 + term2)
    return out


def fluence_vs_depth(
    z_cm: ArrayLike, mua_per_cm: float, musp_per_cm: float, n: float = 1.4
) -> NDArray[np.float64]:
    """Fluence rate per unit incident irradiance Φ(z)/E0 under a broad collimated beam.

    The collimated beam decays as e^(−μt′z) and feeds an isotropic diffuse source
    S(z) = μs′·E0·e^(−μt′z) (the δ-Eddington / similarity form). The diffuse fluence solves
    D·Φ″ − μa·Φ = −S with the extrapolated boundary Φ(−zb) = 0, i.e. the Green's function
    G(z, z′) = [e^(−μeff|z−z′|) − e^(−μeff(z+z′+2zb))]/(2Dμeff) (image method; Star 1995,
    in Welch & van Gemert, Optical-Thermal Response of Laser-Irradiated Tissue, ch. 6;
    Haskell et al. 1994 for zb = 2AD). Integrated in closed form:

    Φ(z)/E0 = e^(−μt′z) + μs′/(2Dμeff)·[(e^(−μt′z) − e^(−μeff z))/(μeff − μt′)
              + e^(−μt′z)/(μeff + μt′) − e^(−μeff(z+2zb))/(μeff + μt′)].

    Approximate: diffusion fails within ~1/μt′ of the surface and when μa is not ≪ μs′.
    """
    mutp, albedo, big_a, mu_eff = _params(mua_per_cm, musp_per_cm, n)
    z = np.asarray(z_cm, dtype=np.float64)
    if np.any(z < 0):
        raise ValueError("z_cm must be ≥ 0 (depth below the surface)")
    d = 1.0 / (3.0 * mutp)
    zb = 2.0 * big_a * d
    s0 = albedo * mutp  # μs′ (per unit incident irradiance)
    k = mutp
    m = mu_eff
    # ∫0^∞ e^{-k z'} e^{-m|z-z'|} dz' = [e^{-kz} - e^{-mz}]/(m-k) + e^{-kz}/(m+k)
    # ∫0^∞ e^{-k z'} e^{-m(z+z'+2zb)} dz' = e^{-m(z+2zb)}/(m+k)
    if abs(m - k) < 1e-12 * k:
        direct = z * np.exp(-k * z) + np.exp(-k * z) / (m + k)
    else:
        direct = (np.exp(-k * z) - np.exp(-m * z)) / (m - k) + np.exp(-k * z) / (m + k)
    image = np.exp(-m * (z + 2.0 * zb)) / (m + k)
    diffuse = s0 / (2.0 * d * m) * (direct - image)
    out: NDArray[np.float64] = np.exp(-k * z) + diffuse
    return out


def penetration_depth(mua_per_cm: float, musp_per_cm: float) -> float:
    """Optical penetration depth δ = 1/μeff = 1/√(3μa(μa + μs′)) [cm] (diffusion theory)."""
    return 1.0 / math.sqrt(3.0 * mua_per_cm * (mua_per_cm + musp_per_cm))
