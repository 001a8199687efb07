"""Join the spike's runs into benchmarks/results/claims_minilm_spike.json and print a markdown table.

    python summarise.py --rows /tmp/ftspike_rows.json --runs runs/ [--section out.md]
    python summarise.py --rows rows.json --runs runs/ --key more_data   # the rounds 19-21 reruns
    python summarise.py --show more_data                                # print from the JSON only

Without ``--key`` the runs go to ``rounds``/``runs`` (the first spike, rounds 9-11); with
``--key K`` to ``rounds_K``/``runs_K`` plus ``meta_K`` (the rows file's meta), leaving every other
key of the results file as it was.

Beside each round it puts the shipped grader's first run on that round (``round{R}_first_run`` in
benchmarks/results/claims.json, read, not rerun), and rebuilds that run's per-row detections from
its recorded disagreements (a row not listed was detected exactly as labelled) to score the union
"first-run grader OR fine-tuned model".  Stdlib only.
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path
from typing import Any

from ft_spike import CATS  # the script's folder is on sys.path when run as a script

ROOT = Path(__file__).resolve().parents[3]
CLAIMS_JSON = ROOT / "benchmarks" / "results" / "claims.json"
OUT = ROOT / "benchmarks" / "results" / "claims_minilm_spike.json"


def score(rows: list[dict[str, Any]], pred: dict[int, set[str]]) -> dict[str, Any]:
    tp = fp = fn = 0
    per = {c: [0, 0, 0] for c in CATS}
    neutral = flagged = 0
    for r in rows:
        e, p = set(r["labels"]), pred[r["id"]] & set(CATS)
        for c in CATS:
            per[c][0] += c in e and c in p
            per[c][1] += c in p and c not in e
            per[c][2] += c in e and c not in p
        if not e:
            neutral += 1
            flagged += bool(p)
    tp, fp, fn = (sum(v[i] for v in per.values()) for i in range(3))
    return {
        "micro": {
            "recall": round(tp / (tp + fn), 4),
            "precision": round(tp / (tp + fp), 4) if tp + fp else None,
        },
        "neutral_flagged": flagged,
        "neutral_rows": neutral,
        "per_category": {
            c: {
                "support": v[0] + v[2],
                "recall": round(v[0] / (v[0] + v[2]), 4) if v[0] + v[2] else None,
                "precision": round(v[0] / (v[0] + v[1]), 4) if v[0] + v[1] else None,
            }
            for c, v in per.items()
        },
    }


def first_run_detections(first: dict[str, Any], rows: list[dict[str, Any]]) -> dict[int, set[str]]:
    dis = {d["id"]: d for d in first["disagreements"]}
    return {r["id"]: set(dis[r["id"]]["predicted"]) if r["id"] in dis else set(r["labels"]) for r in rows}


def bootstrap(
    rows: list[dict[str, Any]], a: dict[int, set[str]], b: dict[int, set[str]], n: int = 2000
) -> dict[str, Any]:
    """Paired difference a − b in micro recall and in neutral rows flagged, with a 95 % interval
    from resampling the round's brand groups (rows of one brand move together)."""
    import random

    groups: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault(r["group"], []).append(r)
    keys = sorted(groups)

    def stats(sample: list[dict[str, Any]]) -> tuple[float, int]:
        tp_a = tp_b = pos = neu_a = neu_b = 0
        for r in sample:
            e = set(r["labels"])
            pos += len(e)
            tp_a += len(e & a[r["id"]])
            tp_b += len(e & b[r["id"]])
            if not e:
                neu_a += bool(a[r["id"]] & set(CATS))
                neu_b += bool(b[r["id"]] & set(CATS))
        return ((tp_a - tp_b) / pos if pos else 0.0), neu_a - neu_b

    rng = random.Random(0)
    d_rec, d_neu = [], []
    for _ in range(n):
        sample = [r for k in (rng.choice(keys) for _ in keys) for r in groups[k]]
        x, y = stats(sample)
        d_rec.append(x)
        d_neu.append(y)
    d_rec.sort()
    d_neu.sort()
    point = stats(rows)
    return {
        "groups": len(keys),
        "delta_recall": round(point[0], 4),
        "delta_recall_95": [round(d_rec[int(0.025 * n)], 4), round(d_rec[int(0.975 * n) - 1], 4)],
        "delta_neutral_flagged": point[1],
        "delta_neutral_flagged_95": [d_neu[int(0.025 * n)], d_neu[int(0.975 * n) - 1]],
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", default=None)
    ap.add_argument("--runs", default=None)
    ap.add_argument("--section", default=None)
    ap.add_argument("--extra", default=None, help="a JSON file merged in under 'extra' (e.g. cost)")
    ap.add_argument("--key", default=None, help="write to rounds_KEY/runs_KEY, keeping the other keys")
    ap.add_argument("--show", default=None, metavar="KEY", help="print the tables of KEY ('' = first spike)")
    args = ap.parse_args()
    if args.show is not None:
        saved = json.loads(OUT.read_text())
        sfx = f"_{args.show}" if args.show else ""
        view = {"rounds": saved[f"rounds{sfx}"], "runs": saved[f"runs{sfx}"]}
        print(render(view) + "\n" + render_compact(view, per_seed=True) + "\n" + render_details(view))
        return
    if not (args.rows and args.runs):
        ap.error("--rows and --runs are needed (or --show)")
    rows_file = json.loads(Path(args.rows).read_text())
    rows = rows_file["rows"]
    claims = json.loads(CLAIMS_JSON.read_text())
    runs = [json.loads(p.read_text()) for p in sorted(Path(args.runs).glob("round*_seed*.json"))]
    out: dict[str, Any] = {"rounds": {}, "runs": []}
    for run in runs:
        R = run["round"]
        test = [r for r in rows if r["origin"] == f"claims_heldout_round{R}"]
        first = claims[f"round{R}_first_run"]
        shipped = first_run_detections(first, test)
        rebuilt = score(test, shipped)
        slim = {k: v for k, v in run.items() if k != "models"}
        slim["models"] = {}
        for name, m in run["models"].items():
            slim["models"][name] = {k: v for k, v in m.items() if k != "test_probabilities"}
            th = m["chosen_thresholds"]["thresholds"]
            prob = m["test_probabilities"]
            ft = {
                r["id"]: {c for c, p in zip(CATS, prob[str(r["id"])], strict=True) if p >= th[c]}
                for r in test
            }
            slim["models"][name]["union_with_first_run_grader"] = score(
                test, {i: shipped[i] | ft[i] for i in shipped}
            )
            slim["models"][name]["vs_first_run_brand_bootstrap"] = bootstrap(test, ft, shipped)
            slim["models"][name]["union_vs_first_run_brand_bootstrap"] = bootstrap(
                test, {i: shipped[i] | ft[i] for i in shipped}, shipped
            )
        out["runs"].append(slim)
        out["rounds"].setdefault(
            str(R),
            {
                "shipped_first_run": {
                    "micro": first["micro"],
                    "neutral_flagged": first["hard_negatives_with_a_claim"],
                    "neutral_rows": first["hard_negatives"],
                    "per_category": {
                        c: {k: first["per_category"][c][k] for k in ("support", "recall", "precision")}
                        for c in CATS
                    },
                },
                "shipped_first_run_rebuilt_from_disagreements": rebuilt,
            },
        )
    # seed spread per round
    for R, rec in out["rounds"].items():
        same = [r for r in out["runs"] if str(r["round"]) == R]
        if len(same) > 1:
            spread: dict[str, Any] = {}
            for name in ("minilm_finetuned", "tfidf_lr"):
                for mode in ("at_0.5", "chosen_thresholds"):
                    vals = [r["models"][name][mode]["test"] for r in same]
                    spread[f"{name}/{mode}"] = {
                        "seeds": [r["seed"] for r in same],
                        "recall": [v["micro"]["recall"] for v in vals],
                        "precision": [v["micro"]["precision"] for v in vals],
                        "neutral_flagged": [v["neutral_flagged"] for v in vals],
                        "recall_sd": round(statistics.stdev(v["micro"]["recall"] for v in vals), 4),
                    }
            rec["seed_spread"] = spread
    saved = json.loads(OUT.read_text()) if OUT.exists() else {}
    if args.key:
        # add the new runs beside the earlier ones: every other key stays as it was
        saved[f"meta_{args.key}"] = rows_file["meta"]
        saved[f"rounds_{args.key}"] = out["rounds"]
        saved[f"runs_{args.key}"] = out["runs"]
    else:
        saved.update(out)
    if args.extra:
        saved["extra"] = json.loads(Path(args.extra).read_text())
    OUT.write_text(json.dumps(saved, indent=1, ensure_ascii=False) + "\n")
    table = render(out)
    print(table)
    print(render_compact(out, per_seed=bool(args.key)))
    if args.key:
        print(render_details(out))
    if args.section:
        Path(args.section).write_text(render_compact(out))


def _cell(vals: list[float], digits: int = 2) -> str:
    """One value, or the mean with its range over seeds."""
    if len(vals) == 1 or min(vals) == max(vals):
        return f"{vals[0]:.{digits}f}"
    return f"{statistics.mean(vals):.{digits}f} ({min(vals):.{digits}f}–{max(vals):.{digits}f})"


def _int_cell(vals: list[int]) -> str:
    if len(vals) == 1 or min(vals) == max(vals):
        return str(vals[0])
    return f"{statistics.mean(vals):.0f} ({min(vals)}–{max(vals)})"


def render(out: dict[str, Any]) -> str:
    """Markdown table: per round, the first run, then each model over its seeds (mean and range)."""
    lines = [
        "| round (neutral rows) | system | recall | precision | neutral flagged |",
        "|---|---|---|---|---|",
    ]
    for R in sorted(out["rounds"], key=int):
        rec = out["rounds"][R]
        s = rec["shipped_first_run"]
        same = [r for r in out["runs"] if str(r["round"]) == R]
        head = f"{R} ({s['neutral_rows']})"
        lines.append(
            f"| {head} | shipped grader, first run | {s['micro']['recall']:.2f} | "
            f"{s['micro']['precision']:.2f} | {s['neutral_flagged']} |"
        )
        for name, label in (("tfidf_lr", "TF-IDF 1–2-grams + LR"), ("minilm_finetuned", "MiniLM fine-tuned")):
            for mode, ml in (("at_0.5", "threshold 0.5"), ("chosen_thresholds", "chosen thresholds")):
                t = [r["models"][name][mode]["test"] for r in same]
                seeds = "" if name == "tfidf_lr" else f", {len(same)} seed{'s' if len(same) > 1 else ''}"
                lines.append(
                    f"| | {label}, {ml}{seeds} | {_cell([x['micro']['recall'] for x in t])} | "
                    f"{_cell([x['micro']['precision'] for x in t])} | "
                    f"{_int_cell([x['neutral_flagged'] for x in t])} |"
                )
        u = [r["models"]["minilm_finetuned"]["union_with_first_run_grader"] for r in same]
        lines.append(
            f"| | first run OR MiniLM (chosen) | {_cell([x['micro']['recall'] for x in u])} | "
            f"{_cell([x['micro']['precision'] for x in u])} | "
            f"{_int_cell([x['neutral_flagged'] for x in u])} |"
        )
    return "\n".join(lines) + "\n"


def render_compact(out: dict[str, Any], per_seed: bool = False) -> str:
    """One line per round; each cell "recall / precision / neutral flagged", MiniLM as the mean
    over seeds (with ``per_seed``, also one line per seed under it)."""
    cols = [
        ("tfidf_lr", "at_0.5"),
        ("tfidf_lr", "chosen_thresholds"),
        ("minilm_finetuned", "at_0.5"),
        ("minilm_finetuned", "chosen_thresholds"),
    ]
    lines = [
        "| round (claims, neutral rows) | grader, first run | TF-IDF + LR, 0.5 | TF-IDF + LR, chosen "
        "| MiniLM, 0.5 | MiniLM, chosen | first run OR MiniLM chosen |",
        "|---|---|---|---|---|---|---|",
    ]

    def cell(ts: list[dict[str, Any]]) -> str:
        r = statistics.mean(t["micro"]["recall"] for t in ts)
        p = statistics.mean(t["micro"]["precision"] for t in ts)
        n = statistics.mean(t["neutral_flagged"] for t in ts)
        return f"{r:.2f} / {p:.2f} / {n:.0f}"

    for R in sorted(out["rounds"], key=int):
        rec = out["rounds"][R]
        s = rec["shipped_first_run"]
        same = [r for r in out["runs"] if str(r["round"]) == R]
        claims = sum(
            v["support"] for v in rec["shipped_first_run_rebuilt_from_disagreements"]["per_category"].values()
        )
        row = [f"{R} ({claims}, {s['neutral_rows']}; {len(same)} seed{'s' if len(same) > 1 else ''})"]
        row.append(f"{s['micro']['recall']:.2f} / {s['micro']['precision']:.2f} / {s['neutral_flagged']}")
        for name, mode in cols:
            row.append(cell([r["models"][name][mode]["test"] for r in same]))
        row.append(cell([r["models"]["minilm_finetuned"]["union_with_first_run_grader"] for r in same]))
        lines.append("| " + " | ".join(row) + " |")
        if per_seed and len(same) > 1:
            for r in sorted(same, key=lambda r: r["seed"]):
                seed_row = [f"  seed {r['seed']}", ""]
                seed_row += [cell([r["models"][name][mode]["test"]]) for name, mode in cols]
                seed_row.append(cell([r["models"]["minilm_finetuned"]["union_with_first_run_grader"]]))
                lines.append("| " + " | ".join(seed_row) + " |")
    return "\n".join(lines) + "\n"


def _delta(b: dict[str, Any] | None) -> str:
    """Two cells: the recall and the neutral-flagged differences with their 95 % intervals."""
    if not b:
        return "– | –"
    r, n = b["delta_recall_95"], b["delta_neutral_flagged_95"]
    return (
        f"{b['delta_recall']:+.3f} [{r[0]:+.3f}, {r[1]:+.3f}] | "
        f"{b['delta_neutral_flagged']:+d} [{n[0]:+d}, {n[1]:+d}]"
    )


def render_details(out: dict[str, Any]) -> str:
    """Per round: the runs (training rows, train time), the brand-bootstrap intervals against the
    first run, and per-category recall of the first run, MiniLM (chosen) and their union."""
    lines = []
    for R in sorted(out["rounds"], key=int):
        rec = out["rounds"][R]
        first = rec["shipped_first_run_rebuilt_from_disagreements"]["per_category"]
        same = sorted((r for r in out["runs"] if str(r["round"]) == R), key=lambda r: r["seed"])
        lines.append(f"### round {R}")
        lines.append("")
        lines.append(
            "| seed | train / validation rows (groups) | train s | threads | MiniLM chosen − first run: "
            "recall [95 %] | neutral [95 %] | OR − first run: recall [95 %] | neutral [95 %] |"
        )
        lines.append("|---|---|---|---|---|---|---|---|")
        for r in same:
            m = r["models"]["minilm_finetuned"]
            b, u = m["vs_first_run_brand_bootstrap"], m.get("union_vs_first_run_brand_bootstrap")
            lines.append(
                f"| {r['seed']} | {r['train_rows']} / {r['validation_rows']} ({r['validation_groups']}) | "
                f"{m['train_s']:.0f} | {r['hyperparameters'].get('threads')} | {_delta(b)} | {_delta(u)} |"
            )
        lines.append("")
        seeds = [str(r["seed"]) for r in same]
        lines.append(
            "| category | claims | first run | "
            + " | ".join(f"MiniLM chosen s{k}" for k in seeds)
            + " | "
            + " | ".join(f"OR s{k}" for k in seeds)
            + " |"
        )
        lines.append("|---|---|---|" + "---|" * (2 * len(same)))

        def rc(x: float | None) -> str:
            return "–" if x is None else f"{x:.2f}"

        for c in CATS:
            cells = [c, str(first[c]["support"]), rc(first[c]["recall"])]
            cells += [
                rc(r["models"]["minilm_finetuned"]["chosen_thresholds"]["test"]["per_category"][c]["recall"])
                for r in same
            ]
            cells += [
                rc(
                    r["models"]["minilm_finetuned"]["union_with_first_run_grader"]["per_category"][c][
                        "recall"
                    ]
                )
                for r in same
            ]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
