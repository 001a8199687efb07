"""One photo through the chain: decode → face and regions → colour correction → metrics → quality."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from photodose.photos.colour_correction import (
    Correction,
    clip_level,
    correct_colour,
    shades_of_grey_illuminant,
)
from photodose.photos.decode import DecodedImage, analysis_image, srgb_to_linear
from photodose.photos.metrics import lab_from_linear_rgb, region_metrics
from photodose.photos.quality import Quality, assess_quality, side_balance
from photodose.photos.regions import (
    REGION_POLYGONS_D,
    REGIONS,
    FaceGeometry,
    detect_face,
    region_masks,
    skin_pixels,
)

#: A region with fewer skin pixels than this (analysis resolution) is flagged as unreliable.
MIN_REGION_PIXELS = 150


@dataclass
class PhotoAnalysis:
    """Metrics per region (plus ``face``, the union of the regions), the correction and the quality."""

    metrics: dict[str, dict[str, float]]
    correction: Correction
    quality: Quality
    face: FaceGeometry
    analysis_size: tuple[int, int]
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "metrics": self.metrics,
            "colour_correction": {
                "method": self.correction.method,
                "calibrated": self.correction.calibrated,
                "gains": list(self.correction.gains),
                "chart_delta_e2000_mean": self.correction.chart_delta_e2000_mean,
                "note": self.correction.note,
            },
            "quality": self.quality.as_dict(),
            "face": {
                "detector": self.face.detector,
                "detector_note": self.face.note,
                "box": list(self.face.box),
                "eyes_detected": self.face.eyes_detected,
                "interocular_px": self.face.interocular_px,
                "roll_deg": self.face.roll_deg,
                "yaw_deg": self.face.yaw_deg,
                "pitch_deg": self.face.pitch_deg,
            },
            "analysis_size": list(self.analysis_size),
        }


def face_window(face: FaceGeometry, shape: tuple[int, int]) -> tuple[int, int, int, int]:
    """Rows r0:r1 and columns c0:c1 holding the face box and every region, with a margin for the
    texture filter, clipped to the image."""
    if face.landmarks is not None:
        pts = face.landmarks[:, :2]
    else:
        pts = np.vstack([face.to_image(np.array(p)) for polys in REGION_POLYGONS_D.values() for p in polys])
    x, y, w, h = face.box
    pad = 0.3 * face.interocular_px + 2
    c0 = int(max(min(pts[:, 0].min(), x) - pad, 0))
    c1 = int(min(max(pts[:, 0].max(), x + w) + pad + 1, shape[1]))
    r0 = int(max(min(pts[:, 1].min(), y) - pad, 0))
    r1 = int(min(max(pts[:, 1].max(), y + h) + pad + 1, shape[0]))
    return r0, r1, c0, c1


def shift_face(face: FaceGeometry, dx: int, dy: int) -> FaceGeometry:
    """The same face in a window whose top-left corner is at (dx, dy) of the image."""
    x, y, w, h = face.box
    return replace(
        face,
        box=(x - dx, y - dy, w, h),
        left_eye=(face.left_eye[0] - dx, face.left_eye[1] - dy),
        right_eye=(face.right_eye[0] - dx, face.right_eye[1] - dy),
        landmarks=None if face.landmarks is None else face.landmarks - np.array([dx, dy, 0.0]),
    )


def analyse_photo(
    decoded: DecodedImage, reference: dict[str, float] | None = None, detector: str = "auto"
) -> PhotoAnalysis:
    """Measure a decoded photo. ``reference``: light of an earlier photo (see :func:`assess_quality`);
    ``detector``: ``auto`` (MediaPipe face mesh when installed, else OpenCV Haar), ``mediapipe`` or
    ``haar`` (see :func:`~photodose.photos.regions.detect_face`).

    Raises :class:`~photodose.photos.decode.PhotoError` when no face is found.
    """
    srgb = analysis_image(decoded.srgb_u8)
    scale = decoded.width / srgb.shape[1]
    face = detect_face(srgb, detector)
    linear = srgb_to_linear(srgb)
    # Colour is estimated on the whole frame but corrected and measured only around the face.
    window = face_window(face, (srgb.shape[0], srgb.shape[1]))
    r0, r1, c0, c1 = window
    correction = correct_colour(linear, srgb.astype(np.float64) / 255.0, window)
    lab = lab_from_linear_rgb(correction.linear_rgb)
    local = shift_face(face, c0, r0)
    shape = (r1 - r0, c1 - c0)
    clip = clip_level(linear)
    masks = {k: skin_pixels(linear[r0:r1, c0:c1], m, clip) for k, m in region_masks(local, shape).items()}
    union = np.zeros(shape, dtype=bool)
    for m in masks.values():
        union |= m
    metrics = {
        name: region_metrics(correction.linear_rgb, lab, m, face.interocular_px)
        for name, m in [*masks.items(), ("face", union)]
    }
    illum = shades_of_grey_illuminant(linear)
    x, y, w, h = local.box
    quality = assess_quality(
        srgb,
        face,
        lab[max(y, 0) : y + h, max(x, 0) : x + w],
        scale_to_full=scale,
        illuminant_rg=(float(illum[0]), float(illum[1])),
        balance=side_balance(linear, face),
        reference=reference,
    )
    small = [r for r in REGIONS if metrics[r]["n_pixels"] < MIN_REGION_PIXELS]
    if small:
        quality.flag(f"too few skin pixels in {', '.join(small)}: those regions are unreliable")
    if face.landmarks is None:
        quality.flag(
            "regions placed from average face proportions (OpenCV Haar, no face mesh)"
            + (f": {face.note}" if face.note else "")
        )
    if not correction.calibrated:
        quality.flag("no colour chart: colour white-balanced from the scene (weaker; same place and light)")
    return PhotoAnalysis(metrics, correction, quality, face, (srgb.shape[1], srgb.shape[0]))
