"""Claims: the structural detection pieces added for unseen copy (issue 10).

Concept-lexicon tags as classifier features, the outcome-then-result frame, the narration,
side-effect and decline filters, "not only", contrast clauses, per-category thresholds and the
classifier veto.  Each test states the wording it generalises over, with a counter-example that
must stay a claim.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import photodose.claims.classify as classify_mod
from photodose.claims import extract_claims
from photodose.claims.classify import ClassifierError, SentenceClassifier, analyze, parse_classifier
from photodose.claims.concepts import concept_tags, is_reported_or_hedged, load_concepts
from script_module import load_script


def cats(text: str, learned: bool | None = None) -> dict[str, set[str]]:
    """Category -> kinds found; ``learned=False``: the rules alone (tests of a rule's logic)."""
    out: dict[str, set[str]] = {}
    for c in extract_claims(text, learned=learned):
        out.setdefault(c.category, set()).add(c.kind)
    return out


# -- concept tags ------------------------------------------------------------------------------


def test_concept_tags_name_groups_and_their_co_occurrence() -> None:
    tags = concept_tags("The mask does not cause thermal damage.")
    assert "@negator" in tags and "@harm_strong" in tags
    assert "@harm_strong~negator" in tags
    # two wordings of one claim share their concept tags, though they share no word n-gram
    a = set(concept_tags("It will not burn your skin."))
    b = set(concept_tags("Zero risk of injury."))
    assert {"@negator", "@harm_strong", "@harm_strong~negator"} <= a & b
    # an indication is named in the tag
    assert "@outcome:acne" in concept_tags("It clears breakouts fast.")


def test_concept_tags_pair_only_within_a_clause_and_five_words() -> None:
    near = concept_tags("Studies show results.")
    assert "@endorse_evidence~endorse_relation" in near
    far = concept_tags("Studies, the long and winding kind; these are shown elsewhere.")
    assert "@endorse_evidence~endorse_relation" not in far


_WORDS = st.sampled_from(
    [
        *("not", "no", "damage", "burn", "studies", "show", "dermatologists", "recommend", "reduces"),
        *("wrinkles", "acne", "collagen", "boosts", "safe", "painless", "light", "the", "a", ",", ";"),
        *("and", "but", "which", "skin"),
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_WORDS, min_size=0, max_size=25))
def test_concept_tags_are_well_formed_features(words: list[str]) -> None:
    text = " ".join(words)
    tags = concept_tags(text)
    assert tags == concept_tags(text)  # deterministic
    assert all(t.startswith("@") for t in tags)
    groups = {t for t in tags if "~" not in t and ":" not in t}
    for t in tags:
        if "~" in t:
            a, b = t[1:].split("~")
            assert a < b and f"@{a}" in groups and f"@{b}" in groups
    # the classifier sees them beside the word n-grams
    feats = analyze(text)
    assert all(t in feats for t in tags)


# -- frames and filters -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "For example, acne responds well to red and blue light.",
        "Hyperpigmentation, sun damage, and uneven skin tone can benefit from red light therapy.",
        "Fine lines are visibly reduced after eight weeks.",
    ],
)
def test_a_result_said_after_the_outcome_is_an_efficacy_claim(text: str) -> None:
    assert "efficacy" in cats(text)


def test_a_negated_result_after_the_outcome_is_no_frame_claim() -> None:
    hits = [
        c
        for c in extract_claims("Acne does not respond well to red light alone.")
        if c.category == "efficacy"
    ]
    assert not any(c.details.get("frame") == "outcome_result" for c in hits)


@pytest.mark.parametrize(
    "text",
    [
        "A few people have reported skin redness after treatments, but this is usually due to overuse.",
        "Some users report issues with skin rejuvenation and a potential increase in irritation.",
    ],
)
def test_redness_named_as_a_side_effect_is_no_efficacy_claim(text: str) -> None:
    assert "efficacy" not in cats(text)


def test_redness_as_a_result_is_still_an_efficacy_claim() -> None:
    assert "efficacy" in cats("Red light visibly reduces redness and irritation.")


def test_a_mechanism_said_to_decline_is_background_not_a_claim() -> None:
    assert "mechanism" not in cats("After the age of 25, collagen production drops by about 1% per year.")
    assert "mechanism" not in cats("The production of collagen will naturally decrease over time.")
    assert "mechanism" in cats("Red light boosts collagen production, which drops with age.")


@pytest.mark.parametrize(
    "text",
    [
        "Red lamps were used to treat acne in the 1930s, long before anyone sold masks.",
        "So, the theory goes: more collagen, fewer wrinkles.",
        "It promised radiant skin and reduced wrinkles from the comfort of my own home.",
        "Red light therapy has become popular, claiming a spectrum of benefits from reducing wrinkles.",
        "The ASA considered that was a claim that the product could treat or prevent acne.",
        "An acne-fighting facemask has been recalled in Australia.",
        "I could go into dense science about what ATP does, but here is the short version.",
        "Always look for peer-reviewed studies supporting such treatments.",
    ],
)
def test_narration_carries_no_claim(text: str) -> None:
    assert is_reported_or_hedged(text)
    assert cats(text) == {}


def test_use_to_treat_in_the_writers_voice_is_a_claim() -> None:
    # docs/claims-labelling.md, settled after rounds 18-20: "has been used to treat X" offers the
    # use as what it does (until round 19 the grader read it as history and dropped every claim)
    found = cats(
        "Light therapy has been used to treat acne for over a decade, mostly at dermatologists' offices."
    )
    assert set(found) == {"efficacy", "endorsement"}
    assert "efficacy" in cats("Red light has been used to relieve stiff joints in older dogs.")


def test_a_promise_in_the_present_is_still_a_claim() -> None:
    assert not is_reported_or_hedged("Our mask promises radiant skin and reduces wrinkles in 4 weeks.")
    assert "efficacy" in cats("Our mask reduces wrinkles in 4 weeks.")


def test_not_only_affirms() -> None:
    found = cats("The power of light therapy is not only proven by scientific studies but also gentle.")
    assert found.get("endorsement") == {"clinically_proven"}  # not a study count, not negated
    assert "endorsement" not in cats("It is not proven by scientific studies.")


def test_a_warning_inside_an_unlike_contrast_does_not_veto_the_safety_claim() -> None:
    text = "Unlike UV light, which damages DNA and can cause sunburn, red light does not destroy tissue."
    assert cats(text).get("safety") == {"absolute"}
    # a warning about the product itself still vetoes
    assert "safety" not in cats("Red light does not destroy tissue, but it can cause eye strain if misused.")


def test_an_increase_of_a_problem_is_no_efficacy_claim() -> None:
    assert "efficacy" not in cats("Overuse may boost breakouts.")
    assert "efficacy" in cats("It helps reduce breakouts.")


def test_a_study_named_by_journal_is_named() -> None:
    claims = extract_claims(
        "In a March 2017 study in Dermatologic Surgery, researchers found that red LED light "
        "improved wrinkles."
    )
    endorsements = [c for c in claims if c.category == "endorsement"]
    assert endorsements and all(c.details.get("study_named") for c in endorsements)
    assert all(c.kind == "clinically_proven" for c in endorsements)


# -- the classifier: thresholds per category and the veto ---------------------------------------


def _tiny_classifier(weight: float, **extra: object) -> SentenceClassifier:
    cats_ = ["efficacy", "mechanism", "depth", "regulatory", "endorsement", "safety", "comparison"]
    return parse_classifier(
        {
            "categories": cats_,
            "vocabulary": {"@harm_strong~negator": 0},
            "idf": [1.0],
            "coef": [[weight] for _ in cats_],
            "intercept": [0.0 for _ in cats_],
            "thresholds": dict.fromkeys(cats_, 0.5),
            **extra,
        }
    )


@pytest.fixture
def use_classifier(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    def install(clf: SentenceClassifier) -> None:
        monkeypatch.setattr(classify_mod, "load_classifier", lambda *_a, **_k: clf)

    yield install


def test_veto_drops_frame_claims_the_classifier_scores_low(use_classifier) -> None:  # type: ignore[no-untyped-def]
    text = "The mask does not cause thermal damage."
    use_classifier(_tiny_classifier(0.0))  # p = 0.5 everywhere, no veto
    assert cats(text, False).get("safety") == {"absolute"}
    use_classifier(_tiny_classifier(-10.0, veto={"safety": 0.3}))  # p ≈ 0: vetoed
    assert "safety" not in cats(text, False)
    use_classifier(_tiny_classifier(10.0, veto={"safety": 0.3}))  # p ≈ 1: kept
    assert cats(text, False).get("safety") == {"absolute"}


def test_veto_scope_frames_spares_pattern_claims(use_classifier) -> None:  # type: ignore[no-untyped-def]
    text = "It has no side effects."  # a phrase-pattern claim, not a frame
    use_classifier(_tiny_classifier(-10.0, veto={"safety": 0.3}))
    assert "safety" in cats(text, False)
    use_classifier(_tiny_classifier(-10.0, veto={"safety": 0.3}, veto_scope="all"))
    assert "safety" not in cats(text, False)


def test_malformed_veto_is_rejected() -> None:
    with pytest.raises(ClassifierError):
        _tiny_classifier(0.0, veto={"nonsense": 0.3})
    with pytest.raises(ClassifierError):
        _tiny_classifier(0.0, veto_scope="sometimes")


def test_shipped_thresholds_are_per_category_and_from_the_grid() -> None:
    bench = load_script("benchmarks/claims.py", "claims_benchmark")
    clf = classify_mod.load_classifier()
    assert clf is not None
    assert clf.thresholds == bench.THRESHOLDS
    assert all(t in (*bench.THRESHOLD_GRID, 0.95) for t in clf.thresholds.values())
    assert clf.meta["training_rows"] >= 700
    # a replaced threshold changes what the classifier may add, nothing else about it
    lowered = dataclasses.replace(clf, thresholds=dict.fromkeys(clf.categories, 0.0))
    text = "Experts vouch for this gentle ritual."
    assert set(lowered.flagged(text)) == set(clf.categories)


def test_concept_lexicons_load_every_group() -> None:
    c = load_concepts()
    names = [n for n, _lex in c.tag_lexicons]
    assert len(names) == len(set(names))
    for required in ("negator", "harm_strong", "effect", "result_after", "outcome", "endorse_relation"):
        assert required in names
    assert all(len(lex) for _n, lex in c.tag_lexicons)


@pytest.mark.parametrize(
    "sentence",
    [
        "It was shown to the patient before treatment.",
        "Results were shown to the clinic staff.",
        "The mask was shown to patients in the waiting room.",
        "The chart is shown to your therapist at each visit.",
    ],
)
def test_a_thing_shown_to_someone_is_no_endorsement(sentence: str) -> None:
    # the classifier scored the first 0.99 for endorsement; the gate's "shown" now needs the
    # research sense ("shown to reduce"), not a thing shown to a person
    assert not [c for c in extract_claims(sentence) if c.category == "endorsement"]


@pytest.mark.parametrize(
    "sentence",
    [
        "Red light has been shown to work.",
        "Studies have shown it clears acne.",
        "It is clinically shown to help.",
    ],
)
def test_shown_in_the_research_sense_stays_an_endorsement(sentence: str) -> None:
    assert [c for c in extract_claims(sentence) if c.category == "endorsement"]


def test_a_condition_that_responds_well_to_the_light_is_an_efficacy_claim() -> None:
    # paraphrases of a round 29 row (development since its first run), in no data file
    for text in (
        "Stubborn acne responds very well to blue light.",
        "Arthritis pain responds favourably to laser therapy.",
    ):
        assert [c for c in extract_claims(text) if c.category == "efficacy"], text
    for text in ("Our customers respond well to our emails.", "Most molecules respond well to red light."):
        assert not [c for c in extract_claims(text) if c.category == "efficacy"], text
