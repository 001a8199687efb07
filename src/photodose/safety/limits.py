"""Exposure limits the screening checks a device against.

IEC 62471:2006 §4.3.7, infrared radiation hazard exposure limit for the eye (780–3000 nm):

    E_IR ≤ 18 000 · t^-0.75  W/m²   for t ≤ 1000 s
    E_IR ≤ 100               W/m²   for t > 1000 s

(1 W/m² = 0.1 mW/cm²). Read from a third-party implementation citing the standard
(evidence.md §4, confidence: secondary); the standard's own text was not read.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


def ir_eye_limit_iec62471_mw_cm2(exposure_s: ArrayLike) -> NDArray[np.float64]:
    """IR-eye exposure limit [mW/cm²] for an exposure of ``exposure_s`` seconds (> 0)."""
    t = np.asarray(exposure_s, dtype=float)
    if np.any(t <= 0):
        raise ValueError("exposure_s must be > 0 s")
    w_m2 = np.where(t <= 1000.0, 18_000.0 * np.power(t, -0.75), 100.0)
    return np.asarray(w_m2 / 10.0, dtype=np.float64)


def in_flicker_hazard_band(pulse_hz: float, low_hz: float = 3.0, high_hz: float = 60.0) -> bool:
    """True when a pulse rate [Hz] lies in the photosensitive-seizure band [low, high]
    (Epilepsy Society UK: 3–30 Hz common, up to 60 Hz in some people; 0 Hz = continuous)."""
    return low_hz <= pulse_hz <= high_hz
