"""Dose windows are computed from the studies table, never hard-coded."""

from __future__ import annotations

import copy
import tomllib
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import given, settings
from hypothesis import strategies as st

from photodose.evidence.studies import Evidence, load_evidence, load_indications, parse_studies
from photodose.evidence.verdict import verdict_for
from photodose.evidence.windows import (
    dose_window,
    dose_windows,
    lowest_tested,
    lowest_tested_dose,
    windows_table,
)

DATA = Path(str(files("photodose") / "data" / "evidence"))
BANDS, INDICATIONS = load_indications()
RAW = tomllib.loads((DATA / "studies.toml").read_text(encoding="utf-8"))


def _evidence_with(*extra_rows: dict[str, Any]) -> Evidence:
    data = copy.deepcopy(RAW)
    data["study"].extend(copy.deepcopy(list(extra_rows)))
    studies = parse_studies(data, BANDS, INDICATIONS, where="test")
    return Evidence(bands=BANDS, indications=INDICATIONS, studies=studies)


def _synthetic(
    fluence: float,
    *,
    wl: float = 633,
    design: tuple[str, ...] = ("randomised", "sham"),
    confidence: str = "exact",
    qualifier: str | None = None,
    indication: str = "photoaging",
    kind: str = "trial",
    sid: str = "synthetic_trial",
) -> dict[str, Any]:
    return {
        "id": sid,
        "label": "Synthetic 2099",
        "kind": kind,
        "design": list(design),
        "indications": [indication],
        "sessions_per_week": {"value": 3, "confidence": "exact"},
        "weeks": {"value": 8, "confidence": "exact"},
        "confidence": "exact",
        "source": "test fixture",
        "exposure": [
            {
                "label": f"{wl} nm",
                "wavelength_nm": wl,
                "fluence_j_cm2": {"value": fluence, "confidence": confidence}
                | ({"qualifier": qualifier} if qualifier else {}),
                "irradiance_mw_cm2": {"value": 30, "confidence": confidence},
            }
        ],
    }


# ----------------------------------------------------------- the packaged table ----


def test_photoaging_red_window_from_controlled_trials():
    w = dose_window("photoaging", "red")
    assert w.status == "dose_window"
    assert (w.fluence_j_cm2.min, w.fluence_j_cm2.max) == (3.8, 9.0)
    assert set(w.rests_on) == {"wunsch2014", "mota2023", "homemask_rct_39960921"}
    # the home-mask RCT value is an upper bound and is labelled so; it is not the lower edge
    assert w.fluence_j_cm2.has_upper_bound_values
    assert (w.fluence_j_cm2.lower_edge, w.fluence_j_cm2.upper_edge) == (3.8, 9.0)
    assert not w.fluence_j_cm2.lower_open
    assert (w.irradiance_mw_cm2.min, w.irradiance_mw_cm2.max) == (10, 10)
    # weekly: Mota 3.8 × 2.5 = 9.5, Wunsch 9 × 2 = 18 (home RCT schedule is secondary)
    assert (w.weekly_fluence_j_cm2.min, w.weekly_fluence_j_cm2.max) == (9.5, 18.0)
    assert "lee2007_photoaging" in w.controlled_trials  # controlled, but dose unverified
    reasons = {(e.study_id, e.field.split()[0]): e.reason for e in w.excluded}
    assert "unverified" in reasons[("lee2007_photoaging", "fluence_j_cm2")]
    assert "protocol" in reasons[("protocol2023", "fluence_j_cm2")]
    assert "not a controlled trial" in reasons[("barolet2009", "fluence_j_cm2")]
    assert "secondary" in reasons[("homemask_rct_39960921", "sessions_per_week")]
    assert w.biphasic_caveat is not None and "biphasic" in w.biphasic_caveat
    assert "Huang" in (w.biphasic_source or "")


def test_other_cells():
    nir = dose_window("photoaging", "nir")
    # one "≤ 5.4" value: an upper bound, never a [5.4, 5.4] window nor a lower edge
    r = nir.fluence_j_cm2
    assert r.lower_open and r.lower_edge is None and r.min_known is None
    assert r.upper_edge == 5.4
    assert r.describe() == "≤5.4 J/cm²"
    assert nir.rests_on == ("homemask_rct_39960921",)
    amber = dose_window("photoaging", "amber")
    assert (amber.fluence_j_cm2.min, amber.fluence_j_cm2.max) == (3.8, 3.8)
    assert amber.rests_on == ("mota2023",)
    tex = dose_window("texture_tone", "red")
    assert (tex.fluence_j_cm2.min, tex.fluence_j_cm2.max) == (9, 9)
    # Nam 2017's white 411-777 nm comparator arm does not make blue a studied band
    assert dose_window("photoaging", "blue").status == "band_not_studied"
    # elasticity: Mota 2023 (3.8 J/cm², null for elasticity) is the only dose
    el = dose_window("elasticity", "red")
    assert el.rests_on == ("mota2023",) and el.fluence_j_cm2.lower_edge == 3.8


def test_acne_has_controlled_trials_but_no_readable_dose():
    expected = {"red": {"papageorgiou2000", "kwon2013_home_acne", "na_suh2007", "aziz_jalali2012_acne"}}
    expected["blue"] = {"papageorgiou2000", "kwon2013_home_acne"}
    expected["nir"] = {"aziz_jalali2012_acne"}
    for band, trials in expected.items():
        w = dose_window("acne", band)
        assert w.status == "no_controlled_dose_evidence"
        assert w.fluence_j_cm2 is None
        assert set(w.controlled_trials) == trials
    # the single-arm Goldberg & Russell doses exist but are not used
    assert any(e.study_id == "goldberg_russell2006_acne" for e in dose_window("acne", "red").excluded)
    assert dose_window("acne", "amber").status == "band_not_studied"
    # with secondary numbers allowed, Aziz-Jalali's 12 J/cm² (a clinic page citing it) counts
    assert dose_window("acne", "red", include_secondary=True).fluence_j_cm2.describe() == "12 J/cm²"


def test_inflammation_has_controlled_trials_without_readable_doses():
    for b in ("amber", "red", "nir"):
        w = dose_window("inflammation", b)
        assert w.status == "no_controlled_dose_evidence", b
        assert "lsm23480_postlaser" in w.controlled_trials
    assert "alster2009" in dose_window("inflammation", "amber").controlled_trials
    assert dose_window("inflammation", "blue").status == "band_not_studied"


def test_biphasic_caveat_only_within_huang_range():
    assert dose_window("photoaging", "blue").biphasic_caveat is None  # 400–480 nm
    assert dose_window("photoaging", "nir").biphasic_caveat is not None


def test_safety_and_reviews_never_define_windows():
    for w in dose_windows():
        for sid in w.rests_on:
            assert sid not in {"jagdeo2020_stars", "avci2013", "glass2021", "protocol2023"}


def test_windows_table_rows():
    rows = windows_table()
    assert len(rows) == len(BANDS) * len(INDICATIONS)
    row = next(r for r in rows if (r["indication"], r["band"]) == ("photoaging", "red"))
    assert row["fluence_j_cm2"] == (3.8, 9.0)
    assert (row["lower_edge_j_cm2"], row["upper_edge_j_cm2"]) == (3.8, 9.0)
    assert row["biphasic_caveat"] is True
    nir = next(r for r in rows if (r["indication"], r["band"]) == ("photoaging", "nir"))
    assert (nir["lower_edge_j_cm2"], nir["upper_edge_j_cm2"], nir["fluence_text"]) == (
        None,
        5.4,
        "≤5.4 J/cm²",
    )


# ------------------------------------------------------ derived, not hard-coded ----


def test_unverified_values_only_with_flag():
    w = dose_window("photoaging", "red", include_unverified=True)
    assert w.fluence_j_cm2.max == 126  # Lee 2007 (unverified) now counts
    assert "lee2007_photoaging" in w.rests_on
    assert "russell2005" not in w.rests_on  # still not a controlled trial
    nir = dose_window("photoaging", "nir", include_unverified=True)
    assert (nir.fluence_j_cm2.min, nir.fluence_j_cm2.max) == (5.4, 66)
    # secondary schedule only with its own flag
    w2 = dose_window("photoaging", "red", include_secondary=True)
    assert w2.weekly_fluence_j_cm2.max == 27.0  # 5.4 × 5/week


def test_adding_a_controlled_trial_in_a_file_widens_the_window(tmp_path: Path):
    text = (DATA / "studies.toml").read_text(encoding="utf-8")
    extra = tomli_w.dumps({"study": [_synthetic(20.0)]})
    path = tmp_path / "studies.toml"
    path.write_text(text + "\n" + extra, encoding="utf-8")
    ev = load_evidence(path)
    w = dose_window("photoaging", "red", evidence=ev)
    assert (w.fluence_j_cm2.min, w.fluence_j_cm2.max) == (3.8, 20.0)
    assert "synthetic_trial" in w.rests_on
    assert w.irradiance_mw_cm2.max == 30
    # and the verdict for 15 J/cm² flips from above to within
    assert verdict_for("photoaging", "red", 15).verdict == "above_studied_range"
    assert verdict_for("photoaging", "red", 15, evidence=ev).verdict == "within_studied_range"


def test_synthetic_dose_turns_no_dose_cell_into_a_window():
    ev = _evidence_with(_synthetic(12.0, wl=415, indication="acne"))
    w = dose_window("acne", "blue", evidence=ev)
    assert w.status == "dose_window"
    assert (w.fluence_j_cm2.min, w.fluence_j_cm2.max) == (12.0, 12.0)
    assert w.weekly_fluence_j_cm2.min == 36.0


@pytest.mark.parametrize(
    "row",
    [
        _synthetic(50.0, design=("single_arm", "uncontrolled")),
        _synthetic(50.0, confidence="unverified"),
        _synthetic(50.0, confidence="secondary"),
        _synthetic(50.0, kind="protocol"),
        _synthetic(50.0, design=("unknown",)),
    ],
    ids=["uncontrolled", "unverified", "secondary", "protocol", "unknown-design"],
)
def test_rows_that_must_not_widen_the_window(row):
    w = dose_window("photoaging", "red", evidence=_evidence_with(row))
    assert (w.fluence_j_cm2.min, w.fluence_j_cm2.max) == (3.8, 9.0)
    assert "synthetic_trial" not in w.rests_on


@settings(max_examples=60, deadline=None)
@given(x=st.floats(min_value=0.01, max_value=1000, allow_nan=False))
def test_window_is_the_hull_of_old_window_and_new_trial(x):
    old = dose_window("photoaging", "red")
    new = dose_window("photoaging", "red", evidence=_evidence_with(_synthetic(x)))
    assert new.fluence_j_cm2.min == min(old.fluence_j_cm2.min, x)
    assert new.fluence_j_cm2.max == max(old.fluence_j_cm2.max, x)


@settings(max_examples=60, deadline=None)
@given(v=st.floats(min_value=0.01, max_value=1000, allow_nan=False))
def test_an_upper_bound_never_becomes_the_lower_edge(v):
    """A trial dose reported as "≤ v" caps the window at v at most, and either leaves the
    lower edge where the numbers put it or opens it (v below every number): never = v."""
    old = dose_window("photoaging", "red").fluence_j_cm2
    row = _synthetic(v, confidence="derived", qualifier="at_most")
    new = dose_window("photoaging", "red", evidence=_evidence_with(row)).fluence_j_cm2
    assert new.upper_edge == max(old.upper_edge, v)
    if v < old.min_known:
        assert new.lower_open and new.lower_edge is None
    else:
        assert new.lower_edge == old.lower_edge == 3.8


def test_a_lower_bound_opens_the_upper_edge_only_when_above_the_numbers():
    row = _synthetic(20.0, qualifier="at_least")
    r = dose_window("photoaging", "red", evidence=_evidence_with(row)).fluence_j_cm2
    assert r.upper_open and r.upper_edge is None and r.lower_edge == 3.8
    row = _synthetic(5.0, qualifier="at_least")
    r = dose_window("photoaging", "red", evidence=_evidence_with(row)).fluence_j_cm2
    assert not r.upper_open and r.upper_edge == 9.0


def test_lowest_tested_dose_for_the_bottom_line():
    value, cite = lowest_tested_dose("photoaging", "red")
    assert value == 3.8 and "Mota" in cite and "PMID 36780572" in cite
    # NIR: only the home-mask RCT's maximum is known; it is returned as a maximum
    t = lowest_tested("photoaging", "nir")
    assert (t.value_j_cm2, t.bound, t.study_id) == (5.4, "at_most", "homemask_rct_39960921")
    assert lowest_tested_dose("photoaging", 850)[1].startswith("≤5.4 J/cm²")
    assert "maximum" in lowest_tested_dose("photoaging", "nir")[1]
    # a trial null for the indication says so
    assert "null" in lowest_tested_dose("elasticity", "red")[1]
    assert lowest_tested_dose("texture_tone", "red")[1].startswith("≈9 J/cm²")
    # no readable controlled dose, or a wavelength outside every band: None
    assert lowest_tested_dose("acne", "red") is None
    assert lowest_tested_dose("photoaging", 1072) is None
    assert lowest_tested("photoaging", "red").url == "https://pubmed.ncbi.nlm.nih.gov/36780572/"
