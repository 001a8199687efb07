"""Evaluate page: device, skin, minutes, meter reading → the report; and its HTML download."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from photodose.device import DeviceSpecError, UnknownDeviceError
from photodose.errors import FieldError
from photodose.report.guide import MOUNT
from photodose.skin import FITZPATRICK_TYPES
from photodose.web.context import WebContext, ctx_of
from photodose.web.problems import FIELD_ERROR_STATUS, FormFieldsError, problems_of
from photodose.web.problems import FormError as FormError  # the forms' error, imported from here too
from photodose.web.workers import EvalArgs, evaluation_job, report_job

router = APIRouter()
T = TypeVar("T")

FITZPATRICK = FITZPATRICK_TYPES
METER_UNITS = ("mW/cm2", "W/m2", "uW/cm2")
#: ``photodose evaluate --meter-position`` (photodose.device.meter.METER_POSITIONS) with its words
METER_POSITION_LABELS = {
    "distance": "at a distance, in front of the middle of the LEDs",
    "over-led": "against the mask, right over one LED (a peak)",
    "between-leds": "against the mask, in a gap between LEDs (a minimum)",
}
METER_POSITIONS = tuple(METER_POSITION_LABELS)


def form_number(field: str, text: str, fix: str) -> float:
    """``text`` as a number, else a :class:`FormError` on ``field`` ("'…' is not a number")."""
    try:
        return float(text)
    except ValueError:
        raise FormError(field, f"{text[:20]!r} is not a number", fix) from None


@dataclass(frozen=True)
class EvalQuery:
    """The evaluate form, parsed (hashable: the cache key of the page)."""

    device: str
    fitzpatrick: str = "III"
    site: str = "forehead"
    minutes: float | None = None
    sessions_per_week: float | None = None
    meter_value: float | None = None
    meter_unit: str = "mW/cm2"
    meter_distance_cm: float = 1.0
    meter_model: str = "unknown"
    meter_position: str = "distance"
    ita_deg: float | None = None
    lab: tuple[float, float, float] | None = None


def _float(params: dict[str, str], name: str, label: str, lo: float, hi: float) -> float | None:
    text = params.get(name, "").strip()
    if not text:
        return None
    try:
        x = float(text)
    except ValueError:
        raise FormError(
            name, f"{label}: {text[:40]!r} is not a number", f"give a number from {lo:g} to {hi:g}"
        ) from None
    if not math.isfinite(x) or not lo <= x <= hi:
        raise FormError(name, f"{label}: {x:g} is out of range", f"give a number from {lo:g} to {hi:g}")
    return x


def parse_query(params: dict[str, str]) -> EvalQuery:
    """The form, checked field by field: every field at fault is reported at once
    (:class:`FormFieldsError`), not only the first."""
    errors: list[FormError] = []

    def check(fn: Callable[[], T], default: T) -> T:
        try:
            return fn()
        except FormError as err:
            errors.append(err)
            return default

    def need_device() -> str:
        device = params.get("device", "").strip()[:200]
        if not device:
            raise FormError("device", "no device chosen", "pick a device from the list")
        return device

    def unit_of() -> str:
        unit = params.get("meter_unit", "mW/cm2")
        if unit not in METER_UNITS:
            raise FormError(
                "meter_unit", f"unit {unit[:20]!r} is not offered", f"use one of {', '.join(METER_UNITS)}"
            )
        return unit

    def position_of() -> str:
        position = params.get("meter_position", "").strip() or "distance"
        if position not in METER_POSITIONS:
            raise FormError(
                "meter_position",
                f"position {position[:20]!r} is not offered",
                f"use one of {', '.join(METER_POSITIONS)}",
            )
        return position

    def lab_of() -> tuple[float, float, float] | None:
        lab_text = params.get("lab", "").strip()
        if not lab_text:
            return None
        parts = [p.strip() for p in lab_text.replace(";", ",").split(",")]
        try:
            if len(parts) != 3:
                raise ValueError
            return (float(parts[0]), float(parts[1]), float(parts[2]))
        except ValueError:
            raise FormError(
                "lab", f"{lab_text[:40]!r} is not three numbers", "give L*,a*,b*, e.g. 62, 11, 16"
            ) from None

    def number(name: str, label: str, lo: float, hi: float) -> float | None:
        return check(lambda: _float(params, name, label, lo, hi), None)

    # in the form's order, so the list of problems reads top to bottom like the form
    device = check(need_device, "")
    minutes = number("minutes", "session minutes", 0.1, 120.0)
    sessions = number("sessions_per_week", "sessions per week", 0.1, 21.0)
    meter_value = number("meter_value", "meter reading", 0.0, 100_000.0)
    unit = check(unit_of, "mW/cm2")
    distance = number("meter_distance_cm", "meter distance", 0.0, 100.0)
    position = check(position_of, "distance")
    ita = number("ita", "ITA°", -90.0, 90.0)
    lab = check(lab_of, None)
    if ita is not None and lab is not None:
        errors.append(FormError("ita", "both ITA° and L*a*b* given", "give one of them"))
    if errors:
        raise errors[0] if len(errors) == 1 else FormFieldsError(errors)
    return EvalQuery(
        ita_deg=ita,
        lab=lab,
        device=device,
        fitzpatrick=params.get("fitzpatrick", "III")[:5],
        site=params.get("site", "forehead")[:30],
        minutes=minutes,
        sessions_per_week=sessions,
        meter_value=meter_value,
        meter_unit=unit,
        meter_distance_cm=distance or 1.0,
        meter_model=(params.get("meter_model", "unknown").strip() or "unknown")[:60],
        meter_position=position,
    )


def eval_args(ctx: WebContext, q: EvalQuery, grade_device_claims: bool = True) -> EvalArgs:
    """Check the parsed form against the models (device, skin, meter) and package it for the worker."""
    from photodose.device.meter import MeterReading, MeterReadingError
    from photodose.skin import SkinInputError, SkinProfile

    try:
        spec = ctx.device(q.device)
    except DeviceSpecError as err:
        raise FormError("device", str(err), "pick a device from the list") from None
    try:
        skin = SkinProfile(fitzpatrick=q.fitzpatrick, site=q.site)
    except SkinInputError as err:
        raise FormError("skin", str(err), "pick a skin type and site from the lists") from None
    if q.ita_deg is not None or q.lab is not None:
        from photodose.validation.skin_colour import ColourInputError, check_ita, check_lab

        try:
            if q.ita_deg is not None:
                check_ita(q.ita_deg)
            if q.lab is not None:
                check_lab(q.lab)
        except ColourInputError as err:
            field = "ita" if q.ita_deg is not None else "lab"
            raise FormError(field, str(err), "give the reading of a skin colour meter") from None
    meter = None
    if q.meter_value is not None:
        try:
            MeterReading(q.meter_value, q.meter_unit, q.meter_distance_cm, q.meter_model, q.meter_position)
        except MeterReadingError as err:
            raise FormError("meter_value", str(err), "check the reading, its unit and the distance") from None
        meter = (q.meter_value, q.meter_unit, q.meter_distance_cm, q.meter_model, q.meter_position)
    return EvalArgs(
        spec,
        skin.fitzpatrick,
        skin.site,
        q.minutes,
        q.sessions_per_week,
        meter,
        ctx.settings.photons,
        grade_device_claims,
        q.ita_deg,
        q.lab,
    )


def evaluation_view(ctx: WebContext, q: EvalQuery) -> dict[str, Any]:
    """``services.evaluate.evaluate`` and its figures, computed once per query in the worker."""
    from photodose.device.meter import MeterReadingError
    from photodose.dose import DoseInputError

    def make() -> dict[str, Any]:
        args = eval_args(ctx, q)
        try:
            with ctx.heavy:
                view: dict[str, Any] = ctx.workers.run(evaluation_job, args)
        except MeterReadingError as err:
            raise FormError("meter_value", str(err), "check the reading, its unit and the distance") from None
        except DoseInputError as err:
            raise FormError("minutes", str(err), "check the minutes and sessions per week") from None
        return view

    return ctx.pages.get_or_make(("evaluate", q, ctx.settings.photons), make)


def report_html(ctx: WebContext, q: EvalQuery, docs_base: str | None = None) -> str:
    """The downloadable report; its "Guide:" links point at ``docs_base``, the app's own guide
    (``http://HOST:PORT/guide/``: absolute, so they work from the saved file while the app runs)."""

    def make() -> str:
        ev = evaluation_view(ctx, q)["ev"]
        with ctx.heavy:
            text: str = ctx.workers.run(report_job, ev, docs_base)
        return text

    return ctx.pages.get_or_make(("report", q, ctx.settings.photons, docs_base), make)


def _form_options(ctx: WebContext) -> dict[str, Any]:
    from photodose.skin import face_sites

    return {
        "devices": [(d.id, d.name + (" (yours)" if own else "")) for d, own in ctx.all_devices()],
        "fitzpatrick_types": FITZPATRICK,
        "sites": list(face_sites()),
        "meter_units": METER_UNITS,
        "meter_positions": list(METER_POSITION_LABELS.items()),
    }


def evaluation_fragment(ctx: WebContext, request: Request, q: EvalQuery, view: dict[str, Any]) -> Markup:
    """The rendered result (no per-browser content in it), cached per query."""
    query = request.url.query

    def make() -> Markup:
        from photodose.report.format import TIMER_LABELS, VERDICT_LABELS, fmt, minutes_range, mm, rng

        ev = view["ev"]
        tpl = ctx.templates.get_template("_evaluation.html")
        return Markup(
            tpl.render(
                view=view,
                ev=ev,
                colour_fit=q.ita_deg is not None or q.lab is not None,
                figures=list(view["figures"]),
                zip_doses=list(zip(ev.doses, ev.depth, strict=True)),
                problem=None,
                query=query,
                fmt=fmt,
                rng=rng,
                mm=mm,
                bottom_line=getattr(ev, "bottom_line", None),
                verdict_label=lambda v: VERDICT_LABELS.get(v, v),
                timer_label=lambda v: TIMER_LABELS.get(v, v),
                minutes_range=minutes_range,
            )
        )

    return ctx.pages.get_or_make(("evaluate-html", q, query, ctx.settings.photons), make)


@router.get("/evaluate")
async def evaluate_page(request: Request) -> Response:
    ctx = ctx_of(request)
    params = {k: v for k, v in request.query_params.items()}
    fragment = bool(request.headers.get("hx-request"))
    options = {} if fragment else _form_options(ctx)
    if not params.get("device"):
        return ctx.render(request, "evaluate.html", params=params, result=None, problem=None, **options)
    try:
        q = parse_query(params)
        key = ("evaluate", q, ctx.settings.photons)
        hit = ctx.pages.get(key)  # warm: no thread hop
        view: dict[str, Any] = hit if hit is not None else await run_in_threadpool(evaluation_view, ctx, q)
    except (FieldError, UnknownDeviceError) as err:  # the form again, with the problem above the result
        problems = (
            problems_of(err)
            if isinstance(err, FieldError)
            else [("device", str(err), "pick a device from the list")]
        )
        if fragment:
            return ctx.render(
                request, "_problem.html", status=FIELD_ERROR_STATUS, problem=problems[0], problems=problems
            )
        return ctx.render(
            request,
            "evaluate.html",
            status=FIELD_ERROR_STATUS,
            params=params,
            result=None,
            problem=problems[0],
            problems=problems,
            **options,
        )
    result = evaluation_fragment(ctx, request, q, view)
    if fragment:
        return HTMLResponse(result)
    return ctx.render(request, "evaluate.html", params=params, result=result, problem=None, **options)


FIGURES = ("face", "depth", "windows")


@router.get("/evaluate/figure/{name}")
async def evaluate_figure(request: Request, name: str) -> Response:
    """One figure of an evaluation (PNG or SVG), so the page itself stays small."""
    ctx = ctx_of(request)
    if name not in FIGURES:
        return ctx.render(
            request,
            "error.html",
            status=404,
            field="figure",
            message="no such figure",
            fix="use the page's links",
        )
    params = {k: v for k, v in request.query_params.items()}
    try:  # a FormError is the app's FieldError handler's: the error page, 422
        q = parse_query(params)
        key = ("evaluate", q, ctx.settings.photons)
        hit = ctx.pages.get(key)
        view: dict[str, Any] = hit if hit is not None else await run_in_threadpool(evaluation_view, ctx, q)
    except UnknownDeviceError as err:
        return ctx.render(
            request, "error.html", status=404, field="device", message=str(err), fix="pick a device"
        )
    if name not in view["figures"]:
        return ctx.render(request, "error.html", status=404, field="figure", message="not drawn", fix="")
    body, media = view["figures"][name]
    return Response(body, media_type=media, headers={"cache-control": "private, max-age=3600"})


@router.get("/evaluate/report.html")
async def evaluate_report(request: Request) -> Response:
    ctx = ctx_of(request)
    params = {k: v for k, v in request.query_params.items()}
    try:  # a FormError is the app's FieldError handler's: the error page, 422
        q = parse_query(params)
        docs_base = str(request.base_url) + MOUNT.lstrip("/")
        text = await run_in_threadpool(report_html, ctx, q, docs_base)
    except UnknownDeviceError as err:
        return ctx.render(
            request,
            "error.html",
            status=404,
            field="device",
            message=str(err),
            fix="pick a device from the list",
        )
    safe_id = "".join(c for c in q.device if c.isalnum() or c == "-")[:60] or "device"
    return HTMLResponse(
        text,
        headers={"content-disposition": f'attachment; filename="photodose-{safe_id}.html"'},
    )
