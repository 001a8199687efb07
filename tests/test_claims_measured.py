"""The grader's measured detection (``data/claims/measured_detection.toml``): every figure is
recomputed from the recorded first runs on the fresh rounds, and every face of the grader says
it: a listed claim is not all the claims, and "no claims found" is not "no claims made"."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import photodose.cli.claims_cmd as claims_cmd
from claims_results import first_runs
from photodose.claims.measured import (
    MeasuredDetectionError,
    load_measured_detection,
    measured_detection_path,
    parse_measured_detection,
)
from photodose.cli.app import app


def _shipped() -> dict[str, Any]:
    with measured_detection_path().open("rb") as fh:
        return tomllib.load(fh)


def _recomputed(first: int, last: int) -> dict[str, Any]:
    """The data file's figures, from the recorded first runs (benchmarks/claims.py --fresh)."""
    recorded = first_runs()
    runs = [recorded[n] for n in range(first, last + 1)]
    cats = [m for r in runs for m in r["per_category"].values()]
    tp, fp, support = (sum(m[k] for m in cats) for k in ("tp", "fp", "support"))
    pairs = sum(r["graded_pairs"] for r in runs)
    second = [r["second_labeller_vs_first"]["micro"]["recall"] for r in runs]
    return {
        "rounds": len(runs),
        "sentences": sum(r["rows"] for r in runs),
        "claims_marked": support,
        "neutral_sentences": sum(r["hard_negatives"] for r in runs),
        "recall": round(tp / support, 2),
        "recall_low": round(min(r["micro"]["recall"] for r in runs), 2),
        "recall_high": round(max(r["micro"]["recall"] for r in runs), 2),
        "precision": round(tp / (tp + fp), 2),
        "precision_low": round(min(r["micro"]["precision"] for r in runs), 2),
        "precision_high": round(max(r["micro"]["precision"] for r in runs), 2),
        "grade_agreement": round(sum(r["grade_agreement"] * r["graded_pairs"] for r in runs) / pairs, 2),
        "grade_agreement_low": round(min(r["grade_agreement"] for r in runs), 2),
        "grade_agreement_high": round(max(r["grade_agreement"] for r in runs), 2),
        "neutral_flagged_share": round(
            sum(r["hard_negatives_with_a_claim"] for r in runs) / sum(r["hard_negatives"] for r in runs), 2
        ),
        "second_reader_recall_low": round(min(second), 2),
        "second_reader_recall_high": round(max(second), 2),
        "latest_recall": round(runs[-1]["micro"]["recall"], 2),
        "latest_precision": round(runs[-1]["micro"]["precision"], 2),
    }


def test_the_shipped_figures_are_the_recorded_first_runs() -> None:
    data = _shipped()
    recorded = sorted(first_runs())
    # every fresh round from the first labelled twice on is in the figures: a new first run
    # must be added to the data file when it is recorded
    assert data["last_round"] == max(recorded)
    assert all(n in recorded for n in range(data["first_round"], data["last_round"] + 1))
    want = _recomputed(data["first_round"], data["last_round"])
    assert {k: data[k] for k in want} == want
    assert data["confidence"] == "measured" and "round7_first_run" in data["source"]


def test_the_caveat_states_the_figures() -> None:
    m = load_measured_detection()
    text = m.caveat()
    assert f"{round(100 * m.recall)} %" in text
    assert f"{round(100 * m.recall_low)}–{round(100 * m.recall_high)} % per round" in text
    assert f"{round(100 * (1 - m.precision))} % of what it listed" in text
    assert f"{m.claims_marked:,} claims" in text and "has not been checked" in text
    assert (
        f"round {m.last_round}, the grader as it now stands) it found {round(100 * m.latest_recall)} %"
        in text
    )
    none = m.none_found()
    assert none.startswith("No claims found") and "does not mean" in none
    assert m.to_dict()["caveat"] == text


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("recall", 1.2, "fraction from 0 to 1"),
        ("recall", 0.9, "between recall_low and recall_high"),
        ("precision_low", -0.1, "fraction from 0 to 1"),
        ("rounds", 0, "whole number"),
        ("rounds", 14, "count first_round to last_round"),
        ("claims_marked", True, "whole number"),
        ("neutral_flagged_share", "13 %", "fraction from 0 to 1"),
        ("source", "", "non-empty string"),
    ],
)
def test_an_impossible_value_is_named(field: str, value: Any, words: str) -> None:
    data = _shipped() | {field: value}
    with pytest.raises(MeasuredDetectionError, match=words) as info:
        parse_measured_detection(data)
    assert field.split("_")[0] in str(info.value)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(_shipped())))
def test_a_missing_field_is_named(field: str) -> None:
    data = {k: v for k, v in _shipped().items() if k != field}
    if field == "schema_version":  # not read
        parse_measured_detection(data)
        return
    with pytest.raises(MeasuredDetectionError, match=f"'{field}' is missing"):
        parse_measured_detection(data)


def test_an_unreadable_file_is_an_error(tmp_path: Path) -> None:
    bad = tmp_path / "m.toml"
    bad.write_text("recall = [", encoding="utf-8")
    with pytest.raises(MeasuredDetectionError, match="cannot read"):
        load_measured_detection(str(bad))


runner = CliRunner()


@pytest.fixture(autouse=True)
def no_hook(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(claims_cmd, "context_for_device", None)


def test_the_cli_says_what_a_list_of_claims_leaves_out() -> None:
    m = load_measured_detection()
    out = runner.invoke(app, ["claims", "-"], input="Our LED mask is FDA approved.", env={"COLUMNS": "200"})
    assert out.exit_code == 0 and "misleading" in out.output
    assert m.caveat() in " ".join(out.output.split())


def test_the_cli_says_an_absence_is_weak_evidence() -> None:
    m = load_measured_detection()
    out = runner.invoke(app, ["claims", "-"], input="Wear it for ten minutes.", env={"COLUMNS": "200"})
    flat = " ".join(out.output.split())
    assert out.exit_code == 0 and m.none_found() in flat
    assert "Note: no claims found" not in flat  # said once, in full


def test_json_carries_the_measured_detection() -> None:
    m = load_measured_detection()
    out = runner.invoke(app, ["claims", "-", "--json"], input="Wear it for ten minutes.")
    data = json.loads(out.output)
    assert data["detection"]["recall"] == m.recall and data["detection"]["confidence"] == "measured"
    assert data["detection"]["caveat"] == m.caveat()
    empty = json.loads(runner.invoke(app, ["claims", "-", "--json"], input="").output)
    assert empty["detection"] is None  # nothing was read, so nothing was missed


def test_a_broken_figures_file_does_not_stop_the_report(monkeypatch: pytest.MonkeyPatch) -> None:
    import photodose.claims.measured as measured

    def broken() -> Any:
        raise MeasuredDetectionError("measured detection: field 'recall' is missing; add it")

    monkeypatch.setattr(measured, "load_measured_detection", broken)
    out = runner.invoke(app, ["claims", "-"], input="Our LED mask is FDA approved.")
    assert out.exit_code == 0 and "misleading" in out.output
    assert "field 'recall' is missing" in out.stderr
