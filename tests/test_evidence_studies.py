"""The evidence table: packaged data content, loader validation, malformed-row errors."""

from __future__ import annotations

import copy
import tomllib
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from photodose.evidence.studies import (
    CONFIDENCES,
    StudyDataError,
    band_for_wavelength,
    bands_for_range,
    exposure_bands,
    load_evidence,
    load_indications,
    load_studies,
    parse_studies,
)

DATA = Path(str(files("photodose") / "data" / "evidence"))
BANDS, INDICATIONS = load_indications()


def _study(sid: str):
    return load_evidence().study(sid)


# ------------------------------------------------------------------ packaged data ----


def test_every_study_in_the_reference_is_present():
    ids = {s.id for s in load_studies()}
    expected = {
        "wunsch2014",
        "lee2007_photoaging",
        "russell2005",
        "goldberg_russell2006_acne",
        "barolet2009",
        "mota2023",
        "homemask_rct_39960921",
        "mineroff2023",
        "undereye2024",
        "protocol2023",
        "papageorgiou2000",
        "lee_you_park2007_acne",
        "kwon2013_home_acne",
        "jagdeo2020_stars",
        "avci2013",
        "glass2021",
        "huang2009_biphasic",
    }
    assert expected <= ids


def test_lee2007_commonly_cited_doses_are_kept_but_unverified():
    lee = _study("lee2007_photoaging")
    by_wl = {e.wavelength_nm: e for e in lee.exposures}
    assert by_wl[633].fluence_j_cm2.value == 126
    assert by_wl[633].fluence_j_cm2.confidence == "unverified"
    assert by_wl[830].fluence_j_cm2.value == 66
    assert by_wl[830].fluence_j_cm2.confidence == "unverified"
    assert by_wl[830].irradiance_mw_cm2.confidence == "unverified"
    # design itself was read (EXACT)
    assert lee.confidence == "exact"
    assert {"sham", "split_face", "randomised"} <= set(lee.design)


def test_not_found_values_stay_missing():
    pap = _study("papageorgiou2000")
    for ex in pap.exposures:
        assert ex.fluence_j_cm2 is not None and ex.fluence_j_cm2.missing
        assert ex.fluence_j_cm2.value is None and ex.fluence_j_cm2.span is None
        assert ex.fluence_j_cm2.confidence == "not_found"
    wunsch = _study("wunsch2014")
    assert all(e.irradiance_mw_cm2.missing for e in wunsch.exposures)
    assert _study("mineroff2023").n is None


def test_reference_values_and_confidence_tags_carried_exactly():
    mota = _study("mota2023")
    assert [e.fluence_j_cm2.value for e in mota.exposures] == [3.8, 3.8]
    assert mota.exposures[0].fluence_j_cm2.confidence == "exact"
    assert mota.sessions_per_week.value == 2.5
    assert mota.sessions_per_week.confidence == "derived"  # 10 sessions / 4 weeks
    home = _study("homemask_rct_39960921")
    f = home.exposures[0].fluence_j_cm2
    assert (f.value, f.qualifier, f.confidence) == (5.4, "at_most", "derived")
    assert home.exposures[0].irradiance_mw_cm2.confidence == "exact"
    assert home.sessions_per_week.confidence == "secondary"
    gr = _study("goldberg_russell2006_acne")
    assert [e.fluence_j_cm2.value for e in gr.exposures] == [48, 96]
    assert [e.irradiance_mw_cm2.confidence for e in gr.exposures] == ["derived", "derived"]
    assert _study("barolet2009").exposures[0].fluence_j_cm2.confidence == "unverified"
    assert _study("barolet2009").confidence == "secondary"


def test_design_classification():
    controlled = {s.id for s in load_studies() if s.enters_windows}
    assert controlled == {
        "wunsch2014",
        "lee2007_photoaging",
        "mota2023",
        "homemask_rct_39960921",
        "park2024_neck",
        "nam2017",
        "ng2020_home_led",
        "papageorgiou2000",
        "kwon2013_home_acne",
        "na_suh2007",
        "aziz_jalali2012_acne",
        "alster2009",
        "lsm23480_postlaser",
    }
    # a blinded single-arm trial weighs as evidence but defines no dose window
    boulos = _study("boulos2009")
    assert boulos.counts_as_evidence and not boulos.enters_windows
    # open before/after series neither weigh nor define windows
    for sid in ("goldberg_russell2006_acne", "lee_you_park2007_acne", "mineroff2023", "undereye2024"):
        assert not _study(sid).counts_as_evidence
    assert _study("protocol2023").kind == "protocol"
    assert _study("jagdeo2020_stars").kind == "safety"
    assert _study("avci2013").kind == "review" and not _study("avci2013").exposures
    assert _study("glass2021").kind == "review"
    assert not _study("russell2005").is_controlled  # design not found


def test_jagdeo_mtd_is_a_safety_limit():
    j = _study("jagdeo2020_stars")
    mtd = {lim.population: lim.mtd_j_cm2.value for lim in j.limits}
    assert mtd == {"skin of colour (STARS 1)": 320, "non-Hispanic Caucasians (STARS 2)": 480}
    assert j.exposures[0].fluence_j_cm2.span == (160, 640)
    assert j.indications == []


def test_citation_format_and_gaps_not_filled_in():
    assert _study("mota2023").citation() == (
        "Mota LR et al. 2023, Photobiomodul Photomed Laser Surg, PMID 36780572"
    )
    home = _study("homemask_rct_39960921").citation()
    assert home == "Park et al. 2025, Medicine (Baltimore) 104(7):e41596, PMID 39960921"
    for s in load_studies():
        assert "not captured" not in s.citation(), s.id
    # a gap is left out of the citation, and the data say why in gaps_note
    assert "doi" not in _study("papageorgiou2000").citation()
    assert "identifier" in _study("papageorgiou2000").gaps_note


def test_bands_and_wavelength_assignment():
    ids = {b.id: b for b in BANDS}
    assert (ids["red"].low_nm, ids["red"].high_nm) == (600, 700)
    assert (ids["nir"].low_nm, ids["nir"].high_nm) == (780, 900)
    assert (ids["blue"].low_nm, ids["blue"].high_nm) == (400, 480)
    assert (ids["amber"].low_nm, ids["amber"].high_nm) == (570, 610)
    assert all(b.source and b.confidence == "assumption" for b in BANDS)
    assert band_for_wavelength(633, BANDS).id == "red"
    assert band_for_wavelength(850, BANDS).id == "nir"
    assert band_for_wavelength(590, BANDS).id == "amber"
    assert band_for_wavelength(605, BANDS).id == "amber"  # overlap: nearest centre
    assert band_for_wavelength(1072, BANDS) is None
    assert band_for_wavelength(740, BANDS) is None
    assert [b.id for b in bands_for_range(570, 850, BANDS)] == ["amber", "red", "nir"]
    assert [b.id for b in bands_for_range(611, 650, BANDS)] == ["red"]
    wunsch = _study("wunsch2014")
    assert [b.id for b in exposure_bands(wunsch.exposures[1], BANDS)] == ["amber", "red", "nir"]


def test_indications():
    names = {i.id: i.name for i in INDICATIONS}
    # the seed article's list: fine lines/wrinkles, elasticity/firmness, tone/glow,
    # inflammation/redness, mild acne
    assert names == {
        "photoaging": "wrinkles/fine lines",
        "elasticity": "elasticity/firmness",
        "texture_tone": "tone/glow/texture",
        "inflammation": "inflammation/redness",
        "acne": "mild acne",
    }


# ---------------------------------------------------------------- malformed data ----


def _packaged_rows() -> list[dict[str, Any]]:
    return tomllib.loads((DATA / "studies.toml").read_text(encoding="utf-8"))["study"]


BASE_ROW = next(r for r in _packaged_rows() if r["id"] == "mota2023")


def _parse(rows: list[Any]) -> Any:
    return parse_studies({"study": rows}, BANDS, INDICATIONS, where="test.toml")


def test_base_row_is_valid():
    (s,) = _parse([copy.deepcopy(BASE_ROW)])
    assert s.id == "mota2023"


@pytest.mark.parametrize(
    ("mutate", "field", "fix"),
    [
        (lambda r: r.update(kind="rct"), "kind", "use one of"),
        (lambda r: r.pop("source"), "source", "add this field"),
        (lambda r: r.update(year="2023"), "year", "whole number"),
        (lambda r: r.update(sample_size=10), "sample_size", "spelling"),
        (lambda r: r.update(indications=["wrinkles"]), "indications[0]", "photoaging"),
        (lambda r: r.update(design=["sham", "single_arm"]), "design", "contradictory"),
        (
            lambda r: r["exposure"][0].update(fluence_j_cm2={"value": -3.8, "confidence": "exact"}),
            "exposure[0].fluence_j_cm2.value",
            "≥ 0",
        ),
        (
            lambda r: r["exposure"][0].update(fluence_j_cm2={"value": 3.8, "confidence": "EXACT"}),
            "exposure[0].fluence_j_cm2.confidence",
            "use one of",
        ),
        (
            lambda r: r["exposure"][0].update(fluence_j_cm2={"confidence": "exact"}),
            "exposure[0].fluence_j_cm2",
            "not_found",
        ),
        (
            lambda r: r["exposure"][1].update(wavelength_nm=[700, 600]),
            "exposure[1]",
            "reversed",
        ),
        (lambda r: r["exposure"][1].pop("wavelength_nm"), "exposure[1]", "band"),
        (
            lambda r: r.update(weeks={"value": 4, "confidence": "not_found"}),
            "weeks",
            "remove the number",
        ),
        (lambda r: r.update(weeks={"low": 5, "high": 4, "confidence": "exact"}), "weeks", "swap"),
        (lambda r: r.update(pmid="PMID 36780572"), "pmid", "pattern"),
    ],
)
def test_malformed_row_names_row_field_and_fix(mutate, field, fix):
    row = copy.deepcopy(BASE_ROW)
    mutate(row)
    with pytest.raises(StudyDataError) as exc:
        _parse([_other_row(), row])
    msg = str(exc.value)
    assert "test.toml" in msg
    assert "study #2 (id 'mota2023')" in msg
    assert field in msg
    assert fix in msg


def _other_row() -> dict[str, Any]:
    return copy.deepcopy(next(r for r in _packaged_rows() if r["id"] == "kwon2013_home_acne"))


def test_duplicate_id_and_non_table_rows():
    with pytest.raises(StudyDataError, match=r"study #2 .*already used by study #1"):
        _parse([copy.deepcopy(BASE_ROW), copy.deepcopy(BASE_ROW)])
    with pytest.raises(StudyDataError, match=r"study #1 must be a table"):
        _parse(["mota2023"])
    with pytest.raises(StudyDataError, match=r"no \[\[study\]\] entries"):
        parse_studies({}, BANDS, INDICATIONS)
    with pytest.raises(StudyDataError, match=r"array of tables"):
        parse_studies({"study": {"id": "x"}}, BANDS, INDICATIONS)


def test_unknown_explicit_band():
    row = copy.deepcopy(BASE_ROW)
    row["exposure"][0] = {"label": "x", "band": "green"}
    with pytest.raises(StudyDataError, match=r"exposure\[0\]\.band.*unknown band 'green'"):
        _parse([row])


def test_file_errors(tmp_path: Path):
    bad = tmp_path / "studies.toml"
    bad.write_text('[[study]]\nid = "x"\nlabel = "unterminated\n', encoding="utf-8")
    with pytest.raises(StudyDataError, match=r"not valid TOML.*line"):
        load_studies(bad)
    with pytest.raises(StudyDataError, match="cannot read"):
        load_studies(tmp_path / "missing.toml")
    good = tmp_path / "ok.toml"
    good.write_text(tomli_w.dumps({"study": [BASE_ROW]}), encoding="utf-8")
    assert [s.id for s in load_studies(good)] == ["mota2023"]


# ------------------------------------------------------- property: never a crash ----

_BAD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=6),
    st.lists(st.integers(min_value=-5, max_value=5000), max_size=3),
    st.dictionaries(st.sampled_from(["value", "low", "confidence", "x"]), st.integers(), max_size=2),
    st.sampled_from([*CONFIDENCES, "trial", "sham", "photoaging", "red"]),
)


def _paths(row: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """All key paths into a nested row (dict keys and list indices)."""
    out = []
    if isinstance(row, dict):
        for k, v in row.items():
            out.append((*prefix, k))
            out.extend(_paths(v, (*prefix, k)))
    elif isinstance(row, list):
        for i, v in enumerate(row):
            out.append((*prefix, i))
            out.extend(_paths(v, (*prefix, i)))
    return out


ALL_PATHS = _paths(BASE_ROW)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    path=st.sampled_from(ALL_PATHS),
    action=st.sampled_from(["replace", "delete", "extra"]),
    bad=_BAD_VALUES,
)
def test_random_malformed_rows_give_clear_errors(path, action, bad):
    row = copy.deepcopy(BASE_ROW)
    parent: Any = row
    for key in path[:-1]:
        parent = parent[key]
    leaf = path[-1]
    if action == "replace":
        parent[leaf] = bad
    elif action == "delete":
        del parent[leaf]
    elif isinstance(parent, dict):
        parent["zz_unknown_field"] = bad
    try:
        _parse([row])
    except StudyDataError as exc:
        msg = str(exc)
        assert "study #1" in msg
        assert "Fix" in msg or "fix" in msg or "use one of" in msg
        top = path[0]
        if action == "extra" and isinstance(parent, dict):
            assert "zz_unknown_field" in msg
        else:
            assert str(top) in msg, msg
    # any other exception type propagates and fails the test


# ------------------------------------------------ completeness and verified fixes ----


def test_no_record_is_incomplete_without_saying_why():
    """Every study has authors, year, journal; trials also PMID/DOI, N, schedule, direction and
    a fluence and irradiance entry per exposure - or gaps_note names what is missing."""
    problems = {s.id: s.unexplained_gaps() for s in load_studies()}
    assert {k: v for k, v in problems.items() if v} == {}


def test_completeness_check_can_fail():
    row = copy.deepcopy(BASE_ROW)
    row.pop("authors")
    row.pop("pmid")
    row["exposure"][0]["irradiance_mw_cm2"] = {"confidence": "not_found"}
    (s,) = _parse([row])
    gaps = s.unexplained_gaps()
    assert "authors" in gaps and "identifier" in gaps
    assert any("exposure[0].irradiance_mw_cm2" in g for g in gaps)
    row["gaps_note"] = "authors: not read; identifier: not found"
    row["exposure"][0]["irradiance_mw_cm2"] = {"confidence": "not_found", "note": "not in the abstract"}
    (s,) = _parse([row])
    assert s.unexplained_gaps() == []


def test_every_trial_has_identifier_or_reason_and_a_citation_source():
    for s in load_studies():
        assert s.citation_source and s.citation_confidence in CONFIDENCES, s.id
        if s.kind == "trial" and not (s.pmid or s.doi):
            assert "identifier" in s.gaps_note, s.id


def test_known_citation_errors_are_fixed():
    # doi 10.1111/bjd.12186 is Kwon HH et al. (Br J Dermatol 2013;168(5):1088-94), not "Kim"
    kwon = _study("kwon2013_home_acne")
    assert kwon.doi == "10.1111/bjd.12186"
    assert kwon.authors.startswith("Kwon HH") and kwon.label.startswith("Kwon")
    assert "Kim" not in kwon.citation()
    # Jagdeo 2020: STARS 1 (N = 60) was all skin types, STARS 2 (N = 55) non-Hispanic Caucasians
    j = _study("jagdeo2020_stars")
    assert "STARS 1 all skin types (N = 60)" in j.population
    assert "STARS 2 non-Hispanic Caucasians (N = 55)" in j.population
    assert j.pmid == "31483941" and j.doi == "10.1002/jbio.201960014"


def test_seed_article_indications_have_controlled_trials_including_null_or_negative():
    by_ind: dict[str, list[str]] = {}
    for s in load_studies():
        if not s.counts_as_evidence:
            continue
        for ind in s.indications:
            by_ind.setdefault(ind, []).append(str(s.direction_for(ind)))
    assert set(by_ind) == {"photoaging", "elasticity", "texture_tone", "inflammation", "acne"}
    for ind in ("photoaging", "elasticity", "texture_tone", "inflammation"):
        assert {"null", "negative"} & set(by_ind[ind]), ind
    # the blinded trial whose raters did no better than chance counts against the claims
    boulos = _study("boulos2009")
    assert {boulos.direction_for(i) for i in boulos.indications} == {"negative"}
    # a trial null for one indication and positive for another keeps both
    mota = _study("mota2023")
    assert (mota.direction_for("photoaging"), mota.direction_for("elasticity")) == ("positive", "null")


def test_direction_for_unlisted_indication_is_rejected():
    row = copy.deepcopy(BASE_ROW)
    row["direction"] = {"photoaging": "positive", "acne": "null"}
    with pytest.raises(StudyDataError, match=r"field 'direction'.*\['acne'\]"):
        _parse([row])


def test_comparator_arm_counts_for_no_band():
    nam = _study("nam2017")
    white = next(e for e in nam.exposures if e.role == "comparator")
    assert exposure_bands(white, BANDS) == []


_KIND_CASES = st.sampled_from(
    [
        ({"value": 5.4, "qualifier": "at_most", "confidence": "derived"}, "at_most", "≤"),
        ({"value": 5.0, "qualifier": "at_least", "confidence": "exact"}, "at_least", "≥"),
        ({"value": 9.0, "qualifier": "approximately", "confidence": "exact"}, "approximately", "≈"),
        ({"low": 1.0, "high": 2.0, "confidence": "exact"}, "range", "–"),
        ({"value": 3.0, "confidence": "derived"}, "derived", ""),
        ({"value": 3.0, "confidence": "exact"}, "exact", ""),
        ({"confidence": "not_found", "note": "x"}, "missing", "not reported"),
    ]
)


@settings(max_examples=40, deadline=None)
@given(case=_KIND_CASES, scale=st.floats(min_value=0.01, max_value=100))
def test_quantity_kind_is_exact_bound_range_or_derived(case, scale):
    from photodose.evidence.studies import Quantity

    raw, kind, mark = case
    q = Quantity.model_validate(
        {k: (v * scale if k in ("value", "low", "high") else v) for k, v in raw.items()}
    )
    assert q.kind == kind
    assert mark in q.describe("J/cm²")


def test_study_records_serialise_with_number_kinds():
    import json

    recs = [json.loads(json.dumps(s.to_dict())) for s in load_studies()]
    home = next(r for r in recs if r["id"] == "homemask_rct_39960921")
    assert home["exposures"][0]["fluence_j_cm2"]["kind"] == "at_most"
    assert home["direction"] == {"photoaging": "positive"}
    wunsch = next(r for r in recs if r["id"] == "wunsch2014")
    assert wunsch["exposures"][0]["fluence_j_cm2"]["kind"] == "approximately"
    assert wunsch["url"] == "https://doi.org/10.1089/pho.2013.3616"
    jag = next(r for r in recs if r["id"] == "jagdeo2020_stars")
    assert jag["exposures"][0]["fluence_j_cm2"]["kind"] == "range"
    kinds = {e["fluence_j_cm2"]["kind"] for r in recs for e in r["exposures"] if e["fluence_j_cm2"]}
    assert kinds <= {"exact", "approximately", "at_most", "at_least", "range", "derived", "missing"}
