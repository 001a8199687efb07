"""The CUDA backend, run on the CPU under Numba's CUDA simulator (CI has no GPU).

A GPU stream runs the very per-photon function the CPU chunks run (``trace_photon``), so one
stream and one CPU chunk with the same seed must follow the same photon histories. On a real
GPU the same kernel is checked against the CPU by ``benchmarks/gpu.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

RUNNER = Path(__file__).with_name("cuda_sim_runner.py")


@pytest.fixture(scope="module")
def results() -> dict[str, object]:
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1")
    proc = subprocess.run(
        [sys.executable, str(RUNNER)], env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    data: dict[str, object] = json.loads(proc.stdout)
    return data


def test_runs_under_the_simulator(results: dict[str, object]) -> None:
    assert results["simulator"] is True


@pytest.mark.parametrize("stack", ["van_de_hulst", "mcml_3layer", "semi_infinite"])
@pytest.mark.parametrize("source", ["pencil", "oblique", "led"])
def test_gpu_stream_follows_the_cpu_histories(results: dict[str, object], stack: str, source: str) -> None:
    pair = results[f"{stack}/{source}"]
    assert isinstance(pair, dict)
    gpu, cpu = pair["gpu"], pair["cpu"]
    for key in ("rd", "tt", "rsp", "a_z_sum", "steps"):
        assert gpu[key] == pytest.approx(cpu[key], rel=1e-9, abs=1e-12), key
    assert gpu["absorbed"] == pytest.approx(cpu["absorbed"], rel=1e-9, abs=1e-12)
    assert gpu["balance"] == pytest.approx(1.0, abs=1e-10)


def test_many_streams_conserve_energy(results: dict[str, object]) -> None:
    r = results["threads6"]
    assert isinstance(r, dict)
    assert r["balance"] == pytest.approx(1.0, abs=1e-10)
    assert 0.0 < r["rd"] < 0.3 and 0.3 < r["tt"] < 1.0


def test_cli_says_when_there_is_no_gpu() -> None:
    from typer.testing import CliRunner

    from photodose.cli import app
    from photodose.transport.cuda import cuda_available

    if cuda_available():
        pytest.skip("a GPU is present: the no-GPU message cannot be shown here")
    ex = Path(__file__).parent.parent / "examples" / "skin5_633nm.toml"
    res = CliRunner().invoke(app, ["transport", str(ex), "--photons", "100", "--backend", "cuda"])
    assert res.exit_code == 2
    assert "no CUDA GPU" in res.output
