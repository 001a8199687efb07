"""The face in a photo and its skin regions: forehead, each cheek, periorbital, chin (nose excluded).

Two detectors, best first (:func:`detect_face`):

1. **MediaPipe Face Mesh** (``mediapipe==0.10.21``, models inside the wheel, offline; see
   :mod:`photodose.photos.landmarks`): 478 landmarks; the regions are polygons through canonical
   face-mesh indices, the nose's hull cut out, and the head's yaw is measured from the mesh depth.
2. **OpenCV Haar cascades** shipped inside the ``opencv-python(-headless)`` 4.x wheels
   (``haarcascade_frontalface_default.xml``, then ``haarcascade_eye.xml`` inside the face; Viola &
   Jones 2001, CVPR; Lienhart & Maydt 2002, ICIP), when mediapipe is not installed or finds no face.
   They give a face box and the two eyes, not a mesh, so regions are placed in a face frame anchored
   on the eyes.

Haar face frame: origin at the midpoint between the eyes, x towards the image right along the eye
line, y down, unit = interocular distance D. Region polygons in this frame follow average adult
facial proportions (Farkas, *Anthropometry of the Head and Face*, 2nd ed., Raven Press 1994: the
intercanthal / biocular widths and the vertical thirds of the face), an ASSUMPTION per face of
±0.1 D. The nose (|x| < 0.3 D, −0.1 < y < 0.95 D) is cut out of every region.

The result says which detector placed the regions (``FaceGeometry.detector``: ``mediapipe-facemesh``
or ``opencv-haar``) and, for the fallback, why (``FaceGeometry.note``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from photodose.photos import landmarks as lmk
from photodose.photos.decode import PhotoError

REGIONS = ("forehead", "left_cheek", "right_cheek", "periorbital", "chin")

#: Region polygons in the face frame (x, y in units of the interocular distance D). "left" and
#: "right" are the image's left and right (the person's right and left in a selfie that is not mirrored).
REGION_POLYGONS_D: dict[str, tuple[tuple[tuple[float, float], ...], ...]] = {
    "forehead": (((-0.6, -0.95), (0.6, -0.95), (0.55, -0.5), (-0.55, -0.5)),),
    "left_cheek": (((-0.95, 0.35), (-0.38, 0.35), (-0.38, 0.95), (-0.8, 0.95)),),
    "right_cheek": (((0.38, 0.35), (0.95, 0.35), (0.8, 0.95), (0.38, 0.95)),),
    "periorbital": (
        ((-0.8, 0.17), (-0.22, 0.17), (-0.22, 0.32), (-0.8, 0.32)),
        ((0.22, 0.17), (0.8, 0.17), (0.8, 0.32), (0.22, 0.32)),
    ),
    "chin": (((-0.32, 1.5), (0.32, 1.5), (0.28, 1.75), (-0.28, 1.75)),),
}
NOSE_POLYGON_D = ((-0.3, -0.1), (0.3, -0.1), (0.3, 0.95), (-0.3, 0.95))
#: Interocular distance and eye height as fractions of the Haar face box, used when the eye cascade
#: does not find both eyes (measured on scikit-image's astronaut: 0.48 w, 0.38 h; ASSUMPTION ±0.05).
DEFAULT_EYE_SPACING_FRAC = 0.47
DEFAULT_EYE_HEIGHT_FRAC = 0.38


@dataclass(frozen=True)
class FaceGeometry:
    """A detected face: box (x, y, w, h in pixels), eye centres (pixels) and how they were found."""

    box: tuple[int, int, int, int]
    left_eye: tuple[float, float]
    right_eye: tuple[float, float]
    eyes_detected: bool
    n_faces: int
    detector: str = "opencv-haar"
    #: MediaPipe face-mesh landmarks (478 × 3: x, y pixels, z relative depth), None for Haar faces.
    landmarks: NDArray[np.float64] | None = field(default=None, compare=False, repr=False)
    #: Why the fallback detector was used (empty for MediaPipe).
    note: str = ""

    @property
    def yaw_deg(self) -> float | None:
        """Head yaw from the face mesh (degrees; None without landmarks). See :func:`landmarks.yaw_deg`."""
        return None if self.landmarks is None else lmk.yaw_deg(self.landmarks)

    @property
    def pitch_deg(self) -> float | None:
        """Head pitch from the face mesh (degrees; None without landmarks)."""
        return None if self.landmarks is None else lmk.pitch_deg(self.landmarks)

    @property
    def interocular_px(self) -> float:
        return float(np.hypot(self.right_eye[0] - self.left_eye[0], self.right_eye[1] - self.left_eye[1]))

    @property
    def roll_deg(self) -> float:
        """Head roll: angle of the eye line from horizontal (degrees, positive clockwise in the image)."""
        dx = self.right_eye[0] - self.left_eye[0]
        dy = self.right_eye[1] - self.left_eye[1]
        return float(np.degrees(np.arctan2(dy, dx)))

    @property
    def eye_midpoint(self) -> tuple[float, float]:
        return (
            (self.left_eye[0] + self.right_eye[0]) / 2.0,
            (self.left_eye[1] + self.right_eye[1]) / 2.0,
        )

    def to_image(self, points_d: NDArray[np.float64]) -> NDArray[np.float64]:
        """Face-frame points (units of D) → image (x, y) pixels: rotate by the roll, scale by D, shift."""
        d = self.interocular_px
        a = np.radians(self.roll_deg)
        rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
        cx, cy = self.eye_midpoint
        out: NDArray[np.float64] = (np.asarray(points_d, dtype=np.float64) * d) @ rot.T + np.array([cx, cy])
        return out


def _cascade(name: str) -> Any:
    import cv2

    clf = cv2.CascadeClassifier(cv2.data.haarcascades + name)  # type: ignore[attr-defined]
    if clf.empty():  # pragma: no cover - an OpenCV build without cascades (5.x)
        raise PhotoError(
            "IMAGE",
            f"OpenCV has no {name} (OpenCV 5 ships no Haar cascades)",
            "install the photos extra: pip install 'photodose[photos]' (opencv-python-headless<5)",
        )
    return clf


def detect_face_haar(srgb_u8: NDArray[np.uint8]) -> FaceGeometry:
    """The frontal face (two eyes found first, then the largest) and its eyes (OpenCV Haar cascades).

    Raises :class:`PhotoError` when no face is found.
    """
    import cv2

    grey: NDArray[np.uint8] = np.asarray(
        cv2.equalizeHist(cv2.cvtColor(np.ascontiguousarray(srgb_u8), cv2.COLOR_RGB2GRAY)), dtype=np.uint8
    )
    h_img, w_img = grey.shape
    min_side = max(40, int(0.08 * min(h_img, w_img)))
    faces = _cascade("haarcascade_frontalface_default.xml").detectMultiScale(
        grey, scaleFactor=1.1, minNeighbors=5, minSize=(min_side, min_side)
    )
    if len(faces) == 0:
        raise PhotoError(
            "IMAGE",
            "no face was found in the photo",
            "take the photo facing the camera, the face filling about a third of the frame, in even light",
        )
    eye_clf = _cascade("haarcascade_eye.xml")
    candidates = [_eyes_in_box(grey, eye_clf, tuple(int(v) for v in f), len(faces)) for f in faces]
    # A face whose two eyes are found beats a larger box without them (false positives on clothing
    # or background are rarely given two eyes at a plausible spacing).
    return max(candidates, key=lambda g: (g.eyes_detected, g.box[2] * g.box[3]))


def _eyes_in_box(grey: NDArray[np.uint8], eye_clf: Any, box: tuple[int, ...], n_faces: int) -> FaceGeometry:
    """Eye centres inside a face box (Haar eye cascade), or canonical positions when not both found."""
    x, y, w, h = box
    upper = grey[y : y + int(0.6 * h), x : x + w]
    eyes = eye_clf.detectMultiScale(
        upper, scaleFactor=1.1, minNeighbors=3, minSize=(max(8, w // 10), max(8, w // 10))
    )
    centres = sorted(
        ((float(x + ex + ew / 2.0), float(y + ey + eh / 2.0)) for ex, ey, ew, eh in eyes), key=lambda c: c[0]
    )
    left = [c for c in centres if c[0] < x + w / 2.0]
    right = [c for c in centres if c[0] >= x + w / 2.0]
    if left and right:
        le = max(left, key=lambda c: c[0])
        re = min(right, key=lambda c: c[0])
        spacing = np.hypot(re[0] - le[0], re[1] - le[1]) / w
        if 0.3 <= spacing <= 0.65 and abs(re[1] - le[1]) < 0.5 * (re[0] - le[0]):
            return FaceGeometry((x, y, w, h), le, re, True, n_faces)
    cx = x + w / 2.0
    ey = y + DEFAULT_EYE_HEIGHT_FRAC * h
    half = DEFAULT_EYE_SPACING_FRAC * w / 2.0
    return FaceGeometry((x, y, w, h), (cx - half, ey), (cx + half, ey), False, n_faces)


def detect_face(srgb_u8: NDArray[np.uint8], detector: str = "auto") -> FaceGeometry:
    """The face to measure: MediaPipe Face Mesh when installed (``detector="auto"`` or
    ``"mediapipe"``), else — or when it finds no face — OpenCV's Haar cascades (``"haar"`` forces them).

    With ``"mediapipe"`` a missing mediapipe raises ``ImportError`` instead of falling back. Raises
    :class:`PhotoError` when no face is found.
    """
    if detector not in ("auto", "mediapipe", "haar"):
        raise ValueError(f"detector must be auto, mediapipe or haar, not {detector!r}")
    from dataclasses import replace

    if detector == "haar":
        return replace(detect_face_haar(srgb_u8), note="forced by the caller")
    if detector == "auto" and not lmk.mediapipe_available():
        note = f"MediaPipe is not installed ({lmk.MEDIAPIPE_INSTALL}): regions from average proportions"
        return replace(detect_face_haar(srgb_u8), note=note)
    faces = lmk.detect_landmarks_mediapipe(srgb_u8)
    if faces:
        return face_from_landmarks(faces)
    # MediaPipe's short-range detector sees the frame at 128 × 128 px and misses a face narrower
    # than about a sixth of it; the Haar cascade finds it, and the mesh runs on a crop around it.
    haar = detect_face_haar(srgb_u8)
    x, y, w, h = haar.box
    half = 1.1 * max(w, h)
    cx, cy = x + w / 2.0, y + h / 2.0
    c0, r0 = max(int(cx - half), 0), max(int(cy - half), 0)
    c1, r1 = min(int(cx + half) + 1, srgb_u8.shape[1]), min(int(cy + half) + 1, srgb_u8.shape[0])
    crop_faces = lmk.detect_landmarks_mediapipe(srgb_u8[r0:r1, c0:c1])
    if crop_faces:
        shifted = [f + np.array([c0, r0, 0.0]) for f in crop_faces]
        return replace(
            face_from_landmarks(shifted), n_faces=haar.n_faces, note="face mesh in the Haar face box"
        )
    return replace(
        haar, note="MediaPipe found no face: the Haar cascades did, regions from average proportions"
    )


def face_from_landmarks(faces: list[NDArray[np.float64]]) -> FaceGeometry:
    """A :class:`FaceGeometry` from face-mesh landmarks (the largest face of several): the box is the
    face oval's bounding box, the eyes are the iris centres."""

    def oval_box(p: NDArray[np.float64]) -> tuple[int, int, int, int]:
        oval = p[list(lmk.FACE_OVAL), :2]
        x0, y0 = np.floor(oval.min(axis=0))
        x1, y1 = np.ceil(oval.max(axis=0))
        return int(x0), int(y0), int(x1 - x0), int(y1 - y0)

    box, best = max(((oval_box(p), p) for p in faces), key=lambda bp: bp[0][2] * bp[0][3])
    return FaceGeometry(
        box=box,
        left_eye=(float(best[lmk.IRIS_LEFT, 0]), float(best[lmk.IRIS_LEFT, 1])),
        right_eye=(float(best[lmk.IRIS_RIGHT, 0]), float(best[lmk.IRIS_RIGHT, 1])),
        eyes_detected=True,
        n_faces=len(faces),
        detector="mediapipe-facemesh",
        landmarks=best,
    )


def landmark_region_masks(
    landmarks: NDArray[np.float64], shape: tuple[int, int]
) -> dict[str, NDArray[np.bool_]]:
    """Pixel masks of :data:`REGIONS` from face-mesh landmarks (polygons of
    :data:`~photodose.photos.landmarks.LANDMARK_POLYGONS`), the nose's convex hull removed.

    Regions are made disjoint in the order of :data:`REGIONS` (a pixel on a shared edge goes to the
    first region).
    """
    nose = polygon_mask(shape, lmk.nose_hull_px(landmarks))
    taken = nose.copy()
    out: dict[str, NDArray[np.bool_]] = {}
    for name in REGIONS:
        m = np.zeros(shape, dtype=bool)
        for poly in lmk.LANDMARK_POLYGONS[name]:
            m |= polygon_mask(shape, lmk.polygon_px(landmarks, poly))
        out[name] = m & ~taken
        taken |= m
    return out


def polygon_mask(shape: tuple[int, int], polygon_xy: NDArray[np.float64]) -> NDArray[np.bool_]:
    """Boolean mask of the pixels inside a polygon given as image (x, y) vertices."""
    from skimage.draw import polygon

    mask = np.zeros(shape, dtype=bool)
    rr, cc = polygon(polygon_xy[:, 1], polygon_xy[:, 0], shape=shape)  # type: ignore[no-untyped-call]
    mask[rr, cc] = True
    return mask


def region_masks(face: FaceGeometry, shape: tuple[int, int]) -> dict[str, NDArray[np.bool_]]:
    """Pixel masks of :data:`REGIONS` (nose removed) for an image of ``shape`` (rows, cols).

    From the face-mesh landmarks when the face has them, else from the Haar face frame. Parts of a
    region outside the image are dropped (the mask may then be small or empty).
    """
    if face.landmarks is not None:
        return landmark_region_masks(face.landmarks, shape)
    nose = polygon_mask(shape, face.to_image(np.array(NOSE_POLYGON_D)))
    out: dict[str, NDArray[np.bool_]] = {}
    for name, polys in REGION_POLYGONS_D.items():
        m = np.zeros(shape, dtype=bool)
        for poly in polys:
            m |= polygon_mask(shape, face.to_image(np.array(poly)))
        out[name] = m & ~nose
    return out


def skin_pixels(linear_rgb: NDArray[np.float64], mask: NDArray[np.bool_], clip: float) -> NDArray[np.bool_]:
    """``mask`` without pixels that are not measurable skin: highlights (brightest channel ≥ 0.95 of
    the image's clipping level ``clip``) and deep shadow, hair or brows (brightest channel < 1.5 % of it).

    Both thresholds scale with exposure, so a darker copy of a photo keeps the same pixels.
    """
    top = linear_rgb.max(axis=-1)
    keep: NDArray[np.bool_] = mask & (top < 0.95 * clip) & (top > 0.015 * clip)
    return keep
