"""Report figures drawn with matplotlib, cached on disk under a hash of what they draw.

Only the figures that depend on the device alone use it (the face map, the who-gets-what
figure); the dose figures are written directly as SVG in milliseconds
(:mod:`photodose.report.svg_chart`). A figure is a pure function of the numbers it plots and
of the drawing code, so it is stored
under ``<cache>/figures/<key>.svg|.png`` where the key is a SHA-256 over: :data:`CACHE_VERSION`,
the package version, the matplotlib version, the bytes of the drawing modules
(:data:`FIGURE_MODULES`), the figure's name and every value it plots (arrays by dtype, shape and
bytes; numbers by their exact ``repr``). A warm ``photodose evaluate --html`` of the same device
then draws nothing with matplotlib and does not import it; any change to a plotted number, to the
drawing code or to matplotlib gives a new key and a fresh drawing.

The files sit in the user's cache folder, which anything running as the user can write, and the
report inlines SVG as markup. So a stored file is read back only when it checks out: an SVG must
parse as XML with an ``<svg>`` root, no DTD, no ``script``/``foreignObject`` element, no ``on…``
event attribute, and no reference (``href``, ``url(…)``) outside the document other than an
inline PNG; a PNG must start with the PNG signature (it is inlined base64-encoded in an
attribute, so its bytes cannot become markup). Anything else (damaged, foreign, tampered) is
ignored, drawn afresh and overwritten.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import re
import tempfile
from collections.abc import Callable
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any, TypeVar

from photodose import __version__

_T = TypeVar("_T", str, bytes)

CACHE_VERSION = "1"
# modules whose code decides a figure (a change to any gives new keys)
FIGURE_MODULES = ("figures.py", "who_figure.py", "figure_cache.py")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
DISABLE_ENV = "PHOTODOSE_FIGURE_CACHE"  # "0": always draw, never read or write the cache
MAX_FILES = 400  # the oldest figures beyond this many are removed when one is written (~40 MB)

_BAD_ELEMENTS = {"script", "foreignobject", "iframe", "object", "embed", "handler", "listener"}
_EXTERNAL_URL = re.compile(r"url\(\s*['\"]?\s*(?!#)", re.IGNORECASE)


def _matplotlib_version() -> bytes:
    """matplotlib's version file, found without importing matplotlib or scanning the installed
    distributions' metadata (~40 ms); the metadata only when the file is not there."""
    from importlib.util import find_spec

    spec = find_spec("matplotlib")
    if spec is not None and spec.origin:
        try:
            return (Path(spec.origin).parent / "_version.py").read_bytes()
        except OSError:
            pass
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("matplotlib").encode()
    except PackageNotFoundError:  # pragma: no cover - matplotlib is a runtime dependency
        return b"none"


@lru_cache(maxsize=1)
def _code_hash() -> str:
    h = hashlib.sha256(f"{CACHE_VERSION}/{__version__}/matplotlib ".encode())
    h.update(_matplotlib_version())
    report_pkg = files("photodose") / "report"
    for name in FIGURE_MODULES:
        h.update(name.encode())
        h.update((report_pkg / name).read_bytes())
    return h.hexdigest()


def _feed(h: Any, value: Any) -> None:
    """Feed ``value`` to the hash unambiguously (type-tagged, length-prefixed)."""
    import numpy as np

    if isinstance(value, np.ndarray):
        arr = np.ascontiguousarray(value)
        h.update(f"nd{arr.dtype.str}{arr.shape};".encode())
        h.update(arr.tobytes())
    elif value is None or isinstance(value, bool | int | float | str | np.generic):
        text = repr(value.item() if isinstance(value, np.generic) else value)
        h.update(f"{type(value).__name__}:{len(text)}:{text};".encode())
    elif isinstance(value, list | tuple):
        h.update(f"[{len(value)};".encode())
        for item in value:
            _feed(h, item)
    elif isinstance(value, dict):
        h.update(f"{{{len(value)};".encode())
        for k in sorted(value, key=repr):
            _feed(h, k)
            _feed(h, value[k])
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        h.update(f"dc:{type(value).__qualname__};".encode())
        _feed(h, [(f.name, getattr(value, f.name)) for f in dataclasses.fields(value)])
    else:
        raise TypeError(f"cannot key a figure on a {type(value).__name__}")


def figure_key(name: str, *parts: Any) -> str:
    """Cache key of figure ``name`` drawn from ``parts`` (see the module docstring)."""
    h = hashlib.sha256(_code_hash().encode())
    _feed(h, name)
    _feed(h, list(parts))
    return h.hexdigest()[:40]


def cache_dir() -> Path:
    """``<cache>/figures``, beside the depth-profile cache (``$PHOTODOSE_CACHE_DIR`` or the user cache)."""
    from photodose.depth import cache_dir as depth_cache_dir

    return depth_cache_dir().parent / "figures"


def enabled() -> bool:
    return os.environ.get(DISABLE_ENV, "1") != "0"


def safe_svg(text: str) -> bool:
    """True when ``text`` is an SVG document safe to inline in the report (see the module doc)."""
    import xml.etree.ElementTree as ET

    head = text[:2000].lower()
    if not text.startswith("<svg") or "<!doctype" in head or "<!entity" in text.lower():
        return False
    if _EXTERNAL_URL.search(text):
        return False
    try:
        root = ET.fromstring(text)
    except ET.ParseError:
        return False
    if _local(root.tag) != "svg":
        return False
    for el in root.iter():
        if not isinstance(el.tag, str) or _local(el.tag).lower() in _BAD_ELEMENTS:
            return False
        for attr, val in el.attrib.items():
            local = _local(attr).lower()
            if local.startswith("on"):
                return False
            if local == "href" and not (val.startswith("#") or val.startswith("data:image/png;base64,")):
                return False
    return True


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _read(path: Path, binary: bool) -> str | bytes | None:
    try:
        if binary:
            data = path.read_bytes()
            return data if data.startswith(PNG_SIGNATURE) else None
        text = path.read_text("utf-8")
        return text if safe_svg(text) else None
    except (OSError, UnicodeDecodeError, ValueError):
        return None


def _write(path: Path, data: str | bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(tmp, path)
        _prune(path.parent)
    except OSError:
        pass  # no writable cache: still correct, only slower next time


def _prune(folder: Path, keep: int = MAX_FILES) -> None:
    """Remove the least recently written figures beyond ``keep`` (every new session length
    draws two new figures, so the folder would otherwise grow without end)."""
    entries = [e for e in os.scandir(folder) if e.is_file() and e.name.endswith((".svg", ".png"))]
    if len(entries) <= keep:
        return
    entries.sort(key=lambda e: e.stat().st_mtime)
    for e in entries[: len(entries) - keep]:
        with contextlib.suppress(OSError):  # another process removed it first
            os.unlink(e.path)


def _cached(name: str, parts: tuple[Any, ...], draw: Callable[[], _T], use_cache: bool, kind: type[_T]) -> _T:
    """``draw()``, or the stored drawing of the same ``parts`` when it checks out (:func:`_read`);
    a fresh drawing is stored only when it would be read back."""
    if not (use_cache and enabled()):
        return draw()
    binary = kind is bytes
    path = cache_dir() / f"{figure_key(name, *parts)}.{'png' if binary else 'svg'}"
    found = _read(path, binary)
    if isinstance(found, kind):
        return found
    data = draw()
    if isinstance(data, bytes) or safe_svg(data):  # a PNG is always stored; an SVG when it is safe
        _write(path, data)
    return data


def cached_svg(name: str, parts: tuple[Any, ...], draw: Callable[[], str], *, use_cache: bool = True) -> str:
    """``draw()`` (an SVG document as text), or the stored drawing of the same ``parts``."""
    return _cached(name, parts, draw, use_cache, str)


def cached_png(
    name: str, parts: tuple[Any, ...], draw: Callable[[], bytes], *, use_cache: bool = True
) -> bytes:
    """``draw()`` (PNG bytes), or the stored drawing of the same ``parts``."""
    return _cached(name, parts, draw, use_cache, bytes)
