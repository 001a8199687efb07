"""Dump every development row (sentence, origin, brand group, labels on the 8 categories) to JSON.

Run with the project's venv (it needs the photodose package):
    .venv/bin/python benchmarks/spikes/minilm_finetune/dump_rows.py /tmp/ftspike_rows.json
"""

from __future__ import annotations

import datetime
import hashlib
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # benchmarks/
import claims


def _git(*args: str) -> str:
    try:
        return subprocess.run(
            ["git", *args], cwd=Path(__file__).resolve().parents[3], capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        return ""


def main(out: str) -> None:
    rows, contexts = claims.load_development()
    groups = claims.brand_components(rows)
    dumped = [
        {
            "id": r["id"],
            "sentence": r["sentence"],
            "origin": r["origin"],
            "group": g,
            "labels": {c: gr for c, gr in claims.labels_of(r).items() if c in claims.LABELLED_8},
            "all_labels": claims.labels_of(r),
            # the grader as it stands now (its classifier was trained on every one of these rows,
            # so on them this is an in-sample figure): the categories it detects, of the eight
            "shipped_now": sorted(c for c in claims.predict(r, contexts) if c in claims.LABELLED_8),
        }
        for r, g in zip(rows, groups, strict=True)
    ]
    text = "\n".join(r["sentence"] for r in dumped)
    meta = {
        "loaded_utc": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "rows": len(dumped),
        "sha256_sentences": hashlib.sha256(text.encode()).hexdigest(),
        "categories": list(claims.LABELLED_8),
        # the tree the shipped grader (``shipped_now``) came from: other files may be mid-edit
        "git_head": _git("rev-parse", "HEAD"),
        "git_modified": _git("status", "--short", "--untracked-files=no").splitlines(),
        "origins": {
            o: sum(r["origin"] == o for r in dumped) for o in dict.fromkeys(r["origin"] for r in dumped)
        },
    }
    Path(out).write_text(json.dumps({"meta": meta, "rows": dumped}, ensure_ascii=False))
    print(json.dumps(meta))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/ftspike_rows.json")
