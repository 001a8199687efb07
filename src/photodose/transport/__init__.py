"""Light transport in layered tissue (physics core: numpy/numba, no I/O).

Monte Carlo photon transport (the MCML problem) with a diffusion-theory cross-check.

The public names resolve lazily (PEP 562 module ``__getattr__``): importing the package, or a
light submodule such as :mod:`photodose.transport.stack`, does not import Numba or compile
anything; the engine and its kernel load on first use of :func:`simulate` (or of a name that
lives beside it). A warm ``photodose evaluate`` whose depth profiles all come from the shipped
table or the user cache never traces a photon, so it never pays for Numba.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

# Bump when a change to the kernel or the tallies changes results (cache keys use it).
ENGINE_VERSION = "1.1.0"

# public name -> submodule defining it
_EXPORTS = {
    "chunk_sizes": "engine",
    "simulate": "engine",
    "Grid": "result",
    "TransportResult": "result",
    "Source": "sources",
    "cos_power_from_half_angle": "sources",
    "cosine_source": "sources",
    "oblique_beam": "sources",
    "pencil_beam": "sources",
    "Layer": "stack",
    "LayerStack": "stack",
    "StackError": "stack",
    "default_depth_grid": "tallies",
}

if TYPE_CHECKING:
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


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # resolve once
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


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
