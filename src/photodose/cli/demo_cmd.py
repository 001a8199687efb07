"""``photodose demo``: the transport engine on the bundled five-layer skin case (no file needed)."""

from __future__ import annotations

from typing import Annotated

import typer

from photodose.cli.app import app
from photodose.cli.transport_cmd import MAX_PHOTONS, parse_count


@app.command()
def demo(
    photons: Annotated[str, typer.Option(help="Photon packets, 1 to 1e10 (e.g. 200000 or 2e5)")] = "200000",
    seed: Annotated[int, typer.Option(help="Seed, ≥ 0; the same seed gives the same result")] = 1,
) -> None:
    """Light transport through five-layer skin at 633 nm (the bundled example), as a table."""
    import tomllib
    from importlib.resources import files

    from photodose.cli.errors import bad_input
    from photodose.cli.progress import LazyProgress, progress_wanted
    from photodose.cli.transport_cmd import print_result_table
    from photodose.stackfile import stack_from_mapping
    from photodose.transport import simulate

    n = parse_count(photons, "--photons", lo=1, hi=MAX_PHOTONS, as_json=False)
    if seed < 0:
        bad_input("--seed", f"{seed} is negative", "give a non-negative whole number")
    text = (files("photodose") / "data" / "examples" / "skin5_633nm.toml").read_text("utf-8")
    stack = stack_from_mapping(tomllib.loads(text), "skin5_633nm.toml")
    with LazyProgress(enabled=progress_wanted()) as bar:
        bar.stage("tracing photons")
        res = simulate(stack, n, seed=seed, progress=bar.advance)
    print_result_table(res)
