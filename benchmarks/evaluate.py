"""Speed of the main job: `photodose evaluate DEVICE --html` cold and warm.

Cold: empty Numba cache (JIT compiles every kernel) and empty depth-profile cache (every
Monte Carlo depth profile is simulated). Warm: the same command again, both caches filled.
Each run is a fresh process, as a user runs it. Targets (issue #4): warm ≤ 5 s, cold ≤ 60 s.

Run: ``.venv/bin/python benchmarks/evaluate.py [DEVICE ...]``; writes
``benchmarks/results/evaluate.json``.
"""

from __future__ import annotations

import json
import os
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


def main() -> None:
    devices = sys.argv[1:] or ["higherdose-face-mask", "in-office-lee-2007-panels"]
    rows = []
    for device in devices:
        with tempfile.TemporaryDirectory() as numba_cache, tempfile.TemporaryDirectory() as depth_cache:
            env = dict(os.environ, NUMBA_CACHE_DIR=numba_cache, PHOTODOSE_CACHE_DIR=depth_cache)
            html = str(Path(depth_cache) / "report.html")
            args = ["evaluate", device, "--html", html]
            cold = timed(args, env)
            warm = min(timed(args, env) for _ in range(2))
        rows.append({"device": device, "cold_seconds": cold, "warm_seconds": warm})
        print(f"{device}: cold {cold:.1f} s, warm {warm:.1f} s")
    out = ROOT / "benchmarks" / "results" / "evaluate.json"
    out.write_text(
        json.dumps(
            {"date": time.strftime("%Y-%m-%d %H:%M:%S"), "load_average": os.getloadavg(), "runs": rows},
            indent=2,
        )
    )
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
