"""Optics: chromophore tables against published check values, Jacques's formulas, scattering,
source spectra and quadrature."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from photodose.optics import (
    SpectrumError,
    WavelengthRangeError,
    eps_hb,
    eps_hbo2,
    gaussian,
    monochromatic,
    mua_baseline_jacques1998,
    mua_blood,
    mua_deoxy_blood,
    mua_melanosome_jacques2013,
    mua_oxy_blood,
    mua_tissue,
    mua_water,
    mus_from_musp,
    musp_power_law,
    musp_rayleigh_mie,
    refractive_index,
    scattering_fits,
    tabulated,
)
from photodose.optics.absorption import mua_melanosome_omlc1998
from photodose.optics.scattering import refractive_index_from_water
from photodose.optics.source_spectrum import spectral_average
from photodose.optics.spectra import CONFIDENCE_LEVELS, read_table, spectrum

# evidence.md §1.2: Prahl's table (droumis/spectra copy), EXACT; 415 and 633 nm interpolated.
PRAHL = {  # nm: (eps HbO2, eps Hb, mua oxy-blood, mua deoxy-blood)
    415: (523_080, 353_222, 2802, 1892),
    590: (14_400.8, 28_324.4, 77.1, 151.7),
    630: (610, 5_148.8, 3.27, 27.6),
    633: (536.8, 4_830.8, 2.88, 25.9),
    660: (319.6, 3_226.56, 1.71, 17.3),
    810: (864, 717.08, 4.63, 3.84),
    830: (974, 693.04, 5.22, 3.71),
    850: (1_058, 691.32, 5.67, 3.70),
}
# Segelstein 1981 via Prahl (evidence.md §1.2), given to 2 significant figures.
WATER = {
    415: 0.00041,
    590: 0.00136,
    630: 0.0030,
    633: 0.0030,
    660: 0.0037,
    810: 0.021,
    830: 0.031,
    850: 0.044,
}


@pytest.mark.parametrize("lam", sorted(PRAHL))
def test_hemoglobin_reproduces_prahl_within_1_percent(lam: int) -> None:
    e_oxy, e_deo, mua_oxy, mua_deo = PRAHL[lam]
    assert eps_hbo2(lam) == pytest.approx(e_oxy, rel=0.01)
    assert eps_hb(lam) == pytest.approx(e_deo, rel=0.01)
    # whole blood, 150 g/L, 64 500 g/mol (rounded to 3 figures in the reference)
    assert mua_oxy_blood(lam) == pytest.approx(mua_oxy, rel=0.01)
    assert mua_deoxy_blood(lam) == pytest.approx(mua_deo, rel=0.01)


@pytest.mark.parametrize("lam", sorted(WATER))
def test_water_reproduces_segelstein(lam: int) -> None:
    # reference values carry 2 significant figures: allow the rounding (≤ 2 %)
    assert mua_water(lam) == pytest.approx(WATER[lam], rel=0.02)


def test_blood_near_isosbestic_point_matches_jacques() -> None:
    # Jacques 2013 quotes an isosbestic point near 806 nm with ε ≈ 818 and μa.blood = 4.38 /cm.
    # In Prahl's table oxy and deoxy curves cross at ≈ 797 nm with ε ≈ 792 (within 4 %).
    lam = np.arange(780.0, 820.0, 0.5)
    diff = eps_hbo2(lam) - eps_hb(lam)
    cross = lam[np.nonzero(np.diff(np.sign(diff)))[0]]
    assert len(cross) == 1 and 790 <= cross[0] <= 810
    eps = float(eps_hbo2(cross[0]))
    assert eps == pytest.approx(818, rel=0.05)
    assert float(mua_blood(cross[0], 0.0)) == pytest.approx(4.38, rel=0.05)
    assert float(mua_blood(cross[0], 1.0)) == pytest.approx(4.38, rel=0.05)


# evidence.md §1.2 DERIVED table from Jacques's formulas
JACQUES = {  # nm: (Eq.1 skin, Eq.2 skin, Eq.8 melanosome, 6.6e11 form, baseline)
    633: (32.9, 31.7, 256, 310, 0.31),
    660: (31.0, 29.8, 226, 269, 0.29),
    810: (23.2, 23.1, 122, 136, 0.25),
    830: (22.4, 22.5, 113, 126, 0.25),
    850: (21.6, 21.9, 106, 116, 0.25),
}


@pytest.mark.parametrize("lam", sorted(JACQUES))
def test_jacques_formulas_reproduced(lam: int) -> None:
    eq1, eq2, mel, _mel_alt, base = JACQUES[lam]
    skin = scattering_fits()["skin_mean"]
    assert float(musp_power_law(lam, skin.a_per_cm, skin.b)) == pytest.approx(eq1, abs=0.06)
    assert float(skin.musp(lam)) == pytest.approx(eq2, abs=0.06)
    assert float(mua_melanosome_jacques2013(lam)) == pytest.approx(mel, abs=0.6)
    assert float(mua_baseline_jacques1998(lam)) == pytest.approx(base, abs=0.006)


def test_melanin_forms_agree_in_shape() -> None:
    lam = np.array([633.0, 850.0])
    a = mua_melanosome_jacques2013(lam)
    b = mua_melanosome_omlc1998(lam)
    # both fall steeply with wavelength; the 633/850 ratio is (850/633)^m for m = 3 and 3.48
    assert a[0] / a[1] == pytest.approx((850 / 633) ** 3, rel=1e-9)
    assert b[0] / b[1] == pytest.approx((850 / 633) ** 3.48, rel=1e-9)


@pytest.mark.parametrize("bad", [399.9, 1100.1, 2000.0, float("nan"), -5.0])
def test_out_of_range_wavelength_is_a_clear_error(bad: float) -> None:
    with pytest.raises(WavelengthRangeError, match="400–1100 nm"):
        mua_water(bad)
    with pytest.raises(WavelengthRangeError):
        musp_power_law(bad, 46.0, 1.4)


def test_range_edges_are_allowed() -> None:
    for lam in (400.0, 1100.0):
        assert np.isfinite(eps_hbo2(lam)) and eps_hb(lam) > 0 and mua_water(lam) > 0


@pytest.mark.parametrize(
    "table",
    [
        "hemoglobin.csv",
        "water.csv",
        "fat.csv",
        "scattering.csv",
        "refractive_index.csv",
        "salomatina2006.csv",
        "shimojo2020.csv",
        "face_sites.csv",
        "fitzpatrick_melanin.csv",
    ],
)
def test_every_table_row_has_source_and_confidence(table: str) -> None:
    header, rows = read_table(table)
    assert rows
    for r in rows:
        conf = r.get("confidence") or r.get("dermis_confidence")
        assert conf in CONFIDENCE_LEVELS
        src = r.get("source") or r.get("dermis_source")
        assert src in header and len(header[src]) > 20


def test_spectra_provenance_marks_extrapolated_rows() -> None:
    fat = spectrum("fat")
    assert fat.confidence_at(410) == "assumption"  # outside van Veen's 429–1098 nm
    assert fat.confidence_at(700) == "exact"
    hb = spectrum("eps_hb")
    assert hb.confidence_at(850) == "exact"
    assert hb.confidence_at(1072) == "derived"  # beyond Prahl's 1000 nm


def test_tissue_absorption_is_jacques_eq12() -> None:
    lam = 633.0
    kw = {
        "blood_fraction": 0.04,
        "saturation": 0.7,
        "water_fraction": 0.6,
        "fat_fraction": 0.1,
        "melanosome_fraction": 0.02,
    }
    expected = (
        0.04 * float(mua_blood(lam, 0.7))
        + 0.6 * float(mua_water(lam))
        + 0.1 * float(spectrum("fat")(lam))
        + 0.02 * float(mua_melanosome_jacques2013(lam))
        + (1 - 0.04 - 0.1 - 0.02) * float(mua_baseline_jacques1998(lam))
    )
    assert float(mua_tissue(lam, **kw)) == pytest.approx(expected, rel=1e-12)
    assert float(mua_tissue(lam)) == pytest.approx(float(mua_baseline_jacques1998(lam)))
    with pytest.raises(ValueError, match="blood_fraction"):
        mua_tissue(lam, blood_fraction=1.5)
    with pytest.raises(ValueError, match="exceeds 1"):
        mua_tissue(lam, blood_fraction=0.6, fat_fraction=0.6)


@settings(max_examples=40, deadline=None)
@given(lam=st.floats(400, 1100), b1=st.floats(0, 0.4), db=st.floats(0.001, 0.4), s=st.floats(0, 1))
def test_more_blood_means_more_absorption(lam: float, b1: float, db: float, s: float) -> None:
    a1 = float(mua_tissue(lam, blood_fraction=b1, saturation=s, water_fraction=0.6))
    a2 = float(mua_tissue(lam, blood_fraction=b1 + db, saturation=s, water_fraction=0.6))
    assert a2 > a1  # blood absorbs more than the baseline it displaces, everywhere 400–1100 nm


def test_scattering_helpers() -> None:
    assert float(mus_from_musp(30.0, 0.9)) == pytest.approx(300.0)
    with pytest.raises(ValueError, match="anisotropy"):
        mus_from_musp(30.0, 1.0)
    # Rayleigh+Mie with f_ray = 0 is the power law with b = b_mie
    assert float(musp_rayleigh_mie(700, 40, 0.0, 1.1)) == pytest.approx(float(musp_power_law(700, 40, 1.1)))
    assert refractive_index_from_water(0.0) == pytest.approx(1.514)
    assert refractive_index_from_water(1.0, n_dry=1.5) == pytest.approx(1.33)


def test_refractive_index_tables_reproduce_ding_and_matiatou() -> None:
    # evidence.md §1.5 (Ding 2006, mean of s and p)
    assert float(refractive_index("epidermis", 633)) == pytest.approx(1.433, abs=1e-3)
    assert float(refractive_index("epidermis", 850)) == pytest.approx(1.4165, abs=1e-3)
    assert float(refractive_index("dermis", 633)) == pytest.approx(1.3945, abs=1e-3)
    assert float(refractive_index("dermis", 850)) == pytest.approx(1.3865, abs=1e-3)
    assert float(refractive_index("hypodermis", 633)) == pytest.approx(1.461, abs=1e-3)


# ---------------------------------------------------------------- source spectra


def test_gaussian_quadrature_nodes_are_equal_power_band_centroids() -> None:
    spec = gaussian(633.0, 20.0)
    nodes, w = spec.quadrature(5)
    assert w.sum() == pytest.approx(1.0) and np.allclose(w, 0.2)
    # standard normal quintile-band centroids: ±1.3998σ, ±0.5316σ, 0
    sigma = 20.0 / (2 * math.sqrt(2 * math.log(2)))
    expected = 633.0 + sigma * np.array([-1.3998, -0.5316, 0.0, 0.5316, 1.3998])
    assert nodes == pytest.approx(expected, abs=0.02)
    assert spec.truncated_fraction == pytest.approx(0.0, abs=1e-9)


@settings(max_examples=30, deadline=None)
@given(
    peak=st.floats(480, 1000),
    fwhm=st.floats(1, 60),
    a=st.floats(-1, 1),
    b=st.floats(-100, 100),
    n=st.integers(1, 9),
)
def test_spectral_average_is_exact_for_linear_functions(
    peak: float, fwhm: float, a: float, b: float, n: int
) -> None:
    spec = gaussian(peak, fwhm)
    got = spectral_average(lambda x: a * x + b, spec, n)
    # both sides are numerical integrals of the (possibly truncated) line: agree to 0.01 nm
    assert got == pytest.approx(a * spec.mean_wavelength_nm() + b, abs=0.01 * abs(a) + 1e-9)


def test_truncated_spectrum_is_reported() -> None:
    spec = gaussian(405.0, 30.0)  # a blue LED: part of its line lies below 400 nm
    assert 0.2 < spec.truncated_fraction < 0.5
    nodes, _ = spec.quadrature(5)
    assert nodes.min() >= 400.0


def test_monochromatic_and_zero_width() -> None:
    for spec in (monochromatic(850.0), gaussian(850.0, 0.0)):
        nodes, w = spec.quadrature(5)
        assert list(nodes) == [850.0] and list(w) == [1.0]


def test_tabulated_spectrum() -> None:
    lam = np.arange(600.0, 661.0, 1.0)
    pw = np.exp(-0.5 * ((lam - 630.0) / 8.0) ** 2)
    spec = tabulated(lam, pw, "measured red LED")
    assert spec.peak_nm == 630.0
    assert spec.fwhm_nm == pytest.approx(8.0 * 2.3548, abs=1.5)
    nodes, w = spec.quadrature(5)
    assert float(np.dot(w, nodes)) == pytest.approx(630.0, abs=0.05)


@pytest.mark.parametrize(
    ("lam", "pw", "match"),
    [
        ([600, 600], [1, 1], "increasing"),
        ([600, 610], [-1, 1], "≥ 0"),
        ([600], [1], "≥ 2"),
        ([1200, 1300], [1, 1], "400–1100"),
    ],
)
def test_tabulated_spectrum_errors(lam: list[float], pw: list[float], match: str) -> None:
    with pytest.raises((SpectrumError, WavelengthRangeError), match=match):
        tabulated(lam, pw)


def test_gaussian_errors() -> None:
    with pytest.raises(SpectrumError, match=r"FWHM|line width"):
        gaussian(633, -1)
    with pytest.raises(WavelengthRangeError):
        gaussian(1500, 10)


def test_melanin_law_choice() -> None:
    """``melanin_law="omlc1998"`` swaps Jacques 2013 Eq. 8 for 1.70e12·λ^-3.48 (Jacques's OMLC
    melanin page), steeper: relative to 694 nm it absorbs more in the blue and less in the NIR."""
    lam = np.array([450.0, 694.0, 850.0])
    a = mua_tissue(lam, melanosome_fraction=0.1, baseline_fraction=0.0)
    b = mua_tissue(lam, melanosome_fraction=0.1, baseline_fraction=0.0, melanin_law="omlc1998")
    assert b == pytest.approx(0.1 * mua_melanosome_omlc1998(lam))
    assert b[0] / b[1] > a[0] / a[1] and b[2] / b[1] < a[2] / a[1]
    with pytest.raises(ValueError, match="omlc1998"):
        mua_tissue(lam, melanosome_fraction=0.1, melanin_law="eumelanin")


# ---------------------------------------------------------------- melanosome scattering (a tested mechanism)


def test_mie_library_convention_is_its_published_example() -> None:
    """miepython's own published example (README: m = 1.5 − 1i, x = 1 → Q_ext 2.336, Q_sca 0.663):
    guards the sign convention of the imaginary index that melanosome_scattering_mie relies on."""
    miepython = pytest.importorskip("miepython")
    qext, qsca, _, _ = miepython.efficiencies_mx(1.5 - 1j, 1.0)
    assert float(qext) == pytest.approx(2.336, abs=5e-4)
    assert float(qsca) == pytest.approx(0.663, abs=5e-4)


@pytest.mark.parametrize("lam", [450.0, 694.0, 850.0])
def test_melanosome_scattering_tends_to_rayleigh_for_small_spheres(lam: float) -> None:
    """d ≪ λ: μs per unit volume fraction = 3 Q_sca/(2d) with Rayleigh's Q_sca = (8/3) x⁴ |(m²−1)/(m²+2)|²."""
    pytest.importorskip("miepython")
    from photodose.optics.melanosome import melanin_imaginary_index, melanosome_scattering_mie

    d_um, n_mel, n_host = 0.01, 1.7, 1.37
    mus, g = melanosome_scattering_mie(lam, d_um, n_mel, n_host)
    m = complex(n_mel, -float(melanin_imaginary_index(lam))) / n_host
    x = math.pi * d_um * 1e3 * n_host / lam
    q_ray = 8.0 / 3.0 * x**4 * abs((m**2 - 1) / (m**2 + 2)) ** 2
    assert mus[0] == pytest.approx(1.5 * q_ray / (d_um * 1e-4), rel=0.01)
    assert abs(g[0]) < 0.01  # Rayleigh scattering is symmetric


def test_melanosome_scattering_of_skin_sized_melanosomes() -> None:
    """Melanosomes of 0.42 µm (volume of 0.3 × 0.8 µm, Toda 1972) scatter forward (0.5 < g < 0.9),
    less with wavelength; the imaginary index is the model's melanin absorption (k = μa λ/4π)."""
    pytest.importorskip("miepython")
    from photodose.optics.melanosome import melanin_imaginary_index, melanosome_scattering_mie

    lam = np.array([450.0, 550.0, 650.0, 750.0, 850.0])
    mus, g = melanosome_scattering_mie(lam, 0.42)
    assert np.all(np.diff(mus) < 0) and np.all((g > 0.5) & (g < 0.9))
    assert float(melanin_imaginary_index(694.0)) == pytest.approx(
        float(mua_melanosome_omlc1998(694.0)) * 694e-7 / (4 * math.pi)
    )
    # less index contrast, less scattering
    assert melanosome_scattering_mie(850.0, 0.42, n_melanin=1.6)[0][0] < mus[-1]
    with pytest.raises(ValueError, match="diameter_um"):
        melanosome_scattering_mie(850.0, 0.0)
