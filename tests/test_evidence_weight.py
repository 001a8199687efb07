"""Weight of evidence: which trials count for or against an indication, their N and direction."""

from __future__ import annotations

import copy
import tomllib
from importlib.resources import files
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from photodose.evidence import evidence_weight, load_evidence
from photodose.evidence.studies import Evidence, load_indications, parse_studies

DATA = Path(str(files("photodose") / "data" / "evidence"))
BANDS, INDICATIONS = load_indications()
RAW = tomllib.loads((DATA / "studies.toml").read_text(encoding="utf-8"))


def _with(*rows: dict[str, Any]) -> Evidence:
    data = copy.deepcopy(RAW)
    data["study"].extend(copy.deepcopy(list(rows)))
    studies = parse_studies(data, BANDS, INDICATIONS, where="test")
    return Evidence(bands=BANDS, indications=INDICATIONS, studies=studies)


def _trial(sid: str, design: list[str], direction: str, n: int = 40) -> dict[str, Any]:
    return {
        "id": sid,
        "label": sid,
        "kind": "trial",
        "design": design,
        "indications": ["inflammation"],
        "n": n,
        "direction": direction,
        "confidence": "exact",
        "source": "test fixture",
        "exposure": [{"label": "633 nm", "wavelength_nm": 633}],
    }


def test_packaged_tallies():
    acne = evidence_weight("acne")
    assert {t.study_id for t in acne.trials} == {
        "kwon2013_home_acne",
        "papageorgiou2000",
        "na_suh2007",
        "aziz_jalali2012_acne",
    }
    assert acne.total_n == 35 + 107 + 28 + 28
    assert set(acne.not_counted) == {"goldberg_russell2006_acne", "lee_you_park2007_acne"}
    infl = evidence_weight("inflammation", "amber")
    assert infl.directions == {"positive": 1, "null": 1, "negative": 1, "mixed": 0}
    in_band = {t.study_id: t.in_band for t in infl.trials}
    assert in_band["alster2009"] and in_band["boulos2009"] and in_band["lsm23480_postlaser"]
    el = evidence_weight("elasticity")
    assert {t.study_id: t.direction for t in el.trials} == {
        "lee2007_photoaging": "positive",
        "mota2023": "null",
        "ng2020_home_led": "positive",
    }


def test_blinded_negative_counts_and_open_series_does_not():
    base = evidence_weight("inflammation")
    ev = _with(
        _trial("blind_null", ["single_arm", "observer_blind"], "negative"),
        _trial("open_series", ["single_arm", "uncontrolled"], "positive"),
        _trial("sham_pos", ["randomised", "sham"], "positive"),
    )
    w = evidence_weight("inflammation", evidence=ev)
    assert w.n_trials == base.n_trials + 2
    assert w.count("negative") == base.count("negative") + 1
    assert w.count("positive") == base.count("positive") + 1
    assert "open_series" in w.not_counted
    assert w.total_n == base.total_n + 80


@settings(max_examples=40, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from([["randomised", "sham"], ["single_arm", "double_blind"], ["uncontrolled"]]),
            st.sampled_from(["positive", "null", "negative", "mixed"]),
            st.integers(min_value=1, max_value=500),
        ),
        max_size=6,
    )
)
def test_tally_adds_up(rows):
    ev = _with(*[_trial(f"t{i}", d, r, n) for i, (d, r, n) in enumerate(rows)])
    w = evidence_weight("inflammation", evidence=ev)
    assert sum(w.directions.values()) == w.n_trials - sum(1 for t in w.trials if t.direction is None)
    assert w.total_n == sum(t.n or 0 for t in w.trials)
    counted = [r for r in rows if r[0] != ["uncontrolled"]]
    base = evidence_weight("inflammation")
    assert w.n_trials == base.n_trials + len(counted)
    assert w.to_dict()["n_trials"] == w.n_trials


def test_every_counted_trial_links_to_its_paper_or_says_why():
    ev = load_evidence()
    for ind in ev.indications:
        for t in evidence_weight(ind.id).trials:
            if t.url is None:
                assert "identifier" in ev.study(t.study_id).gaps_note, t.study_id
            else:
                assert t.url.startswith(
                    ("https://doi.org/", "https://pubmed.ncbi.nlm.nih.gov/", "https://pmc.")
                )
