"""Person-side pages on the person-side library: screening (``photodose.safety``), plan
(``photodose.plan``), session timer (``services.person`` + the journal) and the journal
(``photodose.journal``: adherence, cumulative dose, export and import).

The session timer counts down in the page (static/session.js); its state lives in the browser's
localStorage, so a reload resumes it, and it logs the session through POST /session/log.
"""

from __future__ import annotations

import json
import math
import threading
from datetime import UTC, date, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from photodose.device import DeviceSpec, DeviceSpecError
from photodose.errors import FieldError
from photodose.web.context import WebContext, ctx_of
from photodose.web.evaluate import FITZPATRICK, form_number
from photodose.web.problems import FIELD_ERROR_STATUS, FormError, problem_of
from photodose.web.security import MAX_BODY_BYTES

router = APIRouter()
_JOURNAL_LOCK = threading.Lock()


def journal_of(ctx: WebContext) -> Any:
    """The app's journal (opened once; ``photodose.journal.open_journal``, default location)."""
    from photodose.journal import open_journal

    with _JOURNAL_LOCK:
        j = getattr(ctx, "journal", None)
        if j is None:
            j = open_journal(ctx.settings.journal_db)
            ctx.journal = j
        return j


def _device_or_problem(ctx: WebContext, device_id: str) -> DeviceSpec:
    try:
        return ctx.device(device_id)
    except DeviceSpecError as err:
        raise FormError("device", str(err).split(". Fix:")[0], "pick a device from the list") from None


def _mode(spec: DeviceSpec, mode: str) -> Any:
    from photodose.services.person import ModeError, choose_mode

    try:
        return choose_mode(spec, mode or None)
    except ModeError as err:
        raise FormError("mode", str(err), "pick one of the device's modes") from None


async def _form_text(request: Request, limit: int = 200) -> dict[str, str]:
    """The form's text fields, each cut to ``limit`` characters (files are left out)."""
    form = await request.form()
    return {k: str(v)[:limit] for k, v in form.items() if isinstance(v, str)}


def _download(body: str | bytes, media_type: str, filename: str) -> Response:
    """A file to save (``filename`` is ours, never the request's)."""
    return Response(
        body, media_type=media_type, headers={"content-disposition": f'attachment; filename="{filename}"'}
    )


def _devices(ctx: WebContext) -> list[tuple[str, str]]:
    return [(d.id, d.name + (" (yours)" if own else "")) for d, own in ctx.all_devices()]


# ------------------------------------------------------------------------------- screening


@router.get("/screen")
async def screen_page(request: Request) -> Response:
    from photodose.safety import load_safety

    ctx = ctx_of(request)
    data = load_safety()
    return ctx.render(
        request, "screen.html", data=data, devices=_devices(ctx), form={}, result=None, problem=None
    )


@router.post("/screen")
async def screen_submit(request: Request) -> Response:
    from photodose.safety import answers_from_dict, load_safety, screen, split_entries
    from photodose.services.person import device_facts

    ctx = ctx_of(request)
    data = load_safety()
    form = await request.form()
    f = {k: str(v)[:2000] for k, v in form.items() if isinstance(v, str)}
    try:
        procedures: list[Any] = []
        for p in data.procedures:
            if form.get(f"proc_{p.id}"):
                days = str(form.get(f"days_{p.id}", "")).strip()
                if not days:
                    procedures.append(p.id)
                    continue
                n = form_number(f"days_{p.id}", days, "give days, e.g. 14")
                if not (math.isfinite(n) and n >= 0):  # "nan" would pass every window test unseen
                    raise FormError(
                        f"days_{p.id}", f"{days[:20]!r} is not a number of days", "give days, e.g. 14"
                    )
                procedures.append({"name": p.id, "days_ago": n})
        raw = {
            "medications": split_entries(f.get("medications", "")),
            "past_medications": split_entries(f.get("past_medications", "")),
            "conditions": [c.id for c in data.conditions if form.get(f"cond_{c.id}")]
            + split_entries(f.get("other_conditions", "")),
            "procedures": procedures,
            "neck_treated": bool(form.get("neck_treated")),
            "unsure": bool(form.get("unsure")),
        }
        answers = answers_from_dict(raw)
        facts = None
        if f.get("device"):
            spec = _device_or_problem(ctx, f["device"])
            m = _mode(spec, f.get("mode", ""))
            facts = await run_in_threadpool(device_facts, spec, m.name)
    except FieldError as err:  # the answers again, with the problem (AnswersError, FormError)
        return ctx.render(
            request,
            "screen.html",
            status=FIELD_ERROR_STATUS,
            data=data,
            devices=_devices(ctx),
            form=f,
            result=None,
            problem=problem_of(err),
        )
    result = screen(answers, facts, data)
    saved = False
    if form.get("save"):
        from photodose.journal.store import set_profile

        journal = journal_of(ctx)
        await run_in_threadpool(lambda: set_profile(journal, screening=result.to_dict()))
        saved = True
    return ctx.render(
        request,
        "screen.html",
        data=data,
        devices=_devices(ctx),
        form=f,
        result=result,
        saved=saved,
        problem=None,
    )


# ------------------------------------------------------------------------------- plan


def _plan_from(ctx: WebContext, params: dict[str, str]) -> tuple[Any, date, DeviceSpec]:
    """The plan for the form's ``params`` (a ``FormError`` or the plan's ``PlanInputError``, whose
    option names ``photodose.web.problems`` turns into the form's)."""
    from photodose.plan import make_plan

    goal = params.get("goal", "")
    spec = _device_or_problem(ctx, params.get("device", ""))
    mode = params.get("mode", "").strip() or None
    if mode is not None:
        _mode(spec, mode)
    text = params.get("start", "").strip()
    try:
        start = date.fromisoformat(text) if text else date.today()
    except ValueError:
        raise FormError("start", f"{text[:20]!r} is not a date", "use YYYY-MM-DD") from None
    plan = make_plan(goal, spec, fitzpatrick=params.get("fitzpatrick", "III"), mode=mode, start=start)
    return plan, start, spec


@router.get("/plan")
async def plan_page(request: Request) -> Response:
    from photodose.plan import GOALS

    ctx = ctx_of(request)
    params = dict(request.query_params.items())
    common: dict[str, Any] = {
        "goals": list(GOALS),
        "devices": _devices(ctx),
        "fitzpatrick_types": FITZPATRICK,
        "params": params,
        "query": request.url.query,
    }
    if not params.get("goal"):
        return ctx.render(request, "plan.html", plan=None, problem=None, **common)
    try:
        plan, _start, _spec = await run_in_threadpool(_plan_from, ctx, params)
    except FieldError as err:  # the form again, with the problem (FormError, PlanInputError)
        return ctx.render(
            request, "plan.html", status=FIELD_ERROR_STATUS, plan=None, problem=problem_of(err), **common
        )
    return ctx.render(request, "plan.html", plan=plan, problem=None, **common)


@router.get("/plan/calendar.ics")
async def plan_calendar(request: Request) -> Response:
    from photodose.plan.calendar import to_ical

    ctx = ctx_of(request)
    # a FormError or PlanInputError is the app's FieldError handler's: the error page, 422
    plan, start, _spec = await run_in_threadpool(_plan_from, ctx, dict(request.query_params.items()))
    return _download(to_ical(plan, start), "text/calendar", "photodose-plan.ics")


@router.post("/plan/save")
async def plan_save(request: Request) -> Response:
    from photodose.services.journal_log import save_plan_for

    ctx = ctx_of(request)
    params = await _form_text(request)
    # a FormError, PlanInputError or JournalError is the app's FieldError handler's: the error page
    plan, start, spec = await run_in_threadpool(_plan_from, ctx, params)
    await run_in_threadpool(save_plan_for, journal_of(ctx), plan, spec, start)
    return RedirectResponse("/journal?saved=plan", status_code=303)


# ------------------------------------------------------------------------------- session timer


@router.get("/session")
async def session_page(request: Request) -> Response:
    from photodose.services.journal_log import check_session_minutes
    from photodose.services.person import modes, session_doses

    ctx = ctx_of(request)
    params = dict(request.query_params.items())
    common: dict[str, Any] = {"devices": _devices(ctx), "params": params}
    if not params.get("device"):
        return ctx.render(request, "session.html", setup=None, problem=None, **common)
    try:
        spec = _device_or_problem(ctx, params["device"])
        m = _mode(spec, params.get("mode", ""))
        text = params.get("minutes", "").strip()
        minutes = m.timer_min
        if text:
            minutes = form_number("minutes", text, "give minutes, e.g. 10")
        check_session_minutes(m, minutes)
        doses = await run_in_threadpool(session_doses, spec, m, minutes)
    except FieldError as err:  # the form again, with the problem (FormError, SessionLengthError)
        return ctx.render(
            request,
            "session.html",
            status=FIELD_ERROR_STATUS,
            setup=None,
            problem=problem_of(err),
            **common,
        )
    setup = {
        "spec": spec,
        "mode": m,
        "modes": modes(spec),
        "minutes": minutes,
        "seconds": round(minutes * 60),
        "doses": doses,
    }
    return ctx.render(request, "session.html", setup=setup, problem=None, **common)


def _problem_json(field: str, message: str, fix: str, status: int = 422) -> JSONResponse:
    return JSONResponse({"error": {"field": field, "message": message, "fix": fix}}, status_code=status)


@router.post("/session/log")
async def session_log(request: Request) -> Response:
    """Log a session the timer ran (JSON answer for the page's script)."""
    from photodose.journal import JournalError
    from photodose.services.journal_log import SessionLengthError, check_session_minutes, log_session_for

    ctx = ctx_of(request)
    f = await _form_text(request)
    try:
        spec = _device_or_problem(ctx, f.get("device", ""))
        m = _mode(spec, f.get("mode", ""))
    except FormError as err:
        return _problem_json(*problem_of(err))
    try:
        minutes = float(f.get("minutes", ""))
    except ValueError:
        return _problem_json("minutes", "not a number", "the timer sends the minutes done")
    try:
        check_session_minutes(m, minutes)
    except SessionLengthError as err:
        return _problem_json("minutes", err.message, "run the timer again")
    try:
        started = datetime.fromisoformat(f.get("started_at", "").replace("Z", "+00:00"))
    except ValueError:
        return _problem_json("started_at", "not an ISO 8601 time", "the timer sends it")
    if started.tzinfo is None:
        started = started.replace(tzinfo=UTC)
    completed = f.get("completed") == "true"
    try:
        logged = await run_in_threadpool(
            lambda: log_session_for(
                journal_of(ctx),
                spec,
                m,
                round(minutes, 4),
                when=started.astimezone(UTC),
                completed=completed,
                note="logged by the web session timer",
            )
        )
    except JournalError as err:
        return _problem_json(*problem_of(err))
    return JSONResponse({"logged": logged})


# ------------------------------------------------------------------------------- journal


@router.get("/journal")
async def journal_page(request: Request) -> Response:
    from photodose.journal.summary import journal_summary

    ctx = ctx_of(request)
    journal = journal_of(ctx)
    summary = await run_in_threadpool(journal_summary, journal)
    saved = request.query_params.get("saved", "")
    return ctx.render(
        request,
        "journal.html",
        summary=summary,
        saved=saved if saved in ("plan", "import") else "",
        imported=None,
        problem=None,
        stamp=len(summary["sessions"]),
    )


@router.get("/journal/chart.svg")
async def journal_chart(request: Request) -> Response:
    from photodose.journal.summary import journal_summary
    from photodose.web.workers import journal_chart_job

    ctx = ctx_of(request)
    summary = await run_in_threadpool(journal_summary, journal_of(ctx))
    svg = await run_in_threadpool(ctx.workers.run, journal_chart_job, summary)
    return Response(svg, media_type="image/svg+xml", headers={"cache-control": "no-store"})


@router.get("/journal/export.json")
async def journal_export(request: Request) -> Response:
    from photodose.journal.transfer import records

    ctx = ctx_of(request)
    data = await run_in_threadpool(records, journal_of(ctx))
    body = json.dumps(data, indent=1, ensure_ascii=False, default=str) + "\n"
    return _download(body, "application/json", "photodose-journal.json")


@router.post("/journal/import")
async def journal_import(request: Request) -> Response:
    """Merge an export (JSON checked by content; size bounded by the body limit)."""
    from photodose.journal import JournalError
    from photodose.journal.summary import journal_summary
    from photodose.journal.transfer import FORMAT, import_records

    ctx = ctx_of(request)
    form = await request.form()
    upload = form.get("file")
    journal = journal_of(ctx)

    async def page(status: int, problem: tuple[str, str, str] | None, imported: Any = None) -> Response:
        summary = await run_in_threadpool(journal_summary, journal)
        return ctx.render(
            request,
            "journal.html",
            status=status,
            summary=summary,
            saved="",
            imported=imported,
            problem=problem,
            stamp=len(summary["sessions"]),
        )

    if not isinstance(upload, UploadFile) or not upload.filename:
        return await page(422, ("file", "no file chosen", "choose a file written by Export"))
    raw = await upload.read(MAX_BODY_BYTES + 1)
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return await page(422, ("file", "the file is not JSON text", "choose a file written by Export"))
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return await page(422, ("file", "not a photodose journal export", "choose a file written by Export"))
    try:
        added = await run_in_threadpool(import_records, journal, data)
    except JournalError as err:
        return await page(FIELD_ERROR_STATUS, problem_of(err))
    return await page(200, None, added)
