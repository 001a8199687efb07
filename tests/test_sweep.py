"""``photodose sweep``: same numbers on every executor, resumable, a clean table, clean errors."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from photodose.sweep import (
    COLUMNS,
    Cell,
    SweepInputError,
    SweepTableError,
    build_cells,
    read_table,
    run_cell,
    run_sweep,
    write_table,
)
from photodose.sweep.run import journal_path

PHOTONS = 600  # tiny: these tests check bookkeeping and reproducibility, not physics

NUMBERS = ("dermis_absorbed_fraction", "diffuse_reflectance", "penetration_depth_1e_mm", "fluence_max")


def tiny_cells(n_types: int = 2) -> list[Cell]:
    return build_cells([], ["I", "VI"][:n_types], ["forehead"], [633.0], ["central"], PHOTONS, seed=7)


def values(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(r["cell_id"], *(r[k] for k in NUMBERS)) for r in rows]


@pytest.fixture(autouse=True)
def _private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PHOTODOSE_CACHE_DIR", str(tmp_path / "cache"))


def test_cells_follow_evaluate_choices() -> None:
    from photodose.services.evaluate import COMPOSITION_PHOTON_DIVISOR

    cells = build_cells(
        ["higherdose-face-mask"], ["III"], ["forehead", "cheek"], [830], ["central", "low"], 40_000
    )
    assert [c.channel for c in cells] == ["nir"] * 4  # the 630 nm channel is filtered out
    assert {c.site for c in cells} == {"forehead", "cheek"}
    low = [c for c in cells if c.composition == "low"]
    assert all(c.photons == max(2000, 40_000 // COMPOSITION_PHOTON_DIVISOR) for c in low)
    assert all(c.led_m is not None and c.led_m >= 0 for c in cells)
    assert len({c.cell_id for c in cells}) == len(cells)


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (([], ["VII"], ["forehead"], [633.0], ["central"], 1000), "VII"),
        (([], ["I"], ["elbow"], [633.0], ["central"], 1000), "elbow"),
        (([], ["I"], ["forehead"], [1400.0], ["central"], 1000), "1400"),
        (([], ["I"], ["forehead"], [633.0], ["median"], 1000), "median"),
        ((["no-such-device"], ["I"], ["forehead"], [], ["central"], 1000), "no-such-device"),
        ((["higherdose-face-mask"], ["I"], ["forehead"], [500.0], ["central"], 1000), "no channel"),
    ],
)
def test_bad_sweeps_name_the_problem(args: tuple[Any, ...], match: str) -> None:
    with pytest.raises(SweepInputError, match=match):
        build_cells(*args)


def test_same_numbers_serial_pool_and_dask(tmp_path: Path) -> None:
    cells = tiny_cells()
    serial = run_sweep(cells, tmp_path / "s.csv", executor="serial", use_cache=False)
    pool = run_sweep(cells, tmp_path / "p.csv", executor="pool", workers=2, use_cache=False)
    assert (serial.computed, pool.computed) == (2, 2)
    a, b = read_table(tmp_path / "s.csv"), read_table(tmp_path / "p.csv")
    assert values(a) == values(b)  # bit for bit: CSV keeps repr() digits
    assert all(0 < r["dermis_absorbed_fraction"] < 1 for r in a)
    pytest.importorskip("dask.distributed")
    d = run_sweep(cells, tmp_path / "d.csv", executor="dask", workers=2, use_cache=False)
    assert d.computed == 2
    assert values(read_table(tmp_path / "d.csv")) == values(a)


def test_finished_cells_in_the_table_are_not_recomputed(tmp_path: Path) -> None:
    cells = tiny_cells()
    out = tmp_path / "t.csv"
    first = run_cell(cells[0], use_cache=False)
    first["dermis_absorbed_fraction"] = -1.0  # a marker no computation can give
    write_table([first], out)
    s = run_sweep(cells, out, executor="serial", use_cache=False)
    assert (s.computed, s.reused) == (1, 1)
    rows = read_table(out)
    assert [r["cell_id"] for r in rows] == [c.cell_id for c in cells]
    assert rows[0]["dermis_absorbed_fraction"] == -1.0  # kept, not recomputed
    assert rows[1]["dermis_absorbed_fraction"] > 0
    again = run_sweep(cells, out, executor="serial", use_cache=False)
    assert (again.computed, again.reused) == (0, 2)


def test_journal_with_torn_line_resumes(tmp_path: Path) -> None:
    cells = tiny_cells()
    out = tmp_path / "t.csv"
    row = run_cell(cells[1], use_cache=False)
    row["diffuse_reflectance"] = -2.0
    journal_path(out).write_text(json.dumps(row) + "\n" + '{"cell_id": "torn', encoding="utf-8")
    s = run_sweep(cells, out, executor="serial", use_cache=False)
    assert (s.computed, s.reused) == (1, 1)
    assert read_table(out)[1]["diffuse_reflectance"] == -2.0
    assert not journal_path(out).exists()


def test_resumes_after_a_kill(tmp_path: Path) -> None:
    """Kill a running sweep once a cell is journalled; the rerun computes only the rest."""
    out = tmp_path / "k.csv"
    code = (
        "import sys; from pathlib import Path;"
        "from photodose.sweep import build_cells, run_sweep;"
        "cells = build_cells([], ['I','II','III','IV'], ['forehead'], [633.0], ['central'], 20000, seed=3);"
        "run_sweep(cells, Path(sys.argv[1]), executor='serial', use_cache=False)"
    )
    proc = subprocess.Popen([sys.executable, "-c", code, str(out)], env=dict(os.environ))
    jpath = journal_path(out)
    deadline = time.monotonic() + 300
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if jpath.exists() and jpath.read_text().count("\n") >= 1:
                proc.send_signal(signal.SIGKILL)
                break
            time.sleep(0.05)
    finally:
        proc.wait()
    done_before = len([ln for ln in jpath.read_text().splitlines() if ln.strip()]) if jpath.exists() else 4
    cells = build_cells([], ["I", "II", "III", "IV"], ["forehead"], [633.0], ["central"], 20000, seed=3)
    s = run_sweep(cells, out, executor="serial", use_cache=False)
    assert s.reused == done_before
    assert s.computed == 4 - done_before
    assert [r["cell_id"] for r in read_table(out)] == [c.cell_id for c in cells]


def test_table_refuses_foreign_files(tmp_path: Path) -> None:
    bad = tmp_path / "x.csv"
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(SweepTableError, match="cell_id"):
        read_table(bad)
    with pytest.raises(SweepTableError, match="format"):
        write_table([], tmp_path / "x.txt")


_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)
_num = st.floats(allow_nan=False, allow_infinity=False, width=64) | st.none()


_row = st.fixed_dictionaries(
    {"cell_id": _text, "channel": _text, "photons": st.integers(0, 10**9), "dermis_absorbed_fraction": _num,
     "error": _text}
)  # fmt: skip


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(_row, min_size=1, max_size=4))
def test_table_round_trips(rows: list[dict[str, Any]], tmp_path: Path) -> None:
    full = [{c: r.get(c) for c in COLUMNS} for r in rows]
    for fmt in ("csv", "parquet"):
        if fmt == "parquet":
            pytest.importorskip("pyarrow")
        path = tmp_path / f"r.{fmt}"
        write_table(full, path)
        back = read_table(path)
        for a, b in zip(full, back, strict=True):
            for k in ("cell_id", "channel", "photons", "error"):
                assert b[k] == a[k]
            x, y = a["dermis_absorbed_fraction"], b["dermis_absorbed_fraction"]
            assert (x is None and (y is None or math.isnan(y))) or x == y


def test_cli_json_and_bad_input(tmp_path: Path) -> None:
    from photodose.cli.app import app

    runner = CliRunner()
    out = tmp_path / "c.csv"
    args = ["sweep", "-w", "633", "--fitzpatrick", "II", "--composition", "central", "--photons", "500",
            "--executor", "serial", "--out", str(out), "--json"]  # fmt: skip
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout)["sweep"]
    assert (summary["cells"], summary["computed"]) == (1, 1)
    r2 = runner.invoke(app, args)
    assert json.loads(r2.stdout)["sweep"]["reused"] == 1
    for bad, field in (
        (["sweep", "-w", "633", "--site", "elbow", "--json"], "--site"),
        (["sweep", "-w", "633", "--executor", "mpi", "--json"], "--executor"),
        (["sweep", "-w", "633", "--scheduler", "localhost:8786", "--json"], "--scheduler"),
        (["sweep", "--json"], "--device"),
        (["sweep", "-w", "633", "--photons", "5", "--json"], "--photons"),
    ):
        r = runner.invoke(app, bad)
        assert r.exit_code == 2, (bad, r.output)
        assert json.loads(r.stdout)["error"]["field"] == field


def test_who_gets_what_is_the_evaluate_dose_and_darker_skin_gets_less(tmp_path: Path) -> None:
    """The dermal dose per session of a swept cell is the one `photodose evaluate` reports for the
    same person (same profiles, same arithmetic), and melanin lowers it at 630 nm."""
    from photodose.services.evaluate import evaluate
    from photodose.skin import SkinProfile
    from photodose.sweep.who import spread, who_gets_what

    dev = "higherdose-red-light-face-mask"
    cells = build_cells([dev], ["I", "VI"], ["forehead"], [], ["central", "low", "high"], 3000)
    run_sweep(cells, tmp_path / "w.csv", executor="serial")
    doses = who_gets_what(read_table(tmp_path / "w.csv"))
    assert {(d.channel, d.fitzpatrick) for d in doses} == {
        (c, f) for c in ("red", "nir") for f in ("I", "VI")
    }
    ev = evaluate(dev, skin=SkinProfile(fitzpatrick="VI"), photons=3000, grade_device_claims=False)
    for cd in ev.doses:
        (mine,) = [d for d in doses if d.channel == cd.channel and d.fitzpatrick == "VI"]
        e = cd.dermis_fluence_j_cm2
        assert mine.central_j_cm2 == pytest.approx(e.central, rel=1e-9)
        assert mine.low_j_cm2 == pytest.approx(e.low, rel=1e-9)
        assert mine.high_j_cm2 == pytest.approx(e.high, rel=1e-9)
    red = {d.fitzpatrick: d for d in doses if d.channel == "red"}
    assert red["VI"].central_j_cm2 < red["I"].central_j_cm2
    for d in doses:
        assert d.low_j_cm2 is not None and d.high_j_cm2 is not None
        assert d.low_j_cm2 <= d.central_j_cm2 <= d.high_j_cm2
    s = {r["channel"]: r for r in spread(doses)}
    assert s["red"]["least"] == "VI forehead" and s["red"]["skins"] == 2


def test_rows_of_another_sweep_in_the_table_are_kept(tmp_path: Path) -> None:
    out = tmp_path / "t.csv"
    (a,) = tiny_cells(1)
    other = run_cell(build_cells([], ["III"], ["cheek"], [850.0], ["central"], PHOTONS)[0], use_cache=False)
    write_table([other], out)
    s = run_sweep([a], out, executor="serial", use_cache=False)
    assert (s.computed, s.reused) == (1, 0)
    assert [r["cell_id"] for r in read_table(out)] == [a.cell_id, other["cell_id"]]


def test_cli_who_gets_what_plot(tmp_path: Path) -> None:
    from photodose.cli.app import app

    runner = CliRunner()
    png = tmp_path / "who.png"
    args = ["sweep", "-d", "solawave-wand", "--fitzpatrick", "I", "--fitzpatrick", "VI", "--photons", "500",
            "--executor", "serial", "--out", str(tmp_path / "w.csv"), "--plot", str(png),
            "--json"]  # fmt: skip
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    (row,) = json.loads(r.stdout)["who_gets_what"]
    assert row["skins"] == 2 and row["least"] == "VI forehead"
    assert row["dermis_j_cm2_lowest_low"] <= row["dermis_j_cm2_min"] <= row["dermis_j_cm2_max"]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    r = runner.invoke(app, ["sweep", "-w", "633", "--plot", str(tmp_path / "x.png"), "--json"])
    assert r.exit_code == 2 and json.loads(r.stdout)["error"]["field"] == "--plot"
