"""Command-line interface: ``photodose …`` (thin: parse, call the library, render).

Each command lives in its own module and registers itself on :data:`app` when imported. Every
module imported here must stay cheap: numpy, numba, scipy, matplotlib, pydantic models and the
engine are imported inside the command functions (``tests/test_cli_contract.py`` checks the
modules a fresh ``photodose --help`` imports; ``benchmarks/startup.py`` measures the time).
Errors go through :func:`photodose.cli.errors.bad_input`, output paths through
:func:`photodose.cli.paths.check_output_path`, JSON through :func:`photodose.cli.output.echo_json`.
"""

from __future__ import annotations

from photodose.cli import (  # noqa: F401  (imported for their @app.command registrations)
    claims_cmd,
    compare_cmd,
    demo_cmd,
    device_cmd,
    evaluate_cmd,
    journal_cmd,
    photo_cmd,
    plan_cmd,
    screen_cmd,
    serve_cmd,
    session_cmd,
    skin_cmd,
    sweep_cmd,
    transport_cmd,
)
from photodose.cli.app import app


def main() -> None:
    app()
