"""CUDA backend on a real GPU: speed against the CPU backend, and agreement with it.

Run (on a machine with an NVIDIA GPU and numba-cuda): ``python benchmarks/gpu.py``.
``--smoke`` runs a tiny version (works under NUMBA_ENABLE_CUDASIM=1). Writes
``benchmarks/results/gpu.json`` (or ``--out``).

Agreement: for each case the GPU and CPU estimates of Rd, Tt and the absorption of each layer
must agree within 4 combined standard errors (they use different random streams).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from photodose.stackfile import read_stack_file  # noqa: E402
from photodose.transport import Layer, LayerStack, TransportResult, simulate  # noqa: E402
from photodose.transport.cuda import simulate_cuda  # noqa: E402

CASES = {
    "skin5_633nm": read_stack_file(ROOT / "examples" / "skin5_633nm.toml").stack,
    "van_de_hulst_slab": LayerStack([Layer(10.0, 90.0, 0.75, 1.0, 0.02, "slab")]),
    "mcml_3layer": read_stack_file(ROOT / "examples" / "mcml_3layer.mci").stack,
}


def z_scores(a: TransportResult, b: TransportResult) -> dict[str, float]:
    def z(x: float, sx: float, y: float, sy: float) -> float:
        s = math.hypot(sx, sy)
        return abs(x - y) / s if s > 0 else (0.0 if x == y else math.inf)

    out = {
        "rd": z(
            a.diffuse_reflectance, a.diffuse_reflectance_se, b.diffuse_reflectance, b.diffuse_reflectance_se
        ),
        "tt": z(a.transmittance, a.transmittance_se, b.transmittance, b.transmittance_se),
    }
    for i, name in enumerate(a.layer_names):
        out[f"absorbed:{name}"] = z(
            float(a.absorbed_by_layer[i]), float(a.absorbed_by_layer_se[i]),
            float(b.absorbed_by_layer[i]), float(b.absorbed_by_layer_se[i]),
        )  # fmt: skip
    return out


def gpu_name() -> str:
    try:
        return subprocess.run(
            ["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
    except OSError:
        return "unknown"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "gpu.json")
    args = ap.parse_args()
    scale = 1e-4 if args.smoke else 1.0
    t0 = time.perf_counter()
    simulate_cuda(
        CASES["mcml_3layer"], 64 if args.smoke else 10_000, seed=0, gpu_threads=8 if args.smoke else None
    )
    compile_s = time.perf_counter() - t0
    rows = {}
    for name, stack in CASES.items():
        n_gpu = max(64, int((2e8 if name == "van_de_hulst_slab" else 1e7) * scale))
        n_cpu = max(64, int((2e7 if name == "van_de_hulst_slab" else 1e6) * scale))
        threads = 1 if args.smoke else None
        gpu = simulate_cuda(stack, n_gpu, seed=11, gpu_threads=threads)
        cpu = simulate(stack, n_cpu, seed=12)
        rows[name] = {
            "gpu_photons": n_gpu,
            "gpu_photons_per_second": gpu.photons_per_second,
            "gpu_seconds": gpu.wall_seconds,
            "cpu_photons": n_cpu,
            "cpu_threads": cpu.threads,
            "cpu_photons_per_second": cpu.photons_per_second,
            "speedup_gpu_over_cpu": gpu.photons_per_second / cpu.photons_per_second,
            "gpu": {"rd": gpu.diffuse_reflectance, "rd_se": gpu.diffuse_reflectance_se,
                    "tt": gpu.transmittance, "absorbed": [float(x) for x in gpu.absorbed_by_layer],
                    "energy_balance": gpu.energy_balance - gpu.roulette_weight_gain},
            "cpu": {"rd": cpu.diffuse_reflectance, "rd_se": cpu.diffuse_reflectance_se,
                    "tt": cpu.transmittance, "absorbed": [float(x) for x in cpu.absorbed_by_layer]},
            "z_scores": z_scores(gpu, cpu),
        }  # fmt: skip
        print(name, json.dumps(rows[name]), flush=True)
    report = {
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        "gpu": gpu_name(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "compile_and_first_run_seconds": compile_s,
        "cases": rows,
        "all_within_4_sigma": all(max(r["z_scores"].values()) < 4 for r in rows.values()),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    print("all within 4 sigma:", report["all_within_4_sigma"], "| wrote", args.out)


if __name__ == "__main__":
    main()
