"""``photodose compare``: several devices side by side for the same person, every number with its range."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from photodose.cli.app import app
from photodose.cli.errors import bad_input, field_from_message

if TYPE_CHECKING:
    from photodose.services.compare import Comparison

DEFAULT_DEPTH_PHOTONS = 100_000  # photodose.services.evaluate.DEFAULT_DEPTH_PHOTONS (cheap import)


def print_comparison(cmp: Comparison) -> None:
    from rich.console import Console
    from rich.table import Table

    from photodose.cli.hints import with_cli_hints
    from photodose.report.format import VERDICT_SHORT, minutes_range, triple

    console = Console()
    evs = cmp.evaluations
    console.print(
        f"Same person: Fitzpatrick {cmp.skin.fitzpatrick}, {cmp.skin.site}; "
        "central (low–high), all computed.",
        highlight=False,
    )
    t = Table(title="Dose", show_lines=True)
    t.add_column("quantity", min_width=16)
    for ev in evs:
        t.add_column(ev.device.name, justify="right")
    for row in cmp.rows:
        t.add_row(f"{row.quantity} ({row.unit})", *(triple(row.values[ev.device.id]) for ev in evs))
    console.print(t)
    vt = Table(
        title="Against the doses tested in controlled trials; minutes to the lowest tested dose",
        show_lines=True,
    )
    vt.add_column("indication, band", min_width=16)
    for ev in evs:
        vt.add_column(ev.device.name)
    for vr in cmp.verdict_rows:
        cells = []
        for ev in evs:
            v = vr.values.get(ev.device.id)
            if v is None:
                cells.append("—")
                continue
            cell = VERDICT_SHORT.get(v["verdict"], v["verdict"]) + (" (uncertain)" if v["uncertain"] else "")
            if v["minutes_to_lowest_tested"]:
                cell += f"; {minutes_range(tuple(v['minutes_to_lowest_tested']))} min"
            cells.append(cell)
        band = "NIR" if vr.band == "nir" else vr.band
        vt.add_row(f"{vr.indication_name}, {band}", *cells)
    console.print(vt)
    weights = {vr.indication_name: vr.evidence_weight for vr in cmp.verdict_rows if vr.evidence_weight}
    if weights:
        console.print(
            "Weight of evidence (controlled or blinded trials, total N, positive +, null =, negative −, "
            "mixed ±; the same for every device):",
            highlight=False,
        )
        for name, w in weights.items():
            console.print(f"  {name}: {w['compact']}", highlight=False, markup=False)
    for n in cmp.notes:
        console.print(f"note: {with_cli_hints(n, cmp.hints)}", highlight=False, markup=False)
    console.print("Not medical advice. Ranges bound each device's unknowns.", style="dim")


@app.command(name="compare")
def compare_cmd(
    devices: Annotated[
        list[str],
        typer.Argument(help="Two to six catalog names (see `photodose devices`) or device TOML files"),
    ],
    fitzpatrick: Annotated[str, typer.Option(help="Skin type I–VI")] = "III",
    site: Annotated[str, typer.Option(help="Face site (forehead, cheek, …)")] = "forehead",
    minutes: Annotated[
        float | None, typer.Option(help="One session length for all (default: each device's timer)")
    ] = None,
    sessions_per_week: Annotated[
        float | None, typer.Option(help="Sessions per week (default 3, an assumption)")
    ] = None,
    photons: Annotated[
        int, typer.Option(help="Photons per channel for the depth model")
    ] = DEFAULT_DEPTH_PHOTONS,
    html: Annotated[Path | None, typer.Option(help="Write the comparison as an HTML page here")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """Compare devices side by side for the same person: dose, range and the evidence."""
    from photodose.cli.paths import HTML_EXTENSIONS, check_output_path, write_or_exit

    check_output_path(html, "--html", HTML_EXTENSIONS, as_json=as_json)  # before the work
    if len(devices) < 2:
        bad_input(
            "DEVICE",
            f"{len(devices)} device given",
            "name two to six devices, e.g. `photodose compare A B`",
            as_json=as_json,
        )
    if not 1000 <= photons <= 10**8:
        bad_input("--photons", f"{photons:,} is outside 1 000 … 1e8", "use at least 1000", as_json=as_json)
    if minutes is not None and not 0 < minutes <= 120:
        bad_input("--minutes", f"{minutes:g} is not a session length in (0, 120]", "give minutes, e.g. 10",
                  as_json=as_json)  # fmt: skip
    from photodose.cli.progress import LazyProgress, progress_wanted
    from photodose.device import DeviceSpecError
    from photodose.dose import DoseInputError
    from photodose.services.compare import compare
    from photodose.services.own_devices import resolve_device
    from photodose.skin import SkinInputError, SkinProfile

    try:
        skin = SkinProfile(fitzpatrick=fitzpatrick, site=site)
        specs = [resolve_device(d) for d in devices]
        with LazyProgress(enabled=progress_wanted(as_json)) as bar:
            cmp = compare(
                specs, skin=skin, minutes=minutes, sessions_per_week=sessions_per_week, photons=photons,
                progress=bar.report,
            )  # fmt: skip
    except DeviceSpecError as exc:
        msg, _, fix = str(exc).partition("; fix: ")
        if msg.startswith("DEVICE: "):
            msg = msg[len("DEVICE: ") :]
        bad_input("DEVICE", msg, fix or "list the catalog with `photodose devices`", as_json=as_json)
    except SkinInputError as exc:
        field = field_from_message(str(exc), {"site": "--site"}, "--fitzpatrick")
        bad_input(field, str(exc), "see `photodose compare --help`", as_json=as_json)
    except (DoseInputError, ValueError) as exc:
        msg, _, fix = str(exc).partition("; fix: ")
        field = field_from_message(msg, {"sessions": "--sessions-per-week", "minutes": "--minutes"}, "input")
        bad_input(field, msg, fix or "see `photodose compare --help`", as_json=as_json)
    if html is not None:
        from photodose.report.compare_html import write_compare_html

        write_or_exit(lambda: write_compare_html(cmp, html), html, "--html", as_json=as_json)
    if as_json:
        from photodose.cli.output import echo_json  # strict JSON: NaN becomes null

        echo_json(cmp.to_json(), default=str)
        return
    print_comparison(cmp)
    if html is not None:
        typer.echo(f"Comparison written to {html.resolve()}")
