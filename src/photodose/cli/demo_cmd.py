"""``photodose demo``: the transport engine on the bundled five-layer skin case."""

from __future__ import annotations

from importlib.resources import files

from photodose.cli.app import app
from photodose.cli.transport_cmd import print_result_table
from photodose.stackfile import stack_from_mapping
from photodose.transport import simulate


@app.command()
def demo(photons: int = 200_000, seed: int = 1) -> None:
    """Light transport through five-layer skin at 633 nm, with a readable summary."""
    import tomllib

    text = (files("photodose") / "data" / "examples" / "skin5_633nm.toml").read_text("utf-8")
    stack = stack_from_mapping(tomllib.loads(text), "skin5_633nm.toml")
    print_result_table(simulate(stack, photons, seed=seed))
