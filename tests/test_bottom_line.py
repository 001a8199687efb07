"""The bottom line: the arithmetic (H = E·t), the wording, a meter reading that flips the answer, and
the maker's stated figure read at its own value beside the model's (issue 16)."""

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
    session_dose,
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
    # A band whose only tested dose is a maximum (NIR for wrinkles: the home-mask RCT's "≤ 5.4") is a
    # cap, never a dose to reach: it gets no "minutes needed", though its verdict is still stated.
    assert not any(t.lowest_tested_at_most for t in bl.targets)
    # ... and elasticity's only tested dose comes from a trial that found no change (Mota 2023)
    assert not any(t.indication == "elasticity" for t in bl.targets)
    assert "wrinkles" in text and "within" in text
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
        # with a reading, the maker's figure is set against the measurement, which outranks both
        assert "Your meter reading is more credible" in ev.bottom_line.stated
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


# ------------------------------------------------------------- the maker's figure (issue 16) ----


@given(e=pos, t=pos)
def test_session_dose_is_h_equals_e_t(e: float, t: float) -> None:
    # H = E·t: mW/cm² × min × 60 s/min / 1000 mJ/J; the session length that gives it back is t
    h = float(session_dose(e, t))
    assert h == pytest.approx(e * t * 60 / 1000)
    assert float(minutes_to_reach(h, e)) == pytest.approx(t)


def test_the_makers_26_mw_cm2_vs_the_model(cache: None) -> None:
    """HigherDOSE states 630 nm 26 + 830 nm 24 mW/cm² (maker's page via a review site, evidence.md
    §3). 20 min at 26 mW/cm² is 26 × 1200 / 1000 = 31.2 J/cm², above every per-session dose the
    controlled trials in the evidence table tested in the red band; the model's face average is far
    lower; the energy budget says 26 mW/cm² can only be a peak over one LED."""
    ev = _eval("higherdose-face-mask")
    bl = ev.bottom_line
    assert bl is not None and bl.stated_disagrees
    red = next(r for r in bl.stated_readings if r.channel == "red")
    assert red.stated_mw_cm2 == pytest.approx(26.0)
    assert red.minutes == 20
    assert red.dose_at_stated_j_cm2 == pytest.approx(31.2)
    assert red.classification == "peak_only" and red.more_credible == "modelled"
    assert red.verdicts_at_stated and {v for _, v in red.verdicts_at_stated} == {"above_studied_range"}
    # at the modelled face average the same indications are not above: the reading changes the verdict
    assert "above_studied_range" not in {v for _, v in red.verdicts_at_modelled}
    assert red.modelled_mw_cm2[2] < 26.0  # even the model's high end is below the stated figure
    # the maker's 50 mW/cm² total is covered by the per-channel figures: not read twice
    assert sorted(r.channel for r in bl.stated_readings) == ["nir", "red"]

    text = bl.stated
    assert bl.points[-2].label == "The maker's figure" and bl.points[-2].text == text
    assert "At the maker's 26 mW/cm² (red)" in text and "31 " in text and "above every tested dose" in text
    assert "at the modelled average (1.3 mW/cm²" in text and "below them for red" in text
    assert "The model is more credible: by the energy budget" in text and "peak" in text
    assert "near 26 mW/cm² would bear out the maker" in text
    # how a meter settles it: a face-neutral phrase, and a hint each face renders its own way
    pos = next(h for h in bl.points[-2].hints if h.action == "meter_position")
    assert pos.phrase in text and "--" not in text
    from photodose.cli.hints import with_cli_hints

    assert "(--meter-position over-led|between-leds)" in with_cli_hints(text, bl.points[-2].hints)

    # a one-sentence headline that names the maker's figure, then short labelled points
    assert bl.headline.startswith("Your skin gets about") and bl.headline.endswith(".")
    assert ". " not in bl.headline
    assert "the maker's 26 mW/cm² would mean above them, but can only be a peak" in bl.headline
    assert [p.key for p in bl.points] == ["dose", "trials", "action", "stated", "caveat"]
    assert [p.label for p in bl.points][:3] == ["Dose", "Versus trials", "What to do"]
    assert bl.paragraph.startswith(bl.headline) and "The maker's figure: At the maker's" in bl.paragraph

    js = ev.to_json()
    assert isinstance(js["bottom_line"]["text"], str) and js["bottom_line"]["text"] == bl.paragraph
    pts = js["bottom_line_points"]
    assert pts[0] == {"key": "headline", "label": "", "text": bl.headline}
    assert [p["label"] for p in pts[1:]] == [p.label for p in bl.points]
    assert js["bottom_line"]["stated_readings"][0]["dose_at_stated_j_cm2"] == pytest.approx(
        bl.stated_readings[0].dose_at_stated_j_cm2
    )


def test_the_trial_mask_stated_value_agrees_no_disagreement(cache: None) -> None:
    """The home-use RCT mask (PMID 39960921): max 10 mW/cm² per channel, consistent with a face
    average by the budget and inside the model's range → no reading-by-reading verdicts."""
    ev = _eval("home-mask-rct-pmid-39960921")
    bl = ev.bottom_line
    assert bl is not None
    assert not bl.stated_disagrees and bl.stated_readings == ()
    assert bl.stated_label == "The stated figure"  # stated by the trial's authors, not a maker
    assert "10 mW/cm² for red and NIR" in bl.stated and "agrees with the model's face average" in bl.stated
    for word in ("more credible", "would bear out", "At the stated", "above every"):
        assert word not in bl.stated
    assert "would mean" not in bl.headline and "stated" not in bl.headline


def test_a_total_is_split_as_the_model_splits_it(cache: None) -> None:
    """Omnilux's "about 30 mW/cm²" is for red and NIR together: each channel is read at its share."""
    ev = _eval("omnilux-contour-face")
    bl = ev.bottom_line
    assert bl is not None and bl.stated_disagrees
    shares = {r.channel: r for r in bl.stated_readings}
    assert set(shares) == {"red", "nir"}
    assert sum(r.stated_mw_cm2 for r in shares.values()) == pytest.approx(30.0)
    for r in shares.values():
        assert r.dose_at_stated_j_cm2 == pytest.approx(r.stated_mw_cm2 * r.minutes * 60 / 1000)
        assert r.total_of.startswith("30 mW/cm² for red+NIR")
    assert "taken as" in bl.stated and "the model's split" in bl.stated


def test_the_bottom_line_renders_as_points_in_terminal_and_html(cache: None) -> None:
    from typer.testing import CliRunner

    from photodose.cli import app  # type: ignore[attr-defined]
    from photodose.report.html import render_html

    res = CliRunner().invoke(app, ["evaluate", "higherdose-face-mask", "--photons", str(PHOTONS)])
    assert res.exit_code == 0, res.output
    panel = res.output.split("Dose per session")[0]
    for label in ("Dose:", "Versus trials:", "What to do:", "The maker's figure:"):
        assert label in panel
    assert "--meter-position" in panel  # the terminal renders the service's hint as its option
    page = render_html(_eval("higherdose-face-mask"))
    box = page.split('id="bottom-line"')[1].split("</section>")[0]
    assert '<p class="headline">' in box and '<li class="point-stated"><b>The maker&#39;s figure:</b>' in box


def test_which_reading_is_more_credible_follows_the_budget(cache: None) -> None:
    """The credibility clause is the budget's classification: peak only / implausible → the model;
    a face average from an exact source outside the model's range → the stated figure; a figure
    inside the model's range that passes the budget is no disagreement at all."""
    from photodose.services.bottom_line import bottom_line

    ev = _eval("higherdose-face-mask")
    assert ev.stated_vs_modelled is not None
    red = next(r for r in ev.stated_vs_modelled["rows"] if r["channels"] == ["red"])

    def with_row(**change: object):  # type: ignore[no-untyped-def]
        row = {**red, **change}
        return bottom_line(ev.device, ev.doses, ev.verdicts, ev.session_minutes, stated={"rows": [row]})

    wild = with_row(classification="implausible", stated_value=5000.0, stated_mw_cm2=5000.0)
    assert wild.stated_disagrees
    assert "The model is more credible" in wild.stated and "beyond what the LEDs could give" in wild.stated
    assert "implausible even over one LED" in wild.headline
    assert wild.stated_readings[0].dose_at_stated_j_cm2 == pytest.approx(5000.0 * 20 * 60 / 1000)

    exact = with_row(classification="face_average", more_credible="stated", confidence="exact")
    assert exact.stated_disagrees  # 26 mW/cm² lies above the model's face-average range
    assert "The stated figure is more credible" in exact.stated and "exact source" in exact.stated
    assert "can only be a peak" not in exact.headline

    inside = with_row(classification="face_average", stated_value=1.0, stated_mw_cm2=1.0)
    assert not inside.stated_disagrees and "agrees with the model's face average" in inside.stated
