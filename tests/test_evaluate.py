"""The main job end to end: `photodose evaluate` on catalogued devices, JSON, HTML and errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from photodose.cli import app
from photodose.report.html import render_html
from photodose.services.evaluate import evaluate
from photodose.skin import SkinProfile

runner = CliRunner()
PHOTONS = "4000"


@pytest.fixture(autouse=True)
def _cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PHOTODOSE_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))


@pytest.fixture(scope="module")
def higherdose():  # type: ignore[no-untyped-def]
    import os
    import tempfile

    os.environ.setdefault("PHOTODOSE_CACHE_DIR", tempfile.mkdtemp())
    return evaluate("higherdose-face-mask", skin=SkinProfile("III", "forehead"), photons=4000)


def test_evaluation_numbers_hang_together(higherdose) -> None:  # type: ignore[no-untyped-def]
    ev = higherdose
    assert ev.device.id == "higherdose-red-light-face-mask"
    assert [round(d.wavelength_nm) for d in ev.doses] == [630, 830]
    for dose in ev.doses:
        e, h = dose.irradiance_mw_cm2, dose.surface_fluence_j_cm2
        assert h.central == pytest.approx(e.central * ev.session_minutes * 60 / 1000)
        assert h.low <= h.central <= h.high
        assert dose.weekly_surface_fluence_j_cm2.central == pytest.approx(h.central * ev.sessions_per_week)
        # the dermis sees less than the papillary layer just below the epidermis…
        assert dose.reticular_dermis_fluence_j_cm2.central < dose.papillary_dermis_fluence_j_cm2.central
    # …and NIR reaches the reticular dermis better than red (issue 3's physical trend)
    red, nir = ev.doses
    assert nir.reticular_ratio > red.reticular_ratio
    kinds = {v.verdict for v in ev.verdicts}
    assert kinds <= {
        "within_studied_range",
        "below_studied_range",
        "above_studied_range",
        "wavelength_not_studied",
        "no_controlled_evidence",
    }
    photoaging = [v for v in ev.verdicts if v.indication == "photoaging"]
    assert photoaging and all(v.citations for v in photoaging)


def test_json_shape(higherdose) -> None:  # type: ignore[no-untyped-def]
    out = json.loads(json.dumps(higherdose.to_json(), default=str))
    assert out["device"]["name"] == "HigherDOSE Red Light Face Mask"
    assert out["session_minutes"] == 20
    for ch in out["channels"]:
        for key in ("irradiance_mw_cm2", "surface_fluence_j_cm2", "dermis_fluence_j_cm2"):
            assert set(ch[key]) >= {"low", "central", "high"}
        assert "wavelength_nm" in ch
    for v in out["verdicts"]:
        assert {"indication", "verdict", "citations"} <= set(v)
    assert set(out["provenance"]) == {"computed", "cited", "assumption"}


def test_html_is_self_contained_and_every_number_has_a_mark(higherdose) -> None:  # type: ignore[no-untyped-def]
    page = render_html(higherdose)
    assert "<script" not in page
    assert not re.search(r'(src|href)\s*=\s*"(https?:)?//', page), "no external resources"
    for section in (
        "Light at the skin",
        "Dose in your skin",
        "Against the clinical evidence",
        "Among other devices",
        "What the marketing says",
        "Sources and assumptions",
    ):
        assert section in page
    cells = re.findall(r'<td class="num">(.*?)</td>', page, flags=re.S)
    assert cells
    for cell in cells:
        has_number = re.search(r"\d", re.sub(r"<[^>]+>", "", cell))
        if has_number and "not treated" not in cell:
            assert 'class="mark' in cell, f"number without provenance mark: {cell!r}"
    assert page.count("<svg") >= 2 and "data:image/png;base64," in page


def test_in_office_device_is_comparable(tmp_path: Path) -> None:
    res = runner.invoke(
        app,
        [
            "evaluate",
            "in-office-lee-2007-panels",
            "--photons",
            PHOTONS,
            "--json",
            "--html",
            str(tmp_path / "office.html"),
        ],
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    red = out["channels"][0]
    assert red["irradiance_mw_cm2"]["central"] > 20  # in-office panels are far stronger
    assert (tmp_path / "office.html").stat().st_size > 10_000
    ranking = out["standing"]["ranking"]
    assert ranking["by_kind"]["at_home"]["percentile"] == 100.0


def test_unknown_device_suggests_names() -> None:
    res = runner.invoke(app, ["evaluate", "higherdose mask pro max", "--photons", PHOTONS])
    assert res.exit_code == 2
    assert "higherdose" in res.output.lower()


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--fitzpatrick", "VII"], "fitzpatrick"),
        (["--site", "elbow"], "site"),
        (["--minutes", "-5"], "minutes"),
        (["--sessions-per-week", "40"], "sessions"),
        (["--meter-reading", "12"], "unit"),
    ],
)
def test_bad_input_is_named(args: list[str], needle: str) -> None:
    res = runner.invoke(app, ["evaluate", "higherdose-face-mask", "--photons", PHOTONS, *args])
    assert res.exit_code == 2, res.output
    assert needle in res.output.lower()


def test_meter_reading_in_wrong_unit_is_flagged() -> None:
    res = runner.invoke(
        app,
        [
            "evaluate",
            "higherdose-face-mask",
            "--photons",
            PHOTONS,
            "--json",
            "--meter-reading",
            "150 mW/cm2",
            "--meter-distance-cm",
            "1",
            "--meter-model",
            "TES-1333",
        ],
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["meter"] is not None
    assert any("W/m" in n for n in out["notes"]), out["notes"]
