"""Progress photos: upload one, the stored photos with their quality flags, and the trends.

The same library as ``photodose photo add`` and ``photodose progress`` (``photodose.photos``):
``service.add_photo`` measures and stores a photo, ``service.progress`` gives the trends (slope per
30 days with its 95 % CI, "increased"/"decreased" only beyond same-day repeat noise) and
``service.write_plot`` draws them. An upload is bounded in size by the body-size middleware
(:data:`~photodose.web.security.MAX_PHOTO_UPLOAD_BYTES`) and again here, its type is checked by
content (``photos.decode.sniff_format``, then the decoder's own checks in the worker process) and a
file that fails any check stores nothing.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from photodose.web.context import WebContext, ctx_of
from photodose.web.security import MAX_PHOTO_UPLOAD_BYTES

router = APIRouter()

PHOTO_FIX = "choose a JPEG, PNG or WebP photo of your face"
#: The region and metric order of the trends table (``photos.service.TREND_REGIONS/METRICS``).
SHOWN_FACE_METRICS = ("a", "erythema_index", "L", "b", "ita_deg", "a_sd", "L_sd", "texture")


def photos_available() -> bool:
    """Whether the ``[photos]`` extra's packages are installed (the page is left out otherwise)."""
    import importlib.util

    return all(importlib.util.find_spec(m) is not None for m in ("PIL", "cv2", "colour", "skimage"))


def _store(ctx: WebContext) -> Any:
    from photodose.photos.store import PhotoStore
    from photodose.web.person import journal_of

    return PhotoStore(root=ctx.settings.data_dir, journal=journal_of(ctx))


def photos_view(ctx: WebContext) -> dict[str, Any]:
    """The stored photos (newest first) and ``photos.service.progress`` (blocking: call in a thread)."""
    from photodose.photos.service import progress

    store = _store(ctx)
    try:
        records = store.records()
        summary = progress(store)
    finally:
        store.close()
    rows = []
    for r in reversed(records):
        face = r.metrics.get("face", {})
        q = r.analysis.get("quality", {})
        rows.append(
            {
                "sha256": r.sha256,
                "taken_on": r.taken_on.isoformat(),
                "status": r.quality_status,
                "reasons": list(q.get("reasons", [])),
                "correction": r.correction,
                "face": {k: face.get(k) for k in SHOWN_FACE_METRICS},
            }
        )
    return {"photos": rows, "progress": summary}


def _num(v: Any, digits: int = 1) -> str:
    """A metric for the page: '–' for a missing or non-finite value."""
    if v is None or not isinstance(v, int | float) or v != v or v in (float("inf"), float("-inf")):
        return "–"
    return f"{v:.{digits}f}"


def _signed(v: Any) -> str:
    return "–" if v is None or not isinstance(v, int | float) or v != v else f"{v:+.2f}"


async def _page(
    ctx: WebContext,
    request: Request,
    status: int = 200,
    problem: tuple[str, str, str] | None = None,
    added: dict[str, Any] | None = None,
    params: dict[str, str] | None = None,
) -> Response:
    from photodose.photos.metrics import METRIC_LABELS

    view = await run_in_threadpool(photos_view, ctx)
    prog = view["progress"]
    trends = prog.get("trends", [])
    regions = list(dict.fromkeys(t["region"] for t in trends))
    return ctx.render(
        request,
        "photos.html",
        status=status,
        view=view,
        prog=prog,
        face_trends=[t for t in trends if t["region"] == "face"],
        region_trends=[t for t in trends if t["region"] != "face"],
        regions=regions,
        labels=METRIC_LABELS,
        problem=problem,
        added=added,
        params=params or {"date": ""},
        num=_num,
        signed=_signed,
        max_mb=MAX_PHOTO_UPLOAD_BYTES // (1024 * 1024),
        stamp=len(view["photos"]),
    )


@router.get("/photos")
async def photos_page(request: Request) -> Response:
    return await _page(ctx_of(request), request)


@router.post("/photos/add")
async def photos_add(request: Request) -> Response:
    """Store one photo: size and type checked before anything is written, the decode and analysis in
    the worker process; a refused file stores nothing and the page says why and what to do."""
    from photodose.errors import FieldError
    from photodose.photos.dates import parse_photo_date
    from photodose.photos.decode import sniff_format
    from photodose.web.person import journal_of
    from photodose.web.problems import problem_of
    from photodose.web.workers import photo_add_job

    ctx = ctx_of(request)
    form = await request.form()
    params = {"date": str(form.get("date", ""))[:20]}
    upload = form.get("photo")
    try:
        taken_on = parse_photo_date(params["date"])  # the one photo-date check
    except FieldError as err:  # a PhotoError on "date": the page again, with the problem above the form
        return await _page(ctx, request, 422, problem_of(err), params=params)
    if not isinstance(upload, UploadFile) or not upload.filename:
        return await _page(ctx, request, 422, ("photo", "no photo chosen", PHOTO_FIX), params=params)
    data = await upload.read(MAX_PHOTO_UPLOAD_BYTES + 1)
    if len(data) > MAX_PHOTO_UPLOAD_BYTES:
        return await _page(
            ctx,
            request,
            413,
            (
                "photo",
                f"the file is larger than {MAX_PHOTO_UPLOAD_BYTES // (1024 * 1024)} MB",
                "export it smaller",
            ),
            params=params,
        )
    if not data:
        return await _page(ctx, request, 422, ("photo", "the file is empty", PHOTO_FIX), params=params)
    if sniff_format(data) is None:
        return await _page(
            ctx,
            request,
            422,
            ("photo", "the file is not a JPEG, PNG or WebP image (checked by its content)", PHOTO_FIX),
            params=params,
        )
    journal = journal_of(ctx)

    def run() -> dict[str, Any]:
        # a private temporary file for the decoder (its own name, deleted at once): not the store
        with tempfile.TemporaryDirectory(prefix="photodose-upload-") as tmp:
            path = Path(tmp) / "upload.img"
            path.write_bytes(data)
            with ctx.heavy:
                result: dict[str, Any] = ctx.workers.run(
                    photo_add_job,
                    str(path),
                    None if ctx.settings.data_dir is None else str(ctx.settings.data_dir),
                    journal.url,
                    taken_on,
                )
        return result

    try:
        result = await run_in_threadpool(run)
    except OSError as err:
        return await _page(
            ctx,
            request,
            422,
            (
                "photo",
                f"the photo could not be stored: {err.strerror or err}",
                "check free space in the data folder",
            ),
            params=params,
        )
    if "error" in result:
        field, message, fix = result["error"]
        return await _page(ctx, request, 422, (field, message, fix), params=params)
    return await _page(ctx, request, 200, None, added=result)


@router.get("/photos/chart.svg")
async def photos_chart(request: Request) -> Response:
    """``photos.service.write_plot`` as SVG (drawn in the worker process)."""
    from photodose.web.person import journal_of
    from photodose.web.workers import photo_chart_job

    ctx = ctx_of(request)
    root = None if ctx.settings.data_dir is None else str(ctx.settings.data_dir)
    url = journal_of(ctx).url
    svg = await run_in_threadpool(ctx.workers.run, photo_chart_job, root, url)
    return Response(svg, media_type="image/svg+xml", headers={"cache-control": "no-store"})


@router.get("/photos/image/{sha256}.png")
async def photos_image(request: Request, sha256: str) -> Response:
    """A stored copy (metadata-free PNG), by its content hash only: no file name from the request."""
    ctx = ctx_of(request)
    store = await run_in_threadpool(_store, ctx)
    try:
        path = store.image_path(sha256)  # 64 lowercase hex digits or ValueError
    except ValueError:
        path = None
    finally:
        store.close()
    if path is None or not path.is_file():
        return ctx.render(
            request,
            "error.html",
            status=404,
            field="photo",
            message="no such photo",
            fix="use the Photos page",
        )
    return FileResponse(path, media_type="image/png", headers={"cache-control": "private, max-age=3600"})


@router.get("/photos/add")
async def photos_add_get() -> Response:
    return RedirectResponse("/photos", status_code=303)
