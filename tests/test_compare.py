"""`photodose compare`: devices side by side for the same person, every number with its range."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from photodose.cli import app
from photodose.device import Estimate

runner = CliRunner()
PHOTONS = "4000"
DEVICES = ["higherdose-face-mask", "omnilux-contour-face", "home-mask-rct-pmid-39960921"]


@pytest.fixture(scope="module")
def comparison():  # type: ignore[no-untyped-def]
    os.environ.setdefault("PHOTODOSE_CACHE_DIR", tempfile.mkdtemp())
    from photodose.services.compare import compare

    return compare(DEVICES, photons=int(PHOTONS))


def test_band_sum_adds_ends_with_ends() -> None:
    from photodose.services.compare import band_sum

    a = Estimate(1.0, 2.0, 4.0, "mW/cm2")
    b = Estimate(0.5, 1.0, 3.0, "mW/cm2")
    assert band_sum([a, b]) == (1.5, 3.0, 7.0)
    assert band_sum([]) is None


def test_same_person_same_numbers_as_evaluate(comparison) -> None:  # type: ignore[no-untyped-def]
    from photodose.services.evaluate import evaluate

    cmp = comparison
    assert cmp.evaluations[0].device.id == "higherdose-red-light-face-mask"
    assert len({(ev.skin.fitzpatrick, ev.skin.site) for ev in cmp.evaluations}) == 1
    single = evaluate("omnilux-contour-face", photons=int(PHOTONS), grade_device_claims=False)
    row = next(r for r in cmp.rows if r.quantity.startswith("surface dose per session") and r.band == "red")
    lo, c, hi = row.values[single.device.id] or (0, 0, 0)
    red = [d for d in single.doses if 600 <= d.wavelength_nm <= 700]
    assert c == pytest.approx(sum(d.surface_fluence_j_cm2.central for d in red))
    assert lo == pytest.approx(sum(d.surface_fluence_j_cm2.low for d in red))
    assert hi == pytest.approx(sum(d.surface_fluence_j_cm2.high for d in red))
    for r in cmp.rows:
        for v in r.values.values():
            if v is not None:
                assert v[0] <= v[1] <= v[2], r.quantity


def test_verdict_rows_cover_every_device(comparison) -> None:  # type: ignore[no-untyped-def]
    ids = {ev.device.id for ev in comparison.evaluations}
    assert comparison.verdict_rows
    for vr in comparison.verdict_rows:
        assert set(vr.values) == ids
    # the home-use RCT's own mask at its own protocol lies within (or at) its own trial's doses
    rct = "home-mask-rct-pmid-39960921"
    rows = comparison.verdict_rows
    wrinkles_red = next(vr for vr in rows if (vr.indication, vr.band) == ("photoaging", "red"))
    assert wrinkles_red.values[rct] is not None
    assert wrinkles_red.values[rct]["verdict"] in ("within_studied_range", "above_studied_range")


def test_cli_json_html_and_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    page = tmp_path / "cmp.html"
    res = runner.invoke(app, ["compare", *DEVICES[:2], "--photons", PHOTONS, "--json", "--html", str(page)])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert [d["id"] for d in out["devices"]] == ["higherdose-red-light-face-mask", "omnilux-contour-face"]
    assert all(d["bottom_line"]["text"] for d in out["devices"])
    irr = next(r for r in out["rows"] if r["quantity"].startswith("irradiance"))
    for v in irr["values"].values():
        assert set(v) == {"low", "central", "high"}
    html = page.read_text(encoding="utf-8")
    assert '<meta name="viewport"' in html and "<script" not in html
    monkeypatch.setenv("COLUMNS", "80")
    res = runner.invoke(app, ["compare", *DEVICES[:2], "--photons", PHOTONS, "--minutes", "10"])
    assert res.exit_code == 0, res.output
    assert max(len(x) for x in res.output.splitlines()) <= 80
    assert "HigherDOSE" in res.output and "Omnilux" in res.output


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["higherdose-face-mask"], "DEVICE"),
        (["higherdose-face-mask", "no such mask at all"], "DEVICE"),
        (["higherdose-face-mask", "higherdose-face-mask"], "DEVICE"),
        (["higherdose-face-mask", "omnilux-contour-face", "--minutes", "-3"], "--minutes"),
        (["higherdose-face-mask", "omnilux-contour-face", "--fitzpatrick", "IX"], "--fitzpatrick"),
    ],
)
def test_bad_input_names_the_field(args: list[str], field: str) -> None:
    res = runner.invoke(app, ["compare", *args, "--photons", PHOTONS, "--json"])
    assert res.exit_code == 2, res.output
    err = json.loads(res.stdout)["error"]
    assert err["field"] == field and err["fix"]


def test_differing_timers_note_is_face_neutral_with_a_minutes_hint(comparison) -> None:  # type: ignore[no-untyped-def]
    """The service names no CLI option; the CLI renders the hint as --minutes (the web as its field)."""
    from photodose.cli.hints import with_cli_hints

    timers = sorted({ev.session_minutes for ev in comparison.evaluations})
    assert len(timers) > 1  # these devices have different timers
    [note] = [n for n in comparison.notes if "Session lengths differ" in n]
    [hint] = comparison.hints
    assert hint.action == "minutes" and hint.phrase in note and "--" not in note
    assert hint.params["timers_min"] == timers
    assert "give --minutes" in with_cli_hints(note, comparison.hints)
    assert comparison.to_json()["hints"] == [hint.to_dict()]
    res = runner.invoke(app, ["compare", *DEVICES[:2], "--photons", PHOTONS])
    assert res.exit_code == 0 and "give --minutes" in " ".join(res.output.split())
