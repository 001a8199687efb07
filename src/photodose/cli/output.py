"""JSON on stdout: exactly one object, always valid JSON (no ``NaN``/``Infinity``).

Python's ``json`` writes ``NaN`` for a float NaN, which no strict JSON parser accepts (RFC 8259
§6 has no such literal). Every command prints JSON through :func:`json_text`, which turns
non-finite floats (NaN, ±inf: e.g. the standard error of a run with a single batch) into
``null`` and then dumps with ``allow_nan=False`` so that a missed case fails loudly here
rather than in the reader's parser.
"""

from __future__ import annotations

import json
import math
import sys
from typing import Any


def finite_or_none(obj: Any) -> Any:
    """``obj`` with every non-finite float (also numpy scalars and arrays) replaced by ``None``."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: finite_or_none(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [finite_or_none(v) for v in obj]
    if isinstance(obj, bool | int | str) or obj is None:
        return obj
    tolist = getattr(obj, "tolist", None)  # numpy arrays and scalars, without importing numpy
    if callable(tolist):
        return finite_or_none(tolist())
    return obj


def json_text(obj: Any, *, default: Any = None) -> str:
    """One line of strict JSON for ``obj`` (non-finite numbers become ``null``)."""
    return json.dumps(finite_or_none(obj), allow_nan=False, ensure_ascii=False, default=default)


def echo_json(obj: Any, *, default: Any = None) -> None:
    """Write ``obj`` as one line of strict JSON to stdout."""
    sys.stdout.write(json_text(obj, default=default) + "\n")
    sys.stdout.flush()
