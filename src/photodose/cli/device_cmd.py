"""``photodose devices`` (the catalog, or one device) and ``photodose meter`` (a reading)."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from photodose.cli.app import EXIT_BAD_INPUT, app
from photodose.device import (
    DeviceSpecError,
    UnknownDeviceError,
    catalog,
    evaluate_irradiance,
    load_device,
)
from photodose.device.meter import (
    MeterReading,
    MeterReadingError,
    alternative_reading,
    interpret_reading,
    measured_face_irradiance,
)
from photodose.device.summary import device_summary, stated_irradiance

_console = Console()
_err = Console(stderr=True)


def _fail(message: str, as_json: bool, extra: dict[str, Any] | None = None) -> typer.Exit:
    if as_json:
        typer.echo(json.dumps({"error": message, **(extra or {})}))
    else:
        _err.print(f"[bold red]Error:[/] {message}", highlight=False)
    return typer.Exit(EXIT_BAD_INPUT)


def _out(text: str, style: str | None = None) -> None:
    """Print data text literally (no Rich markup: "[assumption]" must stay visible)."""
    _console.print(text, style=style, markup=False, highlight=False)


def _fmt(x: float) -> str:
    return f"{x:.3g}"


@app.command("devices")
def devices(
    name: Annotated[
        str | None,
        typer.Argument(help="A catalog name or id, or a device TOML file: show it in detail."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    model: Annotated[
        bool,
        typer.Option("--model/--no-model", help="Include the modelled face irradiance."),
    ] = True,
) -> None:
    """List the device catalog (or show one device) with sources and modelled irradiance."""
    try:
        devs = [load_device(name)] if name is not None else catalog()
    except UnknownDeviceError as err:
        raise _fail(str(err), as_json, {"suggestions": err.suggestions}) from None
    except DeviceSpecError as err:
        raise _fail(str(err), as_json, {"problems": err.problems}) from None

    if as_json:
        items = [device_summary(d, model=model) for d in devs]
        obj = {"device": items[0]} if name is not None else {"devices": items}
        typer.echo(json.dumps(obj, ensure_ascii=False))
        return

    if name is None:
        t = Table(title="photodose device catalog", show_lines=False)
        t.add_column("device", overflow="fold")
        t.add_column("kind")
        t.add_column("λ nm", justify="right")
        t.add_column("LEDs", justify="right")
        t.add_column("stated mW/cm²", justify="right")
        if model:
            t.add_column("modelled face mean mW/cm² (range)", justify="right")
        t.add_column("510(k)")
        t.add_column("min", justify="right")
        for d in devs:
            stated = {
                s["channel"]: f"{s['irradiance_mw_cm2']['value']:g}"
                + (f" × {s['share']['central']:g}" if s["share"] else "")
                for s in stated_irradiance(d)
            }
            modelled = {ci.channel: ci.mean for ci in evaluate_irradiance(d)} if model else {}
            k = d.regulatory.k_number
            for i, c in enumerate(d.channels):
                first = i == 0
                n = c.led_count.pick()
                row = [
                    d.id if first else "",
                    d.kind if first else "",
                    f"{c.peak_nm.pick():g}",
                    f"{n:g}" if c.led_count.known else f"~{n:g}",
                    stated.get(c.name, "—"),
                ]
                if model:
                    e = modelled[c.name]
                    row.append(f"{_fmt(e.central)} ({_fmt(e.low)}–{_fmt(e.high)})")
                row += [
                    (k.value if k.found else "not found") if first else "",
                    f"{d.session_minutes:g}" if first else "",
                ]
                t.add_row(*row, end_section=i == len(d.channels) - 1)
        _console.print(t)
        _console.print(
            "Stated: what a source says. Modelled: the mean over the treated face from the "
            "geometric model, resting on assumptions where nothing is published (most masks); "
            "`photodose devices <id>` shows each input's source and confidence.",
            style="dim",
        )
        return

    d = devs[0]
    _console.print(f"[bold]{escape(d.name)}[/] ({escape(d.id)}, {d.kind})  maker: {escape(d.identity.maker)}")
    if d.notes:
        _out(d.notes, style="dim")
    ct = Table(title="channels")
    for col in ("channel", "peak nm (confidence)", "LEDs", "power", "wavelength source"):
        ct.add_column(col)
    for c in d.channels:
        if c.radiant_power_mw_per_led is not None:
            pw = f"{c.radiant_power_mw_per_led.describe('mW')} per LED"
        elif c.total_optical_power_mw is not None:
            pw = f"{c.total_optical_power_mw.describe('mW')} total"
        else:
            ci = c.claimed_irradiance
            assert ci is not None
            pw = f"stated {ci.irradiance_mw_cm2.describe('mW/cm²')}"
            if ci.share is not None:
                pw += f" for all channels; this channel's share {ci.share.describe()}"
        ct.add_row(
            *(
                escape(x)
                for x in (
                    c.name,
                    c.peak_nm.describe(),
                    c.led_count.describe(),
                    pw,
                    c.peak_nm.source,
                )
            )
        )
    _console.print(ct)
    g = d.geometry
    _out(f"standoff: {g.standoff_cm.describe('cm')} — {g.standoff_cm.source}")
    r = d.regulatory
    _out(
        f"510(k): {r.k_number.value} [{r.k_number.confidence}] — {r.k_number.source}"
        + (f" ({r.k_number.note})" if r.k_number.note else "")
    )
    _out(f"product code: {r.product_code.value} [{r.product_code.confidence}]")
    for m in d.modes:
        tm = m.timer_min.describe("min") if m.timer_min is not None else "not given"
        _out(f"mode {m.name!r}: channels {', '.join(m.channels)}; timer {tm}")
    if d.claims:
        for cl in d.claims:
            _out(f'claim: "{cl.text}" — {cl.source}')
    else:
        _out("claims: none recorded with a verbatim source", style="dim")
    if model:
        for res in evaluate_irradiance(d):
            rt = Table(
                title=escape(
                    f"{res.channel} {res.peak_nm:g} nm: face mean {res.mean} [{res.mean.confidence}]"
                )
            )
            for col in ("region", "mean", "min", "max", "min/max", "CV"):
                rt.add_column(col)
            for reg, s in res.regions.items():
                rt.add_row(
                    reg,
                    _fmt(s["mean"]),
                    _fmt(s["min"]),
                    _fmt(s["max"]),
                    f"{s['uniformity_min_over_max']:.2f}",
                    f"{s['cv']:.2f}",
                )
            _console.print(rt)
            _out(f"  {res.layout}", style="dim")
        _out("Region values: central scenario, mW/cm².", style="dim")


@app.command("meter")
def meter(
    value: Annotated[float, typer.Argument(help="The number on the meter's display.")],
    unit: Annotated[str, typer.Option("--unit", "-u", help="Display unit: mW/cm2 or W/m2.")],
    distance_cm: Annotated[float, typer.Option("--distance", "-d", help="Sensor-to-LED distance, cm.")],
    meter_name: Annotated[str, typer.Option("--meter", "-m", help="Meter model, e.g. TES-1333.")] = "unknown",
    device: Annotated[
        str | None, typer.Option("--device", help="The device measured (catalog name or file).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Interpret your own irradiance-meter reading (units, meter correction, plausibility)."""
    try:
        dev = load_device(device) if device is not None else None
        reading = MeterReading(value, unit, distance_cm, meter_name)
        interp = interpret_reading(reading, dev)
        face = measured_face_irradiance(dev, interp) if dev is not None else {}
        alt = alternative_reading(interp)
        face_alt = (
            measured_face_irradiance(dev, interpret_reading(alt, dev))
            if dev is not None and alt is not None
            else {}
        )
    except UnknownDeviceError as err:
        raise _fail(str(err), as_json, {"suggestions": err.suggestions}) from None
    except (DeviceSpecError, MeterReadingError) as err:
        raise _fail(str(err), as_json) from None
    if as_json:
        obj = interp.to_dict()
        obj["face_irradiance_mw_cm2"] = {k: v.to_dict() for k, v in face.items()}
        obj["face_irradiance_if_alternative_mw_cm2"] = {k: v.to_dict() for k, v in face_alt.items()}
        typer.echo(json.dumps(obj, ensure_ascii=False))
        return
    _out(f"reading: {value:g} {unit} at {distance_cm:g} cm → {interp.as_given_mw_cm2:.3g} mW/cm²")
    _out(f"irradiance: {interp.irradiance}  [{interp.irradiance.confidence}]")
    _out(interp.correction_note, style="dim")
    for f in interp.flags:
        _out(f"! {f}", style="yellow")
    for ch, est in face.items():
        _out(f"face mean, {ch}: {est}")
    if alt is not None:
        _out(f"if the display was in {alt.unit}:", style="yellow")
        for ch, est in face_alt.items():
            _out(f"  face mean, {ch}: {est}")
