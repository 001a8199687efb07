"""Score a fresh round with the exported ONNX models (``ft_spike.py --export DIR``) in onnxruntime:
alone and joined with the grader's recorded first run, at 0.5 and 0.9, fp32 against int8.

    python onnx_eval.py --rows rows_22.json --onnx DIR --round 22
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np
from ft_spike import CATS  # the script's folder is on sys.path when run as a script
from summarise import CLAIMS_JSON, first_run_detections, score


def main() -> None:
    import onnxruntime as ort
    from transformers import AutoTokenizer

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", required=True)
    ap.add_argument("--onnx", required=True, help="the folder ft_spike.py --export wrote")
    ap.add_argument("--round", type=int, required=True)
    args = ap.parse_args()
    rows = json.loads(Path(args.rows).read_text())["rows"]
    test = [r for r in rows if r["origin"] == f"claims_heldout_round{args.round}"]
    first = json.loads(CLAIMS_JSON.read_text())[f"round{args.round}_first_run"]
    fr = first_run_detections(first, test)
    tok = AutoTokenizer.from_pretrained(args.onnx)
    texts = [r["sentence"] for r in test]
    res: dict[str, Any] = {}
    for name in ("claims_minilm.onnx", "claims_minilm.int8.onnx"):
        sess = ort.InferenceSession(str(Path(args.onnx) / name), providers=["CPUExecutionProvider"])
        out = []
        for i in range(0, len(texts), 64):
            b = tok(texts[i : i + 64], padding=True, truncation=True, max_length=64, return_tensors="np")
            feed = {k: b[k].astype(np.int64) for k in ("input_ids", "attention_mask")}
            out.append(sess.run(None, feed)[0])
        p = np.concatenate(out)
        for t in (0.5, 0.9):
            alone = {
                r["id"]: {c for c, x in zip(CATS, p[k], strict=True) if x >= t} for k, r in enumerate(test)
            }
            a = score(test, alone)
            u = score(test, {r["id"]: fr[r["id"]] | alone[r["id"]] for r in test})
            res[f"{name} {t}"] = {
                "alone": [a["micro"], a["neutral_flagged"]],
                "first_run_or": [u["micro"], u["neutral_flagged"]],
            }
            print(
                name, t, "alone", a["micro"], a["neutral_flagged"], "| OR", u["micro"], u["neutral_flagged"]
            )
    print(json.dumps(res))


if __name__ == "__main__":
    main()
