"""The grader's first run joined with the fine-tuned model's claims at a fixed grid of thresholds,
for all eight categories or a subset: how much recall each step buys and how many neutral rows it
costs.  The grid (0.5, 0.7, 0.9, the same for every category) is fixed, not chosen on the test
rounds, and reported whole.  Reads the per-run files ``ft_spike.py`` writes (they keep each test
row's probabilities) and the recorded first runs; writes ``union_grid`` into the results file.

    python union_grid.py --rows rows_22.json RUN.json [RUN.json ...]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from ft_spike import CATS  # the script's folder is on sys.path when run as a script
from summarise import CLAIMS_JSON, OUT, first_run_detections, score

GRID = (0.5, 0.7, 0.9)
SUBSETS: dict[str, tuple[str, ...]] = {
    "all": tuple(CATS),
    "mechanism+endorsement+efficacy": ("mechanism", "endorsement", "efficacy"),
    "mechanism+endorsement": ("mechanism", "endorsement"),
}


def union_grid(rows: list[dict[str, Any]], run: dict[str, Any], first: dict[str, Any]) -> dict[str, Any]:
    r_round = run["round"]
    test = [r for r in rows if r["origin"] == f"claims_heldout_round{r_round}"]
    fr = first_run_detections(first[f"round{r_round}_first_run"], test)
    probs = run["models"]["minilm_finetuned"]["test_probabilities"]
    out: dict[str, Any] = {"round": r_round, "seed": run["seed"], "first_run": _brief(score(test, fr))}
    for name, cats in SUBSETS.items():
        for t in GRID:
            pred = {
                r["id"]: fr[r["id"]]
                | {c for c, p in zip(CATS, probs[str(r["id"])], strict=True) if c in cats and p >= t}
                for r in test
            }
            out[f"{name} >= {t}"] = _brief(score(test, pred))
    return out


def _brief(s: dict[str, Any]) -> dict[str, Any]:
    return {**s["micro"], "neutral_flagged": s["neutral_flagged"], "neutral_rows": s["neutral_rows"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", required=True)
    ap.add_argument("runs", nargs="+")
    args = ap.parse_args()
    rows = json.loads(Path(args.rows).read_text())["rows"]
    first = json.loads(CLAIMS_JSON.read_text())
    results = [union_grid(rows, json.loads(Path(f).read_text()), first) for f in args.runs]
    doc = json.loads(OUT.read_text())
    doc["union_grid"] = {
        "grid": list(GRID),
        "subsets": {k: list(v) for k, v in SUBSETS.items()},
        "runs": results,
    }
    OUT.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
    for res in results:
        fr = res["first_run"]
        head = f"{fr['recall']:.3f} / {fr['precision']:.3f} / {fr['neutral_flagged']}"
        print(f"round {res['round']} seed {res['seed']}: first run {head}")
        for key, s in res.items():
            if ">=" in key:
                print(f"  OR {key}: {s['recall']:.3f} / {s['precision']:.3f} / {s['neutral_flagged']}")


if __name__ == "__main__":
    main()
