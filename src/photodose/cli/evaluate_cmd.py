"""``photodose evaluate``: the main job — what a device delivers to your skin, against the evidence."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from photodose.cli import claims_cmd
from photodose.cli.app import app
from photodose.cli.errors import bad_input, field_from_message
from photodose.cli.output import echo_json
from photodose.cli.paths import HTML_EXTENSIONS, check_output_path, write_or_exit

if TYPE_CHECKING:
    from photodose.claims import ClaimContext
    from photodose.depth import DepthProfile
    from photodose.device.meter import MeterReading
    from photodose.services.evaluate import Evaluation
    from photodose.skin import SkinProfile

# photodose.services.evaluate.DEFAULT_DEPTH_PHOTONS, copied so that importing the CLI stays cheap
# (tests/test_cli_contract.py checks that they match).
DEFAULT_DEPTH_PHOTONS = 100_000
MAX_EVALUATE_PHOTONS = 10**8
_FIELDS = {
    "meter position": "--meter-position",
    "meter-reading": "--meter-reading", "meter reading": "--meter-reading", "unit": "--meter-reading",
    "distance": "--meter-distance-cm", "minutes": "--minutes", "sessions": "--sessions-per-week",
    "fitzpatrick": "--fitzpatrick", "skin type": "--fitzpatrick", "site": "--site", "photons": "--photons",
}  # fmt: skip


def parse_meter(text: str, distance_cm: float, meter_model: str, position: str = "distance") -> MeterReading:
    """'12.5 mW/cm2' or '125 W/m2' → a MeterReading (unit required: the ×10 trap); ``position``:
    over-led, between-leds or distance (where the sensor sat)."""
    from photodose.device.meter import MeterReading, MeterReadingError

    parts = text.strip().split(maxsplit=1)
    if len(parts) != 2:
        raise MeterReadingError(
            f"--meter-reading {text!r}: give a value and its unit, e.g. '12.5 mW/cm2' or '125 W/m2'"
        )
    try:
        value = float(parts[0])
    except ValueError:
        raise MeterReadingError(f"--meter-reading {text!r}: {parts[0]!r} is not a number") from None
    return MeterReading(
        value=value, unit=parts[1], distance_cm=distance_cm, meter=meter_model, position=position
    )


def _input_error(exc: Exception, as_json: bool) -> NoReturn:
    """A model's input error ("message; fix: fix") → exit 2 naming the option it came from."""
    msg, _, fix = str(exc).partition("; fix: ")
    bad_input(field_from_message(msg, _FIELDS, "input"), msg, fix or "see `photodose evaluate --help`",
              as_json=as_json)  # fmt: skip


def _colour_fit_text(skin: SkinProfile) -> str:
    """The colour-fit note (melanin fitted to a measured colour) when --ita/--lab set it, else ""."""
    mf = skin.melanosome_fraction
    if mf is None:
        return ""
    text = f", melanin fitted to your measured colour (melanosome fraction {100 * mf:.1f} %"
    if skin.melanosome_fraction_range:
        lo, hi = skin.melanosome_fraction_range
        text += f", range {100 * lo:.1f}–{100 * hi:.1f} %"
    if skin.blood_scale != 1:
        text += f"; blood ×{skin.blood_scale:.2f}"
    return text + "; computed, its range is in the dose range)"


def _depth_origin_text(profiles: list[DepthProfile]) -> str:
    """Where the dermis dose's depth profiles came from: traced now, the cache or the shipped table."""
    if not profiles:
        return ""
    p = profiles[0]
    if all(q.from_table for q in profiles):
        origin = "from the depth table shipped with photodose"
    elif all(q.from_cache for q in profiles):
        origin = "from your cache"
    else:
        origin = "traced for this run"
    return f"Dermis dose: {p.method} depth profiles, {p.photons:,} photons per channel, {origin}."


def print_summary(ev: Evaluation) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.panel import Panel
    from rich.table import Table

    from photodose.cli.hints import EVALUATE_MODEL_HINTS, with_cli_hints
    from photodose.report.format import TIMER_LABELS, VERDICT_SHORT, fmt, minutes_range, rng

    console = Console()
    d = ev.device
    bl = ev.bottom_line
    if bl is not None:
        # a one-sentence headline, then short labelled points (dose, versus trials, what to do, the
        # maker's figure) and the caveat, dimmed: readable in a narrow terminal
        body = [f"[bold]{escape(bl.headline)}[/bold]"] + [
            f"[dim]{escape(p.text)}[/dim]"
            if p.key == "caveat"
            else f"[bold]{escape(p.label)}:[/bold] {escape(with_cli_hints(p.text, p.hints))}"
            for p in bl.points
        ]
        console.print(
            Panel("\n\n".join(body), title="The bottom line", title_align="left", border_style="blue"),
            highlight=False,
        )
    k = d.regulatory.k_number
    # "not found" is the outcome of a search, not a confidence: say it once, in words
    fda = (
        "none found (not evidence against clearance)"
        if k.confidence == "not_found"
        else f"{k.value} [{k.confidence}]"
    )
    console.print(
        f"[bold]{escape(d.name)}[/bold] ({escape(d.identity.maker)}, {d.kind}); FDA record: " + escape(fda),
        highlight=False,
    )
    console.print(
        f"Skin: Fitzpatrick {ev.skin.fitzpatrick}, {ev.skin.site}{_colour_fit_text(ev.skin)}. "
        f"Session {fmt(ev.session_minutes)} min "
        f"({escape(ev.session_minutes_source)}); {fmt(ev.sessions_per_week)} sessions/week "
        f"({escape(ev.sessions_per_week_source)}).",
        highlight=False,
    )
    t = Table(title="Dose per session: central (low–high); all computed")
    t.add_column("channel", no_wrap=True)
    for col in ("irradiance mW/cm²", "surface J/cm²", "dermis J/cm²", "per week J/cm²"):
        t.add_column(col, justify="right")
    for dose in ev.doses:
        t.add_row(
            escape(f"{dose.channel} {fmt(dose.wavelength_nm)} nm"),
            rng(dose.irradiance_mw_cm2),
            rng(dose.surface_fluence_j_cm2),
            rng(dose.dermis_fluence_j_cm2),
            rng(dose.weekly_surface_fluence_j_cm2),
        )
    console.print(t)
    console.print(_depth_origin_text(ev.depth), highlight=False)
    sv = ev.stated_vs_modelled
    if sv and sv["rows"]:
        st = Table(title="Stated vs modelled (mW/cm²; energy budget: photodose.device.budget)")
        for col in ("stated", "model face avg", "model peak", "budget", "trust"):
            st.add_column(col, justify="right" if col.startswith("model") else "left")
        for r in sv["rows"]:
            mm, pk = r["modelled_mean_mw_cm2"], r["modelled_peak_mw_cm2"]
            st.add_row(
                escape(f"{r['text'] or r['stated_value']} [{r['confidence']}]"),
                f"{fmt(mm['central'])} ({fmt(mm['low'])}–{fmt(mm['high'])})",
                f"{fmt(pk['low'])}–{fmt(pk['high'])}",
                r["classification"].replace("_", " "),
                r["more_credible"],
            )
        console.print(st)
    v_table = Table(title="Against the doses tested in controlled trials (full citations: --html / --json)")
    v_table.add_column("indication", no_wrap=True, min_width=19)
    v_table.add_column("band", no_wrap=True)
    v_table.add_column("verdict")
    v_table.add_column("evidence", no_wrap=True)
    for v in ev.verdicts:
        v_table.add_row(
            v.indication_name,
            "NIR" if (v.band or "") == "nir" else (v.band or v.band_name),
            VERDICT_SHORT.get(v.verdict, v.verdict) + (" (uncertain)" if v.uncertain else ""),
            escape(v.evidence_weight.compact()) if v.evidence_weight is not None else "—",
        )
    console.print(v_table)
    console.print(
        "[dim]Weight of evidence: controlled or blinded trials of the indication, their total N, and how "
        "many were positive (+), null (=), negative (−) or mixed (±); a tally, not a meta-analysis.[/dim]"
    )
    if bl is not None and bl.targets:
        tt = Table(title="To reach the lowest tested dose (per session)")
        tt.add_column("indication", no_wrap=True, min_width=19)
        tt.add_column("band", no_wrap=True)
        tt.add_column("lowest tested J/cm²", justify="right")
        tt.add_column("minutes needed", justify="right")
        tt.add_column("timer allows", justify="left")
        for tg in bl.targets:
            tt.add_row(
                tg.indication_name,
                "NIR" if tg.band == "nir" else tg.band,
                ("≤ " if tg.lowest_tested_at_most else "") + fmt(tg.lowest_tested_j_cm2),
                minutes_range(tg.minutes_needed),
                TIMER_LABELS.get(tg.timer_fit, tg.timer_fit),
            )
        console.print(tt)
    if ev.claims:
        grades: dict[str, int] = {}
        for c in ev.claims:
            grades[c.grade] = grades.get(c.grade, 0) + 1
        console.print(
            "Marketing claims: " + ", ".join(f"{n} {g.replace('_', ' ')}" for g, n in grades.items())
        )
    if ev.standing.get("summary"):
        console.print(escape(str(ev.standing["summary"])), highlight=False)
    meter_hints = ev.meter.hints if ev.meter is not None else []
    for n in ev.notes:
        n = with_cli_hints(n, meter_hints, EVALUATE_MODEL_HINTS)
        console.print(f"[yellow]note:[/yellow] {escape(n)}", highlight=False)
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
    meter_position: Annotated[
        str,
        typer.Option(
            help="Where the meter's sensor sat: over-led (right over one LED, a peak), "
            "between-leds (in a gap, a minimum) or distance (--meter-distance-cm in front)"
        ),
    ] = "distance",
    photons: Annotated[
        int, typer.Option(help="Photons per channel for the depth model")
    ] = DEFAULT_DEPTH_PHOTONS,
    html: Annotated[Path | None, typer.Option(help="Write the HTML report here")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
    ita: Annotated[
        float | None,
        typer.Option("--ita", help="Your measured ITA° (−90..90): melanin fitted, range into dose"),
    ] = None,
    lab: Annotated[
        str | None,
        typer.Option("--lab", help="Your measured L*,a*,b*: melanin and blood fitted, range into dose"),
    ] = None,
) -> None:
    """Evaluate a device end to end: irradiance on a face, dose in your skin, the evidence, the claims."""
    check_output_path(html, "--html", HTML_EXTENSIONS, as_json=as_json)
    if not 1000 <= photons <= MAX_EVALUATE_PHOTONS:
        bad_input(
            "--photons", f"{photons:,} is outside 1 000 … {MAX_EVALUATE_PHOTONS:.0e}",
            f"use at least 1000 for a usable depth profile (default {DEFAULT_DEPTH_PHOTONS:,})",
            as_json=as_json,
        )  # fmt: skip
    if minutes is not None and not 0 < minutes <= 120:
        bad_input(
            "--minutes", f"{minutes:g} min is not a session length above 0 and at most 120 minutes",
            "give the minutes of one session, e.g. 10, or leave it out to use the device's timer",
            as_json=as_json,
        )  # fmt: skip
    from photodose.cli.device_cmd import _device_error, check_reading_units
    from photodose.cli.progress import LazyProgress, progress_wanted
    from photodose.device import DeviceSpecError, UnknownDeviceError
    from photodose.device.meter import MeterReadingError
    from photodose.dose import DoseInputError
    from photodose.services.evaluate import evaluate
    from photodose.services.own_devices import resolve_device
    from photodose.skin import SkinInputError, SkinProfile

    try:
        skin = SkinProfile(fitzpatrick=fitzpatrick, site=site)
        meter = (
            parse_meter(meter_reading, meter_distance_cm, meter_model, meter_position)
            if meter_reading
            else None
        )
    except (SkinInputError, MeterReadingError, ValueError) as exc:
        _input_error(exc, as_json)
    if ita is not None or lab is not None:
        from photodose.cli.skin_spectrum import fit_profile

        skin = fit_profile(skin, ita, lab, as_json)
    if meter is not None:
        check_reading_units(
            meter.value,
            meter.unit,
            meter.distance_cm,
            field="--meter-reading",
            confirmed=False,
            as_json=as_json,
        )
    try:
        spec = resolve_device(device)  # a catalogued device, one of yours (devices add), or a file
        with LazyProgress(enabled=progress_wanted(as_json)) as bar:
            ev = evaluate(
                spec,
                skin=skin,
                minutes=minutes,
                sessions_per_week=sessions_per_week,
                meter=meter,
                photons=photons,
                progress=bar.report,
            )
    except (UnknownDeviceError, DeviceSpecError) as exc:
        _device_error(exc, "DEVICE", as_json)
    except (SkinInputError, MeterReadingError, DoseInputError, ValueError) as exc:
        _input_error(exc, as_json)
    if html is not None:
        from photodose.report.html import write_html  # matplotlib: only when a report is asked for

        write_or_exit(lambda: write_html(ev, html), html, "--html", as_json=as_json)
    if as_json:
        from photodose.cli.hints import evaluation_json_with_cli_hints

        meter_hints = ev.meter.hints if ev.meter is not None else []
        echo_json(evaluation_json_with_cli_hints(ev.to_json(), meter_hints), default=str)
        return
    print_summary(ev)
    if html is not None:
        typer.echo(f"Report written to {html.resolve()}")


def context_for_device(name: str) -> ClaimContext:
    """Claim-grading facts for a catalogued device: its record and its computed dose."""
    from photodose.services.claim_context import build_context
    from photodose.services.evaluate import evaluate

    ev = evaluate(name, grade_device_claims=False)
    return build_context(ev.device, ev.doses, ev.depth)


claims_cmd.context_for_device = context_for_device
