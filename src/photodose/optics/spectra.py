"""Chromophore absorption spectra from the package's data tables, interpolated in wavelength.

The tables live in ``photodose/data/optics/*.csv``: a ``#`` comment header naming each source
key in full, then one row per wavelength with its ``source`` key and ``confidence``
(exact, secondary, derived, assumption). They cover 400–1100 nm, the range this package models;
a wavelength outside it raises :class:`WavelengthRangeError` rather than extrapolating.

Reading bundled, read-only package data is the only I/O here (cached on first use).

Blood conventions (Prahl, https://omlc.org/spectra/hemoglobin/): whole blood holds 150 g/L of
haemoglobin, molecular weight 64 500 g/mol, so μa = ln(10)·ε·150/64 500 ≈ 0.005 355·ε [1/cm]
(Jacques 2013, Phys Med Biol 58:R37, §3.1, quotes 4.38 cm⁻¹ at the 806 nm isosbestic point).
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]

WAVELENGTH_MIN_NM = 400.0
WAVELENGTH_MAX_NM = 1100.0

# Whole-blood haemoglobin convention (Prahl; Jacques 2013 §3.1).
HB_CONCENTRATION_G_PER_L = 150.0
HB_MOLECULAR_WEIGHT_G_PER_MOL = 64_500.0

CONFIDENCE_LEVELS = ("exact", "secondary", "derived", "assumption")


class WavelengthRangeError(ValueError):
    """A wavelength outside the 400–1100 nm range of the chromophore tables."""


def check_wavelength(wavelength_nm: ArrayLike) -> FloatArray:
    """Return ``wavelength_nm`` as a float array, or raise if any value is outside 400–1100 nm."""
    lam = np.asarray(wavelength_nm, dtype=np.float64)
    bad = ~np.isfinite(lam) | (lam < WAVELENGTH_MIN_NM) | (lam > WAVELENGTH_MAX_NM)
    if np.any(bad):
        first = float(np.atleast_1d(lam)[np.atleast_1d(bad)][0])
        raise WavelengthRangeError(
            f"wavelength {first:g} nm is outside the modelled range "
            f"{WAVELENGTH_MIN_NM:g}–{WAVELENGTH_MAX_NM:g} nm (the span of the chromophore "
            "tables); choose a wavelength between 400 and 1100 nm"
        )
    return lam


@dataclass(frozen=True)
class Spectrum:
    """A tabulated quantity vs wavelength, with per-row provenance.

    ``sources`` maps the row source keys to full citations (from the CSV header).
    """

    name: str
    units: str
    wavelength_nm: FloatArray
    values: FloatArray
    row_source: tuple[str, ...]
    row_confidence: tuple[str, ...]
    sources: dict[str, str] = field(default_factory=dict)

    def __call__(self, wavelength_nm: ArrayLike) -> FloatArray:
        """Linear interpolation at ``wavelength_nm`` [nm] (400–1100 nm only)."""
        lam = check_wavelength(wavelength_nm)
        out: FloatArray = np.interp(lam, self.wavelength_nm, self.values)
        return out

    def confidence_at(self, wavelength_nm: float) -> str:
        """The weakest confidence of the (up to two) table rows used at ``wavelength_nm``."""
        lam = float(check_wavelength(wavelength_nm))
        i = int(np.searchsorted(self.wavelength_nm, lam))
        idx = {max(i - 1, 0), min(i, len(self.wavelength_nm) - 1)}
        if i < len(self.wavelength_nm) and self.wavelength_nm[i] == lam:
            idx = {i}
        levels = [CONFIDENCE_LEVELS.index(self.row_confidence[j]) for j in idx]
        return CONFIDENCE_LEVELS[max(levels)]


def read_table(name: str) -> tuple[dict[str, str], list[dict[str, str]]]:
    """Read ``data/optics/<name>``: (source key → citation from the header, rows as dicts)."""
    text = (files("photodose") / "data" / "optics" / name).read_text(encoding="utf-8")
    header: dict[str, str] = {}
    body: list[str] = []
    for line in text.splitlines():
        if line.startswith("#"):
            content = line[1:].strip()
            if content.startswith("source "):
                key, _, cite = content[len("source ") :].partition(":")
                header[key.strip()] = cite.strip()
        elif line.strip():
            body.append(line)
    rows = list(csv.DictReader(body))
    for r in rows:
        conf = r.get("confidence")
        if conf is not None and conf not in CONFIDENCE_LEVELS:
            raise ValueError(f"{name}: confidence {conf!r} is not one of {CONFIDENCE_LEVELS}")
        src = r.get("source")
        if src is not None and src not in header:
            raise ValueError(f"{name}: row source {src!r} has no '# source {src}:' header line")
    return header, rows


def _spectrum(table: str, column: str, name: str, units: str) -> Spectrum:
    header, rows = read_table(table)
    lam = np.array([float(r["wavelength_nm"]) for r in rows])
    val = np.array([float(r[column]) for r in rows])
    order = np.argsort(lam)
    if lam[order][0] > WAVELENGTH_MIN_NM or lam[order][-1] < WAVELENGTH_MAX_NM:
        raise ValueError(f"{table}: {column} does not cover 400–1100 nm")
    return Spectrum(
        name=name,
        units=units,
        wavelength_nm=lam[order],
        values=val[order],
        row_source=tuple(rows[i]["source"] for i in order),
        row_confidence=tuple(rows[i]["confidence"] for i in order),
        sources=header,
    )


@cache
def spectrum(name: str) -> Spectrum:
    """A chromophore spectrum by name: ``eps_hbo2``, ``eps_hb``, ``water``, ``fat``."""
    if name == "eps_hbo2":
        return _spectrum("hemoglobin.csv", "eps_hbo2_per_cm_per_molar", name, "1/cm/(mol/L)")
    if name == "eps_hb":
        return _spectrum("hemoglobin.csv", "eps_hb_per_cm_per_molar", name, "1/cm/(mol/L)")
    if name == "water":
        return _spectrum("water.csv", "mua_per_cm", name, "1/cm")
    if name == "fat":
        return _spectrum("fat.csv", "mua_per_cm", name, "1/cm")
    raise KeyError(f"unknown spectrum {name!r}; known: eps_hbo2, eps_hb, water, fat")


def eps_hbo2(wavelength_nm: ArrayLike) -> FloatArray:
    """Molar extinction coefficient of oxy-haemoglobin [cm⁻¹/(mol/L)], base 10 (Prahl)."""
    return spectrum("eps_hbo2")(wavelength_nm)


def eps_hb(wavelength_nm: ArrayLike) -> FloatArray:
    """Molar extinction coefficient of deoxy-haemoglobin [cm⁻¹/(mol/L)], base 10 (Prahl)."""
    return spectrum("eps_hb")(wavelength_nm)


def mua_water(wavelength_nm: ArrayLike) -> FloatArray:
    """Absorption coefficient of pure water [1/cm] (Segelstein 1981 via Prahl)."""
    return spectrum("water")(wavelength_nm)


def mua_fat(wavelength_nm: ArrayLike) -> FloatArray:
    """Absorption coefficient of fat [1/cm] (van Veen et al. 2005, pig lard, via Prahl)."""
    return spectrum("fat")(wavelength_nm)


def blood_factor(hb_g_per_l: float = HB_CONCENTRATION_G_PER_L) -> float:
    """ln(10)·C for whole blood: μa = factor·ε, C = hb_g_per_l / 64 500 g/mol [mol/L]."""
    return math.log(10.0) * hb_g_per_l / HB_MOLECULAR_WEIGHT_G_PER_MOL


def mua_oxy_blood(wavelength_nm: ArrayLike, hb_g_per_l: float = HB_CONCENTRATION_G_PER_L) -> FloatArray:
    """μa of fully oxygenated whole blood [1/cm]: ln(10)·ε_HbO2·C."""
    out: FloatArray = blood_factor(hb_g_per_l) * eps_hbo2(wavelength_nm)
    return out


def mua_deoxy_blood(wavelength_nm: ArrayLike, hb_g_per_l: float = HB_CONCENTRATION_G_PER_L) -> FloatArray:
    """μa of fully deoxygenated whole blood [1/cm]: ln(10)·ε_Hb·C."""
    out: FloatArray = blood_factor(hb_g_per_l) * eps_hb(wavelength_nm)
    return out
