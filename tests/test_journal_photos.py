"""Progress photos stored in the journal (migration 0003): the migration keeps every earlier row,
the photo store writes through the journal in one transaction on SQLite and PostgreSQL, a photo
that fails a gate or a write stores neither a file nor a row, export/import (JSON and CSV) and
backup carry the metrics losslessly, and the journal view sets photo days against the plan's
check-ins.

The PostgreSQL cases use the same server as tests/test_journal.py (``PHOTODOSE_TEST_PG_URL`` or
scripts/postgres.sh); they skip locally without one and fail in CI.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import replace
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from skimage import data as skdata
from sqlalchemy import text
from typer.testing import CliRunner

from photodose.cli import app
from photodose.journal import JournalError, open_journal
from photodose.journal.adherence import photo_checkins
from photodose.journal.db import HEAD_REVISION, current_revision, make_engine, migrate
from photodose.journal.store import save_plan
from photodose.journal.summary import journal_summary
from photodose.journal.transfer import backup, export_csv, export_json, import_csv, import_json, records
from photodose.photos.analyse import PhotoAnalysis, analyse_photo
from photodose.photos.decode import DecodedImage, decode_image, linear_to_srgb, srgb_to_linear
from photodose.photos.store import PhotoStore

runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    d = tmp_path / "data"
    monkeypatch.setenv("PHOTODOSE_DATA_DIR", str(d))
    monkeypatch.delenv("PHOTODOSE_DB", raising=False)
    return d


def _png(u8: np.ndarray) -> bytes:
    import io

    buf = io.BytesIO()
    Image.fromarray(u8).save(buf, "PNG")
    return buf.getvalue()


@cache
def _astronaut() -> tuple[DecodedImage, PhotoAnalysis]:
    """A real photo through the real analysis, once per test run (≈ 0.5 s)."""
    decoded = decode_image(_png(np.asarray(skdata.astronaut())))
    return decoded, analyse_photo(decoded)


def _fake(i: int, metrics: dict[str, dict[str, float]] | None = None) -> tuple[DecodedImage, PhotoAnalysis]:
    """The astronaut's analysis under another identity (a 4×4 image, so files stay tiny)."""
    decoded, analysis = _astronaut()
    sha = f"{i:064x}"
    small = replace(decoded, srgb_u8=np.full((4, 4, 3), i % 256, np.uint8), sha256=sha, file_sha256=sha[::-1])
    return small, replace(analysis, metrics=metrics if metrics is not None else analysis.metrics)


def _images(root: Path) -> list[str]:
    d = root / "photos" / "images"
    return sorted(p.name for p in d.iterdir()) if d.exists() else []


def _normal(recs: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in recs.items() if k not in ("format", "version")}


# ---------------------------------------------------------------- schema


def test_migration_from_0002_keeps_every_row(db_url: str, tmp_path: Path) -> None:
    """A journal at revision 0002 with rows in every table upgrades to 0003 without losing or
    changing one, and the new photo tables take writes."""
    tables = ("profile", "device", "plan", "session", "session_dose", "outcome")
    engine = make_engine(db_url)
    migrate(engine, "0002")
    t = datetime(2026, 1, 5, 20, 0, 0, 123456)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO profile (uuid, name, fitzpatrick, screening_outcome, screening_json, "
                "created_at) VALUES ('p1', 'me', 'III', 'precautions', '{\"a\": 1}', :t)"
            ),
            {"t": t},
        )
        conn.execute(
            text(
                "INSERT INTO device (uuid, key, name, source, created_at) "
                "VALUES ('d1', 'theraface-mask', 'TheraFace', 'catalog', :t)"
            ),
            {"t": t},
        )
        conn.execute(
            text(
                "INSERT INTO plan (uuid, goal, device_key, minutes_per_session, sessions_per_week, weeks, "
                "start_date, plan_json, created_at) VALUES ('pl1', 'acne', 'theraface-mask', 10.5, 3, 12, "
                ":d, '{}', :t)"
            ),
            {"d": date(2026, 1, 5), "t": t},
        )
        dev = conn.execute(text("SELECT id FROM device")).scalar()
        for i in range(4):
            conn.execute(
                text(
                    "INSERT INTO session (uuid, started_at, minutes, device_id, mode, area, distance_cm, "
                    "completed, skin_reaction, note, created_at) VALUES (:u, :t, :m, :d, 'red', 'neck', 1.5, "
                    ":c, 'warmth', 'ü ✓', :t)"
                ),
                {"u": f"s{i}", "t": t + timedelta(days=i), "m": 10.0 + i / 3, "d": dev, "c": i % 2 == 0},
            )
            sid = conn.execute(text("SELECT id FROM session WHERE uuid = :u"), {"u": f"s{i}"}).scalar()
            conn.execute(
                text(
                    "INSERT INTO session_dose (session_id, channel, wavelength_nm, irradiance_mw_cm2, "
                    "fluence_j_cm2_low, fluence_j_cm2, fluence_j_cm2_high) VALUES (:s, 'red', 633, 2.1, "
                    "0.1, 0.30000000000000004, 3)"
                ),
                {"s": sid},
            )
        conn.execute(
            text(
                "INSERT INTO outcome (uuid, rated_at, goal, rating, note) VALUES ('o1', :t, 'acne', 6, 'x')"
            ),
            {"t": t},
        )

    def snapshot() -> dict[str, list[tuple[Any, ...]]]:
        with engine.connect() as conn:
            return {
                tb: [tuple(r) for r in conn.execute(text(f"SELECT * FROM {tb} ORDER BY id"))] for tb in tables
            }

    before = snapshot()
    assert current_revision(engine) == "0002"
    engine.dispose()
    j = open_journal(db_url)  # upgrades on open
    assert current_revision(j.engine) == HEAD_REVISION == "0003"
    after = snapshot()
    engine.dispose()
    assert after == before and sum(len(v) for v in after.values()) == 12
    store = PhotoStore(tmp_path / "data", journal=j)
    rec, new = store.add(*_fake(1), date(2026, 1, 6))
    assert new and store.records() == [rec]
    j.close()


# ---------------------------------------------------------------- the store writes through the journal


def test_store_writes_through_the_journal(db_url: str, tmp_path: Path) -> None:
    root = tmp_path / "data"
    store = PhotoStore(root, db=db_url)
    decoded, analysis = _fake(7)
    rec, new = store.add(decoded, analysis, date(2026, 2, 1))
    assert new and rec.taken_on == date(2026, 2, 1) and rec.uuid
    assert rec.metrics["face"]["L"] == pytest.approx(analysis.metrics["face"]["L"], rel=0, abs=0)
    assert _images(root) == [f"{decoded.sha256}.png"]
    assert not (root / "photos" / "photos.sqlite3").exists()  # no second database any more
    again, new2 = store.add(decoded, analysis, date(2026, 2, 2))
    assert not new2 and again == rec
    store.close()
    j = open_journal(db_url)  # the rows are in the journal itself
    recs = records(j)
    j.close()
    [photo] = recs["photos"]
    assert photo["sha256"] == decoded.sha256 and photo["image_name"] == f"{decoded.sha256}.png"
    n = sum(len(v) for v in analysis.metrics.values())
    assert len(recs["photo_metrics"]) == n > 20


def test_a_photo_stored_meanwhile_by_another_process_is_not_an_error(tmp_path: Path) -> None:
    """Two processes adding the same picture: the unique sha256 lets one row in, the other add
    returns that row (new=False) and leaves its file in place."""
    store = PhotoStore(tmp_path)
    decoded, analysis = _fake(3)
    first, _ = store.add(decoded, analysis, date(2026, 2, 1))
    real_get = store.get
    calls = {"n": 0}

    def stale_get(sha: str) -> Any:
        calls["n"] += 1
        return None if calls["n"] == 1 else real_get(sha)  # the first look misses the other's row

    store.get = stale_get  # type: ignore[method-assign,assignment]
    rec, new = store.add(decoded, analysis, date(2026, 2, 1))
    assert not new and rec == first and _images(tmp_path) == [f"{decoded.sha256}.png"]
    store.close()


def test_the_store_itself_refuses_a_rejected_photo(tmp_path: Path) -> None:
    from photodose.photos import PhotoError

    store = PhotoStore(tmp_path)
    decoded, analysis = _fake(61)
    bad = replace(analysis, quality=replace(analysis.quality, status="rejected", reasons=["blurred"]))
    with pytest.raises(PhotoError, match="blurred"):
        store.add(decoded, bad, date(2026, 1, 2))
    assert store.records() == [] and _images(tmp_path) == []
    store.close()


def test_half_written_copies_of_a_killed_process_are_removed(tmp_path: Path) -> None:
    images = tmp_path / "photos" / "images"
    images.mkdir(parents=True)
    old, fresh = images / "abc.tmp", images / "def.tmp"
    old.write_bytes(b"\x89PNG half")
    fresh.write_bytes(b"\x89PNG being written")
    os.utime(old, (0, 0))
    PhotoStore(tmp_path).close()
    assert not old.exists() and fresh.exists()


def test_failed_commit_stores_neither_file_nor_row(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.orm import SessionTransaction

    root = tmp_path / "data"
    store = PhotoStore(root, db=db_url)
    real_commit = SessionTransaction.commit

    def boom(self: SessionTransaction, *a: Any, **k: Any) -> Any:
        if _images(root):  # the image file was written: now the commit fails
            raise RuntimeError("disk full")
        return real_commit(self, *a, **k)

    monkeypatch.setattr(SessionTransaction, "commit", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        store.add(*_fake(5), date(2026, 2, 1))
    monkeypatch.setattr(SessionTransaction, "commit", real_commit)
    assert _images(root) == [] and store.records() == []
    store.close()


def test_cli_add_and_progress_on_each_backend_and_gates_store_nothing(
    db_url: str, tmp_path: Path, data_dir: Path
) -> None:
    """`photo add --db URL` and `progress --db URL`; a rejected (blown-out) photo and a photo
    without a face leave no file and no row."""
    src = np.asarray(skdata.astronaut())
    bright = np.round(linear_to_srgb(srgb_to_linear(src) * 3.0) * 255).astype(np.uint8)
    for name, pixels, needle in (
        ("bright.png", bright, "blown out"),
        ("wall.png", np.full((400, 400, 3), 128, np.uint8), "no face"),
    ):
        p = tmp_path / name
        p.write_bytes(_png(pixels))
        r = runner.invoke(app, ["photo", "add", str(p), "--db", db_url, "--json"])
        assert r.exit_code == 2, r.output
        assert needle in json.loads(r.stdout)["error"]["message"]
    assert _images(data_dir) == []
    j = open_journal(db_url)
    assert records(j)["photos"] == [] and records(j)["photo_metrics"] == []
    j.close()
    good = tmp_path / "me.png"
    good.write_bytes(_png(src))
    r = runner.invoke(app, ["photo", "add", str(good), "--date", "2026-03-01", "--db", db_url, "--json"])
    assert r.exit_code == 0, r.output
    sha = json.loads(r.stdout)["sha256"]
    r = runner.invoke(app, ["progress", "--db", db_url, "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["n_photos"] == 1
    assert _images(data_dir) == [f"{sha}.png"]
    r = runner.invoke(app, ["progress", "--db", "postgresql://nobody@127.0.0.1:1/none", "--json"])
    assert r.exit_code == 2 and json.loads(r.stdout)["error"]["field"] == "--db"


# ---------------------------------------------------------------- export / import / backup

_names = st.text(st.characters(min_codepoint=97, max_codepoint=122), min_size=1, max_size=12)
_values = st.floats(allow_nan=True, allow_infinity=True) | st.floats(min_value=-1e-300, max_value=1e-300)
_metrics = st.dictionaries(_names, st.dictionaries(_names, _values, min_size=1, max_size=4), max_size=4)


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    photos=st.lists(st.tuples(_metrics, st.integers(0, 800), st.booleans()), max_size=4),
    reason=st.text(st.characters(blacklist_categories=("Cs",)) | st.sampled_from('\n\r\t",;'), max_size=30),
)
def test_photo_metrics_roundtrip_json_and_csv_losslessly(
    tmp_path_factory: pytest.TempPathFactory,
    photos: list[tuple[dict[str, dict[str, float]], int, bool]],
    reason: str,
) -> None:
    """Any metric values (tiny, huge, negative zero, NaN/inf stored as 'not computed') survive
    export → import → export unchanged, in JSON and in CSV, and read back the same."""
    d = tmp_path_factory.mktemp("rt")
    src = PhotoStore(d / "a")
    stored = []
    for i, (metrics, day, calibrated) in enumerate(photos):
        decoded, analysis = _fake(1000 + i, metrics)
        analysis = replace(
            analysis,
            correction=replace(analysis.correction, calibrated=calibrated),
            quality=replace(analysis.quality, reasons=[reason]),  # free text inside analysis_json
        )
        stored.append(src.add(decoded, analysis, date(2024, 1, 1) + timedelta(days=day))[0])
    before = records(src.journal)
    export_json(src.journal, d / "a.json")
    export_csv(src.journal, d / "csv")
    src.close()
    for kind in ("json", "csv"):
        j = open_journal(str(d / f"b_{kind}.sqlite3"))
        added = import_json(j, d / "a.json") if kind == "json" else import_csv(j, d / "csv")
        assert added["photos"] == len(photos)
        assert added["photo_metrics"] == sum(len(v) for m, _, _ in photos for v in m.values())
        assert _normal(records(j)) == _normal(before)
        assert sum(import_json(j, d / "a.json").values()) == 0  # merging twice adds nothing
        back = PhotoStore(d / "a", journal=j).records()
        by_sha = {r.sha256: r for r in back}
        assert by_sha.keys() == {r.sha256 for r in stored}
        for r0 in stored:
            r1 = by_sha[r0.sha256]
            assert r1.metrics.keys() == r0.metrics.keys() and r1.calibrated == r0.calibrated
            assert json.dumps(r1.analysis, sort_keys=True) == json.dumps(r0.analysis, sort_keys=True)
            assert r1.analysis["quality"]["reasons"] == [reason]
            for region, vals in r0.metrics.items():
                assert all(_same(v, r1.metrics[region][k]) for k, v in vals.items())
        j.close()
    for (metrics, _, _), rec in zip(photos, stored, strict=True):  # as given; NaN/inf: not computed
        for region, vals in metrics.items():
            for k, v in vals.items():
                assert _same(v if math.isfinite(v) else math.nan, rec.metrics[region][k])


def test_roundtrip_across_backends_and_backup(db_url: str, tmp_path: Path) -> None:
    src = PhotoStore(tmp_path / "a")
    src.add(*_fake(11), date(2026, 1, 2))
    extreme = {"a": 5e-324, "L": 1.7976931348623157e308, "b": -0.0, "ita_deg": 0.1 + 0.2, "x": math.nan}
    src.add(*_fake(12, {"face": extreme, "chin": {"texture": -2.2250738585072014e-308}}), date(2026, 1, 9))
    export_json(src.journal, tmp_path / "x.json")
    before = records(src.journal)
    sqlite_backup = backup(src.journal, tmp_path / "bk" / "b.sqlite3")
    src.close()
    dst = open_journal(db_url)
    import_json(dst, tmp_path / "x.json")
    assert _normal(records(dst)) == _normal(before)
    back = {r.sha256: r for r in PhotoStore(tmp_path / "a", journal=dst).records()}
    face = back[f"{12:064x}"].metrics["face"]
    assert [face[k] for k in ("a", "L", "b", "ita_deg")] == [5e-324, 1.7976931348623157e308, 0.0, 0.1 + 0.2]
    assert math.isnan(face["x"])  # not computed: NULL
    pg_or_sqlite_backup = backup(dst, tmp_path / "bk" / "dst.bak")
    dst.close()
    bj = open_journal(str(sqlite_backup))
    assert _normal(records(bj)) == _normal(before)
    bj.close()
    if not db_url.startswith("sqlite"):  # PostgreSQL backups are JSON exports
        data = json.loads(pg_or_sqlite_backup.read_text())
        assert _normal(data) == _normal(before)


@pytest.mark.parametrize(
    ("column", "value"),
    [("sha256", "../../etc/passwd"), ("image_name", "../../../home/x/.bashrc"), ("file_sha256", "zz")],
)
def test_import_refuses_photo_rows_that_name_other_files(tmp_path: Path, column: str, value: str) -> None:
    src = PhotoStore(tmp_path / "a")
    src.add(*_fake(21), date(2026, 1, 2))
    data = records(src.journal)
    src.close()
    data["photos"][0][column] = value
    (tmp_path / "bad.json").write_text(json.dumps(data))
    j = open_journal(str(tmp_path / "b.sqlite3"))
    with pytest.raises(JournalError) as e:
        import_json(j, tmp_path / "bad.json")
    assert e.value.field == f"photos[0].{column}"
    assert records(j)["photos"] == [] and records(j)["photo_metrics"] == []
    j.close()


# ---------------------------------------------------------------- photo check-ins vs the plan


def test_journal_view_sets_photos_against_the_plans_checkins(
    db_url: str, tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    start = date.today() - timedelta(days=7 * 5)
    j = open_journal(db_url)
    save_plan(
        j,
        goal="redness",
        device_key="theraface-mask",
        minutes_per_session=10,
        sessions_per_week=3,
        weeks=8,
        start_date=start,
        plan_json=json.dumps({"photo_checkin_weeks": [0, 4, 8]}),
    )
    store = PhotoStore(data_dir, journal=j)
    store.add(*_fake(31), start + timedelta(days=1))  # baseline, a day late: counts
    store.add(*_fake(32), start + timedelta(days=14))  # between check-ins: counts for none
    summary = journal_summary(j)["photos"]
    assert summary["n_photos"] == 2 and summary["checkins_planned"] == 3
    assert [c["state"] for c in summary["checkins"]] == ["done", "missed", "upcoming"]
    assert summary["checkins"][0]["photo_day"] == (start + timedelta(days=1)).isoformat()
    j.close()
    monkeypatch.setenv("PHOTODOSE_DB", db_url)
    r = runner.invoke(app, ["journal"])
    assert r.exit_code == 0, r.output
    assert "Photo check-ins: 1 of 3 done, 1 missed (2 photos stored)" in r.stdout


def test_journal_view_without_a_plan_counts_photos(tmp_path: Path) -> None:
    j = open_journal(str(tmp_path / "j.sqlite3"))
    PhotoStore(tmp_path, journal=j).add(*_fake(41), date(2026, 1, 2))
    photos = journal_summary(j)["photos"]
    assert photos == {"n_photos": 1, "days": ["2026-01-02"], "checkins": None}
    j.close()


@given(
    weeks=st.lists(st.integers(0, 20), max_size=8),
    offsets=st.lists(st.integers(-10, 150), max_size=12),
    today=st.integers(-10, 160),
)
def test_photo_checkins_invariants(weeks: list[int], offsets: list[int], today: int) -> None:
    start = date(2026, 1, 5)
    days = [start + timedelta(days=o) for o in offsets]
    rows = photo_checkins(start, weeks, days, start + timedelta(days=today))
    assert [r["week"] for r in rows] == sorted(set(weeks))
    used = [r["photo_day"] for r in rows if r["state"] == "done"]
    assert len(used) == len(set(used)) <= len(set(days))  # one photo day serves one check-in
    for r in rows:
        due = date.fromisoformat(r["date"])
        if r["state"] == "done":
            assert abs((date.fromisoformat(r["photo_day"]) - due).days) <= 3
        else:  # not done: no unused photo day lies within its window
            assert r["photo_day"] is None
            free = set(days) - {date.fromisoformat(u) for u in used}
            assert not any(abs((d - due).days) <= 3 for d in free)


# ---------------------------------------------------------------- the earlier separate photo database

_LEGACY_DDL = """
CREATE TABLE photo (id INTEGER PRIMARY KEY, sha256 VARCHAR(64) UNIQUE NOT NULL,
  file_sha256 VARCHAR(64) NOT NULL, taken_on DATE NOT NULL, added_at DATETIME NOT NULL,
  width INTEGER NOT NULL, height INTEGER NOT NULL, source_format VARCHAR(10) NOT NULL,
  correction VARCHAR(30) NOT NULL, calibrated INTEGER NOT NULL, quality_status VARCHAR(10) NOT NULL,
  analysis_json TEXT NOT NULL);
CREATE TABLE photo_metric (id INTEGER PRIMARY KEY, photo_id INTEGER NOT NULL REFERENCES photo(id),
  region VARCHAR(20) NOT NULL, metric VARCHAR(30) NOT NULL, value FLOAT);
"""


def test_an_earlier_separate_photo_database_moves_into_the_journal(db_url: str, tmp_path: Path) -> None:
    """photos/photos.sqlite3 (the schema before 0003, as SQLAlchemy wrote it) is read into the
    journal once, every value kept, and renamed so it is not read twice."""
    import sqlite3

    root = tmp_path / "data"
    (root / "photos").mkdir(parents=True)
    legacy = root / "photos" / "photos.sqlite3"
    with sqlite3.connect(legacy) as con:
        con.executescript(_LEGACY_DDL)
        for i, (day, a) in enumerate([("2026-01-02", 11.25), ("2026-01-30", 10.5)]):
            con.execute(
                "INSERT INTO photo VALUES (?, ?, ?, ?, '2026-02-01 10:00:00.123456', 512, 512, 'JPEG', "
                "'shades-of-grey', 0, 'flagged', '{\"quality\": {\"values\": {}}}')",
                (i + 1, f"{i + 1:064x}", f"{i + 9:064x}", day),
            )
            con.execute("INSERT INTO photo_metric VALUES (NULL, ?, 'face', 'a', ?)", (i + 1, a))
            con.execute("INSERT INTO photo_metric VALUES (NULL, ?, 'chin', 'texture', NULL)", (i + 1,))
    con.close()
    store = PhotoStore(root, db=db_url)
    recs = store.records()
    assert [r.taken_on for r in recs] == [date(2026, 1, 2), date(2026, 1, 30)]
    assert [r.metrics["face"]["a"] for r in recs] == [11.25, 10.5]
    assert all(math.isnan(r.metrics["chin"]["texture"]) and r.quality_status == "flagged" for r in recs)
    assert recs[0].added_at == datetime(2026, 2, 1, 10, 0, 0, 123456)
    store.close()
    assert not legacy.exists() and (root / "photos" / "photos.sqlite3.imported").exists()
    assert len(PhotoStore(root, db=db_url).records()) == 2  # not imported twice


def test_a_damaged_earlier_photo_database_is_reported(tmp_path: Path, data_dir: Path) -> None:
    (data_dir / "photos").mkdir(parents=True)
    (data_dir / "photos" / "photos.sqlite3").write_bytes(b"this is not a database" * 100)
    r = runner.invoke(app, ["progress", "--json"])
    assert r.exit_code == 2, r.output
    err = json.loads(r.stdout)["error"]
    assert err["field"] == "PHOTODOSE_DATA_DIR" and "photos.sqlite3" in err["message"] and err["fix"]


_ADDER = r"""
import pickle, random, sys
from datetime import date
from pathlib import Path
from photodose.photos.store import PhotoStore
root, url, items, seed = Path(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
photos = pickle.loads(Path(items).read_bytes())
random.Random(seed).shuffle(photos)
store = PhotoStore(root, db=url)
for decoded, analysis in photos:
    rec, new = store.add(decoded, analysis, date(2026, 1, 2))
    print(rec.sha256, int(new), flush=True)
store.close()
"""


def test_two_processes_adding_the_same_photos_store_each_once(db_url: str, tmp_path: Path) -> None:
    """Two processes add the same ten pictures in different orders at once: every picture ends up
    stored once (one row, one file), each reported as new by exactly one process, nothing fails."""
    import pickle
    import subprocess
    import sys

    root = tmp_path / "data"
    PhotoStore(root, db=db_url).close()  # schema in place before the race
    items = tmp_path / "items.pickle"
    items.write_bytes(pickle.dumps([_fake(500 + i) for i in range(10)]))
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _ADDER, str(root), db_url, str(items), str(seed)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for seed in (1, 2)
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    for p, (_, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err[-2000:]
    new_by_sha: dict[str, int] = {}
    for out, _ in outs:
        for line in out.split("\n"):
            if line.strip():
                sha, new = line.split()
                new_by_sha[sha] = new_by_sha.get(sha, 0) + int(new)
    expected = {f"{500 + i:064x}" for i in range(10)}
    assert new_by_sha == dict.fromkeys(expected, 1)
    assert _images(root) == sorted(f"{s}.png" for s in expected)
    store = PhotoStore(root, db=db_url)
    assert sorted(r.sha256 for r in store.records()) == sorted(expected)
    store.close()
