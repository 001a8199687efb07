"""The learned model's thresholds and doubt marks chosen on rounds 24-39
(benchmarks/claims_model/category_thresholds.py): the pre-registered rules choose as written, and
the shipped card holds what the recorded run chose."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from script_module import load_script

ROOT = Path(__file__).resolve().parents[1]
RECORDED = ROOT / "benchmarks" / "results" / "claims_model" / "category_thresholds.json"
CARD = ROOT / "src" / "photodose" / "data" / "claims" / "model" / "model.toml"


@pytest.fixture(scope="module")
def ct() -> ModuleType:
    return load_script("benchmarks/claims_model/category_thresholds.py", "category_thresholds_script")


def _bands(ct: ModuleType, **counts: tuple[int, int, int]) -> dict[str, dict[str, dict[str, int]]]:
    """One category's band tally; unnamed bands empty. Keys like b08 = [0.8, 0.9), up = [0.9, 0.95)."""
    names = {"b08": "0.8-0.9", "b07": "0.7-0.8", "b06": "0.6-0.7", "b05": "0.5-0.6", "up": "0.9-0.95"}
    t = {f"{lo}-{hi}": {"right": 0, "wrong": 0, "neutral": 0} for lo, hi in (*ct.BANDS_DOWN, ct.BAND_UP)}
    for k, (right, wrong, neutral) in counts.items():
        t[names[k]] = {"right": right, "wrong": wrong, "neutral": neutral}
    return {"efficacy": t}


@pytest.mark.parametrize(
    ("counts", "threshold", "why"),
    [
        ({}, 0.9, "under 10"),
        ({"b08": (30, 10, 2)}, 0.8, "stops above 0.7"),  # precision 0.75, neutral 2 <= 30/5
        ({"b08": (29, 11, 2)}, 0.9, "precision 0.72"),
        ({"b08": (30, 10, 7)}, 0.9, "7 neutral for 30 right"),
        ({"b08": (30, 5, 1), "b07": (20, 5, 1), "b06": (5, 5, 0)}, 0.7, "stops above 0.6"),
        ({"b08": (9, 0, 0), "b07": (40, 0, 0)}, 0.9, "under 10"),  # no skipping a thin band
        ({"b08": (3, 20, 5), "up": (4, 6, 1)}, 0.95, "raised to 0.95"),
        ({"b08": (3, 20, 5), "up": (5, 5, 1)}, 0.9, "precision"),  # 0.5 is not under 0.5
    ],
)
def test_the_threshold_rule(ct: ModuleType, counts: dict[str, Any], threshold: float, why: str) -> None:
    chosen, reasons = ct.choose(_bands(ct, **counts))
    assert chosen == {"efficacy": threshold}
    assert why in reasons["efficacy"]


def test_the_veto_rule_takes_the_highest_value_that_is_mostly_wrong(ct: ModuleType) -> None:
    def tally(**by_v: tuple[int, int]) -> dict[str, dict[str, dict[str, int]]]:
        t = {str(v): {"right": 0, "wrong": 0, "neutral": 0} for v in ct.VETO_GRID}
        for k, (right, wrong) in by_v.items():
            t[k.replace("v", "0.").replace("_", "")] = {"right": right, "wrong": wrong, "neutral": wrong}
        return {"safety": t}

    # 0.1: 12 dropped, 8 wrong (0.67); 0.05: 10 dropped, 8 wrong (0.8) -> 0.05
    assert ct.choose_veto(tally(v1=(4, 8), v05=(2, 8), v02=(0, 5), v01=(0, 3))) == {"safety": 0.05}
    assert ct.choose_veto(tally(v1=(1, 8), v05=(0, 6))) == {}  # too few dropped anywhere
    assert ct.choose_veto(tally(v1=(0, 40))) == {"safety": 0.1}


def test_the_recorded_choice_is_the_rules_and_the_card_ships_it(ct: ModuleType) -> None:
    rec = json.loads(RECORDED.read_text(encoding="utf-8"))
    for part in ("bands_choose_rounds", "veto_choose_rounds"):
        assert set(rec[part]) == set(ct.claims.FRESH_LABELLED)
    chosen, _ = ct.choose(rec["bands_choose_rounds"])
    assert chosen == rec["chosen"]
    assert ct.choose_veto(rec["veto_choose_rounds"]) == rec["veto_chosen"]
    card = tomllib.loads(CARD.read_text(encoding="utf-8"))
    assert card["use"]["thresholds"] == rec["chosen"]  # the rule kept 0.9 everywhere
    assert card["use"]["doubt"] == rec["veto_chosen"]
    # what the docs say of rounds 40-43: the veto would have cut 129 neutral sentences flagged to 95
    check = rec["pooled"]["check_40_43"]
    assert (check["shipped_0.9"]["neutral"], check["shipped_0.9_with_veto"]["neutral"]) == (129, 95)
