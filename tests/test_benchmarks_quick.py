"""The transport benchmark runs (smoke test, no timings asserted), writes the keys the docs read,
and reads MCML's real input and output formats."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from script_module import load_script

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks" / "transport.py"

# Head of the sample output shipped with MCML (github.com/lhvwang/MCML,
# mcR5unix/Sample/example.mco: the manual's three-layer case, 1e6 photons), cut after A_l;
# trailing spaces trimmed.
EXAMPLE_MCO = """A1 \t# Version number of the file format.

####
# Data categories include:
# InParm, RAT,
# A_l, A_z, Rd_r, Rd_a, Tt_r, Tt_a,
# A_rz, Rd_ra, Tt_ra
####

# User time:  1488.13 sec =     0.41 hr.   Simulation time of this run.

InParm \t\t\t# Input parameters. cm is used.
craig.mco \tA\t\t# output file name, ASCII.
1000000 \t\t\t# No. of photons
0.01\t0.01\t\t# dz, dr [cm]
40\t50\t1\t# No. of dz, dr, da.

3\t\t\t\t\t# Number of layers
#n\tmua\tmus\tg\td\t# One line for each layer
1\t\t\t\t\t# n for medium above
1.37\t1\t100\t0.9\t0.1\t# layer 1
1.37\t1\t10\t0\t0.1\t# layer 2
1.37\t2\t10\t0.7\t0.2\t# layer 3
1\t\t\t\t\t# n for medium below

RAT #Reflectance, absorption, transmission.
0.0243729      \t#Specular reflectance [-]
0.237544       \t#Diffuse reflectance [-]
0.641594       \t#Absorbed fraction [-]
0.0964896      \t#Transmittance [-]

A_l #Absorption as a function of layer. [-]
      0.2612
      0.1488
      0.2316

A_z #A[0], [1],..A[nz-1]. [1/cm]
  2.7990E+00
"""


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return load_script(str(BENCH.relative_to(ROOT)), "bench_transport", register=True)  # dataclasses


def test_parse_mco_reads_mcml_sample(bench: ModuleType) -> None:
    r = bench.parse_mco(EXAMPLE_MCO)
    assert r.user_seconds == pytest.approx(1488.13)
    assert (r.specular, r.diffuse_reflectance, r.absorbed, r.transmittance) == (
        0.0243729, 0.237544, 0.641594, 0.0964896,
    )  # fmt: skip
    assert r.absorbed_by_layer == [0.2612, 0.1488, 0.2316]
    # energy: specular + Rd + A + T = 1 within the file's rounding, and A = sum of A_l
    assert r.specular + r.diffuse_reflectance + r.absorbed + r.transmittance == pytest.approx(1, abs=1e-5)
    assert sum(r.absorbed_by_layer) == pytest.approx(r.absorbed, abs=2e-4)


def test_parse_mco_whole_second_user_time_and_garbage(bench: ModuleType) -> None:
    # MCML 1.2.2's mcmlmain.c prints the user time with "%8.0lf"
    text = EXAMPLE_MCO.replace("# User time:  1488.13 sec", "# User time:        3 sec")
    assert bench.parse_mco(text).user_seconds == 3.0
    with pytest.raises(ValueError, match="User time"):
        bench.parse_mco("RAT\n0.1\n")
    with pytest.raises(ValueError, match="A_l"):
        bench.parse_mco(EXAMPLE_MCO.split("A_l #")[0])


def test_mci_written_for_mcml_reads_back_as_the_same_stack(bench: ModuleType, tmp_path: Path) -> None:
    from photodose.stackfile import read_mci_stack

    for name, stack in bench.cases().items():
        path = tmp_path / f"{name}.mci"
        path.write_text(bench.mci_text(stack, 12345))
        spec = read_mci_stack(path)
        assert spec.photons == 12345
        assert spec.stack.n_above == stack.n_above and spec.stack.n_below == stack.n_below
        assert len(spec.stack.layers) == len(stack.layers)
        for a, b in zip(spec.stack.layers, stack.layers, strict=True):
            got = (a.n, a.mua_per_cm, a.mus_per_cm, a.g, a.thickness_cm)
            assert got == pytest.approx((b.n, b.mua_per_cm, b.mus_per_cm, b.g, b.thickness_cm), rel=1e-8)
        assert spec.depth_grid is not None
        assert spec.depth_grid.bins == bench.NZ
        assert spec.depth_grid.bins * spec.depth_grid.step_cm == pytest.approx(stack.total_thickness_cm)


def test_quick_run_writes_expected_keys(tmp_path: Path) -> None:
    out = tmp_path / "t.json"
    subprocess.run(
        [sys.executable, str(BENCH), "--quick", "--mcml", "", "--out", str(out)],
        check=True, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    d = json.loads(out.read_text())
    for key in (
        "date",
        "machine",
        "settings",
        "cases",
        "thread_scaling",
        "cold_start",
        "load_average_at_end",
    ):
        assert key in d
    row = d["cases"]["mcml_3layer"]
    assert row["mcml"] is None  # no binary given
    fom = row["photodose_all_threads"]["fom_repeats"]
    assert set(fom) >= {"repeats", "diffuse_reflectance", "absorbed_by_layer"}
    assert len(fom["absorbed_by_layer"]) == 3
    assert {"median", "min", "max", "n"} <= set(row["photodose_all_threads"]["photons_per_second"])
    assert "1" in d["thread_scaling"] and "efficiency" in d["thread_scaling"]["1"]
    assert {"compile_seconds", "first_call_seconds", "warm_call_seconds"} <= set(d["cold_start"])


def test_figure_of_merit_arithmetic(bench: ModuleType) -> None:
    """FOM = 1/(relative variance × time), variance = sample variance of the repeats."""
    runs = [
        {"wall_seconds": w, "cpu_seconds": 2 * w, "diffuse_reflectance": rd, "absorbed_by_layer": [a, 0.5]}
        for w, rd, a in ((1.0, 0.2, 0.1), (3.0, 0.3, 0.1), (2.0, 0.4, 0.1))
    ]
    fom = bench.fom_from_repeats(runs)
    rd = fom["diffuse_reflectance"]
    # mean 0.3, sample variance 0.01, relative variance 1/9, median wall 2 s → FOM 4.5 /s
    assert rd["mean"] == pytest.approx(0.3)
    assert rd["relative_variance"] == pytest.approx(0.01 / 0.09)
    assert rd["fom_per_wall_s"] == pytest.approx(4.5)
    assert rd["fom_per_cpu_s"] == pytest.approx(2.25)
    assert fom["absorbed_by_layer"][0]["fom_per_wall_s"] is None  # no spread: FOM undefined, not inf
    assert "note" in bench.fom_from_repeats(runs[:1])
    s = bench.summary([3.0, None, 1.0, float("nan"), 2.0])
    assert (s["median"], s["min"], s["max"], s["n"]) == (2.0, 1.0, 3.0, 3)
