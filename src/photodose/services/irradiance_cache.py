"""A device's irradiance over the default face, cached on disk between runs.

:func:`photodose.device.evaluate_irradiance` and the central maps it draws from are the one
Numba computation a warm ``photodose evaluate`` of a tabled device still runs (~0.5 s, most of it
Numba loading its compiled kernel). The result depends only on the device (its validated spec),
the placement region, the face model and the irradiance code, so it is stored under the depth
cache's parent directory (``<cache>/irradiance/<key>.npz``), keyed by a SHA-256 of all of these:
the device spec as JSON, the region, the package version, :data:`CACHE_VERSION` and the bytes of
the device model's source files and the face data. Any change to one of them gives a new key.

The format holds data only, never code: one NumPy ``.npz`` archive read with
``allow_pickle=False`` whose arrays are the central irradiance maps (``map_0``, ``map_1``, …),
the treated-patch masks (``treated``) and one UTF-8 JSON document (``meta``) with the channels'
statistics, the energy-budget geometry and the peak-over-an-LED figures, plus the key and the
format version. The folder is the user's, so a file is trusted only as far as it checks out: one
that does not open, is not this format, names another key, or holds the wrong number or shape of
arrays is ignored, recomputed and overwritten; nothing in it is ever executed.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
from dataclasses import asdict
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

from photodose import __version__

if TYPE_CHECKING:
    import numpy as np

    from photodose.device import ChannelIrradiance, DeviceSpec, Estimate
    from photodose.device.irradiance import PeakValley

CACHE_VERSION = "2"  # 2: npz + JSON (was a pickle)
FORMAT = "photodose.irradiance_cache"
# modules whose code decides the irradiance (a change to any gives a new key)
MODEL_MODULES = (
    "irradiance.py",
    "irradiance_kernel.py",
    "layout.py",
    "face.py",
    "regions.py",
    "spec.py",
    "estimate.py",
    "budget.py",
)


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

    return cache_dir().parent / "irradiance" / f"{irradiance_key(spec, region)}.npz"


# ------------------------------------------------------------------------------ (de)serialising


def _estimate_to_json(e: Estimate) -> dict[str, Any]:
    return {**e.to_dict(), "details": e.details}


def _estimate_from_json(d: dict[str, Any]) -> Estimate:
    from photodose.device import Estimate

    return Estimate(
        float(d["low"]),
        float(d["central"]),
        float(d["high"]),
        str(d["unit"]),
        str(d["provenance"]),
        str(d["confidence"]),
        dict(d["details"]),
    )


def _channel_to_json(c: ChannelIrradiance) -> dict[str, Any]:
    return {
        "channel": c.channel,
        "peak_nm": c.peak_nm,
        "mean": _estimate_to_json(c.mean),
        "regions": c.regions,
        "region_means": {k: _estimate_to_json(v) for k, v in c.region_means.items()},
        "led_power_mw": c.led_power_mw,
        "n_leds": c.n_leds,
        "layout": c.layout,
        "extra": c.extra,
    }


def _channel_from_json(d: dict[str, Any]) -> ChannelIrradiance:
    from photodose.device import ChannelIrradiance

    return ChannelIrradiance(
        channel=str(d["channel"]),
        peak_nm=float(d["peak_nm"]),
        mean=_estimate_from_json(d["mean"]),
        regions={str(k): {str(s): float(x) for s, x in v.items()} for k, v in d["regions"].items()},
        region_means={str(k): _estimate_from_json(v) for k, v in d["region_means"].items()},
        led_power_mw={str(k): float(v) for k, v in d["led_power_mw"].items()},
        n_leds={str(k): int(v) for k, v in d["n_leds"].items()},
        layout=str(d["layout"]),
        extra=dict(d["extra"]),
    )


def _peaks_to_json(peaks: dict[tuple[int | str, str, str | None], PeakValley]) -> list[Any]:
    return [[list(k), asdict(v)] for k, v in peaks.items()]


def _peaks_from_json(rows: list[Any]) -> dict[tuple[int | str, str, str | None], PeakValley]:
    from photodose.device.irradiance import PeakValley

    out: dict[tuple[int | str, str, str | None], PeakValley] = {}
    for (channel, scenario, region), fields in rows:
        if not isinstance(channel, int | str) or not isinstance(scenario, str):
            raise ValueError("peak key")
        if region is not None and not isinstance(region, str):
            raise ValueError("peak region")
        out[(channel, scenario, region)] = PeakValley(**{k: float(v) for k, v in fields.items()})
    return out


def _geometry_to_json(geometry: dict[tuple[str, ...], dict[str, Any]]) -> list[Any]:
    return [[list(k), v] for k, v in geometry.items()]


def _geometry_from_json(rows: list[Any]) -> dict[tuple[str, ...], dict[str, Any]]:
    return {tuple(str(c) for c in k): dict(v) for k, v in rows}


def _json_default(o: Any) -> Any:
    import numpy as np

    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, tuple):
        return list(o)
    raise TypeError(f"{type(o).__name__} is not stored in the irradiance cache")


class _Entry:
    """One cache file's contents; any part may be missing (``None`` / empty)."""

    def __init__(self) -> None:
        self.irradiance: list[ChannelIrradiance] | None = None
        self.maps: list[np.ndarray] | None = None
        self.geometry: dict[tuple[str, ...], dict[str, Any]] = {}
        self.peaks: dict[tuple[int | str, str, str | None], PeakValley] = {}
        self.treated: np.ndarray | None = None


def _load(path: Path, key: str, n_channels: int, n_patches: int | None = None) -> _Entry | None:
    """The entry in ``path``, or None when it is missing or does not check out (see module doc)."""
    import numpy as np

    try:
        with np.load(path, allow_pickle=False) as z:
            names = set(z.files)
            meta = json.loads(bytes(z["meta"]).decode("utf-8"))
            if not isinstance(meta, dict) or meta.get("format") != FORMAT:
                return None
            if meta.get("version") != CACHE_VERSION or meta.get("key") != key:
                return None
            e = _Entry()
            if meta.get("irradiance") is not None:
                irr = [_channel_from_json(c) for c in meta["irradiance"]]
                maps = [np.asarray(z[f"map_{i}"], dtype=float) for i in range(len(irr))]
                if len(irr) != n_channels or len({m.shape for m in maps}) != 1 or maps[0].ndim != 1:
                    return None
                if n_patches is not None and maps[0].shape[0] != n_patches:
                    return None
                e.irradiance, e.maps = irr, maps
            e.geometry = _geometry_from_json(meta.get("geometry", []))
            e.peaks = _peaks_from_json(meta.get("peaks", []))
            if "treated" in names:
                treated = np.asarray(z["treated"])
                if treated.dtype != np.bool_ or treated.ndim != 1:
                    return None
                if n_patches is not None and treated.shape[0] != n_patches:
                    return None
                e.treated = treated
            return e
    except Exception:  # missing, damaged, foreign or tampered (a bad zip, bad JSON, wrong types…):
        return None  # computed again; reading data can fail in many ways, none of them executes it


def _store(path: Path, key: str, e: _Entry) -> None:
    import numpy as np

    try:
        meta = {
            "format": FORMAT,
            "version": CACHE_VERSION,
            "key": key,
            "irradiance": None if e.irradiance is None else [_channel_to_json(c) for c in e.irradiance],
            "geometry": _geometry_to_json(e.geometry),
            "peaks": _peaks_to_json(e.peaks),
        }
        arrays: dict[str, np.ndarray] = {
            "meta": np.frombuffer(json.dumps(meta, default=_json_default).encode("utf-8"), dtype=np.uint8)
        }
        for i, m in enumerate(e.maps or []):
            arrays[f"map_{i}"] = np.asarray(m, dtype=float)
        if e.treated is not None:
            arrays["treated"] = np.asarray(e.treated, dtype=bool)
        buf = io.BytesIO()
        np.savez(buf, **arrays)  # type: ignore[arg-type]
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(buf.getvalue())
        os.replace(tmp, path)
    except (OSError, TypeError, ValueError):
        pass  # no writable cache, or a value this format does not hold: still correct, only slower


# ------------------------------------------------------------------------------ public


def face_irradiance(
    spec: DeviceSpec, region: str | None = None, *, use_cache: bool = True
) -> tuple[list[ChannelIrradiance], list[np.ndarray]]:
    """``(evaluate_irradiance(spec, face_surface(), region), [central map per channel])``, from
    the disk cache when it holds this key (equal objects, rebuilt from the stored data), else
    computed and stored. The energy-budget geometry stored with it (:func:`remember_geometry`)
    is put back into :mod:`photodose.device.budget`'s cache."""
    if not use_cache:
        return _compute(spec, region)
    from photodose.device import face_surface
    from photodose.device.budget import seed_geometry
    from photodose.device.irradiance import seed_peak_valley

    key, path = irradiance_key(spec, region), _path(spec, region)
    found = _load(path, key, len(spec.channels), face_surface().n_patches)
    if found is not None and found.irradiance is not None and found.maps is not None:
        seed_geometry(spec, found.geometry)
        seed_peak_valley(spec, found.peaks)
        return found.irradiance, found.maps
    irr, maps = _compute(spec, region)
    entry = found or _Entry()
    entry.irradiance, entry.maps = irr, maps
    _store(path, key, entry)
    return irr, maps


def remember_geometry(spec: DeviceSpec, region: str | None = None) -> None:
    """Keep the energy-budget geometry (:func:`photodose.device.budget.geometry_entries`) and the
    peak-over-an-LED results (:func:`photodose.device.irradiance.peak_valley_entries`) that this
    run computed for ``spec`` beside its irradiance, for the next run (no-op when known)."""
    from photodose.device.budget import geometry_entries
    from photodose.device.irradiance import peak_valley_entries

    geometry, peaks = geometry_entries(spec), peak_valley_entries(spec)
    key, path = irradiance_key(spec, region), _path(spec, region)
    found = _load(path, key, len(spec.channels))
    if found is None or (set(geometry) <= set(found.geometry) and set(peaks) <= set(found.peaks)):
        return
    found.geometry = {**found.geometry, **geometry}
    found.peaks = {**found.peaks, **peaks}
    _store(path, key, found)


def treated_mask(spec: DeviceSpec, region: str | None = None, *, use_cache: bool = True) -> np.ndarray:
    """:func:`photodose.device.treated_mask` on the default face (the patches a mask or panel
    covers, a handheld's footprint), kept in the same cache entry as the irradiance: laying out
    the LEDs to find it costs ~0.15 s that a warm report need not pay."""
    from photodose.device import face_surface
    from photodose.device import treated_mask as compute

    face = face_surface()
    if not use_cache:
        return compute(spec, face, region)
    key, path = irradiance_key(spec, region), _path(spec, region)
    found = _load(path, key, len(spec.channels), face.n_patches)
    if found is not None and found.treated is not None:
        return found.treated
    mask = compute(spec, face, region)
    entry = found or _Entry()
    entry.treated = mask
    _store(path, key, entry)
    return mask
