"""The guide inside the web app, at ``/guide/…``, so every "Guide:" link of every page resolves.

Where the guide comes from (:func:`photodose.report.guide.find_guide`):

- **a built documentation site** (``make docs`` → ``site/``, or ``$PHOTODOSE_DOCS_DIR``): served
  as static files (Starlette's ``StaticFiles``, which refuses paths outside its folder). MkDocs
  Material puts a few small inline scripts in each page; they run under a Content-Security-Policy
  that allows exactly those scripts by their SHA-256 hashes (:func:`inline_script_hashes`), no
  other inline script.
- **the guide's Markdown** (a checkout where the site is not built, e.g. after ``make run``):
  each page rendered with Python-Markdown (the same ``toc`` slugs as MkDocs, so the same anchors)
  inside the app's own layout; the API reference and the example gallery need the built site.
- **nothing** (photodose installed from a wheel: the guide is not part of the package): a page
  that says how to get it. A link never lands on a dead end.

Only page names of lowercase letters, digits, ``-`` and ``_`` (``guide/verdicts``) and images
under the docs folder are read in the Markdown mode, and the resolved file must lie inside it.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import os
import posixpath
import re
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from markupsafe import Markup

from photodose.report.guide import MOUNT, GuideSource, guide_line
from photodose.web.security import CSP, Message, Receive, Scope, Send

router = APIRouter()

#: A page name of the Markdown mode: ``""``, ``guide``, ``guide/verdicts`` (optional trailing ``/``).
PAGE = re.compile(r"(?:[a-z0-9][a-z0-9_-]*(?:/[a-z0-9][a-z0-9_-]*)*)?/?")
#: An image of the docs folder (``img/report_higherdose_390.png``).
ASSET = re.compile(r"(?:[A-Za-z0-9][A-Za-z0-9_-]*/)*[A-Za-z0-9][A-Za-z0-9_.-]*\.(?:png|svg|jpg|jpeg|webp)")
#: Folders of docs/ that are not pages (the griffe extension of the API reference).
PRIVATE = ("hooks",)
_SCRIPT = re.compile(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.S | re.I)
_LINK = re.compile(r'(?P<attr>href|src)="(?P<url>[^"]*)"')


def guide_links_html(key: str) -> Markup:
    """A section's "Guide:" line for a web page (links to the app's own ``/guide/``)."""
    return Markup(guide_line(key, MOUNT))


# ------------------------------------------------------------------------ the built site ----


def inline_script_hashes(site: Path) -> list[str]:
    """CSP source expressions (``'sha256-…'``) of every inline script in the site's HTML pages.

    Scripts with ``src`` are covered by ``'self'``; JSON data blocks (``type="application/json"``)
    are not executed, so they need none.
    """
    found: set[str] = set()
    for page in sorted(site.rglob("*.html")):
        for m in _SCRIPT.finditer(page.read_text("utf-8", errors="replace")):
            attrs = m.group("attrs").lower()
            if "src=" in attrs or ("type=" in attrs and "javascript" not in attrs and "module" not in attrs):
                continue
            digest = hashlib.sha256(m.group("body").encode("utf-8")).digest()
            found.add(f"'sha256-{base64.b64encode(digest).decode('ascii')}'")
    return sorted(found)


def guide_csp(site: Path) -> str:
    """The app's CSP (:data:`photodose.web.security.CSP`) with the site's inline scripts allowed."""
    hashes = " ".join(inline_script_hashes(site))
    return CSP.replace("script-src 'self'", f"script-src 'self' {hashes}".rstrip(), 1)


class _SiteFiles(StaticFiles):
    """``StaticFiles`` without the site's own 404.html: MkDocs writes it with root-absolute asset
    paths, unstyled under /guide/; a missing page gets the app's own "no such page" instead."""

    def lookup_path(self, path: str) -> tuple[str, os.stat_result | None]:
        if path == "404.html":
            return "", None
        return super().lookup_path(path)


class GuideSite:
    """The built site as static files, each response with :func:`guide_csp` (an ASGI app)."""

    def __init__(self, site: Path) -> None:
        self.files = _SiteFiles(directory=str(site), html=True)
        self.csp = guide_csp(site).encode("ascii")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_csp(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"content-security-policy", self.csp)]
            await send(message)

        await self.files(scope, receive, send_with_csp)


# ------------------------------------------------------------------------ the Markdown ----


def _inside(folder: Path, candidate: Path) -> Path | None:
    """``candidate`` resolved, if it is a file inside ``folder`` and not in a private folder."""
    try:
        real = candidate.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    root = folder.resolve()
    if not real.is_file() or not real.is_relative_to(root):
        return None
    return None if real.relative_to(root).parts[0] in PRIVATE else real


def resolve_page(docs: Path, name: str) -> Path | None:
    """The Markdown file of a page name (``guide/verdicts`` → ``docs/guide/verdicts.md``,
    ``guide`` → ``docs/guide/index.md``), or ``None`` for a name outside :data:`PAGE` or no file."""
    if not PAGE.fullmatch(name):
        return None
    name = name.strip("/")
    candidates = [docs / "index.md"] if not name else [docs / f"{name}.md", docs / name / "index.md"]
    for c in candidates:
        found = _inside(docs, c)
        if found is not None:
            return found
    return None


def resolve_asset(docs: Path, name: str) -> Path | None:
    """An image file of the docs folder by its path (:data:`ASSET`), or ``None``."""
    if not ASSET.fullmatch(name):
        return None
    return _inside(docs, docs / name)


def _page_url(target: str) -> str:
    """docs-relative ``guide/verdicts.md`` → ``/guide/guide/verdicts/`` (``index.md`` → its folder)."""
    page = target[: -len(".md")]
    if page == "index":
        return MOUNT
    if page.endswith("/index"):
        page = page[: -len("/index")]
    return f"{MOUNT}{page}/"


def rewrite_links(body: str, page: str) -> str:
    """Relative links of a page's HTML (``../verdicts.md#x``, ``../img/a.png``) → app URLs.

    ``page`` is the Markdown file's path relative to the docs folder (``guide/evaluate.md``).
    Absolute URLs, ``#anchors`` and links that leave the docs folder stay as they are.
    """
    here = posixpath.dirname(page)

    def fix(m: re.Match[str]) -> str:
        url = m.group("url")
        if not url or url.startswith(("#", "/")) or ":" in url.split("/")[0]:
            return m.group(0)
        path, _, anchor = url.partition("#")
        target = posixpath.normpath(posixpath.join(here, path))
        if target.startswith(".."):
            return m.group(0)
        new = _page_url(target) if target.endswith(".md") else MOUNT + target
        return f'{m.group("attr")}="{new}{"#" + anchor if anchor else ""}"'

    return _LINK.sub(fix, body)


_API = re.compile(r"^::: ([\w.]+)\s*$", re.M)


@functools.lru_cache(maxsize=64)
def _render(path: str, page: str, _mtime_ns: int) -> tuple[str, str]:
    import markdown

    text = Path(path).read_text("utf-8")
    text = _API.sub(
        r"*The reference of `\1` is generated from its docstring in the built site (`make docs`).*", text
    )
    md = markdown.Markdown(
        extensions=[
            "toc",
            "tables",
            "fenced_code",
            "admonition",
            "attr_list",
            "def_list",
            "footnotes",
            "md_in_html",
        ],
        extension_configs={"toc": {"permalink": False}},
    )
    body = rewrite_links(md.convert(text), page)
    title = next((t["name"] for t in getattr(md, "toc_tokens", []) if t.get("level") == 1), "Guide")
    return title, body


def render_page(docs: Path, md_file: Path) -> tuple[str, Markup]:
    """(title, HTML body) of a Markdown page, its headings with MkDocs' anchors (``toc`` slugs)
    and its relative links made into app URLs (:func:`rewrite_links`); cached per file version."""
    page = md_file.relative_to(docs.resolve()).as_posix()
    title, body = _render(str(md_file), page, md_file.stat().st_mtime_ns)
    return title, Markup(body)


@router.get(MOUNT + "{name:path}")
async def guide_page(request: Request, name: str) -> Response:
    """A guide page in the Markdown mode, or the page saying how to get the guide."""
    from photodose.web.context import ctx_of

    ctx = ctx_of(request)
    source: GuideSource = request.app.state.guide
    if source.kind == "none" or source.path is None:
        return ctx.render(request, "guide_missing.html", nav="guide", source=source, asked=name)
    docs = source.path
    asset = resolve_asset(docs, name)
    if asset is not None:
        return FileResponse(asset, headers={"cache-control": "private, max-age=3600"})
    md_file = resolve_page(docs, name)
    if md_file is None:
        return ctx.render(
            request,
            "error.html",
            status=404,
            nav="guide",
            field="page",
            message=f"the guide has no page {name[:80]!r}",
            fix=f"start from the guide's first page, {MOUNT}",
        )
    if name and not name.endswith("/"):
        return RedirectResponse(f"{MOUNT}{name}/", status_code=308)
    title, body = render_page(docs, md_file)
    return ctx.render(request, "guide_page.html", nav="guide", title=title, body=body, source=source)


def mount_guide(app: FastAPI, source: GuideSource) -> None:
    """Serve the guide at ``/guide/`` from ``source`` (see the module docstring)."""
    app.state.guide = source
    if source.kind == "site" and source.path is not None:
        app.mount(MOUNT.rstrip("/"), GuideSite(source.path), name="guide")
    else:
        app.include_router(router)
