"""The shipped catalogue irradiance table (photodose/data/catalog_irradiance.json) against a fresh
computation with the irradiance model, and the fall-backs when it does not match."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

import numpy as np
import pytest

from photodose.services import catalog_table as ct


def test_shipped_table_is_built_for_the_current_device_files() -> None:
    # a device file was edited without `python scripts/build_catalog_table.py`: rebuild it
    assert ct.read_shipped(ct.catalog_hash()) is not None, (
        "device files changed: run `.venv/bin/python scripts/build_catalog_table.py`"
    )


def test_shipped_table_equals_a_fresh_computation() -> None:
    shipped = ct.read_shipped(ct.catalog_hash())
    assert shipped is not None
    fresh = ct.compute_catalog_irradiance()
    assert set(shipped) == set(fresh)
    for dev, row in fresh.items():
        assert shipped[dev]["name"] == row["name"] and shipped[dev]["kind"] == row["kind"]
        for f in ("channels_low_mw_cm2", "channels_mw_cm2", "channels_high_mw_cm2"):
            np.testing.assert_allclose(shipped[dev][f], row[f], rtol=1e-9, err_msg=f"{dev} {f}")


def test_every_shipped_row_has_source_and_confidence() -> None:
    doc = json.loads((files("photodose") / "data" / ct.SHIPPED).read_text(encoding="utf-8"))
    for dev, row in doc["devices"].items():
        assert row["source"].startswith("computed") and row["confidence"] == "computed", dev
        ranges = zip(
            row["channels_low_mw_cm2"], row["channels_mw_cm2"], row["channels_high_mw_cm2"], strict=True
        )
        assert all(lo <= c <= hi for lo, c, hi in ranges), dev


def test_a_stale_key_falls_back_to_a_computed_and_cached_table(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    shipped = ct.read_shipped(ct.catalog_hash())
    assert shipped is not None
    calls = []

    def counting() -> dict[str, ct.CatalogRow]:
        calls.append(1)
        return shipped  # the same numbers, without running the model again here

    monkeypatch.setenv("PHOTODOSE_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(ct, "catalog_hash", lambda: "not-the-shipped-key")
    monkeypatch.setattr(ct, "compute_catalog_irradiance", counting)
    ct.catalog_irradiance.cache_clear()
    try:
        assert ct.catalog_irradiance() == shipped and calls == [1]
        ct.catalog_irradiance.cache_clear()
        assert ct.catalog_irradiance() == shipped and calls == [1], "the second read is the disk cache's"
        assert list(tmp_path.glob("catalog-irradiance-not-the-shipped-key.json"))
    finally:
        ct.catalog_irradiance.cache_clear()


def test_own_devices_data_dir_is_the_journals(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # own_devices keeps its own copy of the rule so that naming a device imports no SQLAlchemy
    from photodose.journal.db import data_dir
    from photodose.services.own_devices import default_data_dir

    assert default_data_dir() == data_dir()
    monkeypatch.setenv("PHOTODOSE_DATA_DIR", str(tmp_path))
    assert default_data_dir() == data_dir() == tmp_path
