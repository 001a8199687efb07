"""Find marketing claims in text: match the rules sentence by sentence.

Text intake (decoding, byte limit, HTML) is :mod:`photodose.claims.intake`; sentence splitting
is :mod:`photodose.claims.sentences`.  All matching is driven by ``data/claims/rules.toml``
(see :mod:`photodose.claims.rules`).  Work is linear in the input length: the splitter is one
pass of a bounded regular expression, every rule pattern has bounded quantifiers and runs
once over the whole text, and the look-arounds (negation, mentions, effect words) read
fixed-size windows.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache, partial
from typing import TYPE_CHECKING, Any

from photodose.claims.concepts import hedge_index_words, names_a_study
from photodose.claims.concepts import lowercase_ready as _lowercase_ready
from photodose.claims.concepts import lowercase_regex as _lowercase_pattern
from photodose.claims.concepts import required_literals as _required_literals
from photodose.claims.intake import (
    BinaryInputError,
    ClaimsInputError,
    DecodedText,
    InputTooLargeError,
    decode_input,
    strip_html,
)
from photodose.claims.rules import Rules, load_rules
from photodose.claims.sentences import Sentence, split_sentences

if TYPE_CHECKING:
    from photodose.claims.classify import SentenceClassifier
    from photodose.claims.concepts import _Tokens

__all__ = [
    "BinaryInputError",
    "Claim",
    "ClaimsInputError",
    "DecodedText",
    "InputTooLargeError",
    "Sentence",
    "decode_input",
    "extract_claims",
    "split_sentences",
    "strip_html",
]


@dataclass(frozen=True)
class Claim:
    """One claim found in a sentence.

    ``text`` is the matched phrase (``source[start:end]``), ``sentence`` the whole sentence.
    ``kind`` refines the category (e.g. ``fda_approved``); ``details`` holds parsed values
    (numbers, wavelengths, indication) for the grader, JSON-serialisable.
    """

    text: str
    sentence: str
    sentence_index: int
    start: int
    end: int
    category: str
    kind: str
    rule_id: str
    rule_confidence: str
    details: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "sentence": self.sentence,
            "sentence_index": self.sentence_index,
            "start": self.start,
            "end": self.end,
            "category": self.category,
            "kind": self.kind,
            "rule_id": self.rule_id,
            "rule_confidence": self.rule_confidence,
            "details": dict(self.details),
        }


# ---------------------------------------------------------------------------------------
# Extraction helpers
# ---------------------------------------------------------------------------------------

_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]{0,25}")
_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
}
_UNIT_CM = {
    "mm": 0.1,
    "millimeter": 0.1,
    "millimetre": 0.1,
    "cm": 1.0,
    "centimeter": 1.0,
    "centimetre": 1.0,
    "inch": 2.54,
    "in": 2.54,
    '"': 2.54,
    "µm": 1e-4,
    "um": 1e-4,
    "micron": 1e-4,
}
_PMA = re.compile(r"\bP\d{6}\b")
_COMPARATIVES = frozenset(
    [
        "clearer",
        "smoother",
        "firmer",
        "brighter",
        "younger",
        "healthier",
        "plumper",
        "softer",
        "tighter",
        "better",
    ]
)
_K_NUMBER = re.compile(r"\bK\d{6}\b")
# "FDA-cleared for wrinkles and acne": the indication names what the clearance covers, so the
# sentence is a regulatory claim (graded against the cleared indications), not an efficacy one.
_CLEARED_FOR = re.compile(
    r"\b(?:FDA|510\s{0,2}\(?k\)?)[^.;!?]{0,30}?\b(?:clears|cleared|clearance|approved|approval)\b"
    r"[^.;!?]{0,40}?\b(?:for|to\s{1,3}(?:treat|reduce|improve|help|grow))\b[^.;!?]{0,80}$",
    re.IGNORECASE,
)


def _number(token: str) -> float:
    t = token.strip().lower()
    if t in _NUMBER_WORDS:
        return float(_NUMBER_WORDS[t])
    return float(t.replace(",", "."))


def _unit_cm(unit: str) -> float:
    u = unit.lower().rstrip("s")
    if u.startswith("inche"):
        u = "inch"
    for key, factor in _UNIT_CM.items():
        if u == key or (u.startswith(key) and key not in ("in", "um", "mm", "cm")):
            return factor
    return _UNIT_CM.get(u, 0.1)


@lru_cache(maxsize=8)
def _any_substring(words: frozenset[str]) -> re.Pattern[str]:
    """One expression finding any of ``words`` as a substring."""
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))


class _AnchorFinder:
    """Which anchors each word of a lowercase text holds, for a fixed set of anchors.

    An anchor has no whitespace (the rules check this), so every occurrence lies inside one
    whitespace-separated word.  Each distinct word is looked at once (cached): a page of
    millions of characters has a vocabulary of thousands of words, while searching each of
    the rules' ~400 anchors through the whole text reads every character ~400 times."""

    #: the cache of word -> anchors is cleared past this many words, and holds no word longer
    #: than _MAX_CHARS (a run without spaces is looked at every time): a few MB at most
    _MAX_WORDS = 50_000
    _MAX_CHARS = 40

    def __init__(self, anchors: frozenset[str]) -> None:
        self.anchors = anchors
        #: anchors by their first two characters (one-character anchors by that one)
        self.by_start: dict[str, tuple[str, ...]] = {}
        for a in sorted(anchors):
            self.by_start[a[:2]] = (*self.by_start.get(a[:2], ()), a)
        self.short = tuple(a for a in anchors if len(a) == 1)
        self.words: dict[str, frozenset[str]] = {}

    def in_word(self, word: str) -> frozenset[str]:
        """The anchors that are substrings of ``word``."""
        found = {a for a in self.short if a in word}
        by_start = self.by_start
        for j in range(len(word) - 1):
            for a in by_start.get(word[j : j + 2], ()):
                if word.startswith(a, j):
                    found.add(a)
        return frozenset(found)

    def in_words(self, words: set[str]) -> frozenset[str]:
        """The anchors found in any of ``words``."""
        cache = self.words
        missing = words.difference(cache)
        if not missing:
            return frozenset().union(*map(cache.__getitem__, words))
        if len(cache) + len(missing) > self._MAX_WORDS:
            cache.clear()
        found: set[str] = set()
        for w in words:
            hit = cache.get(w)
            if hit is None:
                hit = self.in_word(w)
                if len(w) <= self._MAX_CHARS:
                    cache[w] = hit
            found |= hit
        return frozenset(found)


#: the non-ASCII characters that a case-insensitive expression matches to an ASCII letter while
#: ``str.lower()`` maps them elsewhere (found by trying every code point against ``[a-z]``)
_FOLDS_TO_ASCII = "\u0130\u0131\u017f\u212a"


@lru_cache(maxsize=4)
def _anchor_finder(anchors: frozenset[str]) -> _AnchorFinder:
    return _AnchorFinder(anchors)


def _literals(regex: re.Pattern[str]) -> tuple[str, ...] | None:
    """Strings one of which every match of ``regex`` holds in the lowercase text (see
    :func:`photodose.claims.concepts.required_literals`); None when unknown."""
    if not _lowercase_ready(regex):
        return None
    return _required_literals(_lowercase_pattern(regex.pattern).pattern)


def _index_strings(rules: Rules) -> frozenset[str]:
    """What the sentence index looks up: every anchor of the rules (patterns, indications,
    mechanisms, depth, numbers, output), and the required literals of the expressions that
    run sentence by sentence (the same phrase patterns, the effect words, the classifier's
    gates)."""
    out: set[str] = set()
    regexes: list[re.Pattern[str]] = [rules.efficacy_effect, rules.mechanism_effect]
    for group in (rules.patterns, rules.indications.values(), rules.mechanisms.values()):
        for item in group:
            out.update(item.anchors)
    for p in rules.patterns:
        regexes.append(p.regex)
    for ind in rules.indications.values():
        regexes.append(ind.terms)
    for mech in rules.mechanisms.values():
        regexes.append(mech.terms)
    for anchors in rules.depth_anchors.values():
        out.update(anchors)
    out.update(rules.percent_anchors)
    out.update(rules.output_anchors)
    regexes += [rules.depth[k] for k in rules.depth_anchors]
    regexes += [rules.numeric["percent"], *rules.output.values(), *rules.classifier_gates.values()]
    for regex in regexes:
        out.update(_literals(regex) or ())
    return frozenset(out) | _frame_words() | hedge_index_words()


@lru_cache(maxsize=1)
def _frame_words() -> frozenset[str]:
    """The words of the concept frames' anchor groups (see :meth:`_Extractor.run_frames`)."""
    from photodose.claims.concepts import load_concepts

    return frozenset(w for groups in load_concepts().anchors.values() for g in groups for w in (*g, "anti"))


class _LowMatch:
    """A match found on the lowercase text, read from the original text: start, end and group
    (by number or name) like :class:`re.Match`, the group texts in their original case."""

    __slots__ = ("_m", "_text")

    def __init__(self, text: str, m: re.Match[str]) -> None:
        self._text, self._m = text, m

    def start(self, g: int | str = 0) -> int:
        return self._m.start(g)

    def end(self, g: int | str = 0) -> int:
        return self._m.end(g)

    def group(self, g: int | str = 0) -> str | None:
        a, b = self._m.span(g)
        return None if a < 0 else self._text[a:b]


#: Indications that name a problem: an increase of one is a harm, not a result
_PROBLEMS = frozenset(
    ["wrinkles", "acne", "redness", "rosacea", "pigmentation", "scars", "pores", "psoriasis_eczema", "pain"]
)
#: A safety promise in a sentence about pregnancy is a pregnancy-safety claim ("there is no need to
#: worry about fetal exposure"): no study in the evidence database included pregnant women.
_PREGNANCY = re.compile(r"\b(?:pregnan\w{0,4}|fetal|fetus|foetus|breast\s?feeding)\b", re.IGNORECASE)
# what lies between a term and the verb of the next coordinated clause ("healing | and | reduces")
_NEXT_CLAUSE = re.compile(r"\s{0,3},?\s{0,3}(?:and|or|but|while|as\s+well\s+as)\s{1,3}", re.IGNORECASE)
# the effect words that name the procedure rather than what it does ([efficacy] treatment_logistics)
_TREATMENT_NOUN = frozenset(("treatment", "treatments"))
_INCREASE = re.compile(r"(?:increas|boost|stimulat|enhanc|promot|more\b|rise|rais)", re.IGNORECASE)


class _Span:
    """A trimmed match: start, end and group(0) like :class:`re.Match`."""

    __slots__ = ("_end", "_start", "_text")

    def __init__(self, text: str, start: int, end: int) -> None:
        self._text, self._start, self._end = text, start, end

    def start(self) -> int:
        return self._start

    def end(self) -> int:
        return self._end

    def group(self, _: int = 0) -> str:
        return self._text[self._start : self._end]


class _Extractor:
    def __init__(
        self,
        text: str,
        rules: Rules,
        *,
        prefilter: bool = True,
        learned: bool = False,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        self.text = text
        self.rules = rules
        #: add the learned model's claims (see :meth:`run_learned`)
        self.learned = learned
        #: told the character position the learned model has read to (it takes seconds on a long page)
        self.progress = progress
        self.sentences = split_sentences(text, max_chars=rules.max_sentence_chars)
        self.starts = [s.start for s in self.sentences]
        self.claims: list[Claim] = []
        self._ind_cache: dict[int, list[str]] = {}
        self._anchor_cache: dict[str, set[int]] = {}
        #: per sentence, the strings of the index its words hold (see :meth:`_index_anchors`)
        self._held: list[frozenset[str]] = []
        #: per expression (its pattern and flags), the sentences holding one of its required literals
        self._may_match: dict[tuple[str, int], set[int] | None] = {}
        #: per sentence, whether it frames its claims as someone else's, whether it is about
        #: another treatment and whether it is a heading that names a topic (see :meth:`_set_aside`)
        self._aside_by_sentence: dict[int, tuple[bool, bool, bool]] = {}
        #: the frames' words of each sentence they read, read again by the classifier
        self._toks: dict[int, _Tokens] = {}
        self._mechanism_sentences: set[int] = set()
        self._word_cache: dict[tuple[int, int], list[re.Match[str]]] = {}
        #: the lowercase text for :meth:`_text_may_hold` ("" when it cannot decide), made on first use
        self._lowered: str | None = None
        low = text.lower() if prefilter else None
        # lower() can change the length of some non-ASCII text; then offsets would not
        # line up, so search everything instead
        self.low = low if low is not None and len(low) == len(text) else None

    # -- prefilter --------------------------------------------------------------------
    def _sentences_with(self, anchor: str) -> set[int]:
        """Indices of sentences containing ``anchor`` (starting in them: it may run past the end)."""
        if not self._anchor_cache:
            self._index_anchors()
        cached = self._anchor_cache.get(anchor)
        if cached is None:
            # not an anchor of the rules, or it may hold whitespace: one str.find per sentence at most
            assert self.low is not None
            cached = self._anchor_cache[anchor] = self._sentences_hit(partial(self.low.find, anchor))
        return cached

    def _index_anchors(self) -> None:
        """Fill the anchor cache for every anchor of the rules at once, from the words of each
        sentence (see :class:`_AnchorFinder`): the same sets as one search per anchor, in a
        fraction of the time."""
        assert self.low is not None
        anchors = _index_strings(self.rules)
        if any(c.isspace() for a in anchors for c in a):
            return  # the rules refuse such anchors; searched one by one should one slip through
        finder = _anchor_finder(anchors)
        low, n = self.low, len(self.low)
        index: dict[str, set[int]] = {a: set() for a in anchors}
        for k, s in enumerate(self.sentences):
            found = finder.in_words(set(low[s.start : s.end].split()))
            if s.end < n and not low[s.end].isspace():
                # a word runs on past the sentence's end (a long sentence cut inside a word):
                # an anchor starting in the sentence may end after it
                found = frozenset(a for a in anchors if low.find(a, s.start, s.end + len(a) - 1) >= 0)
            self._held.append(found)
            for a in found:
                index[a].add(k)
        self._anchor_cache.update(index)

    def _text_may_hold(self, anchors: tuple[str, ...]) -> bool:
        """False only when the whole text holds none of ``anchors`` (so no sentence does): the
        searches without the sentence index (a short text) skip such expressions. Not decided
        (True) for a text holding one of the four characters a case-insensitive expression
        matches to an ASCII letter that ``lower()`` does not give ("İ", "ı", "ſ", Kelvin "K")."""
        if self._lowered is None:
            odd = any(ch in self.text for ch in _FOLDS_TO_ASCII)
            self._lowered = "" if odd else self.text.lower()
        return not self._lowered or any(a in self._lowered for a in anchors)

    def _sentences_may_match(self, regex: re.Pattern[str]) -> set[int] | None:
        """Sentences where ``regex`` (case-insensitive, run on the lowercase text) can match:
        those holding one of its required literals; None when it could match anywhere."""
        key = (regex.pattern, regex.flags)
        if key not in self._may_match:
            lits = _literals(regex) if self.low is not None else None
            self._may_match[key] = (
                None if lits is None else set().union(*(self._sentences_with(a) for a in lits))
            )
        return self._may_match[key]

    def _sentences_hit(self, find: Callable[[int], int]) -> set[int]:
        """Indices of sentences holding a hit of ``find(pos)`` (the next hit's offset in the
        lowercase text at or after ``pos``, -1 for none); searching on from each hit's sentence end."""
        found: set[int] = set()
        starts, sentences = self.starts, self.sentences
        pos = 0
        while (i := find(pos)) >= 0:
            k = bisect.bisect_right(starts, i) - 1
            if k >= 0 and i < sentences[k].end:
                found.add(k)
                pos = sentences[k].end
            else:
                pos = i + 1
        return found

    def matches(
        self, regex: re.Pattern[str], anchors: tuple[str, ...], skip: set[int] | None = None
    ) -> Iterable[Any]:
        """All matches of ``regex`` (:class:`re.Match`, or :class:`_LowMatch`: the same
        interface); only in sentences holding an anchor when anchors exist, and then not in the
        sentences of ``skip`` (the caller knows they can hold no claim).

        In those sentences a case-insensitive ``regex`` runs as its case-sensitive copy on the
        lowercase text: the same matches at the same offsets, faster."""
        if not anchors or self.low is None:
            if anchors and not self._text_may_hold(anchors):
                return  # no sentence holds an anchor: the expression need not even be compiled
            yield from regex.finditer(self.text)
            return
        chosen: set[int] = set()
        for a in anchors:
            chosen |= self._sentences_with(a)
        if skip:
            chosen -= skip
        # a sentence holding an anchor but none of the literals every match needs has no match
        may = self._sentences_may_match(regex)
        if may is not None:
            chosen &= may
        sentences = self.sentences
        if _lowercase_ready(regex):
            low_re, low, text = _lowercase_pattern(regex.pattern), self.low, self.text
            for k in sorted(chosen):
                s = sentences[k]
                for m in low_re.finditer(low, s.start, s.end):
                    yield _LowMatch(text, m)
            return
        for k in sorted(chosen):
            s = sentences[k]
            yield from regex.finditer(self.text, s.start, s.end)

    def _search_sentence(self, regex: re.Pattern[str], s: Sentence) -> re.Match[str] | None:
        """``regex.search`` over the sentence ``s`` of the original text; not run where the
        sentence holds none of the expression's required literals (it cannot match there).

        The literals are those of the lowercase copy, so this skips only ASCII sentences: there
        ignoring case is comparing lowercase letters, while elsewhere it is not quite ("ſ" is an
        "s" to a case-insensitive expression, and stays "ſ" in lowercase)."""
        may = self._sentences_may_match(regex)
        if may is not None and s.index not in may and s.text.isascii():
            return None
        return regex.search(self.text, s.start, s.end)

    # -- geometry ---------------------------------------------------------------------
    def sentence_at(self, start: int, end: int) -> Sentence | None:
        i = bisect.bisect_right(self.starts, start) - 1
        if i < 0:
            return None
        s = self.sentences[i]
        if start < s.start or end > s.end:
            return None
        return s

    def add(
        self,
        s: Sentence,
        start: int,
        end: int,
        category: str,
        kind: str,
        rule_id: str,
        confidence: str,
        details: dict[str, Any] | None = None,
    ) -> None:
        self.claims.append(
            Claim(
                text=self.text[start:end],
                sentence=s.text,
                sentence_index=s.index,
                start=start,
                end=end,
                category=category,
                kind=kind,
                rule_id=rule_id,
                rule_confidence=confidence,
                details=details or {},
            )
        )

    # -- context checks ---------------------------------------------------------------
    def negated(self, s: Sentence, pos: int, floor: int = 0) -> bool:
        """Is the phrase at ``pos`` negated (a negation word shortly before it, same clause)?

        ``floor`` bounds the look-back (e.g. to the end of an effect word before the term).
        """
        r = self.rules
        lo = max(s.start, pos - 160, floor)
        if lo >= pos:
            return False
        window = self.text[lo:pos]
        # a cue word of the window is a substring of it: without any, nothing is negated
        low_window = (self.low[lo:pos] if self.low is not None else window.lower()).replace("’", "'")
        if not _any_substring(r.negation_cues).search(low_window):
            return False
        last_break = None
        for last_break in r.clause_break.finditer(window):  # noqa: B007
            pass
        if last_break is not None:
            window = window[last_break.end() :]
        words = [w.lower().replace("’", "'") for w in _WORD.findall(window.replace("’", "'"))]
        tail = words[-r.negation_window :]
        # "not only proven by studies but ..." affirms: "not" before "only" is no negation
        return any(
            w in r.negation_cues and not (w == "not" and i + 1 < len(tail) and tail[i + 1] == "only")
            for i, w in enumerate(tail)
        )

    def mentioned(self, s: Sentence, start: int, end: int) -> bool:
        r = self.rules
        quotes = r.mention_quotes
        i = start - 1
        while i >= s.start and i >= start - 3 and self.text[i] == " ":
            i -= 1
        j = end
        while j < s.end and j < end + 3 and self.text[j] in " ,.":
            j += 1
        if i >= s.start and self.text[i] in quotes and j < s.end and self.text[j] in quotes:
            return True
        if r.mention_after.match(self.text, end, min(s.end, end + 40)):
            return True
        before = self.text[max(s.start, start - 40) : start]
        return bool(r.mention_before.search(before))

    def quoted(self, s: Sentence, start: int, end: int) -> bool:
        """Is [start, end) inside a short double-quoted span of its sentence ("Terms like
        “FDA cleared” are misunderstood")?"""
        left = self.text[max(s.start, start - 40) : start]
        right = self.text[end : min(s.end, end + 40)]
        opening = max(left.rfind("“"), left.rfind('"'))
        if opening < 0 or "”" in left[opening + 1 :] or '"' in left[opening + 1 :]:
            return False
        return "”" in right or '"' in right

    def indications_in(self, s: Sentence) -> list[str]:
        cached = self._ind_cache.get(s.index)
        if cached is None:
            cached = [
                key for key, ind in self.rules.indications.items() if self._search_sentence(ind.terms, s)
            ]
            self._ind_cache[s.index] = cached
        return cached

    def sought(self, s: Sentence, pos: int) -> bool:
        """Does a search end at ``pos`` ("people seeking solutions for | thinning hair")?  Then
        the efficacy outcome there is what someone wants, not what the light is said to do; the
        phrase, frame and classifier paths all ask this (``[efficacy] sought_before``)."""
        return self.rules.sought_before.search(self.text, max(s.start, pos - 150), pos) is not None

    def cleared_for(self, s: Sentence) -> list[str]:
        """Indications the sentence says a clearance covers ("FDA-cleared for wrinkles and acne")."""
        out = []
        for key in self.indications_in(s):
            m = self.rules.indications[key].terms.search(self.text, s.start, s.end)
            if m is not None and _CLEARED_FOR.search(self.text, max(s.start, m.start() - 120), m.start()):
                out.append(key)
        return out

    def span(self, m: re.Match[str]) -> tuple[int, int]:
        """A match's bounds without surrounding whitespace or dashes."""
        start, end = m.start(), m.end()
        while start < end and (self.text[start].isspace() or self.text[start] in "-–‑"):
            start += 1
        while end > start and (self.text[end - 1].isspace() or self.text[end - 1] in "-–‑"):
            end -= 1
        return start, end

    def _words_in_sentence(self, regex: re.Pattern[str], lo: int, hi: int) -> list[re.Match[str]]:
        """Matches of ``regex`` in the sentence around [lo, hi), computed once per sentence.

        A case-insensitive ``regex`` runs as its case-sensitive copy on the lowercase text (the
        same matches at the same offsets, about twice as fast): their ``group()`` is lowercase
        (:meth:`nearest` reads the text of the one it returns from the original)."""
        sent = self.sentence_at(lo, hi)
        if sent is None:
            return list(regex.finditer(self.text, lo, hi))
        key = (id(regex), sent.index)
        cached = self._word_cache.get(key)
        if cached is None:
            may = self._sentences_may_match(regex) if self.low is not None else None
            if may is not None and sent.index not in may:
                cached = []  # none of the literals every match needs
            elif self.low is not None and _lowercase_ready(regex):
                cached = list(_lowercase_pattern(regex.pattern).finditer(self.low, sent.start, sent.end))
            else:
                cached = list(regex.finditer(self.text, sent.start, sent.end))
            self._word_cache[key] = cached
        return cached

    def nearest(
        self, regex: re.Pattern[str], lo: int, hi: int, start: int, end: int
    ) -> re.Match[str] | _Span | None:
        """The match of ``regex`` in [lo, hi) closest to [start, end).

        A match inside [start, end) (the term itself, e.g. "clear" in "acne") does not count,
        except a comparative that opens the term ("clearer skin", "smoother skin").
        """
        best: re.Match[str] | None = None
        best_dist = 1 << 30
        for e in self._words_in_sentence(regex, lo, hi):
            if e.start() < lo or e.end() > hi:
                continue
            if start <= e.start() < end:
                if e.start() == start and e.group(0).lower() in _COMPARATIVES:
                    best = e
                    break
                continue
            if e.start() >= end and _NEXT_CLAUSE.fullmatch(self.text, end, e.start()):
                continue  # "speeds healing and reduces swelling": "reduces" is the next claim's
            dist = start - e.end() if e.end() <= start else e.start() - end
            if dist < best_dist:
                best, best_dist = e, dist
        # the match's text as written (the cached matches may be on the lowercase text)
        return None if best is None else _Span(self.text, best.start(), best.end())

    # -- pattern claims ---------------------------------------------------------------
    def run_patterns(self) -> None:
        r = self.rules
        # one claim per sentence, category and kind, whichever pattern finds it first (several
        # patterns word the same kind: "has been shown to" is both research and a proof claim)
        seen: set[tuple[int, str, str]] = set()
        for p in r.patterns:
            for raw in self.matches(p.regex, p.anchors):
                start, end = self.span(raw)
                if end <= start:
                    continue
                m = _Span(self.text, start, end)
                s = self.sentence_at(m.start(), m.end())
                if s is None or s.is_question:
                    continue
                if p.requires is not None and not p.requires.search(self.text, s.start, s.end):
                    continue
                if p.excludes is not None and p.excludes.search(self.text, s.start, s.end):
                    continue
                if p.skip_mentions and self.mentioned(s, m.start(), m.end()):
                    continue
                kind = p.kind
                if p.on_negation != "ignore" and self.negated(s, m.start()):
                    if p.on_negation == "skip":
                        continue
                    kind = f"{p.kind}_negated"
                key = (s.index, p.category, kind if p.kind != "k_number" else m.group(0))
                if key in seen:
                    continue
                seen.add(key)
                details: dict[str, Any] = {}
                if p.category == "regulatory":
                    details["k_numbers"] = _K_NUMBER.findall(s.text)
                    details["pma_numbers"] = _PMA.findall(s.text)
                    details["indications"] = self.indications_in(s)
                    details["cleared_for"] = self.cleared_for(s)
                    if p.kind == "k_number":
                        details["k_number"] = m.group(0)
                if p.category == "endorsement":
                    details["study_named"] = names_a_study(s.text)
                self.add(s, m.start(), m.end(), p.category, kind, p.id, p.confidence, details)

    # -- efficacy and mechanism -------------------------------------------------------
    def run_efficacy(self) -> None:
        r = self.rules
        before, after = r.efficacy_window
        # sentences without any effect word can hold no efficacy claim: found once, skipped
        # before the other checks (which are filters: the order does not change the result),
        # and the indication terms are not even searched in them
        hopeless: set[int] = set()
        if self.low is not None and all(ind.anchors for ind in r.indications.values()):
            anchored: set[int] = set()
            for ind in r.indications.values():
                for a in ind.anchors:
                    anchored |= self._sentences_with(a)
            sentences = self.sentences
            effect_re = r.efficacy_effect
            hopeless = {
                k
                for k in anchored
                if not self._words_in_sentence(effect_re, sentences[k].start, sentences[k].end)
            }
        for ind in r.indications.values():
            done: set[int] = set()
            for m in self.matches(ind.terms, ind.anchors, hopeless):
                s = self.sentence_at(m.start(), m.end())
                if s is None or s.is_question or s.index in done or s.index in hopeless:
                    continue
                if not self._words_in_sentence(r.efficacy_effect, m.start(), m.end()):
                    hopeless.add(s.index)
                    continue
                if r.not_indication_after.match(self.text, m.end(), min(s.end, m.end() + 40)):
                    continue
                if _CLEARED_FOR.search(self.text, max(s.start, m.start() - 120), m.start()):
                    continue
                if self.sought(s, m.start()):
                    continue
                lo, hi = max(s.start, m.start() - before), min(s.end, m.end() + after)
                # the nearest effect word that is not the indication itself
                effect = self.nearest(r.efficacy_effect, lo, hi, m.start(), m.end())
                if effect is None:
                    continue
                if effect.group(0).lower() in _TREATMENT_NOUN and r.treatment_logistics.search(
                    self.text, s.start, s.end
                ):
                    continue  # "each treatment lasts 30 minutes for neuropathy": the procedure
                first = min(effect.start(), m.start())
                if self.negated(s, first) or self.negated(s, m.start(), floor=effect.end()):
                    continue
                if (
                    ind.key in _PROBLEMS
                    and 0 <= m.start() - effect.end() <= 15
                    and _INCREASE.match(effect.group(0))
                ):
                    continue  # "an increase in irritation", "boost acne": worse, not better
                absolute = r.efficacy_absolute.search(
                    self.text, max(s.start, m.start() - 30), m.start()
                ) or r.efficacy_absolute_after.search(self.text, m.end(), min(s.end, m.end() + 30))
                kind = "absolute" if absolute is not None else "claim"
                done.add(s.index)
                self.add(
                    s,
                    first,
                    max(effect.end(), m.end()),
                    "efficacy",
                    kind,
                    f"efficacy.{ind.key}",
                    "derived",
                    {"indication": ind.key, "effect_word": effect.group(0)},
                )

    def run_mechanism(self) -> None:
        r = self.rules
        for mech in r.mechanisms.values():
            done: set[int] = set()
            for m in self.matches(mech.terms, mech.anchors):
                s = self.sentence_at(m.start(), m.end())
                if s is None or s.is_question or s.index in done:
                    continue
                start, end = m.start(), m.end()
                if mech.needs_effect:
                    effect = self._effect_near(s, start, end)
                    if effect is None:
                        continue
                    start, end = min(start, effect.start()), max(end, effect.end())
                elif mech.needs_agent and not (
                    r.mechanism_agent.search(self.text, s.start, s.end) or self._effect_near(s, start, end)
                ):
                    continue  # "ATP is the energy your cells need": biology, not the light's doing
                if self.negated(s, start):
                    continue
                done.add(s.index)
                self._mechanism_sentences.add(s.index)
                percent = r.numeric["percent"].search(self.text, s.start, s.end)
                if percent is not None and r.numeric["responder"].search(
                    self.text, percent.end() - 1, min(s.end, percent.end() + 60)
                ):
                    percent = None  # "in 80 % of participants": a responder rate, not a size
                details: dict[str, Any] = {"mechanism": mech.key}
                if percent is not None:
                    details["percent"] = _number(percent.group("b") or percent.group("a"))
                    details["percent_text"] = percent.group(0).strip()
                self.add(s, start, end, "mechanism", mech.status, f"mechanism.{mech.key}", "derived", details)

    def _effect_near(self, s: Sentence, start: int, end: int) -> re.Match[str] | _Span | None:
        """The mechanism effect word nearest the term at ``start:end``, within the rules'
        window and sentence ``s``."""
        before, after = self.rules.mechanism_window
        lo, hi = max(s.start, start - before), min(s.end, end + after)
        return self.nearest(self.rules.mechanism_effect, lo, hi, start, end)

    # -- depth ------------------------------------------------------------------------
    def _wavelengths(self, start: int, end: int) -> list[float]:
        out: list[float] = []
        for w in self.rules.depth["wavelength"].finditer(self.text, start, end):
            a = float(w.group("a"))
            b = float(w.group("b")) if w.group("b") else None
            for v in (a, b):
                if v is not None and 200 <= v <= 2000:
                    out.append(v)
        return out

    def _colours(self, start: int, end: int) -> list[str]:
        d = self.rules.depth
        found = []
        for name in ("nir", "red", "blue"):
            if d[f"{name}_words"].search(self.text, start, end):
                found.append(name)
        return found

    def run_depth(self) -> None:
        d = self.rules.depth
        numeric_sentences: dict[int, int] = {}
        for m in self.matches(d["length"], self.rules.depth_anchors["length"]):
            s = self.sentence_at(m.start(), m.end())
            if s is None or s.is_question:
                continue
            if not d["cue"].search(self.text, s.start, s.end):
                continue
            around = (max(s.start, m.start() - 30), min(s.end, m.end() + 30))
            if d["not_depth"].search(self.text, *around):
                continue
            unit = m.group("unit")
            factor = _unit_cm(unit)
            try:
                a = _number(m.group("a")) * factor
                b = _number(m.group("b")) * factor if m.group("b") else None
            except ValueError:
                continue
            # "0-2 mm" is a range from the surface: graded by its upper end
            if a < 0 or (a == 0 and not b) or max(a, b or 0.0) > 100:
                continue
            seg_start = numeric_sentences.get(s.index, s.start)
            wl = self._wavelengths(seg_start, m.start()) or self._wavelengths(s.start, s.end)
            colours = self._colours(seg_start, m.start()) or self._colours(s.start, s.end)
            numeric_sentences[s.index] = m.end()
            claimed = max(a, b) if b is not None else a
            self.add(
                s,
                m.start(),
                m.end(),
                "depth",
                "depth_numeric",
                "depth.numeric",
                "derived",
                {
                    "depth_cm": claimed,
                    "depth_low_cm": min(a, b) if b is not None else a,
                    "up_to": bool(m.group("upto")),
                    "open_ended": bool(m.group("plus") or m.group("more")),
                    "wavelengths_nm": wl,
                    "colours": colours,
                    "as_written": m.group(0).strip(),
                },
            )
        done: set[int] = set(numeric_sentences)
        for m in self.matches(d["qualitative"], self.rules.depth_anchors["qualitative"]):
            s = self.sentence_at(m.start(), m.end())
            if s is None or s.is_question or s.index in done:
                continue
            if d["qualitative_excludes"].search(self.text, s.start, s.end):
                continue
            if self.negated(s, m.start()):
                continue
            done.add(s.index)
            self.add(
                s,
                m.start(),
                m.end(),
                "depth",
                "depth_qualitative",
                "depth.qualitative",
                "derived",
                {
                    "wavelengths_nm": self._wavelengths(s.start, s.end),
                    "colours": self._colours(s.start, s.end),
                },
            )
        wl_done: set[int] = set()
        for m in self.matches(d["wavelength"], self.rules.depth_anchors["wavelength"]):
            s = self.sentence_at(m.start(), m.end())
            if s is None or s.is_question or s.index in wl_done:
                continue
            if not d["device_cue"].search(self.text, s.start, s.end):
                continue
            values = self._wavelengths(s.start, s.end)
            if not values:
                continue
            wl_done.add(s.index)
            ranges = []
            for w in d["wavelength"].finditer(self.text, s.start, s.end):
                a = float(w.group("a"))
                b = float(w.group("b")) if w.group("b") else a
                if 200 <= a <= 2000 and 200 <= b <= 2000:
                    ranges.append([min(a, b), max(a, b)])
            self.add(
                s,
                m.start(),
                m.end(),
                "wavelength",  # a stated wavelength is never a depth
                "wavelength",
                "depth.wavelength",
                "exact",
                {"wavelength_ranges_nm": ranges},
            )

    # -- numeric efficacy -------------------------------------------------------------
    def run_numeric(self) -> set[int]:
        n = self.rules.numeric
        done: set[int] = set()
        for m in self.matches(n["percent"], self.rules.percent_anchors):
            s = self.sentence_at(m.start(), m.end())
            if s is None or s.is_question or s.index in done:
                continue
            indications = self.indications_in(s)
            if not indications and not n["outcome_cue"].search(self.text, s.start, s.end):
                continue
            if n["excludes"].search(self.text, s.start, s.end):
                continue
            if s.index in self._mechanism_sentences and not indications:
                continue  # a number on a cellular effect: graded with the mechanism claim
            try:
                value = _number(m.group("b") or m.group("a"))
            except ValueError:
                continue
            if value <= 0 or value > 1000:
                continue
            weeks = None
            dur = n["duration"].search(self.text, s.start, s.end)
            if dur is not None:
                if dur.group("wk"):
                    weeks = float(dur.group("wk"))
                else:
                    amount = _number(dur.group("b") or dur.group("a"))
                    unit = dur.group("unit").lower()
                    weeks = (
                        amount / 7.0
                        if unit.startswith("day")
                        else (amount * 4.345 if unit.startswith("month") else amount)
                    )
            responder = n["responder"].search(self.text, m.end() - 1, min(s.end, m.end() + 60))
            perception = n["perception"].search(self.text, s.start, s.end) is not None
            done.add(s.index)
            self.add(
                s,
                m.start(),
                m.end(),
                "numeric_efficacy",
                "quantified",
                "numeric.percent",
                "derived",
                {
                    "percent": value,
                    "percent_text": m.group(0).strip(),
                    "up_to": bool(m.group("upto")),
                    "weeks": weeks,
                    "duration_text": dur.group(0).strip() if dur is not None else None,
                    "responder": responder is not None,
                    "perception": perception,
                    "indication": indications[0] if indications else None,
                    "indications": indications,
                },
            )
        return done

    # -- stated output ----------------------------------------------------------------
    def run_output(self) -> None:
        """Stated irradiance (mW/cm²) and dose (J/cm²) the copy says the device delivers."""
        o = self.rules.output
        for kind, regex in (("irradiance", o["irradiance"]), ("dose", o["dose"])):
            done: set[int] = set()
            for m in self.matches(regex, self.rules.output_anchors):
                s = self.sentence_at(m.start(), m.end())
                if s is None or s.is_question or s.index in done:
                    continue
                if not o["device_cue"].search(self.text, s.start, s.end):
                    continue
                if o["excludes"].search(self.text, s.start, s.end):
                    continue
                try:
                    value = _number(m.group("a"))
                except ValueError:
                    continue
                if value <= 0:
                    continue
                minutes = o["minutes"].search(self.text, s.start, s.end)
                done.add(s.index)
                details: dict[str, Any] = {
                    "value": value,
                    "unit": "mW/cm²" if kind == "irradiance" else "J/cm²",
                    "up_to": bool(m.group("upto")),
                    "as_written": m.group(0).strip(),
                    "minutes": float(minutes.group("min")) if minutes is not None else None,
                }
                self.add(s, m.start(), m.end(), "output", kind, f"output.{kind}", "derived", details)

    # -- concept frames ---------------------------------------------------------------
    def _frame_sentences(
        self, patterns: tuple[re.Pattern[str], ...], groups: tuple[tuple[str, ...], ...]
    ) -> set[int]:
        """Sentences where a concept frame may fire: holding a word of each of its groups
        (``patterns``: each group as "not after a letter or digit, one of the words or anti").

        A frame word starts a token: at the start of a word, or after "anti" ("antibacterial").
        Each group's pattern runs only in the sentences holding one of its words anywhere (from
        the sentence index).  The first group counts a hit that starts in the sentence and runs
        on past its end, as a search of the whole text does, so its search may read the group's
        longest word past the end; the others count hits inside the sentence."""
        assert self.low is not None
        low, sentences, n = self.low, self.sentences, len(self.low)
        idx: set[int] = set()
        for g, (p, group) in enumerate(zip(patterns, groups, strict=True)):
            if group:
                held = set().union(*(self._sentences_with(w) for w in (*group, "anti")))
            else:  # the pattern's empty alternative matches anywhere
                held = set(range(len(sentences)))
            if g == 0:
                reach = max(map(len, group), default=0) + len("anti")
                for k in held:
                    s = sentences[k]
                    m = p.search(low, s.start, min(n, s.end + reach))
                    if m is not None and m.start() < s.end:
                        idx.add(k)
            else:
                idx = {k for k in idx & held if p.search(low, sentences[k].start, sentences[k].end)}
        return idx

    def run_frames(self) -> None:
        """Claims from concept frames (see concepts.py): a concept paired with a relation.

        Only categories the patterns did not already find in the sentence; graded like a
        pattern claim of the same kind.
        """
        from photodose.claims.concepts import frame_claims, load_concepts, words

        c = load_concepts()
        found: dict[int, set[str]] = {}
        absolute_safety: set[int] = set()
        for cl in self.claims:
            found.setdefault(cl.sentence_index, set()).add(cl.category)
            if cl.category == "safety" and cl.kind == "absolute":
                absolute_safety.add(cl.sentence_index)
        todo: dict[int, set[str]] = {}
        for cat, patterns in c.anchor_patterns.items():
            idx: Iterable[int] = (
                range(len(self.sentences))
                if self.low is None
                else self._frame_sentences(patterns, c.anchors[cat])
            )
            for k in idx:
                # a safety frame may still find an absolute promise ("non-damaging") next to a
                # milder safety claim ("safe for all skin types")
                if cat not in found.get(k, set()) or (cat == "safety" and k not in absolute_safety):
                    todo.setdefault(k, set()).add(cat)
        for k in sorted(todo):
            s = self.sentences[k]
            if s.is_question:
                continue
            cats = todo[k]
            if "efficacy" in cats and "regulatory" in found.get(k, set()):
                cats = cats - {"efficacy"}  # "FDA-cleared for acne" is graded as a regulatory claim
            toks = self._toks[k] = words(s.text)
            for hit in frame_claims(s.text, cats, c, toks):
                if hit.category in found.get(k, set()) and hit.kind != "absolute":
                    continue
                start, end = s.start + hit.start, s.start + hit.end
                rule_id = f"frame.{hit.category}"
                if hit.category == "efficacy":
                    ind = hit.details["indication"]
                    if ind not in self.rules.indications:
                        continue
                    if ind in _PROBLEMS and _INCREASE.match(hit.details.get("effect_word", "")):
                        continue  # "boosts breakouts" is worse, not better
                    o_end = s.start + hit.details.pop("outcome_end")
                    if self.rules.not_indication_after.match(self.text, o_end, min(s.end, o_end + 40)):
                        continue  # "acne-causing bacteria" is about bacteria
                    if self.sought(s, start):
                        continue
                    rule_id = f"efficacy.{ind}"
                    absolute = self.rules.efficacy_absolute.search(self.text, s.start, s.end)
                    kind = "absolute" if absolute is not None else "claim"
                elif hit.category == "mechanism":
                    mech = self.rules.mechanisms.get(hit.details["mechanism"])
                    if mech is None:
                        continue
                    kind, rule_id = mech.status, f"mechanism.{mech.key}"
                    self._mechanism_sentences.add(s.index)
                elif hit.category == "safety" and _PREGNANCY.search(s.text):
                    kind = "pregnancy"
                else:
                    kind = hit.kind
                self.add(s, start, end, hit.category, kind, rule_id, "derived", dict(hit.details))

    def run_listed_indications(self) -> None:
        """An efficacy claim covers every indication its sentence lists: "hyperpigmentation, sun
        damage and uneven skin tone can benefit from red light" claims pigmentation too.  An
        indication no trial studied, named in a sentence that already makes an efficacy claim,
        gets its own claim (graded unsupported), so the sentence's grade is not the milder one of
        the studied indication.  Negated or qualifying mentions ("acne-causing bacteria") are not
        claims."""
        r = self.rules
        claimed: dict[int, set[str]] = {}
        for cl in self.claims:
            if cl.category == "efficacy" and cl.kind == "claim":
                claimed.setdefault(cl.sentence_index, set()).add(cl.details.get("indication", ""))
        if not claimed:
            return
        unstudied = [ind for ind in r.indications.values() if not ind.studied]
        for ind in unstudied:
            # only sentences holding one of the indication's anchors (the same prefilter as
            # run_efficacy): this costs nothing on sentences without an efficacy claim
            if ind.anchors and self.low is not None:
                where: Iterable[int] = set().union(*(self._sentences_with(a) for a in ind.anchors))
                todo = [k for k in claimed if k in where]
            else:
                todo = list(claimed)
            for k in todo:
                inds = claimed[k]
                if ind.key in inds:
                    continue
                s = self.sentences[k]
                m = self._search_sentence(ind.terms, s)
                if m is None or self.negated(s, m.start()):
                    continue
                key = ind.key
                if r.not_indication_after.match(self.text, m.end(), min(s.end, m.end() + 40)):
                    continue
                inds.add(key)
                self.add(
                    s,
                    m.start(),
                    m.end(),
                    "efficacy",
                    "claim",
                    f"efficacy.{key}",
                    "derived",
                    {"indication": key, "effect_word": "", "listed_with_a_claim": True},
                )

    def _held_by(self, claim: Claim) -> frozenset[str] | None:
        """The index strings the claim's sentence holds (None: no index)."""
        if self.low is not None and not self._anchor_cache:
            self._index_anchors()
        return self._held[claim.sentence_index] if self._held else None

    def drop_reported(self) -> None:
        """No claim in a sentence that reports one from a distance or hedges study talk."""
        from photodose.claims.concepts import (
            declines_after,
            is_reported_or_hedged,
            is_side_effect_talk,
            load_concepts,
        )

        c = load_concepts()
        hedged: dict[int, bool] = {}
        side_effect: dict[int, bool] = {}
        keep = []
        for cl in self.claims:
            h = hedged.get(cl.sentence_index)
            if h is None:
                h = hedged[cl.sentence_index] = is_reported_or_hedged(cl.sentence, c, self._held_by(cl))
            if h:
                continue
            if self._set_aside(cl):
                continue  # someone else's claim, or another treatment's
            if cl.category == "efficacy":
                se = side_effect.get(cl.sentence_index)
                if se is None:
                    se = side_effect[cl.sentence_index] = is_side_effect_talk(cl.sentence, c)
                if se:
                    continue  # "reported skin redness after treatments": a side effect
            if cl.category == "mechanism" and declines_after(self.text, cl.end, c):
                continue  # "collagen production drops by 1% a year": background biology
            keep.append(cl)
        self.claims = keep

    def _set_aside(self, cl: Claim) -> bool:
        """Is ``cl`` not the writer's claim about the light?  A non-regulatory claim in a sentence
        that frames it as someone else's ("its developers claim it heals ...":
        :func:`photodose.claims.concepts.is_distanced`), or any claim in a sentence about another
        treatment with nothing of light in it ("Prescription drugs can be very effective":
        :func:`photodose.claims.concepts.is_about_other_treatment`), or an efficacy claim in a
        heading that names a topic ("Benefits Of Led Light Masks":
        :func:`photodose.claims.concepts.is_topic_heading`).  One reading per sentence."""
        from photodose.claims.concepts import is_about_other_treatment, is_distanced, is_topic_heading

        flags = self._aside_by_sentence.get(cl.sentence_index)
        if flags is None:
            flags = (
                is_distanced(cl.sentence),
                is_about_other_treatment(cl.sentence),
                is_topic_heading(cl.sentence),
            )
            self._aside_by_sentence[cl.sentence_index] = flags
        distanced, other_treatment, topic_heading = flags
        return (
            other_treatment
            or (distanced and cl.category != "regulatory")
            or (topic_heading and cl.category == "efficacy")
        )

    # -- classifier backstop ----------------------------------------------------------
    def run_classifier(self) -> None:
        """Claims the phrase patterns missed, from the sentence classifier (see classify.py).

        Only in a sentence without a rule claim of that category, only when the category's
        vocabulary gate matches, and never when that word is negated.
        """
        gates = self.rules.classifier_gates
        if not gates:
            return
        from photodose.claims.classify import load_classifier

        clf = load_classifier()
        if clf is None:
            return
        if clf.veto:
            self._veto(clf)
        found: dict[int, set[str]] = {}
        for c in self.claims:
            found.setdefault(c.sentence_index, set()).add(c.category)
        not_claim = gates.get("not_claim")
        cat_gates = {c: g for c, g in gates.items() if c != "not_claim" and c in clf.categories}
        # the gates ignore case: on the lowercase text a case-sensitive copy finds the same
        # matches at the same offsets, about twice as fast (this runs on every sentence)
        where = self.text
        # the sentences a gate can match at all (holding one of its required literals); None: any
        may: dict[str, set[int] | None] = {c: None for c in cat_gates}
        may_not_claim: set[int] | None = None
        if self.low is not None:
            where = self.low
            may = {c: self._sentences_may_match(g) for c, g in cat_gates.items()}
            cat_gates = {c: _lowercase_pattern(g.pattern) for c, g in cat_gates.items()}
            if not_claim is not None and _lowercase_ready(not_claim):
                may_not_claim = self._sentences_may_match(not_claim)
                not_claim = _lowercase_pattern(not_claim.pattern)
        nothing: frozenset[str] = frozenset()
        general_depth = self.rules.depth["qualitative_excludes"]  # general talk, "shallow"
        for s in self.sentences:
            if s.is_question:
                continue
            if (
                not_claim is not None
                and (may_not_claim is None or s.index in may_not_claim)
                and not_claim.search(where, s.start, s.end)
            ):
                continue
            have = found.get(s.index, nothing)
            hits = {}
            for cat, gate in cat_gates.items():
                if cat in have:
                    continue
                cat_may = may[cat]
                if cat_may is not None and s.index not in cat_may:
                    continue
                m = gate.search(where, s.start, s.end)
                if m is not None:
                    hits[cat] = m
            if not hits:
                continue
            scores = clf.scores(s.text, hits, self._toks.get(s.index))
            for cat, m in hits.items():
                if scores[cat] < clf.thresholds.get(cat, 0.5):
                    continue
                if cat == "depth" and general_depth.search(self.text, s.start, s.end):
                    continue  # what the phrase rules exclude is excluded here too
                if self.mentioned(s, m.start(), m.end()) or self.quoted(s, m.start(), m.end()):
                    continue  # a quoted label ("Terms like “FDA cleared” ...") is talked about
                details: dict[str, Any] = {"classifier_probability": round(scores[cat], 3)}
                if cat == "efficacy":
                    self._classified_efficacy(s, details)
                elif cat == "mechanism":
                    self._classified_mechanism(s, details)
                elif not self.negated(s, m.start()):
                    self._add_read(s, m.start(), m.end(), cat, f"classifier.{cat}", details)

    def _add_read(
        self, s: Sentence, start: int, end: int, cat: str, rule_id: str, details: dict[str, Any]
    ) -> None:
        """A claim of ``cat`` (not efficacy or mechanism) found by a model rather than a phrase
        rule, with what the rules can read of its sentence: wavelengths and colours for depth,
        K-numbers, PMA numbers and indications for regulatory."""
        kind = {"depth": "depth_qualitative", "comparison": "professional_strength"}.get(cat, "generic")
        if cat == "depth":
            details.update(
                wavelengths_nm=self._wavelengths(s.start, s.end), colours=self._colours(s.start, s.end)
            )
        if cat == "regulatory":
            details.update(
                k_numbers=_K_NUMBER.findall(s.text),
                pma_numbers=_PMA.findall(s.text),
                indications=self.indications_in(s),
            )
        self.add(s, start, end, cat, kind, rule_id, "derived", details)

    def _veto(self, clf: SentenceClassifier) -> None:
        """Drop concept-frame claims (all claims with ``veto_scope = "all"``) of a category whose
        sentence the classifier scores under that category's veto probability."""
        veto = clf.veto
        everything = clf.veto_scope == "all"
        todo: dict[int, set[str]] = {}
        for c in self.claims:
            if c.category in veto and (everything or "frame" in c.details):
                todo.setdefault(c.sentence_index, set()).add(c.category)
        if not todo:
            return
        dropped: set[tuple[int, str]] = set()
        for k, cats in todo.items():
            scores = clf.scores(self.sentences[k].text, cats, self._toks.get(k))  # the frames' words
            dropped |= {(k, cat) for cat in cats if scores[cat] < veto[cat]}
        if dropped:
            self.claims = [
                c
                for c in self.claims
                if (c.sentence_index, c.category) not in dropped or not (everything or "frame" in c.details)
            ]

    def _classified_efficacy(self, s: Sentence, details: dict[str, Any]) -> None:
        r = self.rules
        for ind in r.indications.values():
            m = self._search_sentence(ind.terms, s)
            if m is None or self.negated(s, m.start()):
                continue
            if r.not_indication_after.match(self.text, m.end(), min(s.end, m.end() + 40)):
                continue
            if _CLEARED_FOR.search(self.text, max(s.start, m.start() - 120), m.start()):
                continue  # "FDA-cleared for acne" names what a clearance covers: a regulatory claim
            if self.sought(s, m.start()):
                continue
            absolute = r.efficacy_absolute.search(
                self.text, max(s.start, m.start() - 30), m.start()
            ) or r.efficacy_absolute_after.search(self.text, m.end(), min(s.end, m.end() + 30))
            self.add(
                s,
                m.start(),
                m.end(),
                "efficacy",
                "absolute" if absolute is not None else "claim",
                f"efficacy.{ind.key}",
                "derived",
                {**details, "indication": ind.key, "effect_word": ""},
            )

    def _classified_mechanism(self, s: Sentence, details: dict[str, Any]) -> None:
        for mech in self.rules.mechanisms.values():
            m = self._search_sentence(mech.terms, s)
            if m is None or self.negated(s, m.start()):
                continue
            self._mechanism_sentences.add(s.index)
            self.add(
                s,
                m.start(),
                m.end(),
                "mechanism",
                mech.status,
                f"mechanism.{mech.key}",
                "derived",
                {**details, "mechanism": mech.key},
            )
            return

    # -- assembly ---------------------------------------------------------------------
    def run(self) -> list[Claim]:
        self.run_patterns()
        self.run_efficacy()
        self.run_mechanism()
        self.run_depth()
        self.run_output()
        numeric = self.run_numeric()
        self.run_frames()
        self.run_listed_indications()
        self.run_classifier()
        self.drop_reported()
        named = {
            c.sentence_index for c in self.claims if c.category == "efficacy" and c.kind != "unspecified"
        }
        claims = [
            c
            for c in self.claims
            if not (c.category == "efficacy" and c.kind != "absolute" and c.sentence_index in numeric)
            # an effect with nothing named gives way to the sentence's graded efficacy claim
            and not (c.kind == "unspecified" and c.category == "efficacy" and c.sentence_index in named)
        ]
        # supersedes: drop kinds overruled by a stronger kind in the same sentence
        by_sentence: dict[int, set[str]] = {}
        for c in claims:
            by_sentence.setdefault(c.sentence_index, set()).add(c.rule_id)
        dropped: set[tuple[int, str, str]] = set()
        for p in self.rules.patterns:
            if not p.supersedes:
                continue
            for idx, ids in by_sentence.items():
                if p.id in ids:
                    for kind in p.supersedes:
                        dropped.add((idx, p.category, kind))
        claims = [c for c in claims if (c.sentence_index, c.category, c.kind) not in dropped]
        needy = {p.id for p in self.rules.patterns if p.needs_other_claim}
        if needy:
            cats: dict[int, set[str]] = {}
            for c in claims:
                if c.rule_id not in needy:
                    cats.setdefault(c.sentence_index, set()).add(c.category)
            claims = [
                c
                for c in claims
                if c.rule_id not in needy or cats.get(c.sentence_index, set()) - {c.category}
            ]
        if self.learned:
            claims = self.run_learned(claims)
        claims.sort(key=lambda c: (c.start, c.end, c.category))
        return claims

    # -- learned model ----------------------------------------------------------------
    def run_learned(self, found: list[Claim]) -> list[Claim]:
        """The rules' claims joined with the learned sentence model's (see learned.py).

        A (sentence, category) the rules already claim is left to them; where the model scores
        that category under the card's ``[use.doubt]`` value the claim is kept and marked
        (``details["model_doubt"]``: the probability): such claims were mostly not claims to a
        careful reader on real copy, but a low probability is also the model not knowing a rare
        convention the rules were written for, so the rules keep the last word
        (benchmarks/claims_model/category_thresholds.py).  Any other (sentence, category) that the
        model puts at or over the category's threshold becomes a claim, read by the rules for
        what they can (the indication, the mechanism, wavelengths, K-numbers) and graded by them.
        Added after the rules' own filters, as it was measured: the model learned the readers'
        conventions (reported speech, hedges, questions) itself.
        """
        from photodose.claims.learned import load_model

        model = load_model()
        scored: list[tuple[dict[str, float], dict[str, float]]] = []
        step = 64
        for i in range(0, len(self.sentences), step):
            part = self.sentences[i : i + step]
            scored += model.read([s.text for s in part])
            if self.progress is not None:
                self.progress(part[-1].end)
        low = {
            (s.index, cat): p
            for s, (_, doubts) in zip(self.sentences, scored, strict=True)
            for cat, p in doubts.items()
        }
        kept = [
            replace(c, details={**c.details, "model_doubt": low[key]})
            if (key := (c.sentence_index, c.category)) in low
            else c
            for c in found
        ]
        have = {(c.sentence_index, c.category) for c in found}
        rules_claims, self.claims = self.claims, []
        try:
            for s, (cats, _) in zip(self.sentences, scored, strict=True):
                for cat, p in cats.items():
                    if (s.index, cat) not in have:
                        self._learned_claim(s, cat, p)
            added = [
                replace(c, rule_id=f"learned.{c.category}", rule_confidence="derived")
                for c in self.claims
                if not self._set_aside(c)
            ]
        finally:
            self.claims = rules_claims
        return kept + added

    def _learned_claim(self, s: Sentence, cat: str, p: float) -> None:
        """One category's claim in ``s`` from the model, with what the rules can read of it;
        where they read nothing specific the claim is ``unspecified`` (not checkable)."""
        lead = len(s.text) - len(s.text.lstrip())
        start, end = s.start + lead, s.start + len(s.text.rstrip())
        details: dict[str, Any] = {"model_probability": p}
        before = len(self.claims)
        if cat == "efficacy":
            self._classified_efficacy(s, details)
        elif cat == "mechanism":
            self._classified_mechanism(s, details)
        elif cat != "numeric_efficacy":
            self._add_read(s, start, end, cat, "", details)
        if len(self.claims) == before:  # efficacy, mechanism or a number the rules cannot read
            self.add(s, start, end, cat, "unspecified", "", "", details)


#: texts shorter than this are searched without the sentence index (see extract_with_sentences)
_INDEX_MIN_CHARS = 20_000


def extract_with_sentences(
    text: str, rules: Rules, *, learned: bool = False, progress: Callable[[int], None] | None = None
) -> tuple[list[Claim], int]:
    """The claims in ``text`` and its number of sentences (one split, for :func:`assess_text`;
    ``learned``: add the learned model's claims, decided for the whole text by the caller, which
    ``progress`` is told the character position it has read to)."""
    if not text.strip():
        return [], 0
    # the sentence index costs about 0.16 s to build once per process (the rules' literal sets),
    # more than searching every rule over a short text; the same claims either way (tested)
    prefilter = len(text) >= _INDEX_MIN_CHARS
    ex = _Extractor(text, rules, prefilter=prefilter, learned=learned, progress=progress)
    return ex.run(), len(ex.sentences)


def extract_claims(
    text: str, rules: Rules | None = None, *, prefilter: bool = True, learned: bool | None = None
) -> list[Claim]:
    """Find the claims in ``text``, in reading order.

    Each :class:`Claim` has the matched phrase, its sentence, a category (efficacy,
    mechanism, depth, regulatory, endorsement, numeric_efficacy, safety, comparison) and a
    kind.  Runs in time linear in ``len(text)``.
    ``prefilter=False`` searches every rule over the whole text, ignoring the rules'
    anchors (slower; used to test that the anchors lose nothing).  ``learned``: add the
    learned sentence model's claims (``photodose.claims.learned``); None (the default) adds
    them when the text is short enough for it (``learned.reads``), False reads by rules alone.
    """
    if not isinstance(text, str):
        raise TypeError(f"extract_claims expects str, got {type(text).__name__}")
    rules = rules or load_rules()
    if not text.strip():
        return []
    ex = _Extractor(text, rules, prefilter=prefilter, learned=bool(learned))
    if learned is None:
        from photodose.claims.learned import reads

        ex.learned = reads(text, len(ex.sentences))
    return ex.run()
