"""``photodose plan``: a plan for a goal with a device, and its calendar."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from photodose.cli.app import app
from photodose.cli.errors import bad_input, field_error
from photodose.cli.journal_cmd import DbOption, JsonOption


@app.command("plan")
def plan_cmd(
    goal: Annotated[str, typer.Option("--goal", help="wrinkles, acne, redness or tone.")],
    device: Annotated[str, typer.Option("--device", help="Catalog name or id, or a device TOML file.")],
    fitzpatrick: Annotated[str, typer.Option("--fitzpatrick", help="Skin type I–VI.")] = "III",
    mode: Annotated[str | None, typer.Option("--mode", help="red, nir, both or a device mode name.")] = None,
    start: Annotated[
        str | None, typer.Option("--start", help="First day (YYYY-MM-DD; default today).")
    ] = None,
    ics: Annotated[Path | None, typer.Option("--ics", help="Write the plan as an iCalendar file.")] = None,
    save: Annotated[bool, typer.Option("--save", help="Keep the plan in your journal (adherence).")] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Minutes per session, sessions per week and weeks that land inside the doses trials tested."""
    from photodose.cli.journal_cmd import device_or_exit, mode_or_exit
    from photodose.cli.output import echo_json, json_text
    from photodose.cli.paths import check_output_path
    from photodose.plan import PlanInputError, make_plan

    try:
        day = date.fromisoformat(start) if start else date.today()
    except ValueError:
        bad_input("--start", f"{start!r} is not a date", "use YYYY-MM-DD", as_json=as_json)
    check_output_path(ics, "--ics", (".ics",), as_json=as_json)
    spec = device_or_exit(device, as_json, "--device")
    if mode is not None:
        mode_or_exit(spec, mode, as_json)
    try:
        plan = make_plan(goal, spec, fitzpatrick=fitzpatrick, mode=mode, start=day)
    except PlanInputError as e:
        field_error(e, as_json=as_json)
    out = plan.to_dict()
    if ics is not None:
        from photodose.plan.calendar import read_back, to_ical

        data = to_ical(plan, day)
        back = read_back(data)  # validate before writing
        if len(back["sessions"]) != plan.sessions_per_week * plan.weeks:
            raise RuntimeError("calendar export does not read back")  # a bug, not bad input
        try:
            ics.write_bytes(data)
        except OSError as e:
            bad_input("--ics", f"cannot write {ics}: {e.strerror}", "choose a writable path", as_json=as_json)
        out["ics"] = {"path": str(ics), "sessions": len(back["sessions"]), "checkins": len(back["checkins"])}
    if save:
        from photodose.cli.journal_cmd import open_journal_or_exit
        from photodose.services.journal_log import save_plan_for

        j = open_journal_or_exit(db, as_json)
        try:
            out["saved"] = save_plan_for(
                j, plan, spec, day, from_file=device.endswith(".toml"), plan_json=json_text(out)
            )
        finally:
            j.close()
    if as_json:
        echo_json(out)
        return
    from rich.console import Console

    con = Console()

    def p(text: str, style: str | None = None) -> None:
        con.print(text, markup=False, highlight=False, style=style)

    p(f"Plan: {goal} with {plan.device_name} ({plan.mode})", "bold")
    runs = f" ({plan.cycles:g} runs of the {plan.timer_min:g}-min timer)" if plan.cycles > 1 else ""
    p(f"  {plan.minutes:g} min per session{runs}, {plan.sessions_per_week} sessions/week, {plan.weeks} weeks")
    p(f"  sessions/week: {plan.sessions_per_week_source}", "dim")
    p(f"  weeks: {plan.weeks_source}", "dim")
    for b in plan.bands:
        lo, c, hi = b.dose_j_cm2
        p(
            f"  {b.band} ({', '.join(b.channels)}): {c:.3g} J/cm² per session (range {lo:.3g}–{hi:.3g}); "
            f"trials: {b.window_text} → {b.position_text}"
        )
    for w in plan.warnings:
        p(f"  warning: {w}", "bold yellow")
    p(f"  photo check-ins at weeks {', '.join(str(w) for w in plan.checkin_weeks)}")
    p("What to expect when (from the trials):", "bold")
    for x in plan.expectations:
        p(f"  week {x.week:g}: {x.expect} — {x.citation} ({x.design})")
    for n in plan.notes:
        p(f"  note: {n}", "dim")
    if ics is not None:
        p(f"calendar: {ics}")
    p(plan.notice, "italic")
