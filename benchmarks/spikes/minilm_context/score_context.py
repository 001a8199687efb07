"""Score a fresh round with the learned model's probabilities swapped for another model's, post hoc.

Run from a checkout of the round's first-run commit (its rules, its classifier and its model, all
trained before the round), with the project's venv:

    PYTHONPATH=<checkout>/src .venv/bin/python benchmarks/spikes/minilm_context/score_context.py \
        tests/data/claims_heldout_round24.toml /tmp/ctx_probs.json

Variants, each scored as the first run was (``claims.predict`` and ``claims.score``):

- ``first_run``: the commit as it stands (reproduces the round's record: a check);
- ``rules_only``: the model's probabilities all 0;
- ``shipped_row``: the shipped model's probabilities for the row's whole text given to every
  sentence the grader splits the row into (as the spike's models are read: one reading a row);
- ``<name>@<t>``: each probabilities file's row reading, at threshold t in every category;
- with ``--veto v ...``: ``veto_shipped@<v>`` and ``veto_<name>@<v>``, the first run's claims less
  each whose category the shipped model (or the file's model) scores under v for the row (as
  ``post_hoc.py veto``: does a model that reads the page tell the rules' false alarms apart?).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "benchmarks" / "claims_model"))
from post_hoc import _predict, _rows, _summary  # noqa: E402

import claims  # noqa: E402
from photodose.claims.learned import load_model  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("fresh", type=Path)
    ap.add_argument("probs", nargs="+", help="name=path of a spike's probabilities file")
    ap.add_argument("--thresholds", type=float, nargs="+", default=[0.5, 0.7, 0.9])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--veto", type=float, nargs="*", default=[], help="veto probabilities to try")
    args = ap.parse_args()
    rows, contexts, key = _rows(args.fresh, ROOT / "benchmarks" / "results" / "claims.json")
    model = load_model()
    cats = list(model.card.categories)
    original = model.probabilities
    shipped = {r["id"]: original([r["sentence"]])[0] for r in rows}
    current: dict[str, Any] = {}

    def patched(sentences: list[str]) -> np.ndarray:
        return np.tile(current["p"], (len(sentences), 1)).astype(np.float32)

    def run(name: str, table: dict[int, np.ndarray] | None, t: float = 0.9) -> dict[str, Any]:
        model.card = dataclasses.replace(model.card, thresholds={c: t for c in cats})
        if table is None:
            model.probabilities = original  # type: ignore[method-assign]
            preds = _predict(rows, contexts)
        else:
            model.probabilities = patched  # type: ignore[method-assign]
            preds = {}
            for r in rows:
                current["p"] = table[r["id"]]
                preds.update(_predict([r], contexts))
        current.setdefault("preds", {})[name] = preds
        return scored(name, preds)

    def scored(name: str, preds: dict[int, dict[str, str]]) -> dict[str, Any]:
        s = _summary(claims.score(rows, contexts, preds))
        print(f"{args.fresh.stem} {name:24s} {s['micro']} {s['grade_agreement']} {s['neutral']}", flush=True)
        return s

    def vetoed(name: str, table: dict[int, np.ndarray]) -> None:
        base = current["preds"]["first_run"]
        for v in args.veto:
            preds = {
                i: {c: g for c, g in p.items() if c not in cats or table[i][cats.index(c)] >= v}
                for i, p in base.items()
            }
            out[f"veto_{name}@{v}"] = scored(f"veto_{name}@{v}", preds)

    out: dict[str, Any] = {"after": key, "rows": len(rows)}
    out["first_run"] = run("first_run", None)
    out["rules_only"] = run("rules_only", {i: np.zeros(len(cats)) for i in shipped})
    out["shipped_row"] = run("shipped_row", shipped)
    vetoed("shipped", shipped)
    for spec in args.probs:
        name, path = spec.split("=", 1)
        doc = json.loads(Path(path).read_text())
        assert doc["categories"] == cats
        table = {r["id"]: np.array(doc["probabilities"][str(r["id"])]) for r in rows}
        for t in args.thresholds:
            out[f"{name}@{t}"] = run(f"{name}@{t}", table, t)
        vetoed(name, table)
    prev = json.loads(args.out.read_text()) if args.out.exists() else {}
    prev[args.fresh.stem] = out
    args.out.write_text(json.dumps(prev, indent=1))


if __name__ == "__main__":
    main()
