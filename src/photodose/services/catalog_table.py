"""Central irradiance of every catalogued device: shipped with the package, else cached on disk.

Ranking a device among the catalogue and grading "professional strength" claims both need the
modelled irradiance of every catalogued device. It depends only on the device files and the
irradiance model, so it is built once by ``scripts/build_catalog_table.py`` and shipped as
``photodose/data/catalog_irradiance.json`` (computed: :func:`photodose.device.evaluate_irradiance`,
treated-area mean per channel, low / central / high scenarios), keyed by a hash of the device
files, the package version and :data:`TABLE_VERSION`. When the device files change (a device
added or edited) the shipped key no longer matches: the table is computed again (~2–3 s) and
cached under the depth cache's parent directory with the new key. ``tests/test_catalog_table.py``
checks that the shipped table equals a fresh computation, so a change of the irradiance model
that is not followed by a rebuild fails the suite.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any, TypedDict

from photodose import __version__
from photodose.depth import cache_dir
from photodose.device.ranking import RankItem

TABLE_VERSION = "2"
SHIPPED = "catalog_irradiance.json"
ROW_SOURCE = (
    "computed: photodose.device.evaluate_irradiance (treated-area mean over the model face, "
    "low / central / high scenarios of the device file), scripts/build_catalog_table.py"
)


class CatalogRow(TypedDict):
    name: str
    kind: str
    channels_mw_cm2: list[float]
    channels_low_mw_cm2: list[float]
    channels_high_mw_cm2: list[float]


_FIELDS = tuple(CatalogRow.__annotations__)


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


def catalog_hash() -> str:
    """Key of the table: the package version, :data:`TABLE_VERSION` and every device file."""
    h = hashlib.sha256(f"{__version__}/{TABLE_VERSION}".encode())
    folder = files("photodose") / "data" / "devices"
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".toml"):
            h.update(entry.name.encode())
            h.update(entry.read_bytes())
    return h.hexdigest()[:24]


def compute_catalog_irradiance() -> dict[str, CatalogRow]:
    """The table computed now from the device files (the irradiance model, ~2–3 s)."""
    from photodose.device import catalog, evaluate_irradiance  # the Numba kernel: only here

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
    return table


def shipped_document(table: dict[str, CatalogRow], key: str) -> dict[str, Any]:
    """The shipped file's content: the key, and each row with its ``source`` and ``confidence``."""
    return {
        "key": key,
        "what": "modelled treated-area mean irradiance per channel, mW/cm² (low / central / high)",
        "devices": {
            dev: {**row, "source": ROW_SOURCE, "confidence": "computed"} for dev, row in table.items()
        },
    }


def _rows(data: Any) -> dict[str, CatalogRow] | None:
    """The rows of a stored table, or None when it is not one (damaged or an older format)."""
    if not isinstance(data, dict) or not all(
        isinstance(r, dict) and all(f in r for f in _FIELDS) for r in data.values()
    ):
        return None
    return {dev: {f: r[f] for f in _FIELDS} for dev, r in data.items()}  # type: ignore[misc]


def read_shipped(key: str) -> dict[str, CatalogRow] | None:
    """The shipped table if it was built for ``key`` (the current device files), else None."""
    try:
        doc = json.loads((files("photodose") / "data" / SHIPPED).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(doc, dict) or doc.get("key") != key:
        return None
    return _rows(doc.get("devices"))


@lru_cache(maxsize=1)
def catalog_irradiance() -> dict[str, CatalogRow]:
    """``{device id: {"name", "kind", "channels_mw_cm2": [central per channel],
    "channels_low_mw_cm2": [...], "channels_high_mw_cm2": [...]}}`` (computed: treated-area
    mean irradiance per channel, bounding scenarios): the shipped table when it matches the
    device files, else the disk cache, else computed now and cached."""
    key = catalog_hash()
    shipped = read_shipped(key)
    if shipped is not None:
        return shipped
    path = cache_dir().parent / f"catalog-irradiance-{key}.json"
    if path.is_file():
        try:
            cached = _rows(json.loads(path.read_text()))
            if cached is not None:
                return cached
        except (OSError, ValueError):
            pass  # a damaged cache file is recomputed and replaced
    table = compute_catalog_irradiance()
    write_cache_json(path, table)
    return table


def write_cache_json(path: Path, data: Any) -> None:
    """Write ``data`` as JSON to a cache file, atomically (a temporary file, then a rename)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data))
        tmp.replace(path)
    except OSError:
        pass  # no writable cache: still correct, only slower next time
