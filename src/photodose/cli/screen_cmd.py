"""``photodose screen``: safety screening, interactive (Rich prompts) or from an answers file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from photodose.cli.app import app
from photodose.cli.errors import bad_input, field_error
from photodose.cli.journal_cmd import DbOption, JsonOption

if TYPE_CHECKING:
    from photodose.safety import Answers, SafetyData


def _read_answers(path: Path, as_json: bool) -> dict[str, Any]:
    import json
    import tomllib

    if not path.exists():
        bad_input(
            "--answers", f"{path} does not exist", "give a .toml or .json answers file", as_json=as_json
        )
    if not path.is_file() or path.stat().st_size > 1_000_000:
        bad_input(
            "--answers",
            f"{path} is not a regular file under 1 MB",
            "give a .toml or .json answers file",
            as_json=as_json,
        )
    try:
        text = path.read_text(encoding="utf-8")
        if path.suffix.lower() == ".json":
            data = json.loads(text)
        elif path.suffix.lower() == ".toml":
            data = tomllib.loads(text)
        else:
            bad_input(
                "--answers", f"{path.name}: unknown file type", "use a .toml or .json file", as_json=as_json
            )
    except (UnicodeDecodeError, json.JSONDecodeError, tomllib.TOMLDecodeError) as e:
        bad_input(
            "--answers",
            f"{path.name} cannot be parsed: {e}",
            "fix the syntax (see docs/person.md)",
            as_json=as_json,
        )
    if not isinstance(data, dict):
        bad_input("--answers", "the file must hold one table/object", "see docs/person.md", as_json=as_json)
    return data


def _pick(text: str, options: list[tuple[str, str]]) -> list[str]:
    """Numbers ("1, 3") or free text → ids / free text entries."""
    out: list[str] = []
    for part in [p.strip() for p in text.split(",") if p.strip()]:
        if part.isdigit() and 1 <= int(part) <= len(options):
            out.append(options[int(part) - 1][0])
        else:
            out.append(part)
    return out


def _ask(data: SafetyData) -> Answers:
    """The questions of ``questions.toml``, asked with Rich prompts."""
    from rich.console import Console
    from rich.prompt import Confirm, Prompt

    from photodose.safety import Answers

    con = Console()
    con.print("[bold]Safety screening[/] — answer what you know; this is not medical advice.")
    raw: dict[str, Any] = {}
    for q in data.questions:
        kind = q["kind"]
        if kind == "yesno":
            raw[q["id"]] = Confirm.ask(q["prompt"], default=False, console=con)
            continue
        opts: list[tuple[str, str]] = []
        if kind in ("choices", "procedures"):
            rules = data.conditions if q["source"] == "conditions" else data.procedures
            opts = [(r.id, r.name) for r in rules]
            for i, (_, name) in enumerate(opts, 1):
                con.print(f"  {i:2d}. {name}", markup=False, highlight=False)
        text = Prompt.ask(q["prompt"], default="", console=con)
        if kind == "list":
            from photodose.safety import split_entries

            raw[q["id"]] = split_entries(text)
        elif kind == "choices":
            raw[q["id"]] = _pick(text, opts)
        elif kind == "procedures":
            items = []
            for pid in _pick(text, opts):
                days = Prompt.ask(
                    f"  how many days ago was '{pid}'? (empty if unsure)", default="", console=con
                )
                items.append(
                    {"name": pid, "days_ago": float(days)}
                    if days.strip().replace(".", "", 1).isdigit()
                    else pid
                )
            raw[q["id"]] = items
    return Answers(
        medications=tuple(raw.get("medications", [])),
        past_medications=tuple((n, None) for n in raw.get("past_medications", [])),
        conditions=tuple(raw.get("conditions", [])),
        procedures=tuple(
            (p, None) if isinstance(p, str) else (p["name"], p["days_ago"]) for p in raw.get("procedures", [])
        ),
        neck_treated=bool(raw.get("neck_treated", False)),
        unsure=bool(raw.get("unsure", False)),
    )


@app.command("screen")
def screen_cmd(
    answers: Annotated[
        Path | None,
        typer.Option("--answers", help="Answers file (.toml or .json); without it, questions are asked."),
    ] = None,
    device: Annotated[
        str | None, typer.Option("--device", help="Also check this device's own risks.")
    ] = None,
    mode: Annotated[str | None, typer.Option("--mode", help="The device mode you use.")] = None,
    save: Annotated[bool, typer.Option("--save", help="Keep the outcome in your journal profile.")] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """May you use a light-therapy device? Checks medicines, conditions, procedures and the device.

    Outcomes: do not use — see a doctor / ask your doctor first / use with precautions / no known
    reason not to. Not medical advice.
    """
    from photodose.cli.output import echo_json
    from photodose.safety import AnswersError, answers_from_dict, load_safety, screen

    data = load_safety()
    if answers is not None:
        try:
            ans = answers_from_dict(_read_answers(answers, as_json))
        except AnswersError as e:
            field_error(e, as_json=as_json, field=f"--answers: {e.field}")
    elif sys.stdin.isatty() and not as_json:
        ans = _ask(data)
    else:
        bad_input(
            "--answers",
            "no terminal to ask the questions in",
            "give --answers FILE.toml (see docs/person.md)",
            as_json=as_json,
        )
    facts = None
    if device is not None:
        from photodose.cli.journal_cmd import device_or_exit, mode_or_exit
        from photodose.services.person import device_facts

        spec = device_or_exit(device, as_json, "--device")
        m = mode_or_exit(spec, mode, as_json)
        facts = device_facts(spec, m.name)
    result = screen(ans, facts, data)
    out = result.to_dict()
    if save:
        from photodose.cli.journal_cmd import open_journal_or_exit
        from photodose.journal.store import set_profile

        j = open_journal_or_exit(db, as_json)
        try:
            set_profile(j, screening=out)
        finally:
            j.close()
        out["saved"] = True
    if as_json:
        echo_json(out)
        return
    from rich.console import Console

    con = Console()
    style = {
        "do_not_use": "bold red",
        "ask_doctor": "bold yellow",
        "precautions": "yellow",
        "no_known_reason": "green",
    }
    con.print(f"[{style[result.outcome]}]{result.outcome_text}[/]")
    for f in result.findings:
        con.print(f"• [{f.level}] {f.reason}", markup=False, highlight=False)
        for c in f.citations:
            con.print(f"    {c}", markup=False, highlight=False, style="dim")
    if not result.findings:
        con.print("No listed medicine, condition, procedure or device risk applies.", markup=False)
    con.print(result.notice, markup=False, style="italic")
