"""Every check of the skin model against measured skin, in one place.

:func:`run_checks` computes the model's reflectance, colour, dermis optics and penetration depth
for Fitzpatrick types I–VI at a face site and compares each with a measured band from
``photodose/data/optics/validation_bands.toml`` (sources there). :func:`summary_line` is the one
sentence the report and ``photodose depth`` print; it reads the stored result of the last run
(``validation_summary.json``, written by ``python -m photodose.validation``) and says so when the
skin model has changed since.
"""

from __future__ import annotations

import json
import math
import tomllib
from dataclasses import asdict, dataclass
from functools import cache
from importlib.resources import files
from typing import Any

import numpy as np
from numpy.typing import NDArray

from photodose.skin import FITZPATRICK_TYPES, SkinProfile, layer_optics, skin_model_version

SUMMARY_FILE = "validation_summary.json"
DATASET_LABELS = {
    "cooksey2017": "NIST skin reflectance, 100 people, model at the inner forearm as measured (Cooksey 2017)",
    "kuppenheim1951": "reflectance peaks of light and dark skin (Kuppenheim & Heer 1951)",
    "chardon1991": "skin colour ITA° categories (Chardon 1991; Del Bino 2013)",
    "jonasson2018": "in vivo dermis μs′, 1734 people (Jonasson 2018)",
    "scapis2023": "in vivo dermis μa and μs′, 3809 people (SCAPIS, J Biomed Opt 2023)",
    "norvang1997": "in vivo epidermal melanin μa (Norvang 1997; calibration)",
    "jablonski2000": "skin reflectance at 685 nm of 16 populations (Jablonski & Chaplin 2000)",
    "penetration_derived": "dermis penetration depth from in vivo μa, μs′ (derived)",
    "issa2025": "facial reflectance spectra 450–700 nm of 4603 faces, 8 ethnicities (ISSA, Lu 2025)",
    "takiwaki2002": "reflectance lost through a small aperture (Takiwaki 2002)",
    "esnouf2007": "850 nm light measured through 0.78 mm of skin (Esnouf 2007)",
}
#: Dataset key prefix of the NIST checks run at a face site: a sensitivity (NIST measured forearms),
#: stored in the summary but not counted as the NIST validation (:func:`summary_line`).
NIST_AT_SITE = "cooksey2017_at_"
#: Where the NIST data were measured; the model there is built by photodose.validation.forearm.
NIST_SITE = "inner forearm"


@dataclass(frozen=True)
class Check:
    """One comparison of a model value with a measured band."""

    dataset: str  # source key in validation_bands.toml
    quantity: str
    fitzpatrick: str | None
    model: float
    low: float
    high: float
    source: str
    confidence: str

    @property
    def passed(self) -> bool:
        return bool(self.low <= self.model <= self.high)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "passed": self.passed}


@cache
def bands() -> dict[str, Any]:
    text = (files("photodose") / "data" / "optics" / "validation_bands.toml").read_text("utf-8")
    data: dict[str, Any] = tomllib.loads(text)
    return data


def _src(key: str) -> str:
    return str(bands()["sources"][key])


def _layer(profile: SkinProfile, name: str, lam: float) -> tuple[float, float]:
    ly = next(x for x in layer_optics(profile, lam) if x.name == name)
    return ly.mua_per_cm, ly.musp_per_cm


def optics_checks(site: str = "forehead") -> list[Check]:
    """Dermis μa/μs′, epidermal melanin μa and penetration depth (no Monte Carlo)."""
    b = bands()
    out: list[Check] = []
    p = SkinProfile(site=site)
    for row in b["dermis_musp"]:
        lam = float(row["wavelength_nm"])
        _, musp = _layer(p, "reticular dermis", lam)
        m, sd = float(row["mean_per_cm"]), float(row["sd_per_cm"])
        out.append(
            Check(
                row["source"],
                f"dermis μs′ at {lam:g} nm [1/cm]",
                None,
                musp,
                m - 2 * sd,
                m + 2 * sd,
                _src(row["source"]),
                row["confidence"],
            )
        )
    for row in b["dermis_mua"]:
        lam = float(row["wavelength_nm"])
        mua, _ = _layer(p, row["layer"], lam)
        med = float(row["median_per_cm"])
        out.append(
            Check(
                row["source"],
                f"{row['layer']} μa at {lam:g} nm [1/cm]",
                None,
                mua,
                med / 2,
                med * 2,
                _src(row["source"]),
                row["confidence"],
            )
        )
    for row in b["epidermis_mua_694"]:
        for t in row["types"]:
            mua, _ = _layer(SkinProfile(fitzpatrick=t, site=site), "living epidermis", 694.0)
            out.append(
                Check(
                    row["source"],
                    "living-epidermis μa at 694 nm [1/cm]",
                    t,
                    mua,
                    float(row["low_per_cm"]),
                    float(row["high_per_cm"]),
                    _src(row["source"]),
                    row["confidence"],
                )
            )
    for row in b["penetration"]:
        lam = float(row["wavelength_nm"])
        mua, musp = _layer(p, "reticular dermis", lam)
        d_model = 1.0 / math.sqrt(3 * mua * (mua + musp)) * 10.0
        ma, ms = float(row["mua_per_cm"]), float(row["musp_per_cm"])
        d_ref = 1.0 / math.sqrt(3 * ma * (ma + ms)) * 10.0
        out.append(
            Check(
                row["source"],
                f"dermis penetration depth δ at {lam:g} nm [mm]",
                None,
                d_model,
                d_ref / 1.5,
                d_ref * 1.5,
                _src(row["source"]),
                row["confidence"],
            )
        )
    return out


@dataclass(frozen=True)
class TypeSpectra:
    """Model spectra of one Fitzpatrick type."""

    fitzpatrick: str
    nist_nm: tuple[float, ...]
    nist_r: list[float]
    colour_nm: tuple[float, ...]
    colour_r: list[float]
    peak_nm_grid: tuple[float, ...]
    peak_r: list[float]


def model_spectra(site: str = "forehead", photons: int = 2000) -> list[TypeSpectra]:
    """Reflectance of types I–VI at the NIST wavelengths, 400–700 nm and 600–1000 nm."""
    from photodose.validation.skin_colour import COLOUR_NM
    from photodose.validation.skin_reflectance import COOKSEY_NM, reflectance_spectrum

    peak_nm = tuple(float(x) for x in range(600, 1001, 20))
    out = []
    for t in FITZPATRICK_TYPES:
        p = SkinProfile(fitzpatrick=t, site=site)
        out.append(
            TypeSpectra(
                t,
                COOKSEY_NM,
                reflectance_spectrum(p, COOKSEY_NM, photons).tolist(),
                COLOUR_NM,
                reflectance_spectrum(p, COLOUR_NM, photons).tolist(),
                peak_nm,
                reflectance_spectrum(p, peak_nm, photons).tolist(),
            )
        )
    return out


def forearm_nist_spectra(photons: int = 2000, thickness: dict[str, float] | None = None) -> list[TypeSpectra]:
    """Reflectance of types I–VI at the NIST wavelengths with the model at the inner forearm
    (:mod:`photodose.validation.forearm`; ``thickness``: forearm thicknesses for sensitivity runs).
    Colour and peak spectra are left empty (the forearm is used for the NIST checks only)."""
    from photodose.validation.forearm import forearm_reflectance
    from photodose.validation.skin_reflectance import COOKSEY_NM

    return [
        _nist_only(
            t, forearm_reflectance(SkinProfile(fitzpatrick=t), COOKSEY_NM, photons, thickness=thickness)
        )
        for t in FITZPATRICK_TYPES
    ]


def site_nist_spectra(site: str, photons: int = 2000) -> list[TypeSpectra]:
    """Reflectance of types I–VI at the NIST wavelengths at a face ``site`` (no colour, no peak)."""
    from photodose.validation.skin_reflectance import COOKSEY_NM, reflectance_spectrum

    return [
        _nist_only(t, reflectance_spectrum(SkinProfile(fitzpatrick=t, site=site), COOKSEY_NM, photons))
        for t in FITZPATRICK_TYPES
    ]


def _nist_only(fitzpatrick: str, nist_r: NDArray[np.float64]) -> TypeSpectra:
    """Spectra of one type at the NIST wavelengths only (colour and peak spectra left empty)."""
    from photodose.validation.skin_reflectance import COOKSEY_NM

    return TypeSpectra(fitzpatrick, COOKSEY_NM, nist_r.tolist(), (), [], (), [])


def nist_checks(spectra: list[TypeSpectra], dataset: str = "cooksey2017") -> list[Check]:
    """NIST (Cooksey 2017): the range of the 100 people at each wavelength and the spectral shape
    of people as pigmented (same R685 ± 0.03). ``dataset``: "cooksey2017" for the model at the forearm (where
    NIST measured), ``NIST_AT_SITE + site`` for a face-site sensitivity run."""
    from photodose.validation.skin_reflectance import cooksey2017

    b = bands()
    data = cooksey2017()
    lo, hi = data.envelope()
    env = b["reflectance_envelope"][0]
    mt = b["reflectance_matched"][0]
    out: list[Check] = []
    for s in spectra:
        for j, lam in enumerate(s.nist_nm):
            out.append(
                Check(
                    dataset,
                    f"total reflectance at {lam:g} nm (range of 100 people)",
                    s.fitzpatrick,
                    s.nist_r[j],
                    float(lo[j]),
                    float(hi[j]),
                    _src("cooksey2017"),
                    env["confidence"],
                )
            )
        j685 = s.nist_nm.index(float(mt["match_nm"]))
        near = data.matched(float(mt["match_nm"]), s.nist_r[j685], float(mt["match_tolerance"]))
        if len(near) >= 3:
            margin = float(mt["band_margin"])
            for j, lam in enumerate(s.nist_nm):
                if j == j685:
                    continue
                out.append(
                    Check(
                        dataset,
                        f"reflectance at {lam:g} nm of people as pigmented "
                        f"(R685 ± {mt['match_tolerance']:g}, "
                        f"n = {len(near)})",
                        s.fitzpatrick,
                        s.nist_r[j],
                        float(near[:, j].min()) - margin,
                        float(near[:, j].max()) + margin,
                        _src("cooksey2017"),
                        mt["confidence"],
                    )
                )
    return out


def spectral_checks(spectra: list[TypeSpectra], nist_dataset: str = "cooksey2017") -> list[Check]:
    """NIST checks (:func:`nist_checks`, as ``nist_dataset``), reflectance peaks, ITA° by type."""
    from photodose.validation.skin_colour import colour_of_spectrum
    from photodose.validation.skin_reflectance import peak_wavelength_nm

    b = bands()
    out: list[Check] = nist_checks(spectra, nist_dataset)
    for s in spectra:
        for row in b["peak"]:
            if s.fitzpatrick in row["types"]:
                pk = peak_wavelength_nm(s.peak_nm_grid, s.peak_r)
                out.append(
                    Check(
                        row["source"],
                        "wavelength of maximum reflectance [nm]",
                        s.fitzpatrick,
                        pk,
                        float(row["low_nm"]),
                        float(row["high_nm"]),
                        _src(row["source"]),
                        row["confidence"],
                    )
                )
        c = colour_of_spectrum(s.colour_nm, s.colour_r)
        band = b["ita"][s.fitzpatrick]
        out.append(
            Check(
                "chardon1991",
                "ITA° under D65",
                s.fitzpatrick,
                c.ita_deg,
                float(band[0]),
                float(band[1]),
                _src("chardon1991") + " " + _src(b["ita"]["mapping_source"]),
                b["ita"]["confidence"],
            )
        )
    return out


def run_checks(site: str = "forehead", photons: int = 2000) -> tuple[list[Check], list[TypeSpectra]]:
    """All checks at ``site`` (Monte Carlo: ~6 × 80 wavelengths × ``photons``).

    The NIST checks (dataset "cooksey2017") use the model at the inner forearm, where NIST
    measured; the same checks at ``site``, the forehead and the cheek are stored as sensitivity
    runs (datasets ``NIST_AT_SITE + site``)."""
    from photodose.validation.facial_reflectance import aperture_checks_from, aperture_effect, facial_checks
    from photodose.validation.population_reflectance import population_checks
    from photodose.validation.skin_transmission import transmission_checks

    spectra = model_spectra(site, photons)
    return (
        optics_checks(site)
        + nist_checks(forearm_nist_spectra(photons), "cooksey2017")
        + spectral_checks(spectra, nist_dataset=NIST_AT_SITE + site)
        + [c for o in ("forehead", "cheek") if o != site for c in _nist_at(o, photons)]
        + population_checks(site, photons)
        + facial_checks(site, photons)
        + aperture_checks_from(aperture_effect(photons))
        + transmission_checks(site, max(photons, 20000)),
        spectra,
    )


def _nist_at(site: str, photons: int) -> list[Check]:
    return nist_checks(site_nist_spectra(site, photons), NIST_AT_SITE + site)


def dataset_label(key: str) -> str:
    """Human label of a dataset key (face-site NIST runs labelled as the sensitivity they are)."""
    if key.startswith(NIST_AT_SITE):
        site = key[len(NIST_AT_SITE) :]
        return f"the same NIST checks with the model at the {site} (sensitivity: NIST measured forearms)"
    return DATASET_LABELS.get(key, key)


def summarise(checks: list[Check]) -> dict[str, Any]:
    """Per dataset: checks passed / total."""
    per: dict[str, list[int]] = {}
    for c in checks:
        n = per.setdefault(c.dataset, [0, 0])
        n[0] += int(c.passed)
        n[1] += 1
    return {k: {"passed": v[0], "total": v[1], "label": dataset_label(k)} for k, v in per.items()}


def write_summary(checks: list[Check], site: str, path: Any = None) -> dict[str, Any]:
    """Store the summary (with the skin model version) next to the data, for :func:`summary_line`."""
    out = {
        "skin_model_version": skin_model_version(),
        "site": site,
        "datasets": summarise(checks),
        "checks": [c.as_dict() for c in checks],
    }
    target = path or (files("photodose") / "data" / "optics" / SUMMARY_FILE)
    with open(str(target), "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
        f.write("\n")
    return out


def stored_summary() -> dict[str, Any] | None:
    try:
        text = (files("photodose") / "data" / "optics" / SUMMARY_FILE).read_text("utf-8")
    except (OSError, FileNotFoundError):
        return None
    data: dict[str, Any] = json.loads(text)
    return data


def summary_line() -> str:
    """One sentence: which validation the skin model passes, with sources (cheap: no Monte Carlo)."""
    s = stored_summary()
    if s is None:
        return "Skin model validation: not run (python -m photodose.validation)."
    if s.get("skin_model_version") != skin_model_version():
        return (
            "Skin model validation: the stored results are for an older skin model "
            f"({s.get('skin_model_version')}); rerun python -m photodose.validation."
        )
    parts_ok: list[str] = []
    parts_bad: list[str] = []
    at_site: list[str] = []
    for key, d in s["datasets"].items():
        text = f"{d['label']} {d['passed']}/{d['total']}"
        if key.startswith(NIST_AT_SITE):
            at_site.append(f"{key[len(NIST_AT_SITE) :]} {d['passed']}/{d['total']}")
            continue
        (parts_ok if d["passed"] == d["total"] else parts_bad).append(text)
    line = (
        "Skin model checked against measured skin (types I–VI, "
        + str(s["site"])
        + "; NIST at the "
        + NIST_SITE
        + ", where it was measured): passes "
        + "; ".join(parts_ok)
    )
    if parts_bad:
        line += ". Outside the band in part: " + "; ".join(parts_bad)
    if at_site:
        line += ". The NIST checks with the model at face sites (not like for like): " + ", ".join(at_site)
    return line + ". Details: docs/validation.md."


def nist_band_array() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(wavelengths, 5th and 95th percentile) of the NIST data, for plots."""
    from photodose.validation.skin_reflectance import cooksey2017

    d = cooksey2017()
    return np.array(d.wavelengths_nm), d.percentile(5), d.percentile(95)
