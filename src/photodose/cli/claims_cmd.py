"""``photodose claims FILE|- [--device NAME] [--json]``: grade the claims in a text.

Cheap to import: the claims model, Rich tables and the device chain are imported inside the
command.  Input is read with a true byte limit (``[limits] max_input_bytes``): at most that
many bytes plus one are read from any file, pipe or device, whatever its reported size.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

import typer

from photodose.cli.app import app
from photodose.cli.errors import bad_input

if TYPE_CHECKING:
    from rich.console import Console

    from photodose.claims import ClaimContext, ClaimsReport
    from photodose.claims.measured import MeasuredDetection

#: Hook set by the application to turn ``--device NAME`` into a ClaimContext (from the device
#: catalogue, dose, depth and evidence modules).  It should raise KeyError or ValueError for an
#: unknown device.  While it is None, ``--device`` grades without device context and says so.
context_for_device: Callable[[str], ClaimContext] | None = None

_GRADE_STYLE = {
    "supported": "green",
    "partly_supported": "yellow",
    "unsupported": "dark_orange",
    "misleading": "red",
    "contradicted": "bold red",
    "not_checkable": "dim",
}


def _read(source: str, limit: int, as_json: bool) -> bytes:
    """The bytes of FILE (or stdin for ``-``), never more than ``limit`` + 1 read."""
    import os

    from photodose.claims.intake import InputTooLargeError, read_limited

    fix_size = f"pass at most {limit:,} bytes: only the product page's text, or split it"
    if source == "-":
        stream = getattr(sys.stdin, "buffer", None)
        try:
            if stream is not None:
                return read_limited(stream, limit, name="standard input")
            text = sys.stdin.read(limit + 1)
        except InputTooLargeError as exc:
            bad_input("FILE", str(exc), fix_size, as_json=as_json)
        data = text.encode("utf-8", errors="surrogateescape")
        if len(data) > limit:
            bad_input(
                "FILE", f"standard input is more than the {limit:,}-byte limit", fix_size, as_json=as_json
            )
        return data
    if not os.path.exists(source):
        bad_input(
            "FILE",
            f"file not found: {source}",
            "give a text or HTML file, or - to read stdin",
            as_json=as_json,
        )
    if os.path.isdir(source):
        bad_input(
            "FILE",
            f"{source} is a directory",
            "give a text or HTML file, or - to read stdin",
            as_json=as_json,
        )
    try:
        with open(source, "rb") as fh:
            return read_limited(fh, limit, name=source)
    except InputTooLargeError as exc:
        bad_input("FILE", str(exc), fix_size, as_json=as_json)
    except OSError as exc:
        bad_input(
            "FILE",
            f"cannot read {source}: {exc.strerror or exc}",
            "check the path and its permissions",
            as_json=as_json,
        )


def _measured() -> MeasuredDetection | None:
    """The grader's measured detection on unseen copy, or None (with the reason on stderr) when
    the shipped figures cannot be read: the report is still worth printing."""
    from photodose.claims.measured import MeasuredDetectionError, load_measured_detection

    try:
        return load_measured_detection()
    except MeasuredDetectionError as exc:
        print(f"warning: {exc}; reinstall photodose", file=sys.stderr)
        return None


def _render(report: ClaimsReport, console: Console) -> None:
    from rich.table import Table
    from rich.text import Text

    from photodose.claims.grade import NO_CLAIMS_NOTE

    for note in report.notes:
        if note == NO_CLAIMS_NOTE:  # said in full below, with what an absence is worth
            continue
        console.print(Text.assemble(("Note: ", "dim"), note))
    if not report.english:
        console.print("Not checked: the text is not in English.")
        return
    measured = _measured() if report.sentences else None
    if not report.claims:
        if not report.sentences:
            console.print("Nothing to grade.")
        else:
            console.print(measured.none_found() if measured else "No claims found.")
        return
    title = f"Claims ({report.device})" if report.device else "Claims (no device context)"
    table = Table(title=title, show_lines=True, expand=True)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("Claim", ratio=2)
    table.add_column("Category", no_wrap=True)
    table.add_column("Grade", no_wrap=True)
    table.add_column("Why", ratio=5)
    refs: dict[str, int] = {}
    ref_text: list[str] = []
    for i, g in enumerate(report.claims, 1):
        nums = []
        for c in g.citations:
            full = c.citation + (f" {c.url}" if c.url else "")
            if full not in refs:
                refs[full] = len(refs) + 1
                ref_text.append(full)
            nums.append(str(refs[full]))
        why = Text(g.reasons[0])
        for extra in g.reasons[1:]:
            why.append("\n" + extra, style="italic")
        if nums:
            why.append(f"\nsources: {', '.join(nums)}", style="dim")
        category = Text(g.category.replace("_", " "))
        if g.doubtful:
            category.append("\n(doubtful)", style="dim")
        table.add_row(
            str(i),
            Text(g.text),
            category,
            Text(g.grade.label, style=_GRADE_STYLE[g.grade.value]),
            why,
        )
    console.print(table)
    counts = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in report.counts.items() if n)
    console.print(
        Text(f"{report.total_claims} claim(s) in {report.sentences} sentence(s): {counts}"),
    )
    if measured is not None:
        console.print(Text(measured.caveat(), style="italic"))
    console.print("Sources:")
    for n, text in enumerate(ref_text, 1):
        console.print(Text(f"  {n}. {text}"), highlight=False)


@app.command("claims")
def claims(
    source: str = typer.Argument(..., metavar="FILE|-", help="Text or HTML file, or - to read stdin."),
    device: str | None = typer.Option(
        None, "--device", help="Catalogue device name: grade against its dose, depth and records."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of a table."),
) -> None:
    """Find the marketing claims in a text and grade each one, with reasons and sources.

    Claims are found by phrase rules and, in a text of up to 200,000 characters and
    2,500 sentences, a learned sentence model too; the rules grade each one. Not every
    claim is found: the report says how many were on new copy (docs/claims.md, 'Measured
    quality').
    """

    from rich.console import Console

    from photodose.claims import ClaimsInputError, assess_text, decode_input, load_rules

    rules = load_rules()
    data = _read(source, rules.max_input_bytes, as_json)
    try:
        decoded = decode_input(data, rules=rules)
    except ClaimsInputError as exc:
        bad_input("FILE", str(exc), "give a UTF-8 (or UTF-16 with BOM) text or HTML file", as_json=as_json)
    del data

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
                bad_input(
                    "--device",
                    f"unknown device {device!r}: {detail}",
                    "run `photodose devices` for the catalogue names",
                    as_json=as_json,
                )

    from photodose.cli.progress import LazyProgress, progress_wanted

    # a long text's blocks are read by up to 4 processes (the same report; see assess_text):
    # 32 MB takes about half the time on two cores
    long_text = len(decoded.text) >= 4 * rules.block_chars
    workers = min(os.cpu_count() or 1, 4) if long_text else 1
    with LazyProgress(enabled=progress_wanted(as_json), unit="characters") as bar:
        bar.stage("finding and grading claims")
        report = assess_text(decoded, context, rules, notes=notes, workers=workers, progress=bar.advance)
    if as_json:
        from photodose.cli.output import echo_json  # strict JSON: NaN becomes null

        payload = report.to_dict()
        # how much of a text's claims the grader is measured to find (null if unreadable)
        measured = _measured() if report.english and report.sentences else None
        payload["detection"] = measured.to_dict() if measured is not None else None
        echo_json(payload)
        return
    _render(report, Console(file=sys.stdout, soft_wrap=False))
