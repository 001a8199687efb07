"""Colour correction: the ColorChecker reference against X-Rite's published sRGB values, chart
detection and correction on a synthetic scene with a known colour cast, and the shades-of-grey
fallback on a grey scene."""

from __future__ import annotations

import io
from functools import cache

import numpy as np
import pytest
from PIL import Image
from skimage import data as skdata

from photodose.photos import colour_correction as cc
from photodose.photos.analyse import analyse_photo
from photodose.photos.decode import decode_image, linear_to_srgb, srgb_to_linear

#: A warm camera/illuminant cast (linear RGB mixing, no channel gain above 1 so nothing new clips).
CAST = 0.85 * np.array([[1.10, 0.05, 0.0], [0.05, 0.90, 0.02], [0.0, 0.05, 0.70]])


def chart_scene(cast: np.ndarray | None = None) -> np.ndarray:
    """Linear RGB: the astronaut photo beside a ColorChecker 24 on a dark mount, on a grey wall."""
    ref = cc.colorchecker_reference_linear_srgb()
    img = np.full((683, 1024, 3), 0.18)
    img[85:597, 0:512] = srgb_to_linear(np.asarray(skdata.astronaut()))
    x0, y0, s, gap = 580, 200, 64, 10
    img[y0 - gap : y0 + 4 * (s + gap), x0 - gap : x0 + 6 * (s + gap)] = 0.01
    for i in range(24):
        r, c = divmod(i, 6)
        img[y0 + r * (s + gap) : y0 + r * (s + gap) + s, x0 + c * (s + gap) : x0 + c * (s + gap) + s] = ref[i]
    return img if cast is None else np.clip(img @ cast.T, 0, 1)


def png_of_linear(lin: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.round(linear_to_srgb(lin) * 255).astype(np.uint8)).save(buf, "PNG")
    return buf.getvalue()


@cache
def analysed(cast: bool) -> object:
    return analyse_photo(decode_image(png_of_linear(chart_scene(CAST if cast else None))))


def test_reference_patches_match_measured_spectra() -> None:
    """The chart reference (X-Rite's post-2014 chromaticities, D50, Bradford-adapted to D65) against
    an independent path: BabelColor's average of measured ColorChecker reflectance spectra
    (Pascale 2006, "RGB coordinates of the Macbeth ColorChecker", BabelColor) integrated under D65.
    Mean ΔE2000 0.9, max 2.7 (light skin) — chart-to-chart and formulation differences."""
    import colour

    shape = colour.SpectralShape(380, 780, 10)
    cmfs = colour.MSDS_CMFS["CIE 1931 2 Degree Standard Observer"].copy().align(shape)
    ill = colour.SDS_ILLUMINANTS["D65"]
    sds = colour.SDS_COLOURCHECKERS["BabelColor Average"]
    with colour.utilities.suppress_warnings(colour_usage_warnings=True, colour_runtime_warnings=True):
        xyz = np.array(
            [colour.sd_to_XYZ(sd.copy().align(shape), cmfs=cmfs, illuminant=ill) / 100 for sd in sds.values()]
        )
    from photodose.photos.metrics import lab_from_linear_rgb

    de = colour.delta_E(
        colour.XYZ_to_Lab(xyz, colour.RGB_COLOURSPACES["sRGB"].whitepoint),
        lab_from_linear_rgb(cc.colorchecker_reference_linear_srgb()),
        method="CIE 2000",
    )
    assert float(np.mean(de)) < 1.5 and float(np.max(de)) < 3.5
    # and the familiar 8-bit sRGB of "dark skin", (115, 82, 68), within 3 code values
    srgb = np.round(linear_to_srgb(cc.colorchecker_reference_linear_srgb()) * 255)
    assert np.abs(srgb[0] - np.array([115, 82, 68])).max() <= 3


def test_chart_is_found_and_corrects_the_cast() -> None:
    scene = chart_scene(CAST)
    patches = cc.detect_colorchecker(linear_to_srgb(scene))
    assert patches is not None
    ref = cc.colorchecker_reference_linear_srgb()
    before = float(np.mean(cc.delta_e2000_linear_srgb(patches, ref)))
    corr = cc.colorchecker_correction(scene, patches)
    assert before > 4.0
    assert corr.chart_delta_e2000_mean is not None and corr.chart_delta_e2000_mean < 1.0
    assert corr.calibrated and corr.method == "colorchecker"


def test_calibrated_skin_colour_is_the_same_under_a_cast() -> None:
    """With the chart in frame the face's L*a*b* under the cast matches the uncast photo within
    ΔE ≈ 1.5 per axis; an uncorrected reading would be off by several units."""
    plain, cast = analysed(False), analysed(True)
    assert plain.correction.method == cast.correction.method == "colorchecker"
    for k in ("L", "a", "b"):
        assert cast.metrics["face"][k] == pytest.approx(plain.metrics["face"][k], abs=1.5), k
    assert plain.quality.status != "rejected"


def test_shades_of_grey_removes_a_cast_on_a_grey_scene() -> None:
    rng = np.random.default_rng(3)
    grey = np.clip(rng.uniform(0.05, 0.6, (120, 160, 1)) * np.ones(3), 0, 1)
    tinted = grey * np.array([1.2, 1.0, 0.7])
    corr = cc.shades_of_grey_correction(tinted)
    assert not corr.calibrated and "weaker" in corr.note
    assert np.allclose(corr.linear_rgb, grey, atol=2e-3)


def test_no_chart_falls_back_to_shades_of_grey() -> None:
    a = analyse_photo(decode_image(png_of_linear(srgb_to_linear(np.asarray(skdata.astronaut())))))
    assert a.correction.method == "shades-of-grey"
    assert any("no colour chart" in r for r in a.quality.reasons)
