"""Depth explorer: skin type, site and wavelengths → how deep the light goes.

``photodose.depth.depth_profile`` (Monte Carlo, cached on disk) runs in a worker thread, never on
the event loop. A cached profile comes back within the first wait and is shown at once; a new
one shows progress (wavelengths done of those asked, elapsed time) and the page polls for it.
"""

from __future__ import annotations

import asyncio
import math
import re
import secrets
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from photodose.web.context import WebContext, ctx_of
from photodose.web.evaluate import FITZPATRICK
from photodose.web.problems import problem_of
from photodose.web.workers import depth_job, depth_plot_job

router = APIRouter()

MAX_WAVELENGTHS = 4
QUICK_WAIT_S = 0.5
_JOB_ID = re.compile(r"[A-Za-z0-9_\-]{16,64}")
_EXECUTOR = ThreadPoolExecutor(max_workers=1, thread_name_prefix="photodose-depth")


@dataclass
class DepthJob:
    """One depth request running in the worker thread."""

    key: tuple[Any, ...]
    wavelengths: tuple[float, ...]
    started: float = field(default_factory=time.monotonic)
    done_count: int = 0
    future: Future[dict[str, Any]] | None = None

    @property
    def elapsed_s(self) -> float:
        return time.monotonic() - self.started


class DepthJobs:
    """Running and finished depth jobs, by random id (at most ``size`` kept)."""

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self.jobs: dict[str, DepthJob] = {}
        self.by_key: dict[tuple[Any, ...], str] = {}
        self.lock = threading.Lock()

    def submit(
        self,
        ctx: WebContext,
        fitz: str,
        site: str,
        wavelengths: tuple[float, ...],
        fwhm: float,
        led_m: float | None = None,
    ) -> str:
        key = (fitz, site, wavelengths, fwhm, ctx.settings.photons, led_m)
        with self.lock:
            existing = self.by_key.get(key)
            if existing in self.jobs:
                job = self.jobs[existing]
                fut = job.future
                if fut is not None and not (fut.done() and fut.exception() is not None):
                    return existing
            job_id = secrets.token_urlsafe(16)
            job = DepthJob(key, wavelengths)
            job.future = _EXECUTOR.submit(_compute, ctx, job, fitz, site, wavelengths, fwhm, led_m)
            self.jobs[job_id] = job
            self.by_key[key] = job_id
            while len(self.jobs) > self.size:
                old = next(iter(self.jobs))
                self.by_key.pop(self.jobs.pop(old).key, None)
        return job_id

    def get(self, job_id: str) -> DepthJob | None:
        if not _JOB_ID.fullmatch(job_id):
            return None
        with self.lock:
            return self.jobs.get(job_id)


def _compute(
    ctx: WebContext,
    job: DepthJob,
    fitz: str,
    site: str,
    wavelengths: tuple[float, ...],
    fwhm: float,
    led_m: float | None = None,
) -> dict[str, Any]:
    """One ``depth_profile`` per wavelength in the worker process (progress: wavelengths done)."""
    from photodose.skin import SkinProfile

    skin = SkinProfile(fitzpatrick=fitz, site=site)
    profiles = []
    for w in wavelengths:
        with ctx.heavy:
            profiles.append(ctx.workers.run(depth_job, fitz, site, w, fwhm, ctx.settings.photons, led_m))
        job.done_count += 1
    svg = ctx.workers.run(depth_plot_job, profiles)
    return {"skin": skin, "profiles": profiles, "svg": svg, "fwhm": fwhm, "led_m": led_m}


def jobs_of(request: Request) -> DepthJobs:
    """The app's depth jobs (one registry per app instance)."""
    jobs = getattr(request.app.state, "depth_jobs", None)
    if jobs is None:
        jobs = request.app.state.depth_jobs = DepthJobs()
    return jobs


def parse_wavelengths(text: str) -> tuple[float, ...]:
    from photodose.web.problems import FormError

    parts = [p for p in re.split(r"[,\s;]+", text.strip()) if p]
    if not parts:
        raise FormError("wavelengths", "no wavelength given", "give one to four, e.g. 633, 850")
    if len(parts) > MAX_WAVELENGTHS:
        raise FormError("wavelengths", f"{len(parts)} wavelengths given", f"give at most {MAX_WAVELENGTHS}")
    out = []
    for p in parts:
        try:
            w = float(p.lower().removesuffix("nm"))
        except ValueError:
            raise FormError(
                "wavelengths", f"{p[:20]!r} is not a wavelength", "give numbers in nm, e.g. 633"
            ) from None
        if not math.isfinite(w) or not 400 <= w <= 1100:
            raise FormError(
                "wavelengths", f"{w:g} nm is outside 400–1100 nm", "give wavelengths from 400 to 1100 nm"
            )
        out.append(w)
    return tuple(dict.fromkeys(out))


def parse_light(light: str, led_m_text: str) -> float | None:
    """The light source field: ``collimated`` (None, ``photodose depth``'s default) or ``led`` with
    the LEDs' cos^m exponent (``photodose depth --led-m M``; checked by the depth model)."""
    from photodose.web.evaluate import form_number
    from photodose.web.problems import FormError

    if light in ("", "collimated"):
        return None
    if light != "led":
        raise FormError("light", f"{light[:20]!r} is not offered", "pick a collimated beam or LEDs")
    m = form_number("led_m", led_m_text or "1", "give the LEDs' cos^m exponent, e.g. 1")
    if not math.isfinite(m) or not 0 <= m <= 200:
        raise FormError(
            "led_m", f"{m:g} is out of range", "give the LEDs' cos^m exponent, 0–200 (1 = Lambertian)"
        )
    return m


def _job_context(job_id: str, job: DepthJob) -> dict[str, Any]:
    from photodose.report.format import fmt, mm

    fut = job.future
    out: dict[str, Any] = {
        "job_id": job_id,
        "job": job,
        "done": bool(fut and fut.done()),
        "elapsed": f"{job.elapsed_s:.0f}",
        "fmt": fmt,
        "mm": mm,
    }
    if fut is not None and fut.done():
        err = fut.exception()
        if err is not None:
            out["error"] = str(err)
        else:
            out["result"] = fut.result()
    return out


@router.get("/depth")
async def depth_page(request: Request) -> Response:
    from photodose.skin import face_sites

    ctx = ctx_of(request)
    return ctx.render(
        request,
        "depth.html",
        fitzpatrick_types=FITZPATRICK,
        sites=list(face_sites()),
        params={
            "fitzpatrick": "III",
            "site": "forehead",
            "wavelengths": "633, 850",
            "fwhm": "20",
            "light": "collimated",
            "led_m": "1",
        },
        problem=None,
        job=None,
    )


@router.post("/depth")
async def depth_submit(request: Request) -> Response:
    from photodose.skin import SkinInputError, SkinProfile, face_sites
    from photodose.web.evaluate import form_number
    from photodose.web.problems import FormError

    ctx = ctx_of(request)
    form = await request.form()
    params = {
        k: str(form.get(k, ""))[:200]
        for k in ("fitzpatrick", "site", "wavelengths", "fwhm", "light", "led_m")
    }
    htmx = bool(request.headers.get("hx-request"))
    try:
        wavelengths = parse_wavelengths(params["wavelengths"])
        fwhm = form_number("fwhm", params["fwhm"] or "0", "give a line width in nm, 0–60")
        if not 0 <= fwhm <= 60:
            raise FormError("fwhm", f"{fwhm:g} nm is out of range", "give a line width in nm, 0–60")
        led_m = parse_light(params["light"], params["led_m"])
        try:
            skin = SkinProfile(fitzpatrick=params["fitzpatrick"], site=params["site"])
        except SkinInputError as err:
            raise FormError("skin", str(err), "pick a skin type and site from the lists") from None
    except FormError as err:
        return ctx.render(
            request,
            "_depth_result.html" if htmx else "depth.html",
            status=422,
            fitzpatrick_types=FITZPATRICK,
            sites=list(face_sites()),
            params=params,
            problem=problem_of(err),
            job=None,
        )
    jobs = jobs_of(request)
    job_id = jobs.submit(ctx, skin.fitzpatrick, skin.site, wavelengths, fwhm, led_m)
    job = jobs.get(job_id)
    assert job is not None and job.future is not None
    # a cached profile is back within this wait: show it at once (errors are shown by the page)
    waited = asyncio.wrap_future(job.future)
    # the job's page shows its error; retrieving it here keeps asyncio from logging it as "never
    # retrieved" when the app shuts down with a job still running
    waited.add_done_callback(lambda f: f.cancelled() or f.exception())
    await asyncio.wait({waited}, timeout=QUICK_WAIT_S)
    if not htmx:
        return RedirectResponse(f"/depth/jobs/{job_id}", status_code=303)
    return ctx.render(request, "_depth_result.html", problem=None, **_job_context(job_id, job))


@router.get("/depth/jobs/{job_id}")
async def depth_job_page(request: Request, job_id: str) -> Response:
    from photodose.skin import face_sites

    ctx = ctx_of(request)
    job = jobs_of(request).get(job_id)
    if job is None:
        return ctx.render(
            request,
            "error.html",
            status=404,
            field="job",
            message="no such depth job",
            fix="start a new one on the Depth page",
        )
    info = _job_context(job_id, job)
    led_m = job.key[5] if len(job.key) > 5 else None
    if request.headers.get("hx-request"):
        return ctx.render(request, "_depth_result.html", problem=None, **info)
    return ctx.render(
        request,
        "depth.html",
        fitzpatrick_types=FITZPATRICK,
        sites=list(face_sites()),
        params={
            "fitzpatrick": job.key[0],
            "site": job.key[1],
            "wavelengths": ", ".join(f"{w:g}" for w in job.wavelengths),
            "fwhm": f"{job.key[3]:g}",
            "light": "collimated" if led_m is None else "led",
            "led_m": "1" if led_m is None else f"{led_m:g}",
        },
        problem=None,
        **info,
    )
