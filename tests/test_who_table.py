"""Who gets what from the shipped depth table: the same numbers as the evaluate chain and as the
sweep's arithmetic with a freshly modelled irradiance, no Monte Carlo, and the figure."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from photodose.services import who_table
from photodose.services.who_table import WhoGetsWhat, shipped_who_gets_what

HD = "higherdose-red-light-face-mask"


@pytest.fixture()
def fresh(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[WhoGetsWhat]:
    """The table read now (no ratio cache), with Monte Carlo forbidden (also in evaluate)."""
    import photodose.transport

    def no_monte_carlo(*a: object, **k: object) -> None:
        raise AssertionError("who gets what must not trace photons")

    monkeypatch.setenv("PHOTODOSE_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(photodose.transport, "simulate", no_monte_carlo)
    shipped_who_gets_what.cache_clear()
    try:
        yield shipped_who_gets_what()
    finally:
        shipped_who_gets_what.cache_clear()


def test_table_covers_catalogued_devices_at_the_forehead(fresh: WhoGetsWhat) -> None:
    assert "III forehead" in fresh.skins
    devices = {d.device for d in fresh.doses}
    assert HD in devices and len(devices) >= 8
    for d in fresh.doses:
        assert d.low_j_cm2 is not None and d.high_j_cm2 is not None
        assert 0 < d.low_j_cm2 <= d.central_j_cm2 <= d.high_j_cm2


def test_dermal_dose_equals_the_evaluate_chain(fresh: WhoGetsWhat) -> None:
    # photodose evaluate for a Fitzpatrick III forehead at the device's timer reads the same table
    from photodose.services.evaluate import evaluate

    ev = evaluate(HD, grade_device_claims=False)
    assert ev.skin.fitzpatrick == "III" and ev.skin.site == "forehead"
    cells = {
        (d.channel): d
        for d in fresh.doses
        if d.device == HD and (d.fitzpatrick, d.site) == ("III", "forehead")
    }
    for dose in ev.doses:
        w = cells[dose.channel]
        assert w.central_j_cm2 == pytest.approx(dose.dermis_fluence_j_cm2.central, rel=1e-6)
        assert w.low_j_cm2 == pytest.approx(dose.dermis_fluence_j_cm2.low, rel=1e-6)
        assert w.high_j_cm2 == pytest.approx(dose.dermis_fluence_j_cm2.high, rel=1e-6)


def test_shipped_irradiance_gives_what_a_fresh_model_gives(fresh: WhoGetsWhat) -> None:
    # the same rows through photodose.sweep.who with the irradiance modelled now
    from photodose.sweep.who import who_gets_what

    rows = [
        {"device": d.device, "channel": d.channel, "fitzpatrick": d.fitzpatrick, "site": d.site,
         "composition": "central", "dermis_mean_fluence_ratio": d.central_j_cm2 / d.irradiance_mw_cm2
         / (d.session_minutes * 60 / 1000)}
        for d in fresh.doses if d.device == HD
    ]  # fmt: skip
    again = {(d.channel, d.fitzpatrick, d.site): d for d in who_gets_what(rows)}
    for d in fresh.doses:
        if d.device == HD:
            got = again[(d.channel, d.fitzpatrick, d.site)].central_j_cm2
            assert got == pytest.approx(d.central_j_cm2, rel=1e-9)


def test_a_device_not_in_the_table_is_named_not_simulated(fresh: WhoGetsWhat) -> None:
    sub = fresh.for_devices([HD, "my-own-mask"])
    assert {d.device for d in sub.doses} == {HD}
    assert sub.missing_devices == ["my-own-mask"] and "my-own-mask" in sub.note
    assert "not in the table" in sub.note


def test_ratios_are_cached_and_reused(fresh: WhoGetsWhat, monkeypatch: pytest.MonkeyPatch) -> None:
    def unreadable(name: str) -> None:
        raise AssertionError("the ratio cache should have been used")

    monkeypatch.setattr(who_table, "_ratio_of_file", unreadable)
    shipped_who_gets_what.cache_clear()
    assert shipped_who_gets_what().doses == fresh.doses


def test_figure_is_inline_svg_with_the_highlighted_device(fresh: WhoGetsWhat) -> None:
    from photodose.report.who_figure import who_gets_what_svg

    svg = who_gets_what_svg(fresh.for_devices([HD, "solawave-wand"]), highlight=[HD], names={HD: "HD mask"})
    assert svg.startswith("<svg") and "HD mask" in svg
    assert who_gets_what_svg(fresh.for_devices(["my-own-mask"])) == ""
