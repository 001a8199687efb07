"""The FastAPI application: pages on the photodose services, behind the security layer.

``create_app(WebSettings(...))`` builds one instance; ``photodose serve`` runs it with uvicorn.
Middleware, outermost first: Host-header check → body-size limit → access token (non-loopback
binds) → security headers → CSRF cookie; the CSRF check itself is an app-wide dependency. A
:class:`~photodose.errors.FieldError` from any layer that a page does not show with its own form is
mapped in one place, the ``FieldError`` handler here (``photodose.web.problems``): status 422 and
the error page (or the problem fragment for htmx) naming the field and the fix.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from importlib.resources import files
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware

from photodose import __version__
from photodose.errors import FieldError
from photodose.web import claims, depth, devices, evaluate
from photodose.web.context import WebContext, ctx_of
from photodose.web.problems import FIELD_ERROR_STATUS, problem_of
from photodose.web.security import (
    UPLOAD_PATHS,
    BodyLimitMiddleware,
    CSRFCookieMiddleware,
    SecurityHeadersMiddleware,
    TokenMiddleware,
    WebSettings,
    csrf_protect,
)

PERSON_LIBRARY = ("photodose.safety", "photodose.plan", "photodose.journal", "photodose.services.person")


def person_pages() -> list[tuple[str, str, str]]:
    """Navigation entries for the person-side pages, present only where their library is."""
    import importlib.util

    if any(importlib.util.find_spec(m) is None for m in PERSON_LIBRARY):
        return []
    from photodose.web.photos import photos_available

    pages = [
        ("screen", "/screen", "Screening"),
        ("plan", "/plan", "Plan"),
        ("session", "/session", "Session"),
        ("journal", "/journal", "Journal"),
    ]
    if photos_available():  # the [photos] extra: progress photos
        pages.append(("photos", "/photos", "Photos"))
    return pages


def create_app(settings: WebSettings | None = None) -> FastAPI:
    """One web app instance (see the module docstring)."""
    settings = settings or WebSettings()
    ctx = WebContext(settings)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        ctx.close()

    app = FastAPI(
        lifespan=lifespan,
        title="photodose",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        dependencies=[Depends(csrf_protect)],
    )
    app.state.ctx = ctx
    app.state.person_pages = person_pages()

    static = Path(str(files("photodose") / "web" / "static"))
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    from photodose.report.guide import find_guide
    from photodose.web.guide import mount_guide

    mount_guide(app, find_guide(settings.docs_dir))
    for module in (devices, evaluate, depth, claims):
        app.include_router(module.router)
    if app.state.person_pages:
        from photodose.web import person

        app.include_router(person.router)
        if any(p[0] == "photos" for p in app.state.person_pages):
            from photodose.web import photos

            app.include_router(photos.router)

    @app.get("/")
    async def home(request: Request) -> Response:
        return ctx_of(request).render(request, "home.html")

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        messages = {404: ("page", "no such page", "use the menu above")}
        field, message, fix = messages.get(
            exc.status_code, ("request", str(exc.detail), "go back and try again")
        )
        if exc.status_code == 403:
            field, message, fix = "csrf_token", str(exc.detail), "reload the page and submit the form again"
        return ctx_of(request).render(
            request, "error.html", status=exc.status_code, field=field, message=message, fix=fix
        )

    @app.exception_handler(FieldError)
    async def field_error(request: Request, exc: FieldError) -> Response:
        """Any layer's fixable error (journal, plan, screening answers, photo, session length, a
        form field) that a page did not show with its own form: the error page naming the field
        and the fix, or the same box as an htmx fragment (``photodose.web.problems``)."""
        problem = problem_of(exc)
        if request.headers.get("hx-request"):
            return ctx_of(request).render(
                request, "_problem.html", status=FIELD_ERROR_STATUS, problem=problem
            )
        field, message, fix = problem
        return ctx_of(request).render(
            request, "error.html", status=FIELD_ERROR_STATUS, field=field, message=message, fix=fix
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        loc = ".".join(str(p) for p in first.get("loc", ()) if p not in ("query", "body", "path"))
        return ctx_of(request).render(
            request,
            "error.html",
            status=422,
            field=loc or "request",
            message=str(first.get("msg", "invalid input")),
            fix="correct the value and try again",
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        logging.getLogger("photodose.web").error("unexpected %s on %s", type(exc).__name__, request.url.path)
        return ctx_of(request).render(
            request,
            "error.html",
            status=500,
            field="server",
            message=f"photodose could not finish this page ({type(exc).__name__})",
            fix="go back and try other inputs; if it keeps happening, report it with the inputs you used",
        )

    app.add_middleware(CSRFCookieMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(TokenMiddleware, token=settings.token)
    app.add_middleware(BodyLimitMiddleware, limit=settings.max_body_bytes, path_limits=UPLOAD_PATHS)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=settings.trusted_hosts())
    return app
