"""``photodose skin --spectrum`` / ``--ita`` / ``--lab``: the model's reflectance and colour, and a
skin fitted to a measured colour. Imported only when those options are used (keeps ``--help`` fast).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NoReturn

from photodose.cli.errors import bad_input
from photodose.cli.output import echo_json


def parse_lab(text: str, as_json: bool) -> tuple[float, float, float]:
    """'L,a,b' → three floats, or exit 2 naming --lab."""
    parts = [p.strip() for p in text.replace(";", ",").split(",")]
    try:
        if len(parts) != 3:
            raise ValueError
        vals = tuple(float(p) for p in parts)
    except ValueError:
        bad_input(
            "--lab", f"{text!r} is not three numbers", "give L*,a*,b* e.g. --lab 62,11,16", as_json=as_json
        )
    return vals[0], vals[1], vals[2]


def _colour_error(e: Exception, ita: float | None, as_json: bool) -> NoReturn:
    bad_input("--ita" if ita is not None else "--lab", str(e), "see `photodose skin --help`", as_json=as_json)


def checked_colour(ita: float | None, lab: str | None, as_json: bool) -> tuple[float, float, float] | None:
    """Check ``--ita`` / ``--lab`` (at most one of them); the parsed L*a*b*, or exit 2 naming the option."""
    from photodose.validation.skin_colour import ColourInputError, check_ita, check_lab

    if ita is not None and lab is not None:
        bad_input("--ita", "give --ita or --lab, not both", "drop one of them", as_json=as_json)
    try:
        if ita is not None:
            check_ita(ita)
        return check_lab(parse_lab(lab, as_json)) if lab is not None else None
    except ColourInputError as e:
        _colour_error(e, ita, as_json)


def fit_profile(profile: Any, ita: float | None, lab: str | None, as_json: bool) -> Any:
    """``profile`` with melanin (and blood) fitted to a measured colour, or exit 2 naming the
    option. Used by ``photodose evaluate --ita/--lab``: the fit's range becomes the skin's
    composition range, so the dose low/high carry it."""
    from photodose.validation.skin_colour import ColourInputError, fit_skin_colour

    lab_t = checked_colour(ita, lab, as_json)
    try:
        return fit_skin_colour(profile, ita=ita, lab=lab_t).apply(profile)
    except ColourInputError as e:
        _colour_error(e, ita, as_json)


def run(
    *,
    fitzpatrick: str,
    site: str,
    age_band: str,
    sex: str,
    ita: float | None,
    lab: str | None,
    plot: Path | None,
    photons: int,
    json_out: bool,
    fail: Any,
) -> None:
    """Compute and print (table or one JSON object) the spectrum, colour and optional fit."""
    from photodose.skin import SkinProfile

    lab_t = checked_colour(ita, lab, json_out)
    if not 200 <= photons <= 1_000_000:
        bad_input(
            "--photons", f"{photons:,} is outside 200 … 10^6", "use e.g. 3000 (the default)", as_json=json_out
        )
    try:
        profile = SkinProfile(fitzpatrick=fitzpatrick, site=site, age_band=age_band, sex=sex)
    except ValueError as e:
        fail(str(e), json_out)

    from photodose.validation import summary_line
    from photodose.validation.skin_colour import colour_of_spectrum, fit_skin_colour
    from photodose.validation.skin_reflectance import SPECTRUM_NM, reflectance_spectrum

    fit = None
    if ita is not None or lab_t is not None:
        fit = fit_skin_colour(profile, ita=ita, lab=lab_t)
        profile = fit.apply(profile)
    r = reflectance_spectrum(profile, SPECTRUM_NM, photons)
    col = colour_of_spectrum(SPECTRUM_NM, r)
    if plot is not None:
        try:
            plot_spectrum(
                SPECTRUM_NM, r, col.as_dict(), profile.fitzpatrick, profile.site, plot, fitted=fit is not None
            )
        except (OSError, ValueError) as exc:
            bad_input(
                "--plot", f"cannot write {plot}: {exc}", "choose another path or extension", as_json=json_out
            )
    validation = summary_line()
    if json_out:
        out: dict[str, Any] = {
            "profile": profile.to_dict(),
            "wavelength_nm": list(SPECTRUM_NM),
            "reflectance": [float(x) for x in r],
            "reflectance_definition": "total reflectance (specular + diffuse) of a broad collimated beam at "
            "normal incidence, as an 8°:d spectrophotometer with specular included measures",
            "colour": col.as_dict(),
            "fit": None if fit is None else fit.as_dict(),
            "photons_per_wavelength": photons,
            "validation": validation,
            "plot": None if plot is None else str(plot),
            "provenance": "computed: Monte Carlo (photodose.transport) on photodose.skin; colour with "
            "colour-science (CIE 1931 2°, D65)",
        }
        echo_json(out)
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    fitted = ", melanin fitted to your colour" if fit is not None else ""
    t = Table(
        title=f"Reflectance of the model skin — Fitzpatrick {profile.fitzpatrick}, {profile.site}{fitted}"
    )
    t.add_column("wavelength (nm)", justify="right")
    t.add_column("total reflectance", justify="right")
    for w, v in zip(SPECTRUM_NM, r, strict=True):
        if int(w) % 50 == 0:
            t.add_row(f"{w:g}", f"{v:.3f}")
    console.print(t)
    console.print(
        f"Colour under D65 (2°): L* {col.lightness:.1f}, a* {col.a_star:.1f}, b* {col.b_star:.1f}; "
        f"ITA {col.ita_deg:.0f}° ({col.category})"
    )
    if fit is not None:
        lo, hi = fit.melanosome_fraction_range
        blo, bhi = fit.blood_scale_range
        console.print(
            f"Fitted to your colour ({', '.join(f'{k} {v:.1f}' for k, v in fit.target.items())}): epidermal "
            f"melanosome fraction {100 * fit.melanosome_fraction:.1f} % "
            f"(range {100 * lo:.1f}–{100 * hi:.1f} %), "
            + (
                f"blood × {fit.blood_scale:.2f} (range {blo:.2f}–{bhi:.2f})"
                if lab_t is not None
                else "blood not fitted (an ITA° fixes melanin only; --lab fits blood too)"
            )
            + ". The range is carried into dose ranges when this skin is evaluated."
        )
        if fit.note:
            console.print(f"Note: {fit.note}.", markup=False)
    console.print(f"{photons:,} photons per wavelength (±{(0.25 / photons) ** 0.5:.3f} per point).")
    console.print(validation)
    if plot is not None:
        console.print(f"plot written to {plot}")


def plot_spectrum(
    wavelengths_nm: Any,
    reflectance: Any,
    colour: dict[str, Any],
    fitz: str,
    site: str,
    path: Path,
    fitted: bool = False,
) -> None:
    """Reflectance spectrum with the NIST population band and a swatch of the model's colour."""
    import colour as cs
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    import numpy as np

    from photodose.validation.skin_reflectance import cooksey2017

    d = cooksey2017()
    fig, ax = plt.subplots(figsize=(8, 4.8))
    lam = np.array(d.wavelengths_nm)
    ax.fill_between(
        lam, d.percentile(5), d.percentile(95), color="0.85", label="NIST, 100 people, 5–95 % (forearm)"
    )
    label = f"model, type {fitz}, {site}" + (", melanin fitted to your colour" if fitted else "")
    ax.plot(wavelengths_nm, reflectance, color="#8e3b2f", lw=2, label=label)
    lab = np.array([colour["L*"], colour["a*"], colour["b*"]])
    rgb = np.clip(cs.XYZ_to_sRGB(cs.Lab_to_XYZ(lab)), 0, 1)
    from matplotlib.patches import Rectangle

    ax.add_patch(Rectangle((420, 0.62), 60, 0.12, color=tuple(rgb), transform=ax.transData))
    ax.text(490, 0.68, f"L* {colour['L*']:.0f}, a* {colour['a*']:.0f}, b* {colour['b*']:.0f}\n"
            f"ITA {colour['ita_deg']:.0f}° ({colour['category']})", fontsize=8, va="center")  # fmt: skip
    ax.set_xlim(400, 1000)
    ax.set_ylim(0, 0.8)
    ax.set_xlabel("wavelength (nm)")
    ax.set_ylabel("total reflectance")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)
