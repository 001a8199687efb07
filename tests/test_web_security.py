"""Security tests of the web app: Host header, access token, CSRF, body and upload limits, type by
content, path traversal, autoescaping, headers, no tracebacks, no secrets in logs."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from lazy_imports import loaded_after
from photodose.services.own_devices import DeviceStore
from photodose.web import WebSettings, create_app, is_loopback, new_token
from photodose.web.security import MAX_BODY_BYTES, MAX_CLAIMS_TEXT_BYTES, RedactTokenFilter, redact

LOCAL = "http://127.0.0.1"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def client(data_dir: Path) -> Iterator[TestClient]:
    app = create_app(WebSettings(data_dir=data_dir, photons=2000))
    with TestClient(app, base_url=LOCAL) as c:
        c.get("/")
        yield c


def _csrf(c: TestClient) -> dict[str, str]:
    return {"X-CSRF-Token": c.cookies["pd_csrf"]}


# ------------------------------------------------------------------------------ host header


@pytest.mark.parametrize("host", ["evil.example", "attacker.test:8000", "127.0.0.1.nip.io"])
def test_foreign_host_header_is_refused(client: TestClient, host: str) -> None:
    r = client.get("/", headers={"Host": host})
    assert r.status_code == 400


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost:8000", "[::1]:8000"])
def test_loopback_host_headers_are_accepted(client: TestClient, host: str) -> None:
    assert client.get("/", headers={"Host": host}).status_code == 200


# ------------------------------------------------------------------------------ access token


def test_loopback_detection() -> None:
    for h in ("127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"):
        assert is_loopback(h)
    for h in ("0.0.0.0", "192.168.1.10", "::", "example.com"):
        assert not is_loopback(h)


def test_non_loopback_bind_requires_a_token() -> None:
    with pytest.raises(ValueError, match="token"):
        WebSettings(host="0.0.0.0")


@pytest.fixture
def token_client(tmp_path: Path) -> Iterator[tuple[TestClient, str]]:
    token = new_token()
    app = create_app(WebSettings(host="192.168.1.10", token=token, data_dir=tmp_path))
    with TestClient(app, base_url="http://192.168.1.10:8000") as c:
        yield c, token


def test_token_is_required_on_every_request(token_client: tuple[TestClient, str]) -> None:
    c, token = token_client
    for path in ("/", "/devices", "/static/htmx.min.js", "/static/style.css", "/healthz"):
        r = c.get(path)
        assert r.status_code == 401, path
        assert token not in r.text
    assert c.get("/?token=wrong").status_code == 401
    assert c.get("/", headers={"Authorization": "Bearer wrong"}).status_code == 401


def test_token_link_sets_a_cookie_and_drops_the_token_from_the_url(
    token_client: tuple[TestClient, str],
) -> None:
    c, token = token_client
    r = c.get(f"/devices?q=omni&token={token}", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/devices?q=omni"
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert c.get("/devices").status_code == 200  # the cookie now carries it
    page = c.get("/").text
    assert token not in page


def test_bearer_token_is_accepted(token_client: tuple[TestClient, str]) -> None:
    c, token = token_client
    assert c.get("/healthz", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_token_never_reaches_the_access_log() -> None:
    assert redact("GET /?token=abc123-_x&q=1 HTTP/1.1") == "GET /?token=[redacted]&q=1 HTTP/1.1"
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/?token=s3cret", "1.1", 303),
        None,
    )
    assert RedactTokenFilter().filter(record)
    assert "s3cret" not in record.getMessage()
    from photodose.cli.serve_cmd import redacted_log_config

    config = redacted_log_config()
    for handler in config["handlers"].values():
        assert "redact_token" in handler["filters"]
    logging.config.dictConfig(config)  # the configuration is valid for logging itself


# ------------------------------------------------------------------------------ CSRF


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/claims", {"text": "FDA approved mask"}),
        ("/depth", {"fitzpatrick": "III", "site": "forehead", "wavelengths": "633", "fwhm": "0"}),
        ("/devices/new", {"id": "csrf-mask", "name": "x", "maker": "y", "ch0_peak_nm": "630"}),
    ],
)
def test_state_changing_forms_need_the_csrf_token(
    client: TestClient, data_dir: Path, path: str, data: dict[str, str]
) -> None:
    assert client.post(path, data=data).status_code == 403
    assert (
        client.post(path, data=data, headers={"X-CSRF-Token": "not-the-cookie-value-at-all"}).status_code
        == 403
    )
    assert client.post(path, data={**data, "csrf_token": "forged-forged-forged-forged"}).status_code == 403
    assert not (data_dir / "devices" / "csrf-mask.toml").exists()
    other = TestClient(client.app, base_url=LOCAL)  # a browser without the cookie, echoing a token
    assert other.post(path, data=data, headers={"X-CSRF-Token": client.cookies["pd_csrf"]}).status_code == 403
    ok = client.post(path, data={**data, "csrf_token": client.cookies["pd_csrf"]}, follow_redirects=False)
    assert ok.status_code in (200, 303, 422)


def test_every_state_changing_route_is_csrf_protected(client: TestClient) -> None:
    """Every POST/PUT/PATCH/DELETE route of every page module refuses a request without the token."""
    from fastapi.routing import APIRoute

    from photodose.web import claims, depth, devices, evaluate, person

    unsafe = [
        (r.path, m)
        for module in (claims, depth, devices, evaluate, person)
        for r in module.router.routes
        if isinstance(r, APIRoute)
        for m in r.methods & {"POST", "PUT", "PATCH", "DELETE"}
    ]
    assert len(unsafe) >= 7
    for path, method in unsafe:
        r = client.request(method, path, data={"text": "x"})
        assert r.status_code == 403, (method, path)


# ------------------------------------------------------------------------------ size and type


def test_oversized_body_is_refused_before_it_is_read(client: TestClient, data_dir: Path) -> None:
    big = "x" * (MAX_BODY_BYTES + 10)
    r = client.post("/devices/new", data={"toml_text": big, "csrf_token": client.cookies["pd_csrf"]})
    assert r.status_code == 413
    assert "too large" in r.text
    assert not (data_dir / "devices").exists()


def test_oversized_streamed_body_is_refused(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(MAX_BODY_BYTES // 65536 + 4):
            yield b"a" * 65536

    r = client.post(
        "/claims",
        content=chunks(),
        headers={**_csrf(client), "content-type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 413


def test_pasted_claims_text_limit(client: TestClient) -> None:
    text = "word " * (MAX_CLAIMS_TEXT_BYTES // 5 + 100)
    assert len(text.encode()) < MAX_BODY_BYTES
    r = client.post("/claims", data={"text": text}, headers=_csrf(client))
    assert r.status_code == 413
    assert "KiB limit" in r.text


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (b'id = "x"\n\xff\xfe\xfa broken', "not UTF-8"),
        (b"this is [not toml", "TOML syntax"),
        (b"a" * (64 * 1024 + 1), "KiB"),
    ],
)
def test_uploaded_device_file_is_checked_by_content(
    client: TestClient, data_dir: Path, content: bytes, words: str
) -> None:
    r = client.post(
        "/devices/new",
        files={"toml_file": ("mask.toml", content, "application/toml")},  # the name and type lie
        headers=_csrf(client),
    )
    assert r.status_code == 422
    assert words in r.text
    assert not (data_dir / "devices").exists() or not list((data_dir / "devices").iterdir())


# ------------------------------------------------------------------------------ path traversal


@pytest.mark.parametrize(
    "path",
    [
        "/static/../pyproject.toml",
        "/static/%2e%2e/%2e%2e/pyproject.toml",
        "/static/..%2F..%2F..%2Fetc%2Fpasswd",
        "/devices/..%2F..%2F..%2Fetc%2Fpasswd",
        "/devices/%2e%2e%2f%2e%2e%2fpyproject",
        "/evaluate/figure/..%2F..%2Fsecret",
        "/depth/jobs/..%2F..%2F..%2Fetc%2Fpasswd",
    ],
)
def test_no_path_traversal(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code in (400, 404, 422)
    assert "root:" not in r.text and "[project]" not in r.text


def test_device_store_refuses_ids_outside_its_folder(tmp_path: Path) -> None:
    store = DeviceStore(tmp_path)
    outside = tmp_path / "secret.toml"
    outside.write_text('id = "secret"')
    for bad in ("../secret", "..", "a/b", "/etc/passwd", "x\x00y", "secret.toml/.."):
        assert store.get(bad) is None
    assert store.list() == []


def test_device_id_with_traversal_is_not_saved(client: TestClient, data_dir: Path) -> None:
    r = client.post(
        "/devices/new",
        data={"id": "../../evil", "name": "x", "maker": "y", "ch0_peak_nm": "630", "ch0_led_count": "10"},
        headers=_csrf(client),
    )
    assert r.status_code == 422
    assert not (data_dir.parent / "evil.toml").exists()
    assert not list(data_dir.parent.rglob("evil*"))


# ------------------------------------------------------------------------------ output


def test_output_is_autoescaped(client: TestClient) -> None:
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    r = client.post("/claims", data={"text": f"FDA approved. {payload}"}, headers=_csrf(client))
    assert r.status_code == 200
    assert "<script>alert" not in r.text and "<img src=x" not in r.text
    assert "&lt;script&gt;" in r.text
    ev = client.get("/evaluate", params={"device": payload})
    assert "<script>alert" not in ev.text
    search = client.get("/devices", params={"q": payload})
    assert "<script>alert" not in search.text


def test_device_name_from_a_file_is_escaped(client: TestClient) -> None:
    from importlib.resources import files

    src = (files("photodose") / "data" / "devices" / "solawave-wand.toml").read_text("utf-8")
    text = src.replace('id = "solawave-wand"', 'id = "xss-wand"')
    text = text.replace('name = "', 'name = "<b onmouseover=alert(1)>', 1)
    r = client.post(
        "/devices/new", files={"toml_file": ("w.toml", text.encode(), "text/plain")}, headers=_csrf(client)
    )
    assert r.status_code in (200, 303)
    for page in ("/devices", "/devices/xss-wand", "/compare"):
        body = client.get(page).text
        assert "<b onmouseover" not in body
        assert "&lt;b onmouseover" in body


def test_security_headers(client: TestClient) -> None:
    r = client.get("/")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "'unsafe-eval'" not in csp
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"
    fresh = TestClient(client.app, base_url=LOCAL).get("/")  # a browser without cookies yet
    assert "pd_csrf=" in fresh.headers["set-cookie"] and "SameSite=Strict" in fresh.headers["set-cookie"]


def test_unexpected_errors_show_no_traceback(tmp_path: Path) -> None:
    app = create_app(WebSettings(data_dir=tmp_path))

    def broken(_: str) -> None:
        raise RuntimeError("internal detail /home/secret/path")

    app.state.ctx.device = broken
    with TestClient(app, base_url=LOCAL, raise_server_exceptions=False) as c:
        r = c.get("/devices/anything")
    assert r.status_code == 500
    assert "Traceback" not in r.text and "/home/secret/path" not in r.text
    assert "RuntimeError" in r.text


# ------------------------------------------------------------------------------ the command


def test_serve_is_cheap_to_import() -> None:
    heavy = ("fastapi", "uvicorn", "starlette", "numpy", "photodose.web")
    assert loaded_after("import photodose.cli.serve_cmd", heavy) == []


def test_serve_bad_input_exits_2_naming_the_field() -> None:
    from photodose.cli import app

    runner = CliRunner()
    r = runner.invoke(app, ["serve", "--port", "0"])
    assert r.exit_code == 2 and "--port" in r.output
    r = runner.invoke(app, ["serve", "--host", "no-such-host.invalid"])
    assert r.exit_code == 2 and "--host" in r.output
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        r = runner.invoke(app, ["serve", "--port", str(port)])
    assert r.exit_code == 2 and "in use" in r.output and "Traceback" not in r.output
