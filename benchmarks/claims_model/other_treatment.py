"""What the other-treatment filter takes away, measured on every development row.

``photodose.claims.concepts.is_about_other_treatment`` marks a sentence whose subject is another
treatment (drugs, creams, surgery, "current" or "topical" treatments, "there are several
treatments ...") and that names nothing of light, a device or "it"/"this"; the extractor makes no
claim in it.  This reads every development row the filter marks twice, with the filter and with
it switched off, and counts the
claims it removes against the readers' labels.  Only marked rows can change (the filter reads one
sentence), so the rest are not read.  Run:

    .venv/bin/python benchmarks/claims_model/other_treatment.py \\
        --out benchmarks/results/claims_model/other_treatment.json
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "benchmarks" / "claims_model"))
from post_hoc import write_measurement  # noqa: E402

import claims  # noqa: E402
import photodose.claims.concepts as concepts_mod  # noqa: E402


def measure() -> dict[str, Any]:
    shipped = concepts_mod.load_concepts()
    rows, contexts = claims.load_development()
    marked = [r for r in rows if concepts_mod.is_about_other_treatment(r["sentence"], shipped)]
    with_filter = {r["id"]: claims.predict(r, contexts) for r in marked}
    original = concepts_mod.is_about_other_treatment
    concepts_mod.is_about_other_treatment = lambda *a, **k: False  # the filter switched off
    try:
        without = {r["id"]: claims.predict(r, contexts) for r in marked}
    finally:
        concepts_mod.is_about_other_treatment = original
    removed: list[dict[str, Any]] = []
    tally: Counter[str] = Counter()
    for r in marked:
        expected = claims.labels_of(r)
        for cat in sorted(set(without[r["id"]]) - set(with_filter[r["id"]])):
            right = cat in expected
            tally["readers_claims" if right else "false_claims"] += 1
            removed.append({"id": r["id"], "origin": r["origin"], "category": cat, "readers_claim": right})
        tally["readers_claims_in_marked_rows"] += len(expected)
        tally["neutral_rows_cleaned"] += not expected and bool(without[r["id"]]) and not with_filter[r["id"]]
    return {
        "protocol": "every development row (benchmarks/claims.py load_development) that "
        "is_about_other_treatment marks, predicted as the grader ships with the filter and with it "
        "switched off; claims removed counted against the readers' labels",
        "development_rows": len(rows),
        "rows_marked": len(marked),
        **dict(sorted(tally.items())),
        "removed": removed,
        "marked": [{"id": r["id"], "origin": r["origin"], "sentence": r["sentence"]} for r in marked],
    }


def main() -> None:
    write_measurement(__doc__, measure, ("removed", "marked"))


if __name__ == "__main__":
    main()
