"""Run the CUDA backend under Numba's CUDA simulator and print results as JSON.

Used by test_transport_cuda.py in a subprocess: the simulator must be switched on
(NUMBA_ENABLE_CUDASIM=1) before Numba is first imported.
"""

from __future__ import annotations

import json
import math
import sys

from photodose.transport import Layer, LayerStack, cosine_source, oblique_beam, simulate
from photodose.transport.cuda import SIMULATOR, simulate_cuda

STACKS = {
    "van_de_hulst": LayerStack([Layer(10, 90, 0.75, 1.0, 0.02)]),
    "mcml_3layer": LayerStack(
        [Layer(1, 100, 0.9, 1.37, 0.1), Layer(1, 10, 0.0, 1.37, 0.1), Layer(2, 10, 0.7, 1.37, 0.2)]
    ),
    "semi_infinite": LayerStack([Layer(2, 80, 0.8, 1.4, math.inf)]),
}
SOURCES = {"pencil": None, "oblique": oblique_beam(30.0), "led": cosine_source(1.0)}


def summary(r):  # type: ignore[no-untyped-def]
    return {
        "rd": r.diffuse_reflectance,
        "tt": r.transmittance,
        "rsp": r.specular_reflectance,
        "absorbed": [float(a) for a in r.absorbed_by_layer],
        "balance": r.energy_balance - r.roulette_weight_gain,
        "a_z_sum": float(r.absorption_per_cm.sum()),
        "steps": r.steps_per_photon,
    }


def main() -> None:
    out: dict[str, object] = {"simulator": SIMULATOR}
    for sname, stack in STACKS.items():
        for kname, src in SOURCES.items():
            # one GPU stream = one CPU chunk with the same seed: the same photon histories
            gpu = simulate_cuda(stack, 30, seed=5, gpu_threads=1, source=src)
            cpu = simulate(stack, 30, seed=5, source=src, cpu_kernel="scalar")
            out[f"{sname}/{kname}"] = {"gpu": summary(gpu), "cpu": summary(cpu)}
    many = simulate_cuda(STACKS["van_de_hulst"], 48, seed=7, gpu_threads=6)
    out["threads6"] = summary(many)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
