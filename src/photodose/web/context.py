"""What every page handler shares: settings, templates, the device store, caches and locks.

Nothing here computes a model result; it finds devices, calls the services and keeps what they
return (and the rendered figures) so a repeated page is a dictionary look-up.
"""

from __future__ import annotations

import html
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from typing import Any, Generic, TypeVar, cast

from fastapi import Request, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from photodose.device import DeviceSpec
from photodose.services.own_devices import DeviceStore, all_devices, resolve_device
from photodose.web.guide import guide_links_html
from photodose.web.hints import hinted
from photodose.web.security import WebSettings
from photodose.web.workers import WorkerPool

K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T")


class LRU(Generic[K, V]):
    """A small thread-safe least-recently-used cache; ``get_or_make`` computes once per key."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._data: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()
        self._making: dict[K, threading.Lock] = {}

    def get(self, key: K) -> V | None:
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
        return None

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)

    def get_or_make(self, key: K, make: Callable[[], T]) -> T:
        hit = self.get(key)
        if hit is not None:
            return cast(T, hit)
        with self._lock:
            lock = self._making.setdefault(key, threading.Lock())
        with lock:
            found = self.get(key)
            if found is None:
                made = make()
                self.put(key, cast(V, made))
                found = cast(V, made)
        with self._lock:
            self._making.pop(key, None)
        return cast(T, found)


_URL = re.compile(r"https?://[^\s,;)\]]+")


def cite_links(text: str) -> Markup:
    """Escape a citation or source and link what it names: DOI, PMID and PMC ids (the report's
    patterns, ``photodose.report.format.citation_links``) and plain URLs."""
    from photodose.report.format import citation_links

    spans: list[tuple[int, int, str]] = []
    for label, url, _kind in citation_links(text):
        start = text.find(label)
        if start >= 0:
            spans.append((start, start + len(label), url))
    spans += [(m.start(), m.end(), m.group(0)) for m in _URL.finditer(text)]
    out: list[str] = []
    pos = 0
    for start, end, url in sorted(spans):
        if start < pos:
            continue
        out.append(html.escape(text[pos:start]))
        out.append(
            f'<a href="{html.escape(url)}" rel="noopener noreferrer">{html.escape(text[start:end])}</a>'
        )
        pos = end
    out.append(html.escape(text[pos:]))
    return Markup("".join(out))


class WebContext:
    """Shared state of one app instance."""

    def __init__(self, settings: WebSettings) -> None:
        self.settings = settings
        self.store = DeviceStore(settings.data_dir)
        folder = Path(str(files("photodose") / "web" / "templates"))
        self.templates = Jinja2Templates(directory=str(folder))
        self.templates.env.filters["cite_links"] = cite_links
        self.templates.env.filters["hinted"] = hinted
        self.templates.env.globals["guide"] = guide_links_html
        self.pages: LRU[Any, Any] = LRU(256)  # computed views (evaluations, comparisons, reports)
        self.heavy = threading.Semaphore(1)  # one heavy job at a time (the worker has one process)
        self.workers = WorkerPool()
        self.journal: Any = None  # the person's journal, opened on first use (web.person)

    def close(self) -> None:
        self.workers.close()
        if self.journal is not None:
            self.journal.close()
            self.journal = None

    def device(self, device_id: str) -> DeviceSpec:
        """A catalogue device (by id or name) or one of the person's own (by id)."""
        return resolve_device(device_id, self.store, files=False)  # a name, never a path on the server

    def all_devices(self) -> list[tuple[DeviceSpec, bool]]:
        """(device, is_own) for the catalogue and then the person's devices."""
        return all_devices(self.store)

    def render(self, request: Request, name: str, status: int = 200, **ctx: Any) -> Response:
        ctx.setdefault("nav", request.url.path.split("/")[1] or "home")
        ctx["csrf"] = getattr(request.state, "csrf", "")
        ctx["person_pages"] = getattr(request.app.state, "person_pages", [])
        response: Response = self.templates.TemplateResponse(request, name, ctx, status_code=status)
        return response


def ctx_of(request: Request) -> WebContext:
    c: WebContext = request.app.state.ctx
    return c
