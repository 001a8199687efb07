"""Colour correction of a photo before skin colour is measured.

Two strengths, and the result says which one was used:

- ``colorchecker`` (calibrated): an X-Rite/Calibrite ColorChecker Classic (24 patches) in the frame
  is found by ``colour-checker-detection``'s segmentation detector; a 3×3 matrix maps the measured
  linear patch colours to their published values (Cheung, Westland, Connah & Ripamonti 2004,
  *Coloration Technology* 120:19, least squares, :func:`colour.colour_correction`). The patch
  reference is ``colour-science``'s "ColorChecker24 - After November 2014" (X-Rite data, D50),
  adapted to sRGB/D65 with the Bradford transform. Colour is then comparable across lighting.
- ``shades-of-grey`` (weaker): no chart, so the illuminant is estimated from the image itself,
  e_c = (mean I_c^p)^(1/p) with p = 6 (Finlayson & Trezzi 2004, "Shades of Gray and Colour
  Constancy", IS&T/SID 12th Color Imaging Conference, 37–41; p = 1 is the grey world of
  Buchsbaum 1980, *J Franklin Inst* 310:1), and each channel is scaled by e_G / e_c. This assumes
  the scene averages to grey; a red wall or a red shirt biases it. Trends are still usable when the
  same place and light are used every time; absolute colour is not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

COLORCHECKER = "ColorChecker24 - After November 2014"
SHADES_OF_GREY_P = 6.0
#: Scene statistics (illuminant, clipping level) use every k-th pixel so that at most this many are read.
STATS_MAX_PIXELS = 400_000
#: Share of the brightest pixels left out of the illuminant estimate (clipped and specular highlights).
HIGHLIGHT_FRACTION = 0.02
#: Working width of the chart detector (its default, 1440 px, takes ~3.4 s a photo on this machine;
#: 720 px takes ~0.9 s and still finds a chart that spans a fifth of the frame).
DETECT_WORKING_WIDTH_PX = 720


@dataclass(frozen=True)
class Correction:
    """A colour-corrected linear RGB image and how it was corrected."""

    linear_rgb: NDArray[np.float64]
    method: str  # "colorchecker" | "shades-of-grey" | "none"
    calibrated: bool
    gains: tuple[float, float, float] = (1.0, 1.0, 1.0)
    matrix: tuple[tuple[float, ...], ...] | None = None
    chart_delta_e2000_mean: float | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def colorchecker_reference_linear_srgb() -> NDArray[np.float64]:
    """The 24 ColorChecker patches as linear sRGB (D65), row by row from dark skin to black."""
    import colour

    cc = colour.CCS_COLOURCHECKERS[COLORCHECKER]
    xyY = np.array(list(cc.data.values()), dtype=np.float64)
    XYZ = colour.xyY_to_XYZ(xyY)
    rgb = colour.XYZ_to_RGB(
        XYZ,
        "sRGB",
        illuminant=cc.illuminant,
        chromatic_adaptation_transform="Bradford",
        apply_cctf_encoding=False,
    )
    return np.asarray(rgb, dtype=np.float64)


def clip_level(linear_rgb: NDArray[np.float64]) -> float:
    """The image's clipping level: the 99.9th percentile of each pixel's brightest channel.

    Scales with exposure (× k for a photo k times darker, clipped highlights included), so masks
    built on it select the same pixels whatever the exposure.
    """
    pix = _sample(linear_rgb)
    return float(np.percentile(pix.max(axis=1), 99.9)) if pix.size else 1.0


def _sample(image: NDArray[np.float64]) -> NDArray[np.float64]:
    """Every k-th pixel (fixed stride) so that at most :data:`STATS_MAX_PIXELS` remain, as (n, 3)."""
    pix = np.asarray(image).reshape(-1, 3)
    step = max(1, -(-pix.shape[0] // STATS_MAX_PIXELS))
    return np.asarray(pix[::step], dtype=np.float64)


def shades_of_grey_illuminant(
    linear_rgb: NDArray[np.float64], p: float = SHADES_OF_GREY_P, mask: NDArray[np.bool_] | None = None
) -> NDArray[np.float64]:
    """Illuminant colour estimate e_c = (mean I_c^p)^(1/p) (Finlayson & Trezzi 2004), normalised to sum 1.

    The brightest :data:`HIGHLIGHT_FRACTION` of pixels (by their brightest channel: clipped and
    specular highlights) are left out. The cut is by rank, not by level, so a darker copy of the
    photo leaves out the same pixels and gives the same estimate (measured: 0.01 EI units for a
    copy 20 % darker, against 0.28 with a fixed level cut). ``mask`` restricts the pixels used.
    """
    if mask is not None:
        pix = np.asarray(linear_rgb, dtype=np.float64).reshape(-1, 3)[np.asarray(mask).reshape(-1)]
    else:
        pix = _sample(linear_rgb)
    top = pix.max(axis=1)
    keep = top < np.quantile(top, 1.0 - HIGHLIGHT_FRACTION) if top.size else top.astype(bool)
    pix = pix[keep]
    if pix.shape[0] == 0:
        return np.full(3, 1.0 / 3.0)
    e = np.mean(pix**p, axis=0) ** (1.0 / p)
    return np.asarray(e / e.sum(), dtype=np.float64)


Window = tuple[int, int, int, int]  # rows r0:r1, columns c0:c1


def _cut(image: NDArray[np.float64], window: Window | None) -> NDArray[np.float64]:
    if window is None:
        return np.asarray(image, dtype=np.float64)
    r0, r1, c0, c1 = window
    return np.asarray(image[r0:r1, c0:c1], dtype=np.float64)


def shades_of_grey_correction(
    linear_rgb: NDArray[np.float64], p: float = SHADES_OF_GREY_P, window: Window | None = None
) -> Correction:
    """White balance by the shades-of-grey estimate: channel c scaled by e_G / e_c (green unchanged).

    The illuminant is estimated on the whole image; the corrected pixels returned are those of
    ``window`` (rows r0:r1, columns c0:c1; None: the whole image).
    """
    e = shades_of_grey_illuminant(linear_rgb, p)
    gains = e[1] / np.maximum(e, 1e-9)
    out = np.clip(_cut(linear_rgb, window) * gains, 0.0, 1.0)
    return Correction(
        linear_rgb=out,
        method="shades-of-grey",
        calibrated=False,
        gains=(float(gains[0]), float(gains[1]), float(gains[2])),
        note=(
            "no colour chart in the photo: white balance estimated from the scene (shades of grey, "
            "Finlayson & Trezzi 2004) — weaker; compare only photos taken in the same place and light"
        ),
    )


def detect_colorchecker(srgb_float: NDArray[np.float64]) -> NDArray[np.float64] | None:
    """Linear RGB of the 24 patches of a ColorChecker Classic found in the image, or None.

    ``srgb_float`` is the sRGB-encoded image in 0–1. Detection is ``colour-checker-detection``'s
    segmentation method; the patch colours come back in the input encoding and are decoded here.
    """
    import colour
    from colour_checker_detection import detect_colour_checkers_segmentation

    with colour.utilities.suppress_warnings(colour_usage_warnings=True, colour_runtime_warnings=True):
        found = detect_colour_checkers_segmentation(
            np.asarray(srgb_float, dtype=np.float32),
            additional_data=True,
            working_width=DETECT_WORKING_WIDTH_PX,
            working_height=DETECT_WORKING_WIDTH_PX * 2 // 3,
        )
    for result in found:
        swatches = np.asarray(result.swatch_colours, dtype=np.float64).reshape(-1, 3)
        if swatches.shape[0] != 24 or not np.all(np.isfinite(swatches)):
            continue
        linear = np.asarray(
            colour.cctf_decoding(np.clip(swatches, 0.0, 1.0), function="sRGB"), dtype=np.float64
        )
        # The detector can return the chart rotated by 180°: white (patch 19) is brighter than black (24).
        if linear[18].mean() < linear[23].mean():
            linear = linear[::-1]
        return linear
    return None


def colorchecker_correction(
    linear_rgb: NDArray[np.float64], measured_patches: NDArray[np.float64], window: Window | None = None
) -> Correction:
    """Correct ``linear_rgb`` (its ``window``, if given) with the 3×3 matrix fitted from measured to
    reference patches (Cheung 2004)."""
    import colour

    ref = colorchecker_reference_linear_srgb()
    with colour.utilities.suppress_warnings(colour_usage_warnings=True, colour_runtime_warnings=True):
        M = colour.characterisation.matrix_colour_correction(
            measured_patches, ref, method="Cheung 2004", terms=3
        )
    M = np.asarray(M, dtype=np.float64)
    out = np.clip(_cut(linear_rgb, window) @ M.T, 0.0, 1.0)
    fitted = np.clip(measured_patches @ M.T, 0.0, 1.0)
    de = delta_e2000_linear_srgb(fitted, ref)
    return Correction(
        linear_rgb=out,
        method="colorchecker",
        calibrated=True,
        matrix=tuple(tuple(float(v) for v in row) for row in M),
        chart_delta_e2000_mean=float(np.mean(de)),
        note="colour corrected with the ColorChecker in the photo (Cheung et al. 2004, 3×3 least squares)",
    )


def delta_e2000_linear_srgb(a: NDArray[np.float64], b: NDArray[np.float64]) -> NDArray[np.float64]:
    """CIEDE2000 colour difference between linear-sRGB colours (D65)."""
    import colour

    from photodose.photos.metrics import lab_from_linear_rgb

    return np.asarray(colour.delta_E(lab_from_linear_rgb(a), lab_from_linear_rgb(b), method="CIE 2000"))


def correct_colour(
    linear_rgb: NDArray[np.float64],
    srgb_float: NDArray[np.float64] | None = None,
    window: Window | None = None,
) -> Correction:
    """The best correction available: a ColorChecker in the frame, else shades of grey (flagged weaker).

    Both are estimated on the whole image; the corrected pixels returned are those of ``window``.
    """
    if srgb_float is not None:
        try:
            patches = detect_colorchecker(srgb_float)
        except Exception:  # the detector may fail on arbitrary photos: fall back
            patches = None
        if patches is not None:
            return colorchecker_correction(linear_rgb, patches, window)
    return shades_of_grey_correction(linear_rgb, window=window)
