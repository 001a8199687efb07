"""The learned model's threshold per category, chosen on the rounds it never saw.

The shipped model (model.toml) was trained on development rows up to round 23 and adds a claim
at 0.9 in every category, a value chosen before round 23 on rounds 19–22.  Rounds 24–43 are out
of sample for it: about 6,500 rows read by two people.  This reads each of them once with every
category's threshold at :data:`FLOOR`, keeps each learned claim's probability, and so scores any
thresholds at or above the floor exactly (a learned claim depends only on its own sentence,
category and probability: ``_Extractor.run_learned``).

The TF-IDF classifier is retrained here on the rows up to round 23 (:func:`rows_up_to`), so that it
too is out of sample on these rounds, as it is on a fresh round.  The rules are not: they were
written from these rounds' misses through stop 32, so they catch more of them than of fresh copy,
and what is left for the model is harder; the choice below is conservative for that.

The rule, fixed before any figure was read (stop 33):

- Selection rounds :data:`CHOOSE` (24–39); rounds :data:`CHECK` (40–43) are read afterwards, post
  hoc, and the next fresh rounds are the measurement.
- For each category the model's claims are counted in bands of probability: [0.8, 0.9),
  [0.7, 0.8), [0.6, 0.7), [0.5, 0.6), and [0.9, 0.95).  In a band, *right* is a claim on a row the
  reader labelled with that category, *wrong* any other, and *neutral* a wrong one on a row the
  reader labelled with no claim.
- Lower the category's threshold band by band from 0.9 while the next band has at least
  :data:`MIN_CLAIMS` claims, precision right / (right + wrong) ≥ :data:`MIN_PRECISION` (at or
  over the grader's own micro precision on fresh rounds, 0.61–0.84: a band that meets it adds
  recall without lowering precision) and neutral ≤ right / :data:`RIGHT_PER_NEUTRAL`; stop at the
  first band that fails.
- If nothing is lowered and the band [0.9, 0.95) has at least :data:`MIN_CLAIMS` claims with
  precision under 0.5, raise the threshold to 0.95.
- A veto, read the same way (stop 24 measured one on two rounds; 20 rounds are a larger sample):
  a claim of the rules or the classifier is dropped when the model scores its category under v.
  Per category, the highest v of :data:`VETO_GRID` at which, on the selection rounds, at least
  :data:`MIN_CLAIMS` claims are dropped and at least :data:`MIN_PRECISION` of them are wrong; else
  no veto.  The guide's tests must then pass with it (stop 24's veto failed 22 of them).

What shipped (model.toml): the thresholds the rule kept (0.9 everywhere), and the veto's values as
a *doubt mark* instead of a veto: the rule's veto fails 21 of the claims tests (claims the guide
settles as claims), so the rules keep such a claim and the report marks it doubtful with what such
marks were worth here (``doubt_marks``).  Prediction for the next fresh rounds (44 and 45), fixed
before they were run: pooled, at most 30 % of the rule claims marked doubtful are the readers'
claims (19 % here: 76 of 392).

    .venv/bin/python benchmarks/claims_model/category_thresholds.py \\
        --out benchmarks/results/claims_model/category_thresholds.json
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
import claims  # noqa: E402

CHOOSE = tuple(range(24, 40))
CHECK = tuple(range(40, 44))
#: the lowest threshold read; every band's lower edge
FLOOR = 0.5
BANDS_DOWN = ((0.8, 0.9), (0.7, 0.8), (0.6, 0.7), (0.5, 0.6))
BAND_UP = (0.9, 0.95)
MIN_CLAIMS = 10
MIN_PRECISION = 0.75
RIGHT_PER_NEUTRAL = 5
VETO_GRID = (0.01, 0.02, 0.05, 0.1)
#: the last round whose rows the shipped model was trained on (model.toml: rounds up to 23)
MODEL_ROUNDS_UP_TO = 23


def fresh_path(n: int) -> Path:
    return ROOT / "tests" / "data" / f"claims_heldout_round{n}.toml"


def rows_up_to(last_round: int) -> list[dict[str, Any]]:
    """The development rows as they stood when ``last_round`` had joined them."""
    later = tuple(
        (p, leaked)
        for p, leaked in claims.LATER_ROUNDS
        if int(p.stem.removeprefix("claims_heldout_round")) <= last_round
    )
    dev, _ = claims.load_development(later=later)
    return dev


def round_rows(n: int) -> list[dict[str, Any]]:
    """Round ``n``'s rows less those its first run dropped (as recorded in claims.json)."""
    recorded = json.loads(claims.RESULTS.read_text(encoding="utf-8"))
    drop = set(recorded[f"round{n}_first_run"]["dropped_as_in_development_corpus"])
    return [r for r in claims.check_fresh_sha(fresh_path(n)) if r["id"] not in drop]


def read_round(rows: list[dict[str, Any]], contexts: dict[str, Any]) -> dict[int, dict[str, Any]]:
    """Per row: the rules' and classifier's claims (category → worst grade), the learned model's
    claims at the floor (category → (worst grade, probability)) and the model's probability of
    every category."""
    from photodose.claims.learned import load_model

    model = load_model()
    out: dict[int, dict[str, Any]] = {}
    for row in rows:
        graded = [
            g
            for g in claims.report_for(row, contexts, learned=True).claims
            if g.category in claims.FRESH_LABELLED
        ]
        learned = [g for g in graded if "model_probability" in g.claim.details]
        # every learned claim of a category in a sentence carries the same probability
        p_of = {g.category: float(g.claim.details["model_probability"]) for g in learned}
        probs = model.probabilities([row["sentence"]])[0]
        out[row["id"]] = {
            "rules": claims.worst_grades(g for g in graded if "model_probability" not in g.claim.details),
            "learned": {c: (grade, p_of[c]) for c, grade in claims.worst_grades(learned).items()},
            "p": {c: float(probs[k]) for k, c in enumerate(model.card.categories)},
        }
    return out


def predictions(
    read: dict[int, dict[str, Any]], thresholds: dict[str, float], veto: dict[str, float] | None = None
) -> dict[int, dict[str, str]]:
    """The grader's predictions with the learned model at ``thresholds`` (each ≥ FLOOR) and, with
    ``veto``, each rule claim of a category dropped where the model scores it under the value."""
    veto = veto or {}
    out = {}
    for i, r in read.items():
        p = {c: g for c, g in r["rules"].items() if r["p"][c] >= veto.get(c, 0.0)}
        for c, (g, prob) in r["learned"].items():
            if prob >= thresholds[c]:
                p[c] = g
        out[i] = p
    return out


def bands(
    rows: list[dict[str, Any]], read: dict[int, dict[str, Any]]
) -> dict[str, dict[str, dict[str, int]]]:
    """Per category and band "lo-hi": right, wrong and neutral learned claims."""
    out: dict[str, dict[str, dict[str, int]]] = defaultdict(
        lambda: {f"{lo}-{hi}": {"right": 0, "wrong": 0, "neutral": 0} for lo, hi in (*BANDS_DOWN, BAND_UP)}
    )
    for row in rows:
        expected = claims.labels_of(row)
        for c, (_g, p) in read[row["id"]]["learned"].items():
            for lo, hi in (*BANDS_DOWN, BAND_UP):
                if lo <= p < hi:
                    b = out[c][f"{lo}-{hi}"]
                    if c in expected:
                        b["right"] += 1
                    else:
                        b["wrong"] += 1
                        b["neutral"] += not expected
    return {c: out[c] for c in claims.FRESH_LABELLED}


def choose(tally: dict[str, dict[str, dict[str, int]]]) -> tuple[dict[str, float], dict[str, str]]:
    """The rule in the module docstring: a threshold per category and why."""
    chosen: dict[str, float] = {}
    why: dict[str, str] = {}
    for c, by_band in tally.items():
        t = 0.9
        reason = "kept at 0.9"
        for lo, hi in BANDS_DOWN:
            b = by_band[f"{lo}-{hi}"]
            n = b["right"] + b["wrong"]
            if n < MIN_CLAIMS:
                reason = f"stops above {lo}: {n} claims in [{lo}, {hi}), under {MIN_CLAIMS}"
                break
            if b["right"] / n < MIN_PRECISION:
                reason = f"stops above {lo}: [{lo}, {hi}) precision {b['right'] / n:.2f} < {MIN_PRECISION}"
                break
            if b["neutral"] * RIGHT_PER_NEUTRAL > b["right"]:
                reason = f"stops above {lo}: [{lo}, {hi}) {b['neutral']} neutral for {b['right']} right"
                break
            t = lo
            reason = f"lowered to {lo}"
        if t == 0.9:
            lo, hi = BAND_UP
            b = by_band[f"{lo}-{hi}"]
            n = b["right"] + b["wrong"]
            if n >= MIN_CLAIMS and b["right"] / n < 0.5:
                t = hi
                reason = f"raised to {hi}: [{lo}, {hi}) precision {b['right'] / n:.2f} < 0.5"
        chosen[c] = t
        why[c] = reason
    return chosen, why


def veto_tally(
    rows: list[dict[str, Any]], read: dict[int, dict[str, Any]]
) -> dict[str, dict[str, dict[str, int]]]:
    """Per category and veto value: the rule claims it would drop, right (the reader's) or wrong,
    and the neutral rows among the wrong."""
    out: dict[str, dict[str, dict[str, int]]] = {
        c: {str(v): {"right": 0, "wrong": 0, "neutral": 0} for v in VETO_GRID} for c in claims.FRESH_LABELLED
    }
    for row in rows:
        expected = claims.labels_of(row)
        r = read[row["id"]]
        for c in r["rules"]:
            for v in VETO_GRID:
                if r["p"][c] < v:
                    t = out[c][str(v)]
                    if c in expected:
                        t["right"] += 1
                    else:
                        t["wrong"] += 1
                        t["neutral"] += not expected
    return out


def choose_veto(tally: dict[str, dict[str, dict[str, int]]]) -> dict[str, float]:
    """The veto rule in the module docstring: per category, a value or none (absent)."""
    chosen = {}
    for c, by_v in tally.items():
        for v in sorted(VETO_GRID, reverse=True):
            t = by_v[str(v)]
            n = t["right"] + t["wrong"]
            if n >= MIN_CLAIMS and t["wrong"] / n >= MIN_PRECISION:
                chosen[c] = v
                break
    return chosen


def doubt_marks(values: dict[str, float], *tallies: dict[str, dict[str, dict[str, int]]]) -> dict[str, Any]:
    """The chosen veto values used as a mark instead (model.toml ``[use.doubt]``): per tally (the
    selection rounds, the check rounds), how many rule claims they mark and how many of those are
    the readers' claims; and both pooled."""
    parts = []
    for tally in tallies:
        right = sum(tally[c][str(v)]["right"] for c, v in values.items())
        wrong = sum(tally[c][str(v)]["wrong"] for c, v in values.items())
        parts.append({"claims": right + wrong, "readers_claims": right})
    pooled = {k: sum(p[k] for p in parts) for k in ("claims", "readers_claims")}
    return {"values": values, "choose_24_39": parts[0], "check_40_43": parts[1], "pooled_24_43": pooled}


def _figures(
    rows: list[dict[str, Any]], contexts: dict[str, Any], pred: dict[int, dict[str, str]]
) -> dict[str, Any]:
    s = claims.score(rows, contexts, pred)
    return {
        "recall": s["micro"]["recall"],
        "precision": s["micro"]["precision"],
        "grade_agreement": s["grade_agreement"],
        "neutral": s["hard_negatives_with_a_claim"],
        "neutral_rows": s["hard_negatives"],
        "claims_found": sum(v["tp"] for v in s["per_category"].values()),
        "claims": sum(v["support"] for v in s["per_category"].values()),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()

    import photodose.claims.classify as classify_mod
    from photodose.claims.learned import load_model

    _, contexts = claims.load_corpus()
    clf = classify_mod.parse_classifier(claims.fit_classifier(rows_up_to(MODEL_ROUNDS_UP_TO)))
    classify_mod.load_classifier = lambda *_a, **_k: clf  # type: ignore[assignment]
    model = load_model()
    model.card = dataclasses.replace(model.card, thresholds=dict.fromkeys(model.card.categories, FLOOR))

    rows = {n: round_rows(n) for n in (*CHOOSE, *CHECK)}
    read: dict[int, dict[str, Any]] = {}
    for n, rs in rows.items():
        read.update(read_round(rs, contexts))
        print("read round", n, len(rs), flush=True)

    choose_rows = [r for n in CHOOSE for r in rows[n]]
    tally = bands(choose_rows, read)
    chosen, why = choose(tally)
    vt = veto_tally(choose_rows, read)
    veto = choose_veto(vt)
    shipped = dict.fromkeys(claims.FRESH_LABELLED, 0.9)
    vt_check = veto_tally([r for n in CHECK for r in rows[n]], read)
    parts = {
        "choose_24_39": [r for n in CHOOSE for r in rows[n]],
        "check_40_43": [r for n in CHECK for r in rows[n]],
    }
    off = {i: dict(r["rules"]) for i, r in read.items()}
    off_by_round = {n: _figures(rs, contexts, off) for n, rs in rows.items()}
    off_pooled = {part: _figures(prs, contexts, off) for part, prs in parts.items()}
    doc: dict[str, Any] = {
        "protocol": __doc__,
        "classifier": f"retrained on the development rows up to round {MODEL_ROUNDS_UP_TO}",
        "bands_choose_rounds": tally,
        "bands_check_rounds": bands([r for n in CHECK for r in rows[n]], read),
        "chosen": chosen,
        "why": why,
        "veto_choose_rounds": vt,
        "veto_check_rounds": vt_check,
        "veto_chosen": veto,
        "doubt_marks": doubt_marks(veto, vt, vt_check),
        "by_round": {},
        "pooled": {},
    }
    runs = (
        ("shipped_0.9", shipped, None),
        ("chosen", chosen, None),
        ("all_0.7", dict.fromkeys(shipped, 0.7), None),
        ("shipped_0.9_with_veto", shipped, veto),
    )
    for name, th, vet in runs:
        pred = predictions(read, th, vet)
        for n, rs in rows.items():
            doc["by_round"].setdefault(str(n), {})[name] = _figures(rs, contexts, pred)
            doc["by_round"][str(n)].setdefault("model_off", off_by_round[n])
        for part, prs in parts.items():
            doc["pooled"].setdefault(part, {})[name] = _figures(prs, contexts, pred)
            doc["pooled"][part].setdefault("model_off", off_pooled[part])
    args.out.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps({"chosen": chosen, "why": why, "veto": veto, "pooled": doc["pooled"]}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
