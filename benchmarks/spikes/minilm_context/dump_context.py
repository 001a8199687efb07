"""Dump the rows for the passage-context spike: each row's sentence, its labels and its neighbours.

The neighbours are the row before and the row after it in the same passage of the same file (the
fresh rounds 7 onwards were collected as passages of consecutive sentences in page order, ids in
page order); rows of the corpus, round 5, round 6 and the grow batches have none.

Training rows: every development row (``claims.load_development``) from a file before round
``--test-from`` (the rows the shipped learned model was trained on when ``--test-from 24``).
Test rows: the rows of each round from ``--test-from`` to ``--test-to`` that its first run scored
(the ids it dropped as repeats of development rows left out).

    .venv/bin/python benchmarks/spikes/minilm_context/dump_context.py /tmp/ctx_rows.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "benchmarks" / "spikes" / "minilm_finetune"))
from ft_spike import round_of  # noqa: E402

import claims  # noqa: E402


def neighbours(path: Path) -> dict[int, tuple[str, str]]:
    """Row id -> (previous sentence, next sentence) within its passage ("" where none)."""
    rows = tomllib.loads(path.read_text(encoding="utf-8"))["rows"]
    if not all("passage" in r for r in rows):
        return {}
    rows = sorted(rows, key=lambda r: r["id"])
    out: dict[int, tuple[str, str]] = {}
    for i, r in enumerate(rows):
        prev = rows[i - 1] if i > 0 and rows[i - 1]["passage"] == r["passage"] else None
        nxt = rows[i + 1] if i + 1 < len(rows) and rows[i + 1]["passage"] == r["passage"] else None
        out[r["id"]] = (prev["sentence"] if prev else "", nxt["sentence"] if nxt else "")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--test-from", type=int, default=24)
    ap.add_argument("--test-to", type=int, default=26)
    args = ap.parse_args()
    data = ROOT / "tests" / "data"
    ctx: dict[str, dict[int, tuple[str, str]]] = {
        p.stem: neighbours(p) for p in sorted(data.glob("claims_heldout_round*.toml"))
    }
    rows, _ = claims.load_development()
    train = []
    for r in rows:
        rnd = round_of(r["origin"])
        if rnd is not None and rnd >= args.test_from:
            continue
        prev, nxt = ctx.get(r["origin"], {}).get(r["id"], ("", ""))
        labels = {c: g for c, g in claims.labels_of(r).items() if c in claims.LABELLED_8}
        train.append(
            {
                "id": r["id"],
                "origin": r["origin"],
                "sentence": r["sentence"],
                "prev": prev,
                "next": nxt,
                "labels": labels,
            }
        )
    recorded = json.loads((ROOT / "benchmarks" / "results" / "claims.json").read_text(encoding="utf-8"))
    test = []
    for rnd in range(args.test_from, args.test_to + 1):
        stem = f"claims_heldout_round{rnd}"
        drop = set(recorded[f"round{rnd}_first_run"]["dropped_as_in_development_corpus"])
        for r in tomllib.loads((data / f"{stem}.toml").read_text(encoding="utf-8"))["rows"]:
            if r["id"] in drop:
                continue
            prev, nxt = ctx[stem][r["id"]]
            test.append({"id": r["id"], "origin": stem, "sentence": r["sentence"], "prev": prev, "next": nxt})
    text = "\n".join(r["sentence"] for r in train)
    meta = {
        "train_rows": len(train),
        "train_rows_with_context": sum(bool(r["prev"] or r["next"]) for r in train),
        "train_sha256_sentences": hashlib.sha256(text.encode()).hexdigest(),
        "test_rows": len(test),
        "test_from": args.test_from,
        "test_to": args.test_to,
    }
    Path(args.out).write_text(json.dumps({"meta": meta, "train": train, "test": test}, ensure_ascii=False))
    print(json.dumps(meta))


if __name__ == "__main__":
    main()
