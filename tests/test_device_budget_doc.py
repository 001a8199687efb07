"""docs/device_budget.md's tables are the library's output (benchmarks/device_budget_table.py)."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

from script_module import load_script

ROOT = Path(__file__).resolve().parent.parent


def _generator() -> ModuleType:
    return load_script("benchmarks/device_budget_table.py")


def test_the_doc_tables_match_the_library() -> None:
    gen = _generator()
    doc = (ROOT / "docs" / "device_budget.md").read_text(encoding="utf-8")
    blocks = {name: make() for name, make in gen.BLOCKS.items()}
    stale = gen.stale_blocks(doc, blocks)
    assert not stale, f"docs/device_budget.md is stale in {stale}: run .venv/bin/python {gen.SCRIPT}"
    # every catalogued stated figure is in the table, classified
    from photodose.device import catalog

    n_stated = sum(len(d.stated) for d in catalog())
    rows = [r for r in blocks["stated"].splitlines()[2:] if r.startswith("| ")]
    assert len(rows) == n_stated
    assert all(
        r.rstrip(" |").endswith(("**face average**", "**peak only**", "**implausible**")) for r in rows
    )


def test_render_replaces_only_the_marked_block() -> None:
    gen = _generator()
    doc = (
        "intro 26 mW/cm²\n<!-- generated: stated (x) -->\nold table\n<!-- end generated: stated -->\noutro\n"
    )
    out = gen.render(doc, {"stated": "| new |"})
    assert (
        out
        == "intro 26 mW/cm²\n<!-- generated: stated (x) -->\n| new |\n<!-- end generated: stated -->\noutro\n"
    )
    assert gen.stale_blocks(out, {"stated": "| new |"}) == []
    assert gen.stale_blocks(doc, {"stated": "| new |"}) == ["stated"]
    with pytest.raises(SystemExit, match="no block 'arithmetic'"):
        gen.render(doc, {"arithmetic": "x"})
