"""Stated values as inputs: schema, and stated vs modelled vs measured (issue 16)."""

from __future__ import annotations

import tomllib
from importlib.resources import files
from typing import Any

import pytest

from photodose.device import DeviceSpecError, evaluate_irradiance, find_device
from photodose.device.estimate import Estimate
from photodose.device.spec import device_from_dict
from photodose.device.stated import compare_stated, session_dose_j_cm2


def _data(name: str) -> dict[str, Any]:
    return tomllib.loads((files("photodose") / "data" / "devices" / f"{name}.toml").read_text("utf-8"))


def test_stated_values_are_recorded_with_who_and_where() -> None:
    d = find_device("theraface-mask")
    assert len(d.stated) >= 4
    for sv in d.stated:
        assert sv.stated_by and sv.where and sv.confidence
    doses = [sv for sv in d.stated if sv.quantity == "dose"]
    assert doses and all(sv.minutes == 3 for sv in doses)


def test_old_files_without_stated_stay_valid() -> None:
    data = _data("solawave-wand")
    data.pop("stated", None)
    assert device_from_dict(data).stated == []


def test_bad_stated_entries_name_the_field() -> None:
    data = _data("higherdose-red-light-face-mask")
    data["stated"] = [
        {"irradiance_mw_cm2": 5, "dose_j_cm2": 3, "stated_by": "x", "where": "y", "confidence": "exact"}
    ]
    with pytest.raises(DeviceSpecError, match="exactly one of irradiance_mw_cm2 or dose_j_cm2"):
        device_from_dict(data)
    data["stated"] = [
        {"irradiance_mw_cm2": 5, "channel": "blue", "stated_by": "x", "where": "y", "confidence": "exact"}
    ]
    with pytest.raises(DeviceSpecError, match=r"stated\[0\]\.channel"):
        device_from_dict(data)
    data["stated"] = [{"irradiance_mw_cm2": -5, "stated_by": "x", "where": "y", "confidence": "exact"}]
    with pytest.raises(DeviceSpecError, match="irradiance_mw_cm2"):
        device_from_dict(data)


def test_session_dose_arithmetic() -> None:
    # the example: 26 mW/cm² for 20 min is 26 × 1200 / 1000 = 31.2 J/cm²
    assert session_dose_j_cm2(26.0, 20.0) == pytest.approx(31.2)


def test_compare_stated_higherdose() -> None:
    d = find_device("higherdose-red-light-face-mask")
    seen: list[tuple[float, float, float]] = []

    def verdict_at(wl: float, h: float, e: float) -> str:
        seen.append((wl, h, e))
        return "above" if h > 20 else "below"

    out = compare_stated(d, evaluate_irradiance(d), 20.0, verdict_at=verdict_at)
    red = next(r for r in out["rows"] if r["channels"] == ["red"])
    assert red["classification"] == "peak_only"
    assert red["more_credible"] == "modelled"
    assert red["dose_at_stated_j_cm2"] == pytest.approx(31.2)
    m = red["modelled_mean_mw_cm2"]
    assert red["dose_at_modelled_j_cm2"]["central"] == pytest.approx(m["central"] * 1.2)
    # the stated figure is a peak: it lies inside the modelled peak range, above the face mean
    assert red["modelled_peak_mw_cm2"]["low"] <= 26.0 <= red["modelled_peak_mw_cm2"]["high"]
    assert m["high"] < 26.0
    assert red["verdict_at_stated"] == "red: above" and red["verdict_at_modelled"] == "red: below"
    assert (630.0, pytest.approx(31.2), 26.0) in [(w, h, e) for w, h, e in seen]
    assert "31.2 J/cm²" in out["bottom_line"] and "meter" in out["bottom_line"]
    # the model names no CLI option: the advice is a hint a face words its own way
    assert "--" not in out["bottom_line"]
    (hint,) = out["hints"]
    assert hint["action"] == "meter_reading" and hint["phrase"] in out["bottom_line"]
    assert hint["params"]["positions"] == ["over-led", "between-leds"]
    # a total is split between the channels as the model splits its mean
    total = next(r for r in out["rows"] if len(r["channels"]) == 2)
    assert total["stated_mw_cm2"] == 50.0


def test_a_meter_reading_outranks_both() -> None:
    d = find_device("higherdose-red-light-face-mask")
    meas = {c: Estimate(2.0, 3.0, 4.0, "mW/cm2") for c in ("red", "nir")}
    out = compare_stated(d, evaluate_irradiance(d), 10.0, measured=meas)
    assert all(r["more_credible"] == "measured" for r in out["rows"])
    assert out["rows"][0]["measured_mw_cm2"]["central"] == 3.0


def test_trial_mask_figure_agrees_with_its_model() -> None:
    d = find_device("home-mask-rct-pmid-39960921")
    out = compare_stated(d, evaluate_irradiance(d), 9.0)
    for r in out["rows"]:
        assert r["classification"] == "face_average"
        assert r["more_credible"] == "stated"  # the model is calibrated to it
        assert r["modelled_mean_mw_cm2"]["low"] <= 10.0 <= r["modelled_mean_mw_cm2"]["high"] * (1 + 1e-9)


def test_device_without_stated_values() -> None:
    d = find_device("solawave-wand")
    out = compare_stated(d, evaluate_irradiance(d), 3.0)
    assert out == {"rows": [], "bottom_line": None, "hints": []}


def test_evaluate_json_has_stated_vs_modelled() -> None:
    from photodose.services.evaluate import evaluate

    ev = evaluate("higherdose-red-light-face-mask", photons=1000, grade_device_claims=False)
    js = ev.to_json()
    sv = js["stated_vs_modelled"]
    assert sv["rows"] and sv["bottom_line"]
    r = sv["rows"][0]
    for key in (
        "stated_mw_cm2",
        "modelled_mean_mw_cm2",
        "modelled_peak_mw_cm2",
        "classification",
        "verdict_at_stated",
        "verdict_at_modelled",
        "more_credible",
    ):
        assert key in r
    assert js["standing"]["by_range"]["group"] == "mask"


def test_claimed_irradiance_kind_needs_the_skin() -> None:
    data = _data("lightstim-for-wrinkles")
    ci = data["channels"][0]["claimed_irradiance"]
    ci.pop("at_treatment_distance")
    ci["distance_cm"] = {"value": 5, "source": "test", "confidence": "exact"}
    with pytest.raises(DeviceSpecError, match="at_treatment_distance"):
        device_from_dict(data)
    ci["kind"] = "reference_point"
    assert device_from_dict(data).channels[0].claimed_irradiance is not None


def test_evaluate_cli_json_words_the_stated_advice_as_its_options() -> None:
    """The CLI's JSON says which options settle a stated figure, as it did when the model wrote
    them (the model now gives a face-neutral phrase and a hint)."""
    import json

    from typer.testing import CliRunner

    from photodose.cli import app

    res = CliRunner().invoke(
        app, ["evaluate", "higherdose-red-light-face-mask", "--photons", "1000", "--json"]
    )
    assert res.exit_code == 0, res.output
    sv = json.loads(res.stdout)["stated_vs_modelled"]
    option = "(photodose evaluate --meter-reading … --meter-position over-led|between-leds)"
    assert option in sv["bottom_line"]
    assert sv["hints"][0]["action"] == "meter_reading"
