"""Bad and good input for stacks, stack files (TOML, MCML .mci) and the transport CLI."""

from __future__ import annotations

import json
import math
import re
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


# --------------------------------------------------------------------------- hardening (issue 10)

SKIN = str(EXAMPLES / "skin5_633nm.toml")
_ONE_LAYER = '[[layer]]\nname="slab"\nmua_per_cm=1\nmus_per_cm=100\ng=0.9\nn={n}\nthickness_cm=0.1\n'


def _strict_json(text: str) -> dict[str, object]:
    """Parse as strict JSON (RFC 8259): NaN and Infinity are errors, not numbers."""

    def no_constants(name: str) -> None:
        raise ValueError(f"{name} is not JSON")

    obj = json.loads(text, parse_constant=no_constants)
    assert isinstance(obj, dict)
    return obj


def test_streamed_seed_states_equal_the_spawned_ones() -> None:
    # Streaming the per-chunk seeds must not change a single bit of any run.
    import numpy as np

    from photodose.transport.engine import stream_states
    from photodose.transport.rng import seed_states

    for seed in (0, 1, 42, 2**80 + 7):
        spawned = seed_states(seed, 200)
        root = np.random.SeedSequence(seed)
        np.testing.assert_array_equal(stream_states(root, 0, 200), spawned)
        np.testing.assert_array_equal(stream_states(root, 37, 151), spawned[37:151])


def test_huge_photon_counts_are_refused_before_any_memory_is_used() -> None:
    import tracemalloc

    from photodose.transport.engine import MAX_PHOTONS, PhotonCountError, chunk_sizes

    stack = LayerStack([Layer(1, 10, 0.9, 1.4, 0.1)])
    tracemalloc.start()
    try:
        for n in (MAX_PHOTONS + 1, 10**12, 10**18):
            with pytest.raises(PhotonCountError, match="1e\\+10"):
                simulate(stack, n)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000
    # At the limit the per-chunk bookkeeping is small: 2e5 chunks of 50 000 photons.
    sizes = chunk_sizes(MAX_PHOTONS)
    assert sizes.shape[0] == MAX_PHOTONS // 50_000 and int(sizes.sum()) == MAX_PHOTONS


def test_cli_photons_bounded_with_the_json_error_contract() -> None:
    res = runner.invoke(app, ["transport", SKIN, "--photons", "1e12", "--json"])
    assert res.exit_code == 2
    err = _strict_json(res.stdout)["error"]
    assert isinstance(err, dict) and err["field"] == "--photons" and "1e+10" in str(err["message"])
    res = runner.invoke(app, ["transport", SKIN, "--photons", "2e3", "--json"])
    assert res.exit_code == 0, res.output
    assert _strict_json(res.stdout)["photons"] == 2000
    for bad in ("0", "-5", "1.5", "lots", "nan", "inf"):
        res = runner.invoke(app, ["transport", SKIN, "--photons", bad, "--json"])
        assert res.exit_code == 2, (bad, res.output)
        assert _strict_json(res.stdout)["error"]["field"] == "--photons"  # type: ignore[index]


def test_tiny_runs_give_null_not_nan_in_json() -> None:
    # 50 photons are one batch: no spread, so no standard error. Strict JSON has no NaN.
    res = runner.invoke(app, ["transport", SKIN, "--photons", "50", "--json"])
    assert res.exit_code == 0, res.output
    out = _strict_json(res.stdout)
    assert out["diffuse_reflectance_se"] is None
    assert out["absorbed_by_layer_se"] == [None] * 5
    assert out["notes"]


def test_angle_applies_to_oblique_and_is_refused_for_a_pencil_beam() -> None:
    res = runner.invoke(app, ["transport", SKIN, "--photons", "500", "--angle-deg", "45", "--json"])
    assert res.exit_code == 2
    err = _strict_json(res.stdout)["error"]
    assert isinstance(err, dict) and err["field"] == "--angle-deg" and "--source oblique" in str(err["fix"])
    res = runner.invoke(app, ["transport", SKIN, "--photons", "500", "--m", "3", "--json"])
    assert res.exit_code == 2 and _strict_json(res.stdout)["error"]["field"] == "--m"  # type: ignore[index]
    ok = runner.invoke(
        app, ["transport", SKIN, "--photons", "2000", "--source", "oblique", "--angle-deg", "60", "--json"]
    )
    normal = runner.invoke(app, ["transport", SKIN, "--photons", "2000", "--json"])
    assert ok.exit_code == 0 and normal.exit_code == 0
    tilted, straight = _strict_json(ok.stdout), _strict_json(normal.stdout)
    assert "60" in str(tilted["source"])
    # Fresnel: specular reflectance of air→1.4 (the top layer's n) rises from 2.8 % at 0° to ~9 % at 60°.
    assert float(tilted["specular_reflectance"]) > 2 * float(straight["specular_reflectance"])  # type: ignore[arg-type]
    res = runner.invoke(app, ["transport", SKIN, "--source", "oblique", "--angle-deg", "90", "--json"])
    assert res.exit_code == 2 and _strict_json(res.stdout)["error"]["field"] == "--angle-deg"  # type: ignore[index]


@pytest.mark.parametrize("n", ["100", "14", "0.5", "3.5"])
def test_refractive_index_outside_range_is_refused(tmp_path: Path, n: str) -> None:
    f = tmp_path / "n.toml"
    f.write_text(_ONE_LAYER.format(n=n))
    res = runner.invoke(app, ["transport", str(f), "--photons", "100", "--json"])
    assert res.exit_code == 2
    msg = str(_strict_json(res.stdout)["error"]["message"])  # type: ignore[index]
    assert f"n = {float(n):g}" in msg and ("1 … 3" in msg or "≥ 1" in msg)


def test_mci_grid_too_large_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "big.mci"
    f.write_text("1.0\n1\nout.mco A\n1000\n0.01 0.01\n100000 100000 1\n1\n1.0\n1.37 1 100 0.9 0.1\n1.0\n")
    with pytest.raises(StackFileError, match="nz"):
        read_stack_file(f)


@pytest.mark.parametrize(
    ("name", "problem"),
    [("missing/dir/phi.csv", "does not exist"), (".", "is a folder"), ("phi.png", "written as .csv")],
)
def test_fluence_csv_path_is_checked_before_the_run(tmp_path: Path, name: str, problem: str) -> None:
    target = tmp_path / name if name != "." else tmp_path
    res = runner.invoke(
        app, ["transport", SKIN, "--photons", "1e10", "--fluence-csv", str(target), "--json"]
    )  # 1e10 photons would take hours: the path check must come first
    assert res.exit_code == 2
    err = _strict_json(res.stdout)["error"]
    assert isinstance(err, dict) and err["field"] == "--fluence-csv" and problem in str(err["message"])


def test_special_files_and_huge_files_are_refused(tmp_path: Path) -> None:
    res = runner.invoke(app, ["transport", "/dev/zero", "--json"])
    assert res.exit_code == 2 and "regular file" in res.stdout
    big = tmp_path / "big.toml"
    big.write_bytes(b"# " + b"x" * (2 << 20))
    res = runner.invoke(app, ["transport", str(big), "--json"])
    assert res.exit_code == 2 and "larger than" in res.stdout


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"mus_per_cm": "1e12"}, "mus_per_cm = 1e+12 is above"),  # would never lose weight: a hang
        ({"mua_per_cm": "2e5"}, "mua_per_cm = 200000 is above"),
        ({"mus_per_cm": "5e4", "thickness_cm": "10"}, "optical thickness"),
    ],
)
def test_values_that_would_hang_the_kernel_are_refused(
    tmp_path: Path, fields: dict[str, str], problem: str
) -> None:
    layer = {"mua_per_cm": "1", "mus_per_cm": "100", "g": "0.9", "n": "1.4", "thickness_cm": "0.1", **fields}
    f = tmp_path / "s.toml"
    f.write_text("[[layer]]\nname='x'\n" + "".join(f"{k} = {v}\n" for k, v in layer.items()))
    with pytest.raises(StackFileError, match=re.escape(problem)):
        read_stack_file(f)
    # the same layer as the last, semi-infinite one is fine when its coefficients are in range
    if "thickness_cm" in fields:
        f.write_text(f.read_text().replace("thickness_cm = 10", 'thickness_cm = "inf"'))
        assert read_stack_file(f).stack.layers[0].thickness_cm == math.inf
