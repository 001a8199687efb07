"""Should the learned model's claims pass through the rules' hedge filter?  Measured, not shipped.

The rules drop every claim in a sentence that reports one from a distance or hedges study talk
(``photodose.claims.concepts.is_reported_or_hedged``); the learned model's claims skip that
filter, as they were measured (stop 23).  At stop 32 two of the three sentences a retrained
model failed in the claims tests were such sentences.  This counts, over the development rows of
rounds 24 on (rows the shipped model, trained on rounds up to 23, never saw), the learned claims
the filter would drop, split into the readers' claims and false ones.  Run:

    .venv/bin/python benchmarks/claims_model/hedged_learned.py \\
        --out benchmarks/results/claims_model/hedged_learned.json
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "benchmarks" / "claims_model"))
from post_hoc import write_measurement  # noqa: E402

import claims  # noqa: E402
from photodose.claims import extract_claims  # noqa: E402
from photodose.claims.concepts import is_reported_or_hedged, load_concepts  # noqa: E402

FIRST_UNSEEN_ROUND = 24


def measure() -> dict[str, Any]:
    concepts = load_concepts()
    rows, _ = claims.load_development()
    dropped: list[dict[str, Any]] = []
    cleaned = scanned = 0
    for r in rows:
        origin = str(r.get("origin"))
        if not origin.startswith("claims_heldout_round"):
            continue
        n = int(origin.removeprefix("claims_heldout_round"))
        if n < FIRST_UNSEEN_ROUND:
            continue
        scanned += 1
        found = extract_claims(r["sentence"])
        learned = {c.category for c in found if c.rule_id.startswith("learned.")}
        if not learned or not is_reported_or_hedged(r["sentence"], concepts):
            continue
        expected = claims.labels_of(r)
        # a neutral sentence whose every claim is the model's: the filter would clean it
        cleaned += not expected and all(c.rule_id.startswith("learned.") for c in found)
        for cat in sorted(learned):
            hit = {"round": n, "id": r["id"], "category": cat, "readers_claim": cat in expected}
            dropped.append(hit | {"sentence": r["sentence"]})
    true = sum(d["readers_claim"] for d in dropped)
    return {
        "protocol": f"development rows of rounds {FIRST_UNSEEN_ROUND} on, graded as shipped; "
        "learned claims in sentences is_reported_or_hedged marks",
        "rows_scanned": scanned,
        "learned_claims_the_filter_would_drop": len(dropped),
        "of_them_the_readers_claims": true,
        "of_them_false": len(dropped) - true,
        "sentences": len({(d["round"], d["id"]) for d in dropped}),
        "neutral_sentences_it_would_clean": cleaned,
        "dropped": dropped,
    }


def main() -> None:
    write_measurement(__doc__, measure, ("dropped",))


if __name__ == "__main__":
    main()
