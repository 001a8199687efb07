"""The fresh rounds' first runs split by page kind (benchmarks/claims_model/by_page_kind.py): the
per-row rebuild gives each round's recorded figures, the groups partition the rows, and the
recorded split (docs/claims.md, stop 32) is what the rebuild gives now."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType

import pytest

from script_module import load_script

ROOT = Path(__file__).resolve().parents[1]
RECORDED = ROOT / "benchmarks" / "results" / "claims_model" / "by_page_kind.json"


@pytest.fixture(scope="module")
def split() -> ModuleType:
    return load_script("benchmarks/claims_model/by_page_kind.py", "by_page_kind_script")


@pytest.mark.parametrize(
    ("page_kind", "group"),
    [
        ("clinic page", "selling"),
        ("brand blog", "selling"),
        ("veterinary laser seller blog", "selling"),
        ("light bed provider blog", "selling"),
        ("Product page", "selling"),
        ("news", "editorial"),
        ("research abstract", "editorial"),
        ("clinical trial listing", "editorial"),
        ("blog (product review)", "editorial"),
        ("skeptic blog", "editorial"),
        ("other", "unstated"),
        ("faq", "unstated"),
        ("", "unstated"),
    ],
)
def test_page_kinds_fall_into_their_groups(split: ModuleType, page_kind: str, group: str) -> None:
    assert split.page_group(page_kind) == group


def test_the_split_rebuilds_every_recent_round_and_partitions_its_rows(split: ModuleType) -> None:
    results = json.loads((ROOT / "benchmarks" / "results" / "claims.json").read_text(encoding="utf-8"))
    got = split.by_page_kind(11, 41)
    # every round from 11 on records the disagreements that rebuild its figures exactly
    assert got["rounds_not_rebuilt"] == []
    runs = [results[f"round{n}_first_run"] for n in range(11, 42)]
    groups = [got[g] for g in split.GROUPS]
    assert sum(g["rows"] for g in groups) == sum(r["rows"] for r in runs)
    assert sum(g["neutral"] for g in groups) == sum(r["hard_negatives"] for r in runs)
    assert sum(g["neutral_flagged"] for g in groups) == sum(r["hard_negatives_with_a_claim"] for r in runs)
    supports = sum(m["support"] for r in runs for m in r["per_category"].values())
    assert sum(g["claims"] for g in groups) == supports


def test_the_recorded_split_is_what_the_rebuild_gives(split: ModuleType) -> None:
    recorded = json.loads(RECORDED.read_text(encoding="utf-8"))
    first, last = recorded["rounds_7_41"]["rounds"]
    assert (first, last) == (7, 41)
    # rounds 7-10's records predate the per-row disagreements that rebuild them
    assert recorded["rounds_7_41"]["rounds_not_rebuilt"] == [7, 8, 9, 10]
    assert split.by_page_kind(first, last) == recorded["rounds_7_41"]
    assert split.by_page_kind(37, 41) == recorded["rounds_37_41"]
