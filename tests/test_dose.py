"""Dose arithmetic: H = E·t, dermal fluence = φ(z)·H, weekly = per session × sessions."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from photodose.depth import depth_profile
from photodose.device import Estimate
from photodose.dose import (
    DoseInputError,
    channel_dose,
    layer_depth_range_cm,
    mean_fluence_ratio,
    surface_fluence_j_cm2,
)
from photodose.skin import SkinProfile


def test_surface_fluence_is_irradiance_times_time() -> None:
    # 10 mW/cm² for 10 min = 10e-3 W/cm² × 600 s = 6 J/cm²
    assert surface_fluence_j_cm2(10.0, 10.0) == pytest.approx(6.0)
    # Goldberg & Russell 2006: 80 mW/cm² × 20 min = 96 J/cm² (evidence.md §2)
    assert surface_fluence_j_cm2(80.0, 20.0) == pytest.approx(96.0)
    with pytest.raises(DoseInputError, match="minutes"):
        surface_fluence_j_cm2(10.0, -1.0)


@given(e=st.floats(0, 500), t=st.floats(0, 120), k=st.floats(0.1, 10))
def test_surface_fluence_is_linear(e: float, t: float, k: float) -> None:
    assert surface_fluence_j_cm2(k * e, t) == pytest.approx(k * surface_fluence_j_cm2(e, t))


@pytest.fixture(scope="module")
def profile(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    import os

    os.environ["PHOTODOSE_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
    return depth_profile(SkinProfile("III", "forehead"), 633.0, photons=20_000, seed=3)


def test_channel_dose_scales_the_depth_profile(profile) -> None:  # type: ignore[no-untyped-def]
    irr = Estimate(1.0, 2.0, 5.0, "mW/cm2", "test irradiance", "assumption")
    d = channel_dose("red", irr, profile, minutes=10.0, sessions_per_week=3.0)
    assert d.surface_fluence_j_cm2.central == pytest.approx(2.0 * 0.6)
    assert d.weekly_surface_fluence_j_cm2.high == pytest.approx(5.0 * 0.6 * 3)
    top, bottom = layer_depth_range_cm(profile, ("papillary dermis",))
    assert 0 < top < bottom < 0.05
    ratio = mean_fluence_ratio(profile, top, bottom)
    assert d.papillary_dermis_fluence_j_cm2.central == pytest.approx(1.2 * ratio)
    # skin is a strongly scattering medium: the fluence just below the surface exceeds the
    # incident irradiance (photon build-up), and falls with depth
    assert d.papillary_ratio > d.reticular_ratio > 0.5
    assert d.surface_fluence_j_cm2.confidence == "assumption"  # carried from the input
    assert d.dermis_fluence_j_cm2.provenance.startswith("computed")


def test_channel_dose_rejects_bad_schedules(profile) -> None:  # type: ignore[no-untyped-def]
    irr = Estimate(1.0, 1.0, 1.0, "mW/cm2")
    with pytest.raises(DoseInputError, match="sessions_per_week"):
        channel_dose("red", irr, profile, minutes=10.0, sessions_per_week=50)


def test_layer_lookup_names_the_model_layers(profile) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(KeyError, match="muscle"):
        layer_depth_range_cm(profile, ("muscle",))
    assert np.all(np.diff(np.asarray(profile.boundaries_cm)) > 0)
