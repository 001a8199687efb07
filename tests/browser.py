"""Launching Debian's Chromium under Playwright, shared by the report and web-app browser tests.

Chromium must be installed (`make browser` does it with apt-get); the browser tests fail, never
skip, when it is missing, and never download a browser.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("PHOTODOSE_CHROMIUM", "/usr/bin/chromium"))
#: where the browser tests put their screenshots: build/screenshots (ignored by git), so a test run
#: leaves the tree clean; `make screenshots` reruns them into docs/img, the images the docs show
SCREENSHOTS = Path(
    os.environ.get("PHOTODOSE_SCREENSHOT_DIR", Path(__file__).resolve().parents[1] / "build" / "screenshots")
)
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def launch_chromium() -> Iterator[Any]:
    """Yield a launched Chromium browser (body of a module-scoped fixture); close it afterwards."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is missing at {CHROMIUM}: run `make browser` (apt-get install chromium). "
            "The browser tests must run; they never download a browser."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()
