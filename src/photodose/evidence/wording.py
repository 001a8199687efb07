"""The words of a verdict: plain sentences built from positions, windows and trial counts.

Kept apart from the arithmetic in :mod:`photodose.evidence.verdict` because the wording is what
changes most and is easiest to review on its own. Rules the sentences follow:

* A window is the range of doses that controlled trials *tested*, not a minimum effective dose.
  A dose outside it is "below / above the doses tested in controlled trials", never
  "under-dosed" or "over-dosed": those trials compared a dose with a control, not doses with
  each other.
* A number reported only as a bound is printed as one (``≤5.4 J/cm²``), and the sentence says
  that the trial's actual dose is not known.
* Matching a tested dose is not a promise of the trial's result.
* The weight of evidence (trials, N, directions) is stated beside the comparison, so a dose
  "within" the tested range of a claim that blinded trials did not support reads as such.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from photodose.evidence.studies import Band, Evidence, exposure_bands, format_number
from photodose.evidence.weight import EvidenceWeight
from photodose.evidence.windows import DoseWindow, Range, reason_not_in_window

__all__ = [
    "VERDICT_LABELS",
    "and_join",
    "band_text",
    "bound_note",
    "context_lines",
    "excluded_dose_note",
    "position_clause",
    "trials_text",
    "weight_sentence",
    "window_text",
]

#: Short labels for each verdict kind (terminal tables, HTML badges).
VERDICT_LABELS: dict[str, str] = {
    "within_studied_range": "within the doses tested in controlled trials",
    "below_studied_range": "below the doses tested in controlled trials",
    "above_studied_range": "above the doses tested in controlled trials",
    "wavelength_not_studied": "wavelength not used in controlled trials",
    "no_controlled_evidence": "no controlled trial dose to compare with",
}

ASSUMED_NOTE = (
    "With no published or measured irradiance, the dose could lie anywhere in the range given; "
    "a meter reading at the skin would settle which side of the tested doses it falls."
)


def and_join(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def band_text(band: Band | None, wavelengths: Sequence[float]) -> str:
    """``red light (630 nm)``; outside every band: ``light at 1072 nm (outside …)``."""
    wl = ", ".join(f"{format_number(w)} nm" for w in wavelengths)
    if band is None:
        return f"light at {wl} (outside the blue, amber, red and NIR bands)"
    span = f"{format_number(band.low_nm)}–{format_number(band.high_nm)} nm"
    return f"{band.name} light ({wl})" if wl else f"{band.name} light ({span})"


def trials_text(ids: Iterable[str], ev: Evidence, band: Band | None = None) -> str:
    """Study labels; with ``band``, each followed by its exposures in that band."""
    parts = []
    for i in ids:
        s = ev.study(i)
        if band is None:
            parts.append(s.label)
            continue
        wls = [
            ex.describe_wavelength()
            for ex in s.exposures
            if any(b.id == band.id for b in exposure_bands(ex, ev.bands))
        ]
        parts.append(f"{s.label}: {', '.join(wls)}" if wls else s.label)
    return "; ".join(parts)


def window_text(r: Range, ev: Evidence, indication: str | None = None) -> str:
    """``3.8–9 J/cm² in 3 controlled trials: Wunsch & Matuschka 2014 (≈9, positive); …``.

    With ``indication``, each trial's result for it (positive / null / negative) follows its
    dose, so a window resting on a null trial reads as such."""
    n = r.n_trials
    per = []
    for sid in r.rests_on:
        vals = [v for v in r.values if v.study_id == sid]
        nums = ", ".join(v.number_text("").strip() for v in vals)
        direction = ev.study(sid).direction_for(indication) if indication else None
        extra = f"; result {direction}" if direction else ""
        per.append(f"{vals[0].study_label} ({nums}{extra})")
    return f"{r.describe()} in {n} controlled trial{'s' if n != 1 else ''}: {'; '.join(per)}"


def bound_note(r: Range) -> str:
    """Say which trial doses are known only as bounds, and what that means for the edges."""
    ups = [v for v in r.values if v.is_upper_bound]
    downs = [v for v in r.values if v.is_lower_bound]
    out = ""
    if ups:
        who = "; ".join(f"{v.study_label} (≤{format_number(v.high)} {r.unit})" for v in ups)
        out += f" Reported only as a maximum: {who}; the actual dose of that trial is not known."
        if r.lower_open:
            out += (
                " So the lowest dose tested is not known either: only that it was at or below that maximum."
            )
    if downs:
        who = "; ".join(f"{v.study_label} (≥{format_number(v.low)} {r.unit})" for v in downs)
        out += f" Reported only as a minimum: {who}."
    return out


def position_clause(pos: str, ind_name: str, r: Range, ev: Evidence, indication: str | None = None) -> str:
    """``within / below / above the doses tested in controlled trials of … (window)``."""
    wtxt = window_text(r, ev, indication)
    if pos == "within":
        return f"within the doses tested in controlled trials of {ind_name} ({wtxt})"
    if pos == "below":
        return (
            f"below the doses tested in controlled trials of {ind_name} ({wtxt}). Doses this "
            "low were not tested there; that is not evidence that they fail, only that no "
            "controlled trial speaks for them"
        )
    return (
        f"above the doses tested in controlled trials of {ind_name} ({wtxt}). Doses this high "
        "were not tested there, and more light is not necessarily better"
    )


def weight_sentence(w: EvidenceWeight | None) -> str:
    if w is None:
        return ""
    if not w.trials:
        return f" Weight of evidence: {w.text()}."
    return f" Weight of evidence for {w.indication_name}: {w.text()}."


def context_lines(win: DoseWindow, ev: Evidence) -> tuple[str, ...]:
    """Numbers and studies in this cell that were not used, with the reason."""
    lines = [f"{e.study_label}: {e.field} {e.value}, not used ({e.reason})" for e in win.excluded]
    with_numbers = {e.study_id for e in win.excluded}
    for sid in win.other_studies:
        if sid not in with_numbers:
            s = ev.study(sid)
            lines.append(f"{s.label} also used this band; not used ({reason_not_in_window(s)})")
    return tuple(lines)


def excluded_dose_note(win: DoseWindow) -> str:
    """Name controlled-trial fluences left out of the window for their confidence, so a reader
    who knows a commonly cited dose sees why it is not counted."""
    rows = [
        e
        for e in win.excluded
        if e.field.startswith("fluence_j_cm2")
        and e.study_id in win.controlled_trials
        and ("unverified" in e.reason or "secondary" in e.reason)
    ]
    if not rows:
        return ""
    parts = []
    for e in rows:
        why = "unverified: not found in accessible text" if "unverified" in e.reason else "secondary source"
        parts.append(f"{e.study_label} {e.value} ({why})")
    return f" Not counted in the tested range: {'; '.join(dict.fromkeys(parts))}."
