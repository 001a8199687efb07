"""Links from the reports and the web app to the user guide, and where the guide is on this machine.

One table, :data:`GUIDE_LINKS`, says which guide page (and heading) explains each section of the
HTML report and of each web page; the report, the web templates and the tests all read it, so a
renamed heading fails a test instead of leaving a dead link.

Where a link points depends on where the reader is:

- in the web app (``photodose serve``) the guide is served by the app itself at ``/guide/…``
  (:mod:`photodose.web.guide`), so a link is ``/guide/guide/verdicts/#the-bottom-line``;
- a report written by ``photodose evaluate --html FILE`` links to the built site's page on disk
  (``file:///…/site/guide/verdicts/index.html#the-bottom-line``) when the documentation site is
  built on this machine, which works offline with no server; otherwise to the web app's address,
  with a one-line note in the report saying to start ``photodose serve``.

The guide is found (:func:`find_guide`) in this order: ``$PHOTODOSE_DOCS_DIR`` (a built site, a
folder with ``index.html``, or the Markdown sources, a folder with ``index.md``); the checkout's
``site/`` (``make docs``); the checkout's ``docs/`` (Markdown, rendered by the web app). A copy of
photodose installed from a wheel has neither, so the web app answers ``/guide/…`` with a page
that says how to get the guide (``docs/web.md``, *The guide*).
"""

from __future__ import annotations

import html
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

#: Environment variable naming the guide's folder: a built MkDocs site or the docs/ Markdown.
DOCS_ENV = "PHOTODOSE_DOCS_DIR"
#: ``photodose serve``'s default address: where a standalone report's links point when the site
#: is not built on this machine.
SERVE_URL = "http://127.0.0.1:8000/"
#: The web app's mount point of the guide.
MOUNT = "/guide/"


@dataclass(frozen=True)
class GuideLink:
    """One link to the guide.

    Parameters
    ----------
    page : the documentation page without ``.md``, relative to ``docs/`` (``guide/verdicts``)
    anchor : the slug of a heading on it (MkDocs' ``toc`` slug), or ``""`` for the page's top
    label : the link text
    """

    page: str
    anchor: str
    label: str

    @property
    def path(self) -> str:
        """The page's address below the site root, with its anchor: ``guide/verdicts/#the-verdicts``."""
        return f"{self.page}/" + (f"#{self.anchor}" if self.anchor else "")

    def href(self, base: str) -> str:
        """The link from ``base``: a site URL ending in ``/`` (``/guide/``, ``http://…/guide/``) or a
        built site's ``file://`` URI, where a page is its folder's ``index.html`` (no server turns
        ``guide/verdicts/`` into that on disk)."""
        if base.startswith("file:"):
            return f"{base}{self.page}/index.html" + (f"#{self.anchor}" if self.anchor else "")
        return base + self.path


def _links(*items: tuple[str, str, str]) -> tuple[GuideLink, ...]:
    return tuple(GuideLink(*item) for item in items)


#: Section of a report or web page → the guide pages that explain it, in reading order.
GUIDE_LINKS: dict[str, tuple[GuideLink, ...]] = {
    # the HTML report's sections (and the same sections of the web app's evaluate page)
    "bottom_line": _links(("guide/verdicts", "the-bottom-line", "reading the bottom line")),
    "light": _links(
        ("guide/evaluate", "", "reading these numbers"),
        ("guide/meter", "", "measure your mask with a meter"),
    ),
    "dose": _links(
        ("guide/evaluate", "what-you-get", "surface and dermis dose"),
        ("science/skin", "", "the skin model"),
    ),
    "verdicts": _links(
        ("guide/verdicts", "the-verdicts", "how to read a verdict"),
        ("science/evidence", "", "how verdicts are derived"),
    ),
    "standing": _links(("guide/evaluate", "why-the-range-is-so-wide", "why the ranges are wide")),
    "claims": _links(("guide/claims", "the-grades", "what the grades mean")),
    "sources": _links(("guide/glossary", "", "computed, cited, assumption and confidence")),
    # the web app's pages
    "home": _links(
        ("guide", "", "what photodose answers, and what it cannot"),
        ("guide/glossary", "", "glossary"),
    ),
    "evaluate": _links(
        ("guide/evaluate", "", "evaluate your mask"),
        ("guide/meter", "the-wm2-vs-mwcm2-trap", "the W/m² vs mW/cm² trap"),
    ),
    "devices": _links(
        ("guide/own-device", "", "enter your own device"),
        ("guide/glossary", "", "computed, cited and assumed numbers"),
    ),
    "device": _links(
        ("guide/own-device", "each-fact-narrows-the-answer", "what each fact narrows"),
        ("guide/glossary", "", "confidence and the other words"),
    ),
    "device_new": _links(
        ("guide/own-device", "", "enter your own device"),
        ("guide/own-device", "mistakes-are-named-with-the-fix", "when the form names a mistake"),
    ),
    "compare": _links(
        ("guide/verdicts", "the-verdicts", "how to read a verdict and its weight of evidence"),
        ("guide/evaluate", "why-the-range-is-so-wide", "why the ranges are wide"),
    ),
    "depth": _links(
        ("guide/glossary", "", "fluence rate and penetration depth"),
        ("science/skin", "", "the skin model and its validation"),
    ),
    "screen": _links(
        ("guide/safety", "", "safety first"),
        ("guide/safety", "the-four-outcomes", "the four outcomes"),
    ),
    "plan": _links(("guide/plan-journal", "a-plan-for-a-goal", "a plan for a goal")),
    "session": _links(("guide/plan-journal", "sessions-and-the-journal", "sessions and the journal")),
    "journal": _links(("guide/plan-journal", "sessions-and-the-journal", "sessions and the journal")),
    "photos": _links(
        ("guide/plan-journal", "progress-photos", "progress photos"),
        ("photos", "what-it-cannot-say", "what a photo cannot say"),
    ),
}


def links_for(key: str) -> tuple[GuideLink, ...]:
    """The guide links of one section; an unknown key is a programming error (KeyError)."""
    return GUIDE_LINKS[key]


def guide_line(key: str, base: str, css_class: str = "guide") -> str:
    """A section's "Guide:" paragraph (HTML), each link of :func:`links_for` made from ``base``
    (:meth:`GuideLink.href`): the report's and the web app's pages use the same line."""
    links = " · ".join(
        f'<a href="{html.escape(link.href(base))}">{html.escape(link.label)}</a>' for link in links_for(key)
    )
    return f'<p class="{css_class}">Guide: {links}</p>'


GuideKind = Literal["site", "markdown", "none"]


@dataclass(frozen=True)
class GuideSource:
    """Where the guide is: a built site (``site``), its Markdown (``markdown``) or nowhere (``none``).

    ``why`` says how it was found, or why not (shown on the web app's guide page).
    """

    kind: GuideKind
    path: Path | None
    why: str


def checkout_root() -> Path | None:
    """The source checkout this package runs from (an editable install), else ``None``."""
    root = Path(__file__).resolve().parents[3]
    return root if (root / "mkdocs.yml").is_file() and (root / "src" / "photodose").is_dir() else None


def _classify(folder: Path, why: str) -> GuideSource | None:
    if (folder / "index.html").is_file():
        return GuideSource("site", folder.resolve(), why)
    if (folder / "index.md").is_file():
        return GuideSource("markdown", folder.resolve(), why)
    return None


def find_guide(explicit: Path | str | None = None) -> GuideSource:
    """Where the guide is on this machine (see the module docstring for the order).

    Parameters
    ----------
    explicit : a folder given by the caller (the web app's ``WebSettings.docs_dir``); it wins over
        ``$PHOTODOSE_DOCS_DIR`` and the checkout

    Returns
    -------
    GuideSource ; ``kind="none"`` when a named folder holds neither ``index.html`` nor ``index.md``
    (its ``why`` names the folder and the fix) or when nothing is found
    """
    named = explicit if explicit is not None else os.environ.get(DOCS_ENV) or None
    if named is not None:
        folder = Path(named).expanduser()
        source = _classify(folder, f"{DOCS_ENV if explicit is None else 'docs_dir'}={folder}")
        if source is not None:
            return source
        return GuideSource(
            "none",
            None,
            f"{folder} holds neither index.html (a built site: `make docs` writes one to site/) nor "
            f"index.md (the docs/ folder of the source)",
        )
    root = checkout_root()
    if root is not None:
        for sub, why in (("site", "the checkout's built site (make docs)"), ("docs", "the checkout's docs/")):
            source = _classify(root / sub, f"{why}: {root / sub}")
            if source is not None:
                return source
    return GuideSource(
        "none",
        None,
        "this copy of photodose was installed without its documentation (the guide is not part of "
        "the package)",
    )


def standalone_base(source: GuideSource | None = None) -> tuple[str, str | None]:
    """(link base, note) for a report opened from disk.

    The built site's ``file://`` URI when the site is built here (works offline, no server);
    otherwise the web app's guide address with a one-line note to start ``photodose serve``.
    """
    source = source or find_guide()
    if source.kind == "site" and source.path is not None:
        return source.path.as_uri() + "/", None
    return (
        SERVE_URL + MOUNT.lstrip("/"),
        "The guide links in this report open in photodose's web app: run photodose serve first "
        "(the documentation site is not built on this machine).",
    )
