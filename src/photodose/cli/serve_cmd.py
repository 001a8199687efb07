"""``photodose serve``: the local web app (loopback by default; any other address needs a token)."""

from __future__ import annotations

import contextlib
import copy
import socket
import threading
import webbrowser
from typing import Annotated, Any

import typer

from photodose.cli.app import app
from photodose.cli.errors import bad_input


def _port_free(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host.strip("[]"), port))
        except OSError:
            return False
    return True


#: Idle keep-alive connections stay open this long; uvicorn's 5 s default races browsers that
#: reuse a connection just as the server closes it (seen as dropped requests under load).
KEEP_ALIVE_S = 75


@app.command("serve")
def serve(
    host: Annotated[
        str, typer.Option(help="Address to bind. Anything but loopback requires the printed access token.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    open_browser: Annotated[bool, typer.Option("--open", help="Open the app in your web browser.")] = False,
    allowed_host: Annotated[
        list[str] | None,
        typer.Option(help="Extra Host-header name to accept (e.g. this machine's DNS name); repeatable."),
    ] = None,
) -> None:
    """Start the local web app: devices, evaluate, depth explorer, claims checker."""
    import uvicorn

    from photodose.web import WebSettings, create_app, is_loopback, new_token

    if not 1 <= port <= 65535:
        bad_input("--port", f"{port} is not a TCP port", "give a port from 1 to 65535, e.g. 8000")
    try:
        socket.getaddrinfo(host.strip("[]"), port)
    except (socket.gaierror, UnicodeError):
        bad_input("--host", f"{host!r} is not an address of this machine", "use 127.0.0.1 (the default)")
    if not _port_free(host, port):
        bad_input(
            "--port", f"port {port} on {host} is in use or not allowed", "choose another with --port 8001"
        )
    loopback = is_loopback(host)
    token = None if loopback else new_token()
    extra = list(allowed_host or [])
    if not loopback and host in ("0.0.0.0", "::"):
        name = socket.gethostname()
        extra += [name]
        with contextlib.suppress(OSError):
            extra += socket.gethostbyname_ex(name)[2]
    settings = WebSettings(host=host, token=token, allowed_hosts=extra)
    web_app = create_app(settings)
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    shown_host = f"[{shown_host}]" if ":" in shown_host and not shown_host.startswith("[") else shown_host
    url = f"http://{shown_host}:{port}/"
    if token is None:
        typer.echo(f"photodose web app: {url}  (this computer only; Ctrl+C to stop)")
        open_url = url
    else:
        open_url = f"{url}?token={token}"
        typer.echo(f"photodose web app on {host}:{port}; other devices on your network can reach it.")
        typer.echo("Every request needs the access token. Open this link once (it sets a cookie):")
        typer.echo(f"  {open_url}")
        others = [h for h in extra if h != shown_host and not is_loopback(h)]
        if host in ("0.0.0.0", "::") and others:
            typer.echo(f"  from another device: http://{others[-1]}:{port}/?token={token}")
        typer.echo("Keep the token secret; it changes every time the server starts. Ctrl+C to stop.")
    guide_from = {
        "site": "the built documentation site",
        "markdown": "the guide's Markdown; `make docs` builds the full site",
        "none": "not on this machine; that page says how to get it",
    }
    typer.echo(f"the guide: {url}guide/ ({guide_from[web_app.state.guide.kind]})")
    if open_browser:
        threading.Timer(1.0, webbrowser.open, args=(open_url,)).start()
    uvicorn.run(
        web_app,
        host=host.strip("[]"),
        port=port,
        log_level="info",
        log_config=redacted_log_config(),
        server_header=False,
        timeout_keep_alive=KEEP_ALIVE_S,
    )


def redacted_log_config() -> dict[str, Any]:
    """uvicorn's logging set-up with access tokens removed from every line it writes."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_token"] = {"()": "photodose.web.security.RedactTokenFilter"}
    for handler in config["handlers"].values():
        handler.setdefault("filters", []).append("redact_token")
    return config
