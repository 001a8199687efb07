"""The HTML reports in a real browser: Playwright driving Debian's Chromium at phone and desktop widths.

Screenshots go to build/screenshots/report_*.png (`make screenshots`: docs/img; look at them after
a change). Chromium must be installed
(`make browser` does it with apt-get); these tests fail, never skip, when it is missing.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browser import SCREENSHOTS, launch_chromium

WIDTHS = (390, 1280)
IMG = SCREENSHOTS
PHOTONS = 4000


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launch_chromium()


@pytest.fixture(scope="module")
def reports() -> dict[str, Path]:
    os.environ.setdefault("PHOTODOSE_CACHE_DIR", tempfile.mkdtemp())
    from photodose.report.compare_html import write_compare_html
    from photodose.report.html import write_html
    from photodose.services.compare import compare
    from photodose.services.evaluate import evaluate

    out = Path(tempfile.mkdtemp())
    paths = {}
    for key, dev in (("higherdose", "higherdose-face-mask"), ("in_office", "in-office-lee-2007-panels")):
        paths[key] = write_html(evaluate(dev, photons=PHOTONS), out / f"{key}.html")
    three = ["higherdose-face-mask", "omnilux-contour-face", "home-mask-rct-pmid-39960921"]
    cmp = compare(three, photons=PHOTONS)
    paths["compare"] = write_compare_html(cmp, out / "compare.html")
    return paths


def _open(browser: Any, path: Path, width: int) -> tuple[Any, list[str]]:
    page = browser.new_page(viewport={"width": width, "height": 900 if width > 600 else 844})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, errors


def _no_overflow(page: Any) -> None:
    sw, iw = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert sw <= iw, f"horizontal overflow: page is {sw} px wide in a {iw} px viewport"
    wide = page.evaluate(
        """() => [...document.querySelectorAll('.tw, .fig, table, img, svg')]
              .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
                        || (e.classList.contains('tw') && e.scrollWidth > e.clientWidth + 1))
              .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.scrollWidth))"""
    )
    assert not wide, f"elements wider than the {page.viewport_size['width']} px screen: {wide}"


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("key", ["higherdose", "in_office"])
def test_report_fits_the_screen_without_errors(
    browser: Any, reports: dict[str, Path], key: str, width: int
) -> None:
    page, errors = _open(browser, reports[key], width)
    assert page.evaluate("document.querySelector('meta[name=viewport]') !== null")
    _no_overflow(page)
    # the bottom line comes first, before any section of detail
    order = page.evaluate(
        """() => { const b = document.querySelector('#bottom-line');
                   const h = [...document.querySelectorAll('h2')].find(x => x.textContent.startsWith('1.'));
                   return b && h &&
                     (b.compareDocumentPosition(h) & Node.DOCUMENT_POSITION_FOLLOWING) > 0 }"""
    )
    assert order, "the bottom line must come before section 1"
    text = page.inner_text("#bottom-line")
    assert "J/cm²" in text and "not medical advice" in text.lower()
    assert "under-dosed" not in page.content()
    page.screenshot(path=str(IMG / f"report_{key}_{width}.png"))
    if key == "higherdose":
        page.locator(".fig").first.screenshot(path=str(IMG / f"report_{key}_facemap_{width}.png"))
    assert not errors, errors
    page.close()


def test_provenance_opens_without_hover(browser: Any, reports: dict[str, Path]) -> None:
    page, errors = _open(browser, reports["higherdose"], 390)
    mark = page.locator(".mark").first
    prov = mark.locator(".prov")
    assert not prov.is_visible()
    mark.click()  # a tap on a phone: no hover needed
    assert prov.is_visible() and len(prov.inner_text()) > 5
    _no_overflow(page)  # the opened note stays on screen
    page.keyboard.press("Tab")  # moving on closes it
    assert not errors, errors
    page.close()


def test_citations_are_links_and_layers_and_eyes_are_labelled(browser: Any, reports: dict[str, Path]) -> None:
    page, _ = _open(browser, reports["higherdose"], 1280)
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    assert any(h.startswith("https://pubmed.ncbi.nlm.nih.gov/") for h in hrefs)
    assert any(h.startswith(("https://doi.org/", "https://www.ncbi.nlm.nih.gov/pmc/")) for h in hrefs)
    # all seven skin layers are named in the depth figure
    svg_text = page.content()
    for layer in (
        "stratum corneum",
        "living epidermis",
        "papillary dermis",
        "upper blood plexus",
        "reticular dermis",
        "deep blood plexus",
        "hypodermis",
    ):
        assert layer in svg_text, layer
    assert "eye region" in page.inner_text("body")
    page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_compare_report_fits_the_screen(browser: Any, reports: dict[str, Path], width: int) -> None:
    page, errors = _open(browser, reports["compare"], width)
    _no_overflow(page)
    body = page.inner_text("body")
    for name in ("HigherDOSE", "Omnilux", "RCT"):
        assert name in body
    page.screenshot(path=str(IMG / f"report_compare_{width}.png"))
    assert not errors, errors
    page.close()


@pytest.fixture(scope="module")
def guided_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A report written as `photodose evaluate --html` writes it, on a machine where the documentation
    site is built (here: the guide pages built from the current docs/ by tests/guide_site.py)."""
    from guide_site import build_guide_site
    from photodose.report.html import write_html
    from photodose.services.evaluate import evaluate

    site = build_guide_site(tmp_path_factory.mktemp("reportguide"))
    os.environ.setdefault("PHOTODOSE_CACHE_DIR", tempfile.mkdtemp())
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PHOTODOSE_DOCS_DIR", str(site))
        return write_html(evaluate("higherdose-face-mask", photons=PHOTONS), site.parent / "report.html")


@pytest.mark.parametrize("width", WIDTHS)
def test_guide_link_opens_the_guide_offline(browser: Any, guided_report: Path, width: int) -> None:
    """A report opened from disk: its "Guide:" link opens the built guide from disk, no server, at
    the section that explains it, and the guide page fits the screen."""
    page, errors = _open(browser, guided_report, width)
    link = page.locator("#bottom-line .guide a", has_text="reading the bottom line")
    assert link.get_attribute("href", timeout=5000).startswith("file:///")
    link.click()
    page.wait_for_url("file:///**/guide/verdicts/index.html#the-bottom-line")
    page.wait_for_load_state("load")
    assert "Read the bottom line and the verdicts" in page.inner_text("h1")
    top = page.evaluate("() => document.getElementById('the-bottom-line').getBoundingClientRect().top")
    assert -2 <= top < 900, f"#the-bottom-line is not in view (top {top}px)"
    sw, iw = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert sw <= iw, f"the guide page is {sw} px wide in a {iw} px viewport"
    assert not [e for e in errors if "search" not in e.lower()], errors  # search needs a server
    page.screenshot(path=str(IMG / f"report_guide_{width}.png"))
    # the site's own links work from disk too: a link to another page opens its index.html, not
    # the folder's file listing (docs/js/file-links.js)
    glossary = page.locator("a[href*='glossary/']").first
    assert glossary.get_attribute("href", timeout=5000).endswith("glossary/index.html")
    glossary.evaluate("a => a.click()")  # the nav may be folded away at 390 px
    page.wait_for_url("file:///**/guide/glossary/index.html")
    assert "Glossary" in page.inner_text("h1")
    page.close()
