"""Which heavy modules an import pulls in, checked in a fresh interpreter (the CLI's startup cost)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterable


def loaded_after(statement: str, modules: Iterable[str]) -> list[str]:
    """The ``modules`` present in ``sys.modules`` after running ``statement`` in a new Python."""
    code = f"import sys; {statement}; print(','.join(m for m in {tuple(modules)!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return [m for m in out.stdout.strip().split(",") if m]
