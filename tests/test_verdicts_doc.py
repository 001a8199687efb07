"""docs/verdicts.md is what scripts/verdicts_doc.py makes of the current code and data."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from script_module import load_script

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def gen() -> ModuleType:
    return load_script("scripts/verdicts_doc.py")


@pytest.fixture(scope="module")
def evaluations(gen: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Any:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PHOTODOSE_CACHE_DIR", str(tmp_path_factory.mktemp("vcache")))
        return gen.collect()


def test_docs_verdicts_is_not_stale(gen: ModuleType, evaluations: Any) -> None:
    from photodose.device import catalog

    assert sorted(evaluations) == sorted(d.id for d in catalog())
    fresh = gen.build_doc(evaluations)
    committed = (ROOT / "docs" / "verdicts.md").read_text(encoding="utf-8")
    assert committed == fresh, "docs/verdicts.md is stale: run .venv/bin/python scripts/verdicts_doc.py"


def test_every_verdict_has_one_line_of_reasoning_and_its_weight(gen: ModuleType, evaluations: Any) -> None:
    doc = gen.build_doc(evaluations)
    for dev, ev in evaluations.items():
        section = doc.split(f"(`{dev}`)")[1].split("\n### ")[0].split("\n## ")[0]
        rows = [r for r in section.splitlines() if r.startswith("| ") and not r.startswith("| indication")]
        assert len(rows) == sum(1 for v in ev["verdicts"] if v.get("fluence_j_cm2") is not None)
        for row, v in zip(rows, ev["verdicts"], strict=False):
            cells = [c.strip() for c in row.strip("|").split(" | ")]
            assert cells[2].lstrip("~") == gen.SHORT[v["verdict"]]
            assert cells[2].startswith("~") == bool(v["uncertain"])
            assert cells[3] == v["evidence_weight"]["compact"]
            assert len(cells[4]) > 40 and "\n" not in cells[4]


def test_the_trials_own_mask_reads_within_for_wrinkles(gen: ModuleType, evaluations: Any) -> None:
    # Park et al. 2025 (PMID 39960921) tested this mask at this protocol: it must sit inside its own trial
    doc = gen.build_doc({"home-mask-rct-pmid-39960921": evaluations["home-mask-rct-pmid-39960921"]})
    section = doc.split("(`home-mask-rct-pmid-39960921`)")[1].split("\n## ")[0]
    rows = [r for r in section.splitlines() if r.startswith("| wrinkles")]
    assert len(rows) == 2 and all("within |" in r for r in rows), rows
