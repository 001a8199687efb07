"""Tallies shared by every backend: chunk tallies, default grids, batch-means errors, and
the normalisation of raw tallies into a :class:`~photodose.transport.result.TransportResult`.

The CPU engine (:mod:`photodose.transport.engine`) and the CUDA backend
(:mod:`photodose.transport.cuda`) both build on this module; neither imports the other's
internals (the engine only dispatches to a backend, lazily).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from photodose.transport import kernel
from photodose.transport.result import Grid, TransportResult
from photodose.transport.sources import Source
from photodose.transport.stack import LayerStack


def default_depth_grid(stack: LayerStack) -> Grid:
    """400 uniform bins over the finite layers, plus 1 cm of a semi-infinite last layer."""
    finite = float(sum(ly.thickness_cm for ly in stack.layers if math.isfinite(ly.thickness_cm)))
    extent = finite if math.isfinite(stack.total_thickness_cm) else finite + 1.0
    return Grid(step_cm=extent / 400, bins=400)


def batch_standard_error(per_chunk: NDArray[np.float64], sizes: NDArray[np.int64]) -> NDArray[np.float64]:
    """Standard error of Σx/ΣN from per-chunk sums ``x`` (rows = chunks) of sizes ``N``.

    se² = k/(k−1) · Σ N_c² (f_c − f)² / (ΣN)², f_c = x_c/N_c; for equal chunks this is the
    usual s/√k of the batch means. NaN with a single chunk.
    """
    k = sizes.shape[0]
    total = float(sizes.sum())
    if k < 2:
        return np.full(per_chunk.shape[1:], np.nan)
    f = per_chunk.sum(axis=0) / total
    fc = per_chunk / sizes.reshape((-1,) + (1,) * (per_chunk.ndim - 1))
    dev = (fc - f) * sizes.reshape((-1,) + (1,) * (per_chunk.ndim - 1))
    var: NDArray[np.float64] = (dev**2).sum(axis=0) / total**2 * k / (k - 1)
    return np.sqrt(var)


@dataclass
class ChunkTallies:
    """Tallies of one chunk (the kernel adds into them)."""

    totals: NDArray[np.float64]
    a_layer: NDArray[np.float64]
    a_z: NDArray[np.float64]
    phi_z: NDArray[np.float64]
    a_rz: NDArray[np.float64]
    rd_r: NDArray[np.float64]
    tt_r: NDArray[np.float64]
    rd_a: NDArray[np.float64]
    tt_a: NDArray[np.float64]

    @classmethod
    def zeros(cls, n_layers: int, nz: int, nr: int, na: int) -> ChunkTallies:
        return cls(
            np.zeros(kernel.N_TOTALS), np.zeros(n_layers), np.zeros(nz), np.zeros(nz),
            np.zeros((nr, nz)), np.zeros(nr), np.zeros(nr), np.zeros(na), np.zeros(na),
        )  # fmt: skip


def assemble_result(
    stack: LayerStack,
    photons: int,
    seed: int | None,
    threads: int,
    src: Source,
    dgrid: Grid,
    radial_grid: Grid | None,
    angle_bins: int,
    chunk_totals: NDArray[np.float64],
    chunk_layers: NDArray[np.float64],
    sizes: NDArray[np.int64],
    acc: ChunkTallies,
    wall: float,
) -> TransportResult:
    """Normalise raw tallies (summed weights) into a :class:`TransportResult` (any backend).

    ``chunk_totals`` and ``chunk_layers`` hold one row per batch of ``sizes`` photons, from
    which the standard errors come; ``acc`` holds the summed grid tallies.
    """
    nr = radial_grid.bins if radial_grid is not None else 0
    dr = radial_grid.step_cm if radial_grid is not None else 1.0
    da = 0.5 * math.pi / angle_bins
    n = float(photons)
    tot = chunk_totals.sum(axis=0) / n
    se_tot = batch_standard_error(chunk_totals, sizes)
    a_layer = chunk_layers.sum(axis=0) / n
    se_layer = batch_standard_error(chunk_layers, sizes)

    dz = dgrid.step_cm
    r_idx = np.arange(nr) + 0.5
    ring_area = 2.0 * math.pi * r_idx * dr * dr
    angle_edges: NDArray[np.float64] = np.arange(angle_bins + 1, dtype=np.float64) * da
    solid_angle = 2.0 * math.pi * (np.cos(angle_edges[:-1]) - np.cos(angle_edges[1:]))

    return TransportResult(
        stack=stack,
        photons=int(photons),
        seed=seed,
        threads=threads,
        source=src.describe(),
        specular_reflectance=float(tot[kernel.T_SPECULAR]),
        specular_reflectance_se=float(se_tot[kernel.T_SPECULAR]),
        diffuse_reflectance=float(tot[kernel.T_DIFFUSE]),
        diffuse_reflectance_se=float(se_tot[kernel.T_DIFFUSE]),
        transmittance=float(tot[kernel.T_TRANSMIT]),
        transmittance_se=float(se_tot[kernel.T_TRANSMIT]),
        absorbed_by_layer=a_layer,
        absorbed_by_layer_se=se_layer,
        depth_grid=dgrid,
        absorption_per_cm=acc.a_z / (n * dz),
        fluence_per_irradiance=acc.phi_z / (n * dz),
        absorbed_beyond_depth_grid=float(tot[kernel.T_BEYOND_GRID]),
        radial_grid=radial_grid,
        absorption_rz_per_cm3=acc.a_rz / (n * ring_area[:, None] * dz) if nr else acc.a_rz,
        diffuse_reflectance_r_per_cm2=acc.rd_r / (n * ring_area) if nr else acc.rd_r,
        transmittance_r_per_cm2=acc.tt_r / (n * ring_area) if nr else acc.tt_r,
        angle_edges_rad=angle_edges,
        diffuse_reflectance_angle_per_sr=acc.rd_a / (n * solid_angle),
        transmittance_angle_per_sr=acc.tt_a / (n * solid_angle),
        steps_per_photon=float(tot[kernel.T_STEPS]),
        wall_seconds=wall,
        roulette_weight_gain=float(tot[kernel.T_ROULETTE]),
    )
