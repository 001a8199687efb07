"""One error contract for every command.

Bad input exits with code 2 and a message that names the field and the fix. Without ``--json``
the message goes to stderr as plain text (no Rich markup, so ``[brackets]`` survive); with
``--json`` stdout carries exactly one object ``{"error": {"field", "message", "fix", "exit_code"}}``.
"""

from __future__ import annotations

import json
import sys
from typing import Any, NoReturn

import typer

EXIT_BAD_INPUT = 2


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
    if as_json:
        payload = {"field": field, "message": message, "fix": fix, "exit_code": EXIT_BAD_INPUT, **extra}
        sys.stdout.write(json.dumps({"error": payload}) + "\n")
    else:
        text = f"error: {field}: {message}"
        if fix:
            text += f"\n  fix: {fix}"
        sys.stderr.write(text + "\n")
    raise typer.Exit(EXIT_BAD_INPUT)
