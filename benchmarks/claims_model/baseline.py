"""Score a fresh round, after its first run, with another version of the grader: a baseline.

The first run (``benchmarks/claims.py --fresh``) is the measurement; a baseline says how much of
it a change made.  Run this with the ``photodose`` package of the version to compare on the path
(a checkout of an older commit: ``git worktree add /tmp/wt_c1 c1a30cf``) and the project's venv:

    PYTHONPATH=/tmp/wt_c1/src .venv/bin/python benchmarks/claims_model/baseline.py \\
        tests/data/claims_heldout_round28.toml c1a30cf --protocol "..." --out /tmp/bl.json

or with ``--learned-off`` and this checkout's package: the first run's commit with the learned
sentence model switched off.  The rows are the round's less those its first run dropped (read
from ``benchmarks/results/claims.json``); the scoring is the first run's (``claims.score`` and
``claims.two_labellers``).  Writes ``{"roundN_baseline_<name>": {...}}`` to ``--out``, to be
copied into the results file.
"""

from __future__ import annotations

import argparse
import inspect
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "benchmarks" / "claims_model"))
from post_hoc import _rows  # noqa: E402

import claims  # noqa: E402
from photodose.claims import assess_text  # noqa: E402


def predictions(
    rows: list[dict[str, Any]], contexts: dict[str, Any], learned_off: bool
) -> dict[int, dict[str, str]]:
    """Category -> worst grade per row, on the labelled categories (as ``claims.predict``)."""
    # older versions of assess_text have no ``learned`` switch (nor a learned model)
    takes_learned = "learned" in inspect.signature(assess_text).parameters
    if learned_off and not takes_learned:
        raise SystemExit("this version of the grader has no learned model to switch off")
    out = {}
    for row in rows:
        ctx = contexts.get(row["device"]) if row["device"] else None
        kwargs = {"learned": False} if learned_off else {}
        report = assess_text(row["sentence"], ctx, **kwargs)
        worst = claims.worst_grades(report.claims)
        out[row["id"]] = {c: g for c, g in worst.items() if c in claims.FRESH_LABELLED}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("fresh", type=Path)
    ap.add_argument("name", help="the baseline's name: a commit, or learned_off")
    ap.add_argument("--learned-off", action="store_true")
    ap.add_argument("--protocol", required=True, help="what was run, in words (recorded)")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    rows, contexts, key = _rows(args.fresh, ROOT / "benchmarks" / "results" / "claims.json")
    preds = predictions(rows, contexts, args.learned_off)
    result = claims.score(rows, contexts, preds)
    if any(claims.SECOND_CATEGORY in r for r in rows):
        result.update(claims.two_labellers(rows, contexts, preds))
    result["protocol"] = args.protocol
    name = key.removesuffix("_first_run") + f"_baseline_{args.name}"
    args.out.write_text(json.dumps({name: result}, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    shown = ("rows", "hard_negatives", "hard_negatives_with_a_claim", "micro", "grade_agreement")
    print(name, json.dumps({k: result[k] for k in shown}))


if __name__ == "__main__":
    main()
