"""The bottom line: a one-sentence headline and a few short labelled points a person can act on,
and the numbers behind them.

The points ("Dose", "Versus trials", "What to do", "The maker's figure", "Note") answer in order:

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
4. **What does the box say?** Where a stated irradiance or dose (``[[stated]]`` in the device
   file, compared by :func:`photodose.device.stated.compare_stated`) disagrees with the model —
   outside its face-average range, or not a face average by the energy budget
   (:mod:`photodose.device.budget`) — the dose each reading gives in one session (``H = E · t``),
   the verdict at each, which is more credible and why (the budget's classification, or a meter
   reading, which outranks both), and how a meter reading at the skin settles it.

Pure functions over what :func:`photodose.services.evaluate.evaluate` computes (no I/O beyond
the packaged evidence tables).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from photodose.device import DeviceSpec
from photodose.dose import ChannelDose
from photodose.evidence import Verdict
from photodose.hints import ENTER_METER_READING, SAY_METER_POSITION, Hint

__all__ = [
    "BottomLine",
    "DoseTarget",
    "Hint",
    "Point",
    "StatedReading",
    "TimerFit",
    "bottom_line",
    "irradiance_to_reach",
    "lowest_tested",
    "minutes_to_reach",
    "session_dose",
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


# the hint type and its face-neutral phrases live in the leaf module photodose.hints (models use them too)


@dataclass(frozen=True)
class Point:
    """One labelled point of the bottom line (``key`` is stable; ``label`` is for people)."""

    key: str  # "dose" | "trials" | "action" | "stated" | "caveat"
    label: str
    text: str
    hints: tuple[Hint, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "text": self.text,
            "hints": [h.to_dict() for h in self.hints],
        }


@dataclass(frozen=True)
class StatedReading:
    """A stated figure that disagrees with the model, read for one channel: the dose per session
    and the verdicts at the stated figure and at the model's (or the meter's) face average."""

    channel: str
    wavelength_nm: float
    stated_mw_cm2: float
    stated_text: str
    stated_by: str
    classification: str  # budget: face_average | peak_only | implausible
    more_credible: str  # stated | modelled | both | measured
    minutes: float
    dose_at_stated_j_cm2: float
    modelled_mw_cm2: tuple[float, float, float]
    dose_at_modelled_j_cm2: float
    verdicts_at_stated: tuple[tuple[str, str], ...]  # (indication name, verdict)
    verdicts_at_modelled: tuple[tuple[str, str], ...]
    total_of: str = ""  # a figure stated for several channels together, split as the model splits it

    def to_dict(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "wavelength_nm": self.wavelength_nm,
            "stated_mw_cm2": self.stated_mw_cm2,
            "stated_text": self.stated_text,
            "stated_by": self.stated_by,
            "classification": self.classification,
            "more_credible": self.more_credible,
            "minutes": self.minutes,
            "dose_at_stated_j_cm2": self.dose_at_stated_j_cm2,
            "modelled_mw_cm2": _lch(self.modelled_mw_cm2),
            "dose_at_modelled_j_cm2": self.dose_at_modelled_j_cm2,
            "verdicts_at_stated": [{"indication": i, "verdict": v} for i, v in self.verdicts_at_stated],
            "verdicts_at_modelled": [{"indication": i, "verdict": v} for i, v in self.verdicts_at_modelled],
            "share_of_total": self.total_of or None,
        }


@dataclass(frozen=True)
class BottomLine:
    """A one-sentence headline and a few short labelled points, and the numbers behind them.

    ``dose``, ``comparison``, ``action`` + ``meter`` and ``stated`` are the texts of the points
    "Dose", "Versus trials", "What to do" and "The maker's figure" (empty when there is nothing
    to say); ``paragraph`` is the headline followed by the points, as one string.
    """

    dose: str
    comparison: str
    action: str
    meter: str
    caveat: str
    targets: tuple[DoseTarget, ...] = ()
    no_tested_dose: tuple[str, ...] = ()
    calibrated_to_meter: bool = False
    headline: str = ""
    stated: str = ""
    stated_label: str = "The maker's figure"
    stated_readings: tuple[StatedReading, ...] = ()
    hints: tuple[Hint, ...] = ()

    @property
    def points(self) -> tuple[Point, ...]:
        """The labelled points, in reading order (empty ones left out), each with its hints."""
        what_to_do = " ".join(s for s in (self.action, self.meter) if s)
        pts = (
            ("dose", "Dose", self.dose),
            ("trials", "Versus trials", self.comparison),
            ("action", "What to do", what_to_do),
            ("stated", self.stated_label, self.stated),
            ("caveat", "Note", self.caveat),
        )
        return tuple(
            Point(key, label, text, tuple(h for h in self.hints if h.point == key))
            for key, label, text in pts
            if text
        )

    @property
    def stated_disagrees(self) -> bool:
        """A stated irradiance or dose disagrees with the model (or the meter)."""
        return bool(self.stated_readings)

    @property
    def paragraph(self) -> str:
        """Headline, then each point as "Label: text." — the whole bottom line as one string."""
        return " ".join([self.headline, *(f"{p.label}: {p.text}" for p in self.points)]).strip()

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.paragraph,
            "headline": self.headline,
            "points": [p.to_dict() for p in self.points],
            "dose": self.dose,
            "comparison": self.comparison,
            "action": self.action,
            "meter": self.meter,
            "stated": self.stated,
            "stated_disagrees": self.stated_disagrees,
            "stated_readings": [r.to_dict() for r in self.stated_readings],
            "caveat": self.caveat,
            "calibrated_to_meter": self.calibrated_to_meter,
            "hints": [h.to_dict() for h in self.hints],
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
    if x >= 120:
        return f"{_g(x / 60)} h"
    return f"{_g(x)} min"


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
_WORD = {"below_studied_range": "below", "within_studied_range": "within", "above_studied_range": "above"}
_EVERY = {
    "below_studied_range": "below every tested dose",
    "within_studied_range": "within the tested doses",
    "above_studied_range": "above every tested dose",
}


def _channels_in(verdict: Verdict, doses: Sequence[ChannelDose]) -> list[str]:
    wls = set(round(w, 3) for w in verdict.wavelengths_nm)
    return [d.channel for d in doses if round(d.wavelength_nm, 3) in wls]


def _window_rests_on_null_trials_only(v: Verdict) -> bool:
    """True when every trial setting the verdict's tested dose found no effect for its indication."""
    from photodose.evidence import load_evidence

    r = None if v.window is None else v.window.fluence_j_cm2
    trials = list(r.rests_on) if r is not None else []
    if not trials:
        return False
    ev = load_evidence()
    return all(ev.study(s).direction_for(v.indication) == "null" for s in trials)


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


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _join(items: Sequence[str], word: str = "and") -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {word} " + items[-1]


# ------------------------------------------------------------------------ the points ----


def _dose_point(
    doses: Sequence[ChannelDose], session_minutes: float, calibrated_to_meter: bool
) -> tuple[str, str, float]:
    """(the "Dose" point, the short dose for the headline, the widest high/low ratio)."""
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
        rng = "ranges " + "; ".join(
            f"{_chan(d.channel)} {_g(d.surface_fluence_j_cm2.low)}–{_g(d.surface_fluence_j_cm2.high)}"
            for d in doses
        )
        rng += " J/cm²"
    width = max(d.surface_fluence_j_cm2.high / max(d.surface_fluence_j_cm2.low, 1e-300) for d in doses)
    if calibrated_to_meter:
        why = "calibrated to your meter reading"
    elif width > 3:
        why = "wide: the light output is not published, so it is assumed"
    else:
        why = "from the device's published figures"
    point = f"{_cap(_join(parts))} per session at the skin's surface ({rng}; {why})."
    centrals = [_g(d.surface_fluence_j_cm2.central) for d in doses]
    names = [_chan(d.channel) for d in doses]
    if len(doses) == 1:
        short = f"{centrals[0]} J/cm² of {names[0]} light"
    elif len(set(centrals)) == 1:
        short = f"{centrals[0]} J/cm² each of {_join(names)} light"
    elif len(doses) == 2:
        short = f"{centrals[0]} J/cm² of {names[0]} and {centrals[1]} J/cm² of {names[1]} light"
    else:
        vals = [d.surface_fluence_j_cm2.central for d in doses]
        short = f"{_g(min(vals))}–{_g(max(vals))} J/cm² per colour"
    return point, short, width


def _tag(t: DoseTarget) -> str:
    return f"{t.indication_name} ({_short_band(t.band_name)})"


def _group_labels(ts: Sequence[DoseTarget]) -> str:
    """ "wrinkles/fine lines, elasticity/firmness (red)" or "A (red, NIR) and B (red)"."""
    by_ind: dict[str, list[str]] = {}
    for t in ts:
        by_ind.setdefault(t.indication_name, []).append(_short_band(t.band_name))
    band_sets = {tuple(b) for b in by_ind.values()}
    if len(band_sets) == 1:
        return f"{_join(list(by_ind))} ({', '.join(next(iter(band_sets)))})"
    return _join([f"{ind} ({', '.join(b)})" for ind, b in by_ind.items()])


def _trials_point(targets: Sequence[DoseTarget], untested: Sequence[str]) -> str:
    """The "Versus trials" point: position per verdict, uncertainty said once."""
    if not targets:
        return (
            "No controlled trial in photodose's evidence table reported a dose in this device's "
            "wavelength bands, so there is no tested dose to compare with."
        )
    groups: dict[str, list[DoseTarget]] = {}
    for t in targets:
        groups.setdefault(t.verdict, []).append(t)
    bits = []
    for i, (verdict, ts) in enumerate(groups.items()):
        pos = _POSITION[verdict] if i == 0 else f"{_WORD[verdict]} them"
        bits.append(f"{pos} for {_group_labels(ts)}")
    text = _cap("; ".join(bits)) + "."
    unsure = [t for t in targets if t.uncertain]
    sure = [t for t in targets if not t.uncertain]
    why = "the dose range crosses a tested dose"
    if unsure and not sure:
        text += f" {'Each is' if len(targets) > 1 else 'This is'} uncertain: {why}."
    elif unsure and len(sure) < len(unsure):
        text += f" All but {_join([_tag(t) for t in sure])} are uncertain: {why}."
    elif unsure:
        text += f" Uncertain for {_join([_tag(t) for t in unsure])}: {why}."
    if untested:
        text += f" No controlled trial reported a usable dose for {_join(untested, 'or')} in these bands."
    return text


def _headline_verdict(targets: Sequence[DoseTarget], calibrated: bool, wide: bool) -> str:
    """The verdict part of the headline: ", mostly below the doses controlled trials tested …"."""
    if not targets:
        return ", and no controlled trial in photodose's table tested a dose in its bands"
    counts: dict[str, int] = {}
    for t in targets:
        counts[t.verdict] = counts.get(t.verdict, 0) + 1
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    top, n_top = ranked[0]
    if len(ranked) == 1:
        s = f", {_WORD[top]} the doses controlled trials tested"
    elif n_top > ranked[1][1]:
        s = f", mostly {_WORD[top]} the doses controlled trials tested"
    else:
        s = (
            ", "
            + " or ".join(_WORD[v] for v, _ in ranked)
            + " the doses controlled trials tested, by indication"
        )
    if any(t.uncertain for t in targets):
        if calibrated:
            s += " (uncertain: near a tested dose)"
        elif wide:
            s += " (uncertain: its light output is not published)"
        else:
            s += " (uncertain: the dose range crosses a tested dose)"
    return s


def verdicts_at_dose(
    wavelength_nm: float, fluence_j_cm2: float, irradiance_mw_cm2: float, sessions_per_week: float | None
) -> list[Verdict]:
    """The verdicts at one exact dose per session (no low/high range)."""
    from photodose.device.estimate import Estimate
    from photodose.evidence import verdicts_for_device

    return verdicts_for_device(
        [
            (
                wavelength_nm,
                Estimate.exact(fluence_j_cm2, "J/cm2"),
                Estimate.exact(irradiance_mw_cm2, "mW/cm2"),
            )
        ],
        sessions_per_week,
    )


def _reading_verdicts(
    wavelength_nm: float, fluence_j_cm2: float, irradiance_mw_cm2: float, sessions_per_week: float | None
) -> tuple[tuple[str, str], ...]:
    """Verdicts at one exact dose per session (indications with a tested dose only)."""
    vs = verdicts_at_dose(wavelength_nm, fluence_j_cm2, irradiance_mw_cm2, sessions_per_week)
    return tuple((v.indication_name, str(v.verdict)) for v in vs if v.verdict in _POSITION)


def _verdict_phrase(vs: Sequence[tuple[str, str]], again: bool = False) -> str:
    """ "above every tested dose", or per indication where they differ; ``again``: "them"."""
    if not vs:
        return "with no tested dose to compare"
    kinds = {v for _, v in vs}
    if len(kinds) == 1:
        k = next(iter(kinds))
        return (_WORD[k] + " them") if again and k != "within_studied_range" else _EVERY[k]
    by: dict[str, list[str]] = {}
    for ind, v in vs:
        by.setdefault(v, []).append(ind)
    return ", ".join(
        f"{_WORD[v]} {'them' if i else 'the tested doses'} for {_join(inds)}"
        for i, (v, inds) in enumerate(by.items())
    )


def _disagrees(row: Mapping[str, Any], calibrated: bool) -> bool:
    """A stated figure disagrees with the model: outside its face-average range, or the energy
    budget says it cannot be a face average, or (with a meter) outside the measured range."""
    if row["classification"] != "face_average":
        return True
    ref = row["measured_mw_cm2"] if calibrated and row.get("measured_mw_cm2") else row["modelled_mean_mw_cm2"]
    e = float(row["stated_mw_cm2"])
    return not (ref["low"] * (1 - 1e-9) <= e <= ref["high"] * (1 + 1e-9))


def _per_channel_rows(rows: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """One stated figure per channel: irradiances before doses, a total only for channels no
    single-channel figure covers."""
    chosen: dict[str, Mapping[str, Any]] = {}
    for r in sorted(rows, key=lambda r: (len(r["channels"]) > 1, r["quantity"] != "irradiance")):
        if len(r["channels"]) == 1:
            chosen.setdefault(r["channels"][0], r)
    out = list(chosen.values())
    for r in rows:
        if len(r["channels"]) > 1 and not set(r["channels"]) <= set(chosen):
            out.append(r)
    return out


def _fig(row: Mapping[str, Any]) -> str:
    """A stated figure as stated: "73 ± 5 mW/cm²", "13 J/cm² per 3 min (72 mW/cm²)"."""
    pm = f" ± {row['plus_minus']:g}" if row.get("plus_minus") else ""
    if row["quantity"] == "irradiance":
        s = f"{_g(row['stated_value'])}{pm} mW/cm²"
    else:
        e = _g(row["stated_mw_cm2"])
        s = f"{_g(row['stated_value'])}{pm} J/cm² per {_g(row['minutes'])} min ({e} mW/cm²)"
    return s


def _is_maker(device: DeviceSpec, row: Mapping[str, Any]) -> bool:
    maker = device.identity.maker.split("(")[0].strip().lower()
    by = str(row["stated_by"]).lower()
    return bool(maker) and (by.startswith(maker) or by.startswith(maker.split()[0]))


def _readings(
    device: DeviceSpec,
    doses: Sequence[ChannelDose],
    rows: Sequence[Mapping[str, Any]],
    verdicts: Sequence[Verdict],
    session_minutes: float,
    sessions_per_week: float | None,
    calibrated: bool,
) -> list[StatedReading]:
    """Each disagreeing stated figure, split per channel as the model splits its mean."""
    by_ch = {d.channel: d for d in doses}
    out: list[StatedReading] = []
    for r in rows:
        chans = [c for c in r["channels"] if c in by_ch]
        if not chans:
            continue
        total = sum(by_ch[c].irradiance_mw_cm2.central for c in chans)
        for c in chans:
            d = by_ch[c]
            share = d.irradiance_mw_cm2.central / total if total > 0 else 1.0 / len(chans)
            e_st = float(r["stated_mw_cm2"]) * share
            # the dose at the stated figure over the session evaluated (a stated dose is an irradiance
            # held for its own minutes; the comparison is per session of the same length)
            h_st = float(session_dose(e_st, session_minutes))
            e_mod = d.irradiance_mw_cm2
            wls = round(d.wavelength_nm, 3)
            at_model = tuple(
                (v.indication_name, str(v.verdict))
                for v in verdicts
                if v.verdict in _POSITION and wls in {round(w, 3) for w in v.wavelengths_nm}
            )
            out.append(
                StatedReading(
                    channel=c,
                    wavelength_nm=d.wavelength_nm,
                    stated_mw_cm2=e_st,
                    stated_text=_fig(r) if len(chans) == 1 else f"{_g(e_st)} mW/cm²",
                    stated_by=str(r["stated_by"]),
                    classification=str(r["classification"]),
                    more_credible=str(r["more_credible"]),
                    minutes=session_minutes,
                    dose_at_stated_j_cm2=h_st,
                    modelled_mw_cm2=(e_mod.low, e_mod.central, e_mod.high),
                    dose_at_modelled_j_cm2=d.surface_fluence_j_cm2.central,
                    verdicts_at_stated=_reading_verdicts(d.wavelength_nm, h_st, e_st, sessions_per_week),
                    verdicts_at_modelled=at_model,
                    total_of="" if len(chans) == 1 else f"{_fig(r)} for {'+'.join(map(_chan, chans))}",
                )
            )
    return out


def session_dose(irradiance_mw_cm2: ArrayLike, minutes: ArrayLike) -> NDArray[np.float64]:
    """Fluence per session [J/cm²] of an irradiance held for ``minutes``: ``H = E · t · 60 / 1000``."""
    e = np.asarray(irradiance_mw_cm2, dtype=float)
    t = np.asarray(minutes, dtype=float)
    return np.asarray(e * t * SECONDS_PER_MINUTE / MJ_PER_J, dtype=float)


_CREDIBLE = {
    "peak_only": "can only be {a} peak over one LED or {a} contact reading, not {a} face average",
    "implausible": "is beyond what the LEDs could give even over one LED",
}


def _reading_sentences(readings: Sequence[StatedReading], whose: str, ref: str) -> list[str]:
    """The verdict at each reading; readings with the same verdict at the stated figure share
    one sentence ("At the maker's 26 mW/cm² (red) and 24 mW/cm² (NIR), 20 min is 31 and 29 J/cm², …")."""
    groups: dict[str, list[StatedReading]] = {}
    totals: dict[str, list[StatedReading]] = {}
    for rd in readings:
        if rd.total_of:
            totals.setdefault(rd.total_of, []).append(rd)
        else:
            groups.setdefault(_verdict_phrase(rd.verdicts_at_stated), []).append(rd)
    out = [_total_sentence(fig, rds, whose, ref) for fig, rds in totals.items()]
    for at_stated, rds in groups.items():
        figs = _join([f"{rd.stated_text} ({_chan(rd.channel)})" for rd in rds])
        doses = _join([_g(rd.dose_at_stated_j_cm2) for rd in rds])
        minutes = _g(rds[0].minutes)
        mods = {(_g(rd.modelled_mw_cm2[1]), _g(rd.dose_at_modelled_j_cm2)) for rd in rds}
        if len(mods) == 1:
            e_m, h_m = next(iter(mods))
            model = f"{ref} ({e_m} mW/cm², {h_m} J/cm²{' each' if len(rds) > 1 else ''})"
        else:
            model = (
                f"{ref} ("
                + "; ".join(
                    f"{_chan(rd.channel)} {_g(rd.modelled_mw_cm2[1])} mW/cm², "
                    f"{_g(rd.dose_at_modelled_j_cm2)} J/cm²"
                    for rd in rds
                )
                + ")"
            )
        at_models = [_verdict_phrase(rd.verdicts_at_modelled, again=True) for rd in rds]
        if len(set(at_models)) == 1:
            same = _verdict_phrase(rds[0].verdicts_at_modelled) == at_stated
            at_model = ("also " if same else "") + at_models[0]
        else:
            at_model = _join([f"{ph} for {_chan(rd.channel)}" for ph, rd in zip(at_models, rds, strict=True)])
        out.append(f"At {whose} {figs}, {minutes} min is {doses} J/cm², {at_stated}; at {model}, {at_model}.")
    return out


def _total_sentence(fig: str, rds: Sequence[StatedReading], whose: str, ref: str) -> str:
    """One figure stated for several channels together: split as the model splits its light."""
    split = " + ".join(f"{rd.stated_text.split()[0]} {_chan(rd.channel)}" for rd in rds)
    doses = {_g(rd.dose_at_stated_j_cm2) for rd in rds}
    dose = (
        f"{next(iter(doses))} J/cm² per channel"
        if len(doses) == 1
        else _join([f"{_g(rd.dose_at_stated_j_cm2)} J/cm² {_chan(rd.channel)}" for rd in rds])
    )
    at_st = "; ".join(f"{_chan(rd.channel)} {_verdict_phrase(rd.verdicts_at_stated)}" for rd in rds)
    at_mod = "; ".join(f"{_chan(rd.channel)} {_verdict_phrase(rd.verdicts_at_modelled)}" for rd in rds)
    mods = _join([f"{_g(rd.modelled_mw_cm2[1])} mW/cm² {_chan(rd.channel)}" for rd in rds])
    return (
        f"At {whose} {fig} (taken as {split}, the model's split), {_g(rds[0].minutes)} min is {dose}: "
        f"{at_st}. "
        f"At {ref} ({mods}): {at_mod}."
    )


def _stated_point(
    device: DeviceSpec,
    rows: Sequence[Mapping[str, Any]],
    readings: Sequence[StatedReading],
    calibrated: bool,
) -> tuple[str, str]:
    """(label, text) of "The maker's figure": the verdict at each reading, which is more credible
    and why (the budget's classification, in one clause), and how a meter reading settles it."""
    if not rows:
        return "The maker's figure", ""
    maker = all(_is_maker(device, r) for r in rows)
    label = "The maker's figure" if maker else "The stated figure"
    whose = "the maker's" if maker else "the stated"
    if not readings:
        shown = _per_channel_rows(rows)
        what = "your meter reading" if calibrated else "the model's face average"

        def ref(r: Mapping[str, Any]) -> Mapping[str, float]:
            m = r.get("measured_mw_cm2") if calibrated else None
            out: Mapping[str, float] = m or r["modelled_mean_mw_cm2"]
            return out

        refs = {(_g(ref(r)["central"]), _g(ref(r)["low"]), _g(ref(r)["high"])) for r in shown}
        values = {_fig(r) for r in shown}
        chans = [_chan(c) for r in shown for c in r["channels"]]
        if len(refs) == 1 and len(values) == 1:
            c, lo, hi = next(iter(refs))
            figs = f"{next(iter(values))} for {_join(chans)}"
            agree = f"{what} ({c}, range {lo}–{hi} mW/cm²{' each' if len(chans) > 1 else ''})"
        else:
            figs = _join([f"{_fig(r)} ({'+'.join(map(_chan, r['channels']))})" for r in shown])
            agree = (
                what
                + " ("
                + "; ".join(
                    f"{'+'.join(map(_chan, r['channels']))} {_g(ref(r)['central'])}, "
                    f"{_g(ref(r)['low'])}–{_g(ref(r)['high'])}"
                    for r in shown
                )
                + " mW/cm²)"
            )
        one = len(shown) == 1 or (len(refs) == 1 and len(values) == 1)
        verb = ("agrees", "passes") if one else ("agree", "pass")
        return label, (
            f"{_cap(figs)}, stated by {rows[0]['stated_by']}, {verb[0]} with {agree} and {verb[1]} the "
            "energy budget as a face average."
        )
    sentences = _reading_sentences(
        readings, whose, "your measured average" if calibrated else "the modelled average"
    )
    # which is more credible, in one clause from the budget's classification
    cls = {rd.classification for rd in readings}
    many = len({rd.stated_text for rd in readings}) > 1
    subject = "these figures" if many else "this figure"
    if calibrated:
        why = (
            "Your meter reading is more credible than both: it measures this unit (within the meter's "
            "own correction range)."
        )
    elif cls & {"implausible", "peak_only"}:
        key = "implausible" if "implausible" in cls else "peak_only"
        clause = _CREDIBLE[key].format(a="a")
        if many and key == "peak_only":
            clause = "can only be peaks over one LED or contact readings, not face averages"
        why = f"The model is more credible: by the energy budget {subject} {clause}."
    else:
        best = readings[0].more_credible
        conf = next((r["confidence"] for r in rows), "")
        if best == "stated":
            why = (
                "The stated figure is more credible: it passes the energy budget as a face average and "
                f"comes from a {conf} source, while the model's LED power is assumed."
            )
        else:
            why = (
                f"The model is more credible: {subject} passes the energy budget as a face average, but its "
                f"source is {conf}."
            )
    sentences.append(why)
    if not calibrated:
        rd = readings[0]
        sentences.append(
            f"A meter at the skin settles it ({SAY_METER_POSITION}): a "
            f"{_chan(rd.channel)} face average near {_g(rd.stated_mw_cm2)} mW/cm² would bear out {whose} "
            f"figure, near {_g(rd.modelled_mw_cm2[1])} the model."
        )
    return label, " ".join(sentences)


def _headline_stated(device: DeviceSpec, readings: Sequence[StatedReading], calibrated: bool) -> str:
    """ "; the maker's 26 mW/cm² would mean above them, but can only be a peak over one LED"."""
    if not readings:
        return ""
    rd = readings[0]
    whose = "the maker's" if _is_maker(device, {"stated_by": rd.stated_by}) else "the stated"
    at_st = {v for _, v in rd.verdicts_at_stated}
    if len(at_st) == 1:
        mean = f"would mean {_WORD[next(iter(at_st))]} them"
    else:
        mean = (
            "would change the verdict" if rd.verdicts_at_stated != rd.verdicts_at_modelled else "agrees on it"
        )
    if calibrated:
        tail = ", but your meter reading outranks it"
    elif rd.classification == "peak_only":
        tail = ", but can only be a peak over one LED"
    elif rd.classification == "implausible":
        tail = ", but is implausible even over one LED"
    else:
        tail = ""
    fig = rd.total_of or rd.stated_text
    return f"; {whose} {fig} {mean}{tail}"


# ---------------------------------------------------------------------------- the answer ----


def bottom_line(
    device: DeviceSpec,
    doses: Sequence[ChannelDose],
    verdicts: Sequence[Verdict],
    session_minutes: float,
    *,
    calibrated_to_meter: bool = False,
    stated: Mapping[str, Any] | None = None,
) -> BottomLine:
    """The bottom line of an evaluation (see the module docstring for the arithmetic).

    Parameters
    ----------
    device : the device (its timers bound what a session can be)
    doses : per-channel doses of one session (surface fluence and irradiance, low/central/high)
    verdicts : the verdicts against the controlled trials, per indication and band
    session_minutes : the session length the doses were computed for [min]
    calibrated_to_meter : the irradiance comes from the person's meter reading
    stated : the stated-vs-modelled comparison (:func:`photodose.device.stated.compare_stated`);
        a stated figure that disagrees with the model gets the verdict at each reading, which is
        more credible and why, and how a meter reading settles it
    """
    if not doses:
        raise ValueError("doses: empty; evaluate at least one channel")
    dose, dose_short, width = _dose_point(doses, session_minutes, calibrated_to_meter)

    positioned: list[DoseTarget] = []
    untested: list[str] = []
    for v in verdicts:
        low = lowest_tested(v) if v.verdict in _POSITION else None
        if low is None or low.value_j_cm2 <= 0:
            if v.verdict != "wavelength_not_studied" and v.indication_name not in untested:
                untested.append(v.indication_name)
            continue
        positioned.append(_target(v, low, doses, device, session_minutes))
    # A band whose only tested dose is a maximum ("≤ X") has no lower dose to reach: X is a cap,
    # not a target, so it gets no "minutes needed" (its verdict still counts as positioned).
    # Nor is a dose set only by trials that found no effect for this indication (Mota 2023 for
    # elasticity): it is no benchmark either way, so nobody is told to reach it.
    null_only = {(v.indication, v.band) for v in verdicts if _window_rests_on_null_trials_only(v)}
    targets = [
        t for t in positioned if not t.lowest_tested_at_most and (t.indication, t.band) not in null_only
    ]
    tested_inds = {t.indication_name for t in positioned}
    untested = [u for u in untested if u not in tested_inds]
    comparison = _trials_point(positioned, untested)

    action = ""
    meter = ""
    hints: list[Hint] = []
    below = [t for t in targets if t.verdict == "below_studied_range" or t.uncertain]
    if below:
        best = min(below, key=lambda t: t.minutes_needed[1])
        lo_m, c_m, hi_m = best.minutes_needed
        q = "≤ " if best.lowest_tested_at_most else ""
        action = (
            f"To reach the lowest dose tested for {_label(best)} ({q}{_g(best.lowest_tested_j_cm2)} J/cm², "
            f"{_cite_short(best.citation)}) a session would need about {_minutes(c_m)} "
            f"({_minutes(lo_m)} to {_minutes(hi_m)})"
        )
        tm = best.timer_max_min
        if best.timer_fit == "yes":
            action += f"; the device's {_g(tm or 0)}-minute timer allows that."
        elif best.timer_fit == "no":
            action += f", longer than the device's longest timer setting ({_g(tm or 0)} min)."
        elif best.timer_fit == "depends":
            action += (
                f"; whether its {_g(tm or 0)}-minute timer allows that depends on its true light output."
            )
        else:
            action += "; the device's timer length is not known."
        others = [t.minutes_needed[1] for t in below if t is not best]
        if others:
            lo_o, hi_o = _minutes(min(others)), _minutes(max(others))
            if len(others) == 1 or lo_o == hi_o:
                span = lo_o
            elif lo_o.split()[-1] == hi_o.split()[-1]:
                span = f"{lo_o.split()[0]}–{hi_o}"
            else:
                span = f"{lo_o}–{hi_o}"
            action += f" The other indications need about {span}."
        e_lo, _, e_hi = best.irradiance_mw_cm2
        if calibrated_to_meter:
            meter = (
                f"With your meter reading the skin irradiance is {_g(best.irradiance_mw_cm2[1])} "
                f"mW/cm² (range {_g(e_lo)}–{_g(e_hi)}); {_g(best.meter_threshold_mw_cm2)} mW/cm² "
                f"would reach that dose in {_g(session_minutes)} minutes."
            )
        elif best.meter_decides:
            meter = (
                "A meter reading would settle it: a face average of "
                f"{_g(best.meter_threshold_mw_cm2)} mW/cm² or more reaches that dose in "
                f"{_g(session_minutes)} minutes, inside the model's {_g(e_lo)}–{_g(e_hi)} mW/cm² "
                f"({ENTER_METER_READING})."
            )
            hints.append(
                Hint(
                    "meter_reading",
                    "action",
                    ENTER_METER_READING,
                    {"threshold_mw_cm2": best.meter_threshold_mw_cm2, "session_minutes": session_minutes},
                )
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
    elif positioned:
        within = [_label(t) for t in positioned if t.verdict == "within_studied_range"]
        above = [_label(t) for t in positioned if t.verdict == "above_studied_range"]
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
                f"({ENTER_METER_READING})."
            )
            hints.append(Hint("meter_reading", "action", ENTER_METER_READING))

    # the maker's (or anyone's) stated figures, where they disagree with the model
    rows = list(stated["rows"]) if stated else []
    spw = next((v.sessions_per_week for v in verdicts if v.sessions_per_week is not None), None)
    disagree = [r for r in _per_channel_rows(rows) if _disagrees(r, calibrated_to_meter)]
    readings = _readings(device, doses, disagree, verdicts, session_minutes, spw, calibrated_to_meter)
    stated_label, stated_text = _stated_point(device, rows, readings, calibrated_to_meter)
    if readings and not calibrated_to_meter:  # the stated point ends on how a meter settles it
        hints.append(
            Hint("meter_position", "stated", SAY_METER_POSITION, {"positions": ["over-led", "between-leds"]})
        )

    headline = (
        f"Your skin gets about {dose_short} per {_g(session_minutes)}-minute session"
        f"{_headline_verdict(positioned, calibrated_to_meter, width > 3)}"
        f"{_headline_stated(device, readings, calibrated_to_meter)}."
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
        headline=headline,
        stated=stated_text,
        stated_label=stated_label,
        stated_readings=tuple(readings),
        hints=tuple(hints),
    )
