"""Load benchmark of the web app on loopback: 500 concurrent clients on the evaluate and claims pages.

The server (``photodose.web.create_app`` under uvicorn as ``photodose serve`` runs it: httptools,
uvloop, 75 s keep-alive; access log off) runs in its own process on
a free loopback port; the clients are one asyncio process with httpx. Caches are warmed first
(one evaluation of the device, one grading of the text), so the phases measure cached pages:

1. ``users``: 500 clients, each a person clicking about once a second (exponential think time,
   mean 1 s) between GET /evaluate?device=… (the full page) and POST /claims (pasted text,
   with the CSRF cookie and header, as htmx sends it).
2. ``saturation``: 500 clients with no think time (a stress test: latency is then queueing,
   about clients ÷ throughput).
3. ``users_during_simulation``: phase 1 again while a new Monte Carlo depth job runs in the
   server's worker process: heavy work must not block the pages.

Every phase is bounded (duration and a hard deadline); the run stops by itself in under two
minutes. Results: ``benchmarks/results/web_load.json``; summary in docs/performance.md.

    .venv/bin/python benchmarks/web_load.py [--clients 500] [--seconds 12]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

DEVICE = "higherdose-red-light-face-mask"
TEXT = (
    "Our LED mask is FDA approved. Its 630 nm red light penetrates 10 cm deep into the skin to "
    "rebuild collagen. Clinically proven: wrinkles reduced by 80% in just 2 weeks!"
)
RESULTS = Path(__file__).parent / "results" / "web_load.json"
SERVER = (
    "import sys, uvicorn; from photodose.web import create_app; "
    "uvicorn.run(create_app(), host='127.0.0.1', port=int(sys.argv[1]), log_level='warning', "
    "access_log=False, backlog=2048, timeout_keep_alive=75)"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(xs: list[float], q: float) -> float:
    if not xs:
        return float("nan")
    ys = sorted(xs)
    k = min(len(ys) - 1, max(0, round(q / 100 * (len(ys) - 1))))
    return ys[k]


def summary(lat: dict[str, list[float]], errors: dict[str, int], seconds: float) -> dict[str, Any]:
    out: dict[str, Any] = {}
    total = 0
    for kind, xs in lat.items():
        total += len(xs)
        out[kind] = {
            "requests": len(xs),
            "errors": errors.get(kind, 0),
            "p50_ms": round(1000 * percentile(xs, 50), 1),
            "p90_ms": round(1000 * percentile(xs, 90), 1),
            "p99_ms": round(1000 * percentile(xs, 99), 1),
            "max_ms": round(1000 * max(xs), 1) if xs else None,
            "mean_ms": round(1000 * statistics.fmean(xs), 1) if xs else None,
        }
    out["all"] = {
        "requests": total,
        "errors": sum(errors.values()),
        "throughput_rps": round(total / seconds, 1),
        "p50_ms": round(1000 * percentile([x for xs in lat.values() for x in xs], 50), 1),
        "p99_ms": round(1000 * percentile([x for xs in lat.values() for x in xs], 99), 1),
    }
    return out


async def phase(
    base: str, csrf: str, clients: int, seconds: float, think_s: float | None, during: Any = None
) -> dict[str, Any]:
    lat: dict[str, list[float]] = {"evaluate": [], "claims": []}
    errors: dict[str, int] = {"evaluate": 0, "claims": 0}
    error_kinds: dict[str, int] = {}
    # one keep-alive connection per user, as 500 browsers would have (a shared 500-connection
    # pool costs the client more CPU per request than the server spends on it)
    users = [
        httpx.AsyncClient(
            base_url=base,
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
            timeout=30.0,
            cookies={"pd_csrf": csrf},
        )
        for _ in range(clients)
    ]
    stop = time.monotonic() + seconds
    try:

        async def user(i: int) -> None:
            client = users[i]
            rng = random.Random(i)
            if think_s:
                await asyncio.sleep(rng.uniform(0, think_s))  # spread the first clicks
            n = i
            while time.monotonic() < stop:
                kind = "evaluate" if n % 2 == 0 else "claims"
                n += 1
                t0 = time.perf_counter()
                try:
                    if kind == "evaluate":
                        r = await client.get("/evaluate", params={"device": DEVICE})
                    else:
                        r = await client.post(
                            "/claims",
                            data={"text": TEXT},
                            headers={"X-CSRF-Token": csrf, "HX-Request": "true"},
                        )
                    ok = r.status_code == 200 and len(r.content) > 1000
                except httpx.HTTPError as exc:
                    ok = False
                    error_kinds[type(exc).__name__] = error_kinds.get(type(exc).__name__, 0) + 1
                dt = time.perf_counter() - t0
                if ok:
                    lat[kind].append(dt)
                else:
                    errors[kind] += 1
                if think_s:
                    await asyncio.sleep(
                        min(rng.expovariate(1.0 / think_s), max(0.0, stop - time.monotonic()))
                    )

        t0 = time.monotonic()
        side = asyncio.create_task(during(users[0])) if during is not None else None
        await asyncio.wait_for(asyncio.gather(*(user(i) for i in range(clients))), timeout=seconds + 40)
        elapsed = time.monotonic() - t0
        extra = await side if side is not None else None
    finally:
        await asyncio.gather(*(u.aclose() for u in users))
    out = summary(lat, errors, elapsed)
    out["seconds"] = round(elapsed, 1)
    out["clients"] = clients
    out["think_time_mean_s"] = think_s
    out["error_kinds"] = error_kinds
    if extra is not None:
        out["simulation"] = extra
    return out


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ)
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        async with httpx.AsyncClient(base_url=base, timeout=600.0) as c:
            for _ in range(200):
                try:
                    if (await c.get("/healthz")).status_code == 200:
                        break
                except httpx.HTTPError:
                    await asyncio.sleep(0.1)
            t0 = time.perf_counter()
            warm = await c.get("/evaluate", params={"device": DEVICE})
            warm_eval_s = time.perf_counter() - t0
            assert warm.status_code == 200, warm.text[:500]
            csrf = c.cookies["pd_csrf"]
            r = await c.post("/claims", data={"text": TEXT}, headers={"X-CSRF-Token": csrf})
            assert r.status_code == 200, r.text[:500]
            t0 = time.perf_counter()
            await c.get("/evaluate", params={"device": DEVICE})
            cached_eval_s = time.perf_counter() - t0

        async def simulation(client: httpx.AsyncClient) -> dict[str, Any]:
            # a wavelength and width no cache holds: a fresh Monte Carlo run in the worker thread
            wl = f"{random.uniform(700, 900):.3f}"
            t0 = time.perf_counter()
            r = await client.post(
                "/depth",
                data={"fitzpatrick": "III", "site": "forehead", "wavelengths": wl, "fwhm": "0"},
                headers={"X-CSRF-Token": csrf, "HX-Request": "true"},
            )
            running = "Running the light model" in r.text
            return {
                "wavelength_nm": float(wl),
                "job_still_running_after_submit": running,
                "submit_ms": round(1000 * (time.perf_counter() - t0), 1),
            }

        results = {
            "warm_up": {
                "first_evaluate_s": round(warm_eval_s, 2),
                "cached_evaluate_single_ms": round(1000 * cached_eval_s, 1),
            },
            "users": await phase(base, csrf, args.clients, args.seconds, 1.0),
            "saturation": await phase(base, csrf, args.clients, args.seconds / 2, None),
            "users_during_simulation": await phase(base, csrf, args.clients, args.seconds, 1.0, simulation),
        }
        return results
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=500)
    ap.add_argument("--seconds", type=float, default=12.0, help="length of each user phase")
    ap.add_argument("--out", type=Path, default=RESULTS, help="where the JSON results go")
    args = ap.parse_args()
    if not (1 <= args.clients <= 2000 and 1 <= args.seconds <= 40):
        ap.error("--clients 1–2000 and --seconds 1–40 (the run must stay bounded)")
    t0 = time.monotonic()
    load_before = round(os.getloadavg()[0], 2)  # other work on the machine skews every number
    results = asyncio.run(main_async(args))
    doc = {
        "benchmark": "web_load",
        "what": "cached evaluate page (GET, full HTML) and claims check (POST, htmx fragment) on loopback",
        "target": "no errors; p99 <= 200 ms for cached pages",
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_average_1min_before": load_before,
            "load_average_1min_after": round(os.getloadavg()[0], 2),
        },
        "server": "uvicorn, one worker process, access log off; clients: one asyncio process (httpx) "
        "on the same machine",
        "device": DEVICE,
        "results": results,
        "wall_s": round(time.monotonic() - t0, 1),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(doc, indent=2) + "\n")
    for name, r in results.items():
        if name == "warm_up":
            print(name, r)
            continue
        a = r["all"]
        print(
            f"{name:24s} {a['requests']:6d} req  {a['throughput_rps']:7.1f} req/s  "
            f"p50 {a['p50_ms']:7.1f} ms  p99 {a['p99_ms']:7.1f} ms  errors {a['errors']}"
        )
    print(f"written: {args.out}")


if __name__ == "__main__":
    main()
