"""Find marketing claims in text: decode the input, split sentences, match the rules.

All matching is driven by ``data/claims/rules.toml`` (see :mod:`photodose.claims.rules`).
Work is linear in the input length: the splitter is one pass of a bounded regular
expression, every rule pattern has bounded quantifiers and runs once over the whole text,
and the look-arounds (negation, mentions, effect words) read fixed-size windows.
"""

from __future__ import annotations

import bisect
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from photodose.claims.rules import Rules, load_rules


class ClaimsInputError(ValueError):
    """The input cannot be read as text; the message says why and what to do."""


class BinaryInputError(ClaimsInputError):
    """The input looks like a binary file, not text."""


class InputTooLargeError(ClaimsInputError):
    """The input is larger than the configured limit."""


@dataclass(frozen=True)
class DecodedText:
    """Text ready for extraction, and what was done to the bytes to get it."""

    text: str
    notes: tuple[str, ...] = ()
    replaced_bytes: int = 0
    html_stripped: bool = False


@dataclass(frozen=True)
class Sentence:
    """One sentence: ``text == source[start:end]``."""

    index: int
    start: int
    end: int
    text: str

    @property
    def is_question(self) -> bool:
        return self.text.rstrip(" \t\"'”’)]").endswith("?")


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
# Decoding
# ---------------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_HTML_START = re.compile(r"\A\s{0,200}(?:<!doctype\s{1,3}html|<html\b|<\?xml)", re.IGNORECASE)
_HTML_TAG = re.compile(r"<[^<>]{0,4000}>")
_BLOCK_TAG = re.compile(
    r"</?(?:p|div|br|li|ul|ol|h[1-6]|tr|td|th|table|section|article|header|footer|title|blockquote)\b",
    re.IGNORECASE,
)


def _strip_element(text: str, name: str) -> str:
    """Remove <name ...>...</name> blocks by plain string search (linear)."""
    lower = text.lower()
    out: list[str] = []
    pos = 0
    open_tag, close_tag = f"<{name}", f"</{name}>"
    while True:
        i = lower.find(open_tag, pos)
        if i < 0:
            break
        j = lower.find(close_tag, i)
        if j < 0:
            break
        out.append(text[pos:i])
        out.append(" ")
        pos = j + len(close_tag)
    out.append(text[pos:])
    return "".join(out)


def strip_html(text: str) -> str:
    """Plain text from an HTML page: drop scripts, styles and tags; unescape entities."""
    for name in ("script", "style", "noscript"):
        text = _strip_element(text, name)

    def tag(m: re.Match[str]) -> str:
        return "\n" if _BLOCK_TAG.match(m.group(0)) else " "

    text = _HTML_TAG.sub(tag, text)
    return html.unescape(text)


def decode_input(data: bytes, *, max_bytes: int | None = None, rules: Rules | None = None) -> DecodedText:
    """Decode the bytes of a product page or text file for claim extraction.

    UTF-8 (with or without BOM) and UTF-16 with a BOM are decoded; other bytes that are not
    valid UTF-8 are replaced with U+FFFD and a note says how many.  An HTML document is
    reduced to its text.  Raises :class:`BinaryInputError` for binary data (NUL bytes or
    many control characters) and :class:`InputTooLargeError` above ``max_bytes`` (default:
    ``[limits] max_input_bytes`` of the rules).
    """
    rules = rules or load_rules()
    limit = rules.max_input_bytes if max_bytes is None else max_bytes
    if len(data) > limit:
        raise InputTooLargeError(
            f"input is {len(data):,} bytes, more than the {limit:,}-byte limit; "
            "split the text or pass only the product page's text"
        )
    notes: list[str] = []
    text: str
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", errors="replace")
        notes.append("input decoded as UTF-16 (byte-order mark found)")
    else:
        nul = data.find(b"\x00")
        if nul >= 0:
            raise BinaryInputError(
                f"input looks binary (NUL byte at offset {nul}); pass a UTF-8 text or HTML file"
            )
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            text = data.decode("utf-8", errors="replace")
            replaced = text.count("\ufffd") - data.count("\xef\xbf\xbd".encode("latin-1"))
            notes.append(
                f"input is not valid UTF-8 (first bad byte at offset {exc.start}); "
                f"{max(replaced, 1)} undecodable byte sequence(s) replaced with U+FFFD"
            )
    head = text[:8192]
    if head:
        controls = len(_CONTROL.findall(head))
        if controls > 0.05 * len(head):
            raise BinaryInputError(
                f"input looks binary ({controls} control characters in its first "
                f"{len(head)} characters); pass a UTF-8 text or HTML file"
            )
    stripped = False
    if _HTML_START.match(text) or "<body" in text[:4096].lower():
        text = strip_html(text)
        stripped = True
        notes.append("HTML tags removed; offsets refer to the extracted text")
    replaced_count = text.count("\ufffd") if notes and "U+FFFD" in notes[-1] else 0
    return DecodedText(text, tuple(notes), replaced_count, stripped)


# ---------------------------------------------------------------------------------------
# Sentences
# ---------------------------------------------------------------------------------------

_BOUNDARY = re.compile(
    r"(?<![.!?…])(?P<punct>[.!?…]{1,10}+)(?P<close>[\"'”’)\]»]{0,3})(?=\s|\Z)"
    r"|(?P<blank>\n[ \t\r\f\v]{0,50}\n)"
    r"|(?P<nl>\n)"
    r"|(?P<bullet>[ \t][•▪●◦‣][ \t])"
)
_ABBREV = frozenset(
    [
        "dr",
        "mr",
        "mrs",
        "ms",
        "prof",
        "st",
        "vs",
        "etc",
        "e.g",
        "eg",
        "i.e",
        "ie",
        "approx",
        "no",
        "nos",
        "fig",
        "figs",
        "inc",
        "ltd",
        "co",
        "corp",
        "al",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "u.s",
        "u.k",
        "min",
        "max",
        "ca",
        "cf",
        "vol",
        "ed",
        "eds",
    ]
)
_LAST_WORD = re.compile(r"([A-Za-z][A-Za-z.]{0,10})$")
_NEXT_LINE = re.compile(r"[ \t]{0,20}(?:[-•*·▪●◦‣–]|\d{1,2}[.)])[ \t]")


def _is_sentence_end(text: str, m: re.Match[str]) -> bool:
    punct = m.group("punct")
    if punct.strip(".…"):  # contains ! or ?
        return True
    if punct != "." or m.group("close"):
        # an ellipsis, or a full stop with closing quotes/brackets ("[…] acne"): ends the
        # sentence unless the text goes on in lowercase
        nxt = m.end()
        limit = min(len(text), nxt + 4)
        while nxt < limit and text[nxt].isspace():
            nxt += 1
        return not (nxt < len(text) and text[nxt].islower())
    word = _LAST_WORD.search(text, max(0, m.start() - 12), m.start())
    if word is not None:
        w = word.group(1).lower().rstrip(".")
        if w in _ABBREV:
            return False
        if len(w) == 1 and word.group(1).isupper():  # an initial: "J. Smith"
            return False
    # lowercase continuation: "approx. three", "e.g. red"
    nxt = m.end()
    limit = min(len(text), nxt + 4)
    while nxt < limit and text[nxt].isspace():
        nxt += 1
    return not (nxt < len(text) and text[nxt].islower())


def _is_line_break(text: str, m: re.Match[str]) -> bool:
    """A single newline ends a sentence unless the text clearly continues on the next line."""
    pos = m.start()
    prev = pos - 1
    while prev >= 0 and text[prev] in " \t\r":
        prev -= 1
    if prev < 0:
        return False
    nxt = m.end()
    if _NEXT_LINE.match(text, nxt):
        return True
    j = nxt
    limit = min(len(text), nxt + 20)
    while j < limit and text[j] in " \t":
        j += 1
    if j >= len(text):
        return True
    continues = text[prev].islower() or text[prev] in ",-–(/&"
    return not (continues and text[j].islower())


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _pieces(text: str, start: int, end: int, max_chars: int) -> Iterable[tuple[int, int]]:
    """Cut [start, end) into pieces of at most max_chars, at whitespace where possible."""
    while end - start > max_chars:
        cut = start + max_chars
        floor = start + max_chars // 2
        space = max(text.rfind(" ", floor, cut), text.rfind("\n", floor, cut), text.rfind("\t", floor, cut))
        if space > start:
            cut = space + 1
        s, e = _trimmed(text, start, cut)
        if e > s:
            yield s, e
        start = cut
    s, e = _trimmed(text, start, end)
    if e > s:
        yield s, e


def split_sentences(text: str, *, max_chars: int | None = None) -> list[Sentence]:
    """Split text into sentences (and list items, headings, lines).

    Boundaries: ``.``, ``!``, ``?`` (with closing quotes) before whitespace, except after
    common abbreviations, initials or before a lowercase word; blank lines; a newline unless
    the next line continues the sentence in lowercase; list bullets.  Sentences longer than
    ``max_chars`` (default from the rules) are cut at whitespace.  Offsets index ``text``.
    """
    if max_chars is None:
        max_chars = load_rules().max_sentence_chars
    if max_chars < 10:
        raise ValueError(f"max_chars must be at least 10, got {max_chars}")
    sentences: list[Sentence] = []
    start = 0

    def emit(a: int, b: int) -> None:
        for s, e in _pieces(text, a, b, max_chars):
            sentences.append(Sentence(len(sentences), s, e, text[s:e]))

    for m in _BOUNDARY.finditer(text):
        if m.group("punct") is not None:
            if not _is_sentence_end(text, m):
                continue
            emit(start, m.end())
            start = m.end()
        elif m.group("blank") is not None:
            emit(start, m.start())
            start = m.end()
        elif m.group("nl") is not None:
            if _is_line_break(text, m):
                emit(start, m.start())
                start = m.end()
        else:  # inline bullet separator
            emit(start, m.start())
            start = m.end()
    emit(start, len(text))
    return sentences


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
    def __init__(self, text: str, rules: Rules, *, prefilter: bool = True) -> None:
        self.text = text
        self.rules = rules
        self.sentences = split_sentences(text, max_chars=rules.max_sentence_chars)
        self.starts = [s.start for s in self.sentences]
        self.claims: list[Claim] = []
        self._ind_cache: dict[int, list[str]] = {}
        self._anchor_cache: dict[str, set[int]] = {}
        self._mechanism_sentences: set[int] = set()
        self._word_cache: dict[tuple[int, int], list[_Span]] = {}
        low = text.lower() if prefilter else None
        # lower() can change the length of some non-ASCII text; then offsets would not
        # line up, so search everything instead
        self.low = low if low is not None and len(low) == len(text) else None

    # -- prefilter --------------------------------------------------------------------
    def _sentences_with(self, anchor: str) -> set[int]:
        """Indices of sentences containing ``anchor`` (one str.find per sentence at most)."""
        cached = self._anchor_cache.get(anchor)
        if cached is not None:
            return cached
        assert self.low is not None
        found: set[int] = set()
        low, starts, sentences = self.low, self.starts, self.sentences
        pos = 0
        while True:
            i = low.find(anchor, pos)
            if i < 0:
                break
            k = bisect.bisect_right(starts, i) - 1
            if k >= 0 and i < sentences[k].end:
                found.add(k)
                pos = sentences[k].end
            else:
                pos = i + 1
        self._anchor_cache[anchor] = found
        return found

    def matches(self, regex: re.Pattern[str], anchors: tuple[str, ...]) -> Iterable[re.Match[str]]:
        """All matches of ``regex``; only in sentences holding an anchor when anchors exist."""
        if not anchors or self.low is None:
            yield from regex.finditer(self.text)
            return
        chosen: set[int] = set()
        for a in anchors:
            chosen |= self._sentences_with(a)
        for k in sorted(chosen):
            s = self.sentences[k]
            yield from regex.finditer(self.text, s.start, s.end)

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
        last_break = None
        for last_break in r.clause_break.finditer(window):  # noqa: B007
            pass
        if last_break is not None:
            window = window[last_break.end() :]
        words = [w.lower().replace("’", "'") for w in _WORD.findall(window.replace("’", "'"))]
        return any(w in r.negation_cues for w in words[-r.negation_window :])

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

    def indications_in(self, s: Sentence) -> list[str]:
        cached = self._ind_cache.get(s.index)
        if cached is None:
            cached = [
                key
                for key, ind in self.rules.indications.items()
                if ind.terms.search(self.text, s.start, s.end)
            ]
            self._ind_cache[s.index] = cached
        return cached

    def span(self, m: re.Match[str]) -> tuple[int, int]:
        """A match's bounds without surrounding whitespace or dashes."""
        start, end = m.start(), m.end()
        while start < end and (self.text[start].isspace() or self.text[start] in "-–‑"):
            start += 1
        while end > start and (self.text[end - 1].isspace() or self.text[end - 1] in "-–‑"):
            end -= 1
        return start, end

    def _words_in_sentence(self, regex: re.Pattern[str], lo: int, hi: int) -> list[_Span]:
        """Matches of ``regex`` in the sentence around [lo, hi), computed once per sentence."""
        sent = self.sentence_at(lo, hi)
        if sent is None:
            return [_Span(self.text, m.start(), m.end()) for m in regex.finditer(self.text, lo, hi)]
        key = (id(regex), sent.index)
        cached = self._word_cache.get(key)
        if cached is None:
            cached = [
                _Span(self.text, m.start(), m.end()) for m in regex.finditer(self.text, sent.start, sent.end)
            ]
            self._word_cache[key] = cached
        return cached

    def nearest(self, regex: re.Pattern[str], lo: int, hi: int, start: int, end: int) -> _Span | None:
        """The match of ``regex`` in [lo, hi) closest to [start, end).

        A match inside [start, end) (the term itself, e.g. "clear" in "acne") does not count,
        except a comparative that opens the term ("clearer skin", "smoother skin").
        """
        best: _Span | None = None
        best_dist = 1 << 30
        for e in self._words_in_sentence(regex, lo, hi):
            if e.start() < lo or e.end() > hi:
                continue
            if start <= e.start() < end:
                if e.start() == start and e.group(0).lower() in _COMPARATIVES:
                    return e
                continue
            dist = start - e.end() if e.end() <= start else e.start() - end
            if dist < best_dist:
                best, best_dist = e, dist
        return best

    # -- pattern claims ---------------------------------------------------------------
    def run_patterns(self) -> None:
        r = self.rules
        for p in r.patterns:
            seen: set[tuple[int, str]] = set()
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
                key = (s.index, kind if p.kind != "k_number" else m.group(0))
                if key in seen:
                    continue
                seen.add(key)
                details: dict[str, Any] = {}
                if p.category == "regulatory":
                    details["k_numbers"] = _K_NUMBER.findall(s.text)
                    details["pma_numbers"] = _PMA.findall(s.text)
                    details["indications"] = self.indications_in(s)
                    if p.kind == "k_number":
                        details["k_number"] = m.group(0)
                if p.category == "endorsement":
                    details["study_named"] = bool(
                        re.search(
                            r"\bet\s{1,3}al\b|\bPMID\b|\bdoi\b|\bjournal\b|\bpublished\s{1,3}in\b",
                            s.text,
                            re.IGNORECASE,
                        )
                    )
                self.add(s, m.start(), m.end(), p.category, kind, p.id, p.confidence, details)

    # -- efficacy and mechanism -------------------------------------------------------
    def run_efficacy(self) -> None:
        r = self.rules
        before, after = r.efficacy_window
        for ind in r.indications.values():
            done: set[int] = set()
            for m in self.matches(ind.terms, ind.anchors):
                s = self.sentence_at(m.start(), m.end())
                if s is None or s.is_question or s.index in done:
                    continue
                if r.not_indication_after.match(self.text, m.end(), min(s.end, m.end() + 40)):
                    continue
                lo, hi = max(s.start, m.start() - before), min(s.end, m.end() + after)
                # the nearest effect word that is not the indication itself
                effect = self.nearest(r.efficacy_effect, lo, hi, m.start(), m.end())
                if effect is None:
                    continue
                first = min(effect.start(), m.start())
                if self.negated(s, first) or self.negated(s, m.start(), floor=effect.end()):
                    continue
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
        before, after = r.mechanism_window
        for mech in r.mechanisms.values():
            done: set[int] = set()
            for m in self.matches(mech.terms, mech.anchors):
                s = self.sentence_at(m.start(), m.end())
                if s is None or s.is_question or s.index in done:
                    continue
                start, end = m.start(), m.end()
                if mech.needs_effect:
                    lo, hi = max(s.start, start - before), min(s.end, end + after)
                    effect = self.nearest(r.mechanism_effect, lo, hi, start, end)
                    if effect is None:
                        continue
                    start, end = min(start, effect.start()), max(end, effect.end())
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
            if a <= 0 or a > 100:
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
                "depth",
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

    # -- assembly ---------------------------------------------------------------------
    def run(self) -> list[Claim]:
        self.run_patterns()
        self.run_efficacy()
        self.run_mechanism()
        self.run_depth()
        numeric = self.run_numeric()
        claims = [
            c
            for c in self.claims
            if not (c.category == "efficacy" and c.kind != "absolute" and c.sentence_index in numeric)
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
        claims.sort(key=lambda c: (c.start, c.end, c.category))
        return claims


def extract_claims(text: str, rules: Rules | None = None, *, prefilter: bool = True) -> list[Claim]:
    """Find the claims in ``text``, in reading order.

    Each :class:`Claim` has the matched phrase, its sentence, a category (efficacy,
    mechanism, depth, regulatory, endorsement, numeric_efficacy, safety, comparison) and a
    kind.  Questions are not claims.  Runs in time linear in ``len(text)``.
    ``prefilter=False`` searches every rule over the whole text, ignoring the rules'
    anchors (slower; used to test that the anchors lose nothing).
    """
    if not isinstance(text, str):
        raise TypeError(f"extract_claims expects str, got {type(text).__name__}")
    rules = rules or load_rules()
    if not text.strip():
        return []
    return _Extractor(text, rules, prefilter=prefilter).run()
