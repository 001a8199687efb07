"""The learned sentence model of the claims grader (photodose.claims.learned).

Checked against what produced it: the probabilities recorded when it was trained and exported
(torch fp32, and the int8 ONNX file in onnxruntime), so the shipped files, the tokenizer and the
batching here are the ones that were measured on fresh rounds.  Then how the grader uses it.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claims_results import first_runs
from photodose.claims import assess_text, extract_claims
from photodose.claims import learned as learned_mod
from photodose.claims.learned import LearnedModelError, load_card, load_model, model_dir, parse_card

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "benchmarks" / "results" / "claims_model" / "reference.json"


def _reference() -> dict[str, Any]:
    return json.loads(REFERENCE.read_text(encoding="utf-8"))


def test_the_shipped_file_is_the_one_the_card_names() -> None:
    card = load_card()
    digest = hashlib.sha256((model_dir() / card.model_file).read_bytes()).hexdigest()
    assert digest == card.model_sha256
    train = json.loads((REFERENCE.parent / "train.json").read_text(encoding="utf-8"))
    assert train["onnx_int8_sha256"] == card.model_sha256


def test_it_reproduces_the_probabilities_recorded_at_export() -> None:
    ref = _reference()
    assert tuple(ref["categories"]) == load_card().categories
    rows = ref["rows"]
    got = load_model().probabilities([r["sentence"] for r in rows])
    int8 = np.array([r["int8"] for r in rows])
    torch_fp32 = np.array([r["torch_fp32"] for r in rows])
    # the same int8 file in the same runtime, each sentence alone: equal but for rounding
    assert np.abs(got - int8).max() < 1e-4
    # against the trained model itself (torch, fp32): int8 moves probabilities a little (up to
    # 0.24 over 1,500 development rows: benchmarks/results/claims_model/quantisation.json)
    assert np.abs(got - torch_fp32).max() < 0.25
    decided = (torch_fp32 >= 0.95) | (torch_fp32 <= 0.85)  # clear of the 0.9 threshold
    assert ((got >= 0.9) == (torch_fp32 >= 0.9))[decided].all()


@settings(max_examples=20, deadline=None)
@given(st.lists(st.integers(0, 39), min_size=1, max_size=12, unique=True))
def test_a_sentence_scores_the_same_in_any_batch(picks: list[int]) -> None:
    """A sentence's probabilities do not depend on the sentences scored with it (int8 dynamic
    quantisation scales a call's activations together, so the card scores one at a time)."""
    sentences = [r["sentence"] for r in _reference()["rows"]]
    model = load_model()
    alone = np.vstack([model.probabilities([sentences[i]]) for i in picks])
    together = model.probabilities([sentences[i] for i in picks])
    assert np.abs(alone - together).max() < 1e-6


def test_probabilities_of_nothing_and_of_odd_text() -> None:
    model = load_model()
    assert model.probabilities([]).shape == (0, 8)
    p = model.probabilities(["", "\x00\x01", "漢字のみ", "a" * 50_000])
    assert p.shape == (4, 8)
    assert np.isfinite(p).all()
    assert ((p >= 0) & (p <= 1)).all()


def _model_only_sentence() -> tuple[str, str]:
    """A reference sentence and category the model claims and the rules alone do not."""
    card = load_card()
    for r in _reference()["rows"]:
        by_rules = {c.category for c in extract_claims(r["sentence"], learned=False)}
        for k, cat in enumerate(card.categories):
            if r["int8"][k] >= card.thresholds[cat] + 0.03 and cat not in by_rules:
                return r["sentence"], cat
    pytest.fail("no reference sentence has a claim only the model finds; record others")


def test_the_model_adds_a_claim_the_rules_miss_and_the_rules_grade_it() -> None:
    sentence, cat = _model_only_sentence()
    with_model = assess_text(sentence)
    added = [g for g in with_model.claims if g.claim.rule_id == f"learned.{cat}"]
    assert added, sentence
    g = added[0]
    assert g.claim.details["model_probability"] >= load_card().thresholds[cat]
    assert g.reasons and g.reasons[0]  # graded with the rules' reasons
    assert g.reasons[-1].startswith("Found by the learned sentence model (probability 0.")
    rules_only = assess_text(sentence, learned=False)
    assert not [c for c in rules_only.claims if c.claim.rule_id.startswith("learned.")]


def test_the_model_never_duplicates_a_category_the_rules_found() -> None:
    for r in _reference()["rows"]:
        claims = extract_claims(r["sentence"])
        by_rules = {c.category for c in claims if not c.rule_id.startswith("learned.")}
        by_model = {c.category for c in claims if c.rule_id.startswith("learned.")}
        assert not by_rules & by_model, r["sentence"]


def test_a_long_text_is_read_by_the_rules_alone_and_the_report_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sentence, _ = _model_only_sentence()
    card = load_card()
    short = replace_card(monkeypatch, max_text_chars=len(sentence) - 1)
    assert short.max_text_chars < len(sentence)
    report = assess_text(sentence)
    assert not [g for g in report.claims if g.claim.rule_id.startswith("learned.")]
    assert any("did not read it" in n and f"{len(sentence) - 1:,}" in n for n in report.notes)
    monkeypatch.setattr(learned_mod, "load_card", lambda: card)
    assert not any("did not read it" in n for n in assess_text(sentence).notes)


def test_a_text_of_many_short_sentences_is_read_by_the_rules_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap in characters, not for the model: the sentence count bounds it too."""
    card = load_card()
    text = "Hi. " * (card.max_sentences + 1)
    assert len(text) < card.max_text_chars

    def never() -> Any:
        pytest.fail("the learned model was loaded for a text over max_sentences")

    monkeypatch.setattr(learned_mod, "load_model", never)
    report = assess_text(text)
    assert any(
        f"{card.max_sentences + 1:,} sentences, more than the {card.max_sentences:,}" in n
        for n in report.notes
    )
    assert not extract_claims(text)  # the library call decides the same way (and finds nothing)


def replace_card(monkeypatch: pytest.MonkeyPatch, **changes: Any) -> Any:
    import dataclasses

    card = dataclasses.replace(load_card(), **changes)
    monkeypatch.setattr(learned_mod, "load_card", lambda: card)
    return card


def test_a_broken_model_leaves_the_rules_and_a_note(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> Any:
        raise LearnedModelError("claims model: cannot load (test)")

    monkeypatch.setattr(learned_mod, "load_model", broken)
    report = assess_text("Our LED mask is FDA approved.")
    assert [g.claim.category for g in report.claims] == ["regulatory"]
    assert any("could not be used" in n and "rules alone" in n for n in report.notes)


def _card_data() -> dict[str, Any]:
    return tomllib.loads((model_dir() / "model.toml").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda d: d["use"]["thresholds"].pop("safety"), "every category"),
        (lambda d: d["use"]["thresholds"].__setitem__("safety", 1.5), "(0, 1]"),
        (lambda d: d["use"]["thresholds"].__setitem__("safety", "high"), "malformed"),
        (lambda d: d["use"].__setitem__("batch", 0), "batch"),
        (lambda d: d.pop("model_file"), "model_file"),
        (lambda d: d.pop("use"), "use"),
        (lambda d: d["use"]["doubt"].__setitem__("output", 0.1), "[use.doubt]"),
        (lambda d: d["use"]["doubt"].__setitem__("safety", 0.0), "[use.doubt]"),
        (lambda d: d.pop("doubt_measured"), "malformed"),
        (lambda d: d["doubt_measured"].__setitem__("readers_claims", 500), "readers_claims"),
    ],
)
def test_a_malformed_card_is_named(change: Any, words: str) -> None:
    data = _card_data()
    change(data)
    with pytest.raises(LearnedModelError, match=None) as err:
        parse_card(data)
    assert words in str(err.value)


DOUBTED = "The trainer swore by it for hamstring strains."  # a guide convention the model never learned
CLAIMED = "Our mask reduces wrinkles."


def test_a_rule_claim_the_model_reads_as_none_is_kept_and_marked_doubtful() -> None:
    card = load_card()
    p = float(load_model().probabilities([DOUBTED])[0][card.categories.index("endorsement")])
    assert p < card.doubt["endorsement"]
    report = assess_text(DOUBTED)
    [g] = [g for g in report.claims if g.category == "endorsement"]
    assert g.claim.details["model_doubt"] == round(p, 3)
    assert g.grade.value == "unsupported"  # graded as before: the rules keep the last word
    assert g.reasons[-1].startswith("Doubtful: the learned sentence model reads no endorsement claim here")
    measured = _card_data()["doubt_measured"]
    assert f"of {measured['claims']} such claims" in g.reasons[-1]
    assert f"{measured['readers_claims']} were claims to a careful reader" in g.reasons[-1]
    assert g.doubtful and g.to_dict()["doubtful"] is True  # and the JSON carries it
    assert "model_doubt" in g.to_dict()["details"]
    # read by the rules alone, nothing is marked; a claim the model agrees with is not marked
    assert not any("model_doubt" in c.details for c in extract_claims(DOUBTED, learned=False))
    assert not any("model_doubt" in c.details for c in extract_claims(CLAIMED))
    assert not any(g.doubtful or g.to_dict()["doubtful"] for g in assess_text(CLAIMED).claims)


def test_no_doubt_without_the_cards_table(monkeypatch: pytest.MonkeyPatch) -> None:
    replace_card(monkeypatch, doubt={}, doubt_note="")
    monkeypatch.setattr(learned_mod, "load_model", lambda: learned_mod.SentenceModel(learned_mod.load_card()))
    assert not any("model_doubt" in c.details for c in extract_claims(DOUBTED))


def test_the_doubt_figures_are_the_measured_ones() -> None:
    """model.toml's [doubt_measured] and [use.doubt] are what category_thresholds.py recorded."""
    rec = json.loads(
        (ROOT / "benchmarks" / "results" / "claims_model" / "category_thresholds.json").read_text()
    )
    marks = rec["doubt_marks"]
    data = _card_data()
    assert marks["values"] == data["use"]["doubt"] == rec["veto_chosen"]
    # what a mark is said to be worth: every fresh round's first run since it shipped, pooled
    measured = data["doubt_measured"]
    runs = {n: run["doubt_marks"] for n, run in first_runs().items() if "doubt_marks" in run}
    assert min(runs) == measured["first_round"] == 44
    # a new round's first run must be added to the card when it is recorded
    assert max(runs) == measured["last_round"]
    assert measured["rounds"] == f"{measured['first_round']}–{measured['last_round']}"
    assert measured["claims"] == sum(r["claims"] for r in runs.values())
    assert measured["readers_claims"] == sum(r["readers_claims"] for r in runs.values())
    assert measured["confidence"] == "measured"
    # the figure before it, read afterwards on rounds 24-43, is the one category_thresholds.py recorded
    assert (marks["pooled_24_43"]["claims"], marks["pooled_24_43"]["readers_claims"]) == (392, 76)


def test_the_card_cites_its_source_and_confidence() -> None:
    card = load_card()
    assert card.confidence == "measured"
    assert "train.py" in card.source and "union_grid" in card.source


#: Sentences the model of round 23's first run (trained on 9,498 rows) claimed wrongly, a category
#: the guide says is not there (p 0.90-0.94); the model retrained with round 23's rows gets each
#: right, as the rules alone do.  Kept so that a later model that errs on them again is seen.
#: A third, "Red light does not destroy tissue, but it can cause eye strain if misused." (safety),
#: was dropped in stop 30: two labeller sessions, blind to it and to each other, both labelled it
#: safety under the guide ("does not harm" is an absolute safety claim; the eye-strain clause is a
#: warning beside it), so the model's reading was right and the entry wrong.
FORMER_ERRORS = [
    ("Overuse may boost breakouts.", "efficacy"),  # an increase of a problem
    ("Heat therapy relieves stiff backs after long drives.", "efficacy"),  # heat, not light
]


@pytest.mark.parametrize(("sentence", "category"), FORMER_ERRORS)
@pytest.mark.parametrize("learned", [None, False])
def test_former_errors_of_the_learned_model_stay_mended(
    sentence: str, category: str, learned: bool | None
) -> None:
    assert category not in {c.category for c in extract_claims(sentence, learned=learned)}


def test_progress_moves_while_the_model_reads() -> None:
    """The model takes seconds on a long page: assess_text reports how far it has read."""
    sentences = [r["sentence"] for r in _reference()["rows"]] * 4  # over 64 sentences: 2 parts or more
    text = " ".join(sentences)
    seen: list[tuple[int, int]] = []
    assess_text(text, progress=lambda done, total: seen.append((done, total)))
    assert len(seen) >= 3 and seen[-1] == (len(text), len(text))
    done = [d for d, _ in seen]
    assert done == sorted(done) and 0 < done[0] < len(text)
    seen.clear()
    assess_text(text, progress=lambda done, total: seen.append((done, total)), learned=False)
    assert seen == [(len(text), len(text))]  # the rules alone: one block, one report
