"""Quality gates on real photos with known defects made synthetically: blur, over-exposure, a small
face, a tilted head, a lighting change."""

from __future__ import annotations

import io
from functools import cache

import numpy as np
from PIL import Image
from scipy.ndimage import gaussian_filter
from skimage import data as skdata
from skimage.transform import rotate

from photodose.photos.analyse import PhotoAnalysis, analyse_photo
from photodose.photos.decode import PhotoError, decode_image, linear_to_srgb, srgb_to_linear


def run(u8: np.ndarray, reference: dict[str, float] | None = None) -> PhotoAnalysis:
    buf = io.BytesIO()
    Image.fromarray(u8).save(buf, "PNG")
    return analyse_photo(decode_image(buf.getvalue()), reference=reference)


@cache
def face_closeup() -> np.ndarray:
    """astronaut()'s face cropped and enlarged 3× (interocular ≈ 135 px, like a phone selfie)."""
    crop = Image.fromarray(np.asarray(skdata.astronaut())[20:250, 120:330])
    return np.asarray(crop.resize((630, 690), Image.Resampling.LANCZOS))


@cache
def good() -> PhotoAnalysis:
    return run(face_closeup())


def test_good_photo_passes_the_camera_gates() -> None:
    q = good().quality
    assert q.status != "rejected"
    assert not any(w in " ".join(q.reasons) for w in ("blur", "small", "tilted", "blown"))
    assert q.values["interocular_px"] > 100


def test_blur_is_rejected() -> None:
    blurred = gaussian_filter(face_closeup().astype(float), sigma=(6, 6, 0))
    q = run(np.clip(blurred, 0, 255).astype(np.uint8)).quality
    assert q.status == "rejected"
    assert any("blurred" in r for r in q.reasons)
    assert q.values["laplacian_var"] < good().quality.values["laplacian_var"] / 5


def test_overexposure_is_rejected() -> None:
    bright = np.round(linear_to_srgb(srgb_to_linear(face_closeup()) * 3.0) * 255).astype(np.uint8)
    q = run(bright).quality
    assert q.status == "rejected"
    assert any("blown out" in r for r in q.reasons)


def test_small_face_is_rejected_or_not_found() -> None:
    tiny = np.asarray(Image.fromarray(np.asarray(skdata.astronaut())).resize((256, 256)))
    canvas = np.full((600, 800, 3), 128, np.uint8)
    canvas[:256, :256] = tiny
    try:
        q = run(canvas).quality
    except PhotoError as e:
        assert "no face" in e.message
    else:
        assert q.status == "rejected" and any("too small" in r for r in q.reasons)


def test_tilted_head_is_flagged() -> None:
    tilted = (rotate(face_closeup(), 16, mode="edge") * 255).astype(np.uint8)
    a = run(tilted)
    assert a.face.eyes_detected
    assert 10 < a.quality.values["roll_deg"] < 22
    assert any("tilted" in r for r in a.quality.reasons)


def test_lighting_change_is_flagged() -> None:
    v = good().quality.values
    ref = {"illuminant_r": v["illuminant_r"], "illuminant_g": v["illuminant_g"], "balance": v["balance"]}
    lin = srgb_to_linear(face_closeup())
    warm = np.round(linear_to_srgb(lin * np.array([1.0, 0.8, 0.55])) * 255).astype(np.uint8)
    q = run(warm, reference=ref).quality
    assert any("light's colour changed" in r for r in q.reasons)
    side = lin * np.linspace(1.0, 0.4, lin.shape[1])[None, :, None]  # light from the left
    q2 = run(np.round(linear_to_srgb(side) * 255).astype(np.uint8), reference=ref).quality
    assert any("another side" in r for r in q2.reasons)
    same = run(face_closeup(), reference=ref).quality
    assert not any("light" in r and "changed" in r for r in same.reasons)


def test_photos_without_a_face_are_refused() -> None:
    """scikit-image's other real photos (a coffee cup, a cat, a rocket, a micrograph): no face."""
    for name in ("coffee", "chelsea", "rocket", "immunohistochemistry"):
        img = np.asarray(getattr(skdata, name)())
        try:
            run(img)
        except PhotoError as e:
            assert "no face" in e.message and e.fix
        else:
            raise AssertionError(f"a face was reported in skimage.data.{name}()")
