"""``photodose sweep``: depth profiles over devices × skin types × sites × wavelengths, to a table."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from photodose.cli.app import app

_FIELDS = {
    "device": "--device",
    "fitzpatrick": "--fitzpatrick",
    "skin type": "--fitzpatrick",
    "site": "--site",
    "wavelength": "--wavelength",
    "channel": "--wavelength",
    "composition": "--composition",
    "photons": "--photons",
}


_FIXES = {
    "--device": "`photodose devices` lists the catalogue; give --wavelength NM near a channel it has",
    "--fitzpatrick": "give I, II, III, IV, V or VI",
    "--site": "`photodose skin --help` lists the face sites",
    "--wavelength": "give 400–1000 nm, or a wavelength near one of the device's channels",
    "--composition": "give central, low or high",
    "--photons": "give at least 100 photons",
}


@app.command()
def sweep(
    device: Annotated[
        list[str] | None, typer.Option("--device", "-d", help="Catalogued device (repeat for several)")
    ] = None,
    fitzpatrick: Annotated[
        list[str] | None, typer.Option(help="Skin type I–VI (repeat; default: all six)")
    ] = None,
    site: Annotated[list[str] | None, typer.Option(help="Face site (repeat; default: forehead)")] = None,
    wavelength: Annotated[
        list[float] | None,
        typer.Option(
            "--wavelength", "-w", help="nm: a device's channels near it, or a bare band without --device"
        ),
    ] = None,
    composition: Annotated[
        list[str] | None,
        typer.Option(help="Skin composition sample: central, low, high (repeat; default: all three)"),
    ] = None,
    photons: Annotated[
        str, typer.Option(help="Photons per central cell (bounds get a tenth, ≥ 2000)")
    ] = "100000",
    seed: Annotated[int, typer.Option(help="Seed of every cell, ≥ 0 (same seed, same numbers)")] = 1,
    out: Annotated[
        Path | None, typer.Option(help="Results table, .parquet (needs pyarrow) or .csv; resumed if present")
    ] = None,
    executor: Annotated[str, typer.Option(help="serial | pool (local processes) | dask")] = "pool",
    workers: Annotated[int | None, typer.Option(help="Worker processes (default: CPU count)")] = None,
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler address tcp://host:8786 (implies --executor dask)")
    ] = None,
    who_gets_what: Annotated[
        bool,
        typer.Option(
            "--who-gets-what", help="Also show each device's dermal dose per session across the skins"
        ),
    ] = False,
    plot: Annotated[
        Path | None,
        typer.Option("--plot", help="Write the who-gets-what figure here (implies --who-gets-what)"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary")] = False,
) -> None:
    """Depth profiles over devices × skin types × sites × wavelengths × skin compositions → a table
    (Parquet or CSV) of dermis absorption, penetration depths and fluence at fixed depths; finished
    cells are kept, so an interrupted sweep resumes where it stopped."""
    from photodose.cli.errors import bad_input, field_from_message
    from photodose.cli.output import echo_json
    from photodose.cli.paths import PLOT_EXTENSIONS, check_output_path
    from photodose.cli.progress import LazyProgress, progress_wanted
    from photodose.cli.transport_cmd import parse_count
    from photodose.sweep import (
        COMPOSITIONS,
        EXECUTORS,
        SweepInputError,
        SweepTableError,
        build_cells,
        default_out,
        run_sweep,
    )

    n = parse_count(photons, "--photons", lo=100, hi=10**9, as_json=as_json)
    if seed < 0:
        bad_input("--seed", f"{seed} is negative", "give a non-negative whole number", as_json=as_json)
    if scheduler:
        if not scheduler.startswith(("tcp://", "tls://", "ucx://", "inproc://")):
            bad_input("--scheduler", f"{scheduler!r} is not a scheduler address",
                      "give the Dask scheduler's address, e.g. tcp://10.0.0.5:8786",
                      as_json=as_json)  # fmt: skip
        executor = "dask"
    if executor not in EXECUTORS:
        bad_input("--executor", f"{executor!r} is not an executor", f"use one of: {', '.join(EXECUTORS)}",
                  as_json=as_json)  # fmt: skip
    if workers is not None and not (1 <= workers <= 4096):
        bad_input("--workers", f"{workers} workers", "give 1 to 4096 worker processes", as_json=as_json)
    target = out if out is not None else default_out()
    suffixes = [".parquet", ".csv"] if target.suffix.lower() == ".parquet" else [".csv", ".parquet"]
    checked = check_output_path(target, "--out", suffixes, as_json=as_json)
    assert checked is not None
    check_output_path(plot, "--plot", PLOT_EXTENSIONS, as_json=as_json)
    if plot is not None:
        if not device:
            bad_input("--plot", "the who-gets-what figure needs device cells", "add --device NAME",
                      as_json=as_json)  # fmt: skip
        who_gets_what = True
    comps = composition or list(COMPOSITIONS)
    if not device and not wavelength:
        bad_input("--device", "nothing to sweep", "give --device NAME (repeatable) or --wavelength NM",
                  as_json=as_json)  # fmt: skip
    try:
        cells = build_cells(
            list(device or []),
            list(fitzpatrick or ["I", "II", "III", "IV", "V", "VI"]),
            list(site or ["forehead"]),
            [float(w) for w in wavelength or []],
            comps,
            n,
            seed,
        )
    except SweepInputError as exc:
        msg = str(exc)
        field = field_from_message(msg, _FIELDS, "--device")
        bad_input(field, msg, _FIXES.get(field, "see `photodose sweep --help`"), as_json=as_json)
    try:
        with LazyProgress(enabled=progress_wanted(as_json)) as bar:
            bar.stage(f"sweeping {len(cells)} cells")
            summary = run_sweep(
                cells, checked, executor=executor, workers=workers, scheduler=scheduler,
                progress=lambda done, total: bar.report(f"{done}/{total} cells", done, total),
            )  # fmt: skip
    except SweepTableError as exc:
        bad_input("--out", str(exc), "give a new file name, or the table of the same sweep to resume it",
                  as_json=as_json)  # fmt: skip
    except RuntimeError as exc:  # dask missing, or a cluster that cannot be reached
        bad_input("--executor" if scheduler is None else "--scheduler", str(exc),
                  "use --executor pool, or install the [cluster] extra / check the address",
                  as_json=as_json)  # fmt: skip
    except OSError as exc:  # a scheduler that does not answer, or a folder that cannot be written
        if scheduler:
            bad_input("--scheduler", str(exc),
                      "start one there (`dask scheduler`), or leave out --scheduler for a local cluster",
                      as_json=as_json)  # fmt: skip
        bad_input("--out", str(exc), "give a file in a folder you can write to", as_json=as_json)
    spread_rows: list[dict[str, object]] = []
    if who_gets_what:
        from photodose.sweep import read_table
        from photodose.sweep.who import spread
        from photodose.sweep.who import who_gets_what as dermal_doses

        doses = dermal_doses(read_table(checked))
        spread_rows = spread(doses)
        if plot is not None and doses:
            from photodose.sweep.who import plot_who_gets_what

            plot_who_gets_what(doses, plot)
    if as_json:
        payload: dict[str, object] = {"sweep": summary.as_dict()}
        if who_gets_what:
            payload["who_gets_what"] = spread_rows
        echo_json(payload)
        return
    typer.echo(
        f"{summary.cells} cells: {summary.computed} computed, {summary.reused} already in the table, "
        f"{summary.errors} failed; {summary.seconds:.1f} s on {summary.workers} worker(s) "
        f"({summary.executor})"
    )
    typer.echo(f"table: {summary.out}")
    if who_gets_what:
        _print_spread(spread_rows)


def _print_spread(rows: list[dict[str, object]]) -> None:
    from rich.console import Console
    from rich.table import Table

    if not rows:
        typer.echo("who gets what: no device cells in this sweep (give --device)")
        return
    t = Table(title="Who gets what: dermal dose per session (J/cm², computed: E·t·mean φ over the dermis)")
    for col in ("device", "channel", "min", "median", "max", "least", "most", "range (low–high)"):
        t.add_column(col)
    for r in rows:
        lo, hi = r["dermis_j_cm2_lowest_low"], r["dermis_j_cm2_highest_high"]
        t.add_row(
            str(r["device"]), str(r["channel"]), f"{r['dermis_j_cm2_min']:.3g}",
            f"{r['dermis_j_cm2_median']:.3g}", f"{r['dermis_j_cm2_max']:.3g}",
            str(r["least"]), str(r["most"]),
            f"{lo:.3g}–{hi:.3g}" if lo is not None and hi is not None else "central only",
        )  # fmt: skip
    Console().print(t)
