"""Start-up time of the command line: ``photodose --help`` and the commands that do not simulate.

Target (issue #10): ``photodose --help`` and commands that do not simulate start in ≤ 0.3 s.
Each case runs as a fresh process (as a user runs it), ``REPEATS`` times after one warm-up
(which also writes the ``.pyc`` files); the median and the minimum wall time are recorded,
with the median CPU time (user + system of the child: much less sensitive than wall time to
other work on a shared machine) and the heavy modules each case imported (``-X importtime`` is
not used: it slows imports down).

Run: ``.venv/bin/python benchmarks/startup.py``; writes ``benchmarks/results/startup.json``.
The machine is shared: the load average at the start is recorded beside the times.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPEATS = 7
HEAVY = ("numba", "scipy", "matplotlib", "numpy", "pydantic", "jinja2", "photodose.transport.engine")

# Run the CLI's main() in-process and report which heavy modules it imported, on stderr.
PROBE = """
import sys
from photodose.cli import main
heavy = {heavy!r}
sys.argv = ["photodose", *{args!r}]
try:
    main()
except SystemExit:
    pass
finally:
    print("MODULES " + ",".join(h for h in heavy if h in sys.modules), file=sys.stderr)
"""


def run_case(args: list[str], env: dict[str, str]) -> dict[str, object]:
    code = PROBE.format(heavy=HEAVY, args=args)
    times = []
    cpu = []
    modules = ""
    exit_code = 0
    for i in range(REPEATS + 1):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
        dt = time.perf_counter() - t0
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        exit_code = proc.returncode
        modules = next((ln[8:] for ln in proc.stderr.splitlines() if ln.startswith("MODULES ")), "")
        if i:  # the first run is the warm-up
            times.append(dt)
            cpu.append((r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime))
    return {
        "command": "photodose " + " ".join(args),
        "exit_code": exit_code,
        "median_seconds": statistics.median(times),
        "min_seconds": min(times),
        "median_cpu_seconds": statistics.median(cpu),
        "heavy_modules_imported": [m for m in modules.split(",") if m],
    }


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        text = Path(tmp) / "copy.txt"
        text.write_text("Our mask is FDA-cleared and boosts collagen by 200% in 4 weeks.\n")
        cases = [
            ["--help"],
            ["--version"],
            ["transport", "--help"],
            ["evaluate", "--help"],
            ["depth", "--help"],
            ["claims", "--help"],
            ["transport", "missing.toml"],
            ["meter", "12", "-u", "mW/cm2", "-d", "1"],
            ["devices", "--no-model", "--json"],
            ["claims", str(text), "--json"],
        ]
        env = dict(os.environ)
        baseline = []
        for _ in range(REPEATS):
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-c", "pass"], env=env, check=True)
            baseline.append(time.perf_counter() - t0)
        rows = []
        for args in cases:
            row = run_case(args, env)
            rows.append(row)
            print(
                f"{row['command']:<48} median {row['median_seconds']:.3f} s "
                f"(cpu {row['median_cpu_seconds']:.3f} s)  "
                f"heavy: {', '.join(row['heavy_modules_imported']) or '-'}"  # type: ignore[arg-type]
            )
    out = ROOT / "benchmarks" / "results" / "startup.json"
    out.write_text(
        json.dumps(
            {
                "date": time.strftime("%Y-%m-%d %H:%M:%S"),
                "python": sys.version.split()[0],
                "cpu_count": os.cpu_count(),
                "load_average": os.getloadavg(),
                "bare_python_median_seconds": statistics.median(baseline),
                "target_seconds": 0.3,
                "runs": rows,
            },
            indent=2,
        )
    )
    print(f"python -c pass: {statistics.median(baseline):.3f} s; wrote {out}")


if __name__ == "__main__":
    main()
