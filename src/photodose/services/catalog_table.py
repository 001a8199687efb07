"""Central irradiance of every catalogued device, cached on disk.

Ranking a device among the catalogue and grading "professional strength" claims both need the
modelled irradiance of every catalogued device. It depends only on the device files and the
irradiance model, so it is computed once and cached under the depth cache's parent
directory, keyed by a hash of the device files and the package version.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from importlib.resources import files
from typing import TypedDict

from photodose import __version__
from photodose.depth import cache_dir
from photodose.device import catalog, evaluate_irradiance
from photodose.device.ranking import RankItem

TABLE_VERSION = "2"


class CatalogRow(TypedDict):
    name: str
    kind: str
    channels_mw_cm2: list[float]
    channels_low_mw_cm2: list[float]
    channels_high_mw_cm2: list[float]


def catalog_rank_items() -> list[RankItem]:
    """Every catalogued device as a :class:`~photodose.device.ranking.RankItem`: total
    irradiance of all channels (treated-area mean, mW/cm²) as low / central / high."""
    return [
        RankItem(
            row["name"],
            row["kind"],
            float(sum(row["channels_low_mw_cm2"])),
            float(sum(row["channels_mw_cm2"])),
            float(sum(row["channels_high_mw_cm2"])),
        )
        for row in catalog_irradiance().values()
    ]


def _catalog_hash() -> str:
    h = hashlib.sha256(f"{__version__}/{TABLE_VERSION}".encode())
    folder = files("photodose") / "data" / "devices"
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".toml"):
            h.update(entry.name.encode())
            h.update(entry.read_bytes())
    return h.hexdigest()[:24]


@lru_cache(maxsize=1)
def catalog_irradiance() -> dict[str, CatalogRow]:
    """``{device id: {"name", "kind", "channels_mw_cm2": [central per channel],
    "channels_low_mw_cm2": [...], "channels_high_mw_cm2": [...]}}`` (computed: treated-area
    mean irradiance per channel, bounding scenarios)."""
    path = cache_dir().parent / f"catalog-irradiance-{_catalog_hash()}.json"
    if path.is_file():
        try:
            data: dict[str, CatalogRow] = json.loads(path.read_text())
            if all("channels_high_mw_cm2" in r for r in data.values()):
                return data
        except (OSError, ValueError):
            pass  # a damaged cache file is recomputed and replaced
    table: dict[str, CatalogRow] = {}
    for d in catalog():
        irr = evaluate_irradiance(d)
        table[d.id] = {
            "name": d.name,
            "kind": d.kind,
            "channels_mw_cm2": [ci.mean.central for ci in irr],
            "channels_low_mw_cm2": [ci.mean.low for ci in irr],
            "channels_high_mw_cm2": [ci.mean.high for ci in irr],
        }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(table))
        tmp.replace(path)
    except OSError:
        pass  # no writable cache: still correct, only slower next time
    return table
