"""Energy and heat budget of stated irradiances (photodose.device.budget, issue 16)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from photodose.device import find_device
from photodose.device.budget import (
    CLASSIFICATIONS,
    StatedIrradianceCheck,
    classify_stated_dose,
    classify_stated_irradiance,
    contact_irradiance_mw_cm2,
    electrical_power_w,
    led_datasheets,
    led_power_class,
    required_optical_power_mw,
    session_energy_wh,
    skin_temperature_rise_pennes,
)
from photodose.device.spec import catalog

# ------------------------------------------------------------------ hand-computed arithmetic


def test_required_power_hand_computed() -> None:
    # 10 mW/cm² over 264 cm² with 90 % of the light landing there: 10 × 264 / 0.9 = 2933.3 mW
    assert float(required_optical_power_mw(10, 264, 0.9)) == pytest.approx(2933.333, rel=1e-6)
    # numpy in, numpy out
    out = required_optical_power_mw(np.array([1.0, 2.0]), 100.0, 0.5)
    assert out.tolist() == pytest.approx([200.0, 400.0])
    with pytest.raises(ValueError, match="utilisation"):
        required_optical_power_mw(10, 264, 0.0)


def test_electrical_power_and_battery_energy_hand_computed() -> None:
    # 2933.3 mW of light at 50 % wall-plug and an 80 % driver: 2.9333 / 0.4 = 7.333 W
    p = float(electrical_power_w(2933.333, 0.5, 0.8))
    assert p == pytest.approx(7.3333, rel=1e-4)
    # 7.333 W for 9 min = 1.1 Wh
    assert float(session_energy_wh(p, 9)) == pytest.approx(1.1, rel=1e-4)


def test_pennes_limits() -> None:
    # long exposure: the steady state q / sqrt(k W_b): 100 W/m² / sqrt(0.37 × 3000) = 3.0015 K
    steady = float(skin_temperature_rise_pennes(10.0, 1e6, 0.37, 3000.0, 3.7e6))
    assert steady == pytest.approx(100.0 / math.sqrt(0.37 * 3000.0), rel=1e-6)
    # no perfusion: the semi-infinite conduction solution 2 q sqrt(t / (π k ρc))
    t = 60.0
    unperfused = 2 * 100.0 * math.sqrt(t / (math.pi * 0.37 * 3.7e6))
    got = float(skin_temperature_rise_pennes(10.0, 1.0, 0.37, 1e-6, 3.7e6))
    assert got == pytest.approx(unperfused, rel=1e-4)
    # linear in the flux, rising with time
    a = skin_temperature_rise_pennes(np.array([5.0, 10.0]), 10.0)
    assert a[1] == pytest.approx(2 * a[0])
    assert skin_temperature_rise_pennes(10.0, 20.0) > skin_temperature_rise_pennes(10.0, 10.0)


def test_contact_irradiance_hand_computed() -> None:
    # one 50 mW Lambertian LED 0.3 cm from the sensor: 50 × 2 / (2π × 0.09) = 176.84 mW/cm²
    assert float(contact_irradiance_mw_cm2(50, 0.3, 1.0)) == pytest.approx(176.839, rel=1e-4)


def test_led_classes_come_from_cited_datasheets() -> None:
    rows = led_datasheets()
    assert len(rows) >= 4
    for r in rows:
        assert r["source"] and r["confidence"] in ("exact", "secondary")
        wpe = r["radiant_power_mw"]["typ"] / (r["drive_current_ma"] * r["forward_voltage_v"])
        assert 0.1 < wpe < 0.7, r["id"]
    smd = led_power_class("smd")
    # the class's top is the highest small-SMD datasheet figure (Vishay VSMY1850, 50 mW)
    assert smd.radiant_power_mw[2] == max(
        r["radiant_power_mw"]["typ"] for r in rows if r["package_class"] == "smd"
    )
    hp = led_power_class("high_power")
    assert hp.radiant_power_mw[2] == max(
        r["radiant_power_mw"]["typ"] for r in rows if r["package_class"] == "high_power"
    )
    # the efficiency range spans the derived efficiencies of the rows
    effs = [r["radiant_power_mw"]["typ"] / (r["drive_current_ma"] * r["forward_voltage_v"]) for r in rows]
    assert smd.wall_plug_efficiency[0] <= min(effs) + 0.01
    assert smd.wall_plug_efficiency[1] >= max(effs) - 0.01


# ------------------------------------------------------------------ classification


def test_home_trial_mask_is_a_face_average() -> None:
    d = find_device("home-mask-rct-pmid-39960921")
    for ch in ("red", "nir"):
        c = classify_stated_irradiance(d, 10.0, ch)
        assert c.classification == "face_average", c.explanation
        lo, hi = c.available_optical_power_mw
        assert lo <= c.required_optical_power_mw <= hi
        # the arithmetic is shown: the stated figure, the area and the required power appear
        assert "10 mW/cm²" in c.explanation
        assert f"= {c.required_optical_power_mw / 1000:.3g} W of light" in c.explanation


def test_higherdose_stated_values_can_only_be_peaks() -> None:
    d = find_device("higherdose-red-light-face-mask")
    c = classify_stated_irradiance(d, 26.0, "red")
    assert c.classification == "peak_only"
    # 62 LEDs cannot give the ~8 W of light a 26 mW/cm² face average needs
    assert c.required_optical_power_mw > c.available_optical_power_mw[1]
    c = classify_stated_irradiance(d, 50.0)
    assert c.classification == "peak_only"


def test_absurd_figure_is_implausible() -> None:
    d = find_device("higherdose-red-light-face-mask")
    c = classify_stated_irradiance(d, 5000.0, "red")
    assert c.classification == "implausible"
    assert "implausible" in c.explanation


def test_every_catalogued_stated_value_is_classified() -> None:
    n = 0
    for d in catalog():
        for sv in d.stated:
            if sv.irradiance_mw_cm2 is not None:
                c = classify_stated_irradiance(d, sv.irradiance_mw_cm2, sv.channel)
            else:
                c = classify_stated_dose(d, sv.dose_j_cm2, sv.minutes, sv.channel)  # type: ignore[arg-type]
            assert isinstance(c, StatedIrradianceCheck)
            assert c.classification in CLASSIFICATIONS
            assert c.explanation and c.citations
            assert c.required_optical_power_mw > 0
            n += 1
    assert n >= 15


def test_dose_is_classified_through_its_irradiance() -> None:
    d = find_device("theraface-mask")
    c = classify_stated_dose(d, 13.0, 3.0, "red")
    # 13 J/cm² in 3 min is 13 000 / 180 = 72.2 mW/cm²
    assert c.stated_irradiance_mw_cm2 == pytest.approx(72.222, rel=1e-4)
    assert "72.2 mW/cm²" in c.explanation
    assert c.classification == classify_stated_irradiance(d, 13000 / 180, "red", 3.0).classification
    with pytest.raises(ValueError, match="dose_j_cm2"):
        classify_stated_dose(d, -1.0, 3.0)


def test_bad_input_is_refused() -> None:
    d = find_device("theraface-mask")
    for bad in (0.0, -5.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="irradiance_mw_cm2"):
            classify_stated_irradiance(d, bad)


_ORDER = {"face_average": 0, "peak_only": 1, "implausible": 2}


@settings(max_examples=25, deadline=None)
@given(e1=st.floats(min_value=0.1, max_value=3000), e2=st.floats(min_value=0.1, max_value=3000))
def test_classification_is_monotone_in_the_figure(e1: float, e2: float) -> None:
    # a higher stated figure can never be more plausible than a lower one
    d = find_device("omnilux-contour-face")
    lo, hi = sorted((e1, e2))
    a = classify_stated_irradiance(d, lo, "red").classification
    b = classify_stated_irradiance(d, hi, "red").classification
    assert _ORDER[a] <= _ORDER[b]


@settings(max_examples=25, deadline=None)
@given(h=st.floats(min_value=0.01, max_value=500), t=st.floats(min_value=0.5, max_value=60))
def test_dose_and_irradiance_agree(h: float, t: float) -> None:
    # a dose H in t minutes is the irradiance 1000 H / (60 t), classified the same way
    d = find_device("home-mask-rct-pmid-39960921")
    a = classify_stated_dose(d, h, t, "red")
    b = classify_stated_irradiance(d, 1000 * h / (60 * t), "red", t)
    assert a.classification == b.classification
    assert a.required_optical_power_mw == pytest.approx(b.required_optical_power_mw, rel=1e-12)
