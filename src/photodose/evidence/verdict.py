"""Verdicts: how a device's dose compares with the doses controlled trials tested.

For one indication and one wavelength band, :func:`verdict_for` places a device's fluence per
session [J/cm²] (an estimate with low, central and high values) against the dose window
derived by :func:`photodose.evidence.windows.dose_window`, and says one of

``within_studied_range``
    the central fluence lies within the doses controlled trials tested;
``below_studied_range`` / ``above_studied_range``
    it lies below the lowest / above the highest tested dose. A window is what trials tested,
    not a minimum effective dose: "below" says no controlled trial tested a dose this low,
    not that the dose is too low to work;
``wavelength_not_studied``
    controlled trials of the indication exist, but none used this band (or the wavelength is
    outside every band);
``no_controlled_evidence``
    no controlled trial of the indication exists, or those that used this band did not report
    a dose that could be verified.

Bounds stay bounds (see :mod:`photodose.evidence.windows`): a trial dose reported only as a
maximum caps the window but is never its lower edge. Where the lower edge is open, a dose at or
below that maximum is "within", flagged uncertain.

``uncertain`` is true when the dose's low–high range crosses a window edge, when the device's
output rests entirely on assumptions (``inputs_assumed``), or when the comparison rests on an
edge known only as a bound. Each verdict carries the weight of evidence for its indication
(:func:`photodose.evidence.weight.evidence_weight`: controlled or blinded trials, total N,
directions), so that "within the tested doses" of a claim that blinded trials did not support
reads as such. The sentences themselves are built in :mod:`photodose.evidence.wording`.

Where the dose is above the window or the irradiance above the studied irradiance, the
biphasic dose–response caveat (Huang et al. 2009) is attached; where the upper fluence reaches
the dose-escalation range of Jagdeo et al. 2020 (red LED, maximum tolerated dose 320 J/cm² in
skin of colour, 480 J/cm² in non-Hispanic Caucasians) a safety note is attached.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict

from photodose.evidence.studies import (
    Band,
    Evidence,
    Study,
    band_for_wavelength,
    exposure_bands,
    format_number,
    load_evidence,
)
from photodose.evidence.weight import EvidenceWeight, evidence_weight
from photodose.evidence.windows import DoseWindow, Range, dose_window
from photodose.evidence.wording import (
    ASSUMED_NOTE,
    and_join,
    band_text,
    bound_note,
    context_lines,
    excluded_dose_note,
    position_clause,
    trials_text,
    weight_sentence,
)

__all__ = [
    "VERDICTS",
    "EstimateLike",
    "EvidenceInputError",
    "Position",
    "SimpleEstimate",
    "Verdict",
    "VerdictKind",
    "as_estimate",
    "position_in_range",
    "position_in_window",
    "printed_half_step",
    "verdict_for",
    "verdicts_for_device",
]

VerdictKind = Literal[
    "within_studied_range",
    "below_studied_range",
    "above_studied_range",
    "wavelength_not_studied",
    "no_controlled_evidence",
]
VERDICTS: tuple[str, ...] = (
    "within_studied_range",
    "below_studied_range",
    "above_studied_range",
    "wavelength_not_studied",
    "no_controlled_evidence",
)
Position = Literal["below", "within", "above"]
_POSITION_VERDICT: dict[str, VerdictKind] = {
    "below": "below_studied_range",
    "within": "within_studied_range",
    "above": "above_studied_range",
}
#: Relative tolerance for window edges: only float noise, not a clinical margin.
_EDGE_RTOL = 1e-9


class EvidenceInputError(ValueError):
    """Bad input to a verdict function; the message names the parameter and the fix."""


@runtime_checkable
class EstimateLike(Protocol):
    """Anything with ``low``, ``central``, ``high`` (e.g. ``photodose.device.Estimate``)."""

    @property
    def low(self) -> float: ...

    @property
    def central(self) -> float: ...

    @property
    def high(self) -> float: ...


@dataclass(frozen=True)
class SimpleEstimate:
    """A checked (low, central, high) triple; low ≤ central ≤ high, all finite and ≥ 0."""

    low: float
    central: float
    high: float

    def describe(self, unit: str) -> str:
        c = format_number(self.central)
        if self.low == self.high:
            return f"{c} {unit}"
        return f"{c} {unit} (range {format_number(self.low)}–{format_number(self.high)})"

    def __add__(self, other: SimpleEstimate) -> SimpleEstimate:
        return SimpleEstimate(self.low + other.low, self.central + other.central, self.high + other.high)


EstimateInput = EstimateLike | Sequence[float] | float | int


def as_estimate(x: EstimateInput, name: str) -> SimpleEstimate:
    """Coerce an Estimate-like object, a (low, central, high) sequence or a number.

    Raises
    ------
    EvidenceInputError
        Naming ``name`` when the value is not finite, negative, or not ordered.
    """
    if isinstance(x, bool):
        raise EvidenceInputError(f"{name}: got a boolean; give a number or (low, central, high)")
    if isinstance(x, int | float):
        vals = (float(x), float(x), float(x))
    elif isinstance(x, EstimateLike):
        vals = (x.low, x.central, x.high)
    elif isinstance(x, Sequence) and not isinstance(x, str):
        if len(x) != 3:
            raise EvidenceInputError(
                f"{name}: expected (low, central, high), got {len(x)} values; give three numbers"
            )
        vals = (x[0], x[1], x[2])
    else:
        raise EvidenceInputError(
            f"{name}: got {type(x).__name__}; give a number, (low, central, high), or an object "
            "with .low .central .high"
        )
    out = []
    for label, v in zip(("low", "central", "high"), vals, strict=True):
        try:
            f = float(v)
        except (TypeError, ValueError):
            raise EvidenceInputError(f"{name}.{label}: {v!r} is not a number") from None
        if not math.isfinite(f):
            raise EvidenceInputError(f"{name}.{label}: {f} is not finite; give a finite number")
        if f < 0:
            raise EvidenceInputError(f"{name}.{label}: {f} is negative; give a value ≥ 0")
        out.append(f)
    lo, c, hi = out
    if not lo <= c <= hi:
        raise EvidenceInputError(
            f"{name}: need low ≤ central ≤ high, got ({lo}, {c}, {hi}); reorder the values"
        )
    return SimpleEstimate(lo, c, hi)


def position_in_range(x: float, lo: float, hi: float) -> Position:
    """``"below"``, ``"within"`` or ``"above"`` the closed interval [lo, hi].

    Monotone in ``x``: a larger ``x`` never gives an earlier position.
    """
    if x < lo * (1 - _EDGE_RTOL):
        return "below"
    if x > hi * (1 + _EDGE_RTOL):
        return "above"
    return "within"


def printed_half_step(x: float) -> float:
    """Half the last printed digit of a reported number: 3.8 → 0.05, 9 → 0.5, 126 → 0.5.

    A trial that reports "3.8 J/cm²" reports a dose between 3.75 and 3.85; a device dose of
    3.81 is not "above" it.
    """
    text = repr(float(x))
    if "e" in text or "E" in text:
        return abs(x) * _EDGE_RTOL
    decimals = len(text.split(".")[1].rstrip("0")) if "." in text else 0
    return 0.5 * 10.0 ** (-decimals)


def position_in_window(x: float, r: Range) -> Position:
    """Where ``x`` lies against a window whose edges may be open (bounds kept as bounds).

    ``below`` only under a lower edge reported as a number (:attr:`Range.lower_edge`);
    ``above`` only over an upper edge (:attr:`Range.upper_edge`, where a "≤ v" value caps its
    trial at v). With an open edge, nothing lies beyond it. Each edge is taken to the precision
    it was printed with (:func:`printed_half_step`). Monotone in ``x``.
    """
    lo = r.lower_edge
    hi = r.upper_edge
    if lo is not None and x < lo - printed_half_step(lo):
        return "below"
    if hi is not None and x > hi + printed_half_step(hi):
        return "above"
    return "within"


class Verdict(BaseModel):
    """How a device's dose compares with the doses tested for one indication and band."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    indication: str
    indication_name: str
    band: str | None
    band_name: str
    wavelengths_nm: tuple[float, ...] = ()
    verdict: VerdictKind
    uncertain: bool = False
    uncertain_reasons: tuple[str, ...] = ()
    inputs_assumed: bool = False
    fluence_positions: dict[str, Position] | None = None
    summary: str
    citations: tuple[str, ...] = ()
    #: DOI / PubMed links, one per citation (None where the study has no identifier)
    citation_urls: tuple[str | None, ...] = ()
    window: DoseWindow | None = None
    evidence_weight: EvidenceWeight | None = None
    fluence_j_cm2: tuple[float, float, float]
    irradiance_mw_cm2: tuple[float, float, float] | None = None
    sessions_per_week: float | None = None
    weeks: float | None = None
    weekly_fluence_j_cm2: tuple[float, float, float] | None = None
    irradiance_position: Position | None = None
    weekly_fluence_position: Position | None = None
    weeks_position: Position | None = None
    biphasic_caveat: str | None = None
    safety_note: str | None = None
    context: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready fields (the window is summarised, not dumped)."""
        r = None if self.window is None else self.window.fluence_j_cm2
        return {
            "indication": self.indication,
            "indication_name": self.indication_name,
            "band": self.band,
            "band_name": self.band_name,
            "wavelengths_nm": list(self.wavelengths_nm),
            "verdict": self.verdict,
            "uncertain": self.uncertain,
            "uncertain_reasons": list(self.uncertain_reasons),
            "inputs_assumed": self.inputs_assumed,
            "fluence_j_cm2": list(self.fluence_j_cm2),
            "irradiance_mw_cm2": None if self.irradiance_mw_cm2 is None else list(self.irradiance_mw_cm2),
            "tested_fluence_j_cm2": None
            if r is None
            else {
                "text": r.describe(),
                "lower_edge": r.lower_edge,
                "upper_edge": r.upper_edge,
                "lower_open": r.lower_open,
                "upper_open": r.upper_open,
                "trials": list(r.rests_on),
            },
            "summary": self.summary,
            "citations": list(self.citations),
            "citation_urls": list(self.citation_urls),
            "evidence_weight": None if self.evidence_weight is None else self.evidence_weight.to_dict(),
            "biphasic_caveat": self.biphasic_caveat,
            "safety_note": self.safety_note,
        }


def _safety_studies(ev: Evidence, band: Band | None) -> list[Study]:
    if band is None:
        return []
    out = []
    for s in ev.studies:
        if s.kind != "safety" or not s.limits:
            continue
        if any(b.id == band.id for ex in s.exposures for b in exposure_bands(ex, ev.bands)):
            out.append(s)
    return out


def _safety_note(ev: Evidence, band: Band | None, f: SimpleEstimate) -> str | None:
    """A note when the upper fluence reaches a safety study's tested range or its MTD."""
    notes = []
    for s in _safety_studies(ev, band):
        mtds = [(lim.population, lim.mtd_j_cm2.span[0]) for lim in s.limits if lim.mtd_j_cm2.span is not None]
        tested = [
            ex.fluence_j_cm2.span
            for ex in s.exposures
            if ex.fluence_j_cm2 is not None and ex.fluence_j_cm2.span is not None
        ]
        tested_low = min((t[0] for t in tested), default=math.inf)
        tested_high = max((t[1] for t in tested), default=math.nan)
        lowest_mtd = min((m for _, m in mtds), default=math.inf)
        if f.high < min(tested_low, lowest_mtd):
            continue
        if f.high >= lowest_mtd:
            head = (
                f"The upper fluence estimate ({format_number(f.high)} J/cm² per session) reaches "
                f"a maximum tolerated dose found in {s.label}"
            )
        else:
            head = (
                f"The upper fluence estimate ({format_number(f.high)} J/cm² per session) is "
                f"within the dose range tested for safety in {s.label} "
                f"({format_number(tested_low)}–{format_number(tested_high)} J/cm²)"
            )
        mtd_txt = ", ".join(f"{format_number(m)} J/cm² in {p}" for p, m in mtds)
        sched = ""
        if s.sessions_per_week is not None and s.weeks is not None:
            sched = f", {s.sessions_per_week.describe('sessions/week')} for {s.weeks.describe('weeks')}"
        notes.append(
            f"{head}: maximum tolerated dose {mtd_txt}{sched}. {s.effect or ''} "
            f"That was a safety study, not an efficacy trial ({s.citation()})."
        )
    return " ".join(n.replace("  ", " ").strip() for n in notes) or None


def _verdict(
    ind_key: str,
    band: Band | None,
    wavelengths: Sequence[float],
    f: SimpleEstimate,
    irr: SimpleEstimate | None,
    spw: float | None,
    weeks: float | None,
    ev: Evidence,
    include_unverified: bool,
    include_secondary: bool,
    channel_note: str = "",
    inputs_assumed: bool = False,
) -> Verdict:
    ind = ev.indication(ind_key)
    btxt = band_text(band, wavelengths)
    weekly = None if spw is None else SimpleEstimate(f.low * spw, f.central * spw, f.high * spw)
    weight = evidence_weight(ind.id, None if band is None else band.id, evidence=ev)
    base: dict[str, Any] = {
        "indication": ind.id,
        "indication_name": ind.name,
        "band": None if band is None else band.id,
        "band_name": "outside defined bands" if band is None else band.name,
        "wavelengths_nm": tuple(wavelengths),
        "fluence_j_cm2": (f.low, f.central, f.high),
        "irradiance_mw_cm2": None if irr is None else (irr.low, irr.central, irr.high),
        "sessions_per_week": spw,
        "weeks": weeks,
        "weekly_fluence_j_cm2": None if weekly is None else (weekly.low, weekly.central, weekly.high),
        "safety_note": _safety_note(ev, band, f),
        "evidence_weight": weight,
        "inputs_assumed": inputs_assumed,
    }
    dose_txt = f"{f.describe('J/cm²')} per session of {btxt}{channel_note}"
    wsent = weight_sentence(weight)
    weight_cites = tuple(t.citation for t in weight.trials)

    # Which controlled trials exist for the indication at all (band-independent)?
    any_band = ev.bands[0] if band is None else band
    win = dose_window(
        ind.id,
        any_band.id,
        evidence=ev,
        include_unverified=include_unverified,
        include_secondary=include_secondary,
    )
    ind_trials = win.indication_controlled_trials
    if not ind_trials:
        others = [s.label for s in ev.studies if ind.id in s.indications and s.kind == "trial"]
        tail = (
            f" Other studies exist ({'; '.join(others)}) but none has a control arm, so none "
            "can give a tested dose to compare with."
            if others
            else ""
        )
        return Verdict(
            **base,
            verdict="no_controlled_evidence",
            summary=(
                f"No controlled trial of {ind.name} is in the evidence table, so {dose_txt} "
                f"cannot be compared with a tested dose.{tail}{wsent}"
            ),
            citations=weight_cites,
            citation_urls=tuple(t.url for t in weight.trials),
            window=None if band is None else win,
        )

    if band is None or win.status == "band_not_studied":
        studied = and_join([ev.band(b).name for b in win.indication_bands_studied]) or "no"
        return Verdict(
            **base,
            verdict="wavelength_not_studied",
            context=() if band is None else context_lines(win, ev),
            summary=(
                f"No controlled trial of {ind.name} used {btxt}; the controlled trials used "
                f"{studied} light ({trials_text(ind_trials, ev)}). There is no tested dose to "
                f"compare {f.describe('J/cm²')} with.{wsent}"
            ),
            citations=tuple(ev.study(i).citation() for i in ind_trials),
            citation_urls=tuple(ev.study(i).url for i in ind_trials),
            window=None if band is None else win,
        )

    excluded_ctx = context_lines(win, ev)
    if win.fluence_j_cm2 is None:
        return Verdict(
            **base,
            verdict="no_controlled_evidence",
            summary=(
                f"Controlled trials of {ind.name} used {band.name} light "
                f"({trials_text(win.controlled_trials, ev, band)}), but none of their doses in "
                "that band could be read in an accessible source, so there is no tested dose "
                f"to compare {f.describe('J/cm²')} with.{excluded_dose_note(win)}{wsent}"
            ),
            citations=tuple(ev.study(i).citation() for i in win.controlled_trials),
            citation_urls=tuple(ev.study(i).url for i in win.controlled_trials),
            window=win,
            context=excluded_ctx,
        )

    fr = win.fluence_j_cm2
    pos: dict[str, Position] = {
        "low": position_in_window(f.low, fr),
        "central": position_in_window(f.central, fr),
        "high": position_in_window(f.high, fr),
    }
    verdict = _POSITION_VERDICT[pos["central"]]
    reasons: list[str] = []
    if pos["low"] != pos["high"]:
        edges = []
        single = fr.lower_edge is not None and fr.lower_edge == fr.upper_edge
        if single and pos["low"] == "below" and pos["high"] == "above":
            edges.append(f"the single tested dose ({format_number(fr.upper_edge or 0)} J/cm²)")
        else:
            if pos["low"] == "below" and fr.lower_edge is not None:
                edges.append(f"the lowest tested dose ({format_number(fr.lower_edge)} J/cm²)")
            if pos["high"] == "above" and fr.upper_edge is not None:
                edges.append(f"the highest tested dose ({format_number(fr.upper_edge)} J/cm²)")
        reasons.append(
            f"the dose range {format_number(f.low)}–{format_number(f.high)} J/cm² per session "
            f"crosses {' and '.join(edges)}"
        )
    if inputs_assumed:
        reasons.append("every input that sets the device's output is an assumption")
    below_known = fr.min_known is None or f.low < fr.min_known * (1 - _EDGE_RTOL)
    if pos["central"] == "within" and fr.lower_open and below_known:
        reasons.append(
            "the comparison rests on a trial dose reported only as a maximum "
            f"(≤{format_number(fr.lowest_value.high)} J/cm²), so whether this dose is below it "
            "cannot be told"
        )
    uncertain = bool(reasons)

    where = position_clause(pos["central"], ind.name, fr, ev, ind.id)
    summary = f"{dose_txt[0].upper()}{dose_txt[1:]} is {where}."
    if uncertain:
        lead = "Uncertain: " + "; ".join(reasons) + ". At the central value, "
        summary = lead + summary[0].lower() + summary[1:]
    if inputs_assumed:
        summary += " " + ASSUMED_NOTE
    if pos["central"] == "within":
        summary += " Matching a tested dose does not mean this device gives the trials' results."
    if fr.n_trials == 1:
        summary += " The range rests on a single trial."
    summary += bound_note(fr)
    summary += excluded_dose_note(win)

    irr_pos: Position | None = None
    if irr is not None:
        ir = win.irradiance_mw_cm2
        if ir is None:
            summary += (
                f" No controlled trial in this band reported an irradiance that could be "
                f"verified, so {irr.describe('mW/cm²')} cannot be compared."
            )
        else:
            irr_pos = position_in_window(irr.central, ir)
            single = ir.min == ir.max and not ir.has_upper_bound_values
            word = "equal to" if irr_pos == "within" and single else irr_pos
            summary += (
                f" Irradiance {irr.describe('mW/cm²')} is {word} the {ir.describe()} "
                f"reported in controlled trials ({trials_text(ir.rests_on, ev)})."
            )

    weekly_pos: Position | None = None
    if weekly is not None:
        wr = win.weekly_fluence_j_cm2
        if wr is not None:
            weekly_pos = position_in_window(weekly.central, wr)
            summary += (
                f" At {format_number(spw or 0)} sessions per week that is "
                f"{weekly.describe('J/cm² per week')}, {weekly_pos} the {wr.describe()} of "
                f"controlled trials with a known schedule ({trials_text(wr.rests_on, ev)})."
            )

    weeks_pos: Position | None = None
    if weeks is not None and win.weeks is not None:
        weeks_pos = position_in_range(weeks, win.weeks.min, win.weeks.max)
        wword = {"below": "shorter than", "within": "within", "above": "longer than"}[weeks_pos]
        summary += (
            f" {format_number(weeks)} weeks of use is {wword} the {win.weeks.describe()} these trials ran."
        )
    summary += wsent

    caveat = None
    if win.biphasic_caveat is not None and (
        pos["central"] == "above" or pos["high"] == "above" or irr_pos == "above" or weekly_pos == "above"
    ):
        caveat = f"{win.biphasic_caveat} ({win.biphasic_source})"

    return Verdict(
        **base,
        verdict=verdict,
        uncertain=uncertain,
        uncertain_reasons=tuple(reasons),
        fluence_positions=pos,
        summary=summary,
        citations=tuple(ev.study(i).citation() for i in fr.rests_on),
        citation_urls=tuple(ev.study(i).url for i in fr.rests_on),
        window=win,
        irradiance_position=irr_pos,
        weekly_fluence_position=weekly_pos,
        weeks_position=weeks_pos,
        biphasic_caveat=caveat,
        context=excluded_ctx,
    )


def _check_schedule(sessions_per_week: float | None, weeks: float | None) -> None:
    for name, v in (("sessions_per_week", sessions_per_week), ("weeks", weeks)):
        if v is None:
            continue
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise EvidenceInputError(f"{name}: got {v!r}; give a number")
        if not math.isfinite(v) or v < 0:
            raise EvidenceInputError(f"{name}: {v} must be a finite number ≥ 0")


def _resolve_band(
    band: str | float | int, ev: Evidence, name: str = "band"
) -> tuple[Band | None, tuple[float, ...]]:
    if isinstance(band, bool):
        raise EvidenceInputError(f"{name}: give a band name or a wavelength in nm")
    if isinstance(band, int | float):
        wl = float(band)
        if not math.isfinite(wl) or not 100 < wl < 3000:
            raise EvidenceInputError(f"{name}: wavelength {band!r} nm is out of range; give 100–3000 nm")
        return band_for_wavelength(wl, ev.bands), (wl,)
    if isinstance(band, str):
        try:
            return ev.band(band), ()
        except KeyError as exc:
            raise EvidenceInputError(f"{name}: {exc.args[0]}") from None
    raise EvidenceInputError(f"{name}: got {type(band).__name__}; give a band name or nm")


def verdict_for(
    indication: str,
    band: str | float,
    fluence_per_session_j_cm2: EstimateInput,
    irradiance_mw_cm2: EstimateInput | None = None,
    sessions_per_week: float | None = None,
    weeks: float | None = None,
    *,
    evidence: Evidence | None = None,
    include_unverified: bool = False,
    include_secondary: bool = False,
    inputs_assumed: bool = False,
) -> Verdict:
    """Compare a device's dose for one indication and band with the tested dose window.

    Parameters
    ----------
    indication : ``"photoaging"``, ``"elasticity"``, ``"texture_tone"``, ``"inflammation"``,
        ``"acne"`` (or the names, e.g. ``"wrinkles/fine lines"``)
    band : band name (``"red"``, ``"nir"``, ``"amber"``, ``"blue"``) or a wavelength [nm]
    fluence_per_session_j_cm2 : fluence per session [J/cm²] at the skin surface, an object with
        ``.low .central .high``, a (low, central, high) tuple, or one number
    irradiance_mw_cm2 : irradiance [mW/cm²] in the same forms, optional
    sessions_per_week : sessions per week, optional (enables the weekly-fluence comparison)
    weeks : planned weeks of use, optional
    evidence : loaded evidence (default: the packaged data files)
    include_unverified, include_secondary : passed to the dose window
    inputs_assumed : True when every input setting the device's output (LED power, stated
        irradiance) is an assumption; makes the verdict ``uncertain``

    Returns
    -------
    Verdict
        ``verdict``, ``uncertain`` (+ reasons), ``summary`` (plain language), ``citations``,
        ``window``, ``evidence_weight`` (trials, N, directions), ``biphasic_caveat``,
        ``safety_note``.

    Raises
    ------
    EvidenceInputError
        Unknown indication or band, or a malformed estimate; the message names the parameter.
    """
    ev = evidence if evidence is not None else load_evidence()
    try:
        ev.indication(indication)
    except KeyError as exc:
        raise EvidenceInputError(f"indication: {exc.args[0]}") from None
    b, wls = _resolve_band(band, ev)
    f = as_estimate(fluence_per_session_j_cm2, "fluence_per_session_j_cm2")
    irr = None if irradiance_mw_cm2 is None else as_estimate(irradiance_mw_cm2, "irradiance_mw_cm2")
    _check_schedule(sessions_per_week, weeks)
    return _verdict(
        indication,
        b,
        wls,
        f,
        irr,
        sessions_per_week,
        weeks,
        ev,
        include_unverified,
        include_secondary,
        inputs_assumed=bool(inputs_assumed),
    )


Channel = tuple[str | float, EstimateInput, EstimateInput | None] | Mapping[str, object]


def _channel_assumed(ch: Channel) -> bool | None:
    if isinstance(ch, Mapping) and "inputs_assumed" in ch:
        return bool(ch["inputs_assumed"])
    return None


def _channel_parts(ch: Channel, i: int) -> tuple[str | float, EstimateInput, EstimateInput | None]:
    if isinstance(ch, Mapping):
        key = ch.get("band", ch.get("wavelength_nm"))
        if key is None:
            raise EvidenceInputError(f"channels[{i}]: give 'band' or 'wavelength_nm'")
        if "fluence_j_cm2" not in ch:
            raise EvidenceInputError(f"channels[{i}]: missing 'fluence_j_cm2'")
        return key, ch["fluence_j_cm2"], ch.get("irradiance_mw_cm2")  # type: ignore[return-value]
    if isinstance(ch, Sequence) and not isinstance(ch, str) and len(ch) in (2, 3):
        irr = ch[2] if len(ch) == 3 else None
        return ch[0], ch[1], irr
    raise EvidenceInputError(
        f"channels[{i}]: give (band or wavelength_nm, fluence estimate, irradiance estimate)"
    )


@dataclass
class _Group:
    """Channels of one band (or one out-of-band wavelength), summed."""

    band: Band | None
    fluence: SimpleEstimate
    irradiance: SimpleEstimate | None
    irradiance_missing: bool
    assumed: bool = False
    n: int = 1
    wavelengths: list[float] = field(default_factory=list)


def verdicts_for_device(
    channels: Sequence[Channel],
    sessions_per_week: float | None,
    weeks: float | None = None,
    *,
    indications: Iterable[str] | None = None,
    evidence: Evidence | None = None,
    include_unverified: bool = False,
    include_secondary: bool = False,
    inputs_assumed: bool | Sequence[bool] = False,
) -> list[Verdict]:
    """Verdicts for every indication × band a device emits in.

    Parameters
    ----------
    channels : one entry per LED channel, ``(band or wavelength_nm, fluence per session
        [J/cm²] estimate, irradiance [mW/cm²] estimate or None)``, or a mapping with keys
        ``band``/``wavelength_nm``, ``fluence_j_cm2``, ``irradiance_mw_cm2`` and optionally
        ``inputs_assumed``
    sessions_per_week : the schedule, or None if unknown
    weeks : planned weeks of use, optional
    indications : which indications (default: all in ``indications.toml``, in file order)
    inputs_assumed : one flag for all channels or one per channel: True when every input that
        sets that channel's output is an assumption (makes its verdicts ``uncertain``)

    Notes
    -----
    Channels in the same band are summed (low with low, central with central, high with
    high), since the trials report the dose per band or per wavelength of one exposure; a band
    counts as assumed only when all its channels are. Channels outside every band (e.g.
    1072 nm) are judged one wavelength at a time and come out ``wavelength_not_studied`` (or
    ``no_controlled_evidence``). Output order: indications in file order, then bands in file
    order, then out-of-band wavelengths ascending.
    """
    ev = evidence if evidence is not None else load_evidence()
    _check_schedule(sessions_per_week, weeks)
    if not channels:
        raise EvidenceInputError("channels: empty; give at least one LED channel")
    if isinstance(inputs_assumed, bool):
        assumed_flags = [inputs_assumed] * len(channels)
    else:
        assumed_flags = [bool(a) for a in inputs_assumed]
        if len(assumed_flags) != len(channels):
            raise EvidenceInputError(
                f"inputs_assumed: {len(assumed_flags)} flags for {len(channels)} channels; give one "
                "per channel or a single True/False"
            )
    groups: dict[str, _Group] = {}
    for i, ch in enumerate(channels):
        key, f_in, irr_in = _channel_parts(ch, i)
        b, wls = _resolve_band(key, ev, name=f"channels[{i}] band")
        f = as_estimate(f_in, f"channels[{i}] fluence")
        irr = None if irr_in is None else as_estimate(irr_in, f"channels[{i}] irradiance")
        own = _channel_assumed(ch)
        assumed = assumed_flags[i] if own is None else own
        gkey = b.id if b is not None else f"nm:{wls[0]}"
        if gkey not in groups:
            groups[gkey] = _Group(
                band=b, fluence=f, irradiance=irr, irradiance_missing=irr is None, assumed=assumed
            )
        else:
            g = groups[gkey]
            g.fluence = g.fluence + f
            g.n += 1
            g.assumed = g.assumed and assumed
            if irr is None:
                g.irradiance_missing = True
            elif g.irradiance is not None:
                g.irradiance = g.irradiance + irr
            else:
                g.irradiance = irr
        groups[gkey].wavelengths.extend(wls)

    band_order = {b.id: k for k, b in enumerate(ev.bands)}

    def sort_key(key: str) -> tuple[int, float]:
        if key in band_order:
            return (0, float(band_order[key]))
        return (1, float(key.removeprefix("nm:")))

    ordered = [groups[k] for k in sorted(groups, key=sort_key)]
    inds = list(indications) if indications is not None else [i.id for i in ev.indications]
    out: list[Verdict] = []
    for ind in inds:
        try:
            ev.indication(ind)
        except KeyError as exc:
            raise EvidenceInputError(f"indications: {exc.args[0]}") from None
        for g in ordered:
            out.append(
                _verdict(
                    ind,
                    g.band,
                    tuple(sorted(set(g.wavelengths))),
                    g.fluence,
                    None if g.irradiance_missing else g.irradiance,
                    sessions_per_week,
                    weeks,
                    ev,
                    include_unverified,
                    include_secondary,
                    channel_note=f" (sum of {g.n} channels)" if g.n > 1 else "",
                    inputs_assumed=g.assumed,
                )
            )
    return out
