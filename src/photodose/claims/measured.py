"""How much of a text's claims the grader is measured to find, said wherever it reports.

The grader finds a claim only where its rules, concept frames or classifier recognise the
wording, and on copy it was not written from that is about two claims in three
(``data/claims/measured_detection.toml``: the first run on each of fifty-two fresh rounds of
labelled copy, docs/claims.md).  A report that lists claims, or says it found none, must say so:
a claim it did not list has not been checked, and "no claims found" is not "no claims made".

Cheap to import (tomllib only): the CLI reads it after grading.
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

_FRACTIONS = (
    "recall",
    "recall_low",
    "recall_high",
    "precision",
    "precision_low",
    "precision_high",
    "grade_agreement",
    "grade_agreement_low",
    "grade_agreement_high",
    "neutral_flagged_share",
    "second_reader_recall_low",
    "second_reader_recall_high",
    "latest_recall",
    "latest_precision",
)
_COUNTS = ("first_round", "last_round", "rounds", "sentences", "claims_marked", "neutral_sentences")


class MeasuredDetectionError(ValueError):
    """The measured-detection file is missing a field or holds an impossible value."""


@dataclass(frozen=True)
class MeasuredDetection:
    """The grader's measured detection on unseen copy (fractions 0-1; see the data file)."""

    source: str
    confidence: str
    first_round: int
    last_round: int
    rounds: int
    sentences: int
    claims_marked: int
    neutral_sentences: int
    recall: float
    recall_low: float
    recall_high: float
    precision: float
    precision_low: float
    precision_high: float
    grade_agreement: float
    grade_agreement_low: float
    grade_agreement_high: float
    neutral_flagged_share: float
    second_reader_recall_low: float
    second_reader_recall_high: float
    #: the latest round (``last_round``) alone: the grader as it now stands, learned model included
    latest_recall: float
    latest_precision: float

    def _share(self, name: str) -> str:
        """A pooled figure and its worst-best round as "63 % (55–71 % per round)"."""
        pooled, low, high = (round(100 * getattr(self, name + k)) for k in ("", "_low", "_high"))
        return f"{pooled} % ({low}–{high} % per round)"

    def caveat(self) -> str:
        """One sentence for a report that lists claims: what was measured, and what it means."""
        return (
            f"Not every claim is found: on new copy the grader had not been written from "
            f"({self.rounds} rounds, {self.claims_marked:,} claims marked by careful readers) it found "
            f"{self._share('recall')} of them, and "
            f"{round(100 * (1 - self.precision))} % of what it listed was not a claim to those "
            f"readers; on the latest round (round {self.last_round}, the grader as it now stands) it "
            f"found {round(100 * self.latest_recall)} %, and {round(100 * (1 - self.latest_precision))} % "
            "of its list was not a claim. A claim not listed here has not been checked."
        )

    def none_found(self) -> str:
        """What to say when no claim was found: the absence is weak evidence."""
        return (
            f"No claims found, which does not mean the text makes none: on new copy the grader found "
            f"{self._share('recall')} of the {self.claims_marked:,} claims careful readers marked in "
            f"{self.rounds} rounds. Read it yourself."
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"caveat": self.caveat()}


_FIELDS = tuple(MeasuredDetection.__dataclass_fields__)


def measured_detection_path() -> Path:
    return Path(str(files("photodose") / "data" / "claims" / "measured_detection.toml"))


def parse_measured_detection(data: dict[str, Any]) -> MeasuredDetection:
    """Check a measured-detection document: every field present, fractions in 0-1, each
    pooled figure between its worst and best round, counts positive."""
    for name in ("source", "confidence", *_COUNTS, *_FRACTIONS):
        if name not in data:
            raise MeasuredDetectionError(f"measured detection: field {name!r} is missing; add it")
    for name in ("source", "confidence"):
        if not isinstance(data[name], str) or not data[name].strip():
            raise MeasuredDetectionError(f"measured detection: {name!r} must be a non-empty string")
    for name in _COUNTS:
        v = data[name]
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise MeasuredDetectionError(
                f"measured detection: {name!r} must be a whole number ≥ 1, not {v!r}"
            )
    for name in _FRACTIONS:
        v = data[name]
        if isinstance(v, bool) or not isinstance(v, int | float) or not 0.0 <= v <= 1.0:
            raise MeasuredDetectionError(
                f"measured detection: {name!r} must be a fraction from 0 to 1, not {v!r}"
            )
    for name in ("recall", "precision", "grade_agreement"):
        if not data[f"{name}_low"] <= data[name] <= data[f"{name}_high"]:
            raise MeasuredDetectionError(
                f"measured detection: {name!r} ({data[name]}) must lie between {name}_low and {name}_high"
            )
    if data["second_reader_recall_low"] > data["second_reader_recall_high"]:
        raise MeasuredDetectionError("measured detection: second_reader_recall_low is above its high")
    if data["last_round"] - data["first_round"] + 1 != data["rounds"]:
        raise MeasuredDetectionError("measured detection: 'rounds' must count first_round to last_round")
    values: dict[str, Any] = {k: float(data[k]) if k in _FRACTIONS else data[k] for k in _FIELDS}
    return MeasuredDetection(**values)


@lru_cache(maxsize=2)
def load_measured_detection(path: str | None = None) -> MeasuredDetection:
    """The shipped measured-detection figures (or those of the file at ``path``)."""
    p = Path(path) if path is not None else measured_detection_path()
    try:
        with p.open("rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise MeasuredDetectionError(f"measured detection {p}: cannot read ({exc})") from exc
    return parse_measured_detection(data)
