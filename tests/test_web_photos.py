"""Route tests of the Photos page: an upload runs ``photos.service.add_photo`` (a real face from
scikit-image's data), the page shows what ``photos.service.progress`` computes, and corrupt,
non-image, hostile, oversized or CSRF-less uploads get a clear error and store nothing."""

from __future__ import annotations

import html
import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

pytest.importorskip("cv2")  # the [photos] extra (installed in CI: the photo tests never skip there)
from PIL import Image
from skimage import data as skdata

from photodose.web import WebSettings, create_app


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Path]]:
    data = tmp_path_factory.mktemp("photodata")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PHOTODOSE_CACHE_DIR", str(tmp_path_factory.mktemp("photocache")))
        mp.setenv("PHOTODOSE_DATA_DIR", str(data))
        mp.delenv("PHOTODOSE_DB", raising=False)
        settings = WebSettings(data_dir=data, photons=2000, journal_db=str(data / "journal.sqlite3"))
        with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
            client.get("/")
            yield client, data


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _stored(data: Path) -> list[Path]:
    images = data / "photos" / "images"
    return sorted(p for p in images.iterdir() if p.suffix == ".png") if images.exists() else []


def selfie(seed: int = 0, exif: bool = False) -> bytes:
    """scikit-image's astronaut() as a JPEG, with a pixel of grain (``seed``) so repeats differ."""
    arr = np.asarray(skdata.astronaut()).astype(np.int16)
    arr += np.random.default_rng(seed).integers(-1, 2, arr.shape).astype(np.int16)
    img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    kw: dict[str, Any] = {}
    if exif:
        e = Image.Exif()
        e[0x010F] = "SecretPhoneMaker"
        kw["exif"] = e
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=95, **kw)
    return buf.getvalue()


def upload(client: TestClient, payload: bytes, name: str = "me.jpg", day: str = "", csrf: bool = True) -> Any:
    data = {"date": day}
    if csrf:
        data["csrf_token"] = client.cookies["pd_csrf"]
    return client.post("/photos/add", data=data, files={"photo": (name, payload, "image/jpeg")})


def test_photos_page_is_in_the_navigation(web: tuple[TestClient, Path]) -> None:
    client, _ = web
    assert 'href="/photos"' in client.get("/").text
    r = client.get("/photos")
    assert r.status_code == 200 and "Add a photo" in r.text and 'name="csrf_token"' in r.text


def hostile() -> dict[str, tuple[bytes, str]]:
    good = selfie()
    z = io.BytesIO()
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("x.sh", "echo pwned")
    big = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(big, "PNG")
    grey = io.BytesIO()
    Image.fromarray(np.full((400, 400, 3), 128, np.uint8)).save(grey, "PNG")
    return {
        "notes.jpg": (b"just text, named like a photo\n" * 20, "not a JPEG, PNG or WebP"),
        "../../etc/passwd.jpg": (b"<?php system($_GET['c']); ?>" * 10, "not a JPEG, PNG or WebP"),
        "cut.jpg": (good[:9000], "truncated"),
        "poly.jpg": (good + z.getvalue(), "polyglot"),
        "bomb.png": (big.getvalue(), "megapixels"),
        "grey.png": (grey.getvalue(), "no face"),
    }


@pytest.mark.parametrize("name", list(hostile()))
def test_bad_and_hostile_uploads_store_nothing(web: tuple[TestClient, Path], name: str) -> None:
    client, data = web
    before = _stored(data)
    payload, needle = hostile()[name]
    r = upload(client, payload, name)
    assert r.status_code == 422, _text(r.text)[:400]
    assert 'role="alert"' in r.text and "<strong>photo</strong>" in r.text
    assert needle in _text(r.text)
    assert "Traceback" not in r.text
    assert _stored(data) == before
    assert not list((data / "photos" / "images").glob("*.tmp*"))


def test_upload_needs_csrf_and_a_size_limit(web: tuple[TestClient, Path]) -> None:
    from photodose.web.security import MAX_PHOTO_UPLOAD_BYTES

    client, data = web
    before = _stored(data)
    r = upload(client, selfie(seed=99), csrf=False)
    assert r.status_code == 403
    big = b"\xff\xd8\xff" + b"\0" * (MAX_PHOTO_UPLOAD_BYTES + 10)
    r = upload(client, big, "huge.jpg")
    assert r.status_code == 413 and "too large" in r.text
    r = upload(client, b"", "empty.jpg")
    assert r.status_code == 422
    r = client.post(
        "/photos/add", data={"csrf_token": client.cookies["pd_csrf"], "date": "2099-01-01"},
        files={"photo": ("me.jpg", selfie(seed=98), "image/jpeg")},
    )  # fmt: skip
    assert r.status_code == 422 and "<strong>date</strong>" in r.text
    assert _stored(data) == before


@pytest.mark.parametrize(("day", "words"), [("31/12/2025", "not a date"), ("2099-01-01", "in the future")])
def test_a_bad_photo_date_names_the_date_field(web: tuple[TestClient, Path], day: str, words: str) -> None:
    """The photo library's date check (PhotoError, field ``date``) on the Photos page: the page
    again with the date named and its fix, before any decoding; nothing stored."""
    from photodose.photos.dates import parse_photo_date
    from photodose.photos.decode import PhotoError

    with pytest.raises(PhotoError) as info:
        parse_photo_date(day)
    client, data = web
    before = _stored(data)
    r = upload(client, selfie(seed=97), day=day)
    assert r.status_code == 422 and 'role="alert"' in r.text
    assert "<strong>date</strong>" in r.text and words in _text(r.text)
    assert f"Fix: {info.value.fix}" in _text(r.text) and "Add a photo" in r.text
    assert _stored(data) == before


def test_upload_a_face_then_progress_matches_the_service(web: tuple[TestClient, Path]) -> None:
    """Four photos on three days (two on the first: the noise); the page's trends are the service's."""
    from photodose.photos.service import progress
    from photodose.photos.store import PhotoStore

    client, data = web
    r = upload(client, selfie(seed=1, exif=True), day="2026-10-01")
    assert r.status_code == 200, _text(r.text)[:600]
    page = _text(r.text)
    assert "Stored: photo of 2026-10-01" in page and "Quality:" in page
    files = _stored(data)
    assert len(files) == 1 and b"SecretPhoneMaker" not in files[0].read_bytes()
    assert "exif" in page  # the metadata removed is named
    again = upload(client, selfie(seed=1, exif=True), day="2026-10-01")
    assert "Already stored" in _text(again.text) and len(_stored(data)) == 1
    for seed, day in ((2, "2026-10-01"), (3, "2026-10-15"), (4, "2026-10-29")):
        assert upload(client, selfie(seed=seed), day=day).status_code == 200
    r = client.get("/photos")
    page = _text(r.text)
    store = PhotoStore(data, db=str(data / "journal.sqlite3"))
    try:
        summary = progress(store)
        records = store.records()
    finally:
        store.close()
    assert summary["n_photos"] == 4 and f"{summary['n_photos']} photos on {summary['n_days']} days" in page
    face = [t for t in summary["trends"] if t["region"] == "face"]
    assert face and all(t["slope_per_30d"] == t["slope_per_30d"] for t in face)  # 3 days: a slope
    assert all(t["mdc95"] is not None for t in face)  # two photos on one day: the noise is measured
    for t in face:
        slope = t["slope_per_30d"]
        row = f"{t['first']:.1f} → {t['last']:.1f}"
        if slope == slope:
            row += f" {slope:+.2f} ({t['ci95_low_per_30d']:+.2f} … {t['ci95_high_per_30d']:+.2f})"
        assert row in page, row
        assert t["verdict"] in page
    # 'changed' only beyond the measured noise: the same face with grain is not called a change
    assert all(t["verdict"] not in ("increased", "decreased") for t in face)
    for rec in records:
        assert f'href="/photos/image/{rec.sha256}.png"' in r.text
        assert rec.quality_status in page
    img = client.get(f"/photos/image/{records[0].sha256}.png")
    assert img.status_code == 200 and img.content[:8] == b"\x89PNG\r\n\x1a\n"
    chart = client.get("/photos/chart.svg")
    assert chart.headers["content-type"].startswith("image/svg+xml") and "<svg" in chart.text
    journal = _text(client.get("/journal").text)
    assert "Progress photos" in journal and "4 photos on 3 days" in journal


@pytest.mark.parametrize("sha", ["..%2F..%2Fjournal.sqlite3", "a" * 63, "../" + "a" * 61, "Z" * 64])
def test_photo_image_route_takes_only_a_content_hash(web: tuple[TestClient, Path], sha: str) -> None:
    client, _ = web
    r = client.get(f"/photos/image/{sha}.png")
    assert r.status_code == 404
    assert "SQLite" not in r.text


def test_only_the_photo_upload_may_send_a_large_body(web: tuple[TestClient, Path]) -> None:
    """The 20 MiB bound is for /photos/add alone: 1 MiB to any other form is still refused (413)."""
    from photodose.web.security import MAX_BODY_BYTES, UPLOAD_PATHS

    client, data = web
    assert set(UPLOAD_PATHS) == {"/photos/add"}
    body = b"\xff\xd8\xff" + b"\0" * (2 * MAX_BODY_BYTES)
    token = client.cookies["pd_csrf"]
    r = client.post(
        "/journal/import", data={"csrf_token": token}, files={"file": ("x.json", body, "application/json")}
    )
    assert r.status_code == 413
    before = _stored(data)
    r = client.post("/photos/add", data={"csrf_token": token}, files={"photo": ("x.jpg", body, "image/jpeg")})
    assert r.status_code == 422  # past the size check, refused by the decoder: a JPEG of zeros
    assert "<strong>photo</strong>" in r.text and _stored(data) == before


def test_journal_shows_the_plans_photo_checkins(web: tuple[TestClient, Path]) -> None:
    """A saved plan's photo check-ins on the journal page are ``journal_summary``'s: a photo on the
    plan's first day makes the week-0 check-in done."""
    from photodose.journal import open_journal
    from photodose.journal.summary import journal_summary

    client, data = web
    token = client.cookies["pd_csrf"]
    plan = {"goal": "wrinkles", "device": "higherdose-red-light-face-mask", "start": "2026-09-01"}
    saved = client.post("/plan/save", data={**plan, "csrf_token": token}, follow_redirects=False)
    assert saved.status_code == 303
    assert upload(client, selfie(seed=50), day="2026-09-01").status_code == 200
    page = _text(client.get("/journal").text)
    j = open_journal(str(data / "journal.sqlite3"))
    try:
        photos = journal_summary(j)["photos"]
    finally:
        j.close()
    assert photos["checkins"] and photos["checkins"][0]["state"] == "done"
    assert f"Photo check-ins of the plan: {photos['checkins_done']} done" in page
    for c in photos["checkins"]:
        assert f"{c['week']} {c['date']} {c['state']} {c['photo_day'] or '—'}" in page
