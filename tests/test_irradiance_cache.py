"""The on-disk cache of a device's face irradiance (photodose.services.irradiance_cache): the same
numbers as a fresh computation, a new key for a changed device, damaged, foreign or tampered
files ignored and rewritten, never executed (the format is an npz read without pickle)."""

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
        # every field, provenance and details included, as the JSON output shows them
        assert x == y and x.to_dict() == y.to_dict() and x.mean.details == y.mean.details
        assert {k: v.details for k, v in x.region_means.items()} == {
            k: v.details for k, v in y.region_means.items()
        }
    for ma, mb in zip(maps_a, maps_b, strict=True):
        np.testing.assert_array_equal(ma, mb)


def test_cached_irradiance_equals_a_fresh_computation(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = load_device("solawave-wand")
    fresh = ic.face_irradiance(spec, "cheeks", use_cache=False)
    first = ic.face_irradiance(spec, "cheeks")  # computed and stored
    assert list((Path(ic._path(spec, "cheeks")).parent).glob("*.npz"))

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
    path.write_bytes(b"not an npz")
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


# --------------------------------------------------------------------------- tampered files


class _Payload:
    """Unpickling this would create ``marker``: the cache must never unpickle."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (Path.touch, (str(self.marker),))  # type: ignore[return-value]


def _no_compute(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_model(*a: object) -> None:
        raise AssertionError("expected a cache hit")

    monkeypatch.setattr(ic, "_compute", no_model)


def test_a_pickle_in_the_cache_is_never_executed_and_is_rewritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pickle

    spec = load_device("solawave-wand")
    marker = tmp_path / "executed"
    path = ic._path(spec, "cheeks")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(_Payload(marker)))
    got = ic.face_irradiance(spec, "cheeks")
    assert not marker.exists()
    _same(got, ic.face_irradiance(spec, "cheeks", use_cache=False))
    with np.load(path, allow_pickle=False) as z:  # rewritten in the safe format
        assert "meta" in z.files and "map_0" in z.files
    _no_compute(monkeypatch)
    _same(ic.face_irradiance(spec, "cheeks"), got)


def test_an_npz_with_pickled_objects_is_ignored(tmp_path: Path) -> None:
    spec = load_device("solawave-wand")
    marker = tmp_path / "executed"
    path = ic._path(spec, "cheeks")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:  # an object array: loading it would need pickle
        np.savez(f, meta=np.array([_Payload(marker)], dtype=object), map_0=np.zeros(3))
    _same(ic.face_irradiance(spec, "cheeks"), ic.face_irradiance(spec, "cheeks", use_cache=False))
    assert not marker.exists()


def test_a_foreign_or_inconsistent_entry_is_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = load_device("solawave-wand")
    other = load_device("higherdose-face-mask")
    ic.face_irradiance(other, None)  # a valid file of another device…
    path = ic._path(spec, None)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(ic._path(other, None).read_bytes())  # …put under this device's key
    fresh = ic.face_irradiance(spec, None, use_cache=False)
    _same(ic.face_irradiance(spec, None), fresh)  # its key does not match: recomputed

    # the right key but a map of the wrong length: recomputed too
    key = ic.irradiance_key(spec, None)
    entry = ic._load(path, key, len(spec.channels))
    assert entry is not None and entry.maps is not None
    entry.maps = [m[:10] for m in entry.maps]
    ic._store(path, key, entry)
    assert ic._load(path, key, len(spec.channels), n_patches=fresh[1][0].size) is None
    _same(ic.face_irradiance(spec, None), fresh)


def test_a_truncated_file_is_recomputed() -> None:
    spec = load_device("solawave-wand")
    ic.face_irradiance(spec, "cheeks")
    path = ic._path(spec, "cheeks")
    path.write_bytes(path.read_bytes()[:200])
    _same(ic.face_irradiance(spec, "cheeks"), ic.face_irradiance(spec, "cheeks", use_cache=False))


def test_treated_mask_is_cached_beside_the_irradiance(monkeypatch: pytest.MonkeyPatch) -> None:
    from photodose.device import face_surface, treated_mask

    spec = load_device("higherdose-face-mask")
    fresh = treated_mask(spec, face_surface(), None)
    np.testing.assert_array_equal(ic.treated_mask(spec, None), fresh)  # computed and stored
    irr = ic.face_irradiance(spec, None)  # the same entry gains the irradiance…
    _no_compute(monkeypatch)
    monkeypatch.setattr("photodose.device.treated_mask", lambda *a: (_ for _ in ()).throw(AssertionError))
    np.testing.assert_array_equal(ic.treated_mask(spec, None), fresh)  # …and keeps the mask
    _same(ic.face_irradiance(spec, None), irr)


@pytest.mark.parametrize(
    "meta",
    [
        b"[" * 100_000,  # nesting deep enough to overflow the JSON parser's recursion
        b'{"format": "photodose.irradiance_cache", "version": "2", "key": "x"}',  # another key
        b"\xff\xfe",  # not UTF-8
        b'{"format": "photodose.irradiance_cache", "version": "2", "key": "KEY", "irradiance": '
        b'[{"channel": "red", "n_leds": {"central": 1e400}}]}',  # missing and impossible fields
    ],
)
def test_a_malformed_meta_document_is_a_cache_miss(meta: bytes) -> None:
    spec = load_device("solawave-wand")
    key = ic.irradiance_key(spec, "cheeks")
    path = ic._path(spec, "cheeks")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        np.savez(f, meta=np.frombuffer(meta.replace(b"KEY", key.encode()), dtype=np.uint8))
    assert ic._load(path, key, len(spec.channels)) is None
    _same(ic.face_irradiance(spec, "cheeks"), ic.face_irradiance(spec, "cheeks", use_cache=False))
