"""Progress on stderr for work that lasts more than a second.

:class:`LazyProgress` shows nothing for quick work. Once ``delay_s`` has passed (a timer
thread, so it also appears while Numba compiles the kernel on a cold start), a transient Rich
progress line appears on stderr with the current stage and, when a photon count is known, a
bar. It never writes to stdout (``--json`` output stays one object) and stays silent when
stderr is not a terminal, unless ``PHOTODOSE_PROGRESS=1``.

Callers pass two callbacks into the library: ``stage(text)`` when a step starts and
``advance(done, total)`` as photons are traced (the signature of
:func:`photodose.transport.simulate`'s ``progress``).
"""

from __future__ import annotations

import os
import sys
import threading
from types import TracebackType
from typing import Any


def progress_wanted(as_json: bool = False) -> bool:
    """Show progress? Not for ``--json`` runs nor without a terminal, unless forced by env."""
    forced = os.environ.get("PHOTODOSE_PROGRESS", "")
    if forced in ("0", "1"):
        return forced == "1"
    return not as_json and sys.stderr.isatty()


class LazyProgress:
    """A Rich progress display on stderr that appears only once work has lasted ``delay_s``."""

    def __init__(
        self, enabled: bool = True, delay_s: float = 1.0, console: Any = None, unit: str = "photons"
    ) -> None:
        self.enabled = enabled
        self.unit = unit  # what ``done`` counts, shown after the numbers
        self.delay_s = delay_s
        self.console = console
        self._lock = threading.Lock()
        self._progress: Any = None
        self._task: Any = None
        self._description = "working"
        self._done = 0
        self._total: int | None = None
        self._closed = False
        self._timer: threading.Timer | None = None
        if enabled:
            self._timer = threading.Timer(delay_s, self._show)
            self._timer.daemon = True
            self._timer.start()

    def _show(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        with self._lock:
            if self._closed or self._progress is not None:
                return
            # PHOTODOSE_PROGRESS=1 forces the display even when stderr is not a terminal (a log
            # file, CI): Rich renders a live display only to a terminal, so force one.
            forced = os.environ.get("PHOTODOSE_PROGRESS", "") == "1"
            console = (
                self.console
                if self.console is not None
                else Console(stderr=True, force_terminal=True if forced else None)
            )
            self._progress = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}", markup=False),
                BarColumn(),
                TextColumn("{task.fields[count]}", markup=False),
                TimeElapsedColumn(),
                console=console,
                transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task(self._description, total=self._total, count="")
            self._refresh()

    def _refresh(self) -> None:
        if self._progress is None or self._task is None:
            return
        count = f"{self._done:,}/{self._total:,} {self.unit}" if self._total else ""
        self._progress.update(
            self._task, description=self._description, total=self._total, completed=self._done, count=count
        )

    def stage(self, description: str) -> None:
        """A new step starts (its bar restarts; no count until ``advance`` is called)."""
        if not self.enabled:
            return
        with self._lock:
            self._description = description
            self._done, self._total = 0, None
            self._refresh()

    def advance(self, done: int, total: int) -> None:
        """``done`` of ``total`` photons traced in the current step."""
        if not self.enabled:
            return
        with self._lock:
            self._done, self._total = int(done), int(total)
            self._refresh()

    __call__ = advance

    def report(self, description: str, done: int, total: int) -> None:
        """``progress(stage, done, total)`` of :func:`photodose.services.evaluate.evaluate`."""
        if not self.enabled:
            return
        with self._lock:
            self._description = description
            self._done, self._total = int(done), (int(total) or None)
            self._refresh()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            if self._timer is not None:
                self._timer.cancel()
            if self._progress is not None:
                self._progress.stop()
                self._progress = None

    def __enter__(self) -> LazyProgress:
        return self

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
