"""The skin model against light measured through skin: a measured penetration, not a derived one.

Esnouf et al. (2007) shone an 850 nm laser (0.28 mm probe) on excised human abdominal skin cut
by dermatome to 0.784 mm and measured what came through with an energy meter beneath it: the
intensity fell by 66 %, i.e. a total transmittance T = 0.34. The same geometry in the model is
the total transmittance (every exit angle, every radius) of a slab made of the model skin's top
0.784 mm — stratum corneum, living epidermis and the dermis layers, cut where the sample was
cut — in air on both sides, from the Monte Carlo engine.

Two checks (``[[transmission]]`` in ``validation_bands.toml``):

* **like for like** — the slab with EX VIVO dermis optics (Salomatina et al. 2006, excised human
  dermis, as the sample was): T within the measured value ± ``band_margin``. This checks the
  transport, the geometry and the layer thicknesses against a measurement.
* **living skin** — the slab with the model's own (in vivo) optics: T between the excised value
  and ``invivo_max_ratio`` × it. Living dermis absorbs and scatters less than excised dermis
  (in vivo μa at 850 nm ≈ 0.04 /cm, SCAPIS 2023, against ≈ 1 /cm ex vivo; μs′ ≈ 11 against
  21 /cm), so it must transmit at least as much; the upper bound is an ASSUMPTION.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from photodose.skin import SkinProfile, layer_optics
from photodose.validation.checks import Check, bands

if TYPE_CHECKING:
    from photodose.transport import LayerStack

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class SlabTransmission:
    """Model transmittance of a skin slab at one wavelength."""

    wavelength_nm: float
    thickness_mm: float
    in_vivo: float  # the model's own optics
    ex_vivo: float  # dermis with Salomatina 2006 excised-dermis optics


def ex_vivo_dermis_optics(wavelength_nm: float) -> tuple[float, float]:
    """(μa, μs′) [1/cm] of excised human dermis (Salomatina et al. 2006; ``salomatina2006.csv``),
    interpolated to ``wavelength_nm``."""
    from photodose.optics.spectra import read_table

    _, rows = read_table("salomatina2006.csv")
    sal = sorted(
        (float(r["wavelength_nm"]), float(r["mua_per_cm"]), float(r["musp_per_cm"]))
        for r in rows
        if r["tissue"] == "dermis"
    )
    lam = np.array([s[0] for s in sal])
    return (
        float(np.interp(wavelength_nm, lam, [s[1] for s in sal])),
        float(np.interp(wavelength_nm, lam, [s[2] for s in sal])),
    )


def skin_slab(
    profile: SkinProfile,
    wavelength_nm: float,
    thickness_mm: float,
    dermis_optics: tuple[float, float] | None = None,
) -> LayerStack:
    """The model skin's top ``thickness_mm`` as a :class:`~photodose.transport.LayerStack` in air
    (a dermatome sample on a detector). ``dermis_optics`` = (μa, μs′) [1/cm] replaces the optics
    of every dermis layer (the epidermis keeps the model's)."""
    from photodose.skin import dermis_layer_names
    from photodose.transport import Layer, LayerStack

    dermis = set(dermis_layer_names())
    left = thickness_mm / 10.0
    layers: list[Layer] = []
    optics = [ly for ly in layer_optics(profile, wavelength_nm) if np.isfinite(ly.thickness_cm)]
    for ly in optics:
        if left <= 1e-12:
            break
        if ly.name not in dermis and layers and layers[-1].name in dermis:
            break  # below the dermis: the sample ends here
        d = min(ly.thickness_cm, left)
        mua, mus = ly.mua_per_cm, ly.mus_per_cm
        if dermis_optics is not None and ly.name in dermis:
            mua, mus = dermis_optics[0], dermis_optics[1] / (1.0 - ly.g)
        layers.append(Layer(mua_per_cm=mua, mus_per_cm=mus, g=ly.g, n=ly.n, thickness_cm=d, name=ly.name))
        left -= d
    if left > 1e-9:
        raise ValueError(
            f"thickness_mm: {thickness_mm} mm is thicker than the model skin's epidermis and dermis "
            f"({thickness_mm - left * 10:.2f} mm at the {profile.site}); use a thinner slab"
        )
    return LayerStack(layers, n_above=1.0, n_below=1.0)


def slab_transmission(
    profile: SkinProfile, wavelength_nm: float, thickness_mm: float, photons: int = 20000, seed: int = 11
) -> SlabTransmission:
    """Total transmittance [-] of the model skin's top ``thickness_mm`` (Monte Carlo, pencil beam)
    with the model's optics and with excised-dermis optics."""
    from photodose.transport import simulate

    t_in = simulate(skin_slab(profile, wavelength_nm, thickness_mm), photons, seed=seed)
    ex = ex_vivo_dermis_optics(wavelength_nm)
    t_ex = simulate(skin_slab(profile, wavelength_nm, thickness_mm, ex), photons, seed=seed)
    return SlabTransmission(wavelength_nm, thickness_mm, float(t_in.transmittance), float(t_ex.transmittance))


def transmission_checks_from(model: SlabTransmission) -> list[Check]:
    """Like-for-like and living-skin checks of a computed slab transmittance (no Monte Carlo)."""
    cfg = bands()["transmission"][0]
    cite = str(bands()["sources"][cfg["source"]])
    meas = float(cfg["transmittance"])
    margin = float(cfg["band_margin"])
    where = f"{model.thickness_mm:g} mm of skin at {model.wavelength_nm:g} nm"
    return [
        Check(
            "esnouf2007",
            f"transmittance of {where}, excised-dermis optics "
            f"(like for like; measured {meas:g} ± {margin:g})",
            str(cfg["fitzpatrick"]),
            model.ex_vivo,
            meas - margin,
            meas + margin,
            cite + " " + str(bands()["sources"]["salomatina_ex_vivo"]),
            str(cfg["confidence"]),
        ),
        Check(
            "esnouf2007",
            f"transmittance of {where}, living-skin optics (≥ the excised {meas:g}, "
            f"≤ {float(cfg['invivo_max_ratio']):g} × it)",
            str(cfg["fitzpatrick"]),
            model.in_vivo,
            meas,
            min(1.0, meas * float(cfg["invivo_max_ratio"])),
            cite + " " + str(bands()["sources"]["transmission_invivo_assumption"]),
            "assumption",
        ),
    ]


def transmission_checks(site: str = "forehead", photons: int = 20000) -> list[Check]:
    """Every measured-transmission check (Monte Carlo: 2 runs of ``photons``)."""
    cfg = bands()["transmission"][0]
    p = SkinProfile(fitzpatrick=str(cfg["fitzpatrick"]), site=site)
    return transmission_checks_from(
        slab_transmission(p, float(cfg["wavelength_nm"]), float(cfg["thickness_mm"]), photons)
    )


def plot_transmission(path: Path, site: str = "forehead", photons: int = 8000) -> None:
    """Model transmittance vs slab thickness (living and excised-dermis optics) at the measured
    wavelength, with the measured point."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cfg = bands()["transmission"][0]
    lam = float(cfg["wavelength_nm"])
    p = SkinProfile(fitzpatrick=str(cfg["fitzpatrick"]), site=site)
    d = np.linspace(0.2, 0.8, 7)
    res = [slab_transmission(p, lam, float(x), photons) for x in d]
    fig, ax = plt.subplots(figsize=(6.8, 4.6))
    ax.plot(d, [r.in_vivo for r in res], "o-", color="#1f618d", label="model, living-skin optics")
    ax.plot(
        d,
        [r.ex_vivo for r in res],
        "s--",
        color="#a04000",
        label="model, excised-dermis optics (Salomatina 2006)",
    )
    ax.errorbar(
        [float(cfg["thickness_mm"])],
        [float(cfg["transmittance"])],
        yerr=[float(cfg["band_margin"])],
        fmt="k*",
        ms=12,
        capsize=4,
        label="measured, excised abdominal skin (Esnouf 2007)",
    )
    ax.set_xlabel("slab thickness (mm): stratum corneum + epidermis + dermis")
    ax.set_ylabel(f"total transmittance at {lam:g} nm")
    ax.set_ylim(0, 1)
    ax.set_title(
        f"Light through skin at {lam:g} nm: model (type {cfg['fitzpatrick']}, {site}) vs measured",
        fontsize=10,
    )
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)
