"""Who gets what, from the shipped depth table: each catalogued device's dermal dose per session
across the skin types and face sites the table holds, without any Monte Carlo.

The arithmetic is :func:`photodose.sweep.who.who_gets_what` (H_dermis = E · t · φ̄_dermis, the
same as :func:`photodose.dose.channel_dose`); φ̄_dermis comes from the profiles shipped in
``photodose/data/depth_table/<skin model version>/`` (computed, Monte Carlo, listed in its
``manifest.toml``), E from the shipped catalogue irradiance table
(:mod:`photodose.services.catalog_table`), t from each device's own timer. A skin type, site or
device that the table does not hold is left out and named in :attr:`WhoGetsWhat.note`: the report
shows what is available instead of tracing photons for minutes.

The dermal fluence ratio of each table profile is cached on disk, keyed by a hash of the
manifest, so reading the table costs a few milliseconds once it has been read once.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from photodose.sweep.who import DermalDose, spread, who_gets_what

FITZPATRICK_ORDER = ("I", "II", "III", "IV", "V", "VI")


@dataclass(frozen=True)
class WhoGetsWhat:
    """Dermal dose per session of catalogued devices across the skins of the shipped table."""

    doses: list[DermalDose]
    skins: list[str]  # "III forehead", … : the skins the table holds, in Fitzpatrick order
    missing_devices: list[str] = field(default_factory=list)  # asked for, not in the table
    note: str = ""

    def for_devices(self, device_ids: Sequence[str]) -> WhoGetsWhat:
        """The same table for these devices only (those not in it are named as missing)."""
        have = {d.device for d in self.doses}
        keep = [d for d in self.doses if d.device in device_ids]
        missing = [i for i in device_ids if i not in have]
        return WhoGetsWhat(keep, self.skins, missing, _note(self.skins, missing, keep))

    def to_dict(self) -> dict[str, Any]:
        return {
            "skins": self.skins,
            "missing_devices": self.missing_devices,
            "note": self.note,
            "spread": spread(self.doses),
        }


def _note(skins: list[str], missing: list[str], doses: Sequence[DermalDose] = ()) -> str:
    sites = sorted({s.split(" ", 1)[1] for s in skins})
    types = [t for t in FITZPATRICK_ORDER if any(s.split(" ", 1)[0] == t for s in skins)]
    text = (
        f"From the shipped depth table (computed, Monte Carlo): Fitzpatrick {', '.join(types) or 'none'} "
        f"at the {', '.join(sites) or 'no'} site{'s' if len(sites) > 1 else ''}; other skin types and "
        "sites are not in the table yet and are left out rather than simulated here "
        "(photodose sweep --who-gets-what computes any of them)."
    )
    per_device: dict[str, set[tuple[str, str]]] = {}
    for d in doses:
        per_device.setdefault(d.device, set()).add((d.fitzpatrick, d.site))
    partial = sorted(dev for dev, cells in per_device.items() if len(cells) < len(skins))
    if partial:
        text += f" Not every device has every skin yet ({len(partial)} of {len(per_device)} have fewer)."
    if missing:
        text += f" Not in the table: {', '.join(missing)} (not a catalogued device, or not swept)."
    return text


def _manifest() -> tuple[dict[str, Any], str] | None:
    from photodose.depth import table_dir

    path = table_dir() / "manifest.toml"
    try:
        raw = path.read_bytes()
        return tomllib.loads(raw.decode("utf-8")), hashlib.sha256(raw).hexdigest()[:20]
    except (OSError, ValueError):
        return None


def _ratio_of_file(name: str) -> float | None:
    """φ̄ over the dermis of one shipped profile (None when the file cannot be read)."""
    import numpy as np

    from photodose.depth import DEPTH_BINS, DEPTH_STEP_CM, DepthProfile, table_dir
    from photodose.sweep.run import dermis_mean_fluence_ratio

    try:
        with gzip.open(table_dir() / name, "rt", encoding="utf-8") as f:
            d = json.load(f)
        if "depth_cm" not in d:  # stored compactly, as photodose.depth.table_write does
            d["depth_cm"] = (np.arange(DEPTH_BINS) + 0.5) * DEPTH_STEP_CM
        return dermis_mean_fluence_ratio(DepthProfile.from_dict(d, from_cache=True))
    except (OSError, ValueError, TypeError, KeyError, EOFError):
        return None


def _ratios(profiles: list[dict[str, Any]], key: str) -> dict[str, float | None]:
    """``{file: φ̄_dermis}`` for every profile of the manifest, from the disk cache when there."""
    from photodose.depth import cache_dir
    from photodose.services.catalog_table import write_cache_json

    path = cache_dir().parent / f"who-dermis-ratios-{key}.json"
    try:
        cached = json.loads(path.read_text())
        if isinstance(cached, dict) and all(p["file"] in cached for p in profiles):
            return cached
    except (OSError, ValueError):
        pass
    out = {p["file"]: _ratio_of_file(p["file"]) for p in profiles}
    write_cache_json(path, out)
    return out


@lru_cache(maxsize=1)
def shipped_who_gets_what() -> WhoGetsWhat:
    """Every catalogued device in the shipped depth table: dermal dose per session (J/cm²) at
    its own timer, for each skin type and site the table holds. Empty when there is no table
    for the current skin model."""
    from photodose.device import catalog
    from photodose.services.catalog_table import catalog_irradiance

    found = _manifest()
    if found is None:
        return WhoGetsWhat([], [], [], "No shipped depth table for this skin model version.")
    manifest, key = found
    profiles = [p for p in manifest.get("profiles", []) if p.get("device")]
    ratios = _ratios(profiles, key)
    rows = [
        {**{k: p[k] for k in ("device", "channel", "fitzpatrick", "site", "composition")},
         "dermis_mean_fluence_ratio": ratios.get(p["file"])}
        for p in profiles
    ]  # fmt: skip
    table = catalog_irradiance()
    irradiance: dict[str, tuple[float, dict[str, tuple[float, float, float]]]] = {}
    for spec in catalog():
        row = table.get(spec.id)
        if row is None:
            continue
        irradiance[spec.id] = (
            float(spec.session_minutes),
            {
                ch.name: (lo, c, hi)
                for ch, lo, c, hi in zip(
                    spec.channels,
                    row["channels_low_mw_cm2"],
                    row["channels_mw_cm2"],
                    row["channels_high_mw_cm2"],
                    strict=True,
                )
            },
        )
    rows = [r for r in rows if r["device"] in irradiance]  # a device no longer catalogued: left out
    doses = who_gets_what(rows, irradiance=irradiance)
    present = {(d.fitzpatrick, d.site) for d in doses}
    skins = [
        f"{t} {s}"
        for t, s in sorted(
            present, key=lambda x: (FITZPATRICK_ORDER.index(x[0]) if x[0] in FITZPATRICK_ORDER else 9, x[1])
        )
    ]
    return WhoGetsWhat(doses, skins, [], _note(skins, [], doses))
