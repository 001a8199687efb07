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


# moved from tests/test_evidence_verdict.py when photodose.evidence.rank_among was removed


def test_rank_among_at_home_and_in_office() -> None:
    others: dict[str, tuple[str, float | None]] = {
        "Mask A": ("at_home", 10.0),
        "Mask B": ("at_home", 30.0),
        "Panel C": ("in_office", 80.0),
        "Panel D": ("in_office", 105.0),
        "Mask E": ("at_home", None),
        "Mask F": ("at_home", 30.0),
    }
    r = rank_among(30.0, others, name="my mask")
    assert r["overall"] == {"n": 5, "n_below": 1, "n_equal": 2, "n_above": 2, "percentile": 40.0}
    by_kind = r["by_kind"]
    assert isinstance(by_kind, dict)
    assert by_kind["at_home"]["percentile"] == pytest.approx(100 * (1 + 1) / 3)
    assert by_kind["in_office"]["n_above"] == 2
    assert by_kind["in_office"]["percentile"] == 0.0
    ordering = r["ordering"]
    assert isinstance(ordering, list)
    assert [d["name"] for d in ordering] == ["Mask A", "my mask", "Mask B", "Mask F", "Panel C", "Panel D"]
    assert r["missing"] == ["Mask E"]
    empty = rank_among(5.0, {})
    assert empty["overall"]["percentile"] is None  # type: ignore[index]
    with pytest.raises(RankingInputError, match="Mask X"):
        rank_among(5.0, {"Mask X": ("at_home", float("inf"))})


@settings(max_examples=60, deadline=None)
@given(
    v=st.floats(min_value=0, max_value=1e3), vals=st.lists(st.floats(min_value=0, max_value=1e3), max_size=12)
)
def test_rank_percentile_is_monotone(v: float, vals: list[float]) -> None:
    others: dict[str, tuple[str, float | None]] = {f"d{i}": ("at_home", x) for i, x in enumerate(vals)}
    p1 = rank_among(v, others)["overall"]["percentile"]  # type: ignore[index]
    p2 = rank_among(v + 1.0, others)["overall"]["percentile"]  # type: ignore[index]
    if vals:
        assert 0 <= p1 <= p2 <= 100
