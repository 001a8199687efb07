"""The transport package has no import cycle: backends build on the shared pieces
(``tallies``, ``kernel``, ``rng``, …), and the engine reaches a backend only by dispatching to it."""

from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parent.parent / "src" / "photodose" / "transport"


def _imports(path: Path) -> set[str]:
    """Sibling modules of ``photodose.transport`` that ``path`` imports (at any depth of the file)."""
    siblings = {p.stem for p in PKG.glob("*.py")} - {"__init__"}
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "photodose.transport":
                found |= {a.name for a in node.names if a.name in siblings}
            elif node.module.startswith("photodose.transport."):
                found.add(node.module.split(".")[2])
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[2] for a in node.names if a.name.startswith("photodose.transport.")}
    return found & siblings


def test_transport_modules_import_without_cycles() -> None:
    graph = {p.stem: _imports(p) for p in PKG.glob("*.py") if p.stem != "__init__"}
    assert "engine" not in graph["cuda"]  # a backend depends on the shared pieces, not the engine
    assert "tallies" in graph["cuda"] and "tallies" in graph["engine"]

    def visit(node: str, stack: tuple[str, ...]) -> None:
        assert node not in stack, f"import cycle: {' -> '.join((*stack, node))}"
        for nxt in graph.get(node, ()):
            visit(nxt, (*stack, node))

    for start in graph:
        visit(start, ())
