"""Where progress photos and their metrics are kept: a small interface over files and SQLite.

- Images: content-addressed copies ``<data dir>/photos/images/<sha256>.png`` — the pixel hash of
  :class:`~photodose.photos.decode.DecodedImage`, re-encoded as PNG from the pixels alone, so no
  EXIF (GPS location, camera serial), XMP, IPTC or comment survives. Written to a temporary file
  and renamed, so a crash leaves no half file.
- Metrics: ``<data dir>/photos/photos.sqlite3`` (SQLAlchemy 2), one ``photo`` row per image and
  one ``photo_metric`` row per region × metric.

The data directory is ``PHOTODOSE_DATA_DIR`` or the platform's user data directory (platformdirs),
the same one the journal uses. The journal (``photodose.journal``) is a separate database for
now; :class:`PhotoStore` is the one seam to move these two tables into it.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Date, DateTime, Float, ForeignKey, Integer, String, Text, create_engine, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

from photodose.photos.analyse import PhotoAnalysis
from photodose.photos.decode import DecodedImage, PhotoError, encode_png

DB_FILENAME = "photos.sqlite3"


class Base(DeclarativeBase):
    pass


class PhotoRow(Base):
    __tablename__ = "photo"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    file_sha256: Mapped[str] = mapped_column(String(64))
    taken_on: Mapped[date] = mapped_column(Date, index=True)
    added_at: Mapped[datetime] = mapped_column(DateTime)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    source_format: Mapped[str] = mapped_column(String(10))
    correction: Mapped[str] = mapped_column(String(30))
    calibrated: Mapped[int] = mapped_column(Integer)
    quality_status: Mapped[str] = mapped_column(String(10))
    analysis_json: Mapped[str] = mapped_column(Text)
    metrics: Mapped[list[MetricRow]] = relationship(back_populates="photo", cascade="all, delete-orphan")


class MetricRow(Base):
    __tablename__ = "photo_metric"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    photo_id: Mapped[int] = mapped_column(ForeignKey("photo.id", ondelete="CASCADE"), index=True)
    region: Mapped[str] = mapped_column(String(20))
    metric: Mapped[str] = mapped_column(String(30))
    value: Mapped[float | None] = mapped_column(Float, nullable=True)
    photo: Mapped[PhotoRow] = relationship(back_populates="metrics")


@dataclass(frozen=True)
class PhotoRecord:
    """A stored photo as read back."""

    sha256: str
    taken_on: date
    added_at: datetime
    quality_status: str
    correction: str
    calibrated: bool
    metrics: dict[str, dict[str, float]]
    analysis: dict[str, Any]
    image_path: Path


def data_dir() -> Path:
    """``PHOTODOSE_DATA_DIR`` or the platform's user data directory."""
    env = os.environ.get("PHOTODOSE_DATA_DIR")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_data_dir("photodose", appauthor=False))


class PhotoStore:
    """Content-addressed photo copies plus their metrics (see the module docstring)."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = (root or data_dir()) / "photos"
        self.images = self.root / "images"
        fix = "set PHOTODOSE_DATA_DIR to a folder you can write to, or move the damaged file away"
        try:
            self.images.mkdir(parents=True, exist_ok=True)
            self.engine = create_engine(f"sqlite:///{self.root / DB_FILENAME}")
            with self.engine.connect() as conn:
                if conn.exec_driver_sql("PRAGMA quick_check").scalar() != "ok":
                    raise PhotoError("PHOTODOSE_DATA_DIR", f"{self.root / DB_FILENAME} is damaged", fix)
            Base.metadata.create_all(self.engine)
        except OSError as e:
            raise PhotoError(
                "PHOTODOSE_DATA_DIR", f"the photo store cannot be created: {e.strerror or e}", fix
            ) from e
        except SQLAlchemyError as e:
            msg = str(getattr(e, "orig", e)).splitlines()[0]
            raise PhotoError(
                "PHOTODOSE_DATA_DIR", f"{self.root / DB_FILENAME} is not a photo database ({msg})", fix
            ) from e

    def close(self) -> None:
        self.engine.dispose()

    def image_path(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError("not a sha256 hex digest")
        return self.images / f"{sha256}.png"

    def get(self, sha256: str) -> PhotoRecord | None:
        with Session(self.engine) as s:
            row = s.scalar(select(PhotoRow).where(PhotoRow.sha256 == sha256))
            return self._record(row) if row is not None else None

    def add(self, decoded: DecodedImage, analysis: PhotoAnalysis, taken_on: date) -> tuple[PhotoRecord, bool]:
        """Store the photo; returns (record, new). An image already stored is not stored twice."""
        existing = self.get(decoded.sha256)
        if existing is not None:
            return existing, False
        path = self.image_path(decoded.sha256)
        wrote = False
        if not path.exists():
            fd, tmp = tempfile.mkstemp(dir=self.images, suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(encode_png(decoded.srgb_u8))
                os.replace(tmp, path)
                wrote = True
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        summary = analysis.as_dict()
        summary["stripped_metadata"] = list(decoded.stripped)
        row = PhotoRow(
            sha256=decoded.sha256,
            file_sha256=decoded.file_sha256,
            taken_on=taken_on,
            added_at=datetime.now(UTC).replace(tzinfo=None),
            width=decoded.width,
            height=decoded.height,
            source_format=decoded.format,
            correction=analysis.correction.method,
            calibrated=int(analysis.correction.calibrated),
            quality_status=analysis.quality.status,
            analysis_json=json.dumps(summary, default=float),
            metrics=[
                MetricRow(region=region, metric=k, value=_finite(v))
                for region, vals in analysis.metrics.items()
                for k, v in vals.items()
            ],
        )
        try:
            with Session(self.engine) as s, s.begin():
                s.add(row)
        except BaseException:
            if wrote:
                path.unlink(missing_ok=True)
            raise
        rec = self.get(decoded.sha256)
        assert rec is not None
        return rec, True

    def records(self) -> list[PhotoRecord]:
        """All stored photos, oldest first."""
        with Session(self.engine) as s:
            rows = s.scalars(select(PhotoRow).order_by(PhotoRow.taken_on, PhotoRow.added_at)).all()
            return [self._record(r) for r in rows]

    def reference_light(self) -> dict[str, float] | None:
        """Light of the first photo that passed the gates (for the lighting-change gate), or None."""
        for rec in self.records():
            if rec.quality_status != "rejected":
                vals = rec.analysis.get("quality", {}).get("values", {})
                keys = ("illuminant_r", "illuminant_g", "balance")
                if all(k in vals for k in keys):
                    return {k: float(vals[k]) for k in keys}
        return None

    def _record(self, row: PhotoRow) -> PhotoRecord:
        metrics: dict[str, dict[str, float]] = {}
        for m in row.metrics:
            metrics.setdefault(m.region, {})[m.metric] = float("nan") if m.value is None else m.value
        return PhotoRecord(
            sha256=row.sha256,
            taken_on=row.taken_on,
            added_at=row.added_at,
            quality_status=row.quality_status,
            correction=row.correction,
            calibrated=bool(row.calibrated),
            metrics=metrics,
            analysis=json.loads(row.analysis_json),
            image_path=self.image_path(row.sha256),
        )


def _finite(v: float) -> float | None:
    return None if v != v or v in (float("inf"), float("-inf")) else float(v)
