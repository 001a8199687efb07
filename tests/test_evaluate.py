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
        # red light: the reticular dermis sees less than the papillary layer above it (NIR, scattered
        # more than absorbed, builds up a sub-surface fluence peak that can reach the reticular layer)
        if dose.wavelength_nm < 700:
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
    assert not re.search(r'src\s*=\s*"(https?:)?//', page), "no external resources"
    assert "<link" not in page
    assert '<meta name="viewport"' in page
    assert page.index('id="bottom-line"') < page.index("Light at the skin")
    assert "under-dosed" not in page
    # citations are links to the paper (DOI / PubMed / PMC), never to anything the page loads
    links = re.findall(r'<a href="([^"]+)"', page)
    assert any(u.startswith("https://pubmed.ncbi.nlm.nih.gov/") for u in links)
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


def test_json_has_the_bottom_line_first(higherdose) -> None:  # type: ignore[no-untyped-def]
    out = higherdose.to_json()
    assert next(iter(out)) == "bottom_line"
    bl = out["bottom_line"]
    assert bl["text"].startswith("Your skin gets about")
    for t in bl["targets"]:
        keys = {"minutes_needed", "timer_allows", "meter_threshold_mw_cm2", "lowest_tested_citation"}
        assert keys <= set(t)


def test_terminal_summary_reads_at_80_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    res = runner.invoke(app, ["evaluate", "higherdose-face-mask", "--photons", PHOTONS])
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert max(len(x) for x in lines) <= 80
    assert res.output.index("The bottom line") < res.output.index("Dose per session")
    from photodose.evidence import load_evidence

    names = [i.name for i in load_evidence().indications]
    for name in names:
        if name in res.output or len(name) > 20:
            continue
        pytest.fail(f"indication name {name!r} cut or missing in the 80-column summary")
    assert "…" not in res.output.split("Against the doses")[1].split("\n\n")[0]
    # a verdict row (its citations included) takes at most 6 lines
    table = res.output.split("Against the doses tested")[1].split("To reach the lowest")[0]
    rows = [r for r in table.split("\n") if r.startswith("│")]
    height = 0
    for r in rows:
        height = 1 if r[1:].lstrip().split("│")[0].strip() else height + 1
        assert height <= 6, table
    assert "under-dosed" not in res.output


def test_devices_never_breaks_an_id_mid_word(monkeypatch: pytest.MonkeyPatch) -> None:
    from photodose.device import catalog

    for cols in ("80", "140"):
        monkeypatch.setenv("COLUMNS", cols)
        res = runner.invoke(app, ["devices", "--no-model"])
        assert res.exit_code == 0, res.output
        for d in catalog():
            assert d.id in res.output, f"{d.id} broken at {cols} columns"


def test_own_mask_template_check_and_evaluate(tmp_path: Path) -> None:
    res = runner.invoke(app, ["devices", "template"])
    assert res.exit_code == 0, res.output
    assert res.output.lstrip().startswith("#")  # commented
    path = tmp_path / "my-mask.toml"
    path.write_text(res.stdout, encoding="utf-8")
    res = runner.invoke(app, ["devices", "check", str(path), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["ok"] and out["assumed"] and out["known"]
    ch = out["modelled_face_mean_mw_cm2"]["red"]
    assert ch["low"] < ch["central"] < ch["high"]  # the assumed ranges are carried through
    res = runner.invoke(app, ["evaluate", str(path), "--photons", PHOTONS, "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["device"]["id"] == "my-mask"
    # what the user knows replaces an assumption and narrows the answer
    text = path.read_text(encoding="utf-8").replace(
        'led_count = { value = "unknown", low = 30, central = 60, high = 120,',
        'led_count = { value = 60, note = "counted",',
    )
    path.write_text(text, encoding="utf-8")
    res = runner.invoke(app, ["devices", "check", str(path), "--json"])
    assert res.exit_code == 0, res.output
    narrowed = json.loads(res.stdout)["modelled_face_mean_mw_cm2"]["red"]
    assert narrowed["high"] / narrowed["low"] < ch["high"] / ch["low"]


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("id = 'My Mask'\n", "id"),
        ("schema_version = 1\nkind = 'hat'\n", "kind"),
        ("not toml [", "toml"),
    ],
)
def test_check_names_the_problem(tmp_path: Path, content: str, needle: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(content, encoding="utf-8")
    res = runner.invoke(app, ["devices", "check", str(path), "--json"])
    assert res.exit_code == 2
    err = json.loads(res.stdout)["error"]
    assert err["field"] == "FILE" and needle in json.dumps(err).lower()
    res = runner.invoke(app, ["devices", "check", str(tmp_path / "missing.toml")])
    assert res.exit_code == 2 and "FILE" in res.output


def test_a_warm_run_prints_what_a_cold_run_printed(tmp_path: Path) -> None:
    """Every cache a warm run reads (the irradiance entry with its budget geometry and LED peaks,
    the depth profiles, the figures) gives the numbers a run with empty caches computes: the JSON
    and the report of a second process equal the first's (the report up to its figures' ids)."""
    import os
    import subprocess
    import sys

    env = dict(os.environ, PHOTODOSE_CACHE_DIR=str(tmp_path / "cache"))
    args = ["evaluate", "higherdose-face-mask", "--photons", PHOTONS, "--json", "--html"]
    code = "import sys; from photodose.cli import main; sys.argv = ['photodose', *sys.argv[1:]]; main()"
    runs = []
    for i in range(2):
        html = tmp_path / f"report{i}.html"
        out = subprocess.run(
            [sys.executable, "-c", code, *args, str(html)], env=env, capture_output=True, text=True
        )
        assert out.returncode == 0, out.stderr
        runs.append((json.loads(out.stdout), html.read_text("utf-8")))
    (cold_json, cold_html), (warm_json, warm_html) = runs
    assert warm_json == cold_json
    assert warm_html == cold_html  # the warm report inlines the figures the cold run drew
    assert list((tmp_path / "cache" / "irradiance").glob("*.npz"))
