"""Heavy work off the server process: Monte Carlo runs and matplotlib figures in a worker process.

Numba compiles and matplotlib draws while holding the GIL, so in a thread they would stall the
event loop (every other page) for seconds. A one-process pool (``spawn``: no fork of a threaded
server) runs them instead; it leaves one CPU core to the server (``NUMBA_NUM_THREADS`` = cores − 1)
and runs at a lower scheduling priority (``nice`` +10), so pages are served first.
Each job calls the services and returns what they return (picklable dataclasses and bytes).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import re
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

_PNG_IN_IMG = re.compile(r'src="data:image/png;base64,([^"]+)"')


def _init_worker(threads: int) -> None:
    os.environ["NUMBA_NUM_THREADS"] = str(threads)
    with contextlib.suppress(OSError, AttributeError):  # pages first: the worker yields the CPU
        os.nice(10)
    parent = os.getppid()

    def watch() -> None:  # the server was killed: do not outlive it
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


class WorkerPool:
    """A lazily started single worker process."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None

    def submit(self, fn: Any, *args: Any) -> Future[Any]:
        if self._pool is None:
            threads = max(1, (os.cpu_count() or 2) - 1)
            self._pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_worker,
                initargs=(threads,),
            )
        return self._pool.submit(fn, *args)

    def run(self, fn: Any, *args: Any) -> Any:
        """Run ``fn(*args)`` in the worker and wait (call from a thread, not the event loop)."""
        return self.submit(fn, *args).result()

    def close(self) -> None:
        """Stop the worker, also in the middle of a job (the server is shutting down)."""
        if self._pool is not None:
            processes = list(getattr(self._pool, "_processes", {}).values())  # no public handle
            for proc in processes:
                proc.terminate()
            for proc in processes:
                proc.join(timeout=5)
            # the worker is gone, so this returns at once; waiting lets the pool close its queues,
            # which otherwise show up as "leaked semaphore objects" when the server exits
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


@dataclass(frozen=True)
class EvalArgs:
    """What an evaluation needs (picklable)."""

    spec: Any  # DeviceSpec
    fitzpatrick: str
    site: str
    minutes: float | None
    sessions_per_week: float | None
    meter: tuple[float, str, float, str, str] | None  # value, unit, distance_cm, model, position
    photons: int
    grade_device_claims: bool = True
    ita_deg: float | None = None  # a measured skin colour: melanin (and blood) fitted to it
    lab: tuple[float, float, float] | None = None


def evaluation_job(a: EvalArgs) -> dict[str, Any]:
    """``services.evaluate.evaluate`` and the report's three figures (PNG / SVG bytes)."""
    import base64

    from photodose.device.meter import MeterReading
    from photodose.report.figures import depth_dose_svg, dose_windows_svg, face_map_html
    from photodose.services.evaluate import evaluate
    from photodose.skin import SkinProfile

    meter = MeterReading(*a.meter) if a.meter is not None else None
    skin = SkinProfile(fitzpatrick=a.fitzpatrick, site=a.site)
    if a.ita_deg is not None or a.lab is not None:
        from photodose.validation.skin_colour import fit_skin_colour

        skin = fit_skin_colour(skin, ita=a.ita_deg, lab=a.lab).apply(skin)
    ev = evaluate(
        a.spec,
        skin=skin,
        minutes=a.minutes,
        sessions_per_week=a.sessions_per_week,
        meter=meter,
        photons=a.photons,
        grade_device_claims=a.grade_device_claims,
    )
    figures: dict[str, tuple[bytes, str]] = {}
    if a.grade_device_claims:
        png = _PNG_IN_IMG.search(face_map_html(ev))
        if png is not None:
            figures["face"] = (base64.b64decode(png.group(1)), "image/png")
        figures["depth"] = (depth_dose_svg(ev).encode("utf-8"), "image/svg+xml")
        figures["windows"] = (dose_windows_svg(ev).encode("utf-8"), "image/svg+xml")
    return {"ev": ev, "figures": figures}


def report_job(ev: Any, docs_base: str | None = None) -> str:
    """``report.html.render_html``: the self-contained HTML report, its guide links from ``docs_base``."""
    from photodose.report.html import render_html

    return render_html(ev, docs_base)


def compare_job(specs: list[Any], fitzpatrick: str, site: str, minutes: float | None, photons: int) -> Any:
    """``services.compare.compare`` for one person."""
    from photodose.services.compare import compare
    from photodose.skin import SkinProfile

    return compare(
        specs, skin=SkinProfile(fitzpatrick=fitzpatrick, site=site), minutes=minutes, photons=photons
    )


def depth_job(
    fitzpatrick: str,
    site: str,
    wavelength_nm: float,
    fwhm_nm: float,
    photons: int,
    led_m: float | None = None,
) -> Any:
    """``depth.depth_profile`` of one channel, called exactly as ``photodose depth`` calls it
    (``gaussian(w, fwhm)``, seed 1, the 7-layer model; ``led_m`` None = collimated, else the LEDs'
    cos^m source as ``--led-m``); cached on disk by the depth model."""
    from photodose.depth import depth_profile
    from photodose.optics.source_spectrum import gaussian
    from photodose.skin import SkinProfile

    return depth_profile(
        SkinProfile(fitzpatrick=fitzpatrick, site=site), gaussian(wavelength_nm, fwhm_nm), photons, seed=1,
        led_m=led_m,
    )  # fmt: skip


def depth_plot_job(profiles: list[Any]) -> str:
    """``depth.plot_depth_profiles`` as inline SVG."""
    from photodose.depth import plot_depth_profiles
    from photodose.report.figures import to_svg

    return to_svg(plot_depth_profiles(profiles))


def journal_chart_job(summary: dict[str, Any]) -> bytes:
    """``journal.plot.plot_journal`` (adherence and cumulative dose) as SVG bytes."""
    import tempfile
    from pathlib import Path

    from photodose.journal.plot import plot_journal

    with tempfile.TemporaryDirectory() as tmp:
        path = plot_journal(summary, Path(tmp) / "journal.svg")
        return path.read_bytes()


def photo_add_job(path: str, root: str | None, db: str | None, taken_on: Any) -> dict[str, Any]:
    """``photos.service.add_photo`` on an uploaded file (the decoder runs here, not in the server).

    Returns ``{"error": (field, message, fix)}`` for a :class:`~photodose.photos.PhotoError`
    (nothing stored; the field named as the web form names it, :func:`photodose.web.problems.problem_of`:
    an error is returned, not raised, as it crosses the process boundary), else what
    ``photodose photo add --json`` reports.
    """
    from pathlib import Path

    from photodose.photos import PhotoError
    from photodose.photos.service import add_photo
    from photodose.photos.store import PhotoStore
    from photodose.web.problems import problem_of

    try:
        store = PhotoStore(root=None if root is None else Path(root), db=db)
    except PhotoError as e:
        return {"error": problem_of(e)}
    try:
        result = add_photo(Path(path), store, taken_on)
    except PhotoError as e:
        return {"error": problem_of(e)}
    finally:
        store.close()
    rec = result.record
    return {
        "sha256": rec.sha256,
        "new": result.new,
        "taken_on": rec.taken_on.isoformat(),
        "quality": rec.analysis.get("quality", {}),
        "colour_correction": rec.analysis.get("colour_correction", {}),
        "metrics": rec.metrics,
        "stripped_metadata": rec.analysis.get("stripped_metadata", []),
    }


def photo_chart_job(root: str | None, db: str | None) -> bytes:
    """``photos.service.write_plot`` (the face metrics over time, noise band, trend line) as SVG bytes."""
    import tempfile
    from pathlib import Path

    from photodose.photos.service import write_plot
    from photodose.photos.store import PhotoStore

    store = PhotoStore(root=None if root is None else Path(root), db=db)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            return write_plot(store, Path(tmp) / "progress.svg").read_bytes()
    finally:
        store.close()
