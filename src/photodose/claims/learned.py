"""Learned sentence model: how likely a sentence carries a claim of each category, read by a
fine-tuned transformer rather than by word lists.

The rules, concept frames and TF-IDF classifier find a claim only where they recognise its
wording, and on copy they were not written from that was about two claims in three
(``data/claims/measured_detection.toml``).  A small pretrained transformer, all-MiniLM-L6-v2
(Wang et al. 2020, "MiniLM", NeurIPS; sentence-transformers), fine-tuned on the labelled
development rows, reads paraphrases no rule names; on four fresh rounds it was trained without
(rounds 19-22, time-ordered: docs/claims-history.md) it found +0.05 to +0.09 more of the
readers' claims when joined with the rules at a probability of 0.9, for 0-5 more neutral
sentences a round.  So here it only adds: a (sentence, category) the rules did not find is a
claim when the model's probability reaches the category's threshold.  The rules still decide
every grade.

The model ships as int8 ONNX (``data/claims/model/``, trained and exported by
``benchmarks/claims_model/train.py``) with its WordPiece tokenizer; it runs in onnxruntime on
the CPU, with no network and no torch:

    h = MiniLM(tokens)[last layer],  e = Σ_t m_t h_t / Σ_t m_t,  p = σ(W e + b)

(mean pooling over the attention mask m, one linear layer, a sigmoid per category).  About 2 ms
of CPU a sentence, so it reads texts up to ``max_text_chars`` (a product page, a blog, a
leaflet) and of up to ``max_sentences`` sentences (200,000 characters of one-word sentences would
otherwise take minutes); a longer text is read by the rules alone and its report says so.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np


class LearnedModelError(ValueError):
    """The shipped model, its tokenizer or its card is missing or malformed."""


@dataclass(frozen=True)
class ModelCard:
    """What the shipped model is, where it came from, and how it is used (``model.toml``)."""

    model_file: str
    tokenizer_file: str
    categories: tuple[str, ...]
    thresholds: dict[str, float]
    max_tokens: int
    max_text_chars: int
    max_sentences: int
    batch: int
    source: str
    confidence: str
    model_sha256: str
    #: per category, a rule's claim is marked doubtful where the model's probability for its
    #: category is under this value (``[use.doubt]``; a category not named is never marked)
    doubt: dict[str, float] = field(default_factory=dict)
    #: what such a mark has been worth, measured (``[doubt_measured]``), for the reason shown
    doubt_note: str = ""


def model_dir() -> Path:
    return Path(str(files("photodose") / "data" / "claims" / "model"))


def _doubt_note(measured: Any) -> str:
    """The measured worth of a doubt mark, as the reason says it (``[doubt_measured]``)."""
    m = dict(measured)
    readers, claims = int(m["readers_claims"]), int(m["claims"])
    if not 0 <= readers <= claims or claims == 0:
        raise ValueError("[doubt_measured]: 0 <= readers_claims <= claims, claims > 0")
    return (
        f"of {claims} such claims in rounds {m['rounds']} of real copy, {readers} were claims to a "
        f"careful reader ({m['source']!s})"
    )


def parse_card(data: dict[str, Any]) -> ModelCard:
    """Validate a model card (see ``data/claims/model/model.toml``)."""
    try:
        use = data["use"]
        categories = tuple(str(c) for c in data["categories"])
        thresholds = {str(k): float(v) for k, v in use["thresholds"].items()}
        card = ModelCard(
            model_file=str(data["model_file"]),
            tokenizer_file=str(data["tokenizer_file"]),
            categories=categories,
            thresholds=thresholds,
            max_tokens=int(use["max_tokens"]),
            max_text_chars=int(use["max_text_chars"]),
            max_sentences=int(use["max_sentences"]),
            batch=int(use["batch"]),
            source=str(data["source"]),
            confidence=str(data["confidence"]),
            model_sha256=str(data["model_sha256"]),
            doubt={str(k): float(v) for k, v in use.get("doubt", {}).items()},
            doubt_note=_doubt_note(data.get("doubt_measured")) if use.get("doubt") else "",
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise LearnedModelError(f"claims model card: malformed ({exc}); see benchmarks/claims_model") from exc
    if set(card.thresholds) != set(card.categories):
        raise LearnedModelError("claims model card: [use.thresholds] must name every category once")
    if not all(0.0 < t <= 1.0 for t in card.thresholds.values()):
        raise LearnedModelError("claims model card: each threshold must be in (0, 1]")
    if not set(card.doubt) <= set(card.categories) or not all(0.0 < v < 1.0 for v in card.doubt.values()):
        raise LearnedModelError("claims model card: [use.doubt] names model categories, each in (0, 1)")
    if card.max_tokens < 8 or card.batch < 1 or card.max_text_chars < 0 or card.max_sentences < 0:
        raise LearnedModelError(
            "claims model card: max_tokens >= 8, batch >= 1, max_text_chars >= 0, max_sentences >= 0"
        )
    return card


@lru_cache(maxsize=1)
def load_card() -> ModelCard:
    p = model_dir() / "model.toml"
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise LearnedModelError(f"claims model card {p}: cannot read ({exc})") from exc
    return parse_card(data)


class SentenceModel:
    """The fine-tuned model in onnxruntime: ``probabilities(sentences)`` → (n, categories)."""

    def __init__(self, card: ModelCard, folder: Path | None = None) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        folder = folder or model_dir()
        self.card = card
        try:
            tok = Tokenizer.from_file(str(folder / card.tokenizer_file))
        except Exception as exc:  # tokenizers raises its own Exception type on a bad file
            raise LearnedModelError(f"claims model tokenizer: cannot load ({exc})") from exc
        tok.enable_truncation(max_length=card.max_tokens)
        tok.enable_padding(pad_id=0, pad_token="[PAD]")
        self._tok = tok
        so = ort.SessionOptions()
        # two threads at most: a CLI call or one web request, beside other work
        so.intra_op_num_threads = min(2, os.cpu_count() or 1)
        so.inter_op_num_threads = 1
        so.log_severity_level = 3  # errors only: no warnings on the user's terminal
        try:
            self._session = ort.InferenceSession(
                str(folder / card.model_file), so, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime's own exception types
            raise LearnedModelError(f"claims model: cannot load ({exc})") from exc

    def probabilities(self, sentences: Sequence[str]) -> np.ndarray:
        """P(claim of each category) per sentence, shape (len(sentences), len(categories)).

        Sentences are scored ``batch`` at a time in order of length; the shipped card's batch
        is 1, so a sentence scores the same whatever text it is in (model.toml says why)."""
        n = len(sentences)
        out = np.zeros((n, len(self.card.categories)), dtype=np.float32)
        if n == 0:
            return out
        order = sorted(range(n), key=lambda i: len(sentences[i]))
        step = self.card.batch
        for i in range(0, n, step):
            idx = order[i : i + step]
            enc = self._tok.encode_batch([sentences[j] for j in idx])
            ids = np.array([e.ids for e in enc], dtype=np.int64)
            mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
            out[idx] = self._session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
        return out

    def claims(self, sentences: Sequence[str]) -> list[dict[str, float]]:
        """Per sentence, the categories whose probability reaches the card's threshold."""
        return [found for found, _ in self.read(sentences)]

    def read(self, sentences: Sequence[str]) -> list[tuple[dict[str, float], dict[str, float]]]:
        """Per sentence: the categories whose probability reaches the card's threshold, and the
        categories of ``[use.doubt]`` whose probability is under the doubt value."""
        p = self.probabilities(sentences)
        cats = self.card.categories
        th = np.array([self.card.thresholds[c] for c in cats], dtype=np.float32)
        doubt = [(k, c, self.card.doubt[c]) for k, c in enumerate(cats) if c in self.card.doubt]
        return [
            (
                {c: round(float(row[k]), 3) for k, c in enumerate(cats) if row[k] >= th[k]},
                {c: round(float(row[k]), 3) for k, c, v in doubt if row[k] < v},
            )
            for row in p
        ]


@lru_cache(maxsize=1)
def load_model() -> SentenceModel:
    """The shipped model, loaded once per process (about 0.3 s, 100 MB)."""
    return SentenceModel(load_card())


def why_not_read(chars: int, sentences: int) -> str | None:
    """Why the learned model does not read a text of this many characters and sentences
    (``[use] max_text_chars``, ``max_sentences``), or None when it does."""
    card = load_card()
    if chars > card.max_text_chars:
        return f"the text is longer than {card.max_text_chars:,} characters"
    if sentences > card.max_sentences:
        return f"the text has {sentences:,} sentences, more than the {card.max_sentences:,} the model reads"
    return None


def reads(text: str, sentences: int) -> bool:
    """Does the learned model read a text of this length and number of sentences?"""
    return why_not_read(len(text), sentences) is None
