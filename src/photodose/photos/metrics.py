"""Skin metrics of a photo region: float CIELAB, ITA°, erythema and melanin indices, evenness, texture.

All colour arithmetic is on linear RGB in float (8-bit Lab from OpenCV quantises a* to about one
unit, larger than the changes being looked for). Definitions:

- CIELAB (CIE 15:2004) from linear sRGB through XYZ (IEC 61966-2-1 matrix), white D65,
  ``colour-science``. a* is the redness axis: it correlates highly with the adjusted erythema index
  of reflectance spectroscopy (Wagner et al. 2002, *Pigment Cell Res* 15:379, n = 397).
- ITA° = arctan((L* − 50)/b*) · 180/π (Chardon, Cretois & Hourseau 1991, *Int J Cosmet Sci*
  13:191); categories in :mod:`photodose.validation.skin_colour`.
- Erythema index EI = 100 · log10(R_red / R_green) and melanin index MI = 100 · log10(1 / R_red)
  (Dawson et al. 1980, *Phys Med Biol* 25:695; reviewed by Takiwaki 1998, *J Med Invest* 44:121),
  with the camera's linear red and green channels standing in for the narrow-band reflectances
  (Yamamoto et al. 2008, *Skin Res Technol* 14:26: camera indices are linear in haemoglobin and
  melanin but depend on camera and lighting). EI is a log ratio, so a global exposure change
  (all channels × k) cancels; MI is not, and needs a calibrated photo (ColorChecker) to mean anything.
- Evenness: the spread (standard deviation) of a* and of L* over a region's skin pixels; smaller is
  more even.
- Texture: RMS of the high-pass L* (L* minus its Gaussian blur with σ = 0.05 of the interocular
  distance), i.e. the energy of fine detail — pores, lines, roughness — at a scale fixed to the face,
  not to the camera's resolution.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

#: Gaussian σ of the texture high-pass filter as a fraction of the interocular distance (ASSUMPTION:
#: 0.05 D ≈ 3 mm on an adult face; fine lines and pores are below it, shading and shape above).
TEXTURE_SIGMA_FRAC_D = 0.05
_EPS = 1e-6

METRICS = ("L", "a", "b", "ita_deg", "erythema_index", "melanin_index", "a_sd", "L_sd", "texture")
METRIC_LABELS = {
    "L": "L* lightness",
    "a": "a* redness",
    "b": "b* yellowness",
    "ita_deg": "ITA° tone",
    "erythema_index": "erythema index",
    "melanin_index": "melanin index",
    "a_sd": "a* spread",
    "L_sd": "L* spread",
    "texture": "texture",
}


def lab_from_linear_rgb(linear_rgb: NDArray[Any]) -> NDArray[np.float64]:
    """CIE L*a*b* (D65) of linear sRGB values (…, 3), in float.

    XYZ = M_sRGB · RGB (IEC 61966-2-1), then CIE 1976 L*a*b* with the D65 white.
    """
    import colour

    rgb = np.asarray(linear_rgb, dtype=np.float64)
    cs = colour.RGB_COLOURSPACES["sRGB"]
    XYZ = rgb @ np.asarray(cs.matrix_RGB_to_XYZ, dtype=np.float64).T
    return np.asarray(colour.XYZ_to_Lab(XYZ, cs.whitepoint), dtype=np.float64)


def ita_deg(L: NDArray[Any] | float, b: NDArray[Any] | float) -> NDArray[np.float64]:
    """Individual typology angle, degrees: arctan((L* − 50)/b*)·180/π (Chardon et al. 1991).

    Computed as atan2(L* − 50, b*), which equals the arctangent for b* > 0 (all skin).
    """
    return np.degrees(np.arctan2(np.asarray(L, dtype=np.float64) - 50.0, np.asarray(b, dtype=np.float64)))


def erythema_index(red: NDArray[Any] | float, green: NDArray[Any] | float) -> NDArray[np.float64]:
    """Erythema index EI = 100·log10(R/G) of linear red and green (Dawson et al. 1980). Exposure-invariant."""
    r = np.maximum(np.asarray(red, dtype=np.float64), _EPS)
    g = np.maximum(np.asarray(green, dtype=np.float64), _EPS)
    return np.asarray(100.0 * np.log10(r / g), dtype=np.float64)


def melanin_index(red: NDArray[Any] | float) -> NDArray[np.float64]:
    """Melanin index MI = 100·log10(1/R) of linear red reflectance (Dawson et al. 1980).

    Depends on exposure: meaningful only when the photo is calibrated (a ColorChecker in frame).
    """
    r = np.maximum(np.asarray(red, dtype=np.float64), _EPS)
    return np.asarray(-100.0 * np.log10(r), dtype=np.float64)


def texture_rms(L: NDArray[np.float64], mask: NDArray[np.bool_], sigma_px: float) -> float:
    """RMS of L* − Gaussian(L*, σ) over ``mask`` (L* units); the blur is normalised inside the mask
    so the region's edge does not count as texture."""
    from scipy.ndimage import gaussian_filter

    rows, cols = np.nonzero(mask)
    if rows.size == 0:
        return float("nan")
    pad = int(np.ceil(4 * sigma_px)) + 1
    r0, r1 = max(rows.min() - pad, 0), rows.max() + pad + 1
    c0, c1 = max(cols.min() - pad, 0), cols.max() + pad + 1
    L, mask = L[r0:r1, c0:c1], mask[r0:r1, c0:c1]
    m = mask.astype(np.float64)
    Lm = np.where(mask, L, 0.0)
    num = gaussian_filter(Lm, sigma_px, mode="nearest")
    den = gaussian_filter(m, sigma_px, mode="nearest")
    smooth = num / np.maximum(den, _EPS)
    core = mask & (den > 0.5)
    if not core.any():
        return float("nan")
    hp = (L - smooth)[core]
    return float(np.sqrt(np.mean(hp**2)))


def region_metrics(
    linear_rgb: NDArray[np.float64],
    lab: NDArray[np.float64],
    mask: NDArray[np.bool_],
    interocular_px: float,
) -> dict[str, float]:
    """The metrics of one region (see the module docstring) over the pixels of ``mask``.

    Colour metrics (L*, a*, b*, ITA°, EI, MI) are of the region's mean linear colour (the mean of
    reflectance, as a spectrophotometer's aperture averages it); spreads and texture are per pixel.
    """
    n = int(mask.sum())
    if n == 0:
        return {k: float("nan") for k in METRICS} | {"n_pixels": 0.0}
    rgb_mean = linear_rgb[mask].mean(axis=0)
    L, a, b = (float(v) for v in lab_from_linear_rgb(rgb_mean))
    labs = lab[mask]
    return {
        "L": L,
        "a": a,
        "b": b,
        "ita_deg": float(ita_deg(L, b)),
        "erythema_index": float(erythema_index(rgb_mean[0], rgb_mean[1])),
        "melanin_index": float(melanin_index(rgb_mean[0])),
        "a_sd": float(np.std(labs[:, 1])),
        "L_sd": float(np.std(labs[:, 0])),
        "texture": texture_rms(lab[..., 0], mask, TEXTURE_SIGMA_FRAC_D * interocular_px),
        "n_pixels": float(n),
    }
