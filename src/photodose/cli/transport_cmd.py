"""``photodose transport``: run the Monte Carlo engine on a stack file (TOML or MCML .mci)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeRemainingColumn
from rich.table import Table

from photodose.cli.app import EXIT_BAD_INPUT, app
from photodose.stackfile import StackFileError, read_stack_file
from photodose.transport import Source, TransportResult, simulate
from photodose.transport.sources import cosine_source, oblique_beam, pencil_beam

console = Console()
err_console = Console(stderr=True)


class _LazyProgress:
    """A progress bar that appears only once a run has lasted more than a second."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total = total
        self.enabled = enabled
        self.t0 = time.perf_counter()
        self.progress: Progress | None = None
        self.task: TaskID | None = None

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self.progress is None and time.perf_counter() - self.t0 > 1.0:
            self.progress = Progress(
                TextColumn("photons"), BarColumn(), TextColumn("{task.completed:,}/{task.total:,}"),
                TimeRemainingColumn(), console=err_console, transient=True,
            )  # fmt: skip
            self.progress.start()
            self.task = self.progress.add_task("photons", total=total)
        if self.progress is not None and self.task is not None:
            self.progress.update(self.task, completed=done)

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()


def _source(kind: str, angle_deg: float, m: float) -> Source:
    if kind == "pencil":
        return pencil_beam()
    if kind == "oblique":
        return oblique_beam(angle_deg)
    if kind == "led":
        return cosine_source(m)
    raise ValueError(f"--source {kind!r}: use pencil, oblique or led")


def result_json(res: TransportResult) -> dict[str, object]:
    out = res.summary()
    out["layers"] = [
        {"name": ly.name, "mua_per_cm": ly.mua_per_cm, "mus_per_cm": ly.mus_per_cm, "g": ly.g,
         "n": ly.n, "thickness_cm": ly.thickness_cm if np.isfinite(ly.thickness_cm) else "inf"}
        for ly in res.stack.layers
    ]  # fmt: skip
    out["provenance"] = "computed: Monte Carlo photon transport (photodose.transport, MCML physics)"
    return out


def print_result_table(res: TransportResult) -> None:
    def pm(v: float, se: float) -> str:
        return f"{v:.5f} ± {se:.5f}" if np.isfinite(se) else f"{v:.5f}"

    t = Table(title=f"Light transport: {res.photons:,} photons, {res.source}")
    t.add_column("quantity")
    t.add_column("fraction of incident power", justify="right")
    t.add_row("specular reflectance", f"{res.specular_reflectance:.5f}")
    t.add_row("diffuse reflectance", pm(res.diffuse_reflectance, res.diffuse_reflectance_se))
    t.add_row("transmittance", pm(res.transmittance, res.transmittance_se))
    for name, a, se in zip(res.layer_names, res.absorbed_by_layer, res.absorbed_by_layer_se, strict=True):
        t.add_row(f"absorbed: {name}", pm(float(a), float(se)))
    t.add_row("energy balance", f"{res.energy_balance:.6f}")
    console.print(t)
    console.print(
        f"{res.wall_seconds:.2f} s, {res.photons_per_second:,.0f} photons/s on {res.threads} "
        f"thread(s); ± is one standard error (batch means). Values are computed."
    )


@app.command()
def transport(
    stack_file: Annotated[Path, typer.Argument(help="Layer stack: .toml or MCML .mci file")],
    photons: Annotated[
        int | None, typer.Option(help="Photon packets (default: the .mci's, else 100000)")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed; the same seed gives the same result")] = 1,
    threads: Annotated[int | None, typer.Option(help="Threads (default: all cores)")] = None,
    source: Annotated[str, typer.Option(help="pencil | oblique | led")] = "pencil",
    angle_deg: Annotated[float, typer.Option(help="Incidence angle for --source oblique")] = 0.0,
    m: Annotated[float, typer.Option(help="cos^m exponent for --source led (1 = Lambertian)")] = 1.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
    fluence_csv: Annotated[
        Path | None, typer.Option(help="Write depth_cm, A(z), fluence per irradiance")
    ] = None,
    backend: Annotated[str, typer.Option(help="cpu | cuda (a GPU via Numba-CUDA)")] = "cpu",
) -> None:
    """Monte Carlo light transport through a layered medium (MCML physics)."""
    try:
        spec = read_stack_file(stack_file)
        src = _source(source, angle_deg, m)
        n_photons = photons if photons is not None else (spec.photons or 100_000)
        if n_photons < 1:
            raise ValueError(f"--photons {n_photons}: launch at least 1 photon")
        if threads is not None and threads < 1:
            raise ValueError(f"--threads {threads}: use at least 1")
    except (StackFileError, ValueError) as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    bar = _LazyProgress(n_photons, enabled=not as_json)
    try:
        res = simulate(
            spec.stack, n_photons, source=src, seed=seed, threads=threads,
            depth_grid=spec.depth_grid, radial_grid=spec.radial_grid,
            angle_bins=spec.angle_bins or 30, progress=bar, backend=backend,
        )  # fmt: skip
    except (RuntimeError, ValueError) as exc:  # e.g. --backend cuda without a GPU
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    finally:
        bar.close()
    if fluence_csv is not None:
        data = np.column_stack([res.depth_centers_cm, res.absorption_per_cm, res.fluence_per_irradiance])
        np.savetxt(
            fluence_csv, data, delimiter=",", fmt="%.6g",
            header="depth_cm,absorption_per_cm,fluence_per_irradiance", comments="",
        )  # fmt: skip
    if as_json:
        typer.echo(json.dumps(result_json(res)))
    else:
        print_result_table(res)
