"""Tissue absorption from chromophore volume fractions (Jacques 2013, Eq. 12) plus melanin and
baseline formulas.

References
----------
Jacques SL. Optical properties of biological tissues: a review. Phys Med Biol 58:R37–R61
(2013), doi:10.1088/0031-9155/58/11/R37 — Eq. 8 (melanosome), Eq. 12 (mixing).
Jacques SL. Skin optics summary. Oregon Medical Laser Center News, Jan 1998,
https://omlc.org/news/jan98/skinoptics.html — baseline skin absorption; melanosome power law.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from photodose.optics.spectra import (
    check_wavelength,
    mua_deoxy_blood,
    mua_fat,
    mua_oxy_blood,
    mua_water,
)

FloatArray = NDArray[np.float64]


def mua_melanosome_jacques2013(wavelength_nm: ArrayLike, m: float = 3.0) -> FloatArray:
    """Absorption coefficient of a cutaneous melanosome [1/cm] (Jacques 2013, Eq. 8).

    μa.mel = 519·(λ/500 nm)^(−m); Jacques: "an approximate value for m is 3".
    """
    lam = check_wavelength(wavelength_nm)
    out: FloatArray = 519.0 * (lam / 500.0) ** (-m)
    return out


def mua_melanosome_omlc1998(wavelength_nm: ArrayLike) -> FloatArray:
    """Melanosome μa [1/cm] from Jacques's OMLC melanin page (1998): 1.70×10¹²·λ^(−3.48).

    https://omlc.org/spectra/melanin/mua.html (λ in nm). Offered for comparison.
    """
    lam = check_wavelength(wavelength_nm)
    out: FloatArray = 1.70e12 * lam ** (-3.48)
    return out


def mua_baseline_jacques1998(wavelength_nm: ArrayLike) -> FloatArray:
    """Baseline absorption of bloodless skin [1/cm] (Jacques 1998, OMLC skin optics summary).

    μa.skinbaseline = 0.244 + 85.3·exp(−(λ − 154)/66.2), λ in nm; fitted to bloodless rat
    skin. Flat (≈ 0.244 cm⁻¹) above ~700 nm, so it carries no water band.
    """
    lam = check_wavelength(wavelength_nm)
    out: FloatArray = 0.244 + 85.3 * np.exp(-(lam - 154.0) / 66.2)
    return out


def mua_baseline_saidi(wavelength_nm: ArrayLike) -> FloatArray:
    """Alternative baseline (neonatal skin, Saidi 1992, via Jacques 1998): 7.84×10⁸·λ^(−3.255)."""
    lam = check_wavelength(wavelength_nm)
    out: FloatArray = 7.84e8 * lam ** (-3.255)
    return out


def mua_blood(wavelength_nm: ArrayLike, saturation: float, hb_g_per_l: float = 150.0) -> FloatArray:
    """Whole-blood μa [1/cm] at oxygen saturation ``saturation`` (0–1).

    μa = S·μa.oxy + (1−S)·μa.deoxy.
    """
    if not 0.0 <= saturation <= 1.0:
        raise ValueError(f"oxygen saturation = {saturation}: must be between 0 and 1")
    out: FloatArray = saturation * mua_oxy_blood(wavelength_nm, hb_g_per_l) + (
        1.0 - saturation
    ) * mua_deoxy_blood(wavelength_nm, hb_g_per_l)
    return out


def mua_tissue(
    wavelength_nm: ArrayLike,
    *,
    blood_fraction: float = 0.0,
    saturation: float = 0.75,
    water_fraction: float = 0.0,
    fat_fraction: float = 0.0,
    melanosome_fraction: float = 0.0,
    baseline_fraction: float | None = None,
    hb_g_per_l: float = 150.0,
    melanin_exponent: float = 3.0,
    melanin_law: str = "jacques2013",
) -> FloatArray:
    """Absorption coefficient of a tissue layer [1/cm].

    Jacques 2013 Eq. 12 (bilirubin and β-carotene left out):

        μa = B·S·μa.oxy + B·(1−S)·μa.deoxy + W·μa.water + F·μa.fat + M·μa.mel
             + K·μa.baseline

    with B, W, F, M the volume fractions of blood, water, fat and melanosomes. The last term is
    the tissue matrix (collagen, other proteins) that Eq. 12 omits; it follows Jacques's 1998
    skin model, which weights the bloodless-skin baseline by the volume not taken by blood or
    melanosomes. Here ``baseline_fraction`` K defaults to 1 − B − M − F. Water is *not*
    subtracted from K: the baseline was fitted to hydrated (bloodless) skin and is flat in the
    near infrared, so the explicit water term adds the 970 nm band; at 600–900 nm this counts
    water twice by at most W·μa.water ≈ 0.03 cm⁻¹ (≈ 10 % of the baseline at 850 nm).
    """
    fractions = {
        "blood_fraction": blood_fraction,
        "water_fraction": water_fraction,
        "fat_fraction": fat_fraction,
        "melanosome_fraction": melanosome_fraction,
    }
    for key, val in fractions.items():
        if not 0.0 <= val <= 1.0:
            raise ValueError(f"{key} = {val}: a volume fraction lies between 0 and 1")
    k = 1.0 - blood_fraction - melanosome_fraction - fat_fraction
    if baseline_fraction is not None:
        k = baseline_fraction
    if k < 0:
        raise ValueError("blood_fraction + melanosome_fraction + fat_fraction exceeds 1; lower one of them")
    lam = check_wavelength(wavelength_nm)
    if melanin_law == "jacques2013":
        mel = mua_melanosome_jacques2013(lam, melanin_exponent)
    elif melanin_law == "omlc1998":
        mel = mua_melanosome_omlc1998(lam)
    else:
        raise ValueError(f"melanin_law = {melanin_law!r}: use 'jacques2013' or 'omlc1998'")
    out: FloatArray = (
        blood_fraction * mua_blood(lam, saturation, hb_g_per_l)
        + water_fraction * mua_water(lam)
        + fat_fraction * mua_fat(lam)
        + melanosome_fraction * mel
        + k * mua_baseline_jacques1998(lam)
    )
    return out
