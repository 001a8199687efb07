"""Turn the bytes a user hands over into text: a true byte limit on any stream, decoding,
binary and language checks, HTML stripping.

Shared by anything that reads user text (the claims command, uploads).  Every check reads a
bounded amount of data: :func:`read_limited` never reads more than ``limit + 1`` bytes, even
from ``/dev/zero`` or a pipe, whatever the file's reported size.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import BinaryIO

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


def read_limited(stream: BinaryIO, limit: int, *, name: str = "input") -> bytes:
    """Read at most ``limit`` bytes from ``stream``; raise :class:`InputTooLargeError` beyond.

    Reads ``limit + 1`` bytes at most, in 1 MiB chunks, so that an endless or unsized stream
    (``/dev/zero``, a pipe, a FIFO) stops at the limit and memory stays below ``limit``
    plus one chunk.  The file's reported size is never trusted.
    """
    if limit < 0:
        raise ValueError(f"limit must be >= 0, got {limit}")
    chunks: list[bytes] = []
    total = 0
    while total <= limit:
        chunk = stream.read(min(1 << 20, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    if total > limit:
        raise InputTooLargeError(
            f"{name} is more than the {limit:,}-byte limit ({limit / 2**20:.0f} MiB); "
            "pass only the product page's text, or split it into smaller files"
        )
    return b"".join(chunks)


# ---------------------------------------------------------------------------------------
# Language
# ---------------------------------------------------------------------------------------


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


#: Frequent function words.  In English prose the English ones are roughly 30-50 % of the
#: words; in French, German, Spanish, Italian, Portuguese or Dutch product copy the second set
#: is.  Words shared between the languages ("a", "in", "on") are left out of the second set.
_ENGLISH_FUNCTION_WORDS = _wordset(
    "the a an and or of to in on for with is are was were be been it its this that these "
    "those your you our we they their by from at as not no can will has have more into"
)
_OTHER_FUNCTION_WORDS = _wordset(
    "der die das und nicht mit für ist von zu den dem ein eine sie ihre auch auf "  # de
    "le la les et des du un une est pour avec dans sur votre vos au aux ce qui "  # fr
    "el los las y del en que por para con es una su sus al lo más "  # es
    "il di che per della delle è sono gli nel "  # it
    "os da do em com não uma seu sua "  # pt
    "het een van voor niet zijn met op"  # nl
)
_TOKEN = re.compile(r"\w{1,40}", re.UNICODE)
_LATIN = re.compile(r"[A-Za-z]")


@dataclass(frozen=True)
class LanguageCheck:
    """How English a text looks: shares of English and other function words, of Latin letters."""

    words: int
    letters: int
    english_function_share: float
    other_function_share: float
    latin_letter_share: float

    @property
    def is_english(self) -> bool:
        """False when the sample is clearly not English.

        Not English: at least 24 letters, fewer than half of them Latin (Chinese, Korean,
        Cyrillic ...), or function words of French, German, Spanish, Italian, Portuguese or
        Dutch outnumber the English ones two to one and make up at least 8 % of 12 or more
        words.  Thresholds are an assumption, checked in the tests on the claims corpus (all
        English) and on non-English product copy.
        """
        if self.letters >= 24 and self.latin_letter_share < 0.5:
            return False
        if self.words < 12:
            return True
        return not (
            self.other_function_share >= 0.08
            and self.other_function_share > 2.0 * self.english_function_share
        )


def check_language(text: str, *, sample_chars: int = 200_000) -> LanguageCheck:
    """Estimate whether ``text`` is English from a bounded sample (its first ``sample_chars``)."""
    sample = text[:sample_chars]
    words = [t.lower() for t in _TOKEN.findall(sample) if not t.isdigit()]
    letters = sum(1 for ch in sample if ch.isalpha())
    latin = len(_LATIN.findall(sample))
    n = len(words)
    english = sum(1 for w in words if w in _ENGLISH_FUNCTION_WORDS) / n if n else 0.0
    other = sum(1 for w in words if w in _OTHER_FUNCTION_WORDS) / n if n else 0.0
    return LanguageCheck(n, letters, english, other, latin / letters if letters else 1.0)
