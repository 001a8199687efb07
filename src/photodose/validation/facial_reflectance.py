"""The skin model against the reflectance spectra of faces: the International Skin Spectra
Archive (a second, independent in vivo spectral data set beside NIST's 100 forearms).

Data (``photodose/data/optics/reflectance_issa2025.csv``): every forehead and cheek spectrum of
the ISSA (Lu et al., Scientific Data 12 (2025), doi:10.1038/s41597-025-04857-5) — 2 092 forehead
and 2 511 cheek spectra of Caucasian, Chinese, Japanese, Thai, South Asian, Middle Eastern and
African people, measured with contact d:8 spectrophotometers (specular included) at 400–700 nm;
kept here at 450, 550, 630, 660 and 700 nm. Independent of NIST (other people, instruments,
laboratories and body sites) and of the model (nothing in the skin model was fitted to it). It
does not reach the near infrared: above 700 nm only NIST (and Kuppenheim's peak positions) check
the model.

A contact spectrophotometer does not read the laterally infinite reflectance the Monte Carlo
model gives: light that spreads sideways out of its small illuminated disc is lost
(:mod:`~photodose.validation.instrument`). The model is therefore read as such an instrument:
pencil-beam R(ρ) folded with the aperture (viewed disc ∅ 8 mm inside an illuminated ∅ 11 mm, the
"MAV" setting of the Konica Minolta d:8 instruments common in skin colour work; ASSUMPTION, the
per-data-set instrument was not read). The loss is ≈ 0 at 450 nm and 10–15 % at 630–700 nm.

Checks (bands in ``validation_bands.toml``, ``[[facial_reflectance]]``):

* **envelope** — each Fitzpatrick type's reflectance at each wavelength lies within the range
  (min–max) of the site's spectra: R_model(t, λ) ∈ [min_λ, max_λ];
* **same pigmentation** — the spectra whose R(660 nm) lies within ``match_tolerance`` of the
  model's R(660 nm) (n ≥ ``min_matched``) bound the model at 450, 550, 630 and 700 nm: R_model ∈
  [P5 − m, P95 + m] of those spectra, m = ``band_margin``: the shape of the spectrum (melanin's
  blue absorption, blood's green dip) against faces as pigmented as the model;
* **coverage** — the model's darkest skin (type VI, dark end of its composition range) reflects
  no more at ``coverage_nm`` than the median face of the darkest group (``coverage_ethnicity``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from photodose.optics.spectra import read_table
from photodose.skin import FITZPATRICK_TYPES, SkinProfile
from photodose.validation.checks import Check, bands

FloatArray = NDArray[np.float64]
DATA_FILE = "reflectance_issa2025.csv"
ISSA_NM = (450.0, 550.0, 630.0, 660.0, 700.0)
SITES = ("forehead", "cheek")
ETHNICITY = {
    "CA": "Caucasian",
    "CN": "Chinese",
    "JP": "Japanese",
    "TH": "Southeast Asian (Thai)",
    "SA": "South Asian (Pakistani)",
    "IQ": "Middle Eastern (Iraqi)",
    "AB": "Middle Eastern (Arabian)",
    "AF": "African",
}


@dataclass(frozen=True)
class FacialSpectra:
    """Measured facial reflectance spectra (one row per spectrum)."""

    wavelengths_nm: tuple[float, ...]
    site: tuple[str, ...]
    ethnicity: tuple[str, ...]
    reflectance: FloatArray  # spectra × wavelengths [-]
    lab: FloatArray  # spectra × (L*, a*, b*) under D65, as the archive lists them
    source: str
    confidence: str

    def at(self, site: str, ethnicity: str | None = None) -> FloatArray:
        """Spectra of one site (and ethnicity code), spectra × wavelengths."""
        sel = np.array([s == site and (ethnicity is None or e == ethnicity) for s, e in self.sites_eth()])
        out: FloatArray = self.reflectance[sel]
        return out

    def sites_eth(self) -> list[tuple[str, str]]:
        return list(zip(self.site, self.ethnicity, strict=True))

    def matched(self, site: str, at_nm: float, value: float, tolerance: float) -> FloatArray:
        """Spectra of ``site`` whose reflectance at ``at_nm`` lies within ``tolerance`` of ``value``."""
        r = self.at(site)
        j = self.wavelengths_nm.index(at_nm)
        out: FloatArray = r[np.abs(r[:, j] - value) <= tolerance]
        return out


@cache
def issa2025() -> FacialSpectra:
    """Forehead and cheek spectra of the International Skin Spectra Archive (Lu et al. 2025)."""
    header, rows = read_table(DATA_FILE)
    confidences = {r["confidence"] for r in rows}
    if len(confidences) != 1:
        raise ValueError(f"{DATA_FILE}: mixed confidence {sorted(confidences)}")
    for r in rows:
        if r["site"] not in SITES:
            raise ValueError(f"{DATA_FILE}: site {r['site']!r} not in {SITES}")
        if r["ethnicity"] not in ETHNICITY:
            raise ValueError(f"{DATA_FILE}: ethnicity {r['ethnicity']!r} not in {sorted(ETHNICITY)}")
    cols = [f"r_{int(w)}nm" for w in ISSA_NM]
    refl = np.array([[float(r[c]) for c in cols] for r in rows])
    if not np.all((refl > 0.0) & (refl < 1.0)):
        raise ValueError(f"{DATA_FILE}: reflectance outside (0, 1)")
    return FacialSpectra(
        ISSA_NM,
        tuple(r["site"] for r in rows),
        tuple(r["ethnicity"] for r in rows),
        refl,
        np.array([[float(r["l_star"]), float(r["a_star"]), float(r["b_star"])] for r in rows]),
        header[rows[0]["source"]],
        confidences.pop(),
    )


def _aperture() -> tuple[float, float]:
    cfg = bands()["facial_reflectance"][0]
    return float(cfg["view_diameter_mm"]) / 20.0, float(cfg["illumination_diameter_mm"]) / 20.0


def instrument_spectrum(
    profile: SkinProfile,
    wavelengths_nm: tuple[float, ...] = ISSA_NM,
    photons: int = 4000,
    *,
    view_radius_cm: float | None = None,
    illumination_radius_cm: float | None = None,
    seed: int = 7,
) -> tuple[FloatArray, FloatArray]:
    """(what a contact spectrophotometer reads, laterally infinite total reflectance) of the model
    skin at each wavelength [-]: pencil-beam Monte Carlo folded with the aperture
    (:func:`~photodose.validation.instrument.contact_reflectance`; default aperture from
    ``validation_bands.toml``)."""
    from photodose.skin import layer_stack
    from photodose.transport import simulate
    from photodose.transport.result import Grid
    from photodose.validation.instrument import contact_reflectance

    a_v, a_i = _aperture()
    a_v = view_radius_cm or a_v
    a_i = illumination_radius_cm or a_i
    grid = Grid(0.005, int(np.ceil((a_v + a_i) / 0.005)) + 2)
    meas = np.empty(len(wavelengths_nm))
    inf = np.empty(len(wavelengths_nm))
    for k, lam in enumerate(wavelengths_nm):
        res = simulate(layer_stack(profile, float(lam)), int(photons), seed=seed, radial_grid=grid)
        meas[k] = contact_reflectance(
            res.specular_reflectance, res.diffuse_reflectance_r_per_cm2, grid.edges_cm, a_v, a_i
        )
        inf[k] = res.specular_reflectance + res.diffuse_reflectance
    return meas, inf


def model_facial_spectra(site: str = "forehead", photons: int = 4000) -> dict[str, FloatArray]:
    """Fitzpatrick type → the model's reflectance at ``ISSA_NM`` as a contact spectrophotometer
    reads it (Monte Carlo: 6 × 5 runs of ``photons``)."""
    return {
        t: instrument_spectrum(SkinProfile(fitzpatrick=t, site=site), ISSA_NM, photons)[0]
        for t in FITZPATRICK_TYPES
    }


def facial_checks_from(model: dict[str, FloatArray], site: str = "forehead") -> list[Check]:
    """Envelope and same-pigmentation checks of given model spectra (no Monte Carlo)."""
    d = issa2025()
    cfg = bands()["facial_reflectance"][0]
    src = bands()["sources"]
    cite = f"{src[cfg['source']]} {src[cfg['instrument_source']]}"
    r = d.at(site)
    lo, hi = r.min(axis=0), r.max(axis=0)
    match_nm = float(cfg["match_nm"])
    tol = float(cfg["match_tolerance"])
    margin = float(cfg["band_margin"])
    jm = ISSA_NM.index(match_nm)
    out: list[Check] = []
    for t, spec in model.items():
        for j, lam in enumerate(ISSA_NM):
            out.append(
                Check(
                    "issa2025",
                    f"{site} reflectance at {lam:g} nm, as a contact spectrophotometer reads it "
                    f"(range of {len(r)} facial spectra)",
                    t,
                    float(spec[j]),
                    float(lo[j]),
                    float(hi[j]),
                    cite,
                    str(cfg["confidence"]),
                )
            )
        near = d.matched(site, match_nm, float(spec[jm]), tol)
        if len(near) < int(cfg["min_matched"]):
            continue
        p5, p95 = np.percentile(near, 5, axis=0), np.percentile(near, 95, axis=0)
        for j, lam in enumerate(ISSA_NM):
            if j == jm:
                continue
            out.append(
                Check(
                    "issa2025",
                    f"{site} reflectance at {lam:g} nm of faces as pigmented "
                    f"(R{match_nm:g} ± {tol:g}, n = {len(near)}; P5–P95 ± {margin:g})",
                    t,
                    float(spec[j]),
                    float(p5[j]) - margin,
                    float(p95[j]) + margin,
                    cite,
                    str(cfg["confidence"]),
                )
            )
    return out


def darkest_model_spectrum(site: str = "forehead", photons: int = 4000) -> FloatArray:
    """The model's darkest skin (type VI at the dark end of its composition range: most melanin
    and blood, :func:`photodose.skin.composition_bounds`) read as the contact instrument."""
    return instrument_spectrum(SkinProfile(fitzpatrick="VI", site=site, scenario="low"), ISSA_NM, photons)[0]


def coverage_checks_from(darkest: FloatArray, site: str = "forehead") -> list[Check]:
    """The model's darkest skin reaches the median face of the darkest group (no Monte Carlo)."""
    d = issa2025()
    cfg = bands()["facial_reflectance"][0]
    code, lam = str(cfg["coverage_ethnicity"]), float(cfg["coverage_nm"])
    group = d.at(site, code)
    j = ISSA_NM.index(lam)
    median = float(np.median(group[:, j]))
    return [
        Check(
            "issa2025",
            f"darkest model skin (type VI, most melanin and blood) reaches the median {site} of "
            f"{ETHNICITY[code]} people at {lam:g} nm (n = {len(group)}; "
            f"{float(np.mean(group[:, j] < darkest[j])):.0%} of them are darker still)",
            "VI",
            float(darkest[j]),
            0.0,
            median,
            str(bands()["sources"][cfg["source"]]),
            str(cfg["confidence"]),
        )
    ]


def facial_checks(site: str = "forehead", photons: int = 4000) -> list[Check]:
    """Every check against the ISSA facial spectra at ``site`` (Monte Carlo: 7 × 5 runs)."""
    return facial_checks_from(model_facial_spectra(site, photons), site) + coverage_checks_from(
        darkest_model_spectrum(site, photons), site
    )


def plot_facial_reflectance(models: dict[str, dict[str, FloatArray]], path: Path) -> None:
    """Measured facial spectra (median and 5–95 % band per ethnicity) beside the model's types
    I–VI read as a contact spectrophotometer, one panel per site."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    d = issa2025()
    lam = np.array(ISSA_NM)
    colours = ["#f3d7c4", "#e2b99a", "#c99771", "#a9744f", "#7a4f31", "#4a2e1d"]
    sites = list(models)
    fig, axes = plt.subplots(1, len(sites), figsize=(6.2 * len(sites), 5.2), sharey=True, squeeze=False)
    for ax, site in zip(axes[0], sites, strict=True):
        all_r = d.at(site)
        ax.fill_between(lam, all_r.min(axis=0), all_r.max(axis=0), color="0.92", label="all spectra, min–max")
        labels: list[tuple[float, str]] = []
        for code in ETHNICITY:
            r = d.at(site, code)
            if len(r) < 10:
                continue
            ax.plot(lam, np.median(r, axis=0), color="0.55", lw=0.9, ls="--")
            labels.append((float(np.median(r[:, -1])), f"{code} ({len(r)})"))
        last = -1.0
        for y, text in sorted(labels):  # stack the end labels so that none overlap
            y_text = max(y, last + 0.018)
            ax.text(703, y_text, text, fontsize=6.5, color="0.4", va="center")
            last = y_text
        ax.plot([], [], color="0.55", lw=0.9, ls="--", label="median by ethnicity (ISSA code, n)")
        for (t, spec), c in zip(models[site].items(), colours, strict=True):
            ax.plot(lam, spec, color=c, lw=2.2, marker="o", ms=4, label=f"model, type {t}")
            ax.plot(lam, spec, color="k", lw=0.4)
        ax.set_xlim(440, 730)
        ax.set_ylim(0, 0.7)
        ax.set_xlabel("wavelength (nm)")
        ax.set_title(f"{site}: {len(all_r)} spectra", fontsize=9)
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel("reflectance (d:8, specular included, ∅ 8 mm aperture)")
    axes[0][0].legend(fontsize=7, loc="upper left")
    fig.suptitle(
        "Facial skin: International Skin Spectra Archive (Lu et al. 2025) vs the model "
        "read as a contact spectrophotometer",
        fontsize=10,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)


def aperture_effect(photons: int = 4000) -> dict[float, float]:
    """Wavelength → fractional difference (R_large − R_small)/R_large [-] of the model skin read
    through the small and the large aperture of ``[[aperture_effect]]`` (Takiwaki et al. 2002)."""
    cfg = bands()["aperture_effect"][0]
    rim = float(cfg["rim_mm"]) / 10.0
    profile = SkinProfile(fitzpatrick=str(cfg["fitzpatrick"]), site=str(cfg["site"]))
    lams = (float(cfg["short_wavelength_nm"]), float(cfg["wavelength_nm"]))
    out: dict[float, float] = {}
    small_v = float(cfg["small_view_diameter_mm"]) / 20.0
    large_v = float(cfg["large_view_diameter_mm"]) / 20.0
    small, _ = instrument_spectrum(
        profile, lams, photons, view_radius_cm=small_v, illumination_radius_cm=small_v + rim
    )
    large, _ = instrument_spectrum(
        profile, lams, photons, view_radius_cm=large_v, illumination_radius_cm=large_v + rim
    )
    for k, lam in enumerate(lams):
        out[lam] = float((large[k] - small[k]) / large[k])
    return out


def aperture_checks_from(effect: dict[float, float]) -> list[Check]:
    """The model's aperture effect against Takiwaki et al. 2002 (no Monte Carlo)."""
    cfg = bands()["aperture_effect"][0]
    cite = str(bands()["sources"][cfg["source"]])
    lam, short = float(cfg["wavelength_nm"]), float(cfg["short_wavelength_nm"])
    what = (
        f"reflectance read through a {cfg['small_view_diameter_mm']:g} mm aperture below an "
        f"{cfg['large_view_diameter_mm']:g} mm one, fraction"
    )
    return [
        Check(
            "takiwaki2002",
            f"{what}, at {lam:g} nm ({cfg['site']})",
            str(cfg["fitzpatrick"]),
            effect[lam],
            float(cfg["low_fraction"]),
            float(cfg["high_fraction"]),
            cite,
            str(cfg["confidence"]),
        ),
        Check(
            "takiwaki2002",
            f"{what}, at {short:g} nm ({cfg['site']})",
            str(cfg["fitzpatrick"]),
            effect[short],
            -float(cfg["short_high_fraction"]),
            float(cfg["short_high_fraction"]),
            cite,
            str(cfg["confidence"]),
        ),
    ]
