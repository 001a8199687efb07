"""The Typer application object that every command module registers on."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="photodose",
    help="Red light therapy, measured: light in skin, mask dose, evidence and claims.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Exit code for bad input (a malformed file, an out-of-range value).
EXIT_BAD_INPUT = 2
