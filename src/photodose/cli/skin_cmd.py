"""``photodose skin`` (the layer table at a wavelength) and ``photodose depth`` (how deep the
light goes)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from photodose.cli.app import app
from photodose.cli.errors import bad_input, field_from_message
from photodose.cli.output import echo_json
from photodose.cli.paths import PLOT_EXTENSIONS, check_output_path

if TYPE_CHECKING:
    from photodose.depth import DepthProfile

# Copies of photodose.skin.MODELS/AGE_BANDS/SEXES and photodose.depth.DEFAULT_PHOTONS, so that
# importing the CLI does not import the models (numba); tests/test_cli_contract.py checks them.
MODELS = ("7-layer", "3-layer")
AGE_BANDS = ("adult", "18-39", "40-59", "60+")
SEXES = ("unspecified", "female", "male")
DEFAULT_PHOTONS = 100_000
#: Most photons per wavelength for ``depth`` (the default is 10^5; 10^7 takes ~1 min per channel).
MAX_DEPTH_PHOTONS = 10**8

_FIELDS = {
    "fitzpatrick": "--fitzpatrick", "skin type": "--fitzpatrick", "site": "--site",
    "wavelength": "--wavelength", "fwhm": "--fwhm", "line width": "--fwhm", "model": "--model",
    "age": "--age-band", "sex": "--sex", "photons": "--photons", "seed": "--seed", "led_m": "--led-m",
}  # fmt: skip

FitzOpt = Annotated[str, typer.Option("--fitzpatrick", "-f", help="Fitzpatrick skin type I–VI (or 1–6).")]
SiteOpt = Annotated[
    str,
    typer.Option(
        "--site",
        help="Face site: forehead, periorbital, cheek, nose, perioral, chin, jaw, neck, glabella, temple.",
    ),
]
ModelOpt = Annotated[str, typer.Option("--model", help=f"Skin model: {', '.join(MODELS)}.")]
AgeOpt = Annotated[
    str,
    typer.Option("--age-band", help=f"Age band: {', '.join(AGE_BANDS)} (recorded; no effect, see docs)."),
]
SexOpt = Annotated[str, typer.Option("--sex", help=f"Sex for the dermis thickness: {', '.join(SEXES)}.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]


def _fail(msg: str, as_json: bool = False, command: str = "skin") -> NoReturn:
    field = field_from_message(msg, _FIELDS, "input")
    bad_input(
        field, msg, f"see `photodose {'depth' if field == '--photons' else command} --help`", as_json=as_json
    )


def _thickness(t: float) -> float | str:
    return t if math.isfinite(t) else "inf"


@app.command("skin")
def skin_command(
    fitzpatrick: FitzOpt = "III",
    site: SiteOpt = "forehead",
    wavelength: Annotated[
        float, typer.Option("--wavelength", "-w", help="Wavelength [nm], 400–1100.")
    ] = 633.0,
    model: ModelOpt = "7-layer",
    age_band: AgeOpt = "adult",
    sex: SexOpt = "unspecified",
    json_out: JsonOpt = False,
    spectrum: Annotated[
        bool,
        typer.Option("--spectrum", help="Reflectance 400–1000 nm, L*a*b* and ITA° of the model skin (D65)."),
    ] = False,
    ita: Annotated[
        float | None,
        typer.Option("--ita", help="Your measured ITA° (−90..90): fit melanin to it (implies --spectrum)"),
    ] = None,
    lab: Annotated[
        str | None,
        typer.Option("--lab", help="Your measured L*,a*,b* (D65): fit melanin and blood (with --spectrum)"),
    ] = None,
    plot: Annotated[
        Path | None, typer.Option("--plot", help="With --spectrum: write the spectrum plot here.")
    ] = None,
    spectrum_photons: Annotated[
        int, typer.Option("--photons", "-n", help="With --spectrum: photons per wavelength.")
    ] = 3000,
) -> None:
    """Optical properties of each skin layer at one wavelength; with --spectrum (or --ita/--lab)
    the model skin's reflectance spectrum and colour."""
    if spectrum or ita is not None or lab is not None or plot is not None:
        check_output_path(plot, "--plot", PLOT_EXTENSIONS, as_json=json_out)
        from photodose.cli import skin_spectrum

        skin_spectrum.run(
            fitzpatrick=fitzpatrick, site=site, age_band=age_band, sex=sex, ita=ita, lab=lab, plot=plot,
            photons=spectrum_photons, json_out=json_out, fail=_fail,
        )  # fmt: skip
        return
    from rich.console import Console
    from rich.table import Table

    from photodose.skin import SkinProfile, layer_optics

    console = Console()
    try:
        profile = SkinProfile(fitzpatrick=fitzpatrick, site=site, age_band=age_band, sex=sex)
        layers = layer_optics(profile, wavelength, model)
    except ValueError as e:
        _fail(str(e), json_out)
    if json_out:
        out: dict[str, Any] = {
            "profile": profile.to_dict(),
            "wavelength_nm": wavelength,
            "model": model,
            "layers": [{**ly.as_dict(), "thickness_cm": _thickness(ly.thickness_cm)} for ly in layers],
            "provenance": "computed: photodose.skin (Jacques 2013 chromophore mixing and "
            "scattering fits; sources in photodose/data/optics)",
        }
        echo_json(out)
        return
    t = Table(
        title=f"Skin layers at {wavelength:g} nm — Fitzpatrick {profile.fitzpatrick}, {profile.site}, {model}"
    )
    for col in ("layer", "thickness (µm)", "μa (1/cm)", "μs′ (1/cm)", "μs (1/cm)", "g", "n"):
        t.add_column(col, justify="left" if col == "layer" else "right")
    for ly in layers:
        th = f"{ly.thickness_cm * 1e4:.1f}" if math.isfinite(ly.thickness_cm) else "∞"
        t.add_row(
            ly.name,
            th,
            f"{ly.mua_per_cm:.3f}",
            f"{ly.musp_per_cm:.2f}",
            f"{ly.mus_per_cm:.1f}",
            f"{ly.g:.2f}",
            f"{ly.n:.3f}",
        )
    console.print(t)
    console.print(
        "Sources and confidence of every value: photodose/data/optics "
        "(skin_layers.toml, face_sites.csv, fitzpatrick_melanin.csv, underlying_tissue.toml). "
        "Reflectance and colour: photodose skin --spectrum."
    )


DEFINITIONS = {
    "fluence_per_irradiance": "fluence rate per unit incident irradiance of a broad uniform beam",
    "penetration_depth_*": (
        "depth below the surface, beyond the fluence maximum, where fluence falls to 1/e, "
        "10 % or 1 % of its maximum; null if beyond the depth grid"
    ),
    "absorbed_by_layer": "fraction of the incident power absorbed in each layer",
    "dermis_absorbed_fraction": "fraction of the incident power absorbed in the dermis layers",
    "fluence_per_irradiance_at_mm": "fluence per unit incident irradiance at fixed depths [mm]"
    " (compare skins with these: penetration depths are relative to each profile's maximum)",
}


def _depth_json(p: DepthProfile) -> dict[str, Any]:
    d = p.as_dict()
    keep = (
        "wavelength_nm",
        "channel",
        "fwhm_nm",
        "method",
        "depth_cm",
        "fluence_per_irradiance",
        "penetration_depth_1e_cm",
        "penetration_depth_10pct_cm",
        "penetration_depth_1pct_cm",
        "absorbed_by_layer",
        "absorbed_by_layer_se",
        "dermis_absorbed_fraction",
        "dermis_absorbed_fraction_se",
        "fluence_max",
        "depth_of_max_cm",
        "specular_reflectance",
        "diffuse_reflectance",
        "boundaries_cm",
        "quadrature_nm",
        "quadrature_weights",
        "photons",
        "seed",
        "engine_version",
        "source",
        "skin_model_version",
    )
    out = {k: d[k] for k in keep}
    out["fluence_per_irradiance_at_mm"] = p.fluence_at_mm()
    return out


@app.command("depth")
def depth_command(
    wavelength: Annotated[
        list[float],
        typer.Option("--wavelength", "-w", help="Peak wavelength [nm], 400–1100; repeat for several."),
    ],
    fitzpatrick: FitzOpt = "III",
    site: SiteOpt = "forehead",
    fwhm: Annotated[
        float,
        typer.Option("--fwhm", help="Line width (FWHM) [nm] of each channel, Gaussian; 0 = one wavelength."),
    ] = 0.0,
    photons: Annotated[
        int, typer.Option("--photons", "-n", help="Photons per wavelength.")
    ] = DEFAULT_PHOTONS,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (results are cached).")] = 1,
    model: ModelOpt = "7-layer",
    age_band: AgeOpt = "adult",
    sex: SexOpt = "unspecified",
    approx: Annotated[
        bool,
        typer.Option("--approx", help="Fast diffusion-theory estimate (approximate) instead of Monte Carlo."),
    ] = False,
    plot: Annotated[Path | None, typer.Option("--plot", help="Write the depth plot here.")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Ignore the cache.")] = False,
    json_out: JsonOpt = False,
    led_m: Annotated[
        float | None,
        typer.Option(
            "--led-m",
            help="Light as a mask's LEDs give it: cos^m angular profile (1 = Lambertian); default collimated",
        ),
    ] = None,
) -> None:
    """How deep each wavelength goes: fluence vs depth, penetration depths, where it is absorbed."""
    check_output_path(plot, "--plot", PLOT_EXTENSIONS, as_json=json_out)
    if approx and led_m is not None:
        bad_input(
            "--led-m", "the diffusion estimate (--approx) models a collimated beam only",
            "drop --approx to run Monte Carlo with the LEDs' angular profile, or drop --led-m",
            as_json=json_out,
        )  # fmt: skip
    if not approx and not 100 <= photons <= MAX_DEPTH_PHOTONS:
        bad_input(
            "--photons", f"{photons:,} is outside 100 … {MAX_DEPTH_PHOTONS:.0e}",
            f"use at least 100 (default {DEFAULT_PHOTONS:,}); for more than 10^8 run `photodose transport`",
            as_json=json_out,
        )  # fmt: skip
    from rich.console import Console
    from rich.table import Table

    from photodose.cli.progress import LazyProgress, progress_wanted
    from photodose.depth import depth_profile, depth_profile_diffusion, plot_depth_profiles
    from photodose.optics.source_spectrum import gaussian
    from photodose.skin import SkinProfile

    console = Console()
    try:
        profile = SkinProfile(fitzpatrick=fitzpatrick, site=site, age_band=age_band, sex=sex)
        channels = [gaussian(w, fwhm) for w in wavelength]
        with LazyProgress(enabled=progress_wanted(json_out)) as bar:
            results = []
            for c in channels:
                bar.stage(f"depth profile, {c.label}")
                if approx:
                    results.append(depth_profile_diffusion(profile, c, model=model))
                else:
                    results.append(
                        depth_profile(
                            profile, c, photons, seed=seed, model=model, use_cache=not no_cache,
                            progress=bar.advance, led_m=led_m,
                        )
                    )  # fmt: skip
    except ValueError as e:
        _fail(str(e), json_out, "depth")
    if plot is not None:
        import matplotlib.pyplot as plt

        try:
            fig = plot_depth_profiles(results, plot)
        except (OSError, ValueError) as exc:
            bad_input(
                "--plot", f"cannot write {plot}: {exc}", "choose another path or extension", as_json=json_out
            )
        plt.close(fig)
    if json_out:
        echo_json(
            {
                "profile": profile.to_dict(),
                "model": model,
                "results": [_depth_json(p) for p in results],
                "plot": str(plot) if plot is not None else None,
                "definitions": DEFINITIONS,
                "validation": _validation_line(),
            }
        )
        return
    method = results[0].method
    t = Table(
        title=f"How deep the light goes — Fitzpatrick {profile.fitzpatrick}, "
        f"{profile.site}, {model} ({method})"
    )
    t.add_column("channel")
    t.add_column("1/e depth (mm)", justify="right")
    t.add_column("10 % depth (mm)", justify="right")
    t.add_column("1 % depth (mm)", justify="right")
    t.add_column("Φ/E₀ at 1 mm", justify="right")
    t.add_column("absorbed in dermis", justify="right")
    t.add_column("absorbed in epidermis", justify="right")

    def mm(d: float | None) -> str:  # None: deeper than the depth grid, as the report and web app say
        from photodose.depth import DEPTH_BINS, DEPTH_STEP_CM

        return f"> {DEPTH_BINS * DEPTH_STEP_CM * 10:g}" if d is None else f"{d * 10:.2f}"

    for p in results:
        epi = sum(
            v
            for k, v in p.absorbed_by_layer.items()
            if k in ("stratum corneum", "living epidermis", "epidermis")
        )
        t.add_row(
            p.channel,
            mm(p.penetration_depth_1e_cm),
            mm(p.penetration_depth_10pct_cm),
            mm(p.penetration_depth_1pct_cm),
            f"{p.fluence_at(0.1):.2f}",
            f"{100 * p.dermis_absorbed_fraction:.1f} %",
            f"{100 * epi:.1f} %",
        )
    console.print(t)
    if not approx:
        origin = ""
        if all(p.from_table for p in results):
            origin = " (from the shipped depth table)"
        elif all(p.from_cache for p in results):
            origin = " (from cache)"
        console.print(f"{results[0].photons:,} photons per channel, seed {seed}{origin}")
    console.print(_validation_line())
    if plot is not None:
        console.print(f"plot written to {plot}")


def _validation_line() -> str:
    from photodose.validation import summary_line

    return summary_line()
