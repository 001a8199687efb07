"""A repository script that is not part of the package (``benchmarks/``, ``scripts/``,
``docs/hooks/``), loaded as a module for the tests that check it or use its functions."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


def load_script(relative_path: str, name: str | None = None, *, register: bool = False) -> ModuleType:
    """A fresh module executed from ``ROOT / relative_path`` (``name``: the module's name, by
    default the file's stem; ``register``: also put it in ``sys.modules``, which a script that
    defines dataclasses needs)."""
    path = ROOT / relative_path
    spec = importlib.util.spec_from_file_location(name or path.stem, path)
    assert spec is not None and spec.loader is not None, path
    module = importlib.util.module_from_spec(spec)
    if register:
        sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module
