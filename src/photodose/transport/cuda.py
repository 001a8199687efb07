"""CUDA backend: the scalar kernel's per-photon code on a GPU (Numba-CUDA).

Each GPU thread owns one xoshiro256** stream (seeded, like the CPU chunks, from one
``SeedSequence``) and follows its share of the photons with
:func:`photodose.transport.kernel.trace_photon` — the same function the CPU backend calls —
adding into the tallies with atomic adds (this module registers the CUDA overload of
``tally_add``; MCX and CUDAMCML do the same, ../shared/reference/transport.md §5).
Totals and layer absorption go into one row per warp-sized batch: fewer threads contend for
an address, and the rows give the batch-means standard errors.

Without a GPU the same code runs under Numba's CUDA simulator (``NUMBA_ENABLE_CUDASIM=1``),
which is how CI tests it. Atomic adds make the order of summation vary, so a seed reproduces
results to rounding (≈1e-15 relative), not bit for bit as on the CPU.
"""

from __future__ import annotations

import math
import time
import types
import warnings
from typing import Any

import numpy as np

if not hasattr(np, "row_stack"):
    # numba-cuda ≤ 0.30 registers an overload of np.row_stack, which NumPy 2.5 removed; its
    # alias keeps that import working (seen with numba-cuda 0.30.4 + NumPy 2.5.2).
    np.row_stack = np.vstack

from numba import config, cuda
from numba.core.extending import overload

from photodose.transport import kernel, rng
from photodose.transport.result import Grid, TransportResult
from photodose.transport.rng import seed_states
from photodose.transport.sources import Source, pencil_beam
from photodose.transport.stack import LayerStack
from photodose.transport.tallies import ChunkTallies, assemble_result, default_depth_grid

SIMULATOR = bool(config.ENABLE_CUDASIM)  # type: ignore[attr-defined]
THREADS_PER_BLOCK = 128
BATCH_THREADS = 32  # threads sharing one row of totals / layer absorption (one warp)


@overload(kernel.tally_add, target="cuda")
def _tally_add_cuda(arr: Any, i: Any, v: Any) -> Any:
    def impl(arr: Any, i: Any, v: Any) -> None:
        cuda.atomic.add(arr, i, v)  # type: ignore[attr-defined]

    return impl


@overload(kernel.tally_add2, target="cuda")
def _tally_add2_cuda(arr: Any, i: Any, j: Any, v: Any) -> Any:
    def impl(arr: Any, i: Any, j: Any, v: Any) -> None:
        cuda.atomic.add(arr, (i, j), v)  # type: ignore[attr-defined]

    return impl


def _python_version(fn: Any, namespace: dict[str, Any]) -> Any:
    """The Python body of a jitted function, resolving its globals in ``namespace``."""
    f = fn.py_func
    return types.FunctionType(f.__code__, namespace, f.__name__, f.__defaults__, f.__closure__)


def _simulator_photon() -> Any:
    """``trace_photon`` as plain Python all the way down (the simulator runs kernels as Python
    and cannot pass its arrays into compiled functions; compiled helpers would also turn the
    uint64 generator state into Python ints)."""
    warnings.filterwarnings("ignore", "overflow encountered", RuntimeWarning)  # uint64 wraps
    ns_rng = dict(vars(rng))
    for name in ("xoshiro_next", "uniform"):
        ns_rng[name] = _python_version(getattr(rng, name), ns_rng)
    ns = dict(vars(kernel))
    ns.update(xoshiro_next=ns_rng["xoshiro_next"], uniform=ns_rng["uniform"])
    for name in ("fresnel", "henyey_greenstein_cos", "spin", "launch", "_tally_exit", "trace_photon"):
        ns[name] = _python_version(getattr(kernel, name), ns)
    return ns["trace_photon"]


_photon = _simulator_photon() if SIMULATOR else kernel.trace_photon


@cuda.jit
def _trace_kernel(  # type: ignore[no-untyped-def]
    per_thread, extra, states, source_kind, source_param, n_above, n_below,
    inv_mut_l, absorb_l, inv_mua_l, g, n, z0, z1, inv_dz, inv_dr, inv_da,
    totals, a_layer, a_z, phi_z, a_rz, rd_r, tt_r, rd_a, tt_a,
):  # fmt: skip
    t = cuda.grid(1)  # type: ignore[attr-defined]
    if t >= states.shape[0]:
        return
    count = per_thread + (1 if t < extra else 0)
    b = t // BATCH_THREADS
    s0 = states[t, 0]
    s1 = states[t, 1]
    s2 = states[t, 2]
    s3 = states[t, 3]
    for _ in range(count):
        s0, s1, s2, s3 = _photon(
            s0, s1, s2, s3, source_kind, source_param, n_above, n_below,
            inv_mut_l, absorb_l, inv_mua_l, g, n, z0, z1, inv_dz, inv_dr, inv_da,
            totals[b], a_layer[b], a_z, phi_z, a_rz, rd_r, tt_r, rd_a, tt_a,
        )  # fmt: skip


def cuda_available() -> bool:
    """True when a CUDA GPU (or the simulator) can run the kernel."""
    try:
        return SIMULATOR or bool(cuda.is_available())
    except Exception:  # a broken driver install reads as "no GPU"
        return False


def simulate_cuda(
    stack: LayerStack,
    photons: int,
    *,
    source: Source | None = None,
    seed: int | None = None,
    gpu_threads: int | None = None,
    depth_grid: Grid | None = None,
    radial_grid: Grid | None = None,
    angle_bins: int = 30,
) -> TransportResult:
    """Monte Carlo transport on a GPU; arguments and result as :func:`~.engine.simulate`.

    ``gpu_threads``: photon streams (default: 2^17, capped at the photon count), each tracing
    ⌈photons / gpu_threads⌉ or ⌊…⌋ packets.
    """
    if not cuda_available():
        raise RuntimeError("no CUDA GPU found; run with the CPU backend (backend='cpu')")
    if photons < 1:
        raise ValueError(f"photons = {photons}: launch at least 1 photon")
    src = source if source is not None else pencil_beam()
    dgrid = depth_grid if depth_grid is not None else default_depth_grid(stack)
    n_streams = int(min(photons, gpu_threads if gpu_threads else 1 << 17))
    per_thread, extra = divmod(int(photons), n_streams)
    n_batches = math.ceil(n_streams / BATCH_THREADS)
    p = stack.as_arrays()
    nl = p["mua"].shape[0]
    nr = radial_grid.bins if radial_grid is not None else 0
    dr = radial_grid.step_cm if radial_grid is not None else 1.0
    da = 0.5 * math.pi / angle_bins
    lc = kernel.layer_constants(p["mua"], p["mus"])
    kind, param = src.kernel_code

    host = ChunkTallies.zeros(nl, dgrid.bins, nr, angle_bins)
    d_totals = cuda.to_device(np.zeros((n_batches, kernel.N_TOTALS)))
    d_layers = cuda.to_device(np.zeros((n_batches, nl)))
    grids = [
        cuda.to_device(a)
        for a in (host.a_z, host.phi_z, host.a_rz, host.rd_r, host.tt_r, host.rd_a, host.tt_a)
    ]
    consts = [
        cuda.to_device(np.ascontiguousarray(a))
        for a in (lc[0], lc[1], lc[2], p["g"], p["n"], p["z0"], p["z1"])
    ]
    d_states = cuda.to_device(seed_states(seed, n_streams))
    blocks = math.ceil(n_streams / THREADS_PER_BLOCK)
    t0 = time.perf_counter()
    _trace_kernel[blocks, THREADS_PER_BLOCK](
        per_thread, extra, d_states, kind, param, float(stack.n_above), float(stack.n_below),
        *consts, 1.0 / dgrid.step_cm, 1.0 / dr if nr else 0.0, 1.0 / da,
        d_totals, d_layers, *grids,
    )  # fmt: skip
    cuda.synchronize()
    wall = time.perf_counter() - t0
    a_z, phi_z, a_rz, rd_r, tt_r, rd_a, tt_a = (g.copy_to_host() for g in grids)
    acc = ChunkTallies(np.zeros(kernel.N_TOTALS), np.zeros(nl), a_z, phi_z, a_rz, rd_r, tt_r, rd_a, tt_a)
    # photons per batch (for the batch-means errors)
    counts = np.full(n_streams, per_thread, dtype=np.int64)
    counts[:extra] += 1
    sizes = np.add.reduceat(counts, np.arange(0, n_streams, BATCH_THREADS))
    return assemble_result(
        stack, int(photons), seed, n_streams, src, dgrid, radial_grid, angle_bins,
        d_totals.copy_to_host(), d_layers.copy_to_host(), sizes, acc, wall,
    )  # fmt: skip
