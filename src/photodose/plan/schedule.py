"""Plan arithmetic: the session length that lands a device's dose inside a trial window.

For a channel delivering a dose rate r [J/cm² per minute] (r = E·60/1000 for irradiance E in
mW/cm², H = E·t; Huang et al. 2009, Dose Response 7:358), the minutes that land its surface
fluence inside a studied window [H_min, H_max] are

    t ∈ [H_min / r, H_max / r].

A device only offers some lengths: its timer T (minutes), a few back-to-back runs k·T
(k = 1 … ``max_cycles``), or stopping early at any whole half-minute below T. Among those
lengths the plan takes the one inside the most channels' windows; ties go to the length whose
doses sit closest (in log ratio) to the geometric centres √(H_min·H_max) of the windows (a
window known only as "≤ H_max" has no centre: every dose up to H_max scores alike).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

STEP_MIN = 0.5
MAX_CYCLES = 3


def minutes_for_window(rate_j_cm2_per_min: float, window_j_cm2: tuple[float, float]) -> tuple[float, float]:
    """Minutes [t_min, t_max] that put H = r·t inside [H_min, H_max] (rate > 0)."""
    if not rate_j_cm2_per_min > 0:
        raise ValueError("rate_j_cm2_per_min must be > 0")
    lo, hi = window_j_cm2
    if lo < 0 or hi < lo:
        raise ValueError(f"window {window_j_cm2} must satisfy 0 ≤ min ≤ max")
    return lo / rate_j_cm2_per_min, hi / rate_j_cm2_per_min


def candidate_minutes(
    timer_min: float, max_cycles: int = MAX_CYCLES, step_min: float = STEP_MIN
) -> list[float]:
    """Session lengths a device offers: early stops on a half-minute grid below the timer, the
    timer itself, and back-to-back runs up to ``max_cycles`` × timer."""
    if not timer_min > 0:
        raise ValueError("timer_min must be > 0")
    n = math.floor(timer_min / step_min + 1e-9)
    early = [round(i * step_min, 6) for i in range(1, n + 1) if i * step_min < timer_min - 1e-9]
    return early + [timer_min * k for k in range(1, max_cycles + 1)]


@dataclass(frozen=True)
class MinutesChoice:
    minutes: float
    cycles: float  # minutes / timer
    in_window: dict[str, bool]
    position: dict[str, str]  # band -> "below" | "within" | "above"


def position(dose_j_cm2: float, window_j_cm2: tuple[float, float]) -> str:
    lo, hi = window_j_cm2
    if dose_j_cm2 < lo:
        return "below"
    if dose_j_cm2 > hi:
        return "above"
    return "within"


def choose_minutes(
    rates_j_cm2_per_min: Mapping[str, float],
    windows_j_cm2: Mapping[str, tuple[float, float]],
    timer_min: float,
    max_cycles: int = MAX_CYCLES,
) -> MinutesChoice:
    """The device-offered session length that lands the most channels inside their windows.

    ``rates`` and ``windows`` are keyed by band (only bands with both count). Without any
    window the timer itself is returned.
    """
    bands = [b for b in windows_j_cm2 if b in rates_j_cm2_per_min and rates_j_cm2_per_min[b] > 0]
    cands = candidate_minutes(timer_min, max_cycles)

    def score(t: float) -> tuple[int, float, float]:
        inside = 0
        dist = 0.0
        for b in bands:
            lo, hi = windows_j_cm2[b]
            h = rates_j_cm2_per_min[b] * t
            inside += lo <= h <= hi
            if lo > 0:
                dist += abs(math.log(h / math.sqrt(lo * hi)))
            elif h > hi > 0:  # only an upper bound is known: any dose up to it is as good
                dist += math.log(h / hi)
        return (-inside, dist, t)

    best = min(cands, key=score) if bands else timer_min
    pos = {b: position(rates_j_cm2_per_min[b] * best, windows_j_cm2[b]) for b in bands}
    return MinutesChoice(best, best / timer_min, {b: p == "within" for b, p in pos.items()}, pos)


BYDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")  # RFC 5545, in ``date.weekday()`` order
WEEKDAY_SETS: dict[int, tuple[str, ...]] = {
    1: ("MO",),
    2: ("MO", "TH"),
    3: ("MO", "WE", "FR"),
    4: ("MO", "TU", "TH", "FR"),
    5: ("MO", "TU", "WE", "TH", "FR"),
    6: ("MO", "TU", "WE", "TH", "FR", "SA"),
    7: ("MO", "TU", "WE", "TH", "FR", "SA", "SU"),
}


def weekdays_for(sessions_per_week: int) -> tuple[str, ...]:
    """Spread ``sessions_per_week`` sessions over the week (RFC 5545 BYDAY codes)."""
    if sessions_per_week not in WEEKDAY_SETS:
        raise ValueError("sessions_per_week must be 1–7")
    return WEEKDAY_SETS[sessions_per_week]


def weekday_numbers(codes: tuple[str, ...]) -> set[int]:
    """``date.weekday()`` numbers (Monday = 0) of RFC 5545 BYDAY codes."""
    return {BYDAY_CODES.index(c) for c in codes}


def photo_checkins(weeks: int, every: int = 4) -> list[int]:
    """Weeks for a photo under the same light: baseline (0), every ``every`` weeks, and the end."""
    pts = set(range(0, weeks + 1, every)) | {weeks}
    return sorted(pts)
