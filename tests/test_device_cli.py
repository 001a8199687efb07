"""``photodose devices`` and ``photodose meter``."""

from __future__ import annotations

import json
from pathlib import Path

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
    assert "currentbody-series-2" in json.loads(r.stdout)["suggestions"]


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
