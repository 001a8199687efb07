"""One error contract for every command.

Bad input exits with code 2 and a message that names the field and the fix. Without ``--json``
the message goes to stderr as plain text (no Rich markup, so ``[brackets]`` survive); with
``--json`` stdout carries exactly one object ``{"error": {"field", "message", "fix", "exit_code"}}``.
Click's own usage errors (a missing argument, a value that is not a number) follow the same
contract through :class:`photodose.cli.app.PhotodoseGroup`.
"""

from __future__ import annotations

import sys
from typing import Any, NoReturn

import typer

from photodose.cli.app import EXIT_BAD_INPUT
from photodose.cli.output import json_text
from photodose.errors import FieldError


def emit_error(
    field: str,
    message: str,
    fix: str = "",
    *,
    as_json: bool = False,
    exit_code: int = EXIT_BAD_INPUT,
    **extra: Any,
) -> None:
    """Write the error (JSON on stdout, or plain text on stderr) without exiting."""
    if as_json:
        payload = {"field": field, "message": message, "fix": fix, "exit_code": exit_code, **extra}
        sys.stdout.write(json_text({"error": payload}, default=str) + "\n")
        sys.stdout.flush()
    else:
        text = f"error: {field}: {message}"
        if fix:
            text += f"\n  fix: {fix}"
        sys.stderr.write(text + "\n")


def bad_input(field: str, message: str, fix: str = "", *, as_json: bool = False, **extra: Any) -> NoReturn:
    """Report bad input on ``field`` and exit 2.

    Parameters
    ----------
    field : the option, argument or file field at fault (``"--minutes"``, ``"channels[0].power_mw"``)
    message : what is wrong, in the user's terms
    fix : what to do instead
    as_json : the command was given ``--json``: write one JSON object to stdout
    extra : further JSON-serialisable context for the ``error`` object
    """
    emit_error(field, message, fix, as_json=as_json, **extra)
    raise typer.Exit(EXIT_BAD_INPUT)


def field_error(err: FieldError, *, as_json: bool = False, field: str | None = None) -> NoReturn:
    """Report a :class:`photodose.errors.FieldError` from any layer (journal, plan, photos, safety
    answers, session length) and exit 2; ``field`` overrides the error's own (the option the
    person typed). An uncaught one reaches :class:`photodose.cli.app.PhotodoseGroup`, which does
    the same."""
    bad_input(err.field if field is None else field, err.message, err.fix, as_json=as_json)


def field_from_message(message: str, fields: dict[str, str], default: str) -> str:
    """The option a library error message is about: the first of ``fields`` (keyword → option)
    whose keyword the message mentions (case-insensitive), else ``default``.

    The models raise ``ValueError`` with messages that name the quantity ("fitzpatrick 'VII'
    is not a skin type", "wavelength 2000 nm is outside …"); this maps them to the option the
    user typed so that the error names the field.
    """
    low = message.lower()
    for key, option in fields.items():
        if key in low:
            return option
    return default
