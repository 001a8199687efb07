"""The skin model against skin reflectance of whole populations at 685 nm (a second, independent
in vivo data set beside NIST's 100 people).

Data (``photodose/data/optics/reflectance_jablonski2000.csv``): Jablonski & Chaplin, J Hum Evol
39:57 (2000), doi:10.1006/jhev.2000.0403 — reflectance at 685 nm of the upper inner arm, mean of
each of 16 populations from Aboriginal Australians of Darwin (0.193) to Germans of Mainz (0.669),
measured with skin reflectometers in anthropological surveys (secondary: read from the Wikipedia
table that reproduces it). Independent of NIST (Cooksey 2017): other people, other instruments,
another site, and ten times darker skins (NIST's darkest subject reflects 0.317 at 685 nm).

Two kinds of check (bands in ``validation_bands.toml``, ``[[population_reflectance]]``):

* **group band** — the model's total reflectance R(685 nm) of each Fitzpatrick type (central
  composition) lies within the range of its pigmentation group's population means widened by a
  margin m (assumption, 0.05):  R_model(t) ∈ [min_g − m, max_g + m],  g = group(t);
* **coverage** — the model's composition range (:func:`photodose.skin.composition_bounds`)
  reaches the population means at both ends: R_high(I) ≥ max over populations and
  R_low(VI) ≤ min over populations (no margin: a population mean is an average person, whom the
  model should be able to represent).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from photodose.optics.spectra import read_table
from photodose.skin import FITZPATRICK_TYPES, SkinProfile
from photodose.validation.checks import Check, bands

FloatArray = NDArray[np.float64]
DATA_FILE = "reflectance_jablonski2000.csv"
GROUPS = ("light", "intermediate", "dark")
#: (low, central, high) composition scenario → model R(685 nm), per Fitzpatrick type
ModelR685 = Mapping[str, tuple[float, float, float]]


@dataclass(frozen=True)
class PopulationReflectance:
    """Population means of in vivo skin reflectance at one wavelength."""

    wavelength_nm: float
    populations: tuple[str, ...]
    groups: tuple[str, ...]
    reflectance: FloatArray  # [-], one mean per population
    source: str
    confidence: str

    def group(self, name: str) -> FloatArray:
        """Population means of one pigmentation group (``GROUPS``)."""
        sel = np.array([g == name for g in self.groups])
        out: FloatArray = self.reflectance[sel]
        return out


@cache
def jablonski2000() -> PopulationReflectance:
    """Reflectance at 685 nm of 16 populations, upper inner arm (Jablonski & Chaplin 2000)."""
    header, rows = read_table(DATA_FILE)
    confidences = {r["confidence"] for r in rows}
    if len(confidences) != 1:
        raise ValueError(f"{DATA_FILE}: mixed confidence {sorted(confidences)}")
    for r in rows:
        if r["pigmentation_group"] not in GROUPS:
            raise ValueError(f"{DATA_FILE}: pigmentation_group {r['pigmentation_group']!r} not in {GROUPS}")
    return PopulationReflectance(
        685.0,
        tuple(r["population"] for r in rows),
        tuple(r["pigmentation_group"] for r in rows),
        np.array([float(r["r_685nm"]) for r in rows]),
        header[rows[0]["source"]],
        confidences.pop(),
    )


def model_r685(site: str = "forehead", photons: int = 2000) -> dict[str, tuple[float, float, float]]:
    """The model's total reflectance at 685 nm for types I–VI: (low, central, high) composition.

    "low" is the end of the composition ranges that lets the least light in (most melanin and
    blood), so it is the darkest skin of the type. Monte Carlo (18 runs of ``photons``).
    """
    from photodose.validation.skin_reflectance import reflectance_spectrum

    out: dict[str, tuple[float, float, float]] = {}
    for t in FITZPATRICK_TYPES:
        r = [
            float(
                reflectance_spectrum(SkinProfile(fitzpatrick=t, site=site, scenario=s), [685.0], photons)[0]
            )
            for s in ("low", "central", "high")
        ]
        out[t] = (r[0], r[1], r[2])
    return out


def population_checks_from(r685: ModelR685) -> list[Check]:
    """Group-band and coverage checks of given model reflectances at 685 nm (no Monte Carlo)."""
    d = jablonski2000()
    cfg = bands()["population_reflectance"][0]
    src = bands()["sources"]
    margin = float(cfg["band_margin"])
    cite = f"{src[cfg['source']]} {src[cfg['mapping_source']]}"
    out: list[Check] = []
    for t, (_, central, _) in r685.items():
        g = str(cfg[t])
        vals = d.group(g)
        out.append(
            Check(
                "jablonski2000",
                f"total reflectance at 685 nm vs {g} populations "
                f"(n = {len(vals)}, means {vals.min():.3f}–{vals.max():.3f} ± {margin:g})",
                t,
                central,
                float(vals.min()) - margin,
                float(vals.max()) + margin,
                cite,
                str(cfg["confidence"]),
            )
        )
    lightest, darkest = float(d.reflectance.max()), float(d.reflectance.min())
    if "I" in r685:
        out.append(
            Check(
                "jablonski2000",
                "lightest model skin (type I, least melanin and blood) reaches the lightest "
                f"population mean at 685 nm ({d.populations[int(np.argmax(d.reflectance))]})",
                "I",
                r685["I"][2],
                lightest,
                1.0,
                src[cfg["source"]],
                d.confidence,
            )
        )
    if "VI" in r685:
        out.append(
            Check(
                "jablonski2000",
                "darkest model skin (type VI, most melanin and blood) reaches the darkest "
                f"population mean at 685 nm ({d.populations[int(np.argmin(d.reflectance))]})",
                "VI",
                r685["VI"][0],
                0.0,
                darkest,
                src[cfg["source"]],
                d.confidence,
            )
        )
    return out


def population_checks(site: str = "forehead", photons: int = 2000) -> list[Check]:
    """Every check against the population data, at ``site`` (Monte Carlo: 18 × ``photons``)."""
    return population_checks_from(model_r685(site, photons))


def plot_population_reflectance(
    r685_by_site: Mapping[str, ModelR685], path: Path, nist_range: tuple[float, float] | None = None
) -> None:
    """Population means (dots, by group) beside the model's types I–VI (central, with the
    composition range as a bar) for each site, at 685 nm."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    d = jablonski2000()
    colours = {"light": "#e2b99a", "intermediate": "#a9744f", "dark": "#4a2e1d"}
    order = np.argsort(-d.reflectance)
    fig, ax = plt.subplots(figsize=(10, 5.2))
    if nist_range is not None:
        ax.axhspan(*nist_range, color="0.92", zorder=0)
        ax.text(
            3.5,
            nist_range[1] - 0.03,
            "grey: NIST 100 people, min–max (Cooksey 2017)",
            fontsize=7.5,
            color="0.4",
        )
    for x, i in enumerate(order):
        g = d.groups[i]
        ax.scatter([x], [d.reflectance[i]], s=55, color=colours[g], edgecolor="k", zorder=3)
    for g in GROUPS:
        ax.scatter(
            [], [], s=55, color=colours[g], edgecolor="k", label=f"population mean, {g} (our grouping)"
        )
    x0 = len(order) + 1.0
    markers = ["o", "s", "^"]
    ticks: list[float] = []
    labels: list[str] = []
    for k, (site, r685) in enumerate(r685_by_site.items()):
        for j, t in enumerate(r685):
            lo, mid, hi = r685[t]
            xm = x0 + j * (len(r685_by_site) + 0.5) + k * 0.8
            ax.errorbar(
                [xm],
                [mid],
                yerr=[[mid - lo], [hi - mid]],
                fmt=markers[k % 3],
                color="#1f618d",
                ecolor="#1f618d",
                capsize=3,
                ms=6,
                mfc="white" if k else "#1f618d",
            )
            if k == 0:
                ticks.append(xm + 0.4 * (len(r685_by_site) - 1))
                labels.append(f"model {t}")
        ax.errorbar(
            [],
            [],
            yerr=[[0], [0]],
            fmt=markers[k % 3],
            color="#1f618d",
            mfc="white" if k else "#1f618d",
            label=f"model, {site} (bar: composition range)",
        )
    ax.set_xticks(
        list(range(len(order))) + ticks,
        [d.populations[i] for i in order] + labels,
        rotation=60,
        ha="right",
        fontsize=7.5,
    )
    ax.axvline(len(order), color="0.6", lw=0.8, ls="--")
    # each type's band (its group's population means ± margin) and the coverage targets
    cfg = bands()["population_reflectance"][0]
    margin = float(cfg["band_margin"])
    first = next(iter(r685_by_site.values()))
    for tick, t in zip(ticks, first, strict=True):
        vals = d.group(str(cfg[t]))
        ax.add_patch(
            Rectangle(
                (tick - 0.9, float(vals.min()) - margin),
                1.8,
                float(vals.max() - vals.min()) + 2 * margin,
                color="#f5cba7",
                alpha=0.6,
                zorder=1,
            )
        )
    ax.add_patch(Rectangle((0, 0), 0, 0, color="#f5cba7", alpha=0.6, label="band: type's group ± margin"))
    for y in (float(d.reflectance.min()), float(d.reflectance.max())):
        ax.axhline(y, xmin=0.55, color="#4a2e1d", lw=0.8, ls=":")
    ax.plot([], [], color="#4a2e1d", lw=0.8, ls=":", label="lightest, darkest population mean (coverage)")
    ax.set_ylabel("reflectance at 685 nm")
    ax.set_ylim(0.1, 0.8)
    ax.set_title(
        "Skin reflectance at 685 nm: 16 populations, upper inner arm (Jablonski & Chaplin 2000)\n"
        "vs the model's Fitzpatrick types I–VI",
        fontsize=10,
    )
    ax.legend(fontsize=7.5, loc="lower left")
    ax.grid(alpha=0.3, axis="y")
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)
