"""Verdicts per indication and band and device-level verdicts (ranking: tests/test_device_ranking.py)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from photodose.evidence import (
    VERDICTS,
    EvidenceInputError,
    load_evidence,
    verdict_for,
    verdicts_for_device,
)
from photodose.evidence.verdict import as_estimate, position_in_range

EV = load_evidence()
BAND_IDS = [b.id for b in EV.bands]
IND_IDS = [i.id for i in EV.indications]
ORDER = {"below_studied_range": 0, "within_studied_range": 1, "above_studied_range": 2}


@dataclass(frozen=True)
class FakeEstimate:
    """Stands in for photodose.device.Estimate (only .low .central .high are used)."""

    low: float
    central: float
    high: float
    unit: str = "J/cm2"


def test_within_below_above_on_the_derived_window():
    assert verdict_for("photoaging", "red", 6.0).verdict == "within_studied_range"
    assert verdict_for("photoaging", "red", 3.8).verdict == "within_studied_range"  # edge
    assert verdict_for("photoaging", "red", 9.0).verdict == "within_studied_range"  # edge
    assert verdict_for("photoaging", "red", 1.0).verdict == "below_studied_range"
    assert verdict_for("photoaging", "red", 60.0).verdict == "above_studied_range"


def test_within_verdict_content_does_not_overstate():
    v = verdict_for("photoaging", 630, FakeEstimate(4.0, 5.4, 7.0), (8, 10, 12), 3, 12)
    assert v.verdict == "within_studied_range" and not v.uncertain
    assert v.band == "red" and v.wavelengths_nm == (630.0,)
    assert "within the doses tested in controlled trials" in v.summary
    assert "does not mean this device gives the trials' results" in v.summary
    assert "3.8–9 J/cm²" in v.summary
    assert "≤5.4" in v.summary  # the home-mask RCT value is flagged as a maximum
    assert v.irradiance_position == "within"
    assert v.weekly_fluence_position == "within"  # 16.2 J/cm²/week in 9.5–18
    assert v.weeks_position == "within"
    assert len(v.citations) == 3
    assert len(v.citation_urls) == 3 and "https://pubmed.ncbi.nlm.nih.gov/36780572/" in v.citation_urls
    assert any(c.startswith("Mota LR et al. 2023, Photobiomodul Photomed Laser Surg") for c in v.citations)
    assert v.biphasic_caveat is None
    assert v.safety_note is None
    assert v.window is not None and v.window.fluence_j_cm2.min == 3.8
    assert any("Lee SY et al. 2007" in c and "unverified" in c for c in v.context)


def test_uncertain_when_estimate_straddles_an_edge():
    v = verdict_for("photoaging", "red", (2.0, 3.0, 5.0))
    assert v.verdict == "below_studied_range"
    assert v.uncertain
    assert v.summary.startswith("Uncertain:")
    assert "2–5 J/cm²" in v.summary and "lowest tested dose (3.8 J/cm²)" in v.summary
    assert v.fluence_positions == {"low": "below", "central": "below", "high": "within"}
    both = verdict_for("photoaging", "red", (1.0, 6.0, 20.0))
    assert both.verdict == "within_studied_range" and both.uncertain
    assert "lowest tested dose" in both.summary and "highest tested dose" in both.summary
    assert both.biphasic_caveat is not None  # the high end is above the window


def test_above_range_carries_biphasic_caveat_and_safety_note():
    v = verdict_for("photoaging", "red", (150, 250, 400), irradiance_mw_cm2=100)
    assert v.verdict == "above_studied_range"
    assert "Huang et al. 2009" in v.biphasic_caveat
    assert "more light is not necessarily better" in v.summary
    assert v.irradiance_position == "above"
    assert "Jagdeo et al. 2020" in v.safety_note
    assert "320 J/cm²" in v.safety_note and "maximum tolerated dose" in v.safety_note
    assert "reaches" in v.safety_note  # 400 ≥ 320
    mid = verdict_for("photoaging", "red", (150, 200, 250))
    assert "within the dose range tested for safety" in mid.safety_note  # 160–640 tested
    assert verdict_for("photoaging", "red", (20, 40, 150)).safety_note is None


def test_high_irradiance_alone_triggers_biphasic_caveat():
    v = verdict_for("photoaging", "red", 6.0, irradiance_mw_cm2=80)
    assert v.verdict == "within_studied_range"
    assert v.irradiance_position == "above"
    assert v.biphasic_caveat is not None


def test_wavelength_not_studied_and_no_controlled_evidence():
    v = verdict_for("acne", "amber", 10)
    assert v.verdict == "wavelength_not_studied"
    assert "blue, red and near-infrared (NIR)" in v.summary
    assert len(v.citations) == 4  # Kwon 2013, Papageorgiou 2000, Na & Suh 2007, Aziz-Jalali 2012
    # NIR was tested for acne (890 nm, Aziz-Jalali 2012: null) but its dose is not readable
    nir = verdict_for("acne", "nir", 10)
    assert nir.verdict == "no_controlled_evidence" and "Aziz-Jalali" in nir.summary
    out = verdict_for("photoaging", 1072, 10)
    assert out.verdict == "wavelength_not_studied" and out.band is None
    acne_red = verdict_for("acne", "red", 10)
    assert acne_red.verdict == "no_controlled_evidence"
    assert "none of their doses in that band could be read" in acne_red.summary
    assert any("Papageorgiou" in c for c in acne_red.citations)
    assert any("Goldberg & Russell 2006" in c for c in acne_red.context)
    # ... yet the trials are counted beside the verdict: 3 positive, 1 mixed (red+, NIR null)
    assert acne_red.evidence_weight.n_trials == 4
    assert acne_red.evidence_weight.directions["positive"] == 3
    assert acne_red.evidence_weight.directions["mixed"] == 1
    assert "3 positive, 1 mixed" in acne_red.summary
    # the secondary 12 J/cm² of Aziz-Jalali 2012 is named, not used
    assert "Aziz-Jalali et al. 2012 12 J/cm² (secondary source)" in acne_red.summary
    assert verdict_for("acne", "red", 12, include_secondary=True).verdict == "within_studied_range"
    infl = verdict_for("inflammation", "red", 10)
    assert infl.verdict == "no_controlled_evidence"
    assert any("lsm.23480" in c for c in infl.citations)
    assert infl.evidence_weight.directions == {"positive": 1, "null": 1, "negative": 1, "mixed": 0}


def test_unverified_flag_changes_the_verdict():
    # the in-office panel at Lee 2007's commonly cited settings: above, unless unverified numbers count
    assert verdict_for("photoaging", "nir", 66).verdict == "above_studied_range"
    assert verdict_for("photoaging", "nir", 66, include_unverified=True).verdict == "within_studied_range"
    assert verdict_for("photoaging", "red", 100).verdict == "above_studied_range"
    v = verdict_for("photoaging", "red", 100, include_unverified=True)
    assert v.verdict == "within_studied_range"
    assert any(c.startswith("Lee SY et al. 2007") for c in v.citations)


# ---------------------------------------------------------------- properties ----

fluences = st.floats(min_value=0, max_value=2000, allow_nan=False, allow_infinity=False)


@settings(max_examples=120, deadline=None)
@given(
    a=fluences,
    b=fluences,
    ind=st.sampled_from(IND_IDS),
    band=st.sampled_from([*BAND_IDS, 1072.0, 740.0]),
    unverified=st.booleans(),
)
def test_more_fluence_never_moves_a_verdict_down(a, b, ind, band, unverified):
    lo, hi = sorted((a, b))
    v1 = verdict_for(ind, band, lo, evidence=EV, include_unverified=unverified)
    v2 = verdict_for(ind, band, hi, evidence=EV, include_unverified=unverified)
    assert v1.verdict in VERDICTS and v2.verdict in VERDICTS
    if v1.verdict in ORDER or v2.verdict in ORDER:
        assert ORDER[v1.verdict] <= ORDER[v2.verdict]
    else:  # "not studied" / "no controlled evidence" do not depend on the dose
        assert v1.verdict == v2.verdict
    assert v1.summary and v2.summary


@settings(max_examples=80, deadline=None)
@given(
    c=st.floats(min_value=0.1, max_value=500),
    down=st.floats(min_value=0, max_value=0.9),
    up=st.floats(min_value=0, max_value=3),
)
def test_uncertainty_flag_matches_the_edges(c, down, up):
    est = (c * (1 - down), c, c * (1 + up))
    v = verdict_for("photoaging", "red", est, evidence=EV)
    # the edges as printed: 3.8 (Mota 2023) means 3.75-3.85, "≈9" (Wunsch 2014) 8.5-9.5
    positions = {position_in_range(x, 3.75, 9.5) for x in est}
    assert v.uncertain == (len(positions) > 1)
    assert v.summary.startswith("Uncertain:") == v.uncertain
    assert (
        v.verdict
        == {
            "below": "below_studied_range",
            "within": "within_studied_range",
            "above": "above_studied_range",
        }[position_in_range(c, 3.75, 9.5)]
    )


def test_edges_are_read_to_their_printed_precision():
    from photodose.evidence.verdict import printed_half_step

    assert printed_half_step(3.8) == pytest.approx(0.05)
    assert printed_half_step(9.0) == 0.5
    assert printed_half_step(5.4) == pytest.approx(0.05)
    assert printed_half_step(8.02) == pytest.approx(0.005)
    # 3.81 J/cm² is not "above" a single trial that printed 3.8 J/cm²
    assert verdict_for("elasticity", "red", 3.81).verdict == "within_studied_range"
    assert verdict_for("elasticity", "red", 3.9).verdict == "above_studied_range"
    assert verdict_for("photoaging", "red", 3.7).verdict == "below_studied_range"


# ------------------------------------------------------------- device-level ----


def test_verdicts_for_device_sums_channels_per_band():
    channels = [
        (630, FakeEstimate(2, 3, 4), FakeEstimate(4, 5, 6)),
        (660, FakeEstimate(2, 3, 4), FakeEstimate(4, 5, 6)),
        ("NIR", (4, 5.4, 6), None),
        (1072, 1.0, None),
    ]
    vs = verdicts_for_device(channels, sessions_per_week=5, weeks=8)
    assert len(vs) == len(IND_IDS) * 3
    assert [v.indication for v in vs[:3]] == ["photoaging"] * 3
    red = next(v for v in vs if v.indication == "photoaging" and v.band == "red")
    assert red.fluence_j_cm2 == (4, 6, 8)
    assert red.irradiance_mw_cm2 == (8, 10, 12)
    assert red.wavelengths_nm == (630, 660)
    assert "sum of 2 channels" in red.summary
    assert red.verdict == "within_studied_range"
    nir = next(v for v in vs if v.indication == "photoaging" and v.band == "nir")
    assert nir.irradiance_mw_cm2 is None
    assert nir.verdict == "within_studied_range" and nir.uncertain  # 4–6 around 5.4
    other = [v for v in vs if v.band is None]
    assert {v.verdict for v in other} <= {"wavelength_not_studied", "no_controlled_evidence"}
    acne = [v for v in vs if v.indication == "acne"]
    assert {v.verdict for v in acne} == {"no_controlled_evidence", "wavelength_not_studied"}


def test_verdicts_for_device_accepts_mappings_and_subset_of_indications():
    vs = verdicts_for_device(
        [{"wavelength_nm": 590, "fluence_j_cm2": 3.8, "irradiance_mw_cm2": None}],
        sessions_per_week=None,
        indications=["wrinkles/fine lines"],
    )
    assert len(vs) == 1 and vs[0].band == "amber"
    assert vs[0].verdict == "within_studied_range"


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: verdict_for("wrinkles", "red", 5), "indication"),
        (lambda: verdict_for("acne", "green", 5), "band"),
        (lambda: verdict_for("acne", 50, 5), "band: wavelength"),
        (lambda: verdict_for("acne", "red", (5, 4, 6)), "low ≤ central ≤ high"),
        (lambda: verdict_for("acne", "red", -1), "negative"),
        (lambda: verdict_for("acne", "red", float("nan")), "not finite"),
        (lambda: verdict_for("acne", "red", (1, 2)), "three numbers"),
        (lambda: verdict_for("acne", "red", "5"), "fluence_per_session_j_cm2"),
        (lambda: verdict_for("acne", "red", 5, irradiance_mw_cm2=(3, 2, 1)), "irradiance"),
        (lambda: verdict_for("acne", "red", 5, sessions_per_week=-2), "sessions_per_week"),
        (lambda: verdicts_for_device([], 3), "channels"),
        (lambda: verdicts_for_device([("red",)], 3), r"channels\[0\]"),
        (lambda: verdicts_for_device([("red", 1, None)], 3, indications=["x"]), "indications"),
    ],
)
def test_bad_input_names_the_parameter(call, match):
    with pytest.raises(EvidenceInputError, match=match):
        call()


def test_as_estimate_forms():
    assert as_estimate(3, "x").central == 3.0
    assert as_estimate([1, 2, 3], "x").high == 3.0
    assert as_estimate(FakeEstimate(1, 2, 3), "x").low == 1.0
    with pytest.raises(EvidenceInputError, match="boolean"):
        as_estimate(True, "x")


# ------------------------------------------------- bounds, assumptions, wording ----


def test_the_home_mask_rct_own_mask_at_its_own_protocol_is_within():
    """Device home-mask-rct-pmid-39960921 (max 10 mW/cm², 9 min, 5×/week): its modelled dose
    must fall within the doses its own trial tested, in both bands."""
    from photodose.device import evaluate_irradiance, face_surface, load_device

    spec = load_device("home-mask-rct-pmid-39960921")
    t_s = spec.session_minutes * 60
    chans = []
    for ci in evaluate_irradiance(spec, face_surface()):
        e = ci.mean
        chans.append((ci.peak_nm, (e.low * t_s / 1000, e.central * t_s / 1000, e.high * t_s / 1000), e))
    vs = verdicts_for_device(chans, sessions_per_week=5, indications=["photoaging"])
    assert {v.band: v.verdict for v in vs} == {"red": "within_studied_range", "nir": "within_studied_range"}
    nir = next(v for v in vs if v.band == "nir")
    # the NIR window is one "≤5.4" value: within, flagged as resting on a maximum
    assert "≤5.4 J/cm²" in nir.summary and "reported only as a maximum" in nir.summary
    assert nir.window.fluence_j_cm2.lower_edge is None


def test_an_upper_bound_is_never_used_as_a_lower_edge():
    # below the "≤5.4" maximum of the only NIR trial: not "below the tested doses"
    for x in (0.5, 2.0, 5.4):
        v = verdict_for("photoaging", "nir", x)
        assert v.verdict == "within_studied_range" and v.uncertain
        assert any("reported only as a maximum" in r for r in v.uncertain_reasons)
    assert verdict_for("photoaging", "nir", 6.0).verdict == "above_studied_range"


def test_all_assumed_inputs_make_the_verdict_uncertain():
    plain = verdict_for("photoaging", "red", (1.0, 2.0, 3.0))
    assert plain.verdict == "below_studied_range" and not plain.uncertain
    v = verdict_for("photoaging", "red", (1.0, 2.0, 3.0), inputs_assumed=True)
    assert v.verdict == "below_studied_range" and v.uncertain and v.inputs_assumed
    assert "assumption" in v.summary and "meter" in v.summary
    vs = verdicts_for_device(
        [(630, (1, 2, 3), None), (850, (1, 2, 3), None)],
        3,
        indications=["photoaging"],
        inputs_assumed=[True, False],
    )
    assert [v.uncertain for v in vs] == [True, True]  # NIR: open lower edge
    assert [v.inputs_assumed for v in vs] == [True, False]
    with pytest.raises(EvidenceInputError, match="inputs_assumed"):
        verdicts_for_device([(630, 1, None)], 3, inputs_assumed=[True, False])


_FORBIDDEN = ("under-dosed", "underdosed", "over-dosed", "minimum effective", "too low to", "ineffective")


@settings(max_examples=80, deadline=None)
@given(
    c=st.floats(min_value=0.01, max_value=800),
    spread=st.floats(min_value=0, max_value=2),
    ind=st.sampled_from(IND_IDS),
    band=st.sampled_from([*BAND_IDS, 1072.0]),
    assumed=st.booleans(),
)
def test_wording_never_implies_a_minimum_effective_dose(c, spread, ind, band, assumed):
    v = verdict_for(ind, band, (c / (1 + spread), c, c * (1 + spread)), inputs_assumed=assumed)
    text = v.summary.lower()
    assert not any(w in text for w in _FORBIDDEN)
    if v.verdict == "below_studied_range":
        assert "below the doses tested in controlled trials" in v.summary
    # the uncertain flag follows its rules: crossing an edge, all-assumed inputs, open edge
    if v.fluence_positions is not None:
        crosses = v.fluence_positions["low"] != v.fluence_positions["high"]
        assert v.uncertain == (crosses or assumed or bool(v.uncertain_reasons))
        assert v.uncertain == bool(v.uncertain_reasons)
        if crosses or assumed:
            assert v.uncertain
    else:
        assert not v.uncertain
    # the weight of evidence sits beside every verdict
    assert v.evidence_weight is not None and v.evidence_weight.indication == EV.indication(ind).id
    assert "Weight of evidence" in v.summary


def test_weight_of_evidence_beside_the_verdict_and_in_json():
    import json

    v = verdict_for("photoaging", "red", 5.0)
    w = v.evidence_weight
    assert w.n_trials == len(w.trials) >= 7
    assert w.total_n == sum(t.n or 0 for t in w.trials)
    assert w.directions["negative"] >= 1 and w.directions["null"] >= 1
    assert {"boulos2009", "nam2017"} <= {t.study_id for t in w.trials}
    assert "goldberg2006_photoaging" not in {t.study_id for t in w.trials}  # design unknown
    d = json.loads(json.dumps(v.to_dict()))
    assert d["evidence_weight"]["n_trials"] == w.n_trials
    assert d["tested_fluence_j_cm2"]["lower_edge"] == 3.8
    assert d["evidence_weight"]["trials"][0]["url"].startswith("https://")
