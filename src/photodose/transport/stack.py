"""Planar layered media: the geometry of the MCML problem.

A :class:`LayerStack` is a list of :class:`Layer` slabs stacked along +z (depth), with a clear
ambient medium above (``n_above``, where light comes from) and below (``n_below``). Only the
last layer may be semi-infinite (``thickness_cm = inf``).

Validation raises :class:`StackError` naming the layer and the field, so that a person who wrote
a stack file by hand knows what to fix.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray


class StackError(ValueError):
    """A layer stack that is not physically meaningful; the message names layer and field."""


@dataclass(frozen=True)
class Layer:
    """One homogeneous slab.

    Parameters
    ----------
    mua_per_cm : absorption coefficient μa [1/cm], ≥ 0
    mus_per_cm : scattering coefficient μs [1/cm], ≥ 0
    g : Henyey–Greenstein anisotropy, −1 < g < 1
    n : refractive index, ≥ 1
    thickness_cm : slab thickness [cm], > 0; ``math.inf`` only for the last layer
    name : a label used in tables and error messages
    """

    mua_per_cm: float
    mus_per_cm: float
    g: float
    n: float
    thickness_cm: float
    name: str = ""


def _check_number(where: str, fieldname: str, value: float) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise StackError(f"{where}: {fieldname} must be a number, got {value!r}") from None
    if math.isnan(v):
        raise StackError(f"{where}: {fieldname} is NaN; give a finite number")
    return v


@dataclass(frozen=True)
class LayerStack:
    """Layers from the surface down, plus the ambient refractive indices above and below."""

    layers: tuple[Layer, ...]
    n_above: float = 1.0
    n_below: float = 1.0
    boundaries_cm: NDArray[np.float64] = field(init=False, repr=False, compare=False)

    def __init__(self, layers: Sequence[Layer], n_above: float = 1.0, n_below: float = 1.0) -> None:
        object.__setattr__(self, "layers", tuple(layers))
        object.__setattr__(self, "n_above", n_above)
        object.__setattr__(self, "n_below", n_below)
        self._validate()
        z = np.concatenate(([0.0], np.cumsum([ly.thickness_cm for ly in self.layers])))
        object.__setattr__(self, "boundaries_cm", z)

    def _validate(self) -> None:
        if len(self.layers) == 0:
            raise StackError("stack has no layers; add at least one [[layer]]")
        for label, value in (("n_above", self.n_above), ("n_below", self.n_below)):
            v = _check_number("stack", label, value)
            if v < 1.0:
                raise StackError(f"stack: {label} = {v} is below 1; a refractive index is ≥ 1")
        last = len(self.layers) - 1
        for i, ly in enumerate(self.layers):
            where = f"layer {i + 1}" + (f" ({ly.name!r})" if ly.name else "")
            mua = _check_number(where, "mua_per_cm", ly.mua_per_cm)
            mus = _check_number(where, "mus_per_cm", ly.mus_per_cm)
            g = _check_number(where, "g", ly.g)
            n = _check_number(where, "n", ly.n)
            d = _check_number(where, "thickness_cm", ly.thickness_cm)
            if mua < 0 or math.isinf(mua):
                raise StackError(f"{where}: mua_per_cm = {mua} must be finite and ≥ 0")
            if mus < 0 or math.isinf(mus):
                raise StackError(f"{where}: mus_per_cm = {mus} must be finite and ≥ 0")
            if not -1.0 < g < 1.0:
                raise StackError(f"{where}: g = {g} must lie strictly between -1 and 1")
            if n < 1.0 or math.isinf(n):
                raise StackError(f"{where}: n = {n} must be finite and ≥ 1")
            if d <= 0:
                raise StackError(f"{where}: thickness_cm = {d} must be > 0")
            if math.isinf(d) and i != last:
                raise StackError(
                    f"{where}: thickness_cm is infinite but only the last layer may be "
                    "semi-infinite; give a finite thickness"
                )
            if mua + mus == 0 and math.isinf(d):
                raise StackError(f"{where}: a semi-infinite layer needs mua_per_cm + mus_per_cm > 0")

    @property
    def names(self) -> list[str]:
        return [ly.name or f"layer {i + 1}" for i, ly in enumerate(self.layers)]

    @property
    def total_thickness_cm(self) -> float:
        return float(self.boundaries_cm[-1])

    def as_arrays(self) -> dict[str, NDArray[np.float64]]:
        """Per-layer parameter arrays for the kernels (index 0 is the top layer)."""
        return {
            "mua": np.array([ly.mua_per_cm for ly in self.layers], dtype=np.float64),
            "mus": np.array([ly.mus_per_cm for ly in self.layers], dtype=np.float64),
            "g": np.array([ly.g for ly in self.layers], dtype=np.float64),
            "n": np.array([ly.n for ly in self.layers], dtype=np.float64),
            "z0": self.boundaries_cm[:-1].copy(),
            "z1": self.boundaries_cm[1:].copy(),
        }
