"""How int8 quantisation and batching move the learned model's decisions (issue 10).

Scores a fixed sample of development rows with the fp32 export (which reproduces torch exactly)
and with int8 variants, and counts the (sentence, category) decisions that flip at the shipped
threshold of 0.9.  It chose the shipped file (per-channel int8) and the batch of 1:

- per-tensor int8 (onnxruntime's default, the spike's) against per-channel;
- batches of 64 sentences (length-sorted) against one sentence at a time: dynamic quantisation
  scales a call's activations together, so in a batch a sentence's probabilities depend on the
  sentences beside it.

Needs a finished run of ``train.py`` (its folder holds ``claims_minilm.onnx``, 90 MB, not in the
repository) and the training venv (onnx, onnxruntime, tokenizers):

    /tmp/ftvenv/bin/python benchmarks/claims_model/quantisation.py /tmp/claims_model /tmp/rows.json
"""

from __future__ import annotations

import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "benchmarks" / "results" / "claims_model" / "quantisation.json"
SAMPLE = 1500
THRESHOLD = 0.9


def main(folder: str, rows_json: str) -> None:
    import onnxruntime as ort
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from tokenizers import Tokenizer

    d = Path(folder)
    rows = json.loads(Path(rows_json).read_text())["rows"]
    texts = [r["sentence"] for r in random.Random(1).sample(rows, SAMPLE)]
    tok = Tokenizer.from_file(str(d / "tokenizer.json"))
    tok.enable_truncation(max_length=64)
    tok.enable_padding(pad_id=0, pad_token="[PAD]")

    def score(path: Path, batch: int) -> tuple[np.ndarray, float]:
        so = ort.SessionOptions()
        so.intra_op_num_threads, so.inter_op_num_threads, so.log_severity_level = 1, 1, 3
        sess = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), 8), dtype=np.float32)
        t = time.process_time()
        for i in range(0, len(texts), batch):
            idx = order[i : i + batch]
            enc = tok.encode_batch([texts[j] for j in idx])
            feed = {
                "input_ids": np.array([e.ids for e in enc], dtype=np.int64),
                "attention_mask": np.array([e.attention_mask for e in enc], dtype=np.int64),
            }
            out[idx] = sess.run(None, feed)[0]
        return out, time.process_time() - t

    reference, _ = score(d / "claims_minilm.onnx", 64)
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        variants = {"per_tensor": Path(tmp) / "pt.onnx", "per_channel": Path(tmp) / "pc.onnx"}
        for name, path in variants.items():
            quantize_dynamic(
                str(d / "claims_minilm.onnx"),
                str(path),
                weight_type=QuantType.QInt8,
                per_channel=name == "per_channel",
            )
            for batch in (64, 1):
                p, cpu = score(path, batch)
                diff = np.abs(p - reference)
                results[f"int8_{name}_batch{batch}"] = {
                    "bytes": path.stat().st_size,
                    "max_abs_diff_vs_fp32": round(float(diff.max()), 4),
                    "p99_abs_diff_vs_fp32": round(float(np.quantile(diff, 0.99)), 4),
                    "decisions_flipped": int(((p >= THRESHOLD) != (reference >= THRESHOLD)).sum()),
                    "claims_at_threshold": int((p >= THRESHOLD).sum()),
                    "cpu_ms_per_sentence_1_thread": round(cpu / len(texts) * 1000, 2),
                }
    doc = {
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        "sample": f"{SAMPLE} development rows, random.Random(1).sample",
        "decisions": int(reference.size),
        "threshold": THRESHOLD,
        "fp32_claims_at_threshold": int((reference >= THRESHOLD).sum()),
        "load_average": os.getloadavg(),
        "variants": results,
    }
    OUT.write_text(json.dumps(doc, indent=1) + "\n")
    print(json.dumps(doc, indent=1))


if __name__ == "__main__":
    main(*sys.argv[1:3])
