"""Start-up time of the command line: ``photodose --help`` and the commands that do not simulate.

Target (issue #10): ``photodose --help`` and commands that do not simulate start in ≤ 0.3 s.
Each case runs as a fresh process (as a user runs it), ``REPEATS`` times after one warm-up
(which also writes the ``.pyc`` files); the median and the minimum wall time are recorded,
with the median CPU time (user + system of the child: much less sensitive than wall time to
other work on a shared machine) and the heavy modules each case imported (``-X importtime`` is
not used: it slows imports down).

Run: ``.venv/bin/python benchmarks/startup.py``; writes ``benchmarks/results/startup.json``.
The machine is shared: the load average at the start is recorded beside the times.

``--against OTHER_SRC`` (e.g. the ``src`` of a ``git worktree`` of an earlier commit) instead runs
the text-reading cases with this tree and with that one side by side, alternating run by run, and
records their medians and ratios as ``ab`` in the results file (the other keys are kept).
"""

from __future__ import annotations

import argparse
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


def _one_run(args: list[str], env: dict[str, str]) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """One fresh process of the CLI: wall seconds, CPU seconds of the child, and the process."""
    code = PROBE.format(heavy=HEAVY, args=args)
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    dt = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return dt, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime), proc


def run_case(args: list[str], env: dict[str, str]) -> dict[str, object]:
    times = []
    cpu = []
    modules = ""
    exit_code = 0
    for i in range(REPEATS + 1):
        dt, c, proc = _one_run(args, env)
        exit_code = proc.returncode
        modules = next((ln[8:] for ln in proc.stderr.splitlines() if ln.startswith("MODULES ")), "")
        if i:  # the first run is the warm-up
            times.append(dt)
            cpu.append(c)
    return {
        "command": "photodose " + " ".join(args),
        "exit_code": exit_code,
        "median_seconds": statistics.median(times),
        "min_seconds": min(times),
        "median_cpu_seconds": statistics.median(cpu),
        "heavy_modules_imported": [m for m in modules.split(",") if m],
    }


def side_by_side(other_src: Path, repeats: int = 11) -> dict[str, object]:
    """The cases that read a text, with this tree and ``other_src`` alternating run by run."""
    trees = {"this": str(ROOT / "src"), "other": str(other_src.resolve())}
    with tempfile.TemporaryDirectory() as tmp:
        short = Path(tmp) / "copy.txt"
        short.write_text("Our mask is FDA-cleared and boosts collagen by 200% in 4 weeks.\n")
        page = Path(tmp) / "page.txt"  # a product page's worth: ~40 sentences, ~3,000 characters
        page.write_text(
            " ".join(
                [
                    "Our LED mask is FDA-cleared and clinically proven to reduce wrinkles.",
                    "Dermatologists recommend it for acne and redness.",
                    "Red light at 630 nm penetrates deep into the dermis to boost collagen.",
                    "It is completely safe, with no side effects.",
                    "Free shipping on orders over $50.",
                    "Wear it for 10 minutes a day, three times a week.",
                    "Our customers love the soft silicone fit.",
                    "Results in as little as 4 weeks: 36% fewer fine lines.",
                ]
                * 5
            )
            + "\n"
        )
        cases = {
            "claims short text": ["claims", str(short), "--json"],
            "claims page": ["claims", str(page), "--json"],
        }
        out: dict[str, object] = {}
        for name, args in cases.items():
            wall: dict[str, list[float]] = {k: [] for k in trees}
            cpu: dict[str, list[float]] = {k: [] for k in trees}
            for i in range(repeats + 1):
                for label, src in trees.items() if i % 2 == 0 else reversed(list(trees.items())):
                    env = dict(os.environ, PYTHONPATH=src)
                    dt, c, proc = _one_run(args, env)
                    if proc.returncode != 0:
                        raise SystemExit(f"{label} ({src}) exited {proc.returncode} on {name}")
                    if i:
                        wall[label].append(dt)
                        cpu[label].append(c)
            row = {
                label: {
                    "median_seconds": statistics.median(wall[label]),
                    "median_cpu_seconds": statistics.median(cpu[label]),
                }
                for label in trees
            }
            ratio = row["this"]["median_seconds"] / row["other"]["median_seconds"]
            cpu_ratio = row["this"]["median_cpu_seconds"] / row["other"]["median_cpu_seconds"]
            out[name] = {**row, "wall_ratio_this_over_other": ratio, "cpu_ratio_this_over_other": cpu_ratio}
            this_s, other_s = row["this"]["median_seconds"], row["other"]["median_seconds"]
            print(
                f"{name:<20} this {this_s:.3f} s, other {other_s:.3f} s: "
                f"wall x{ratio:.2f}, cpu x{cpu_ratio:.2f}"
            )
    return {
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        "load_average": os.getloadavg(),
        "other_src": str(other_src),
        "repeats": repeats,
        "cases": out,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--against", type=Path, help="another tree's src folder, run side by side")
    ap.add_argument("--note", default="", help="with --against: what the other tree is")
    opts = ap.parse_args()
    if opts.against is not None:
        path = ROOT / "benchmarks" / "results" / "startup.json"
        previous = json.loads(path.read_text()) if path.exists() else {}
        previous["ab"] = {**side_by_side(opts.against), "note": opts.note}
        path.write_text(json.dumps(previous, indent=2) + "\n")
        print(f"wrote ab to {path}")
        return
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
