"""``photodose session start DEVICE``: a countdown matching the device's timer and modes that
logs the session (with the delivered dose per channel) when it ends or on Ctrl-C.

The clocks are injectable (:data:`CLOCK`, :data:`SLEEP` for the countdown, :data:`NOW` for the
logged start time) so tests never wait.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated

import typer

from photodose.cli.app import app
from photodose.cli.errors import field_error
from photodose.cli.journal_cmd import DbOption, JsonOption

session_app = typer.Typer(help="Run a light session with a countdown, and log it.", no_args_is_help=True)
app.add_typer(session_app, name="session")

CLOCK: Callable[[], float] = time.monotonic
SLEEP: Callable[[float], None] = time.sleep


def _utc_now() -> datetime:
    return datetime.now(UTC)


NOW: Callable[[], datetime] = _utc_now  # wall time the session starts at
MIN_LOG_S = 6.0  # stopped before 0.1 min: nothing is logged


@session_app.command("start")
def start(
    device: Annotated[str, typer.Argument(help="Catalog name or id, or a device TOML file.")],
    mode: Annotated[str | None, typer.Option("--mode", help="red, nir, both or a device mode name.")] = None,
    minutes: Annotated[
        float | None, typer.Option("--minutes", "-m", help="Session length (default: the mode's timer).")
    ] = None,
    area: Annotated[str, typer.Option("--area", help="Treated area.")] = "face",
    distance_cm: Annotated[
        float | None, typer.Option("--distance-cm", help="Distance from the skin, cm.")
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Count down a session on the device's timer; log it at the end or on Ctrl-C."""
    from photodose.cli.journal_cmd import device_or_exit, doses_text, mode_or_exit, open_journal_or_exit
    from photodose.cli.output import echo_json
    from photodose.journal import JournalError
    from photodose.services.journal_log import SessionLengthError, check_session_minutes, log_session_for
    from photodose.services.session_timer import countdown

    spec = device_or_exit(device, as_json)
    m = mode_or_exit(spec, mode, as_json)
    total_min = m.timer_min if minutes is None else minutes
    try:
        check_session_minutes(m, total_min)
    except SessionLengthError as e:
        field_error(e, as_json=as_json, field="--minutes")
    if total_min * 60.0 < MIN_LOG_S:  # it would count down, then log nothing
        from photodose.cli.errors import bad_input

        bad_input(
            "--minutes",
            f"{total_min:g} min is shorter than the {MIN_LOG_S / 60:g} min a session must last to be logged",
            f"give at least {MIN_LOG_S / 60:g} minutes, or leave --minutes out to use the mode's timer",
            as_json=as_json,
        )
    journal = open_journal_or_exit(db, as_json)  # before the countdown: a broken database fails now
    runs = int(-(-total_min // m.timer_min))
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[left]} left"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        auto_refresh=False,
        get_time=CLOCK,
        disable=as_json,
        transient=False,
    )
    task = progress.add_task(f"{spec.name} · {m.name}", total=total_min * 60.0, left="")

    def on_tick(elapsed: float, remaining: float) -> None:
        sec = round(remaining)
        run = min(runs, int(elapsed // (m.timer_min * 60)) + 1)
        progress.update(
            task,
            completed=elapsed,
            description=f"{spec.name} · {m.name} · run {run}/{runs}",
            left=f"{sec // 60:02d}:{sec % 60:02d}",
        )
        progress.refresh()

    if not as_json:
        typer.echo(
            f"Close your eyes or wear the eye shields. {total_min:g} min, {' + '.join(m.channels)}"
            + (f"; restart the device after each {m.timer_min:g}-min run" if runs > 1 else "")
            + ". Ctrl-C stops and logs the minutes done.",
            err=True,
        )
    started_at = NOW()
    with progress:
        result = countdown(total_min * 60.0, clock=CLOCK, sleep=SLEEP, on_tick=on_tick)
    if result.elapsed_s < MIN_LOG_S:
        journal.close()
        out = {"logged": None, "minutes": result.minutes, "reason": "stopped before 0.1 min: nothing logged"}
        if as_json:
            echo_json(out)
        else:
            typer.echo("stopped before 0.1 min: nothing logged")
        return
    try:
        logged = log_session_for(
            journal,
            spec,
            m,
            round(result.minutes, 4),
            from_file=device.endswith(".toml"),
            when=started_at,
            area=area,
            distance_cm=distance_cm,
            completed=result.completed,
        )
    except JournalError as e:
        field_error(e, as_json=as_json)
    finally:
        journal.close()
    if as_json:
        echo_json({"logged": logged})
        return
    state_txt = "completed" if result.completed else "stopped early"
    typer.echo(f"{state_txt}: logged {result.minutes:.2f} min — {doses_text(logged)} (central surface dose)")
