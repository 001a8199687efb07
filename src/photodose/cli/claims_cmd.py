"""``photodose claims FILE|- [--device NAME] [--json]``: grade the claims in a text."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from photodose.claims import (
    ClaimContext,
    ClaimsInputError,
    ClaimsReport,
    Grade,
    assess_text,
    decode_input,
    load_rules,
)
from photodose.cli.app import EXIT_BAD_INPUT, app

#: Hook set by the application to turn ``--device NAME`` into a ClaimContext (from the device
#: catalogue, dose, depth and evidence modules).  It should raise KeyError or ValueError for an
#: unknown device.  While it is None, ``--device`` grades without device context and says so.
context_for_device: Callable[[str], ClaimContext] | None = None

_GRADE_STYLE = {
    Grade.SUPPORTED: "green",
    Grade.PARTLY_SUPPORTED: "yellow",
    Grade.UNSUPPORTED: "dark_orange",
    Grade.MISLEADING: "red",
    Grade.CONTRADICTED: "bold red",
    Grade.NOT_CHECKABLE: "dim",
}


def _fail(message: str, as_json: bool) -> typer.Exit:
    if as_json:
        typer.echo(json.dumps({"error": message, "exit_code": EXIT_BAD_INPUT}))
    else:
        typer.echo(f"Error: {message}", err=True)
    return typer.Exit(EXIT_BAD_INPUT)


def _read(source: str, limit: int) -> bytes:
    if source == "-":
        buffer = getattr(sys.stdin, "buffer", None)
        if buffer is not None:
            data: bytes = buffer.read(limit + 1)
            return data
        return sys.stdin.read(limit + 1).encode("utf-8", errors="surrogateescape")
    path = Path(source)
    if not path.exists():
        raise ClaimsInputError(f"file not found: {source} (give a text/HTML file, or - for stdin)")
    if path.is_dir():
        raise ClaimsInputError(f"{source} is a directory; give a text or HTML file")
    size = path.stat().st_size
    if size > limit:
        raise ClaimsInputError(
            f"{source} is {size:,} bytes, more than the {limit:,}-byte limit; "
            "pass only the product page's text"
        )
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ClaimsInputError(f"cannot read {source}: {exc.strerror or exc}") from exc


def _render(report: ClaimsReport, console: Console) -> None:
    for note in report.notes:
        console.print(f"[dim]Note:[/dim] {note}")
    if not report.claims:
        console.print("No claims found." if report.sentences else "Nothing to grade.")
        return
    title = f"Claims ({report.device})" if report.device else "Claims (no device context)"
    table = Table(title=title, show_lines=True, expand=True)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("Claim", ratio=2)
    table.add_column("Category", no_wrap=True)
    table.add_column("Grade", no_wrap=True)
    table.add_column("Why", ratio=5)
    keys: list[str] = []
    refs: dict[str, str] = {}
    for i, g in enumerate(report.claims, 1):
        for c in g.citations:
            if c.key not in refs:
                keys.append(c.key + c.citation)
                refs[c.key] = c.citation + (f" {c.url}" if c.url else "")
        why = Text(g.reasons[0])
        for extra in g.reasons[1:]:
            why.append("\n" + extra, style="italic")
        cited = ", ".join(c.key for c in g.citations)
        if cited:
            why.append(f"\n[{cited}]", style="dim")
        table.add_row(
            str(i),
            g.text,
            g.category.replace("_", " "),
            Text(g.grade.label, style=_GRADE_STYLE[g.grade]),
            why,
        )
    console.print(table)
    counts = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in report.counts.items() if n)
    console.print(f"{len(report.claims)} claim(s) in {report.sentences} sentence(s): {counts}")
    console.print("Sources:")
    for key, text in refs.items():
        console.print(f"  [bold]{key}[/bold]: {text}", highlight=False)


@app.command("claims")
def claims(
    source: str = typer.Argument(..., metavar="FILE|-", help="Text or HTML file, or - to read stdin."),
    device: str | None = typer.Option(
        None, "--device", help="Catalogue device name: grade against its dose, depth and records."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of a table."),
) -> None:
    """Find the marketing claims in a text and grade each one, with reasons and sources."""
    rules = load_rules()
    try:
        data = _read(source, rules.max_input_bytes)
        decoded = decode_input(data, rules=rules)
    except ClaimsInputError as exc:
        raise _fail(str(exc), as_json) from None

    notes: list[str] = []
    context: ClaimContext | None = None
    if device is not None:
        if context_for_device is None:
            notes.append(
                f"device context is unavailable in this build, so {device!r} was not looked up; "
                "claims were graded from the text alone"
            )
        else:
            try:
                context = context_for_device(device)
            except (KeyError, ValueError) as exc:
                detail = exc.args[0] if exc.args else device
                raise _fail(f"unknown device {device!r}: {detail}", as_json) from None

    report = assess_text(decoded, context, rules, notes=notes)
    if as_json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False))
        return
    console = Console(file=sys.stdout, soft_wrap=False)
    _render(report, console)
