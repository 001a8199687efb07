"""`photodose serve` stopped with SIGTERM while a Monte Carlo job runs in its worker process exits
cleanly: no leaked multiprocessing semaphores reported, no traceback (a real server process)."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_up(url: str, proc: subprocess.Popen[bytes], timeout_s: float = 180.0) -> None:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        assert proc.poll() is None, "server exited early"
        try:
            urllib.request.urlopen(url + "healthz", timeout=2).read()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("server did not start")


def test_sigterm_with_a_job_in_flight_leaks_nothing(tmp_path: Path) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    env = dict(os.environ, PHOTODOSE_CACHE_DIR=str(tmp_path / "cache"), HOME=str(tmp_path))
    proc = subprocess.Popen(
        [sys.executable, "-c", "from photodose.cli import main; main()", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_up(url, proc)
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        page = opener.open(url + "depth", timeout=120).read().decode()
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token is not None
        form = {
            "csrf_token": token.group(1),
            "fitzpatrick": "II",
            "site": "temple",
            "wavelengths": "643",  # not in any cache: the worker starts a Monte Carlo run
            "fwhm": "0",
            "light": "collimated",
        }
        req = urllib.request.Request(
            url + "depth", data=urllib.parse.urlencode(form).encode(), headers={"Origin": url.rstrip("/")}
        )
        opener.open(req, timeout=120).read()
        time.sleep(1.0)  # the job is now in the worker process
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    text = err.decode(errors="replace")
    # uvicorn shuts down gracefully, then re-raises the signal it caught (so -SIGTERM, not 0)
    assert proc.returncode in (0, -signal.SIGTERM), text[-2000:]
    assert "Application shutdown complete" in text, text[-2000:]
    assert "leaked semaphore" not in text, text[-2000:]
    assert "Traceback" not in text, text[-2000:]
