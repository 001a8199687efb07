"""A griffe extension for the API reference (mkdocs.yml → mkdocstrings → extensions).

photodose's docstrings follow numpy sections but often write ``name : description`` on one line
(the description where numpydoc puts a type). Left alone, the reference would show the first
line of each description as a "type". This rewrites such lines to numpydoc's ``name`` +
indented description (the type then comes from the signature's annotation), and turns Sphinx
roles (``:func:`x```) into code spans. Docstrings in the source are not changed.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_PARAM_SECTIONS = ("Parameters", "Attributes", "Other Parameters")
_ENTRY = re.compile(r"^(?P<indent>[ \t]*)(?P<names>\*{0,2}[A-Za-z_][\w, *]*?) : (?P<rest>.+)$")
_ROLE = re.compile(r":(?:func|class|mod|meth|attr|data|obj|exc):`~?([^`]+)`")


def _looks_like_type(text: str) -> bool:
    """What numpydoc puts after the colon: ``float``, ``str or Path``, ``tuple[float, float]``,
    ``array_like, optional``, ``NDArray[np.float64] | None`` — not a sentence."""
    text = re.sub(r"\[[^\]]*\]", "", text.strip()).removesuffix(", optional")
    parts = re.split(r" or | \| |, ", text)
    return all(re.fullmatch(r"[\w.]+", p.strip()) for p in parts)


def rewrite(doc: str) -> str:
    """The docstring with Sphinx roles as code spans and the ``name : description`` entries of
    its parameter sections split into ``name`` and an indented description."""
    lines = _ROLE.sub(r"`\1`", doc).split("\n")
    out: list[str] = []
    section: str | None = None
    indent = ""
    for i, line in enumerate(lines):
        nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
        if line.strip() and len(nxt) >= 3 and set(nxt) == {"-"}:  # a numpy section header
            section = line.strip()
            indent = line[: len(line) - len(line.lstrip())]
            out.append(line)
            continue
        m = _ENTRY.match(line) if section in _PARAM_SECTIONS else None
        if m and m.group("indent") == indent and not _looks_like_type(m.group("rest")):
            out.append(f"{indent}{m.group('names')}")
            out.append(f"{indent}    {m.group('rest')}")
            continue
        out.append(line)
    return "\n".join(out)


class PhotodoseDocstrings(griffe.Extension):
    """Rewrite docstrings as they are loaded (see the module docstring)."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = rewrite(obj.docstring.value)
