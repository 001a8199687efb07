"""Split text into sentences (and list items, headings, lines) in one linear pass."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from photodose.claims.rules import load_rules


@dataclass(frozen=True)
class Sentence:
    """One sentence: ``text == source[start:end]``."""

    index: int
    start: int
    end: int
    text: str

    @cached_property
    def is_question(self) -> bool:
        return self.text.rstrip(" \t\"'”’)]").endswith("?")


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
