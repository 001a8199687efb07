"""Grade extracted claims against the rules, the regulations they cite, and a device context.

For every claim the grader decides which *outcome* applies (a fact-based branch: is there a
K-number on record, is the dose inside the studied window, how deep does light go ...).
The outcome's grade, reason wording and sources come from ``data/claims/rules.toml``;
this module only computes the facts that fill the reason.

Grades: supported, partly_supported, unsupported, misleading, contradicted, not_checkable.
Without a :class:`~photodose.claims.context.ClaimContext` a claim that needs device data is
"not checkable" and its reason names the data needed.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from photodose.claims.context import ClaimContext, StudiedWindow, ValueRange
from photodose.claims.extract import Claim, DecodedText, extract_with_sentences
from photodose.claims.rules import Rules, load_rules
from photodose.claims.sentences import split_sentences


class Grade(StrEnum):
    """How well a claim holds, from the evidence photodose has."""

    SUPPORTED = "supported"
    PARTLY_SUPPORTED = "partly_supported"
    UNSUPPORTED = "unsupported"
    MISLEADING = "misleading"
    CONTRADICTED = "contradicted"
    NOT_CHECKABLE = "not_checkable"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


#: Order used to summarise several claims of one category in a sentence (worst first).
SEVERITY: dict[Grade, int] = {
    Grade.CONTRADICTED: 5,
    Grade.MISLEADING: 4,
    Grade.UNSUPPORTED: 3,
    Grade.PARTLY_SUPPORTED: 2,
    Grade.NOT_CHECKABLE: 1,
    Grade.SUPPORTED: 0,
}


@dataclass(frozen=True)
class Citation:
    """A source a reason rests on."""

    key: str
    citation: str
    url: str | None = None
    confidence: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "citation": self.citation,
            "url": self.url,
            "confidence": self.confidence,
        }


@dataclass(frozen=True)
class GradedClaim:
    """A claim with its grade, the reasons for it, and the sources behind the reasons."""

    claim: Claim
    grade: Grade
    reasons: tuple[str, ...]
    citations: tuple[Citation, ...]
    outcome: str

    @property
    def text(self) -> str:
        return self.claim.text

    @property
    def sentence(self) -> str:
        return self.claim.sentence

    @property
    def category(self) -> str:
        return self.claim.category

    @property
    def doubtful(self) -> bool:
        """A rule's claim the learned model reads as no claim of its category (learned.py,
        ``[use.doubt]``): kept and graded, and marked so, with a reason saying what that is worth."""
        return "model_doubt" in self.claim.details

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.claim.text,
            "sentence": self.claim.sentence,
            "category": self.claim.category,
            "kind": self.claim.kind,
            "grade": self.grade.value,
            "grade_label": self.grade.label,
            "doubtful": self.doubtful,
            "reasons": list(self.reasons),
            "citations": [c.to_dict() for c in self.citations],
            "outcome": self.outcome,
            "rule_id": self.claim.rule_id,
            "sentence_index": self.claim.sentence_index,
            "start": self.claim.start,
            "end": self.claim.end,
            "details": dict(self.claim.details),
        }


@dataclass
class _Result:
    outcome: str
    facts: dict[str, Any] = field(default_factory=dict)
    citations: list[Citation] = field(default_factory=list)
    extra: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)


class _Facts(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        raise KeyError(f"claims rules: reason template uses {{{key}}}, which this outcome lacks")


# ---------------------------------------------------------------------------------------
# Formatting helpers
# ---------------------------------------------------------------------------------------


def _n(x: float) -> str:
    """A number with up to three significant digits."""
    if x == 0:
        return "0"
    return f"{x:.3g}" if abs(x) < 1000 else f"{x:,.0f}"


def _range_text(r: ValueRange, unit: str) -> str:
    """ "0.14–6.1 J/cm² (central 1.6)", or one value when the ends print the same."""
    lo, c, hi = _n(r.low), _n(r.central), _n(r.high)
    if lo == hi:
        return f"{c} {unit}"
    return f"{lo}–{hi} {unit} (central {c})"


def _window_text(w: StudiedWindow) -> str:
    lo, hi = _n(w.min_fluence_j_cm2), _n(w.max_fluence_j_cm2)
    if lo == hi:
        return f"{lo} J/cm² per session"
    return f"{lo}–{hi} J/cm² per session"


def _nm_list(values: Iterable[float]) -> str:
    return ", ".join(f"{v:.0f} nm" for v in values)


def _device(ctx: ClaimContext | None) -> str:
    return (ctx.device_name if ctx is not None and ctx.device_name else None) or "this device"


def _for_device(ctx: ClaimContext | None) -> str:
    return f" for {ctx.device_name}" if ctx is not None and ctx.device_name else ""


def _context_citation(key: str, text: str) -> Citation:
    return Citation(key=key, citation=text, url=None, confidence="derived")


# ---------------------------------------------------------------------------------------
# Graders, one per category
# ---------------------------------------------------------------------------------------


def _regulatory(claim: Claim, ctx: ClaimContext | None, rules: Rules) -> _Result:
    d = claim.details
    reg = ctx.regulatory if ctx is not None else None
    device = _device(ctx)
    facts: dict[str, Any] = {"device": device}
    cites: list[Citation] = []
    if reg is not None:
        facts.update(
            k_number=reg.k_number or "no K-number",
            record_k_number=reg.k_number or "no K-number",
            record_source=reg.source or "device record",
            product_code_text=f", product code {reg.product_code}" if reg.product_code else "",
        )
        if reg.source:
            cites.append(_context_citation("context.regulatory", f"{device}: {reg.source}"))
    kind = claim.kind
    if kind == "fda_approved_negated":
        return _Result("regulatory.fda_approved_negated", facts)
    if kind == "fda_approved":
        if reg is not None and (reg.pathway == "pma" or reg.pma_number):
            facts["pma"] = reg.pma_number or "PMA on record"
            return _Result("regulatory.fda_approved.pma_on_record", facts, cites)
        if reg is None and d.get("pma_numbers"):
            facts["pma"] = ", ".join(d["pma_numbers"])
            return _Result("regulatory.fda_approved.pma_in_text", facts)
        if reg is not None and reg.k_number:
            return _Result("regulatory.fda_approved.cleared_not_approved", facts, cites)
        return _Result("regulatory.fda_approved.no_pma", facts, cites)
    if kind == "fda_cleared_negated":
        return _Result("regulatory.fda_cleared_negated", facts)
    if kind == "fda_cleared":
        if reg is None:
            ks = d.get("k_numbers") or []
            facts["k_hint"] = (
                f"The sentence cites {', '.join(ks)}." if ks else "No K-number is given in the text."
            )
            return _Result("regulatory.fda_cleared.text_only", facts)
        if reg.clearance_confirmed is False:
            return _Result("regulatory.fda_cleared.denied", facts, cites)
        if not reg.k_number:
            return _Result("regulatory.fda_cleared.no_record", facts, cites)
        claimed = [i for i in d.get("indications", []) if i in rules.indications]
        if reg.cleared_indications and claimed:
            cleared = set(reg.cleared_indications)
            covered = [
                i for i in claimed if i in cleared or cleared.intersection(rules.indications[i].evidence_keys)
            ]
            # "cleared for X and Y": every indication named as cleared must be; otherwise one
            # cleared indication in the sentence is enough
            named = [i for i in d.get("cleared_for", []) if i in rules.indications]
            missing = [i for i in named if i not in covered] if named else ([] if covered else claimed)
            if missing:
                facts["cleared"] = ", ".join(reg.cleared_indications)
                facts["claimed"] = ", ".join(i.replace("_", " ") for i in missing)
                return _Result("regulatory.fda_cleared.indication_mismatch", facts, cites)
        if reg.clearance_confirmed:
            return _Result("regulatory.fda_cleared.confirmed", facts, cites)
        return _Result("regulatory.fda_cleared.unconfirmed", facts, cites)
    if kind == "clearance_overstated":
        return _Result("regulatory.clearance_overstated", facts)
    if kind == "k_number":
        facts["k_number"] = d.get("k_number", claim.text)
        if reg is None:
            return _Result("regulatory.k_number.text_only", facts)
        if not reg.k_number:
            return _Result("regulatory.k_number.no_record", facts, cites)
        if reg.k_number == facts["k_number"].upper():
            if reg.clearance_confirmed:
                return _Result("regulatory.k_number.match", facts, cites)
            return _Result("regulatory.k_number.unconfirmed_match", facts, cites)
        return _Result("regulatory.k_number.mismatch", facts, cites)
    if kind == "fda_registered":
        return _Result("regulatory.fda_registered", facts)
    if kind == "fda_certified":
        if reg is not None and reg.k_number and reg.clearance_confirmed is not False:
            return _Result("regulatory.fda_certified.cleared_device", facts, cites)
        return _Result("regulatory.fda_certified", facts)
    if kind == "class_ii":
        if reg is not None and reg.k_number and reg.clearance_confirmed:
            return _Result("regulatory.class_ii.consistent", facts, cites)
        return _Result("regulatory.class_ii.text_only", facts)
    if kind == "ce_mark":
        return _Result("regulatory.ce_mark", facts)
    if kind == "generic":
        return _Result("regulatory.generic", facts)
    raise ValueError(f"no regulatory grader for kind {kind!r}")


def _endorsement(claim: Claim, ctx: ClaimContext | None, rules: Rules) -> _Result:
    facts: dict[str, Any] = {"device": _device(ctx), "for_device": _for_device(ctx)}
    trials = ctx.device_trials if ctx is not None else ()
    facts["trials"] = "; ".join(trials) if trials else "none"
    cites = [_context_citation("context.device_trial", t) for t in trials]
    kind = claim.kind
    if kind == "recommended":
        if ctx is not None and ctx.dermatologist_survey:
            return _Result("endorsement.recommended.survey", facts)
        return _Result("endorsement.recommended.no_survey", facts)
    if kind == "personal":  # a named expert, a celebrity, athletes: one person's word, not evidence
        return _Result("endorsement.personal", facts)
    if kind == "history":  # "used in medicine for 40 years": use over time, not a trial
        return _Result("endorsement.history", facts)
    if kind == "certified":
        return _Result("endorsement.certified", facts)
    if kind == "generic":
        return _Result("endorsement.generic", facts)
    if kind == "study_count":
        n_trials = len({t.citation for t in ctx.trial_evidence}) if ctx and ctx.trial_evidence else 0
        facts["trial_count_text"] = (
            f"The evidence database holds {n_trials} controlled trials of light treatment of the skin. "
            if n_trials
            else ""
        )
        # a count offered for this product ("our mask is backed by 1,200 studies") claims more
        # than one of the whole field ("over 300 trials of light therapy have been published")
        # (docs/claims-labelling.md, settled after round 10)
        if _NAMES_PRODUCT.search(claim.sentence) or _BULLET_BACKING.match(claim.sentence):
            return _Result("endorsement.study_count", facts)
        return _Result("endorsement.study_count.field", facts)
    if kind == "developed":
        return _Result("endorsement.developed", facts)
    if kind == "clinically_proven":
        if trials:
            return _Result("endorsement.clinically_proven.device_trial", facts, cites)
        if claim.details.get("study_named"):
            return _Result("endorsement.clinically_proven.study_named", facts)
        return _Result("endorsement.clinically_proven.no_trial", facts)
    if kind == "clinically_tested":
        if trials:
            return _Result("endorsement.clinically_tested.device_trial", facts, cites)
        return _Result("endorsement.clinically_tested.no_record", facts)
    raise ValueError(f"no endorsement grader for kind {kind!r}")


def _best_band(ctx: ClaimContext, window: StudiedWindow) -> tuple[ValueRange, str] | None:
    bands = ctx.fluence_per_session or ()
    eligible = []
    for b in bands:
        wl = b.wavelength_nm
        if wl is not None and window.wavelength_min_nm is not None and wl < window.wavelength_min_nm:
            continue
        if wl is not None and window.wavelength_max_nm is not None and wl > window.wavelength_max_nm:
            continue
        eligible.append(b)
    if not eligible:
        return None
    best = max(eligible, key=lambda b: b.fluence_j_cm2.central)
    return best.fluence_j_cm2, best.label


def _medical_note(ind_key: str, rules: Rules) -> list[tuple[str, tuple[str, ...]]]:
    ind = rules.indications[ind_key]
    if not ind.medical:
        return []
    return [
        (
            f"{ind.label.capitalize()} is a medical condition: in the UK such claims are medicinal "
            "and need MHRA registration (ASA rulings, November 2025); in the US the device needs "
            "a clearance for that indication.",
            ("asa_2025", "cfr807"),
        )
    ]


_FINDING_TEXT = {
    "improved": "improved",
    "no_change": "no change",
    "worse": "no better than control",
    "mixed": "mixed",
}


def is_praise_only(sentence: str, rules: Rules) -> bool:
    """Does the sentence only praise, naming no outcome ("This leads to numerous benefits")?
    (``[efficacy] unread_generic`` without ``unread_named``.)"""
    generic, named = rules.efficacy_unread_generic, rules.efficacy_unread_named
    return (
        generic is not None
        and named is not None
        and generic.search(sentence) is not None
        and named.search(sentence) is None
    )


def _efficacy(claim: Claim, ctx: ClaimContext | None, rules: Rules) -> _Result:
    if claim.kind == "unspecified":
        if claim.rule_id.startswith("learned.") and not is_praise_only(claim.sentence, rules):
            # the learned model read an effect in words none of the indications matches; every
            # indication with a trial in the evidence database is one of them, so none covers it
            return _Result("efficacy.unread", {"device": _device(ctx)})
        return _Result("efficacy.unspecified", {"device": _device(ctx)})  # "it really works"
    ind = rules.indications[claim.details["indication"]]
    facts: dict[str, Any] = {
        "indication_label": ind.label,
        "device": _device(ctx),
        "for_device": _for_device(ctx),
    }
    extra = _medical_note(ind.key, rules)
    if claim.kind == "absolute":
        return _Result("efficacy.absolute", facts, extra=extra)
    if ctx is None:
        outcome = "efficacy.text_only" if ind.studied else "efficacy.no_evidence"
        return _Result(outcome, facts, extra=extra)
    reg = ctx.regulatory
    if ind.medical and reg is not None and reg.cleared_indications:
        cleared = set(reg.cleared_indications)
        if ind.key not in cleared and not cleared.intersection(ind.evidence_keys):
            facts["cleared"] = ", ".join(reg.cleared_indications)
            facts["k_number"] = reg.k_number or "no K-number"
            return _Result("efficacy.uncleared_medical", facts, extra=extra)
    if ctx.studied_windows is None:
        outcome = "efficacy.text_only" if ind.studied else "efficacy.no_evidence"
        return _Result(outcome, facts, extra=extra)
    trials = ctx.trials_for(ind.evidence_keys)
    found = [t for t in trials if t.finding is not None]
    if found and all(t.finding == "no_change" for t in found):
        facts["trials"] = "; ".join(f"{t.citation} ({t.measures or 'measured'}: no change)" for t in found)
        facts["other_text"] = ""
        return _Result(
            "efficacy.no_change_found",
            facts,
            [_context_citation("context.evidence_trial", t.citation) for t in found],
            extra,
        )
    window = ctx.window_for(ind.evidence_keys)
    no_change = {t.citation for t in trials if t.finding == "no_change"}
    if window is not None and window.trials and all(c in no_change for c in window.trials):
        # the only trials behind the window found no change in this outcome: not support
        facts["trials"] = "; ".join(f"{c} ({ind.label}: no change)" for c in window.trials)
        others = sorted({t.citation for t in trials if t.finding == "improved"})
        facts["other_text"] = (
            f" Trials reporting an improvement without a usable dose: {'; '.join(others)}." if others else ""
        )
        return _Result(
            "efficacy.no_change_found",
            facts,
            [_context_citation("context.evidence_trial", c) for c in window.trials],
            extra,
        )
    if window is not None and no_change.intersection(window.trials):
        dropped = [c for c in window.trials if c in no_change]
        window = replace(window, trials=tuple(c for c in window.trials if c not in no_change))
        extra = [
            *extra,
            (f"Not counted as support: {'; '.join(dropped)} found no change in {ind.label}.", ()),
        ]
    if window is None:
        if trials:
            facts["trials"] = "; ".join(
                f"{t.citation} ({t.measures or ind.label}: "
                f"{_FINDING_TEXT.get(t.finding or '', 'result not recorded')})"
                for t in trials
            )
            bands = ctx.fluence_per_session or ()
            if bands:
                best = max(bands, key=lambda b: b.fluence_j_cm2.central)
                facts["fluence_text"] = _range_text(best.fluence_j_cm2, "J/cm²") + (
                    f" ({best.label})" if best.label else ""
                )
            else:
                facts["fluence_text"] = "dose not computed"
            return _Result(
                "efficacy.trials_no_dose",
                facts,
                [
                    _context_citation("context.evidence_trial", t)
                    for t in sorted({t.citation for t in trials})
                ],
                extra,
            )
        return _Result("efficacy.no_window", facts, extra=extra)
    facts["window_text"] = _window_text(window)
    facts["trials"] = "; ".join(window.trials) if window.trials else "trials not listed"
    cites = [_context_citation("context.evidence_trial", t) for t in window.trials]
    band = _best_band(ctx, window)
    if band is None:
        return _Result("efficacy.no_dose", facts, cites, extra)
    fluence, label = band
    facts["fluence_text"] = _range_text(fluence, "J/cm²") + (f" ({label})" if label else "")
    facts["fluence_high_text"] = f"{_n(fluence.high)} J/cm²"
    lo, hi = window.min_fluence_j_cm2, window.max_fluence_j_cm2
    far = float(rules.thresholds["far_below_factor"])
    if lo <= fluence.central <= hi:
        outcome = "efficacy.within_window"
    elif fluence.central < lo:
        if fluence.high >= lo:
            outcome = "efficacy.overlaps_window"
        elif fluence.high < far * lo:
            outcome = "efficacy.far_below_window"
        else:
            outcome = "efficacy.below_window"
    else:
        outcome = "efficacy.above_window"
    return _Result(outcome, facts, cites, extra)


def _mechanism(claim: Claim, ctx: ClaimContext | None, rules: Rules) -> _Result:
    if claim.kind == "unspecified":  # the learned model's claim, no mechanism the rules name
        return _Result("mechanism.unspecified", {"device": _device(ctx)})
    mech = rules.mechanisms[claim.details["mechanism"]]
    facts: dict[str, Any] = {"mechanism_label": mech.label, "device": _device(ctx)}
    if "percent" in claim.details:
        facts["percent_text"] = claim.details.get("percent_text", "")
        return _Result("mechanism.quantified", facts)
    if mech.status == "none":
        return _Result("mechanism.none", facts)
    if mech.key == "collagen":
        return _Result("mechanism.collagen_human", facts)
    return _Result("mechanism.cellular", facts)


def _depth_table(ctx: ClaimContext | None, rules: Rules) -> tuple[list[tuple[float, float, str]], bool]:
    """(wavelength nm, 1 % depth cm, provenance) rows: the device context's own depth model when
    it has one, else the default table (``data/claims/default_depth.toml``, provenance filled in
    by :func:`_default_provenance` for the wavelength graded)."""
    if ctx is not None and ctx.penetration_depth:
        rows = sorted((d.wavelength_nm, d.depth_cm, d.provenance) for d in ctx.penetration_depth)
        return rows, False
    return [(r.wavelength_nm, r.depth_cm, "") for r in rules.default_depth], True


def _mm_text(mm: float) -> str:
    return f"{mm:.2g}" if mm < 1.0 else f"{mm:.1f}".removesuffix(".0")


def _default_range_text(rules: Rules, wl: float) -> str:
    """The default depth's range over skin types and sites at ``wl``, in words (linearly
    interpolated between the table's wavelengths, like the depth itself): "1 % depth at 660 nm
    14.6 to more than 20 mm across skin types I–VI, forehead and cheek"."""
    rows = rules.default_depth
    lo_row = max((r for r in rows if r.wavelength_nm <= wl), key=lambda r: r.wavelength_nm, default=rows[0])
    hi_row = min((r for r in rows if r.wavelength_nm >= wl), key=lambda r: r.wavelength_nm, default=rows[-1])
    t = 0.0
    if hi_row.wavelength_nm != lo_row.wavelength_nm:
        t = (wl - lo_row.wavelength_nm) / (hi_row.wavelength_nm - lo_row.wavelength_nm)
    low = lo_row.depth_1pct_low_mm + t * (hi_row.depth_1pct_low_mm - lo_row.depth_1pct_low_mm)
    high = lo_row.depth_1pct_high_mm + t * (hi_row.depth_1pct_high_mm - lo_row.depth_1pct_high_mm)
    beyond = lo_row.depth_1pct_beyond or hi_row.depth_1pct_beyond
    high_text = f"more than {_mm_text(high)}" if beyond else _mm_text(high)
    span = f"{_mm_text(low)} to {high_text} mm"
    return f"1 % depth at {wl:.0f} nm {span} across skin types I–VI, forehead and cheek"


def _default_case(rules: Rules) -> str:
    info = rules.default_depth_info
    return info.case.replace(",", "") if info else "the default skin"


def _default_provenance(rules: Rules, wl: float) -> str:
    """Where a default depth comes from, in words: "photodose depth model, mask LEDs,
    Fitzpatrick III forehead; 14.6 to more than 20 mm across skin types I–VI, forehead and cheek"."""
    return f"photodose depth model, mask LEDs, {_default_case(rules)}; {_default_range_text(rules, wl)}"


def _default_depth_citation(rules: Rules, wl: float, depth_cm: float) -> Citation:
    """The depth model behind a default depth, cited in words: the case, the depth, its range,
    how it was computed and the skin model version."""
    s = rules.source("photodose_default_depth")
    info = rules.default_depth_info
    version = f" Skin model version {info.skin_model_version}." if info else ""
    here = (
        f"photodose depth model, mask LEDs, {_default_case(rules)}, 1 % of peak fluence at "
        f"{depth_cm * 10.0:.1f} mm at {wl:.0f} nm ({_default_range_text(rules, wl)}). "
    )
    return Citation(key=s.key, citation=here + s.citation + version, url=s.url, confidence="computed")


def _depth_at(table: Sequence[tuple[float, float, str]], wl: float, tol: float) -> tuple[float, str] | None:
    """Linear interpolation inside the table; nearest row within ``tol`` nm outside it."""
    if not table:
        return None
    if table[0][0] <= wl <= table[-1][0]:
        for (w0, d0, p0), (w1, d1, _p1) in itertools.pairwise(table):
            if w0 <= wl <= w1:
                if w1 == w0:
                    return d0, p0
                t = (wl - w0) / (w1 - w0)
                return d0 + t * (d1 - d0), p0
        return table[-1][1], table[-1][2]
    nearest = min(table, key=lambda row: abs(row[0] - wl))
    if abs(nearest[0] - wl) <= tol:
        return nearest[1], nearest[2]
    return None


def _depth_candidates(
    claim: Claim, ctx: ClaimContext | None, rules: Rules, table: Sequence[tuple[float, float, str]]
) -> list[float]:
    d = claim.details
    if d.get("wavelengths_nm"):
        return [float(w) for w in d["wavelengths_nm"]]
    bands = list(ctx.wavelengths_nm) if ctx is not None else []
    defaults = rules.depth_defaults
    out: list[float] = []
    for colour in d.get("colours", []):
        if colour == "nir":
            out += [w for w in bands if w >= 700] or [defaults["nir_nm"]]
        elif colour == "red":
            out += [w for w in bands if 600 <= w < 700] or [defaults["red_nm"]]
        elif colour == "blue":
            out += [w for w in bands if w < 500] or [defaults["blue_nm"]]
    if out:
        return out
    return bands or [row[0] for row in table]


#: the sentence speaks of a product of its own: "our mask", "this device", "we"
_NAMES_PRODUCT = re.compile(
    r"\b(?:our|this|these|its)\s{1,3}(?:[\w\-]{1,20}\s{1,3}){0,2}(?:masks?|devices?|products?|panels?|systems?"
    r"|wands?|caps?|helmets?|lamps?|beds?|pads?|machines?|kits?|technology|treatments?)\b|\bwe\b",
    re.IGNORECASE,
)

#: a product-page bullet with no subject of its own ("Backed by 4,000 studies."): the product's
#: backing, unless the sentence goes on to speak of research in general ("…, research shows")
_BULLET_BACKING = re.compile(
    r"\W{0,3}(?:backed|supported|validated|proven)\s{1,3}(?:up\s{1,3})?by\b"
    r"(?!.{0,200}\b(?:research|studies|science|evidence)\s{1,3}(?:shows?|suggests?|indicates?)\b)",
    re.IGNORECASE | re.DOTALL,
)

_DERMIS = re.compile(
    r"(?<![A-Za-z])dermis\b|\bdermal\s{1,3}layers?\b|\bcollagen\s{1,3}layers?\b", re.IGNORECASE
)


#: "into the skin", "in your skin", "layers of the skin": the skin proper (epidermis and dermis)
#: ends at the dermis' bottom; what lies deeper is subcutaneous ("beneath/under the skin" is
#: therefore not matched).
_SKIN = re.compile(
    r"\b(?:into|in|within|inside|throughout|through)\s{1,3}(?:the\s{1,3}|your\s{1,3})?skin\b"
    r"(?!['’]s\s{1,3}surface|\s{1,3}surface)|\bskin\s{1,3}layers?\b|\blayers?\s{1,3}of\s{1,3}(?:the\s{1,3}|your\s{1,3})?skin\b",
    re.IGNORECASE,
)


def _beyond_layer(
    claim: Claim, ctx: ClaimContext | None, rules: Rules, wl: float, depth_1pct_cm: float, claimed_cm: float
) -> dict[str, Any] | None:
    """Facts for "depth.beyond_layer" when the sentence puts the claimed depth in the dermis (or
    in the skin, which ends with the dermis) but that layer ends above it; None otherwise.

    The dermis bottom and the layer at the claimed depth come from the depth model's layer
    stack when the context has one, else from ``[depth_layers]`` of the rules.  The fluence
    there is read from the model's profile; without a device, from the default table's 1/e, 10 %
    and 1 % depths (:func:`_default_fraction`); else estimated by exponential decay from the 1 %
    depth: Φ(z)/Φmax ≈ 0.01^(z / z₁%)  (diffusion far from the source, Jacques 2013).
    """
    if _DERMIS.search(claim.sentence):
        layer_name = "dermis"
    elif _SKIN.search(claim.sentence):
        layer_name = "skin (epidermis and dermis)"
    else:
        return None
    profile = None
    if ctx is not None and ctx.penetration_depth:
        profile = min(ctx.penetration_depth, key=lambda p: abs(p.wavelength_nm - wl))
    layers = list(profile.layers) if profile is not None and profile.layers else []
    # the dermis: its named sublayers and the blood plexuses inside it
    dermis = [
        (n, a, b)
        for n, a, b in layers
        if ("dermis" in n.lower() and not n.lower().startswith(("epi", "hypo"))) or "plexus" in n.lower()
    ]
    skin_max = layer_name != "dermis" and bool(rules.depth_layers.get("skin_bottom_max_mm"))
    if skin_max:
        # "in the skin": the thickest facial skin anywhere (not this stack's site), so that a
        # claim is only faulted where no face's skin reaches
        bottom_cm = float(rules.depth_layers["skin_bottom_max_mm"]) / 10.0
        at = next(
            (n for n, a, b in layers if a <= claimed_cm < b),
            layers[-1][0] if layers else rules.depth_layers["below_dermis"],
        )
    elif dermis:
        bottom_cm = max(b for _n2, _a, b in dermis)
        at = next(
            (n for n, a, b in layers if a <= claimed_cm < b), layers[-1][0] if layers else "deeper tissue"
        )
    elif rules.depth_layers:
        bottom_cm = rules.depth_layers["dermis_bottom_mm"] / 10.0
        at = rules.depth_layers["below_dermis"]
    else:
        return None
    if claimed_cm <= bottom_cm:
        return None
    if profile is not None and profile.relative_fluence:
        zs = [z for z, _f in profile.relative_fluence]
        fs = [f for _z, f in profile.relative_fluence]
        frac = fs[-1] if claimed_cm >= zs[-1] else _interp(claimed_cm, zs, fs)
    elif ctx is None or not ctx.penetration_depth:
        frac = _default_fraction(rules, wl, claimed_cm, depth_1pct_cm)
    else:
        frac = 0.01 ** (claimed_cm / depth_1pct_cm)
    pct = 100.0 * frac
    if skin_max:
        layer_source = (
            "thickest facial skin: forehead dermis mean + 2 SD, "
            f"{rules.source(rules.depth_layers['source']).short_name}, plus the epidermis"
        )
    else:
        layer_source = (
            "the depth model's layer stack"
            if dermis
            else f"thickest face-site dermis, {rules.source(rules.depth_layers['source']).short_name}"
        )
    return {
        "outcome": "depth.beyond_layer" if layer_name == "dermis" else "depth.beyond_skin",
        "layer_source": layer_source,
        "layer": layer_name,
        "layer_bottom_mm": bottom_cm * 10.0,
        "layer_at_depth": at if at.lower().startswith(("the ", "subcutaneous")) else f"the {at}",
        "percent_of_max_text": f"{pct:.2g} %" if pct >= 0.01 else "under 0.01 %",
    }


def _default_fraction(rules: Rules, wl: float, z_cm: float, depth_1pct_cm: float) -> float:
    """Φ(z)/Φmax from the default table at ``wl``: log-linear between (0, 1) and the 1/e, 10 % and
    1 % depths (interpolated between the table's wavelengths), and beyond the 1 % depth along the
    10 %→1 % decade (exponential decay far from the source, Jacques 2013)."""
    rows = rules.default_depth
    if not rows:
        return float(0.01 ** (z_cm / depth_1pct_cm))
    ws = [r.wavelength_nm for r in rows]
    z1e = _interp(wl, ws, [r.depth_1e_mm for r in rows]) / 10.0
    z10 = _interp(wl, ws, [r.depth_10pct_mm for r in rows]) / 10.0
    z1 = depth_1pct_cm
    if not 0.0 < z1e < z10 < z1:
        return float(0.01 ** (z_cm / z1))
    zs = [0.0, z1e, z10, z1]
    logs = [0.0, -1.0, math.log(0.1), math.log(0.01)]
    if z_cm >= z1:
        return math.exp(logs[-1] + (z_cm - z1) * (logs[-1] - logs[-2]) / (z1 - z10))
    return math.exp(_interp(z_cm, zs, logs))


def _interp(x: float, xs: Sequence[float], ys: Sequence[float]) -> float:
    """Linear interpolation in increasing ``xs`` (clamped at the ends)."""
    if x <= xs[0]:
        return ys[0]
    for (x0, y0), (x1, y1) in itertools.pairwise(zip(xs, ys, strict=True)):
        if x0 <= x <= x1:
            return y0 if x1 == x0 else y0 + (x - x0) / (x1 - x0) * (y1 - y0)
    return ys[-1]


def _depth(claim: Claim, ctx: ClaimContext | None, rules: Rules) -> _Result:
    d = claim.details
    facts: dict[str, Any] = {"device": _device(ctx)}
    if claim.kind == "wavelength":
        ranges = [tuple(r) for r in d.get("wavelength_ranges_nm", [])]
        facts["claimed_wavelengths"] = ", ".join(
            f"{a:.0f} nm" if a == b else f"{a:.0f}–{b:.0f} nm" for a, b in ranges
        )
        if ctx is None or not ctx.wavelengths_nm:
            return _Result("depth.wavelength_text_only", facts)
        tol = float(rules.thresholds["wavelength_match_nm"])
        facts["device_bands"] = _nm_list(ctx.wavelengths_nm)
        ok = all(any(a - tol <= w <= b + tol for w in ctx.wavelengths_nm) for a, b in ranges)
        return _Result("depth.wavelength_match" if ok else "depth.wavelength_mismatch", facts)

    table, is_default = _depth_table(ctx, rules)
    tol = float(rules.thresholds["depth_wavelength_tolerance_nm"])
    candidates = _depth_candidates(claim, ctx, rules, table)
    best: tuple[float, float, str] | None = None
    for wl in candidates:
        got = _depth_at(table, wl, tol)
        if got is not None and (best is None or got[0] > best[1]):
            best = (wl, got[0], got[1])
    facts["wavelength_text"] = _nm_list(candidates) or "the wavelength named"
    cites: list[Citation] = []
    if best is not None:
        wl, depth_cm, prov = best
        if is_default:  # the depth model's table: cited in words, with the case and its range
            prov = _default_provenance(rules, wl)
            cites.append(_default_depth_citation(rules, wl, depth_cm))
        else:
            cites.append(_context_citation("context.depth_model", prov))
        # the citation is built here (it names the wavelength and depth), not from the outcome's sources
        facts.update(wavelength_nm=wl, model_mm=depth_cm * 10.0, provenance=prov, depth_source="")
    if claim.kind == "depth_qualitative":
        if best is None:
            return _Result("depth.qualitative_no_model", facts)
        return _Result("depth.qualitative", facts, cites)

    claimed_cm = float(d["depth_cm"])
    as_written = d.get("as_written", "")
    claimed_text = f"{_n(claimed_cm * 10)} mm"
    if as_written and as_written.replace(" ", "") != claimed_text.replace(" ", ""):
        claimed_text += f" ('{as_written}')"
    facts["claimed_text"] = claimed_text
    if best is None:
        return _Result("depth.no_model", facts)
    ratio = claimed_cm / best[1]
    factor = float(rules.thresholds["depth_partly_factor"])
    layer = _beyond_layer(claim, ctx, rules, best[0], best[1], claimed_cm)
    # "in the skin" beyond the skin is misleading where light does reach that depth; where it
    # does not (beyond the partly factor), the plain depth grade (contradicted) is the worse one
    if layer is not None and (layer["outcome"] == "depth.beyond_layer" or ratio <= factor):
        outcome = layer.pop("outcome")
        facts.update(layer)
        if is_default or outcome == "depth.beyond_skin":
            cites.append(_source_citation(rules, rules.depth_layers.get("source", "meng2022")))
        return _Result(outcome, facts, cites)
    facts["ratio"] = ratio
    extra: list[tuple[str, tuple[str, ...]]] = []
    if d.get("open_ended"):
        extra.append(("'Or more' leaves the claim open-ended; the stated figure was checked.", ()))
    if ratio <= 1.0:
        return _Result("depth.supported", facts, cites, extra)
    if ratio <= factor:
        return _Result("depth.partly", facts, cites, extra)
    return _Result("depth.contradicted", facts, cites, extra)


def _numeric(claim: Claim, ctx: ClaimContext | None, rules: Rules) -> _Result:
    if claim.kind == "unspecified":  # the learned model's claim, no figure the rules can read
        return _Result("numeric.unspecified", {"device": _device(ctx)})
    d = claim.details
    ind_key = d.get("indication")
    ind = rules.indications.get(ind_key) if ind_key else None
    facts: dict[str, Any] = {
        "device": _device(ctx),
        "percent_text": d.get("percent_text", ""),
        "indication_label": ind.label if ind is not None else "the outcome",
        "duration_text": f" {d['duration_text']}" if d.get("duration_text") else "",
        "benchmark_hint": "",
        "benchmark_source": "",
    }
    extra: list[tuple[str, tuple[str, ...]]] = []
    if d.get("up_to"):
        extra.append(
            (
                "'Up to' figures need evidence that an appreciable share of users reach them, "
                "not only the best case (NAD).",
                ("nad_dermstore",),
            )
        )
    if ind is not None:
        extra += _medical_note(ind.key, rules)
    if d.get("perception"):
        return _Result("numeric.perception", facts, extra=extra)
    trials = ctx.device_trials if ctx is not None else ()
    if trials:
        facts["trials"] = "; ".join(trials)
        return _Result(
            "numeric.device_trial",
            facts,
            [_context_citation("context.device_trial", t) for t in trials],
            extra,
        )
    if ind is not None and not d.get("responder"):
        weeks = d.get("weeks")
        pool = [b for b in rules.benchmarks if b.indication == ind.key]
        if weeks is not None:
            pool = [b for b in pool if b.weeks <= weeks + 1e-9]
        if pool:
            best = max(pool, key=lambda b: b.reduction_percent)
            tol = float(rules.thresholds["benchmark_tolerance"])
            src = rules.sources[best.source]
            facts["benchmark_text"] = (
                f"−{_n(best.reduction_percent)} % {best.measure} at {_n(best.weeks)} weeks "
                f"({best.design}; {src.short_name})"
            )
            facts["benchmark_source"] = best.source
            if float(d["percent"]) > best.reduction_percent * tol:
                return _Result("numeric.exceeds_benchmark", facts, extra=extra)
            facts["benchmark_hint"] = (
                f"The figure is within {_n(tol)} times the largest published result by then: "
                f"{facts['benchmark_text']}."
            )
    if ctx is not None:
        return _Result("numeric.no_device_trial", facts, extra=extra)
    return _Result("numeric.text_only", facts, extra=extra)


def _safety(claim: Claim, ctx: ClaimContext | None, rules: Rules) -> _Result:
    facts: dict[str, Any] = {"device": _device(ctx), "dose_text": ""}
    kind = claim.kind
    if kind == "absolute":
        return _Result("safety.absolute", facts)
    if kind == "all_skin_types":
        mtd = float(rules.thresholds["min_mtd_j_cm2"])
        facts["mtd"] = mtd
        bands = ctx.fluence_per_session if ctx is not None else None
        if bands:
            high = max(b.fluence_j_cm2.high for b in bands)
            facts["fluence_high_text"] = f"{_n(high)} J/cm²"
            if high >= mtd:
                return _Result("safety.all_skin_types_exceeds", facts)
            facts["dose_text"] = (
                f"; {facts['device']} delivers at most {_n(high)} J/cm² per session, "
                f"{_n(mtd / high) if high > 0 else 'many'} times below the lower of the two"
            )
        return _Result("safety.all_skin_types", facts)
    if kind == "no_uv":
        if ctx is None or not ctx.wavelengths_nm:
            return _Result("safety.no_uv.text_only", facts)
        facts["device_bands"] = _nm_list(ctx.wavelengths_nm)
        if min(ctx.wavelengths_nm) < 400:
            return _Result("safety.no_uv.contradicted", facts)
        return _Result("safety.no_uv.supported", facts)
    if kind == "eye_safe":
        return _Result("safety.eye_safe", facts)
    if kind == "pregnancy":
        return _Result("safety.pregnancy", facts)
    if kind == "generic":
        return _Result("safety.generic", facts)
    raise ValueError(f"no safety grader for kind {kind!r}")


def _comparison(claim: Claim, ctx: ClaimContext | None, rules: Rules) -> _Result:
    facts: dict[str, Any] = {"device": _device(ctx), "office_hint": ""}
    if claim.kind == "other_treatment":  # "more effective than heating pads": no head-to-head trial
        return _Result("comparison.other_treatment", facts)
    if ctx is None or ctx.in_office_irradiance_mw_cm2 is None:
        if ctx is not None and ctx.device_irradiance_mw_cm2 is None:
            return _Result("comparison.no_irradiance", facts)
        return _Result("comparison.text_only", facts)
    lo, hi = ctx.in_office_irradiance_mw_cm2
    facts["office_text"] = f"{_n(lo)}–{_n(hi)} mW/cm²"
    facts["office_source"] = ctx.in_office_source or "catalogued in-office devices"
    irr = ctx.device_irradiance_mw_cm2
    if irr is None:
        facts["office_hint"] = f" (in-office: {facts['office_text']})"
        return _Result("comparison.no_irradiance", facts)
    facts["device_irr_text"] = _range_text(irr, "mW/cm²")
    cites = [_context_citation("context.in_office", facts["office_source"])]
    if lo <= irr.central <= hi:
        return _Result("comparison.supported", facts, cites)
    if irr.central < lo:
        if irr.high >= lo:
            return _Result("comparison.partly", facts, cites)
        facts["time_factor_text"] = f"about {_n(lo / irr.central)} times" if irr.central > 0 else "many times"
        return _Result("comparison.below", facts, cites)
    return _Result("comparison.above", facts, cites)


_BUDGET_OUTCOME = {
    "face_average": "output.face_average",
    "peak_only": "output.peak_only",
    "implausible": "output.implausible",
}


def _output(claim: Claim, ctx: ClaimContext | None, rules: Rules) -> _Result:
    d = claim.details
    value = float(d["value"])
    unit = d["unit"]
    facts: dict[str, Any] = {"device": _device(ctx), "value_text": f"{_n(value)} {unit}"}
    if d.get("minutes"):
        facts["value_text"] += f" in {_n(float(d['minutes']))} min"
    if ctx is None:
        return _Result("output.text_only", facts)
    check = None
    if claim.kind == "irradiance" and ctx.stated_irradiance_check is not None:
        check = ctx.stated_irradiance_check(value)
    elif claim.kind == "dose" and ctx.stated_dose_check is not None:
        check = ctx.stated_dose_check(value, d.get("minutes"))
    outcome = _BUDGET_OUTCOME.get(check.classification) if check is not None else None
    if check is not None and outcome is not None:
        facts["explanation"] = check.explanation
        cites = [_context_citation("context.device_budget", c) for c in check.citations]
        return _Result(outcome, facts, cites)
    computed: ValueRange | None = None
    if claim.kind == "irradiance":
        computed = ctx.device_irradiance_mw_cm2
    elif ctx.fluence_per_session:
        computed = ValueRange(
            sum(b.fluence_j_cm2.low for b in ctx.fluence_per_session),
            sum(b.fluence_j_cm2.central for b in ctx.fluence_per_session),
            sum(b.fluence_j_cm2.high for b in ctx.fluence_per_session),
        )
        if d.get("minutes"):
            computed = None  # the computed dose is for the device's own session time
    if computed is None:
        return _Result("output.text_only", facts)
    noun = "irradiance" if claim.kind == "irradiance" else "dose per session"
    facts["computed_text"] = f"{noun} of {_range_text(computed, unit)}"
    if value > computed.high:
        return _Result("output.above_computed", facts)
    if value < computed.low:
        return _Result("output.below_computed", facts)
    return _Result("output.within_computed", facts)


_GRADERS = {
    "regulatory": _regulatory,
    "endorsement": _endorsement,
    "efficacy": _efficacy,
    "mechanism": _mechanism,
    "depth": _depth,
    "numeric_efficacy": _numeric,
    "safety": _safety,
    "comparison": _comparison,
    "output": _output,
    "wavelength": _depth,  # stated wavelengths: checked against the device's bands
}


def _source_citation(rules: Rules, key: str) -> Citation:
    s = rules.source(key)
    return Citation(key=s.key, citation=s.citation, url=s.url, confidence=s.confidence)


def _finish(claim: Claim, result: _Result, rules: Rules) -> GradedClaim:
    outcome = rules.outcome(result.outcome)
    facts = _Facts(result.facts)
    reasons = [outcome.reason.format_map(facts)]
    keys: list[str] = []
    for raw in outcome.sources:
        key = raw.format_map(facts) if raw.startswith("{") else raw
        if key and key not in keys:
            keys.append(key)
    for text, srcs in result.extra:
        reasons.append(text)
        keys += [k for k in srcs if k not in keys]
    if claim.rule_id.startswith("learned."):
        p = claim.details.get("model_probability")
        reasons.append(
            "Found by the learned sentence model"
            + (f" (probability {float(p):.2f})" if isinstance(p, int | float) else "")
            + ", not by a phrase rule, so the whole sentence is marked (how often it is right on "
            "new copy: docs/claims.md, 'Measured quality')."
        )
    doubt = claim.details.get("model_doubt")
    if isinstance(doubt, int | float):
        # marked only when the model ran, so its card is loaded already (learned.load_card is cached)
        from photodose.claims.learned import load_card

        note = load_card().doubt_note or "see docs/claims.md, 'Measured quality'"
        reasons.append(
            f"Doubtful: the learned sentence model reads no {claim.category.replace('_', ' ')} claim "
            f"here (probability {float(doubt):.2f}); {note}."
        )
    citations = [_source_citation(rules, k) for k in keys]
    seen = {c.key + c.citation for c in citations}
    for c in result.citations:
        if c.key + c.citation not in seen:
            citations.append(c)
            seen.add(c.key + c.citation)
    return GradedClaim(
        claim=claim,
        grade=Grade(outcome.grade),
        reasons=tuple(reasons),
        citations=tuple(citations),
        outcome=outcome.id,
    )


def grade_claim(claim: Claim, context: ClaimContext | None = None, rules: Rules | None = None) -> GradedClaim:
    """Grade one claim (see :func:`grade_claims`)."""
    rules = rules or load_rules()
    grader = _GRADERS.get(claim.category)
    if grader is None:
        raise ValueError(f"unknown claim category {claim.category!r}")
    return _finish(claim, grader(claim, context, rules), rules)


def grade_claims(
    claims: Iterable[Claim], context: ClaimContext | None = None, rules: Rules | None = None
) -> list[GradedClaim]:
    """Grade claims: supported, partly supported, unsupported, misleading, contradicted or
    not checkable, each with reasons and the sources behind them.

    ``context`` carries the device facts (regulatory record, dose, studied windows, depth,
    irradiance); without it, claims that need those facts are "not checkable".
    """
    rules = rules or load_rules()
    return [grade_claim(c, context, rules) for c in claims]


def summary_grade(graded: Iterable[GradedClaim]) -> Grade | None:
    """The most severe grade among ``graded`` (None if empty)."""
    worst: Grade | None = None
    for g in graded:
        if worst is None or SEVERITY[g.grade] > SEVERITY[worst]:
            worst = g.grade
    return worst


#: The note of a report in which nothing was found; an interface that states the grader's
#: measured detection (photodose.claims.measured) says it in full instead.
NO_CLAIMS_NOTE = "no claims found"


@dataclass(frozen=True)
class ClaimsReport:
    """The graded claims of one text, with notes about the input and the context used.

    ``claims`` lists at most ``[limits] max_listed_claims`` claims (the first in reading
    order); ``unlisted`` counts the graded claims beyond those, per grade.  ``english`` is
    False when the text does not look like English (then nothing was extracted).
    """

    claims: tuple[GradedClaim, ...]
    notes: tuple[str, ...]
    device: str | None
    context_used: bool
    sentences: int = 0
    unlisted: dict[str, int] = field(default_factory=dict)
    english: bool = True

    @property
    def counts(self) -> dict[str, int]:
        c = Counter(g.grade.value for g in self.claims)
        c.update(self.unlisted)
        return {g.value: c.get(g.value, 0) for g in Grade}

    @property
    def total_claims(self) -> int:
        return len(self.claims) + sum(self.unlisted.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "device": self.device,
            "context_used": self.context_used,
            "sentences": self.sentences,
            "english": self.english,
            "notes": list(self.notes),
            "summary": self.counts,
            "total_claims": self.total_claims,
            "listed_claims": len(self.claims),
            "claims": [g.to_dict() for g in self.claims],
        }


def _block_end(text: str, start: int, size: int) -> int:
    """Where a block of about ``size`` characters from ``start`` should end.

    At the last paragraph break in the second half of the window, else the last line break,
    else the last ". ", else the last space; a hard cut only for text without any of these.
    The cut is a sentence boundary in all but odd cases, so results match whole-text
    extraction (the tests compare the two).
    """
    end = start + size
    if end >= len(text):
        return len(text)
    floor = start + size // 2
    for sep in ("\n\n", "\n", ". ", " "):
        i = text.rfind(sep, floor, end)
        if i >= 0:
            return i + len(sep)
    return end


def iter_blocks(text: str, size: int) -> Iterable[tuple[int, str]]:
    """(offset, block) pieces of ``text`` of about ``size`` characters, cut at boundaries."""
    if size < 1000:
        raise ValueError(f"block size must be at least 1000 characters, got {size}")
    pos = 0
    while pos < len(text):
        end = _block_end(text, pos, size)
        yield pos, text[pos:end]
        pos = end


#: the rules the block workers extract with (set before the pool forks, so inherited)
_POOL_RULES: Rules | None = None


def _extract_block(block: str) -> tuple[list[Claim], int]:
    assert _POOL_RULES is not None
    return extract_with_sentences(block, _POOL_RULES)


def _extracted_blocks(
    blocks: Iterable[tuple[int, str]],
    rules: Rules,
    workers: int,
    learned: bool = False,
    position: Callable[[int], None] | None = None,
) -> Iterable[tuple[int, int, list[Claim], int]]:
    """(offset, block length, claims, sentences) per block, in order.

    Blocks are independent (each is cut at a boundary and split into sentences on its own), so
    with ``workers`` > 1 the blocks after the first are extracted by that many forked processes,
    which inherit the compiled rules and classifier the first block loaded: the same claims in
    the same order, in about 1/workers of the time on a long text.  Without ``fork`` (not
    offered on every platform) it stays serial.  With ``learned`` (the learned model's claims
    too: a short text) it stays serial as well, so no process forks after the model has loaded;
    ``position`` is then told the character of the whole text the model has read to.
    """

    def told(offset: int) -> Callable[[int], None] | None:
        return None if position is None or not learned else (lambda pos: position(offset + pos))

    it = iter(blocks)
    first = next(it, None)
    if first is None:
        return
    claims, n = extract_with_sentences(first[1], rules, learned=learned, progress=told(first[0]))
    yield first[0], len(first[1]), claims, n
    import multiprocessing

    if learned or workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        for offset, block in it:
            claims, n = extract_with_sentences(block, rules, learned=learned, progress=told(offset))
            yield offset, len(block), claims, n
        return
    from concurrent.futures import ProcessPoolExecutor

    global _POOL_RULES
    _POOL_RULES = rules
    # the remaining blocks, held until the last is read: about the text's size again (the peak
    # memory in docs/claims.md counts it)
    rest = list(it)
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            results = pool.map(_extract_block, (b for _, b in rest))
            for (offset, block), (claims, n) in zip(rest, results, strict=True):
                yield offset, len(block), claims, n
    finally:
        _POOL_RULES = None


def assess_text(
    text: str | DecodedText,
    context: ClaimContext | None = None,
    rules: Rules | None = None,
    notes: Sequence[str] = (),
    *,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
    learned: bool | None = None,
) -> ClaimsReport:
    """Extract and grade every claim in ``text`` (str or :class:`DecodedText`).

    Linear time and bounded memory on any input: the text is read in blocks
    (``[limits] block_chars``); every claim is graded, but only the first
    ``[limits] max_listed_claims`` are kept and listed, the rest counted per grade.
    A text that does not look like English is not searched and a note says so.
    ``workers`` > 1 extracts the blocks in that many forked processes (the same report;
    for the command line on long texts, not for a server's threads); ``progress(done, total)``
    is called after each block with characters read so far and in all.  ``learned``: None (the
    default) adds the learned sentence model's claims when the text is short enough for it (a
    note says when it is not), False reads by the rules alone (cross-validation of the rules).
    """

    from photodose.claims.intake import check_language

    rules = rules or load_rules()
    all_notes = list(notes)
    if isinstance(text, DecodedText):
        all_notes = list(text.notes) + all_notes
        text = text.text
    device = _device_name(context)
    if not text.strip():
        all_notes.append("input is empty: no text to check")
        return ClaimsReport((), tuple(all_notes), device, context is not None, 0)
    lang = check_language(text)
    if not lang.is_english:
        all_notes.append(
            "the text does not look like English "
            f"({lang.english_function_share:.0%} English function words, "
            f"{lang.other_function_share:.0%} French/German/Spanish/Italian/Portuguese/Dutch ones, "
            f"{lang.latin_letter_share:.0%} Latin letters); photodose's claim rules read English "
            "only, so its claims were not checked (this is not the same as 'no claims')"
        )
        return ClaimsReport((), tuple(all_notes), device, context is not None, 0, english=False)
    learned = learned is not False and _learned_reads(text, rules, all_notes)
    listed: list[GradedClaim] = []
    unlisted: Counter[str] = Counter()
    n_sentences = 0
    cap = rules.max_listed_claims
    total = len(text)
    # the learned model reads at about 1.7 ms a sentence: a page of 200,000 characters takes
    # seconds, so the bar moves as it reads (the rules' part of a block is counted with it)
    position = (lambda pos: progress(pos, total)) if progress is not None else None
    for offset, size, claims, n_block in _extracted_blocks(
        iter_blocks(text, rules.block_chars), rules, workers, learned, position
    ):
        for c in claims:
            if len(listed) >= cap:
                # counted only: its grade is all that is kept (no reasons, citations or offsets)
                grader = _GRADERS.get(c.category)
                if grader is None:
                    raise ValueError(f"unknown claim category {c.category!r}")
                unlisted[rules.outcome(grader(c, context, rules).outcome).grade] += 1
                continue
            if offset or n_sentences:
                c = replace(
                    c,
                    start=c.start + offset,
                    end=c.end + offset,
                    sentence_index=c.sentence_index + n_sentences,
                )
            listed.append(grade_claim(c, context, rules))
        n_sentences += n_block
        if progress is not None:
            progress(offset + size, len(text))
    if unlisted:
        all_notes.append(
            f"{len(listed) + sum(unlisted.values()):,} claims found; the first {len(listed):,} are "
            f"listed and the other {sum(unlisted.values()):,} are counted in the summary only"
        )
    if not listed:
        all_notes.append(NO_CLAIMS_NOTE)
    return ClaimsReport(
        tuple(listed), tuple(all_notes), device, context is not None, n_sentences, dict(unlisted)
    )


def _learned_reads(text: str, rules: Rules, notes: list[str]) -> bool:
    """Does the learned sentence model read ``text``?  Not when it is longer than the model's
    ``max_text_chars`` or has more than ``max_sentences`` sentences, nor when the model cannot
    load: then a note says that the rules alone read it."""
    from photodose.claims.learned import LearnedModelError, load_card, load_model, why_not_read

    try:
        # counting sentences needs a split (about 10 ms on 200,000 characters); not past the limit
        n = (
            0
            if len(text) > load_card().max_text_chars
            else len(split_sentences(text, max_chars=rules.max_sentence_chars))
        )
        reason = why_not_read(len(text), n)
        if reason is not None:
            notes.append(
                f"{reason}, so the learned sentence model did not read it: its claims were found by "
                "the rules alone, which find fewer (docs/claims.md, 'Measured quality')"
            )
            return False
        load_model()
    except (LearnedModelError, ImportError) as exc:
        notes.append(
            f"the learned sentence model could not be used ({exc}): claims were found by the rules alone"
        )
        return False
    return True


def _device_name(ctx: ClaimContext | None) -> str | None:
    return ctx.device_name if ctx is not None else None
