"""The on-disk cache of a device's face irradiance (photodose.services.irradiance_cache): the same
numbers as a fresh computation, a new key for a changed device, damaged files recomputed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from photodose.device import load_device
from photodose.services import irradiance_cache as ic


@pytest.fixture(autouse=True)
def _own_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PHOTODOSE_CACHE_DIR", str(tmp_path / "c"))


def _same(a: tuple, b: tuple) -> None:  # type: ignore[type-arg]
    (irr_a, maps_a), (irr_b, maps_b) = a, b
    assert [c.channel for c in irr_a] == [c.channel for c in irr_b]
    for x, y in zip(irr_a, irr_b, strict=True):
        assert (x.mean.low, x.mean.central, x.mean.high) == (y.mean.low, y.mean.central, y.mean.high)
        assert x.regions == y.regions and x.n_leds == y.n_leds
    for ma, mb in zip(maps_a, maps_b, strict=True):
        np.testing.assert_array_equal(ma, mb)


def test_cached_irradiance_equals_a_fresh_computation(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = load_device("solawave-wand")
    fresh = ic.face_irradiance(spec, "cheeks", use_cache=False)
    first = ic.face_irradiance(spec, "cheeks")  # computed and stored
    assert list((Path(ic._path(spec, "cheeks")).parent).glob("*.pickle"))

    def no_model(*a: object) -> None:
        raise AssertionError("the second call must come from the disk cache")

    monkeypatch.setattr(ic, "_compute", no_model)
    second = ic.face_irradiance(spec, "cheeks")
    _same(fresh, first)
    _same(fresh, second)


def test_a_changed_device_or_region_has_another_key() -> None:
    spec = load_device("solawave-wand")
    other = spec.model_copy(update={"notes": spec.notes + " (edited)"})
    assert ic.irradiance_key(spec, "cheeks") != ic.irradiance_key(other, "cheeks")
    assert ic.irradiance_key(spec, "cheeks") != ic.irradiance_key(spec, "forehead")
    assert ic.irradiance_key(spec, "cheeks") == ic.irradiance_key(load_device("solawave-wand"), "cheeks")


def test_a_damaged_cache_file_is_recomputed() -> None:
    spec = load_device("solawave-wand")
    path = ic._path(spec, "cheeks")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not a pickle")
    _same(ic.face_irradiance(spec, "cheeks"), ic.face_irradiance(spec, "cheeks", use_cache=False))


def test_budget_geometry_and_peaks_are_kept_and_restored() -> None:
    from photodose.device import budget, irradiance

    spec = load_device("solawave-wand")
    ic.face_irradiance(spec, None)
    budget.classify_stated_irradiance(spec, 10.0)
    fresh_peak = irradiance.peak_valley(spec, 0, "high")
    geometry, peaks = budget.geometry_entries(spec), irradiance.peak_valley_entries(spec)
    assert geometry and peaks
    ic.remember_geometry(spec, None)
    budget._GEOMETRY_CACHE.clear()
    irradiance._PV_CACHE.clear()
    ic.face_irradiance(spec, None)  # from the file: geometry and peaks come back with it
    assert budget.geometry_entries(spec) == geometry
    assert irradiance.peak_valley_entries(spec) == peaks
    assert irradiance.peak_valley(spec, 0, "high") == fresh_peak
