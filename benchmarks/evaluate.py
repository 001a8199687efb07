"""Speed of the main job: ``photodose evaluate DEVICE --html`` cold and warm, as a user runs it.

Every run is a fresh ``photodose`` process. Cases, for each device:

- **cold**: empty Numba cache and empty user cache (depth profiles, irradiance, figures); a
  catalogued device at a Fitzpatrick III forehead is served by the shipped depth table and the
  shipped catalogue irradiance table, so no Monte Carlo runs, but every kernel the run needs is
  compiled and every figure drawn. Each cold run gets fresh, empty caches.
- **warm --html**: the same command again, caches filled (the figures come from the figure cache).
- **warm --json**: the terminal/JSON result without the report.
- **warm --html, new session length**: caches filled but ``--minutes`` set to a value not run
  before, so the two dose figures (dose at depth, dose against the trials) are drawn afresh with
  matplotlib; the face map and the who-gets-what figure, which do not depend on the session,
  still come from the cache. This is what a person trying another session length waits.

The warm cases run interleaved (html, json, html-new-minutes, html, json, …) ``--repeat`` times
so that drift of a shared machine hits them alike; the cold runs come first. For each case:
median, minimum and maximum wall time, and the median CPU time of the child (user + system,
far less sensitive than wall time to other work on the machine), with the load average before
and after. Targets (issue #14): cold ≤ 5 s, warm ≤ 1 s.

Run ``.venv/bin/python benchmarks/evaluate.py --help`` for the options; ``nice`` it on a
shared machine. Writes ``benchmarks/results/evaluate.json`` (``--out`` to change).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXE = Path(sys.executable).parent / "photodose"
DEFAULT_DEVICES = ("higherdose-face-mask", "in-office-lee-2007-panels")
TARGETS_S = {"cold": 5.0, "warm": 1.0}


def timed(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, child CPU seconds) of one ``photodose`` process."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([str(EXE), *args], env=env, check=True, capture_output=True)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)


def summary(samples: list[tuple[float, float]]) -> dict[str, float | int]:
    walls = [w for w, _ in samples]
    cpus = [c for _, c in samples]
    return {
        "n": len(samples),
        "wall_median_s": statistics.median(walls),
        "wall_min_s": min(walls),
        "wall_max_s": max(walls),
        "cpu_median_s": statistics.median(cpus),
        "cpu_min_s": min(cpus),
        "cpu_max_s": max(cpus),
    }


def bench_device(device: str, repeat: int, cold_repeat: int) -> dict[str, object]:
    base = dict(os.environ)
    base.pop("PHOTODOSE_FIGURE_CACHE", None)
    base.pop("PHOTODOSE_DEPTH_TABLE", None)
    cold: list[tuple[float, float]] = []
    for _ in range(cold_repeat):
        with tempfile.TemporaryDirectory() as numba_cache, tempfile.TemporaryDirectory() as cache:
            env = dict(base, NUMBA_CACHE_DIR=numba_cache, PHOTODOSE_CACHE_DIR=cache)
            cold.append(timed(["evaluate", device, "--html", str(Path(cache) / "report.html")], env))
    cases: dict[str, list[tuple[float, float]]] = {
        "warm_html": [],
        "warm_json": [],
        "warm_html_new_minutes": [],
    }
    loads = [os.getloadavg()]
    with tempfile.TemporaryDirectory() as numba_cache, tempfile.TemporaryDirectory() as cache:
        env = dict(base, NUMBA_CACHE_DIR=numba_cache, PHOTODOSE_CACHE_DIR=cache)
        html = str(Path(cache) / "report.html")
        timed(["evaluate", device, "--html", html], env)  # fill the caches (not counted)
        for k in range(repeat):
            cases["warm_html"].append(timed(["evaluate", device, "--html", html], env))
            cases["warm_json"].append(timed(["evaluate", device, "--json"], env))
            minutes = f"{7.25 + 0.5 * k:g}"  # never run before in this cache: two figures redrawn
            cases["warm_html_new_minutes"].append(
                timed(["evaluate", device, "--minutes", minutes, "--html", html], env)
            )
            loads.append(os.getloadavg())
    cases = {"cold_html": cold, **cases}
    return {
        "device": device,
        "cases": {name: summary(s) for name, s in cases.items()},
        "load_average_1min_range": [min(x[0] for x in loads), max(x[0] for x in loads)],
        "raw_wall_s": {name: [round(w, 4) for w, _ in s] for name, s in cases.items()},
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        description="Time `photodose evaluate DEVICE --html` cold and warm (fresh processes, warm "
        "cases interleaved); medians, ranges and CPU time; writes a JSON file.",
    )
    ap.add_argument(
        "devices",
        nargs="*",
        metavar="DEVICE",
        help=f"catalogued device ids or device files (default: {' '.join(DEFAULT_DEVICES)})",
    )
    ap.add_argument("--repeat", type=int, default=7, help="warm rounds per device (default 7)")
    ap.add_argument(
        "--cold-repeat", type=int, default=3, help="cold runs per device, each with empty caches (default 3)"
    )
    ap.add_argument(
        "--out",
        type=Path,
        default=ROOT / "benchmarks" / "results" / "evaluate.json",
        help="where to write the results (default benchmarks/results/evaluate.json)",
    )
    ap.add_argument(
        "--quick", action="store_true", help="one device, 1 cold run, 2 warm rounds (a smoke run)"
    )
    a = ap.parse_args(argv)
    devices = list(a.devices) or list(DEFAULT_DEVICES)
    repeat, cold_repeat = a.repeat, a.cold_repeat
    if a.quick:
        devices, repeat, cold_repeat = devices[:1], 2, 1
    if repeat < 1 or cold_repeat < 1:
        ap.error("--repeat and --cold-repeat must be at least 1")
    load_start = os.getloadavg()
    rows = []
    for device in devices:
        row = bench_device(device, repeat, cold_repeat)
        rows.append(row)
        case_rows: dict[str, dict[str, float]] = row["cases"]  # type: ignore[assignment]
        parts = [
            f"{name} {c['wall_median_s']:.2f} s ({c['wall_min_s']:.2f}–{c['wall_max_s']:.2f}; "
            f"cpu {c['cpu_median_s']:.2f} s)"
            for name, c in case_rows.items()
        ]
        print(f"{device}: " + ", ".join(parts) + f"; load {row['load_average_1min_range']}")
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(
        json.dumps(
            {
                "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
                "command": " ".join(
                    ["benchmarks/evaluate.py", *(argv if argv is not None else sys.argv[1:])]
                ),
                "load_average_at_start": load_start,
                "load_average_at_end": os.getloadavg(),
                "cpu_count": os.cpu_count(),
                "repeat": repeat,
                "cold_repeat": cold_repeat,
                "targets_seconds": TARGETS_S,
                "runs": rows,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
