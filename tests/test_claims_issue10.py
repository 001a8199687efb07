"""Claims, issue 10: byte limit, streaming, language, regulatory and evidence mappings,
paraphrases, stated output, the sentence classifier."""

from __future__ import annotations

import dataclasses
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from photodose.claims import (
    ClaimContext,
    Grade,
    InputTooLargeError,
    PenetrationDepth,
    RegulatoryRecord,
    StudiedWindow,
    TrialEvidence,
    ValueRange,
    assess_text,
    extract_claims,
    load_rules,
)
from photodose.claims.classify import analyze, classifier_path, load_classifier, unpack_classifier
from photodose.claims.grade import _range_text, iter_blocks
from photodose.claims.intake import check_language, read_limited
from script_module import load_script

ROOT = Path(__file__).resolve().parents[1]


def graded(text: str, ctx: ClaimContext | None = None) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for g in assess_text(text, ctx).claims:
        out.setdefault(g.category, []).append(g)
    return out


# -- intake: a true byte limit -------------------------------------------------------------


class _Endless(io.RawIOBase):
    """A stream that never ends (like /dev/zero) and counts what was read."""

    def __init__(self) -> None:
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        n = 1 << 16 if n is None or n < 0 else n
        self.read_bytes += n
        return b"a" * n


def test_read_limited_stops_at_the_limit_on_an_endless_stream() -> None:
    stream = _Endless()
    with pytest.raises(InputTooLargeError, match="limit"):
        read_limited(stream, 3_000_000)  # type: ignore[arg-type]
    assert stream.read_bytes == 3_000_001


@settings(max_examples=60, deadline=None)
@given(size=st.integers(0, 5000), limit=st.integers(0, 5000))
def test_read_limited_returns_exactly_the_data_up_to_the_limit(size: int, limit: int) -> None:
    data = bytes(i % 251 for i in range(size))
    if size <= limit:
        assert read_limited(io.BytesIO(data), limit) == data
    else:
        with pytest.raises(InputTooLargeError):
            read_limited(io.BytesIO(data), limit)


# -- streaming extraction: blocks and the listing cap --------------------------------------


def _corpus_text() -> str:
    import tomllib

    rows = tomllib.loads((ROOT / "tests" / "data" / "claims_corpus.toml").read_text())["rows"]
    return "\n\n".join(r["sentence"] for r in rows[:120])


def test_block_extraction_matches_whole_text_extraction() -> None:
    text = _corpus_text()
    rules = load_rules()
    whole = assess_text(text, rules=rules)
    small = dataclasses.replace(rules, block_chars=3000)
    blocks = assess_text(text, rules=small)
    assert len(list(iter_blocks(text, 3000))) >= 4
    key = [(g.claim.start, g.claim.end, g.category, g.grade) for g in whole.claims]
    assert [(g.claim.start, g.claim.end, g.category, g.grade) for g in blocks.claims] == key
    assert blocks.sentences == whole.sentences
    for g in blocks.claims:  # offsets index the whole text
        assert text[g.claim.start : g.claim.end] == g.claim.text


def test_blocks_read_by_worker_processes_give_the_same_report() -> None:
    """workers > 1 forks processes for the blocks after the first: the same report, in order,
    with the listing cap applied across blocks as in the serial path; progress reaches the end."""
    text = _corpus_text()
    rules = dataclasses.replace(load_rules(), block_chars=2000, max_listed_claims=60)
    assert len(list(iter_blocks(text, 2000))) >= 6
    serial = assess_text(text, rules=rules)
    seen: list[tuple[int, int]] = []
    forked = assess_text(
        text, rules=rules, workers=2, progress=lambda done, total: seen.append((done, total))
    )
    assert forked.to_dict() == serial.to_dict()
    assert serial.total_claims > 60  # the cap was reached, so counted claims crossed blocks
    assert [d for d, _ in seen] == sorted(d for d, _ in seen) and seen[-1] == (len(text), len(text))


def test_listing_is_capped_but_every_claim_is_counted() -> None:
    text = " ".join(["Our mask is FDA approved."] * 40)
    rules = dataclasses.replace(load_rules(), max_listed_claims=5)
    report = assess_text(text, rules=rules)
    assert len(report.claims) == 5
    assert report.total_claims == 40 and report.counts["misleading"] == 40
    assert any("counted in the summary only" in n for n in report.notes)
    data = report.to_dict()
    assert data["total_claims"] == 40 and data["listed_claims"] == 5


@settings(max_examples=30, deadline=None)
@given(st.integers(1000, 5000))
def test_blocks_cover_the_text_exactly(size: int) -> None:
    text = _corpus_text()[:20000]
    pieces = list(iter_blocks(text, size))
    assert "".join(p for _o, p in pieces) == text
    assert all(text[o : o + len(p)] == p for o, p in pieces)


# -- language -------------------------------------------------------------------------------

NON_ENGLISH = [
    "Die LED-Maske reduziert Falten und strafft die Haut sichtbar in nur vier Wochen. "
    "Klinisch getestet und von Dermatologen empfohlen für alle Hauttypen.",
    "Le masque LED réduit les rides et raffermit la peau en seulement quatre semaines. "
    "Cliniquement testé et recommandé par les dermatologues pour tous les types de peau.",
    "La mascarilla LED reduce las arrugas y reafirma la piel en solo cuatro semanas, "
    "clínicamente probada y recomendada por los dermatólogos para todo tipo de piel.",
    "LED光疗面罩可以减少皱纹，促进胶原蛋白生成，让肌肤更紧致。临床证明四周见效，皮肤科医生推荐。",
]


@pytest.mark.parametrize("text", NON_ENGLISH)
def test_non_english_text_is_reported_not_searched(text: str) -> None:
    assert not check_language(text).is_english
    report = assess_text(text)
    assert report.english is False and report.claims == ()
    assert any("not look like English" in n for n in report.notes)
    assert "no claims found" not in report.notes


def test_the_english_corpus_is_english() -> None:
    import tomllib

    rows = tomllib.loads((ROOT / "tests" / "data" / "claims_corpus.toml").read_text())["rows"]
    assert all(check_language(r["sentence"]).is_english for r in rows)
    assert check_language(" ".join(r["sentence"] for r in rows)).is_english


# -- regulatory mapping -----------------------------------------------------------------------


def test_k_number_not_found_is_unsupported_with_the_search_named() -> None:
    from photodose.device.spec import find_device
    from photodose.services.claim_context import regulatory_record

    rec = regulatory_record(find_device("higherdose-red-light-face-mask"))
    assert rec.k_number is None and rec.clearance_confirmed is None
    (g,) = graded("The mask is FDA-cleared.", ClaimContext(device_name="HigherDOSE", regulatory=rec))[
        "regulatory"
    ]
    assert g.grade is Grade.UNSUPPORTED  # never contradicted: not finding a record is no evidence against
    assert "Search done" in g.reasons[0] and "510(k)" in g.reasons[0]


def test_confidence_follows_the_link_not_the_field() -> None:
    from photodose.device.spec import find_device
    from photodose.services.claim_context import regulatory_record

    lightstim = regulatory_record(find_device("lightstim-for-wrinkles"))  # 510(k) names the device
    omnilux = regulatory_record(find_device("omnilux-contour-face"))  # 'faceLITE', linked by a third party
    theraface = regulatory_record(find_device("theraface-mask"))  # secondary source
    assert lightstim.clearance_confirmed is True
    assert omnilux.clearance_confirmed is None and theraface.clearance_confirmed is None
    grade = {
        name: graded("It is FDA cleared.", ClaimContext(device_name=name, regulatory=rec))["regulatory"][
            0
        ].grade
        for name, rec in (("LightStim", lightstim), ("Omnilux", omnilux), ("TheraFace", theraface))
    }
    assert grade == {
        "LightStim": Grade.SUPPORTED,
        "Omnilux": Grade.PARTLY_SUPPORTED,
        "TheraFace": Grade.PARTLY_SUPPORTED,
    }


CLEARED = RegulatoryRecord(
    k_number="K120775", clearance_confirmed=True, pathway="510k", cleared_indications=("wrinkles",)
)


def test_cleared_for_indications_is_a_regulatory_claim_only() -> None:
    claims = graded("FDA-cleared for wrinkles and acne.", ClaimContext(regulatory=CLEARED))
    assert set(claims) == {"regulatory"}
    (g,) = claims["regulatory"]
    assert g.grade is Grade.MISLEADING  # acne is not a cleared indication of this record
    assert "acne" in g.reasons[0]


@pytest.mark.parametrize("text", ["Certified by the FDA.", "Our mask is FDA approved."])
def test_certified_or_approved_for_a_510k_device_is_contradicted(text: str) -> None:
    (g,) = graded(text, ClaimContext(device_name="LightStim", regulatory=CLEARED))["regulatory"]
    assert g.grade is Grade.CONTRADICTED and "K120775" in g.reasons[0]


def test_clearance_means_proven_is_misleading() -> None:
    (g,) = graded("FDA clearance means it has been proven effective.")["regulatory"]
    assert g.grade is Grade.MISLEADING


# -- paraphrases the issue lists ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "category", "grade"),
    [
        ("Trusted by dermatologists in clinics.", "endorsement", Grade.UNSUPPORTED),
        ("Backed by 4,000 peer-reviewed studies.", "endorsement", Grade.MISLEADING),
        ("Safe to use during pregnancy.", "safety", Grade.UNSUPPORTED),
        ("Get firmer skin in weeks.", "efficacy", Grade.NOT_CHECKABLE),
        ("Red light relieves headaches.", "efficacy", Grade.UNSUPPORTED),
        ("Reaches deep into the dermis to rebuild collagen.", "mechanism", Grade.PARTLY_SUPPORTED),
    ],
)
def test_paraphrases_are_found_and_graded(text: str, category: str, grade: Grade) -> None:
    claims = graded(text)
    assert category in claims, f"{text!r}: no {category} claim"
    assert max(claims[category], key=lambda g: g.grade != grade).grade is grade or any(
        g.grade is grade for g in claims[category]
    )


def test_headache_claim_carries_the_medical_note() -> None:
    (g,) = graded("Red light relieves headaches.")["efficacy"]
    assert any("medical condition" in r for r in g.reasons)


# -- physics: depth, wavelengths, ranges -----------------------------------------------------------


def test_ten_mm_into_the_dermis_is_contradicted_by_the_layer_stack() -> None:
    (g,) = graded("Reaches 10 mm deep into the dermis.")["depth"]
    assert g.grade is Grade.CONTRADICTED
    assert "dermis ends" in g.reasons[0] and "fat" in g.reasons[0]
    # with a depth model: its own layers and fluence profile are used
    layers = (("epidermis", 0.0, 0.01), ("reticular dermis", 0.01, 0.11), ("hypodermis", 0.11, 0.6))
    profile = tuple((z / 100, 10 ** (-z / 50)) for z in range(0, 200))
    ctx = ClaimContext(
        penetration_depth=(
            PenetrationDepth(850.0, 1.08, "test model", layers=layers, relative_fluence=profile),
        )
    )
    (g,) = graded("Reaches 10 mm deep into the dermis.", ctx)["depth"]
    assert g.grade is Grade.CONTRADICTED and "hypodermis" in g.reasons[0] and "1.1 mm" in g.reasons[0]
    # a depth inside the dermis is not caught by the layer check
    assert graded("Reaches 1 mm deep into the dermis.")["depth"][0].grade is Grade.SUPPORTED


@pytest.mark.parametrize(
    "text", ["Our 630nm red light reaches deep into the skin.", "630nm and 850nm LEDs penetrate the skin."]
)
def test_a_wavelength_is_never_read_as_a_depth(text: str) -> None:
    for c in extract_claims(text):
        assert c.kind != "depth_numeric", c


@settings(max_examples=80, deadline=None)
@given(st.floats(0.001, 1e4), st.floats(0.0, 0.05))
def test_a_range_never_prints_the_same_number_twice(central: float, rel: float) -> None:
    text = _range_text(ValueRange(central * (1 - rel), central, central * (1 + rel)), "J/cm²")
    m = re.match(r"^([\d.,e+-]+)–([\d.,e+-]+) ", text)
    assert m is None or m.group(1) != m.group(2)


# -- evidence mapping -----------------------------------------------------------------------------------

ACNE_TRIALS = (
    TrialEvidence(
        "acne", "Papageorgiou P, Katsambas A, Chu A 2000, Br J Dermatol 142:973-978", "acne", "improved"
    ),
    TrialEvidence("acne", "Kim WS et al. 2013, Br J Dermatol, doi:10.1111/bjd.12186", "acne", "improved"),
)


def test_acne_claims_use_the_controlled_acne_trials() -> None:
    ctx = ClaimContext(
        device_name="Mask",
        studied_windows=(),
        trial_evidence=ACNE_TRIALS,
        fluence_per_session=(),
    )
    (g,) = graded("Clears acne.", ctx)["efficacy"]
    assert g.grade is Grade.PARTLY_SUPPORTED
    assert "Papageorgiou" in g.reasons[0] and "no trial supports" not in g.reasons[0]


def test_firmness_is_not_supported_by_a_trial_that_found_no_change() -> None:
    mota = "Mota LR et al. 2023, Photobiomodul Photomed Laser Surg, PMID 36780572"
    ctx = ClaimContext(
        device_name="Mask",
        studied_windows=(StudiedWindow("elasticity", 3.8, 3.8, (mota,)),),
        trial_evidence=(TrialEvidence("elasticity", mota, "elasticity", "no_change", "elasticity"),),
        fluence_per_session=(),
    )
    for text in ("Improves skin firmness and elasticity.", "Get firmer skin in weeks."):
        (g,) = graded(text, ctx)["efficacy"]
        assert g.grade is Grade.UNSUPPORTED and "no change" in g.reasons[0]


def test_service_citations_are_human_readable() -> None:
    from photodose.services.claim_context import _study_citations, trial_evidence

    cites = list(_study_citations().values()) + [t.citation for t in trial_evidence()]
    assert cites
    for c in cites:
        assert not re.fullmatch(r"[a-z0-9_]+", c), c  # never an internal id
        assert re.search(r"\b(19|20)\d\d\b", c) or "PMID" in c or "doi" in c, c


# -- stated output ------------------------------------------------------------------------------------


def test_stated_output_is_extracted_and_needs_a_device() -> None:
    claims = graded("Our mask delivers 50 mW/cm² and 13 J/cm² per session.")
    assert [g.claim.kind for g in claims["output"]] == ["irradiance", "dose"]
    assert all(g.grade is Grade.NOT_CHECKABLE for g in claims["output"])
    assert "output" not in graded("Trials used 4 J/cm² per session.")


def test_stated_output_uses_the_device_energy_budget_when_present() -> None:
    budget = pytest.importorskip("photodose.device.budget")
    from photodose.device.spec import find_device
    from photodose.services.claim_context import _budget_checks

    irr, _dose = _budget_checks(find_device("higherdose-red-light-face-mask"))
    if irr is None or not hasattr(budget, "classify_stated_irradiance"):
        pytest.skip("device energy budget not available")
    ctx = ClaimContext(device_name="HigherDOSE", stated_irradiance_check=irr)
    (g,) = graded("Our mask delivers 500 mW/cm².", ctx)["output"]
    assert g.outcome in ("output.implausible", "output.peak_only")


# -- the sentence classifier -------------------------------------------------------------------------


def test_shipped_classifier_matches_scikit_learn_and_is_reproducible(tmp_path: Path) -> None:
    pytest.importorskip("sklearn")
    bench = load_script("benchmarks/claims.py", "claims_benchmark")
    out = tmp_path / "classifier.json"
    bench.train_classifier(out=out)
    shipped_file = json.loads(classifier_path().read_text())
    retrained_file = json.loads(out.read_text())
    assert isinstance(retrained_file["vocabulary"], list)  # written packed, as shipped
    shipped, retrained = unpack_classifier(shipped_file), unpack_classifier(retrained_file)
    # the same rows and features exactly; the coefficients to within 1e-3, since liblinear's result
    # moves with the numpy/scipy installed (up to 1.4e-4 between the venvs of stops 26 and 27)
    assert retrained["meta"]["training_sha256"] == shipped["meta"]["training_sha256"]
    assert retrained["vocabulary"] == shipped["vocabulary"]
    assert retrained["idf"] == pytest.approx(shipped["idf"], abs=1e-6)
    assert retrained["intercept"] == pytest.approx(shipped["intercept"], abs=1e-3)
    for row_new, row_shipped in zip(retrained["coef"], shipped["coef"], strict=True):
        assert row_new == pytest.approx(row_shipped, abs=1e-3)
    # pure-Python scoring equals scikit-learn's pipeline
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    clf = load_classifier()
    assert clf is not None
    rows, _ = bench.load_development()  # every development row, as the shipped file was trained
    assert clf.meta["training_rows"] == len(rows)
    dev = [r["sentence"] for r in rows]
    vec = TfidfVectorizer(analyzer=analyze, sublinear_tf=True, smooth_idf=True, norm="l2")
    x = vec.fit_transform(dev)
    y = [("endorsement" in r["expected_category"]) for r in rows]
    model = LogisticRegression(C=4.0, class_weight="balanced", solver="liblinear", random_state=0).fit(x, y)
    probe = ["Trusted by dermatologists in clinics.", "Wash your face first.", dev[3]]
    expected = model.predict_proba(vec.transform(probe))[:, 1]
    got = [clf.scores(t)["endorsement"] for t in probe]
    assert got == pytest.approx(list(expected), abs=1e-4)


def test_classifier_claims_need_the_category_vocabulary() -> None:
    rules = load_rules()
    for c in extract_claims(_corpus_text()):
        if c.rule_id.startswith("classifier."):
            gate = rules.classifier_gates[c.category] if c.category not in ("efficacy", "mechanism") else None
            assert gate is None or gate.search(c.sentence)
            assert c.details["classifier_probability"] >= 0.5


def test_depth_model_layers_reach_the_context_with_their_true_bounds() -> None:
    from types import SimpleNamespace

    import numpy as np

    from photodose.services.claim_context import _penetration

    z = np.linspace(0.0, 2.0, 401)
    profile = SimpleNamespace(
        wavelength_nm=850.0,
        penetration_depth_1pct_cm=1.0,
        boundaries_cm=[0.0, 0.01, 0.1, 0.2],  # surface first, as photodose.depth gives them
        layer_names=["epidermis", "reticular dermis", "deep blood plexus", "hypodermis"],
        fluence_max=2.0,
        depth_cm=z,
        fluence_per_irradiance=2.0 * np.exp(-z / 0.22),
        model="test",
        profile={"fitzpatrick": "III", "site": "forehead"},
        photons=1000,
    )
    (p,) = _penetration([profile])  # type: ignore[list-item]
    assert p.layers[1] == ("reticular dermis", 0.01, 0.1)
    assert p.layers[-1][0] == "hypodermis" and p.layers[-1][2] == float("inf")
    assert p.relative_fluence[0] == (0.0, 1.0)
    (g,) = graded("Reaches 10 mm deep into the dermis.", ClaimContext(penetration_depth=(p,)))["depth"]
    assert g.grade is Grade.CONTRADICTED
    assert "ends at about 2 mm" in g.reasons[0] and "the hypodermis" in g.reasons[0]
