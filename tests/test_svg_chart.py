"""The report's directly written SVG charts (photodose.report.svg_chart, figures.depth_dose_svg and
dose_windows_svg): the scales map and tick as a plot should, and the drawn shapes carry the
evaluation's numbers (read back from the SVG through the inverse of its scales)."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from photodose.report import figures
from photodose.report.svg_chart import Scale, log_limits
from photodose.services.evaluate import Evaluation, evaluate

NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def ev() -> Evaluation:
    import os
    import tempfile

    os.environ.setdefault("PHOTODOSE_CACHE_DIR", tempfile.mkdtemp())
    return evaluate("higherdose-face-mask", photons=4000)


@given(
    lo=st.floats(1e-6, 1e3),
    decades=st.floats(0.2, 8),
    a=st.floats(0, 100),
    width=st.floats(10, 1000),
    t=st.floats(0, 1),
)
def test_log_scale_maps_ends_and_is_monotonic(
    lo: float, decades: float, a: float, width: float, t: float
) -> None:
    hi = lo * 10**decades
    s = Scale(lo, hi, a, a + width, log=True)
    assert s(lo) == pytest.approx(a) and s(hi) == pytest.approx(a + width)
    v = lo * 10 ** (t * decades)
    assert a - 1e-6 <= s(v) <= a + width + 1e-6
    ticks = s.ticks()
    values = [x for x, _, _ in ticks]
    assert values == sorted(values) and all(lo * (1 - 1e-9) <= x <= hi * (1 + 1e-9) for x in values)
    labelled = [x for x, label, _ in ticks if label]
    assert labelled, "a log axis always names some value"
    assert len(labelled) >= 2 or decades < 1  # names at least two values once a decade is in view
    for x, label, _ in ticks:
        if label:  # labelled as plain numbers
            assert float(label) == pytest.approx(x, rel=1e-5)


@given(lo=st.floats(-1e3, 1e3), span=st.floats(1e-3, 1e4))
def test_linear_ticks_are_round_and_inside(lo: float, span: float) -> None:
    s = Scale(lo, lo + span, 0, 100)
    ticks = [x for x, _, _ in s.ticks()]
    assert 2 <= len(ticks) <= 13
    steps = np.diff(ticks)
    assert np.allclose(steps, steps[0], rtol=1e-6)
    mant = steps[0] / 10 ** math.floor(math.log10(steps[0]))
    assert any(math.isclose(mant, m, rel_tol=1e-6) for m in (1, 2, 2.5, 5, 10))
    assert all(lo - 1e-9 * span <= x <= lo + span * (1 + 1e-9) for x in ticks)


def test_log_limits_cover_the_data_with_a_margin() -> None:
    lo, hi = log_limits([0.5, 2.0, 40.0, -1.0, 0.0, float("nan")])
    assert lo < 0.5 and hi > 40.0
    span = math.log10(40 / 0.5)
    assert math.log10(0.5 / lo) == pytest.approx(0.05 * span) and math.log10(hi / 40) == pytest.approx(
        0.05 * span
    )


def _root(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == NS + "svg"
    return root


def _y_scale_depth(root: ET.Element) -> tuple[float, float]:
    """(pixels per decade, pixel of 1 J/cm²) from the labelled y ticks of the depth figure."""
    ticks = {}
    for t in root.iter(NS + "text"):
        if t.get("text-anchor") == "end" and t.text and re.fullmatch(r"[0-9.e+-]+", t.text):
            ticks[float(t.text)] = float(t.get("y", "nan"))
    (v1, y1), (v2, y2) = sorted(ticks.items())[:2]
    per_decade = (y1 - y2) / math.log10(v2 / v1)
    return per_decade, y1 + per_decade * math.log10(v1)


def test_depth_figure_draws_the_central_dose_per_channel(ev: Evaluation) -> None:
    svg = figures.depth_dose_svg(ev)
    root = _root(svg)
    for layer in ev.depth[0].layer_names:
        assert layer.replace("_", " ") in svg
    per_decade, y_of_1 = _y_scale_depth(root)
    lines = [p for p in root.iter(NS + "polyline") if p.get("stroke-width") == "1.8" and "points" in p.attrib]
    curves = [p for p in lines if len(p.get("points", "").split()) > 50]
    assert len(curves) == len(ev.doses)
    for poly, prof, dose in zip(curves, ev.depth, ev.doses, strict=True):
        _x0, y0 = (float(v) for v in poly.get("points", "").split()[0].split(","))
        expected = prof.fluence_per_irradiance[0] * dose.surface_fluence_j_cm2.central  # at the surface
        drawn = 10 ** ((y_of_1 - y0) / per_decade)
        assert drawn == pytest.approx(expected, rel=0.02)
        assert poly.get("stroke") == figures.colour_for(dose.wavelength_nm)


def test_windows_figure_has_a_row_per_dosed_verdict(ev: Evaluation) -> None:
    svg = figures.dose_windows_svg(ev)
    root = _root(svg)
    rows = [v for v in ev.verdicts if v.window is not None and v.window.fluence_j_cm2 is not None]
    texts = [t.text for t in root.iter(NS + "text")]
    for v in rows:
        assert v.indication_name in texts and v.band_name in texts
    dots = list(root.iter(NS + "circle"))
    assert len(dots) == len(rows) + 1  # one per row and one in the legend
    # the x positions of the central doses follow the log scale of the tick labels
    ticks = {
        float(t.text): float(t.get("x", "nan"))
        for t in root.iter(NS + "text")
        if t.get("text-anchor") == "middle" and t.text and re.fullmatch(r"[0-9.]+", t.text)
    }
    (v1, x1), (v2, x2) = sorted(ticks.items())[:2]
    per_decade = (x2 - x1) / math.log10(v2 / v1)
    for dot, v in zip(dots, rows, strict=False):
        drawn = v1 * 10 ** ((float(dot.get("cx", "nan")) - x1) / per_decade)
        assert drawn == pytest.approx(v.fluence_j_cm2[1], rel=0.02)
    if any(v.window.fluence_j_cm2.lower_edge is None for v in rows if v.window and v.window.fluence_j_cm2):
        assert "<pattern" in svg  # an open lower edge is hatched
