"""Claims: input decoding, sentence splitting and claim extraction."""

from __future__ import annotations

import random
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from photodose.claims import (
    CATEGORIES,
    BinaryInputError,
    InputTooLargeError,
    decode_input,
    extract_claims,
    load_rules,
    split_sentences,
)


def cats(text: str) -> set[str]:
    return {c.category for c in extract_claims(text)}


def kinds(text: str) -> set[tuple[str, str]]:
    return {(c.category, c.kind) for c in extract_claims(text)}


# -- decoding ------------------------------------------------------------------------------


def test_decode_plain_utf8_and_bom() -> None:
    assert decode_input(b"Safe for all skin types.").text == "Safe for all skin types."
    decoded = decode_input(b"\xef\xbb\xbfFDA cleared")
    assert decoded.text == "FDA cleared" and decoded.notes == ()


def test_decode_utf16_with_bom() -> None:
    decoded = decode_input("Dermatologist recommended".encode("utf-16"))
    assert decoded.text == "Dermatologist recommended"
    assert "UTF-16" in decoded.notes[0]


def test_decode_invalid_utf8_is_replaced_and_reported() -> None:
    decoded = decode_input("Caf\xe9 mask: FDA approved".encode("latin-1"))
    assert "\ufffd" in decoded.text and "FDA approved" in decoded.text
    assert "not valid UTF-8" in decoded.notes[0] and "offset 3" in decoded.notes[0]


@pytest.mark.parametrize("data", [b"\x00\x01\x02PNG", b"text\x00more", bytes(range(32)) * 20])
def test_decode_binary_is_refused(data: bytes) -> None:
    with pytest.raises(BinaryInputError, match="binary"):
        decode_input(data)


def test_decode_size_limit() -> None:
    with pytest.raises(InputTooLargeError, match="limit"):
        decode_input(b"x" * 101, max_bytes=100)


def test_decode_html_page_is_reduced_to_text() -> None:
    page = (
        b"<!DOCTYPE html><html><head><style>p{color:red}</style>"
        b"<script>var fda='approved';</script></head><body><h1>Glow Mask</h1>"
        b"<p>Our mask is FDA&nbsp;approved.</p><p>Use it daily.</p></body></html>"
    )
    decoded = decode_input(page)
    assert decoded.html_stripped
    assert "var fda" not in decoded.text and "color:red" not in decoded.text
    claims = extract_claims(decoded.text)
    assert [(c.category, c.kind) for c in claims] == [("regulatory", "fda_approved")]


# -- sentences -----------------------------------------------------------------------------


def texts(text: str) -> list[str]:
    return [s.text for s in split_sentences(text)]


def test_split_abbreviations_decimals_and_questions() -> None:
    assert texts("Dr. Smith says it works. It costs $3.50 per use! Really? Yes.") == [
        "Dr. Smith says it works.",
        "It costs $3.50 per use!",
        "Really?",
        "Yes.",
    ]
    assert texts("e.g. red light. Next one") == ["e.g. red light.", "Next one"]


def test_split_lines_bullets_and_wrapped_text() -> None:
    text = "Use 3.8 J/cm² per session.\n\n- Reduces wrinkles\n- Boosts collagen\nWorks on all skin\ntypes."
    assert texts(text) == [
        "Use 3.8 J/cm² per session.",
        "- Reduces wrinkles",
        "- Boosts collagen",
        "Works on all skin\ntypes.",
    ]
    assert texts("Benefits: • Clears acne • Smooths lines") == [
        "Benefits:",
        "Clears acne",
        "Smooths lines",
    ]


def test_split_ellipsis_inside_brackets_does_not_end_sentence() -> None:
    text = "It provides targeted solutions for […] acne, […] rosacea […]. Next."
    assert texts(text) == ["It provides targeted solutions for […] acne, […] rosacea […].", "Next."]


def test_split_long_run_is_cut_at_whitespace() -> None:
    text = " ".join(["word"] * 1000)
    pieces = split_sentences(text, max_chars=100)
    assert all(len(p.text) <= 100 for p in pieces)
    assert all(not p.text.startswith(" ") and "wor d" not in p.text for p in pieces)
    assert " ".join(p.text for p in pieces) == text


@settings(max_examples=150, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list('ab .!?\n\t-•…"”A1')), max_size=400),
    st.integers(min_value=10, max_value=60),
)
def test_split_properties(text: str, max_chars: int) -> None:
    sentences = split_sentences(text, max_chars=max_chars)
    last_end = 0
    covered = 0
    for i, s in enumerate(sentences):
        assert s.index == i
        assert s.text == text[s.start : s.end]
        assert s.start >= last_end and s.end > s.start
        assert len(s.text) <= max_chars
        assert s.text == s.text.strip()
        last_end = s.end
        covered += sum(1 for ch in s.text if not ch.isspace() and ch != "•")
    # every non-space character is in exactly one sentence (inline bullets " • " are
    # separators and may be dropped)
    assert covered == sum(1 for ch in text if not ch.isspace() and ch != "•")


# -- extraction: one example per category ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Our LED mask is FDA approved.", ("regulatory", "fda_approved")),
        ("The mask is FDA-cleared under K191629.", ("regulatory", "fda_cleared")),
        ("The mask is FDA-cleared under K191629.", ("regulatory", "k_number")),
        ("Our factory is FDA registered.", ("regulatory", "fda_registered")),
        ("An FDA-compliant device.", ("regulatory", "fda_certified")),
        ("Dermatologist recommended.", ("endorsement", "recommended")),
        ("#1 doctor-trusted light therapy.", ("endorsement", "recommended")),
        ("Developed by a board-certified dermatologist.", ("endorsement", "developed")),
        ("Clinically proven results.", ("endorsement", "clinically_proven")),
        ("Studies show it works.", ("endorsement", "clinically_proven")),
        ("Dermatologist tested.", ("endorsement", "clinically_tested")),
        ("Reduces wrinkles and fine lines.", ("efficacy", "claim")),
        ("Erase wrinkles for good.", ("efficacy", "absolute")),
        ("Stimulates mitochondria to make more ATP.", ("mechanism", "cellular")),
        ("Penetrates 10 mm deep.", ("depth", "depth_numeric")),
        ("Red light penetrates deep into the skin.", ("depth", "depth_qualitative")),
        ("Our mask emits 633 nm and 830 nm light.", ("wavelength", "wavelength")),
        ("36% fewer wrinkles in 8 weeks.", ("numeric_efficacy", "quantified")),
        ("Safe for all skin types.", ("safety", "all_skin_types")),
        ("No side effects.", ("safety", "absolute")),
        ("Professional strength results.", ("comparison", "professional_strength")),
        ("Clinic results at home.", ("comparison", "professional_strength")),
        # an endorsement and the effect it vouches for are two claims in one sentence
        ("Dermatologists agree it works wonders for wrinkles.", ("efficacy", "claim")),
        ("Dermatologists agree it works wonders for wrinkles.", ("endorsement", "recommended")),
        ("This mask does wonders for fine lines.", ("efficacy", "claim")),
    ],
)
def test_extracts_each_category(text: str, expected: tuple[str, str]) -> None:
    assert expected in kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "Use the mask once a day for 10 minutes.",
        "Charge the controller before first use.",
        "Is it FDA approved?",
        "Terms like “FDA cleared” are often misunderstood.",
        "FDA Registered: only means the factory is on a list.",
        "When the hospital uses red light, it is 1-4cm away from the surface of the skin.",
        "The price dropped by 30% this week.",
        "Medical grade silicone makes it soft.",
    ],
)
def test_hard_negatives_have_no_claim(text: str) -> None:
    assert extract_claims(text) == []


def test_negated_regulatory_claim_is_kept_as_negated() -> None:
    assert ("regulatory", "fda_approved_negated") in kinds("This mask is not FDA approved.")
    assert ("regulatory", "fda_approved") not in kinds("This mask is not FDA approved.")


def test_negated_endorsement_and_efficacy_are_not_claims() -> None:
    assert extract_claims("It has not been clinically proven.") == []
    assert "efficacy" not in cats("Don't use it to cure one single spot.")


#: Cell biology with no word for the light or the treatment: a mechanism term, but nothing claimed of
#: the light (the guide: a physiology step is mechanism only when the light is its subject).  The
#: first three are neutral sentences of round 25, the last two of rounds 11 and 24.
BIOLOGY_ALONE = [
    "Your cells have mitochondria.",
    "The mitochondria contain a photo-sensitive enzyme known as cytochrome c oxidase.",
    "When a cell is damaged through injury or trauma, the mitochondrion, figuratively speaking, curls up.",
    "Mitochondria make cellular energy (Adenosine Triphosphate [ATP]) from oxygen and pyruvate.",
    "ATP is the currency of energy utilized by the body.",
]
#: The same terms with the light, the treatment, a pronoun for it or an effect word: claims.
LIGHT_ON_MITOCHONDRIA = [
    "Red light therapy is thought to work by acting on the power plant in your cells called mitochondria.",
    "Most of the effects of LLLT can be explained by light absorption in the mitochondria.",
    "Think of it as a charging station for your body's powerhouses, the mitochondria.",
    "The panel energizes your mitochondria.",
]


@pytest.mark.parametrize("text", BIOLOGY_ALONE)
def test_cell_biology_alone_is_no_mechanism_claim(text: str) -> None:
    assert "mechanism" not in {c.category for c in extract_claims(text, learned=False)}


@pytest.mark.parametrize("text", LIGHT_ON_MITOCHONDRIA)
def test_the_light_acting_on_mitochondria_is_a_mechanism_claim(text: str) -> None:
    mech = [c for c in extract_claims(text, learned=False) if c.category == "mechanism"]
    assert [c.details["mechanism"] for c in mech] == ["mitochondria"], text


def test_a_mechanism_agent_is_required_in_the_rules() -> None:
    import tomllib

    from photodose.claims.rules import RulesError, parse_rules, rules_path

    data = tomllib.loads(rules_path().read_text(encoding="utf-8"))
    del data["mechanism"]["agent"]
    with pytest.raises(RulesError, match="agent"):
        parse_rules(data)


def test_numeric_claim_supersedes_plain_efficacy_in_its_sentence() -> None:
    found = kinds("Reduces wrinkles by 36% in 8 weeks.")
    assert ("numeric_efficacy", "quantified") in found
    assert not any(c == "efficacy" for c, _ in found)
    (claim,) = [
        c for c in extract_claims("Reduces wrinkles by 36% in 8 weeks.") if c.category == "numeric_efficacy"
    ]
    assert claim.details["percent"] == 36 and claim.details["weeks"] == 8
    assert claim.details["indication"] == "wrinkles"


@pytest.mark.parametrize(
    ("text", "depth_cm", "up_to"),
    [
        ("Penetrates 10 mm deep.", 1.0, False),
        ("Reaches up to 10 mm below the surface.", 1.0, True),
        ("Penetrates 8-10mm into the skin.", 1.0, False),
        ("Goes 8–10 millimetres deep.", 1.0, False),
        ("Reaches 2 cm below the skin.", 2.0, False),
        ("Penetrates up to 0.5 inches deep.", 1.27, True),
        ("It penetrates ten millimetres deep.", 1.0, False),
        ("Works thirty to forty millimeters within one's skin.", 4.0, False),
    ],
)
def test_depth_numbers_and_units(text: str, depth_cm: float, up_to: bool) -> None:
    (claim,) = [c for c in extract_claims(text) if c.kind == "depth_numeric"]
    assert claim.details["depth_cm"] == pytest.approx(depth_cm)
    assert claim.details["up_to"] is up_to


def test_depth_claim_remembers_its_wavelength_and_colour() -> None:
    text = "Red light (630nm–660nm) reaches 1–3mm, while near-infrared penetrates 3–8mm or more."
    claims = [c for c in extract_claims(text) if c.kind == "depth_numeric"]
    assert claims[0].details["wavelengths_nm"] == [630.0, 660.0]
    assert claims[1].details["colours"] == ["nir"]
    assert claims[1].details["open_ended"]


def test_claim_offsets_point_into_the_text() -> None:
    text = "Intro line.\nOur mask is FDA approved and dermatologist recommended!"
    for c in extract_claims(text):
        assert text[c.start : c.end] == c.text
        assert c.text in c.sentence


def test_prefilter_anchors_lose_nothing_on_the_corpus() -> None:
    import tomllib
    from pathlib import Path

    corpus = Path(__file__).parent / "data" / "claims_corpus.toml"
    rows = tomllib.loads(corpus.read_text())["rows"]
    text = "\n\n".join(r["sentence"] for r in rows)
    fast = [(c.start, c.end, c.category, c.kind) for c in extract_claims(text)]
    slow = [(c.start, c.end, c.category, c.kind) for c in extract_claims(text, prefilter=False)]
    assert fast == slow
    assert len(fast) > 150


# -- robustness ------------------------------------------------------------------------------


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=600))
def test_extraction_never_crashes_on_random_text(text: str) -> None:
    for c in extract_claims(text):
        assert c.category in CATEGORIES
        assert text[c.start : c.end] == c.text


_WORDS = [
    "FDA",
    "approved",
    "cleared",
    "dermatologist",
    "recommended",
    "clinically",
    "proven",
    "penetrates",
    "10",
    "mm",
    "%",
    "wrinkles",
    "acne",
    "safe",
    "not",
    "no",
    "“",
    "”",
    ".",
    "?",
    "\n",
    "nm",
    "630",
    "up",
    "to",
    "K123456",
    "-",
    "professional",
    "strength",
]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), max_size=60))
def test_extraction_never_crashes_on_claim_vocabulary(words: list[str]) -> None:
    text = " ".join(words)
    for c in extract_claims(text):
        assert c.category in CATEGORIES
        assert c.start < c.end and text[c.start : c.end] == c.text


@pytest.mark.parametrize(
    "text",
    [
        "." * 1_000_000,
        "a" * 1_000_000,
        ("FDA" + " -" * 50 + "approved ") * 8_000,
        "([" * 500_000,
        "1" * 1_000_000 + " mm deep",
        ("Reduces " + "wrinkles and " * 200) * 100,
    ],
    ids=["dots", "one-letter", "separator-runs", "brackets", "digits", "repeated-terms"],
)
def test_pathological_inputs_finish(text: str) -> None:
    extract_claims(text)  # must return (bounded patterns: linear time); no timing asserted


def test_four_megabyte_input_is_processed_in_blocks() -> None:
    # the streaming path the CLI uses (blocks, listing cap); the 32 MB run is in
    # benchmarks/claims.py --scale
    from photodose.claims import assess_text

    rng = random.Random(7)
    filler = " ".join(
        rng.choice(["the", "skin", "light", "mask", "and", "of", "to", "is"]) for _ in range(2000)
    )
    block = filler + ". Our mask is FDA approved and penetrates 10 mm deep.\n"
    text = block * (4_000_000 // len(block) + 1)
    assert len(text.encode()) >= 4_000_000
    report = assess_text(text)
    assert {(g.category, g.claim.kind) for g in report.claims} == {
        ("regulatory", "fda_approved"),
        ("depth", "depth_numeric"),
    }
    assert report.total_claims == 2 * text.count("FDA approved")
    assert report.counts["misleading"] == text.count("FDA approved")


def test_random_printable_garbage() -> None:
    rng = random.Random(3)
    text = "".join(rng.choice(string.printable) for _ in range(200_000))
    for c in extract_claims(text):
        assert c.category in CATEGORIES


def test_rules_are_loaded_once() -> None:
    assert load_rules() is load_rules()
