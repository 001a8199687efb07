"""Would a gate for study narration on reporting pages help?  Measured on the development rows, not shipped.

The guide (docs/claims-labelling.md) labels a study narrated with its result ``endorsement`` on a
page that sells or recommends, and ``none`` on a neutral page (a review, a registry, a news
report).  On fresh rounds 24-31 the grader's false alarms on research-abstract and news pages were
about a third of all its false alarms (100 of 311 neutral rows flagged).  This simulates the gate
that distinction suggests, from what the grader can see (the text, never the page's kind):

- a sentence *narrates* when it matches ``NARRATION`` (a study, team or researchers that found /
  showed / reported; participants that received / completed; "were randomised / enrolled"; a
  therapy in the past tense: "LLLT reduced", "treatment improved");
- its passage *promotes* when it matches ``PROMOTION`` (our clinic, we offer, book, buy, prices,
  "you"/"your");
- the gate drops a narrating sentence's efficacy, mechanism, endorsement and numeric claims when
  its passage does not promote (a row without a passage counts as not promoting).

Every development row that narrates is predicted as the grader stands (learned model on) and the
dropped claims are counted against the labels.  Writes ``narration_gate_post_hoc`` to ``--out``:

    .venv/bin/python benchmarks/claims_model/narration_gate.py --out benchmarks/results/claims.json
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
import claims  # noqa: E402

NARRATION = re.compile(
    r"""
 \b(?:the|this|that|our|a|one|another|their|his|her)\s+(?:[\w-]+\s+){0,4}?
   (?:study|trial|review|team|researchers|authors|investigators|experiment|analysis)\b[^.!?]{0,80}?
   \b(?:found|showed|reported|observed|demonstrated|noted|concluded|revealed|indicated|suggested|documented|recorded)\b
|\b(?:researchers|authors|investigators|scientists)\s+(?:\w+\s+){0,3}?
   (?:found|showed|reported|observed|said|noted|concluded|suggested|stated|added|explained)\b
|\b(?:participants|subjects|volunteers|patients|mice|rats|animals|athletes|individuals|people)\s+(?:\w+\s+){0,4}?
   (?:were|received|completed|showed|experienced|reported|had|saw|exhibited|demonstrated)\b
|\b(?:were|was)\s+(?:randomi[sz]ed|divided|assigned|allocated|enrolled|recruited|included|searched|approved|treated|irradiated|exposed)\b
|\b(?:lllt|pbmt?|therapy|treatment|irradiation|laser|light|rlrl|led|stimulations?)\s+(?:significantly\s+|also\s+|further\s+)?
   (?:reduced|improved|increased|decreased|modulated|inhibited|enhanced|promoted|accelerated|led\s+to|resulted\s+in|produced
     |induced|attenuated|alleviated|prevented|shortened|lowered|raised)\b
""",
    re.I | re.X,
)
PROMOTION = re.compile(
    r"""\b(?:our\s+(?:clinic|office|practice|team|center|centre|devices?|masks?|products?|patients|clients|customers|spa|salon
   |studio|staff|doctors?|therapists?|services?|treatments?|lasers?|panels?)
 |we\s+(?:offer|provide|use|recommend|have\s+(?:used|seen|found)|are\s+(?:proud|happy|excited))
 |book\s+(?:a|an|your|now)|schedule\s+(?:a|an|your)|call\s+(?:us|today|now)|contact\s+us|buy|shop|order\s+(?:now|today|yours)
 |free\s+(?:shipping|consultation)|discount|money[- ]back|guarantee|you(?:r|'ll|’ll)?)\b|\$\s?\d""",
    re.I | re.X,
)
GATED = frozenset({"efficacy", "mechanism", "endorsement", "numeric_efficacy"})


def measure() -> dict[str, Any]:
    rows, contexts = claims.load_development()
    passages: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        if r.get("passage") is not None:
            passages[(r["origin"], r.get("source"), r["passage"])].append(r)
    promotes: dict[int, bool] = {}
    for members in passages.values():
        p = PROMOTION.search(" ".join(m["sentence"] for m in members)) is not None
        promotes.update((m["id"], p) for m in members)
    tally: Counter[str] = Counter()
    lost: list[dict[str, Any]] = []
    for r in rows:
        if not NARRATION.search(r["sentence"]):
            continue
        tally["rows_narrating"] += 1
        if promotes.get(r["id"], False):
            tally["rows_narrating_in_a_promoting_passage"] += 1
            continue
        labels = {c for c in claims.labels_of(r) if c in claims.LABELLED_8}
        predicted, _ = claims.predict_detail(r, contexts)
        predicted = {c for c in predicted if c in claims.LABELLED_8}
        dropped = predicted & GATED
        tally["rows_gated"] += 1
        tally["false_claims_removed"] += len(dropped - labels)
        tally["true_claims_lost"] += len(dropped & labels)
        tally["neutral_rows_cleaned"] += bool(not labels and predicted and not predicted - GATED)
        tally["claim_rows_losing_a_claim"] += bool(dropped & labels)
        if dropped & labels and len(lost) < 12:
            lost.append({"id": r["id"], "sentence": r["sentence"], "lost": sorted(dropped & labels)})
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return {
        "protocol": (
            "development rows (all files in claims.LATER_ROUNDS and before), predicted by the grader as it "
            "stands (learned model on); a gate simulated, not shipped: see the module docstring"
        ),
        "commit": head.stdout.strip(),
        "development_rows": len(rows),
        **dict(tally),
        "examples_lost": lost,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    result = measure()
    previous = json.loads(args.out.read_text(encoding="utf-8")) if args.out.exists() else {}
    previous["narration_gate_post_hoc"] = result
    args.out.write_text(json.dumps(previous, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k != "examples_lost"}, indent=1))


if __name__ == "__main__":
    main()
