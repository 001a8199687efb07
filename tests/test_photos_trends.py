"""Trends: slope and CI against scipy on known series; a change is called only beyond the noise
measured from same-day repeats (MDC95 = 1.96·√2·SEM, Weir 2005)."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from photodose.photos.trends import metric_trend, minimal_detectable_change, same_day_noise

D0 = date(2026, 9, 1)


def series(slope_per_day: float, sd: float, days: int = 12, repeats: int = 3, seed: int = 0):
    rng = np.random.default_rng(seed)
    ds, vs = [], []
    for i in range(days):
        for _ in range(repeats):
            ds.append(D0 + timedelta(days=7 * i))
            vs.append(10.0 + slope_per_day * 7 * i + rng.normal(0, sd))
    return ds, vs


def test_same_day_noise_recovers_the_true_sd() -> None:
    ds, vs = series(0.0, 0.5, days=150, repeats=3, seed=1)
    sem, dof = same_day_noise(ds, vs)
    assert dof == 300
    assert sem == pytest.approx(0.5, rel=0.12)  # the SD's standard error at 300 dof is 4 %


def test_mdc_is_weirs_formula() -> None:
    assert minimal_detectable_change(1.0) == pytest.approx(2.77, abs=0.005)
    # a SEM from few repeats: Student's t instead of 1.96 (t(0.975, 1) = 12.706, t(0.975, 2) = 4.303)
    assert minimal_detectable_change(1.0, 1) == pytest.approx(12.706 * np.sqrt(2), abs=0.005)
    assert minimal_detectable_change(1.0, 2) == pytest.approx(4.303 * np.sqrt(2), abs=0.005)
    assert minimal_detectable_change(1.0, 10_000) == pytest.approx(2.77, abs=0.005)


def test_drift_within_one_pair_s_noise_is_not_a_change() -> None:
    """Noise from a single same-day pair is uncertain: a drift of 1.5 × the pair's z-based MDC95 over
    three days is not called (it was, with 1.96: the grain-only web test's texture)."""
    ds = [D0, D0, D0 + timedelta(days=14), D0 + timedelta(days=28)]
    vs = [3.62, 3.56, 3.53, 3.46]  # texture of four grain-only repeats of astronaut()
    t = metric_trend("texture", "face", ds, vs)
    assert t.ci95_high_per_30d < 0 and abs(t.fitted_change) > minimal_detectable_change(t.noise_sd or 0)
    assert t.verdict == "no change beyond noise"


def test_real_change_is_called() -> None:
    ds, vs = series(-0.05, 0.3)  # -1.5 per 30 days over 77 days
    t = metric_trend("a", "face", ds, vs)
    assert t.verdict == "decreased"
    assert t.ci95_low_per_30d < -1.5 < t.ci95_high_per_30d
    assert abs(t.fitted_change) > t.mdc95


def test_no_change_within_noise() -> None:
    ds, vs = series(0.0, 0.5, seed=4)
    assert metric_trend("a", "face", ds, vs).verdict == "no change beyond noise"


def test_significant_but_smaller_than_noise_is_not_a_change() -> None:
    """A slope whose CI excludes zero but whose total change is below MDC95 is not called."""
    ds, vs = series(0.004, 0.02, days=12, repeats=2, seed=2)
    t = metric_trend("a", "face", ds, vs, noise_sd=1.0)
    assert t.ci95_low_per_30d > 0
    assert t.verdict == "no change beyond noise"


def test_without_repeats_noise_is_unknown_and_few_days_too_few() -> None:
    ds, vs = series(-0.05, 0.3, repeats=1)
    assert metric_trend("a", "face", ds, vs).verdict == "noise unknown"
    assert metric_trend("a", "face", ds[:2], vs[:2]).verdict == "too few days"
    assert metric_trend("a", "face", [], []).verdict == "too few days"


def test_slope_and_ci_match_scipy() -> None:
    from scipy import stats

    ds, vs = series(0.03, 0.4, repeats=1, seed=9)
    t = metric_trend("L", "face", ds, vs, noise_sd=0.4)
    x = np.array([(d - D0).days for d in ds], float)
    fit = stats.linregress(x, vs)
    half = stats.t.ppf(0.975, len(x) - 2) * fit.stderr
    assert t.slope_per_30d == pytest.approx(fit.slope * 30)
    assert t.ci95_high_per_30d - t.ci95_low_per_30d == pytest.approx(2 * half * 30)


@settings(max_examples=80, deadline=None)
@given(st.floats(-5, 5), st.floats(0.1, 10), st.integers(0, 10_000))
def test_trend_is_affine_equivariant(shift: float, scale: float, seed: int) -> None:
    """Shifting every value moves nothing but the level; scaling scales slope, CI and noise alike."""
    ds, vs = series(0.02, 0.5, days=6, repeats=2, seed=seed)
    t = metric_trend("a", "face", ds, vs)
    t2 = metric_trend("a", "face", ds, [shift + scale * v for v in vs])
    assert t2.slope_per_30d == pytest.approx(scale * t.slope_per_30d, rel=1e-6, abs=1e-9)
    assert t2.mdc95 == pytest.approx(scale * t.mdc95, rel=1e-6)
    assert t2.verdict == t.verdict
