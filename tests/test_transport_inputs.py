"""Bad and good input for stacks, stack files (TOML, MCML .mci) and the transport CLI."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from photodose.cli import app
from photodose.stackfile import StackFileError, read_stack_file, stack_from_mapping
from photodose.transport import Layer, LayerStack, StackError, simulate

EXAMPLES = Path(__file__).parent.parent / "examples"
runner = CliRunner()


@pytest.mark.parametrize(
    ("layer", "field"),
    [
        (Layer(1, 10, 0.9, 1.4, -0.1), "thickness_cm"),
        (Layer(1, 10, 0.9, 1.4, 0.0), "thickness_cm"),
        (Layer(1, 10, 1.0, 1.4, 0.1), "g"),
        (Layer(1, 10, -1.2, 1.4, 0.1), "g"),
        (Layer(1, 10, 0.9, 0.9, 0.1), "n"),
        (Layer(math.nan, 10, 0.9, 1.4, 0.1), "mua_per_cm"),
        (Layer(1, -5, 0.9, 1.4, 0.1), "mus_per_cm"),
    ],
)
def test_bad_layer_is_named_with_its_field(layer: Layer, field: str) -> None:
    good = Layer(1, 10, 0.9, 1.4, 0.1, "top")
    bad = Layer(layer.mua_per_cm, layer.mus_per_cm, layer.g, layer.n, layer.thickness_cm, "dermis")
    with pytest.raises(StackError, match=rf"layer 2 \('dermis'\).*{field}"):
        LayerStack([good, bad])


def test_only_the_last_layer_may_be_infinite_and_stack_not_empty() -> None:
    with pytest.raises(StackError, match="only the last layer"):
        LayerStack([Layer(1, 10, 0.9, 1.4, math.inf), Layer(1, 10, 0.9, 1.4, 0.1)])
    with pytest.raises(StackError, match="no layers"):
        LayerStack([])
    with pytest.raises(StackError, match="n_above"):
        LayerStack([Layer(1, 10, 0.9, 1.4, 0.1)], n_above=0.5)


finite = st.one_of(st.floats(min_value=-10, max_value=1e3), st.sampled_from([math.nan, math.inf, -math.inf]))


@settings(max_examples=200, deadline=None)
@given(mua=finite, mus=finite, g=finite, n=finite, d=finite)
def test_any_layer_is_either_valid_or_rejected_by_name(
    mua: float, mus: float, g: float, n: float, d: float
) -> None:
    try:
        stack = LayerStack([Layer(mua, mus, g, n, d, "x")])
    except StackError as exc:
        assert "layer 1 ('x')" in str(exc)
        return
    assert stack.layers[0].thickness_cm > 0 and -1 < stack.layers[0].g < 1


@settings(max_examples=150, deadline=None)
@given(
    data=st.dictionaries(
        st.sampled_from(["n_above", "n_below", "layer", "bogus"]),
        st.one_of(
            st.floats(allow_nan=True),
            st.text(max_size=5),
            st.lists(
                st.dictionaries(
                    st.sampled_from(["name", "mua_per_cm", "mus_per_cm", "g", "n", "thickness_cm", "x"]),
                    st.one_of(st.floats(allow_nan=True), st.text(max_size=4), st.booleans()),
                ),
                max_size=3,
            ),
        ),
    )
)
def test_stack_mapping_parser_never_crashes(data: dict[str, object]) -> None:
    try:
        stack = stack_from_mapping(data, "f.toml")
    except StackFileError as exc:
        assert str(exc).startswith("f.toml")
    else:
        assert len(stack.layers) >= 1


def test_toml_syntax_error_reports_the_line(tmp_path: Path) -> None:
    f = tmp_path / "bad.toml"
    f.write_text("n_above = 1.0\n[[layer]]\nmua_per_cm = = 3\n")
    with pytest.raises(StackFileError, match="line 3"):
        read_stack_file(f)


def test_toml_bad_value_names_layer_and_field(tmp_path: Path) -> None:
    f = tmp_path / "bad.toml"
    f.write_text(
        '[[layer]]\nname="epi"\nmua_per_cm=1\nmus_per_cm=100\ng=0.9\nn=1.4\nthickness_cm=0.01\n'
        '[[layer]]\nname="derm"\nmua_per_cm=1\nmus_per_cm="lots"\ng=0.9\nn=1.4\nthickness_cm=0.1\n'
    )
    with pytest.raises(StackFileError, match=r"layer 2 \('derm'\): mus_per_cm must be a number"):
        read_stack_file(f)


def test_inf_thickness_allowed_last(tmp_path: Path) -> None:
    f = tmp_path / "semi.toml"
    f.write_text("[[layer]]\nmua_per_cm=1\nmus_per_cm=100\ng=0.9\nn=1.4\nthickness_cm=inf\n")
    assert math.isinf(read_stack_file(f).stack.layers[0].thickness_cm)


def test_mci_reads_first_run() -> None:
    spec = read_stack_file(EXAMPLES / "mcml_3layer.mci")
    assert spec.photons == 1_000_000
    assert [ly.mus_per_cm for ly in spec.stack.layers] == [100.0, 10.0, 10.0]
    assert spec.depth_grid is not None and spec.depth_grid.bins == 40
    assert spec.radial_grid is not None and spec.radial_grid.step_cm == 0.01


def test_mci_truncated_names_what_is_missing(tmp_path: Path) -> None:
    f = tmp_path / "t.mci"
    f.write_text("1.0\n1\nout.mco A\n1000\n0.01 0.01\n40 50 1\n2\n1.0\n1.37 1 100 0.9 0.1\n")
    with pytest.raises(StackFileError, match="layer 2"):
        read_stack_file(f)


def test_cli_json_has_the_promised_keys() -> None:
    res = runner.invoke(app, ["transport", str(EXAMPLES / "skin5_633nm.toml"), "--photons", "5000", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    for key in (
        "specular_reflectance", "diffuse_reflectance", "diffuse_reflectance_se", "transmittance",
        "transmittance_se", "absorbed_by_layer", "absorbed_by_layer_se", "photons",
        "wall_seconds", "photons_per_second",
    ):  # fmt: skip
        assert key in out
    assert len(out["absorbed_by_layer"]) == 5
    assert out["photons"] == 5000


def test_cli_bad_input_exits_2_with_a_named_field(tmp_path: Path) -> None:
    f = tmp_path / "neg.toml"
    f.write_text('[[layer]]\nname="epi"\nmua_per_cm=1\nmus_per_cm=100\ng=0.9\nn=1.4\nthickness_cm=-1\n')
    res = runner.invoke(app, ["transport", str(f), "--photons", "100"])
    assert res.exit_code == 2
    assert "thickness_cm" in res.output


def test_cli_table_and_fluence_csv(tmp_path: Path) -> None:
    csv = tmp_path / "phi.csv"
    res = runner.invoke(
        app,
        [
            "transport",
            str(EXAMPLES / "mcml_3layer.mci"),
            "--photons",
            "3000",
            "--fluence-csv",
            str(csv),
        ],
    )
    assert res.exit_code == 0, res.output
    assert "diffuse reflectance" in res.stdout
    lines = csv.read_text().splitlines()
    assert lines[0] == "depth_cm,absorption_per_cm,fluence_per_irradiance"
    assert len(lines) == 41


def test_simulate_rejects_bad_run_settings() -> None:
    stack = LayerStack([Layer(1, 10, 0.9, 1.4, 0.1)])
    with pytest.raises(ValueError, match="photons"):
        simulate(stack, 0)
    with pytest.raises(ValueError, match="threads"):
        simulate(stack, 10, threads=0)
