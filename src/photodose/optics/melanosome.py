"""Scattering by epidermal melanosomes, as Mie spheres (a mechanism tested, not in the skin model).

The skin model gives melanosomes absorption only (``absorption.mua_tissue``); its epidermal
scattering is the Salomatina 2006 fit (``scattering.csv``, row ``epidermis``). Melanin has a high
refractive index (1.7–1.8 in the visible: Stavenga, Leertouwer, Osorio & Wilts 2015, "High
refractive index of melanin in shiny occipital feathers of a bird of paradise", abstract; feather
melanin, not skin), and dark skin holds many large, singly dispersed melanosomes (Thong et al., Br
J Dermatol 149:498, 2003; Toda et al., Nature New Biol 236:143, 1972), so they may scatter.
:func:`melanosome_scattering_mie` computes how much, per unit melanosome volume fraction, with Mie
theory (``miepython``, S. Prahl; a development dependency: this module is used by the validation
trials only, docs/validation.md).

Equation (independent scattering by monodisperse spheres of diameter d, volume fraction f):

    μs = f · 3 Q_sca / (2 d),    μs′ = μs (1 − g)

with Q_sca and g from Mie theory for the relative index m = (n_mel − i k_mel)/n_host and size
parameter x = π d n_host / λ. The imaginary index follows the melanosome absorption the model
uses (OMLC 1998): k_mel = μa,mel λ / (4π).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from photodose.optics.absorption import mua_melanosome_omlc1998
from photodose.optics.spectra import check_wavelength

FloatArray = NDArray[np.float64]


def melanin_imaginary_index(wavelength_nm: ArrayLike) -> FloatArray:
    """Imaginary refractive index of the melanosome interior [-]: k = μa,mel·λ/(4π).

    μa,mel from Jacques's OMLC 1998 law (1.70×10¹²·λ^−3.48 cm⁻¹, the skin model's melanin); λ in
    cm. About 0.0012 at 694 nm.
    """
    lam = check_wavelength(wavelength_nm)
    out: FloatArray = mua_melanosome_omlc1998(lam) * lam * 1e-7 / (4.0 * math.pi)
    return out


def melanosome_scattering_mie(
    wavelength_nm: ArrayLike,
    diameter_um: float = 0.42,
    n_melanin: float = 1.7,
    n_host: float = 1.37,
) -> tuple[FloatArray, FloatArray]:
    """Scattering coefficient per unit melanosome volume fraction [1/cm] and anisotropy g [-].

    Mie theory for a sphere of ``diameter_um`` [µm] and real index ``n_melanin`` (imaginary part
    :func:`melanin_imaginary_index`) in a host of index ``n_host`` (the keratinocyte cytoplasm).
    Multiply the first value by the melanosome volume fraction for μs [1/cm]; μs′ = μs·(1 − g).
    Independent scattering (no packing correction).

    Defaults (assumptions within the ranges of docs/validation.md): d = 0.42 µm, the sphere of the
    volume of a 0.3 × 0.8 µm melanosome (Toda 1972: melanosomes larger than 0.3 × 0.8 µm are
    always dispersed singly); n_melanin = 1.7 (Stavenga 2015: 1.7–1.8 in the visible, in
    feathers); n_host = 1.37 (assumption, 1.35–1.40).
    """
    import miepython

    if not (diameter_um > 0 and math.isfinite(diameter_um)):
        raise ValueError(f"diameter_um = {diameter_um!r}: give a positive diameter in µm")
    if not (n_melanin >= 1.0 and n_host >= 1.0):
        raise ValueError(f"n_melanin = {n_melanin!r}, n_host = {n_host!r}: refractive indices are ≥ 1")
    lam = np.atleast_1d(check_wavelength(wavelength_nm)).astype(np.float64)
    k = melanin_imaginary_index(lam)
    mus = np.empty_like(lam)
    g = np.empty_like(lam)
    d_nm = diameter_um * 1e3
    for i, (w, kk) in enumerate(zip(lam, np.atleast_1d(k), strict=True)):
        _, qsca, _, gi = miepython.efficiencies(complex(n_melanin, -float(kk)), d_nm, float(w), n_env=n_host)
        mus[i] = 1.5 * float(qsca) / (diameter_um * 1e-4)
        g[i] = float(gi)
    return mus, g
