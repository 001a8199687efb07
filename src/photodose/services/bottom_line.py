"""The bottom line: one plain paragraph a person can act on, and the numbers behind it.

It answers three questions in order:

1. **What dose does the skin get?** The surface fluence per session of each channel,
   ``H = E · t`` (J/cm² = mW/cm² × s / 1000), central with its low–high range.
2. **How does it compare?** With the doses that controlled trials tested for each indication
   and band (the verdicts of :mod:`photodose.evidence`). A trial dose is a tested dose, not a
   minimum effective dose, and the wording never says otherwise.
3. **What to do?** The session length that reaches the lowest tested dose,
   ``t = H_min / E`` (minutes = H_min [J/cm²] × 1000 / (E [mW/cm²] × 60)), whether the device's
   timer allows it, and the irradiance a meter reading would have to show for a session on the
   device's timer to reach it, ``E* = H_min × 1000 / (60 · t_session)``: when the modelled
   irradiance range straddles ``E*``, a measurement decides the comparison.

Pure functions over what :func:`photodose.services.evaluate.evaluate` computes (no I/O beyond
the packaged evidence tables).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from photodose.device import DeviceSpec
from photodose.dose import ChannelDose
from photodose.evidence import Verdict

__all__ = [
    "BottomLine",
    "DoseTarget",
    "TimerFit",
    "bottom_line",
    "irradiance_to_reach",
    "lowest_tested",
    "minutes_to_reach",
    "timer_fit",
]

TimerFit = Literal["yes", "no", "depends", "unknown"]

SECONDS_PER_MINUTE = 60.0
MJ_PER_J = 1000.0

NOT_ADVICE = (
    "Trials tested these doses against a control; they did not establish a minimum effective "
    "dose. This is not medical advice."
)


# ------------------------------------------------------------------------------ arithmetic ----


def minutes_to_reach(dose_j_cm2: ArrayLike, irradiance_mw_cm2: ArrayLike) -> NDArray[np.float64]:
    """Session length [min] that delivers a fluence at a constant irradiance.

    ``t = H · 1000 / (E · 60)``, from the radiant exposure ``H = E · t`` (H in J/cm², E in
    mW/cm², t in s); see e.g. Huang et al. 2009, Dose Response 7(4):358–383, for the dose
    parameters of photobiomodulation. An irradiance of 0 gives ``inf``.

    Parameters
    ----------
    dose_j_cm2 : fluence to reach [J/cm²], ≥ 0
    irradiance_mw_cm2 : irradiance at the skin [mW/cm²], ≥ 0

    Returns
    -------
    numpy.ndarray
        minutes (``inf`` where the irradiance is 0)
    """
    h = np.asarray(dose_j_cm2, dtype=float)
    e = np.asarray(irradiance_mw_cm2, dtype=float)
    if np.any(h < 0) or np.any(e < 0) or np.any(~np.isfinite(h)) or np.any(np.isnan(e)):
        raise ValueError("dose_j_cm2 and irradiance_mw_cm2 must be finite and ≥ 0")
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(e > 0, h * MJ_PER_J / (np.where(e > 0, e, 1.0) * SECONDS_PER_MINUTE), np.inf)
    return np.asarray(t, dtype=float)


def irradiance_to_reach(dose_j_cm2: ArrayLike, minutes: ArrayLike) -> NDArray[np.float64]:
    """Irradiance [mW/cm²] that delivers a fluence in a session of given length.

    ``E = H · 1000 / (60 · t)`` (H in J/cm², t in minutes); the inverse of
    :func:`minutes_to_reach`.

    Parameters
    ----------
    dose_j_cm2 : fluence to reach [J/cm²], ≥ 0
    minutes : session length [min], > 0
    """
    h = np.asarray(dose_j_cm2, dtype=float)
    t = np.asarray(minutes, dtype=float)
    if np.any(h < 0) or np.any(~np.isfinite(h)) or np.any(~(t > 0)) or np.any(~np.isfinite(t)):
        raise ValueError("dose_j_cm2 must be finite and ≥ 0, minutes finite and > 0")
    return np.asarray(h * MJ_PER_J / (SECONDS_PER_MINUTE * t), dtype=float)


def timer_fit(minutes_needed: tuple[float, float, float], timer_max_min: float | None) -> TimerFit:
    """Whether the device's longest timer setting reaches a needed session length.

    ``minutes_needed`` is (fewest, central, most) minutes — the fewest at the high end of the
    irradiance range. ``"yes"``: even the most minutes fit; ``"no"``: even the fewest do not;
    ``"depends"``: the answer turns on where the true irradiance lies; ``"unknown"``: no timer.
    """
    if timer_max_min is None:
        return "unknown"
    fewest, _, most = minutes_needed
    if most <= timer_max_min * (1 + 1e-9):
        return "yes"
    if fewest > timer_max_min * (1 + 1e-9):
        return "no"
    return "depends"


# ------------------------------------------------------------------------------- evidence ----


@dataclass(frozen=True)
class LowestTested:
    """The lowest per-session fluence a controlled trial tested, for one indication and band."""

    value_j_cm2: float
    at_most: bool  # reported only as a maximum ("≤ value"): that trial's dose was at most this
    citation: str


def lowest_tested(verdict: Verdict) -> LowestTested | None:
    """Lowest tested fluence per session [J/cm²] behind a verdict, with its citation.

    Uses ``photodose.evidence.windows.lowest_tested(indication, band)`` (bounds kept as bounds:
    a dose reported only as "≤ X" gives X, flagged ``at_most``) where the evidence layer
    provides it; otherwise the smallest value of the verdict's studied fluence window.
    ``None`` when no controlled trial reported a usable fluence for the indication and band.
    """
    import photodose.evidence.windows as windows

    structured = getattr(windows, "lowest_tested", None)
    if structured is not None and verdict.band is not None:
        t = structured(verdict.indication, verdict.band)
        if t is None:
            return None
        return LowestTested(float(t.value_j_cm2), t.bound == "at_most", str(t.citation))
    win = verdict.window.fluence_j_cm2 if verdict.window is not None else None
    if win is None or not win.values:
        return None
    # a "≤ X" value says the trial gave at most X: reaching X reaches that trial's dose
    keyed = [(v.high if v.qualifier == "at_most" else v.low, v) for v in win.values]
    value, used = min(keyed, key=lambda kv: (kv[0], kv[1].qualifier == "at_most"))
    citation = next((c for c in verdict.citations if c.startswith(used.study_label)), used.study_label)
    return LowestTested(float(value), used.qualifier == "at_most", citation)


# ---------------------------------------------------------------------------- the answer ----


@dataclass(frozen=True)
class DoseTarget:
    """What it takes to reach the lowest tested dose for one indication and band."""

    indication: str
    indication_name: str
    band: str
    band_name: str
    verdict: str
    uncertain: bool
    fluence_j_cm2: tuple[float, float, float]
    irradiance_mw_cm2: tuple[float, float, float]
    lowest_tested_j_cm2: float
    lowest_tested_at_most: bool
    citation: str
    minutes_needed: tuple[float, float, float]  # (fewest, central, most)
    timer_max_min: float | None
    timer_fit: TimerFit
    meter_threshold_mw_cm2: float  # face-mean irradiance at which one timed session reaches it
    meter_decides: bool  # the modelled irradiance range straddles the threshold

    def to_dict(self) -> dict[str, Any]:
        return {
            "indication": self.indication,
            "indication_name": self.indication_name,
            "band": self.band,
            "band_name": self.band_name,
            "verdict": self.verdict,
            "uncertain": self.uncertain,
            "fluence_j_cm2": _lch(self.fluence_j_cm2),
            "irradiance_mw_cm2": _lch(self.irradiance_mw_cm2),
            "lowest_tested_j_cm2": self.lowest_tested_j_cm2,
            "lowest_tested_reported_as_at_most": self.lowest_tested_at_most,
            "lowest_tested_citation": self.citation,
            "minutes_needed": _lch(self.minutes_needed),
            "timer_max_min": self.timer_max_min,
            "timer_allows": self.timer_fit,
            "meter_threshold_mw_cm2": self.meter_threshold_mw_cm2,
            "meter_reading_decides": self.meter_decides,
        }


def _lch(t: tuple[float, float, float]) -> dict[str, float | None]:
    return {k: (v if math.isfinite(v) else None) for k, v in zip(("low", "central", "high"), t, strict=True)}


@dataclass(frozen=True)
class BottomLine:
    """The paragraph and its parts (each sentence is also kept on its own)."""

    dose: str
    comparison: str
    action: str
    meter: str
    caveat: str
    targets: tuple[DoseTarget, ...] = ()
    no_tested_dose: tuple[str, ...] = ()
    calibrated_to_meter: bool = False

    @property
    def paragraph(self) -> str:
        return " ".join(s for s in (self.dose, self.comparison, self.action, self.meter, self.caveat) if s)

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.paragraph,
            "dose": self.dose,
            "comparison": self.comparison,
            "action": self.action,
            "meter": self.meter,
            "caveat": self.caveat,
            "calibrated_to_meter": self.calibrated_to_meter,
            "targets": [t.to_dict() for t in self.targets],
            "no_tested_dose": list(self.no_tested_dose),
        }


def _g(x: float) -> str:
    """Two significant figures for prose (a range's ends need no more)."""
    if not math.isfinite(x):
        return "∞"
    if x == 0:
        return "0"
    mag = math.floor(math.log10(abs(x)))
    digits = max(0, 1 - mag)
    return f"{x:,.{digits}f}"


def _minutes(x: float) -> str:
    if not math.isfinite(x):
        return "no finite time"
    if x >= 600:
        return f"{x / 60:.0f} h"
    return f"{_g(x)} min"


def _span(t: tuple[float, float, float], unit: str) -> str:
    lo, c, hi = t
    if math.isclose(lo, hi, rel_tol=1e-6):
        return f"{_g(c)} {unit}"
    return f"{_g(c)} {unit} (range {_g(lo)}–{_g(hi)})"


def _timer_max(device: DeviceSpec, channels: Sequence[str]) -> float | None:
    """Longest timer setting among the device's modes that run these channels [min]."""
    best: float | None = None
    for m in device.modes:
        if m.timer_min is None or not m.timer_min.usable:
            continue
        if channels and not set(channels) & set(m.channels):
            continue
        t = m.timer_min.pick("high")
        best = t if best is None else max(best, t)
    return best


_POSITION = {
    "below_studied_range": "below the doses tested",
    "within_studied_range": "within the doses tested",
    "above_studied_range": "above the doses tested",
}


def _channels_in(verdict: Verdict, doses: Sequence[ChannelDose]) -> list[str]:
    wls = set(round(w, 3) for w in verdict.wavelengths_nm)
    return [d.channel for d in doses if round(d.wavelength_nm, 3) in wls]


def _target(
    v: Verdict,
    low: LowestTested,
    doses: Sequence[ChannelDose],
    device: DeviceSpec,
    session_minutes: float,
) -> DoseTarget:
    f = v.fluence_j_cm2
    if v.irradiance_mw_cm2 is not None:
        e = v.irradiance_mw_cm2
    else:  # the verdict carries no irradiance: back it out of the fluence of one session
        lo_e, c_e, hi_e = irradiance_to_reach(np.asarray(f), session_minutes)
        e = (float(lo_e), float(c_e), float(hi_e))
    fewest, central, most = (float(x) for x in minutes_to_reach(low.value_j_cm2, [e[2], e[1], e[0]]))
    needed = (fewest, central, most)
    tmax = _timer_max(device, _channels_in(v, doses))
    threshold = float(irradiance_to_reach(low.value_j_cm2, session_minutes))
    return DoseTarget(
        indication=v.indication,
        indication_name=v.indication_name,
        band=v.band or "",
        band_name=v.band_name,
        verdict=v.verdict,
        uncertain=v.uncertain,
        fluence_j_cm2=(float(f[0]), float(f[1]), float(f[2])),
        irradiance_mw_cm2=(float(e[0]), float(e[1]), float(e[2])),
        lowest_tested_j_cm2=low.value_j_cm2,
        lowest_tested_at_most=low.at_most,
        citation=low.citation,
        minutes_needed=needed,
        timer_max_min=tmax,
        timer_fit=timer_fit(needed, tmax),
        meter_threshold_mw_cm2=threshold,
        meter_decides=e[0] < threshold <= e[2],
    )


def _chan(name: str) -> str:
    return "NIR" if name.lower() == "nir" else name


def _short_band(name: str) -> str:
    return "NIR" if name.lower().startswith("near-infrared") else name


def _label(t: DoseTarget) -> str:
    return f"{t.indication_name} with {_short_band(t.band_name)} light"


def _cite_short(citation: str) -> str:
    return citation.split(",")[0].strip()


def bottom_line(
    device: DeviceSpec,
    doses: Sequence[ChannelDose],
    verdicts: Sequence[Verdict],
    session_minutes: float,
    *,
    calibrated_to_meter: bool = False,
) -> BottomLine:
    """The bottom line of an evaluation (see the module docstring for the arithmetic).

    Parameters
    ----------
    device : the device (its timers bound what a session can be)
    doses : per-channel doses of one session (surface fluence and irradiance, low/central/high)
    verdicts : the verdicts against the controlled trials, per indication and band
    session_minutes : the session length the doses were computed for [min]
    calibrated_to_meter : the irradiance comes from the person's meter reading
    """
    if not doses:
        raise ValueError("doses: empty; evaluate at least one channel")
    # 1. the dose
    parts = [
        f"{_g(d.surface_fluence_j_cm2.central)} J/cm² of {_chan(d.channel)} ({_g(d.wavelength_nm)} nm)"
        for d in doses
    ]
    f0 = doses[0].surface_fluence_j_cm2
    same = all(
        math.isclose(d.surface_fluence_j_cm2.low, f0.low)
        and math.isclose(d.surface_fluence_j_cm2.high, f0.high)
        for d in doses
    )
    if same:
        rng = f"range {_g(f0.low)}–{_g(f0.high)} J/cm²" + (" each" if len(doses) > 1 else "")
    else:
        rng = "; ".join(
            f"{_chan(d.channel)} {_g(d.surface_fluence_j_cm2.low)}–{_g(d.surface_fluence_j_cm2.high)}"
            for d in doses
        )
        rng = "ranges " + rng + " J/cm²"
    width = max(d.surface_fluence_j_cm2.high / max(d.surface_fluence_j_cm2.low, 1e-300) for d in doses)
    if calibrated_to_meter:
        why = "calibrated to your meter reading"
    elif width > 3:
        why = "wide because the light output of this device is not published and is assumed"
    else:
        why = "from the device's published figures"
    dose = (
        f"Your skin gets about {_join(parts)} per {_g(session_minutes)}-minute session at the surface "
        f"({rng}; {why})."
    )

    # 2. the comparison and 3. what it takes
    targets: list[DoseTarget] = []
    untested: list[str] = []
    for v in verdicts:
        low = lowest_tested(v) if v.verdict in _POSITION else None
        if low is None or low.value_j_cm2 <= 0:
            if v.verdict != "wavelength_not_studied" and v.indication_name not in untested:
                untested.append(v.indication_name)
            continue
        targets.append(_target(v, low, doses, device, session_minutes))
    tested_inds = {t.indication_name for t in targets}
    untested = [u for u in untested if u not in tested_inds]

    groups: dict[tuple[str, bool], dict[str, list[str]]] = {}
    for t in targets:
        by_ind = groups.setdefault((t.verdict, t.uncertain), {})
        by_ind.setdefault(t.indication_name, []).append(_short_band(t.band_name))
    comp_bits = []
    for (verdict, uncertain), by_ind in groups.items():
        labels = _join([f"{ind} ({', '.join(bands)})" for ind, bands in by_ind.items()])
        bit = f"{_POSITION[verdict]} for {labels}"
        if uncertain:
            bit += " at the central value, but uncertain: the dose range crosses a tested dose"
        comp_bits.append(bit)
    if comp_bits:
        comparison = (
            "Against the doses that controlled trials tested per session, it is " + "; ".join(comp_bits) + "."
        )
    else:
        comparison = (
            "No controlled trial in photodose's evidence table reported a dose in this device's "
            "wavelength bands, so there is no tested dose to compare with."
        )
    if untested and comp_bits:
        comparison += f" For {_join(untested)} no controlled trial reported a usable dose in these bands."

    action = ""
    meter = ""
    below = [t for t in targets if t.verdict == "below_studied_range" or t.uncertain]
    if below:
        best = min(below, key=lambda t: t.minutes_needed[1])
        lo_m, c_m, hi_m = best.minutes_needed
        q = "≤ " if best.lowest_tested_at_most else ""
        action = (
            f"To reach the lowest dose tested for {_label(best)} ({q}{_g(best.lowest_tested_j_cm2)} J/cm², "
            f"{_cite_short(best.citation)}) a session would need about {_minutes(c_m)} "
            f"(range {_minutes(lo_m)} to {_minutes(hi_m)})"
        )
        tm = best.timer_max_min
        if best.timer_fit == "yes":
            action += f"; the device's {_g(tm or 0)}-minute timer allows that."
        elif best.timer_fit == "no":
            action += f", longer than the device's longest timer setting ({_g(tm or 0)} min)."
        elif best.timer_fit == "depends":
            action += (
                f"; whether the device's {_g(tm or 0)}-minute timer allows that depends on its "
                "true light output."
            )
        else:
            action += "; the device's timer length is not known."
        others = [t for t in below if t is not best]
        if others:
            action += (
                " The other indications need "
                + "; ".join(f"{_label(t)} about {_minutes(t.minutes_needed[1])}" for t in others)
                + "."
            )
        e_lo, _, e_hi = best.irradiance_mw_cm2
        if calibrated_to_meter:
            meter = (
                f"With your meter reading the skin irradiance is {_g(best.irradiance_mw_cm2[1])} "
                f"mW/cm² (range {_g(e_lo)}–{_g(e_hi)}); {_g(best.meter_threshold_mw_cm2)} mW/cm² "
                f"would reach that dose in {_g(session_minutes)} minutes."
            )
        elif best.meter_decides:
            meter = (
                "A meter reading would settle it: at a face-mean irradiance of "
                f"{_g(best.meter_threshold_mw_cm2)} mW/cm² or more, a {_g(session_minutes)}-minute "
                f"session reaches that dose; the model's range ({_g(e_lo)}–{_g(e_hi)} mW/cm²) contains "
                "that threshold, so a measurement decides the comparison (give it with "
                "--meter-reading, --meter-distance-cm and --meter-model)."
            )
        else:
            what = (
                "replace the assumed light output with a measured one"
                if width > 3
                else "check the published figure"
            )
            short = " — even the top of that range falls short" if e_hi < best.meter_threshold_mw_cm2 else ""
            meter = (
                f"A meter reading would {what}: a {_g(session_minutes)}-minute session would need "
                f"{_g(best.meter_threshold_mw_cm2)} mW/cm² at the skin to reach that dose (the model gives "
                f"{_g(e_lo)}–{_g(e_hi)}{short})."
            )
    elif targets:
        within = [_label(t) for t in targets if t.verdict == "within_studied_range"]
        above = [_label(t) for t in targets if t.verdict == "above_studied_range"]
        bits = []
        if within:
            bits.append("reaches the doses tested for " + _join(within))
        if above:
            bits.append("exceeds the highest doses tested for " + _join(above))
        action = (
            "The device's session already "
            + " and ".join(bits)
            + "; a longer session is not a better one (the dose response of light is biphasic: past an "
            "optimum, more light is not better; Huang et al. 2009, Dose Response 7(4):358–383)."
        )
        if not calibrated_to_meter and width > 3:
            meter = (
                "A meter reading would confirm this: the modelled irradiance rests on assumptions "
                "(give it with --meter-reading)."
            )
    return BottomLine(
        dose=dose,
        comparison=comparison,
        action=action,
        meter=meter,
        caveat=NOT_ADVICE,
        targets=tuple(targets),
        no_tested_dose=tuple(untested),
        calibrated_to_meter=calibrated_to_meter,
    )


def _join(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
