"""The session timer: an injectable clock (no test waits), completion and Ctrl-C both log the
minutes actually done with the delivered dose per channel."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import photodose.cli.session_cmd as session_cmd
from photodose.cli import app
from photodose.journal import open_journal
from photodose.journal.store import sessions
from photodose.services.person import choose_mode, device_spec, session_doses
from photodose.services.session_timer import FakeClock, countdown

runner = CliRunner()


def test_countdown_completes_on_a_fake_clock() -> None:
    clock = FakeClock()
    ticks: list[float] = []
    r = countdown(600.0, clock=clock, sleep=clock.sleep, on_tick=lambda e, left: ticks.append(left))
    assert r.completed and r.elapsed_s == 600.0 and r.minutes == 10.0
    assert ticks[0] == 600.0 and ticks[-1] == 0.0 and len(ticks) == 601


def test_countdown_ctrl_c_returns_the_time_done() -> None:
    clock = FakeClock(interrupt_at_s=125.0)
    r = countdown(600.0, clock=clock, sleep=clock.sleep)
    assert not r.completed and r.elapsed_s == pytest.approx(125.0)


@pytest.fixture
def fake_clock(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> FakeClock:
    monkeypatch.setenv("PHOTODOSE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PHOTODOSE_DB", raising=False)
    clock = FakeClock()
    monkeypatch.setattr(session_cmd, "CLOCK", clock)
    monkeypatch.setattr(session_cmd, "SLEEP", clock.sleep)
    return clock


def test_session_start_runs_the_device_timer_and_logs_the_dose(fake_clock: FakeClock, tmp_path: Path) -> None:
    r = runner.invoke(app, ["session", "start", "higherdose-red-light-face-mask", "--mode", "both", "--json"])
    assert r.exit_code == 0, r.output
    logged = json.loads(r.stdout)["logged"]
    spec = device_spec("higherdose-red-light-face-mask")
    mode = choose_mode(spec, "both")
    assert logged["minutes"] == mode.timer_min == 20.0 and logged["completed"]
    assert fake_clock.now == pytest.approx(20 * 60)
    expected = {d.channel: d.fluence_j_cm2 for d in session_doses(spec, mode, 20.0)}
    assert {d["channel"]: d["fluence_j_cm2"]["central"] for d in logged["doses"]} == pytest.approx(expected)
    j = open_journal(None)
    [s] = sessions(j)
    j.close()
    assert s.minutes == 20.0 and s.completed and s.mode == "20 min"


def test_session_ctrl_c_logs_the_minutes_done(monkeypatch: pytest.MonkeyPatch, fake_clock: FakeClock) -> None:
    fake_clock.interrupt_at_s = 4 * 60 + 30
    r = runner.invoke(app, ["session", "start", "theraface-mask", "--json"])
    assert r.exit_code == 0, r.output
    logged = json.loads(r.stdout)["logged"]
    assert logged["minutes"] == pytest.approx(4.5) and not logged["completed"]
    full = runner.invoke(app, ["journal", "--json"])
    [s] = json.loads(full.stdout)["sessions"]
    red = next(d for d in s["doses"] if d["channel"] == "red")["fluence_j_cm2"]["central"]
    spec = device_spec("theraface-mask")
    assert red == pytest.approx(
        next(d.fluence_j_cm2 for d in session_doses(spec, choose_mode(spec), 4.5) if d.channel == "red")
    )


def test_session_stopped_at_once_logs_nothing(fake_clock: FakeClock) -> None:
    fake_clock.interrupt_at_s = 1.0
    r = runner.invoke(app, ["session", "start", "theraface-mask", "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["logged"] is None


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["theraface-mask", "--minutes", "-1"], "--minutes"),
        (["theraface-mask", "--minutes", "45"], "--minutes"),  # > 3 runs of a 10-min timer
        (["theraface-mask", "--mode", "blue"], "--mode"),
        (["higherdose-red-light-face-mask", "--mode", "red"], "--mode"),  # no red-only mode
        (["not-a-device"], "DEVICE"),
    ],
)
def test_session_bad_input_exits_2_and_stores_nothing(
    fake_clock: FakeClock, args: list[str], field: str
) -> None:
    r = runner.invoke(app, ["session", "start", *args, "--json"])
    assert r.exit_code == 2, r.output
    assert json.loads(r.stdout)["error"]["field"] == field
    assert fake_clock.now == 0.0  # no countdown ran


def test_a_custom_device_file_is_journaled_with_its_spec(fake_clock: FakeClock, tmp_path: Path) -> None:
    from importlib.resources import files

    from photodose.journal.transfer import records

    src = Path(str(files("photodose") / "data" / "devices" / "theraface-mask.toml"))
    custom = tmp_path / "my-mask.toml"
    custom.write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    r = runner.invoke(app, ["session", "start", str(custom), "--minutes", "2", "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["logged"]["device"] == "custom:theraface-mask"
    j = open_journal(None)
    [dev] = records(j)["devices"]
    j.close()
    assert dev["source"] == "custom" and json.loads(dev["spec_json"])["id"] == "theraface-mask"
