"""The clinical evidence table: pydantic models, loader and validation.

Two data files under ``photodose/data/evidence/``:

``indications.toml``
    The indications (photoaging/wrinkles, acne, inflammation/redness, texture/tone) and the
    wavelength bands (blue 400–480 nm, amber 570–610 nm, red 600–700 nm, NIR 780–900 nm; a
    project convention, confidence ``assumption``).
``studies.toml``
    One ``[[study]]`` per publication: citation (authors, year, journal, PMID/DOI/PMC, with
    ``citation_source`` and ``citation_confidence``), design, control, N, exposures (wavelength,
    irradiance, fluence per session), schedule, outcome, effect, ``direction`` (positive / null
    / negative / mixed, overall or per indication), indications. Every number carries its own
    ``confidence`` (exact, secondary, derived, assumption, unverified, not_found) and its kind
    follows from its qualifier (:attr:`Quantity.kind`: exact, ≈, ≤, ≥, range, derived).
    Numbers that were not found stay missing (``None``) with a note saying why; commonly cited
    but unverified numbers are kept and flagged ``unverified`` so that the dose windows can
    leave them out by default. A record may lack a field only if ``gaps_note`` names it
    (:meth:`Study.unexplained_gaps`).

Loading validates everything and raises :class:`StudyDataError` naming the file, the row
(position and id), the field and the fix; it never fails with a bare ``KeyError`` or
``ValidationError``.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

__all__ = [
    "BLIND_TAGS",
    "CONFIDENCES",
    "CONTROL_TAGS",
    "DIRECTIONS",
    "Band",
    "Confidence",
    "Direction",
    "Evidence",
    "Exposure",
    "Indication",
    "Quantity",
    "QuantityKind",
    "SafetyLimit",
    "Study",
    "StudyDataError",
    "band_for_wavelength",
    "bands_for_range",
    "exposure_bands",
    "format_number",
    "load_evidence",
    "load_indications",
    "load_studies",
    "parse_indications",
    "parse_studies",
]


class StudyDataError(ValueError):
    """A malformed evidence data file; the message names file, row, field and the fix."""


Confidence = Literal["exact", "secondary", "derived", "assumption", "unverified", "not_found"]
CONFIDENCES: tuple[str, ...] = (
    "exact",
    "secondary",
    "derived",
    "assumption",
    "unverified",
    "not_found",
)
Qualifier = Literal["approximately", "at_most", "at_least"]
#: How a reported number is known: an exact value, approximately (≈), an upper bound (≤), a lower
#: bound (≥), a reported range, derived from other numbers, or missing.
QuantityKind = Literal["exact", "approximately", "at_most", "at_least", "range", "derived", "missing"]
#: Result of a trial against its control, per indication.
Direction = Literal["positive", "null", "negative", "mixed"]
DIRECTIONS: tuple[str, ...] = ("positive", "null", "negative", "mixed")
#: Design tags meaning the outcome was assessed blind to treatment.
BLIND_TAGS: frozenset[str] = frozenset({"double_blind", "single_blind", "observer_blind"})
Kind = Literal["trial", "protocol", "safety", "review", "mechanism"]
DesignTag = Literal[
    "randomised",
    "controlled",
    "sham",
    "split_face",
    "double_blind",
    "single_blind",
    "observer_blind",
    "single_arm",
    "uncontrolled",
    "dose_escalation",
    "in_vitro",
    "unknown",
]
#: Design tags that make a trial "controlled" for the dose windows (RCT arms with a control,
#: sham device, or split-face comparison).
CONTROL_TAGS: frozenset[str] = frozenset({"controlled", "sham", "split_face"})
_NO_CONTROL_TAGS: frozenset[str] = frozenset({"single_arm", "uncontrolled"})

NonNegative = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Wavelength = Annotated[float, Field(gt=100, lt=3000, allow_inf_nan=False)]
Text = Annotated[str, Field(min_length=1)]

_STRICT = ConfigDict(strict=True, extra="forbid", frozen=True, populate_by_name=True)


class Quantity(BaseModel):
    """A reported number with its provenance.

    Either ``value`` (a single number), or ``low`` and ``high`` (a reported range), or neither
    (the number was not found: ``confidence = "not_found"``, and it stays missing).
    ``qualifier`` records "approximately" (≈), "at_most" (the source gives a maximum, ≤) or
    "at_least" (the source gives a minimum, ≥). :attr:`kind` says how the number is known.
    """

    model_config = _STRICT

    value: NonNegative | None = None
    low: NonNegative | None = None
    high: NonNegative | None = None
    qualifier: Qualifier | None = None
    confidence: Confidence
    note: str = ""
    source: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Quantity:
        has_range = self.low is not None or self.high is not None
        if self.value is not None and has_range:
            raise ValueError("give either 'value' or 'low' and 'high', not both")
        if has_range and (self.low is None or self.high is None):
            raise ValueError("a range needs both 'low' and 'high'")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"'low' ({self.low}) is larger than 'high' ({self.high}); swap them")
        missing = self.value is None and not has_range
        if missing and self.confidence != "not_found":
            raise ValueError(
                "no number given; add 'value' (or 'low' and 'high'), or set "
                'confidence = "not_found" to record that it is missing'
            )
        if not missing and self.confidence == "not_found":
            raise ValueError(
                "confidence is 'not_found' but a number is given; remove the number or give "
                "its real confidence"
            )
        return self

    @property
    def missing(self) -> bool:
        """True when the number was not found (it stays ``None``)."""
        return self.value is None and self.low is None

    @property
    def kind(self) -> QuantityKind:
        """How the number is known: exact, approximately, at_most (≤), at_least (≥), range,
        derived, or missing. A bound qualifier wins over ``derived`` (a derived maximum is
        still a maximum)."""
        if self.missing:
            return "missing"
        if self.qualifier == "at_most":
            return "at_most"
        if self.qualifier == "at_least":
            return "at_least"
        if self.low is not None:
            return "range"
        if self.confidence == "derived":
            return "derived"
        if self.qualifier == "approximately":
            return "approximately"
        return "exact"

    @property
    def span(self) -> tuple[float, float] | None:
        """(low, high) of the reported number; a single value gives (value, value)."""
        if self.value is not None:
            return (self.value, self.value)
        if self.low is not None and self.high is not None:
            return (self.low, self.high)
        return None

    def describe(self, unit: str) -> str:
        """Plain text such as ``≈9 J/cm²`` or ``≤5.4 J/cm²`` or ``160–640 J/cm²``."""
        span = self.span
        if span is None:
            return "not reported"
        lo, hi = span
        text = (
            f"{format_number(lo)} {unit}" if lo == hi else f"{format_number(lo)}–{format_number(hi)} {unit}"
        )
        if self.qualifier == "approximately":
            text = "≈" + text
        elif self.qualifier == "at_most":
            text = "≤" + text
        elif self.qualifier == "at_least":
            text = "≥" + text
        return text


class Exposure(BaseModel):
    """One light exposure (arm or wavelength) of a study.

    ``wavelength_nm`` is one number (an LED peak) or ``[low, high]`` for a polychromatic
    source; ``band`` names a band directly when the wavelength was not captured. ``role`` is
    ``comparator`` for an active-control arm the trial did not test as a treatment (it enters
    no dose window).
    ``irradiance_mw_cm2`` [mW/cm²] and ``fluence_j_cm2`` [J/cm² per session] are
    :class:`Quantity` tables.
    """

    model_config = _STRICT

    label: Text
    wavelength_nm: Wavelength | list[Wavelength] | None = None
    wavelength_confidence: Confidence = "exact"
    wavelength_note: str = ""
    band: str | None = None
    role: Literal["treatment", "comparator"] = "treatment"
    pulsed: bool = False
    irradiance_mw_cm2: Quantity | None = None
    fluence_j_cm2: Quantity | None = None

    @model_validator(mode="after")
    def _wavelength(self) -> Exposure:
        wl = self.wavelength_nm
        if isinstance(wl, list):
            if len(wl) != 2:
                raise ValueError(f"wavelength_nm must be one number or [low, high]; got {len(wl)} numbers")
            if wl[0] > wl[1]:
                raise ValueError(f"wavelength_nm [{wl[0]}, {wl[1]}] is reversed; write [low, high]")
        if wl is None and self.band is None:
            raise ValueError("give 'wavelength_nm' (nm) or, if it was not reported, 'band'")
        return self

    @property
    def wavelength_range_nm(self) -> tuple[float, float] | None:
        """(low, high) wavelength [nm]; a single peak gives (peak, peak)."""
        wl = self.wavelength_nm
        if wl is None:
            return None
        if isinstance(wl, list):
            return (wl[0], wl[1])
        return (wl, wl)

    def describe_wavelength(self) -> str:
        span = self.wavelength_range_nm
        if span is None:
            return f"{self.band} (wavelength not reported)"
        lo, hi = span
        return f"{format_number(lo)} nm" if lo == hi else f"{format_number(lo)}–{format_number(hi)} nm"


class SafetyLimit(BaseModel):
    """A maximum tolerated dose (MTD) [J/cm² per session] for a population."""

    model_config = _STRICT

    population: Text
    mtd_j_cm2: Quantity
    note: str = ""


class Study(BaseModel):
    """One publication in the evidence table (see the schema comment in ``studies.toml``)."""

    model_config = _STRICT

    id: Annotated[str, Field(pattern=r"^[a-z0-9_]+$")]
    label: Text
    title: str | None = None
    authors: str | None = None
    year: Annotated[int, Field(ge=1900, le=2100)] | None = None
    journal: str | None = None
    doi: Annotated[str, Field(pattern=r"^10\.\S+/\S+$")] | None = None
    pmid: Annotated[str, Field(pattern=r"^[0-9]{5,9}$")] | None = None
    pmc: Annotated[str, Field(pattern=r"^PMC[0-9]+$")] | None = None
    citation_source: str | None = None
    citation_confidence: Confidence | None = None
    kind: Kind
    design: list[DesignTag]
    design_note: str = ""
    control: str = ""
    n: Annotated[int, Field(ge=1)] | None = None
    population: str | None = None
    indications: list[str]
    indications_confidence: Confidence | None = None
    indications_note: str = ""
    sessions_per_week: Quantity | None = None
    sessions_total: Quantity | None = None
    weeks: Quantity | None = None
    session_min: Quantity | None = None
    outcome: str = ""
    effect: str | None = None
    direction: Direction | dict[str, Direction] | None = None
    direction_note: str = ""
    direction_confidence: Confidence | None = None
    confidence: Confidence
    source: Text
    gaps_note: str = ""
    exposures: list[Exposure] = Field(default_factory=list, alias="exposure")
    limits: list[SafetyLimit] = Field(default_factory=list, alias="limit")
    mechanism_wavelength_nm: list[Wavelength] | None = None
    caveat: str | None = None

    @model_validator(mode="after")
    def _design(self) -> Study:
        tags = set(self.design)
        if tags & CONTROL_TAGS and tags & _NO_CONTROL_TAGS:
            raise ValueError(
                f"design {sorted(self.design)} is contradictory: a study cannot be both "
                f"controlled ({sorted(tags & CONTROL_TAGS)}) and {sorted(tags & _NO_CONTROL_TAGS)}"
            )
        if self.kind in ("trial", "protocol", "safety") and not self.design:
            raise ValueError(f'a {self.kind} needs at least one design tag; use ["unknown"] if not found')
        if len(set(self.indications)) != len(self.indications):
            raise ValueError("indications lists the same indication twice")
        mw = self.mechanism_wavelength_nm
        if mw is not None and (len(mw) != 2 or mw[0] > mw[1]):
            raise ValueError("mechanism_wavelength_nm must be [low, high] with low <= high")
        return self

    @property
    def is_controlled(self) -> bool:
        """True when the design has a control (controlled arm, sham device or split-face)."""
        return bool(set(self.design) & CONTROL_TAGS)

    @property
    def enters_windows(self) -> bool:
        """Only controlled efficacy trials (kind ``trial``) define dose windows."""
        return self.kind == "trial" and self.is_controlled

    @property
    def is_blinded(self) -> bool:
        """True when the outcome was assessed blind (double, single or observer blind)."""
        return bool(set(self.design) & BLIND_TAGS)

    @property
    def counts_as_evidence(self) -> bool:
        """Efficacy trials that weigh for or against a claim: a control, or a blinded
        assessment (a blinded before/after test against chance counts; an open before/after
        series does not)."""
        return self.kind == "trial" and (self.is_controlled or self.is_blinded)

    def direction_for(self, indication: str) -> str | None:
        """The result for one indication (``positive``/``null``/``negative``/``mixed``)."""
        if isinstance(self.direction, dict):
            return self.direction.get(indication)
        return self.direction if indication in self.indications else None

    @property
    def url(self) -> str | None:
        """A link to the paper: DOI first, then PubMed, then PubMed Central."""
        if self.doi:
            return f"https://doi.org/{self.doi}"
        if self.pmid:
            return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/"
        if self.pmc:
            return f"https://pmc.ncbi.nlm.nih.gov/articles/{self.pmc}/"
        return None

    def citation(self) -> str:
        """``"Authors Year, Journal, doi:…, PMID …"`` with what is known.

        Missing parts are left out, not filled in; ``gaps_note`` in the data says why they are
        missing.
        """
        head = _short_authors(self.authors) if self.authors else self.label
        if self.year is not None and str(self.year) not in head:
            head = f"{head} {self.year}"
        parts = [head]
        if self.journal:
            parts.append(self.journal)
        if self.doi:
            parts.append(f"doi:{self.doi}")
        if self.pmid:
            parts.append(f"PMID {self.pmid}")
        if self.pmc and not (self.doi or self.pmid):
            parts.append(self.pmc)
        return ", ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready record: citation with its source and confidence, design, N, direction
        per indication, and each exposure's numbers with their kind (exact, ≈, ≤, ≥, range,
        derived, missing), confidence and note."""

        def q(x: Quantity | None) -> dict[str, Any] | None:
            if x is None:
                return None
            return {
                "value": x.value,
                "low": x.low,
                "high": x.high,
                "kind": x.kind,
                "confidence": x.confidence,
                "note": x.note,
            }

        return {
            "id": self.id,
            "label": self.label,
            "citation": self.citation(),
            "url": self.url,
            "title": self.title,
            "authors": self.authors,
            "year": self.year,
            "journal": self.journal,
            "doi": self.doi,
            "pmid": self.pmid,
            "pmc": self.pmc,
            "citation_source": self.citation_source,
            "citation_confidence": self.citation_confidence,
            "kind": self.kind,
            "design": list(self.design),
            "control": self.control,
            "n": self.n,
            "indications": list(self.indications),
            "direction": {i: self.direction_for(i) for i in self.indications},
            "direction_note": self.direction_note,
            "sessions_per_week": q(self.sessions_per_week),
            "sessions_total": q(self.sessions_total),
            "weeks": q(self.weeks),
            "session_min": q(self.session_min),
            "outcome": self.outcome,
            "effect": self.effect,
            "exposures": [
                {
                    "label": ex.label,
                    "wavelength_nm": ex.wavelength_nm,
                    "wavelength_confidence": ex.wavelength_confidence,
                    "role": ex.role,
                    "fluence_j_cm2": q(ex.fluence_j_cm2),
                    "irradiance_mw_cm2": q(ex.irradiance_mw_cm2),
                }
                for ex in self.exposures
            ],
            "confidence": self.confidence,
            "source": self.source,
            "gaps_note": self.gaps_note,
        }

    def unexplained_gaps(self) -> list[str]:
        """Fields this record lacks whose absence ``gaps_note`` does not name.

        Every study needs authors, year and journal; trials and safety studies also need a
        PMID or DOI ("identifier"), N ("n"), a schedule and, for trials, a direction; every
        exposure needs a wavelength and a fluence and irradiance entry (a ``not_found`` entry
        must carry a note). A missing field is fine when ``gaps_note`` names it.
        """
        note = self.gaps_note.lower()
        missing: list[str] = []
        if not self.authors:
            missing.append("authors")
        if self.year is None:
            missing.append("year")
        if not self.journal:
            missing.append("journal")
        if self.kind in ("trial", "safety", "protocol"):
            if not (self.pmid or self.doi):
                missing.append("identifier")
            if self.n is None:
                missing.append("n")
            if self.sessions_per_week is None and self.sessions_total is None and self.weeks is None:
                missing.append("schedule")
            if self.kind == "trial" and self.direction is None:
                missing.append("direction")
            if self.kind == "trial" and not self.exposures:
                missing.append("exposure")
            if isinstance(self.direction, dict):
                for ind in self.indications:
                    if ind not in self.direction:
                        missing.append("direction")
        out = [m for m in dict.fromkeys(missing) if m not in note]
        for i, ex in enumerate(self.exposures):
            for fname in ("fluence_j_cm2", "irradiance_mw_cm2"):
                q = getattr(ex, fname)
                if q is None:
                    out.append(f"exposure[{i}].{fname}")
                elif q.missing and not q.note.strip():
                    out.append(f"exposure[{i}].{fname} (not_found without a note)")
        return out

    def design_text(self) -> str:
        """Short plain-language design, e.g. ``randomised, sham, split-face``."""
        if not self.design:
            return self.kind
        return ", ".join(t.replace("_", "-") for t in self.design)


def _short_authors(authors: str) -> str:
    """First author + "et al." for three or more names; parenthetical remarks dropped."""
    plain = re.sub(r"\s*\(.*?\)", "", authors).strip()
    names = [n.strip() for n in plain.split(",") if n.strip()]
    if len(names) >= 3:
        first = names[0].removesuffix(" et al.")
        return f"{first} et al."
    return " & ".join(names) if len(names) == 2 else plain


class Band(BaseModel):
    """A wavelength band [low_nm, high_nm] (closed interval)."""

    model_config = _STRICT

    id: Annotated[str, Field(pattern=r"^[a-z0-9_]+$")]
    name: Text
    low_nm: Wavelength
    high_nm: Wavelength
    source: Text
    confidence: Confidence
    note: str = ""

    @model_validator(mode="after")
    def _order(self) -> Band:
        if self.low_nm >= self.high_nm:
            raise ValueError(f"low_nm ({self.low_nm}) must be below high_nm ({self.high_nm})")
        return self

    @property
    def center_nm(self) -> float:
        return 0.5 * (self.low_nm + self.high_nm)

    def contains(self, wavelength_nm: float) -> bool:
        return self.low_nm <= wavelength_nm <= self.high_nm

    def overlaps(self, low_nm: float, high_nm: float) -> bool:
        return low_nm <= self.high_nm and high_nm >= self.low_nm


class Indication(BaseModel):
    """An indication, e.g. ``photoaging`` ("photoaging/wrinkles")."""

    model_config = _STRICT

    id: Annotated[str, Field(pattern=r"^[a-z0-9_]+$")]
    name: Text
    description: str = ""
    source: Text
    confidence: Confidence


@dataclass(frozen=True)
class Evidence:
    """Everything the window and verdict functions need: bands, indications, studies."""

    bands: tuple[Band, ...]
    indications: tuple[Indication, ...]
    studies: tuple[Study, ...]
    source: str = "photodose/data/evidence"

    def band(self, key: str) -> Band:
        """Look a band up by id or name (case-insensitive): ``"nir"``, ``"NIR"``, ``"red"``."""
        k = key.strip().lower()
        for b in self.bands:
            if k in (b.id, b.name.lower()):
                return b
        for b in self.bands:  # "near-infrared (nir)" → also accept "near-infrared"
            if b.name.lower().startswith(k) and k:
                return b
        known = ", ".join(b.id for b in self.bands)
        raise KeyError(f"unknown band {key!r}; use one of: {known}")

    def indication(self, key: str) -> Indication:
        """Look an indication up by id or name: ``"photoaging"`` or ``"photoaging/wrinkles"``."""
        k = key.strip().lower()
        for ind in self.indications:
            if k in (ind.id, ind.name.lower()):
                return ind
        known = ", ".join(i.id for i in self.indications)
        raise KeyError(f"unknown indication {key!r}; use one of: {known}")

    def study(self, study_id: str) -> Study:
        for s in self.studies:
            if s.id == study_id:
                return s
        raise KeyError(f"no study with id {study_id!r}")


# --------------------------------------------------------------------------- bands ----


def band_for_wavelength(wavelength_nm: float, bands: Sequence[Band]) -> Band | None:
    """The band a single wavelength [nm] belongs to, or ``None`` outside every band.

    Where bands overlap (amber 570–610 and red 600–700 nm share 600–610 nm) the band whose
    centre is nearest wins; this tie rule is a project assumption.
    """
    hits = [b for b in bands if b.contains(wavelength_nm)]
    if not hits:
        return None
    return min(hits, key=lambda b: abs(b.center_nm - wavelength_nm))


def bands_for_range(low_nm: float, high_nm: float, bands: Sequence[Band]) -> list[Band]:
    """All bands a spectral range [low_nm, high_nm] overlaps (a polychromatic source)."""
    if low_nm == high_nm:
        b = band_for_wavelength(low_nm, bands)
        return [] if b is None else [b]
    return [b for b in bands if b.overlaps(low_nm, high_nm)]


def exposure_bands(exposure: Exposure, bands: Sequence[Band]) -> list[Band]:
    """Bands an exposure counts for: its explicit ``band``, else those its wavelength covers.

    A comparator arm (``role = "comparator"``) counts for no band."""
    if exposure.role == "comparator":
        return []
    if exposure.band is not None:
        return [b for b in bands if b.id == exposure.band]
    span = exposure.wavelength_range_nm
    if span is None:
        return []
    return bands_for_range(span[0], span[1], bands)


# ------------------------------------------------------------------------- loading ----

_FIX_BY_TYPE: dict[str, str] = {
    "missing": "add this field",
    "extra_forbidden": "remove it or fix its spelling (see the schema at the top of the file)",
    "literal_error": "use one of the values listed",
    "float_type": "give a number without quotes",
    "int_type": "give a whole number without quotes",
    "string_type": "give text in double quotes",
    "bool_type": "give true or false",
    "list_type": 'give a list in square brackets, e.g. ["a", "b"]',
    "model_type": 'give an inline table, e.g. { value = 1.0, confidence = "exact" }',
    "model_attributes_type": "give a table of fields",
    "dict_type": "give an inline table",
    "greater_than_equal": "give a value that is not negative",
    "greater_than": "give a larger value",
    "less_than": "give a smaller value",
    "less_than_equal": "give a smaller value",
    "finite_number": "give a finite number (not nan or inf)",
    "string_pattern_mismatch": "match the pattern shown",
    "string_too_short": "give non-empty text",
    "value_error": "see the message",
    "int_from_float": "give a whole number",
}


_FIX_BY_FIELD: dict[str, str] = {
    "wavelength_nm": "give one number in nm, or [low, high] for a broadband source",
    "confidence": f"use one of {', '.join(CONFIDENCES)}",
}


def _loc_text(loc: Sequence[int | str]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            # pydantic adds union-branch names such as 'float' or 'list[...]'; skip those.
            if part in ("float", "int", "str", "bool") or part.startswith(
                ("list[", "constrained-", "function-")
            ):
                continue
            out += ("." if out else "") + part
    return out or "(row)"


def _format_validation(where: str, row_name: str, err: ValidationError) -> str:
    lines = []
    seen: set[str] = set()
    for e in err.errors(include_url=False):
        field = _loc_text(e["loc"])
        if field in seen:  # one message per field (unions repeat themselves)
            continue
        seen.add(field)
        msg = str(e["msg"]).removeprefix("Value error, ")
        etype = str(e["type"])
        if etype in ("model_type", "model_attributes_type", "dict_type"):
            msg = "must be a table"
        fix = _FIX_BY_TYPE.get(etype, "see the schema at the top of the file")
        last = re.sub(r"\[\d+\]", "", field).rsplit(".", 1)[-1]
        if last in _FIX_BY_FIELD and etype != "missing":
            fix = _FIX_BY_FIELD[last]
        ctx = e.get("ctx") or {}
        for key, word in (("ge", "≥"), ("gt", ">"), ("le", "≤"), ("lt", "<")):
            if key in ctx:
                fix = f"give a value {word} {ctx[key]}"
        got = "" if e["type"] == "missing" else f"; got {_short_repr(e.get('input'))}"
        lines.append(f"  field '{field}': {msg}{got}. Fix: {fix}.")
    head = f"{where}: {row_name} is malformed:"
    return "\n".join([head, *lines])


def _short_repr(x: Any) -> str:
    r = repr(x)
    return r if len(r) <= 80 else r[:77] + "..."


def _row_name(kind: str, index: int, row: Any) -> str:
    rid = row.get("id") if isinstance(row, Mapping) else None
    tag = f" (id {rid!r})" if isinstance(rid, str) else ""
    return f"{kind} #{index + 1}{tag}"


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise StudyDataError(f"{path}: cannot read the file ({exc.strerror or exc})") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise StudyDataError(f"{path}: not valid TOML: {exc}. Fix the syntax there.") from None


def _rows(data: Mapping[str, Any], key: str, where: str) -> list[Any]:
    if not isinstance(data, Mapping):
        raise StudyDataError(f"{where}: top level must be a table")
    rows = data.get(key)
    if rows is None:
        raise StudyDataError(f"{where}: no [[{key}]] entries. Fix: add at least one [[{key}]].")
    if not isinstance(rows, list):
        raise StudyDataError(
            f"{where}: '{key}' must be an array of tables ([[{key}]]), got {type(rows).__name__}"
        )
    return rows


def _parse_rows(rows: list[Any], model: type[BaseModel], kind: str, where: str) -> list[Any]:
    out: list[Any] = []
    ids: dict[str, int] = {}
    for i, row in enumerate(rows):
        name = _row_name(kind, i, row)
        if not isinstance(row, Mapping):
            raise StudyDataError(
                f"{where}: {name} must be a table ([[{kind}]] with fields), got {type(row).__name__}"
            )
        try:
            obj = model.model_validate(dict(row))
        except ValidationError as exc:
            raise StudyDataError(_format_validation(where, name, exc)) from None
        oid = obj.id  # type: ignore[attr-defined]
        if oid in ids:
            raise StudyDataError(
                f"{where}: {name}: field 'id': {oid!r} is already used by {kind} #{ids[oid] + 1}. "
                "Fix: give each entry a unique id."
            )
        ids[oid] = i
        out.append(obj)
    return out


def parse_indications(
    data: Mapping[str, Any], where: str = "indications.toml"
) -> tuple[tuple[Band, ...], tuple[Indication, ...]]:
    """Validate parsed ``indications.toml`` content; returns (bands, indications)."""
    bands = _parse_rows(_rows(data, "band", where), Band, "band", where)
    inds = _parse_rows(_rows(data, "indication", where), Indication, "indication", where)
    return tuple(bands), tuple(inds)


def parse_studies(
    data: Mapping[str, Any],
    bands: Sequence[Band],
    indications: Sequence[Indication],
    where: str = "studies.toml",
) -> tuple[Study, ...]:
    """Validate parsed ``studies.toml`` content against the known bands and indications."""
    studies: list[Study] = _parse_rows(_rows(data, "study", where), Study, "study", where)
    known_ind = {i.id for i in indications}
    known_band = {b.id for b in bands}
    for i, s in enumerate(studies):
        name = f"study #{i + 1} (id {s.id!r})"
        for j, ind in enumerate(s.indications):
            if ind not in known_ind:
                raise StudyDataError(
                    f"{where}: {name}: field 'indications[{j}]': unknown indication {ind!r}. "
                    f"Fix: use one of {sorted(known_ind)} (defined in indications.toml)."
                )
        if isinstance(s.direction, dict):
            extra = sorted(set(s.direction) - set(s.indications))
            if extra:
                raise StudyDataError(
                    f"{where}: {name}: field 'direction': names {extra}, which are not in "
                    "'indications'. Fix: give one direction per listed indication."
                )
        for j, ex in enumerate(s.exposures):
            if ex.band is not None and ex.band not in known_band:
                raise StudyDataError(
                    f"{where}: {name}: field 'exposure[{j}].band': unknown band {ex.band!r}. "
                    f"Fix: use one of {sorted(known_band)}."
                )
    return tuple(studies)


def _data_dir() -> Path:
    return Path(str(files("photodose") / "data" / "evidence"))


def load_indications(
    path: str | Path | None = None,
) -> tuple[tuple[Band, ...], tuple[Indication, ...]]:
    """Load and validate ``indications.toml`` (the packaged file by default)."""
    p = Path(path) if path is not None else _data_dir() / "indications.toml"
    return parse_indications(_read_toml(p), where=str(p))


def load_studies(
    path: str | Path | None = None,
    *,
    indications_path: str | Path | None = None,
) -> tuple[Study, ...]:
    """Load and validate ``studies.toml`` (the packaged file by default).

    Raises
    ------
    StudyDataError
        With the file, the row (position and id), the field and the fix.
    """
    bands, inds = load_indications(indications_path)
    p = Path(path) if path is not None else _data_dir() / "studies.toml"
    return parse_studies(_read_toml(p), bands, inds, where=str(p))


def _load_evidence_uncached(studies_path: str | Path | None, indications_path: str | Path | None) -> Evidence:
    bands, inds = load_indications(indications_path)
    sp = Path(studies_path) if studies_path is not None else _data_dir() / "studies.toml"
    studies = parse_studies(_read_toml(sp), bands, inds, where=str(sp))
    return Evidence(bands=bands, indications=inds, studies=studies, source=str(sp))


@lru_cache(maxsize=1)
def _packaged_evidence() -> Evidence:
    return _load_evidence_uncached(None, None)


def load_evidence(
    studies_path: str | Path | None = None,
    indications_path: str | Path | None = None,
) -> Evidence:
    """Bands, indications and studies in one object.

    The packaged files are read once and cached; files given by path are read every call.
    """
    if studies_path is None and indications_path is None:
        return _packaged_evidence()
    return _load_evidence_uncached(studies_path, indications_path)


def format_number(x: float) -> str:
    """Three significant figures, no trailing zeros: 3.8, 5.4, 126, 0.05."""
    if not math.isfinite(x):
        return str(x)
    if x != 0 and (abs(x) >= 1e4 or abs(x) < 1e-3):
        return f"{x:.3g}"
    text = f"{x:.3g}"
    if "e" in text:  # e.g. 1.23e+03 for 1234 → print plainly
        text = f"{x:.0f}"
    return text
