"""Run every validation check, store the summary and draw the figures of docs/validation.md.

python -m photodose.validation [--photons N] [--site forehead] [--figures docs/img] [--nist-only]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from photodose.skin import skin_model_version
from photodose.validation.checks import TypeSpectra, bands, run_checks, summary_line, write_summary

COLOURS = ["#f3d7c4", "#e2b99a", "#c99771", "#a9744f", "#7a4f31", "#4a2e1d"]


def _full_spectrum(s: TypeSpectra) -> tuple[np.ndarray, np.ndarray]:
    lam = list(s.colour_nm) + [x for x in s.peak_nm_grid if x > s.colour_nm[-1]]
    r = list(s.colour_r) + [y for x, y in zip(s.peak_nm_grid, s.peak_r, strict=True) if x > s.colour_nm[-1]]
    return np.array(lam), np.array(r)


def plot_reflectance(spectra: list[TypeSpectra], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from photodose.validation.skin_reflectance import cooksey2017

    d = cooksey2017()
    fig, ax = plt.subplots(figsize=(9, 5.6))
    lam = np.array(d.wavelengths_nm)
    for k in range(d.reflectance.shape[0]):
        ax.plot(lam, d.reflectance[k], color="0.8", lw=0.6, zorder=1, marker=".", ms=2)
    ax.plot([], [], color="0.75", lw=1, label="NIST, 100 people, inner forearm (Cooksey 2017)")
    for s, c in zip(spectra, COLOURS, strict=True):
        x, y = _full_spectrum(s)
        ax.plot(x, y, color=c, lw=2.2, label=f"model, type {s.fitzpatrick}", zorder=3, path_effects=None)
        ax.plot(x, y, color="k", lw=0.4, zorder=4)
    for row in bands()["peak"]:
        ax.axvspan(
            row["low_nm"],
            row["high_nm"],
            ymin=0.96 if "VI" in row["types"] else 0.92,
            ymax=1.0 if "VI" in row["types"] else 0.96,
            color="#7a4f31" if "VI" in row["types"] else "#e2b99a",
        )
    ax.text(
        405,
        0.765,
        "bars at the top: measured reflectance peak, light skin 720–820 nm,\n"
        "dark skin ≈ 900 nm (Kuppenheim & Heer 1951)",
        fontsize=7.5,
    )
    ax.set_xlim(400, 1000)
    ax.set_ylim(0, 0.8)
    ax.set_xlabel("wavelength (nm)")
    ax.set_ylabel("total reflectance (specular included)")
    ax.set_title(
        "Model skin (forehead, types I–VI) as a reflectometer vs measured skin\n"
        f"skin model {skin_model_version()}",
        fontsize=10,
    )
    ax.legend(fontsize=8, loc="lower right", ncol=2)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)


def plot_colour(spectra: list[TypeSpectra], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from photodose.validation.skin_colour import ITA_CATEGORIES, colour_of_spectrum

    fig, ax = plt.subplots(figsize=(7.5, 6))
    bmax = 30.0
    for _name, lo, _hi in ITA_CATEGORIES:
        if lo <= -90:
            continue
        t = np.radians(lo)
        ax.plot([0, bmax], [50, 50 + bmax * np.tan(t)], color="0.6", lw=0.8, ls="--")
    for name, lo, hi in ITA_CATEGORIES:
        mid = np.radians(0.5 * (max(lo, -80) + min(hi, 80)))
        r = 8.0
        ax.text(
            r * np.cos(mid), 50 + r * np.sin(mid), name, fontsize=8, color="0.35", ha="center", va="center"
        )
    for s, c in zip(spectra, COLOURS, strict=True):
        col = colour_of_spectrum(s.colour_nm, s.colour_r)
        ax.scatter([col.b_star], [col.lightness], s=120, color=c, edgecolor="k", zorder=3)
        ax.annotate(
            f"{s.fitzpatrick}: L* {col.lightness:.0f}, ITA {col.ita_deg:.0f}°",
            (col.b_star, col.lightness),
            xytext=(8, -3),
            textcoords="offset points",
            fontsize=8,
        )
    ax.set_xlim(0, bmax)
    ax.set_ylim(25, 80)
    ax.set_xlabel("b* (D65, 2°)")
    ax.set_ylabel("L*")
    ax.set_title(
        "Model skin colour (forehead) on the ITA° categories\n(Chardon 1991; Del Bino & Bernerd 2013)",
        fontsize=10,
    )
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)


def plot_dermis(path: Path, site: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from photodose.optics.spectra import read_table
    from photodose.skin import SkinProfile, layer_optics

    lam = np.arange(450, 901, 10)
    p = SkinProfile(site=site)
    mua: dict[str, list[float]] = {n: [] for n in ("papillary dermis", "reticular dermis")}
    musp: list[float] = []
    for w in lam:
        opt = {ly.name: ly for ly in layer_optics(p, float(w))}
        for n in mua:
            mua[n].append(opt[n].mua_per_cm)
        musp.append(opt["reticular dermis"].musp_per_cm)
    _, rows = read_table("salomatina2006.csv")
    sal = [r for r in rows if r["tissue"] == "dermis" and 450 <= float(r["wavelength_nm"]) <= 900]
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4.6))
    a1.semilogy(lam, mua["papillary dermis"], color="#c0392b", label="model papillary dermis")
    a1.semilogy(lam, mua["reticular dermis"], color="#7b241c", ls="--", label="model reticular dermis")
    a1.semilogy(
        [float(r["wavelength_nm"]) for r in sal],
        [float(r["mua_per_cm"]) for r in sal],
        color="0.6",
        label="ex vivo dermis (Salomatina 2006)",
    )
    for row in bands()["dermis_mua"]:
        m = row["median_per_cm"]
        a1.errorbar(
            [row["wavelength_nm"]],
            [m],
            yerr=[[m / 2], [m]],
            fmt="o" if "papillary" in row["layer"] else "s",
            color="k",
            capsize=3,
        )
    a1.plot([], [], "ko", label="in vivo upper dermis, median ×/÷ 2 (SCAPIS 2023)")
    a1.plot([], [], "ks", label="in vivo lower dermis (SCAPIS 2023)")
    a1.set_xlabel("wavelength (nm)")
    a1.set_ylabel("μa (1/cm)")
    a1.legend(fontsize=7.5)
    a1.grid(alpha=0.3, which="both")
    a2.plot(lam, musp, color="#1f618d", label="model dermis μs′ (fit to Jonasson 2018)")
    a2.plot(
        [float(r["wavelength_nm"]) for r in sal],
        [float(r["musp_per_cm"]) for r in sal],
        color="0.6",
        label="ex vivo dermis (Salomatina 2006)",
    )
    for row in bands()["dermis_musp"]:
        a2.errorbar(
            [row["wavelength_nm"]],
            [row["mean_per_cm"]],
            yerr=[2 * row["sd_per_cm"]],
            fmt="o",
            color="k",
            capsize=3,
        )
    a2.plot([], [], "ko", label="in vivo, SCAPIS 2023 (± 2 SD of Jonasson 2018)")
    a2.set_xlabel("wavelength (nm)")
    a2.set_ylabel("μs′ (1/cm)")
    a2.legend(fontsize=7.5)
    a2.grid(alpha=0.3)
    fig.suptitle("Dermis optical properties: model vs in vivo cohorts", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)


def _plot_populations(path: Path, site: str, photons: int) -> None:
    """Population reflectance at 685 nm vs the model at ``site`` and at the cheek."""
    from photodose.validation.population_reflectance import model_r685, plot_population_reflectance
    from photodose.validation.skin_reflectance import cooksey2017

    sites = [site] + [s for s in ("cheek",) if s != site]
    by_site = {s: model_r685(s, photons) for s in sites}
    for s, r in by_site.items():
        rounded = {t: tuple(round(x, 3) for x in v) for t, v in r.items()}
        print(f"R(685 nm) at the {s} (low, central, high):", rounded)
    lo, hi = cooksey2017().envelope()
    j = cooksey2017().wavelengths_nm.index(685.0)
    plot_population_reflectance(by_site, path, (float(lo[j]), float(hi[j])))


def _plot_faces(path: Path, site: str, photons: int) -> None:
    """ISSA facial spectra vs the model (as a contact spectrophotometer) at ``site`` and the cheek."""
    from photodose.validation.facial_reflectance import (
        facial_checks_from,
        model_facial_spectra,
        plot_facial_reflectance,
    )

    sites = [site] + [s for s in ("cheek",) if s != site]
    models = {s: model_facial_spectra(s, photons) for s in sites}
    for s, m in models.items():
        cs = facial_checks_from(m, s)
        print(f"ISSA facial spectra at the {s}: {sum(c.passed for c in cs)}/{len(cs)} checks pass")
        for t, v in m.items():
            print(
                f"  model {t} as a contact spectrophotometer (450, 550, 630, 660, 700 nm):",
                v.round(3).tolist(),
            )
    plot_facial_reflectance(models, path)


def plot_forearm(by_site: dict[str, list[TypeSpectra]], path: Path) -> None:
    """The model at the NIST wavelengths at the forearm (where NIST measured) and at face sites."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from photodose.validation.skin_reflectance import cooksey2017

    d = cooksey2017()
    lam = np.array(d.wavelengths_nm)
    fig, ax = plt.subplots(figsize=(9, 5.6))
    for k in range(d.reflectance.shape[0]):
        ax.plot(lam, d.reflectance[k], color="0.8", lw=0.6, zorder=1)
    ax.plot([], [], color="0.75", lw=1, label="NIST, 100 people, inner forearm (Cooksey 2017)")
    styles = {"forearm": ("-", "o"), "forehead": (":", "^"), "cheek": ("--", "s")}
    for site, spectra in by_site.items():
        ls, mk = styles.get(site, ("-.", "x"))
        for s, c in zip(spectra, COLOURS, strict=True):
            ax.plot(s.nist_nm, s.nist_r, color=c, ls=ls, marker=mk, ms=5, mec="k", mew=0.4, lw=1.6, zorder=3)
        ax.plot([], [], color="k", ls=ls, marker=mk, label=f"model types I–VI at the {site}")
    ax.set_xlabel("wavelength (nm)")
    ax.set_ylabel("total reflectance (specular included)")
    ax.set_xlim(430, 870)
    ax.set_ylim(0, 0.75)
    ax.set_title(
        "Like for like: the model at the inner forearm (NIST's site) and at the face\n"
        f"skin model {skin_model_version()}; forearm anatomy: validation_forearm.toml",
        fontsize=10,
    )
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)


def nist_by_site(photons: int) -> dict[str, list[TypeSpectra]]:
    """NIST-wavelength spectra of types I–VI at the forearm, the forehead and the cheek."""
    from photodose.validation.checks import forearm_nist_spectra, site_nist_spectra

    return {
        "forearm": forearm_nist_spectra(photons),
        "forehead": site_nist_spectra("forehead", photons),
        "cheek": site_nist_spectra("cheek", photons),
    }


def rerun_nist(photons: int, figures: Path | None) -> dict[str, object]:
    """Recompute only the NIST checks (forearm; forehead and cheek as sensitivity) and splice them
    into the stored summary; the other stored checks are kept (valid while the skin model version
    is the stored one)."""
    from photodose.validation.checks import NIST_AT_SITE, Check, nist_checks, stored_summary

    stored = stored_summary()
    if stored is None or stored.get("skin_model_version") != skin_model_version():
        raise SystemExit("the stored summary is missing or for another skin model: run the full validation")
    spectra = nist_by_site(photons)
    kept = [
        Check(**{k: v for k, v in c.items() if k != "passed"})
        for c in stored["checks"]
        if not str(c["dataset"]).startswith("cooksey2017")
    ]
    optics = ("scapis2023", "norvang1997", "penetration_derived")  # stored before the NIST checks
    first = [c for c in kept if c.dataset in optics]
    rest = [c for c in kept if c.dataset not in optics]
    nist = nist_checks(spectra["forearm"], "cooksey2017")
    for site in ("forehead", "cheek"):
        nist += nist_checks(spectra[site], NIST_AT_SITE + site)
    checks = first + nist + rest
    summary = write_summary(checks, str(stored["site"]))
    if figures is not None:
        plot_forearm(spectra, figures / "validation_forearm.png")
    for site, sp in spectra.items():
        for s in sp:
            print(f"{site:9s} {s.fitzpatrick:3s}", np.round(s.nist_r, 3).tolist())
    return summary


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m photodose.validation")
    ap.add_argument("--photons", type=int, default=4000)
    ap.add_argument("--site", default="forehead")
    ap.add_argument("--figures", type=Path, default=None, help="folder for validation_*.png")
    ap.add_argument("--json", type=Path, default=None, help="also write all checks and spectra here")
    ap.add_argument(
        "--nist-only",
        action="store_true",
        help="recompute only the NIST checks (forearm, forehead, cheek) into the stored summary",
    )
    args = ap.parse_args(argv)
    if args.nist_only:
        rerun_nist(args.photons, args.figures)
        print(summary_line())
        return
    checks, spectra = run_checks(args.site, args.photons)
    summary = write_summary(checks, args.site)
    for c in checks:
        flag = "ok  " if c.passed else "FAIL"
        print(
            f"{flag} {c.dataset:20s} {c.fitzpatrick or '-':3s} {c.quantity:70s} {c.model:9.4g} "
            f"in [{c.low:.4g}, {c.high:.4g}]"
        )
    print(summary_line())
    if args.figures is not None:
        args.figures.mkdir(parents=True, exist_ok=True)
        plot_reflectance(spectra, args.figures / "validation_reflectance.png")
        plot_colour(spectra, args.figures / "validation_colour.png")
        plot_dermis(args.figures / "validation_dermis.png", args.site)
        plot_forearm(nist_by_site(args.photons), args.figures / "validation_forearm.png")
        _plot_populations(args.figures / "validation_populations.png", args.site, args.photons)
        _plot_faces(args.figures / "validation_faces.png", args.site, args.photons)
        from photodose.validation.skin_transmission import plot_transmission

        plot_transmission(args.figures / "validation_transmission.png", args.site)
    if args.json is not None:
        args.json.write_text(
            json.dumps({"summary": summary, "spectra": [s.__dict__ for s in spectra]}, default=list)
        )


if __name__ == "__main__":
    main()
