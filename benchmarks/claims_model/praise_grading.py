"""The learned model's unread efficacy claims: praise graded not checkable, measured on every development row.

The learned model's efficacy claim that the rules read no indication for is graded unsupported
(``efficacy.unread``), unless its sentence only praises and names no outcome (``[efficacy]
unread_generic`` without ``unread_named`` in rules.toml; ``grade.is_praise_only``): then not
checkable, as the guide grades "it really works".  This reads every development row, keeps those
whose only efficacy claims are such learned claims, and counts the readers' efficacy grade for
the praise-only sentences and the others.  Run:

    .venv/bin/python benchmarks/claims_model/praise_grading.py \\
        --out benchmarks/results/claims_model/praise_grading.json
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
from photodose.claims.grade import is_praise_only  # noqa: E402
from photodose.claims.rules import load_rules  # noqa: E402


def measure() -> dict[str, Any]:
    rules = load_rules()
    assert rules.efficacy_unread_generic is not None, "rules.toml [efficacy] unread_generic/named"
    rows, contexts = claims.load_development()
    tally: dict[str, Counter[str]] = {"praise_only": Counter(), "names_something": Counter()}
    praise: list[dict[str, Any]] = []
    for r in rows:
        eff = [g for g in claims.report_for(r, contexts).claims if g.claim.category == "efficacy"]
        if not eff or not all(
            g.claim.rule_id == "learned.efficacy" and g.claim.kind == "unspecified" for g in eff
        ):
            continue
        only_praise = is_praise_only(r["sentence"], rules)
        readers = claims.labels_of(r).get("efficacy", "none")
        tally["praise_only" if only_praise else "names_something"][readers] += 1
        if only_praise:
            praise.append(
                {"id": r["id"], "origin": r["origin"], "readers_grade": readers, "sentence": r["sentence"]}
            )
    return {
        "protocol": "every development row (benchmarks/claims.py load_development) whose only efficacy "
        "claims are the learned model's unread ones, graded as shipped; the readers' efficacy grade "
        "counted for the sentences that only praise (graded not checkable) and the others (unsupported)",
        "development_rows": len(rows),
        **{k: dict(sorted(v.items())) for k, v in tally.items()},
        "praise": praise,
    }


def main() -> None:
    write_measurement(__doc__, measure, ("praise",))


if __name__ == "__main__":
    main()
