"""Free-text medicine and condition matching, tolerant of case, brand names and misspacing.

An entry (split on commas, semicolons, ``and``, ``+`` and new lines) is compared with every
name of every rule: exact match of the squashed form (lower case, letters and digits only, so
"Retin A", "retin-a" and "RetinA" agree), then a word window of 1–3 words compared with
RapidFuzz's normalised Indel similarity (``fuzz.ratio``) at ≥ :data:`FUZZY_MIN` for names of
≥ 6 letters (short names must match exactly: "Yaz" must not match "Yes").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from photodose.safety.data import Rule

FUZZY_MIN = 86.0
FUZZY_MIN_LEN = 6


def squash(text: str) -> str:
    """Lower case, letters and digits only (``"St. John's Wort"`` → ``"stjohnswort"``)."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


def split_entries(text: str | Iterable[str]) -> list[str]:
    """Split free text into entries (commas, semicolons, new lines, ' and ', ' + ', '/')."""
    items = [text] if isinstance(text, str) else list(text)
    out: list[str] = []
    for item in items:
        for part in re.split(r"[,;\n/+]|\band\b|\bplus\b", item, flags=re.IGNORECASE):
            part = part.strip()
            if part:
                out.append(part)
    return out


@dataclass(frozen=True)
class Match:
    entry: str
    rule: Rule
    name: str
    score: float


def _windows(entry: str) -> list[str]:
    words = re.findall(r"[A-Za-z0-9'\-]+", entry)
    outs = []
    for n in (1, 2, 3, 4):
        for i in range(len(words) - n + 1):
            outs.append(squash("".join(words[i : i + n])))
    outs.append(squash(entry))
    return [w for w in outs if w]


def match_entry(entry: str, rules: Sequence[Rule]) -> list[Match]:
    """Every rule one entry names (best name per rule), best first."""
    wins = _windows(entry)
    whole = squash(entry)
    found: dict[str, Match] = {}
    for rule in rules:
        best: Match | None = None
        for name in rule.names:
            sq = squash(name)
            if not sq:
                continue
            if sq in wins or (len(sq) >= FUZZY_MIN_LEN and sq in whole):
                score = 100.0
            elif len(sq) >= FUZZY_MIN_LEN:
                score = max(fuzz.ratio(sq, w) for w in wins)
                if score < FUZZY_MIN:
                    continue
            else:
                continue
            if best is None or score > best.score:
                best = Match(entry, rule, name, score)
        if best is not None:
            found[rule.id] = best
    # "isotretinoin" contains "tretinoin": keep only the longest of nested names
    names = {rid: squash(m.name) for rid, m in found.items()}
    keep = [
        m
        for rid, m in found.items()
        if not any(o != rid and names[rid] in names[o] and names[rid] != names[o] for o in found)
    ]
    return sorted(keep, key=lambda m: -m.score)


def match_text(text: str | Iterable[str], rules: Sequence[Rule]) -> tuple[list[Match], list[str]]:
    """(matches, entries that matched nothing) for free text or a list of entries."""
    matches: list[Match] = []
    unmatched: list[str] = []
    for entry in split_entries(text):
        m = match_entry(entry, rules)
        if m:
            matches.extend(m)
        else:
            unmatched.append(entry)
    return matches, unmatched
