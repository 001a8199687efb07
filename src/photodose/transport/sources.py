"""Light sources for the layered-media transport: pencil, oblique and LED-like (cos^m) beams.

All sources are incident at the origin of the top surface. For a broad, laterally uniform beam
the depth tallies (A(z), Φ(z), absorption per layer, total R and T) equal the laterally
integrated tallies of the same point source, so :func:`pencil_beam` also serves for a broad
normal beam, and :func:`cosine_source` for a broad diffuse LED field.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    """A beam incident on the top surface.

    kind : "pencil" (normal collimated), "oblique" (collimated at ``angle_deg`` from the normal,
        in the ambient medium), or "cosine" (directions with radiant intensity ∝ cos^m θ).
    angle_deg : incidence angle for "oblique", 0 ≤ angle < 90 [degrees].
    m : exponent of the cos^m profile for "cosine", ≥ 0 (m = 1: Lambertian).
    """

    kind: str = "pencil"
    angle_deg: float = 0.0
    m: float = 1.0

    def __post_init__(self) -> None:
        if self.kind not in ("pencil", "oblique", "cosine"):
            raise ValueError(f"source kind {self.kind!r}: use 'pencil', 'oblique' or 'cosine'")
        if self.kind == "oblique" and not 0.0 <= self.angle_deg < 90.0:
            raise ValueError(f"oblique source angle_deg = {self.angle_deg}: use 0 ≤ angle < 90")
        if self.kind == "cosine" and not (self.m >= 0.0 and math.isfinite(self.m)):
            raise ValueError(f"cosine source m = {self.m}: use a finite m ≥ 0 (1 = Lambertian)")

    @property
    def kernel_code(self) -> tuple[int, float]:
        """(kind code, parameter) as the kernel takes them."""
        # imported here: describing a source (e.g. in a cache key) must not import Numba
        from photodose.transport.kernel import SOURCE_COSINE, SOURCE_OBLIQUE, SOURCE_PENCIL

        if self.kind == "pencil":
            return SOURCE_PENCIL, 1.0
        if self.kind == "oblique":
            return SOURCE_OBLIQUE, math.cos(math.radians(self.angle_deg))
        return SOURCE_COSINE, float(self.m)

    def describe(self) -> str:
        if self.kind == "pencil":
            return "pencil beam, normal incidence"
        if self.kind == "oblique":
            return f"collimated beam at {self.angle_deg:g}° incidence"
        return f"cos^{self.m:g} angular profile" + (" (Lambertian)" if self.m == 1 else "")


def pencil_beam() -> Source:
    """Normal, collimated pencil beam (also: a broad uniform normal beam, for depth tallies)."""
    return Source("pencil")


def oblique_beam(angle_deg: float) -> Source:
    """Collimated beam at ``angle_deg`` from the surface normal, in the ambient medium."""
    return Source("oblique", angle_deg=angle_deg)


def cosine_source(m: float = 1.0) -> Source:
    """LED-like source: radiant intensity ∝ cos^m θ about the surface normal (m = 1 Lambertian)."""
    return Source("cosine", m=m)


def cos_power_from_half_angle(half_angle_deg: float) -> float:
    """Exponent m of a cos^m emitter whose intensity halves at ``half_angle_deg``.

    m = −ln 2 / ln(cos θ½) (Moreno & Sun, Opt. Express 16:1808, 2008). A Lambertian LED
    (viewing angle 120°, θ½ = 60°) gives m = 1.
    """
    if not 0.0 < half_angle_deg < 90.0:
        raise ValueError(f"half_angle_deg = {half_angle_deg}: use 0 < θ½ < 90 degrees")
    return -math.log(2.0) / math.log(math.cos(math.radians(half_angle_deg)))
