"""Build the shipped catalogue irradiance table, ``src/photodose/data/catalog_irradiance.json``.

Run after changing a device file or the irradiance model:
``.venv/bin/python scripts/build_catalog_table.py``. ``photodose evaluate`` ranks a device among
the catalogue with this table instead of modelling every device's irradiance on each cold start
(:mod:`photodose.services.catalog_table`); ``tests/test_catalog_table.py`` checks it against a
fresh computation.
"""

from __future__ import annotations

import json
from pathlib import Path

from photodose.services.catalog_table import (
    SHIPPED,
    catalog_hash,
    compute_catalog_irradiance,
    shipped_document,
)

OUT = Path(__file__).resolve().parent.parent / "src" / "photodose" / "data" / SHIPPED


def main() -> None:
    doc = shipped_document(compute_catalog_irradiance(), catalog_hash())
    OUT.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({len(doc['devices'])} devices, key {doc['key']})")


if __name__ == "__main__":
    main()
