"""Claims: the speed-ups of the extractor give what the plain searches give.

- the sentence index (which anchors and required strings each sentence holds, from its
  whitespace-separated words) against one ``str.find`` search per string over the text;
- :func:`photodose.claims.concepts.required_literals` (strings one of which every match of an
  expression holds) against the matches themselves, on random expressions and on the rules'
  expressions over the labelled corpus;
- the concept frames' candidate sentences against a search of the whole text.

Texts are cut into short sentences (``max_sentence_chars`` = 12), so that words run across
sentence ends, the case the word index treats apart.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from functools import partial
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from photodose.claims import Rules, load_rules
from photodose.claims.concepts import (
    is_reported_or_hedged,
    load_concepts,
    lowercase_ready,
    lowercase_regex,
    required_literals,
)
from photodose.claims.extract import _Extractor, _index_strings

CORPUS = Path(__file__).parent / "data" / "claims_corpus.toml"

# pieces of claim text: anchors, frame words, words that merely contain them, separators
_PIECES = [
    "as", "has", "safe", "unsafe", "clinically", "proven", "anti", "antibacterial", "damage",
    "collagen", "wrinkles", "acne", "FDA", "cleared", "510(k)", "(", "%", "40%", "nm", "633nm",
    "better", "than", "creams", "without", "side", "effects", "derm", "dermatologist",
    "recommended", "studies", "show", "x" * 15, "non-damaging", "skin", "blemiſh", "redneſſ", "pimples",
]  # fmt: skip
_SEPARATORS = [" ", " ", " ", "  ", ".", ". ", "! ", "? ", "\n", "\n\n", ", ", "-", " • "]
_TEXT = st.lists(
    st.one_of(st.sampled_from(_PIECES), st.sampled_from(_SEPARATORS)), min_size=1, max_size=60
).map("".join)


def _short_sentences() -> Rules:
    return dataclasses.replace(load_rules(), max_sentence_chars=12)


# -- the sentence index -----------------------------------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXT)
def test_sentence_index_is_one_search_per_string(text: str) -> None:
    for rules in (load_rules(), _short_sentences()):
        ex = _Extractor(text, rules)
        if ex.low is None or not ex.sentences:
            continue
        ex._index_anchors()
        for a in _index_strings(ex.rules):
            assert ex._anchor_cache[a] == ex._sentences_hit(partial(ex.low.find, a)), (a, text)


def test_sentence_index_counts_a_word_cut_at_the_sentence_end() -> None:
    # a run without whitespace cut into pieces: "safe" starts in one piece and ends in the next
    text = "Our device is " + "q" * 7 + "safe" + "z" * 40
    ex = _Extractor(text, _short_sentences())
    assert ex.low is not None
    ex._index_anchors()
    k = next(s.index for s in ex.sentences if s.text.endswith("sa"))  # "is qqqqqqqsa" | "fezz..."
    assert ex._anchor_cache["safe"] == {k}
    assert ex._anchor_cache["safe"] == ex._sentences_hit(partial(ex.low.find, "safe"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXT)
def test_sentence_search_is_a_search(text: str) -> None:
    """Indication and mechanism terms searched sentence by sentence in the original text, with
    the sentences that cannot match skipped: the same matches ("redneſſ" is "redness" to a
    case-insensitive search but holds no "redness" in lowercase)."""
    rules = load_rules()
    ex = _Extractor(text, rules)
    terms = [i.terms for i in rules.indications.values()] + [m.terms for m in rules.mechanisms.values()]
    for s in ex.sentences:
        for regex in terms:
            got, want = ex._search_sentence(regex, s), regex.search(text, s.start, s.end)
            assert (got and got.span()) == (want and want.span()), (regex.pattern[:60], s.text)


# -- required literals ------------------------------------------------------------------------


def test_required_literals_of_simple_expressions() -> None:
    assert required_literals(r"\bsafe\b") == ("safe",)
    assert required_literals(r"(?:very\s+)?gentle") == ("gentle",)  # an optional part needs nothing
    assert required_literals(r"\b(?:acne|wrinkles?)\b") == ("acne", "wrinkle")
    assert required_literals(r"(?:ab)+c") == ("ab",)  # at least once
    assert required_literals(r"(?:ab)*c") == ("c",)
    assert required_literals(r"make sure") == ("make",)  # cut at whitespace
    assert required_literals(r"(?=safe)\w+") is None  # a look-ahead holds nothing of the match
    assert required_literals(r"safe|\d+") is None  # one alternative needs nothing
    assert required_literals(r"(?i)safe") is None  # case-insensitive: the letters may differ
    assert required_literals(r"[^a]") is None
    assert required_literals(r"(") is None  # not an expression: no requirement


_ATOMS = st.sampled_from(["a", "b", "ab", "ba", "c", r"\b", "[ab]", ".", r"\s", "(?=a)", "(?<!b)"])


def _compound(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Sequences, alternations, repeats and groups of smaller expressions."""
    repeats = st.sampled_from(["?", "*", "+", "{1,2}", "{0,2}", "{2}"])
    return st.one_of(
        st.tuples(inner, inner).map("".join),
        st.tuples(inner, inner).map(lambda t: f"(?:{t[0]}|{t[1]})"),
        st.tuples(inner, repeats).map(lambda t: f"(?:{t[0]}){t[1]}"),
        inner.map(lambda r: f"({r})"),
    )


def _regexes() -> st.SearchStrategy[str]:
    return st.recursive(_ATOMS, _compound, max_leaves=8)


@settings(max_examples=300, deadline=None)
@given(_regexes(), st.text(alphabet="abc ", max_size=30))
def test_every_match_holds_a_required_literal(pattern: str, text: str) -> None:
    literals = required_literals(pattern)
    if literals is None:
        return
    regex = re.compile(pattern)
    for i in range(len(text) + 1):
        m = regex.match(text, i)
        if m is not None:
            assert any(lit in m.group(0) for lit in literals), (pattern, text, m, literals)


def test_rule_expressions_hold_their_literals_on_the_corpus() -> None:
    rules = load_rules()
    low = "\n\n".join(r["sentence"] for r in tomllib.loads(CORPUS.read_text())["rows"]).lower()
    expressions = [rules.efficacy_effect, rules.mechanism_effect, rules.numeric["percent"]]
    expressions += [p.regex for p in rules.patterns] + [i.terms for i in rules.indications.values()]
    expressions += [m.terms for m in rules.mechanisms.values()] + list(rules.classifier_gates.values())
    expressions += [rules.depth[k] for k in rules.depth_anchors] + list(rules.output.values())
    checked = matched = 0
    for regex in expressions:
        if not lowercase_ready(regex):
            continue
        copy = lowercase_regex(regex.pattern)
        literals = required_literals(copy.pattern)
        if literals is None:
            continue
        checked += 1
        for m in copy.finditer(low):
            matched += 1
            assert any(lit in m.group(0) for lit in literals), (regex.pattern[:80], m.group(0))
    assert checked > 40 and matched > 1000  # the analysis finds literals for most expressions


# -- concept frames ---------------------------------------------------------------------------


def _frame_sentences_by_search(ex: _Extractor, patterns: tuple[re.Pattern[str], ...]) -> set[int]:
    """The reference: the first group searched through the whole text, the others sentence by
    sentence."""
    assert ex.low is not None
    low = ex.low

    def find(pos: int) -> int:
        m = patterns[0].search(low, pos)
        return -1 if m is None else m.start()

    idx = ex._sentences_hit(find)
    for p in patterns[1:]:
        idx = {k for k in idx if p.search(low, ex.sentences[k].start, ex.sentences[k].end)}
    return idx


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXT)
def test_frame_sentences_are_those_of_a_search(text: str) -> None:
    c = load_concepts()
    for rules in (load_rules(), _short_sentences()):
        ex = _Extractor(text, rules)
        if ex.low is None:
            continue
        for cat, patterns in c.anchor_patterns.items():
            got = ex._frame_sentences(patterns, c.anchors[cat])
            assert got == _frame_sentences_by_search(ex, patterns), (cat, text)


# -- reported speech and hedges ---------------------------------------------------------------


def test_hedge_check_from_the_sentence_index_is_the_plain_check() -> None:
    """:func:`is_reported_or_hedged` with the anchor prefilters read from the extractor's
    index (``held``) against the same check searching the sentence, on every corpus sentence
    and on sentences that pass each prefilter."""
    c = load_concepts()
    rows = tomllib.loads(CORPUS.read_text())["rows"]
    extra = [
        "The pitch goes like this.",
        "It promised miracles.",
        "Many consumers confuse FDA clearance with FDA approval.",
        "FDA clearance is granted when a device is substantially equivalent.",
        "There is not enough evidence.",
        "We are writing to you because your firm is marketing lamps.",
        "Health Canada is not aware of any proof.",
        "Its efficacy = marketing.",
    ]
    text = "\n\n".join([r["sentence"] for r in rows] + extra)
    ex = _Extractor(text, load_rules())
    assert ex.low is not None
    ex._index_anchors()
    hedged = 0
    for s in ex.sentences:
        plain = is_reported_or_hedged(s.text, c)
        hedged += plain
        assert is_reported_or_hedged(s.text, c, ex._held[s.index]) == plain, s.text
    assert hedged > 20  # the check is not vacuous
