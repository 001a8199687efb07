"""The command line's promises: cheap start, one error contract, checked output paths,
plain-text help, strict JSON, progress on stderr only.

Start-up time itself is measured in ``benchmarks/startup.py`` (a benchmark, not a timed test);
here the cause of a slow start is checked: which modules importing the CLI pulls in.
"""

from __future__ import annotations

import io
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from photodose import __version__
from photodose.cli import app
from photodose.cli.output import finite_or_none, json_text

runner = CliRunner()
EXAMPLES = Path(__file__).parent.parent / "examples"
# Modules a command that does not simulate must not import (numba alone takes ~0.15 s).
HEAVY = ("numba", "scipy", "matplotlib", "numpy", "photodose.transport", "photodose.skin", "jinja2")


def _modules_after(args: list[str]) -> set[str]:
    """Top-level names of the modules imported by running ``photodose ARGS`` in a fresh process."""
    code = (
        "import sys\n"
        "from photodose.cli import main\n"
        f"sys.argv = ['photodose', *{args!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('\\n'.join(sys.modules), file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    return set(proc.stderr.split())


def _heavy(mods: set[str]) -> list[str]:
    return sorted(h for h in HEAVY if h in mods)


def test_importing_the_cli_imports_no_model_and_no_numerics() -> None:
    mods = _modules_after([])
    assert _heavy(mods) == []
    assert "pydantic" not in mods and "rich.table" not in mods


@pytest.mark.parametrize(
    "args",
    [["--help"], ["--version"], ["transport", "--help"], ["evaluate", "--help"], ["depth", "--help"],
     ["claims", "--help"], ["meter", "--help"], ["transport", "no-such-file.toml"],
     ["evaluate", "x", "--html", "/no/such/dir/r.html"]],
)  # fmt: skip
def test_help_and_early_errors_import_no_numerics(args: list[str]) -> None:
    # Typer itself imports pydantic for subcommands (typer._adapters): allowed, it is ~0.07 s.
    assert _heavy(_modules_after(args)) == []


@pytest.mark.parametrize(
    "args",
    [["meter", "12", "-u", "mW/cm2", "-d", "1"], ["meter", "12", "-u", "mW/cm2", "-d", "1", "--json"],
     ["devices", "--no-model"], ["devices", "--no-model", "--json"]],
)  # fmt: skip
def test_commands_that_only_read_device_files_import_no_numerics(args: list[str]) -> None:
    # meter and the catalogue without the model read TOML files: no Numba kernel, no numpy/scipy
    # (the device package resolves its irradiance names lazily).
    mods = _modules_after(args)
    assert _heavy(mods) == []
    assert "photodose.device.irradiance" not in mods


def test_devices_with_the_model_still_computes_the_irradiance() -> None:
    mods = _modules_after(["devices", "--json"])
    assert "photodose.device.irradiance" in mods and "numba" in mods


def test_cli_copies_of_model_constants_match_the_models() -> None:
    from photodose import depth, skin
    from photodose.cli import evaluate_cmd, skin_cmd, transport_cmd
    from photodose.services import evaluate
    from photodose.transport import engine

    assert skin_cmd.MODELS == skin.MODELS
    assert skin_cmd.AGE_BANDS == skin.AGE_BANDS
    assert skin_cmd.SEXES == skin.SEXES
    assert skin_cmd.DEFAULT_PHOTONS == depth.DEFAULT_PHOTONS
    assert evaluate_cmd.DEFAULT_DEPTH_PHOTONS == evaluate.DEFAULT_DEPTH_PHOTONS
    assert transport_cmd.MAX_PHOTONS == engine.MAX_PHOTONS


def test_version() -> None:
    r = runner.invoke(app, ["--version"])
    assert r.exit_code == 0 and r.stdout.strip() == f"photodose {__version__}"


def test_help_keeps_square_brackets() -> None:
    # Rich markup used to eat "[nm]" ("Wavelength , 400–1100") and "[[layer]]".
    r = runner.invoke(app, ["skin", "--help"])
    assert r.exit_code == 0
    assert "[nm]" in r.stdout


def test_every_command_is_documented_in_the_readme() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    from photodose.cli.app import app as typer_app

    names = {c.name or (c.callback.__name__ if c.callback else "") for c in typer_app.registered_commands}
    names |= {g.name or "" for g in typer_app.registered_groups}
    for name in sorted(n for n in names if n):
        assert f"photodose {name}" in readme, f"`photodose {name}` is not in README.md"


# ----------------------------------------------------------------------------- error contract

# (arguments, the field the error must name); each is bad input that must exit 2.
BAD = [
    (["transport", "no-such-file.toml"], "STACK_FILE"),
    (["transport", str(EXAMPLES / "skin5_633nm.toml"), "--photons", "1e12"], "--photons"),
    (["transport", str(EXAMPLES / "skin5_633nm.toml"), "--threads", "0"], "--threads"),
    (["transport", str(EXAMPLES / "skin5_633nm.toml"), "--backend", "tpu"], "--backend"),
    (["transport", str(EXAMPLES / "skin5_633nm.toml"), "--source", "laser"], "--source"),
    (["transport"], "STACK_FILE"),
    (["transport", str(EXAMPLES / "skin5_633nm.toml"), "--bogus"], "--bogus"),
    (["skin", "--fitzpatrick", "IX"], "--fitzpatrick"),
    (["skin", "--wavelength", "5000"], "--wavelength"),
    (["skin", "--wavelength", "red"], "--wavelength"),
    (["depth", "-w", "633", "--photons", "5"], "--photons"),
    (["depth", "-w", "633", "--plot", "/no/such/dir/d.png"], "--plot"),
    (["depth", "-w", "633", "--plot", "depth.txt"], "--plot"),
    (["devices", "no-such-mask"], "NAME"),
    (["meter", "12", "-u", "W/cm2", "-d", "1"], "--unit"),
    (["meter", "12", "-u", "lux", "-d", "1"], "--unit"),
    (["meter", "12", "-u", "mW/cm2", "-d", "-3"], "--distance"),
    (["evaluate", "no-such-mask"], "DEVICE"),
    (["evaluate", "higherdose-face-mask", "--minutes", "0"], "--minutes"),
    (["evaluate", "higherdose-face-mask", "--minutes", "500"], "--minutes"),
    (["evaluate", "higherdose-face-mask", "--photons", "10"], "--photons"),
    (["evaluate", "higherdose-face-mask", "--html", "/no/such/dir/r.html"], "--html"),
    (["evaluate", "higherdose-face-mask", "--html", "."], "--html"),
    (["evaluate", "higherdose-face-mask", "--html", "report.pdf"], "--html"),
    (["evaluate", "higherdose-face-mask", "--meter-reading", "12 W/cm2"], "--meter-reading"),
    (["evaluate", "higherdose-face-mask", "--fitzpatrick", "VII"], "--fitzpatrick"),
    (["claims", "no-such-file.txt"], "FILE"),
    (["nosuchcommand"], "arguments"),
    # found by the long fuzz run (make fuzz, stop 33): a NUL byte in --db ended as an internal error
    (["backup", "--db", "\x00"], "--db"),
    (["journal", "--db", "a\x00b.sqlite3"], "--db"),
    (["backup", "--db", "~no-such-user-photodose/j.sqlite3"], "--db"),
]


@pytest.mark.parametrize(("args", "field"), BAD, ids=[" ".join(a)[:60] for a, _ in BAD])
def test_bad_input_exits_2_naming_the_field_and_the_fix(args: list[str], field: str) -> None:
    r = runner.invoke(app, args)
    assert r.exit_code == 2, r.output
    assert r.stdout == "", "errors go to stderr without --json"
    assert r.stderr.startswith("error: ") and "\n  fix: " in r.stderr
    assert "Traceback" not in r.output
    if field != "arguments":
        assert r.stderr.startswith(f"error: {field}: ")

    rj = runner.invoke(app, [*args, "--json"])
    assert rj.exit_code == 2, rj.output
    obj = json.loads(rj.stdout)
    assert list(obj) == ["error"]
    err = obj["error"]
    assert err["exit_code"] == 2 and err["message"] and err["fix"]
    if field != "arguments":
        assert err["field"] == field
    assert "Traceback" not in rj.output


def test_bad_output_paths_fail_before_any_work(tmp_path: Path) -> None:
    # A depth run of 10^8 photons takes minutes: the path must be refused first.
    d = tmp_path / "out"
    d.mkdir()
    for plot, problem in ((d, "is a folder"), (d / "x" / "p.png", "does not exist"), (d / "p.xyz", "'.xyz'")):
        r = runner.invoke(
            app, ["depth", "-w", "633", "--photons", "100000000", "--no-cache", "--plot", str(plot)]
        )
        assert r.exit_code == 2 and problem in r.stderr, r.output


# ----------------------------------------------------------------------------- JSON and progress


def test_json_has_no_nan_or_infinity() -> None:
    import numpy as np

    obj = {
        "a": math.nan,
        "b": [1.0, math.inf, -math.inf],
        "c": np.array([0.5, np.nan]),
        "d": np.float64("nan"),
    }
    assert finite_or_none(obj) == {"a": None, "b": [1.0, None, None], "c": [0.5, None], "d": None}
    text = json_text(obj)
    assert "NaN" not in text and "Infinity" not in text
    json.loads(text, parse_constant=lambda name: pytest.fail(f"{name} in JSON"))


def test_progress_appears_after_the_delay_on_stderr_only() -> None:
    from rich.console import Console

    from photodose.cli.progress import LazyProgress

    buf = io.StringIO()
    console = Console(file=buf, force_terminal=True, width=100)
    with LazyProgress(enabled=True, delay_s=0.0, console=console) as bar:
        import time

        time.sleep(0.2)
        bar.stage("depth profile, red 633 nm")
        bar.advance(500, 1000)
        time.sleep(0.3)
    assert "depth profile, red 633 nm" in buf.getvalue()
    quiet = io.StringIO()
    with LazyProgress(enabled=True, delay_s=5.0, console=Console(file=quiet, force_terminal=True)) as bar:
        bar.stage("quick")
    assert quiet.getvalue() == "", "work under the delay shows nothing"


def test_json_runs_print_one_object_and_no_progress(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PHOTODOSE_PROGRESS", "1")
    r = runner.invoke(app, ["transport", str(EXAMPLES / "skin5_633nm.toml"), "--photons", "2000", "--json"])
    assert r.exit_code == 0
    json.loads(r.stdout)  # exactly one object: extra text would make this fail


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(max_size=300), ext=st.sampled_from([".png", ".PNG", ".csv", "", ".png.txt"]))
def test_output_path_problem_never_raises_and_accepts_only_writable_files(
    tmp_path: Path, name: str, ext: str
) -> None:
    from photodose.cli.paths import PLOT_EXTENSIONS, output_path_problem

    # One plain name inside tmp_path: with "/" in it, tmp_path / name could point anywhere.
    path = tmp_path / (name.replace("/", "_") + ext)
    try:
        problem = output_path_problem(path, PLOT_EXTENSIONS)
    except (OSError, ValueError) as exc:  # e.g. a name too long for the file system
        pytest.fail(f"{path!r}: {exc!r}")
    if problem is None:
        assert path.suffix.lower() in PLOT_EXTENSIONS and path.parent.is_dir() and not path.is_dir()
        assert path.resolve().parent == tmp_path.resolve()
        path.write_bytes(b"ok")  # and it can really be written


def test_evaluate_and_depth_report_their_progress() -> None:
    # Cold `evaluate` used to print nothing for ~11 s: the service now names each step, and each
    # depth profile counts its photons; the CLI shows both on stderr (LazyProgress).
    from photodose.depth import depth_profile
    from photodose.services.evaluate import evaluate
    from photodose.skin import SkinProfile

    calls: list[tuple[str, int, int]] = []
    evaluate("higherdose-face-mask", photons=1000, progress=lambda s, d, t: calls.append((s, d, t)))
    stages = [s for s, _, t in calls if t == 0]
    assert stages[:2] == ["reading the device", "irradiance over the face"]
    assert any(s.startswith("depth profile") for s in stages)
    assert all(0 < d <= t for _, d, t in calls if t)

    seen: list[tuple[int, int]] = []
    depth_profile(SkinProfile(), 633.0, 1000, use_cache=False, progress=lambda d, t: seen.append((d, t)))
    assert seen and seen[-1][0] == seen[-1][1] == 1000
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_an_unexpected_exception_is_one_line_exit_1_never_a_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import typer

    from photodose.cli.app import PhotodoseGroup

    demo_app = typer.Typer(cls=PhotodoseGroup, rich_markup_mode=None)

    @demo_app.command()
    def boom(as_json: bool = typer.Option(False, "--json")) -> None:
        raise ZeroDivisionError("a bug")

    @demo_app.command()
    def fine() -> None:
        typer.echo("ok")

    r = runner.invoke(demo_app, ["boom"])
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert r.stderr.startswith("error: internal: unexpected ZeroDivisionError: a bug")
    r = runner.invoke(demo_app, ["boom", "--json"])
    assert r.exit_code == 1 and json.loads(r.stdout)["error"]["exit_code"] == 1
    monkeypatch.setenv("PHOTODOSE_DEBUG", "1")
    r = runner.invoke(demo_app, ["boom"])
    assert isinstance(r.exception, ZeroDivisionError)  # the traceback, on request
    assert runner.invoke(demo_app, ["fine"]).stdout == "ok\n"
