"""Optical properties of skin constituents (physics core: numpy only, reads bundled tables).

- :mod:`~photodose.optics.spectra` — chromophore spectra (haemoglobin, water, fat), 400–1100 nm.
- :mod:`~photodose.optics.absorption` — melanin and baseline formulas, Jacques Eq. 12 mixing.
- :mod:`~photodose.optics.scattering` — μs′ power laws, μs = μs′/(1 − g), refractive index.
- :mod:`~photodose.optics.source_spectrum` — source spectra and spectral quadrature.
"""

from __future__ import annotations

from photodose.optics.absorption import (
    mua_baseline_jacques1998,
    mua_blood,
    mua_melanosome_jacques2013,
    mua_tissue,
)
from photodose.optics.scattering import (
    ScatteringFit,
    mus_from_musp,
    musp_power_law,
    musp_rayleigh_mie,
    refractive_index,
    scattering_fits,
)
from photodose.optics.source_spectrum import (
    SourceSpectrum,
    SpectrumError,
    gaussian,
    monochromatic,
    tabulated,
)
from photodose.optics.spectra import (
    WAVELENGTH_MAX_NM,
    WAVELENGTH_MIN_NM,
    WavelengthRangeError,
    check_wavelength,
    eps_hb,
    eps_hbo2,
    mua_deoxy_blood,
    mua_fat,
    mua_oxy_blood,
    mua_water,
)

__all__ = [
    "WAVELENGTH_MAX_NM",
    "WAVELENGTH_MIN_NM",
    "ScatteringFit",
    "SourceSpectrum",
    "SpectrumError",
    "WavelengthRangeError",
    "check_wavelength",
    "eps_hb",
    "eps_hbo2",
    "gaussian",
    "monochromatic",
    "mua_baseline_jacques1998",
    "mua_blood",
    "mua_deoxy_blood",
    "mua_fat",
    "mua_melanosome_jacques2013",
    "mua_oxy_blood",
    "mua_tissue",
    "mua_water",
    "mus_from_musp",
    "musp_power_law",
    "musp_rayleigh_mie",
    "refractive_index",
    "scattering_fits",
    "tabulated",
]
