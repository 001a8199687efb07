"""Lossless export and import (JSON, CSV) and backups of the journal.

JSON: one object ``{"format": "photodose-journal", "version": 1, "profile": [...],
"devices": [...], "plans": [...], "sessions": [...], "session_doses": [...],
"outcomes": [...], "photos": [...], "photo_metrics": [...]}``. CSV: a directory with one file per
table (same names and columns). Photos are their metrics and identity (``image_name`` names the
content-addressed file in the data directory's ``photos/images``); the image files themselves are
not in the export — copy that folder to move the pictures. A metric that could not be computed is
``null`` (JSON) or an empty cell (CSV).
Floats are written with Python's shortest round-trip repr, times as ISO 8601 (naive UTC), so
export → import → export reproduces the same records. Import merges by ``uuid`` (rows already
present are left alone) in one transaction.
"""

from __future__ import annotations

import csv
import json
import math
import sqlite3
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from photodose.journal.db import Journal, JournalError
from photodose.journal.models import Device, Outcome, Photo, PhotoMetric, Plan, Profile, Session, SessionDose

FORMAT = "photodose-journal"
VERSION = 1

# table -> (column, type) in export order; type: str | float | int | bool | datetime | date
COLUMNS: dict[str, list[tuple[str, str]]] = {
    "profile": [
        ("uuid", "str"),
        ("name", "str"),
        ("fitzpatrick", "str?"),
        ("screening_outcome", "str?"),
        ("screening_json", "str?"),
        ("created_at", "datetime"),
    ],
    "devices": [
        ("uuid", "str"),
        ("key", "str"),
        ("name", "str"),
        ("source", "str"),
        ("spec_json", "str?"),
        ("created_at", "datetime"),
    ],
    "plans": [
        ("uuid", "str"),
        ("goal", "str"),
        ("device_key", "str"),
        ("minutes_per_session", "float"),
        ("sessions_per_week", "float"),
        ("weeks", "int"),
        ("start_date", "date"),
        ("plan_json", "str?"),
        ("created_at", "datetime"),
    ],
    "sessions": [
        ("uuid", "str"),
        ("started_at", "datetime"),
        ("minutes", "float"),
        ("device_key", "str"),
        ("mode", "str"),
        ("area", "str"),
        ("distance_cm", "float?"),
        ("completed", "bool"),
        ("skin_reaction", "str?"),
        ("note", "str"),
        ("created_at", "datetime"),
    ],
    "session_doses": [
        ("session_uuid", "str"),
        ("channel", "str"),
        ("wavelength_nm", "float"),
        ("irradiance_mw_cm2", "float"),
        ("fluence_j_cm2_low", "float"),
        ("fluence_j_cm2", "float"),
        ("fluence_j_cm2_high", "float"),
    ],
    "outcomes": [
        ("uuid", "str"),
        ("rated_at", "datetime"),
        ("goal", "str"),
        ("rating", "int"),
        ("note", "str"),
    ],
    "photos": [
        ("uuid", "str"),
        ("sha256", "str"),
        ("file_sha256", "str"),
        ("image_name", "str"),
        ("taken_on", "date"),
        ("added_at", "datetime"),
        ("width", "int"),
        ("height", "int"),
        ("source_format", "str"),
        ("correction", "str"),
        ("calibrated", "bool"),
        ("quality_status", "str"),
        ("analysis_json", "str"),
    ],
    "photo_metrics": [
        ("photo_uuid", "str"),
        ("region", "str"),
        ("metric", "str"),
        ("value", "float?"),
    ],
}
_MODEL_COLS: dict[str, Any] = {
    "profile": Profile,
    "devices": Device,
    "plans": Plan,
    "outcomes": Outcome,
}


def _plain(v: Any) -> Any:
    if isinstance(v, datetime | date):
        return v.isoformat()
    return v


def records(journal: Journal) -> dict[str, Any]:
    """Every row of the journal as plain JSON-ready records (see module docstring)."""
    out: dict[str, Any] = {"format": FORMAT, "version": VERSION}
    with journal.transaction() as db:
        for table, model in _MODEL_COLS.items():
            order = model.id
            out[table] = [
                {c: _plain(getattr(r, c)) for c, _ in COLUMNS[table]}
                for r in db.scalars(select(model).order_by(order))
            ]
        rows = db.scalars(
            select(Session)
            .options(selectinload(Session.doses), selectinload(Session.device))
            .order_by(Session.id)
        ).all()
        out["sessions"] = []
        out["session_doses"] = []
        for r in rows:
            rec = {c: _plain(getattr(r, c)) for c, _ in COLUMNS["sessions"] if c != "device_key"}
            rec["device_key"] = r.device.key
            out["sessions"].append({c: rec[c] for c, _ in COLUMNS["sessions"]})
            for d in sorted(r.doses, key=lambda d: (d.channel, d.id)):
                out["session_doses"].append(
                    {"session_uuid": r.uuid, **{c: getattr(d, c) for c, _ in COLUMNS["session_doses"][1:]}}
                )
        out["photos"] = []
        out["photo_metrics"] = []
        for p in db.scalars(select(Photo).options(selectinload(Photo.metrics)).order_by(Photo.id)):
            out["photos"].append({c: _plain(getattr(p, c)) for c, _ in COLUMNS["photos"]})
            for m in sorted(p.metrics, key=lambda m: (m.region, m.metric)):
                out["photo_metrics"].append(
                    {"photo_uuid": p.uuid, "region": m.region, "metric": m.metric, "value": m.value}
                )
    return out


def _parse(value: Any, kind: str, where: str) -> Any:
    optional = kind.endswith("?")
    kind = kind.rstrip("?")
    if value is None or (optional and value == ""):
        if optional:
            return None
        raise JournalError(where, "missing value", "every row needs this column")
    try:
        if kind == "str":
            return str(value)
        if kind == "float":
            return float(value)
        if kind == "int":
            return int(value)
        if kind == "bool":
            if isinstance(value, bool):
                return value
            if str(value) in ("True", "true", "1"):
                return True
            if str(value) in ("False", "false", "0"):
                return False
            raise ValueError(value)
        if kind == "datetime":
            return datetime.fromisoformat(str(value)).replace(tzinfo=None)
        if kind == "date":
            return date.fromisoformat(str(value))
    except (TypeError, ValueError) as e:
        raise JournalError(where, f"{value!r} is not a {kind}", "fix the value in the file") from e
    raise AssertionError(kind)


def _typed(data: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    if data.get("format") != FORMAT:
        raise JournalError("file", "not a photodose journal export", "export one with `photodose export`")
    out: dict[str, list[dict[str, Any]]] = {}
    for table, cols in COLUMNS.items():
        rows = data.get(table, [])
        if not isinstance(rows, list):
            raise JournalError(table, "must be a list of rows", "")
        out[table] = []
        for i, row in enumerate(rows):
            if not isinstance(row, dict):
                raise JournalError(f"{table}[{i}]", "must be an object", "")
            out[table].append({c: _parse(row.get(c), k, f"{table}[{i}].{c}") for c, k in cols})
    return out


_HEX = frozenset("0123456789abcdef")


def _check_photo(row: dict[str, Any], i: int) -> None:
    """A photo row names its image by the pixel hash: refuse anything else (no paths in names)."""
    for col in ("sha256", "file_sha256"):
        v = row[col]
        if len(v) != 64 or not set(v) <= _HEX:
            raise JournalError(f"photos[{i}].{col}", f"{v[:80]!r} is not a sha256 hex digest", "export again")
    if row["image_name"] != f"{row['sha256']}.png":
        raise JournalError(
            f"photos[{i}].image_name",
            f"{row['image_name'][:80]!r} is not the photo's content-addressed name",
            "it must be <sha256>.png; export again",
        )


def import_records(journal: Journal, data: dict[str, Any]) -> dict[str, int]:
    """Merge exported records into the journal (one transaction); return rows added per table."""
    typed = _typed(data)
    added = dict.fromkeys(COLUMNS, 0)
    with journal.transaction() as db:
        for table in ("profile", "devices", "plans", "outcomes"):
            model = _MODEL_COLS[table]
            for row in typed[table]:
                uuid_col: Any = model.uuid
                if db.scalar(select(uuid_col).where(uuid_col == row["uuid"])) is None:
                    if table == "devices" and db.scalar(select(Device).where(Device.key == row["key"])):
                        continue
                    db.add(model(**row))
                    added[table] += 1
        db.flush()
        doses: dict[str, list[dict[str, Any]]] = {}
        for d in typed["session_doses"]:
            doses.setdefault(d.pop("session_uuid"), []).append(d)
        for row in typed["sessions"]:
            if db.scalar(select(Session.id).where(Session.uuid == row["uuid"])) is not None:
                continue
            key = row.pop("device_key")
            dev = db.scalar(select(Device).where(Device.key == key))
            if dev is None:
                raise JournalError(
                    "sessions.device_key", f"device {key!r} is not in the file", "export again"
                )
            s = Session(device_id=dev.id, **row)
            s.doses = [SessionDose(**d) for d in doses.get(row["uuid"], [])]
            db.add(s)
            added["sessions"] += 1
            added["session_doses"] += len(s.doses)
        metrics: dict[str, list[dict[str, Any]]] = {}
        for m in typed["photo_metrics"]:
            if m["value"] is not None and not math.isfinite(m["value"]):
                m["value"] = None  # the store keeps a metric that could not be computed as NULL
            metrics.setdefault(m.pop("photo_uuid"), []).append(m)
        for i, row in enumerate(typed["photos"]):
            _check_photo(row, i)
            if db.scalar(select(Photo.id).where(Photo.uuid == row["uuid"])) is not None:
                continue
            if db.scalar(select(Photo.id).where(Photo.sha256 == row["sha256"])) is not None:
                continue  # the same picture, already stored under another uuid
            p = Photo(**row)
            p.metrics = [PhotoMetric(**m) for m in metrics.get(row["uuid"], [])]
            db.add(p)
            added["photos"] += 1
            added["photo_metrics"] += len(p.metrics)
    return added


def export_json(journal: Journal, path: Path) -> None:
    path.write_text(json.dumps(records(journal), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


MAX_IMPORT_BYTES = 512 * 2**20


def _check_file(path: Path, field: str) -> None:
    """A regular file of bounded size (not /dev/zero, a FIFO or a 10 GB file)."""
    if not path.is_file():
        raise JournalError(field, f"{path} is not a regular file", "give a file written by photodose export")
    if path.stat().st_size > MAX_IMPORT_BYTES:
        raise JournalError(field, f"{path} is larger than {MAX_IMPORT_BYTES >> 20} MB", "split the export")


def import_json(journal: Journal, path: Path) -> dict[str, int]:
    _check_file(path, "FILE")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise JournalError(
            "FILE", f"{path}: not readable JSON ({e})", "give a file written by photodose export"
        ) from e
    if not isinstance(data, dict):
        raise JournalError("FILE", f"{path}: not a journal export", "give a file written by photodose export")
    return import_records(journal, data)


def _csv_cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return repr(v)
    return str(v)


def export_csv(journal: Journal, directory: Path) -> list[Path]:
    """One CSV per table in ``directory`` (created); returns the files written."""
    directory.mkdir(parents=True, exist_ok=True)
    recs = records(journal)
    paths = []
    for table, cols in COLUMNS.items():
        p = directory / f"{table}.csv"
        with p.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow([c for c, _ in cols])
            for r in recs[table]:
                w.writerow([_csv_cell(r[c]) for c, _ in cols])
        paths.append(p)
    return paths


def import_csv(journal: Journal, directory: Path) -> dict[str, int]:
    if not directory.is_dir():
        raise JournalError(
            "DIR", f"{directory} is not a directory", "give the directory photodose export --csv wrote"
        )
    data: dict[str, Any] = {"format": FORMAT, "version": VERSION}
    for table in COLUMNS:
        p = directory / f"{table}.csv"
        if not p.exists():
            data[table] = []
            continue
        _check_file(p, f"DIR/{table}.csv")
        try:
            with p.open(newline="", encoding="utf-8") as f:
                data[table] = list(csv.DictReader(f))
        except (UnicodeDecodeError, csv.Error) as e:
            raise JournalError(f"DIR/{table}.csv", f"not readable CSV ({e})", "export it again") from e
    return import_records(journal, data)


def backup(journal: Journal, target: Path) -> Path:
    """A consistent copy: SQLite's online backup API for SQLite, a JSON export otherwise."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if journal.dialect == "sqlite":
        src_path = journal.engine.url.database
        assert src_path
        src = sqlite3.connect(src_path)
        dst = sqlite3.connect(str(target))
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
        return target
    export_json(journal, target)
    return target


__all__ = ["backup", "export_csv", "export_json", "import_csv", "import_json", "import_records", "records"]
