"""Light transport in layered tissue (physics core: numpy/numba, no I/O).

Monte Carlo photon transport (the MCML problem) with a diffusion-theory cross-check.
"""

from __future__ import annotations

from photodose.transport.engine import chunk_sizes, simulate
from photodose.transport.result import Grid, TransportResult
from photodose.transport.sources import (
    Source,
    cos_power_from_half_angle,
    cosine_source,
    oblique_beam,
    pencil_beam,
)
from photodose.transport.stack import Layer, LayerStack, StackError
from photodose.transport.tallies import default_depth_grid

# Bump when a change to the kernel or the tallies changes results (cache keys use it).
ENGINE_VERSION = "1.1.0"

__all__ = [
    "ENGINE_VERSION",
    "Grid",
    "Layer",
    "LayerStack",
    "Source",
    "StackError",
    "TransportResult",
    "chunk_sizes",
    "cos_power_from_half_angle",
    "cosine_source",
    "default_depth_grid",
    "oblique_beam",
    "pencil_beam",
    "simulate",
]
