"""Skin colour of the model: CIE L*a*b* and the individual typology angle (ITA°) under D65, and
the inverse — melanin (and blood) from a measured colour.

Colour maths is ``colour-science``'s (CIE 1931 2° observer, illuminant D65, reflectance
400–700 nm at 10 nm, ASTM-style summation in :func:`colour.sd_to_XYZ`). ITA° = arctan((L* − 50)/b*)
· 180/π (Chardon, Cretois & Hourseau 1991, Int J Cosmet Sci 13:191); skin colour categories:
very light > 55°, light 41–55°, intermediate 28–41°, tan 10–28°, brown −30–10°, dark < −30°
(Chardon 1991; Del Bino & Bernerd 2013, Br J Dermatol 169 Suppl 3:33).

:func:`fit_skin_colour` sets the epidermal melanosome fraction (from ITA°, or from L*a*b* with a
blood scale as well) so that the model's colour matches; the fit's uncertainty comes from the
measurement's (ITA ± 3°, ΔE ± 2 by default — typical colorimeter repeatability, an assumption)
and is carried into the skin profile as ranges.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from photodose.skin import SkinInputError, SkinProfile

FloatArray = NDArray[np.float64]

COLOUR_NM = tuple(float(x) for x in range(400, 701, 10))
ITA_CATEGORIES: tuple[tuple[str, float, float], ...] = (
    ("very light", 55.0, 90.0),
    ("light", 41.0, 55.0),
    ("intermediate", 28.0, 41.0),
    ("tan", 10.0, 28.0),
    ("brown", -30.0, 10.0),
    ("dark", -90.0, -30.0),
)
ITA_SOURCE = (
    "Chardon, Cretois & Hourseau 1991, Int J Cosmet Sci 13:191; Del Bino & Bernerd 2013, "
    "Br J Dermatol 169 Suppl 3:33 (categories as reproduced by Ly et al. 2020, J Invest Dermatol "
    "140:3, and dermatest.de; SECONDARY)"
)
#: Default measurement uncertainty of a colour given by the user (ASSUMPTION: colorimeter
#: repeatability and site-to-site variation of a few units).
ITA_UNCERTAINTY_DEG = 3.0
LAB_UNCERTAINTY_DE = 2.0


class ColourInputError(ValueError):
    """A measured colour outside what skin can be; the message names the field and the fix."""


def lab_from_reflectance(wavelengths_nm: ArrayLike, reflectance: ArrayLike) -> tuple[float, float, float]:
    """CIE L*a*b* (D65, 2° observer) of a reflectance spectrum (fractions, 0–1)."""
    import colour

    lam = np.asarray(wavelengths_nm, dtype=np.float64)
    r = np.clip(np.asarray(reflectance, dtype=np.float64), 0.0, 1.0)
    sd = colour.SpectralDistribution(dict(zip(lam.tolist(), r.tolist(), strict=True)), name="skin")
    cmfs = colour.MSDS_CMFS["CIE 1931 2 Degree Standard Observer"]
    illuminant = colour.SDS_ILLUMINANTS["D65"]
    with colour.utilities.suppress_warnings(colour_usage_warnings=True, colour_runtime_warnings=True):
        xyz = colour.sd_to_XYZ(sd, cmfs=cmfs, illuminant=illuminant) / 100.0
    white = colour.CCS_ILLUMINANTS["CIE 1931 2 Degree Standard Observer"]["D65"]
    lab = colour.XYZ_to_Lab(xyz, white)
    return float(lab[0]), float(lab[1]), float(lab[2])


def ita_deg(lightness: float, b_star: float) -> float:
    """Individual typology angle ITA° = atan2(L* − 50, b*) in degrees (−90..90 for b* > 0)."""
    return math.degrees(math.atan2(lightness - 50.0, b_star))


def ita_category(ita: float) -> str:
    """Skin colour category of an ITA° (Chardon 1991 / Del Bino 2013)."""
    for name, lo, hi in ITA_CATEGORIES:
        if lo < ita <= hi or (name == "dark" and ita <= hi):
            return name
    return "very light"


@dataclass(frozen=True)
class SkinColour:
    """Colour of a model skin."""

    lightness: float
    a_star: float
    b_star: float
    ita_deg: float
    category: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "L*": self.lightness,
            "a*": self.a_star,
            "b*": self.b_star,
            "ita_deg": self.ita_deg,
            "category": self.category,
            "illuminant": "D65",
            "observer": "CIE 1931 2°",
        }


def colour_of_spectrum(wavelengths_nm: ArrayLike, reflectance: ArrayLike) -> SkinColour:
    lam = np.asarray(wavelengths_nm, dtype=np.float64)
    r = np.asarray(reflectance, dtype=np.float64)
    sel = (lam >= 400) & (lam <= 700)
    L, a, b = lab_from_reflectance(lam[sel], r[sel])
    ita = ita_deg(L, b)
    return SkinColour(L, a, b, ita, ita_category(ita))


def skin_colour(
    profile: SkinProfile, photons: int = 4000, *, seed: int = 7, step_nm: float = 10.0
) -> SkinColour:
    """L*a*b* and ITA° of the model skin (Monte Carlo reflectance 400–700 nm every ``step_nm``)."""
    from photodose.validation.skin_reflectance import reflectance_spectrum

    lam = np.arange(400.0, 700.0 + 0.5 * step_nm, step_nm)
    r = reflectance_spectrum(profile, lam, photons, seed=seed)
    return colour_of_spectrum(lam, r)


# --------------------------------------------------------------------------- fit


def check_ita(ita: float) -> float:
    if not (isinstance(ita, int | float) and math.isfinite(ita) and -90.0 <= ita <= 90.0):
        raise ColourInputError(
            f"ITA {ita!r}° is outside −90..90°; give the individual typology angle in degrees "
            "(e.g. 45 for light skin, −40 for dark skin)"
        )
    return float(ita)


def check_lab(lab: tuple[float, float, float]) -> tuple[float, float, float]:
    if len(lab) != 3 or not all(isinstance(x, int | float) and math.isfinite(x) for x in lab):
        raise ColourInputError("L*a*b* must be three numbers, e.g. 62,11,16")
    L, a, b = (float(x) for x in lab)
    if not 0.0 <= L <= 100.0:
        raise ColourInputError(
            f"L* = {L:g} is outside 0–100; give the lightness of your skin (skin measures 25–75)"
        )
    if not (-20.0 <= a <= 50.0 and -10.0 <= b <= 60.0):
        raise ColourInputError(
            f"a* = {a:g}, b* = {b:g} is not a skin colour; skin measures a* about 0–25 and b* about 5–30"
        )
    return L, a, b


# melanosome fractions spanned by the fit (lightest Norvang band to beyond the darkest)
_MEL_GRID = (0.008, 0.013, 0.02, 0.03, 0.045, 0.065, 0.09, 0.13, 0.18, 0.25)
_BLOOD_GRID = (0.4, 1.0, 2.5)


@dataclass(frozen=True)
class ColourFit:
    """Melanin (and blood) that reproduce a measured colour, with ranges."""

    melanosome_fraction: float
    melanosome_fraction_range: tuple[float, float]
    blood_scale: float
    blood_scale_range: tuple[float, float]
    target: dict[str, float]
    fitted: SkinColour
    method: str
    note: str | None = None
    """Set when the measured colour lies beyond what the fitted melanin range reproduces."""

    def apply(self, profile: SkinProfile) -> SkinProfile:
        """``profile`` with the fitted melanin (and, for an L*a*b* fit, blood) and their ranges.

        An ITA° fit says nothing about blood, so blood keeps the data's range."""
        fitted_blood = "a*" in self.target
        return replace(
            profile,
            melanosome_fraction=self.melanosome_fraction,
            melanosome_fraction_range=self.melanosome_fraction_range,
            blood_scale=self.blood_scale,
            blood_scale_range=self.blood_scale_range if fitted_blood else None,
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "melanosome_fraction": self.melanosome_fraction,
            "melanosome_fraction_range": list(self.melanosome_fraction_range),
            "blood_scale": self.blood_scale,
            "blood_scale_range": list(self.blood_scale_range),
            "target": self.target,
            "fitted_colour": self.fitted.as_dict(),
            "method": self.method,
            "note": self.note,
        }


def _grid(
    profile: SkinProfile, photons: int, blood_grid: tuple[float, ...]
) -> dict[tuple[float, float], SkinColour]:
    """Model colour on the melanin × blood grid (reflectance every 20 nm: the grid only locates
    the fit; the fitted skin's colour is recomputed every 10 nm)."""
    out = {}
    for bs in blood_grid:
        for m in _MEL_GRID:
            p = replace(profile, melanosome_fraction=m, blood_scale=bs, scenario="central")
            out[(m, bs)] = skin_colour(p, photons, step_nm=20.0)
    return out


def _interp_mel_for_ita(grid: dict[tuple[float, float], SkinColour], bs: float, ita: float) -> float:
    """log-melanin at which ITA crosses ``ita`` (ITA falls monotonically with melanin)."""
    x = np.log(np.array(_MEL_GRID))
    y = np.array([grid[(m, bs)].ita_deg for m in _MEL_GRID])
    # enforce monotone decreasing for interpolation (MC noise is small next to the trend)
    y = np.minimum.accumulate(y)
    if ita >= y[0]:
        return float(_MEL_GRID[0])
    if ita <= y[-1]:
        return float(_MEL_GRID[-1])
    return float(np.exp(np.interp(-ita, -y, x)))


def fit_skin_colour(
    profile: SkinProfile,
    *,
    ita: float | None = None,
    lab: tuple[float, float, float] | None = None,
    ita_uncertainty_deg: float = ITA_UNCERTAINTY_DEG,
    lab_uncertainty: float = LAB_UNCERTAINTY_DE,
    photons: int = 1000,
) -> ColourFit:
    """Melanin (from ITA°) or melanin and blood (from L*a*b*) that reproduce a measured colour.

    Method: the model's colour on a grid of melanosome fractions (0.8–25 %) (× blood scales
    0.4, 1, 2.5 for L*a*b*) at the profile's site; melanin is interpolated in log space where the model's
    ITA equals the measured one. With L*a*b*, the blood scale is the grid value (interpolated)
    whose a* at that melanin is closest to the measured a*. Ranges: the fits at ITA ± the
    measurement uncertainty (and a* ± ΔE for blood), plus the grid's own spacing.
    """
    if (ita is None) == (lab is None):
        raise ColourInputError("give exactly one of ita or lab")
    if profile.melanosome_fraction is not None:
        raise SkinInputError(
            "the profile already fixes melanosome_fraction; fit from the Fitzpatrick default"
        )
    target: dict[str, float]
    if lab is not None:
        L, a, b = check_lab(lab)
        ita_target = ita_deg(L, b)
        target = {"L*": L, "a*": a, "b*": b, "ita_deg": ita_target}
        unc = math.degrees(lab_uncertainty / max(math.hypot(L - 50.0, b), 1.0))
    else:
        ita_target = check_ita(float(ita))  # type: ignore[arg-type]
        target = {"ita_deg": ita_target}
        unc = ita_uncertainty_deg
    grid = _grid(profile, photons, _BLOOD_GRID if lab is not None else (1.0,))
    bs = 1.0
    bs_lo, bs_hi = 1.0, 1.0
    if lab is not None:
        a_t = target["a*"]
        a_vals = []
        for b_s in _BLOOD_GRID:
            m = _interp_mel_for_ita(grid, b_s, ita_target)
            near = min(_MEL_GRID, key=lambda x: abs(math.log(x / m)))
            a_vals.append(grid[(near, b_s)].a_star)
        xs = np.log(np.array(_BLOOD_GRID))
        av = np.maximum.accumulate(np.array(a_vals))

        def blood_for(a_star: float) -> float:
            return float(np.exp(np.interp(a_star, av, xs)))

        bs = blood_for(a_t)
        bs_lo, bs_hi = sorted((blood_for(a_t - lab_uncertainty), blood_for(a_t + lab_uncertainty)))
    blood_keys = sorted({k[1] for k in grid})

    def mel(ita_value: float) -> float:
        """Melanin for ``ita_value`` at blood scale ``bs`` (log-interpolated between grid rows)."""
        logs = [math.log(_interp_mel_for_ita(grid, b_s, ita_value)) for b_s in blood_keys]
        if len(blood_keys) == 1:
            return math.exp(logs[0])
        return float(np.exp(np.interp(math.log(bs), np.log(blood_keys), logs)))

    m = mel(ita_target)
    m_a = mel(ita_target + unc)
    m_b = mel(ita_target - unc)
    m_lo, m_hi = min(m_a, m_b, m), max(m_a, m_b, m)
    fitted = skin_colour(replace(profile, melanosome_fraction=m, blood_scale=bs), photons * 2)
    note = None
    # The grid is clamped at its ends: say so rather than fit silently to the edge. Only a fit
    # that sits at an end can be out of range; inside the grid a refit that misses the target by
    # a few degrees is Monte Carlo noise of the grid (common random numbers shift a whole spectrum).
    at_edge = m <= _MEL_GRID[0] * (1 + 1e-9) or m >= _MEL_GRID[-1] * (1 - 1e-9)
    if at_edge and abs(fitted.ita_deg - ita_target) > unc + 2.0:
        edge = "darker" if ita_target < fitted.ita_deg else "lighter"
        note = (
            f"the measured colour (ITA {ita_target:.0f}°) is {edge} than the model's melanin range "
            f"(melanosome fraction {_MEL_GRID[0]:.1%}–{_MEL_GRID[-1]:.0%}) reproduces (ITA "
            f"{fitted.ita_deg:.0f}° at the edge); doses for this skin are less certain than the "
            "ranges show"
        )
    return ColourFit(
        melanosome_fraction=m,
        melanosome_fraction_range=(m_lo, m_hi),
        blood_scale=bs,
        blood_scale_range=(min(bs_lo, bs), max(bs_hi, bs)),
        target=target,
        fitted=fitted,
        method=(
            "Monte Carlo colour grid (melanosome fraction 0.8–25 % × blood scale 0.4/1/2.5), "
            f"{photons} photons per wavelength, interpolated; range from the measurement "
            f"uncertainty (ITA ± {unc:.1f}°"
            + (f", a* ± {lab_uncertainty:g}" if lab is not None else "")
            + ")"
        ),
        note=note,
    )
