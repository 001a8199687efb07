"""``photodose skin`` (the layer table at a wavelength) and ``photodose depth`` (how deep the
light goes)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from photodose.cli.app import EXIT_BAD_INPUT, app
from photodose.depth import (
    DEFAULT_PHOTONS,
    DepthProfile,
    depth_profile,
    depth_profile_diffusion,
    plot_depth_profiles,
)
from photodose.optics.source_spectrum import gaussian
from photodose.skin import AGE_BANDS, MODELS, SEXES, SkinProfile, layer_optics

console = Console()
err_console = Console(stderr=True)

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


def _fail(msg: str) -> typer.Exit:
    err_console.print(f"[red]error:[/red] {msg}")
    return typer.Exit(EXIT_BAD_INPUT)


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
) -> None:
    """Optical properties of each skin layer at one wavelength."""
    try:
        profile = SkinProfile(fitzpatrick=fitzpatrick, site=site, age_band=age_band, sex=sex)
        layers = layer_optics(profile, wavelength, model)
    except ValueError as e:
        raise _fail(str(e)) from None
    if json_out:
        out: dict[str, Any] = {
            "profile": profile.to_dict(),
            "wavelength_nm": wavelength,
            "model": model,
            "layers": [{**ly.as_dict(), "thickness_cm": _thickness(ly.thickness_cm)} for ly in layers],
            "provenance": "computed: photodose.skin (Jacques 2013 chromophore mixing and "
            "scattering fits; sources in photodose/data/optics)",
        }
        typer.echo(json.dumps(out))
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
        "(skin_layers.toml, face_sites.csv, fitzpatrick_melanin.csv)."
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
) -> None:
    """How deep each wavelength goes: fluence vs depth, penetration depths, where it is absorbed."""
    try:
        profile = SkinProfile(fitzpatrick=fitzpatrick, site=site, age_band=age_band, sex=sex)
        channels = [gaussian(w, fwhm) for w in wavelength]
        if approx:
            results = [depth_profile_diffusion(profile, c, model=model) for c in channels]
        else:
            results = [
                depth_profile(profile, c, photons, seed=seed, model=model, use_cache=not no_cache)
                for c in channels
            ]
    except ValueError as e:
        raise _fail(str(e)) from None
    if plot is not None:
        import matplotlib.pyplot as plt

        fig = plot_depth_profiles(results, plot)
        plt.close(fig)
    if json_out:
        typer.echo(
            json.dumps(
                {
                    "profile": profile.to_dict(),
                    "model": model,
                    "results": [_depth_json(p) for p in results],
                    "plot": str(plot) if plot is not None else None,
                    "definitions": DEFINITIONS,
                }
            )
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

    def mm(d: float | None) -> str:
        return "beyond grid" if d is None else f"{d * 10:.2f}"

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
        console.print(
            f"{results[0].photons:,} photons per channel, seed {seed}"
            + (" (from cache)" if all(p.from_cache for p in results) else "")
        )
    if plot is not None:
        console.print(f"plot written to {plot}")
