"""``Estimate``: a low / central / high value with its provenance.

Every quantity that is built on an uncertain input (an LED power nobody publishes, a standoff
that depends on the face) is carried as three numbers. ``low`` and ``high`` are *bounding*
scenarios (each uncertain input taken at the end that lowers / raises the result), not
confidence intervals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

CONFIDENCE_ORDER: tuple[str, ...] = (
    "exact",
    "secondary",
    "derived",
    "unverified",
    "assumption",
    "not_found",
)


def weakest_confidence(*levels: str) -> str:
    """The weakest of the given confidence levels (``exact`` strongest, ``assumption`` weakest).

    A result computed from inputs is at best ``derived``.
    """
    ranks = [CONFIDENCE_ORDER.index(c) for c in levels if c in CONFIDENCE_ORDER]
    worst = max([CONFIDENCE_ORDER.index("derived"), *ranks])
    return CONFIDENCE_ORDER[worst]


@dataclass(frozen=True)
class Estimate:
    """A value as low / central / high with the reasoning behind it.

    Attributes
    ----------
    low, central, high : the bounding-low, central and bounding-high values (low ≤ central ≤ high).
    unit : unit string, e.g. ``"mW/cm2"``.
    provenance : how the number came about (inputs, sources, model).
    confidence : the weakest confidence among the inputs (see :data:`CONFIDENCE_ORDER`).
    """

    low: float
    central: float
    high: float
    unit: str = ""
    provenance: str = ""
    confidence: str = "derived"
    details: dict[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if not (self.low <= self.central <= self.high):
            raise ValueError(
                f"Estimate needs low <= central <= high, got {self.low}, {self.central}, {self.high}"
            )

    @classmethod
    def from_scenarios(
        cls,
        low: float,
        central: float,
        high: float,
        unit: str = "",
        provenance: str = "",
        confidence: str = "derived",
        details: dict[str, Any] | None = None,
    ) -> Estimate:
        """Build from three scenario results, sorting so that low ≤ central ≤ high."""
        lo = min(low, central, high)
        hi = max(low, central, high)
        return cls(lo, central, hi, unit, provenance, confidence, dict(details or {}))

    @classmethod
    def exact(cls, value: float, unit: str = "", provenance: str = "") -> Estimate:
        return cls(value, value, value, unit, provenance, "exact")

    def scale(self, factor: float, unit: str | None = None, note: str = "") -> Estimate:
        """Multiply by a certain, non-negative factor (e.g. seconds of exposure)."""
        if factor < 0:
            raise ValueError("Estimate.scale needs a non-negative factor")
        prov = f"{self.provenance}; {note}" if note else self.provenance
        return Estimate(
            self.low * factor,
            self.central * factor,
            self.high * factor,
            self.unit if unit is None else unit,
            prov,
            self.confidence,
            dict(self.details),
        )

    def __mul__(self, other: float | Estimate) -> Estimate:
        if isinstance(other, Estimate):
            return Estimate.from_scenarios(
                self.low * other.low,
                self.central * other.central,
                self.high * other.high,
                f"{self.unit}*{other.unit}",
                f"({self.provenance}) × ({other.provenance})",
                weakest_confidence(self.confidence, other.confidence),
            )
        return self.scale(float(other))

    __rmul__ = __mul__

    def __add__(self, other: Estimate) -> Estimate:
        return Estimate(
            self.low + other.low,
            self.central + other.central,
            self.high + other.high,
            self.unit,
            f"({self.provenance}) + ({other.provenance})",
            weakest_confidence(self.confidence, other.confidence),
        )

    @property
    def spread(self) -> float:
        """high / low (inf when low is 0)."""
        return self.high / self.low if self.low > 0 else float("inf")

    def to_dict(self) -> dict[str, Any]:
        return {
            "low": self.low,
            "central": self.central,
            "high": self.high,
            "unit": self.unit,
            "confidence": self.confidence,
            "provenance": self.provenance,
        }

    def __str__(self) -> str:
        return f"{self.central:.3g} ({self.low:.3g}–{self.high:.3g}) {self.unit}".rstrip()
