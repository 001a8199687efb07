"""Transport speed and precision per second: photodose against stock MCML 1.2.2, same run.

Run (a quiet machine; minutes)::

    .venv/bin/python benchmarks/transport.py --mcml /path/to/stock/mcml [--photons N] [--repeat K]
    .venv/bin/python benchmarks/transport.py --quick --out /tmp/t.json   # smoke test (seconds)

Writes ``benchmarks/results/transport.json``; ``docs/performance.md`` summarises it. How to build
stock MCML 1.2.2 from its public source (nothing is fetched here): ``benchmarks/mcml/README.md``.

What it measures, per case (each written as an MCML ``.mci`` file by :func:`mci_text`, which
:func:`photodose.stackfile.read_mci_stack` reads back to the same stack):

- **Interleaved runs.** Repeat ``i`` runs photodose on all threads, photodose on one thread and
  MCML, one after the other (A B C A B C …), each with the same photon count and the same tally
  grids (dz × nz, dr × nr, na from the ``.mci``). Medians and ranges over the repeats, and the
  ratio photodose / MCML *within* each repeat (same-run ratios), so slow drifts in machine load
  cancel.
- **MCML's real output.** MCML prints no rate; the benchmark parses the ``.mco`` it writes:
  ``RAT`` (specular, Rd, absorbed, Tt; 6 significant digits), ``A_l`` (absorption per layer;
  only 4 significant digits in the file) and ``# User time: … sec`` (MCML 1.2.2 prints it in
  whole seconds, ``%8.0lf``, so it is recorded but not used). Time is the process's wall time
  (start to exit, output included) and its CPU time (``getrusage(RUSAGE_CHILDREN)``).
- **Figure of merit** FOM = 1 / (relative variance × time) for Rd and each layer's absorption
  (Kalos & Whitlock, *Monte Carlo Methods*, 2008, §4; the usual efficiency of a Monte Carlo
  estimator: independent of the photon count, higher is better). The variance comes from the
  spread of the K independent repeats for both programs (MCML seeds ``ran3`` from the clock in
  whole seconds, so each MCML run starts in a new second); photodose's batch-means variance of
  each single run is reported beside it. Time is the wall time of one run (seconds); for MCML
  also its CPU time.
- **Warm and cold.** Every path runs once before timing; the cold cost (JIT compilation with an
  empty Numba cache, in a fresh process) is measured separately.
- **Thread scaling** 1 → N threads (powers of two up to the CPU count): median photons/s and the
  efficiency pps(T) / (T · pps(1)).
- **Memory**: a subprocess runs ``--memory-photons`` through the van de Hulst slab and reports
  its peak RSS (bounded by the tally grids, not the photon count).

No timing is asserted anywhere; the numbers are only as good as the machine is quiet
(``load_average`` is recorded at start and end).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from photodose.stackfile import read_stack_file  # noqa: E402
from photodose.transport import Grid, Layer, LayerStack, simulate  # noqa: E402

CASE_FILES = {
    "skin5_633nm": ROOT / "examples" / "skin5_633nm.toml",
    "mcml_3layer": ROOT / "examples" / "mcml_3layer.mci",
}
#: Photon multiplier per case (the slab takes ~3 steps per photon: more photons, same time).
PHOTON_SCALE = {"skin5_633nm": 1, "van_de_hulst_slab": 20, "mcml_3layer": 1}
NZ, NR, DR_CM, NA = 400, 50, 0.01, 1  # tally grids of both programs (MCML needs finite grids)


def cases() -> dict[str, LayerStack]:
    out = {name: read_stack_file(path).stack for name, path in CASE_FILES.items()}
    out["van_de_hulst_slab"] = LayerStack([Layer(10.0, 90.0, 0.75, 1.0, 0.02, "slab")])
    return out


def grids(stack: LayerStack) -> tuple[Grid, Grid]:
    """(depth, radial) grids: NZ bins over the whole (finite) stack, NR bins of DR_CM."""
    total = stack.total_thickness_cm
    if not math.isfinite(total):
        raise ValueError("MCML needs a finite stack; give the last layer a thickness")
    return Grid(step_cm=total / NZ, bins=NZ), Grid(step_cm=DR_CM, bins=NR)


def mci_text(stack: LayerStack, photons: int, output: str = "bench.mco") -> str:
    """An MCML 1.x ``.mci`` input (manual §9.1) for ``stack``: one run, ASCII output."""
    dz = grids(stack)[0].step_cm
    lines = [
        "1.0\t# file version",
        "1\t# number of runs",
        f"{output} A\t# output file, ASCII",
        f"{int(photons)}\t# photons",
        f"{dz:.9g} {DR_CM:.9g}\t# dz, dr [cm]",
        f"{NZ} {NR} {NA}\t# nz, nr, na",
        f"{len(stack.layers)}\t# layers",
        "#n mua mus g d",
        f"{stack.n_above:.9g}\t# n above",
    ]
    for ly in stack.layers:
        lines.append(f"{ly.n:.9g} {ly.mua_per_cm:.9g} {ly.mus_per_cm:.9g} {ly.g:.9g} {ly.thickness_cm:.9g}")
    lines.append(f"{stack.n_below:.9g}\t# n below")
    return "\n".join(lines) + "\n"


@dataclass
class McoResult:
    """What the benchmark reads from an MCML ``.mco`` file."""

    user_seconds: float
    specular: float
    diffuse_reflectance: float
    absorbed: float
    transmittance: float
    absorbed_by_layer: list[float]


_USER_TIME = re.compile(r"#\s*User time:\s*([0-9.eE+-]+)\s*sec")


def parse_mco(text: str) -> McoResult:
    """Parse MCML 1.2.x ASCII output: the ``User time`` comment, ``RAT`` and ``A_l`` blocks.

    Format as written by MCML's ``mcmlio.c`` (``WriteRAT``, ``WriteA_layer``); see the sample
    ``mcR5unix/Sample/example.mco`` in github.com/lhvwang/MCML.
    """
    m = _USER_TIME.search(text)
    if m is None:
        raise ValueError("no '# User time: ... sec' line: not an MCML .mco file")

    def block(tag: str) -> list[float]:
        lines = text.splitlines()
        for i, line in enumerate(lines):
            if line.split()[:1] == [tag]:
                vals = []
                for nxt in lines[i + 1 :]:
                    words = nxt.split()
                    if not words:
                        break
                    vals.append(float(words[0]))
                return vals
        raise ValueError(f"no {tag} block in the .mco file")

    rat = block("RAT")
    if len(rat) != 4:
        raise ValueError(f"RAT block has {len(rat)} values, expected 4")
    return McoResult(float(m.group(1)), rat[0], rat[1], rat[2], rat[3], block("A_l"))


def _wait_for_new_second() -> None:
    """MCML seeds ran3 with time(NULL): start each run in a new second so seeds differ."""
    now = time.time()
    time.sleep(math.floor(now) + 1.0 - now + 0.01)


def run_mcml(binary: str, stack: LayerStack, photons: int) -> dict[str, Any]:
    """One stock-MCML run on ``stack``: wall and CPU time, RAT and A_l from its ``.mco``."""
    with tempfile.TemporaryDirectory() as d:
        (Path(d) / "bench.mci").write_text(mci_text(stack, photons))
        _wait_for_new_second()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(
            [binary, "bench.mci"], cwd=d, check=True, capture_output=True, stdin=subprocess.DEVNULL
        )
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        mco = parse_mco((Path(d) / "bench.mco").read_text())
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {
        "photons": photons,
        "wall_seconds": wall,
        "cpu_seconds": cpu,
        "mco_user_seconds": mco.user_seconds,
        "photons_per_second": photons / wall,
        "photons_per_cpu_second": photons / cpu if cpu > 0 else None,
        "diffuse_reflectance": mco.diffuse_reflectance,
        "absorbed_by_layer": mco.absorbed_by_layer,
        "transmittance": mco.transmittance,
    }


def run_ours(
    stack: LayerStack, photons: int, threads: int, seed: int, kernel: str = "lanes"
) -> dict[str, Any]:
    """One photodose run with MCML's tally grids; wall time of the traced photons only.

    ``kernel``: the CPU kernel, "lanes" (the default of :func:`simulate`) or "scalar"."""
    dgrid, rgrid = grids(stack)
    cpu0 = time.process_time()
    r = simulate(
        stack, photons, seed=seed, threads=threads, depth_grid=dgrid, radial_grid=rgrid, angle_bins=NA,
        cpu_kernel=kernel,
    )  # fmt: skip
    cpu = time.process_time() - cpu0
    return {
        "photons": photons,
        "threads": threads,
        "kernel": kernel,
        "wall_seconds": r.wall_seconds,
        "cpu_seconds": cpu,
        "photons_per_second": photons / r.wall_seconds,
        "steps_per_photon": r.steps_per_photon,
        "diffuse_reflectance": r.diffuse_reflectance,
        "diffuse_reflectance_se": r.diffuse_reflectance_se,
        "absorbed_by_layer": [float(x) for x in r.absorbed_by_layer],
        "absorbed_by_layer_se": [float(x) for x in r.absorbed_by_layer_se],
        "transmittance": r.transmittance,
    }


def summary(values: Sequence[float | None]) -> dict[str, float | int | None]:
    """Median and range of a list of numbers (``None`` entries skipped)."""
    v = [float(x) for x in values if x is not None and math.isfinite(float(x))]
    if not v:
        return {"median": None, "min": None, "max": None, "n": 0}
    return {"median": statistics.median(v), "min": min(v), "max": max(v), "n": len(v)}


def fom_from_repeats(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """FOM = 1/(relative variance × time) of Rd and each A_layer, variance from the spread of
    independent repeats (sample variance of single-run estimates), time = median wall (and CPU)
    seconds of one run."""
    if len(runs) < 2:
        return {"note": "needs ≥ 2 repeats"}
    wall = statistics.median(r["wall_seconds"] for r in runs)
    cpu = statistics.median(r["cpu_seconds"] for r in runs)

    def fom(vals: list[float]) -> dict[str, float | None]:
        mean = statistics.fmean(vals)
        var = statistics.variance(vals)
        if mean == 0 or var == 0:
            return {"mean": mean, "relative_variance": None, "fom_per_wall_s": None, "fom_per_cpu_s": None}
        rv = var / mean**2
        return {
            "mean": mean,
            "relative_variance": rv,
            "fom_per_wall_s": 1.0 / (rv * wall),
            "fom_per_cpu_s": 1.0 / (rv * cpu) if cpu > 0 else None,
        }

    n_layers = len(runs[0]["absorbed_by_layer"])
    return {
        "repeats": len(runs),
        "diffuse_reflectance": fom([r["diffuse_reflectance"] for r in runs]),
        "absorbed_by_layer": [fom([r["absorbed_by_layer"][i] for r in runs]) for i in range(n_layers)],
    }


def fom_batch_means(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """photodose's FOM from each run's own batch-means standard errors (median over runs)."""

    def one(mean: float, se: float, wall: float) -> float | None:
        if not (mean and se and math.isfinite(se)):
            return None
        return 1.0 / ((se / mean) ** 2 * wall)

    rd = [one(r["diffuse_reflectance"], r["diffuse_reflectance_se"], r["wall_seconds"]) for r in runs]
    n_layers = len(runs[0]["absorbed_by_layer"])
    layers = [
        summary(
            [one(r["absorbed_by_layer"][i], r["absorbed_by_layer_se"][i], r["wall_seconds"]) for r in runs]
        )
        for i in range(n_layers)
    ]
    return {"diffuse_reflectance": summary(rd), "absorbed_by_layer": layers}


def cold_start(photons: int = 2000) -> dict[str, float]:
    """First call in a fresh process with an empty Numba cache (compile) vs the second call."""
    code = (
        "import sys, time; sys.path.insert(0, sys.argv[1]);"
        "t0 = time.perf_counter();"
        "from photodose.transport import Layer, LayerStack, simulate;"
        "t1 = time.perf_counter();"
        "s = LayerStack([Layer(1.0, 100.0, 0.9, 1.4, 0.1)]);"
        "simulate(s, int(sys.argv[2]), seed=1, threads=1); t2 = time.perf_counter();"
        "simulate(s, int(sys.argv[2]), seed=2, threads=1); t3 = time.perf_counter();"
        "print(t1 - t0, t2 - t1, t3 - t2)"
    )
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        out = subprocess.run(
            [sys.executable, "-c", code, str(ROOT / "src"), str(photons)],
            check=True, capture_output=True, text=True, env=env,
        ).stdout.split()  # fmt: skip
    imp, first, second = (float(x) for x in out)
    return {
        "import_seconds": imp,
        "first_call_seconds": first,
        "warm_call_seconds": second,
        "compile_seconds": first - second,
        "photons": photons,
    }


def thread_scaling(stack: LayerStack, photons: int, repeat: int, max_threads: int) -> dict[str, Any]:
    counts = sorted({1, max_threads, *(2**k for k in range(1, 8) if 2**k < max_threads)})
    for t in counts:  # warm every thread count (pool start-up, per-thread JIT dispatch)
        simulate(stack, 1000, seed=0, threads=t)
    pps: dict[int, list[float]] = {t: [] for t in counts}
    for i in range(repeat):  # interleave thread counts within each repeat
        for t in counts:
            r = simulate(stack, photons, seed=100 + i, threads=t)
            pps[t].append(photons / r.wall_seconds)
    base = statistics.median(pps[1])
    return {
        str(t): {
            "photons_per_second": summary(pps[t]),
            "efficiency": statistics.median(pps[t]) / (t * base),
        }
        for t in counts
    }


def vectorisation_report() -> dict[str, Any]:
    """Whether LLVM vectorised the lane kernel's main loop here: its optimisation remarks
    (``-pass-remarks=loop-vectorize``) for :func:`photodose.transport.lanes.advance`, compiled
    in a fresh process, and the vector registers in its machine code."""
    code = (
        "import llvmlite.binding as llvm, re, sys; sys.path.insert(0, sys.argv[1]);"
        "[llvm.set_option('', f'-pass-remarks{k}=loop-vectorize') for k in ('', '-missed', '-analysis')];"
        "import numpy as np; from numba import njit; from photodose.transport import lanes as L;"
        "f = njit(fastmath=L._FM, error_model='numpy')(L.advance.py_func);"
        "print('COMPILE', flush=True);"
        "f(np.zeros(L.N_FIELDS * L.LANES), np.ones(4 * L.LANES, dtype=np.uint64), L.LANES, 1.0, 10, 1.0, 10);"
        "a = f.inspect_asm(f.signatures[0]);"
        "print('REGS', len(re.findall('zmm', a)), len(re.findall('ymm', a)),"
        " a.count('vdivpd'), a.count('vsqrtpd'))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(ROOT / "src")], capture_output=True, text=True, check=False
    )
    out = proc.stdout + proc.stderr
    after = out.split("COMPILE", 1)[-1]
    remarks = sorted(
        {ln.split("remark: ", 1)[1].split(": ", 1)[-1] for ln in after.splitlines() if "remark:" in ln}
    )
    regs = next((ln.split()[1:] for ln in after.splitlines() if ln.startswith("REGS")), [])
    return {
        "advance_remarks": remarks,
        "vectorised": any(r.startswith("vectorized loop") for r in remarks),
        "zmm_ymm_vdivpd_vsqrtpd": [int(x) for x in regs],
    }


def memory_probe(photons: int) -> dict[str, float]:
    code = (
        "import resource, sys; sys.path.insert(0, sys.argv[2]);"
        "from photodose.transport import Layer, LayerStack, simulate;"
        "r = simulate(LayerStack([Layer(10, 90, 0.75, 1.0, 0.02)]), int(sys.argv[1]), seed=1);"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, r.wall_seconds)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(photons), str(ROOT / "src")],
        check=True, capture_output=True, text=True,
    ).stdout.split()  # fmt: skip
    return {"photons": photons, "peak_rss_mb": float(out[0]), "wall_seconds": float(out[1])}


def bench_case(
    stack: LayerStack, photons: int, repeat: int, threads: int, mcml: str | None, log: Callable[[str], None]
) -> dict[str, Any]:
    run_ours(stack, min(photons, 2000), threads, 0)  # warm: the JIT and the thread pool
    run_ours(stack, min(photons, 2000), 1, 0)
    run_ours(stack, min(photons, 2000), threads, 0, kernel="scalar")
    if mcml:
        run_mcml(mcml, stack, min(photons, 2000))  # warm: page cache, binary loaded
    ours_n: list[dict[str, Any]] = []
    ours_1: list[dict[str, Any]] = []
    scalar_n: list[dict[str, Any]] = []
    theirs: list[dict[str, Any]] = []
    for i in range(repeat):  # A B C D, A B C D, …: same-run comparisons
        ours_n.append(run_ours(stack, photons, threads, seed=1 + i))
        ours_1.append(run_ours(stack, photons, 1, seed=1001 + i))
        scalar_n.append(run_ours(stack, photons, threads, seed=2001 + i, kernel="scalar"))
        if mcml:
            theirs.append(run_mcml(mcml, stack, photons))
        log(
            f"  repeat {i + 1}/{repeat}: "
            f"{ours_n[-1]['photons_per_second']:,.0f} photons/s on {threads} threads"
        )
    row: dict[str, Any] = {
        "photons": photons,
        "photodose_threads": threads,
        "photodose_all_threads": {
            "photons_per_second": summary([r["photons_per_second"] for r in ours_n]),
            "steps_per_photon": summary([r["steps_per_photon"] for r in ours_n]),
            "fom_repeats": fom_from_repeats(ours_n),
            "fom_batch_means": fom_batch_means(ours_n),
        },
        "photodose_one_thread": {
            "photons_per_second": summary([r["photons_per_second"] for r in ours_1]),
            "fom_repeats": fom_from_repeats(ours_1),
        },
        "photodose_scalar_all_threads": {
            "photons_per_second": summary([r["photons_per_second"] for r in scalar_n]),
            "fom_repeats": fom_from_repeats(scalar_n),
        },
        "lanes_vs_scalar_same_run": summary(
            [a["photons_per_second"] / b["photons_per_second"] for a, b in zip(ours_n, scalar_n, strict=True)]
        ),
        "mcml": None,
    }
    if theirs:
        row["mcml"] = {
            "photons_per_second_wall": summary([r["photons_per_second"] for r in theirs]),
            "photons_per_cpu_second": summary([r["photons_per_cpu_second"] for r in theirs]),
            "fom_repeats": fom_from_repeats(theirs),
            "runs": theirs,
        }
        row["same_run_ratio"] = {
            f"{threads}_threads_vs_mcml": summary(
                [
                    a["photons_per_second"] / b["photons_per_second"]
                    for a, b in zip(ours_n, theirs, strict=True)
                ]
            ),
            "1_thread_vs_mcml": summary(
                [
                    a["photons_per_second"] / b["photons_per_second"]
                    for a, b in zip(ours_1, theirs, strict=True)
                ]
            ),
            f"scalar_{threads}_threads_vs_mcml": summary(
                [
                    a["photons_per_second"] / b["photons_per_second"]
                    for a, b in zip(scalar_n, theirs, strict=True)
                ]
            ),
        }
        ours_fom, mcml_fom = row["photodose_all_threads"]["fom_repeats"], row["mcml"]["fom_repeats"]
        if "diffuse_reflectance" in ours_fom and "diffuse_reflectance" in mcml_fom:

            def ratio(a: dict[str, Any], b: dict[str, Any]) -> float | None:
                x, y = a.get("fom_per_wall_s"), b.get("fom_per_wall_s")
                return x / y if x and y else None

            row["fom_ratio_vs_mcml"] = {
                "diffuse_reflectance": ratio(
                    ours_fom["diffuse_reflectance"], mcml_fom["diffuse_reflectance"]
                ),
                "absorbed_by_layer": [
                    ratio(a, b)
                    for a, b in zip(ours_fom["absorbed_by_layer"], mcml_fom["absorbed_by_layer"], strict=True)
                ],
            }
    return row


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--photons", type=int, default=200_000, help="photons per run (both programs)")
    ap.add_argument("--repeat", type=int, default=8, help="interleaved repeats K (FOM needs ≥ 2; 8+ advised)")
    ap.add_argument("--mcml", default=os.environ.get("MCML_BIN") or shutil.which("mcml"),
                    help="stock MCML 1.2.2 binary (benchmarks/mcml/README.md)")  # fmt: skip
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument(
        "--case", action="append", choices=sorted(PHOTON_SCALE), help="cases to run (default: all)"
    )
    ap.add_argument("--memory-photons", type=int, default=100_000_000)
    ap.add_argument("--quick", action="store_true", help="a tiny smoke run (seconds): numbers meaningless")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "transport.json")
    args = ap.parse_args(argv)
    if args.quick:
        args.photons, args.repeat, args.memory_photons = 2000, 2, 0
        args.case = args.case or ["mcml_3layer"]

    load_start = os.getloadavg()
    all_cases = cases()
    names = args.case or list(PHOTON_SCALE)
    results: dict[str, Any] = {}
    for name in names:
        print(f"{name}:", flush=True)
        results[name] = bench_case(
            all_cases[name], args.photons * PHOTON_SCALE[name], args.repeat, args.threads, args.mcml, print
        )
    scaling = thread_scaling(
        all_cases["mcml_3layer" if args.quick else "skin5_633nm"],
        args.photons,
        max(1, args.repeat // 2),
        args.threads,
    )
    report: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        "quick": bool(args.quick),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "processor": platform.processor(),
            "python": platform.python_version(),
        },
        "mcml_binary": args.mcml,
        "settings": {
            "photons": args.photons,
            "repeat": args.repeat,
            "threads": args.threads,
            "grids": {"nz": NZ, "nr": NR, "dr_cm": DR_CM, "na": NA},
        },
        "cases": results,
        "thread_scaling": scaling,
        "cold_start": cold_start(),
        "vectorisation": vectorisation_report(),
        "memory": memory_probe(args.memory_photons) if args.memory_photons else None,
        "load_average_at_start": load_start,
        "load_average_at_end": os.getloadavg(),
        "self_peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    for name, row in results.items():
        pps = row["photodose_all_threads"]["photons_per_second"]["median"]
        line = f"{name}: {pps:,.0f} photons/s on {args.threads} threads"
        if row.get("same_run_ratio"):
            r = row["same_run_ratio"][f"{args.threads}_threads_vs_mcml"]
            line += f"; same-run ratio vs MCML {r['median']:.2f} ({r['min']:.2f}–{r['max']:.2f})"
        ls = row["lanes_vs_scalar_same_run"]
        line += f"; lanes vs scalar kernel {ls['median']:.2f}×"
        print(line)
    print(f"cold start: {report['cold_start']['compile_seconds']:.1f} s of JIT compilation")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
