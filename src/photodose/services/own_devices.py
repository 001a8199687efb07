"""A person's own devices: validated like the catalogue's device files and kept as TOML, one file
each, where every face finds them (``photodose devices add FILE``, the web app's "add your own").

Saved to ``<data dir>/devices/<id>.toml``, the data dir being the journal's
(:func:`photodose.journal.db.data_dir`: ``$PHOTODOSE_DATA_DIR`` or the platform's user data dir).
The file name comes from the device id, which the schema restricts to ``[a-z0-9][a-z0-9-]*``, and
the resolved path is checked to lie inside the folder, so no path traversal is possible.

:func:`resolve_device` finds a device by what a person types: a catalogue id, a saved device's
id, a device file, or a catalogue name or alias (:func:`photodose.device.load_device`).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import tomli_w

from photodose.device import (
    DeviceSpec,
    DeviceSpecError,
    catalog,
    device_from_dict,
    device_from_toml,
    find_device,
    load_device,
)

__all__ = ["DeviceStore", "all_devices", "default_data_dir", "resolve_device"]

_ID = re.compile(r"[a-z0-9][a-z0-9\-]{0,80}")


def default_data_dir() -> Path:
    """The person's data directory (the journal's: ``$PHOTODOSE_DATA_DIR`` or the user data dir).

    The same rule as :func:`photodose.journal.db.data_dir` (a test keeps them equal), without
    importing the journal's SQLAlchemy (~0.2 s) into every command that names a device."""
    env = os.environ.get("PHOTODOSE_DATA_DIR")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_data_dir("photodose", appauthor=False))


class DeviceStore:
    """The person's own devices, one TOML file each, in ``<data_dir>/devices/``."""

    def __init__(self, data_dir: Path | None = None) -> None:
        self.folder = (data_dir or default_data_dir()) / "devices"
        self._listed: tuple[int, tuple[DeviceSpec, ...]] | None = None

    def _path(self, device_id: str) -> Path:
        if not _ID.fullmatch(device_id):
            raise DeviceSpecError(
                f"device id {device_id!r} is not valid",
                [("id", "not a device id", "use lowercase letters, digits and '-'")],
            )
        path = (self.folder / f"{device_id}.toml").resolve()
        if path.parent != self.folder.resolve():
            raise DeviceSpecError(f"device id {device_id!r} is not valid")
        return path

    def list(self) -> list[DeviceSpec]:
        """Every saved device that still validates (broken files are skipped).

        Re-read only when the folder changes (its modification time), so listing is cheap."""
        try:
            stamp = self.folder.stat().st_mtime_ns
        except OSError:
            return []
        if self._listed is not None and self._listed[0] == stamp:
            return list(self._listed[1])
        out = []
        for p in sorted(self.folder.glob("*.toml")):
            try:
                out.append(device_from_toml(p.read_text(encoding="utf-8"), p.name))
            except (DeviceSpecError, OSError, UnicodeDecodeError):
                continue
        self._listed = (stamp, tuple(out))
        return out

    def get(self, device_id: str) -> DeviceSpec | None:
        """The saved device with this id, or None (also for an id that is not a valid id)."""
        try:
            path = self._path(device_id)
        except DeviceSpecError:
            return None
        if not path.is_file():
            return None
        try:
            return device_from_toml(path.read_text(encoding="utf-8"), path.name)
        except (DeviceSpecError, OSError, UnicodeDecodeError):
            return None

    def save(self, data: dict[str, Any], *, overwrite: bool = False) -> DeviceSpec:
        """Validate ``data`` (the TOML table) and save it; :class:`DeviceSpecError` on problems."""
        spec = device_from_dict(data, "your device")
        self._write(spec, tomli_w.dumps(data), overwrite)
        return spec

    def save_text(self, text: str, origin: str = "your device", *, overwrite: bool = False) -> DeviceSpec:
        """Validate a device file's text and save it as written (its comments kept)."""
        spec = device_from_toml(text, origin)
        self._write(spec, text, overwrite)
        return spec

    def _write(self, spec: DeviceSpec, text: str, overwrite: bool) -> None:
        if spec.id in {d.id for d in catalog()}:
            raise DeviceSpecError(
                f"id {spec.id!r} is a catalogue device",
                [("id", f"{spec.id!r} is already in the catalogue", "choose another id, e.g. my-mask")],
            )
        path = self._path(spec.id)
        if path.exists() and not overwrite:
            raise DeviceSpecError(
                f"you already saved a device with id {spec.id!r}",
                [("id", f"{spec.id!r} already exists", "choose another id")],
            )
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
        self._listed = None


def resolve_device(
    name_or_path: str | Path, store: DeviceStore | None = None, *, files: bool = True
) -> DeviceSpec:
    """The device a person means: a catalogue id, else a saved device's id (``store``, default the
    person's), else a catalogue name or alias (:func:`photodose.device.find_device`, whose
    :class:`~photodose.device.UnknownDeviceError` names the closest catalogue devices).

    With ``files`` (the CLI) a path to a device file is read too
    (:func:`photodose.device.load_device`); without (a server, where a name must never reach the
    file system) only names are looked up.
    """
    name = str(name_or_path)
    for d in catalog():
        if d.id == name:
            return d
    own = (store if store is not None else DeviceStore()).get(name)
    if own is not None:
        return own
    return load_device(name_or_path) if files else find_device(name)


def all_devices(store: DeviceStore) -> list[tuple[DeviceSpec, bool]]:
    """(device, is_own) for the catalogue and then the person's saved devices."""
    return [(d, False) for d in catalog()] + [(d, True) for d in store.list()]
