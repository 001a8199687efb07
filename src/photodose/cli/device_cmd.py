"""``photodose devices`` (the catalog, or one device) and ``photodose meter`` (a reading).

The device models (pydantic, numpy) and Rich are imported inside the commands: importing this
module must stay cheap (``photodose --help`` in ≤ 0.3 s).
"""

from __future__ import annotations

import math
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from photodose.cli.app import app
from photodose.cli.errors import bad_input, field_from_message
from photodose.cli.output import echo_json

if TYPE_CHECKING:
    from rich.console import Console

#: Display units ``meter`` accepts, as written on meters (photodose.device.meter.UNITS_TO_MW_CM2).
UNIT_HELP = "mW/cm2, W/m2, uW/cm2, W/cm2 or mW/m2 (what the display shows)"


@cache
def _console() -> Console:
    from rich.console import Console

    return Console()


def _fail(
    field: str, message: str, as_json: bool, extra: dict[str, Any] | None = None, fix: str = ""
) -> NoReturn:
    bad_input(field, message, fix, as_json=as_json, **(extra or {}))


def _device_error(err: Exception, field: str, as_json: bool) -> NoReturn:
    """Unknown catalog name or a malformed device file → exit 2 naming the field and the fix."""
    from photodose.device import UnknownDeviceError

    if isinstance(err, UnknownDeviceError):
        _fail(
            field, str(err), as_json, {"suggestions": err.suggestions},
            fix="give a catalog id (see `photodose devices`) or the path of a device TOML file",
        )  # fmt: skip
    _fail(
        field, str(err), as_json, {"problems": getattr(err, "problems", [])},
        fix="correct the fields named above (see src/photodose/data/devices/ for complete examples)",
    )  # fmt: skip


def _out(text: str, style: str | None = None) -> None:
    """Print data text literally (no Rich markup: "[assumption]" must stay visible)."""
    _console().print(text, style=style, markup=False, highlight=False)


def _fmt(x: float) -> str:
    return f"{x:.3g}"


@app.command("devices")
def devices(
    name: Annotated[
        str | None,
        typer.Argument(
            help="A catalog name or id, a saved device's id, or a device TOML file: show it in detail. "
            "`template`: print a commented device file to fill in; `check FILE`: validate one; "
            "`add FILE`: validate it and save it with your devices."
        ),
    ] = None,
    file: Annotated[str | None, typer.Argument(help="With `check` or `add`: the device TOML file.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    model: Annotated[
        bool,
        typer.Option("--model/--no-model", help="Include the modelled face irradiance."),
    ] = True,
) -> None:
    """List the device catalog (or show one device) with sources and modelled irradiance.

    `photodose devices template > my-mask.toml` writes a device file for your own mask;
    `photodose devices check my-mask.toml` validates it (then `photodose evaluate my-mask.toml`);
    `photodose devices add my-mask.toml` saves it with your devices (the web app's too), so that
    `photodose evaluate my-mask` finds it by its id.
    """
    if name == "template":
        _template(as_json)
        return
    if name == "check":
        _check(file, as_json)
        return
    if name == "add":
        _add(file, as_json)
        return
    if file is not None:
        _fail("FILE", f"unexpected second argument {file!r}", as_json,
              fix="give one device name, or `check FILE` to validate a device file")  # fmt: skip
    from rich.markup import escape
    from rich.table import Table

    from photodose.device import DeviceSpecError, UnknownDeviceError, catalog
    from photodose.device.summary import device_summary, stated_irradiance

    if model:  # the Numba irradiance kernel only when modelling (`--no-model` starts fast)
        from photodose.device import evaluate_irradiance
    from photodose.services.own_devices import DeviceStore, resolve_device

    try:
        devs = [resolve_device(name)] if name is not None else catalog()
    except (UnknownDeviceError, DeviceSpecError) as err:
        _device_error(err, "NAME", as_json)
    own = DeviceStore().list() if name is None else []  # saved with `devices add` or the web app

    if as_json:
        items = [device_summary(d, model=model) for d in devs]
        obj: dict[str, Any] = {"device": items[0]} if name is not None else {"devices": items}
        if name is None:
            obj["own_devices"] = [device_summary(d, model=model) for d in own]
        echo_json(obj)
        return
    console = _console()
    if own:
        _out("Your devices: " + ", ".join(f"{d.id} ({d.name})" for d in own) + " — `photodose devices ID`")

    if name is None and console.width < 110:
        _catalog_narrow(devs, model)
        return
    if name is None:
        t = Table(title="photodose device catalog", show_lines=False)
        t.add_column("device", no_wrap=True)  # ids are never broken mid-word
        t.add_column("kind")
        t.add_column("λ nm", justify="right")
        t.add_column("LEDs", justify="right")
        t.add_column("stated mW/cm²", justify="right")
        if model:
            t.add_column("modelled mW/cm² (range)", justify="right")
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
        console.print(t)
        console.print(
            "Stated: what a source says. Modelled: the mean over the treated face from the "
            "geometric model, resting on assumptions where nothing is published (most masks); "
            "`photodose devices <id>` shows each input's source and confidence.",
            style="dim",
        )
        return

    d = devs[0]
    console.print(f"[bold]{escape(d.name)}[/] ({escape(d.id)}, {d.kind})  maker: {escape(d.identity.maker)}")
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
    console.print(ct)
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
            console.print(rt)
            _out(f"  {res.layout}", style="dim")
        _out("Region values: central scenario, mW/cm².", style="dim")


def check_reading_units(
    value: float, unit: str, distance_cm: float, *, field: str, confirmed: bool, as_json: bool
) -> None:
    """Stop (exit 2) on a reading whose unit makes it implausible for any LED device.

    ``12 -u W/cm2`` is 12 000 mW/cm², sixty times the brightest stated LED device
    (``data/meters/meters.toml`` [plausibility], an assumption: 0.01–200 mW/cm²); the likely
    mistake is the unit, so the command names the unit under which the number is plausible
    and asks for ``--confirm-unit`` before going on. mW/cm² and W/m² (a factor 10 apart, the
    classic mix-up) are not stopped unless even ten times off cannot explain them: for those
    the reading is kept and the other reading shown beside it.
    """
    from photodose.device.meter import UNITS_TO_MW_CM2, MeterReadingError, plausible_range_mw_cm2, to_mw_cm2

    try:
        e = to_mw_cm2(value, unit)
    except MeterReadingError as err:
        _fail(field, str(err).split("; fix:")[0], as_json, fix=f"use {UNIT_HELP}")
    if confirmed or not (
        math.isfinite(e) and e > 0 and math.isfinite(distance_cm) and 0 <= distance_cm <= 500
    ):
        return  # non-finite and out-of-range values are reported by MeterReading itself
    lo, hi = plausible_range_mw_cm2(distance_cm)
    common = unit.strip().lower().replace("²", "2").replace(" ", "") in ("mw/cm2", "w/m2")
    if lo <= e <= hi or (common and lo / 10 <= e <= hi * 10):
        return
    names = {"mw/cm2": "mW/cm2", "w/m2": "W/m2", "uw/cm2": "uW/cm2", "w/cm2": "W/cm2", "mw/m2": "mW/m2"}
    fits = [names[u] for u, f in UNITS_TO_MW_CM2.items() if u in names and lo <= value * f <= hi]
    guess = f"; as {' or '.join(f'{value:g} {u}' for u in fits)} it would be plausible" if fits else ""
    shown = f"{e:,.0f}" if e >= 1000 else f"{e:.4g}"
    _fail(
        field,
        f"{value:g} {unit} = {shown} mW/cm², outside the {lo:g}–{hi:g} mW/cm² any LED device plausibly "
        f"gives at {distance_cm:g} cm (assumption, data/meters/meters.toml){guess}",
        as_json,
        {"as_given_mw_cm2": e, "plausible_mw_cm2": [lo, hi], "plausible_units": fits},
        fix=(f"check the display's unit (likely {fits[0]})" if fits else "check the unit and the distance")
        + "; if the reading really is in this unit, add --confirm-unit",
    )


def _catalog_narrow(devs: list[Any], model: bool) -> None:
    """The catalog for a narrow terminal: one heading line per device (its id never broken),
    then one line per channel."""
    from photodose.device.summary import stated_irradiance

    if model:  # the Numba irradiance kernel only when modelling
        from photodose.device import evaluate_irradiance
    _out("photodose device catalog (central (low–high) mW/cm²; ~ = LED count assumed)", style="bold")
    for d in devs:
        k = d.regulatory.k_number
        _out(f"{d.id}", style="bold")
        _out(f"  {d.kind}; 510(k) {k.value if k.found else 'not found'}; timer {d.session_minutes:g} min")
        stated = {s["channel"]: s["irradiance_mw_cm2"]["value"] for s in stated_irradiance(d)}
        modelled = {ci.channel: ci.mean for ci in evaluate_irradiance(d)} if model else {}
        for c in d.channels:
            n = c.led_count.pick()
            leds = f"{n:g}" if c.led_count.known else f"~{n:g}"
            line = f"  {c.peak_nm.pick():>6g} nm  {leds:>5} LEDs"
            if c.name in stated:
                line += f"  stated {stated[c.name]:g}"
            if model:
                e = modelled[c.name]
                line += f"  modelled {_fmt(e.central)} ({_fmt(e.low)}–{_fmt(e.high)})"
            _out(line)
    _out(
        "Stated: what a source says. Modelled: the mean over the treated face from the geometric "
        "model. `photodose devices <id>` shows each input's source and confidence.",
        style="dim",
    )


def _template(as_json: bool) -> None:
    """Print the commented device-file template (for `photodose devices template > my-mask.toml`)."""
    from importlib.resources import files

    text = (files("photodose") / "data" / "devices" / "_my_mask_template.toml").read_text("utf-8")
    if as_json:
        echo_json({"template": text})
        return
    typer.echo(text, nl=False)


def _device_file_or_exit(file: str | None, verb: str, as_json: bool) -> str:
    from pathlib import Path

    if file is None:
        _fail("FILE", "no device file given", as_json, fix=f"e.g. `photodose devices {verb} my-mask.toml`")
    if not Path(file).is_file():
        _fail(
            "FILE",
            f"{file!r} is not a file",
            as_json,
            fix="give the path of a device TOML file (`photodose devices template > my-mask.toml`)",
        )
    return file


def _add(file: str | None, as_json: bool) -> None:
    """Validate a device file and save it with the person's devices (services.own_devices)."""
    from pathlib import Path

    from photodose.device import DeviceSpecError
    from photodose.services.own_devices import DeviceStore

    path = Path(_device_file_or_exit(file, "add", as_json))
    store = DeviceStore()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        _fail("FILE", f"cannot read {str(path)!r}: {err}", as_json, fix="give a readable UTF-8 TOML file")
    try:
        d = store.save_text(text, str(path))
    except DeviceSpecError as err:
        _device_error(err, "FILE", as_json)
    except OSError as err:
        _fail(
            "FILE", f"cannot save into {store.folder}: {err.strerror or err}", as_json,
            fix="check free space and permissions of the data folder (PHOTODOSE_DATA_DIR)",
        )  # fmt: skip
    saved = store.folder / f"{d.id}.toml"
    if as_json:
        echo_json({"saved": {"id": d.id, "name": d.name, "path": str(saved)}})
        return
    _out(f"Saved {d.name} ({d.id}) to {saved}.")
    _out(f"Next: photodose evaluate {d.id}", style="bold")


def _check(file: str | None, as_json: bool) -> None:
    """Validate a device file; say what is known, what is assumed, and what the model makes of it."""
    from pathlib import Path

    from photodose.device import DeviceSpecError, evaluate_irradiance, load_device

    file = _device_file_or_exit(file, "check", as_json)
    try:
        d = load_device(Path(file))
        irr = evaluate_irradiance(d)
    except (DeviceSpecError, ValueError) as err:
        _device_error(err, "FILE", as_json)
    known: list[str] = []
    assumed: list[str] = []
    for c in d.channels:
        for what, v in (
            ("peak_nm", c.peak_nm),
            ("led_count", c.led_count),
            ("radiant_power_mw_per_led", c.radiant_power_mw_per_led),
            ("total_optical_power_mw", c.total_optical_power_mw),
            ("claimed_irradiance", c.claimed_irradiance.irradiance_mw_cm2 if c.claimed_irradiance else None),
        ):
            if v is not None:
                (known if v.known else assumed).append(f"channels.{c.name}.{what}: {v.describe()}")
    beam = d.beam.viewing_angle_deg or d.beam.cos_exponent_m
    for what, v in (("beam", beam), ("geometry.standoff_cm", d.geometry.standoff_cm)):
        if v is not None:
            (known if v.known else assumed).append(f"{what}: {v.describe()}")
    modelled = {
        ci.channel: {"low": ci.mean.low, "central": ci.mean.central, "high": ci.mean.high} for ci in irr
    }
    if as_json:
        echo_json(
            {
                "ok": True,
                "id": d.id,
                "name": d.name,
                "known": known,
                "assumed": assumed,
                "modelled_face_mean_mw_cm2": modelled,
                "session_minutes": d.session_minutes,
            }
        )
        return
    _out(f"OK: {file} is a valid device file: {d.name} ({d.id}, {d.kind}).")
    _out("Known:" if known else "Known: nothing yet (every number is an assumption).")
    for k in known:
        _out(f"  {k}")
    if assumed:
        _out("Assumed (the range is carried into every result; replace with what you find):")
        for a in assumed:
            _out(f"  {a}")
    for ch, e in modelled.items():
        _out(
            f"Modelled face-mean irradiance, {ch}: {_fmt(e['central'])} mW/cm² "
            f"(range {_fmt(e['low'])}–{_fmt(e['high'])})"
        )
    _out(f"Next: photodose evaluate {file}", style="bold")


@app.command("meter")
def meter(
    value: Annotated[float, typer.Argument(help="The number on the meter's display, ≥ 0.")],
    unit: Annotated[str, typer.Option("--unit", "-u", help=f"Display unit: {UNIT_HELP}.")],
    distance_cm: Annotated[float, typer.Option("--distance", "-d", help="Sensor-to-LED distance, 0–500 cm.")],
    meter_name: Annotated[str, typer.Option("--meter", "-m", help="Meter model, e.g. TES-1333.")] = "unknown",
    device: Annotated[
        str | None, typer.Option("--device", help="The device measured (catalog name or file).")
    ] = None,
    confirm_unit: Annotated[
        bool,
        typer.Option("--confirm-unit", help="The unit is right even though the value is implausible."),
    ] = False,
    position: Annotated[
        str,
        typer.Option(
            "--position",
            help="Where the sensor sat: over-led (a peak), between-leds (a minimum) or distance.",
        ),
    ] = "distance",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Interpret your own irradiance-meter reading (units, meter correction, plausibility)."""
    from photodose.cli.hints import METER_MODEL_HINTS, with_cli_hints
    from photodose.device import DeviceSpecError, UnknownDeviceError, load_device
    from photodose.device.meter import (
        MeterReading,
        MeterReadingError,
        alternative_reading,
        interpret_reading,
        measured_face_irradiance,
    )

    check_reading_units(value, unit, distance_cm, field="--unit", confirmed=confirm_unit, as_json=as_json)
    try:
        dev = load_device(device) if device is not None else None
    except (UnknownDeviceError, DeviceSpecError) as err:
        _device_error(err, "--device", as_json)
    try:
        reading = MeterReading(value, unit, distance_cm, meter_name, position)
        interp = interpret_reading(reading, dev)
        face = measured_face_irradiance(dev, interp) if dev is not None else {}
        alt = alternative_reading(interp)
        face_alt = (
            measured_face_irradiance(dev, interpret_reading(alt, dev))
            if dev is not None and alt is not None
            else {}
        )
    except MeterReadingError as err:
        msg = str(err)
        field = field_from_message(
            msg, {"meter position": "--position", "distance": "--distance", "unit": "--unit"}, "VALUE"
        )
        message, _, fix = msg.partition("; fix: ")
        _fail(field, message, as_json, fix=fix or "see `photodose meter --help`")
    if as_json:
        obj = interp.to_dict()
        obj["flags"] = [with_cli_hints(f, interp.hints, METER_MODEL_HINTS) for f in interp.flags]
        obj["face_irradiance_mw_cm2"] = {k: v.to_dict() for k, v in face.items()}
        obj["face_irradiance_if_alternative_mw_cm2"] = {k: v.to_dict() for k, v in face_alt.items()}
        echo_json(obj)
        return
    _out(f"reading: {value:g} {unit} at {distance_cm:g} cm → {interp.as_given_mw_cm2:.3g} mW/cm²")
    _out(f"irradiance: {interp.irradiance}  [{interp.irradiance.confidence}]")
    _out(interp.correction_note, style="dim")
    for f in interp.flags:
        _out(f"! {with_cli_hints(f, interp.hints, METER_MODEL_HINTS)}", style="yellow")
    for ch, est in face.items():
        _out(f"face mean, {ch}: {est}")
    if alt is not None:
        _out(f"if the display was in {alt.unit}:", style="yellow")
        for ch, est in face_alt.items():
            _out(f"  face mean, {ch}: {est}")
