"""The skin model against measured skin (photodose.validation; docs/validation.md).

Every check compares a model value with a band measured on living people; a test fails when the
model leaves the band. Monte Carlo photon counts are small (the reflectance standard error at
1500 photons is ≈ 0.012); the bands are wider than that.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from photodose.optics.spectra import CONFIDENCE_LEVELS, read_table
from photodose.skin import FITZPATRICK_TYPES, SkinProfile, skin_model_version
from photodose.validation import checks as checks_mod
from photodose.validation.checks import (
    NIST_AT_SITE,
    Check,
    bands,
    forearm_nist_spectra,
    model_spectra,
    nist_checks,
    optics_checks,
    spectral_checks,
    stored_summary,
    summary_line,
)
from photodose.validation.skin_colour import (
    ColourInputError,
    check_ita,
    check_lab,
    colour_of_spectrum,
    fit_skin_colour,
    ita_category,
    ita_deg,
    lab_from_reflectance,
    skin_colour,
)
from photodose.validation.skin_reflectance import cooksey2017, peak_wavelength_nm

PHOTONS = 1500

#: Known deviations from the NIST envelope with the model at the inner forearm, where NIST
#: measured (docs/validation.md, "Like for like: the forearm"): (type, nm) → the most the model
#: may lie outside the range of the 100 people. The model's type VI forearm (epidermis 57 µm,
#: Sandby-Møller 2003, vs 46 µm at the face) is darker than NIST's darkest subject in the red and
#: near infrared (4000 photons: 0.227 / 0.287 / 0.410 at 634 / 685 / 850 nm against 0.240 /
#: 0.317 / 0.490); at NIST's darkest pigmentation it is still too dark at 850 nm (test below).
KNOWN_FOREARM_DEVIATIONS = {("VI", 634.0): 0.02, ("VI", 685.0): 0.04, ("VI", 850.0): 0.09}
#: The same checks at the forehead (a sensitivity, not like for like): type VI reflects 0.05 less
#: at 850 nm than the darkest NIST subject (4000 photons: 0.439 against 0.490).
KNOWN_FOREHEAD_DEVIATIONS = {("VI", 850.0): 0.06}


@pytest.fixture(scope="module")
def spectral() -> list[Check]:
    """The model at the forehead: peaks, ITA°, and the NIST checks as a face-site sensitivity."""
    return spectral_checks(model_spectra("forehead", PHOTONS), nist_dataset=NIST_AT_SITE + "forehead")


@pytest.fixture(scope="module")
def forearm() -> list[Check]:
    """The NIST checks with the model at the inner forearm, where NIST measured."""
    return nist_checks(forearm_nist_spectra(PHOTONS), "cooksey2017")


def _outside_envelope(checks: list[Check], dataset: str, known: dict[tuple[str, float], float]) -> list[str]:
    env = [c for c in checks if c.dataset == dataset and "range of 100 people" in c.quantity]
    assert len(env) == 6 * 5
    bad = []
    for c in env:
        lam = float(c.quantity.split(" at ")[1].split(" nm")[0])
        # two Monte Carlo standard errors, plus any documented deviation
        noise = 2 * math.sqrt(c.model * (1 - c.model) / PHOTONS)
        allowed = noise + known.get((c.fitzpatrick or "", lam), 0.0)
        if not (c.low - allowed <= c.model <= c.high + allowed):
            bad.append(f"{c.fitzpatrick} {lam:g} nm: {c.model:.3f} not in [{c.low:.3f}, {c.high:.3f}]")
    return bad


def _failed(checks: list[Check]) -> list[str]:
    return [
        f"{c.fitzpatrick} {c.quantity}: {c.model:.4g} not in [{c.low:.4g}, {c.high:.4g}]"
        for c in checks
        if not c.passed
    ]


# ---------------------------------------------------------------- measured data


def test_nist_data_is_complete_and_physical() -> None:
    d = cooksey2017()
    assert d.reflectance.shape == (100, 5) and d.confidence == "exact"
    assert np.all((d.reflectance > 0.05) & (d.reflectance < 0.8))
    # every person: red reflects more than blue (melanin and blood absorb blue)
    assert np.all(d.reflectance[:, 3] > d.reflectance[:, 0])
    _, rows = read_table("reflectance_cooksey2017.csv")
    assert all(r["confidence"] in CONFIDENCE_LEVELS for r in rows)


def test_every_band_names_its_source() -> None:
    b = bands()
    for key, rows in b.items():
        if key in ("sources",):
            continue
        for row in rows if isinstance(rows, list) else [rows]:
            assert row["source"] in b["sources"], (key, row)
            assert row["confidence"] in CONFIDENCE_LEVELS


# ---------------------------------------------------------------- dermis and epidermis optics


def test_dermis_epidermis_optics_and_penetration_depth_inside_in_vivo_bands() -> None:
    """In vivo dermis μa (SCAPIS 2023, 3809 people) and μs′; epidermal melanin μa at 694 nm
    (Norvang 1997); diffusion penetration depth of the dermis from in vivo μa, μs′."""
    out = optics_checks("forehead")
    assert {c.dataset for c in out} == {"scapis2023", "norvang1997", "penetration_derived"}
    assert not _failed(out), _failed(out)


def test_a_wrong_dermis_fails_the_in_vivo_band() -> None:
    """The check has teeth: Meglinski's blood fractions without the haematocrit factor (the
    model before issue 8) put the dermal μa far outside the in vivo band."""
    old = SkinProfile(blood_fraction={"papillary_dermis": 0.04, "reticular_dermis": 0.04})
    old_checks = [c for c in _optics_with(old) if "μa" in c.quantity and "dermis" in c.quantity]
    assert any(not c.passed for c in old_checks)


def _optics_with(profile: SkinProfile) -> list[Check]:
    from photodose.skin import layer_optics

    out = []
    for row in bands()["dermis_mua"]:
        ly = next(x for x in layer_optics(profile, row["wavelength_nm"]) if x.name == row["layer"])
        m = row["median_per_cm"]
        out.append(Check(row["source"], f"{row['layer']} μa", None, ly.mua_per_cm, m / 2, m * 2, "", "exact"))
    return out


# ---------------------------------------------------------------- reflectance (NIST, Kuppenheim)


def test_forearm_reflectance_of_types_i_to_vi_inside_the_nist_population(forearm: list[Check]) -> None:
    """Like for like: the model at the inner forearm (NIST's site) inside the range of the 100
    people at 451, 550, 634, 685 and 850 nm, but for type VI's documented deviation."""
    bad = _outside_envelope(forearm, "cooksey2017", KNOWN_FOREARM_DEVIATIONS)
    assert not bad, bad


def test_forehead_reflectance_inside_the_nist_population_sensitivity(spectral: list[Check]) -> None:
    """The same checks with the model at the forehead (not where NIST measured)."""
    bad = _outside_envelope(spectral, NIST_AT_SITE + "forehead", KNOWN_FOREHEAD_DEVIATIONS)
    assert not bad, bad


@pytest.mark.parametrize("fixture", ["forearm", "spectral"])
def test_reflectance_matches_people_of_the_same_pigmentation(
    fixture: str, request: pytest.FixtureRequest
) -> None:
    """NIST subjects whose R(685 nm) is within 0.03 of the model's: the model's R at 451, 550,
    634 and 850 nm lies within their range (+0.03): the spectral shape, not only the level
    (forearm: like for like; forehead: sensitivity)."""
    checks: list[Check] = request.getfixturevalue(fixture)
    matched = [c for c in checks if "as pigmented" in c.quantity]
    assert {c.fitzpatrick for c in matched} >= {"I", "II", "III", "IV"}
    assert not _failed(matched), _failed(matched)


#: Known deviation (docs/validation.md, "Like for like: the forearm"): the darkest model skin at
#: the forearm, its melanin lowered until its R(685 nm) equals NIST's darkest subject's (× 0.85:
#: 0.318 against 0.317), reflects 0.437 at 850 nm against that subject's 0.490 (4000 photons):
#: dark skin's near-infrared deficit is not a site effect. The test allows 0.08 (and fails if the
#: deficit grows).
KNOWN_DARK_NIR_DEFICIT = 0.08


def test_darkest_forearm_at_nists_darkest_pigmentation_in_the_near_infrared() -> None:
    from photodose.skin import fitzpatrick_melanin
    from photodose.validation.forearm import forearm_reflectance

    d = cooksey2017()
    darkest = d.reflectance[int(np.argmin(d.reflectance[:, 3]))]
    m = fitzpatrick_melanin()["VI"].value * 0.85
    r = forearm_reflectance(SkinProfile(fitzpatrick="VI", melanosome_fraction=m), [685.0, 850.0], 4000)
    assert abs(r[0] - darkest[3]) <= 0.02, r  # as pigmented as NIST's darkest subject
    assert darkest[4] - KNOWN_DARK_NIR_DEFICIT <= r[1] <= darkest[4] + 0.03, (r, darkest)


# ---------------------------------------------------------------- the forearm anatomy


def test_forearm_anatomy_is_sourced_and_not_read_by_the_skin_model() -> None:
    from photodose import skin
    from photodose.validation.forearm import FOREARM_FILE, THICKNESS_KEYS, forearm_anatomy

    assert FOREARM_FILE not in skin._DATA_FILES
    a = forearm_anatomy()
    assert set(a) == set(THICKNESS_KEYS)
    for k, t in a.items():
        assert t.confidence in CONFIDENCE_LEVELS and t.source, k
        assert 0 < t.low <= t.value <= t.high, k
    # Sandby-Møller 2003 (forearm biopsies): stratum corneum 18.3 µm, cellular epidermis 56.6 µm
    assert a["stratum_corneum_um"].value == 18.3 and a["living_epidermis_um"].value == 56.6
    assert "Sandby" in a["living_epidermis_um"].source


@settings(max_examples=30, deadline=None)
@given(
    dermis_mm=st.floats(0.5, 3.0),
    fat_mm=st.floats(0.5, 20.0),
    fitz=st.sampled_from(FITZPATRICK_TYPES),
    lam=st.sampled_from([451.0, 634.0, 850.0]),
)
def test_forearm_stack_keeps_the_model_optics_and_the_forearm_thicknesses(
    dermis_mm: float, fat_mm: float, fitz: str, lam: float
) -> None:
    """Only thicknesses differ from the model's face skin: every layer's μa, μs, g, n is the
    model's; the dermal sublayers add up to the forearm dermis; muscle lies beneath."""
    from photodose.skin import layer_optics
    from photodose.validation.forearm import forearm_stack

    p = SkinProfile(fitzpatrick=fitz, site="cheek")
    stack = forearm_stack(p, lam, dermis_mm=dermis_mm, hypodermis_mm=fat_mm)
    face = layer_optics(p, lam)
    assert [ly.name for ly in stack.layers] == [ly.name for ly in face]
    for a, b in zip(stack.layers, face, strict=True):
        assert (a.mua_per_cm, a.mus_per_cm, a.g, a.n) == (b.mua_per_cm, b.mus_per_cm, b.g, b.n)
    th = {ly.name: ly.thickness_cm for ly in stack.layers}
    dermis = sum(
        th[n] for n in ("papillary dermis", "upper blood plexus", "reticular dermis", "deep blood plexus")
    )
    assert dermis == pytest.approx(dermis_mm * 0.1)
    assert th["hypodermis"] == pytest.approx(fat_mm * 0.1)
    assert th["living epidermis"] == pytest.approx(56.6e-4) and stack.layers[-1].name == "muscle"
    assert math.isinf(stack.layers[-1].thickness_cm)


def test_forearm_bad_thickness_is_a_clear_error() -> None:
    from photodose.validation.forearm import forearm_stack

    with pytest.raises(ValueError, match="dermis_mm"):
        forearm_stack(SkinProfile(), 633.0, dermis_mm=0.2)
    with pytest.raises(ValueError, match="not known"):
        forearm_stack(SkinProfile(), 633.0, fat_cm=0.4)


def test_reflectance_peak_where_kuppenheim_measured_it(spectral: list[Check]) -> None:
    peaks = [c for c in spectral if c.dataset == "kuppenheim1951"]
    assert {c.fitzpatrick for c in peaks} == {"I", "II", "VI"}
    assert not _failed(peaks), _failed(peaks)


def test_fair_skin_reflects_like_fair_skin() -> None:
    """The issue's reflectometer check: type II total reflectance ≈ 0.3 at 550 nm and ≈ 0.5–0.65
    at 633 nm (NIST subjects with R685 > 0.6: 0.30–0.42 and 0.55–0.65, n = 53)."""
    from photodose.validation.skin_reflectance import reflectance_spectrum

    r = reflectance_spectrum(SkinProfile(fitzpatrick="II", site="cheek"), [550.0, 633.0], 3000)
    d = cooksey2017()
    fair = d.reflectance[d.reflectance[:, 3] > 0.60]
    assert fair[:, 1].min() - 0.03 <= r[0] <= fair[:, 1].max() + 0.03
    assert fair[:, 2].min() - 0.03 <= r[1] <= fair[:, 2].max() + 0.03


# ---------------------------------------------------------------- populations (Jablonski & Chaplin)

#: Known deviation from the population data (docs/validation.md): the darkest model skin (type
#: VI at the dark end of its composition range) reflects 0.21–0.215 at 685 nm, 0.018–0.022 more
#: than the darkest population mean (Aboriginal Australians of Darwin, 0.193); the facial data
#: (ISSA) show the same. The test allows 0.045.
KNOWN_POPULATION_DEVIATION = 0.045


@pytest.fixture(scope="module")
def population() -> list[Check]:
    from photodose.validation.population_reflectance import population_checks

    return population_checks("forehead", PHOTONS)


def test_population_data_is_complete_and_physical() -> None:
    """16 population means at 685 nm, 0.19–0.67; every 'light' population reflects more than
    every 'intermediate' one, and every 'intermediate' more than every 'dark' one."""
    from photodose.validation.population_reflectance import DATA_FILE, jablonski2000

    d = jablonski2000()
    assert len(d.populations) == 16 and len(set(d.populations)) == 16
    assert d.confidence == "secondary" and "doi:10.1006/jhev.2000.0403" in d.source
    assert d.reflectance.min() == pytest.approx(0.193) and d.reflectance.max() == pytest.approx(0.669)
    light, mid, dark = d.group("light"), d.group("intermediate"), d.group("dark")
    assert light.min() > mid.max() and mid.min() > dark.max()
    # the second data set reaches skin far darker than any of NIST's 100 people
    assert dark.min() < cooksey2017().reflectance[:, 3].min() - 0.1
    _, rows = read_table(DATA_FILE)
    assert all(r["confidence"] in CONFIDENCE_LEVELS and r["source"] == "jablonski2000" for r in rows)


def test_population_data_with_an_unknown_group_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from photodose.validation import population_reflectance as pop

    header, rows = read_table(pop.DATA_FILE)
    bad = [dict(rows[0], pigmentation_group="medium"), *rows[1:]]
    monkeypatch.setattr(pop, "read_table", lambda name: (header, bad))
    pop.jablonski2000.cache_clear()
    try:
        with pytest.raises(ValueError, match=r"reflectance_jablonski2000\.csv.*'medium'"):
            pop.jablonski2000()
    finally:
        monkeypatch.undo()
        pop.jablonski2000.cache_clear()


def test_population_data_is_not_read_by_the_skin_model() -> None:
    """Validation data only: changing it must not change the skin model (or its depth caches)."""
    from photodose import skin
    from photodose.validation.population_reflectance import DATA_FILE

    assert DATA_FILE not in skin._DATA_FILES


def test_reflectance_of_types_i_to_vi_inside_their_population_groups(population: list[Check]) -> None:
    """Each type's R(685 nm) inside its pigmentation group's population means ± 0.05 (light:
    Belgium, Mainz; intermediate: N Africa, W/E Asia, S America, San; dark: sub-Saharan Africa,
    Aboriginal Australia), with two Monte Carlo standard errors of slack."""
    groups = [c for c in population if "populations (n =" in c.quantity]
    assert [c.fitzpatrick for c in groups] == list(FITZPATRICK_TYPES)
    bad = [
        f"{c.fitzpatrick}: {c.model:.3f} not in [{c.low:.3f}, {c.high:.3f}]"
        for c in groups
        if not (
            c.low - 2 * math.sqrt(c.model * (1 - c.model) / PHOTONS)
            <= c.model
            <= c.high + 2 * math.sqrt(c.model * (1 - c.model) / PHOTONS)
        )
    ]
    assert not bad, bad
    values = [c.model for c in groups]
    assert values == sorted(values, reverse=True)


def test_composition_range_reaches_the_population_extremes(population: list[Check]) -> None:
    """The model's lightest skin reaches the lightest population mean (Mainz, 0.669); its darkest
    reaches the darkest (Darwin, 0.193) within the documented deviation."""
    light = next(c for c in population if c.quantity.startswith("lightest model skin"))
    dark = next(c for c in population if c.quantity.startswith("darkest model skin"))
    assert light.passed, light
    assert dark.model - dark.high <= KNOWN_POPULATION_DEVIATION, dark


def test_population_check_fails_a_too_light_dark_skin() -> None:
    """The checks have teeth: the model before issue 8 made type II skin reflect ≈ 0.4 in the
    red (a brown skin), outside the light populations' band; a type VI as light as a type IV
    leaves the dark band; a composition range that cannot reach 0.3 fails the coverage."""
    from photodose.validation.population_reflectance import population_checks_from

    r = {"II": (0.3, 0.42, 0.5), "VI": (0.45, 0.56, 0.6)}
    out = {(c.fitzpatrick, c.quantity.split(" ")[0]): c for c in population_checks_from(r)}
    assert not out[("II", "total")].passed
    assert not out[("VI", "total")].passed
    assert not out[("VI", "darkest")].passed
    good = population_checks_from({"II": (0.5, 0.64, 0.7), "VI": (0.18, 0.3, 0.4)})
    assert all(c.passed for c in good), _failed(good)


# ---------------------------------------------------------------- colour


def test_ita_of_types_i_to_vi_inside_their_categories(spectral: list[Check]) -> None:
    ita = {c.fitzpatrick: c for c in spectral if c.dataset == "chardon1991"}
    assert set(ita) == set(FITZPATRICK_TYPES)
    assert not _failed(list(ita.values())), _failed(list(ita.values()))
    values = [ita[t].model for t in FITZPATRICK_TYPES]
    assert values == sorted(values, reverse=True)  # darker type, lower ITA


def test_fair_skin_colour() -> None:
    """Type I: L* 61–72 and ITA > 41° (fair skin, issue 8; 'light' or 'very light')."""
    c = skin_colour(SkinProfile(fitzpatrick="I"), 2000)
    assert 61 < c.lightness < 72 and c.ita_deg > 41 and c.category in ("very light", "light")
    assert 0 < c.a_star < 20 and 5 < c.b_star < 25  # skin hue: reddish-yellow


def test_colour_maths_is_colour_science() -> None:
    """A flat 50 % reflector under D65 is neutral grey: L* = 116·0.5^(1/3) − 16 = 76.07."""
    lam = np.arange(400.0, 701.0, 10.0)
    L, a, b = lab_from_reflectance(lam, np.full(lam.shape, 0.5))
    assert pytest.approx(116 * 0.5 ** (1 / 3) - 16, abs=0.01) == L
    assert abs(a) < 0.05 and abs(b) < 0.05


@given(L=st.floats(0, 100), b=st.floats(0.01, 60))
def test_ita_definition(L: float, b: float) -> None:
    ita = ita_deg(L, b)
    assert -90 < ita < 90
    assert ita == pytest.approx(math.degrees(math.atan((L - 50) / b)), abs=1e-9)
    assert ita_category(ita) in {"very light", "light", "intermediate", "tan", "brown", "dark"}


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_ita_input_is_checked(x: float) -> None:
    if math.isfinite(x) and -90 <= x <= 90:
        assert check_ita(x) == x
    else:
        with pytest.raises(ColourInputError, match=r"−90\.\.90"):
            check_ita(x)


@pytest.mark.parametrize(
    "lab", [(200.0, 10.0, 10.0), (-1.0, 5.0, 5.0), (60.0, 90.0, 10.0), (60.0, 10.0, -40.0)]
)
def test_lab_outside_skin_is_rejected(lab: tuple[float, float, float]) -> None:
    with pytest.raises(ColourInputError):
        check_lab(lab)


def test_colour_fit_recovers_the_melanin_of_a_known_skin() -> None:
    """Compute the colour of a skin with 6 % melanosomes; fitting melanin to that ITA gives
    back 6 % within the fit's range, and the range is carried into the composition bounds."""
    truth = SkinProfile(site="cheek", melanosome_fraction=0.06)
    c = skin_colour(truth, 1500, step_nm=20.0)
    fit = fit_skin_colour(SkinProfile(site="cheek"), ita=c.ita_deg, photons=800)
    lo, hi = fit.melanosome_fraction_range
    assert lo <= fit.melanosome_fraction <= hi
    assert lo * 0.85 <= 0.06 <= hi * 1.15
    assert abs(fit.fitted.ita_deg - c.ita_deg) < 4
    fitted = fit.apply(SkinProfile(site="cheek"))
    assert fitted.melanosome_fraction_range == fit.melanosome_fraction_range


def test_peak_finder() -> None:
    lam = np.arange(600.0, 1001.0, 20.0)
    r = 0.6 - ((lam - 790.0) / 200.0) ** 2
    assert peak_wavelength_nm(lam, r) == pytest.approx(790.0, abs=12)


def test_colour_of_a_spectrum_uses_400_to_700_nm_only() -> None:
    lam = np.arange(400.0, 1001.0, 10.0)
    r = np.where(lam <= 700, 0.4, 0.9)
    assert colour_of_spectrum(lam, r).lightness == pytest.approx(
        colour_of_spectrum(lam[:31], r[:31]).lightness
    )


# ---------------------------------------------------------------- the one-line summary


def test_stored_summary_is_for_this_skin_model() -> None:
    """`python -m photodose.validation` must be rerun whenever the skin model changes: the
    stored summary (shown in the report and by `photodose depth`) carries the model version."""
    s = stored_summary()
    assert s is not None
    assert s["skin_model_version"] == skin_model_version(), (
        "rerun: python -m photodose.validation --figures docs/img"
    )
    line = summary_line()
    assert line.startswith("Skin model checked") and "Cooksey 2017" in line and "docs/validation.md" in line
    assert "Jablonski & Chaplin 2000" in line  # population reflectance at 685 nm
    assert "ISSA, Lu 2025" in line  # the second in vivo reflectance spectra: faces, 450–700 nm
    assert "Esnouf 2007" in line  # a measured penetration
    datasets = s["datasets"]
    assert {"cooksey2017", "jablonski2000", "issa2025", "takiwaki2002", "esnouf2007"} <= set(datasets)
    # like for like: NIST (forearms) against the model at the forearm; face sites as sensitivity
    assert "inner forearm" in datasets["cooksey2017"]["label"]
    assert {NIST_AT_SITE + "forehead", NIST_AT_SITE + "cheek"} <= set(datasets)
    assert "NIST at the inner forearm" in line and "not like for like" in line
    stored = {(c["dataset"], c["fitzpatrick"], c["quantity"]): c for c in s["checks"]}
    # the forearm's documented misses are type VI in the red and NIR only (sizes: docs/validation.md)
    missed = sorted((k[1], k[2]) for k, c in stored.items() if k[0] == "cooksey2017" and not c["passed"])
    assert all(t == "VI" for t, _ in missed) and len(missed) <= 3, missed


def test_summary_line_says_when_results_are_stale(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checks_mod, "skin_model_version", lambda: "9-newer")
    assert "older skin model" in summary_line()


def test_ita_fit_leaves_the_blood_range_to_the_data() -> None:
    from photodose.validation.skin_colour import ColourFit, SkinColour

    c = SkinColour(60.0, 10.0, 15.0, 33.7, "intermediate")
    ita_fit = ColourFit(0.05, (0.04, 0.06), 1.0, (1.0, 1.0), {"ita_deg": 33.7}, c, "test")
    lab_fit = ColourFit(
        0.05, (0.04, 0.06), 1.4, (1.1, 1.8), {"L*": 60, "a*": 10, "b*": 15, "ita_deg": 33.7}, c, "t"
    )
    p = SkinProfile()
    assert ita_fit.apply(p).blood_scale_range is None
    assert lab_fit.apply(p).blood_scale_range == (1.1, 1.8)


def test_lab_fit_recovers_melanin_and_more_blood() -> None:
    """A skin with 4 % melanosomes and twice the blood: fitting L*a*b* gives back melanin within
    its range and a blood scale above 1 whose range holds the truth."""
    truth = SkinProfile(site="cheek", melanosome_fraction=0.04, blood_scale=2.0)
    c = skin_colour(truth, 2000, step_nm=20.0)
    fit = fit_skin_colour(SkinProfile(site="cheek"), lab=(c.lightness, c.a_star, c.b_star), photons=600)
    lo, hi = fit.melanosome_fraction_range
    assert lo <= 0.04 <= hi and hi / lo < 2.5
    blo, bhi = fit.blood_scale_range
    assert fit.blood_scale > 1.1 and blo <= 2.0 <= bhi
    assert fit.apply(SkinProfile(site="cheek")).blood_scale_range == fit.blood_scale_range


def test_colour_beyond_the_melanin_range_is_flagged_not_fitted_silently() -> None:
    """An ITA far darker than 25 % melanosomes reproduces must come with a note (not a silent clamp)."""
    from photodose.skin import SkinProfile
    from photodose.validation.skin_colour import fit_skin_colour

    dark = fit_skin_colour(SkinProfile(fitzpatrick="VI", site="forehead"), ita=-85.0, photons=300)
    assert dark.note is not None and "darker" in dark.note
    assert dark.as_dict()["note"] == dark.note
    light = fit_skin_colour(SkinProfile(fitzpatrick="I", site="forehead"), ita=85.0, photons=300)
    assert light.note is not None and "lighter" in light.note
    # inside the grid a few degrees between the 300-photon grid and the refit is noise, not a clamp
    ordinary = fit_skin_colour(SkinProfile(fitzpatrick="III", site="forehead"), ita=30.0, photons=300)
    assert ordinary.note is None


# ---------------------------------------------------------------- faces (ISSA, Lu et al. 2025)


def test_facial_data_is_complete_and_physical() -> None:
    """4603 forehead and cheek spectra of the International Skin Spectra Archive, 8 ethnicities;
    every spectrum reflects more red than blue and has blood's green dip below the red."""
    from photodose.validation.facial_reflectance import ETHNICITY, issa2025

    d = issa2025()
    assert d.confidence == "exact" and "doi:10.1038/s41597-025-04857-5" in d.source
    assert len(d.at("forehead")) == 2092 and len(d.at("cheek")) == 2511
    assert set(d.ethnicity) == set(ETHNICITY)
    r = d.reflectance
    assert np.all(r[:, 4] > r[:, 0]) and np.all(r[:, 3] > r[:, 1])
    # darker groups reflect less red light: African faces below Caucasian ones (median, 660 nm)
    for site in ("forehead", "cheek"):
        assert np.median(d.at(site, "AF")[:, 3]) < np.median(d.at(site, "CA")[:, 3]) - 0.2
    # ISSA's own L* follows the measured reflectance (Spearman-like: ranks agree on the whole)
    corr = np.corrcoef(d.lab[:, 0], r[:, 1])[0, 1]
    assert corr > 0.9


def test_facial_data_is_not_read_by_the_skin_model() -> None:
    from photodose import skin
    from photodose.validation.facial_reflectance import DATA_FILE

    assert DATA_FILE not in skin._DATA_FILES


def test_facial_data_with_an_unknown_site_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from photodose.validation import facial_reflectance as fr

    header, rows = read_table(fr.DATA_FILE)
    bad = [dict(rows[0], site="elbow"), *rows[1:]]
    monkeypatch.setattr(fr, "read_table", lambda name: (header, bad))
    fr.issa2025.cache_clear()
    try:
        with pytest.raises(ValueError, match=r"reflectance_issa2025\.csv.*'elbow'"):
            fr.issa2025()
    finally:
        monkeypatch.undo()
        fr.issa2025.cache_clear()


@settings(deadline=None, max_examples=30)
@given(
    rho=st.floats(0.0, 1.5),
    a_v=st.floats(0.05, 0.6),
    extra=st.floats(0.0, 0.4),
)
def test_aperture_kernel_is_the_geometric_fraction(rho: float, a_v: float, extra: float) -> None:
    """K(ρ) equals the Monte Carlo fraction of circles of radius ρ about points of the viewed disc
    that fall inside the illuminated disc; it is 1 at ρ = 0 and 0 beyond a_v + a_i."""
    from photodose.validation.instrument import aperture_kernel

    a_i = a_v + extra
    k = float(aperture_kernel([rho], a_v, a_i)[0])
    rng = np.random.default_rng(1)
    n = 20000
    r = a_v * np.sqrt(rng.random(n))
    t, th = 2 * np.pi * rng.random(n), 2 * np.pi * rng.random(n)
    x, y = r * np.cos(t) + rho * np.cos(th), r * np.sin(t) + rho * np.sin(th)
    assert k == pytest.approx(float(np.mean(x * x + y * y <= a_i * a_i)), abs=0.015)
    assert 0.0 <= k <= 1.0
    if rho <= a_i - a_v:
        assert k == pytest.approx(1.0)
    if rho >= a_i + a_v:
        assert k == 0.0


def test_contact_reflectance_is_at_most_the_infinite_one() -> None:
    """A finite aperture never reads more than the laterally infinite reflectance; a huge one reads
    all of it; a bad aperture is refused with a message naming it."""
    from photodose.validation.instrument import contact_reflectance

    edges = np.linspace(0.0, 3.0, 601)
    centres = 0.5 * (edges[1:] + edges[:-1])
    rr = np.exp(-centres / 0.2) / (2 * np.pi * 0.2**2) * 0.5  # ∫ R(ρ) dA = 0.5
    total = 0.04 + float(np.sum(rr * np.pi * (edges[1:] ** 2 - edges[:-1] ** 2)))
    small = contact_reflectance(0.04, rr, edges, 0.15, 0.3)
    large = contact_reflectance(0.04, rr, edges, 0.4, 0.55)
    huge = contact_reflectance(0.04, rr, edges, 0.2, 2.8)
    assert 0.04 < small < large < total and huge == pytest.approx(total, abs=1e-3)
    with pytest.raises(ValueError, match="view radius"):
        contact_reflectance(0.04, rr, edges, 0.6, 0.3)
    with pytest.raises(ValueError, match="radial grid"):
        contact_reflectance(0.04, rr, edges[:50], 0.4, 0.55)


@pytest.fixture(scope="module", params=["forehead", "cheek"])
def faces(request: pytest.FixtureRequest) -> list[Check]:
    from photodose.validation.facial_reflectance import facial_checks

    return facial_checks(request.param, PHOTONS)


def test_model_faces_inside_the_measured_faces(faces: list[Check]) -> None:
    """Types I–VI, read as a contact spectrophotometer, inside the range of the 2092 forehead (2511
    cheek) spectra at 450–700 nm, and inside the band of the faces as pigmented as the model (same
    R(660 nm)), with two Monte Carlo standard errors of slack."""
    env = [c for c in faces if "range of" in c.quantity]
    matched = [c for c in faces if "as pigmented" in c.quantity]
    assert len(env) == 6 * 5 and {c.fitzpatrick for c in matched} == set(FITZPATRICK_TYPES)
    bad = [
        f"{c.fitzpatrick} {c.quantity}: {c.model:.3f} not in [{c.low:.3f}, {c.high:.3f}]"
        for c in env + matched
        if not (
            c.low - 2 * math.sqrt(c.model * (1 - c.model) / PHOTONS)
            <= c.model
            <= c.high + 2 * math.sqrt(c.model * (1 - c.model) / PHOTONS)
        )
    ]
    assert not bad, bad


def test_darkest_model_skin_reaches_the_median_african_face(faces: list[Check]) -> None:
    """The model's darkest skin reflects no more at 660 nm than the median African face; the share
    of African faces darker still (documented miss: about a third) must not grow past 40 %."""
    from photodose.validation.facial_reflectance import issa2025

    cov = next(c for c in faces if c.quantity.startswith("darkest model skin"))
    noise = 2 * math.sqrt(cov.model * (1 - cov.model) / PHOTONS)
    assert cov.model <= cov.high + noise, cov
    site = "forehead" if "forehead" in cov.quantity else "cheek"
    african_660 = issa2025().at(site, "AF")[:, 3]
    assert float(np.mean(african_660 < cov.model - noise)) <= 0.40, cov.quantity


def test_facial_check_fails_a_wrong_skin() -> None:
    """The checks have teeth: a skin as bright as the laterally infinite model type I (no
    instrument) leaves the range of faces in the red, and a spectrum with too little blood (no
    green dip: R550 as high as R630) fails the same-pigmentation band."""
    from photodose.validation.facial_reflectance import facial_checks_from

    too_bright = np.array([0.31, 0.34, 0.63, 0.66, 0.70])
    no_dip = np.array([0.20, 0.40, 0.42, 0.44, 0.46])
    out = facial_checks_from({"I": too_bright, "III": no_dip}, "forehead")
    assert any(not c.passed for c in out if c.fitzpatrick == "I" and "range of" in c.quantity)
    assert any(not c.passed for c in out if c.fitzpatrick == "III" and "as pigmented" in c.quantity)
    good = facial_checks_from({"III": np.array([0.2, 0.27, 0.47, 0.5, 0.52])}, "forehead")
    assert all(c.passed for c in good), _failed(good)


def test_aperture_effect_as_takiwaki_measured() -> None:
    """Model skin read through a 5 mm and an 11 mm aperture: ≈ 0 difference at 400 nm, 5–15 % at
    700 nm (Takiwaki et al. 2002: 'near zero at 400 nm', 'around 10 %' at 700 nm). Without the
    instruments' illuminated rim the same skin would lose far more: the check sees the rim."""
    from photodose.validation.facial_reflectance import (
        aperture_checks_from,
        aperture_effect,
        instrument_spectrum,
    )

    effect = aperture_effect(2000)
    checks = aperture_checks_from(effect)
    assert not _failed(checks), _failed(checks)
    assert effect[700.0] > effect[400.0]
    p = SkinProfile(fitzpatrick="III", site="cheek")
    small, inf = instrument_spectrum(p, (700.0,), 2000, view_radius_cm=0.25, illumination_radius_cm=0.25)
    large, _ = instrument_spectrum(p, (700.0,), 2000, view_radius_cm=0.55, illumination_radius_cm=0.55)
    no_rim = float((large[0] - small[0]) / large[0])
    assert no_rim > 0.15 and large[0] < inf[0]


# ---------------------------------------------------------------- measured transmission (Esnouf 2007)


def test_light_through_skin_as_measured() -> None:
    """850 nm through 0.784 mm of skin: the model slab with excised-dermis optics transmits the
    measured 0.34 ± 0.10 (Esnouf 2007, excised skin); with living-skin optics it transmits more,
    within 2×; and transmission falls with thickness."""
    from photodose.validation.skin_transmission import slab_transmission, transmission_checks

    out = transmission_checks("forehead", 6000)
    assert {c.dataset for c in out} == {"esnouf2007"} and len(out) == 2
    assert not _failed(out), _failed(out)
    thin = slab_transmission(SkinProfile(fitzpatrick="II"), 850.0, 0.3, 6000)
    thick = slab_transmission(SkinProfile(fitzpatrick="II"), 850.0, 0.784, 6000)
    assert thin.in_vivo > thick.in_vivo and thin.ex_vivo > thick.ex_vivo
    assert thick.in_vivo > thick.ex_vivo


def test_transmission_check_fails_a_wrong_model() -> None:
    from photodose.validation.skin_transmission import SlabTransmission, transmission_checks_from

    opaque = transmission_checks_from(SlabTransmission(850.0, 0.784, in_vivo=0.2, ex_vivo=0.1))
    clear = transmission_checks_from(SlabTransmission(850.0, 0.784, in_vivo=0.95, ex_vivo=0.9))
    assert not any(c.passed for c in opaque) and not any(c.passed for c in clear)


def test_slab_thicker_than_the_skin_is_refused() -> None:
    from photodose.validation.skin_transmission import skin_slab

    with pytest.raises(ValueError, match=r"thickness_mm: 5(\.0)? mm .*thinner"):
        skin_slab(SkinProfile(site="forehead"), 850.0, 5.0)


# ---------------------------------------------------------------- mechanisms tested, not adopted


def test_melanosome_mie_scattering_makes_dark_skin_too_bright_in_the_blue() -> None:
    """Melanosomes as Mie spheres (0.42 µm, n 1.7, at the model's volume fraction) scatter so much
    that type VI reflects far more blue than NIST's darkest people do, and no allowed melanin makes
    it as dark as NIST's darkest at 685 nm (docs/validation.md, "Two more mechanisms"): the data
    leave room for a small fraction of that scattering only."""
    pytest.importorskip("miepython")
    from photodose.validation.mechanisms import (
        MelanosomeScattering,
        forearm_spectrum,
        reflectance_at_matched_pigmentation,
    )

    d = cooksey2017()
    dark = d.reflectance[d.reflectance[:, 3] < 0.40]  # the 4 darkest subjects
    vi = SkinProfile(fitzpatrick="VI")
    plain = forearm_spectrum(vi, (451.0, 850.0), PHOTONS)
    mie = forearm_spectrum(vi, (451.0, 850.0), PHOTONS, MelanosomeScattering())
    assert plain[0] <= dark[:, 0].max() + 0.02
    assert mie[0] > dark[:, 0].max() + 0.1, (mie, dark[:, 0])
    assert mie[0] - plain[0] > mie[1] - plain[1]  # it brightens the blue most: the shape flattens
    darkest = d.reflectance[int(np.argmin(d.reflectance[:, 3]))]
    matched = reflectance_at_matched_pigmentation(MelanosomeScattering(), float(darkest[3]), photons=PHOTONS)
    assert not matched.reached and matched.at(685.0) > darkest[3] + 0.05, matched


@pytest.mark.parametrize(
    "mechanism",
    ["melanosome scattering x 0.1", "melanin dust", "basal melanin 90 %"],
)
def test_no_tested_mechanism_closes_the_dark_skin_near_infrared_gap(mechanism: str) -> None:
    """At NIST's darkest pigmentation (same R685) neither melanosome scattering (at the most the
    blue leaves room for) nor melanin placed elsewhere in depth lifts R850 to that subject's."""
    from photodose.validation.mechanisms import (
        MelaninDepth,
        MelanosomeScattering,
        reflectance_at_matched_pigmentation,
    )

    transform = {
        "melanosome scattering x 0.1": MelanosomeScattering(scale=0.1),
        "melanin dust": MelaninDepth(mode="dust"),
        "basal melanin 90 %": MelaninDepth(mode="basal", basal_share=0.9),
    }[mechanism]
    if isinstance(transform, MelanosomeScattering):
        pytest.importorskip("miepython")
    d = cooksey2017()
    darkest = d.reflectance[int(np.argmin(d.reflectance[:, 3]))]
    r = reflectance_at_matched_pigmentation(transform, float(darkest[3]), photons=2000)
    assert r.reached and abs(r.at(685.0) - darkest[3]) <= 0.02, r
    assert r.at(850.0) < darkest[4] - 0.025, (r, darkest)  # the gap stays (model ≈ 0.43 vs 0.49)


def test_melanin_depth_keeps_the_column_and_the_calibration() -> None:
    """Redistributing melanin keeps Σ μa·d of the epidermis (so Norvang's 694 nm calibration)."""
    from photodose.skin import layer_parameters
    from photodose.validation.forearm import forearm_stack
    from photodose.validation.mechanisms import with_melanin_depth

    p = SkinProfile(fitzpatrick="VI")
    f = next(x.melanosome_fraction for x in layer_parameters(p) if x.key == "living_epidermis")
    base = forearm_stack(p, 694.0)
    before = sum(ly.mua_per_cm * ly.thickness_cm for ly in base.layers[:2])  # SC + living epidermis
    for mode, n_epidermal in (("dust", 2), ("basal", 3)):
        st = with_melanin_depth(base, f, 694.0, mode=mode)
        assert len(st.layers) == len(base.layers) + n_epidermal - 2
        after = sum(ly.mua_per_cm * ly.thickness_cm for ly in st.layers[:n_epidermal])
        assert after == pytest.approx(before)
    with pytest.raises(ValueError, match="basal_um"):
        with_melanin_depth(base, f, 694.0, mode="basal", basal_um=500.0)
    with pytest.raises(ValueError, match="dust"):
        with_melanin_depth(base, f, 694.0, mode="everywhere")
