"""Rebuild the trials of mechanisms for the dark-skin near-infrared miss (docs/validation.md).

For each mechanism (:mod:`photodose.validation.mechanisms`: melanosome Mie scattering in the living
epidermis, melanin placed elsewhere in depth) this runs every check of ``python -m
photodose.validation`` (forehead; NIST at the forearm and the face sites) with the mechanism
applied to every layer stack, and the like-for-like comparison with NIST's darkest subject (type VI
melanin scaled to the same R685). Results go to ``src/photodose/data/optics/melanosome_trials.json``
with the skin model version; the skin model itself is not changed.

    nice .venv/bin/python scripts/build_melanosome_trials.py [--photons 4000] [--only LABEL]
    .venv/bin/python scripts/build_melanosome_trials.py --figure-only   # redraw from the stored results

About 1 min per mechanism at 4000 photons on one core. Needs ``miepython`` (the ``dev`` extra).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import time
from collections.abc import Iterator
from importlib.resources import files
from typing import Any

import numpy as np

OUT = "melanosome_trials.json"


def trials() -> dict[str, Any]:
    from photodose.validation.mechanisms import MelaninDepth, MelanosomeScattering

    return {
        "model as shipped": None,
        "melanosome Mie scattering, 0.42 µm, n 1.7": MelanosomeScattering(),
        "melanosome Mie scattering, 0.15 µm, n 1.7": MelanosomeScattering(diameter_um=0.15),
        "melanosome Mie scattering, 0.42 µm, n 1.6": MelanosomeScattering(n_melanin=1.6),
        "melanosome Mie scattering × 0.1": MelanosomeScattering(scale=0.1),
        "melanosome Mie scattering × 0.03": MelanosomeScattering(scale=0.03),
        "melanin dust: one concentration through stratum corneum and epidermis": MelaninDepth(mode="dust"),
        "basal melanin: 60 % of the column in the lowest 10 µm": MelaninDepth(mode="basal", basal_share=0.6),
        "basal melanin: 90 % of the column in the lowest 10 µm": MelaninDepth(mode="basal", basal_share=0.9),
    }


@contextlib.contextmanager
def applied(transform: Any) -> Iterator[None]:
    """Every stack the validation builds (face sites, forearm) passes through ``transform``."""
    import photodose.skin as skin
    import photodose.validation.forearm as forearm
    import photodose.validation.skin_reflectance as sr

    if transform is None:
        yield
        return
    orig_ls, orig_fs = skin.layer_stack, forearm.forearm_stack

    def layer_stack(profile: Any, wavelength_nm: float, model: str = "7-layer") -> Any:
        return transform(profile, float(wavelength_nm), orig_ls(profile, wavelength_nm, model))

    def forearm_stack(profile: Any, wavelength_nm: float, **kw: float) -> Any:
        return transform(profile, float(wavelength_nm), orig_fs(profile, wavelength_nm, **kw))

    patches: list[tuple[Any, str, Any]] = [
        (skin, "layer_stack", layer_stack),
        (sr, "layer_stack", layer_stack),
        (forearm, "forearm_stack", forearm_stack),
    ]
    saved = [(mod, name, getattr(mod, name)) for mod, name, _ in patches]
    for mod, name, fn in patches:
        setattr(mod, name, fn)
    try:
        yield
    finally:
        for mod, name, fn in saved:
            setattr(mod, name, fn)


def run(label: str, transform: Any, photons: int) -> dict[str, Any]:
    from photodose.skin import FITZPATRICK_TYPES, SkinProfile
    from photodose.validation.checks import run_checks, summarise
    from photodose.validation.mechanisms import forearm_spectrum, reflectance_at_matched_pigmentation
    from photodose.validation.skin_reflectance import COOKSEY_NM, cooksey2017

    t0 = time.time()
    d = cooksey2017()
    darkest = d.reflectance[int(np.argmin(d.reflectance[:, 3]))]
    with applied(transform):
        checks, _ = run_checks("forehead", photons)
    matched = reflectance_at_matched_pigmentation(transform, float(darkest[3]), COOKSEY_NM, photons)
    forearm = {
        t: [
            round(float(x), 4)
            for x in forearm_spectrum(SkinProfile(fitzpatrick=t), COOKSEY_NM, photons, transform)
        ]
        for t in FITZPATRICK_TYPES
    }
    out = {
        "label": label,
        "photons": photons,
        "transform": repr(transform),
        "checks_passed": sum(c.passed for c in checks),
        "checks_total": len(checks),
        "datasets": {k: f"{v['passed']}/{v['total']}" for k, v in summarise(checks).items()},
        "failed": [
            f"{c.dataset} {c.fitzpatrick or ''} {c.quantity}: {c.model:.3f} "
            f"not in [{c.low:.3f}, {c.high:.3f}]"
            for c in checks
            if not c.passed
        ],
        "forearm_reflectance_by_type": forearm,
        "matched_to_nist_darkest": {
            "target_r685": round(float(darkest[3]), 4),
            "nist_darkest": [round(float(x), 4) for x in darkest],
            "melanin_factor": round(matched.melanin_factor, 3),
            "reached": matched.reached,
            "reflectance": [round(x, 4) for x in matched.reflectance],
            "r850_over_r685": round(matched.at(850.0) / matched.at(685.0), 3),
        },
        "seconds": round(time.time() - t0, 1),
    }
    print(f"{label}: {out['checks_passed']}/{out['checks_total']}, matched {out['matched_to_nist_darkest']}")
    return out


def draw(doc: dict[str, Any], path: str) -> None:
    """Type VI at NIST's darkest R685 under each mechanism, against NIST's four darkest people."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from photodose.validation.skin_reflectance import cooksey2017

    lam = doc["wavelengths_nm"]
    d = cooksey2017()
    dark = d.reflectance[d.reflectance[:, 3] < 0.40]
    dark = dark[np.argsort(dark[:, 3])]  # the darkest first (drawn thick: the matched target)
    fig, ax = plt.subplots(figsize=(7.5, 4.6))
    for k, row in enumerate(dark):
        ax.plot(
            lam,
            row,
            "k-",
            lw=2.2 if k == 0 else 1.0,
            alpha=0.8,
            label="NIST's darkest (thick) and the next 3 (R685 < 0.40)" if k == 0 else None,
        )
    for tr in doc["trials"]:
        m = tr["matched_to_nist_darkest"]
        shipped = tr["label"] == "model as shipped"
        note = "" if m["reached"] else " (R685 not reached)"
        ax.plot(
            lam,
            m["reflectance"],
            "-" if shipped else "--",
            lw=2.5 if shipped else 1.2,
            zorder=3 if shipped else 2,
            marker="o",
            ms=3,
            label=tr["label"] + note,
        )
    ax.set_xlabel("wavelength [nm]")
    ax.set_ylabel("total reflectance, inner forearm")
    ax.set_title("Type VI at NIST's darkest R(685 nm): mechanisms tested", fontsize=10)
    ax.legend(fontsize=6.5, loc="upper left")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    print(f"wrote {path}")


def main() -> None:
    from photodose.skin import skin_model_version
    from photodose.validation.skin_reflectance import COOKSEY_NM

    ap = argparse.ArgumentParser(prog="build_melanosome_trials.py")
    ap.add_argument("--photons", type=int, default=4000)
    ap.add_argument("--only", default=None, help="run only the trial whose label contains this text")
    ap.add_argument("--figure", default="docs/img/validation_mechanisms.png", help="figure path")
    ap.add_argument("--figure-only", action="store_true", help="redraw the figure from the stored results")
    args = ap.parse_args()
    path = files("photodose") / "data" / "optics" / OUT
    if args.figure_only:
        draw(json.loads(path.read_text("utf-8")), args.figure)
        return
    results = [
        run(label, tr, args.photons)
        for label, tr in trials().items()
        if args.only is None or args.only in label
    ]
    if args.only is not None and path.is_file():  # keep the other trials' stored results
        done = {r["label"] for r in results}
        old = json.loads(path.read_text("utf-8"))["trials"]
        results = [r for r in old if r["label"] not in done] + results
        order = list(trials())
        results.sort(key=lambda r: order.index(r["label"]) if r["label"] in order else len(order))
    doc = {
        "skin_model_version": skin_model_version(),
        "photons": args.photons,
        "site": "forehead (NIST checks at the inner forearm and, as sensitivities, forehead and cheek)",
        "wavelengths_nm": list(COOKSEY_NM),
        "sources": {
            "melanin_index": "Stavenga, Leertouwer, Osorio, Wilts (2015), High refractive index of "
            "melanin in shiny occipital feathers of a bird of paradise: n 1.7-1.8 in the visible "
            "(abstract; feather melanin, an assumption for skin)",
            "melanosome_size": "Toda et al., Nature New Biol 236:143 (1972): melanosomes larger than "
            "0.3 x 0.8 um always dispersed (secondary: summagallicana.it); Thong et al., Br J Dermatol "
            "149:498 (2003): section area in dark skin 1.44 +- 0.67 x 10^-2 um^2 (abstract)",
            "melanin_dust": "d'Ischia M., Melanin 'dust' or 'ghost'?, Exp Dermatol (2016), "
            "doi:10.1111/exd.13040 (commentary on Tobin et al.; abstract): melanin dust in the stratum "
            "corneum most likely a silver-stain artefact",
            "host_index": "ASSUMPTION 1.37 (cytoplasm, range 1.35-1.40)",
        },
        "trials": results,
    }
    with open(str(path), "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {path}")
    draw(doc, args.figure)


if __name__ == "__main__":
    main()
