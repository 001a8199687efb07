"""``photodose log``, ``journal``, ``rate``, ``export``, ``import`` and ``backup``: the journal.

Heavy imports (SQLAlchemy, the device model, matplotlib) happen inside the commands.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from photodose.cli.app import app
from photodose.cli.errors import bad_input, field_error

if TYPE_CHECKING:
    from photodose.device import DeviceSpec
    from photodose.journal import Journal
    from photodose.services.person import ModeChoice

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Journal database: a file path or postgresql://user@host/db (default: PHOTODOSE_DB, "
        "else a SQLite file in the user data directory).",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]


def open_journal_or_exit(db: str | None, as_json: bool) -> Journal:
    """Open the journal, or exit 2 with the field and the fix."""
    from photodose.journal import JournalError, open_journal

    try:
        return open_journal(db)
    except JournalError as e:
        field_error(e, as_json=as_json)


def device_or_exit(name: str, as_json: bool, field: str = "DEVICE") -> DeviceSpec:
    from photodose.device import DeviceSpecError
    from photodose.services.own_devices import resolve_device

    try:
        return resolve_device(name)
    except DeviceSpecError as e:
        bad_input(
            field,
            str(e).split(". Fix:")[0],
            "`photodose devices` lists the catalog; or give a device TOML file",
            as_json=as_json,
        )


def mode_or_exit(spec: DeviceSpec, mode: str | None, as_json: bool) -> ModeChoice:
    from photodose.services.person import ModeError, choose_mode

    try:
        return choose_mode(spec, mode)
    except ModeError as e:
        bad_input("--mode", str(e), "give red, nir, both or one of the device's mode names", as_json=as_json)


def doses_text(logged: dict[str, Any]) -> str:
    """'red 1.2 J/cm², nir 0.8 J/cm²': the central dose per channel of a logged session."""
    return ", ".join(f"{d['channel']} {d['fluence_j_cm2']['central']:.3g} J/cm²" for d in logged["doses"])


def _parse_when(when: str | None, as_json: bool) -> datetime | None:
    if when is None:
        return None
    try:
        t = datetime.fromisoformat(when)
    except ValueError:
        bad_input(
            "--when",
            f"{when!r} is not a date or time",
            "use ISO 8601, e.g. 2026-03-01T20:00",
            as_json=as_json,
        )
    return t


@app.command("log")
def log_cmd(
    device: Annotated[str, typer.Argument(help="Catalog name or id, or a device TOML file.")],
    minutes: Annotated[float, typer.Option("--minutes", "-m", help="Minutes of light (0 < m ≤ 120).")],
    mode: Annotated[str | None, typer.Option("--mode", help="red, nir, both or a device mode name.")] = None,
    when: Annotated[
        str | None, typer.Option("--when", help="When it started (ISO 8601; default now).")
    ] = None,
    area: Annotated[str, typer.Option("--area", help="Treated area.")] = "face",
    distance_cm: Annotated[
        float | None, typer.Option("--distance-cm", help="Distance from the skin, cm.")
    ] = None,
    reaction: Annotated[
        str | None, typer.Option("--reaction", help="Skin reaction: none, warmth, redness, dryness, … .")
    ] = None,
    note: Annotated[str, typer.Option("--note", help="A note.")] = "",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Log a session you did (the delivered dose per channel is computed from the device)."""
    from photodose.cli.output import echo_json
    from photodose.journal import JournalError
    from photodose.journal.store import MAX_SESSION_MIN, SKIN_REACTIONS
    from photodose.services.journal_log import log_session_for

    if not (0 < minutes <= MAX_SESSION_MIN):
        bad_input(
            "--minutes",
            f"{minutes:g} is not a session length",
            f"give minutes in (0, {MAX_SESSION_MIN:g}]",
            as_json=as_json,
        )
    if reaction is not None and reaction not in SKIN_REACTIONS:
        bad_input(
            "--reaction",
            f"{reaction!r} is not a listed reaction",
            "use one of " + ", ".join(SKIN_REACTIONS),
            as_json=as_json,
        )
    t = _parse_when(when, as_json)
    spec = device_or_exit(device, as_json)
    m = mode_or_exit(spec, mode, as_json)
    journal = open_journal_or_exit(db, as_json)
    try:
        out = log_session_for(
            journal,
            spec,
            m,
            minutes,
            from_file=device.endswith(".toml"),
            when=t,
            area=area,
            distance_cm=distance_cm,
            reaction=reaction,
            note=note,
        )
    except JournalError as e:
        field_error(e, as_json=as_json)
    finally:
        journal.close()
    if as_json:
        echo_json({"logged": out})
        return
    typer.echo(f"logged {minutes:g} min of {spec.name} ({m.name}): {doses_text(out)} (central; surface dose)")


@app.command("rate")
def rate_cmd(
    goal: Annotated[str, typer.Option("--goal", help="wrinkles, acne, redness or tone.")],
    rating: Annotated[int, typer.Option("--rating", help="0 = worse, 5 = no change, 10 = much better.")],
    note: Annotated[str, typer.Option("--note", help="A note.")] = "",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Rate how your skin is doing against your goal (kept in the journal)."""
    from photodose.cli.output import echo_json
    from photodose.journal import JournalError
    from photodose.journal.store import rate_outcome

    journal = open_journal_or_exit(db, as_json)
    try:
        uid = rate_outcome(journal, goal, rating, note)
    except JournalError as e:
        field_error(e, as_json=as_json)
    finally:
        journal.close()
    if as_json:
        echo_json({"rated": {"uuid": uid, "goal": goal, "rating": rating}})
    else:
        typer.echo(f"rated {goal}: {rating}/10")


@app.command("journal")
def journal_cmd(
    plot: Annotated[Path | None, typer.Option("--plot", help="Write a figure (PNG, SVG or PDF).")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Your sessions, adherence against your plan, and cumulative dose per channel."""
    from rich.console import Console
    from rich.table import Table

    from photodose.cli.output import echo_json
    from photodose.cli.paths import check_output_path
    from photodose.journal.summary import journal_summary

    check_output_path(plot, "--plot", (".png", ".svg", ".pdf"), as_json=as_json)
    journal = open_journal_or_exit(db, as_json)
    try:
        summary = journal_summary(journal)
    finally:
        journal.close()
    if plot is not None:
        from photodose.journal.plot import plot_journal

        try:
            plot_journal(summary, plot)
        except OSError as e:
            bad_input(
                "--plot", f"cannot write {plot}: {e.strerror}", "choose a writable path", as_json=as_json
            )
        summary["plot"] = str(plot)
    if as_json:
        echo_json(summary)
        return
    con = Console()
    adh = summary["adherence"]
    plan = summary["plan"]
    if plan:
        con.print(
            f"Plan: {plan['goal']} with {plan['device_key']}, {plan['minutes_per_session']:g} min × "
            f"{plan['sessions_per_week']:g}/week for {plan['weeks']} weeks from {plan['start_date']}",
            markup=False,
        )
    else:
        con.print("No plan saved (photodose plan … --save): adherence shows totals only.", markup=False)
    con.print(
        f"Sessions: {adh['sessions_total']} ({adh['minutes_total']:g} min); "
        f"{adh['sessions_per_week_mean']:.2g} per week; missed {adh['missed_sessions']}; "
        f"streak {adh['current_streak_weeks']} weeks (longest {adh['longest_streak_weeks']})",
        markup=False,
    )
    t = Table(title="Cumulative surface dose per channel (J/cm²)")
    for c in ("channel", "low", "central", "high"):
        t.add_column(c)
    for ch, v in adh["cumulative_dose_j_cm2"].items():
        t.add_row(ch, f"{v['low']:.3g}", f"{v['central']:.3g}", f"{v['high']:.3g}")
    con.print(t)
    for w in summary["windows"]:
        win = w["weekly_window_j_cm2"]
        wtxt = f"{win[0]:.3g}–{win[1]:.3g} J/cm²/week" if win else "no weekly window"
        con.print(
            f"{w['band']} for {w['indication']}: {w['mean_weekly_dose_j_cm2']['central']:.3g} J/cm²/week "
            f"(central) vs trials {wtxt}: {w['position']}",
            markup=False,
        )
    photos = summary.get("photos") or {}
    if photos.get("checkins"):
        nxt = next((c for c in photos["checkins"] if c["state"] in ("due", "upcoming")), None)
        con.print(
            f"Photo check-ins: {photos['checkins_done']} of {photos['checkins_planned']} done, "
            f"{photos['checkins_missed']} missed ({photos['n_photos']} photos stored)"
            + (f"; next: week {nxt['week']} ({nxt['date']}, {nxt['state']})" if nxt else ""),
            markup=False,
        )
    elif photos.get("n_photos"):
        con.print(f"Progress photos: {photos['n_photos']} stored (photodose progress)", markup=False)
    if plot is not None:
        con.print(f"figure: {plot}", markup=False)


@app.command("export")
def export_cmd(
    target: Annotated[Path, typer.Argument(help="A .json file, or a directory with --csv.")],
    csv_: Annotated[
        bool, typer.Option("--csv", help="Write one CSV per table into TARGET (a directory).")
    ] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Export the whole journal losslessly (JSON, or CSV files)."""
    from photodose.cli.output import echo_json
    from photodose.journal.transfer import export_csv, export_json

    journal = open_journal_or_exit(db, as_json)
    try:
        if csv_:
            if target.exists() and not target.is_dir():
                bad_input("TARGET", f"{target} is a file", "give a directory for --csv", as_json=as_json)
            files = [str(p) for p in export_csv(journal, target)]
        else:
            if target.is_dir():
                bad_input(
                    "TARGET", f"{target} is a directory", "give a .json file, or add --csv", as_json=as_json
                )
            export_json(journal, target)
            files = [str(target)]
    except OSError as e:
        bad_input("TARGET", f"cannot write {target}: {e.strerror}", "choose a writable path", as_json=as_json)
    finally:
        journal.close()
    if as_json:
        echo_json({"exported": files})
    else:
        typer.echo("exported: " + ", ".join(files))


@app.command("import")
def import_cmd(
    source: Annotated[Path, typer.Argument(help="A JSON export, or a directory of CSV files.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Merge an export into the journal (rows already present are kept; one transaction)."""
    from photodose.cli.output import echo_json
    from photodose.journal import JournalError
    from photodose.journal.transfer import import_csv, import_json

    if not source.exists():
        bad_input(
            "SOURCE",
            f"{source} does not exist",
            "give a file or directory written by photodose export",
            as_json=as_json,
        )
    if not (source.is_file() or source.is_dir()):  # /dev/zero, a pipe: would be read without end
        bad_input(
            "SOURCE",
            f"{source} is not a regular file or folder (a device or pipe)",
            "give a file or directory written by photodose export",
            as_json=as_json,
        )
    journal = open_journal_or_exit(db, as_json)
    try:
        added = import_csv(journal, source) if source.is_dir() else import_json(journal, source)
    except JournalError as e:
        field_error(e, as_json=as_json)
    finally:
        journal.close()
    if as_json:
        echo_json({"imported": added})
    else:
        typer.echo("imported: " + ", ".join(f"{k} {v}" for k, v in added.items()))


@app.command("backup")
def backup_cmd(
    target: Annotated[
        Path | None, typer.Argument(help="Backup file (default: backups/ in the data directory).")
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """A consistent copy of the journal (SQLite: the online backup API; PostgreSQL: a JSON export)."""
    import sqlite3

    from photodose.cli.output import echo_json
    from photodose.journal.db import data_dir
    from photodose.journal.transfer import backup

    journal = open_journal_or_exit(db, as_json)
    try:
        if target is None:
            ext = "sqlite3" if journal.dialect == "sqlite" else "json"
            target = data_dir() / "backups" / f"journal-{datetime.now():%Y%m%dT%H%M%S}.{ext}"
        if target.is_dir():
            bad_input("TARGET", f"{target} is a directory", "give a file name", as_json=as_json)
        path = backup(journal, target)
    except OSError as e:
        bad_input("TARGET", f"cannot write {target}: {e.strerror}", "choose a writable path", as_json=as_json)
    except sqlite3.DatabaseError as e:  # an existing file that is not a SQLite database
        bad_input(
            "TARGET", f"cannot write a backup over {target}: {e}",
            "give a new file name (or an earlier .sqlite3 backup to replace)", as_json=as_json,
        )  # fmt: skip
    finally:
        journal.close()
    if as_json:
        echo_json({"backup": str(path)})
    else:
        typer.echo(f"backup: {path}")
