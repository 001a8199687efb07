"""Build the shipped depth-profile table with ``photodose sweep``.

    .venv/bin/python scripts/build_depth_table.py                      # catalogue × I–VI × forehead
    .venv/bin/python scripts/build_depth_table.py --site forehead --site cheek --executor dask

For each catalogued device channel, Fitzpatrick type and face site, the three profiles that
``photodose evaluate`` asks for (the central skin at evaluate's photon count, and the two
composition bounds at a tenth of it, :mod:`photodose.sweep.cells`) are traced by the sweep
(resumable: rerun after an interruption) and stored under
``src/photodose/data/depth_table/<skin model version>/`` (:func:`photodose.depth.table_write`),
with a ``manifest.toml`` saying what is there, how it was computed and with which versions.
:func:`photodose.depth.depth_profile` serves a profile from there when the user cache misses and
the table's photon count is at least the one asked for; anything else is traced as before.

The build never reads an existing table (``PHOTODOSE_DEPTH_TABLE=0``) and uses its own profile
cache (``build/depth_table_cache``), so every stored profile was traced by this build's code.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    os.environ["PHOTODOSE_DEPTH_TABLE"] = "0"
    os.environ.setdefault("PHOTODOSE_CACHE_DIR", str(ROOT / "build" / "depth_table_cache"))
    sys.path.insert(0, str(ROOT / "src"))
    import tomli_w

    from photodose.depth import depth_payload, table_write
    from photodose.device import catalog
    from photodose.services.evaluate import DEFAULT_DEPTH_PHOTONS
    from photodose.skin import skin_model_version
    from photodose.sweep import (
        COMPOSITIONS,
        build_cells,
        cell_profile,
        cell_spectrum,
        profile_of,
        read_table,
        run_sweep,
    )
    from photodose.transport import ENGINE_VERSION

    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--device", action="append", help="catalogue name (default: the whole catalogue)")
    ap.add_argument("--fitzpatrick", action="append", help="default: I–VI")
    ap.add_argument("--site", action="append", help="default: forehead")
    ap.add_argument("--photons", type=int, default=DEFAULT_DEPTH_PHOTONS, help="central-skin photons")
    ap.add_argument("--executor", default="pool", choices=("serial", "pool", "dask"))
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--scheduler", default=None, help="Dask scheduler tcp://host:8786")
    ap.add_argument(
        "--out-dir", type=Path, default=None, help="default: the package's data/depth_table/<version>"
    )
    ap.add_argument("--sweep-table", type=Path, default=ROOT / "build" / "depth_table_sweep.csv")
    args = ap.parse_args(argv)

    devices = args.device or [d.id for d in catalog()]
    version = skin_model_version()
    out_dir = args.out_dir or (ROOT / "src" / "photodose" / "data" / "depth_table" / version)
    cells = build_cells(
        devices, args.fitzpatrick or ["I", "II", "III", "IV", "V", "VI"], args.site or ["forehead"], [],
        list(COMPOSITIONS), args.photons, seed=1,
    )  # fmt: skip
    print(f"{len(cells)} profiles → {out_dir}", flush=True)

    def progress(done: int, total: int) -> None:
        print(f"\r{done}/{total} profiles traced", end="", flush=True)

    summary = run_sweep(
        cells, args.sweep_table, executor="dask" if args.scheduler else args.executor, workers=args.workers,
        scheduler=args.scheduler, progress=progress,
    )  # fmt: skip
    print(f"\n{summary}")
    failed = {r["cell_id"]: r["error"] for r in read_table(args.sweep_table) if r.get("error")}
    entries = []
    for cell in cells:
        if cell.cell_id in failed:  # e.g. a channel outside the skin model's wavelengths
            print(f"skipped {cell.device} {cell.channel} {cell.fitzpatrick}: {failed[cell.cell_id]}")
            continue
        prof = profile_of(cell)  # from this build's cache: no second Monte Carlo run
        payload = depth_payload(
            cell_profile(cell), cell_spectrum(cell), cell.photons, seed=cell.seed, led_m=cell.led_m
        )
        path = table_write(payload, prof, out_dir)
        entries.append(
            {
                "file": path.name,
                "device": cell.device,
                "channel": cell.channel,
                "peak_nm": cell.peak_nm,
                "fwhm_nm": cell.fwhm_nm,
                "led_m": cell.led_m if cell.led_m is not None else -1.0,
                "fitzpatrick": cell.fitzpatrick,
                "site": cell.site,
                "composition": cell.composition,
                "photons": prof.photons,
                "seed": cell.seed,
                "dermis_absorbed_fraction": prof.dermis_absorbed_fraction,
            }
        )
    manifest_path = out_dir / "manifest.toml"
    if manifest_path.exists():  # keep what earlier builds for this skin model stored
        import tomllib

        earlier = tomllib.loads(manifest_path.read_text(encoding="utf-8"))
        if earlier.get("skin_model_version") == version and earlier.get("engine_version") == ENGINE_VERSION:
            ident = ("file", "device", "channel", "fitzpatrick", "site", "composition")
            mine = {tuple(e[k] for k in ident) for e in entries}
            kept = [
                e
                for e in earlier.get("profiles", [])
                if tuple(e[k] for k in ident) not in mine and (out_dir / e["file"]).exists()
            ]
            entries = kept + entries
    manifest = {
        "skin_model_version": version,
        "engine_version": ENGINE_VERSION,
        "built": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "source": (
            "computed: photodose Monte Carlo (photodose.depth.depth_profile) via photodose sweep, "
            f"scripts/build_depth_table.py; seed 1; {args.photons} photons for the central skin, "
            "a tenth (at least 2000) for the composition bounds, as photodose evaluate uses them"
        ),
        "confidence": "computed (Monte Carlo; per-profile standard errors stored in each file)",
        "profiles": entries,
    }
    manifest_path.write_text(tomli_w.dumps(manifest), encoding="utf-8")
    print(f"wrote {len(entries)} profiles and manifest.toml to {out_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
