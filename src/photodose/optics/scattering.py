"""Scattering of skin layers: reduced scattering power laws, anisotropy, refractive index.

References
----------
Jacques SL. Optical properties of biological tissues: a review. Phys Med Biol 58:R37–R61
(2013), doi:10.1088/0031-9155/58/11/R37 — Eq. 1 (power law), Eq. 2 (Rayleigh + Mie),
Eq. 3 (refractive index vs water content), Table 1 (fits to Salomatina et al. 2006).
Salomatina E, Jiang B, Novak J, Yaroslavsky AN. J Biomed Opt 11:064026 (2006),
doi:10.1117/1.2398928 — the ex vivo measurements behind the per-layer fits.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
from numpy.typing import ArrayLike, NDArray

from photodose.optics.spectra import check_wavelength, read_table

FloatArray = NDArray[np.float64]


def musp_power_law(wavelength_nm: ArrayLike, a_per_cm: float, b: float) -> FloatArray:
    """Reduced scattering coefficient μs′ = a·(λ/500 nm)^(−b) [1/cm] (Jacques 2013, Eq. 1)."""
    lam = check_wavelength(wavelength_nm)
    out: FloatArray = a_per_cm * (lam / 500.0) ** (-b)
    return out


def musp_rayleigh_mie(
    wavelength_nm: ArrayLike, a_prime_per_cm: float, f_ray: float, b_mie: float
) -> FloatArray:
    """``μs′ = a′·[f_Ray·(λ/500)^(−4) + (1 − f_Ray)·(λ/500)^(−b_Mie)]`` [1/cm] (Jacques 2013, Eq. 2)."""
    lam = check_wavelength(wavelength_nm)
    x = lam / 500.0
    out: FloatArray = a_prime_per_cm * (f_ray * x**-4.0 + (1.0 - f_ray) * x ** (-b_mie))
    return out


def mus_from_musp(musp_per_cm: ArrayLike, g: float) -> FloatArray:
    """Scattering coefficient μs = μs′/(1 − g) [1/cm]."""
    if not -1.0 < g < 1.0:
        raise ValueError(f"g = {g}: anisotropy must lie strictly between -1 and 1")
    out: FloatArray = np.asarray(musp_per_cm, dtype=np.float64) / (1.0 - g)
    return out


def refractive_index_from_water(water_fraction: float, n_dry: float = 1.514, n_water: float = 1.33) -> float:
    """n = n_dry − (n_dry − n_water)·W (Jacques 2013, Eq. 3; n_dry 1.514 Biswas & Luu 2011,
    or 1.50 Jacques & Prahl 1987)."""
    if not 0.0 <= water_fraction <= 1.0:
        raise ValueError(f"water_fraction = {water_fraction}: must lie between 0 and 1")
    return n_dry - (n_dry - n_water) * water_fraction


@dataclass(frozen=True)
class ScatteringFit:
    """Power-law and Rayleigh + Mie parameters of one tissue (Jacques 2013 Tables 1–2)."""

    tissue: str
    a_per_cm: float
    b: float
    a_prime_per_cm: float
    f_ray: float
    b_mie: float
    source: str
    confidence: str

    def musp(self, wavelength_nm: ArrayLike, form: str = "rayleigh_mie") -> FloatArray:
        """μs′ [1/cm] by ``form`` = "rayleigh_mie" (Eq. 2, default) or "power_law" (Eq. 1)."""
        if form == "rayleigh_mie":
            return musp_rayleigh_mie(wavelength_nm, self.a_prime_per_cm, self.f_ray, self.b_mie)
        if form == "power_law":
            return musp_power_law(wavelength_nm, self.a_per_cm, self.b)
        raise ValueError(f"form = {form!r}: use 'rayleigh_mie' or 'power_law'")


@cache
def scattering_fits() -> dict[str, ScatteringFit]:
    """Tissue name → :class:`ScatteringFit`, from ``data/optics/scattering.csv``."""
    header, rows = read_table("scattering.csv")
    out = {}
    for r in rows:
        out[r["tissue"]] = ScatteringFit(
            tissue=r["tissue"],
            a_per_cm=float(r["a_per_cm"]),
            b=float(r["b"]),
            a_prime_per_cm=float(r["a_prime_per_cm"]),
            f_ray=float(r["f_ray"]),
            b_mie=float(r["b_mie"]),
            source=header[r["source"]],
            confidence=r["confidence"],
        )
    return out


@cache
def _index_table() -> dict[str, tuple[FloatArray, FloatArray, str, str]]:
    header, rows = read_table("refractive_index.csv")
    tissues: dict[str, list[dict[str, str]]] = {}
    for r in rows:
        tissues.setdefault(r["tissue"], []).append(r)
    out = {}
    for t, rs in tissues.items():
        lam = np.array([float(r["wavelength_nm"]) for r in rs])
        n = np.array([float(r["n"]) for r in rs])
        order = np.argsort(lam)
        out[t] = (lam[order], n[order], header[rs[0]["source"]], rs[0]["confidence"])
    return out


def refractive_index(tissue: str, wavelength_nm: ArrayLike) -> FloatArray:
    """Measured refractive index of ``tissue`` (epidermis, dermis, hypodermis) at λ.

    Linear interpolation between the measured wavelengths; held at the end values outside
    them (Matiatou's hypodermis data start at 450 nm). Sources: ``data/optics/
    refractive_index.csv`` (Ding et al. 2006; Matiatou et al. 2021).
    """
    table = _index_table()
    if tissue not in table:
        raise KeyError(f"no refractive index for {tissue!r}; known: {sorted(table)}")
    lam = check_wavelength(wavelength_nm)
    wl, n, _, _ = table[tissue]
    out: FloatArray = np.interp(lam, wl, n)
    return out


def refractive_index_source(tissue: str) -> tuple[str, str]:
    """(citation, confidence) of the refractive index table for ``tissue``."""
    _, _, src, conf = _index_table()[tissue]
    return src, conf
