"""Dose windows: the range of doses controlled trials actually used, per indication and band.

A window is *computed* from ``studies.toml``, never written down by hand. For one indication
and one wavelength band it takes every controlled efficacy trial (``kind = "trial"`` with a
``controlled``, ``sham`` or ``split_face`` design tag) that studied that indication with an
exposure in that band, and collects the numbers those trials reported:

* fluence per session [J/cm²] and irradiance [mW/cm²] of the exposures in the band,
* sessions per week and weeks of treatment,
* weekly fluence [J/cm²/week] = fluence per session × sessions per week, where both are known.

Each window is the range of those numbers, together with the values and trials it rests on.
Bounds stay bounds: a fluence reported only as a maximum ("≤ 5.4 J/cm²", e.g. 10 mW/cm² at
most for 9 min) is an upper bound on that trial's dose, never a lower edge of the window nor a
[5.4, 5.4] window. The window's lower edge is the lowest dose reported as a number
(:attr:`Range.min_known`); where a trial's dose is known only as a maximum below that, or no
dose is known as a number at all, the lower edge is open (:attr:`Range.lower_open`) and only
"at most …" can be said of it. The same holds, mirrored, for "≥" values and the upper edge.

Only numbers whose confidence is ``exact`` or ``derived`` count by default; ``unverified``
numbers (e.g. the commonly cited 126/66 J/cm² for Lee 2007) count only with
``include_unverified=True`` and ``secondary`` ones only with ``include_secondary=True``.
Missing numbers are never filled in: a cell without a usable controlled dose says so
(``status = "no_controlled_dose_evidence"``).

A window is a *studied range*, not an optimum: the trials compared a dose against a control,
not doses against each other. Where Huang et al. 2009 (Dose Response 7(4):358–383) applies
(their 600–1000 nm low-level light range) the window carries their biphasic dose–response
caveat: past an optimum, more light is not better.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, ConfigDict, computed_field

from photodose.evidence.studies import (
    Band,
    Evidence,
    Quantity,
    Study,
    exposure_bands,
    format_number,
    load_evidence,
)

__all__ = [
    "DoseWindow",
    "Exclusion",
    "Range",
    "TestedDose",
    "ValueUsed",
    "WindowStatus",
    "accepted_confidences",
    "biphasic_caveat_for_band",
    "dose_window",
    "dose_windows",
    "lowest_tested",
    "lowest_tested_dose",
    "reason_not_in_window",
    "windows_table",
]

WindowStatus = Literal[
    "dose_window",  # at least one controlled trial reported a usable fluence
    "no_controlled_dose_evidence",  # controlled trials used this band, none with a usable dose
    "band_not_studied",  # controlled trials of the indication exist, none used this band
    "no_controlled_trials",  # no controlled trial of the indication at all
]

_FROZEN = ConfigDict(frozen=True)


class ValueUsed(BaseModel):
    """One reported number that a window rests on."""

    model_config = _FROZEN

    study_id: str
    study_label: str
    exposure: str
    low: float
    high: float
    confidence: str
    qualifier: str | None = None
    note: str = ""

    @property
    def is_upper_bound(self) -> bool:
        """The source gives only a maximum (≤): the trial's dose is at or below ``high``."""
        return self.qualifier == "at_most"

    @property
    def is_lower_bound(self) -> bool:
        """The source gives only a minimum (≥): the trial's dose is at or above ``low``."""
        return self.qualifier == "at_least"

    def number_text(self, unit: str) -> str:
        lo, hi = format_number(self.low), format_number(self.high)
        num = lo if self.low == self.high else f"{lo}–{hi}"
        prefix = {"approximately": "≈", "at_most": "≤", "at_least": "≥"}.get(self.qualifier or "", "")
        return f"{prefix}{num} {unit}"

    def describe(self, unit: str) -> str:
        return f"{self.study_label}: {self.number_text(unit)} ({self.exposure}; {self.confidence})"


class Range(BaseModel):
    """A window for one quantity, with the values it was computed from.

    ``min`` and ``max`` are the smallest and largest numbers reported (bounds included, as
    printed). The edges a dose is compared with are :attr:`lower_edge` and :attr:`upper_edge`:
    the lowest dose reported as a number (``None`` when the lower edge is open) and the highest
    number any trial's dose is known not to exceed (``None`` when the upper edge is open).
    """

    model_config = _FROZEN

    quantity: str
    unit: str
    min: float
    max: float
    values: tuple[ValueUsed, ...]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def rests_on(self) -> tuple[str, ...]:
        """Study ids, in order of first appearance."""
        return tuple(dict.fromkeys(v.study_id for v in self.values))

    @property
    def n_trials(self) -> int:
        return len(self.rests_on)

    @property
    def has_upper_bound_values(self) -> bool:
        """True when some value was reported only as a maximum (``≤``)."""
        return any(v.is_upper_bound for v in self.values)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def min_known(self) -> float | None:
        """The lowest dose reported as a number (not as a maximum); None if there is none."""
        lows = [v.low for v in self.values if not v.is_upper_bound]
        return min(lows) if lows else None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def max_known(self) -> float | None:
        """The highest dose reported as a number (not as a minimum); None if there is none."""
        highs = [v.high for v in self.values if not v.is_lower_bound]
        return max(highs) if highs else None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def lower_open(self) -> bool:
        """True when the lowest tested dose is not known: no dose was reported as a number, or
        a trial reported only a maximum that lies below every number reported."""
        bounds = [v.high for v in self.values if v.is_upper_bound]
        known = self.min_known
        return known is None or any(b < known for b in bounds)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def upper_open(self) -> bool:
        """True when the highest tested dose is not known (mirror of :attr:`lower_open`)."""
        bounds = [v.low for v in self.values if v.is_lower_bound]
        known = self.max_known
        highs = [v.high for v in self.values if not v.is_lower_bound]
        return (not highs) or (known is not None and any(b > known for b in bounds))

    @property
    def lower_edge(self) -> float | None:
        """The edge below which a dose is below every tested dose; None when open."""
        return None if self.lower_open else self.min_known

    @property
    def upper_edge(self) -> float | None:
        """The edge above which a dose is above every tested dose: the largest high of the
        values that are not lower bounds (a "≤ v" value caps its trial at v). None when open."""
        if self.upper_open:
            return None
        return max(v.high for v in self.values if not v.is_lower_bound)

    @property
    def lowest_value(self) -> ValueUsed:
        """The value giving the lowest tested dose: the lowest number reported, or, when the
        lower edge is open, the smallest maximum (a trial known to have used at most that)."""
        if not self.lower_open:
            return min((v for v in self.values if not v.is_upper_bound), key=lambda v: v.low)
        bounds = [v for v in self.values if v.is_upper_bound]
        if bounds:
            return min(bounds, key=lambda v: v.high)
        return min(self.values, key=lambda v: v.low)

    def describe(self) -> str:
        """``3.8–9 J/cm²``; an open edge reads ``≤5.4 J/cm²`` or ``≤3.8–9 J/cm²``."""
        u = self.unit
        lo_edge = self.lower_edge
        hi_edge = self.upper_edge
        lo_txt = "≤" + format_number(self.lowest_value.high) if lo_edge is None else format_number(lo_edge)
        hi_txt = "≥" + format_number(self.max) if hi_edge is None else format_number(hi_edge)
        if lo_txt == hi_txt:
            return f"{lo_txt} {u}"
        if lo_edge is None and hi_edge is not None and self.lowest_value.high == hi_edge:
            return f"{lo_txt} {u}"
        return f"{lo_txt}–{hi_txt} {u}"


class Exclusion(BaseModel):
    """A reported number (or study) that exists but was not used, and why."""

    model_config = _FROZEN

    study_id: str
    study_label: str
    field: str
    value: str
    reason: str


class DoseWindow(BaseModel):
    """The studied dose window for one indication and one wavelength band."""

    model_config = _FROZEN

    indication: str
    indication_name: str
    band: str
    band_name: str
    band_nm: tuple[float, float]
    status: WindowStatus
    fluence_j_cm2: Range | None = None
    irradiance_mw_cm2: Range | None = None
    sessions_per_week: Range | None = None
    weeks: Range | None = None
    weekly_fluence_j_cm2: Range | None = None
    controlled_trials: tuple[str, ...] = ()
    indication_controlled_trials: tuple[str, ...] = ()
    indication_bands_studied: tuple[str, ...] = ()
    other_studies: tuple[str, ...] = ()
    excluded: tuple[Exclusion, ...] = ()
    accepted_confidences: tuple[str, ...] = ()
    biphasic_caveat: str | None = None
    biphasic_source: str | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def rests_on(self) -> tuple[str, ...]:
        """Study ids of the trials behind the fluence window (empty without one)."""
        return self.fluence_j_cm2.rests_on if self.fluence_j_cm2 is not None else ()

    def status_text(self) -> str:
        """One plain sentence on what the cell holds."""
        if self.status == "dose_window" and self.fluence_j_cm2 is not None:
            n = self.fluence_j_cm2.n_trials
            return (
                f"{self.fluence_j_cm2.describe()} per session in {n} controlled trial{'s' if n != 1 else ''}"
            )
        if self.status == "no_controlled_dose_evidence":
            return (
                "no controlled dose evidence: controlled trials used this band but none "
                "reported a usable dose"
            )
        if self.status == "band_not_studied":
            return "band not studied in controlled trials of this indication"
        return "no controlled trials of this indication"


def accepted_confidences(
    *, include_unverified: bool = False, include_secondary: bool = False
) -> tuple[str, ...]:
    """Confidence tags whose numbers may define a window (exact and derived by default)."""
    acc = ["exact", "derived"]
    if include_secondary:
        acc.append("secondary")
    if include_unverified:
        acc.append("unverified")
    return tuple(acc)


def biphasic_caveat_for_band(band: Band, evidence: Evidence) -> tuple[str, str] | None:
    """(caveat text, citation) from a mechanism study whose wavelength range covers the band."""
    for s in evidence.studies:
        if s.kind != "mechanism" or not s.caveat or s.mechanism_wavelength_nm is None:
            continue
        lo, hi = s.mechanism_wavelength_nm
        if band.overlaps(lo, hi):
            return s.caveat, s.citation()
    return None


def reason_not_in_window(study: Study) -> str | None:
    """Why a study's numbers cannot define a window (None when they can)."""
    if study.kind == "protocol":
        return "protocol only: no results"
    if study.kind == "safety":
        return "safety dose-escalation: sets a ceiling, not an efficacy window"
    if study.kind != "trial":
        return f"{study.kind}: no trial dose"
    if not study.is_controlled:
        if "unknown" in study.design:
            return "design not found: not known to be controlled"
        return f"not a controlled trial ({study.design_text()})"
    return None


def _confidence_reason(q: Quantity) -> str:
    if q.confidence == "unverified":
        return "unverified (not found in accessible text); include_unverified=True to use it"
    if q.confidence == "secondary":
        return "secondary source; include_secondary=True to use it"
    return f"confidence '{q.confidence}' is not accepted for windows"


def _use_value(
    study: Study,
    field: str,
    exposure: str,
    q: Quantity | None,
    unit: str,
    accepted: tuple[str, ...],
    bucket: list[ValueUsed],
    excluded: list[Exclusion],
) -> tuple[float, float] | None:
    """Add a reported number to ``bucket``, or to ``excluded`` when its confidence is not
    accepted; return its span (None when missing or excluded)."""
    if q is None or q.missing:
        return None
    if q.confidence not in accepted:
        excluded.append(
            Exclusion(
                study_id=study.id,
                study_label=study.label,
                field=field,
                value=q.describe(unit),
                reason=_confidence_reason(q),
            )
        )
        return None
    span = q.span
    assert span is not None
    bucket.append(
        ValueUsed(
            study_id=study.id,
            study_label=study.label,
            exposure=exposure,
            low=span[0],
            high=span[1],
            confidence=q.confidence,
            qualifier=q.qualifier,
            note=q.note,
        )
    )
    return span


def _make_range(quantity: str, unit: str, values: list[ValueUsed]) -> Range | None:
    if not values:
        return None
    return Range(
        quantity=quantity,
        unit=unit,
        min=min(v.low for v in values),
        max=max(v.high for v in values),
        values=tuple(values),
    )


def _in_band(study: Study, band: Band, evidence: Evidence) -> list[int]:
    """Indices of the study's exposures that count for the band."""
    return [
        i
        for i, ex in enumerate(study.exposures)
        if any(b.id == band.id for b in exposure_bands(ex, evidence.bands))
    ]


def dose_window(
    indication: str,
    band: str,
    *,
    evidence: Evidence | None = None,
    include_unverified: bool = False,
    include_secondary: bool = False,
) -> DoseWindow:
    """Derive the studied dose window for one indication and one band from the studies table.

    Parameters
    ----------
    indication : indication id or name, e.g. ``"photoaging"`` or ``"acne"``
    band : band id or name, ``"blue"``, ``"amber"``, ``"red"`` or ``"nir"``
    evidence : the loaded evidence (default: the packaged data files)
    include_unverified : also use numbers tagged ``unverified`` (off by default)
    include_secondary : also use numbers tagged ``secondary`` (off by default)

    Returns
    -------
    DoseWindow
        ``fluence_j_cm2`` [J/cm² per session], ``irradiance_mw_cm2`` [mW/cm²],
        ``sessions_per_week`` and ``weekly_fluence_j_cm2`` [J/cm² per week] ranges (each
        ``None`` when no controlled trial reported a usable number), the trials they rest on,
        the numbers left out and why, and the biphasic caveat where it applies.
    """
    ev = evidence if evidence is not None else load_evidence()
    ind = ev.indication(indication)
    bnd = ev.band(band)
    accepted = accepted_confidences(
        include_unverified=include_unverified, include_secondary=include_secondary
    )

    fluence: list[ValueUsed] = []
    irradiance: list[ValueUsed] = []
    spw: list[ValueUsed] = []
    weeks: list[ValueUsed] = []
    weekly: list[ValueUsed] = []
    excluded: list[Exclusion] = []
    controlled: list[str] = []
    ind_controlled: list[str] = []
    bands_studied: list[str] = []
    others: list[str] = []

    for s in ev.studies:
        if ind.id not in s.indications:
            continue
        in_band = _in_band(s, bnd, ev)
        if s.enters_windows:
            ind_controlled.append(s.id)
            for ex in s.exposures:
                for b in exposure_bands(ex, ev.bands):
                    if b.id not in bands_studied:
                        bands_studied.append(b.id)
        if not in_band:
            continue
        reason = reason_not_in_window(s)
        if reason is not None:
            others.append(s.id)
            for i in in_band:
                ex = s.exposures[i]
                for field, q, unit in (
                    ("fluence_j_cm2", ex.fluence_j_cm2, "J/cm²"),
                    ("irradiance_mw_cm2", ex.irradiance_mw_cm2, "mW/cm²"),
                ):
                    if q is not None and not q.missing:
                        excluded.append(
                            Exclusion(
                                study_id=s.id,
                                study_label=s.label,
                                field=f"{field} ({ex.describe_wavelength()})",
                                value=q.describe(unit),
                                reason=reason,
                            )
                        )
            continue

        controlled.append(s.id)
        # schedule (study level): sessions per week and weeks
        spw_q = s.sessions_per_week
        spw_span = _use_value(
            s, "sessions_per_week", "schedule", spw_q, "sessions/week", accepted, spw, excluded
        )
        _use_value(s, "weeks", "schedule", s.weeks, "weeks", accepted, weeks, excluded)

        for i in in_band:
            ex = s.exposures[i]
            where = f"{ex.describe_wavelength()}"
            for field, q, unit, bucket in (
                ("fluence_j_cm2", ex.fluence_j_cm2, "J/cm²", fluence),
                ("irradiance_mw_cm2", ex.irradiance_mw_cm2, "mW/cm²", irradiance),
            ):
                span = _use_value(s, f"{field} ({where})", where, q, unit, accepted, bucket, excluded)
                if span is None or q is None:
                    continue
                if field == "fluence_j_cm2" and spw_span is not None:
                    weekly.append(
                        ValueUsed(
                            study_id=s.id,
                            study_label=s.label,
                            exposure=where,
                            low=span[0] * spw_span[0],
                            high=span[1] * spw_span[1],
                            confidence="derived",
                            qualifier=q.qualifier,
                            note=(
                                f"fluence {q.describe('J/cm²')} × "
                                f"{spw_q.describe('sessions/week') if spw_q else ''}"
                            ),
                        )
                    )

    f_range = _make_range("fluence_j_cm2", "J/cm²", fluence)
    if f_range is not None:
        status: WindowStatus = "dose_window"
    elif controlled:
        status = "no_controlled_dose_evidence"
    elif ind_controlled:
        status = "band_not_studied"
    else:
        status = "no_controlled_trials"

    caveat = biphasic_caveat_for_band(bnd, ev)
    return DoseWindow(
        indication=ind.id,
        indication_name=ind.name,
        band=bnd.id,
        band_name=bnd.name,
        band_nm=(bnd.low_nm, bnd.high_nm),
        status=status,
        fluence_j_cm2=f_range,
        irradiance_mw_cm2=_make_range("irradiance_mw_cm2", "mW/cm²", irradiance),
        sessions_per_week=_make_range("sessions_per_week", "sessions/week", spw),
        weeks=_make_range("weeks", "weeks", weeks),
        weekly_fluence_j_cm2=_make_range("weekly_fluence_j_cm2", "J/cm² per week", weekly),
        controlled_trials=tuple(controlled),
        indication_controlled_trials=tuple(ind_controlled),
        indication_bands_studied=tuple(bands_studied),
        other_studies=tuple(others),
        excluded=tuple(excluded),
        accepted_confidences=accepted,
        biphasic_caveat=None if caveat is None else caveat[0],
        biphasic_source=None if caveat is None else caveat[1],
    )


def dose_windows(
    *,
    evidence: Evidence | None = None,
    indications: Iterable[str] | None = None,
    bands: Iterable[str] | None = None,
    include_unverified: bool = False,
    include_secondary: bool = False,
) -> list[DoseWindow]:
    """Windows for every indication × band (or the ones asked for), in data-file order."""
    ev = evidence if evidence is not None else load_evidence()
    inds = list(indications) if indications is not None else [i.id for i in ev.indications]
    bnds = list(bands) if bands is not None else [b.id for b in ev.bands]
    return [
        dose_window(
            i,
            b,
            evidence=ev,
            include_unverified=include_unverified,
            include_secondary=include_secondary,
        )
        for i in inds
        for b in bnds
    ]


def windows_table(
    *,
    evidence: Evidence | None = None,
    include_unverified: bool = False,
    include_secondary: bool = False,
) -> list[dict[str, object]]:
    """Plain rows (one per indication × band) for printing or JSON.

    Keys: indication, band, status, fluence_j_cm2 (min, max as printed) or None, fluence_text
    (``"≤5.4 J/cm²"``), lower_edge_j_cm2 / upper_edge_j_cm2 (None when open), irradiance_mw_cm2,
    sessions_per_week, weeks, weekly_fluence_j_cm2, rests_on (study ids), controlled_trials,
    excluded (``"study: field value (reason)"``), biphasic_caveat (bool).
    """
    ev = evidence if evidence is not None else load_evidence()
    rows: list[dict[str, object]] = []
    for w in dose_windows(
        evidence=ev, include_unverified=include_unverified, include_secondary=include_secondary
    ):

        def pair(r: Range | None) -> tuple[float, float] | None:
            return None if r is None else (r.min, r.max)

        rows.append(
            {
                "indication": w.indication,
                "band": w.band,
                "status": w.status,
                "fluence_j_cm2": pair(w.fluence_j_cm2),
                "fluence_text": None if w.fluence_j_cm2 is None else w.fluence_j_cm2.describe(),
                "lower_edge_j_cm2": None if w.fluence_j_cm2 is None else w.fluence_j_cm2.lower_edge,
                "upper_edge_j_cm2": None if w.fluence_j_cm2 is None else w.fluence_j_cm2.upper_edge,
                "irradiance_mw_cm2": pair(w.irradiance_mw_cm2),
                "sessions_per_week": pair(w.sessions_per_week),
                "weeks": pair(w.weeks),
                "weekly_fluence_j_cm2": pair(w.weekly_fluence_j_cm2),
                "rests_on": list(w.rests_on),
                "controlled_trials": list(w.controlled_trials),
                "excluded": [f"{e.study_id}: {e.field} {e.value} ({e.reason})" for e in w.excluded],
                "biphasic_caveat": w.biphasic_caveat is not None,
            }
        )
    return rows


class TestedDose(BaseModel):
    """The lowest fluence per session [J/cm²] controlled trials tested, with its source.

    ``bound`` is ``"exact"`` when the dose was reported as a number and ``"at_most"`` when the
    lowest tested dose is known only as a maximum: the trial used this much or less, so
    reaching ``value_j_cm2`` is enough to match it, and less may also match.
    """

    model_config = _FROZEN

    indication: str
    band: str
    value_j_cm2: float
    bound: Literal["exact", "at_most"]
    approximate: bool = False
    direction: str | None = None
    study_id: str
    study_label: str
    citation: str
    url: str | None
    exposure: str

    def text(self) -> str:
        prefix = "≤" if self.bound == "at_most" else ("≈" if self.approximate else "")
        tail = " (reported only as a maximum)" if self.bound == "at_most" else ""
        res = f"; that trial's result for {self.indication}: {self.direction}" if self.direction else ""
        return f"{prefix}{format_number(self.value_j_cm2)} J/cm² per session{tail}, {self.citation}{res}"


def _band_key(wavelength_band: str | float, ev: Evidence) -> str | None:
    if isinstance(wavelength_band, bool):
        raise KeyError("give a band name or a wavelength in nm")
    if isinstance(wavelength_band, int | float):
        from photodose.evidence.studies import band_for_wavelength

        b = band_for_wavelength(float(wavelength_band), ev.bands)
        return None if b is None else b.id
    return ev.band(wavelength_band).id


def lowest_tested(
    indication: str,
    wavelength_band: str | float,
    *,
    evidence: Evidence | None = None,
    include_unverified: bool = False,
    include_secondary: bool = False,
) -> TestedDose | None:
    """The lowest dose per session controlled trials of ``indication`` tested in a band.

    ``wavelength_band`` is a band id or name (``"red"``, ``"nir"``) or a wavelength [nm].
    Returns None when no controlled trial reported a usable dose there (or the wavelength is
    outside every band). Bounds stay bounds: where the lowest tested dose is known only as a
    maximum (e.g. ≤5.4 J/cm² for the 850 nm arm of Park et al. 2025) that maximum is
    returned with ``bound = "at_most"``.
    """
    ev = evidence if evidence is not None else load_evidence()
    band = _band_key(wavelength_band, ev)
    if band is None:
        return None
    win = dose_window(
        indication,
        band,
        evidence=ev,
        include_unverified=include_unverified,
        include_secondary=include_secondary,
    )
    r = win.fluence_j_cm2
    if r is None:
        return None
    v = r.lowest_value
    bound: Literal["exact", "at_most"] = "at_most" if (r.lower_open and v.is_upper_bound) else "exact"
    study = ev.study(v.study_id)
    return TestedDose(
        indication=win.indication,
        band=win.band,
        value_j_cm2=v.high if bound == "at_most" else v.low,
        bound=bound,
        approximate=v.qualifier == "approximately",
        direction=study.direction_for(win.indication),
        study_id=study.id,
        study_label=study.label,
        citation=study.citation(),
        url=study.url,
        exposure=v.exposure,
    )


def lowest_tested_dose(indication: str, wavelength_band: str | float) -> tuple[float, str] | None:
    """``(value_j_cm2, citation)`` of the lowest dose per session tested in controlled trials of
    ``indication`` in ``wavelength_band`` (band id/name or nm), or None where there is none.

    The citation says so when the value is only a reported maximum ("≤5.4 J/cm² … reported
    only as a maximum"): the trial used at most that dose, so reaching it is enough to match.
    See :func:`lowest_tested` for the structured form.
    """
    t = lowest_tested(indication, wavelength_band)
    if t is None:
        return None
    return t.value_j_cm2, t.text()
