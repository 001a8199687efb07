"""``photodose photo add IMAGE`` and ``photodose progress``: skin metrics from your own photos.

Heavy imports (Pillow, OpenCV, colour-science, SQLAlchemy, matplotlib) happen inside the commands.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from photodose.cli.app import app
from photodose.cli.errors import bad_input, field_error

if TYPE_CHECKING:
    from photodose.photos.store import PhotoStore

photo_app = typer.Typer(
    help="Progress photos: add one, measured and stored without metadata.", no_args_is_help=True
)
app.add_typer(photo_app, name="photo")

JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
INSTALL_FIX = "install the photos extra: pip install 'photodose[photos]'"


def _missing_extra(e: ImportError, as_json: bool) -> NoReturn:
    bad_input(
        "photos extra",
        f"photo analysis needs {e.name or 'a package'} (not installed)",
        INSTALL_FIX,
        as_json=as_json,
    )


DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Journal database the metrics go to: a file path or postgresql://user@host/db "
        "(default: PHOTODOSE_DB, else the SQLite journal in the user data directory).",
    ),
]


def _open_store(as_json: bool, db: str | None = None) -> PhotoStore:
    try:
        from photodose.photos import PhotoError
        from photodose.photos.store import PhotoStore
    except ImportError as e:
        _missing_extra(e, as_json)
    try:
        return PhotoStore(db=db)
    except PhotoError as e:
        field_error(e, as_json=as_json)


def _parse_date(text: str | None, as_json: bool) -> date | None:
    """``--date`` through the one photo-date check (:func:`photodose.photos.dates.parse_photo_date`)."""
    if text is None:
        return None
    try:
        from photodose.photos import PhotoError
        from photodose.photos.dates import parse_photo_date
    except ImportError as e:
        _missing_extra(e, as_json)
    try:
        return parse_photo_date(text)
    except PhotoError as e:
        field_error(e, as_json=as_json, field="--date")


@photo_app.command("add")
def add(
    image: Annotated[Path, typer.Argument(help="A JPEG, PNG or WebP photo of your face.")],
    when: Annotated[
        str | None,
        typer.Option("--date", help="Day taken, YYYY-MM-DD (default: the photo's capture date, else today)."),
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Measure a progress photo (redness, tone, evenness, texture per face region) and store a copy
    without metadata (content-addressed, in the user data directory); the metrics go to the journal."""
    from photodose.cli.output import echo_json

    taken_on = _parse_date(when, as_json)
    store = _open_store(as_json, db)
    try:
        from photodose.photos import PhotoError
        from photodose.photos.service import add_photo
    except ImportError as e:
        _missing_extra(e, as_json)
    from sqlalchemy.exc import SQLAlchemyError

    try:
        result = add_photo(image, store, taken_on)
    except PhotoError as e:
        field_error(e, as_json=as_json)
    except (OSError, SQLAlchemyError) as e:
        bad_input(
            "PHOTODOSE_DATA_DIR",
            f"the photo could not be stored: {str(getattr(e, 'orig', None) or e).splitlines()[0]}",
            "check free space and permissions of the data folder (PHOTODOSE_DATA_DIR)",
            as_json=as_json,
        )
    except ImportError as e:
        _missing_extra(e, as_json)
    finally:
        store.close()
    rec = result.record
    face = rec.metrics.get("face", {})
    quality = rec.analysis.get("quality", {})
    payload: dict[str, Any] = {
        "sha256": rec.sha256,
        "new": result.new,
        "taken_on": rec.taken_on.isoformat(),
        "stored_at": str(rec.image_path),
        "quality": quality,
        "colour_correction": rec.analysis.get("colour_correction", {}),
        "face": rec.analysis.get("face", {}),  # which detector placed the regions, pose
        "metrics": rec.metrics,
        "stripped_metadata": rec.analysis.get("stripped_metadata", []),
    }
    if as_json:
        echo_json(payload)
        return
    from rich.console import Console

    con = Console()
    con.print(
        f"{'stored' if result.new else 'already stored'}: {rec.sha256[:12]}… ({rec.taken_on})"
        f" → {rec.image_path}"
    )
    if payload["stripped_metadata"]:
        con.print(f"metadata removed: {', '.join(payload['stripped_metadata'])}", highlight=False)
    face_info = rec.analysis.get("face", {})
    con.print(
        f"regions: {face_info.get('detector', 'opencv-haar')}"
        + (f" ({face_info['detector_note']})" if face_info.get("detector_note") else ""),
        highlight=False,
    )
    con.print(f"quality: {quality.get('status', '?')}", highlight=False)
    for r in quality.get("reasons", []):
        con.print(f"  - {r}", highlight=False)

    def fmt(k: str) -> str:
        v = face.get(k)
        return "n/a" if v is None or v != v else f"{v:.1f}"

    con.print(
        f"face: a* {fmt('a')}  L* {fmt('L')}  b* {fmt('b')}  ITA {fmt('ita_deg')}°  "
        f"EI {fmt('erythema_index')}  a* spread {fmt('a_sd')}  texture {fmt('texture')}",
        highlight=False,
    )
    con.print(
        "`photodose progress` shows the trend once you have photos on three or more days.", highlight=False
    )


@app.command("progress")
def progress_cmd(
    plot: Annotated[
        Path | None, typer.Option("--plot", help="Write a chart of the trends (PNG, SVG, PDF).")
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Trends in your photo metrics, with a change called only beyond same-day repeat noise."""
    from photodose.cli.output import echo_json
    from photodose.cli.paths import PLOT_EXTENSIONS, check_output_path

    check_output_path(plot, "--plot", PLOT_EXTENSIONS, as_json=as_json)
    store = _open_store(as_json, db)
    try:
        from photodose.photos.service import progress, write_plot
    except ImportError as e:
        store.close()
        _missing_extra(e, as_json)
    try:
        summary = progress(store)
        if plot is not None and summary["n_photos"] > 0:
            write_plot(store, plot)
            summary["plot"] = str(plot)
    finally:
        store.close()
    if as_json:
        echo_json(summary)
        return
    from rich.console import Console
    from rich.table import Table

    con = Console()
    if summary["n_photos"] == 0:
        con.print(summary["note"], highlight=False)
        return
    con.print(
        f"{summary['n_photos']} photos on {summary['n_days']} days ({summary['first_day']} → "
        f"{summary['last_day']}), colour: {summary['correction']}, regions: {summary['detector']}"
        + ("" if summary["calibrated"] else " (uncalibrated: compare only same place and light)"),
        highlight=False,
    )
    table = Table(title="face (all regions together)")
    for col in ("metric", "first → last", "per 30 days (95 % CI)", "noise (MDC95)", "verdict"):
        table.add_column(col)
    labels = summary["labels"]
    for t in summary["trends"]:
        if t["region"] != "face":
            continue
        slope = t["slope_per_30d"]
        ci = (
            "–"
            if slope is None or slope != slope
            else f"{slope:+.2f} ({t['ci95_low_per_30d']:+.2f} … {t['ci95_high_per_30d']:+.2f})"
        )
        mdc = "unknown" if t["mdc95"] is None else f"{t['mdc95']:.2f}"
        table.add_row(
            labels.get(t["metric"], t["metric"]), f"{t['first']:.1f} → {t['last']:.1f}", ci, mdc, t["verdict"]
        )
    con.print(table)
    con.print(summary["method"], highlight=False)
    con.print(summary["skin_model"].get("command", summary["skin_model"]["note"]), highlight=False)
    if "plot" in summary:
        con.print(f"plot: {summary['plot']}", highlight=False)
