"""``photodose transport``: run the Monte Carlo engine on a stack file (TOML or MCML .mci).

numpy, Rich tables and the engine (numba) are imported inside the command so that
``photodose --help`` stays fast.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from photodose.cli.app import app
from photodose.cli.errors import bad_input
from photodose.cli.output import echo_json
from photodose.cli.paths import CSV_EXTENSIONS, check_output_path

if TYPE_CHECKING:
    from photodose.transport import Source, TransportResult

#: Most photons one command runs; the engine's own limit (photodose.transport.engine.MAX_PHOTONS).
MAX_PHOTONS = 10**10
#: Most worker threads: more than a few per core only adds overhead (and a thread each).
MAX_THREADS = 1024
SOURCES = ("pencil", "oblique", "led")


def parse_count(text: str, option: str, *, lo: int, hi: int, as_json: bool) -> int:
    """A whole number written as ``100000``, ``100_000``, ``1e5`` or ``1,000,000`` in ``lo … hi``."""
    raw = text.strip().replace("_", "").replace(",", "")
    try:
        value = float(raw)
    except ValueError:
        bad_input(
            option, f"{text!r} is not a number", f"give a whole number, e.g. {option} 100000", as_json=as_json
        )
    if not math.isfinite(value) or value != int(value):
        bad_input(
            option,
            f"{text!r} is not a whole number",
            f"give a whole number, e.g. {option} 100000",
            as_json=as_json,
        )
    n = int(value)
    if not lo <= n <= hi:
        bad_input(
            option,
            f"{n:,} is outside {lo:,} … {hi:.0e}",
            f"give a count between {lo:,} and {hi:.0e}",
            as_json=as_json,
        )
    return n


def _source(kind: str, angle_deg: float | None, m: float | None, as_json: bool) -> Source:
    from photodose.transport.sources import cosine_source, oblique_beam, pencil_beam

    if kind not in SOURCES:
        bad_input(
            "--source", f"{kind!r} is not a source", f"use one of: {', '.join(SOURCES)}", as_json=as_json
        )
    if angle_deg is not None and kind != "oblique":
        bad_input(
            "--angle-deg",
            f"an incidence angle applies to --source oblique, not to --source {kind}",
            f"add --source oblique to tilt the beam by {angle_deg:g}°, or drop --angle-deg",
            as_json=as_json,
        )
    if m is not None and kind != "led":
        bad_input(
            "--m", f"a cos^m exponent applies to --source led, not to --source {kind}",
            "add --source led, or drop --m", as_json=as_json,
        )  # fmt: skip
    if kind == "oblique":
        a = 0.0 if angle_deg is None else angle_deg
        if not (math.isfinite(a) and 0.0 <= a < 90.0):
            bad_input(
                "--angle-deg",
                f"{a:g}° is outside 0 ≤ angle < 90",
                "give an angle from the normal, e.g. 45",
                as_json=as_json,
            )
        return oblique_beam(a)
    if kind == "led":
        mm = 1.0 if m is None else m
        if not (math.isfinite(mm) and 0.0 <= mm <= 1000.0):
            bad_input(
                "--m",
                f"{mm:g} is outside 0 … 1000",
                "use 1 for a Lambertian LED, higher for a narrower beam",
                as_json=as_json,
            )
        return cosine_source(mm)
    return pencil_beam()


def result_json(res: TransportResult) -> dict[str, object]:
    out = res.summary()
    out["layers"] = [
        {"name": ly.name, "mua_per_cm": ly.mua_per_cm, "mus_per_cm": ly.mus_per_cm, "g": ly.g,
         "n": ly.n, "thickness_cm": ly.thickness_cm if math.isfinite(ly.thickness_cm) else "inf"}
        for ly in res.stack.layers
    ]  # fmt: skip
    out["provenance"] = "computed: Monte Carlo photon transport (photodose.transport, MCML physics)"
    out["notes"] = (
        ["standard errors are null: a run of one batch has no spread to estimate them from; use more photons"]
        if not math.isfinite(res.diffuse_reflectance_se)
        else []
    )
    return out


def print_result_table(res: TransportResult) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()

    def pm(v: float, se: float) -> str:
        return f"{v:.5f} ± {se:.5f}" if math.isfinite(se) else f"{v:.5f}"

    t = Table(title=f"Light transport: {res.photons:,} photons, {res.source}")
    t.add_column("quantity")
    t.add_column("fraction of incident power", justify="right")
    t.add_row("specular reflectance", f"{res.specular_reflectance:.5f}")
    t.add_row("diffuse reflectance", pm(res.diffuse_reflectance, res.diffuse_reflectance_se))
    t.add_row("transmittance", pm(res.transmittance, res.transmittance_se))
    for name, a, se in zip(res.layer_names, res.absorbed_by_layer, res.absorbed_by_layer_se, strict=True):
        t.add_row(f"absorbed: {name}", pm(float(a), float(se)))
    t.add_row("energy balance", f"{res.energy_balance:.6f}")
    console.print(t, markup=False)
    console.print(
        f"{res.wall_seconds:.2f} s, {res.photons_per_second:,.0f} photons/s on {res.threads} "
        f"thread(s); ± is one standard error (batch means). Values are computed.",
        markup=False,
    )


@app.command()
def transport(
    stack_file: Annotated[Path, typer.Argument(help="Layer stack: .toml or MCML .mci file")],
    photons: Annotated[
        str | None,
        typer.Option(help="Photon packets, 1 to 1e10, e.g. 100000 or 1e6 (default: the .mci's, else 100000)"),
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed, ≥ 0; the same seed gives the same result")] = 1,
    threads: Annotated[int | None, typer.Option(help="Threads, 1 to 1024 (default: all cores)")] = None,
    source: Annotated[str, typer.Option(help="pencil | oblique | led")] = "pencil",
    angle_deg: Annotated[
        float | None, typer.Option(help="Incidence angle from the normal, 0 ≤ θ < 90, for --source oblique")
    ] = None,
    m: Annotated[
        float | None, typer.Option(help="cos^m exponent for --source led (default 1 = Lambertian)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
    fluence_csv: Annotated[
        Path | None, typer.Option(help="Write depth_cm, A(z), fluence per irradiance (.csv)")
    ] = None,
    backend: Annotated[str, typer.Option(help="cpu | cuda (a GPU via Numba-CUDA)")] = "cpu",
) -> None:
    """Monte Carlo light transport through a layered medium (MCML physics)."""
    check_output_path(fluence_csv, "--fluence-csv", CSV_EXTENSIONS, as_json=as_json)
    if backend not in ("cpu", "cuda"):
        bad_input("--backend", f"{backend!r} is not a backend", "use cpu or cuda", as_json=as_json)
    if seed < 0 or seed >= 2**128:
        bad_input(
            "--seed", f"{seed} is outside 0 … 2^128−1", "give a non-negative whole number", as_json=as_json
        )
    if threads is not None and not 1 <= threads <= MAX_THREADS:
        bad_input(
            "--threads", f"{threads} is outside 1 … {MAX_THREADS}",
            f"give 1 to {MAX_THREADS} (this machine has {os.cpu_count() or 1} cores), or leave it out",
            as_json=as_json,
        )  # fmt: skip
    n_photons = (
        None if photons is None else parse_count(photons, "--photons", lo=1, hi=MAX_PHOTONS, as_json=as_json)
    )

    if not stack_file.is_file():  # checked before importing the engine (numba): a typo answers at once
        what = "no such file" if not stack_file.exists() else "not a regular file (a folder or a device)"
        bad_input(
            "STACK_FILE", f"{stack_file}: {what}",
            "give a .toml layer stack (see examples/skin5_633nm.toml) or an MCML .mci file",
            as_json=as_json,
        )  # fmt: skip

    from photodose.stackfile import StackFileError, read_stack_file

    try:
        spec = read_stack_file(stack_file)
    except StackFileError as exc:
        bad_input(
            getattr(exc, "field", None) or "STACK_FILE", str(exc),
            "see examples/skin5_633nm.toml (TOML) or examples/mcml_3layer.mci (MCML) for the format",
            as_json=as_json,
        )  # fmt: skip
    src = _source(source, angle_deg, m, as_json)
    if n_photons is None:
        n_photons = spec.photons or 100_000
        if n_photons > MAX_PHOTONS:
            bad_input(
                "STACK_FILE", f"the .mci file asks for {n_photons:,} photons, more than {MAX_PHOTONS:.0e}",
                "override it with --photons", as_json=as_json,
            )  # fmt: skip

    from photodose.cli.progress import LazyProgress, progress_wanted
    from photodose.transport import simulate

    kwargs: dict[str, Any] = {
        "source": src, "seed": seed, "threads": threads, "depth_grid": spec.depth_grid,
        "radial_grid": spec.radial_grid, "angle_bins": spec.angle_bins or 30, "backend": backend,
    }  # fmt: skip
    with LazyProgress(enabled=progress_wanted(as_json)) as bar:
        bar.stage(f"tracing photons ({backend})")
        try:
            res = simulate(spec.stack, n_photons, progress=bar.advance, **kwargs)
        except ImportError as exc:  # --backend cuda without numba-cuda installed
            bad_input(
                "--backend", f"the CUDA backend cannot load: {exc}",
                "pip install 'photodose[gpu]' (needs an NVIDIA driver), or use --backend cpu",
                as_json=as_json,
            )  # fmt: skip
        except (RuntimeError, ValueError) as exc:  # e.g. --backend cuda without a GPU
            field = "--backend" if backend == "cuda" else "STACK_FILE"
            bad_input(field, str(exc), "use --backend cpu, or fix the value named above", as_json=as_json)
    if fluence_csv is not None:
        import numpy as np

        data = np.column_stack([res.depth_centers_cm, res.absorption_per_cm, res.fluence_per_irradiance])
        try:
            np.savetxt(
                fluence_csv, data, delimiter=",", fmt="%.6g",
                header="depth_cm,absorption_per_cm,fluence_per_irradiance", comments="",
            )  # fmt: skip
        except OSError as exc:
            bad_input(
                "--fluence-csv",
                f"cannot write {fluence_csv}: {exc.strerror or exc}",
                "choose another path",
                as_json=as_json,
            )
    if as_json:
        echo_json(result_json(res))
    else:
        print_result_table(res)
