"""Route tests of the web app (FastAPI TestClient): each page calls the services and shows what
they return, with the same numbers; bad input names the field and the fix."""

from __future__ import annotations

import html
import re
import time
import tomllib
from collections.abc import Iterator
from concurrent.futures import Future
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from photodose.device import catalog, device_from_toml
from photodose.web import WebSettings, create_app
from photodose.web.depth import DepthJob, jobs_of

PHOTONS = 2000  # small: these tests check wiring and numbers against the services, not physics
DEVICE = "higherdose-red-light-face-mask"


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Path]]:
    data = tmp_path_factory.mktemp("webdata")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PHOTODOSE_CACHE_DIR", str(tmp_path_factory.mktemp("webcache")))
        app = create_app(WebSettings(data_dir=data, photons=PHOTONS))
        with TestClient(app, base_url="http://127.0.0.1") as client:
            client.get("/")  # sets the CSRF cookie
            yield client, data


@pytest.fixture
def client(web: tuple[TestClient, Path]) -> TestClient:
    return web[0]


def csrf(client: TestClient) -> dict[str, str]:
    token = client.cookies.get("pd_csrf")
    assert token
    return {"X-CSRF-Token": token}


def text_of(page: str) -> str:
    """Visible text, whitespace collapsed, entities decoded (for comparing numbers)."""
    body = re.sub(r"<[^>]+>", " ", page)
    return " ".join(html.unescape(body).split())


def test_every_page_renders_with_navigation(client: TestClient) -> None:
    for path in ("/", "/devices", "/devices/new", "/compare", "/evaluate", "/depth", "/claims"):
        r = client.get(path)
        assert r.status_code == 200, path
        assert r.headers["content-type"].startswith("text/html")
        assert '<html lang="en">' in r.text
        for href in ("/devices", "/evaluate", "/depth", "/claims"):
            assert f'href="{href}"' in r.text
        assert "/static/htmx.min.js" in r.text and "https://" not in r.text.split("<main")[0]


def test_htmx_is_vendored_and_served(client: TestClient) -> None:
    r = client.get("/static/htmx.min.js")
    assert r.status_code == 200
    assert "htmx" in r.text[:200] and len(r.text) > 40_000


def test_device_list_has_the_catalogue_and_search_filters(client: TestClient) -> None:
    page = client.get("/devices").text
    for d in catalog():
        assert f'href="/devices/{d.id}"' in page
    frag = client.get("/devices", params={"q": "omnilux"}, headers={"HX-Request": "true"})
    assert "<html" not in frag.text  # a fragment for htmx
    ids = set(re.findall(r'href="/devices/([a-z0-9\-]+)"', frag.text))
    assert ids == {d.id for d in catalog() if "omnilux" in (d.id + d.name).lower()}
    assert "No device matches" in client.get("/devices", params={"q": "zzzz-no-such"}).text


def _sources_in_toml(data: Any) -> list[str]:
    out: list[str] = []
    if isinstance(data, dict):
        if "source" in data and "confidence" in data:
            out.append(str(data["source"]))
        for v in data.values():
            out += _sources_in_toml(v)
    elif isinstance(data, list):
        for v in data:
            out += _sources_in_toml(v)
    return out


@pytest.mark.parametrize("device_id", [d.id for d in catalog()][:4])
def test_device_page_shows_every_sourced_field(client: TestClient, device_id: str) -> None:
    """Every value with a source in the device file (read here with tomllib, independently of
    the page's own walk over the model) appears on the device page with that source."""
    path = files("photodose") / "data" / "devices"
    raw = next(
        tomllib.loads(p.read_text("utf-8"))
        for p in path.iterdir()
        if p.name.endswith(".toml") and tomllib.loads(p.read_text("utf-8")).get("id") == device_id
    )
    page = text_of(client.get(f"/devices/{device_id}").text)
    sources = _sources_in_toml({k: v for k, v in raw.items() if k != "claims"})
    assert sources
    for s in sources:
        assert " ".join(s.split()) in page, s
    assert "Modelled irradiance over an average face" in page


def test_unknown_device_is_a_clear_404(client: TestClient) -> None:
    r = client.get("/devices/higherdose-maskk")
    assert r.status_code == 404
    assert "Did you mean" in r.text and "Traceback" not in r.text


def assert_links_to_its_field(page: str, field_id: str) -> None:
    """The page words a hint as its form field: a link to ``#field_id`` whose text is the label of
    that field on the same page (and, for the meter position, options the select offers)."""
    label = re.search(rf'<label for="{field_id}">(.*?)</label>', page)
    assert label, f"no field {field_id} on the page"
    assert f'“<a href="#{field_id}">{label.group(1)}</a>”' in page
    if field_id == "f-mp":
        select = re.search(r'<select id="f-mp".*?</select>', page, re.S)
        assert (
            select and "right over one LED" in select.group(0) and "in a gap between LEDs" in select.group(0)
        )
        assert (
            f'“<a href="#f-mp">{label.group(1)}</a>” to right over one LED or in a gap between LEDs' in page
        )


def test_evaluate_shows_the_service_numbers_bottom_line_first(client: TestClient) -> None:
    from photodose.report.format import rng
    from photodose.services.evaluate import evaluate
    from photodose.skin import SkinProfile

    r = client.get("/evaluate", params={"device": DEVICE, "fitzpatrick": "IV", "site": "cheek"})
    assert r.status_code == 200
    ev = evaluate(DEVICE, skin=SkinProfile("IV", "cheek"), photons=PHOTONS)
    page = text_of(r.text)
    for dose in ev.doses:
        assert rng(dose.surface_fluence_j_cm2) in page
        assert rng(dose.dermis_fluence_j_cm2) in page
    assert "Bottom line" in page
    if ev.bottom_line is not None:
        bl = ev.bottom_line
        box = re.search(
            r'<div class="bottom-line">(.*?)(?:<table class="targets">|<p><small>Session)', r.text, re.S
        )
        assert box

        def flat(fragment: str) -> str:
            return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())  # hints are links

        # the report's structure: the headline, then the points as a list, then the caveat
        headline = re.search(r'<p class="headline"><strong>(.*?)</strong></p>', box.group(1), re.S)
        assert headline and flat(headline.group(1)) == " ".join(bl.headline.split())
        items = re.findall(r'<li class="point-(\w+)"><strong>(.*?):</strong>(.*?)</li>', box.group(1), re.S)
        points = [p for p in bl.points if p.key != "caveat"]
        assert [k for k, _, _ in items] == [p.key for p in points]
        for (_, label, text), p in zip(items, points, strict=True):
            assert flat(label) == p.label
            said = " ".join(p.text.split())
            if not p.hints:
                assert flat(text) == said
            for h in p.hints:  # the service's words around a hint's phrase are kept, in order
                before, after = said.split(h.phrase, 1)
                assert flat(text).startswith(before) and flat(text).endswith(after)
                assert h.phrase not in flat(text)
        assert any(p.key == "action" and p.label == "What to do" for p in points)  # what you can do
        assert box.group(1).index('class="headline"') < box.group(1).index('class="points"')
        assert " ".join(bl.caveat.split()) in flat(box.group(1).split('class="points"')[1])
        assert page.index("Bottom line") < page.index("Dose per session")
        for h in ev.bottom_line.hints:  # face-neutral advice → the form field that does it, linked
            assert_links_to_its_field(r.text, "f-mp" if h.action == "meter_position" else "f-mv")
        assert "--meter" not in ev.bottom_line.paragraph and "--meter" not in page
    for v in ev.verdicts:
        assert " ".join(v.summary.split()) in page
    # identifiers in the citations are links
    if any("PMID" in c for v in ev.verdicts for c in v.citations):
        assert 'href="https://pubmed.ncbi.nlm.nih.gov/' in r.text


def test_evaluate_figures_and_download(client: TestClient) -> None:
    q = {"device": DEVICE}
    client.get("/evaluate", params=q)
    face = client.get("/evaluate/figure/face", params=q)
    assert face.status_code == 200 and face.content[:8] == b"\x89PNG\r\n\x1a\n"
    for name in ("depth", "windows"):
        fig = client.get(f"/evaluate/figure/{name}", params=q)
        assert fig.headers["content-type"].startswith("image/svg+xml")
        assert fig.text.lstrip().startswith("<svg")
    rep = client.get("/evaluate/report.html", params=q)
    assert rep.status_code == 200
    assert rep.headers["content-disposition"] == f'attachment; filename="photodose-{DEVICE}.html"'
    assert "HigherDOSE" in rep.text
    # self-contained: no external scripts, styles or images
    assert not re.search(r'<(script|link|img)[^>]+(src|href)="https?://', rep.text)


def test_meter_reading_recalibrates_the_dose(client: TestClient) -> None:
    base = text_of(client.get("/evaluate", params={"device": DEVICE}).text)
    metered = client.get(
        "/evaluate",
        params={"device": DEVICE, "meter_value": "20", "meter_unit": "mW/cm2", "meter_distance_cm": "1"},
    )
    assert metered.status_code == 200
    page = text_of(metered.text)
    assert "calibrated to your meter reading" in page
    assert page != base


@pytest.mark.parametrize(
    ("params", "field", "fix"),
    [
        ({"minutes": "abc"}, "minutes", "give a number from 0.1 to 120"),
        ({"minutes": "500"}, "minutes", "give a number from 0.1 to 120"),
        ({"sessions_per_week": "-1"}, "sessions_per_week", "give a number"),
        ({"meter_value": "12", "meter_unit": "lux"}, "meter_unit", "use one of"),
        ({"fitzpatrick": "VII"}, "skin", "pick a skin type"),
        ({"device": "no-such-mask"}, "device", "pick a device"),
    ],
)
def test_evaluate_bad_input_names_field_and_fix(
    client: TestClient, params: dict[str, str], field: str, fix: str
) -> None:
    r = client.get("/evaluate", params={"device": DEVICE, **params})
    assert r.status_code == 422
    assert 'role="alert"' in r.text
    assert f"<strong>{field}</strong>" in r.text
    assert fix in r.text
    assert "Traceback" not in r.text


@pytest.mark.parametrize("path", ["/evaluate/figure/face", "/evaluate/report.html"])
@pytest.mark.parametrize(
    ("params", "field"), [({"minutes": "abc"}, "minutes"), ({"device": "no-such-mask"}, "device")]
)
def test_a_form_error_anywhere_is_the_error_page(
    client: TestClient, path: str, params: dict[str, str], field: str
) -> None:
    """A route that does not re-show a form (a figure, the report download) leaves its FormError to
    the app's one FieldError handler: the error page, 422, the field and the fix; never a 500."""
    r = client.get(path, params={"device": DEVICE, **params})
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("text/html") and "<html" in r.text
    assert f"<strong>{field}</strong>" in r.text and "Fix: " in text_of(r.text)
    assert "content-disposition" not in r.headers and "Traceback" not in r.text


@given(st.from_regex(r"--[a-z]{1,12}(-[a-z]{1,12}){0,3}", fullmatch=True))
@settings(max_examples=60, deadline=None)
def test_web_field_names_an_option_as_the_form_does(option: str) -> None:
    """A model's option name (``--sessions-per-week``) is the form's field (``sessions_per_week``):
    no dashes left, the words kept in order; a form's own name is left alone (idempotent)."""
    from photodose.web.problems import WEB_FIELD_NAMES, web_field

    name = web_field(option)
    if option in WEB_FIELD_NAMES:
        assert name == WEB_FIELD_NAMES[option]
    else:
        assert "-" not in name and name.split("_") == option[2:].split("-")
    assert web_field(name) == name


def test_htmx_form_errors_are_the_problem_box(client: TestClient) -> None:
    """An htmx request with bad input gets the problem box alone (swapped into the result), and the
    page's htmx settings swap a 400/413/422 answer in (htmx 2 swaps no 4xx by default)."""
    import json

    r = client.get("/evaluate", params={"device": DEVICE, "minutes": "abc"}, headers={"HX-Request": "true"})
    assert r.status_code == 422 and "<html" not in r.text
    assert 'role="alert"' in r.text and "<strong>minutes</strong>" in r.text
    meta = re.search(r'<meta name="htmx-config" content=\'([^\']+)\'>', client.get("/evaluate").text)
    assert meta
    rules = json.loads(meta.group(1))["responseHandling"]

    def first_rule(status: int) -> dict[str, Any]:
        return next(x for x in rules if re.search(x["code"], str(status)))

    for status in (400, 413, 422):
        assert first_rule(status)["swap"] is True and not first_rule(status).get("error")
    for status in (403, 404, 500):  # whole error pages: not swapped into a result box
        assert first_rule(status)["swap"] is False
    assert first_rule(200)["swap"] is True and first_rule(204)["swap"] is False


def test_compare_bad_minutes_names_the_field(client: TestClient) -> None:
    r = client.get("/compare", params=[("ids", DEVICE), ("ids", "omnilux-contour-face"), ("minutes", "-1")])
    assert r.status_code == 422 and "<strong>minutes</strong>" in r.text and 'role="alert"' in r.text
    assert 'name="ids"' in r.text  # the compare form itself, with the problem


def test_compare_note_names_the_minutes_field(client: TestClient) -> None:
    """Devices with different timers: the comparison's advice ("set one session length") is worded
    as the compare form's own minutes field, linked; the rest of the note is the service's."""
    from photodose.services.compare import SET_ONE_LENGTH

    r = client.get("/compare", params=[("ids", DEVICE), ("ids", "omnilux-contour-face")])
    assert r.status_code == 200
    assert_links_to_its_field(r.text, "c-min")
    assert 'fill in “<a href="#c-min">Session minutes</a>” to compare them alike' in r.text
    assert SET_ONE_LENGTH not in text_of(r.text) and "--minutes" not in r.text


def test_compare_two_devices_side_by_side(client: TestClient) -> None:
    """The page lines up what ``services.compare.compare`` returns, number for number."""
    from photodose.report.format import triple as _triple
    from photodose.services.compare import compare
    from photodose.skin import SkinProfile

    ids = [DEVICE, "omnilux-contour-face"]
    r = client.get("/compare", params=[("ids", i) for i in ids] + [("fitzpatrick", "V"), ("minutes", "12")])
    assert r.status_code == 200
    page = text_of(r.text)
    cmp = compare(ids, skin=SkinProfile("V", "forehead"), minutes=12, photons=PHOTONS)
    for ev in cmp.evaluations:
        assert ev.device.name in page
    for row in cmp.rows:
        assert row.quantity in page
        for dev_id in ids:
            assert _triple(row.values[dev_id]) in page
    for vr in cmp.verdict_rows:
        assert f"{vr.indication_name}, {vr.band_name}" in page
    # the weight of evidence beside the verdicts, as the terminal and HTML compare show it
    weights = {vr.indication: vr.evidence_weight for vr in cmp.verdict_rows if vr.evidence_weight}
    assert weights, "the compared devices have verdicts with counted trials"
    heads = re.findall(
        r'<tr><th scope="row">(.*?)</th>', r.text.split("Against the doses of controlled trials")[1], re.S
    )
    for vr in cmp.verdict_rows:
        w = vr.evidence_weight
        head = next(
            text_of(h) for h in heads if text_of(h).startswith(f"{vr.indication_name}, {vr.band_name}")
        )
        if w:
            assert f"weight of evidence: {w['compact']}" in head
            assert re.fullmatch(r"\d+ trials? · N \d+(\+\?)?( · .+)?", w["compact"])
    one = client.get("/compare", params={"ids": DEVICE})
    assert one.status_code == 400 and "tick two or three devices" in one.text
    four = client.get("/compare", params=[("ids", d.id) for d in catalog()[:4]])
    assert four.status_code == 400
    bad = client.get("/compare", params=[("ids", DEVICE), ("ids", "no-such-mask")])
    assert bad.status_code == 404
    assert "No device named" in bad.text


def _form(**over: str) -> dict[str, str]:
    from photodose.web.devices import DEFAULT_FORM

    form = dict(DEFAULT_FORM)
    form.update(
        id="my-test-mask",
        name="My Test Mask",
        maker="Me",
        source="the box",
        confidence="unverified",
        ch0_peak_nm="633",
        ch0_led_count="60",
        ch1_peak_nm="850",
        ch1_led_count="60",
    )
    form.update(over)
    return form


def test_add_device_by_form_saves_validated_toml_and_evaluates(web: tuple[TestClient, Path]) -> None:
    client, data = web
    r = client.post("/devices/new", data=_form(), headers=csrf(client), follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/devices/my-test-mask"
    saved = data / "devices" / "my-test-mask.toml"
    spec = device_from_toml(saved.read_text("utf-8"))  # the saved file validates like any device file
    assert spec.wavelengths_nm == [633.0, 850.0]
    ch = spec.channels[0]
    assert ch.led_count.value == 60 and ch.led_count.source == "the box"
    power = ch.radiant_power_mw_per_led
    assert power is not None and power.value == "unknown" and power.confidence == "assumption"
    assert (power.low, power.high) == (2.0, 25.0)
    assert "My Test Mask" in client.get("/devices").text
    ev = client.get("/evaluate", params={"device": "my-test-mask"})
    assert ev.status_code == 200 and "My Test Mask" in ev.text
    again = client.post("/devices/new", data=_form(), headers=csrf(client))
    assert again.status_code == 422 and "already exists" in again.text


@pytest.mark.parametrize(
    ("over", "path", "words"),
    [
        ({"ch0_peak_nm": "5000"}, "channels[0].peak_nm", "outside 200–2000 nm"),
        ({"ch0_led_count": "many"}, "channels[0].led_count", "must be a number"),
        ({"id": "Bad ID!"}, "id", "lowercase"),
        ({"id": "omnilux-contour-face"}, "id", "already in the catalogue"),
        (
            {"ch0_power_mw": "", "ch0_power_low": "", "ch0_power_high": ""},
            "radiant_power",
            "assumption range",
        ),
    ],
)
def test_add_device_form_errors_name_the_field(
    web: tuple[TestClient, Path], over: dict[str, str], path: str, words: str
) -> None:
    client, data = web
    r = client.post("/devices/new", data=_form(**{"id": "bad-mask", **over}), headers=csrf(client))
    assert r.status_code == 422
    assert path in r.text
    assert words in html.unescape(r.text)
    assert not (data / "devices" / "bad-mask.toml").exists()


def test_add_device_by_toml_upload(web: tuple[TestClient, Path]) -> None:
    client, data = web
    src = (files("photodose") / "data" / "devices" / "solawave-wand.toml").read_text("utf-8")
    text = src.replace('id = "solawave-wand"', 'id = "my-wand"')
    r = client.post(
        "/devices/new",
        data={"id": ""},
        files={"toml_file": ("anything.bin", text.encode("utf-8"), "application/octet-stream")},
        headers=csrf(client),
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert device_from_toml((data / "devices" / "my-wand.toml").read_text("utf-8")).id == "my-wand"


def test_depth_explorer_matches_the_depth_model(client: TestClient) -> None:
    from photodose.depth import depth_profile
    from photodose.optics.source_spectrum import gaussian
    from photodose.report.format import mm
    from photodose.skin import SkinProfile

    form = {"fitzpatrick": "II", "site": "cheek", "wavelengths": "633, 850", "fwhm": "20"}
    r = client.post("/depth", data=form, headers={**csrf(client), "HX-Request": "true"})
    assert r.status_code == 200
    for _ in range(120):
        if "Running the light model" not in r.text:
            break
        poll = re.search(r'hx-get="(/depth/jobs/[^"]+)"', r.text)
        assert poll
        time.sleep(0.5)
        r = client.get(poll.group(1), headers={"HX-Request": "true"})
    page = text_of(r.text)
    skin = SkinProfile("II", "cheek")
    for w in (633.0, 850.0):
        p = depth_profile(skin, gaussian(w, 20.0), PHOTONS, seed=1)
        assert p.from_cache  # the page's run filled the same cache
        assert f"{w:g} nm {mm(p.penetration_depth_1e_cm)} {mm(p.penetration_depth_10pct_cm)}" in page
    assert "<svg" in r.text


def _finished(client: TestClient, r: Any) -> str:
    for _ in range(240):
        if "Running the light model" not in r.text:
            break
        poll = re.search(r'hx-get="(/depth/jobs/[^"]+)"', r.text)
        assert poll
        time.sleep(0.5)
        r = client.get(poll.group(1), headers={"HX-Request": "true"})
    return text_of(r.text)


@pytest.mark.parametrize(("light", "cli_args"), [("led", ["--led-m", "1"]), ("collimated", [])])
def test_depth_explorer_equals_the_cli(client: TestClient, light: str, cli_args: list[str]) -> None:
    """The page shows what ``photodose depth --json`` prints for the same inputs: the same depth
    model call (Gaussian line, seed 1, the LEDs' cos^m source with --led-m), number for number."""
    import json

    from typer.testing import CliRunner

    from photodose.cli.app import app
    from photodose.report.format import fmt, mm

    form = {
        "fitzpatrick": "V",
        "site": "chin",
        "wavelengths": "660",
        "fwhm": "15",
        "light": light,
        "led_m": "1",
    }
    r = client.post("/depth", data=form, headers={**csrf(client), "HX-Request": "true"})
    assert r.status_code == 200
    page = _finished(client, r)
    res = CliRunner().invoke(
        app,
        ["depth", "-w", "660", "--fwhm", "15", "--fitzpatrick", "V", "--site", "chin",
         "--photons", str(PHOTONS), *cli_args, "--json"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    (cli,) = json.loads(res.stdout)["results"]
    row = (
        f"660 nm {mm(cli['penetration_depth_1e_cm'])} {mm(cli['penetration_depth_10pct_cm'])} "
        f"{mm(cli['penetration_depth_1pct_cm'])}"
    )
    assert row in page
    assert f"{fmt(100 * cli['dermis_absorbed_fraction'])} %" in page
    source = "LEDs, cos^1 angular profile" if light == "led" else "collimated broad beam"
    assert source in page


def test_depth_explorer_led_source_changes_the_profile(client: TestClient) -> None:
    """An LED's oblique light is absorbed shallower than a collimated beam: the choice reaches the model."""
    from photodose.depth import depth_profile
    from photodose.optics.source_spectrum import gaussian
    from photodose.skin import SkinProfile

    skin = SkinProfile("V", "chin")
    led = depth_profile(skin, gaussian(660, 15), PHOTONS, seed=1, led_m=1.0)
    beam = depth_profile(skin, gaussian(660, 15), PHOTONS, seed=1)
    assert led.penetration_depth_1e_cm != beam.penetration_depth_1e_cm


def test_evaluate_with_meter_position_equals_the_cli(client: TestClient) -> None:
    """The meter-position field reaches the service as ``photodose evaluate --meter-position`` does:
    the page's doses are the service's and the CLI's for the same reading, and the position matters."""
    import json

    from typer.testing import CliRunner

    from photodose.cli.app import app
    from photodose.device.meter import METER_POSITIONS, MeterReading
    from photodose.report.format import rng
    from photodose.services.evaluate import evaluate
    from photodose.skin import SkinProfile
    from photodose.web.evaluate import METER_POSITION_LABELS

    assert set(METER_POSITION_LABELS) == set(METER_POSITIONS)
    base = {"device": DEVICE, "fitzpatrick": "IV", "site": "cheek", "meter_value": "15"}
    meter = {"meter_unit": "mW/cm2", "meter_distance_cm": "0", "meter_model": "TES-1333"}
    pages = {}
    for position in ("over-led", "between-leds"):
        r = client.get("/evaluate", params={**base, **meter, "meter_position": position})
        assert r.status_code == 200
        pages[position] = text_of(r.text)
        assert f'<option value="{position}" selected>' in r.text  # the form keeps the choice
    assert pages["over-led"] != pages["between-leds"]
    reading = MeterReading(15.0, "mW/cm2", 0.0, "TES-1333", "over-led")
    ev = evaluate(DEVICE, skin=SkinProfile("IV", "cheek"), meter=reading, photons=PHOTONS)
    res = CliRunner().invoke(
        app,
        ["evaluate", DEVICE, "--fitzpatrick", "IV", "--site", "cheek", "--meter-reading", "15 mW/cm2",
         "--meter-distance-cm", "0", "--meter-model", "TES-1333", "--meter-position", "over-led",
         "--photons", str(PHOTONS), "--json"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    cli = json.loads(res.stdout)
    for dose, cli_dose in zip(ev.doses, cli["channels"], strict=True):
        assert rng(dose.surface_fluence_j_cm2) in pages["over-led"]
        assert rng(dose.dermis_fluence_j_cm2) in pages["over-led"]
        assert cli_dose["dermis_fluence_j_cm2"]["central"] == pytest.approx(dose.dermis_fluence_j_cm2.central)
        assert cli_dose["surface_fluence_j_cm2"]["central"] == pytest.approx(
            dose.surface_fluence_j_cm2.central
        )


def test_meter_advice_names_the_form_fields(client: TestClient) -> None:
    """A meter flag's advice (a reading against the LEDs: say where the sensor sat) is worded as the
    evaluate form's own field, linked, where the terminal names --meter-position; the rest of the
    flag is the model's text (``device.meter.interpret_reading``)."""
    from photodose.device import load_device
    from photodose.device.meter import MeterReading, interpret_reading
    from photodose.hints import SAY_METER_POSITION

    spec = load_device(DEVICE)
    reading = MeterReading(20.0, "mW/cm2", 0.3, "unknown", "distance")
    interp = interpret_reading(reading, spec, spec.wavelengths_nm)
    hinted_flags = [f for f in interp.flags if SAY_METER_POSITION in f]
    assert hinted_flags and [h.action for h in interp.hints] == ["meter_position"]
    r = client.get("/evaluate", params={"device": DEVICE, "meter_value": "20", "meter_distance_cm": "0.3"})
    assert r.status_code == 200
    notes = [" ".join(html.unescape(re.sub(r"<[^>]+>", "", n)).split()) for n in re.findall(
        r'<p class="note">(.*?)</p>', r.text, re.S)]  # fmt: skip
    for flag in hinted_flags:
        before, after = " ".join(flag.split()).split(SAY_METER_POSITION)
        assert any(n.startswith(before) and n.endswith(after) for n in notes), notes
    assert_links_to_its_field(r.text, "f-mp")
    assert SAY_METER_POSITION not in text_of(r.text) and "--meter" not in r.text
    # without the reading against the LEDs there is no such flag and no link in the notes
    far = client.get("/evaluate", params={"device": DEVICE, "meter_value": "20", "meter_distance_cm": "5"})
    assert '<p class="note">' in far.text and "Where the sensor sat</a>” to" not in "".join(
        re.findall(r'<p class="note">(.*?)</p>', far.text, re.S)
    )


def test_evaluate_meter_position_bad_input(client: TestClient) -> None:
    r = client.get("/evaluate", params={"device": DEVICE, "meter_value": "12", "meter_position": "under"})
    assert r.status_code == 422
    assert "<strong>meter_position</strong>" in r.text and "over-led" in r.text


def test_depth_progress_page_polls_while_running(client: TestClient) -> None:
    app = client.app
    request = type("R", (), {"app": app})()
    jobs = jobs_of(request)  # type: ignore[arg-type]
    fut: Future[dict[str, Any]] = Future()
    job = DepthJob(
        ("III", "forehead", (633.0, 850.0), 0.0, PHOTONS, None), (633.0, 850.0), done_count=1, future=fut
    )
    jobs.jobs["a" * 22] = job
    r = client.get("/depth/jobs/" + "a" * 22, headers={"HX-Request": "true"})
    assert 'hx-trigger="every 1s"' in r.text
    assert "1 of 2 wavelengths done" in r.text
    assert '<progress max="2" value="1">' in r.text
    fut.set_exception(ValueError("photons must be positive"))
    r = client.get("/depth/jobs/" + "a" * 22, headers={"HX-Request": "true"})
    assert "photons must be positive" in r.text and "every 1s" not in r.text


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"wavelengths": "633", "light": "led", "led_m": "500"}, "led_m"),
        ({"wavelengths": "633", "light": "led", "led_m": "x"}, "led_m"),
        ({"wavelengths": "633", "light": "laser"}, "light"),
        ({"wavelengths": "300"}, "wavelengths"),
        ({"wavelengths": "red"}, "wavelengths"),
        ({"wavelengths": "600 650 700 750 800"}, "wavelengths"),
        ({"wavelengths": "633", "fwhm": "-3"}, "fwhm"),
        ({"wavelengths": "633", "site": "elbow"}, "skin"),
    ],
)
def test_depth_bad_input(client: TestClient, form: dict[str, str], field: str) -> None:
    data = {"fitzpatrick": "III", "site": "forehead", "fwhm": "0", **form}
    r = client.post("/depth", data=data, headers=csrf(client))
    assert r.status_code == 422
    assert f"<strong>{field}</strong>" in r.text


def test_heavy_simulation_does_not_block_other_requests(client: TestClient) -> None:
    """A new Monte Carlo run goes to a worker thread: while it runs, other pages answer."""
    from photodose.web.context import ctx_of  # noqa: F401  (the app's shared context)

    app = client.app
    ctx = app.state.ctx  # type: ignore[attr-defined]
    old = ctx.settings.photons
    ctx.settings.photons = 100_000  # long enough to still be running after the next request
    try:
        r = client.post(
            "/depth",
            data={"fitzpatrick": "VI", "site": "chin", "wavelengths": "700, 900", "fwhm": "0"},
            headers={**csrf(client), "HX-Request": "true"},
        )
        assert "Running the light model" in r.text
        job_id = re.search(r"/depth/jobs/([A-Za-z0-9_\-]+)", r.text)
        assert job_id
        job = jobs_of(type("R", (), {"app": app})()).get(job_id.group(1))  # type: ignore[arg-type]
        assert job is not None and job.future is not None
        assert client.get("/devices").status_code == 200
        assert not job.future.done()  # the page above was served while the simulation ran
        job.future.result(timeout=600)
    finally:
        ctx.settings.photons = old


def test_claims_are_graded_and_highlighted_in_the_text(client: TestClient) -> None:
    from photodose.claims import assess_text

    text = (
        "Our mask is FDA approved. Red light penetrates 10 cm deep to rebuild collagen. "
        "Clinically proven to reduce wrinkles by 80% in 2 weeks."
    )
    r = client.post("/claims", data={"text": text}, headers={**csrf(client), "HX-Request": "true"})
    assert r.status_code == 200
    report = assess_text(text)
    assert report.claims
    marks = re.findall(r'<a class="claim-mark g-([a-z_]+)" href="#claim-(\d+)"[^>]*>(.*?)<sup>', r.text)
    assert marks
    for grade, number, piece in marks:
        claim = report.claims[int(number) - 1]
        assert claim.grade.value == grade
        assert html.unescape(piece) == claim.text
    for c in report.claims:
        assert html.escape(c.reasons[0], quote=False) in r.text or c.reasons[0] in html.unescape(r.text)
    # the whole text is there, in order, once the marks are removed
    marked = re.search(r'<div class="marked-text">(.*?)</div>', r.text, re.S)
    assert marked
    assert html.unescape(re.sub(r"<sup>\d+</sup>|<[^>]+>", "", marked.group(1))) == text


def test_claims_with_device_context(client: TestClient) -> None:
    r = client.post(
        "/claims",
        data={"text": "This mask is FDA cleared.", "device": DEVICE},
        headers={**csrf(client), "HX-Request": "true"},
    )
    assert r.status_code == 200
    assert "checked against HigherDOSE" in text_of(r.text)


def test_claims_rejects_binary_looking_text(client: TestClient) -> None:
    r = client.post("/claims", data={"text": "abc\x00def"}, headers={**csrf(client), "HX-Request": "true"})
    assert r.status_code == 422 and "binary" in r.text


def test_measured_skin_colour_changes_the_skin(client: TestClient) -> None:
    """A measured ITA° fits melanin (photodose.validation.fit_skin_colour) and the page says so."""
    pale = client.get("/evaluate", params={"device": DEVICE, "ita": "55"})
    dark = client.get("/evaluate", params={"device": DEVICE, "ita": "-40"})
    assert pale.status_code == 200 and dark.status_code == 200
    assert "fitted to your measured skin colour" in pale.text

    def melanin(page: str) -> float:
        m = re.search(r"melanosome volume fraction ([0-9.e\-]+)", page)
        assert m
        return float(m.group(1))

    assert melanin(dark.text) > melanin(pale.text)
    bad = client.get("/evaluate", params={"device": DEVICE, "lab": "62, 11"})
    assert bad.status_code == 422 and "<strong>lab</strong>" in bad.text
    both = client.get("/evaluate", params={"device": DEVICE, "ita": "10", "lab": "62, 11, 16"})
    assert both.status_code == 422


# ------------------------------------------------------------------------------ guide links
# Every "Guide:" link of every page, and of the reports, must open a guide page that has its
# anchor: with the guide's Markdown rendered by the app (a checkout without `make docs`), with a
# built MkDocs site (tests/guide_site.py builds the guide pages from the current docs/ in ~2 s),
# and with no guide at all (a page saying how to get it, never a dead link).

ROOT = Path(__file__).resolve().parents[1]
GUIDE_ANCHOR = re.compile(r'href="(/guide/[^"#]*)(?:#([^"]*))?"')

#: page → the sections whose "Guide:" line it must show (photodose.report.guide.GUIDE_LINKS)
PAGE_SECTIONS: dict[str, tuple[str, ...]] = {
    "/": ("home",),
    "/devices": ("devices",),
    "/devices/new": ("device_new",),
    f"/devices/{DEVICE}": ("device", "light"),
    f"/compare?ids={DEVICE}&ids=omnilux-contour-face": ("compare",),
    "/evaluate": ("evaluate",),
    f"/evaluate?device={DEVICE}": ("evaluate", "bottom_line", "dose", "light", "verdicts", "claims"),
    "/depth": ("depth",),
    "/claims": ("claims",),
    "/screen": ("screen",),
    "/plan": ("plan",),
    "/session": ("session",),
    "/journal": ("journal",),
    "/photos": ("photos",),
}


@pytest.fixture(scope="session")
def guide_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from guide_site import build_guide_site

    return build_guide_site(tmp_path_factory.mktemp("guide"))


def _app_with_guide(tmp: Path, docs_dir: Path) -> TestClient:
    web_settings = WebSettings(
        data_dir=tmp / "data", photons=PHOTONS, journal_db=str(tmp / "journal.sqlite3"), docs_dir=docs_dir
    )
    return TestClient(create_app(web_settings), base_url="http://127.0.0.1")


@pytest.fixture(scope="module", params=["markdown", "site"])
def guided(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, TestClient]]:
    docs = ROOT / "docs" if request.param == "markdown" else request.getfixturevalue("guide_site")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PHOTODOSE_CACHE_DIR", str(tmp_path_factory.mktemp("guidecache")))
        with _app_with_guide(tmp_path_factory.mktemp("guided"), docs) as c:
            assert c.app.state.guide.kind == request.param  # type: ignore[attr-defined]
            c.get("/")
            yield request.param, c


def _resolves(c: TestClient, path: str, anchor: str | None) -> None:
    r = c.get(path)
    assert r.status_code == 200, f"{path} → {r.status_code}"
    assert r.headers["content-type"].startswith("text/html")
    if anchor:
        assert f'id="{anchor}"' in r.text, f"{path} has no #{anchor}"


def test_every_guide_link_on_every_page_resolves(guided: tuple[str, TestClient]) -> None:
    from photodose.report.guide import GUIDE_LINKS
    from photodose.web.app import person_pages
    from photodose.web.guide import guide_links_html

    _, c = guided
    present = {href for _, href, _ in person_pages()}
    links: set[tuple[str, str | None]] = set()
    shown: set[str] = set()
    for page, sections in PAGE_SECTIONS.items():
        if page.split("?")[0] in ("/screen", "/plan", "/session", "/journal", "/photos") and (
            page not in present
        ):
            continue  # a person-side page whose library is not installed
        r = c.get(page)
        assert r.status_code == 200, page
        for key in sections:
            if key == "claims" and "marketing claims, graded" not in r.text and page != "/claims":
                continue  # the evaluated device has no graded claims on record
            assert str(guide_links_html(key)) in r.text, f"{page}: no Guide: line for {key}"
            shown.add(key)
        assert '<a href="/guide/"' in r.text  # the guide is in the menu
        links |= {(p, a or None) for p, a in GUIDE_ANCHOR.findall(r.text)}
    web_sections = {k for v in PAGE_SECTIONS.values() for k in v}
    assert web_sections <= set(GUIDE_LINKS)
    assert len(links) >= 15
    for path, anchor in sorted(links, key=str):
        _resolves(c, path, anchor)


def test_downloaded_report_links_to_the_apps_guide(guided: tuple[str, TestClient]) -> None:
    from photodose.report.guide import GUIDE_LINKS

    _, c = guided
    rep = c.get("/evaluate/report.html", params={"device": DEVICE})
    assert rep.status_code == 200
    hrefs = re.findall(r'<p class="small guide">Guide: (.*?)</p>', rep.text)
    found = re.findall(r'href="http://127\.0\.0\.1/guide/([^"#]*)(?:#([^"]*))?"', " ".join(hrefs))
    report_sections = ("bottom_line", "light", "dose", "verdicts", "standing", "claims", "sources")
    expected = {(link.page + "/", link.anchor) for k in report_sections for link in GUIDE_LINKS[k]}
    assert set(found) == expected
    assert "run photodose serve first" not in rep.text  # the app serves them: no note needed
    for page, anchor in found:
        _resolves(c, "/guide/" + page, anchor)


def test_guide_pages_are_the_guide(guided: tuple[str, TestClient]) -> None:
    """/guide/ is the documentation's start page; a guide page carries the guide's own text."""
    _, c = guided
    start = c.get("/guide/")
    assert start.status_code == 200 and "red light therapy, measured" in start.text.lower()
    verdicts = text_of(c.get("/guide/guide/verdicts/").text)
    assert "9 trials · N 591+? · 6+ 2= 1−" in verdicts  # a line of docs/guide/verdicts.md
    img = c.get("/guide/img/report_higherdose_390.png")  # an image a guide page shows
    assert img.status_code == 200 and img.content[:8] == b"\x89PNG\r\n\x1a\n"
    missing = c.get("/guide/no-such-page/")  # the app's own page (the site's 404.html is unstyled here)
    assert missing.status_code == 404 and "Something needs fixing" in missing.text


def _files_resolve(page: str, site: Path, at_least: int) -> None:
    """Every file:// link of ``page`` is a file of the built ``site`` holding its anchor."""
    files_ = re.findall(r'href="(file://[^"#]+)(?:#([^"]*))?"', page)
    assert len(files_) >= at_least
    for uri, anchor in files_:
        path = Path(uri.removeprefix("file://"))
        assert path.is_file() and path.is_relative_to(site), uri
        if anchor:
            assert f'id="{anchor}"' in path.read_text("utf-8"), f"{uri} has no #{anchor}"


def test_standalone_report_links_work_offline(
    guide_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`photodose evaluate --html FILE`: with the site built here, file:// links to pages that exist
    and hold their anchors; without it, the web app's guide address and a note to start it."""
    from photodose.report.guide import SERVE_URL
    from photodose.report.html import render_html
    from photodose.services.evaluate import evaluate

    monkeypatch.setenv("PHOTODOSE_CACHE_DIR", str(tmp_path / "cache"))
    ev = evaluate(DEVICE, photons=PHOTONS)
    monkeypatch.setenv("PHOTODOSE_DOCS_DIR", str(guide_site))
    page = render_html(ev)
    _files_resolve(page, guide_site, at_least=9)
    assert "run photodose serve first" not in page

    monkeypatch.setenv("PHOTODOSE_DOCS_DIR", str(tmp_path / "no-guide-here"))
    page = render_html(ev)
    assert "file://" not in page
    served = re.findall(r'href="' + re.escape(SERVE_URL) + r'(guide/[^"#]*)(?:#([^"]*))?"', page)
    assert len(served) >= 9
    assert "run photodose serve first" in text_of(page)
    with _app_with_guide(tmp_path, ROOT / "docs") as c:  # what `photodose serve` then answers
        for path, anchor in served:
            _resolves(c, "/" + path, anchor)


def test_compare_report_links_to_the_guide(
    guide_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`photodose compare --html`: its sections link to the guide like the evaluation report's."""
    from photodose.report.compare_html import render_compare_html
    from photodose.services.compare import compare

    monkeypatch.setenv("PHOTODOSE_CACHE_DIR", str(tmp_path / "cache"))
    cmp = compare([DEVICE, "omnilux-contour-face"], photons=PHOTONS)
    monkeypatch.setenv("PHOTODOSE_DOCS_DIR", str(guide_site))
    page = render_compare_html(cmp)
    assert page.count('<p class="small guide">Guide:') == 3
    _files_resolve(page, guide_site, at_least=5)
    monkeypatch.setenv("PHOTODOSE_DOCS_DIR", str(tmp_path / "none"))
    assert "run photodose serve first" in text_of(render_compare_html(cmp))


def test_without_a_guide_every_link_says_how_to_get_it(tmp_path: Path) -> None:
    from photodose.report.guide import GUIDE_LINKS, MOUNT

    empty = tmp_path / "empty"
    empty.mkdir()
    with _app_with_guide(tmp_path, empty) as c:
        assert c.app.state.guide.kind == "none"  # type: ignore[attr-defined]
        for links in GUIDE_LINKS.values():
            for link in links:
                r = c.get(link.href(MOUNT))
                assert r.status_code == 200
                assert "The guide is not on this machine" in r.text and "make docs" in r.text
                assert "PHOTODOSE_DOCS_DIR" in r.text


def test_find_guide_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An explicit folder, then $PHOTODOSE_DOCS_DIR, then the checkout's site/ or docs/."""
    from photodose.report.guide import checkout_root, find_guide

    site, md = tmp_path / "site", tmp_path / "md"
    site.mkdir()
    md.mkdir()
    (site / "index.html").write_text("<html></html>")
    (md / "index.md").write_text("# Hi\n")
    monkeypatch.setenv("PHOTODOSE_DOCS_DIR", str(md))
    assert find_guide(site).kind == "site" and find_guide(site).path == site.resolve()
    assert find_guide().kind == "markdown" and find_guide().path == md.resolve()
    monkeypatch.setenv("PHOTODOSE_DOCS_DIR", str(tmp_path / "nothing"))
    nothing = find_guide()
    assert nothing.kind == "none" and "index.html" in nothing.why and "index.md" in nothing.why
    monkeypatch.delenv("PHOTODOSE_DOCS_DIR")
    root = checkout_root()
    assert root == ROOT  # the tests run from the checkout (editable install)
    assert find_guide().kind in ("site", "markdown")


@pytest.mark.parametrize(
    "path",
    [
        "/guide/../pyproject.toml",
        "/guide/%2e%2e/%2e%2e/pyproject.toml",
        "/guide/..%2F..%2Fpyproject.toml",
        "/guide/guide/..%2F..%2F..%2Fpyproject",
        "/guide/hooks/griffe_docstrings.py",
        "/guide/%2e%2e%2fmkdocs.yml",
        "/guide/leak/",
        "/guide/leak.png",
        "/guide//etc/passwd",
    ],
)
@pytest.mark.parametrize("mode", ["markdown", "site"])
def test_guide_has_no_path_traversal(tmp_path: Path, mode: str, path: str) -> None:
    """The /guide/ mount reads only inside its folder: no ``..``, no symlink out of it."""
    docs = tmp_path / "docs"
    docs.mkdir()
    if mode == "site":
        (docs / "index.html").write_text("<html><body>guide</body></html>")
        (docs / "leak").mkdir()
        (docs / "leak" / "index.html").symlink_to(ROOT / "pyproject.toml")
    else:
        (docs / "index.md").write_text("# The guide\n")
        (docs / "leak.md").symlink_to(ROOT / "pyproject.toml")
    (docs / "leak.png").symlink_to(ROOT / "pyproject.toml")
    if mode == "markdown":  # the Markdown mode serves pages and images of docs/, not its hooks
        (docs / "hooks").mkdir()
        (docs / "hooks" / "griffe_docstrings.py").write_text("SECRET = 1\n")
    with _app_with_guide(tmp_path, docs) as c:
        assert c.app.state.guide.kind == mode  # type: ignore[attr-defined]
        r = c.get(path)
        assert r.status_code in (400, 404, 422), r.status_code
        assert "[project]" not in r.text and "root:" not in r.text and "SECRET" not in r.text


def test_built_site_runs_its_own_inline_scripts_only(guide_site: Path, tmp_path: Path) -> None:
    """The site's pages carry a CSP that allows exactly their inline scripts (by hash)."""
    import base64
    import hashlib

    with _app_with_guide(tmp_path, guide_site) as c:
        r = c.get("/guide/guide/verdicts/")
        csp = r.headers["content-security-policy"]
        script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
        assert "'unsafe-inline'" not in script_src and "'self'" in script_src
        inline = re.findall(r"<script>(.*?)</script>", r.text, re.S)
        assert inline, "Material's pages have inline scripts"
        for body in inline:
            digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in script_src
        assert "frame-ancestors 'none'" in csp
        # the app's own pages keep the strict policy
        assert "sha256" not in c.get("/").headers["content-security-policy"]


def test_markdown_links_become_app_urls() -> None:
    from photodose.web.guide import rewrite_links

    page = "guide/evaluate.md"
    cases = {
        '<a href="meter.md">': '<a href="/guide/guide/meter/">',
        '<a href="../verdicts.md#the-verdicts">': '<a href="/guide/verdicts/#the-verdicts">',
        '<a href="../science/skin.md">': '<a href="/guide/science/skin/">',
        '<a href="index.md">': '<a href="/guide/guide/">',
        '<a href="../index.md">': '<a href="/guide/">',
        '<img src="../img/report_higherdose_390.png">': '<img src="/guide/img/report_higherdose_390.png">',
        '<a href="https://doi.org/10.1/x.md">': '<a href="https://doi.org/10.1/x.md">',
        '<a href="#what-you-get">': '<a href="#what-you-get">',
        '<a href="../../outside.md">': '<a href="../../outside.md">',
        '<a href="mailto:a@b.c">': '<a href="mailto:a@b.c">',
    }
    for before, after in cases.items():
        assert rewrite_links(before, page) == after, before


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["..", ".", "", "guide", "verdicts", "img", "hooks", "%2e%2e", "a.png", "x.md", "\x00", "~"]
        )
        | st.text(max_size=12),
        max_size=6,
    )
)
def test_guide_paths_never_leave_the_docs_folder(parts: list[str]) -> None:
    """Whatever the path, the Markdown mode reads a page or an image inside docs/, or nothing."""
    from photodose.web.guide import resolve_asset, resolve_page

    docs = ROOT / "docs"
    name = "/".join(parts)
    for found in (resolve_page(docs, name), resolve_asset(docs, name)):
        if found is not None:
            rel = found.relative_to(docs.resolve())  # raises if outside
            assert rel.parts[0] != "hooks" and found.suffix in (
                ".md",
                ".png",
                ".svg",
                ".jpg",
                ".jpeg",
                ".webp",
            )


def test_evaluate_reports_every_bad_field_at_once(client: TestClient) -> None:
    """Three fields wrong: the page names all three with their fixes, not only the first."""
    bad = {"minutes": "abc", "sessions_per_week": "99", "meter_unit": "lux", "meter_value": "12"}
    for headers in ({}, {"HX-Request": "true"}):
        r = client.get("/evaluate", params={"device": DEVICE, **bad}, headers=headers)
        assert r.status_code == 422 and "Traceback" not in r.text
        assert "3 fields need a fix" in r.text
        for field in ("minutes", "sessions_per_week", "meter_unit"):
            assert f"<strong>{field}</strong>" in r.text
        assert "give a number from 0.1 to 120" in r.text and "use one of mW/cm2" in r.text
        fields = ("minutes", "sessions_per_week", "meter_unit")
        order = [r.text.index(f"<strong>{f}</strong>") for f in fields]
        assert order == sorted(order), "problems are listed in the form's order"


def test_claims_result_says_what_the_grader_misses(client: TestClient) -> None:
    from photodose.claims.measured import load_measured_detection

    m = load_measured_detection()
    headers = {**csrf(client), "HX-Request": "true"}
    found = client.post("/claims", data={"text": "Our LED mask is FDA approved."}, headers=headers)
    assert found.status_code == 200 and html.escape(m.caveat(), quote=False) in found.text
    none = client.post("/claims", data={"text": "Wear it for ten minutes."}, headers=headers)
    assert none.status_code == 200 and html.escape(m.none_found(), quote=False) in none.text
    assert '<p class="note">no claims found</p>' not in none.text
