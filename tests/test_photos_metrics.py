"""Photo metrics against published values and synthetic edits with known ground truth.

Real image: scikit-image's ``astronaut()`` (Eileen Collins, NASA, public domain). Edits are made in
float CIELAB / linear RGB and re-encoded as 8-bit PNG, as a camera would deliver them.
"""

from __future__ import annotations

import io
from functools import cache

import colour
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from skimage import data as skdata

from photodose.photos.analyse import PhotoAnalysis, analyse_photo
from photodose.photos.decode import decode_image, linear_to_srgb, srgb_to_linear
from photodose.photos.metrics import (
    erythema_index,
    ita_deg,
    lab_from_linear_rgb,
    melanin_index,
    texture_rms,
)
from photodose.photos.regions import REGIONS, region_masks


def png(u8: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(u8).save(buf, "PNG")
    return buf.getvalue()


def jpeg(u8: np.ndarray, q: int) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(u8).save(buf, "JPEG", quality=q)
    return buf.getvalue()


def encode(linear: np.ndarray) -> np.ndarray:
    return np.round(linear_to_srgb(linear) * 255).astype(np.uint8)


@cache
def astronaut() -> np.ndarray:
    return np.asarray(skdata.astronaut())


@cache
def base() -> PhotoAnalysis:
    return analyse_photo(decode_image(png(astronaut())))


@cache
def repeat_noise() -> dict[str, float]:
    """SD of face metrics over synthetic same-day repeats: shifted a few pixels, JPEG at 88–95."""
    rows = []
    for dx, dy, q in [(0, 0, 95), (3, 2, 90), (-2, 4, 92), (4, -3, 88)]:
        a = analyse_photo(decode_image(jpeg(np.roll(astronaut(), (dy, dx), axis=(0, 1)), q)))
        rows.append(a.metrics["face"])
    return {k: float(np.std([r[k] for r in rows], ddof=1)) for k in ("erythema_index", "a", "L")}


def test_lab_matches_published_srgb_values() -> None:
    # sRGB primaries and white in CIELAB (D65), as tabulated by Lindbloom's calculator and
    # colour-science's own reference tests: red (53.24, 80.09, 67.20), green (87.73, -86.18, 83.18).
    lab = lab_from_linear_rgb(np.array([[1.0, 0, 0], [0, 1.0, 0], [1.0, 1.0, 1.0]]))
    assert lab[0] == pytest.approx([53.24, 80.09, 67.20], abs=0.05)
    assert lab[1] == pytest.approx([87.73, -86.18, 83.18], abs=0.05)
    assert lab[2] == pytest.approx([100.0, 0.0, 0.0], abs=0.01)


def test_ita_on_chardon_categories() -> None:
    assert float(ita_deg(70.0, 15.0)) == pytest.approx(np.degrees(np.arctan(20 / 15)))  # 53.1°, "light"
    assert float(ita_deg(50.0, 20.0)) == pytest.approx(0.0)  # L* = 50: the "brown" band
    assert float(ita_deg(30.0, 15.0)) < -30  # "dark"


@settings(max_examples=200, deadline=None)
@given(st.floats(0.01, 1.0), st.floats(0.01, 1.0), st.floats(0.05, 20.0))
def test_erythema_index_is_exposure_invariant(r: float, g: float, k: float) -> None:
    """EI = 100·log10(R/G) does not move when every channel is scaled (exposure); MI does."""
    assert float(erythema_index(k * r, k * g)) == pytest.approx(float(erythema_index(r, g)), abs=1e-9)
    assert float(melanin_index(k * r)) == pytest.approx(float(melanin_index(r)) - 100 * np.log10(k), abs=1e-9)


def test_regions_are_on_the_face_and_exclude_the_nose() -> None:
    a = base()
    assert a.face.eyes_detected
    x, y, w, _h = a.face.box
    assert 150 < x < 200 and 40 < y < 90 and 80 < w < 120  # Collins' face in astronaut()
    masks = region_masks(a.face, astronaut().shape[:2])
    for name in REGIONS:
        assert masks[name].sum() > 150, name
    # a point on the nose bridge, between and below the eyes, is in no region
    mx, my = a.face.eye_midpoint
    nose = (round(my + 0.4 * a.face.interocular_px), round(mx))
    assert not any(m[nose] for m in masks.values())
    # left and right cheeks sit on either side of the face centre
    cl = np.argwhere(masks["left_cheek"])[:, 1].mean()
    cr = np.argwhere(masks["right_cheek"])[:, 1].mean()
    assert cl < mx < cr


def test_face_colour_is_skin() -> None:
    m = base().metrics["face"]
    assert 50 < m["L"] < 85 and 0 < m["b"] < 30 and -5 < m["a"] < 20
    assert 20 < m["ita_deg"] < 70  # a light-skinned person: "intermediate" to "very light"


def test_known_redness_shift_is_measured() -> None:
    """+3 a* added to the skin regions (float Lab) is measured as +3 ± 0.6 in the cheeks and the
    periorbital region (the scene-based white balance absorbs a few tenths)."""
    a = base()
    lab = lab_from_linear_rgb(srgb_to_linear(astronaut()))
    masks = region_masks(a.face, astronaut().shape[:2])
    skin = np.zeros(astronaut().shape[:2], bool)
    for m in masks.values():
        skin |= m
    lab[skin, 1] += 3.0
    cs = colour.RGB_COLOURSPACES["sRGB"]
    lin = colour.Lab_to_XYZ(lab, cs.whitepoint) @ np.asarray(cs.matrix_XYZ_to_RGB).T
    shifted = analyse_photo(decode_image(png(encode(lin))))
    for region in ("left_cheek", "right_cheek", "periorbital", "face"):
        d = shifted.metrics[region]["a"] - a.metrics[region]["a"]
        assert d == pytest.approx(3.0, abs=0.6), region
        assert shifted.metrics[region]["erythema_index"] > a.metrics[region]["erythema_index"] + 1.0
    # L* barely moves with a pure a* edit: a little through the white balance and through gamut
    # clipping — the landmark cheeks sit on the cheekbone highlight, where +3 a* pushes the red channel
    # into clipping and the highlight cut drops those pixels (left cheek: 12 → 69 cut, L* −1.7; face −1.6)
    assert shifted.metrics["face"]["L"] == pytest.approx(a.metrics["face"]["L"], abs=2.0)


def test_exposure_change_does_not_move_redness_beyond_repeat_noise() -> None:
    """A 10 % darker photo: the log-ratio redness stays within the MDC95 of same-day repeats,
    while L* moves far beyond its own (so the test can tell a real change)."""
    noise = repeat_noise()
    mdc = {k: 1.96 * np.sqrt(2) * v for k, v in noise.items()}
    darker = analyse_photo(decode_image(png(encode(srgb_to_linear(astronaut()) * 0.9))))
    d_ei = darker.metrics["face"]["erythema_index"] - base().metrics["face"]["erythema_index"]
    d_L = darker.metrics["face"]["L"] - base().metrics["face"]["L"]
    assert abs(d_ei) < mdc["erythema_index"], (d_ei, mdc)
    assert abs(d_L) > 3 * mdc["L"], (d_L, mdc)


def test_texture_falls_with_blur_and_rises_with_grain() -> None:
    rng = np.random.default_rng(1)
    L = 60 + rng.normal(0, 2.0, (200, 200))
    mask = np.zeros((200, 200), bool)
    mask[40:160, 40:160] = True
    from scipy.ndimage import gaussian_filter

    t0 = texture_rms(L, mask, 5.0)
    assert texture_rms(gaussian_filter(L, 2.0), mask, 5.0) < 0.5 * t0
    assert texture_rms(L + rng.normal(0, 2.0, L.shape), mask, 5.0) > 1.2 * t0
    # a smooth ramp (shading, not texture) scores near zero
    ramp = np.tile(np.linspace(40, 80, 200), (200, 1))
    assert texture_rms(ramp, mask, 5.0) < 0.1 * t0


def test_red_blotch_lowers_evenness() -> None:
    a = base()
    lin = srgb_to_linear(astronaut()).copy()
    masks = region_masks(a.face, astronaut().shape[:2])
    rows, cols = np.nonzero(masks["left_cheek"])
    r0, c0 = int(rows.mean()), int(cols.mean())
    lin[r0 - 4 : r0 + 4, c0 - 4 : c0 + 4, 1:] *= 0.75  # a red spot (less green and blue)
    blotchy = analyse_photo(decode_image(png(encode(lin))))
    assert blotchy.metrics["left_cheek"]["a_sd"] > a.metrics["left_cheek"]["a_sd"] + 0.5
    assert blotchy.metrics["right_cheek"]["a_sd"] == pytest.approx(a.metrics["right_cheek"]["a_sd"], abs=0.2)
