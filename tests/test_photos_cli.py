"""``photodose photo add`` and ``photodose progress`` end to end: content-addressed copies without
metadata, bad and hostile files refused with nothing stored, and progress with trends and a plot."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from skimage import data as skdata
from typer.testing import CliRunner

from photodose.cli import app
from photodose.photos.decode import linear_to_srgb, srgb_to_linear
from photodose.photos.store import PhotoStore

runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    d = tmp_path / "data"
    monkeypatch.setenv("PHOTODOSE_DATA_DIR", str(d))
    monkeypatch.delenv("PHOTODOSE_DB", raising=False)  # metrics go to the journal in d
    return d


def selfie(path: Path, *, red: float = 1.0, seed: int = 0, exif: bool = False) -> Path:
    """astronaut() as a JPEG; ``red`` scales the linear red of the face area; ``seed`` adds a pixel of
    grain so repeats are different files."""
    arr = np.asarray(skdata.astronaut()).astype(np.float64)
    lin = srgb_to_linear(arr.astype(np.uint8))
    lin[40:200, 150:300, 0] *= red
    u8 = np.round(linear_to_srgb(lin) * 255)
    u8 += np.random.default_rng(seed).integers(-1, 2, u8.shape)
    img = Image.fromarray(np.clip(u8, 0, 255).astype(np.uint8))
    kw: dict = {}
    if exif:
        e = Image.Exif()
        e[0x010F] = "SecretPhoneMaker"
        e[0x8825] = {1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 3.0)}
        kw["exif"] = e
    img.save(path, "JPEG", quality=95, **kw)
    return path


def stored_files(data_dir: Path) -> list[Path]:
    images = data_dir / "photos" / "images"
    return sorted(images.iterdir()) if images.exists() else []


def test_add_stores_a_stripped_content_addressed_copy(tmp_path: Path, data_dir: Path) -> None:
    src = selfie(tmp_path / "me.jpg", exif=True)
    r = runner.invoke(app, ["photo", "add", str(src), "--date", "2026-10-01", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["new"] and out["taken_on"] == "2026-10-01"
    files = stored_files(data_dir)
    assert [f.name for f in files] == [out["sha256"] + ".png"]
    blob = files[0].read_bytes()
    assert b"SecretPhoneMaker" not in blob and b"Exif" not in blob
    assert "exif" in out["stripped_metadata"]
    assert out["metrics"]["face"]["L"] > 0 and out["quality"]["status"] in ("ok", "flagged")
    assert out["face"]["detector"] == "mediapipe-facemesh" and abs(out["face"]["yaw_deg"]) < 5
    # the same picture again is recognised, not stored twice
    r2 = runner.invoke(app, ["photo", "add", str(src), "--json"])
    assert r2.exit_code == 0 and json.loads(r2.stdout)["new"] is False
    assert len(stored_files(data_dir)) == 1


def hostile_files(tmp: Path) -> list[tuple[Path, str]]:
    good = io.BytesIO()
    Image.fromarray(np.asarray(skdata.astronaut())).save(good, "JPEG")
    z = io.BytesIO()
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("x.sh", "echo pwned")
    big = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(big, "PNG")
    cases = {
        "notes.jpg": (b"just text, named like a photo\n" * 20, "not a JPEG"),
        "cut.jpg": (good.getvalue()[:9000], "truncated"),
        "poly.jpg": (good.getvalue() + z.getvalue(), "polyglot"),
        "bomb.png": (big.getvalue(), "megapixels"),
        "..%2f..%2fetc%2fpasswd.jpg": (b"<?php system($_GET['c']); ?>" * 10, "not a JPEG"),
        "no-face.png": (_png(np.full((400, 400, 3), 128, np.uint8)), "no face"),
    }
    out = []
    for name, (payload, needle) in cases.items():
        p = tmp / name
        p.write_bytes(payload)
        out.append((p, needle))
    return out


def test_bad_and_hostile_files_store_nothing(tmp_path: Path, data_dir: Path) -> None:
    for path, needle in hostile_files(tmp_path):
        r = runner.invoke(app, ["photo", "add", str(path), "--json"])
        assert r.exit_code == 2, (path.name, r.output)
        err = json.loads(r.stdout)["error"]
        assert err["field"] == "IMAGE" and needle in err["message"] and err["fix"], (path.name, err)
        assert "Traceback" not in r.output
    assert stored_files(data_dir) == []
    store = PhotoStore(data_dir)
    assert store.records() == []
    store.close()
    # a missing file, a folder and devices
    for p in (tmp_path / "missing.jpg", tmp_path, Path("/dev/zero"), Path("/dev/urandom")):
        r = runner.invoke(app, ["photo", "add", str(p)])
        assert r.exit_code == 2 and "IMAGE" in r.output


def _png(u8: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(u8).save(buf, "PNG")
    return buf.getvalue()


@pytest.mark.parametrize("bad", ["2026-13-01", "yesterday", "2999-01-01", "1900-01-01"])
def test_bad_date_names_the_option(tmp_path: Path, data_dir: Path, bad: str) -> None:
    r = runner.invoke(app, ["photo", "add", str(tmp_path / "x.jpg"), "--date", bad, "--json"])
    assert r.exit_code == 2
    assert json.loads(r.stdout)["error"]["field"] == "--date"


def test_progress_calls_a_real_change_and_plots(tmp_path: Path, data_dir: Path) -> None:
    """Redness falls on days 2 and 3 (face red channel × 0.93, × 0.86); day 1 has two repeats for the
    noise. a*/EI must read "decreased"; L* must not be called "increased"."""
    start = date.today() - timedelta(days=40)
    plan = [(0, 1.0, 0), (0, 1.0, 1), (20, 0.93, 2), (40, 0.86, 3)]
    for i, (day, red, seed) in enumerate(plan):
        p = selfie(tmp_path / f"p{i}.jpg", red=red, seed=seed)
        r = runner.invoke(app, ["photo", "add", str(p), "--date", (start + timedelta(days=day)).isoformat()])
        assert r.exit_code == 0, r.output
    plot = tmp_path / "progress.png"
    r = runner.invoke(app, ["progress", "--json", "--plot", str(plot)])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["n_photos"] == 4 and out["n_days"] == 3 and out["correction"] == "shades-of-grey"
    face = {t["metric"]: t for t in out["trends"] if t["region"] == "face"}
    assert face["erythema_index"]["verdict"] == "decreased", face["erythema_index"]
    assert face["erythema_index"]["mdc95"] is not None
    assert face["L"]["verdict"] != "increased"
    assert plot.exists() and plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "ColorChecker" in out["skin_model"]["note"]
    text = runner.invoke(app, ["progress"])
    assert text.exit_code == 0 and "decreased" in text.stdout


def test_progress_without_photos(data_dir: Path) -> None:
    r = runner.invoke(app, ["progress", "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["n_photos"] == 0
    r = runner.invoke(app, ["progress", "--plot", "out.txt", "--json"])
    assert r.exit_code == 2 and json.loads(r.stdout)["error"]["field"] == "--plot"


@pytest.mark.parametrize("args", [["photo", "--help"], ["progress", "--help"], ["photo", "add", "--help"]])
def test_help_imports_nothing_heavy(args: list[str]) -> None:
    """`photodose photo --help` stays cheap: no numpy, OpenCV, Pillow, colour-science or SQLAlchemy."""
    code = (
        "import sys\nfrom photodose.cli import main\n"
        f"sys.argv = ['photodose', *{args!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(' '.join(sys.modules), file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    mods = set(proc.stderr.split())
    assert "Usage" in proc.stdout
    assert not mods & {"numpy", "cv2", "PIL", "colour", "sqlalchemy", "skimage", "matplotlib"}


def test_failed_database_write_leaves_no_image(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.orm import SessionTransaction

    src = selfie(tmp_path / "me.jpg")

    def boom(*_a: object, **_k: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(SessionTransaction, "commit", boom)  # fails after the image file is written
    with pytest.raises(RuntimeError):
        from photodose.photos.service import add_photo

        st = PhotoStore(data_dir)
        try:
            add_photo(src, st)
        finally:
            st.close()
    assert stored_files(data_dir) == []


def test_calibrated_photo_offers_its_ita_to_the_skin_model(tmp_path: Path, data_dir: Path) -> None:
    """With a ColorChecker in the frame, progress prints the `photodose skin --ita` command."""
    from test_photos_colour import CAST, chart_scene, png_of_linear

    p = tmp_path / "with-chart.png"
    p.write_bytes(png_of_linear(chart_scene(CAST)))
    r = runner.invoke(app, ["photo", "add", str(p), "--json"])
    assert r.exit_code == 0, r.output
    added = json.loads(r.stdout)
    assert added["colour_correction"]["method"] == "colorchecker"
    out = json.loads(runner.invoke(app, ["progress", "--json"]).stdout)
    assert out["calibrated"] is True
    ita = added["metrics"]["face"]["ita_deg"]
    assert out["skin_model"]["command"] == f"photodose skin --spectrum --ita {ita:.0f}"
    assert "melanin_index" in {t["metric"] for t in out["trends"]}


def test_rejected_photo_is_not_stored(tmp_path: Path, data_dir: Path) -> None:
    """A photo that fails a gate (here: blown out) exits 2 with the reason and a retake hint."""
    src = np.asarray(skdata.astronaut())
    bright = np.round(linear_to_srgb(srgb_to_linear(src) * 3.0) * 255).astype(np.uint8)
    p = tmp_path / "bright.png"
    p.write_bytes(_png(bright))
    r = runner.invoke(app, ["photo", "add", str(p), "--json"])
    assert r.exit_code == 2, r.output
    err = json.loads(r.stdout)["error"]
    assert "not stored" in err["message"] and "blown out" in err["message"] and "retake" in err["fix"]
    assert stored_files(data_dir) == []


def test_damaged_store_is_reported_not_a_traceback(tmp_path: Path, data_dir: Path) -> None:
    """Photo metrics live in the journal: a damaged journal file is refused with the --db field."""
    data_dir.mkdir(parents=True)
    (data_dir / "journal.sqlite3").write_bytes(b"this is not a database" * 100)
    for args in (["progress", "--json"], ["photo", "add", str(selfie(tmp_path / "a.jpg")), "--json"]):
        r = runner.invoke(app, args)
        assert r.exit_code == 2, r.output
        err = json.loads(r.stdout)["error"]
        assert err["field"] == "--db" and "not a photodose journal" in err["message"] and err["fix"]
    assert stored_files(data_dir) == []
