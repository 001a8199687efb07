"""A device's irradiance over the default face, cached on disk between runs.

:func:`photodose.device.evaluate_irradiance` and the central maps it draws from are the one
Numba computation a warm ``photodose evaluate`` of a tabled device still runs (~0.5 s, most of it
Numba loading its compiled kernel). The result depends only on the device (its validated spec),
the placement region, the face model and the irradiance code, so it is stored as a pickle under
the depth cache's parent directory, keyed by a hash of all of these: the device spec as JSON,
the region, the package version, and the bytes of the device model's source files and the face
data. Any change to one of them gives a new key; a damaged or unreadable file is recomputed.
"""

from __future__ import annotations

import hashlib
import pickle
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

from photodose import __version__

if TYPE_CHECKING:
    import numpy as np

    from photodose.device import ChannelIrradiance, DeviceSpec

CACHE_VERSION = "1"
# modules whose code decides the irradiance (a change to any gives a new key)
MODEL_MODULES = ("irradiance.py", "layout.py", "face.py", "regions.py", "spec.py", "estimate.py", "budget.py")


@lru_cache(maxsize=1)
def _model_hash() -> str:
    h = hashlib.sha256(f"{__version__}/{CACHE_VERSION}".encode())
    device_pkg = files("photodose") / "device"
    for name in MODEL_MODULES:
        h.update(name.encode())
        h.update((device_pkg / name).read_bytes())
    face_data = files("photodose") / "data" / "face"
    for entry in sorted(face_data.iterdir(), key=lambda p: p.name):
        if entry.is_file():
            h.update(entry.name.encode())
            h.update(entry.read_bytes())
    return h.hexdigest()


def irradiance_key(spec: DeviceSpec, region: str | None) -> str:
    """Cache key of a device's face irradiance (see the module docstring)."""
    h = hashlib.sha256(_model_hash().encode())
    h.update(spec.model_dump_json().encode())
    h.update(repr(region).encode())
    return h.hexdigest()[:32]


def _compute(spec: DeviceSpec, region: str | None) -> tuple[list[ChannelIrradiance], list[np.ndarray]]:
    from photodose.device import evaluate_irradiance, face_surface, irradiance_map

    face = face_surface()
    irr = evaluate_irradiance(spec, face, region)
    maps = [irradiance_map(spec, face, i, "central", region) for i in range(len(spec.channels))]
    return irr, maps


def _path(spec: DeviceSpec, region: str | None) -> Path:
    from photodose.depth import cache_dir

    return cache_dir().parent / "irradiance" / f"{irradiance_key(spec, region)}.pickle"


Stored = tuple[Any, Any, dict[Any, Any], dict[Any, Any]]  # irradiance, maps, budget geometry, peaks


def _load(path: Path, n_channels: int) -> Stored | None:
    try:
        with path.open("rb") as f:
            data: Any = pickle.load(f)  # our own file in the user's cache dir
        if isinstance(data, tuple) and len(data) == 4 and len(data[0]) == n_channels:
            return data[0], data[1], data[2], data[3]
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        pass  # missing or damaged: computed again
    return None


def _store(path: Path, data: Stored) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with tmp.open("wb") as f:
            pickle.dump(data, f, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
    except (OSError, pickle.PicklingError):
        pass  # no writable cache: still correct, only slower next time


def face_irradiance(
    spec: DeviceSpec, region: str | None = None, *, use_cache: bool = True
) -> tuple[list[ChannelIrradiance], list[np.ndarray]]:
    """``(evaluate_irradiance(spec, face_surface(), region), [central map per channel])``, from
    the disk cache when it holds this key (the same objects, pickled), else computed and stored.
    The energy-budget geometry stored with it (:func:`remember_geometry`) is put back into
    :mod:`photodose.device.budget`'s cache."""
    if not use_cache:
        return _compute(spec, region)
    from photodose.device.budget import seed_geometry
    from photodose.device.irradiance import seed_peak_valley

    path = _path(spec, region)
    found = _load(path, len(spec.channels))
    if found is not None:
        seed_geometry(spec, found[2])
        seed_peak_valley(spec, found[3])
        return found[0], found[1]
    irr, maps = _compute(spec, region)
    _store(path, (irr, maps, {}, {}))
    return irr, maps


def remember_geometry(spec: DeviceSpec, region: str | None = None) -> None:
    """Keep the energy-budget geometry (:func:`photodose.device.budget.geometry_entries`) and the
    peak-over-an-LED results (:func:`photodose.device.irradiance.peak_valley_entries`) that this
    run computed for ``spec`` beside its irradiance, for the next run (no-op when known)."""
    from photodose.device.budget import geometry_entries
    from photodose.device.irradiance import peak_valley_entries

    geometry, peaks = geometry_entries(spec), peak_valley_entries(spec)
    path = _path(spec, region)
    found = _load(path, len(spec.channels))
    if found is None or (set(geometry) <= set(found[2]) and set(peaks) <= set(found[3])):
        return
    _store(path, (found[0], found[1], {**found[2], **geometry}, {**found[3], **peaks}))
