"""Claims: the sentence-embedding experiment's cross-validation (benchmarks/claims.py
``cv_embedding``, docs/claims-history.md "A sentence-embedding classifier, tried").

What is tested here is what the comparison's honesty rests on, without wordllama: that the folds
keep a brand (and a source page's host) on one side across the corpus and round 5, that the
thresholds and vetoes are chosen by the stated rules, and that the recorded comparison says what
the docs say.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlparse

import pytest

from script_module import load_script

ROOT = Path(__file__).resolve().parents[1]


def _benchmark() -> ModuleType:
    return load_script("benchmarks/claims.py", "claims_benchmark_emb")


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return _benchmark()


def _row(i: int, brand: str, source: str, cat: str = "none") -> dict[str, Any]:
    return {"id": i, "brand": brand, "source": source, "expected_category": cat, "expected_grade": ""}


def test_components_join_brand_spellings_and_shared_hosts(bench: ModuleType) -> None:
    rows = [
        _row(1, "Dr. Dennis Gross", "https://drdennisgross.com/a"),
        _row(2, "dr dennis gross", "https://www.retailer.com/b"),  # same brand, other spelling
        _row(3, "generic", "https://retailer.com/c"),  # same host as row 2 (www. dropped)
        _row(4, "Omnilux", "https://omniluxled.com/d"),
        _row(5, "generic", "paraphrase of https://news.example/e"),  # unparseable source: its own group
    ]
    g = bench.brand_components(rows)
    assert g[0] == g[1] == g[2]
    assert len({g[0], g[3], g[4]}) == 3


def test_outer_folds_separate_brands_and_hosts_across_both_files(bench: ModuleType) -> None:
    pytest.importorskip("sklearn")
    from sklearn.model_selection import GroupKFold

    corpus, _ = bench.load_corpus()
    dev = [r for r in corpus if bench.is_development(r)]
    fresh = tomllib.loads(bench.FRESH_ROUND_5.read_text(encoding="utf-8"))["rows"]
    data = dev + fresh

    def brand(r: dict[str, Any]) -> str | None:
        b = r.get("brand")
        return re.sub(r"[^a-z0-9]", "", b.lower()) if b and b != "generic" else None

    def host(r: dict[str, Any]) -> str:
        return urlparse(str(r["source"]).split()[0]).netloc.removeprefix("www.")

    shared = {brand(r) for r in dev} & {brand(r) for r in fresh} - {None}
    assert len(shared) >= 10  # the test is not vacuous: many brands appear in both files
    groups = bench.brand_components(data)
    for seed in (0, 1, 2):
        for tr, te in GroupKFold(n_splits=5, shuffle=True, random_state=seed).split(data, groups=groups):
            train, test = [data[i] for i in tr], [data[i] for i in te]
            assert not ({brand(r) for r in train} & {brand(r) for r in test}) - {None}
            assert not ({host(r) for r in train} & {host(r) for r in test}) - {""}


def test_add_threshold_is_the_lowest_that_flags_no_neutral_row(bench: ModuleType) -> None:
    import numpy as np

    k = bench.CLASSIFIED.index("endorsement")

    def p(x: float) -> Any:
        v = np.zeros(len(bench.CLASSIFIED))
        v[k] = x
        return v

    rows = [_row(1, "a", "s", "endorsement"), _row(2, "b", "s", "endorsement"), _row(3, "c", "s")]
    cands = {1: [("s1", "endorsement")], 2: [("s2", "endorsement")], 3: [("s3", "endorsement")]}
    prob = {"s1": p(0.9), "s2": p(0.8), "s3": p(0.6)}
    rule_cats: dict[int, set[str]] = {1: set(), 2: set(), 3: set()}
    chosen = bench._choose_add(rows, rule_cats, cands, prob)
    assert chosen["endorsement"] == 0.65  # 0.6 would flag the neutral row 3
    assert chosen["safety"] == bench._OFF  # no candidate: never adds
    # a category the rules already found in the row is not the classifier's to add
    chosen = bench._choose_add(rows, {1: {"endorsement"}, 2: {"endorsement"}, 3: set()}, cands, prob)
    assert chosen["endorsement"] == bench._OFF


def test_veto_is_the_largest_that_drops_no_true_claim(bench: ModuleType) -> None:
    import numpy as np

    k = bench.CLASSIFIED.index("safety")

    def p(x: float) -> Any:
        v = np.ones(len(bench.CLASSIFIED))
        v[k] = x
        return v

    rows = [_row(1, "a", "s", "safety"), _row(2, "b", "s")]
    prob = {"true": p(0.35), "false": p(0.12)}
    claims = {1: [("true", "safety", True)], 2: [("false", "safety", True)]}
    assert bench._choose_veto(rows, claims, prob, "frames")["safety"] == 0.3  # 0.4 drops the true one
    # a pattern claim (not a frame) is only vetoed with scope "all"
    claims = {1: [("true", "safety", True)], 2: [("false", "safety", False)]}
    assert "safety" not in bench._choose_veto(rows, claims, prob, "frames")
    assert bench._choose_veto(rows, claims, prob, "all")["safety"] == 0.3


def test_recorded_comparison_matches_the_docs_and_ships_nothing(bench: ModuleType) -> None:
    results = json.loads(bench.RESULTS.read_text(encoding="utf-8"))
    if "embedding_cv" not in results:
        pytest.skip("benchmarks/claims.py --cv-embedding has not been recorded")
    cv = results["embedding_cv"]
    assert cv["rows"] >= 1000
    docs = (ROOT / "docs" / "claims-history.md").read_text(encoding="utf-8")
    assert "A sentence-embedding classifier, tried" in docs
    for name, per_seed in cv["pooled"].items():
        assert len(per_seed) == len(cv["per_fold"]) // 5  # one pooled score per seed
        # the docs table's row for each system carries the recorded recall and neutral counts
        recall = "/".join(f"{p['micro']['recall']:.3f}" for p in per_seed)
        flagged = "/".join(str(p["hard_negatives_with_a_claim"]) for p in per_seed)
        lines = [ln for ln in docs.splitlines() if ln.startswith("|") and f"`{name}`" in ln]
        assert any(recall in ln and f" {flagged} " in ln for ln in lines), (name, recall, flagged)
    # nothing won, so nothing is shipped: the claims package neither imports nor names wordllama
    assert not any(e["wins"] for e in cv["paired_vs_a_shipped"].values())
    for f in (ROOT / "src" / "photodose").rglob("*.py"):
        assert "wordllama" not in f.read_text(encoding="utf-8"), f
    assert "wordllama" not in (ROOT / "pyproject.toml").read_text(encoding="utf-8")


def test_a_stand_in_scorer_runs_through_the_current_extractor(bench: ModuleType) -> None:
    """``--cv-embedding`` swaps the shipped classifier for its own scorers: they must accept every
    argument the extractor passes (it broke once when the extractor began passing a sentence's
    tokens), and a scorer that says yes to everything must add claims where the gates allow."""
    rows = [
        {"id": 1, "device": "", "sentence": "Trusted by dermatologists in clinics across the country."},
        {"id": 2, "device": "", "sentence": "Plug the charger into a wall socket before first use."},
    ]
    yes = bench._run_with(bench._Constant(1.0), rows, {})
    no = bench._run_with(bench._Constant(0.0), rows, {})
    assert set(yes) == set(no) == {1, 2}
    assert len(yes[1].claims) >= len(no[1].claims)
    assert not yes[2].claims and not no[2].claims
