"""Meter readings: units, meter corrections, the factor-of-10 mix-up."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from photodose.device import find_device
from photodose.device.meter import (
    MeterReading,
    MeterReadingError,
    find_meter,
    interpret_reading,
    measured_face_irradiance,
    meters,
    to_mw_cm2,
)


def test_unit_conversion() -> None:
    assert to_mw_cm2(10.0, "W/m2") == pytest.approx(1.0)  # 1 mW/cm² = 10 W/m²
    assert to_mw_cm2(10.0, "W/m²") == pytest.approx(1.0)
    assert to_mw_cm2(2.5, "mW/cm^2") == 2.5
    assert to_mw_cm2(500.0, "µW/cm2") == pytest.approx(0.5)
    with pytest.raises(MeterReadingError, match="mW/cm2"):
        to_mw_cm2(1.0, "lux")


def test_meter_catalog() -> None:
    ids = {m.id for m in meters()}
    assert {"tes-1333", "tenmars-tm-206", "thermal-power-sensor"} <= ids
    tes = find_meter("TES 1333")
    assert tes is not None and tes.kind == "solar" and tes.display_unit == "W/m2"
    assert find_meter("Tenmars TM-206") is not None
    assert find_meter("my phone") is None
    for m in meters():
        lo, c, hi = m.true_over_reading
        assert 0 < lo <= c <= hi and m.source and m.confidence


def test_solar_meter_reading_kept_with_wide_range_and_no_known_correction() -> None:
    r = interpret_reading(MeterReading(150.0, "W/m2", 1.0, "TES-1333"))
    assert r.as_given_mw_cm2 == pytest.approx(15.0)
    assert not r.correction_known
    assert "no documented spectral correction" in r.correction_note
    e = r.irradiance
    assert e.central == pytest.approx(15.0)  # no correction applied
    assert e.low < 0.5 * e.central and e.high > e.central
    assert e.confidence == "unverified"
    assert not r.unit_suspect


def test_calibrated_sensors_are_narrow() -> None:
    r = interpret_reading(MeterReading(8.0, "mW/cm2", 1.0, "Thorlabs S302C"))
    assert r.correction_known
    assert r.irradiance.high / r.irradiance.low < 1.3


def test_unknown_meter_says_no_correction_is_known() -> None:
    r = interpret_reading(MeterReading(8.0, "mW/cm2", 1.0, "Acme LightCheck 9000"))
    assert r.meter is None and not r.correction_known
    assert "no correction is known" in r.correction_note
    assert r.irradiance.high / r.irradiance.low > 3


def test_mw_cm2_vs_w_m2_mixup_too_high() -> None:
    # a TES-1333 shows W/m²; 300 typed as mW/cm² at 3 cm from a mask is implausible
    d = find_device("currentbody-series-2")
    r = interpret_reading(MeterReading(300.0, "mW/cm2", 3.0, "TES-1333"), d)
    assert r.unit_suspect
    assert r.alternative_mw_cm2 == pytest.approx(30.0)
    text = " ".join(r.flags)
    assert "W/m²" in text and "30" in text


def test_mixup_too_low() -> None:
    # 0.3 "W/m²" (= 0.03 mW/cm²) at 1 cm from a mask: the display was probably mW/cm²
    r = interpret_reading(MeterReading(0.3, "W/m2", 1.0, "thermopile"))
    assert r.unit_suspect
    assert r.alternative_mw_cm2 == pytest.approx(0.3)


def test_plausible_reading_is_not_flagged() -> None:
    d = find_device("currentbody-series-2")
    r = interpret_reading(MeterReading(2.5, "mW/cm2", 1.0, "thermopile"), d)
    assert not r.unit_suspect
    assert r.model_at_distance is not None
    assert r.model_at_distance.low <= 2.5 * 3


def test_silicon_meter_misses_1072nm() -> None:
    r = interpret_reading(MeterReading(40.0, "W/m2", 1.0, "TES-1333"), find_device("currentbody-series-2"))
    assert any("1072" in f for f in r.flags)


def test_above_meter_range_is_flagged() -> None:
    r = interpret_reading(MeterReading(2500.0, "W/m2", 20.0, "TES-1333"))
    assert any("above what" in f for f in r.flags)


@pytest.mark.parametrize(
    ("value", "unit", "distance"),
    [
        (-1.0, "mW/cm2", 1.0),
        (math.nan, "mW/cm2", 1.0),
        (1.0, "mW/cm2", -2.0),
        (1.0, "candela", 1.0),
        (1.0, "mW/cm2", math.inf),
    ],
)
def test_bad_readings_raise(value: float, unit: str, distance: float) -> None:
    with pytest.raises(MeterReadingError):
        MeterReading(value, unit, distance, "TES-1333")


def test_reading_carried_to_the_face() -> None:
    d = find_device("solawave-wand")
    r1 = interpret_reading(MeterReading(5.0, "mW/cm2", 0.5, "thermopile"), d)
    r2 = interpret_reading(MeterReading(10.0, "mW/cm2", 0.5, "thermopile"), d)
    f1 = measured_face_irradiance(d, r1)["red"]
    f2 = measured_face_irradiance(d, r2)["red"]
    assert f2.central == pytest.approx(2 * f1.central)
    assert f1.low <= f1.central <= f1.high
    assert "meter reading" in f1.provenance
    # two channels share a broadband reading in the model's proportions
    cb = find_device("omnilux-contour-face")
    both = measured_face_irradiance(cb, interpret_reading(MeterReading(30.0, "W/m2", 1.0, "TES-1333"), cb))
    assert set(both) == {"red", "nir"}
    assert both["red"].confidence == "unverified" or both["red"].confidence == "assumption"


@settings(max_examples=60, deadline=None)
@given(
    value=st.floats(0, 1e5, allow_nan=False),
    unit=st.sampled_from(["mW/cm2", "W/m2", "uW/cm2", "W/m²"]),
    distance=st.floats(0, 100),
    meter=st.sampled_from(
        ["TES-1333", "Tenmars TM-206", "thermopile", "spectroradiometer", "unknown", "who knows"]
    ),
)
def test_any_reading_interprets_without_crashing(
    value: float, unit: str, distance: float, meter: str
) -> None:
    r = interpret_reading(MeterReading(value, unit, distance, meter))
    e = r.irradiance
    assert 0 <= e.low <= e.central <= e.high
    assert e.central == pytest.approx(r.as_given_mw_cm2)


def test_meter_position_changes_what_the_reading_means() -> None:
    # the same 14 mW/cm² means a lower face average when read over an LED (a peak) than when
    # read between LEDs (a minimum); the model's face-mean / position ratios carry it
    d = find_device("higherdose-red-light-face-mask")
    out = {}
    for pos in ("over-led", "between-leds", "distance"):
        r = MeterReading(14.0, "mW/cm2", 0.5, "thermal power sensor", position=pos)
        interp = interpret_reading(r, d)
        assert interp.to_dict()["reading"]["position"] == pos
        out[pos] = sum(e.central for e in measured_face_irradiance(d, interp).values())
    assert out["over-led"] < 14.0 < out["between-leds"]
    # over an LED the face average is the reading × face mean / peak (central model)
    from photodose.device.irradiance import peak_valley

    pv = [peak_valley(d, c, "central") for c in d.mode.channels]
    expect = 14.0 * sum(p.face_mean_mw_cm2 for p in pv) / sum(p.peak_mw_cm2 for p in pv)
    assert out["over-led"] == pytest.approx(expect, rel=1e-9)


def test_meter_position_must_be_known() -> None:
    with pytest.raises(MeterReadingError, match="over-led, between-leds, distance"):
        MeterReading(14.0, "mW/cm2", 0.5, position="sideways")


def test_contact_reading_without_a_position_asks_for_one() -> None:
    d = find_device("higherdose-red-light-face-mask")
    interp = interpret_reading(MeterReading(14.0, "mW/cm2", 0.0, "thermal power sensor"), d)
    # the model states the fact and what settles it (a hint); it names no CLI option
    (hint,) = interp.hints
    assert hint.action == "meter_position" and hint.params["positions"] == ["over-led", "between-leds"]
    flag = next(f for f in interp.flags if hint.phrase in f)
    assert "--" not in " ".join(interp.flags)
    # each command words it as its own option
    from photodose.cli.hints import EVALUATE_MODEL_HINTS, METER_MODEL_HINTS, with_cli_hints

    assert "say which with --meter-position over-led or between-leds" in with_cli_hints(
        flag, interp.hints, EVALUATE_MODEL_HINTS
    )
    assert "say which with --position over-led or between-leds" in with_cli_hints(
        flag, interp.hints, METER_MODEL_HINTS
    )
    interp = interpret_reading(MeterReading(14.0, "mW/cm2", 0.0, "thermal power sensor", "over-led"), d)
    assert not interp.hints and not any("sensor sat" in f for f in interp.flags)


def test_meter_and_evaluate_print_the_position_advice_as_their_options() -> None:
    import json

    from typer.testing import CliRunner

    from photodose.cli import app

    runner = CliRunner()
    args = ["meter", "14", "-u", "mW/cm2", "-d", "0", "--device", "higherdose-red-light-face-mask"]
    text = runner.invoke(app, args)
    printed = " ".join(text.output.split())  # the terminal wraps lines
    assert text.exit_code == 0 and "say which with --position over-led or between-leds" in printed
    js = json.loads(runner.invoke(app, [*args, "--json"]).stdout)
    assert any("--position over-led" in f for f in js["flags"])
    assert js["hints"][0]["action"] == "meter_position"
    ev = runner.invoke(
        app,
        ["evaluate", "higherdose-red-light-face-mask", "--photons", "1000", "--meter-reading", "14 mW/cm2",
         "--meter-distance-cm", "0", "--json"],
    )  # fmt: skip
    assert ev.exit_code == 0, ev.output
    out = json.loads(ev.stdout)
    assert any("say which with --meter-position over-led or between-leds" in n for n in out["notes"])
    assert any("--meter-position" in f for f in out["meter"]["flags"])
