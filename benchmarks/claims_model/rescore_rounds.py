"""Score past fresh rounds again with the grader on the path: how a change reads on rows already seen.

Post hoc and in-sample: each round's record is its first run (``benchmarks/claims.py --fresh``);
this rescores the rounds' rows (less those their first runs dropped) with whichever ``photodose``
package is first on the path, so two runs, before and after a change, compare it on the same rows.
Used in stop 30 for the grading of the learned model's unread claims (docs/claims.md), run with a
checkout of the commit before the change and then with the commit itself:

    PYTHONPATH=/tmp/wt_before/src .venv/bin/python benchmarks/claims_model/rescore_rounds.py 24 33 \\
        --name before --out /tmp/before.json
    .venv/bin/python benchmarks/claims_model/rescore_rounds.py 24 33 --name after --out /tmp/after.json

Writes ``{name: {round: {recall, precision, grade_agreement, neutral_flagged,
grade_agreement_detected_only}}}`` to ``--out``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "benchmarks" / "claims_model"))
from post_hoc import _predict  # noqa: E402

import claims  # noqa: E402


def rescore(first: int, last: int) -> dict[int, dict[str, Any]]:
    dropped = {path.name: ids for path, ids in claims.LATER_ROUNDS}
    _, contexts = claims.load_corpus()
    out: dict[int, dict[str, Any]] = {}
    for n in range(first, last + 1):
        name = f"claims_heldout_round{n}.toml"
        # the project's loader: the file's sha256 header is checked, as every scoring run does
        rows = [
            r
            for r in claims.check_fresh_sha(ROOT / "tests" / "data" / name)
            if r["id"] not in dropped.get(name, ())
        ]
        s = claims.score(rows, contexts, _predict(rows, contexts))
        out[n] = {
            "rows": len(rows),
            "recall": s["micro"]["recall"],
            "precision": s["micro"]["precision"],
            "grade_agreement": s["grade_agreement"],
            "neutral_flagged": s["hard_negatives_with_a_claim"],
            "grade_agreement_detected_only": s["grade_agreement_detected_only"],
        }
        print(n, out[n], flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("first", type=int)
    ap.add_argument("last", type=int)
    ap.add_argument("--name", required=True)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    previous = json.loads(args.out.read_text(encoding="utf-8")) if args.out.exists() else {}
    previous[args.name] = rescore(args.first, args.last)
    args.out.write_text(json.dumps(previous, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
