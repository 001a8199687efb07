"""The shipped depth-profile table: built by the sweep, served by depth_profile before Monte Carlo,
only for the same inputs and at most its photon count, and never across skin model versions."""

from __future__ import annotations

import gzip
import json
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import photodose.depth as depth_mod
from photodose.depth import depth_payload, depth_profile, table_dir, table_read, table_write
from photodose.skin import SkinProfile, skin_model_version
from photodose.sweep import Cell, build_cells, cell_profile, cell_spectrum, profile_of


@pytest.fixture(autouse=True)
def _private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PHOTODOSE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("PHOTODOSE_DEPTH_TABLE", raising=False)


def _one_cell_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, photons: int = 1500) -> tuple[Cell, Any]:
    (cell,) = build_cells(["higherdose-red-light-face-mask"], ["V"], ["cheek"], [630], ["central"], photons)
    traced = profile_of(cell, use_cache=False)
    payload = depth_payload(
        cell_profile(cell), cell_spectrum(cell), cell.photons, seed=cell.seed, led_m=cell.led_m
    )
    folder = tmp_path / "table" / skin_model_version()
    table_write(payload, traced, folder)
    monkeypatch.setattr(depth_mod, "table_dir", lambda version=None: tmp_path / "table" / (version or "x"))
    return cell, traced


def test_table_serves_what_monte_carlo_gave(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cell, traced = _one_cell_table(tmp_path, monkeypatch)
    got = depth_profile(cell_profile(cell), cell_spectrum(cell), photons=cell.photons, led_m=cell.led_m)
    assert got.from_cache  # the user cache is empty: this came from the table
    assert got.photons == traced.photons
    assert got.dermis_absorbed_fraction == traced.dermis_absorbed_fraction
    assert got.absorbed_by_layer == traced.absorbed_by_layer
    np.testing.assert_allclose(got.depth_cm, traced.depth_cm, rtol=1e-12)
    np.testing.assert_allclose(got.fluence_per_irradiance, traced.fluence_per_irradiance, rtol=1e-4)
    assert got.penetration_depth_1e_cm == pytest.approx(traced.penetration_depth_1e_cm, rel=1e-3)
    # fewer photons asked: the table's (more precise) profile still serves
    fewer = depth_profile(
        cell_profile(cell), cell_spectrum(cell), photons=cell.photons // 2, led_m=cell.led_m
    )
    assert fewer.from_cache and fewer.photons == traced.photons


def test_table_not_served_for_more_photons_other_inputs_or_when_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cell, _ = _one_cell_table(tmp_path, monkeypatch)
    more = depth_profile(cell_profile(cell), cell_spectrum(cell), photons=2 * cell.photons, led_m=cell.led_m)
    assert not more.from_cache and more.photons == 2 * cell.photons
    other_site = SkinProfile(fitzpatrick="V", site="forehead")
    assert not depth_profile(
        other_site, cell_spectrum(cell), photons=cell.photons, led_m=cell.led_m
    ).from_cache
    collimated = depth_profile(cell_profile(cell), cell_spectrum(cell), photons=cell.photons)
    assert not collimated.from_cache
    fresh = depth_profile(
        cell_profile(cell), cell_spectrum(cell), photons=cell.photons, led_m=cell.led_m, seed=None
    )
    assert not fresh.from_cache  # seed=None asks for a new random run
    monkeypatch.setenv("PHOTODOSE_DEPTH_TABLE", "0")
    payload = depth_payload(cell_profile(cell), cell_spectrum(cell), cell.photons, led_m=cell.led_m)
    assert table_read(payload, cell.photons) is None


def test_table_keyed_by_skin_model_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cell, _ = _one_cell_table(tmp_path, monkeypatch)
    monkeypatch.setattr(depth_mod, "skin_model_version", lambda: "0-older-model")
    again = depth_profile(cell_profile(cell), cell_spectrum(cell), photons=cell.photons, led_m=cell.led_m)
    assert not again.from_cache and again.skin_model_version == "0-older-model"


def test_shipped_table_matches_its_manifest_and_serves_evaluate() -> None:
    """The shipped table for the current skin model: what the manifest lists is there, is
    readable, and is what `photodose evaluate` of the default device asks for."""
    folder = table_dir()
    manifest_path = folder / "manifest.toml"
    if not manifest_path.exists():
        pytest.skip(
            f"no shipped table for skin model {skin_model_version()}: run scripts/build_depth_table.py"
        )
    manifest = tomllib.loads(manifest_path.read_text(encoding="utf-8"))
    assert manifest["skin_model_version"] == skin_model_version()
    assert manifest["source"] and manifest["confidence"]
    for entry in manifest["profiles"]:
        with gzip.open(folder / entry["file"], "rt", encoding="utf-8") as f:
            d = json.load(f)
        assert d["photons"] == entry["photons"]
        assert 0 < d["dermis_absorbed_fraction"] < 1
    from photodose.services.evaluate import DEFAULT_DEPTH_PHOTONS

    central = [e for e in manifest["profiles"] if e["composition"] == "central"]
    assert central, "the manifest lists no central-skin profile"
    for e in central:  # every listed skin of every device: served, no Monte Carlo
        (cell,) = [
            c
            for c in build_cells(
                [e["device"]], [e["fitzpatrick"]], [e["site"]], [], ["central"], DEFAULT_DEPTH_PHOTONS
            )
            if c.channel == e["channel"]
        ]
        got = depth_profile(cell_profile(cell), cell_spectrum(cell), photons=cell.photons, led_m=cell.led_m)
        assert got.from_cache and got.photons >= DEFAULT_DEPTH_PHOTONS - 5, e  # 5 quadrature nodes
        assert got.dermis_absorbed_fraction == pytest.approx(e["dermis_absorbed_fraction"], rel=1e-12)
