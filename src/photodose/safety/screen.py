"""Safety screening: answers + device facts → one outcome with reasons and citations.

Outcomes, from least to most serious (``LEVELS``): ``no_known_reason`` (no known reason not
to use), ``precautions`` (use with precautions), ``ask_doctor`` (ask your doctor first),
``do_not_use`` (do not use — see a doctor). The outcome is the most serious level among the
rules that fire; every listed contraindication fires at ``precautions`` or above, so none can
end in ``no_known_reason`` (a test checks every single rule and every pair). A rule whose
condition depends on the device or the treated area (``needs``) still fires, one level lower
bounded below by ``precautions``, when the dependency does not hold.

This is a screening aid built from cited lists, not medical advice.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from photodose.errors import FieldError
from photodose.safety.data import LEVELS, Level, Rule, SafetyData, load_safety
from photodose.safety.limits import in_flicker_hazard_band, ir_eye_limit_iec62471_mw_cm2
from photodose.safety.match import match_text

NOT_MEDICAL_ADVICE = (
    "This screening is not medical advice. It checks your answers against cited lists of "
    "photosensitising medicines, conditions and device risks; lists are not complete, and only "
    "a doctor who knows you can say whether light therapy is safe for you."
)
OUTCOME_TEXT: dict[str, str] = {
    "do_not_use": "Do not use — see a doctor",
    "ask_doctor": "Ask your doctor first",
    "precautions": "Use with precautions",
    "no_known_reason": "No known reason not to use",
}
PHOTOSENSITIVE_IDS = ("photosensitive_epilepsy", "photosensitive_migraine")
EYE_IDS = ("retinal_disease",)


class AnswersError(FieldError, ValueError):
    """An answers file field is malformed; ``field`` names it."""


@dataclass(frozen=True)
class Answers:
    """What the person said. Free text is matched against the data; ``None`` = unknown (counts)."""

    medications: tuple[str, ...] = ()
    past_medications: tuple[tuple[str, float | None], ...] = ()  # (name, months since stopping)
    conditions: tuple[str, ...] = ()  # condition ids or free text
    procedures: tuple[tuple[str, float | None], ...] = ()  # (id or text, days ago)
    neck_treated: bool = False
    unsure: bool = False


@dataclass(frozen=True)
class DeviceFacts:
    """What the screening needs to know about the device (computed by a service)."""

    name: str
    near_eyes: bool = True  # a face mask or a device used on the face
    pulse_hz: tuple[float | None, ...] = (None,)  # per mode; None = not published
    has_blue: bool = False
    nir_eye_irradiance_mw_cm2: float | None = None  # high scenario, around the eyes
    total_irradiance_mw_cm2: float | None = None  # high scenario, all channels
    session_minutes: float = 10.0


@dataclass(frozen=True)
class Finding:
    rule_kind: str
    rule_id: str
    level: Level
    title: str
    reason: str
    citations: tuple[str, ...]
    confidence: str
    matched: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.rule_kind,
            "id": self.rule_id,
            "level": self.level,
            "title": self.title,
            "reason": self.reason,
            "citations": list(self.citations),
            "confidence": self.confidence,
            "matched": self.matched,
        }


@dataclass
class Screening:
    outcome: Level
    findings: list[Finding]
    unmatched_medications: list[str] = field(default_factory=list)
    unmatched_conditions: list[str] = field(default_factory=list)
    notice: str = NOT_MEDICAL_ADVICE

    @property
    def outcome_text(self) -> str:
        return OUTCOME_TEXT[self.outcome]

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "outcome_text": self.outcome_text,
            "findings": [f.to_dict() for f in self.findings],
            "unmatched_medications": self.unmatched_medications,
            "unmatched_conditions": self.unmatched_conditions,
            "not_medical_advice": self.notice,
        }


def worst(levels: Iterable[Any]) -> Level:
    """The most serious of ``levels`` (``no_known_reason`` for none)."""
    idx = max((LEVELS.index(lv) for lv in levels if lv in LEVELS), default=0)
    return LEVELS[idx]


def _lower(level: Level) -> Level:
    """One level less serious, never below ``precautions``."""
    return LEVELS[max(1, LEVELS.index(level) - 1)]


def _finding(data: SafetyData, rule: Rule, level: Level, reason: str, matched: str = "") -> Finding:
    return Finding(
        rule.kind, rule.id, level, rule.name, reason, tuple(data.cite(rule.sources)), rule.confidence, matched
    )


def _resolve(texts: Sequence[str], rules: Sequence[Rule]) -> tuple[list[tuple[Rule, str]], list[str]]:
    """Rules named by ids or by free text; (rule, what matched) and unmatched entries."""
    by_id = {r.id: r for r in rules}
    hits: list[tuple[Rule, str]] = []
    unmatched: list[str] = []
    for t in texts:
        key = t.strip().lower().replace(" ", "_").replace("-", "_")
        if key in by_id:
            hits.append((by_id[key], t))
            continue
        ms, un = match_text(t, rules)
        hits.extend((m.rule, f"{m.entry!r} ~ {m.name}") for m in ms)
        unmatched.extend(un)
    return hits, unmatched


def screen(answers: Answers, device: DeviceFacts | None = None, data: SafetyData | None = None) -> Screening:
    """Apply every rule to ``answers`` (and the device, when given); see the module docstring."""
    data = data or load_safety()
    findings: list[Finding] = []

    # medicines taken now
    meds, unmatched_meds = _resolve(answers.medications, data.drugs)
    for rule, what in meds:
        findings.append(_finding(data, rule, rule.level, f"{rule.name}: {rule.reason}", what))
    if unmatched_meds:
        findings.append(
            Finding(
                "drug",
                "unlisted_medication",
                "precautions",
                "medicines not in photodose's list",
                "not checked: "
                + ", ".join(unmatched_meds)
                + ". Several hundred drugs can photosensitise and this list is not complete: ask "
                "your pharmacist whether these do, and stop at any unusual redness",
                tuple(data.cite(("kowalska2021",))),
                "exact",
            )
        )
    # medicines stopped recently
    for name, months in answers.past_medications:
        ms, _ = match_text(name, data.drugs)
        for m in ms:
            r = m.rule
            if r.lookback_months <= 0:
                continue
            if months is None or months < r.lookback_months:
                when = "an unknown time" if months is None else f"{months:g} months"
                findings.append(
                    _finding(
                        data,
                        r,
                        r.level,
                        f"{r.name} stopped {when} ago, within {r.lookback_months:g} months: {r.reason}",
                        f"{m.entry!r} ~ {m.name}",
                    )
                )

    # conditions
    conds, unmatched_conds = _resolve(answers.conditions, data.conditions)
    cond_ids = {r.id for r, _ in conds}
    eyes = device.near_eyes if device is not None else True
    for rule, what in conds:
        level, reason = rule.level, rule.reason
        if rule.needs == "eyes_exposed" and not eyes:
            level, reason = (
                _lower(rule.level),
                reason + " (this device is not used near the eyes: keep it so)",
            )
        if rule.needs == "neck_treated" and not answers.neck_treated:
            level, reason = (
                _lower(rule.level),
                reason + " (you do not treat the neck: keep the device off it)",
            )
        findings.append(_finding(data, rule, level, f"{rule.name}: {reason}", what))
    if unmatched_conds:
        findings.append(
            Finding(
                "condition",
                "unlisted_condition",
                "ask_doctor",
                "a condition photodose does not list",
                "not recognised: " + ", ".join(unmatched_conds) + ". Ask your doctor whether it makes skin "
                "or eyes sensitive to light",
                tuple(data.cite(("vendor_contraindications",))),
                "secondary",
            )
        )

    # procedures
    for text, days in answers.procedures:
        hits, unmatched = _resolve([text], data.procedures)
        for rule, what in hits:
            if days is None or days < rule.wait_days:
                lo, hi = rule.wait_range_days or (rule.wait_days, rule.wait_days)
                when = "recently (date unknown)" if days is None else f"{days:g} days ago"
                findings.append(
                    _finding(
                        data,
                        rule,
                        rule.level,
                        f"{rule.name} {when}, within the {rule.wait_days:g}-day pause "
                        f"(assumption, range {lo:g}–{hi:g} days): {rule.reason}",
                        what,
                    )
                )
        for u in unmatched:
            findings.append(
                Finding(
                    "procedure",
                    "unlisted_procedure",
                    "ask_doctor",
                    "a procedure photodose does not list",
                    f"{u!r}: ask the practitioner who treated you when light therapy is fine again",
                    tuple(data.cite(("procedure_wait_assumption",))),
                    "assumption",
                )
            )

    if answers.unsure:
        findings.append(
            Finding(
                "answer",
                "unsure",
                "ask_doctor",
                "unsure answers",
                "you were unsure about a medicine or diagnosis: check it with your doctor or pharmacist",
                (),
                "assumption",
            )
        )

    if device is not None:
        findings.extend(_device_findings(data, device, cond_ids))

    return Screening(worst(f.level for f in findings), findings, unmatched_meds, unmatched_conds)


def _device_findings(data: SafetyData, d: DeviceFacts, cond_ids: set[str]) -> list[Finding]:
    out: list[Finding] = []
    risks = data.device_risks
    photosensitive = bool(cond_ids & set(PHOTOSENSITIVE_IDS))
    fl = risks["flicker"]
    lo, hi = float(fl.extra["flicker_low_hz"]), float(fl.extra["flicker_high_hz"])
    flashing = [hz for hz in d.pulse_hz if hz is not None and in_flicker_hazard_band(hz, lo, hi)]
    if flashing:
        level: Level = fl.extra["level_if_photosensitive"] if photosensitive else fl.level
        out.append(_finding(data, fl, level, fl.reason.format(hz=f"{max(flashing):g}")))
    elif photosensitive and any(hz is None for hz in d.pulse_hz):
        r = risks["flicker_unknown"]
        out.append(_finding(data, r, r.level, r.reason))
    if d.has_blue and d.near_eyes:
        r = risks["blue_near_eyes"]
        level = r.extra["level_if_eye_condition"] if cond_ids & set(EYE_IDS) else r.level
        out.append(_finding(data, r, level, r.reason))
    if d.nir_eye_irradiance_mw_cm2 is not None and d.near_eyes:
        limit = float(ir_eye_limit_iec62471_mw_cm2(d.session_minutes * 60.0))
        if d.nir_eye_irradiance_mw_cm2 > limit:
            r = risks["nir_eye_limit"]
            text = r.reason.format(irr=d.nir_eye_irradiance_mw_cm2, minutes=d.session_minutes, limit=limit)
            out.append(_finding(data, r, r.level, text))
    heat = risks["heat"]
    if d.total_irradiance_mw_cm2 is not None and d.total_irradiance_mw_cm2 > float(
        heat.extra["total_irradiance_mw_cm2"]
    ):
        text = heat.reason.format(irr=d.total_irradiance_mw_cm2) + f" ({heat.extra['threshold_note']})"
        out.append(_finding(data, heat, heat.level, text))
    return out


def _as_list(v: Any, field: str) -> list[Any]:
    if v is None:
        return []
    if isinstance(v, str):
        return [v] if v.strip() else []
    if isinstance(v, list):
        return v
    raise AnswersError(field, f"must be a list or a string, not {type(v).__name__}", f'{field} = ["…"]')


def _timed(v: Any, field: str, unit: str) -> tuple[str, float | None]:
    if isinstance(v, str):
        return v, None
    if isinstance(v, dict):
        name = v.get("name") or v.get("id")
        if not isinstance(name, str) or not name.strip():
            raise AnswersError(f"{field}.name", "missing name", f'{{name = "…", {unit} = 3}}')
        t = v.get(unit)
        if t is not None and (
            not isinstance(t, int | float) or isinstance(t, bool) or not math.isfinite(t) or t < 0
        ):
            raise AnswersError(f"{field}.{unit}", f"{t!r} is not a number ≥ 0", f"{unit} = 3")
        return name, None if t is None else float(t)
    raise AnswersError(field, "each entry must be a name or a table", f'{{name = "…", {unit} = 3}}')


def answers_from_dict(raw: dict[str, Any]) -> Answers:
    """Answers from a parsed TOML/JSON answers file (see docs/person.md for the format)."""
    known = {"medications", "past_medications", "conditions", "procedures", "neck_treated", "unsure"}
    extra = set(raw) - known
    if extra:
        raise AnswersError(sorted(extra)[0], "unknown field", "fields: " + ", ".join(sorted(known)))
    for b in ("neck_treated", "unsure"):
        if b in raw and not isinstance(raw[b], bool):
            raise AnswersError(b, f"{raw[b]!r} is not true/false", f"{b} = true")
    meds = [str(m) for m in _as_list(raw.get("medications"), "medications")]
    past = [
        _timed(v, f"past_medications[{i}]", "months_ago")
        for i, v in enumerate(_as_list(raw.get("past_medications"), "past_medications"))
    ]
    conds = [str(c) for c in _as_list(raw.get("conditions"), "conditions")]
    procs = [
        _timed(v, f"procedures[{i}]", "days_ago")
        for i, v in enumerate(_as_list(raw.get("procedures"), "procedures"))
    ]
    return Answers(
        medications=tuple(meds),
        past_medications=tuple(past),
        conditions=tuple(conds),
        procedures=tuple(procs),
        neck_treated=bool(raw.get("neck_treated", False)),
        unsure=bool(raw.get("unsure", False)),
    )
