"""One service behind both faces: journal logging (``services.journal_log``), the person's own
devices (``services.own_devices``) and face-neutral advice rendered by each face its own way.

The CLI and the web app must log the same session the same way (same journal key, same doses),
find the same saved devices, and neither may own logic the other lacks."""

from __future__ import annotations

import json
import os
import tempfile
from importlib.resources import files
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from photodose.cli import app
from photodose.device import DeviceSpecError, UnknownDeviceError, load_device
from photodose.hints import Hint
from photodose.services.journal_log import (
    MAX_CYCLES,
    DeviceIdentity,
    SessionLengthError,
    check_session_minutes,
    device_identity,
    log_session_for,
)
from photodose.services.own_devices import DeviceStore, resolve_device
from photodose.services.person import choose_mode, session_doses

runner = CliRunner()
TEMPLATE = Path(str(files("photodose") / "data" / "devices" / "_my_mask_template.toml"))
CATALOGUED = "omnilux-contour-face"


@pytest.fixture
def data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("PHOTODOSE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PHOTODOSE_DB", raising=False)
    return tmp_path


# ----------------------------------------------------------------------------- journal logging


def test_device_identity_catalogue_by_id_own_devices_with_their_spec() -> None:
    spec = load_device(CATALOGUED)
    assert device_identity(spec) == DeviceIdentity(CATALOGUED, "catalog", None)
    # a catalogue file read from disk is the person's own copy: kept with its spec
    own = device_identity(spec, from_file=True)
    assert own.key == f"custom:{CATALOGUED}" and own.source == "custom"
    assert own.spec_json is not None and json.loads(own.spec_json)["id"] == CATALOGUED
    mine = load_device(TEMPLATE)
    assert device_identity(mine).key == "custom:my-mask"


@settings(max_examples=60, deadline=None)
@given(st.floats(min_value=-50, max_value=200, allow_nan=False))
def test_session_length_is_accepted_exactly_within_the_timer_runs(minutes: float) -> None:
    spec = load_device(CATALOGUED)
    mode = choose_mode(spec)
    limit = mode.timer_min * MAX_CYCLES
    if 0 < minutes <= limit:
        assert check_session_minutes(mode, minutes) == minutes
    else:
        with pytest.raises(SessionLengthError) as err:
            check_session_minutes(mode, minutes)
        assert f"{limit:g}" in err.value.fix and mode.name in err.value.message


def test_cli_and_web_log_the_same_session_the_same_way(data_dir: Path) -> None:
    """The CLI's `log` and the web timer's POST /session/log both end in log_session_for: the
    same journal key and the dose model's numbers (H = E·t) for a saved own device."""
    from fastapi.testclient import TestClient

    from photodose.journal import open_journal
    from photodose.journal.store import sessions
    from photodose.web import WebSettings, create_app

    spec = DeviceStore().save_text(TEMPLATE.read_text(encoding="utf-8"), "template")
    r = runner.invoke(app, ["log", spec.id, "-m", "4", "--json"])  # found among the saved devices
    assert r.exit_code == 0, r.output
    cli = json.loads(r.stdout)["logged"]
    with TestClient(create_app(WebSettings(data_dir=data_dir)), base_url="http://127.0.0.1") as web:
        web.get("/")
        headers = {"X-CSRF-Token": web.cookies["pd_csrf"]}
        w = web.post(
            "/session/log",
            data={"device": spec.id, "mode": "", "minutes": "4", "started_at": "2026-11-29T20:00:00Z",
                  "completed": "true"},
            headers=headers,
        )  # fmt: skip
    assert w.status_code == 200, w.text
    webl = w.json()["logged"]
    assert cli["device"] == webl["device"] == "custom:my-mask"
    assert cli["doses"] == webl["doses"]
    want = session_doses(spec, choose_mode(spec), 4.0)
    assert [d["fluence_j_cm2"]["central"] for d in cli["doses"]] == pytest.approx(
        [d.fluence_j_cm2 for d in want]
    )
    j = open_journal(None)
    try:
        rows = sessions(j)
    finally:
        j.close()
    assert len(rows) == 2


def test_log_session_for_stores_what_it_returns(data_dir: Path) -> None:
    from photodose.journal import open_journal
    from photodose.journal.transfer import records

    spec = load_device(CATALOGUED)
    mode = choose_mode(spec)
    j = open_journal(None)
    try:
        out = log_session_for(j, spec, mode, 3.0, reaction="warmth", note="n")
        rec = records(j)
    finally:
        j.close()
    [row] = [s for s in rec["sessions"] if s["uuid"] == out["uuid"]]
    assert row["minutes"] == 3.0 and row["skin_reaction"] == "warmth"
    assert out["device"] == CATALOGUED and out["mode"] == mode.name


# ----------------------------------------------------------------------------- own devices


def test_saved_device_keeps_its_file_and_refuses_clashes(tmp_path: Path) -> None:
    store = DeviceStore(tmp_path)
    text = TEMPLATE.read_text(encoding="utf-8")
    spec = store.save_text(text, "template")
    saved = tmp_path / "devices" / f"{spec.id}.toml"
    assert saved.read_text(encoding="utf-8") == text  # comments and all
    assert [d.id for d in store.list()] == [spec.id]
    with pytest.raises(DeviceSpecError, match="already saved"):
        store.save_text(text, "template")
    catalogue_copy = (files("photodose") / "data" / "devices" / f"{CATALOGUED}.toml").read_text("utf-8")
    with pytest.raises(DeviceSpecError, match="catalogue"):
        store.save_text(catalogue_copy, "copy")
    with pytest.raises(DeviceSpecError):
        store.save_text("id = [", "broken")
    assert [d.id for d in store.list()] == [spec.id]


def test_resolve_device_catalogue_then_saved_then_file(tmp_path: Path) -> None:
    store = DeviceStore(tmp_path)
    spec = store.save_text(TEMPLATE.read_text(encoding="utf-8"), "template")
    assert resolve_device(CATALOGUED, store).id == CATALOGUED
    assert resolve_device(spec.id, store).id == spec.id
    assert resolve_device(str(TEMPLATE), store).id == "my-mask"  # a file, on the CLI
    with pytest.raises(UnknownDeviceError) as err:
        resolve_device("omnilux contur", DeviceStore(tmp_path / "empty"))
    assert err.value.suggestions  # the closest catalogue names, as load_device gives them
    # a server never reads a path it is given as a device name
    secret = tmp_path / "secret.toml"
    secret.write_text(TEMPLATE.read_text(encoding="utf-8"), encoding="utf-8")
    for name in (str(secret), str(TEMPLATE), "../secret", "/etc/passwd"):
        with pytest.raises(UnknownDeviceError):
            resolve_device(name, store, files=False)


def test_cli_devices_add_then_found_by_id(data_dir: Path) -> None:
    r = runner.invoke(app, ["devices", "add", str(TEMPLATE), "--json"])
    assert r.exit_code == 0, r.output
    saved = json.loads(r.stdout)["saved"]
    assert saved["id"] == "my-mask" and Path(saved["path"]).parent == data_dir / "devices"
    r = runner.invoke(app, ["devices", "my-mask", "--json", "--no-model"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["device"]["id"] == "my-mask"
    # the catalogue listing names it apart, and the web app lists it as the person's own
    listing = json.loads(runner.invoke(app, ["devices", "--json", "--no-model"]).stdout)
    assert [d["id"] for d in listing["own_devices"]] == ["my-mask"]
    assert "my-mask" not in [d["id"] for d in listing["devices"]]
    assert [d.id for d in DeviceStore(data_dir).list()] == ["my-mask"]
    again = runner.invoke(app, ["devices", "add", str(TEMPLATE), "--json"])
    assert again.exit_code == 2 and json.loads(again.stdout)["error"]["field"] == "FILE"
    for bad in (str(data_dir / "nope.toml"), "/dev/zero", str(data_dir)):
        refused = runner.invoke(app, ["devices", "add", bad, "--json"])
        assert refused.exit_code == 2 and json.loads(refused.stdout)["error"]["field"] == "FILE"


def test_cli_evaluates_and_compares_a_saved_device_by_id(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PHOTODOSE_CACHE_DIR", str(data_dir / "cache"))
    assert runner.invoke(app, ["devices", "add", str(TEMPLATE)]).exit_code == 0
    r = runner.invoke(app, ["evaluate", "my-mask", "--photons", "1000", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["device"]["id"] == "my-mask"
    r = runner.invoke(app, ["compare", "my-mask", CATALOGUED, "--photons", "1000", "--json"])
    assert r.exit_code == 0, r.output
    assert [d["id"] for d in json.loads(r.stdout)["devices"]] == ["my-mask", CATALOGUED]
    unknown = runner.invoke(app, ["evaluate", "my-maskk", "--json"])
    assert unknown.exit_code == 2 and json.loads(unknown.stdout)["error"]["field"] == "DEVICE"


# ----------------------------------------------------------------------------- advice per face


HINTS = (
    Hint("meter_reading", "action", "enter a meter reading"),
    Hint("meter_position", "stated", "say where the sensor sat: over one LED or between LEDs"),
    Hint("minutes", "notes", "set one session length"),
)
TEXT = (
    "A meter reading would settle it (enter a meter reading). A meter at the skin settles it (say where "
    "the sensor sat: over one LED or between LEDs). Session lengths differ; set one session length <b>."
)


def test_each_face_renders_the_same_hints_its_own_way() -> None:
    from photodose.cli.hints import with_cli_hints
    from photodose.web.hints import hinted

    cli = with_cli_hints(TEXT, HINTS)
    assert "(give it with --meter-reading)" in cli and "(--meter-position over-led|between-leds)" in cli
    assert "give --minutes" in cli and "enter a meter reading" not in cli
    web = str(hinted(TEXT, HINTS, minutes="c-min"))
    assert '(fill in “<a href="#f-mv">Meter reading</a>”)' in web  # the form field, by its label
    assert 'set “<a href="#f-mp">Where the sensor sat</a>” to right over one LED or in a gap' in web
    assert 'fill in “<a href="#c-min">Session minutes</a>”' in web and "set one session length" not in web
    assert "--" not in web and "&lt;b&gt;" in web  # escaped, and no terminal options on a page
    assert with_cli_hints(TEXT, ()) == TEXT and str(hinted("a < b")) == "a &lt; b"


@pytest.fixture(scope="module")
def evaluated() -> list:  # type: ignore[type-arg]
    os.environ.setdefault("PHOTODOSE_CACHE_DIR", tempfile.mkdtemp())
    from photodose.services.evaluate import evaluate

    return [
        evaluate(d, photons=2000, grade_device_claims=False)
        for d in ("higherdose-face-mask", CATALOGUED, "home-mask-rct-pmid-39960921")
    ]


def test_bottom_line_advice_names_no_face(evaluated: list) -> None:  # type: ignore[type-arg]
    """No terminal option in what the service says; every hint's phrase stands in its point."""
    import re

    n_hints = 0
    for ev in evaluated:
        bl = ev.bottom_line
        assert bl is not None
        for p in bl.points:
            assert not re.search(r"--[a-z]", p.text), p.text
            for h in p.hints:
                assert h.point == p.key and h.phrase in p.text
                n_hints += 1
        assert {h.point for h in bl.hints} <= {p.key for p in bl.points}
        assert json.loads(json.dumps(bl.to_dict()))["hints"] == [h.to_dict() for h in bl.hints]
    assert n_hints >= 1  # the HigherDOSE mask's stated figure at least asks where a meter sat


# ----------------------------------------------------------------------------- the layers


SRC = Path(__file__).resolve().parents[1] / "src" / "photodose"


def _imports(folder: Path) -> dict[str, set[str]]:
    import ast

    out: dict[str, set[str]] = {}
    for path in sorted(folder.glob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
        out[path.name] = names
    return out


def test_services_know_no_face_and_the_faces_not_each_other() -> None:
    """Imports flow downward: services import neither face (nor Typer, Rich, FastAPI); the web
    app imports nothing from the CLI; the CLI reaches the web app only to serve it."""
    faces = ("photodose.cli", "photodose.web", "typer", "rich", "fastapi", "starlette")
    for name, mods in _imports(SRC / "services").items():
        bad = sorted(m for m in mods if m.split(".")[0] in faces or m.startswith(faces))
        assert not bad, f"services/{name} imports {bad}"
    for name, mods in _imports(SRC / "web").items():
        assert not [m for m in mods if m.startswith("photodose.cli")], f"web/{name}"
    for name, mods in _imports(SRC / "cli").items():
        if name != "serve_cmd.py":
            assert not [m for m in mods if m.startswith("photodose.web")], f"cli/{name}"


def test_advice_strings_in_the_shared_services_name_no_cli_option() -> None:
    """No string a service returns names a terminal option: a face renders the hints."""
    import ast
    import re

    names = (
        "bottom_line.py", "compare.py", "evaluate.py", "journal_log.py", "own_devices.py", "person.py",
        "session_timer.py", "claim_context.py", "catalog_table.py",
    )  # fmt: skip
    for name in names:
        tree = ast.parse((SRC / "services" / name).read_text(encoding="utf-8"))
        docstrings = {  # for developers: they may name commands
            id(n.value)
            for n in ast.walk(tree)
            if isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                assert not re.search(r"(?<![\w-])--[a-z]", node.value), (name, node.value)
