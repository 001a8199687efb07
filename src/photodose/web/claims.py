"""Claims checker: pasted marketing text → graded claims, highlighted in the text with reasons."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from photodose.web.context import WebContext, ctx_of
from photodose.web.problems import problem_of
from photodose.web.security import MAX_CLAIMS_TEXT_BYTES

router = APIRouter()


def highlight_segments(text: str, claims: list[Any]) -> list[tuple[str, int | None, str]]:
    """Cut ``text`` into (piece, claim number or None, grade) so each claim's span is marked.

    Claims are numbered from 1 in report order; where spans overlap, the earlier-starting one
    is marked and the later keeps its number in the list below.
    """
    spans = sorted(
        ((c.claim.start, c.claim.end, i + 1, c.grade.value) for i, c in enumerate(claims)),
        key=lambda s: (s[0], -s[1]),
    )
    out: list[tuple[str, int | None, str]] = []
    pos = 0
    for start, end, number, grade in spans:
        if start < pos or not (0 <= start < end <= len(text)):
            continue
        if start > pos:
            out.append((text[pos:start], None, ""))
        out.append((text[start:end], number, grade))
        pos = end
    if pos < len(text):
        out.append((text[pos:], None, ""))
    return out


def _context(ctx: WebContext, device_id: str) -> Any:
    """The device's claim context (``services.claim_context.build_context``) on its evaluation."""
    from photodose.services.claim_context import build_context
    from photodose.web.evaluate import EvalQuery, eval_args
    from photodose.web.workers import evaluation_job

    def make() -> Any:
        args = eval_args(ctx, EvalQuery(device=device_id), grade_device_claims=False)
        with ctx.heavy:
            ev = ctx.workers.run(evaluation_job, args)["ev"]
        return build_context(ev.device, ev.doses, ev.depth)

    return ctx.pages.get_or_make(("claim-context", device_id, ctx.settings.photons), make)


def _measured() -> Any:
    """The grader's measured detection on unseen copy (``photodose.claims.measured``), or None
    when the shipped figures cannot be read (the result is still shown)."""
    from photodose.claims.measured import MeasuredDetectionError, load_measured_detection

    try:
        return load_measured_detection()
    except MeasuredDetectionError:
        return None


def check_claims(ctx: WebContext, text: str, device_id: str) -> dict[str, Any]:
    """``photodose.claims.assess_text`` on the text (with the device's context if one is chosen)."""
    from photodose.claims import assess_text, decode_input
    from photodose.claims.grade import NO_CLAIMS_NOTE

    def make() -> dict[str, Any]:
        decoded = decode_input(text.encode("utf-8"), max_bytes=MAX_CLAIMS_TEXT_BYTES)
        context = _context(ctx, device_id) if device_id else None
        report = assess_text(decoded, context)
        claims = list(report.claims)
        detection = _measured()
        return {
            "report": report,
            "claims": claims,
            "segments": highlight_segments(decoded.text, claims),
            "detection": detection,
            # "no claims found" is said in full beside the measured detection, not twice
            "notes": [n for n in report.notes if not (detection and n == NO_CLAIMS_NOTE)],
        }

    return ctx.pages.get_or_make(("claims", text, device_id, ctx.settings.photons), make)


@router.get("/claims")
async def claims_page(request: Request) -> Response:
    ctx = ctx_of(request)
    devices = [(d.id, d.name) for d, _own in ctx.all_devices()]
    return ctx.render(request, "claims.html", devices=devices, text="", device="", result=None, problem=None)


def claims_fragment(ctx: WebContext, text: str, device: str, view: dict[str, Any]) -> Markup:
    """The rendered result (nothing per-browser in it), cached per text and device."""

    def make() -> Markup:
        return Markup(ctx.templates.get_template("_claims_result.html").render(view=view, problem=None))

    return ctx.pages.get_or_make(("claims-html", text, device, ctx.settings.photons), make)


@router.post("/claims")
async def claims_submit(request: Request) -> Response:
    from photodose.claims import ClaimsInputError
    from photodose.device import DeviceSpecError
    from photodose.web.problems import FormError

    ctx = ctx_of(request)
    form = await request.form()
    text_field = form.get("text", "")
    text = text_field if isinstance(text_field, str) else ""
    device_field = form.get("device", "")
    device = device_field.strip()[:200] if isinstance(device_field, str) else ""
    htmx = bool(request.headers.get("hx-request"))

    def page(status: int, problem: tuple[str, str, str] | None, result: Markup | None = None) -> Response:
        if htmx:
            if result is not None:
                return HTMLResponse(result, status_code=status)
            return ctx.render(request, "_problem.html", status=status, problem=problem)
        devices = [(d.id, d.name) for d, _own in ctx.all_devices()]
        return ctx.render(
            request,
            "claims.html",
            status=status,
            devices=devices,
            text=text,
            device=device,
            result=result,
            problem=problem,
        )

    size = len(text.encode("utf-8"))
    if size > MAX_CLAIMS_TEXT_BYTES:
        limit = MAX_CLAIMS_TEXT_BYTES // 1024
        return page(413, ("text", f"the text is {size:,} bytes, over the {limit} KiB limit", "paste less"))
    key = ("claims", text, device, ctx.settings.photons)
    hit = ctx.pages.get(key)
    try:
        view: dict[str, Any] = (
            hit if hit is not None else await run_in_threadpool(check_claims, ctx, text, device)
        )
    except ClaimsInputError as err:
        return page(422, ("text", str(err), "paste plain text"))
    except DeviceSpecError as err:
        return page(422, ("device", str(err), "pick a device from the list"))
    except FormError as err:
        return page(422, problem_of(err))
    return page(200, None, claims_fragment(ctx, text, device, view))
