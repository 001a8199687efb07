"""The skin model run as a reflectometer: total diffuse reflectance spectra, compared with
measured skin.

:func:`reflectance_spectrum` launches a broad, normally incident beam on the model skin
(Monte Carlo, :func:`photodose.transport.simulate`) and returns the total reflectance
R(λ) = R_specular + R_diffuse, which is what a spectrophotometer with an integrating sphere and
the specular port closed measures (8°:d geometry, "specular included", as in the NIST data set).
The same seed at every wavelength (common random numbers) keeps the spectrum smooth, so colour
and peak positions are stable at modest photon counts.

Measured data (``photodose/data/optics/reflectance_cooksey2017.csv``): Cooksey, Allen & Tsai,
J Res NIST 122:26 (2017), doi:10.6028/jres.122.026 — 100 people, inner forearm.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
from numpy.typing import ArrayLike, NDArray

from photodose.optics.spectra import read_table
from photodose.skin import SkinProfile, layer_stack

FloatArray = NDArray[np.float64]

SPECTRUM_NM = tuple(float(x) for x in range(400, 1001, 10))
COOKSEY_NM = (451.0, 550.0, 634.0, 685.0, 850.0)


def reflectance_spectrum(
    profile: SkinProfile,
    wavelengths_nm: ArrayLike = SPECTRUM_NM,
    photons: int = 4000,
    *,
    seed: int = 7,
    model: str = "7-layer",
    threads: int | None = None,
) -> FloatArray:
    """Total reflectance (specular + diffuse, [-]) of the model skin at each wavelength [nm].

    Broad collimated beam at normal incidence from air. Standard error per point is about
    √(R(1−R)/photons) (≈ 0.008 at 4000 photons).
    """
    from photodose.transport import simulate

    lam = np.atleast_1d(np.asarray(wavelengths_nm, dtype=np.float64))
    out = np.empty_like(lam)
    for i, w in enumerate(lam):
        res = simulate(layer_stack(profile, float(w), model), int(photons), seed=seed, threads=threads)
        out[i] = res.specular_reflectance + res.diffuse_reflectance
    return out


@dataclass(frozen=True)
class ReflectanceData:
    """Per-subject measured reflectance at a few wavelengths."""

    wavelengths_nm: tuple[float, ...]
    reflectance: FloatArray  # subjects × wavelengths
    source: str
    confidence: str

    def envelope(self) -> tuple[FloatArray, FloatArray]:
        """(min, max) over subjects at each wavelength."""
        return self.reflectance.min(axis=0), self.reflectance.max(axis=0)

    def percentile(self, q: float) -> FloatArray:
        return np.percentile(self.reflectance, q, axis=0)

    def matched(self, at_nm: float, value: float, tolerance: float) -> FloatArray:
        """Subjects whose reflectance at ``at_nm`` lies within ``tolerance`` of ``value``."""
        j = self.wavelengths_nm.index(at_nm)
        sel = np.abs(self.reflectance[:, j] - value) <= tolerance
        out: FloatArray = self.reflectance[sel]
        return out


@cache
def cooksey2017() -> ReflectanceData:
    """The NIST skin reflectance data set at 451, 550, 634, 685 and 850 nm (100 subjects)."""
    header, rows = read_table("reflectance_cooksey2017.csv")
    cols = [f"r_{int(w)}nm" for w in COOKSEY_NM]
    arr = np.array([[float(r[c]) for c in cols] for r in rows])
    return ReflectanceData(COOKSEY_NM, arr, header[rows[0]["source"]], rows[0]["confidence"])


def peak_wavelength_nm(wavelengths_nm: ArrayLike, reflectance: ArrayLike, lo: float = 600.0) -> float:
    """Wavelength of the reflectance maximum above ``lo`` nm (parabola through the top 3 points)."""
    lam = np.asarray(wavelengths_nm, dtype=np.float64)
    r = np.asarray(reflectance, dtype=np.float64)
    sel = lam >= lo
    lam, r = lam[sel], r[sel]
    # smooth Monte Carlo noise before locating the maximum (5-point running mean)
    k = np.ones(5) / 5.0
    rs = np.convolve(np.pad(r, 2, mode="edge"), k, mode="valid")
    i = int(np.argmax(rs))
    if 0 < i < len(lam) - 1:
        y0, y1, y2 = rs[i - 1], rs[i], rs[i + 1]
        den = y0 - 2 * y1 + y2
        if den < 0:
            return float(lam[i] + 0.5 * (y0 - y2) / den * (lam[i + 1] - lam[i]))
    return float(lam[i])
