"""Speed of the main job: `photodose evaluate DEVICE --html` cold and warm.

Cold: empty Numba cache (JIT compiles every kernel) and empty depth-profile cache; a catalogued
device at a Fitzpatrick III forehead is served by the shipped depth table
(``photodose/data/depth_table/``) and the shipped catalogue irradiance table
(``photodose/data/catalog_irradiance.json``), so no Monte Carlo runs. Warm: the same command
again, caches filled (median and minimum of ``WARM_REPEATS``). ``--json`` (no HTML: no
matplotlib, no figures) is timed warm too. Each run is a fresh process, as a user runs it.
Targets (issue #14): cold ≤ 5 s, warm ≤ 1 s.

Run: ``.venv/bin/python benchmarks/evaluate.py [DEVICE ...]``; writes
``benchmarks/results/evaluate.json``.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXE = Path(sys.executable).parent / "photodose"


def timed(args: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    subprocess.run([str(EXE), *args], env=env, check=True, capture_output=True)
    return time.perf_counter() - t0


WARM_REPEATS = 5


def main() -> None:
    devices = sys.argv[1:] or ["higherdose-face-mask", "in-office-lee-2007-panels"]
    load = os.getloadavg()
    rows = []
    for device in devices:
        with tempfile.TemporaryDirectory() as numba_cache, tempfile.TemporaryDirectory() as depth_cache:
            env = dict(os.environ, NUMBA_CACHE_DIR=numba_cache, PHOTODOSE_CACHE_DIR=depth_cache)
            html = str(Path(depth_cache) / "report.html")
            args = ["evaluate", device, "--html", html]
            cold = timed(args, env)
            warm = [timed(args, env) for _ in range(WARM_REPEATS)]
            warm_json = [timed(["evaluate", device, "--json"], env) for _ in range(WARM_REPEATS)]
        rows.append(
            {
                "device": device,
                "cold_seconds": cold,
                "warm_seconds": min(warm),
                "warm_median_seconds": statistics.median(warm),
                "warm_json_seconds": min(warm_json),
                "warm_json_median_seconds": statistics.median(warm_json),
            }
        )
        print(
            f"{device}: cold {cold:.2f} s, warm {min(warm):.2f} s (median {statistics.median(warm):.2f}), "
            f"warm --json {min(warm_json):.2f} s (median {statistics.median(warm_json):.2f})"
        )
    out = ROOT / "benchmarks" / "results" / "evaluate.json"
    out.write_text(
        json.dumps(
            {
                "date": time.strftime("%Y-%m-%d %H:%M:%S"),
                "load_average_at_start": load,
                "load_average": os.getloadavg(),
                "cpu_count": os.cpu_count(),
                "targets_seconds": {"cold": 5.0, "warm": 1.0},
                "runs": rows,
            },
            indent=2,
        )
    )
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
