"""``photodose devices`` and ``photodose meter``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import photodose.cli.device_cmd  # noqa: F401  (registers the commands)
from photodose.cli.app import EXIT_BAD_INPUT, app

runner = CliRunner()


def test_devices_json_lists_the_catalog_with_modelled_irradiance() -> None:
    r = runner.invoke(app, ["devices", "--json"])
    assert r.exit_code == 0, r.output
    obj = json.loads(r.stdout)
    devs = obj["devices"]
    assert len(devs) >= 8
    by_id = {d["id"]: d for d in devs}
    cb = by_id["currentbody-series-2"]
    assert cb["regulatory"]["k_number"]["value"] == "K250966"
    mi = cb["modelled_irradiance"][0]["mean_irradiance_mw_cm2"]
    assert mi["low"] <= mi["central"] <= mi["high"]
    assert mi["confidence"] == "assumption"
    ls = by_id["lightstim-for-wrinkles"]
    assert ls["stated_irradiance"][0]["irradiance_mw_cm2"]["value"] == 65


def test_devices_table() -> None:
    r = runner.invoke(app, ["devices", "--no-model"])
    assert r.exit_code == 0, r.output
    for text in ("catalog", "K250966", "K120775", "not found"):
        assert text in r.stdout


def test_device_detail_and_json() -> None:
    r = runner.invoke(app, ["devices", "omnilux contour"])
    assert r.exit_code == 0, r.output
    assert "K191629" in r.stdout and "forehead" in r.stdout
    r = runner.invoke(app, ["devices", "solawave", "--json", "--no-model"])
    assert r.exit_code == 0
    assert json.loads(r.stdout)["device"]["id"] == "solawave-wand"


def test_unknown_device_suggests_names() -> None:
    r = runner.invoke(app, ["devices", "currentbdy"])
    assert r.exit_code == EXIT_BAD_INPUT
    assert "currentbody-series-2" in r.output
    r = runner.invoke(app, ["devices", "currentbdy", "--json"])
    assert r.exit_code == EXIT_BAD_INPUT
    err = json.loads(r.stdout)["error"]
    assert err["field"] == "NAME" and err["exit_code"] == EXIT_BAD_INPUT and err["fix"]
    assert "currentbody-series-2" in err["suggestions"]


def test_malformed_device_file(tmp_path: Path) -> None:
    p = tmp_path / "bad.toml"
    p.write_text('id = "bad"\nkind = "mask"\n')
    r = runner.invoke(app, ["devices", str(p)])
    assert r.exit_code == EXIT_BAD_INPUT
    assert "identity" in r.output and "Fix" in r.output


def test_meter_command_flags_unit_mixup() -> None:
    r = runner.invoke(
        app,
        [
            "meter",
            "300",
            "--unit",
            "mW/cm2",
            "--distance",
            "3",
            "--meter",
            "TES-1333",
            "--device",
            "currentbody-series-2",
            "--json",
        ],
    )
    assert r.exit_code == 0, r.output
    obj = json.loads(r.stdout)
    assert obj["alternative_mw_cm2"] == 30.0
    assert obj["correction_known"] is False
    assert set(obj["face_irradiance_mw_cm2"]) == {"red", "nir", "ir1072"}
    r = runner.invoke(app, ["meter", "5", "--unit", "lux", "--distance", "3"])
    assert r.exit_code == EXIT_BAD_INPUT


def test_meter_in_w_per_cm2_is_stopped_and_names_the_likely_unit() -> None:
    # 12 W/cm² = 12 000 mW/cm², sixty times the brightest stated LED device: the unit is the mistake.
    r = runner.invoke(app, ["meter", "12", "-u", "W/cm2", "-d", "1", "--json"])
    assert r.exit_code == EXIT_BAD_INPUT
    err = json.loads(r.stdout)["error"]
    assert err["field"] == "--unit"
    assert err["as_given_mw_cm2"] == 12000.0
    assert "mW/cm2" in err["plausible_units"]
    assert "--confirm-unit" in err["fix"]
    r = runner.invoke(app, ["meter", "12", "-u", "W/cm2", "-d", "1"])
    assert r.exit_code == EXIT_BAD_INPUT
    assert "12 mW/cm2" in r.stderr and "Traceback" not in r.output
    # Confirmed: interpreted as given, and flagged as outside the plausible range.
    r = runner.invoke(app, ["meter", "12", "-u", "W/cm2", "-d", "1", "--confirm-unit", "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["as_given_mw_cm2"] == 12000.0


def test_meter_plausible_units_pass_without_confirmation() -> None:
    cases = (
        ("25", "mW/cm2", 25.0),
        ("250", "W/m2", 25.0),
        ("0.02", "W/cm2", 20.0),
        ("20000", "uW/cm2", 20.0),
    )
    for value, unit, mw_cm2 in cases:
        r = runner.invoke(app, ["meter", value, "-u", unit, "-d", "1", "--json"])
        assert r.exit_code == 0, (value, unit, r.output)
        assert json.loads(r.stdout)["as_given_mw_cm2"] == pytest.approx(mw_cm2)


def test_meter_bad_values_name_their_field() -> None:
    r = runner.invoke(app, ["meter", "5", "-u", "mW/cm2", "-d", "900", "--json"])
    assert r.exit_code == EXIT_BAD_INPUT
    assert json.loads(r.stdout)["error"]["field"] == "--distance"
    r = runner.invoke(app, ["meter", "-5", "-u", "mW/cm2", "-d", "1", "--json"])
    assert r.exit_code == EXIT_BAD_INPUT
    assert json.loads(r.stdout)["error"]["field"] in ("VALUE", "-5")
    r = runner.invoke(app, ["meter", "five", "-u", "mW/cm2", "-d", "1", "--json"])
    assert r.exit_code == EXIT_BAD_INPUT
    assert json.loads(r.stdout)["error"]["field"] == "VALUE"


def test_meter_position_is_an_input() -> None:
    base = ["meter", "14", "-u", "mW/cm2", "-d", "0", "--device", "higherdose", "--json"]
    over = json.loads(runner.invoke(app, [*base, "--position", "over-led"]).stdout)
    gap = json.loads(runner.invoke(app, [*base, "--position", "between-leds"]).stdout)
    assert over["reading"]["position"] == "over-led"
    f_over = sum(v["central"] for v in over["face_irradiance_mw_cm2"].values())
    f_gap = sum(v["central"] for v in gap["face_irradiance_mw_cm2"].values())
    assert f_over < 14.0 < f_gap  # a peak overstates the face average, a gap understates it
    r = runner.invoke(app, [*base, "--position", "nowhere"])
    assert r.exit_code == EXIT_BAD_INPUT
    assert json.loads(r.stdout)["error"]["field"] == "--position"
    r = runner.invoke(
        app,
        ["evaluate", "higherdose", "--meter-reading", "14 mW/cm2", "--meter-position", "sideways",
         "--photons", "1000", "--json"],
    )  # fmt: skip
    assert r.exit_code == EXIT_BAD_INPUT
    assert json.loads(r.stdout)["error"]["field"] == "--meter-position"
