"""Claims: the labelled corpus is well formed and the benchmark meets the issue's targets."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from photodose.claims import CATEGORIES
from script_module import load_script

ROOT = Path(__file__).resolve().parents[1]


def _benchmark() -> ModuleType:
    return load_script("benchmarks/claims.py", "claims_benchmark")


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return _benchmark()


@pytest.fixture(scope="module")
def result(bench: ModuleType) -> dict[str, Any]:
    # the corpus and its splits; the in-sample score of every development file is the
    # benchmark's (benchmarks/results/claims.json), asserted nowhere, and two minutes long
    out: dict[str, Any] = bench.evaluate(every_file=False)
    return out


def test_corpus_is_well_formed(bench: ModuleType) -> None:
    rows, contexts = bench.load_corpus()
    assert len(rows) >= 400
    brands = {r["brand"] for r in rows if r.get("brand") and r["brand"] != "generic"}
    assert len(brands) >= 15, sorted(brands)
    # round-1 rows with a brand carry the split the sha1 rule gave them in advance; round-2
    # rows (collected after the round-1 fixes) are all held_out_2
    assert all(
        r["split"] == bench.split_for(r["sentence"])
        for r in rows
        if "brand" in r and "round" not in r and "batch" not in r
    )
    # rows collected as development data (a `batch`) carry a brand and a source page
    batch = [r for r in rows if "batch" in r]
    assert batch and all(r["split"] == "development" and r.get("brand") for r in batch)
    assert all(r["split"] == f"held_out_{r['round']}" for r in rows if r.get("round", 1) > 1)
    sentences = [r["sentence"] for r in rows]
    assert len(set(sentences)) == len(sentences), "duplicate sentences"
    covered = {c for r in rows for c in r["expected_category"].split("|")}
    assert set(CATEGORIES) | {"none"} <= covered
    assert sum(1 for r in rows if r["expected_category"] == "none") >= 20
    assert all(r["source"].startswith("http") for r in rows)
    assert {r["device"] for r in rows if r["device"]} <= set(contexts)


def test_targets_on_all_rows(result: dict[str, Any]) -> None:
    all_rows = result["all"]
    assert all_rows["per_category"]["regulatory"]["recall"] >= 0.9
    # in-sample; the classifier's endorsement threshold is 0.95 since it is chosen on every
    # development row (lower ones flagged neutral rows out of fold), so a little lower than before
    assert all_rows["per_category"]["endorsement"]["recall"] >= 0.85
    assert all_rows["grade_agreement"] >= 0.8


def test_held_out_rows_are_reported_separately(result: dict[str, Any]) -> None:
    held = result["held_out"]
    assert held["rows"] >= 60
    # The first run on the held-out rows (docs/claims-history.md) gave recall 0.88, grade agreement 0.85
    # and no neutral sentence flagged; these floors guard that first-run level against
    # regressions.  They are not the targets (0.95 / 0.90), which only the
    # post-fix, no longer independent, figures reach.
    assert held["micro"]["recall"] >= 0.88
    assert held["grade_agreement"] >= 0.85
    assert held["hard_negatives_with_a_claim"] == 0


def test_round_four_is_reported_with_its_first_run(bench: ModuleType, result: dict[str, Any]) -> None:
    # round 4: collected and labelled after the concept frames and the hedge filter were frozen,
    # run once (docs/claims-history.md): recall 0.83, grade agreement 0.81, precision 0.84, 7 of 51
    # neutral sentences flagged.  It is development data now; these floors guard the first-run
    # level, they are not the targets.
    fresh = result["held_out_4"]
    assert fresh["rows"] >= 60 and fresh["hard_negatives"] >= 20
    rows, _ = bench.load_corpus()
    r4 = [r for r in rows if r["split"] == "held_out_4"]
    assert all(r["round"] == 4 and r["source"].startswith("http") and r.get("brand") for r in r4)
    assert fresh["micro"]["recall"] >= 0.83
    assert fresh["grade_agreement"] >= 0.81
    assert fresh["hard_negatives_with_a_claim"] <= 7
    # what is found is graded right
    assert fresh["grade_agreement_detected_only"] >= 0.94


def test_development_rows_are_rounds_one_to_four_and_the_collected_batches(bench: ModuleType) -> None:
    rows, _ = bench.load_corpus()
    dev = [r for r in rows if bench.is_development(r)]
    assert len(dev) == len(rows) >= 600  # no fresh held-out split in this file
    # a later fresh round (its own split) is never development data
    assert not bench.is_development({"split": "held_out_5"})
    # folds are grouped by brand (else the source host): no brand is on both sides of a fold
    groups = {bench.group_of(r) for r in dev}
    assert len(groups) >= 60


def test_batch_first_run_is_kept() -> None:
    # grow_1: labelled before the grader ran on it; its first run (docs/claims-history.md) is the record
    import json

    saved = json.loads((ROOT / "benchmarks" / "results" / "claims.json").read_text())
    first = saved["grow_1_first_run"]
    assert first["rows"] >= 120 and first["hard_negatives"] >= 60
    assert first["micro"]["recall"] < 0.95  # a real, unflattering run, never recomputed


def test_fresh_round_three_is_reported(result: dict[str, Any]) -> None:
    # rows collected and labelled after the round-2 fixes, run once (docs/claims-history.md): recall 0.84,
    # grade agreement 0.82, 2 of 5 neutral sentences flagged.  Regression floors.
    fresh = result["held_out_3"]
    assert fresh["rows"] >= 40
    assert fresh["micro"]["recall"] >= 0.83
    assert fresh["grade_agreement"] >= 0.81
    assert fresh["hard_negatives_with_a_claim"] <= 2


def test_fresh_round_two_is_reported(result: dict[str, Any]) -> None:
    # rows collected and labelled after the round-1 fixes; their first run (docs/claims-history.md):
    # recall 0.88, grade agreement 0.88, 3 of 13 neutral sentences flagged.  Regression floors.
    fresh = result["held_out_2"]
    assert fresh["rows"] >= 50
    assert fresh["micro"]["recall"] >= 0.87
    assert fresh["grade_agreement"] >= 0.87
    assert fresh["hard_negatives_with_a_claim"] <= 3


def test_precision_is_measured_on_hard_negatives(result: dict[str, Any]) -> None:
    all_rows = result["all"]
    assert all_rows["hard_negatives"] >= 20
    assert all_rows["hard_negatives_with_a_claim"] <= all_rows["hard_negatives"] // 3
    assert all_rows["micro"]["precision"] >= 0.85


#: rows in each later round's file, and rows its first run dropped as near repeats of development rows
LATER_ROUND_ROWS = {
    7: (487, 2),
    8: (581, 2),
    9: (512, 3),
    10: (444, 0),
    11: (479, 2),
    12: (588, 2),
    13: (308, 2),
    14: (490, 3),
    15: (432, 1),
    16: (637, 9),
    17: (442, 3),
    18: (427, 2),
    19: (442, 4),
    20: (428, 2),
    21: (172, 0),
    22: (449, 2),
    23: (366, 3),
    24: (370, 3),
    25: (339, 2),
    26: (328, 3),
    27: (357, 4),
    28: (333, 1),
    29: (331, 3),
    30: (292, 0),
    31: (331, 2),
    32: (336, 3),
    33: (323, 3),
    34: (326, 5),
    35: (319, 8),
    36: (311, 2),
    37: (335, 3),
    38: (331, 3),
    39: (323, 9),
    40: (324, 1),
    41: (333, 3),
    42: (331, 3),
    43: (336, 3),
    44: (313, 2),
    45: (317, 1),
    46: (317, 4),
    47: (309, 2),
    48: (318, 0),
    49: (297, 3),
    50: (295, 5),
    # 2 dropped at its first run; "How cool is that?!" (51076) is also in round 50, collected at
    # the same time, so the development rows hold it once
    51: (322, 3),
    # 6 dropped at its first run as near repeats of development rows
    52: (306, 6),
    53: (318, 0),
    54: (315, 0),
    55: (322, 2),
    56: (293, 0),
    57: (291, 2),
    58: (212, 0),
}


def test_cross_validation_by_brand_scores_the_classifier_out_of_fold(bench: ModuleType) -> None:
    pytest.importorskip("sklearn")
    import photodose.claims.classify as classify_mod

    shipped = classify_mod.load_classifier
    cv = bench.cv_by_brand(folds=3, thresholds=(0.5, 0.8))
    assert classify_mod.load_classifier is shipped  # restored
    r = cv["by_threshold"]["0.8"]
    # every development row: the corpus's, round 5's non-leaked ones and the batch files present
    assert cv["rows"] == r["rows"] >= 1000
    assert cv["rows_by_file"]["claims_corpus"] >= 700 and cv["rows_by_file"]["claims_heldout_round5"] == 305
    # round 6 joined the development rows after its first run, less its 4 near-repeats
    assert cv["rows_by_file"]["claims_heldout_round6"] == 356
    # each later round joined the development rows after its first run, less the rows it dropped
    # then as near repeats: round -> (rows in its file, rows dropped)
    for n, (in_file, dropped) in LATER_ROUND_ROWS.items():
        assert cv["rows_by_file"][f"claims_heldout_round{n}"] == in_file - dropped, n
    # the rules and lexicons were written from the corpus and looked at round 5; only the
    # classifier is out of fold, so this is an upper bound on unseen copy (round 5 first run: 0.82)
    # 0.79 at 3 folds once rounds 7-10 (whole passages of plainer prose) joined the rows; 0.749 once
    # round 25 joined (the rules alone had found 0.68 of its claims at its first run; 0.749 without
    # this stop's one rule change too); 0.733 once rounds 31-33 joined (stop 30: clinic, abstract and
    # pet copy whose conditions the indication vocabulary lacks; the rules alone had found 0.51-0.66
    # of their claims at their first runs), with no rule changed; 0.717 once rounds 40-43 joined
    # (stop 32: mucositis, hair, tendon, dental, fat-loss and nail-fungus lasers; the rules and the
    # classifier alone had found 0.61-0.62 of their claims at their first runs), no rule changed;
    # 0.715 once rounds 44-45 joined (stop 33; 0.60-0.67 by rules and classifier at first runs),
    # 0.714 once rounds 46-47 did; 0.713 once rounds 48-51 did (stop 34: nail-fungus and smoking
    # lasers, UV clinics, LED-mask sellers and salons; with the other-treatment filter and
    # eff.safe_and_effective); 0.7095 once rounds 52-57 did (stop 36: cold- and class IV laser
    # clinics' pain pages, personal blogs and sceptics' pages, whose claims the rules and classifier
    # alone had found 0.57-0.63 of at rounds 56-57's first runs; no rule changed when they joined)
    assert r["micro"]["recall"] >= 0.70
    # about 1 in 8 since round 6's hard negatives (82 new brands) joined: 112 of 950 at 5 folds (docs);
    # 1,085 of 7,350 at 3 folds once rounds 31-34 joined (stop 30: abstract, registry, news and
    # clinic pages, whose neutral sentences the grader flagged 16-25 % of the time at first runs);
    # 1,202 of 7,933 once rounds 36-37 joined (stop 31: heat-lamp and far-infrared mat pages, abstracts
    # and background on conditions; 18-19 % of their neutral sentences flagged at first runs);
    # 1,381 of 9,107 (15.2 %) once rounds 40-43 joined (stop 32); 1,443 of 9,464 (15.2 %) once
    # rounds 44-45 joined (stop 33), 1,493 of 9,826 (15.2 %) once rounds 46-47 did, 1,575 of
    # 10,508 (15.0 %) once rounds 48-51 did (stop 34), 1,758 of 11,611 (15.1 %) once rounds 52-57
    # did (stop 36)
    assert r["hard_negatives_with_a_claim"] <= r["hard_negatives"] * 4 // 25
    # one threshold per category, from the grid (or 0.95), and the system scored with them
    assert set(cv["chosen_thresholds"]) == set(bench.CLASSIFIED)
    assert all(t in (0.5, 0.8, 0.95) for t in cv["chosen_thresholds"].values())
    assert cv["chosen"]["rows"] == r["rows"]
    # with the classifier off, only rules and frames: the classifier's own claims are the rest
    assert cv["rules_and_frames_only"]["rows"] == r["rows"]


def test_choose_thresholds_prefers_useful_then_harmless(bench: ModuleType) -> None:
    def k(tp: int, fp: int, nfp: int) -> dict[str, int]:
        return {"tp": tp, "fp": fp, "neutral_fp": nfp}

    zero = {c: k(0, 0, 0) for c in bench.CLASSIFIED}
    tallies = {
        "0.5": {**zero, "efficacy": k(4, 2, 1), "safety": k(0, 1, 0)},
        "0.7": {**zero, "efficacy": k(3, 1, 0), "safety": k(0, 1, 0)},
        "0.9": {**zero, "efficacy": k(1, 0, 0), "safety": k(0, 1, 0)},
    }
    chosen = bench.choose_thresholds(tallies)
    assert chosen["efficacy"] == 0.7  # first with a found claim, no neutral flag, 3 right in 4
    assert chosen["safety"] == 0.95  # always wrong: never let it add a claim
    assert chosen["depth"] == 0.5  # never fires: harmless at the lowest threshold


def test_fresh_round_5_is_unchanged_since_labelling() -> None:
    """The held-out round 5 was labelled before any grader ran on it and run once
    (``round5_first_run``); its sha256 header lines must still match its rows and labels, so a
    later edit to the file (which would make the recorded figures meaningless) fails here."""
    import hashlib
    import tomllib
    from pathlib import Path

    path = Path(__file__).parent / "data" / "claims_heldout_round5.toml"
    raw = path.read_text(encoding="utf-8")
    rows = tomllib.loads(raw)["rows"]
    text = hashlib.sha256("\n".join(r["sentence"] for r in rows).encode()).hexdigest()
    labels = hashlib.sha256(
        "\n".join(f"{r['expected_category']}\t{r['expected_grade']}\t{r['device']}" for r in rows).encode()
    ).hexdigest()
    assert text in raw and labels in raw
    assert len(rows) == 315 and {r["split"] for r in rows} == {"held_out_5"}
