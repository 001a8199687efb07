"""The bottom line: the arithmetic (H = E·t), the wording, and a meter reading that flips the answer."""

from __future__ import annotations

import math
import os
import tempfile

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from photodose.evidence import verdict_for
from photodose.services.bottom_line import (
    irradiance_to_reach,
    lowest_tested,
    minutes_to_reach,
    timer_fit,
)

PHOTONS = 4000
pos = st.floats(min_value=1e-3, max_value=1e3, allow_nan=False)


def test_published_protocol_reaches_its_own_dose() -> None:
    # Wunsch & Matuschka 2014 (Photomed Laser Surg 32(2):93-100): 9 J/cm² per session; at a
    # typical 10 mW/cm² panel that is 15 minutes (H = E·t: 9 J/cm² = 0.010 W/cm² × 900 s)
    assert float(minutes_to_reach(9.0, 10.0)) == pytest.approx(15.0)
    assert float(irradiance_to_reach(9.0, 15.0)) == pytest.approx(10.0)
    # the home-use mask RCT protocol (PMID 39960921): 10 mW/cm² for 9 min = 5.4 J/cm²
    assert float(irradiance_to_reach(5.4, 9.0)) == pytest.approx(10.0)


@given(dose=pos, irr=pos)
def test_minutes_and_irradiance_are_inverse(dose: float, irr: float) -> None:
    t = float(minutes_to_reach(dose, irr))
    assert float(irradiance_to_reach(dose, t)) == pytest.approx(irr, rel=1e-9)
    # more light → fewer minutes (strictly)
    assert float(minutes_to_reach(dose, irr * 2)) < t


def test_no_light_needs_forever_and_bad_input_is_refused() -> None:
    assert math.isinf(float(minutes_to_reach(3.8, 0.0)))
    out = minutes_to_reach([3.8, 9.0], [0.0, 10.0])
    assert math.isinf(out[0]) and out[1] == pytest.approx(15.0)
    with pytest.raises(ValueError):
        minutes_to_reach(-1.0, 10.0)
    with pytest.raises(ValueError):
        irradiance_to_reach(3.8, 0.0)


@given(a=pos, b=pos, c=pos, timer=st.one_of(st.none(), pos))
def test_timer_fit_is_consistent(a: float, b: float, c: float, timer: float | None) -> None:
    lo, mid, hi = sorted((a, b, c))
    fit = timer_fit((lo, mid, hi), timer)
    if timer is None:
        assert fit == "unknown"
    elif hi <= timer:
        assert fit == "yes"
    elif lo > timer * (1 + 1e-9):
        assert fit == "no"
    else:
        assert fit == "depends"


def test_lowest_tested_keeps_a_maximum_as_a_maximum() -> None:
    v = verdict_for("photoaging", "red", (1.0, 2.0, 3.0), irradiance_mw_cm2=2, sessions_per_week=3)
    low = lowest_tested(v)
    assert low is not None
    assert v.window is not None and v.window.fluence_j_cm2 is not None
    assert low.value_j_cm2 <= v.window.fluence_j_cm2.max
    assert low.citation
    nir = lowest_tested(verdict_for("photoaging", "nir", (1.0, 2.0, 3.0)))
    if nir is not None and nir.at_most:
        assert nir.value_j_cm2 > 0


@pytest.fixture(scope="module")
def cache() -> None:
    os.environ.setdefault("PHOTODOSE_CACHE_DIR", tempfile.mkdtemp())


def _eval(device: str, **kw):  # type: ignore[no-untyped-def]
    from photodose.services.evaluate import evaluate

    return evaluate(device, photons=PHOTONS, grade_device_claims=False, **kw)


def test_bottom_line_of_a_mask_with_unpublished_output(cache: None) -> None:
    ev = _eval("higherdose-face-mask")
    bl = ev.bottom_line
    assert bl is not None
    text = bl.paragraph
    assert text.startswith("Your skin gets about")
    assert "under-dosed" not in text and "minimum effective dose" in text  # said as a caveat
    assert "not medical advice" in text.lower()
    assert bl.targets, "photoaging has tested doses in the red band"
    for t in bl.targets:
        lo, mid, hi = t.minutes_needed
        assert lo <= mid <= hi
        # minutes needed × irradiance gives back the lowest tested dose (H = E·t)
        assert mid * 60 * t.irradiance_mw_cm2[1] / 1000 == pytest.approx(t.lowest_tested_j_cm2)
        expected = t.lowest_tested_j_cm2 * 1000 / (60 * ev.session_minutes)
        assert t.meter_threshold_mw_cm2 == pytest.approx(expected)
        assert t.timer_max_min == 20  # the longest of its 10- and 20-minute programmes
    d = bl.to_dict()
    assert d["text"] == text and d["targets"][0]["minutes_needed"]["central"] > 0
    assert ev.to_json()["bottom_line"]["text"] == text


def test_a_meter_reading_can_flip_the_answer(cache: None) -> None:
    from photodose.device.meter import MeterReading

    base = _eval("higherdose-face-mask")
    assert base.bottom_line is not None
    target = next(t for t in base.bottom_line.targets if t.meter_decides)
    # the modelled range straddles the threshold: a measurement decides it, both ways
    assert target.irradiance_mw_cm2[0] < target.meter_threshold_mw_cm2 < target.irradiance_mw_cm2[2]

    def verdict_with(reading_mw_cm2: float) -> tuple[str, bool]:
        ev = _eval("higherdose-face-mask", meter=MeterReading(reading_mw_cm2, "mW/cm2", 1.0, "unknown"))
        assert ev.bottom_line is not None and ev.bottom_line.calibrated_to_meter
        v = next(v for v in ev.verdicts if (v.indication, v.band) == (target.indication, target.band))
        return v.verdict, v.uncertain

    dim, _ = verdict_with(1.0)
    bright, _ = verdict_with(40.0)
    assert dim == "below_studied_range"
    assert bright in ("within_studied_range", "above_studied_range")


def test_a_device_that_reaches_the_tested_doses_is_not_told_to_do_more(cache: None) -> None:
    ev = _eval("in-office-lee-2007-panels")
    bl = ev.bottom_line
    assert bl is not None
    reached = [t for t in bl.targets if t.verdict != "below_studied_range" and not t.uncertain]
    assert reached
    for t in reached:
        assert t.minutes_needed[2] <= ev.session_minutes * (1 + 1e-9)
    if all(t.verdict != "below_studied_range" and not t.uncertain for t in bl.targets):
        assert "not a better one" in bl.action


def test_minutes_to_reach_vectorises() -> None:
    out = minutes_to_reach(np.array([3.8, 9.0]), np.array([[1.0], [10.0]]))
    assert out.shape == (2, 2)
    assert out[1, 1] == pytest.approx(15.0)
