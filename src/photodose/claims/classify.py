"""Sentence classifier: how likely a sentence carries a claim of each category.

A linear model (TF-IDF of word unigrams and bigrams → one logistic regression per category),
trained with scikit-learn on the development split of the labelled corpus by
``benchmarks/claims.py --train-classifier`` (fixed seed, deterministic solver) and shipped as
``data/claims/classifier.json``: vocabulary, idf weights, coefficients, intercepts, and the
SHA-256 of the training rows (the weights packed as little-endian float64 in base64, see
:func:`pack_classifier`: it loads in a third of the time 700,000 JSON numbers took).
Scoring here is plain Python, the same arithmetic as
scikit-learn's ``TfidfVectorizer(sublinear_tf=True)`` followed by ``LogisticRegression``:

    x_t = (1 + ln tf_t) · idf_t,   x ← x / ‖x‖₂,   p_c = 1 / (1 + exp(−(w_c · x + b_c)))

so the claims command needs neither scikit-learn nor numpy at run time, and a test checks the
numbers against scikit-learn.  The rules decide the verdict; the classifier only lets a
sentence count as a claim when the rules' phrase patterns miss a paraphrase ("trusted by
dermatologists in clinics", "has been shown to", "helps with hyperpigmentation").
"""

from __future__ import annotations

import base64
import itertools
import json
import math
import operator
import re
import sys
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any, cast

from photodose.claims.concepts import _Tokens, concept_tags

_TOKEN = re.compile(r"[a-z0-9]{2,30}")
# a light suffix stripper so that "recommends"/"recommended", "studies"/"study" share a feature
_SUFFIXES = ("ingly", "ing", "edly", "ed", "ies", "es", "ly", "s")


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    for suf in _SUFFIXES:
        if len(word) > len(suf) + 3 and word.endswith(suf):
            return word[: -len(suf)] + ("y" if suf == "ies" else "")
    return word


def analyze(text: str, toks: _Tokens | None = None) -> list[str]:
    """The features of a sentence: stemmed lowercase word unigrams and bigrams, and the
    concept-lexicon hits and co-occurrences of :func:`photodose.claims.concepts.concept_tags`
    (``toks``: the sentence's :func:`photodose.claims.concepts.words`, when already computed)."""
    # the loops in C (map): this runs on every candidate sentence of a 32 MB page
    words = list(map(_stem, _TOKEN.findall(text.lower().replace("’", "'"))))
    return words + list(map(" ".join, itertools.pairwise(words))) + concept_tags(text, toks=toks)


class ClassifierError(ValueError):
    """The shipped classifier file is missing or malformed."""


@dataclass(frozen=True)
class SentenceClassifier:
    """A trained linear model: per category, P(sentence carries a claim of it)."""

    categories: tuple[str, ...]
    vocabulary: dict[str, int]
    idf: Sequence[float]
    coef: tuple[Sequence[float], ...]  # [category][feature]
    intercept: tuple[float, ...]
    thresholds: dict[str, float]
    meta: dict[str, Any]
    #: per category, the probability under which a concept-frame claim of it is dropped (the
    #: frames' co-occurrence alone is weak evidence; see benchmarks/claims.py --cv)
    veto: dict[str, float] = field(default_factory=dict)
    #: which claims the veto may drop: "frames" (concept-frame claims) or "all"
    veto_scope: str = "frames"

    def scores(
        self, text: str, categories: Iterable[str] | None = None, toks: _Tokens | None = None
    ) -> dict[str, float]:
        """Probability per category (all, or those given) that ``text`` carries a claim of it
        (``toks``: the sentence's :func:`photodose.claims.concepts.words`, when computed)."""
        # the same arithmetic as before, with the loops in C (map) where they can be: this runs
        # on every candidate sentence of a 32 MB page
        found: Counter[int | None] = Counter(map(self.vocabulary.get, analyze(text, toks)))
        found.pop(None, None)  # words outside the vocabulary
        counts = cast("Counter[int]", found)
        idf = self.idf
        js = list(counts)
        ws = [(1.0 + math.log(n)) * idf[j] for j, n in counts.items()]
        norm = math.sqrt(sum(map(operator.mul, ws, ws))) or 1.0
        out = {}
        # the coefficients of the sentence's features, picked in C (the same values in the same
        # order, so the same sums)
        pick = operator.itemgetter(*js) if len(js) > 1 else None
        for cat in self.categories if categories is None else categories:
            k = self.categories.index(cat)
            row = self.coef[k]
            picked = pick(row) if pick is not None else [row[j] for j in js]
            z = self.intercept[k] + sum(map(operator.mul, picked, ws)) / norm
            out[cat] = 1.0 / (1.0 + math.exp(-z)) if z > -500 else 0.0
        return out

    def flagged(self, text: str) -> list[str]:
        """Categories whose probability reaches the category's threshold."""
        s = self.scores(text)
        return [c for c in self.categories if s[c] >= self.thresholds.get(c, 0.5)]


def classifier_path() -> Path:
    return Path(str(files("photodose") / "data" / "claims" / "classifier.json"))


_PACKED = "float64_le_base64"


def _pack_floats(values: Sequence[float]) -> dict[str, str]:
    a = array("d", values)
    if sys.byteorder == "big":
        a.byteswap()
    return {_PACKED: base64.b64encode(a.tobytes()).decode("ascii")}


def _floats(value: Any) -> Sequence[float]:
    """A list of JSON numbers, or ``{"float64_le_base64": "…"}`` (:func:`pack_classifier`)."""
    if isinstance(value, dict):
        a = array("d", base64.b64decode(value[_PACKED], validate=True))
        if sys.byteorder == "big":
            a.byteswap()
        return a
    return tuple(float(x) for x in value)


def pack_classifier(doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` as shipped: the vocabulary as a list of terms in index order, the idf weights and
    each category's coefficients packed (the same float64 values, so the same scores)."""
    vocab = doc["vocabulary"]
    terms = sorted(vocab, key=vocab.__getitem__) if isinstance(vocab, dict) else list(vocab)
    return {
        **doc,
        "vocabulary": terms,
        "idf": _pack_floats(_floats(doc["idf"])),
        "coef": [_pack_floats(_floats(row)) for row in doc["coef"]],
    }


def unpack_classifier(doc: dict[str, Any]) -> dict[str, Any]:
    """A shipped document in the readable form (vocabulary term → index, lists of numbers)."""
    vocab = doc["vocabulary"]
    return {
        **doc,
        "vocabulary": dict(zip(vocab, range(len(vocab)), strict=True)) if isinstance(vocab, list) else vocab,
        "idf": list(_floats(doc["idf"])),
        "coef": [list(_floats(row)) for row in doc["coef"]],
    }


def parse_classifier(data: dict[str, Any]) -> SentenceClassifier:
    """Validate a classifier document (see ``benchmarks/claims.py --train-classifier``), packed
    (:func:`pack_classifier`) or readable (term → index, lists of numbers)."""
    try:
        cats = tuple(str(c) for c in data["categories"])
        raw_vocab = data["vocabulary"]
        if isinstance(raw_vocab, list):
            if not all(isinstance(t, str) for t in raw_vocab):
                raise TypeError("vocabulary terms must be strings")
            vocab = dict(zip(raw_vocab, range(len(raw_vocab)), strict=True))
            if len(vocab) != len(raw_vocab):
                raise ValueError("vocabulary repeats a term")
        else:
            vocab = {str(t): int(i) for t, i in raw_vocab.items()}
        idf = _floats(data["idf"])
        coef = tuple(_floats(row) for row in data["coef"])
        intercept = tuple(float(x) for x in data["intercept"])
        thresholds = {str(k): float(v) for k, v in data.get("thresholds", {}).items()}
        veto = {str(k): float(v) for k, v in data.get("veto", {}).items()}
        veto_scope = str(data.get("veto_scope", "frames"))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:  # binascii.Error is a ValueError
        raise ClassifierError(f"claims classifier: malformed file ({exc}); retrain it") from exc
    n = len(idf)
    if len(coef) != len(cats) or len(intercept) != len(cats) or any(len(r) != n for r in coef):
        raise ClassifierError("claims classifier: coefficient shapes do not match; retrain it")
    if any(not 0 <= i < n for i in vocab.values()):
        raise ClassifierError("claims classifier: vocabulary index out of range; retrain it")
    if veto_scope not in ("frames", "all") or any(c not in cats for c in veto):
        raise ClassifierError("claims classifier: veto names an unknown category or scope; retrain it")
    return SentenceClassifier(
        cats, vocab, idf, coef, intercept, thresholds, dict(data.get("meta", {})), veto, veto_scope
    )


@lru_cache(maxsize=2)
def load_classifier(path: str | None = None) -> SentenceClassifier | None:
    """The shipped classifier, or None when the file is absent (rules only)."""
    p = Path(path) if path is not None else classifier_path()
    if not p.exists():
        return None
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ClassifierError(f"claims classifier {p}: cannot read ({exc}); retrain it") from exc
    return parse_classifier(data)
