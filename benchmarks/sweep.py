"""Parallel efficiency of ``photodose sweep``: serial vs local process pool vs Dask LocalCluster.

    .venv/bin/python benchmarks/sweep.py [--photons 20000] [--workers N] [--quick]

The same cells (bare 633 and 850 nm bands × Fitzpatrick I–VI × forehead, central skin) run on
each executor with an empty profile cache (nothing served from a cache or the shipped table);
every executor must give the same numbers (checked here), and the wall times give the speed-up
and efficiency speed-up / workers. Executors are interleaved over ``--repeat`` rounds and the
median taken. Writes ``benchmarks/results/sweep.json``; summary in ``docs/performance.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from photodose.sweep import build_cells, read_table, run_sweep  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--photons", type=int, default=20_000)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--quick", action="store_true", help="tiny smoke run (numbers meaningless)")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "sweep.json")
    args = ap.parse_args()
    types = ["I", "VI"] if args.quick else ["I", "II", "III", "IV", "V", "VI"]
    photons = 1000 if args.quick else args.photons
    cells = build_cells([], types, ["forehead"], [633.0, 850.0], ["central"], photons, seed=1)
    executors = ["serial", "pool"]
    try:
        import dask.distributed  # noqa: F401

        executors.append("dask")
    except ImportError:
        pass
    walls: dict[str, list[float]] = {e: [] for e in executors}
    numbers: dict[str, list[float]] = {}
    for _ in range(1 if args.quick else args.repeat):
        for ex in executors:
            with tempfile.TemporaryDirectory() as d:
                out = Path(d) / "t.csv"
                t0 = time.perf_counter()
                run_sweep(cells, out, executor=ex, workers=args.workers, use_cache=False)
                walls[ex].append(time.perf_counter() - t0)
                numbers[ex] = [r["dermis_absorbed_fraction"] for r in read_table(out)]
    identical = all(numbers[e] == numbers["serial"] for e in executors)
    serial = statistics.median(walls["serial"])
    report = {
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        "quick": args.quick,
        "cells": len(cells),
        "photons_per_cell": photons,
        "workers": args.workers,
        "cpus": os.cpu_count(),
        "identical_numbers": identical,
        "executors": {
            e: {
                "wall_seconds": statistics.median(walls[e]),
                "all_wall_seconds": walls[e],
                "speedup_vs_serial": serial / statistics.median(walls[e]),
                "efficiency": serial / statistics.median(walls[e]) / (1 if e == "serial" else args.workers),
            }
            for e in executors
        },
        "load_average_at_end": os.getloadavg(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    for e, r in report["executors"].items():
        print(f"{e:>6}: {r['wall_seconds']:.1f} s, {r['speedup_vs_serial']:.2f}× serial")
    print(f"identical numbers on every executor: {identical}; wrote {args.out}")


if __name__ == "__main__":
    main()
