"""``simulate``: run the photon kernel over fixed chunks, in parallel, and normalise the tallies.

Reproducibility: the photons are split into chunks whose sizes depend only on the photon
count; chunk ``k`` gets its own RNG stream from ``SeedSequence(seed).spawn``; and chunk tallies
are added in chunk order. So a seed gives the same numbers whatever the thread count.

Memory: chunks run in waves of a few per thread, and each wave's RNG streams are derived when
the wave starts (stream ``k`` is the ``k``-th child of the ``SeedSequence``, exactly what
``spawn`` would give), so memory is bounded by the tally grids times the wave size plus one small
row per chunk, not by the photon count. Counts above :data:`MAX_PHOTONS` are refused up front.

Errors: the spread of the per-chunk estimates gives the standard error of each total
(batch means; e.g. Wang et al. 1995, MCML §4.3 use the same idea with independent runs).
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
from numpy.typing import NDArray

from photodose.transport import kernel
from photodose.transport.result import Grid, TransportResult
from photodose.transport.sources import Source, pencil_beam
from photodose.transport.stack import LayerStack
from photodose.transport.tallies import (
    ChunkTallies,
    assemble_result,
    default_depth_grid,
)
from photodose.transport.tallies import (
    batch_standard_error as batch_standard_error,  # re-exported (older imports)
)

ProgressCallback = Callable[[int, int], None]

MIN_CHUNK = 100
MAX_CHUNK = 50_000
TARGET_CHUNKS = 100
#: Most photon packets one call traces: 10^10 is ~2 days on 2 CPU cores (135 k photons/s) and
#: ~18 min on an H200 (9.3 M photons/s, docs/performance.md); the per-chunk rows it needs
#: (2×10^5 chunks) stay under 50 MB. Beyond it the standard error (∝ 1/√N) has long stopped
#: being the limit on accuracy: the optical properties are known to a few per cent at best.
MAX_PHOTONS = 10**10


class PhotonCountError(ValueError):
    """A photon count outside 1 … :data:`MAX_PHOTONS`."""


def check_photons(photons: int) -> int:
    """``photons`` as an int, or :class:`PhotonCountError` naming the allowed range."""
    n = int(photons)
    if n < 1:
        raise PhotonCountError(f"photons = {n}: launch at least 1 photon")
    if n > MAX_PHOTONS:
        raise PhotonCountError(
            f"photons = {n:.3g}: more than the {MAX_PHOTONS:.0e} a run may trace; "
            "split the run (several seeds) or use fewer photons"
        )
    return n


def stream_states(root: np.random.SeedSequence, start: int, stop: int) -> NDArray[np.uint64]:
    """xoshiro256** states of streams ``start … stop-1`` of ``root`` (one row per stream).

    Row ``k`` equals row ``k`` of :func:`photodose.transport.rng.seed_states` for the same seed:
    child ``k`` of a ``SeedSequence`` is ``SeedSequence(entropy, spawn_key=(*spawn_key, k))``,
    which is what ``spawn`` builds. Deriving them per wave keeps memory flat for any count.
    """
    states = np.empty((stop - start, 4), dtype=np.uint64)
    for i, k in enumerate(range(start, stop)):
        child = np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, k), pool_size=root.pool_size)
        st = child.generate_state(4, dtype=np.uint64)
        if not st.any():  # the all-zero state is the one fixed point of xoshiro
            st[0] = np.uint64(0x9E3779B97F4A7C15)
        states[i] = st
    return states


def chunk_sizes(photons: int) -> NDArray[np.int64]:
    """Photons per chunk: about ``TARGET_CHUNKS`` chunks, each of 100–50 000 photons.

    Depends on the photon count only (not on threads), which keeps runs reproducible.
    """
    photons = check_photons(photons)
    size = min(MAX_CHUNK, max(MIN_CHUNK, math.ceil(photons / TARGET_CHUNKS)))
    full, rest = divmod(photons, size)
    sizes = [size] * full + ([rest] if rest else [])
    return np.array(sizes, dtype=np.int64)


def _resolve_threads(threads: int | None) -> int:
    if threads is None:
        return os.cpu_count() or 1
    if threads < 1:
        raise ValueError(f"threads = {threads}: use at least 1")
    return threads


def simulate(
    stack: LayerStack,
    photons: int,
    *,
    source: Source | None = None,
    seed: int | None = None,
    threads: int | None = None,
    depth_grid: Grid | None = None,
    radial_grid: Grid | None = None,
    angle_bins: int = 30,
    progress: ProgressCallback | None = None,
    backend: str = "cpu",
    cpu_kernel: str = "lanes",
) -> TransportResult:
    """Monte Carlo photon transport through a layered medium (the MCML problem).

    Parameters
    ----------
    stack : the layers and ambient indices.
    photons : number of photon packets launched, 1 … :data:`MAX_PHOTONS`.
    source : incident beam (default: normal pencil beam).
    seed : seed of the ``SeedSequence`` that seeds every chunk's stream (None: fresh entropy).
    threads : worker threads (default: all Numba threads); results do not depend on it.
    depth_grid : uniform depth bins for A(z) and Φ(z) (default: :func:`default_depth_grid`).
    radial_grid : uniform radial bins for A(r, z), R(r), T(r); None skips radial tallies.
    angle_bins : bins of exit angle over 0–90° for R(θ) and T(θ).
    progress : called as ``progress(done, total)`` after each wave of chunks.
    backend : "cpu" (Numba, threads) or "cuda" (a GPU through Numba-CUDA, see
        :mod:`photodose.transport.cuda`; ``threads`` is then ignored).
    cpu_kernel : "lanes" (default: packets advanced together in SIMD lanes,
        :mod:`photodose.transport.lanes`) or "scalar" (one packet at a time,
        :func:`photodose.transport.kernel.trace_photon`, the code the GPU runs: a seed then gives
        the GPU's photon histories). Same physics; a seed gives different histories in each.
    """
    photons = check_photons(photons)
    if backend == "cuda":
        from photodose.transport.cuda import simulate_cuda

        return simulate_cuda(
            stack, photons, source=source, seed=seed, depth_grid=depth_grid,
            radial_grid=radial_grid, angle_bins=angle_bins,
        )  # fmt: skip
    if backend != "cpu":
        raise ValueError(f"backend {backend!r}: use 'cpu' or 'cuda'")
    if cpu_kernel not in ("lanes", "scalar"):
        raise ValueError(f"cpu_kernel {cpu_kernel!r}: use 'lanes' or 'scalar'")
    trace_chunk: Any = kernel.trace_chunk
    if cpu_kernel == "lanes":
        from photodose.transport.lanes import trace_chunk_lanes

        trace_chunk = trace_chunk_lanes
    src = source if source is not None else pencil_beam()
    dgrid = depth_grid if depth_grid is not None else default_depth_grid(stack)
    if angle_bins < 1:
        raise ValueError(f"angle_bins = {angle_bins}: use at least 1")
    nthreads = _resolve_threads(threads)
    sizes = chunk_sizes(int(photons))
    n_chunks = sizes.shape[0]
    root = np.random.SeedSequence(seed)  # seed=None: fresh entropy, drawn once for all chunks
    p = stack.as_arrays()
    nl = p["mua"].shape[0]
    nz = dgrid.bins
    nr = radial_grid.bins if radial_grid is not None else 0
    dr = radial_grid.step_cm if radial_grid is not None else 1.0
    da = 0.5 * math.pi / angle_bins
    kind, param = src.kernel_code

    chunk_totals = np.zeros((n_chunks, kernel.N_TOTALS))
    chunk_layers = np.zeros((n_chunks, nl))
    acc = ChunkTallies.zeros(nl, nz, nr, angle_bins)
    lc = kernel.layer_constants(p["mua"], p["mus"])
    g, n_idx, z0, z1 = p["g"], p["n"], p["z0"], p["z1"]
    n_above, n_below = float(stack.n_above), float(stack.n_below)

    def run_chunk(k: int, state: NDArray[np.uint64]) -> ChunkTallies:
        t = ChunkTallies.zeros(nl, nz, nr, angle_bins)
        trace_chunk(
            int(sizes[k]), state, kind, param, n_above, n_below,
            lc, g, n_idx, z0, z1, dgrid.step_cm, dr, da,
            t.totals, t.a_layer, t.a_z, t.phi_z, t.a_rz, t.rd_r, t.tt_r, t.rd_a, t.tt_a,
        )  # fmt: skip
        return t

    # Waves of a few chunks per thread keep memory bounded by the grids, not the photon count.
    wave = 4 * nthreads
    t0 = time.perf_counter()
    done = 0
    with ThreadPoolExecutor(max_workers=nthreads) as pool:
        for start in range(0, n_chunks, wave):
            stop = min(n_chunks, start + wave)
            states = stream_states(root, start, stop)
            # map() returns in chunk order, so the sums do not depend on the thread count.
            results = pool.map(run_chunk, range(start, stop), list(states))
            for k, t in zip(range(start, stop), results, strict=True):
                chunk_totals[k] = t.totals
                chunk_layers[k] = t.a_layer
                acc.a_z += t.a_z
                acc.phi_z += t.phi_z
                if nr:
                    acc.a_rz += t.a_rz
                    acc.rd_r += t.rd_r
                    acc.tt_r += t.tt_r
                acc.rd_a += t.rd_a
                acc.tt_a += t.tt_a
                done += int(sizes[k])
            if progress is not None:
                progress(done, int(photons))
    wall = time.perf_counter() - t0

    return assemble_result(
        stack, int(photons), seed, nthreads, src, dgrid, radial_grid, angle_bins,
        chunk_totals, chunk_layers, sizes, acc, wall,
    )  # fmt: skip
