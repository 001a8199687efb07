"""What a transport run returns: normalised tallies per unit incident power, with errors."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from photodose.transport.stack import LayerStack

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Grid:
    """A uniform grid of ``bins`` bins of width ``step_cm`` starting at 0.

    Used for depth ``z`` and radius ``r``. Uniform bins keep the per-step tally an index
    computation, as in MCML.
    """

    step_cm: float
    bins: int

    def __post_init__(self) -> None:
        if not (self.step_cm > 0 and np.isfinite(self.step_cm)):
            raise ValueError(f"grid step_cm = {self.step_cm} must be finite and > 0")
        if self.bins < 1:
            raise ValueError(f"grid bins = {self.bins} must be ≥ 1")

    @property
    def edges_cm(self) -> FloatArray:
        return np.arange(self.bins + 1, dtype=np.float64) * self.step_cm

    @property
    def centers_cm(self) -> FloatArray:
        return (np.arange(self.bins, dtype=np.float64) + 0.5) * self.step_cm


@dataclass(frozen=True)
class TransportResult:
    """Tallies of one Monte Carlo run, all per unit incident power (per launched photon weight).

    Totals are fractions of the incident power; ``*_se`` are standard errors from the spread of
    the per-chunk (batch) estimates. Grid tallies:

    - ``absorption_per_cm`` A(z) [1/cm]: absorbed power per unit depth;
    - ``fluence_per_irradiance`` Φ(z) [dimensionless]: fluence rate per unit incident
      irradiance of a broad uniform beam, Φ = A(z)/μa(z) (zero where μa = 0);
    - ``absorption_rz_per_cm3`` A(r, z) [1/cm³] for a pencil beam;
    - ``diffuse_reflectance_r_per_cm2`` R(r), ``transmittance_r_per_cm2`` T(r) [1/cm²];
    - ``diffuse_reflectance_angle_per_sr`` R(θ), ``transmittance_angle_per_sr`` T(θ) [1/sr],
      θ measured in the ambient medium from the surface normal.
    """

    stack: LayerStack
    photons: int
    seed: int | None
    threads: int
    source: str
    specular_reflectance: float
    specular_reflectance_se: float
    diffuse_reflectance: float
    diffuse_reflectance_se: float
    transmittance: float
    transmittance_se: float
    absorbed_by_layer: FloatArray
    absorbed_by_layer_se: FloatArray
    depth_grid: Grid | None
    absorption_per_cm: FloatArray
    fluence_per_irradiance: FloatArray
    absorbed_beyond_depth_grid: float
    radial_grid: Grid | None
    absorption_rz_per_cm3: FloatArray
    diffuse_reflectance_r_per_cm2: FloatArray
    transmittance_r_per_cm2: FloatArray
    angle_edges_rad: FloatArray
    diffuse_reflectance_angle_per_sr: FloatArray
    transmittance_angle_per_sr: FloatArray
    steps_per_photon: float
    wall_seconds: float
    roulette_weight_gain: float = 0.0

    @property
    def layer_names(self) -> list[str]:
        return self.stack.names

    @property
    def absorbed_total(self) -> float:
        return float(self.absorbed_by_layer.sum())

    @property
    def energy_balance(self) -> float:
        """Specular + diffuse + transmitted + absorbed, as fractions of the incident power.

        Russian roulette adds or removes weight at random (unbiased, zero on average), so this
        is 1 within statistics; ``energy_balance - roulette_weight_gain`` is 1 to rounding.
        """
        return self.specular_reflectance + self.diffuse_reflectance + self.transmittance + self.absorbed_total

    @property
    def photons_per_second(self) -> float:
        return self.photons / self.wall_seconds if self.wall_seconds > 0 else float("inf")

    @property
    def depth_centers_cm(self) -> FloatArray:
        if self.depth_grid is None:
            return np.empty(0)
        return self.depth_grid.centers_cm

    def summary(self) -> dict[str, object]:
        """The headline numbers as plain JSON-ready Python values."""
        return {
            "photons": self.photons,
            "seed": self.seed,
            "threads": self.threads,
            "source": self.source,
            "specular_reflectance": self.specular_reflectance,
            "diffuse_reflectance": self.diffuse_reflectance,
            "diffuse_reflectance_se": self.diffuse_reflectance_se,
            "transmittance": self.transmittance,
            "transmittance_se": self.transmittance_se,
            "absorbed_by_layer": [float(x) for x in self.absorbed_by_layer],
            "absorbed_by_layer_se": [float(x) for x in self.absorbed_by_layer_se],
            "layer_names": self.layer_names,
            "energy_balance": self.energy_balance,
            "roulette_weight_gain": self.roulette_weight_gain,
            "steps_per_photon": self.steps_per_photon,
            "wall_seconds": self.wall_seconds,
            "photons_per_second": self.photons_per_second,
        }
