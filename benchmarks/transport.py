"""Transport engine speed: photons/s on three cases, one thread and all threads.

Run: ``.venv/bin/python benchmarks/transport.py [--photons N] [--repeat R] [--mcml PATH]``.
Writes ``benchmarks/results/transport.json``; ``docs/performance.md`` summarises it.

Baseline: classic single-threaded MCML (Wang & Jacques 1995, C). With ``--mcml PATH`` to a
compiled ``mcml`` binary the same cases run through it in this process's run, side by side, and
ratios are computed from both; without it the ratio uses the figure measured for MCML on this
kind of machine in ../shared/reference/transport.md §0 (45–62 k photons/s on the skin model),
and says so.

Memory: a subprocess runs 1e8 photons through the van de Hulst slab and reports its peak RSS,
to show that memory is bounded by the tally grids, not the photon count.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from photodose.stackfile import read_stack_file  # noqa: E402
from photodose.transport import Layer, LayerStack, simulate  # noqa: E402

MCML_REFERENCE_PPS = (45_000.0, 62_000.0)  # transport.md §0, skin model, this machine kind

CASES = {
    "skin5_633nm": read_stack_file(ROOT / "examples" / "skin5_633nm.toml").stack,
    "van_de_hulst_slab": LayerStack([Layer(10.0, 90.0, 0.75, 1.0, 0.02, "slab")]),
    "mcml_3layer": read_stack_file(ROOT / "examples" / "mcml_3layer.mci").stack,
}


def mci_text(stack: LayerStack, photons: int) -> str:
    lines = [
        "1.0",
        "1",
        "bench.mco A",
        str(photons),
        "0.01 0.01",
        "40 50 1",
        str(len(stack.layers)),
    ]
    lines.append(str(stack.n_above))
    for ly in stack.layers:
        lines.append(f"{ly.n} {ly.mua_per_cm} {ly.mus_per_cm} {ly.g} {ly.thickness_cm}")
    lines.append(str(stack.n_below))
    return "\n".join(lines) + "\n"


def run_mcml(binary: str, stack: LayerStack, photons: int) -> float:
    """Photons/s of an MCML binary on this stack.

    Uses the rate the binary prints (``photons_per_second N``, as the transcribed baseline
    does), else the wall time of the whole run (classic MCML prints no rate).
    """
    with tempfile.TemporaryDirectory() as d:
        (Path(d) / "bench.mci").write_text(mci_text(stack, photons))
        t0 = time.perf_counter()
        out = subprocess.run([binary, "bench.mci"], cwd=d, check=True, capture_output=True, text=True)
        wall = time.perf_counter() - t0
    words = out.stdout.split()
    if "photons_per_second" in words:
        return float(words[words.index("photons_per_second") + 1])
    return photons / wall


def best_of(stack: LayerStack, photons: int, threads: int, repeat: int) -> dict[str, float]:
    runs = [simulate(stack, photons, seed=1 + i, threads=threads) for i in range(repeat)]
    best = max(runs, key=lambda r: r.photons_per_second)
    return {
        "photons": photons,
        "threads": threads,
        "photons_per_second": best.photons_per_second,
        "steps_per_photon": best.steps_per_photon,
        "ns_per_step_per_thread": 1e9 * threads / (best.photons_per_second * best.steps_per_photon),
        "diffuse_reflectance": best.diffuse_reflectance,
    }


def memory_probe(photons: int) -> dict[str, float]:
    code = (
        "import resource, sys; sys.path.insert(0, sys.argv[2]);"
        "from photodose.transport import Layer, LayerStack, simulate;"
        "r = simulate(LayerStack([Layer(10, 90, 0.75, 1.0, 0.02)]), int(sys.argv[1]), seed=1);"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, r.wall_seconds)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(photons), str(ROOT / "src")],
        check=True, capture_output=True, text=True,
    ).stdout.split()  # fmt: skip
    return {"photons": photons, "peak_rss_mb": float(out[0]), "wall_seconds": float(out[1])}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--photons", type=int, default=300_000)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--mcml", default=os.environ.get("MCML_BIN") or shutil.which("mcml"))
    ap.add_argument("--memory-photons", type=int, default=100_000_000)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "transport.json")
    args = ap.parse_args()

    all_threads = os.cpu_count() or 1
    simulate(CASES["mcml_3layer"], 1000, seed=0)  # compile (or load the cache) before timing
    results: dict[str, object] = {}
    for name, stack in CASES.items():
        photons = args.photons * (20 if name == "van_de_hulst_slab" else 1)
        row: dict[str, object] = {
            "one_thread": best_of(stack, photons, 1, args.repeat),
            "all_threads": best_of(stack, photons, all_threads, args.repeat),
        }
        if args.mcml:  # best of the same number of repeats as ours, for a fair ratio
            mcml_photons = max(10_000, args.photons // 5)
            row["mcml_photons_per_second"] = max(
                run_mcml(args.mcml, stack, mcml_photons) for _ in range(args.repeat)
            )
        results[name] = row
        print(name, json.dumps(row, indent=1))

    skin = results["skin5_633nm"]
    assert isinstance(skin, dict)
    ours = skin["all_threads"]["photons_per_second"]
    if "mcml_photons_per_second" in skin:
        baseline = {
            "source": "measured in this run",
            "photons_per_second": skin["mcml_photons_per_second"],
        }
    else:
        baseline = {
            "source": "transport.md §0 (MCML C, one thread, this machine kind); not measured here",
            "photons_per_second": float(np.mean(MCML_REFERENCE_PPS)),
            "range": list(MCML_REFERENCE_PPS),
        }
    memory = memory_probe(args.memory_photons) if args.memory_photons else None
    report = {
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": {
            "cpus": all_threads,
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "cases": results,
        "mcml_baseline": baseline,
        "skin5_speedup_vs_mcml": ours / float(baseline["photons_per_second"]),
        "memory": memory,
        "load_average_at_end": os.getloadavg(),
        "self_peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    print(f"skin5: {ours:,.0f} photons/s on {all_threads} threads = "
          f"{report['skin5_speedup_vs_mcml']:.2f}× MCML ({baseline['source']})")  # fmt: skip
    if memory:
        print(f"memory: {memory['photons']:.0e} photons, peak RSS {memory['peak_rss_mb']:.0f} MB")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
