"""Claims checker: pasted marketing text → graded claims, highlighted in the text with reasons."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from photodose.web.context import WebContext, ctx_of
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
    from photodose.services.claim_context import build_context
    from photodose.services.evaluate import evaluate

    def make() -> Any:
        spec = ctx.device(device_id)
        with ctx.heavy:
            ev = evaluate(spec, grade_device_claims=False, photons=ctx.settings.photons)
        return build_context(ev.device, ev.doses, ev.depth)

    return ctx.pages.get_or_make(("claim-context", device_id, ctx.settings.photons), make)


def check_claims(ctx: WebContext, text: str, device_id: str) -> dict[str, Any]:
    """``photodose.claims.assess_text`` on the text (with the device's context if one is chosen)."""
    from photodose.claims import assess_text, decode_input

    def make() -> dict[str, Any]:
        decoded = decode_input(text.encode("utf-8"), max_bytes=MAX_CLAIMS_TEXT_BYTES)
        context = _context(ctx, device_id) if device_id else None
        report = assess_text(decoded, context)
        claims = list(report.claims)
        return {
            "report": report,
            "claims": claims,
            "segments": highlight_segments(decoded.text, claims),
        }

    return ctx.pages.get_or_make(("claims", text, device_id, ctx.settings.photons), make)


@router.get("/claims")
async def claims_page(request: Request) -> Response:
    ctx = ctx_of(request)
    devices = [(d.id, d.name) for d, _own in ctx.all_devices()]
    return ctx.render(request, "claims.html", devices=devices, text="", device="", view=None, problem=None)


@router.post("/claims")
async def claims_submit(request: Request) -> Response:
    from photodose.claims import ClaimsInputError
    from photodose.device import DeviceSpecError

    ctx = ctx_of(request)
    form = await request.form()
    text_field = form.get("text", "")
    text = text_field if isinstance(text_field, str) else ""
    device_field = form.get("device", "")
    device = device_field.strip()[:200] if isinstance(device_field, str) else ""
    devices = [(d.id, d.name) for d, _own in ctx.all_devices()]
    template = "_claims_result.html" if request.headers.get("hx-request") else "claims.html"
    common: dict[str, Any] = {"devices": devices, "text": text, "device": device}
    size = len(text.encode("utf-8"))
    if size > MAX_CLAIMS_TEXT_BYTES:
        problem = (
            "text",
            f"the text is {size:,} bytes, over the {MAX_CLAIMS_TEXT_BYTES // 1024} KiB limit",
            "paste only the product page's text",
        )
        return ctx.render(request, template, status=413, view=None, problem=problem, **common)
    key = ("claims", text, device, ctx.settings.photons)
    view = ctx.pages.get(key)
    try:
        if view is None:
            view = await run_in_threadpool(check_claims, ctx, text, device)
    except ClaimsInputError as err:
        return ctx.render(
            request, template, status=422, view=None, problem=("text", str(err), "paste plain text"), **common
        )
    except DeviceSpecError as err:
        return ctx.render(
            request,
            template,
            status=422,
            view=None,
            problem=("device", str(err), "pick a device from the list"),
            **common,
        )
    return ctx.render(request, template, view=view, problem=None, **common)
