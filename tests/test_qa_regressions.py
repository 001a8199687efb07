"""Regressions found by using photodose as its users would (QA pass of 2026-11-30).

Each test names the defect it pins down; each failed before its fix.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import click
import pytest
import typer
from typer.testing import CliRunner

from photodose.cli.app import app

runner = CliRunner()


def _walk(cmd: Any, path: list[str]) -> list[tuple[list[str], click.Parameter]]:
    out = [(path, p) for p in cmd.params]
    if isinstance(cmd, click.Group):
        for name, sub in cmd.commands.items():
            out += _walk(sub, [*path, name])
    return out


def test_every_option_and_argument_has_help_text() -> None:
    # `session start --area/--distance-cm` and `rate --note` had none: `--help` showed a bare
    # "[default: face]" next to --area.
    missing = [
        f"photodose {' '.join(path)} {p.name}"
        for path, p in _walk(typer.main.get_command(app), [])
        if not getattr(p, "help", None)
    ]
    assert missing == []


@pytest.mark.parametrize(
    ("args", "field"),
    [(["--led-m", "-1"], "--led-m"), (["--fwhm", "-5"], "--fwhm"), (["--site", "toe"], "--site")],
)
def test_depth_errors_name_the_option_and_point_to_depth_help(args: list[str], field: str) -> None:
    # `depth --led-m -1` named the field "input", and every depth error's fix pointed to
    # `photodose skin --help`, which has no --led-m or --fwhm.
    r = runner.invoke(app, ["depth", "-w", "633", *args, "--json"])
    assert r.exit_code == 2
    err = json.loads(r.stdout)["error"]
    assert err["field"] == field
    assert "photodose depth --help" in err["fix"]


def test_skin_errors_still_point_to_skin_help() -> None:
    r = runner.invoke(app, ["skin", "--site", "knee", "--json"])
    assert r.exit_code == 2
    err = json.loads(r.stdout)["error"]
    assert err["field"] == "--site" and "photodose skin --help" in err["fix"]


def test_fitzpatrick_error_lists_the_types_without_a_stray_comma() -> None:
    # Was "use one of: I, II, III, IV, V, VI, (or 1-6)".
    from photodose.skin import SkinInputError, normalise_fitzpatrick

    with pytest.raises(SkinInputError) as exc:
        normalise_fitzpatrick("VII")
    assert str(exc.value).endswith("use one of: I, II, III, IV, V, VI (or 1-6)")
    assert normalise_fitzpatrick(3) == "III" and normalise_fitzpatrick("vi") == "VI"


def test_dose_provenance_says_the_depth_profile_came_from_the_shipped_table() -> None:
    # `evaluate --site cheek` reads its depth profiles from the shipped table (27fcb1d) but the
    # dose's provenance said "Monte Carlo depth model (Monte Carlo, 100,000 photons)": the method
    # twice, and nothing about where the profile came from.
    from photodose.services.evaluate import evaluate
    from photodose.skin import SkinProfile

    res = evaluate("higherdose-face-mask", skin=SkinProfile(site="cheek"), grade_device_claims=False)
    assert res.doses
    for ch in res.doses:
        prov = ch.dermis_fluence_j_cm2.provenance
        assert "from the shipped depth table" in prov
        assert "Monte Carlo depth model (Monte Carlo" not in prov


def test_a_traced_profile_does_not_claim_the_shipped_table() -> None:
    from photodose.depth import depth_profile
    from photodose.optics.source_spectrum import gaussian
    from photodose.skin import SkinProfile

    prof = depth_profile(SkinProfile(site="chin"), gaussian(633.0, 0.0), 500, seed=7, use_cache=False)
    assert not prof.from_table and not prof.from_cache


def test_forced_progress_shows_on_a_non_terminal_stderr(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # README: "PHOTODOSE_PROGRESS=1 forces it"; with stderr redirected to a file the forced
    # display printed nothing (Rich draws a live display only on a terminal).
    from photodose.cli.progress import LazyProgress

    monkeypatch.setenv("PHOTODOSE_PROGRESS", "1")
    with LazyProgress(enabled=True, delay_s=0.05) as bar:
        bar.stage("depth profile, red 633 nm")
        bar.advance(500, 1000)
        time.sleep(0.4)
    assert "depth profile, red 633 nm" in capsys.readouterr().err


def test_calendar_event_names_the_mode_as_a_mode() -> None:
    # The event read "Light session: 60 min, 20 min (HigherDOSE …)": the device mode called
    # "20 min" looked like a second, contradicting session length.
    from datetime import date

    from icalendar import Calendar

    from photodose.plan.build import make_plan
    from photodose.plan.calendar import to_ical

    plan = make_plan("wrinkles", "higherdose-face-mask", start=date(2026, 12, 1))
    ev = next(iter(Calendar.from_ical(to_ical(plan, date(2026, 12, 1))).walk("VEVENT")))
    summary = str(ev["SUMMARY"])
    assert summary.startswith(f"Light session: {plan.minutes:g} min, mode '{plan.mode}' (")


def test_depth_plot_legend_reads_beyond_the_grid_in_words() -> None:
    # The legend read "1 % at beyond grid" where the fluence never fell to 1 % on the 20 mm grid.
    from dataclasses import replace

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from photodose.depth import depth_profile, plot_depth_profiles
    from photodose.optics.source_spectrum import gaussian
    from photodose.skin import SkinProfile

    prof = depth_profile(SkinProfile(), gaussian(830.0, 0.0), 500, seed=3, use_cache=False)
    fig = plot_depth_profiles([replace(prof, penetration_depth_1pct_cm=None)])
    texts = [t.get_text() for leg in fig.legends for t in leg.get_texts()]
    plt.close(fig)
    line = next(t for t in texts if t.startswith(prof.channel))
    assert "1 % beyond 20 mm" in line and "at beyond" not in line
    assert prof.penetration_depth_1e_cm is not None
    assert f"1/e at {prof.penetration_depth_1e_cm * 10:.2f} mm" in line


def test_report_bottom_line_counts_trials_of_unreported_size() -> None:
    # The terminal said "9 trials · N 591+?" (two trials report no size) while the HTML report's
    # bottom-line table said "N = 591": the unreported trials were silently dropped.
    import html
    import re

    from photodose.report.html import render_html
    from photodose.services.evaluate import evaluate

    ev = evaluate("higherdose-face-mask", grade_device_claims=False)
    weights = [v.evidence_weight for v in ev.verdicts if v.evidence_weight and v.evidence_weight.n_trials]
    unsized = [w for w in weights if w.n_without_size]
    assert unsized, "the evidence table has trials without a reported N (else this test is moot)"
    text = html.unescape(re.sub(r"<[^>]+>", " ", render_html(ev, docs_base="/guide/"))).replace("\xa0", " ")
    lines = re.findall(r"evidence: \d+ trials?, N = \d+[^;]*;", text)
    assert lines
    for line in lines:
        n = int(re.search(r"N = (\d+)", line).group(1))  # type: ignore[union-attr]
        w = next(w for w in weights if w.total_n == n)
        assert ("unreported" in line) == bool(w.n_without_size), line


def test_plan_schedule_source_does_not_print_a_range_of_one_value() -> None:
    # `plan --goal tone --device solawave-radiant-renewal` said "middle of the controlled trials'
    # 2–2 sessions/week": both trials ran 2 sessions a week.
    import re

    from photodose.plan.build import make_plan

    plan = make_plan("tone", "solawave-radiant-renewal")
    for text in (plan.sessions_per_week_source, plan.weeks_source):
        for lo, hi in re.findall(r"(\d+(?:\.\d+)?)–(\d+(?:\.\d+)?)", text):
            assert float(hi) > float(lo), text
    assert f"{plan.sessions_per_week:g} sessions/week" in plan.sessions_per_week_source


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("radiant_power_mw_per_led", 1e30),
        ("radiant_power_mw_per_led", 2e4),
        ("led_count", 1e9),
    ],
)
def test_device_file_refuses_implausibly_huge_numbers(field: str, value: float) -> None:
    # A device file with `high = 1e30` mW per LED was accepted and `evaluate` printed a dose range
    # up to "242,250,574,013,445,114,831,824,748,544 J/cm²".
    import tomllib
    from importlib.resources import files

    from photodose.device.spec import DeviceSpecError, device_from_dict

    template = files("photodose") / "data" / "devices" / "_my_mask_template.toml"
    data = tomllib.loads(template.read_text("utf-8"))
    device_from_dict(data)  # the template itself is valid
    data["channels"][0][field]["high"] = value
    with pytest.raises(DeviceSpecError) as exc:
        device_from_dict(data, "my-mask.toml")
    assert f"channels[0].{field}" in str(exc.value) and "check the unit" in str(exc.value)


def test_every_catalogued_device_is_within_the_plausibility_bounds() -> None:
    from photodose.device.spec import _catalog_cached, catalog

    _catalog_cached.cache_clear()  # re-validate every catalogue file under today's bounds
    assert len(catalog()) >= 10


def test_a_folder_given_as_the_device_is_called_a_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `photodose evaluate adir` (a folder) said "No device named 'adir' in the catalog".
    monkeypatch.chdir(tmp_path)
    (tmp_path / "masks").mkdir()
    r = runner.invoke(app, ["evaluate", "masks", "--json"])
    assert r.exit_code == 2
    err = json.loads(r.stdout)["error"]
    assert err["field"] == "DEVICE" and "is a folder, not a device file" in err["message"]
    # a folder that shares a catalog name does not shadow the catalog device
    (tmp_path / "higherdose-face-mask").mkdir()
    from photodose.device.spec import load_device

    assert load_device("higherdose-face-mask").id == "higherdose-red-light-face-mask"


@pytest.mark.parametrize("value", ["-5", "-0.5", "-5e2", "-.5"])
def test_a_negative_positional_value_is_explained_not_called_an_unknown_option(value: str) -> None:
    # `photodose meter -5 -u mW/cm2 -d 10` said "No such option: -5".
    r = runner.invoke(app, ["meter", value, "-u", "mW/cm2", "-d", "10", "--json"])
    assert r.exit_code == 2
    err = json.loads(r.stdout)["error"]
    assert err["field"] == "VALUE"
    assert err["message"].startswith(f"{value} is read as an option")
    assert "negative value is not accepted" in err["message"] and "≥ 0" in err["fix"]
    r = runner.invoke(app, ["meter", "5", "-u", "mW/cm2", "-d", "10", "--bogus", "--json"])
    assert json.loads(r.stdout)["error"]["field"] == "--bogus"  # a real unknown option stays one


def test_session_shorter_than_the_loggable_minimum_is_refused_up_front() -> None:
    # `session start DEVICE --minutes 0.05` counted down the whole session, then said "stopped
    # before 0.1 min: nothing logged", though nobody stopped it.
    r = runner.invoke(app, ["session", "start", "higherdose-face-mask", "--minutes", "0.05", "--json"])
    assert r.exit_code == 2
    err = json.loads(r.stdout)["error"]
    assert err["field"] == "--minutes" and "at least 0.1 minutes" in err["fix"]


def test_a_depth_beyond_the_grid_reads_as_deeper_than_the_grid_not_a_dash() -> None:
    # The report's "1 % depth" read "— mm" for 830 nm (the fluence never fell to 1 % in the
    # 20 mm grid), and the web tables "—": it looked like a missing value, not a deep one.
    from photodose.depth import DEPTH_BINS, DEPTH_STEP_CM
    from photodose.report.format import mm

    assert mm(None) == f"> {DEPTH_BINS * DEPTH_STEP_CM * 10:g}" == "> 20"
    assert mm(0.1234) == "1.23"


def test_evaluate_says_when_melanin_was_fitted_to_the_measured_colour() -> None:
    # `evaluate DEVICE --lab 45,12,20` printed "Skin: Fitzpatrick III, forehead." and the HTML
    # report "Fitzpatrick III, forehead skin": nothing said the dose rests on the colour fit
    # (the dermis dose fell from 6.6 to 3.8 J/cm²); only the web app said so.
    from photodose.cli.evaluate_cmd import _colour_fit_text
    from photodose.skin import SkinProfile

    assert _colour_fit_text(SkinProfile()) == ""
    fitted = SkinProfile(
        melanosome_fraction=0.158, melanosome_fraction_range=(0.138, 0.181), blood_scale=1.74
    )
    text = _colour_fit_text(fitted)
    assert "melanin fitted to your measured colour" in text
    assert "15.8 %" in text and "13.8–18.1 %" in text and "blood ×1.74" in text


def test_report_says_when_melanin_was_fitted_to_the_measured_colour() -> None:
    import html
    import re

    from photodose.report.html import render_html
    from photodose.services.evaluate import evaluate
    from photodose.skin import SkinProfile

    skin = SkinProfile(melanosome_fraction=0.158, melanosome_fraction_range=(0.138, 0.181))
    ev = evaluate("higherdose-face-mask", skin=skin, photons=2000, grade_device_claims=False)
    text = html.unescape(re.sub(r"<[^>]+>", " ", render_html(ev, docs_base="/guide/")))
    assert "melanin fitted to your measured skin colour (melanosome volume fraction 0.158" in text


def test_evaluate_terminal_says_where_the_depth_profiles_came_from() -> None:
    # `evaluate --site cheek` now reads the shipped table (27fcb1d) and `--site chin` traces for
    # seconds; the terminal summary said neither.
    from dataclasses import replace

    from photodose.cli.evaluate_cmd import _depth_origin_text
    from photodose.depth import depth_profile
    from photodose.optics.source_spectrum import gaussian
    from photodose.skin import SkinProfile

    traced = depth_profile(SkinProfile(site="chin"), gaussian(633.0, 0.0), 500, seed=5, use_cache=False)
    assert _depth_origin_text([traced]).endswith("500 photons per channel, traced for this run.")
    cached = replace(traced, from_cache=True)
    assert _depth_origin_text([cached, cached]).endswith("from your cache.")
    table = replace(traced, from_cache=True, from_table=True)
    assert "from the depth table shipped with photodose" in _depth_origin_text([table])
    assert _depth_origin_text([table, traced]).endswith("traced for this run.")


def test_web_unknown_device_error_gives_no_terminal_advice(tmp_path: Path) -> None:
    # /evaluate?device=nosuch said "List the catalog with `photodose devices`, or give the path of
    # a device TOML file" in the browser (the model's message carried the CLI's advice).
    from fastapi.testclient import TestClient

    from photodose.web import WebSettings, create_app

    app_ = create_app(WebSettings(data_dir=tmp_path, photons=2000))
    with TestClient(app_, base_url="http://127.0.0.1") as client:
        r = client.get("/evaluate", params={"device": "nosuch"})
    assert r.status_code == 422
    assert "No device named" in r.text
    assert "photodose devices" not in r.text and "TOML file" not in r.text


def test_plan_position_says_uncertain_when_the_dose_range_crosses_the_trials_doses() -> None:
    # `plan --goal wrinkles --device higherdose-face-mask` said "→ within" for 4.82 J/cm² (range
    # 0.417–36.5) against trials' 3.8–9 J/cm²; `evaluate` calls the same situation "uncertain".
    from photodose.plan.build import BandPlan, make_plan

    plan = make_plan("wrinkles", "higherdose-face-mask")
    red = next(b for b in plan.bands if b.band == "red")
    assert red.position == "within" and red.uncertain
    assert red.position_text.startswith("within (uncertain: the range ")
    assert plan.to_dict()["bands"][0]["uncertain"] in (True, False)
    sure = BandPlan("red", ["red"], (3.8, 9.0), "3.8–9", [], (4.0, 5.0, 6.0), "within", "within")
    assert not sure.uncertain and sure.position_text == "within"
    none = BandPlan("red", ["red"], None, "no window", [], (0.1, 5.0, 60.0), "no window", "no window")
    assert not none.uncertain and none.position_text == "no window"


def test_skin_spectrum_with_a_measured_colour_says_the_spectrum_is_the_fitted_one() -> None:
    # `skin --spectrum --ita 20` titled the fitted spectrum "Fitzpatrick III, forehead" (the plot:
    # "model, type III") and printed "blood × 1.00 (range 1.00–1.00)" as if blood had been fitted.
    r = runner.invoke(app, ["skin", "--spectrum", "--ita", "20", "-n", "200"], env={"COLUMNS": "300"})
    assert r.exit_code == 0, r.output
    out = " ".join(r.stdout.split())  # the table title wraps to the table's width
    assert "Fitzpatrick III, forehead, melanin fitted to your colour" in out
    assert "blood not fitted" in out and "blood × 1.00 (range 1.00–1.00)" not in out
