"""Overlap-aware ranking within a device kind (photodose.device.ranking, issue 9 item 3)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from photodose.device.ranking import (
    RankingInputError,
    RankItem,
    rank_among,
    rank_by_range,
    relation,
)


def test_overlap_makes_devices_indistinguishable() -> None:
    me = RankItem("my mask", "mask", 0.23, 2.7, 10.2)
    others = [
        RankItem("Mask A", "mask", 0.1, 0.15, 0.2),  # certainly below
        RankItem("Mask B", "mask", 1.0, 3.0, 12.0),  # overlaps
        RankItem("Mask C", "mask", 11.0, 15.0, 20.0),  # certainly above
        RankItem("Wand", "handheld", 0.1, 50.0, 300.0),  # other kind: not compared
        RankItem("Panel", "in_office", 40.0, 65.0, 105.0),
    ]
    r = rank_by_range(me, others)
    assert r["group"] == "mask"
    assert r["below"] == ["Mask A"]
    assert r["indistinguishable"] == ["Mask B"]
    assert r["above"] == ["Mask C"]
    assert r["not_compared"] == ["Panel", "Wand"]
    assert r["n_compared"] == 3
    assert "indistinguishable from Mask B" in r["summary"]
    assert all(o["kind"] == "mask" for o in r["ordering"])
    assert [o["name"] for o in r["ordering"]] == ["Mask A", "my mask", "Mask B", "Mask C"]


def test_handheld_is_not_ranked_among_masks() -> None:
    wand = RankItem("Wand", "handheld", 0.4, 5.0, 59.0)
    r = rank_by_range(wand, [RankItem("Mask", "mask", 1, 2, 3)])
    assert r["n_compared"] == 0 and r["not_compared"] == ["Mask"]
    assert "No other catalogued handheld devices" in r["summary"]


def test_bad_items_are_refused() -> None:
    with pytest.raises(RankingInputError, match="low <= central <= high"):
        RankItem("x", "mask", 3.0, 2.0, 1.0)
    with pytest.raises(RankingInputError, match="finite"):
        RankItem("x", "mask", 0.0, float("nan"), 1.0)


finite = st.floats(min_value=0.0, max_value=1e3)


@settings(max_examples=80, deadline=None)
@given(a=st.lists(finite, min_size=3, max_size=3), b=st.lists(finite, min_size=3, max_size=3))
def test_relation_is_antisymmetric(a: list[float], b: list[float]) -> None:
    x = RankItem("x", "mask", *sorted(a))
    y = RankItem("y", "mask", *sorted(b))
    flip = {"above": "below", "below": "above", "indistinguishable": "indistinguishable"}
    assert relation(y, x) == flip[relation(x, y)]
    # overlapping ranges are never ordered
    if not (x.high < y.low or y.high < x.low):
        assert relation(x, y) == "indistinguishable"


def test_central_rank_kept_for_old_callers() -> None:
    r = rank_among(30.0, {"A": ("at_home", 10.0), "B": ("at_home", 40.0), "C": ("at_home", None)})
    assert r["overall"]["percentile"] == pytest.approx(50.0)
    assert r["missing"] == ["C"]


def test_catalogue_standing_is_within_kind() -> None:
    from photodose.device import find_device
    from photodose.device.estimate import Estimate
    from photodose.services.catalog_table import catalog_rank_items
    from photodose.services.evaluate import device_standing

    items = catalog_rank_items()
    assert len(items) == 10 and all(i.low <= i.central <= i.high for i in items)
    wand = find_device("solawave-wand")
    st_ = device_standing(wand, Estimate(0.45, 5.0, 59.0, "mW/cm2"))
    assert st_["by_range"]["group"] == "handheld"
    assert all(o["kind"] == "handheld" for o in st_["by_range"]["ordering"])
    hd = find_device("higherdose-red-light-face-mask")
    st_ = device_standing(hd, Estimate(0.23, 2.7, 20.3, "mW/cm2"))
    assert "HigherDOSE" not in " ".join(st_["by_range"]["indistinguishable"])
    assert st_["by_range"]["indistinguishable"], "wide ranges overlap other masks"
