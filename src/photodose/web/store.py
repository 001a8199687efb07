"""Devices a person adds through the web app: validated like the catalogue TOML, saved as TOML.

Saved to ``<data dir>/devices/<id>.toml``; the data dir is ``$PHOTODOSE_DATA_DIR`` or the
platform's user data dir (``platformdirs.user_data_dir("photodose")``). The file name comes from
the device id, which the schema restricts to ``[a-z0-9][a-z0-9-]*``, and the resolved path is
checked to lie inside the folder, so no path traversal is possible.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import tomli_w

from photodose.device import DeviceSpec, DeviceSpecError, catalog, device_from_dict, device_from_toml

DATA_ENV = "PHOTODOSE_DATA_DIR"
_ID = re.compile(r"[a-z0-9][a-z0-9\-]{0,80}")


def default_data_dir() -> Path:
    env = os.environ.get(DATA_ENV)
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_data_dir("photodose"))


class DeviceStore:
    """The person's own devices, one TOML file each."""

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
        tmp.write_text(tomli_w.dumps(data), encoding="utf-8")
        tmp.replace(path)
        return spec
