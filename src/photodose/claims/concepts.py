"""Concept frames: claims found as a concept paired with a relation, on word stems.

Phrase patterns (``rules.toml``) miss paraphrases: each new page words its claims in new ways.
The structure is stable, though.  A claim pairs a concept with a relation to it, within a few
words in the same clause:

- safety: a negator and a harm noun ("does not cause thermal damage", "non-damaging",
  "without causing burns"), or a safety adjective ("painless");
- efficacy: an effect verb and a skin outcome ("improves the skin", "tighten loose skin",
  "anti-inflammatory", "works for inflammatory acne");
- endorsement: an authority (a dermatologist, studies, science) and an endorsing verb
  ("scientifically verified", "garnered support from ... academic studies").

Words are matched on stems (a lexicon entry is a prefix of a word, ``$`` ends a whole word;
an entry with spaces matches consecutive words), so "damage", "damaged" and "damaging" are one
entry.  The lexicons live in ``data/claims/concepts.toml``.  Sentences that report a claim from
a distance ("the pitch goes ...", "the ASA found adverts claiming ...") or hedge study talk
("... far from conclusive", "found improvements in wrinkles but not in hydration at the tested
dose") are marked by :func:`is_reported_or_hedged`; the extractor makes no claim in them.

Pure functions over strings; no I/O beyond loading the lexicon file once.
"""

from __future__ import annotations

import importlib
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files
from typing import Any

_TOKEN = re.compile(r"[A-Za-z0-9]+|[,;:()—–\"“”]")
_CLAUSE = frozenset(',;:()—–"“”')
# Every alternative of the [hedge] expressions contains one of these (a cheap prefilter; a test
# checks the expressions against it on the whole corpus).
_HEDGE_ANCHORS = (
    "article",
    "guide",
    "post",
    "blog",
    "purported",
    "hoping",
    "hope",
    "curious",
    "potential",
    "wonder",
    "which",
    "defined",
    "health canada",
    "authori",
    "falsely",
    "deceptive",
    "allegedly",
    "wrongly",
    "misleadingly",
    "alleged",
    "false",
    "unsubstantiated",
    "accused",
    "ftc",
    "fda",
    "tga",
    "mhra",
    "regulator",
    "watchdog",
    "commission",
    "recall",
    "withdraw",
    "quoted",
    "claim",
    "according",
    "advocates",
    "proponents",
    "supporters",
    "maker",
    "manufacturer",
    "pitch",
    "advert",
    "ads",
    "marketer",
    "marketing",
    "marketed",
    "influencer",
    "seller",
    "compan",
    "brand",
    "asa",
    "nad",
    "ftc",
    "regulator",
    "watchdog",
    "purport",
    "whether",
    "conclusive",
    "evidence",
    "research",
    "data",
    "science",
    "studies",
    "trials",
    "found",
    "showed",
    "saw",
    "reported",
    "did",
    "failed",
    "but",
    "proof",
    "limited",
    "little",
    "insufficient",
    "scant",
    "examin",
    "explor",
    "investigat",
    "look",
    "wonder",
    "yet",
    "remain",
    "needed",
    "required",
    "enough",
    "ineffective",
    "short",
    "mean",
    "=",
    "your firm",
    "your company",
    "writing",
    # a study's aim (stop 29)
    "aim",
    "sought",
    "set out",
    "was to",
    "were to",
    "we hereby",
    "we examined",
    "we evaluated",
    "we assessed",
    "we investigated",
    "we explored",
    "we compared",
    "we tested",
)
# Every alternative of the [hedge] explained expression contains one of these.
_EXPLAINED_ANCHORS = (
    "devices",
    "without",
    "clearance is",
    "reserve",
    "rather than",
    "distinct from",
    "means",
    "process",
    "granted",
    "require",
    "must",
    "submi",
    "predicate",
    "substantial",
    "varies",
    "confuse",
    "classif",
    "manufacturer",
    "companies",
    "classified",
)
# Every alternative of the [hedge] narrated expression contains one of these.
_NARRATED_ANCHORS = (
    "used",
    "theory",
    "idea",
    "claiming",
    "promised",
    "claim",
    "recall",
    "does",
    "sure",
    "ensure",
    "advis",
    "recommend",
    "suggest",
    "promising",
    "claimed",
    "alleged",
    "said",
    "purported",
    "hypothesis",
    "belief",
    "notion",
    "what",
    "article",
    "post",
    "guide",
    "piece",
    "video",
    "episode",
    "blog",
    "database",
    "intended",
    "read",
    "find",
    "learn",
    "company",
    "promis",
)
# one search for any of the anchors (the same answer as testing each as a substring)
_HEDGE_ANY = re.compile("|".join(re.escape(a) for a in _HEDGE_ANCHORS))
_NARRATED_ANY = re.compile("|".join(re.escape(a) for a in _NARRATED_ANCHORS))
_EXPLAINED_ANY = re.compile("|".join(re.escape(a) for a in _EXPLAINED_ANCHORS))


def _pieces(anchors: tuple[str, ...]) -> frozenset[str]:
    """Each anchor's longest piece without whitespace: in a sentence holding the anchor, one of
    its whitespace-separated words holds that piece."""
    return frozenset(max(a.split(), key=len) for a in anchors)


_HEDGE_WORDS = _pieces(_HEDGE_ANCHORS)
_NARRATED_WORDS = _pieces(_NARRATED_ANCHORS)
_EXPLAINED_WORDS = _pieces(_EXPLAINED_ANCHORS)
_RADIATION = frozenset(["uv", "ultraviolet", "rays", "radiation", "light", "wavelengths", "heat"])
_DETERMINERS = frozenset(["the", "your", "their", "our", "my", "her", "his", "its", "one"])
_CLAUSE_WORDS = frozenset(["but", "however", "whereas", "while", "which", "although", "though", "unlike"])


@dataclass(frozen=True)
class Entry:
    """A lexicon entry: a sequence of word prefixes (``exact`` marks a whole-word last part)."""

    parts: tuple[str, ...]
    exact: bool
    value: str = ""

    def match_at(self, words: list[str], i: int) -> int:
        """Number of words matched starting at ``words[i]`` (0: no match)."""
        n = len(self.parts)
        if i + n > len(words):
            return 0
        for k, p in enumerate(self.parts):
            w = words[i + k]
            if k == n - 1 and self.exact:
                if w != p:
                    return 0
            elif not w.startswith(p):
                return 0
        return n


class Lexicon(tuple[Entry, ...]):
    """Entries, longest first, with an index by the first two letters of their first word."""

    by_prefix: dict[str, tuple[Entry, ...]]

    def __new__(cls, entries: list[Entry]) -> Lexicon:
        self = super().__new__(cls, sorted(entries, key=lambda e: -len(e.parts)))
        index: dict[str, list[Entry]] = {}
        for e in self:
            index.setdefault(e.parts[0][:2], []).append(e)
        self.by_prefix = {k: tuple(v) for k, v in index.items()}
        return self


def _entries(raw: list[str] | dict[str, str]) -> Lexicon:
    items = raw.items() if isinstance(raw, dict) else ((r, "") for r in raw)
    out = []
    for text, value in items:
        t = text.strip().lower()
        exact = t.endswith("$")
        parts = tuple(re.findall(r"[a-z0-9]+", t.rstrip("$")))
        if not parts:
            raise ValueError(f"concepts.toml: empty lexicon entry {text!r}")
        out.append(Entry(parts, exact, value))
    # longest first, so "loose skin" wins over "skin"
    return Lexicon(out)


_TagIndex = tuple[dict[str, tuple[tuple[str, Entry], ...]], dict[str, tuple[tuple[str, Entry], ...]]]
_Bucket = tuple[tuple[tuple[str, Entry, str, str], ...], tuple[tuple[str, Entry, str, str], ...]]


@dataclass(frozen=True)
class Concepts:
    """The lexicons and the reported-speech / hedge expressions of ``concepts.toml``."""

    lexicons: dict[str, Lexicon]
    outcomes: Lexicon
    endorsement: dict[str, Lexicon]
    mechanism_effect: Lexicon
    mechanism_terms: Lexicon
    reported: re.Pattern[str]
    hedged: re.Pattern[str]
    defined: re.Pattern[str]
    narrated: re.Pattern[str]
    advice_start: re.Pattern[str]
    side_effect: re.Pattern[str]
    decline: re.Pattern[str]
    #: how the FDA's pathways work, said of devices in general (``[hedge] explained``), unless
    #: the sentence names a record or overstates a clearance (``[hedge] overstated``)
    explained: re.Pattern[str]
    overstated: re.Pattern[str]
    #: a sauna described as heat, with nothing of light in the sentence (``[hedge] heat_only`` and
    #: not ``heat_light``): a heat device, so no light claim
    heat_only: re.Pattern[str]
    heat_light: re.Pattern[str]
    #: per category, groups of word stems: a frame can only fire in a sentence holding a word
    #: of every group (at the start of a word, or after "anti")
    anchors: dict[str, tuple[tuple[str, ...], ...]]
    #: the same groups as regular expressions over lowercase text, "anti" added to each
    anchor_patterns: dict[str, tuple[re.Pattern[str], ...]]
    meta: dict[str, Any]
    #: the lexicon groups :func:`concept_tags` reports, by tag name
    tag_lexicons: tuple[tuple[str, Lexicon], ...] = ()
    #: their entries indexed for :func:`concept_tags` (see :func:`_tag_index`)
    tag_index: _TagIndex = field(default_factory=lambda: ({}, {}))
    #: per three-letter word start, the entries to try (filled as words are seen; a cache)
    tag_buckets: dict[str, _Bucket] = field(default_factory=dict, compare=False, repr=False)
    #: per word, its one-word lexicon hits (a cache)
    tag_words: dict[str, tuple[tuple[str, str, str], ...]] = field(
        default_factory=dict, compare=False, repr=False
    )
    #: a claim framed as someone else's ("its developers claim", "has been touted as", ``[hedge]
    #: distanced``), unless the writer takes it up (``distanced_unless``: "we", "research supports
    #: the claim that"): every claim but a regulatory one is dropped (:func:`is_distanced`)
    distanced: re.Pattern[str] = field(default_factory=lambda: re.compile("(?!)"))
    distanced_unless: re.Pattern[str] = field(default_factory=lambda: re.compile("(?!)"))
    #: a sentence about another treatment ("Prescription drugs can be very effective", ``[hedge]
    #: other_treatment``) naming nothing of light, a device or "it" (``other_treatment_light``):
    #: no claim in it (:func:`is_about_other_treatment`)
    other_treatment: re.Pattern[str] = field(default_factory=lambda: re.compile("(?!)"))
    other_treatment_light: re.Pattern[str] = field(default_factory=lambda: re.compile("(?!)"))
    #: a title-case heading that names a topic (``[hedge] heading_topic``) or states no effect
    #: with a verb (``heading_claim``): no efficacy claim in it (:func:`is_topic_heading`)
    heading_topic: re.Pattern[str] = field(default_factory=lambda: re.compile("(?!)"))
    heading_claim: re.Pattern[str] = field(default_factory=lambda: re.compile("(?!)"))


def _anchors(*groups: Lexicon) -> tuple[str, ...]:
    return tuple(sorted({e.parts[0] for g in groups for e in g}))


def parse_concepts(data: dict[str, Any]) -> Concepts:
    """Validate and compile a concepts document (``data/claims/concepts.toml``)."""
    try:
        lex = {name: _entries(v) for name, v in data["lexicons"].items()}
        outcomes = _entries(data["outcomes"])
        endo = {name: _entries(v) for name, v in data["endorsement"].items()}
        mech_effect = _entries(data["mechanism"]["effect"])
        mech_terms = _entries(data["mechanism"]["terms"])
        reported = re.compile(data["hedge"]["reported"], re.IGNORECASE)
        hedged = re.compile(data["hedge"]["hedged"], re.IGNORECASE)
        defined = re.compile(data["hedge"]["defined"], re.IGNORECASE)
        narrated = re.compile(data["hedge"]["narrated"], re.IGNORECASE)
        advice_start = re.compile(data["hedge"]["advice_start"], re.IGNORECASE)
        side_effect = re.compile(data["hedge"]["side_effect"], re.IGNORECASE)
        decline = re.compile(data["hedge"]["decline"], re.IGNORECASE)
        never = "(?!)"  # matches nothing: the two keys are optional
        explained = re.compile(data["hedge"].get("explained", never), re.IGNORECASE)
        overstated = re.compile(data["hedge"].get("overstated", never), re.IGNORECASE)
        heat_only = re.compile(data["hedge"].get("heat_only", never), re.IGNORECASE)
        heat_light = re.compile(data["hedge"].get("heat_light", never), re.IGNORECASE)
        distanced = re.compile(data["hedge"].get("distanced", never), re.IGNORECASE)
        distanced_unless = re.compile(data["hedge"].get("distanced_unless", never), re.IGNORECASE)
        other_treatment = re.compile(data["hedge"].get("other_treatment", never), re.IGNORECASE)
        other_light = re.compile(data["hedge"].get("other_treatment_light", never), re.IGNORECASE)
        heading_topic = re.compile(data["hedge"].get("heading_topic", never), re.IGNORECASE)
        heading_claim = re.compile(data["hedge"].get("heading_claim", never), re.IGNORECASE)
    except (KeyError, TypeError, re.error) as exc:
        raise ValueError(f"concepts.toml: malformed ({exc})") from exc
    for name in ("negator", "harm_strong", "harm_mild", "safety_adjective", "safety_veto", "effect"):
        if name not in lex:
            raise ValueError(f"concepts.toml: lexicon {name!r} is missing")
    anchors = {
        "safety": (_anchors(lex["harm_strong"], lex["harm_mild"], lex["safety_adjective"]),),
        "efficacy": (_anchors(lex["effect"], lex.get("result_after", Lexicon([]))), _anchors(outcomes)),
        "endorsement": (_anchors(endo["relation"]), _anchors(endo["person"], endo["evidence"])),
        "mechanism": (_anchors(mech_terms), _anchors(mech_effect)),
    }
    tag_lexicons = tuple(
        [*lex.items()]
        + [(f"endorse_{k}", v) for k, v in endo.items()]
        + [("outcome", outcomes), ("mech_effect", mech_effect), ("mech_term", mech_terms)]
    )
    anchor_patterns = {
        cat: tuple(
            re.compile(
                "(?<![a-z0-9])(?:anti|"
                + "|".join(re.escape(a) for a in sorted(g, key=len, reverse=True))
                + ")"
            )
            for g in groups
        )
        for cat, groups in anchors.items()
    }
    return Concepts(
        lex,
        outcomes,
        endo,
        mech_effect,
        mech_terms,
        reported,
        hedged,
        defined,
        narrated,
        advice_start,
        side_effect,
        decline,
        explained,
        overstated,
        heat_only,
        heat_light,
        anchors,
        anchor_patterns,
        dict(data.get("meta", {})),
        tag_lexicons,
        _tag_index(tag_lexicons),
        distanced=distanced,
        distanced_unless=distanced_unless,
        other_treatment=other_treatment,
        other_treatment_light=other_light,
        heading_topic=heading_topic,
        heading_claim=heading_claim,
    )


def _tag_bucket(index: _TagIndex, key: str) -> _Bucket:
    """The entries a word starting with ``key`` (its first three letters) may match, each with
    its group, tag and value tag, split into entries of several words and of one word;
    computed once per key and kept (``Concepts.tag_buckets``)."""
    long_index, short_index = index
    found = long_index.get(key, ()) if len(key) == 3 else ()
    found += short_index.get(key[:2], ()) if len(key) >= 2 else ()
    found += short_index.get(key[:1], ())
    rows = [(name, e, f"@{name}", f"@{name}:{e.value}" if e.value else "") for name, e in found]
    return tuple(r for r in rows if len(r[1].parts) > 1), tuple(r for r in rows if len(r[1].parts) == 1)


def _single_hits(single: tuple[tuple[str, Entry, str, str], ...], w: str) -> tuple[tuple[str, str, str], ...]:
    """The one-word entries that match the word ``w``, the first (longest) of each group."""
    out: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for name, e, tag, value_tag in single:
        p = e.parts[0]
        if name not in seen and (w == p if e.exact else w.startswith(p)):
            seen.add(name)
            out.append((name, tag, value_tag))
    return tuple(out)


def _tag_index(groups: tuple[tuple[str, Lexicon], ...]) -> _TagIndex:
    """Entries by the first three letters of their first word, and those whose first word is
    shorter ("no$", "do not") by that word: a word looks only at entries that can match it."""
    long_index: dict[str, list[tuple[str, Entry]]] = {}
    short_index: dict[str, list[tuple[str, Entry]]] = {}
    for name, lex in groups:
        for e in lex:  # a Lexicon is longest first
            first = e.parts[0]
            if len(first) >= 3:
                long_index.setdefault(first[:3], []).append((name, e))
            else:
                short_index.setdefault(first, []).append((name, e))
    return (
        {k: tuple(v) for k, v in long_index.items()},
        {k: tuple(v) for k, v in short_index.items()},
    )


@lru_cache(maxsize=1)
def load_concepts() -> Concepts:
    """The shipped concept lexicons."""
    path = files("photodose") / "data" / "claims" / "concepts.toml"
    return parse_concepts(tomllib.loads(path.read_text(encoding="utf-8")))


def tokenize(sentence: str) -> tuple[list[str], list[int], list[tuple[int, int]]]:
    """Lowercase words, the clause number of each, and each word's (start, end) in ``sentence``.

    A comma, semicolon, colon, bracket, dash, quote or a contrast word ("but", "which",
    "unlike") starts a new clause.
    """
    words: list[str] = []
    clauses: list[int] = []
    spans: list[tuple[int, int]] = []
    clause = 0
    for m in _TOKEN.finditer(sentence):
        w = m.group(0).lower()
        if w in _CLAUSE:
            clause += 1
            continue
        if w in _CLAUSE_WORDS:
            clause += 1
        if w.startswith("anti") and len(w) > 7 and w[4] != "c":  # "antibacterial": anti + bacterial
            words += ["anti", w[4:]]
            clauses += [clause, clause]
            spans += [(m.start(), m.start() + 4), (m.start() + 4, m.end())]
            continue
        words.append(w)
        clauses.append(clause)
        spans.append((m.start(), m.end()))
    return words, clauses, spans


def _find(entries: Lexicon, words: list[str]) -> list[tuple[int, int, Entry]]:
    """Non-overlapping matches (start word, end word, entry), longest entry first at each word.

    The same as trying :meth:`Entry.match_at` of every entry at every word, with a one-word
    entry checked inline (this runs on every candidate sentence of a 32 MB page).
    """
    out = []
    i = 0
    n = len(words)
    index = entries.by_prefix
    while i < n:
        w = words[i]
        bucket = index.get(w[:2])
        if bucket:
            for e in bucket:
                parts = e.parts
                if len(parts) == 1:
                    p = parts[0]
                    if w == p if e.exact else w.startswith(p):
                        out.append((i, i + 1, e))
                        i += 1
                        break
                else:
                    k = e.match_at(words, i)
                    if k:
                        out.append((i, i + k, e))
                        i += k
                        break
            else:
                i += 1
        else:
            i += 1
    return out


def _negators(lex: dict[str, Lexicon], words: list[str]) -> list[tuple[int, int, Entry]]:
    """Negator hits, without the "not" of "not only" ("not only proven by studies but ...")."""
    return [
        h
        for h in _find(lex["negator"], words)
        if not (words[h[0]] == "not" and h[0] + 1 < len(words) and words[h[0] + 1] == "only")
    ]


class _LazySpans:
    """Word spans of a sentence, computed by :func:`tokenize` only when a frame needs them."""

    __slots__ = ("_sentence", "_spans")

    def __init__(self, sentence: str) -> None:
        self._sentence = sentence
        self._spans: list[tuple[int, int]] | None = None

    def __getitem__(self, k: int) -> tuple[int, int]:
        if self._spans is None:
            self._spans = tokenize(self._sentence)[2]
        return self._spans[k]


_Tokens = tuple[list[str], list[int], "list[tuple[int, int]] | _LazySpans"]


def _words(sentence: str) -> tuple[list[str], list[int], _LazySpans]:
    """:func:`tokenize` without the spans (computed lazily): the same words and clauses."""
    words: list[str] = []
    clauses: list[int] = []
    clause = 0
    low = sentence.lower()
    # lowercase first (one call, not one per word) unless that changes the text's length
    tokens = (
        _TOKEN.findall(low) if len(low) == len(sentence) else [t.lower() for t in _TOKEN.findall(sentence)]
    )
    for w in tokens:
        if w in _CLAUSE:
            clause += 1
            continue
        if w in _CLAUSE_WORDS:
            clause += 1
        if w.startswith("anti") and len(w) > 7 and w[4] != "c":
            words += ["anti", w[4:]]
            clauses += [clause, clause]
            continue
        words.append(w)
        clauses.append(clause)
    return words, clauses, _LazySpans(sentence)


#: The co-occurrences :func:`concept_tags` reports: the concept + relation pairs of the frames
#: and their negations (alphabetical within a pair).  All pairs of groups were tried: no better
#: by brand-grouped cross-validation (mean average precision 0.800 against 0.804), and 3-4 times
#: the features to score.
_TAG_PAIRS = (
    ("harm_strong", "negator"),
    ("harm_mild", "negator"),
    ("negator", "safety_adjective"),
    ("harm_strong", "safety_veto"),
    ("effect", "outcome"),
    ("effect", "negator"),
    ("effect", "effect_veto"),
    ("outcome", "result_after"),
    ("endorse_evidence", "endorse_relation"),
    ("endorse_person", "endorse_relation"),
    ("endorse_relation", "negator"),
    ("mech_effect", "mech_term"),
)


def words(sentence: str) -> _Tokens:
    """The lowercase words of a sentence, the clause of each, and their spans (computed when
    first read): what the frames and :func:`concept_tags` read, computed once per sentence."""
    return _words(sentence)


def concept_tags(sentence: str, concepts: Concepts | None = None, toks: _Tokens | None = None) -> list[str]:
    """Lexicon hits of a sentence as classifier features: ``@group`` for each hit of a lexicon
    group (``@outcome:acne`` also names the indication), and ``@a~b`` when hits of groups ``a``
    and ``b`` fall in the same clause within 5 words ("@negator~harm_strong" for "does not
    cause damage", "@endorse_evidence~endorse_relation" for "researchers found").

    These let the sentence classifier generalise from one wording to another that shares its
    concepts: "destroy tissue" and "damage DNA" share ``@harm_strong``.
    """
    c = concepts or load_concepts()
    words, clauses, _spans = toks if toks is not None else _words(sentence)
    tags: list[str] = []
    hits: dict[str, list[tuple[int, int]]] = {}
    buckets = c.tag_buckets
    singles = c.tag_words
    nw = len(words)
    if len(singles) > 200_000:  # a cache of word -> one-word hits; bounded on any input
        singles.clear()
    # one pass over the words: at each word, the longest entry of each group that matches there
    # (entries of several words first: a Lexicon is longest first)
    for i, w in enumerate(words):
        key = w[:3]
        bucket = buckets.get(key)
        if bucket is None:
            bucket = buckets[key] = _tag_bucket(c.tag_index, key)
        multi, single = bucket
        seen: set[str] = set()
        for name, e, tag, value_tag in multi:
            # the next word must start with the entry's second part (checked here: cheaper
            # than the call, and most entries fail there)
            if (
                name not in seen
                and i + 1 < nw
                and words[i + 1].startswith(e.parts[1])
                and e.match_at(words, i)
            ):
                seen.add(name)
                tags.append(tag)
                if value_tag:
                    tags.append(value_tag)
                hits.setdefault(name, []).append((i, clauses[i]))
        one = singles.get(w)
        if one is None:
            one = singles[w] = _single_hits(single, w)
        for name, tag, value_tag in one:
            if name in seen:
                continue
            tags.append(tag)
            if value_tag:
                tags.append(value_tag)
            hits.setdefault(name, []).append((i, clauses[i]))
    for a, b in _TAG_PAIRS:
        ha, hb = hits.get(a), hits.get(b)
        if ha and hb and any(ca == cb and abs(i - j) <= 5 for i, ca in ha for j, cb in hb):
            tags.append(f"@{a}~{b}")
    return tags


@dataclass(frozen=True)
class FrameHit:
    """A claim found by a frame: category, kind, the matched span (sentence offsets), details."""

    category: str
    kind: str
    start: int
    end: int
    details: dict[str, Any]


_NAMED_STUDY = re.compile(
    r"\bet\s{1,3}al\b|\bPMID\b|\bdoi\b|\bjournal\b|\bpublished\s{1,3}in\b"
    r"|\b(?:study|trial|review)\s{1,3}in\s{1,3}(?:the\s{1,3})?(?-i:[A-Z])",
    re.IGNORECASE,
)


def names_a_study(sentence: str) -> bool:
    """Does the sentence name the study it cites (authors "et al.", a PMID or DOI, a journal:
    "a 2017 study in Dermatologic Surgery")?  Then a "studies show" claim is checkable."""
    return _NAMED_STUDY.search(sentence) is not None


@lru_cache(maxsize=512)
def lowercase_regex(pattern: str) -> re.Pattern[str]:
    """A case-sensitive copy of a case-insensitive ``pattern`` for lowercase text: every literal
    letter lowercased; escapes (``\\W``, ``\\b``) and the ``P`` of named groups kept."""
    out = []
    i = 0
    while i < len(pattern):
        if pattern[i] == "\\" and i + 1 < len(pattern):
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if pattern.startswith("(?P", i):  # a named group: "(?P<name>" and "(?P=name)" keep their P
            out.append("(?P")
            i += 3
            continue
        out.append(pattern[i].lower())
        i += 1
    return re.compile("".join(out))


@lru_cache(maxsize=512)
def lowercase_ready(regex: re.Pattern[str]) -> bool:
    """Can ``regex`` run as :func:`lowercase_regex` on lowercase text with the same matches?
    Case-insensitive, and no inline flag group (which could turn case sensitivity back on)."""
    return bool(regex.flags & re.IGNORECASE) and "(?-" not in regex.pattern and "(?i" not in regex.pattern


def _found(regex: re.Pattern[str], sentence: str, low: str, held: frozenset[str] | None = None) -> bool:
    """``regex.search(sentence)``, run as its lowercase copy on ``low`` (``sentence.lower()``)
    when that gives the same answer (about twice as fast); not run when ``held`` (see
    :func:`is_reported_or_hedged`) holds none of the copy's required literals."""
    if len(low) == len(sentence) and lowercase_ready(regex):
        copy = lowercase_regex(regex.pattern)
        needed = required_literals(copy.pattern) if held is not None else None
        if held is not None and needed is not None and held.isdisjoint(needed):
            return False
        return copy.search(low) is not None
    return regex.search(sentence) is not None


def hedge_index_words(concepts: Concepts | None = None) -> frozenset[str]:
    """What ``held`` of :func:`is_reported_or_hedged` is read for: the pieces of the prefilters'
    anchors and the required literals of the reported and hedged expressions."""
    c = concepts or load_concepts()
    out = set(_HEDGE_WORDS | _NARRATED_WORDS | _EXPLAINED_WORDS)
    for regex in (c.reported, c.hedged):
        if lowercase_ready(regex):
            out.update(required_literals(lowercase_regex(regex.pattern).pattern) or ())
    return frozenset(out)


try:  # the standard library's own regular-expression parser (private, so read with care)
    _sre_parser: Any = importlib.import_module("re._parser")
except ImportError:  # pragma: no cover - CPython 3.11+ has it; without it nothing is skipped
    _sre_parser = None

_REPEATS = frozenset(["MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"])


@lru_cache(maxsize=1024)
def required_literals(pattern: str) -> tuple[str, ...] | None:
    """Strings one of which lies inside every match of the case-sensitive ``pattern``, or None
    when no such set is found.

    Read from the parsed expression: a run of literal characters is required; so is one of the
    alternatives' requirements of a group, or a repeated group's (at least once).  Look-arounds,
    optional parts and classes of more than literal characters require nothing.  Of several
    requirements the most selective (longest shortest string) is kept.  A sentence holding none
    of the strings cannot hold a match, so the expression need not run on it (the way search
    tools such as ripgrep skip lines).  A string with whitespace is cut to its longest piece
    without (a required string's piece is required too), so the strings can be looked up as
    parts of whitespace-separated words.
    """
    if _sre_parser is None:
        return None
    try:
        parsed = _sre_parser.parse(pattern, 0)
    except Exception:  # anything the parser refuses: no requirement, so searched everywhere
        return None
    if parsed.state.flags & (re.IGNORECASE | re.VERBOSE):
        return None  # an inline (?i) or (?x): literal characters are not what they seem
    found = _required(parsed)
    if found is None:
        return None
    pieces = tuple(dict.fromkeys(max(f.split(), key=len, default="") for f in found))
    return None if "" in pieces else pieces


def _required(items: Any) -> tuple[str, ...] | None:
    """:func:`required_literals` of a parsed sequence (``(opcode, argument)`` pairs)."""
    candidates: list[tuple[str, ...]] = []
    run: list[str] = []
    for op, av in items:
        name = str(op)
        if name == "LITERAL":
            run.append(chr(av))
            continue
        if run:  # consecutive literal characters: one required string
            candidates.append(("".join(run),))
            run = []
        found: tuple[str, ...] | None = None
        if name == "SUBPATTERN" and not av[1] and not av[2]:  # a group that sets no flags
            found = _required(av[3])
        elif name == "ATOMIC_GROUP":
            found = _required(av)
        elif name in _REPEATS and av[0] >= 1:
            found = _required(av[2])
        elif name == "BRANCH":  # every alternative must require something
            each = [_required(alt) for alt in av[1]]
            if all(e is not None for e in each):
                found = tuple(dict.fromkeys(f for e in each if e is not None for f in e))
        elif name == "IN" and av and all(str(o) == "LITERAL" for o, _v in av):
            found = tuple(chr(v) for _o, v in av)  # a class of plain characters
        if found:
            candidates.append(found)
    if run:
        candidates.append(("".join(run),))
    if not candidates:
        return None
    return max(candidates, key=lambda c: (min(map(len, c)), -len(c)))


def top_level_alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of a regular expression (split at ``|`` outside groups and
    character classes)."""
    out: list[str] = []
    cur: list[str] = []
    depth = 0
    in_class = False
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            cur.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            out.append("".join(cur))
            cur = []
            i += 1
            continue
        cur.append(ch)
        i += 1
    out.append("".join(cur))
    return out


@lru_cache(maxsize=8)
def _narrated_parts(pattern: str) -> tuple[tuple[re.Pattern[str], tuple[str, ...]], ...]:
    """The ``[hedge] narrated`` expression cut into its alternatives, each (as its lowercase
    copy) with the anchors written in it: every alternative was written around one of them, so
    it is tried only in a sentence that holds one (a test checks this on every development
    sentence).  An alternative with no anchor in it is always tried."""
    parts = []
    for alt in top_level_alternatives(pattern):
        text = alt.lower()
        parts.append((lowercase_regex(alt), tuple(a for a in _NARRATED_ANCHORS if a in text)))
    return tuple(parts)


def _narrated(c: Concepts, sentence: str, low: str) -> bool:
    """``c.narrated.search(sentence)``, one alternative at a time, each only where its anchors
    are (about twice as fast on long pages: the whole alternation is tried at every word)."""
    if len(low) != len(sentence) or not lowercase_ready(c.narrated):
        return c.narrated.search(sentence) is not None
    for regex, anchors in _narrated_parts(c.narrated.pattern):
        if (not anchors or any(a in low for a in anchors)) and regex.search(low):
            return True
    return False


def is_reported_or_hedged(
    sentence: str, concepts: Concepts | None = None, held: frozenset[str] | None = None
) -> bool:
    """Does the sentence report a claim from a distance or hedge talk of studies?

    "The pitch goes something like this: ...", "The ASA found social media adverts claiming
    ...", "Some studies have shown promise, but the evidence is far from conclusive", "That
    same trial found improvements in wrinkles but not in hydration ... at the tested dose".

    ``held``: the strings of :func:`hedge_index_words` that the sentence's lowercase words
    hold (or more: a caller's index of a whole page), when known; the prefilters then read it
    instead of searching the sentence, and an expression none of whose required literals it
    holds is not run.  The answer is the same.
    """
    c = concepts or load_concepts()
    if c.defined.search(sentence):  # anchored at the start: cheap
        return True
    if c.advice_start.match(sentence):
        return True
    low = sentence.lower()
    if c.heat_only.search(sentence) and not c.heat_light.search(sentence):
        return True  # a sauna as heat: a heat device, no light claim

    def may_hold(anchors: re.Pattern[str], words: frozenset[str]) -> bool:
        """Can the sentence hold one of the anchors? (From ``held`` when given: a yes may be
        wrong, a no is not, and each yes is checked by the full expression.)"""
        return anchors.search(low) is not None if held is None else not held.isdisjoint(words)

    if may_hold(_NARRATED_ANY, _NARRATED_WORDS) and _narrated(c, sentence, low):
        return True
    if (
        may_hold(_EXPLAINED_ANY, _EXPLAINED_WORDS)
        and _found(c.explained, sentence, low)
        and not _found(c.overstated, sentence, low)
    ):
        return True
    if not may_hold(_HEDGE_ANY, _HEDGE_WORDS):
        return False  # neither expression can match (each alternative needs one of these words)
    return _found(c.reported, sentence, low, held) or _found(c.hedged, sentence, low, held)


def is_distanced(sentence: str, concepts: Concepts | None = None) -> bool:
    """Does the sentence frame its claim as someone else's, keeping its distance?

    "Its developers claim it heals cold sores twice as quickly", "Quit smoking laser therapy has
    been touted as a painless way to stop", "Proponents of the treatment claim that it works by
    releasing endorphins", "according to those who practise it" (docs/claims-labelling.md:
    reported with distance is ``none``).  Not when the writer takes the claim up: "we", "our",
    "research supports the claim that".  Only the sentence's non-regulatory claims are dropped
    for it: "cleared by the FDA, it claims to treat acne" still states the clearance.
    """
    c = concepts or load_concepts()
    return c.distanced.search(sentence) is not None and c.distanced_unless.search(sentence) is None


def is_about_other_treatment(sentence: str, concepts: Concepts | None = None) -> bool:
    """Is the sentence about another treatment, with nothing of light in it?

    "Prescription drugs can be very effective although some have unpleasant side-effects.",
    "For mild to moderate toenail fungus, topical and oral antifungal treatments can suppress the
    fungus infection", "There are numerous treatments available to treat knee injuries."  Its
    subject is a drug, a cream, surgery or a qualified other treatment ("current", "topical",
    "over-the-counter"), and it names no light, laser, LED, device or "it"/"this"
    (``[hedge] other_treatment`` and ``other_treatment_light``): so it claims nothing of the
    light, and no claim is made in it.
    """
    c = concepts or load_concepts()
    return c.other_treatment.match(sentence) is not None and c.other_treatment_light.search(sentence) is None


#: words a title-case heading leaves in lower case
_HEADING_SMALL = frozenset(
    {"a", "an", "the", "and", "or", "of", "to", "in", "on", "for", "with", "vs", "at", "by"}
    | {"from", "is", "are", "your", "you", "its", "it", "as", "into"}
)
_HEADING_WORD = re.compile(r"[^\W\d_][\w'’-]*|\d[\w%]*")


def is_heading(sentence: str) -> bool:
    """Is the "sentence" a page's heading: 2-12 words, no closing punctuation, and every word
    but the small ones ("of", "for", "and") capitalised or a number ("Benefits Of Led Light
    Masks", "Light Therapy for Adult Acne", "1. Speeds Up Muscle Recovery")?"""
    s = sentence.strip()
    if not s or s[-1] in ".!?:;,\"”’)'":
        return False
    words = _HEADING_WORD.findall(s)
    content = [w for w in words if w.lower() not in _HEADING_SMALL]
    if not 2 <= len(words) <= 12 or not content:
        return False
    return all(w[0].isupper() or w[0].isdigit() for w in content)


def is_topic_heading(sentence: str, concepts: Concepts | None = None) -> bool:
    """Is the sentence a heading that names a topic rather than claiming an effect?  "Benefits Of
    Led Light Masks", "How LED Light Helps Skin", "Light Therapy for Adult Acne" are; "Speeds Up
    Muscle Recovery and Reduces Inflammation" and "Red Light Could Improve Your Eyesight" are not
    (``[hedge] heading_topic`` and ``heading_claim``).  The extractor makes no efficacy claim in
    such a heading; the readers label them none (concepts.toml says how many)."""
    if not is_heading(sentence):
        return False
    c = concepts or load_concepts()
    return c.heading_topic.match(sentence) is not None or c.heading_claim.search(sentence) is None


def is_side_effect_talk(sentence: str, concepts: Concepts | None = None) -> bool:
    """Does the sentence name redness, irritation or the like as a side effect (so an outcome
    word in it is no efficacy claim)?  "A few people have reported skin redness after
    treatments", "a potential increase in irritation"."""
    c = concepts or load_concepts()
    low = sentence.lower()
    if not any(
        w in low for w in ("redness", "irritation", "discomfort", "burn", "sensitiv", "dryness", "breakout")
    ):
        return False
    return bool(c.side_effect.search(sentence))


def declines_after(text: str, pos: int, concepts: Concepts | None = None) -> bool:
    """Is the mechanism named just before ``pos`` in ``text`` said to decline ("collagen
    production drops by about 1% per year")?  Background biology, not a claim about light."""
    c = concepts or load_concepts()
    return c.decline.match(text, pos, pos + 40) is not None


def _contrast_clauses(words: list[str], clauses: list[int]) -> set[int]:
    """Clauses of an "unlike X[, which ...]" contrast: the clause "unlike" starts and, when the
    next clause starts with "which" or "that", that one too."""
    out: set[int] = set()
    for k, w in enumerate(words):
        if w == "unlike":
            c = clauses[k]
            out.add(c)
            nxt = next((i for i in range(k, len(words)) if clauses[i] > c), None)
            if nxt is not None and words[nxt] in ("which", "that"):
                out.add(clauses[nxt])
    return out


def safety_frames(sentence: str, c: Concepts, toks: _Tokens) -> list[FrameHit]:
    """Negated harm ("does not cause thermal damage") and safety adjectives ("painless")."""
    words, clauses, spans = toks
    lex = c.lexicons
    harms = {g: _find(lex[g], words) for g in ("harm_strong", "harm_mild")}
    adjectives = _find(lex["safety_adjective"], words)
    if not (harms["harm_strong"] or harms["harm_mild"] or adjectives):
        return []  # nothing to find: skip the other lexicons (same result, less work)
    # a warning inside a contrast ("Unlike UV light, which damages DNA and can cause sunburn,
    # red light ...") is about the other thing: only vetoes outside it count
    contrast = _contrast_clauses(words, clauses)
    if any(clauses[v] not in contrast for v, _w, _e in _find(lex["safety_veto"], words)):
        return []
    negators = _negators(lex, words)
    hits: list[FrameHit] = []
    for kind, group in (("absolute", "harm_strong"), ("generic", "harm_mild")):
        for i, j, _e in harms[group]:
            if any(w in _RADIATION for w in words[j : j + 2]):
                continue  # "no harmful UV rays" is a no-UV claim (rules.toml safe.no_uv)
            for a, _b, _n in negators:
                if a < i and i - a <= 4 and clauses[a] == clauses[i]:
                    hits.append(
                        FrameHit("safety", kind, spans[a][0], spans[j - 1][1], {"frame": f"negated_{group}"})
                    )
                    break
            if hits:
                return hits
    for i, j, _e in adjectives:
        if i > 0 and words[i - 1] in ("not", "never", "isn", "aren"):
            continue
        return [FrameHit("safety", "generic", spans[i][0], spans[j - 1][1], {"frame": "safety_adjective"})]
    return hits


def efficacy_frames(sentence: str, c: Concepts, toks: _Tokens) -> list[FrameHit]:
    """An effect word and a skin outcome within a few words, same clause, not negated."""
    words, clauses, spans = toks
    lex = c.lexicons
    effects = _find(lex["effect"], words)
    results = _find(lex["result_after"], words) if "result_after" in lex else []
    if not effects and not results:
        return []
    outcomes = _find(c.outcomes, words)
    if results:
        hit = _outcome_then_result(words, clauses, spans, outcomes, results, _negators(lex, words))
        if hit is not None:
            return [hit]
    negators = {i for i, _j, _e in _negators(lex, words)}
    vetoes = _find(lex["effect_veto"], words)
    found: dict[str, FrameHit] = {}
    for ei, ej, ee in effects:
        if any(vi < ei and ei - vi <= 3 for vi, _vj, _v in vetoes):
            continue
        if any(n < ei and ei - n <= 5 and clauses[n] == clauses[ei] for n in negators):
            continue
        adjacent_only = ee.parts == ("anti",)
        for oi, oj, oe in outcomes:
            if oi < ej and oj > ei:
                continue  # the same words ("tone" as verb and noun)
            if clauses[oi] != clauses[ei]:
                continue
            ind = oe.value
            generic = oe.parts == ("skin",)
            if adjacent_only and ind == "aging":
                continue  # "anti-aging" names a product line, not a result
            gap = oi - ej
            # "improves the skin": a bare "skin" only right after the effect (a determiner between)
            limit = 0 if adjacent_only else (1 if generic else 4)
            after = 0 <= gap <= limit and (gap == 0 or not generic or words[ej] in _DETERMINERS)
            # "wrinkle-reducing", "acne-fighting": an -ing effect right after the outcome
            before = not adjacent_only and not generic and ei == oj and words[ej - 1].endswith("ing")
            if not (after or before):
                continue
            if ind in found:
                continue
            lo, hi = min(ei, oi), max(ej, oj) - 1
            found[ind] = FrameHit(
                "efficacy",
                "claim",
                spans[lo][0],
                spans[hi][1],
                {
                    "indication": ind,
                    "effect_word": " ".join(words[ei:ej]),
                    "frame": "effect_outcome",
                    "outcome_end": spans[oj - 1][1],
                },
            )
    return list(found.values())


def _outcome_then_result(
    words: list[str],
    clauses: list[int],
    spans: list[tuple[int, int]] | _LazySpans,
    outcomes: list[tuple[int, int, Entry]],
    results: list[tuple[int, int, Entry]],
    negators: list[tuple[int, int, Entry]],
) -> FrameHit | None:
    """A result said after the outcome, within 3 words, same clause, not negated: "acne responds
    well to red light", "uneven skin tone can benefit from red light therapy"."""
    for ri, rj, _r in results:
        if any(n < ri and ri - n <= 4 and clauses[n] == clauses[ri] for n, _m, _e in negators):
            continue
        before = [
            (oi, oj, oe)
            for oi, oj, oe in outcomes
            if oj <= ri and ri - oj <= 3 and clauses[oi] == clauses[ri]
        ]
        if not before:
            continue
        oi, oj, oe = before[-1]
        if oe.parts == ("skin",) and ri != oj:
            continue  # a bare "skin" only right before the result
        return FrameHit(
            "efficacy",
            "claim",
            spans[oi][0],
            spans[rj - 1][1],
            {
                "indication": oe.value,
                "effect_word": " ".join(words[ri:rj]),
                "frame": "outcome_result",
                "outcome_end": spans[oj - 1][1],
            },
        )
    return None


def mechanism_frames(sentence: str, c: Concepts, toks: _Tokens) -> list[FrameHit]:
    """A cellular effect verb and a mechanism noun within 3 words, same clause, not negated
    ("stimulate skin cell production", "collagen-boosting", "antibacterial")."""
    words, clauses, spans = toks
    terms = _find(c.mechanism_terms, words)
    if not terms:
        return []
    effects = _find(c.mechanism_effect, words)
    negators = {i for i, _j, _e in _negators(c.lexicons, words)}
    for ti, tj, te in terms:
        for ei, ej, ee in effects:
            if clauses[ei] != clauses[ti] or (ei < tj and ej > ti):
                continue
            ok = ej == ti if ee.parts == ("anti",) else (0 <= ti - ej <= 3 or 0 <= ei - tj <= 1)
            if not ok or any(n < min(ei, ti) and min(ei, ti) - n <= 4 for n in negators):
                continue
            lo, hi = min(ei, ti), max(ej, tj) - 1
            return [
                FrameHit(
                    "mechanism",
                    "cellular",
                    spans[lo][0],
                    spans[hi][1],
                    {"mechanism": te.value, "frame": "effect_mechanism"},
                )
            ]
    return []


def endorsement_frames(sentence: str, c: Concepts, toks: _Tokens) -> list[FrameHit]:
    """An authority (a person or a body of evidence) and an endorsing verb, within 5 words."""
    words, clauses, spans = toks
    e = c.endorsement
    relations = _find(e["relation"], words)
    if not relations or _find(e["veto"], words):
        return []
    negators = {i for i, _j, _x in _negators(c.lexicons, words)}
    actors = [(i, j, "person") for i, j, _x in _find(e["person"], words)]
    actors += [(i, j, "evidence") for i, j, _x in _find(e["evidence"], words)]
    for ri, rj, _r in relations:
        if any(n < ri and ri - n <= 3 for n in negators):
            continue
        for ai, aj, what in actors:
            if clauses[ai] != clauses[ri]:
                continue
            if (0 <= ri - aj <= 5) or (0 <= ai - rj <= 5):
                kind = "recommended" if what == "person" else "clinically_proven"
                lo, hi = min(ai, ri), max(aj, rj) - 1
                named = names_a_study(sentence)
                return [
                    FrameHit(
                        "endorsement",
                        kind,
                        spans[lo][0],
                        spans[hi][1],
                        {"frame": f"{what}_relation", "study_named": named},
                    )
                ]
    return []


def frame_claims(
    sentence: str,
    categories: frozenset[str] | set[str],
    concepts: Concepts | None = None,
    toks: _Tokens | None = None,
) -> list[FrameHit]:
    """Frame claims of the given categories in one sentence (offsets relative to it).

    ``toks``: the sentence's :func:`words`, when already computed."""
    c = concepts or load_concepts()
    if toks is None:
        toks = _words(sentence)
    out: list[FrameHit] = []
    if "safety" in categories:
        out += safety_frames(sentence, c, toks)
    if "efficacy" in categories:
        out += efficacy_frames(sentence, c, toks)
    if "endorsement" in categories:
        out += endorsement_frames(sentence, c, toks)
    if "mechanism" in categories:
        out += mechanism_frames(sentence, c, toks)
    return out
