"""Load and validate the claims rules (``data/claims/rules.toml``).

Everything a claim grade depends on (patterns, vocabularies, thresholds, outcome wording and
sources) lives in that file; this module only reads it, expands ``<<MACRO>>`` references,
checks it and compiles the regular expressions.

Every pattern must be linear-time on any input: the loader rejects unbounded quantifiers
(``*``, ``+``, ``{n,}``) so that matching stays linear in the input length.
"""

from __future__ import annotations

import re
import tomllib
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any, cast

CATEGORIES: tuple[str, ...] = (
    "efficacy",
    "mechanism",
    "depth",
    "regulatory",
    "endorsement",
    "numeric_efficacy",
    "safety",
    "comparison",
    "output",
    "wavelength",
)
GRADES: tuple[str, ...] = (
    "supported",
    "partly_supported",
    "unsupported",
    "misleading",
    "contradicted",
    "not_checkable",
)
CONFIDENCES: frozenset[str] = frozenset({"exact", "secondary", "derived", "assumption"})
_PATTERN_CATEGORIES = frozenset({"regulatory", "endorsement", "safety", "comparison"})
_MACRO = re.compile(r"<<([A-Z_]{1,20})>>")


class RulesError(ValueError):
    """The rules file is malformed; the message names the entry and the fix."""


@dataclass(frozen=True)
class Source:
    """A cited source: a regulation, a decision, a trial, or a model."""

    key: str
    citation: str
    url: str | None
    confidence: str
    note: str = ""
    short: str = ""

    @property
    def short_name(self) -> str:
        """Author-year style name (the citation up to its first full stop if none given)."""
        return self.short or self.citation.split(". ")[0]


@dataclass(frozen=True)
class Pattern:
    """A phrase that makes a sentence carry a claim of ``category``/``kind``."""

    id: str
    category: str
    kind: str
    regex: re.Pattern[str]
    on_negation: str
    skip_mentions: bool
    requires: re.Pattern[str] | None
    excludes: re.Pattern[str] | None
    supersedes: tuple[str, ...]
    source: str
    confidence: str
    anchors: tuple[str, ...] = ()
    #: kept only when the sentence also carries a claim of another category (a citation is
    #: backing only for a statement it backs)
    needs_other_claim: bool = False


@dataclass(frozen=True)
class Indication:
    """An efficacy target (wrinkles, acne, ...) and how the evidence database names it."""

    key: str
    terms: re.Pattern[str]
    evidence_keys: tuple[str, ...]
    studied: bool
    medical: bool
    source: str
    anchors: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return self.key.replace("_", " ")


@dataclass(frozen=True)
class Mechanism:
    """A mechanism term (mitochondria, collagen, ...) and the state of its evidence."""

    key: str
    terms: re.Pattern[str]
    needs_effect: bool
    status: str
    source: str
    anchors: tuple[str, ...] = ()
    #: without an effect word near it, the term is a claim only in a sentence that names the
    #: light or the treatment ("[mechanism] agent"): "Your cells have mitochondria." is biology
    needs_agent: bool = False

    @property
    def label(self) -> str:
        return self.key.replace("_", " ")


@dataclass(frozen=True)
class Outcome:
    """What one result of a check means: grade, reason template, sources."""

    id: str
    grade: str
    reason: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class DepthRow:
    """The depth model's penetration depths at one wavelength, for the default depth table.

    Depths [mm] below the fluence maximum where the fluence rate falls to 1 %, 10 % and 1/e of
    it, for the generic case of ``data/claims/default_depth.toml`` (a mask's LEDs on Fitzpatrick
    III forehead skin), with the low–high range over Fitzpatrick I–VI × forehead and cheek
    (``*_beyond`` when the high end lies beyond the model's depth grid).
    """

    wavelength_nm: float
    depth_1pct_mm: float
    depth_1pct_se_mm: float
    depth_1pct_low_mm: float
    depth_1pct_high_mm: float
    depth_1pct_beyond: bool
    depth_10pct_mm: float
    depth_1e_mm: float
    source: str
    confidence: str

    @property
    def depth_cm(self) -> float:
        """The 1 % depth in cm (what the grader compares a claimed depth with)."""
        return self.depth_1pct_mm / 10.0


@dataclass(frozen=True)
class DefaultDepth:
    """Where the default depth table comes from (header of ``data/claims/default_depth.toml``)."""

    skin_model_version: str
    case: str
    light: str
    range_over: str
    uncertainty_1pct_percent: float
    source: str
    path: str = ""


@dataclass(frozen=True)
class Benchmark:
    """A published effect size for an indication (reduction in percent at ``weeks``)."""

    indication: str
    reduction_percent: float
    weeks: float
    measure: str
    design: str
    source: str
    confidence: str


@dataclass(frozen=True)
class Rules:
    """The compiled rules.  Build with :func:`load_rules`."""

    sources: dict[str, Source]
    patterns: tuple[Pattern, ...]
    indications: dict[str, Indication]
    mechanisms: dict[str, Mechanism]
    outcomes: dict[str, Outcome]
    efficacy_effect: re.Pattern[str]
    efficacy_absolute: re.Pattern[str]
    efficacy_absolute_after: re.Pattern[str]
    not_indication_after: re.Pattern[str]
    #: a search for something that ends right before an indication ("people seeking solutions
    #: for thinning hair"): the indication is what someone wants, not what the light does
    sought_before: re.Pattern[str]
    #: a sentence about the logistics of treatment (how long a session lasts, how often, what it
    #: costs, who covers it): "treatment" there names the procedure, not an effect
    treatment_logistics: re.Pattern[str]
    efficacy_window: tuple[int, int]
    mechanism_effect: re.Pattern[str]
    mechanism_window: tuple[int, int]
    #: a word for the light, the treatment or the device, or a pronoun that may stand for it
    mechanism_agent: re.Pattern[str]
    depth: dict[str, re.Pattern[str]]
    numeric: dict[str, re.Pattern[str]]
    depth_anchors: dict[str, tuple[str, ...]]
    percent_anchors: tuple[str, ...]
    negation_cues: frozenset[str]
    negation_window: int
    clause_break: re.Pattern[str]
    mention_quotes: str
    mention_after: re.Pattern[str]
    mention_before: re.Pattern[str]
    thresholds: dict[str, Any]
    depth_defaults: dict[str, float]
    default_depth: tuple[DepthRow, ...]
    benchmarks: tuple[Benchmark, ...]
    max_input_bytes: int
    max_sentence_chars: int
    path: str = field(default="")
    depth_layers: dict[str, Any] = field(default_factory=dict)
    default_depth_info: DefaultDepth | None = None
    output: dict[str, re.Pattern[str]] = field(default_factory=dict)
    classifier_gates: dict[str, re.Pattern[str]] = field(default_factory=dict)
    output_anchors: tuple[str, ...] = ()
    max_listed_claims: int = 2000
    block_chars: int = 262144
    #: the learned model's unread efficacy claim is praise alone where ``unread_generic`` matches
    #: and ``unread_named`` does not (``[efficacy]``; None: never)
    efficacy_unread_generic: re.Pattern[str] | None = None
    efficacy_unread_named: re.Pattern[str] | None = None

    def source(self, key: str) -> Source:
        try:
            return self.sources[key]
        except KeyError:
            raise RulesError(f"unknown source key {key!r} in the claims rules") from None

    def outcome(self, outcome_id: str) -> Outcome:
        try:
            return self.outcomes[outcome_id]
        except KeyError:
            raise RulesError(
                f"outcome {outcome_id!r} is not defined in the claims rules ([[outcomes]])"
            ) from None


def check_bounded(regex: str, where: str) -> None:
    """Raise :class:`RulesError` if ``regex`` has an unbounded quantifier.

    ``*``, ``+`` and ``{n,}`` outside character classes can make Python's backtracking
    matcher superlinear; bounded forms (``{0,40}``) keep each match attempt O(1).
    """
    i = 0
    in_class = False
    n = len(regex)
    while i < n:
        ch = regex[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            if ch == "]":
                in_class = False
            i += 1
            continue
        if ch == "[":
            in_class = True
            i += 1
            # a ']' right after '[' or '[^' is a literal
            if i < n and regex[i] == "^":
                i += 1
            if i < n and regex[i] == "]":
                i += 1
            continue
        if ch in "*+":
            raise RulesError(
                f"{where}: unbounded quantifier {ch!r} at position {i} in {regex!r}; "
                "use a bounded form such as {0,40} so matching stays linear"
            )
        if ch == "{":
            m = re.match(r"\{(\d{0,4}),\}", regex[i:])
            if m:
                raise RulesError(
                    f"{where}: unbounded quantifier {m.group(0)!r} in {regex!r}; give an upper bound"
                )
        i += 1


def _expand(text: str, macros: dict[str, str], where: str) -> str:
    for _ in range(5):
        if "<<" not in text:
            return text

        def repl(m: re.Match[str]) -> str:
            name = m.group(1)
            if name not in macros:
                raise RulesError(f"{where}: unknown macro <<{name}>>; define it in [macros]")
            return macros[name]

        text = _MACRO.sub(repl, text)
    if "<<" in text:
        raise RulesError(f"{where}: macros nest too deeply")
    return text


class _LazyRegex:
    """A regular expression compiled on first use (``pattern`` and ``flags`` without compiling).

    Compiling the packaged rules' 131 expressions costs about 0.45 s, most of the start of
    ``photodose claims`` on a short text, which runs few of them (an expression whose anchors the
    text lacks is never searched). Only the packaged file is read this way: a test compiles every
    one of its expressions, and any other rules file is compiled, and so checked, as it is read.
    """

    def __init__(self, pattern: str, flags: int) -> None:
        self.pattern = pattern
        # as re.compile reports them: a str pattern is Unicode unless ASCII is asked for (a test
        # checks every packaged expression's flags against its compiled copy's)
        self.flags = flags if flags & re.ASCII else flags | re.UNICODE
        self._compiled: re.Pattern[str] | None = None

    def compiled(self) -> re.Pattern[str]:
        if self._compiled is None:
            c = self._compiled = re.compile(self.pattern, self.flags)
            # the hot methods become plain attributes: later calls skip __getattr__
            self.search, self.finditer, self.match, self.findall = c.search, c.finditer, c.match, c.findall
        return self._compiled

    def __getattr__(self, name: str) -> Any:  # search, finditer, match, sub, groups, … (first use)
        if name.startswith("_"):  # copy and pickle probe an instance made without __init__
            raise AttributeError(name)
        return getattr(self.compiled(), name)

    def __getstate__(self) -> tuple[str, int]:
        return self.pattern, self.flags

    def __setstate__(self, state: tuple[str, int]) -> None:
        self.pattern, self.flags = state
        self._compiled = None

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (_LazyRegex, re.Pattern)):
            return (self.pattern, self.flags) == (other.pattern, other.flags)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.pattern, self.flags))

    def __repr__(self) -> str:
        return f"_LazyRegex({self.pattern!r}, {self.flags})"


# set by _load_cached for the packaged rules file only (see _LazyRegex); a context variable, so a
# thread reading another rules file at the same moment still compiles (and checks) its own
_LAZY: ContextVar[bool] = ContextVar("photodose_claims_lazy_rules", default=False)


def _compile(text: str, macros: dict[str, str], where: str, *, ignore_case: bool = True) -> re.Pattern[str]:
    if not isinstance(text, str) or not text:
        raise RulesError(f"{where}: a non-empty regular expression string is required")
    expanded = _expand(text, macros, where)
    check_bounded(expanded, where)
    flags = re.IGNORECASE if ignore_case else 0
    if _LAZY.get():
        return cast(re.Pattern[str], _LazyRegex(expanded, flags))
    try:
        return re.compile(expanded, flags)
    except re.error as exc:
        raise RulesError(f"{where}: invalid regular expression: {exc}") from exc


def _anchors(value: Any, where: str) -> tuple[str, ...]:
    """Validate anchors: non-empty lowercase fragments without whitespace."""
    if value is None:
        return ()
    if not isinstance(value, list) or not value:
        raise RulesError(f"{where}: anchors must be a non-empty list of strings")
    out = []
    for a in value:
        if not isinstance(a, str) or not a or a != a.lower() or any(c.isspace() for c in a):
            raise RulesError(
                f"{where}: anchor {a!r} must be a lowercase fragment without spaces "
                "(separators in patterns may be spaces or hyphens)"
            )
        out.append(a)
    return tuple(out)


def _req(table: dict[str, Any], key: str, where: str) -> Any:
    if key not in table:
        raise RulesError(f"{where}: missing required field {key!r}")
    return table[key]


def _confidence(value: Any, where: str) -> str:
    if value not in CONFIDENCES:
        raise RulesError(f"{where}: confidence must be one of {sorted(CONFIDENCES)}, got {value!r}")
    return str(value)


def _check_source_ref(ref: str, sources: dict[str, Source], where: str) -> None:
    if ref.startswith("assumption:"):
        return
    if ref not in sources:
        raise RulesError(
            f"{where}: source {ref!r} is not a key of [[sources]] (or an 'assumption: ...' note)"
        )


def parse_rules(data: dict[str, Any], path: str = "") -> Rules:
    """Validate and compile a parsed rules document (see ``data/claims/rules.toml``)."""
    if data.get("schema_version") != 1:
        raise RulesError(f"{path}: schema_version must be 1, got {data.get('schema_version')!r}")
    macros = {str(k): str(v) for k, v in data.get("macros", {}).items()}
    depth_raw = _req(data, "depth", "rules")
    macros.setdefault("NUM", _req(depth_raw, "number", "[depth]"))

    sources: dict[str, Source] = {}
    for i, s in enumerate(_req(data, "sources", "rules")):
        where = f"[[sources]] #{i + 1}"
        key = _req(s, "key", where)
        if key in sources:
            raise RulesError(f"{where}: duplicate source key {key!r}")
        sources[key] = Source(
            key=key,
            citation=_req(s, "citation", where),
            url=s.get("url"),
            confidence=_confidence(_req(s, "confidence", where), where),
            note=s.get("note", ""),
            short=s.get("short", ""),
        )

    patterns: list[Pattern] = []
    seen_ids: set[str] = set()
    for i, p in enumerate(_req(data, "patterns", "rules")):
        where = f"[[patterns]] {p.get('id', '#' + str(i + 1))}"
        pid = _req(p, "id", where)
        if pid in seen_ids:
            raise RulesError(f"{where}: duplicate pattern id")
        seen_ids.add(pid)
        category = _req(p, "category", where)
        # an efficacy phrase that names no outcome ("it really works") is the one efficacy claim a
        # pattern can make: the others need an indication, found by [efficacy] and [[indications]]
        unspecified_efficacy = category == "efficacy" and p.get("kind") == "unspecified"
        if category not in _PATTERN_CATEGORIES and not unspecified_efficacy:
            raise RulesError(
                f"{where}: category must be one of {sorted(_PATTERN_CATEGORIES)}, or efficacy with "
                f'kind = "unspecified" (efficacy, mechanism, depth and numeric claims use their own tables)'
            )
        on_negation = p.get("on_negation", "skip")
        if on_negation not in ("keep", "skip", "ignore"):
            raise RulesError(f"{where}: on_negation must be keep, skip or ignore")
        source = _req(p, "source", where)
        _check_source_ref(source, sources, where)
        ignore_case = bool(p.get("ignore_case", True))
        patterns.append(
            Pattern(
                id=pid,
                category=category,
                kind=_req(p, "kind", where),
                regex=_compile(_req(p, "regex", where), macros, where, ignore_case=ignore_case),
                on_negation=on_negation,
                skip_mentions=bool(p.get("skip_mentions", True)),
                requires=(_compile(p["requires"], macros, where + " requires") if "requires" in p else None),
                excludes=(_compile(p["excludes"], macros, where + " excludes") if "excludes" in p else None),
                supersedes=tuple(p.get("supersedes", ())),
                source=source,
                confidence=_confidence(_req(p, "confidence", where), where),
                anchors=_anchors(p.get("anchors"), where),
                needs_other_claim=bool(p.get("needs_other_claim", False)),
            )
        )

    indications: dict[str, Indication] = {}
    for ind in _req(data, "indications", "rules"):
        where = f"[[indications]] {ind.get('key')}"
        key = _req(ind, "key", where)
        _check_source_ref(_req(ind, "source", where), sources, where)
        indications[key] = Indication(
            key=key,
            terms=_compile(_req(ind, "terms", where), macros, where),
            evidence_keys=tuple(_req(ind, "evidence_keys", where)),
            studied=bool(_req(ind, "studied", where)),
            medical=bool(_req(ind, "medical", where)),
            source=ind["source"],
            anchors=_anchors(ind.get("anchors"), where),
        )

    mechanisms: dict[str, Mechanism] = {}
    for mech in _req(data, "mechanisms", "rules"):
        where = f"[[mechanisms]] {mech.get('key')}"
        key = _req(mech, "key", where)
        status = _req(mech, "status", where)
        if status not in ("cellular", "none"):
            raise RulesError(f"{where}: status must be 'cellular' or 'none'")
        _check_source_ref(_req(mech, "source", where), sources, where)
        mechanisms[key] = Mechanism(
            key=key,
            terms=_compile(_req(mech, "terms", where), macros, where),
            needs_effect=bool(_req(mech, "needs_effect", where)),
            status=status,
            source=mech["source"],
            anchors=_anchors(mech.get("anchors"), where),
            needs_agent=bool(mech.get("needs_agent", False)),
        )

    outcomes: dict[str, Outcome] = {}
    for o in _req(data, "outcomes", "rules"):
        where = f"[[outcomes]] {o.get('id')}"
        oid = _req(o, "id", where)
        if oid in outcomes:
            raise RulesError(f"{where}: duplicate outcome id")
        grade = _req(o, "grade", where)
        if grade not in GRADES:
            raise RulesError(f"{where}: grade must be one of {list(GRADES)}, got {grade!r}")
        srcs = tuple(_req(o, "sources", where))
        for s in srcs:
            if not (s.startswith("{") and s.endswith("}")):
                _check_source_ref(s, sources, where)
        outcomes[oid] = Outcome(oid, grade, _req(o, "reason", where), srcs)

    eff = _req(data, "efficacy", "rules")
    mech_t = _req(data, "mechanism", "rules")
    num = _req(data, "numeric", "rules")
    neg = _req(data, "negation", "rules")
    men = _req(data, "mentions", "rules")
    depth = {
        name: _compile(_req(depth_raw, name, "[depth]"), macros, f"[depth] {name}")
        for name in (
            "length",
            "cue",
            "not_depth",
            "qualitative",
            "qualitative_excludes",
            "wavelength",
            "device_cue",
            "red_words",
            "nir_words",
            "blue_words",
        )
    }
    numeric = {
        name: _compile(_req(num, name, "[numeric]"), macros, f"[numeric] {name}")
        for name in ("percent", "outcome_cue", "excludes", "perception", "responder", "duration")
    }

    if "default_depth" in data:
        raise RulesError(
            f"{path}: [[default_depth]] moved to data/claims/default_depth.toml (the depth model's "
            "table, built by scripts/build_claims_depth_defaults.py); remove it from the rules file"
        )
    default_info, default_depth = load_default_depth()

    benchmarks = []
    for i, b in enumerate(data.get("effect_benchmarks", [])):
        where = f"[[effect_benchmarks]] #{i + 1}"
        _check_source_ref(_req(b, "source", where), sources, where)
        if b["indication"] not in indications:
            raise RulesError(f"{where}: indication {b['indication']!r} is not in [[indications]]")
        benchmarks.append(
            Benchmark(
                indication=b["indication"],
                reduction_percent=float(_req(b, "reduction_percent", where)),
                weeks=float(_req(b, "weeks", where)),
                measure=_req(b, "measure", where),
                design=_req(b, "design", where),
                source=b["source"],
                confidence=_confidence(_req(b, "confidence", where), where),
            )
        )

    out_raw = _req(data, "output", "rules")
    thresholds = dict(_req(data, "thresholds", "rules"))
    for key in (
        "depth_partly_factor",
        "depth_wavelength_tolerance_nm",
        "wavelength_match_nm",
        "far_below_factor",
        "benchmark_tolerance",
        "min_mtd_j_cm2",
    ):
        value = _req(thresholds, key, "[thresholds]")
        if not isinstance(value, int | float) or value <= 0:
            raise RulesError(f"[thresholds] {key} must be a positive number, got {value!r}")
    _check_source_ref(_req(thresholds, "min_mtd_source", "[thresholds]"), sources, "[thresholds]")
    depth_defaults = {
        k: float(v) for k, v in _req(data, "depth_defaults", "rules").items() if k != "confidence"
    }
    limits = _req(data, "limits", "rules")

    return Rules(
        sources=sources,
        patterns=tuple(patterns),
        indications=indications,
        mechanisms=mechanisms,
        outcomes=outcomes,
        efficacy_effect=_compile(_req(eff, "effect", "[efficacy]"), macros, "[efficacy] effect"),
        efficacy_absolute=_compile(_req(eff, "absolute", "[efficacy]"), macros, "[efficacy] absolute"),
        efficacy_absolute_after=_compile(
            _req(eff, "absolute_after", "[efficacy]"), macros, "[efficacy] absolute_after"
        ),
        not_indication_after=_compile(_req(eff, "not_indication_after", "[efficacy]"), macros, "[efficacy]"),
        sought_before=_compile(_req(eff, "sought_before", "[efficacy]"), macros, "[efficacy] sought_before"),
        treatment_logistics=_compile(
            _req(eff, "treatment_logistics", "[efficacy]"), macros, "[efficacy] treatment_logistics"
        ),
        efficacy_window=(int(eff["window_before"]), int(eff["window_after"])),
        mechanism_effect=_compile(_req(mech_t, "effect", "[mechanism]"), macros, "[mechanism] effect"),
        mechanism_window=(int(mech_t["window_before"]), int(mech_t["window_after"])),
        mechanism_agent=_compile(_req(mech_t, "agent", "[mechanism]"), macros, "[mechanism] agent"),
        depth=depth,
        numeric=numeric,
        depth_anchors={
            name: _anchors(depth_raw.get(f"{name}_anchors"), f"[depth] {name}_anchors")
            for name in ("length", "qualitative", "wavelength")
        },
        percent_anchors=_anchors(num.get("percent_anchors"), "[numeric] percent_anchors"),
        negation_cues=frozenset(str(c).lower() for c in _req(neg, "cues", "[negation]")),
        negation_window=int(_req(neg, "window_tokens", "[negation]")),
        clause_break=_compile(_req(neg, "clause_break", "[negation]"), macros, "[negation]"),
        mention_quotes=str(_req(men, "quotes", "[mentions]")),
        mention_after=_compile(_req(men, "after", "[mentions]"), macros, "[mentions] after"),
        mention_before=_compile(_req(men, "before", "[mentions]"), macros, "[mentions] before"),
        thresholds=thresholds,
        depth_defaults=depth_defaults,
        default_depth=default_depth,
        default_depth_info=default_info,
        benchmarks=tuple(benchmarks),
        max_input_bytes=int(_req(limits, "max_input_bytes", "[limits]")),
        max_sentence_chars=int(_req(limits, "max_sentence_chars", "[limits]")),
        path=path,
        depth_layers=_depth_layers(data.get("depth_layers"), sources),
        output={
            name: _compile(_req(out_raw, name, "[output]"), macros, f"[output] {name}")
            for name in ("irradiance", "dose", "device_cue", "excludes", "minutes")
        },
        output_anchors=_anchors(out_raw.get("anchors"), "[output] anchors"),
        classifier_gates=_classifier_gates(data.get("classifier"), macros),
        max_listed_claims=int(limits.get("max_listed_claims", 2000)),
        block_chars=int(limits.get("block_chars", 262144)),
        efficacy_unread_generic=_optional(eff, "unread_generic", macros),
        efficacy_unread_named=_optional(eff, "unread_named", macros),
    )


def _optional(table: dict[str, Any], key: str, macros: dict[str, str]) -> re.Pattern[str] | None:
    """An optional expression of ``[efficacy]``, compiled, or None when absent."""
    return _compile(table[key], macros, f"[efficacy] {key}") if key in table else None


def _classifier_gates(raw: Any, macros: dict[str, str]) -> dict[str, re.Pattern[str]]:
    """[classifier]: the vocabulary gate per category, and ``not_claim`` (sentences the
    classifier leaves alone); empty when disabled or absent."""
    if raw is None or not raw.get("enabled", False):
        return {}
    gates = {}
    for cat, regex in raw.items():
        if cat == "enabled":
            continue
        if cat == "not_claim":
            gates["not_claim"] = _compile(regex, macros, "[classifier] not_claim")
            continue
        if cat not in CATEGORIES:
            raise RulesError(f"[classifier] {cat}: not a claim category; use one of {list(CATEGORIES)}")
        gates[cat] = _compile(regex, macros, f"[classifier] {cat}")
    return gates


def _depth_layers(raw: Any, sources: dict[str, Source]) -> dict[str, Any]:
    if raw is None:
        return {}
    where = "[depth_layers]"
    bottom = _req(raw, "dermis_bottom_mm", where)
    if not isinstance(bottom, int | float) or bottom <= 0:
        raise RulesError(f"{where} dermis_bottom_mm must be a positive number, got {bottom!r}")
    _check_source_ref(_req(raw, "source", where), sources, where)
    _confidence(_req(raw, "confidence", where), where)
    skin = raw.get("skin_bottom_max_mm")
    if skin is not None and (not isinstance(skin, int | float) or skin < bottom):
        raise RulesError(f"{where} skin_bottom_max_mm must be a number ≥ dermis_bottom_mm, got {skin!r}")
    out = {
        "dermis_bottom_mm": float(bottom),
        "below_dermis": str(_req(raw, "below_dermis", where)),
        "source": raw["source"],
    }
    if skin is not None:
        out["skin_bottom_max_mm"] = float(skin)
    return out


def default_depth_path() -> Path:
    """Where the packaged default depth table lives."""
    return Path(str(files("photodose") / "data" / "claims" / "default_depth.toml"))


_DEPTH_CONFIDENCE = "computed"


def parse_default_depth(data: dict[str, Any], path: str = "") -> tuple[DefaultDepth, tuple[DepthRow, ...]]:
    """Validate the default depth table (see ``data/claims/default_depth.toml``)."""
    where = path or "default_depth.toml"
    if data.get("schema_version") != 1:
        raise RulesError(f"{where}: schema_version must be 1, got {data.get('schema_version')!r}")
    info = DefaultDepth(
        skin_model_version=str(_req(data, "skin_model_version", where)),
        case=str(_req(data, "case", where)),
        light=str(_req(data, "light", where)),
        range_over=str(_req(data, "range_over", where)),
        uncertainty_1pct_percent=float(_req(data, "uncertainty_1pct_percent", where)),
        source=str(_req(data, "source", where)),
        path=path,
    )
    rows = []
    for i, row in enumerate(_req(data, "depth", where)):
        at = f"{where} [[depth]] #{i + 1}"
        if _req(row, "confidence", at) != _DEPTH_CONFIDENCE or not str(_req(row, "source", at)):
            raise RulesError(f"{at}: needs a source and confidence = {_DEPTH_CONFIDENCE!r}")
        mm = {
            k: float(_req(row, k, at))
            for k in (
                "wavelength_nm",
                "depth_1pct_mm",
                "depth_1pct_se_mm",
                "depth_1pct_low_mm",
                "depth_1pct_high_mm",
                "depth_10pct_mm",
                "depth_1e_mm",
            )
        }
        if not 0 < mm["depth_1pct_low_mm"] <= mm["depth_1pct_mm"] <= mm["depth_1pct_high_mm"]:
            raise RulesError(f"{at}: needs 0 < depth_1pct_low_mm <= depth_1pct_mm <= depth_1pct_high_mm")
        rows.append(
            DepthRow(
                **mm,
                depth_1pct_beyond=bool(row.get("depth_1pct_high_beyond_grid", False)),
                source=str(row["source"]),
                confidence=_DEPTH_CONFIDENCE,
            )
        )
    if not rows:
        raise RulesError(f"{where}: at least one [[depth]] row is required")
    return info, tuple(sorted(rows, key=lambda r: r.wavelength_nm))


@lru_cache(maxsize=2)
def load_default_depth(path: str | Path | None = None) -> tuple[DefaultDepth, tuple[DepthRow, ...]]:
    """The default depth table: the depth model's 1 %, 10 % and 1/e depths for the generic case
    (``path`` defaults to the packaged ``data/claims/default_depth.toml``)."""
    where = str(path if path is not None else default_depth_path())
    return parse_default_depth(_read_toml(where, "default depth table"), where)


def _read_toml(path: str, what: str) -> dict[str, Any]:
    """A data file of the grader, read; a missing or malformed file is a :class:`RulesError`."""
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise RulesError(f"{what} not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"{path}: not valid TOML: {exc}") from exc


def rules_path() -> Path:
    """Where the packaged rules file lives."""
    return Path(str(files("photodose") / "data" / "claims" / "rules.toml"))


@lru_cache(maxsize=4)
def _load_cached(path: str) -> Rules:
    data = _read_toml(path, "claims rules file")
    token = _LAZY.set(Path(path) == rules_path())
    try:
        return parse_rules(data, path)
    finally:
        _LAZY.reset(token)


def load_rules(path: str | Path | None = None) -> Rules:
    """Load (and cache) the claims rules; ``path`` defaults to the packaged file."""
    return _load_cached(str(path if path is not None else rules_path()))
