"""``photodose evaluate``: the main job — what a device delivers to your skin, against the evidence."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from photodose.claims import ClaimContext
from photodose.cli import claims_cmd
from photodose.cli.app import EXIT_BAD_INPUT, app
from photodose.device import DeviceSpecError
from photodose.device.meter import MeterReading, MeterReadingError
from photodose.dose import DoseInputError
from photodose.report.format import VERDICT_LABELS, fmt, rng
from photodose.services.claim_context import build_context
from photodose.services.evaluate import DEFAULT_DEPTH_PHOTONS, Evaluation, evaluate
from photodose.skin import SkinInputError, SkinProfile

console = Console()
err_console = Console(stderr=True)


def parse_meter(text: str, distance_cm: float, meter_model: str) -> MeterReading:
    """'12.5 mW/cm2' or '125 W/m2' → a MeterReading (unit required: the ×10 trap)."""
    parts = text.strip().split(maxsplit=1)
    if len(parts) != 2:
        raise MeterReadingError(
            f"--meter-reading {text!r}: give a value and its unit, e.g. '12.5 mW/cm2' or '125 W/m2'"
        )
    try:
        value = float(parts[0])
    except ValueError:
        raise MeterReadingError(f"--meter-reading {text!r}: {parts[0]!r} is not a number") from None
    return MeterReading(value=value, unit=parts[1], distance_cm=distance_cm, meter=meter_model)


def print_summary(ev: Evaluation) -> None:
    d = ev.device
    console.print(
        f"[bold]{d.name}[/bold] ({d.identity.maker}, {d.kind}); FDA record: "
        f"{d.regulatory.k_number.value} [{d.regulatory.k_number.confidence}]"
    )
    console.print(
        f"Skin: Fitzpatrick {ev.skin.fitzpatrick}, {ev.skin.site}. Session {fmt(ev.session_minutes)} min "
        f"({ev.session_minutes_source}); {fmt(ev.sessions_per_week)} sessions/week "
        f"({ev.sessions_per_week_source})."
    )
    t = Table(title="Dose per session: central (low–high); all computed")
    for col in ("channel", "irradiance mW/cm²", "surface J/cm²", "dermis J/cm²", "per week J/cm²"):
        t.add_column(col, justify="right" if col != "channel" else "left")
    for dose in ev.doses:
        t.add_row(
            f"{dose.channel} {fmt(dose.wavelength_nm)} nm",
            rng(dose.irradiance_mw_cm2),
            rng(dose.surface_fluence_j_cm2),
            rng(dose.dermis_fluence_j_cm2),
            rng(dose.weekly_surface_fluence_j_cm2),
        )
    console.print(t)
    v_table = Table(title="Against the controlled trials (full citations in the HTML report / --json)")
    v_table.add_column("indication")
    v_table.add_column("band")
    v_table.add_column("verdict")
    v_table.add_column("rests on")
    for v in ev.verdicts:
        v_table.add_row(
            v.indication_name,
            v.band_name,
            VERDICT_LABELS.get(v.verdict, v.verdict) + (" (uncertain)" if v.uncertain else ""),
            "; ".join(c.split(",")[0] for c in v.citations) or "—",
        )
    console.print(v_table)
    if ev.claims:
        grades: dict[str, int] = {}
        for c in ev.claims:
            grades[c.grade] = grades.get(c.grade, 0) + 1
        console.print(
            "Marketing claims: " + ", ".join(f"{n} {g.replace('_', ' ')}" for g, n in grades.items())
        )
    for n in ev.notes:
        console.print(f"[yellow]note:[/yellow] {n}")
    console.print(
        "[dim]Not medical advice. Ranges bound the unknowns (assumptions are labelled in the report).[/dim]"
    )


@app.command(name="evaluate")
def evaluate_cmd(
    device: Annotated[
        str, typer.Argument(help="Catalog name (see `photodose devices`) or a device TOML file")
    ],
    fitzpatrick: Annotated[str, typer.Option(help="Skin type I–VI")] = "III",
    site: Annotated[str, typer.Option(help="Face site (forehead, cheek, …)")] = "forehead",
    minutes: Annotated[float | None, typer.Option(help="Session length (default: the device timer)")] = None,
    sessions_per_week: Annotated[
        float | None, typer.Option(help="Sessions per week (default 3, an assumption)")
    ] = None,
    meter_reading: Annotated[
        str | None, typer.Option(help="Your meter reading, e.g. '12 mW/cm2' or '120 W/m2'")
    ] = None,
    meter_distance_cm: Annotated[float, typer.Option(help="Distance of the meter reading")] = 1.0,
    meter_model: Annotated[str, typer.Option(help="Meter model, e.g. 'TES-1333'")] = "unknown",
    photons: Annotated[
        int, typer.Option(help="Photons per channel for the depth model")
    ] = DEFAULT_DEPTH_PHOTONS,
    html: Annotated[Path | None, typer.Option(help="Write the HTML report here")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """Evaluate a device end to end: irradiance on a face, dose in your skin, the evidence, the claims."""
    try:
        skin = SkinProfile(fitzpatrick=fitzpatrick, site=site)
        meter = parse_meter(meter_reading, meter_distance_cm, meter_model) if meter_reading else None
        if photons < 1000:
            raise DoseInputError(f"--photons {photons}: use at least 1000 for a usable depth profile")
        ev = evaluate(
            device,
            skin=skin,
            minutes=minutes,
            sessions_per_week=sessions_per_week,
            meter=meter,
            photons=photons,
        )
    except (DeviceSpecError, SkinInputError, MeterReadingError, DoseInputError, ValueError) as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    if html is not None:
        from photodose.report.html import write_html  # matplotlib: only when a report is asked for

        write_html(ev, html)
    if as_json:
        typer.echo(json.dumps(ev.to_json(), default=str))
        return
    print_summary(ev)
    if html is not None:
        console.print(f"Report written to [bold]{html.resolve()}[/bold]")


def context_for_device(name: str) -> ClaimContext:
    """Claim-grading facts for a catalogued device: its record and its computed dose."""
    ev = evaluate(name, grade_device_claims=False)
    return build_context(ev.device, ev.doses, ev.depth)


claims_cmd.context_for_device = context_for_device
