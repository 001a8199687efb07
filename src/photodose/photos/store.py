"""Where progress photos and their metrics are kept: image files in the data directory, metrics in
the journal.

- Images: content-addressed copies ``<data dir>/photos/images/<sha256>.png`` — the pixel hash of
  :class:`~photodose.photos.decode.DecodedImage`, re-encoded as PNG from the pixels alone, so no
  EXIF (GPS location, camera serial), XMP, IPTC or comment survives. Written to a temporary file
  and renamed, so a crash leaves no half file.
- Metrics: the journal's ``photo`` and ``photo_metric`` tables (:mod:`photodose.journal.models`,
  migration 0003) — one row per image and one per region × metric — in the same database as the
  sessions: ``--db`` / ``PHOTODOSE_DB`` (SQLite or PostgreSQL), else the SQLite journal in the data
  directory. Exported, imported and backed up with the rest of the journal. A photo database of
  an earlier version (``photos/photos.sqlite3``) is moved into the journal on first open
  (:func:`import_legacy`) and renamed ``photos.sqlite3.imported``.

Every write is one transaction. The row is inserted and flushed (constraint errors surface) before
the image file is written, and the file is removed again if the commit fails, so a failed add
leaves neither a row nor a file behind.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from photodose.journal import Journal, JournalError, open_journal
from photodose.journal.db import DB_FILENAME as JOURNAL_FILENAME
from photodose.journal.models import Photo, PhotoMetric
from photodose.photos.analyse import PhotoAnalysis
from photodose.photos.decode import DecodedImage, PhotoError, encode_png

#: The separate photo database used before the photos moved into the journal (migration 0003).
LEGACY_DB_FILENAME = "photos.sqlite3"


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
    uuid: str = ""


def data_dir() -> Path:
    """``PHOTODOSE_DATA_DIR`` or the platform's user data directory."""
    env = os.environ.get("PHOTODOSE_DATA_DIR")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_data_dir("photodose", appauthor=False))


class PhotoStore:
    """Content-addressed photo copies plus their metrics in the journal (see the module docstring).

    ``root``: the data directory (images go to ``root/photos/images``); ``db``: the journal URL or
    file (default ``PHOTODOSE_DB``, else ``root/journal.sqlite3``); ``journal``: an already open
    journal to use instead (not closed by :meth:`close`).
    """

    def __init__(
        self, root: Path | None = None, db: str | None = None, journal: Journal | None = None
    ) -> None:
        base = root or data_dir()
        self.root = base / "photos"
        self.images = self.root / "images"
        fix = "set PHOTODOSE_DATA_DIR to a folder you can write to"
        try:
            self.images.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise PhotoError(
                "PHOTODOSE_DATA_DIR", f"the photo store cannot be created: {e.strerror or e}", fix
            ) from e
        _remove_stale_temporaries(self.images)
        self._owns_journal = journal is None
        if journal is None:
            if db is None and root is not None and not os.environ.get("PHOTODOSE_DB"):
                db = str(base / JOURNAL_FILENAME)
            try:
                journal = open_journal(db)
            except JournalError as e:
                raise PhotoError(e.field, e.message, e.fix) from e
        self.journal = journal
        legacy = self.root / LEGACY_DB_FILENAME
        if legacy.exists():
            try:
                import_legacy(legacy, self.journal)
            except BaseException:
                self.close()
                raise

    def close(self) -> None:
        if self._owns_journal:
            self.journal.close()

    def image_path(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError("not a sha256 hex digest")
        return self.images / f"{sha256}.png"

    def get(self, sha256: str) -> PhotoRecord | None:
        with self.journal.transaction() as s:
            row = s.scalar(_query().where(Photo.sha256 == sha256))
            return self._record(row) if row is not None else None

    def add(self, decoded: DecodedImage, analysis: PhotoAnalysis, taken_on: date) -> tuple[PhotoRecord, bool]:
        """Store the photo in one transaction; returns (record, new). An image already stored is not
        stored twice (also when another process stores it at the same moment). A photo the quality
        gates rejected is refused here too (:class:`PhotoError`, nothing written)."""
        if analysis.quality.status == "rejected":
            raise PhotoError(
                "IMAGE",
                "the photo was not stored: " + "; ".join(analysis.quality.reasons),
                "retake it: face the camera at arm's length, in the same even light as before, no flash",
            )
        existing = self.get(decoded.sha256)
        if existing is not None:
            return existing, False
        path = self.image_path(decoded.sha256)
        summary = analysis.as_dict()
        summary["stripped_metadata"] = list(decoded.stripped)
        wrote = False
        try:
            with self.journal.transaction() as s:
                row = Photo(
                    sha256=decoded.sha256,
                    file_sha256=decoded.file_sha256,
                    image_name=path.name,
                    taken_on=taken_on,
                    added_at=datetime.now(UTC).replace(tzinfo=None),
                    width=decoded.width,
                    height=decoded.height,
                    source_format=decoded.format,
                    correction=analysis.correction.method,
                    calibrated=bool(analysis.correction.calibrated),
                    quality_status=analysis.quality.status,
                    analysis_json=json.dumps(summary, default=float),
                    metrics=[
                        PhotoMetric(region=region, metric=k, value=_finite(v))
                        for region, vals in analysis.metrics.items()
                        for k, v in vals.items()
                    ],
                )
                s.add(row)
                s.flush()  # constraint errors before the file is written
                if not path.exists():
                    _write_atomically(path, encode_png(decoded.srgb_u8))
                    wrote = True
        except IntegrityError:
            if wrote:
                path.unlink(missing_ok=True)
            raced = self.get(decoded.sha256)  # stored by another process meanwhile
            if raced is None:
                raise
            return raced, False
        except BaseException:
            if wrote:
                path.unlink(missing_ok=True)
            raise
        rec = self.get(decoded.sha256)
        assert rec is not None
        return rec, True

    def records(self) -> list[PhotoRecord]:
        """All stored photos, oldest first."""
        with self.journal.transaction() as s:
            rows = s.scalars(_query().order_by(Photo.taken_on, Photo.added_at, Photo.id)).all()
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

    def _record(self, row: Photo) -> PhotoRecord:
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
            uuid=row.uuid,
        )


def import_legacy(path: Path, journal: Journal) -> int:
    """Move the rows of a pre-0003 photo database (``photos/photos.sqlite3``) into the journal in one
    transaction, then rename the file ``photos.sqlite3.imported``; returns the photos added (a
    picture already in the journal is skipped)."""
    import sqlite3

    fix = "move the damaged file away (the pictures in photos/images are kept), then add them again"
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            con.row_factory = sqlite3.Row
            photos = con.execute("SELECT * FROM photo ORDER BY id").fetchall()
            metrics = con.execute("SELECT photo_id, region, metric, value FROM photo_metric").fetchall()
        finally:
            con.close()
    except sqlite3.Error as e:
        raise PhotoError("PHOTODOSE_DATA_DIR", f"{path} is not a readable photo database ({e})", fix) from e
    by_photo: dict[int, list[sqlite3.Row]] = {}
    for m in metrics:
        by_photo.setdefault(m["photo_id"], []).append(m)
    added = 0
    with journal.transaction() as s:
        for p in photos:
            if s.scalar(select(Photo.id).where(Photo.sha256 == p["sha256"])) is not None:
                continue
            s.add(
                Photo(
                    sha256=p["sha256"],
                    file_sha256=p["file_sha256"],
                    image_name=f"{p['sha256']}.png",
                    taken_on=date.fromisoformat(str(p["taken_on"])),
                    added_at=datetime.fromisoformat(str(p["added_at"])),
                    width=p["width"],
                    height=p["height"],
                    source_format=p["source_format"],
                    correction=p["correction"],
                    calibrated=bool(p["calibrated"]),
                    quality_status=p["quality_status"],
                    analysis_json=p["analysis_json"],
                    metrics=[
                        PhotoMetric(region=m["region"], metric=m["metric"], value=m["value"])
                        for m in by_photo.get(p["id"], [])
                    ],
                )
            )
            added += 1
    path.rename(path.with_name(path.name + ".imported"))
    return added


def _query() -> Any:
    return select(Photo).options(selectinload(Photo.metrics))


#: A temporary image file older than this was left by a process that died while writing it.
STALE_TMP_S = 3600.0


def _remove_stale_temporaries(images: Path) -> None:
    """Delete half-written ``*.tmp`` copies (a process killed between writing and renaming): they
    hold a person's photo that no row refers to. Fresh ones may belong to a writer still at work."""
    import time

    now = time.time()
    for p in images.glob("*.tmp"):
        try:
            if now - p.stat().st_mtime > STALE_TMP_S:
                p.unlink()
        except OSError:
            pass


def _write_atomically(path: Path, payload: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _finite(v: float) -> float | None:
    return None if v != v or v in (float("inf"), float("-inf")) else float(v)


__all__ = ["PhotoRecord", "PhotoStore", "data_dir"]
