"""Devices pages: the catalogue with search, one device with every field's source, compare, add your own."""

from __future__ import annotations

import re
import tomllib
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel
from starlette.datastructures import UploadFile

from photodose.device import (
    DeviceSpec,
    DeviceSpecError,
    Sourced,
    SourcedText,
    UnknownDeviceError,
    evaluate_irradiance,
)
from photodose.web.context import WebContext, ctx_of
from photodose.web.problems import problem_of
from photodose.web.security import MAX_DEVICE_TOML_BYTES
from photodose.web.workers import compare_job

router = APIRouter()

_UNITS = (
    ("_mw_cm2", "mW/cm²"),
    ("_mw_per_led", "mW"),
    ("_mw", "mW"),
    ("_nm", "nm"),
    ("_cm", "cm"),
    ("_deg", "°"),
    ("_min", "min"),
    ("_hz", "Hz"),
)


def _unit(name: str) -> str:
    for suffix, unit in _UNITS:
        if name.endswith(suffix):
            return unit
    return ""


def sourced_rows(model: BaseModel, prefix: str = "") -> list[dict[str, str]]:
    """Every sourced field of a device, in file order: path, value, source, confidence, note."""
    rows: list[dict[str, str]] = []

    def visit(value: Any, path: str, name: str) -> None:
        if isinstance(value, Sourced | SourcedText):
            if isinstance(value, Sourced):  # as describe() prints it, less its " [confidence]"
                shown = value.describe(_unit(name)).rsplit(" [", 1)[0]
            else:
                shown = value.value
            rows.append(
                {
                    "field": path,
                    "value": shown,
                    "source": value.source,
                    "confidence": value.confidence,
                    "note": value.note,
                }
            )
        elif isinstance(value, BaseModel):
            for fname in type(value).model_fields:
                visit(getattr(value, fname), f"{path}.{fname}" if path else fname, fname)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                label = getattr(item, "name", None)
                visit(item, f"{path}[{label if isinstance(label, str) else i}]", name)

    visit(model, prefix, prefix)
    return rows


def _device_row(d: DeviceSpec, own: bool) -> dict[str, Any]:
    return {
        "id": d.id,
        "name": d.name,
        "maker": d.identity.maker,
        "kind": d.kind.replace("_", "-"),
        "wavelengths": ", ".join(f"{w:g}" for w in d.wavelengths_nm),
        "k_number": d.regulatory.k_number.value,
        "minutes": f"{d.session_minutes:g}",
        "own": own,
        "search": " ".join(
            [d.id, d.name, d.identity.maker, d.identity.model, *d.identity.aliases, d.kind]
            + [f"{w:g}" for w in d.wavelengths_nm]
        ).lower(),
    }


@router.get("/devices")
async def devices_page(request: Request, q: str = "") -> Response:
    ctx = ctx_of(request)
    q = q[:100]
    rows = [_device_row(d, own) for d, own in ctx.all_devices()]
    words = q.lower().split()
    shown = [r for r in rows if all(w in r["search"] for w in words)]
    name = "_device_rows.html" if request.headers.get("hx-request") else "devices.html"
    return ctx.render(request, name, rows=shown, q=q, total=len(rows))


def _device_view(ctx: WebContext, d: DeviceSpec) -> dict[str, Any]:
    def make() -> dict[str, Any]:
        from photodose.report.format import fmt

        irr = []
        for ci in evaluate_irradiance(d):
            irr.append(
                {
                    "channel": ci.channel,
                    "peak_nm": ci.peak_nm,
                    "mean": ci.mean,
                    "regions": [
                        {"region": r, "mean": fmt(s["mean"]), "min": fmt(s["min"]), "max": fmt(s["max"])}
                        for r, s in ci.regions.items()
                    ],
                    "layout": ci.layout,
                }
            )
        return {"rows": sourced_rows(d), "irradiance": irr}

    return ctx.pages.get_or_make(("device", d.id, d.model_dump_json()), make)


@router.get("/devices/new")
async def new_device_form(request: Request) -> Response:
    ctx = ctx_of(request)
    return ctx.render(request, "device_new.html", form=DEFAULT_FORM, problems=[], bad=[])


@router.get("/devices/{device_id}")
async def device_page(request: Request, device_id: str) -> Response:
    ctx = ctx_of(request)
    try:
        d = ctx.device(device_id)
    except UnknownDeviceError as err:
        return ctx.render(
            request, "error.html", status=404, field="device", message=str(err), fix="pick one from the list"
        )
    view = await run_in_threadpool(_device_view, ctx, d)
    own = ctx.store.get(d.id) is not None
    from photodose.report.format import rng

    return ctx.render(request, "device.html", d=d, own=own, rng=rng, **view)


# --------------------------------------------------------------------------- compare


def _compare_view(
    ctx: WebContext,
    key: tuple[Any, ...],
    specs: list[DeviceSpec],
    fitz: str,
    site: str,
    minutes: float | None,
) -> Any:
    """``photodose.services.compare.compare`` for the chosen devices and person (cached)."""

    def make() -> Any:
        from photodose.skin import SkinProfile

        skin = SkinProfile(fitzpatrick=fitz, site=site)  # checked here: a clear error, no worker trip
        with ctx.heavy:
            return ctx.workers.run(
                compare_job, specs, skin.fitzpatrick, skin.site, minutes, ctx.settings.photons
            )

    return ctx.pages.get_or_make(("compare", key, ctx.settings.photons), make)


@router.get("/compare")
async def compare_page(request: Request) -> Response:
    from photodose.skin import SkinInputError, face_sites
    from photodose.web.evaluate import FITZPATRICK, _float
    from photodose.web.problems import FormError

    ctx = ctx_of(request)
    params = dict(request.query_params.items())
    ids = list(dict.fromkeys(i for i in request.query_params.getlist("ids") if i))[:7]
    fitz = params.get("fitzpatrick", "III")[:5]
    site = params.get("site", "forehead")[:30]
    options = [_device_row(d, own) for d, own in ctx.all_devices()]
    common: dict[str, Any] = {
        "options": options,
        "chosen": ids,
        "params": {"fitzpatrick": fitz, "site": site, "minutes": params.get("minutes", "")},
        "fitzpatrick_types": FITZPATRICK,
        "sites": list(face_sites()),
        "view": None,
    }
    if not ids:
        return ctx.render(request, "compare.html", **common)
    if not 2 <= len(ids) <= 3:
        problem = ("ids", f"{len(ids)} device(s) ticked", "tick two or three devices")
        return ctx.render(request, "compare.html", status=400, problem=problem, **common)
    try:
        minutes = _float(params, "minutes", "session minutes", 0.1, 120.0)
        specs = [ctx.device(i) for i in ids]
        key = (tuple(ids), fitz, site, minutes)
        cmp = await run_in_threadpool(_compare_view, ctx, key, specs, fitz, site, minutes)
    except FormError as err:
        return ctx.render(request, "compare.html", status=422, problem=problem_of(err), **common)
    except SkinInputError as err:
        return ctx.render(
            request, "compare.html", status=422, problem=("skin", str(err), "pick from the lists"), **common
        )
    except DeviceSpecError as err:
        return ctx.render(
            request,
            "compare.html",
            status=404,
            problem=("ids", str(err), "tick devices from the list"),
            **common,
        )
    from photodose.report.format import TIMER_LABELS, VERDICT_LABELS, minutes_range, triple

    common["view"] = cmp
    return ctx.render(
        request,
        "compare.html",
        triple=triple,
        minutes_range=minutes_range,
        verdict_label=lambda v: VERDICT_LABELS.get(v, v),
        timer_label=lambda v: TIMER_LABELS.get(v, v),
        **common,
    )


# --------------------------------------------------------------------------- add your own

DEFAULT_FORM: dict[str, str] = {
    "id": "",
    "name": "",
    "maker": "",
    "kind": "mask",
    "source": "",
    "confidence": "unverified",
    "timer_min": "10",
    "standoff_cm": "",
    "standoff_low": "0.5",
    "standoff_high": "2",
    "viewing_angle_deg": "",
    "angle_low": "90",
    "angle_high": "140",
    "aperture_width_cm": "",
    "aperture_height_cm": "",
    "ch0_name": "red",
    "ch0_peak_nm": "630",
    "ch0_led_count": "",
    "ch0_power_mw": "",
    "ch0_power_low": "2",
    "ch0_power_high": "25",
    "ch1_name": "nir",
    "ch1_peak_nm": "",
    "ch1_led_count": "",
    "ch1_power_mw": "",
    "ch1_power_low": "2",
    "ch1_power_high": "25",
    "toml_text": "",
}

_ASSUMED = "assumption (your range; not measured)"


def _num(text: str) -> float | str:
    t = text.strip()
    try:
        return float(t)
    except ValueError:
        return t


def _sourced(form: dict[str, str], key: str, low_key: str | None, high_key: str | None) -> dict[str, Any]:
    """One form value as a device-file value with provenance: given → the person's source and
    confidence; left blank → "unknown" with the range the form shows (an assumption)."""
    value = form.get(key, "").strip()
    if value:
        return {
            "value": _num(value),
            "source": form.get("source", "").strip() or "given by you (no source named)",
            "confidence": form.get("confidence", "unverified"),
        }
    out: dict[str, Any] = {"value": "unknown", "source": _ASSUMED, "confidence": "assumption"}
    if low_key and high_key and form.get(low_key, "").strip() and form.get(high_key, "").strip():
        out["low"] = _num(form[low_key])
        out["high"] = _num(form[high_key])
    return out


def device_from_form(form: dict[str, str]) -> dict[str, Any]:
    """The device-file table the form describes (validated afterwards like any TOML)."""
    channels = []
    for i in (0, 1):
        peak = form.get(f"ch{i}_peak_nm", "").strip()
        if i > 0 and not peak:
            continue
        channels.append(
            {
                "name": form.get(f"ch{i}_name", "").strip() or f"channel{i + 1}",
                "peak_nm": _sourced(form, f"ch{i}_peak_nm", None, None),
                "led_count": _sourced(form, f"ch{i}_led_count", None, None),
                "radiant_power_mw_per_led": _sourced(
                    form, f"ch{i}_power_mw", f"ch{i}_power_low", f"ch{i}_power_high"
                ),
            }
        )
    kind = form.get("kind", "mask")
    geometry: dict[str, Any] = {"standoff_cm": _sourced(form, "standoff_cm", "standoff_low", "standoff_high")}
    if kind != "mask":
        geometry["aperture_width_cm"] = _sourced(form, "aperture_width_cm", None, None)
        geometry["aperture_height_cm"] = _sourced(form, "aperture_height_cm", None, None)
    mode: dict[str, Any] = {"name": "default", "channels": [c["name"] for c in channels]}
    if form.get("timer_min", "").strip():
        mode["timer_min"] = _sourced(form, "timer_min", None, None)
    return {
        "schema_version": 1,
        "id": form.get("id", "").strip(),
        "kind": kind,
        "identity": {"name": form.get("name", "").strip(), "maker": form.get("maker", "").strip()},
        "channels": channels,
        "beam": {"viewing_angle_deg": _sourced(form, "viewing_angle_deg", "angle_low", "angle_high")},
        "geometry": geometry,
        "modes": [mode],
        "regulatory": {
            "k_number": {
                "value": "not found",
                "source": "not given (your device)",
                "confidence": "not_found",
            },
            "product_code": {
                "value": "not found",
                "source": "not given (your device)",
                "confidence": "not_found",
            },
        },
        "notes": "Added through the photodose web app.",
    }


def _read_toml(raw: bytes) -> dict[str, Any]:
    """Device TOML bytes → table; the type is checked by content (UTF-8 text that parses)."""
    if len(raw) > MAX_DEVICE_TOML_BYTES:
        raise DeviceSpecError(
            "device file too large",
            [("toml", f"{len(raw):,} bytes", f"a device file is under {MAX_DEVICE_TOML_BYTES // 1024} KiB")],
        )
    if b"\x00" in raw:
        raise DeviceSpecError(
            "not a text file", [("toml", "the file is binary", "upload a device TOML text file")]
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DeviceSpecError(
            "not UTF-8 text", [("toml", "the file is not UTF-8 text", "upload a device TOML text file")]
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise DeviceSpecError(
            "not TOML", [("toml", f"TOML syntax: {err}", "fix the TOML syntax at that line")]
        ) from None
    return data


_FIELD_OF = {
    r"^id": "id",
    r"^identity\.name": "name",
    r"^identity\.maker": "maker",
    r"^kind": "kind",
    r"^channels\[(\d)\]\.peak_nm": "ch{0}_peak_nm",
    r"^channels\[(\d)\]\.led_count": "ch{0}_led_count",
    r"^channels\[(\d)\]\.radiant_power": "ch{0}_power_mw",
    r"^channels\[(\d)\]\.name": "ch{0}_name",
    r"^beam": "viewing_angle_deg",
    r"^geometry\.standoff": "standoff_cm",
    r"^geometry\.aperture_width": "aperture_width_cm",
    r"^geometry\.aperture_height": "aperture_height_cm",
    r"^modes\[0\]\.timer_min": "timer_min",
}


def _form_field(path: str) -> str:
    for pattern, name in _FIELD_OF.items():
        m = re.match(pattern, path)
        if m:
            return name.format(*m.groups())
    return path


@router.post("/devices/new")
async def new_device_submit(request: Request) -> Response:
    ctx = ctx_of(request)
    form_data = await request.form()
    form = dict(DEFAULT_FORM)
    upload: UploadFile | None = None
    for k, v in form_data.multi_items():
        if isinstance(v, str) and k in DEFAULT_FORM:
            form[k] = v[: MAX_DEVICE_TOML_BYTES + 1] if k == "toml_text" else v[:500]
        elif isinstance(v, UploadFile) and k == "toml_file" and v.filename:
            upload = v
    problems: list[tuple[str, str, str]] = []
    try:
        if upload is not None:
            raw = await upload.read(MAX_DEVICE_TOML_BYTES + 1)
            data = _read_toml(raw)
        elif form["toml_text"].strip():
            data = _read_toml(form["toml_text"].encode("utf-8"))
        else:
            data = device_from_form(form)
        spec = await run_in_threadpool(ctx.store.save, data)
    except DeviceSpecError as err:
        problems = err.problems or [("(device)", str(err), "")]
        shown = [(p, _form_field(p), m, f) for p, m, f in problems]
        return ctx.render(
            request, "device_new.html", status=422, form=form, problems=shown, bad=[s[1] for s in shown]
        )
    return RedirectResponse(f"/devices/{spec.id}", status_code=303)
