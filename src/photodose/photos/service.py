"""Adding a photo and reading progress: what ``photodose photo add`` and ``photodose progress`` run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from photodose.photos.analyse import analyse_photo
from photodose.photos.dates import exif_photo_date
from photodose.photos.decode import PhotoError, decode_image, read_photo_file
from photodose.photos.metrics import METRIC_LABELS
from photodose.photos.regions import REGIONS
from photodose.photos.store import PhotoRecord, PhotoStore
from photodose.photos.trends import Trend, trends

#: Metrics followed over time. The melanin index is followed only on calibrated photos (it is not
#: exposure-invariant).
TREND_METRICS = ("a", "erythema_index", "L", "b", "ita_deg", "a_sd", "L_sd", "texture")
TREND_REGIONS = ("face", *REGIONS)


@dataclass(frozen=True)
class AddResult:
    record: PhotoRecord
    new: bool


def add_photo(path: Path, store: PhotoStore, taken_on: date | None = None) -> AddResult:
    """Decode, check, measure and store the photo at ``path``.

    The date is ``taken_on``, else the photo's EXIF capture date (read before the EXIF is dropped;
    ignored when in the future or before 1990, :func:`~photodose.photos.dates.exif_photo_date`),
    else today. Raises :class:`PhotoError` (nothing stored) for a file that is not a usable photo,
    has no face, or fails a quality gate with ``rejected``.
    """
    decoded = decode_image(read_photo_file(path))
    existing = store.get(decoded.sha256)
    if existing is not None:
        return AddResult(existing, False)
    analysis = analyse_photo(decoded, reference=store.reference_light())
    if analysis.quality.status == "rejected":
        raise PhotoError(
            "IMAGE",
            "the photo was not stored: " + "; ".join(r for r in analysis.quality.reasons),
            "retake it: face the camera at arm's length, in the same even light as before, no flash",
        )
    if taken_on is None:
        taken_on = exif_photo_date(decoded.taken_at) or date.today()
    rec, new = store.add(decoded, analysis, taken_on)
    return AddResult(rec, new)


def face_detector(record: PhotoRecord) -> str:
    """Which detector placed the regions of a stored photo (``opencv-haar`` for photos stored before
    the face mesh was used, whose analysis does not say)."""
    face = record.analysis.get("face", {}) if isinstance(record.analysis, dict) else {}
    return str(face.get("detector", "opencv-haar"))


def progress(store: PhotoStore) -> dict[str, Any]:
    """Trends per metric and region over the stored photos that passed the gates (JSON-ready).

    Only photos corrected the same way as the latest one, and whose regions the same detector
    placed, are compared (a ColorChecker-calibrated series and a white-balanced one are not on the
    same scale; face-mesh regions and Haar regions cover different skin).
    """
    recs = [r for r in store.records() if r.quality_status != "rejected"]
    if not recs:
        return {"n_photos": 0, "trends": [], "note": "no photos yet: photodose photo add IMAGE"}
    method = recs[-1].correction
    detector = face_detector(recs[-1])
    used = [r for r in recs if r.correction == method and face_detector(r) == detector]
    metrics = (*TREND_METRICS, "melanin_index") if method == "colorchecker" else TREND_METRICS
    ts = trends([(r.taken_on, r.metrics) for r in used], metrics, TREND_REGIONS)
    latest = used[-1].metrics.get("face", {})
    out: dict[str, Any] = {
        "n_photos": len(used),
        "n_days": len({r.taken_on for r in used}),
        "first_day": used[0].taken_on.isoformat(),
        "last_day": used[-1].taken_on.isoformat(),
        "correction": method,
        "detector": detector,
        "calibrated": method == "colorchecker",
        "left_out": len(recs) - len(used),
        "latest_face": {k: latest.get(k) for k in (*TREND_METRICS, "melanin_index")},
        "trends": [t.as_dict() for t in ts],
        "labels": METRIC_LABELS,
        "method": (
            "slope of daily means per 30 days with a 95 % CI (OLS, Student t); 'increased'/'decreased' only "
            "when the CI excludes 0 and the fitted change exceeds MDC95 = 1.96·√2·SEM from same-day "
            "repeat photos (Weir 2005)"
        ),
    }
    ita = latest.get("ita_deg")
    if method == "colorchecker" and ita is not None and np.isfinite(ita):
        lab = ",".join(f"{float(latest.get(k, float('nan'))):.1f}" for k in ("L", "a", "b"))
        out["skin_model"] = {
            "ita_deg": round(float(ita), 1),
            "lab": lab,
            "command": f"photodose skin --spectrum --ita {float(ita):.0f}",
            "command_lab": f"photodose skin --spectrum --lab {lab}",
            "note": "ITA° (and L*a*b*) of your latest calibrated photo's face; sets the skin model's melanin",
        }
    else:
        out["skin_model"] = {
            "note": "put a ColorChecker in the frame for an ITA° the skin model can use "
            "(an uncalibrated photo's colour depends on the light)"
        }
    return out


def write_plot(store: PhotoStore, path: Path, trend_list: list[Trend] | None = None) -> Path:
    """Small multiples of the face-level metrics over time, with the noise band (± MDC95) around the
    first day's value and the fitted line; a glance says whether anything moved beyond noise."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    recs = [r for r in store.records() if r.quality_status != "rejected"]
    if recs:
        method, detector = recs[-1].correction, face_detector(recs[-1])
        recs = [r for r in recs if r.correction == method and face_detector(r) == detector]
    if trend_list is None:
        trend_list = trends([(r.taken_on, r.metrics) for r in recs], TREND_METRICS, ("face",))
    by_metric = {t.metric: t for t in trend_list if t.region == "face"}
    shown = ("a", "erythema_index", "L", "ita_deg", "a_sd", "texture")
    fig, axes = plt.subplots(2, 3, figsize=(10, 5.6), sharex=True)
    t0 = recs[0].taken_on if recs else date.today()
    for ax, metric in zip(axes.flat, shown, strict=True):
        xs = [(r.taken_on - t0).days for r in recs]
        ys = [r.metrics.get("face", {}).get(metric, float("nan")) for r in recs]
        ax.plot(xs, ys, "o", color="#444", ms=4)
        tr = by_metric.get(metric)
        if tr is not None and tr.mdc95 is not None and np.isfinite(tr.first):
            ax.axhspan(tr.first - tr.mdc95, tr.first + tr.mdc95, color="#9cc", alpha=0.35, lw=0)
        if tr is not None and np.isfinite(tr.slope_per_30d) and xs:
            # the OLS line passes through the mean of the daily means
            days = sorted(set(xs))
            daily = [float(np.nanmean([y for x, y in zip(xs, ys, strict=True) if x == d])) for d in days]
            xx = np.array([0.0, float(max(xs))])
            ax.plot(xx, np.mean(daily) + tr.slope_per_30d / 30.0 * (xx - np.mean(days)), "-", color="#c33")
        ax.set_title(f"{METRIC_LABELS[metric]}\n{tr.verdict if tr else ''}", fontsize=9)
        ax.tick_params(labelsize=8)
    for ax in axes[-1]:
        ax.set_xlabel("days since first photo", fontsize=8)
    fig.suptitle("Face, from your photos: band = same-day noise (±MDC95), line = trend", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
