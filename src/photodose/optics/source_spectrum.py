"""Emission spectra of light sources, and the quadrature that weights results over them.

A channel of an LED mask is described either by its peak and full width at half maximum
(a Gaussian line shape, the usual datasheet description of an LED) or by a tabulated
spectrum. Quantities that depend on wavelength (fluence in depth, absorbed fractions) are
averaged over the emitted *power* spectrum, not taken at the peak alone.

Quadrature: the spectrum is cut into ``n`` bands of equal emitted power; each band is
represented by its power-weighted mean wavelength and weight 1/n. For a Gaussian with
n = 5 the nodes lie at about peak ± 0.22·FWHM and ± 0.59·FWHM. Equal weights let a Monte
Carlo photon budget be split equally across nodes, which minimises the variance of the
weighted mean when the nodes are about equally noisy.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from photodose.optics.spectra import (
    WAVELENGTH_MAX_NM,
    WAVELENGTH_MIN_NM,
    WavelengthRangeError,
    check_wavelength,
)

FloatArray = NDArray[np.float64]

FWHM_TO_SIGMA = 1.0 / (2.0 * math.sqrt(2.0 * math.log(2.0)))  # σ = FWHM / 2.3548


class SpectrumError(ValueError):
    """A source spectrum that cannot be used (negative power, unsorted or empty table)."""


@dataclass(frozen=True)
class SourceSpectrum:
    """Relative spectral power of a source on a wavelength grid (any normalisation).

    Build with :func:`gaussian`, :func:`monochromatic` or :func:`tabulated`.
    ``truncated_fraction`` is the share of emitted power that fell outside 400–1100 nm and was
    dropped (it is reported, never silently ignored).
    """

    wavelength_nm: FloatArray
    relative_power: FloatArray
    label: str
    peak_nm: float
    fwhm_nm: float
    truncated_fraction: float = 0.0

    @property
    def is_monochromatic(self) -> bool:
        return self.wavelength_nm.size == 1

    def mean_wavelength_nm(self) -> float:
        """Power-weighted mean wavelength [nm]."""
        if self.is_monochromatic:
            return float(self.wavelength_nm[0])
        w = self.relative_power
        return float(
            np.trapezoid(w * self.wavelength_nm, self.wavelength_nm) / np.trapezoid(w, self.wavelength_nm)
        )

    def quadrature(self, n_points: int = 5) -> tuple[FloatArray, FloatArray]:
        """Nodes [nm] and weights (sum 1): ``n_points`` bands of equal power, centroid nodes."""
        if n_points < 1:
            raise ValueError(f"n_points = {n_points}: use at least 1")
        if self.is_monochromatic:
            return self.wavelength_nm.copy(), np.ones(1)
        lam = self.wavelength_nm
        p = self.relative_power
        # cumulative power (trapezoid), normalised to 1
        seg = 0.5 * (p[1:] + p[:-1]) * np.diff(lam)
        cum = np.concatenate(([0.0], np.cumsum(seg)))
        cum /= cum[-1]
        # refine on a fine grid so band edges fall between samples accurately
        fine = np.linspace(lam[0], lam[-1], max(2001, 20 * lam.size))
        pf = np.interp(fine, lam, p)
        cf = np.interp(fine, lam, cum)
        edges = np.interp(np.linspace(0.0, 1.0, n_points + 1), cf, fine)
        nodes = np.empty(n_points)
        for i in range(n_points):
            m = (fine >= edges[i]) & (fine <= edges[i + 1])
            x, y = fine[m], pf[m]
            if x.size < 2 or np.trapezoid(y, x) <= 0:
                nodes[i] = 0.5 * (edges[i] + edges[i + 1])
            else:
                nodes[i] = np.trapezoid(x * y, x) / np.trapezoid(y, x)
        weights = np.full(n_points, 1.0 / n_points)
        return nodes, weights


def monochromatic(wavelength_nm: float, label: str | None = None) -> SourceSpectrum:
    """A single wavelength (laser-like source)."""
    lam = float(check_wavelength(wavelength_nm))
    return SourceSpectrum(
        wavelength_nm=np.array([lam]),
        relative_power=np.ones(1),
        label=label or f"{lam:g} nm",
        peak_nm=lam,
        fwhm_nm=0.0,
    )


def gaussian(peak_nm: float, fwhm_nm: float, label: str | None = None) -> SourceSpectrum:
    """Gaussian line of given peak and FWHM [nm]; FWHM 0 gives :func:`monochromatic`.

    Power outside 400–1100 nm is cut off and its share stored in ``truncated_fraction``.
    """
    peak = float(check_wavelength(peak_nm))
    if not (math.isfinite(fwhm_nm) and fwhm_nm >= 0):
        raise SpectrumError(f"fwhm_nm = {fwhm_nm}: the line width must be a number ≥ 0 nm")
    if fwhm_nm == 0:
        return monochromatic(peak, label)
    sigma = fwhm_nm * FWHM_TO_SIGMA
    lo, hi = peak - 5 * sigma, peak + 5 * sigma
    full = np.linspace(lo, hi, 1001)
    pw = np.exp(-0.5 * ((full - peak) / sigma) ** 2)
    keep = (full >= WAVELENGTH_MIN_NM) & (full <= WAVELENGTH_MAX_NM)
    total = np.trapezoid(pw, full)
    lam = full[keep]
    kept = np.trapezoid(pw[keep], lam) if lam.size > 1 else 0.0
    if lam.size < 2:
        raise WavelengthRangeError(
            f"a {peak:g} nm line of FWHM {fwhm_nm:g} nm lies almost wholly outside 400–1100 nm"
        )
    return SourceSpectrum(
        wavelength_nm=lam,
        relative_power=pw[keep],
        label=label or f"{peak:g} nm (FWHM {fwhm_nm:g} nm)",
        peak_nm=peak,
        fwhm_nm=float(fwhm_nm),
        truncated_fraction=float(max(0.0, 1.0 - kept / total)),
    )


def tabulated(
    wavelength_nm: ArrayLike, relative_power: ArrayLike, label: str = "tabulated spectrum"
) -> SourceSpectrum:
    """A measured spectrum: wavelengths [nm] (increasing) and relative power (≥ 0, any unit).

    Samples outside 400–1100 nm are dropped and their power share is reported.
    """
    lam = np.asarray(wavelength_nm, dtype=np.float64).ravel()
    pw = np.asarray(relative_power, dtype=np.float64).ravel()
    if lam.size != pw.size or lam.size < 2:
        raise SpectrumError("a tabulated spectrum needs ≥ 2 (wavelength, power) pairs of equal length")
    if not np.all(np.isfinite(lam)) or not np.all(np.isfinite(pw)):
        raise SpectrumError("a tabulated spectrum has a NaN or infinite value; remove it")
    if np.any(np.diff(lam) <= 0):
        raise SpectrumError("tabulated wavelengths must be strictly increasing")
    if np.any(pw < 0) or pw.max() <= 0:
        raise SpectrumError("tabulated relative power must be ≥ 0 with at least one value > 0")
    total = np.trapezoid(pw, lam)
    keep = (lam >= WAVELENGTH_MIN_NM) & (lam <= WAVELENGTH_MAX_NM)
    if keep.sum() < 2 or np.trapezoid(pw[keep], lam[keep]) <= 0:
        raise WavelengthRangeError(
            "the tabulated spectrum has (almost) no power inside 400–1100 nm, the modelled range"
        )
    kept = np.trapezoid(pw[keep], lam[keep])
    peak = float(lam[int(np.argmax(pw))])
    half = pw >= 0.5 * pw.max()
    fwhm = float(lam[half][-1] - lam[half][0])
    return SourceSpectrum(
        wavelength_nm=lam[keep],
        relative_power=pw[keep],
        label=label,
        peak_nm=peak,
        fwhm_nm=fwhm,
        truncated_fraction=float(max(0.0, 1.0 - kept / total)) if total > 0 else 0.0,
    )


def spectral_average(func: Callable[[float], float], spectrum: SourceSpectrum, n_points: int = 5) -> float:
    """Power-weighted average of a scalar function of wavelength over ``spectrum``.

    ``func(wavelength_nm) -> float``; evaluated at the quadrature nodes.
    """
    nodes, weights = spectrum.quadrature(n_points)
    vals = np.array([float(func(float(x))) for x in nodes])
    return float(np.dot(weights, vals))
