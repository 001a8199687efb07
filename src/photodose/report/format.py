"""Number and label formatting shared by the terminal summary and the HTML report."""

from __future__ import annotations

import math

from photodose.device import Estimate

VERDICT_LABELS = {
    "within_studied_range": "within the studied range",
    "below_studied_range": "below the studied range (under-dosed)",
    "above_studied_range": "above the studied range",
    "wavelength_not_studied": "wavelength not studied",
    "no_controlled_evidence": "no controlled evidence",
}


def fmt(x: float | None) -> str:
    """Three significant figures; '—' for a missing value."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    if x == 0:
        return "0"
    mag = math.floor(math.log10(abs(x)))
    digits = max(0, 2 - mag)
    return f"{x:,.{digits}f}"


def rng(e: Estimate) -> str:
    if e.low == e.high:
        return fmt(e.central)
    return f"{fmt(e.central)} ({fmt(e.low)}–{fmt(e.high)})"


def mm(cm: float | None) -> str:
    return "—" if cm is None else fmt(cm * 10)
