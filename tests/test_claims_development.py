"""Claims: the development set (corpus + round 5 + batch files), the failure classes round 5
showed, and the speed-ups that must not change a result (docs/claims.md "Measured quality").

The detection tests use sentences of the kinds round 5 missed or flagged, each with a paraphrase
that is in no data file: the fixes are meant to be structural (a frame, a filter, a lexicon
group), so the paraphrase must behave like the development sentence.
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from photodose.claims import SEVERITY, assess_text, extract_claims, load_rules
from photodose.claims.concepts import is_heading, is_topic_heading
from script_module import load_script

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return load_script("benchmarks/claims.py", "claims_benchmark_dev")


def worst(text: str) -> dict[str, str]:
    """Category -> worst grade of that category's claims in ``text`` (as the benchmark scores)."""
    out: dict[str, Any] = {}
    for g in assess_text(text).claims:
        if g.category not in out or SEVERITY[g.grade] > SEVERITY[out[g.category]]:
            out[g.category] = g.grade
    return {c: g.value for c, g in out.items()}


# -- the development set ---------------------------------------------------------------------

_GOOD_ROW = """
[[rows]]
id = 99001
split = "development"
batch = "grow_test"
brand = "Acme"
sentence = "Our mask reduces wrinkles."
source = "https://example.com/a"
source_confidence = "verbatim"
device = ""
expected_category = "efficacy"
expected_grade = "not_checkable"
"""


def _batch(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "claims_grow_test.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_a_batch_file_is_loaded_and_validated(bench: ModuleType, tmp_path: Path) -> None:
    _rows, contexts = bench.load_corpus()
    rows = bench.load_batch(_batch(tmp_path, _GOOD_ROW), contexts)
    assert [r["id"] for r in rows] == [99001]


@pytest.mark.parametrize(
    ("old", "new", "names"),
    [
        ('brand = "Acme"\n', "", "field 'brand' is missing"),
        ('split = "development"', 'split = "held_out_6"', "split must be 'development'"),
        ('expected_grade = "not_checkable"', 'expected_grade = "not_checkable|supported"', "2 grades"),
        ('expected_category = "efficacy"', 'expected_category = "wavelength"', "'wavelength' is not one of"),
        ('expected_grade = "not_checkable"', 'expected_grade = "fine"', "'fine' is not one of"),
        ('source_confidence = "verbatim"', 'source_confidence = "guess"', "source_confidence"),
        ('device = ""', 'device = "no-such-device"', "has no [contexts] fixture"),
        ("id = 99001", 'id = "x"', "id must be an integer"),
    ],
)
def test_a_malformed_batch_row_is_refused_naming_the_row_and_field(
    bench: ModuleType, tmp_path: Path, old: str, new: str, names: str
) -> None:
    _rows, contexts = bench.load_corpus()
    assert old in _GOOD_ROW
    with pytest.raises(bench.DevelopmentDataError, match=r"claims_grow_test\.toml row") as err:
        bench.load_batch(_batch(tmp_path, _GOOD_ROW.replace(old, new)), contexts)
    assert names in str(err.value)


def test_development_rows_are_the_corpus_round_5_and_the_batches(bench: ModuleType, tmp_path: Path) -> None:
    rows, _ = bench.load_development(batches=())
    origins: dict[str, int] = {}
    for r in rows:
        origins[r["origin"]] = origins.get(r["origin"], 0) + 1
    assert origins["claims_heldout_round5"] == 305  # 315 less the 10 dropped at its first run
    assert not {r["id"] for r in rows} & bench.ROUND5_LEAKED
    assert len({r["id"] for r in rows}) == len(rows)
    # round 5's labeller did not label stated wavelengths or irradiance: those are not scored there
    r5 = next(r for r in rows if r["origin"] == "claims_heldout_round5")
    assert "wavelength" not in r5["labelled"] and "efficacy" in r5["labelled"]
    # a batch file is added when present; a row repeating an earlier sentence is scored once
    dup = _GOOD_ROW + _GOOD_ROW.replace("99001", "99002")
    with_batch, _ = bench.load_development(batches=(_batch(tmp_path, dup),))
    assert len(with_batch) == len(rows) + 1
    clash = _GOOD_ROW.replace("99001", str(rows[0]["id"]))
    with pytest.raises(bench.DevelopmentDataError, match="id is used by another"):
        bench.load_development(batches=(_batch(tmp_path, clash),))


def test_round_5_is_used_only_as_labelled(bench: ModuleType, tmp_path: Path) -> None:
    copy = tmp_path / "claims_heldout_round5.toml"
    shutil.copy(bench.FRESH_ROUND_5, copy)
    text = copy.read_text(encoding="utf-8")
    copy.write_text(text.replace('expected_grade = "partly_supported|misleading"', 'expected_grade = ""', 1))
    with pytest.raises(bench.DevelopmentDataError, match="labels no longer match"):
        bench.load_development(round5=copy, batches=())


def test_unlabelled_categories_are_not_scored(bench: ModuleType) -> None:
    row = {
        "id": 1,
        "sentence": "x",
        "device": "",
        "expected_category": "none",
        "expected_grade": "",
        "labelled": bench.LABELLED_8,
    }
    sc = bench.score([row], {}, {1: {"wavelength": "not_checkable"}})
    assert sc["hard_negatives_with_a_claim"] == 0 and sc["per_category"]["wavelength"]["fp"] == 0
    sc = bench.score([{**row, "labelled": None}], {}, {1: {"wavelength": "not_checkable"}})
    assert sc["hard_negatives_with_a_claim"] == 1


def _fresh_two(rows: list[tuple[str, str, str, str, str]]) -> str:
    """A fresh-round file labelled twice: (sentence, first category, first grade, second category,
    second grade) per row, with the three sha256 header lines computed by the header recipe."""
    import hashlib

    def sha(lines: list[str]) -> str:
        return hashlib.sha256("\n".join(lines).encode()).hexdigest()

    first = sha(["\t".join((r[1], r[2], "")) for r in rows])
    second = sha(["\t".join((r[3], r[4], "")) for r in rows])
    head = [
        f"# sha256(rows' sentence text) = {sha([r[0] for r in rows])}",
        f"# sha256(rows' labels)        = {first}",
        f"# sha256(second labels)       = {second}",
    ]
    body = [
        f'[[rows]]\nid = {7901 + i}\nsplit = "held_out_test"\nbrand = "Acme"\nsentence = "{s}"\n'
        f'source = "https://example.com/{i}"\nsource_confidence = "verbatim"\ndevice = ""\n'
        f'expected_category = "{c1}"\nexpected_grade = "{g1}"\n'
        f'second_category = "{c2}"\nsecond_grade = "{g2}"\n'
        for i, (s, c1, g1, c2, g2) in enumerate(rows)
    ]
    return "\n".join(head) + "\n\n" + "\n".join(body)


def test_a_round_labelled_twice_measures_the_labellers_against_each_other(
    bench: ModuleType, tmp_path: Path
) -> None:
    """The second labeller is scored against the first as the grader is; the grader is also
    scored against the second and on the rows both labelled alike."""
    rows = [
        ("Zorblax light erases every wrinkle for good.", "efficacy", "misleading", "efficacy", "misleading"),
        ("Zorblax is loved by dermatologists everywhere.", "none", "", "endorsement", "unsupported"),
        ("Zorblax ships in a blue box within three days.", "none", "", "none", ""),
        (
            "Zorblax smooths fine lines, says our founder.",
            "efficacy",
            "unsupported",
            "efficacy",
            "not_checkable",
        ),
    ]
    path = tmp_path / "claims_heldout_test.toml"
    path.write_text(_fresh_two(rows), encoding="utf-8")
    result = bench.evaluate_fresh(path)
    human = result["second_labeller_vs_first"]
    # the second labeller finds both of the first one's claims, adds one, and grades one of two alike
    assert human["micro"] == {"precision": round(2 / 3, 4), "recall": 1.0}
    assert human["grade_agreement"] == 0.5 and human["hard_negatives_with_a_claim"] == 1
    assert result["agreed_rows"] == 2 and result["grader_on_agreed_rows"]["rows"] == 2
    assert result["grader_vs_second"]["rows"] == 4
    # the second labels are checked like the first: an edit after labelling is refused
    path.write_text(_fresh_two(rows).replace('second_grade = "not_checkable"', 'second_grade = "supported"'))
    with pytest.raises(bench.DevelopmentDataError, match="second labeller's labels no longer match"):
        bench.load_fresh(path)


def test_a_second_labellers_malformed_labels_are_refused_naming_the_field(
    bench: ModuleType, tmp_path: Path
) -> None:
    """The second labeller's labels are validated by the same check as the first one's."""
    rows = [
        ("Zorblax light erases every wrinkle for good.", "efficacy", "misleading", "efficacy", "misleading"),
        ("Zorblax ships in a blue box within three days.", "none", "", "none", "unsupported"),
    ]
    path = tmp_path / "claims_heldout_test.toml"
    path.write_text(_fresh_two(rows), encoding="utf-8")
    with pytest.raises(bench.DevelopmentDataError, match="second_grade must be empty for a 'none' row"):
        bench.load_fresh(path)


# -- the failure classes of round 5 ------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        # reported speech, rulings and letters, "it is claimed that", a theory, label talk
        "It is claimed that it is non-ablative, painless and there are no side effects.",
        "It has been alleged that the lamp heals acne scars.",
        "A popular but contested theory is that the mitochondria absorb photons.",
        "Claims include tissue repair, immune boosting, collagen production and even cancer.",
        "We are writing to you because your firm is marketing infrared lamps for uses that were not cleared.",
        "In my experience, creams that claim to shrink pores fall short of their promises.",
        "So basically: FDA-cleared = it has been reviewed for safety, not proof that it works.",
        "In this article, we break down what the science says about LED masks.",
        "This post covers the potential benefits of red light for acne, scars and psoriasis.",
        "There is not enough conclusive research confirming it is completely safe during pregnancy.",
        "Just because there isn't evidence to support something doesn't mean none will emerge.",
        # warnings and advice that open a sentence
        "Do not apply light to an open wound, as heat may stimulate circulation and cause bleeding.",
        "Talk to your doctor before you use any device, even if it claims to be FDA cleared.",
        # a disclaimer that a home device is weaker than a clinic's
        "At-home masks emit these same wavelengths but at much lower intensities than clinic-grade devices.",
        # prevalence, not an effect
        "Acne is a common condition that affects 70% of adolescents.",
    ],
)
def test_sentences_that_talk_about_claims_carry_none(sentence: str) -> None:
    assert worst(sentence) == {}


@pytest.mark.parametrize(
    ("sentence", "category", "grade"),
    [
        # (b) a comparison said as availability
        (
            "Now for the first time this same amazing technology is available for you at home.",
            "comparison",
            None,
        ),
        (
            "The LightStim for Wrinkles is engineered to deliver a clinical dose in a home setting.",
            "comparison",
            None,
        ),
        (
            "Our panel brings the benefits of professional light therapy right into your home.",
            "comparison",
            None,
        ),
        ("They are cost-effective alternatives to professional treatments.", "comparison", None),
        # (c) endorsement paraphrases
        (
            "The clinical consensus is that red light treatments are generally safe.",
            "endorsement",
            "unsupported",
        ),
        (
            "Dr. Schweiger recommends that patients with acne use a blue light device daily.",
            "endorsement",
            None,
        ),
        ("After testing dozens of masks we opted to endorse this one.", "endorsement", "unsupported"),
        (  # a count of the whole field's studies: unsupported (the guide, settled after round 10)
            "Out of 5,000 (mostly small) light studies, the vast majority support it.",
            "endorsement",
            "unsupported",
        ),
        # (d) a claim folded into a description of a wavelength
        (
            "Near-infrared (830-850 nm) penetrates deeper and is often included for recovery support.",
            "efficacy",
            "unsupported",
        ),
        ("Near-infrared acts on inflammation in deep tissues.", "efficacy", "unsupported"),
        # (e) safety without a safety adjective
        ("There's no trauma to the skin.", "safety", "misleading"),
        ("Individuals without eye conditions do not need to use eye protection.", "safety", "misleading"),
        ("Unlike surgical lasers, these devices do not cut or heat tissue.", "safety", "misleading"),
        ("There are very few side effects.", "safety", "partly_supported"),
    ],
)
def test_round_5_misses_are_found(sentence: str, category: str, grade: str | None) -> None:
    got = worst(sentence)
    assert category in got, got
    if grade is not None:
        assert got[category] == grade


@pytest.mark.parametrize(
    ("sentence", "category", "grade"),
    [
        # absolute safety wording is misleading (docs: "no side effects")
        ("Red light appears to be safe and not associated with any side effects.", "safety", "misleading"),
        # safety in pregnancy: no study in the evidence database included pregnant women
        ("Given its low power, there is no need to worry about fetal exposure.", "safety", "unsupported"),
        (
            "Red light is generally considered safe to use during pregnancy, but consult your doctor.",
            "safety",
            "unsupported",
        ),
        # an indication no trial studied, listed with a studied one, makes the claim unsupported
        (
            "Hyperpigmentation, sun damage, and uneven skin tone can benefit from red light therapy.",
            "efficacy",
            "unsupported",
        ),
        # a clearance said to be a review of efficacy is misleading (510(k): substantial equivalence)
        (
            "The FDA evaluates these devices for safety and efficacy, ensuring they meet guidelines.",
            "regulatory",
            "misleading",
        ),
        (
            "FDA clearance means the U.S. Food and Drug Administration found it safe and effective.",
            "regulatory",
            "misleading",
        ),
    ],
)
def test_round_5_grades_follow_the_grade_definitions(sentence: str, category: str, grade: str) -> None:
    assert worst(sentence).get(category) == grade


def test_fda_cleared_for_indications_is_not_an_efficacy_claim() -> None:
    got = worst(
        "Because they are Class II devices, the FDA clears them for use in treating wrinkles and acne."
    )
    assert "efficacy" not in got and "regulatory" in got


# -- speed-ups that change no result ----------------------------------------------------------


def _claims(text: str, *, prefilter: bool) -> list[tuple[Any, ...]]:
    return [
        (c.start, c.end, c.category, c.kind, c.rule_id, c.text, repr(sorted(c.details.items())))
        for c in extract_claims(text, prefilter=prefilter)
    ]


def test_fast_paths_give_the_reference_result_on_a_claim_dense_page(bench: ModuleType) -> None:
    """The prefilters, the lowercase copies of case-insensitive expressions, the per-sentence
    caches and the frame-anchor narrowing against the plain path (every expression over the
    original text, no anchors): the same claims with the same offsets, texts and details."""
    text = bench._synthetic_text(150_000, seed=3)
    fast = _claims(text, prefilter=True)
    assert len(fast) > 500
    assert fast == _claims(text, prefilter=False)


def test_counted_claims_get_the_grades_listed_claims_would() -> None:
    """Claims beyond the listing cap are graded without reasons or citations: the counts per
    grade are those of grading every claim in full."""
    rules = load_rules()
    text = (ROOT / "tests" / "data" / "claims_corpus.toml").read_text(encoding="utf-8")[:120_000]
    capped = assess_text(text, rules=dataclasses.replace(rules, max_listed_claims=20, block_chars=30_000))
    full = assess_text(text, rules=dataclasses.replace(rules, max_listed_claims=10**9, block_chars=30_000))
    assert capped.total_claims == full.total_claims > 100
    assert capped.counts == full.counts


# -- the labelling guide's conventions (docs/claims-labelling.md) --------------------------------
#
# The development rows were relabelled to the guide on 2026-11-30 (ids in each file's header);
# these are the structural rules that follow it, each checked on sentences in no data file and on
# look-alikes that must stay free of the claim.


@pytest.mark.parametrize(
    ("sentence", "category", "grade"),
    [
        # "painless", "non-invasive": true of LED light, silent on eyes, drugs and conditions
        ("Our LED facial is painless and completely non-invasive.", "safety", "partly_supported"),
        ("A pain-free session with no recovery time.", "safety", "partly_supported"),
        # a named expert vouching for it is a personal endorsement
        (
            "“It calms redness beautifully,” says Dr. Amelia Stone, a dermatologist in Leeds.",
            "endorsement",
            "unsupported",
        ),
        (
            "According to Mara Quinn, a licensed esthetician, red light smooths fine lines.",
            "endorsement",
            "unsupported",
        ),
        # use by professionals offered as backing
        ("Doctors have been using this light for decades.", "endorsement", "unsupported"),
        ("This technology has been used for years by dermatologists.", "endorsement", "unsupported"),
        ("Loved by A-listers and celebrities alike.", "endorsement", "unsupported"),
        # unnamed research offered as backing, in other words
        ("Research suggests it may ease stiffness in the knees.", "endorsement", "unsupported"),
        ("In one trial, volunteers who used the cap saw thicker hair.", "endorsement", "unsupported"),
        ("There is solid science behind these masks.", "endorsement", "unsupported"),
        # seen in rounds 25 and 28 (stop 28): other adjectives, and "is found effective"
        ("There's genuine science behind these lamps.", "endorsement", "unsupported"),
        # seen in rounds 25-28 (stop 28): surgery, transplants and skincare routines as the other treatment
        (
            "Unlike surgical options such as transplants, the cap needs no downtime.",
            "comparison",
            "unsupported",
        ),
        (
            "Unlike traditional skincare routines, this wand works below the surface.",
            "comparison",
            "unsupported",
        ),
        ("Near-infrared light is found effective in easing stiff knees.", "endorsement", "unsupported"),
        # an effect with nothing to grade it against
        ("Honestly, it really works.", "efficacy", "not_checkable"),
        ("These lamps can transform your complexion.", "efficacy", "not_checkable"),
        ("The results are undeniable.", "efficacy", "not_checkable"),
        # settled after round 7: users offered as backing, passive research, other treatments
        ("Elite athletes use these panels before every race.", "endorsement", "unsupported"),
        ("It has been confirmed that near-infrared light eases sore joints.", "endorsement", "unsupported"),
        ("Our pads are more effective than a heating pad.", "comparison", "unsupported"),
        ("The glow panel works far better than painkillers for back aches.", "comparison", "unsupported"),
        # seen in round 8: backing and comparisons in other words
        ("The lamp has shown remarkable promise for sore shoulders.", "endorsement", "unsupported"),
        ("It has been established that red light calms acne.", "endorsement", "unsupported"),
        ("These panels carry less risk than lasers.", "comparison", "unsupported"),
        ("The wand mimics the facials that professionals charge for.", "comparison", "not_checkable"),
        ("Unlike pain medications, the wrap works without pills.", "comparison", "unsupported"),
        ("Use it daily for two weeks and you will see a real difference.", "efficacy", "not_checkable"),
        ("At-home masks still yield excellent results when used as directed.", "efficacy", "not_checkable"),
        # the tables settled after rounds 8-10, applied to every development row on this stop
        ("Our wand is kinder to skin than microdermabrasion or peels.", "comparison", "unsupported"),
        ("Unlike ablative resurfacing, the panel leaves the surface intact.", "comparison", "unsupported"),
        ("Unlike UV phototherapy, these lamps are non-ionising.", "comparison", "unsupported"),
        ("More than 400 trials have been published on photobiomodulation.", "endorsement", "unsupported"),
        ("Our helmet is backed by more than 60 clinical trials.", "endorsement", "misleading"),
        ("Red light smooths wrinkles around the eyes (Lee et al. 2019).", "endorsement", "not_checkable"),
        ("Near-infrared light calms inflammation in the gums.", "mechanism", "partly_supported"),
        ("The pad lowers inflammatory markers after exercise.", "mechanism", "partly_supported"),
        # seen in round 12: indications beyond the face, none with a trial in the evidence database
        ("The blue mouthpiece lifts tooth stains in a week.", "efficacy", "unsupported"),
        ("Our light brush soothes gum inflammation and fights bad breath.", "efficacy", "unsupported"),
        ("The wrist laser helps reduce blood pressure naturally.", "efficacy", "unsupported"),
        ("Near-infrared light relieves neuropathy in the feet.", "efficacy", "unsupported"),
        # testimonials summarised as backing; a hyphenated title before the expert
        ("Owners often report calmer joints in older dogs after a month.", "endorsement", "unsupported"),
        ("“It clears acne,” says board-certified dermatologist Dr Ana Ruiz.", "endorsement", "unsupported"),
        # comparisons with other treatments in other words
        ("The wrap is far safer compared to harsh acne treatments.", "comparison", "unsupported"),
        ("Our panel offers a safety advantage over tanning beds.", "comparison", "unsupported"),
        # seen in round 13: a safer alternative, long lists after "unlike", new indications
        ("Blue light is a gentler alternative for teenagers.", "comparison", "unsupported"),
        ("Unlike painful options such as microneedling, the wand is gentle.", "comparison", "unsupported"),
        ("The eye wand visibly reduces dark circles.", "efficacy", "unsupported"),
        ("The laser clears toenail fungus in three sessions.", "efficacy", "unsupported"),
        ("It smooths lines without the downtime risks of laser resurfacing.", "comparison", "unsupported"),
        # seen in rounds 12-14: more effect verbs, generic benefits, healing, users, alternatives
        ("The cap encourages thicker hair growth at the crown.", "efficacy", "unsupported"),
        ("Our helmet aids in managing migraines.", "efficacy", "unsupported"),
        ("The lamp addresses a range of complexion issues.", "efficacy", "not_checkable"),
        ("This panel offers numerous wellness benefits.", "efficacy", "not_checkable"),
        ("Facials with the wand promote skin rejuvenation.", "efficacy", "not_checkable"),
        ("The pad accelerates the healing process after surgery.", "efficacy", "unsupported"),
        ("Near-infrared light hastens recovery time for runners.", "efficacy", "unsupported"),
        ("Cold lasers are relied upon by equine vets across Europe.", "endorsement", "unsupported"),
        ("Influencers and stars keep swearing by the glow it gives.", "endorsement", "unsupported"),
        ("The torch is a drug-free alternative to painkillers.", "comparison", "unsupported"),
        ("The laser is comparable in benefit to ultrasound.", "comparison", "unsupported"),
        ("It lessens the reliance on pain medications.", "comparison", "unsupported"),
        ("The wrap eases back aches without pills.", "comparison", "unsupported"),
        # a search for something names no claim, but a claim later in the sentence still counts
        (
            "Those searching for help with oily skin will like that the wand calms breakouts.",
            "efficacy",
            "not_checkable",
        ),
        # seen in round 15: the body's own repair as a process, new indications, backing in other words
        ("The panel stimulates your body's natural repair response.", "mechanism", "partly_supported"),
        ("Our pad helps facilitate tissue recovery after exercise.", "mechanism", "partly_supported"),
        ("The wand can speed up the recovery process after giving birth.", "efficacy", "unsupported"),
        ("Our ear light may calm ringing tinnitus.", "efficacy", "unsupported"),
        ("The mouthpiece gives a lift to gum and tooth health.", "efficacy", "unsupported"),
        ("Amber light has even been shown to fade sun spots.", "endorsement", "unsupported"),
        ("Researchers have also concluded that the cap thickens hair.", "endorsement", "unsupported"),
        # seen in round 16: body contouring, benefits with nothing named, comfort in the first person
        ("The belt melts stubborn belly fat in a month.", "efficacy", "unsupported"),
        ("This little wand brings numerous benefits.", "efficacy", "not_checkable"),
        ("Ten minutes a day can work wonders for tired skin.", "efficacy", "not_checkable"),
        ("Gentle enough for even the most sensitive skin.", "safety", "partly_supported"),
        ("Honestly, you won't feel a thing during a session.", "safety", "partly_supported"),
        # seen in round 17: eye indications, settings of professional use, comparisons in other words
        ("The headset may reduce the progression of macular degeneration.", "efficacy", "unsupported"),
        ("The wrap doesn't need any needles or incisions.", "safety", "partly_supported"),
        ("Cold lasers are used every day in chiropractic offices.", "endorsement", "unsupported"),
        (
            "Rather than simply masking the ache, the pad helps the joint recover.",
            "comparison",
            "unsupported",
        ),
        ("Use it as a substitute for opioids after minor strains.", "comparison", "unsupported"),
        ("It hydrates at a depth serums cannot match.", "comparison", "unsupported"),
        # seen in round 18: clinic copy (laser, smoking, equine, neuropathy), in other words
        (
            "Olympic athletes like these three champions have been using the panel for years.",
            "endorsement",
            "unsupported",
        ),
        (
            "The wrap has been used by over 2,000 practitioners in twelve countries.",
            "endorsement",
            "unsupported",
        ),
        (
            "Photobiomodulation has been used clinically for more than three decades.",
            "endorsement",
            "unsupported",
        ),
        ("The lamp seldom causes any side effects at all.", "safety", "partly_supported"),
        ("There is no possibility that the pad will burn your skin.", "safety", "misleading"),
        ("The LEDs stay no warmer than your hand.", "safety", "partly_supported"),
        ("Patients return to their daily routine straight after a session.", "safety", "partly_supported"),
        ("A non-pharmaceutical option for your knees.", "safety", "partly_supported"),
        ("Relief faster than any other therapy we offer.", "comparison", "unsupported"),
        ("The panel has the same benefits for the joints as ibuprofen.", "comparison", "unsupported"),
        ("Unlike creams that merely mask the itch, light works deeper.", "comparison", "unsupported"),
        ("The headset eases nicotine withdrawal in days.", "efficacy", "unsupported"),
        # seen in round 19: nail-fungus lasers, NASA origins, fans and coaches, in other words
        ("The wand was pioneered by NASA to help astronauts recover.", "endorsement", "unsupported"),
        ("It's been found to help with stiff joints in older horses.", "endorsement", "unsupported"),
        ("Devotees insist that the bed softens scars within weeks.", "endorsement", "unsupported"),
        ("The trainer swore by it for hamstring strains.", "endorsement", "unsupported"),
        ("The lamp gives off very little warmth.", "safety", "partly_supported"),
        ("Use it daily without the risk of burns.", "safety", "misleading"),
        ("The diode laser destroys the fungus under the nail.", "efficacy", "unsupported"),
        # seen in round 20: vet and acupuncture clinics, nail lasers, in other words
        ("The pad won't generate any heat on your cat's hip.", "safety", "partly_supported"),
        ("Horses don't feel anything while the probe works.", "safety", "partly_supported"),
        ("Most cats find the sessions soothing.", "safety", "partly_supported"),
        ("There's no need for sedation during the visit.", "safety", "partly_supported"),
        ("The beam clears the infection while sparing the healthy skin around it.", "safety", "misleading"),
        ("Each session triggers the body to release endorphins.", "mechanism", "unsupported"),
        ("Photobiomodulation is a well-documented approach for sore tendons.", "endorsement", "unsupported"),
        (
            "More than two thousand publications describe laser therapy for pain.",
            "endorsement",
            "unsupported",
        ),
        ("Sessions have shown to relieve stiffness in older horses.", "endorsement", "unsupported"),
        ("The wand is employed by team physiotherapists across the league.", "endorsement", "unsupported"),
        ("Vets have begun incorporating the pad into rehab plans.", "endorsement", "unsupported"),
        ("Light masks are popular among influencers this winter.", "endorsement", "unsupported"),
        ("Our pads are trusted by NBA players and college teams alike.", "endorsement", "unsupported"),
        ("Owners can attest that it eases stiff joints in their dogs.", "endorsement", "unsupported"),
        # effective in a list of praise (stop 34: eff.safe_and_effective)
        ("The collagen wand is safe, gentle and effective.", "efficacy", "not_checkable"),
        ("Our cold laser is effective, painless and drug-free.", "efficacy", "not_checkable"),
        # the inflammation of pimples is acne (studied), not redness as a complaint (stop 34)
        ("The mask calms the inflammation of red, painful pimples.", "efficacy", "not_checkable"),
    ],
)
def test_the_guides_conventions_are_found(sentence: str, category: str, grade: str) -> None:
    assert worst(sentence).get(category) == grade, worst(sentence)


@pytest.mark.parametrize(
    ("sentence", "category"),
    [
        ("Dr. Amelia Stone explains how the mask is charged.", "endorsement"),
        ("Home masks are much weaker than the panels used in clinics.", "endorsement"),
        ("Celebrities fuel the trend, but hype is not evidence.", "endorsement"),
        ("More research is needed before anyone can say it works.", "endorsement"),
        ("Several sessions are needed to see results.", "efficacy"),
        ("The lamp is touted to treat other conditions too.", "efficacy"),
        ("Results may vary from person to person.", "efficacy"),
        ("It is hard to say whether it works for everyone.", "efficacy"),
        ("Each colour penetrates the skin at different depths.", "depth"),
        # enforcement news reports the claims it names; painkillers are not light therapy
        ("The FTC alleged that the sellers deceptively claimed the wrap cured arthritis.", "efficacy"),
        ("The maker is accused of falsely claiming the lamp reverses hair loss.", "efficacy"),
        ("Over-the-counter pain relievers mostly just mask the pain.", "efficacy"),
        ("Home masks cannot replace lasers, and are not as effective as an in-clinic peel.", "comparison"),
        # seen in round 8: a refund, a cleanser, an instruction, a question, a regulator's notice
        ("Every order comes with a 60-day risk-free refund.", "safety"),
        ("Start with a gentle cleanser before each session.", "safety"),
        ("Please follow the staff's instructions for safe use of the lamps.", "safety"),
        ("This guide covers whether it's safe for your eyes and how long to use it.", "safety"),
        ("Health Canada is not aware of evidence that the lamps treat any medical condition.", "endorsement"),
        # seen in round 9: hopes, purported abilities, an expert's warning, advice, general talk
        ("People buy these masks hoping to see smoother skin.", "efficacy"),
        ("The gadgets are known for their purported ability to clear acne.", "efficacy"),
        ("Overusing the mask can lead to dryness and irritation, says Dr. Lee.", "endorsement"),
        ("Dermatologists recommend purchasing a device that lists its wavelengths.", "endorsement"),
        ("The deeper the light travels into tissue, the more it scatters.", "depth"),
        ("In this guide we dive deep into the world of LED masks.", "depth"),
        ("Regular sauna sessions help sore muscles recover.", "efficacy"),
        # seen in round 10: what makers claim, an article's introduction
        ("Manufacturers of laser caps claim they regrow hair in three months.", "efficacy"),
        ("In this article, we look at how red light may ease knee pain.", "efficacy"),
        # accurate explanations of the regulatory terms
        ("The FDA reserves “approval” for high-risk Class III devices.", "regulatory"),
        ("Most masks sold today are FDA cleared rather than FDA approved.", "regulatory"),
        ("An FDA registered facility only means the factory is listed with the agency.", "regulatory"),
        ("The quoted stats are impressive: the company says the mask clears acne in four weeks.", "efficacy"),
        # a reference with no statement it backs; a body part, not a treatment; a count of patients
        ("Further reading: (Lopes et al. 2019) and the references therein.", "endorsement"),
        ("Unlike the face, the neck has thinner skin.", "comparison"),
        ("The shipping is cheaper than it was last year.", "comparison"),
        ("The trial enrolled over 200 patients with knee pain.", "endorsement"),
        ("Inflammation is how the body answers an injury.", "mechanism"),
        ("Apply the whitening gel to your teeth before switching on the light.", "efficacy"),
        ("Keep the mouthpiece clean and dry between sessions.", "efficacy"),
        ("Please read the safety warnings before using this product.", "efficacy"),
        ("Some users report mild redness after the first sessions.", "endorsement"),
        ("Customers say the strap is comfortable.", "endorsement"),
        ("Use the mask without creams, on clean dry skin.", "comparison"),
        # this stop's rules: a support system, a warning about injury, a device's look, a past habit
        ("Wrinkles form when the skin's support system weakens.", "efficacy"),
        ("Read every warning to prevent injury to you or your pet.", "efficacy"),
        ("Healing at the cellular level is what the light is thought to aid.", "efficacy"),
        ("The beam is similar to the laser in a supermarket scanner.", "comparison"),
        ("For years I managed period cramps with heat packs and rest.", "efficacy"),
        ("Do not stop any medication without your doctor's advice.", "comparison"),
        ("What are the skin benefits of red light?", "efficacy"),
        ("Many runners search for ways to ease knee pain after long races.", "efficacy"),
        ("Parents are on the lookout for gentle options to clear teenage acne.", "efficacy"),
        # claims reported with distance: users, advocates, the company
        ("Fans of the glow mask claim it tightens pores within days.", "efficacy"),
        ("Proponents say it melts belly fat.", "efficacy"),
        ("The wand clears acne in a week, according to the manufacturer.", "efficacy"),
        ("When a horse is hurt, the healing process starts on its own.", "efficacy"),
        ("Hold the lamp about six inches from the skin.", "efficacy"),
        ("Is the mask safe for sensitive skin?", "safety"),
        ("Does the procedure require surgery?", "safety"),
        ("Match the lamp's output to the label before each session.", "comparison"),
        ("Our family business has been around since 1998.", "endorsement"),
        ("The bulbs have been in use for more than 50 years.", "endorsement"),
        ("Wait 24 hours before you return to your normal activities.", "safety"),
        ("How fast can I return to my normal routine?", "safety"),
        ("For ease of use on painful joints, the wrap has a strap.", "efficacy"),
        ("The strap eases into place over sore muscles.", "efficacy"),
        ("LED lights were developed by NASA to grow lettuce on the station.", "endorsement"),
        ("I swore by it for a month and saw nothing.", "endorsement"),
        ("Blue light kills the bacteria behind acne breakouts.", "efficacy"),
        ("Each treatment lasts 30 minutes, depending on the severity of your neuropathy.", "efficacy"),
        ("Does Medicare cover laser treatment for toenail fungus?", "efficacy"),
        ("Heat therapy relieves stiff backs after long drives.", "efficacy"),
        ("The most well studied mechanism of red light is in the mitochondria.", "endorsement"),
        # found by a review of this stop's rules: shop text, instructions and plain history
        ("Returns are accepted only when leaving the packaging intact.", "safety"),
        ("Let the gel dry without heat or a hairdryer.", "safety"),
        ("If you don't feel anything, check that the LEDs are switched on.", "safety"),
        ("Customers found the packaging pleasant and the manual clear.", "safety"),
        ("After a facelift, most patients return to normal activities in two weeks.", "safety"),
        ("Lasers have been around since 1960, when Maiman built the first one.", "endorsement"),
        ("This mask has been used daily for two years and now the strap is worn out.", "endorsement"),
        ("Express delivery is faster than any other shipping option at checkout.", "comparison"),
        ("Unlike devices that only cover the forehead, this mask reaches the neck.", "comparison"),
        ("Apply your skincare products after the session.", "comparison"),
        ("Hair transplants are a surgical option for baldness.", "comparison"),
        ("The dangers of tanning beds are well documented.", "endorsement"),
        ("More than two hundred trials were halted during the pandemic.", "endorsement"),
        ("The collagen mask was released in March and sold out within a week.", "mechanism"),
        ("It's been found that the battery drains faster in cold weather.", "endorsement"),
        ("Pick from three speeds to suit your neck pain.", "efficacy"),
        ("LEDs were developed by NASA engineers for growing lettuce.", "endorsement"),
        # another treatment is the subject and nothing of light is named (stop 34)
        ("Prescription creams can work well, although many sting and peel.", "efficacy"),
        ("Creams and over the counter treatments can shorten healing times to four days.", "efficacy"),
        ("There are numerous treatments available to treat knee injuries.", "efficacy"),
        ("Although these remedies can ease swelling a little, they are not that effective.", "efficacy"),
        ("Most current treatments for neuropathy aim at treating the symptoms.", "efficacy"),
        # what a clearance or approval is said to ensure is not the writer's efficacy claim
        ("FDA approval ensures that such devices are safe and effective to use.", "efficacy"),
    ],
)
def test_the_guides_look_alikes_carry_no_such_claim(sentence: str, category: str) -> None:
    assert category not in worst(sentence), worst(sentence)


def test_an_unspecified_effect_gives_way_to_the_named_one() -> None:
    """ "It reduces acne and really works" is graded on acne, once."""
    found = [g for g in assess_text("It reduces acne and really works.").claims if g.category == "efficacy"]
    assert [g.outcome for g in found] == ["efficacy.text_only"]


@pytest.mark.parametrize(
    "sentence",
    [
        "Red light has been shown to reduce acne.",  # end.proven and end.research_backing
        "Studies confirm it works.",
        "Research has shown promising results and studies show it helps.",
    ],
)
def test_patterns_wording_the_same_kind_give_one_claim(sentence: str) -> None:
    """Several patterns can word one kind of claim; the report lists it once per sentence."""
    found = [(c.category, c.kind) for c in extract_claims(sentence)]
    assert found.count(("endorsement", "clinically_proven")) == 1, found


def test_a_league_endorsement_spans_its_users_not_the_next_clause() -> None:
    text = "The wrap is trusted by NFL stars and has been used by over 5,000 healthcare providers."
    spans = [c.text for c in extract_claims(text) if c.category == "endorsement"]
    assert spans and all(" and " not in s for s in spans), spans


def test_an_effect_word_of_the_next_clause_is_not_the_terms() -> None:
    # "speeds healing and reduces swelling": the healing claim is "speeds healing", not
    # "healing and reduces" (the nearest effect word after the term opens the next clause)
    found = [(c.category, c.text) for c in extract_claims("Red light speeds healing and reduces swelling.")]
    assert ("efficacy", "speeds healing") in found
    assert ("efficacy", "reduces swelling") in found
    assert all(" and " not in text for _, text in found)
    # and a term with no effect word of its own is not lent the next clause's
    assert [c.text for c in extract_claims("Great for acne and reduces redness.")] == ["reduces redness"]


@pytest.mark.parametrize(
    "sentence",
    [
        "Compared with heat therapy, the mask reduces wrinkles faster.",
        "Better than a heat pad: the wrap relieves knee pain in minutes.",
        "Acne is treated in just 3 minutes a day.",
    ],
)
def test_a_heat_device_or_a_schedule_named_beside_a_claim_does_not_drop_it(sentence: str) -> None:
    assert "efficacy" in worst(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Unlike prescription creams, the mask clears acne without peeling.",
        "Most treatments are finished in six sessions and reduce knee pain for months.",
        "While antibiotics can help, red light reduces acne without resistance.",
    ],
)
def test_another_treatment_named_beside_the_light_does_not_drop_its_claim(sentence: str) -> None:
    """The other-treatment filter needs the other treatment as the subject and nothing of light:
    a contrast with the light, or "most treatments" (which may be the light's own), keeps the claim."""
    assert "efficacy" in worst(sentence), worst(sentence)


@pytest.mark.parametrize(
    "heading",
    [
        "Benefits Of Red Light Masks",
        "How Red Light Therapy Helps With Acne",
        "Light Therapy for Adult Acne",
        "The Healing Effects of Cold Laser Therapy",
    ],
)
def test_a_heading_that_names_a_topic_claims_no_effect(heading: str) -> None:
    """Stop 35: the readers label a title-case heading with no effect verb (or one that opens as a
    question or a list of benefits) no claim; the grader had claimed efficacy in 13 such rows."""
    assert is_topic_heading(heading)
    assert "efficacy" not in worst(heading), worst(heading)


@pytest.mark.parametrize(
    "heading",
    ["Red Light Reduces Wrinkles and Boosts Collagen", "1. Speeds Up Muscle Recovery and Clears Acne"],
)
def test_a_heading_that_states_an_effect_keeps_its_claim(heading: str) -> None:
    assert is_heading(heading) and not is_topic_heading(heading)
    assert "efficacy" in worst(heading), worst(heading)


@given(st.text(alphabet=st.characters(codec="ascii"), max_size=80), st.sampled_from(".!?:"))
def test_a_sentence_with_closing_punctuation_is_never_a_heading(words: str, stop: str) -> None:
    assert not is_heading(words + stop)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("The clinic uses the most powerful portable LED in the world.", True),
        ("Our therapists use one of the most powerful lasers on the market today.", True),
        ("It is considered the most reliable and precise LED device.", True),
        ("The laser treats the cause rather than simply seeking to manage the symptoms.", True),
        ("Instead of targeting only symptoms, the light supports the body's own repair.", True),
        ("The best candidates for laser treatment are people with early hair loss.", False),
        ("We aim to give customers the best value in quality light therapy products.", False),
        ("Choosing the best LED mask for your needs takes some reading.", False),
    ],
)
def test_a_device_called_the_best_or_set_against_symptom_relief_is_a_comparison(
    sentence: str, expected: bool
) -> None:
    """Stop 35, from rounds 45-51's misses: "the most powerful ... LED", "one of the most powerful
    lasers" (comp.best_device, with up to three words between and none of "for", "of", "about",
    "in" or "to"), "rather than ... symptoms" (comp.other_treatment)."""
    assert ("comparison" in worst(sentence)) is expected, worst(sentence)


@pytest.mark.parametrize(
    ("sentence", "category", "grade"),
    [
        # stop 35, from rounds 52-55's misses (read after their first runs)
        ("It does not reach the uterus or placenta.", "safety", "unsupported"),
        ("The light does not penetrate deeply enough to reach the placenta.", "safety", "unsupported"),
        ("It does not involve the use of drugs or any surgery.", "safety", "partly_supported"),
        ("The panels do not get warm or even hot.", "safety", "partly_supported"),
        ("Laser therapy is not a thermal modality.", "safety", "partly_supported"),
        ("Unlike harsh topical treatments, red light is gentle on the skin.", "comparison", "unsupported"),
        ("Unlike conventional heat sources, infrared light reaches the joints.", "comparison", "unsupported"),
        ("Light therapy is longer lasting than pain medications.", "comparison", "unsupported"),
        ("Unlike medications - the mask does not enter the bloodstream.", "comparison", "unsupported"),
    ],
)
def test_rounds_52_to_55_misses_are_found(sentence: str, category: str, grade: str) -> None:
    assert worst(sentence).get(category) == grade, worst(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Retinol, topical vitamin C, micro-needling and peptides will all increase your collagen.",
        "Retinol, a vitamin A derivative, is the gold standard for refining skin texture.",
        "Cold laser should avoid the gravid uterus.",
        "If the panel does not get warm, check the plug.",
    ],
)
def test_skincare_actives_and_pregnancy_warnings_carry_no_light_claim(sentence: str) -> None:
    """A skincare active as the subject, with nothing of light, is another treatment's claim
    (concepts.toml other_treatment); a warning to keep off the uterus is no safety promise, nor
    is a condition on the device's warmth (safe.generic's excludes)."""
    assert not {c for c in worst(sentence) if c in ("safety", "efficacy", "mechanism")}, worst(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        # paraphrases of round 56's rows (development since its first run), in no data file
        "Physical therapy works to increase the strength and endurance of weak hip muscles.",
        "Massage further eases the knots and tenderness of these muscles.",
        "Chiropractic care can help restore the alignment of the spine.",
    ],
)
def test_another_hands_on_therapy_as_the_subject_carries_no_light_claim(sentence: str) -> None:
    """Physical therapy, massage, chiropractic care, acupuncture, stretching or exercise as the
    subject, with nothing of light, is another treatment's claim (concepts.toml other_treatment)."""
    assert not {c for c in worst(sentence) if c in ("efficacy", "mechanism")}, worst(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "In our clinic we have seen remarkable results treating stiff shoulders with the laser.",
        "I have successfully treated chronic heel pain with this laser.",
        "A protocol we find very effective for tennis elbow is laser plus stretching.",
    ],
)
def test_a_practitioners_own_success_is_an_endorsement(sentence: str) -> None:
    """A practitioner's account of success with it is an anecdote offered as backing
    (end.practitioner_success): an endorsement, unsupported."""
    assert worst(sentence).get("endorsement") == "unsupported", worst(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "If we find it effective, we will tell you.",
        "We have not seen results from the cheaper masks.",
        "Ask your doctor whether I have had success with this.",
    ],
)
def test_no_practitioner_success_in_a_condition_a_denial_or_a_question(sentence: str) -> None:
    assert "endorsement" not in worst(sentence), worst(sentence)
