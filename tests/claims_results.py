"""The claims grader's recorded first runs on the fresh rounds (``benchmarks/results/claims.json``,
keys ``roundN_first_run``), read by the tests that recompute the figures shipped from them."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parents[1] / "benchmarks" / "results" / "claims.json"
_FIRST_RUN = re.compile(r"round(\d+)_first_run")


def first_runs() -> dict[int, dict[str, Any]]:
    """Round number → that round's first run, as recorded by ``benchmarks/claims.py --fresh``."""
    results = json.loads(RESULTS.read_text(encoding="utf-8"))
    return {int(m.group(1)): run for key, run in results.items() if (m := _FIRST_RUN.fullmatch(key))}
