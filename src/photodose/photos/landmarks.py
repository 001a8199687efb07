"""Face landmarks from MediaPipe Face Mesh, and the skin regions drawn on them.

MediaPipe Face Mesh (Kartynnik, Ablavatski, Grishchenko & Grundmann 2019, "Real-time Facial Surface
Geometry from Monocular Video on Mobile GPUs", CVPR Workshop on Computer Vision for AR/VR,
arXiv:1907.06724) gives 468 surface points of the face (478 with the iris refinement) in image x, y
and a relative depth z on the same scale as x. The indices are those of MediaPipe's canonical face
model: the index map is ``mediapipe/modules/face_geometry/data/canonical_face_model_uv_visualization.png``
in https://github.com/google-ai-edge/mediapipe, and the contour sets (``FACEMESH_NOSE``, the eyebrows,
the face oval) are in ``mediapipe/python/solutions/face_mesh_connections.py`` of the wheel.

Only ``mediapipe==0.10.21`` is used: it is the last release whose wheel carries the face-detection
and face-mesh models (``mediapipe/modules/face_landmark/face_landmark_with_attention.tflite`` …), so it
runs with no network access; later releases download models at run time. Its metadata pins
``numpy<2``, but the compiled module runs unchanged on numpy 2 (identical landmarks on numpy 1.26.4
and 2.4.6, tested), so it is installed with ``pip install --no-deps mediapipe==0.10.21`` next to its
real run-time needs (``absl-py``, ``attrs``, ``flatbuffers``, ``protobuf<5``; ``[photos]`` extra);
``make venv`` does both. Without it, :mod:`photodose.photos.regions` falls back to OpenCV's Haar
cascades and average face proportions.

Regions (image left/right; the person's right cheek is the image's left in an unmirrored photo),
as polygons through landmark indices chosen on the canonical map, the nose's convex hull cut out:

- forehead: the mesh row 104–69–108–151–337–299–333 above, the upper eyebrow contours lifted by
  0.08 D (D = distance between the iris centres) below, so that brow hair stays out — the lower
  half of the forehead: hair often covers the upper half, and the mesh row 10–109–338 lies in it;
- left / right cheek: under the infra-orbital row (117–119), beside the nose (100, 142), above the
  nasolabial fold (203, 206, 216) and inside the face outline (207, 187, 147, 123, 116) — and mirror;
- periorbital: the band under each eye from the lower-lid crease (row 25–112, below the lashes) to
  the infra-orbital row 111–121 (and mirror);
- chin: below the lower lip (83–18–313) and above the jaw line (175).
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import tempfile
from collections.abc import Iterator
from typing import Any

import numpy as np
from numpy.typing import NDArray

#: The one MediaPipe release that works offline (models inside the wheel).
MEDIAPIPE_VERSION = "0.10.21"
MEDIAPIPE_INSTALL = f"pip install --no-deps mediapipe=={MEDIAPIPE_VERSION} (or: make venv)"

#: Iris centres (refined landmarks): image-left eye (the person's right) and image-right eye.
IRIS_LEFT, IRIS_RIGHT = 468, 473
#: Outermost face-oval points at the level of the eyes (image left, image right), forehead top, chin.
OVAL_LEFT, OVAL_RIGHT, FOREHEAD_TOP, CHIN_BOTTOM = 234, 454, 10, 152
#: The face oval (``FACEMESH_FACE_OVAL``), in order around the face.
FACE_OVAL = (
    10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377,
    152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109,
)  # fmt: skip
#: The nose (``FACEMESH_NOSE`` of mediapipe 0.10.21): its convex hull is cut out of every region.
NOSE_LANDMARKS = frozenset(
    {1, 2, 4, 5, 6, 19, 45, 48, 64, 94, 97, 98, 115, 168, 195, 197, 220, 275, 278, 294, 326, 327, 344, 440}
)

#: A polygon vertex: a landmark index and a shift along the face's "up" axis in units of D.
Vertex = tuple[int, float]
_BROW_LIFT_D = 0.08


def _v(*indices: int, lift_d: float = 0.0) -> tuple[Vertex, ...]:
    return tuple((i, lift_d) for i in indices)


#: Region polygons through canonical face-mesh indices (see the module docstring).
LANDMARK_POLYGONS: dict[str, tuple[tuple[Vertex, ...], ...]] = {
    "forehead": (
        _v(104, 69, 108, 151, 337, 299, 333)
        + _v(293, 334, 296, 336, 9, 107, 66, 105, 63, lift_d=_BROW_LIFT_D),
    ),
    "left_cheek": (_v(117, 118, 119, 100, 142, 203, 206, 216, 207, 187, 147, 123, 116),),
    "right_cheek": (_v(346, 347, 348, 329, 371, 423, 426, 436, 427, 411, 376, 352, 345),),
    "periorbital": (
        _v(25, 110, 24, 23, 22, 26, 112, 121, 120, 119, 118, 117, 111),
        _v(255, 339, 254, 253, 252, 256, 341, 350, 349, 348, 347, 346, 340),
    ),
    "chin": (_v(83, 18, 313, 421, 428, 396, 175, 171, 208, 201),),
}
#: Image-left ↔ image-right landmark pairs used above (mirror images on the canonical face).
MIRROR_PAIRS: tuple[tuple[int, int], ...] = (
    (104, 333), (69, 299), (108, 337), (63, 293), (105, 334), (66, 296), (107, 336),
    (117, 346), (118, 347), (119, 348), (100, 329), (142, 371), (203, 423), (206, 426), (216, 436),
    (207, 427), (187, 411), (147, 376), (123, 352), (116, 345),
    (25, 255), (110, 339), (24, 254), (23, 253), (22, 252), (26, 256), (112, 341), (121, 350), (120, 349),
    (111, 340), (83, 313), (201, 421), (208, 428), (171, 396),
    (IRIS_LEFT, IRIS_RIGHT), (OVAL_LEFT, OVAL_RIGHT),
)  # fmt: skip


def mediapipe_available() -> bool:
    """Whether ``mediapipe`` is importable (without importing it)."""
    return importlib.util.find_spec("mediapipe") is not None


@contextlib.contextmanager
def _native_stderr_silenced() -> Iterator[None]:
    """Send file descriptor 2 to a temporary file while MediaPipe's C++ graph runs.

    MediaPipe's native code logs ("Created TensorFlow Lite XNNPACK delegate", feedback-manager
    warnings) straight to fd 2, ignoring ``GLOG_minloglevel``; a command's output must stay clean.
    """
    try:
        saved = os.dup(2)
    except OSError:  # pragma: no cover - no fd 2 at all
        yield
        return
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def detect_landmarks_mediapipe(srgb_u8: NDArray[np.uint8], max_faces: int = 4) -> list[NDArray[np.float64]]:
    """Face-mesh landmarks of every face found (MediaPipe Face Mesh, static-image mode, refined irises).

    Returns one array of shape (478, 3) per face: image x, y in pixels and z (relative depth, same
    scale as x; smaller is nearer the camera). An empty list when no face is found. Raises
    ``ImportError`` when mediapipe is not installed.
    """
    from mediapipe.python.solutions import face_mesh

    img = np.ascontiguousarray(srgb_u8, dtype=np.uint8)
    h, w = img.shape[:2]
    with (
        _native_stderr_silenced(),
        face_mesh.FaceMesh(
            static_image_mode=True,
            max_num_faces=max_faces,
            refine_landmarks=True,
            min_detection_confidence=0.5,
        ) as fm,
    ):
        result: Any = fm.process(img)
    faces = result.multi_face_landmarks or []
    return [np.array([(p.x * w, p.y * h, p.z * w) for p in f.landmark], dtype=np.float64) for f in faces]


def yaw_deg(landmarks: NDArray[np.float64]) -> float:
    """Head yaw (degrees; 0 facing the camera) from the depth difference across the face.

    yaw = atan2(z₄₅₄ − z₂₃₄, x₄₅₄ − x₂₃₄), the angle of the line between the outermost face-oval
    points at eye level (234 image-left, 454 image-right) out of the image plane; positive when the
    image-right side of the face is farther from the camera.
    """
    p, q = landmarks[OVAL_LEFT], landmarks[OVAL_RIGHT]
    return float(np.degrees(np.arctan2(q[2] - p[2], q[0] - p[0])))


def pitch_deg(landmarks: NDArray[np.float64]) -> float:
    """Head pitch (degrees) from forehead top (10) to chin (152): atan2(z₁₅₂ − z₁₀, y₁₅₂ − y₁₀).

    Not zero for a level head (the face is not a vertical plane: about +10° on scikit-image's
    astronaut, who faces the camera); reported, not gated.
    """
    p, q = landmarks[FOREHEAD_TOP], landmarks[CHIN_BOTTOM]
    return float(np.degrees(np.arctan2(q[2] - p[2], q[1] - p[1])))


def face_up_unit(landmarks: NDArray[np.float64]) -> NDArray[np.float64]:
    """Unit image vector pointing up the face (perpendicular to the iris line, towards the forehead)."""
    d = landmarks[IRIS_RIGHT, :2] - landmarks[IRIS_LEFT, :2]
    up = np.array([d[1], -d[0]]) / max(float(np.hypot(*d)), 1e-9)
    return up.astype(np.float64)


def polygon_px(landmarks: NDArray[np.float64], polygon: tuple[Vertex, ...]) -> NDArray[np.float64]:
    """Image (x, y) vertices of a landmark polygon, each shifted up the face by its lift (units of D)."""
    d = float(np.hypot(*(landmarks[IRIS_RIGHT, :2] - landmarks[IRIS_LEFT, :2])))
    up = face_up_unit(landmarks)
    pts = np.array([landmarks[i, :2] + lift * d * up for i, lift in polygon], dtype=np.float64)
    return pts


def nose_hull_px(landmarks: NDArray[np.float64]) -> NDArray[np.float64]:
    """The convex hull (image x, y, counter-clockwise) of :data:`NOSE_LANDMARKS`."""
    from scipy.spatial import ConvexHull

    pts = landmarks[sorted(NOSE_LANDMARKS), :2]
    hull = ConvexHull(pts)
    out: NDArray[np.float64] = pts[hull.vertices]
    return out
