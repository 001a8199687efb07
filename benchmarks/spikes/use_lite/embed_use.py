"""Embed the sentences cv_use.py --collect wrote (sentences.json) with USE-lite, into use_cache.npz
and use_cache_texts.json next to this file; already cached sentences are kept.  Run in the
TensorFlow venv (README.md)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
from use_model import USE

HERE = Path(__file__).resolve().parent


def main() -> None:
    texts = json.loads(Path(sys.argv[1] if len(sys.argv) > 1 else HERE / "sentences.json").read_text())
    cached: dict[str, np.ndarray] = {}
    if (HERE / "use_cache.npz").exists():
        vectors = np.load(HERE / "use_cache.npz")["vectors"]
        cached = dict(zip(json.loads((HERE / "use_cache_texts.json").read_text()), vectors, strict=True))
    todo = [t for t in texts if t not in cached]
    t0 = time.time()
    model = USE()
    t1 = time.time()
    if todo:
        cached.update(zip(todo, model.embed(todo, batch_size=32), strict=True))
    t2 = time.time()
    keys = list(cached)
    stack = np.stack([cached[k] for k in keys]).astype(np.float32)
    np.savez(HERE / "use_cache.npz", vectors=stack)
    (HERE / "use_cache_texts.json").write_text(json.dumps(keys))
    norms = np.linalg.norm(stack, axis=1)
    print(
        json.dumps(
            {
                "embedded": len(todo),
                "total": len(keys),
                "load_s": round(t1 - t0, 2),
                "embed_s": round(t2 - t1, 2),
                "ms_per_sentence": round((t2 - t1) / max(1, len(todo)) * 1000, 2),
                "norm_min": float(norms.min()),
                "norm_max": float(norms.max()),
            }
        )
    )


if __name__ == "__main__":
    main()
