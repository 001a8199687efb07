"""MediaPipe face-mesh landmarks and the regions drawn on them, on a real face shipped by a package
(scikit-image's ``astronaut()``; the mediapipe wheel ships no test images) and on synthetic edits
with a known answer: a mirror image, a crop, an in-plane rotation, a head turned by a known angle.

These tests run, never skip: ``make venv`` installs ``mediapipe==0.10.21`` (``--no-deps``, see
docs/photos.md); without it they fail with the command that installs it.
"""

from __future__ import annotations

import importlib.metadata
import io
import os
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from skimage import data as skdata
from skimage.transform import PiecewiseAffineTransform, rotate, warp

from photodose.photos import landmarks as lmk
from photodose.photos.analyse import analyse_photo
from photodose.photos.decode import decode_image
from photodose.photos.quality import YAW_FLAG_DEG
from photodose.photos.regions import REGIONS, detect_face, detect_face_haar, polygon_mask, region_masks

ASTRONAUT = np.ascontiguousarray(skdata.astronaut())


@cache
def mesh(key: str = "astronaut") -> np.ndarray:
    img = {"astronaut": ASTRONAUT, "flipped": np.ascontiguousarray(ASTRONAUT[:, ::-1])}[key]
    faces = lmk.detect_landmarks_mediapipe(img)
    assert len(faces) == 1
    return faces[0]


def test_mediapipe_is_the_offline_release_and_runs_on_numpy_2() -> None:
    try:
        version = importlib.metadata.version("mediapipe")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - the failure message
        pytest.fail(f"mediapipe is not installed: {lmk.MEDIAPIPE_INSTALL}")
    assert version == lmk.MEDIAPIPE_VERSION
    assert int(np.__version__.split(".")[0]) >= 2  # the numpy<2 pin in its metadata is not needed
    import mediapipe

    root = Path(mediapipe.__file__).parent / "modules"
    for model in (
        "face_detection/face_detection_short_range.tflite",
        "face_landmark/face_landmark_with_attention.tflite",
        "face_landmark/face_landmark_front_cpu.binarypb",
    ):
        assert (root / model).stat().st_size > 200, model


def test_index_sets_match_mediapipe_s_own() -> None:
    from mediapipe.python.solutions import face_mesh_connections as conn

    assert {i for e in conn.FACEMESH_NOSE for i in e} == lmk.NOSE_LANDMARKS
    assert {i for e in conn.FACEMESH_FACE_OVAL for i in e} == set(lmk.FACE_OVAL)
    # every polygon index is a face-mesh point (0–467); mirror pairs are one-to-one
    used = {i for polys in lmk.LANDMARK_POLYGONS.values() for poly in polys for i, _ in poly}
    assert used <= set(range(468))
    left, right = zip(*lmk.MIRROR_PAIRS, strict=True)
    assert len(set(left)) == len(left) and len(set(right)) == len(right)


def test_right_regions_are_the_mirror_of_the_left_ones() -> None:
    mirror = dict(lmk.MIRROR_PAIRS) | {r: le for le, r in lmk.MIRROR_PAIRS}
    polys = lmk.LANDMARK_POLYGONS
    assert [mirror[i] for i, _ in polys["left_cheek"][0]] == [i for i, _ in polys["right_cheek"][0]]
    assert [mirror[i] for i, _ in polys["periorbital"][0]] == [i for i, _ in polys["periorbital"][1]]


def test_mirror_pairs_are_mirror_images_on_a_real_face() -> None:
    """A pair (i, j): landmark i on the photo sits where landmark j sits on its mirror image."""
    p, f = mesh("astronaut"), mesh("flipped").copy()
    f[:, 0] = ASTRONAUT.shape[1] - 1 - f[:, 0]
    d = float(np.hypot(*(p[lmk.IRIS_RIGHT, :2] - p[lmk.IRIS_LEFT, :2])))
    for i, j in lmk.MIRROR_PAIRS:
        assert np.hypot(*(p[i, :2] - f[j, :2])) < 0.08 * d, (i, j)


def test_landmarks_are_where_the_face_is() -> None:
    p = mesh()
    assert p.shape == (478, 3)
    # nose tip between the irises horizontally and below them; chin below the mouth
    assert p[lmk.IRIS_LEFT, 0] < p[1, 0] < p[lmk.IRIS_RIGHT, 0]
    assert p[1, 1] > max(p[lmk.IRIS_LEFT, 1], p[lmk.IRIS_RIGHT, 1])
    assert p[lmk.CHIN_BOTTOM, 1] > p[17, 1] > p[1, 1]
    # the interocular distance agrees with the Haar eye cascade's within 10 %
    haar = detect_face_haar(ASTRONAUT)
    face = detect_face(ASTRONAUT, "mediapipe")
    assert haar.eyes_detected
    assert abs(face.interocular_px / haar.interocular_px - 1) < 0.1


def test_landmarks_do_not_depend_on_the_crop() -> None:
    """Static-image mode on a non-square crop gives the same points (MediaPipe warns that NORM_RECT
    without image dimensions is for square ROIs; measured: ≤ 1.4 px here, 0.03 D)."""
    p = mesh()
    crop = lmk.detect_landmarks_mediapipe(np.ascontiguousarray(ASTRONAUT[64:448, :]))[0]
    crop[:, 1] += 64
    d = float(np.hypot(*(p[lmk.IRIS_RIGHT, :2] - p[lmk.IRIS_LEFT, :2])))
    assert np.abs(crop[:, :2] - p[:, :2]).max() < 0.06 * d


def test_regions_sit_on_the_face_and_avoid_the_nose() -> None:
    face = detect_face(ASTRONAUT, "mediapipe")
    assert face.detector == "mediapipe-facemesh" and face.note == ""
    shape = ASTRONAUT.shape[:2]
    masks = region_masks(face, shape)
    hx, hy, hw, hh = detect_face_haar(ASTRONAUT).box
    centres = {}
    for name in REGIONS:
        rows, cols = np.nonzero(masks[name])
        assert rows.size > 100, name
        centres[name] = (cols.mean(), rows.mean())
        assert hx <= cols.min() and cols.max() <= hx + hw, name
        if name == "chin":  # the Haar box ends at the mouth; the chin lies just below it
            assert hy < rows.min() and rows.max() < hy + 1.25 * hh
        else:
            assert hy <= rows.min() and rows.max() <= hy + hh, name
    p = face.landmarks
    assert p is not None
    nose = polygon_mask(shape, lmk.nose_hull_px(p))
    total = np.zeros(shape, int)
    for name in REGIONS:
        assert not (masks[name] & nose).any(), name
        total += masks[name]
    assert total.max() == 1
    nose_x, eye_y, mouth_y = p[1, 0], (face.left_eye[1] + face.right_eye[1]) / 2, p[17, 1]
    assert masks["left_cheek"].nonzero()[1].max() < nose_x < masks["right_cheek"].nonzero()[1].min()
    assert centres["forehead"][1] < eye_y < centres["periorbital"][1] < centres["left_cheek"][1]
    assert centres["chin"][1] > mouth_y
    # periorbital: one band under each eye
    cols = masks["periorbital"].nonzero()[1]
    assert (cols < nose_x).any() and (cols > nose_x).any()


def test_mirror_image_swaps_the_cheeks() -> None:
    shape = ASTRONAUT.shape[:2]
    m = region_masks(detect_face(ASTRONAUT, "mediapipe"), shape)
    f = region_masks(detect_face(np.ascontiguousarray(ASTRONAUT[:, ::-1]), "mediapipe"), shape)
    swap = {"left_cheek": "right_cheek", "right_cheek": "left_cheek"}
    for name in REGIONS:
        a, b = m[name], f[swap.get(name, name)][:, ::-1]
        iou = (a & b).sum() / (a | b).sum()
        assert iou > 0.6, (name, iou)


def turned(degrees: float) -> np.ndarray:
    """astronaut() with the head turned by a known yaw: the mesh rotated about the vertical axis
    (positive: the image-right side moves away) and the photo warped piecewise-affinely onto it."""
    p = mesh()[:468]
    cx = p[:, 0].mean()
    t = np.radians(degrees)
    x, z = p[:, 0] - cx, p[:, 2]
    dst = np.c_[cx + x * np.cos(t) - z * np.sin(t), p[:, 1]]
    h, w = ASTRONAUT.shape[:2]
    s = np.linspace(0, 1, 9)
    frame = np.vstack([np.c_[s * (w - 1), 0 * s], np.c_[s * (w - 1), 0 * s + h - 1]])
    frame = np.vstack([frame, np.c_[0 * s, s * (h - 1)], np.c_[0 * s + w - 1, s * (h - 1)]])
    c = p[:, :2].mean(axis=0)
    r = 1.6 * np.abs(p[:, :2] - c).max(axis=0)
    ang = np.linspace(0, 2 * np.pi, 24, endpoint=False)
    ring = np.vstack([frame, np.c_[c[0] + r[0] * np.cos(ang), c[1] + r[1] * np.sin(ang)]])
    src, out = np.vstack([dst, ring]), np.vstack([p[:, :2], ring])
    if hasattr(PiecewiseAffineTransform, "from_estimate"):  # scikit-image ≥ 0.26
        tf = PiecewiseAffineTransform.from_estimate(src, out)
    else:  # pragma: no cover - scikit-image 0.24–0.25
        tf = PiecewiseAffineTransform()
        assert tf.estimate(src, out)
    return np.asarray(warp(ASTRONAUT, tf, output_shape=(h, w), order=1) * 255, dtype=np.uint8)


@pytest.mark.parametrize("degrees", [-30.0, 30.0])
def test_yaw_of_a_turned_head_is_measured_and_gated(degrees: float) -> None:
    assert abs(lmk.yaw_deg(mesh())) < 3  # the astronaut faces the camera
    img = turned(degrees)
    yaw = lmk.yaw_deg(lmk.detect_landmarks_mediapipe(img)[0])
    # the right sign, and most of the turn (the warp moves the visible surface only: measured 73 %)
    assert np.sign(yaw) == np.sign(degrees) and 0.5 * abs(degrees) < abs(yaw) < 1.2 * abs(degrees)
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, "PNG")
    q = analyse_photo(decode_image(buf.getvalue())).quality
    assert q.values["yaw_deg"] == pytest.approx(yaw, abs=1.0) and abs(yaw) > YAW_FLAG_DEG
    assert any("turned" in r for r in q.reasons)


def test_roll_from_the_irises_follows_a_rotation() -> None:
    img = (rotate(ASTRONAUT, -12, resize=False, mode="edge") * 255).astype(np.uint8)
    face = detect_face(img, "mediapipe")
    base = detect_face(ASTRONAUT, "mediapipe")
    assert face.roll_deg - base.roll_deg == pytest.approx(12, abs=2)
    assert face.yaw_deg is not None and abs(face.yaw_deg) < 5  # a roll is not a yaw


def test_the_result_says_which_detector_was_used(monkeypatch: pytest.MonkeyPatch) -> None:
    buf = io.BytesIO()
    Image.fromarray(ASTRONAUT).save(buf, "PNG")
    decoded = decode_image(buf.getvalue())
    mp = analyse_photo(decoded).as_dict()
    assert mp["face"]["detector"] == "mediapipe-facemesh" and mp["face"]["yaw_deg"] is not None
    monkeypatch.setattr(lmk, "mediapipe_available", lambda: False)
    fallback = analyse_photo(decoded)
    d = fallback.as_dict()["face"]
    assert d["detector"] == "opencv-haar" and "not installed" in d["detector_note"]
    assert d["yaw_deg"] is None
    assert any("average face proportions" in r for r in fallback.quality.reasons)
    with pytest.raises(ValueError, match="detector"):
        detect_face(ASTRONAUT, "dlib")


def test_no_face_anywhere_is_a_clear_error() -> None:
    from photodose.photos.decode import PhotoError

    sky = np.ascontiguousarray(skdata.coffee())
    assert lmk.detect_landmarks_mediapipe(sky) == []
    with pytest.raises(PhotoError, match="no face"):
        detect_face(sky)


NETWORK_FREE_RUN = """
import socket
def _refuse(*a, **k):
    raise OSError("network used")
socket.socket.connect = _refuse
socket.create_connection = _refuse
import numpy as np
from skimage import data
from photodose.photos.landmarks import detect_landmarks_mediapipe
faces = detect_landmarks_mediapipe(np.ascontiguousarray(data.astronaut()))
print(len(faces), faces[0].shape)
"""


def test_models_load_from_the_wheel_without_network() -> None:
    """The face detector and mesh run with Python's sockets disabled and, where user namespaces are
    allowed (``unshare -rn``), in a network namespace with no interface but loopback."""
    cmd = [sys.executable, "-c", NETWORK_FREE_RUN]
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-rn", "true"], capture_output=True).returncode == 0:
        cmd = [unshare, "-rn", *cmd]
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.split() == ["1", "(478,", "3)"]
    assert "XNNPACK" not in r.stderr  # MediaPipe's native log lines are kept off the terminal


def test_a_small_face_in_a_wide_frame_gets_its_mesh_from_the_haar_box() -> None:
    """MediaPipe's short-range detector sees the frame at 128 px and misses a face 9 % of its width;
    the mesh is then run on a crop around the Haar face and lands where it does on the face alone."""
    wide = np.full((683, 1024, 3), 110, np.uint8)
    wide[85:597, 0:512] = ASTRONAUT
    assert lmk.detect_landmarks_mediapipe(wide) == []
    face = detect_face(wide)
    assert face.detector == "mediapipe-facemesh" and "Haar face box" in face.note
    assert face.landmarks is not None
    p = mesh()
    d = float(np.hypot(*(p[lmk.IRIS_RIGHT, :2] - p[lmk.IRIS_LEFT, :2])))
    assert np.abs(face.landmarks[:, :2] - (p[:, :2] + [0, 85])).max() < 0.1 * d


def test_progress_compares_only_photos_whose_regions_one_detector_placed() -> None:
    from datetime import date, datetime
    from types import SimpleNamespace

    from photodose.photos.service import progress
    from photodose.photos.store import PhotoRecord

    def rec(day: int, detector: str | None, a: float) -> PhotoRecord:
        face = {} if detector is None else {"detector": detector}
        return PhotoRecord(
            f"{day:064d}", date(2026, 9, day), datetime(2026, 9, day), "flagged", "shades-of-grey", False,
            {"face": {"a": a}}, {"face": face}, Path(f"{day}.png"),
        )  # fmt: skip

    # older photos (no detector recorded: Haar) read 3 a* higher on other skin than the mesh regions
    recs = [rec(1, None, 5.0), rec(2, None, 5.1), rec(3, "opencv-haar", 5.0)]
    recs += [rec(d, "mediapipe-facemesh", a) for d, a in ((4, 2.0), (4, 2.2), (8, 2.1), (12, 2.1))]
    out = progress(SimpleNamespace(records=lambda: recs))  # type: ignore[arg-type]
    assert out["detector"] == "mediapipe-facemesh" and out["n_photos"] == 4 and out["left_out"] == 3
    a = next(t for t in out["trends"] if t["region"] == "face" and t["metric"] == "a")
    assert a["verdict"] == "no change beyond noise" and a["first"] == pytest.approx(2.1)
