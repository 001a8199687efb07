"""Output paths checked before any work starts (``--html``, ``--plot``, ``--fluence-csv``, …).

A run that takes a minute and then fails to write its report wastes the minute and, before
this check, ended in a traceback. :func:`check_output_path` looks at the path the user gave
and reports, through the one error contract (:func:`photodose.cli.errors.bad_input`, exit 2),
a missing or unwritable folder, a path that is a folder or a device, and an extension the
writer does not produce.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

from photodose.cli.errors import bad_input

#: Formats matplotlib writes with its default (Agg, PDF, SVG, PS) backends.
PLOT_EXTENSIONS = (".png", ".svg", ".pdf", ".jpg", ".jpeg", ".webp", ".eps", ".ps", ".tif", ".tiff")
HTML_EXTENSIONS = (".html", ".htm")
CSV_EXTENSIONS = (".csv",)
JSON_EXTENSIONS = (".json",)


def output_path_problem(path: Path, extensions: Sequence[str]) -> tuple[str, str] | None:
    """What is wrong with writing a file at ``path`` (message, fix), or None if it can be written."""
    try:
        return _problem(path, extensions)
    except (OSError, ValueError) as exc:  # a name too long, a NUL byte, a loop of links
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return f"cannot use {str(path)[:200]!r}: {reason}", "choose a shorter, plain file name"


def _problem(path: Path, extensions: Sequence[str]) -> tuple[str, str] | None:
    exts = ", ".join(extensions)
    if str(path).strip() == "":
        return "the path is empty", f"give a file name ending in {exts}"
    if "\x00" in str(path):
        return "the path contains a NUL character", "type the file name again"
    if path.is_dir():
        return (
            f"{path} is a folder, not a file",
            f"give a file name inside it, e.g. {path / ('out' + extensions[0])}",
        )
    if path.exists() and not path.is_file():
        return f"{path} exists and is not a regular file (a device or pipe)", "give a new file name"
    if extensions and path.suffix.lower() not in extensions:
        shown = repr(path.suffix) if path.suffix else "no extension"
        return (
            f"{path} has {shown}; this output is written as {exts}",
            f"name the file e.g. {path.stem or 'out'}{extensions[0]}",
        )
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.exists():
        return (
            f"folder {parent} does not exist",
            f"create it first (mkdir -p {parent}) or choose another folder",
        )
    if not parent.is_dir():
        return f"{parent} is not a folder", "choose a path inside an existing folder"
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"folder {parent} is not writable", "choose a folder you can write to"
    if path.exists() and not os.access(path, os.W_OK):
        return f"{path} exists and is not writable", "choose another file name or change its permissions"
    return None


def check_output_path(
    path: Path | None, option: str, extensions: Sequence[str], *, as_json: bool = False
) -> Path | None:
    """``path`` if a file can be written there; otherwise exit 2 naming ``option`` and the fix.

    Parameters
    ----------
    path : the path given (None: the option was not used; returned unchanged)
    option : the option name for the message, e.g. ``"--html"``
    extensions : accepted suffixes, lower case with the dot, the first one the suggestion
    as_json : the command was given ``--json``
    """
    if path is None:
        return None
    problem = output_path_problem(path, extensions)
    if problem is not None:
        bad_input(option, problem[0], problem[1], as_json=as_json)
    return path


def write_or_exit(write: Callable[[], object], path: Path, field: str, *, as_json: bool = False) -> None:
    """Run ``write`` (which writes ``path``); an ``OSError`` (disk full, permission lost since the
    check) exits 2 naming ``field``, through :func:`photodose.cli.errors.bad_input`."""
    try:
        write()
    except OSError as exc:
        reason = exc.strerror or exc
        bad_input(field, f"cannot write {path}: {reason}", "choose another path", as_json=as_json)
