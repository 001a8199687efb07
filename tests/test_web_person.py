"""Route tests of the person-side pages (screening, plan, session log, journal): the page shows what
the person-side library computes, sessions land in the journal with the dose the service gives,
export/import round-trips, and bad input names the field."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from photodose.web import WebSettings, create_app

DEVICE = "higherdose-red-light-face-mask"


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    data = tmp_path_factory.mktemp("persondata")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PHOTODOSE_CACHE_DIR", str(tmp_path_factory.mktemp("personcache")))
        settings = WebSettings(data_dir=data, photons=2000, journal_db=str(data / "journal.sqlite3"))
        with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
            client.get("/")
            yield client


def _h(c: TestClient) -> dict[str, str]:
    return {"X-CSRF-Token": c.cookies["pd_csrf"]}


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_person_pages_are_in_the_navigation(web: TestClient) -> None:
    page = web.get("/").text
    for href in ("/screen", "/plan", "/session", "/journal"):
        assert f'href="{href}"' in page
        assert web.get(href).status_code == 200


def test_screening_shows_the_library_outcome(web: TestClient) -> None:
    from photodose.safety import Answers, screen
    from photodose.services.own_devices import DeviceStore  # noqa: F401  (same process, same data)
    from photodose.services.person import device_facts

    r = web.post(
        "/screen",
        data={"medications": "doxycycline", "cond_pregnancy": "1", "device": DEVICE},
        headers=_h(web),
    )
    assert r.status_code == 200
    from photodose.device import load_device

    expected = screen(
        Answers(medications=("doxycycline",), conditions=("pregnancy",)),
        device_facts(load_device(DEVICE), None),
    )
    page = _text(r.text)
    assert expected.outcome_text in page
    for f in expected.findings:
        assert " ".join(f.reason.split()) in page
    assert "not medical advice" in page


@pytest.mark.parametrize("days", ["soon", "-3", "nan", "inf"])
def test_screening_bad_days(web: TestClient, days: str) -> None:
    """Bad screening answers: the answers again, the form's field named (a "nan" would otherwise
    pass every procedure window unseen)."""
    r = web.post("/screen", data={"proc_chemical_peel": "1", "days_chemical_peel": days}, headers=_h(web))
    assert r.status_code == 422
    assert "<strong>days_chemical_peel</strong>" in r.text and "Fix: give days" in r.text
    assert 'name="medications"' in r.text  # the screening form itself, not a bare error page


def test_plan_page_matches_make_plan_and_saves(web: TestClient) -> None:
    from photodose.plan import make_plan

    params = {"goal": "wrinkles", "device": DEVICE, "fitzpatrick": "II", "start": "2026-12-01"}
    r = web.get("/plan", params=params)
    assert r.status_code == 200
    plan = make_plan("wrinkles", DEVICE, fitzpatrick="II", start=date(2026, 12, 1))
    page = _text(r.text)
    assert f"{plan.minutes:g} min per session" in page
    assert f"{plan.sessions_per_week} sessions a week, for {plan.weeks} weeks" in page
    ics = web.get("/plan/calendar.ics", params=params)
    assert ics.headers["content-type"].startswith("text/calendar")
    from photodose.plan.calendar import read_back

    assert len(read_back(ics.content)["sessions"]) == plan.sessions_per_week * plan.weeks
    saved = web.post("/plan/save", data=params, headers=_h(web), follow_redirects=False)
    assert saved.status_code == 303
    journal = _text(web.get("/journal").text)
    assert f"Plan: wrinkles with {DEVICE}" in journal


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"goal": "world-peace"}, "goal"),
        ({"goal": "wrinkles", "start": "tomorrow"}, "start"),
        ({"goal": "wrinkles", "mode": "ultraviolet"}, "mode"),
    ],
)
def test_plan_bad_input(web: TestClient, params: dict[str, str], field: str) -> None:
    r = web.get("/plan", params={"device": DEVICE, **params})
    assert r.status_code == 422
    assert f"<strong>{field}</strong>" in r.text


def test_plan_input_errors_name_the_form_field_everywhere(web: TestClient) -> None:
    """The plan's own PlanInputError (field ``--goal``) is named as the form's ``goal`` on the plan
    page and, through the app's one FieldError handler, on the calendar download and the save."""
    from photodose.plan import PlanInputError, make_plan

    with pytest.raises(PlanInputError) as info:
        make_plan("world-peace", DEVICE)
    assert info.value.field == "--goal"
    bad = {"goal": "world-peace", "device": DEVICE}
    for r in (
        web.get("/plan", params=bad),
        web.get("/plan/calendar.ics", params=bad),
        web.post("/plan/save", data=bad, headers=_h(web), follow_redirects=False),
    ):
        assert r.status_code == 422 and r.headers["content-type"].startswith("text/html")
        assert "<strong>goal</strong>" in r.text and "--goal" not in r.text
        assert f"Fix: {info.value.fix}" in _text(r.text)
        assert "Traceback" not in r.text


@pytest.mark.parametrize("minutes", ["500", "0", "abc"])
def test_session_page_bad_length(web: TestClient, minutes: str) -> None:
    """A session length the timer cannot run (SessionLengthError) or no number (FormError): the
    session form again, with ``minutes`` named and the fix."""
    r = web.get("/session", params={"device": DEVICE, "minutes": minutes})
    assert r.status_code == 422
    assert "<strong>minutes</strong>" in r.text and 'role="alert"' in r.text
    assert "data-seconds" not in r.text  # no timer was set up


def test_session_log_stores_the_service_dose(web: TestClient) -> None:
    from photodose.device import load_device
    from photodose.services.person import choose_mode, session_doses

    page = web.get("/session", params={"device": DEVICE, "minutes": "1"})
    assert 'data-seconds="60"' in page.text
    before = web.get("/journal/export.json").json()
    r = web.post(
        "/session/log",
        data={
            "device": DEVICE,
            "mode": "",
            "minutes": "0.5",
            "started_at": "2026-11-29T20:00:00.000Z",
            "completed": "false",
        },
        headers=_h(web),
    )
    assert r.status_code == 200, r.text
    logged = r.json()["logged"]
    spec = load_device(DEVICE)
    expected = session_doses(spec, choose_mode(spec), 0.5)
    assert [d["channel"] for d in logged["doses"]] == [d.channel for d in expected]
    for got, want in zip(logged["doses"], expected, strict=True):
        assert got["fluence_j_cm2"]["central"] == pytest.approx(want.fluence_j_cm2)
    after = web.get("/journal/export.json").json()
    assert len(after["sessions"]) == len(before["sessions"]) + 1
    row = next(s for s in after["sessions"] if s["uuid"] == logged["uuid"])
    assert row["minutes"] == pytest.approx(0.5) and row["completed"] is False


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"minutes": "500"}, "minutes"),
        ({"minutes": "abc"}, "minutes"),
        ({"started_at": "yesterday"}, "started_at"),
        ({"started_at": "2099-01-01T00:00:00Z"}, "started_at"),  # the journal's --when check
        ({"started_at": "1999-01-01T00:00:00Z"}, "started_at"),
        ({"device": "no-such-mask"}, "device"),
        ({"mode": "ultraviolet"}, "mode"),
    ],
)
def test_session_log_bad_input_is_json_with_field(web: TestClient, data: dict[str, str], field: str) -> None:
    form = {"device": DEVICE, "mode": "", "minutes": "1", "started_at": "2026-11-29T20:00:00Z", **data}
    r = web.post("/session/log", data=form, headers=_h(web))
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["field"] == field and err["fix"]


def test_session_log_needs_csrf(web: TestClient) -> None:
    form = {"device": DEVICE, "minutes": "1", "started_at": "2026-11-29T20:00:00Z"}
    assert web.post("/session/log", data=form).status_code == 403


def test_journal_chart_export_import_round_trip(web: TestClient, tmp_path: Path) -> None:
    web.post(
        "/session/log",
        data={"device": DEVICE, "minutes": "1", "started_at": "2026-11-28T20:00:00Z", "completed": "true"},
        headers=_h(web),
    )
    chart = web.get("/journal/chart.svg")
    assert chart.status_code == 200 and b"<svg" in chart.content[:2000]
    export = web.get("/journal/export.json")
    assert export.headers["content-disposition"].startswith("attachment")
    data = export.json()
    # into a fresh journal: everything arrives; into the same one: nothing is duplicated
    fresh_dir = tmp_path / "fresh"
    settings = WebSettings(data_dir=fresh_dir, journal_db=str(tmp_path / "fresh.sqlite3"))
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as other:
        other.get("/")
        r = other.post(
            "/journal/import",
            files={"file": ("export.json", json.dumps(data).encode(), "application/json")},
            headers=_h(other),
        )
        assert r.status_code == 200
        assert f"{len(data['sessions'])} sessions" in _text(r.text)
        assert other.get("/journal/export.json").json()["sessions"] == data["sessions"]
    again = web.post(
        "/journal/import",
        files={"file": ("export.json", json.dumps(data).encode(), "application/json")},
        headers=_h(web),
    )
    assert "nothing new" in _text(again.text)


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not JSON"),
        (b'{"format": "something-else"}', "not a photodose journal export"),
        (b"[1, 2, 3]", "not a photodose journal export"),
    ],
)
def test_journal_import_checks_content(web: TestClient, content: bytes, words: str) -> None:
    r = web.post(
        "/journal/import", files={"file": ("export.json", content, "application/json")}, headers=_h(web)
    )
    assert r.status_code == 422
    assert words in r.text


def test_a_bad_journal_entry_in_an_import_names_its_field(web: TestClient) -> None:
    """An export whose session names a device the file does not carry: the journal refuses it
    (JournalError ``sessions.device_key``) and the page says so, importing nothing."""
    web.post(
        "/session/log",
        data={"device": DEVICE, "minutes": "1", "started_at": "2026-11-27T20:00:00Z", "completed": "true"},
        headers=_h(web),
    )
    data = web.get("/journal/export.json").json()
    assert data["sessions"]
    data["sessions"] = [{**data["sessions"][0], "uuid": "f" * 32, "device_key": "no-such-device"}]
    r = web.post(
        "/journal/import",
        files={"file": ("export.json", json.dumps(data).encode(), "application/json")},
        headers=_h(web),
    )
    assert r.status_code == 422
    assert "<strong>sessions.device_key</strong>" in r.text and "no-such-device" in _text(r.text)
    assert all(s["uuid"] != "f" * 32 for s in web.get("/journal/export.json").json()["sessions"])


def test_a_journal_that_cannot_open_is_named_never_a_500(tmp_path: Path) -> None:
    """The journal's own error (``--db``: here a folder where the database file should be) reaches
    the app's FieldError handler from any page that needs the journal: 422, the field named as the
    web app knows it (``journal``) and the journal's fix; an htmx request gets the box alone."""
    settings = WebSettings(data_dir=tmp_path / "data", journal_db=str(tmp_path))
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
        client.get("/")
        for r in (
            client.get("/journal"),
            client.get("/journal/export.json"),
            client.post(
                "/session/log",
                data={"device": DEVICE, "minutes": "1", "started_at": "2026-11-29T20:00:00Z"},
                headers=_h(client),
            ),
        ):
            assert r.status_code == 422, r.text[:300]
            if r.headers["content-type"].startswith("application/json"):
                assert r.json()["error"]["field"] == "journal"
            else:
                assert "<strong>journal</strong>" in r.text and "is a directory" in _text(r.text)
                assert "<html" in r.text and "Traceback" not in r.text
        frag = client.get("/journal", headers={"HX-Request": "true"})
        assert frag.status_code == 422 and "<html" not in frag.text
        assert 'role="alert"' in frag.text and "<strong>journal</strong>" in frag.text
