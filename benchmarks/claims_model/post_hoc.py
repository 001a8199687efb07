"""A fresh round rescored after its first run, with the learned model's threshold or veto changed.

Post hoc, for reading and for choosing what the next round measures: a round's record is its first
run (``benchmarks/claims.py --fresh``), and nothing here changes it.  Run from a checkout of the
commit whose model is read (the round's first-run commit, for an out-of-sample reading):

- ``thresholds``: every category's threshold on the loaded card set to each value in turn; the
  rows predicted again and scored as the first run was (``round<N>_threshold_sweep_post_hoc``);
- ``veto``: the rows predicted once as the commit stands, then each claim whose category the
  model scores under each value dropped, and scored (``round<N>_veto_post_hoc``).  The grader
  has no such veto (docs/claims.md says why it was not shipped); this simulates one.

    PYTHONPATH=<checkout>/src .venv/bin/python benchmarks/claims_model/post_hoc.py veto \\
        tests/data/claims_heldout_round24.toml --out benchmarks/results/claims.json
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
import claims  # noqa: E402


def write_measurement(doc: str, measure: Callable[[], dict[str, Any]], listed: tuple[str, ...]) -> None:
    """The command line of a one-file measurement: ``--out FILE`` gets ``measure()``'s result as
    JSON, and the terminal its summary (the result less the ``listed`` per-row lists)."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    result = measure()
    args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print({k: v for k, v in result.items() if k not in listed})


def _rows(fresh_path: Path, results: Path) -> tuple[list[dict[str, Any]], dict[str, Any], str]:
    key = f"{fresh_path.stem.removeprefix('claims_heldout_')}_first_run"
    recorded = json.loads(results.read_text(encoding="utf-8"))
    drop = set(recorded[key]["dropped_as_in_development_corpus"])
    fresh = claims.load_fresh(fresh_path)
    return [r for r in fresh["rows"] if r["id"] not in drop], fresh["contexts"], key


def _predict(rows: list[dict[str, Any]], contexts: dict[str, Any]) -> dict[int, dict[str, str]]:
    out = {}
    for row in rows:
        full = claims.predict(row, contexts)
        out[row["id"]] = {c: g for c, g in full.items() if c in claims.FRESH_LABELLED}
    return out


def _summary(s: dict[str, Any]) -> dict[str, Any]:
    return {
        "micro": s["micro"],
        "grade_agreement": s["grade_agreement"],
        "neutral": s["hard_negatives_with_a_claim"],
        "per_category": {c: {k: v[k] for k in ("tp", "fp", "fn")} for c, v in s["per_category"].items()},
    }


def thresholds(fresh_path: Path, values: list[float], results: Path) -> dict[str, Any]:
    rows, contexts, key = _rows(fresh_path, results)
    from photodose.claims.learned import load_model  # here: older checkouts (baseline.py) have none

    model = load_model()
    out = {}
    for t in values:
        model.card = dataclasses.replace(model.card, thresholds={c: t for c in model.card.thresholds})
        out[str(t)] = _summary(claims.score(rows, contexts, _predict(rows, contexts)))
        print(t, out[str(t)]["micro"], out[str(t)]["grade_agreement"], out[str(t)]["neutral"], flush=True)
    return {"after": key, "by_threshold": out, "rows": len(rows)}


def veto(fresh_path: Path, values: list[float], results: Path) -> dict[str, Any]:
    rows, contexts, key = _rows(fresh_path, results)
    from photodose.claims.learned import load_model  # here: older checkouts (baseline.py) have none

    model = load_model()
    cats = list(model.card.categories)
    base = _predict(rows, contexts)
    probs = {
        r["id"]: dict(zip(cats, map(float, model.probabilities([r["sentence"]])[0]), strict=True))
        for r in rows
    }
    out = {}
    for v in [0.0, *values]:
        preds = {i: {c: g for c, g in p.items() if probs[i].get(c, 1.0) >= v} for i, p in base.items()}
        out[str(v)] = _summary(claims.score(rows, contexts, preds))
        print(v, out[str(v)]["micro"], out[str(v)]["grade_agreement"], out[str(v)]["neutral"], flush=True)
    return {"after": key, "by_veto": out, "rows": len(rows)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("mode", choices=("thresholds", "veto"))
    ap.add_argument("fresh", type=Path)
    ap.add_argument("--values", type=float, nargs="+")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "claims.json")
    args = ap.parse_args()
    if args.mode == "thresholds":
        doc = thresholds(args.fresh, args.values or [0.5, 0.7, 0.8, 0.9, 0.95], args.out)
    else:
        doc = veto(args.fresh, args.values or [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3], args.out)
    import photodose

    head = subprocess.run(
        ["git", "-C", str(Path(photodose.__file__).parent), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
    )
    doc["commit"] = head.stdout.strip()
    doc["protocol"] = (
        f"after {doc['after']} (its record), the code and model of commit {doc['commit']}, "
        f"{args.mode} changed as listed, on the same rows; post hoc: nothing here is that round's record"
    )
    results = json.loads(args.out.read_text(encoding="utf-8"))
    name = "threshold_sweep" if args.mode == "thresholds" else "veto"
    results[f"{args.fresh.stem.removeprefix('claims_heldout_')}_{name}_post_hoc"] = doc
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
