"""The fresh rounds' first runs split by the kind of page a sentence came from.

The grader is for marketing copy; the fresh rounds (7 on) mix what a user might paste: seller,
brand and clinic pages, and news, blogs, reviews and research pages.  This reads each round's
first run (``benchmarks/claims.py --fresh``, recorded in ``benchmarks/results/claims.json``) and
scores it again by page group, without running the grader: a row's first-run prediction is its
recorded disagreement's ``predicted`` when it has one, else its labels (the first run agreed with
them).  A check rebuilds each whole round's recorded micro precision and recall from those
predictions before any group is scored.

The group comes from the collector's free-text ``page_kind`` (written before labelling, never
from the grader): "selling" (a seller's, brand's, clinic's, spa's or maker's own page or blog),
"editorial" (news, magazines, blogs, reviews, research, regulators, forums) or "unstated"
("other", "faq", "guide").  Run:

    .venv/bin/python benchmarks/claims_model/by_page_kind.py 7 41 \\
        --out benchmarks/results/claims_model/by_page_kind.json
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "benchmarks" / "claims_model"))
import claims  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "claims.json"
GROUPS = ("selling", "editorial", "unstated")

# a review of a product, or a trial listed at a clinic, is not the seller's page
_EDITORIAL_FIRST = re.compile(r"clinical trial|product review", re.I)
_SELLING = re.compile(
    r"clinic|product|brand|seller|retail|shop|store|spa\b|salon|manufacturer|maker|service|"
    r"booking|practice|press release|vendor|company|studio|centre|center|gym|dealer|provider|"
    r"hospital|pharmacy|dentist|dental|vet|chiropract|physio|podiatr|acupunct|esthetic|aesthetic|"
    r"dermatolog|surgeon|wellness|landing|catalog|franchise",
    re.I,
)
_EDITORIAL = re.compile(
    r"news|journalism|magazine|editorial|podcast|research|abstract|trial|journal|review|forum|"
    r"regulator|association|wiki|encyclop|personal|q&a|book|newsletter|blog|article|feature|column|"
    r"interview|watchdog|government|university|charity|patient information|explainer|opinion|study",
    re.I,
)


def page_group(page_kind: str) -> str:
    """The group of a collector's ``page_kind``: "selling", "editorial" or "unstated"."""
    k = page_kind.strip().lower()
    if k in ("", "other", "faq", "guide"):
        return "unstated"
    if _EDITORIAL_FIRST.search(k):
        return "editorial"
    if _SELLING.search(k):
        return "selling"
    if _EDITORIAL.search(k):
        return "editorial"
    return "unstated"


def first_run_predictions(rows: list[dict[str, Any]], run: dict[str, Any]) -> dict[int, dict[str, str]]:
    """Each row's first-run prediction, rebuilt from the recorded disagreements."""
    recorded = {d["id"]: d["predicted"] for d in run["disagreements"]}
    return {r["id"]: recorded.get(r["id"], claims.labels_of(r)) for r in rows}


def _summary(s: dict[str, Any]) -> dict[str, Any]:
    claimed = sum(m["support"] for m in s["per_category"].values())
    return {
        "rows": s["rows"],
        "claims": claimed,
        "recall": s["micro"]["recall"],
        "precision": s["micro"]["precision"],
        "grade_agreement": s["grade_agreement"],
        "neutral": s["hard_negatives"],
        "neutral_flagged": s["hard_negatives_with_a_claim"],
        "neutral_flagged_share": round(s["hard_negatives_with_a_claim"] / s["hard_negatives"], 3)
        if s["hard_negatives"]
        else None,
    }


def by_page_kind(first: int, last: int) -> dict[str, Any]:
    recorded = json.loads(RESULTS.read_text(encoding="utf-8"))
    pooled: dict[str, list[dict[str, Any]]] = {g: [] for g in GROUPS}
    predictions: dict[int, dict[str, str]] = {}
    _, contexts = claims.load_corpus()
    not_rebuilt: list[int] = []
    for n in range(first, last + 1):
        run = recorded[f"round{n}_first_run"]
        dropped = set(run["dropped_as_in_development_corpus"])
        # the project's loader (the sha256 header checked), less the rows the first run dropped
        path = ROOT / "tests" / "data" / f"claims_heldout_round{n}.toml"
        rows = [r for r in claims.check_fresh_sha(path) if r["id"] not in dropped]
        pred = first_run_predictions(rows, run)
        whole = claims.score(rows, contexts, pred)
        same = (whole["micro"], whole["hard_negatives_with_a_claim"], whole["grade_agreement"]) == (
            run["micro"],
            run["hard_negatives_with_a_claim"],
            run["grade_agreement"],
        )
        if len(rows) != run["rows"] or not same:
            not_rebuilt.append(n)  # an early record whose disagreements do not give its figures
            continue
        for r in rows:
            pooled_id = n * 100_000 + r["id"]  # ids are unique within a round only
            predictions[pooled_id] = pred[r["id"]]
            pooled[page_group(r["page_kind"])].append({**r, "id": pooled_id})
    out: dict[str, Any] = {"rounds": [first, last], "rounds_not_rebuilt": not_rebuilt}
    for g, rows in pooled.items():
        out[g] = _summary(claims.score(rows, contexts, predictions))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("first", type=int)
    ap.add_argument("last", type=int)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    result = {
        "protocol": "each fresh round's first run, rebuilt per row from its recorded disagreements "
        "(checked against the recorded micro figures), pooled by the collector's page kind; "
        "no grader run",
        f"rounds_{args.first}_{args.last}": by_page_kind(args.first, args.last),
    }
    recent = args.last - 4  # the latest five rounds: the grader much as it now stands
    result[f"rounds_{recent}_{args.last}"] = by_page_kind(recent, args.last)
    args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
