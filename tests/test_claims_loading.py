"""Loading the claims grader's data fast without losing its checks: the packaged rules' expressions
compiled on first use (and every one of them compiles), the short-text search skipping expressions
whose anchors the text lacks, and the classifier's packed weights (the same numbers, the same
scores)."""

from __future__ import annotations

import dataclasses
import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from photodose.claims import extract_claims
from photodose.claims.classify import (
    ClassifierError,
    classifier_path,
    load_classifier,
    pack_classifier,
    parse_classifier,
    unpack_classifier,
)
from photodose.claims.extract import _Extractor
from photodose.claims.rules import RulesError, _LazyRegex, load_rules, parse_rules, rules_path


def _expressions(obj: Any) -> list[Any]:
    """Every compiled or lazily compiled expression held anywhere in a Rules object."""
    if isinstance(obj, (re.Pattern, _LazyRegex)):
        return [obj]
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return [x for f in dataclasses.fields(obj) for x in _expressions(getattr(obj, f.name))]
    if isinstance(obj, (list, tuple)):
        return [x for v in obj for x in _expressions(v)]
    if isinstance(obj, dict):
        return [x for v in obj.values() for x in _expressions(v)]
    return []


def test_every_packaged_expression_compiles() -> None:
    found = _expressions(load_rules())
    lazy = [x for x in found if isinstance(x, _LazyRegex)]
    assert len(lazy) > 100  # the packaged file is read lazily ...
    for x in lazy:  # ... so its expressions are checked here, not as it is read
        assert isinstance(x.compiled(), re.Pattern), x.pattern[:80]
        assert x.flags == x.compiled().flags  # what the searches key their caches by


def test_another_rules_file_is_compiled_and_checked_as_it_is_read(tmp_path: Path) -> None:
    data = tomllib.loads(rules_path().read_text(encoding="utf-8"))
    assert not any(isinstance(x, _LazyRegex) for x in _expressions(parse_rules(data)))
    data["patterns"][0]["regex"] = "clinically (proven"
    with pytest.raises(RulesError, match=r"invalid regular expression"):
        parse_rules(data)
    # and through the loader with a path other than the packaged file
    copy = tmp_path / "rules.toml"
    copy.write_text(rules_path().read_text(encoding="utf-8"), encoding="utf-8")
    assert not any(isinstance(x, _LazyRegex) for x in _expressions(load_rules(copy)))


def test_a_lazy_expression_behaves_as_the_compiled_one() -> None:
    lazy = _LazyRegex(r"fda[- ]cleared", re.IGNORECASE)
    eager = re.compile(r"fda[- ]cleared", re.IGNORECASE)
    text = "It is FDA-cleared; fda cleared, they say."
    assert [m.span() for m in lazy.finditer(text)] == [m.span() for m in eager.finditer(text)]
    assert lazy == eager and hash(lazy) == hash(_LazyRegex(eager.pattern, eager.flags))
    import copy
    import pickle

    assert copy.copy(lazy).search(text) is not None
    assert pickle.loads(pickle.dumps(lazy)).pattern == lazy.pattern


def test_a_short_text_skips_only_what_no_sentence_can_match() -> None:
    ex = _Extractor("Our mask boosts collagen.", load_rules(), prefilter=False)
    assert ex._text_may_hold(("collagen",)) and not ex._text_may_hold(("fda", "cleared"))
    # "ſ" (long s) is an "s" to a case-insensitive expression but stays "ſ" in lower(): undecided
    odd = _Extractor("Our mask ſmooths wrinkles.", load_rules(), prefilter=False)
    assert odd._text_may_hold(("smooth",)) and odd._text_may_hold(("fda",))


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "Our mask is FDA cleared for wrinkles.",
                "Clinically proven to boost collagen by 40%.",
                "Dermatologists recommend it.",
                "The light reaches 10 mm deep into the dermis.",
                "It is completely safe with no side effects.",
                "Better than Botox.",
                "Ship it to your door.",
                "We love our customers.",
                "Red light at 630 nm calms redness.",
            ]
        ),
        min_size=1,
        max_size=6,
    )
)
def test_short_and_indexed_searches_find_the_same_claims(sentences: list[str]) -> None:
    text = " ".join(sentences)
    short = extract_claims(text, prefilter=False, learned=False)
    indexed = extract_claims(text, prefilter=True, learned=False)
    assert [(c.category, c.kind, c.start, c.end) for c in short] == [
        (c.category, c.kind, c.start, c.end) for c in indexed
    ]


# -- the classifier's packed weights ----------------------------------------------------------------

_CATS = ["efficacy", "mechanism"]


@settings(max_examples=40, deadline=None)
@given(
    terms=st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=20, unique=True),
    data=st.data(),
)
def test_packing_keeps_every_weight_and_every_score(terms: list[str], data: st.DataObject) -> None:
    floats = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6)
    n = len(terms)
    doc = {
        "categories": _CATS,
        "vocabulary": {t: i for i, t in enumerate(terms)},
        "idf": data.draw(st.lists(floats, min_size=n, max_size=n)),
        "coef": [data.draw(st.lists(floats, min_size=n, max_size=n)) for _ in _CATS],
        "intercept": [0.5, -0.5],
        "thresholds": dict.fromkeys(_CATS, 0.9),
    }
    packed = json.loads(json.dumps(pack_classifier(doc)))
    assert unpack_classifier(packed) == doc
    a, b = parse_classifier(doc), parse_classifier(packed)
    for sentence in (" ".join(terms), terms[0], "nothing known here"):
        assert a.scores(sentence) == b.scores(sentence)


def test_the_shipped_classifier_is_packed_and_a_damaged_one_is_refused() -> None:
    shipped = json.loads(classifier_path().read_text(encoding="utf-8"))
    assert isinstance(shipped["vocabulary"], list) and "float64_le_base64" in shipped["idf"]
    clf = load_classifier()
    assert clf is not None and len(clf.idf) == len(shipped["vocabulary"])
    bad = dict(shipped, idf={"float64_le_base64": "not base64!"})
    with pytest.raises(ClassifierError, match="malformed"):
        parse_classifier(bad)
    short = dict(shipped, idf={"float64_le_base64": "AAAAAAAAAAA="})  # one weight, not 88,000
    with pytest.raises(ClassifierError, match="shapes"):
        parse_classifier(short)
    twice = dict(shipped, vocabulary=["a", "a"])
    with pytest.raises(ClassifierError, match="malformed"):
        parse_classifier(twice)
