"""Quality gates of a progress photo: blur, exposure, face size, pose, and a lighting change.

Each gate gives ``ok``, ``flagged`` (measured, but read with care; the reason is stored) or
``rejected`` (no metrics are trusted; the reason says how to retake it). Thresholds are
ASSUMPTIONS set on scikit-image's sample photos and synthetic edits (tests/test_photos_quality.py),
stated with each constant; they are not from a validation study.

- Blur: variance of the Laplacian of the grey face crop resampled to 256 px wide (Pech-Pacheco et
  al. 2000, ICPR, "Diatom autofocusing in brightfield microscopy"; the usual focus measure).
- Exposure: share of face pixels clipped (any channel ≥ 250 of 255) or crushed (all < 20), and the
  face's median L*.
- Face size: interocular distance in pixels (texture needs fine detail).
- Pose: head roll from the eye line (iris centres with MediaPipe, eye boxes with Haar); yaw from the
  face mesh's depth across the face (:func:`photodose.photos.landmarks.yaw_deg`) when MediaPipe
  placed the face, else from how far the eye midpoint sits from the Haar face box centre (the
  cascade gives no 3-D pose).
- Lighting: against a reference photo, the change of the scene illuminant's chromaticity (shades-of-
  grey estimate) and of the left–right brightness balance of the face (a side light moved).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from photodose.photos.regions import FaceGeometry

#: Laplacian variance (8-bit grey, face 256 px wide) below which a photo is rejected / flagged.
#: ASSUMPTION: astronaut() scores ~500; a Gaussian blur of σ = 2 px (at 256 px) scores < 40.
BLUR_REJECT = 15.0
BLUR_FLAG = 60.0
#: Share of the face box clipped or crushed above which a photo is rejected / flagged.
CLIPPED_REJECT = 0.10
CLIPPED_FLAG = 0.02
#: Face median L* outside this range is flagged (under- or over-exposed skin).
L_MEDIAN_RANGE = (25.0, 90.0)
#: Interocular distance (pixels, full resolution) below which a photo is rejected / flagged.
INTEROCULAR_REJECT_PX = 30.0
INTEROCULAR_FLAG_PX = 60.0
#: Head roll (degrees) above which a photo is flagged / rejected.
ROLL_FLAG_DEG = 10.0
ROLL_REJECT_DEG = 25.0
#: Eye-midpoint offset from the face box centre, as a fraction of the box width, above which
#: the head is flagged as turned (yaw; Haar faces only).
YAW_OFFSET_FLAG = 0.08
#: Face-mesh yaw (degrees) above which a photo is flagged / rejected. ASSUMPTION: astronaut() reads
#: −0.7°; the same face warped to a 15° / 30° turn (tests/test_photos_landmarks.py) reads 12–13° /
#: 22°, and at 30° the far cheek is mostly out of sight (its region then measures the side of the face).
YAW_FLAG_DEG = 10.0
YAW_REJECT_DEG = 30.0
#: Illuminant chromaticity change (rg distance of the shades-of-grey estimate) and face left/right
#: balance change (difference of log10 ratios) above which a lighting change is flagged.
ILLUMINANT_CHANGE_FLAG = 0.02
BALANCE_CHANGE_FLAG = 0.05


@dataclass
class Quality:
    """The verdict of the quality gates and the values they looked at."""

    status: str = "ok"  # "ok" | "flagged" | "rejected"
    reasons: list[str] = field(default_factory=list)
    values: dict[str, float] = field(default_factory=dict)

    def flag(self, reason: str) -> None:
        self.reasons.append(reason)
        if self.status == "ok":
            self.status = "flagged"

    def reject(self, reason: str) -> None:
        self.reasons.append(reason)
        self.status = "rejected"

    def as_dict(self) -> dict[str, Any]:
        return {"status": self.status, "reasons": list(self.reasons), "values": dict(self.values)}


def laplacian_variance(
    srgb_u8: NDArray[np.uint8], box: tuple[int, int, int, int], width_px: int = 256
) -> float:
    """Focus measure: variance of the Laplacian of the grey face crop resampled to ``width_px`` wide."""
    import cv2

    x, y, w, h = box
    crop = np.ascontiguousarray(srgb_u8[max(y, 0) : y + h, max(x, 0) : x + w])
    grey = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY)
    scale = width_px / max(grey.shape[1], 1)
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    grey = cv2.resize(grey, (width_px, max(round(grey.shape[0] * scale), 1)), interpolation=interp)
    return float(cv2.Laplacian(grey, cv2.CV_64F).var())


def side_balance(linear_rgb: NDArray[np.float64], face: FaceGeometry) -> float:
    """log10 of the mean green of the face's left half over its right half (0 = evenly lit)."""
    x, y, w, h = face.box
    crop = linear_rgb[max(y, 0) : y + h, max(x, 0) : x + w, 1]
    half = crop.shape[1] // 2
    left = float(np.mean(crop[:, :half])) + 1e-6
    right = float(np.mean(crop[:, half:])) + 1e-6
    return float(np.log10(left / right))


def assess_quality(
    srgb_u8: NDArray[np.uint8],
    face: FaceGeometry,
    face_lab: NDArray[np.float64],
    *,
    scale_to_full: float = 1.0,
    illuminant_rg: tuple[float, float] | None = None,
    balance: float | None = None,
    reference: dict[str, float] | None = None,
) -> Quality:
    """Run the gates on an analysis image (``scale_to_full``: full-resolution px per analysis px).

    ``face_lab`` is the L*a*b* of the face box pixels; ``illuminant_rg`` and ``balance`` describe this
    photo's light; ``reference`` holds ``illuminant_r``, ``illuminant_g`` and ``balance`` of an earlier
    accepted photo, to flag a lighting change.
    """
    q = Quality()
    x, y, w, h = face.box

    sharp = laplacian_variance(srgb_u8, face.box)
    q.values["laplacian_var"] = sharp
    if sharp < BLUR_REJECT:
        q.reject(
            f"blurred (focus measure {sharp:.0f} < {BLUR_REJECT:.0f}): hold still, tap to focus on the face"
        )
    elif sharp < BLUR_FLAG:
        q.flag(f"slightly soft (focus measure {sharp:.0f} < {BLUR_FLAG:.0f}): texture reads low")

    crop = srgb_u8[max(y, 0) : y + h, max(x, 0) : x + w].reshape(-1, 3)
    bad = float(np.mean((crop >= 250).any(axis=1) | (crop < 20).all(axis=1)))
    q.values["clipped_fraction"] = bad
    if bad > CLIPPED_REJECT:
        q.reject(f"{bad:.0%} of the face is blown out or black: avoid direct light and flash")
    elif bad > CLIPPED_FLAG:
        q.flag(f"{bad:.0%} of the face is clipped (shine or shadow)")
    med_L = float(np.median(face_lab[..., 0]))
    q.values["face_L_median"] = med_L
    if not L_MEDIAN_RANGE[0] <= med_L <= L_MEDIAN_RANGE[1]:
        q.flag(
            f"face median L* {med_L:.0f} outside {L_MEDIAN_RANGE[0]:.0f}–{L_MEDIAN_RANGE[1]:.0f}: exposure"
        )

    iod = face.interocular_px * scale_to_full
    q.values["interocular_px"] = iod
    if iod < INTEROCULAR_REJECT_PX:
        q.reject(f"face too small ({iod:.0f} px between the eyes < {INTEROCULAR_REJECT_PX:.0f}): come closer")
    elif iod < INTEROCULAR_FLAG_PX:
        q.flag(f"face small ({iod:.0f} px between the eyes): texture is unreliable")
    if not face.eyes_detected:
        q.flag("eyes not found: regions placed from the face box (less precise)")
    if face.n_faces > 1:
        q.flag(f"{face.n_faces} faces in the photo: the largest was measured")

    roll = abs(face.roll_deg)
    q.values["roll_deg"] = roll
    if roll > ROLL_REJECT_DEG:
        q.reject(f"head tilted {roll:.0f}°: keep the head level")
    elif roll > ROLL_FLAG_DEG:
        q.flag(f"head tilted {roll:.0f}°")
    mesh_yaw = face.yaw_deg
    if mesh_yaw is not None:
        q.values["yaw_deg"] = mesh_yaw
        pitch = face.pitch_deg
        if pitch is not None:
            q.values["pitch_deg"] = pitch
        if abs(mesh_yaw) > YAW_REJECT_DEG:
            q.reject(f"head turned {abs(mesh_yaw):.0f}° to one side: face the camera")
        elif abs(mesh_yaw) > YAW_FLAG_DEG:
            q.flag(f"head turned {abs(mesh_yaw):.0f}° to one side: face the camera")
    else:
        yaw = abs(face.eye_midpoint[0] - (x + w / 2.0)) / w
        q.values["yaw_offset"] = yaw
        if face.eyes_detected and yaw > YAW_OFFSET_FLAG:
            q.flag("head turned to one side: face the camera")

    if illuminant_rg is not None:
        q.values["illuminant_r"], q.values["illuminant_g"] = illuminant_rg
    if balance is not None:
        q.values["balance"] = balance
    if reference and illuminant_rg is not None and "illuminant_r" in reference:
        d = float(
            np.hypot(
                illuminant_rg[0] - reference["illuminant_r"], illuminant_rg[1] - reference["illuminant_g"]
            )
        )
        q.values["illuminant_change"] = d
        if d > ILLUMINANT_CHANGE_FLAG:
            q.flag(
                f"the light's colour changed since the first photo (Δrg {d:.3f}): use the same place and lamp"
            )
    if reference and balance is not None and "balance" in reference:
        db = abs(balance - reference["balance"])
        q.values["balance_change"] = db
        if db > BALANCE_CHANGE_FLAG:
            q.flag("the light comes from another side than in the first photo: use the same place and lamp")
    return q
