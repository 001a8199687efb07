"""Read layer stacks from files: photodose's TOML format and MCML's ``.mci`` input files.

TOML::

    n_above = 1.0
    n_below = 1.0
    [[layer]]
    name = "epidermis"
    mua_per_cm = 4.3
    mus_per_cm = 107
    g = 0.79
    n = 1.4
    thickness_cm = 0.01      # `inf` (or "inf") is allowed for the last layer

MCML ``.mci`` (Wang & Jacques, MCML manual §9.1): the first run of the file is read — its
photon count, grid (dz, dr, nz, nr, na) and layers (n, μa, μs, g, d per line).

Every problem raises :class:`StackFileError` whose message names the file, the line or the
layer and field, and what to write instead.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from photodose.transport import Grid, Layer, LayerStack, StackError

LAYER_FIELDS = ("mua_per_cm", "mus_per_cm", "g", "n", "thickness_cm")

#: Refractive indices a stack file may give. Tissue and water lie at 1.33–1.55 (Ding et al.
#: 2006; Matiatou et al. 2013, see data/optics), glass near 1.5, diamond 2.42; the Fresnel and
#: Snell steps of the kernel hold for any n ≥ 1, but an index above 3 in a skin or phantom
#: stack is a typing error (e.g. 14 for 1.4), so it is refused rather than simulated.
N_RANGE = (1.0, 3.0)
#: Largest μa and μs a stack file may give [1/cm]. Whole blood near 415 nm absorbs ~3 000 /cm
#: and skin scatters 100–1 000 /cm (Jacques 2013, see data/optics); a value a thousand times
#: beyond is a typing error, and at μs ~ 10^12 a photon never loses weight: the run would hang.
MAX_MUA_PER_CM = 1e5
MAX_MUS_PER_CM = 1e5
#: Largest optical thickness (μa + μs)·d of a finite layer: photons take ~τ steps to leave it
#: (~10^5 steps is ~1 ms per photon), so a mistyped thickness cannot make a run hang.
MAX_OPTICAL_THICKNESS = 1e5
#: Largest stack file read (a skin stack is under 2 kB; the MCML manual's examples under 1 kB).
MAX_FILE_BYTES = 1 << 20
#: Most layers in a stack, and the largest tally grids an .mci file may ask for: MCML's own
#: examples use nz = 200, nr = 500, na = 30; A(r, z) holds nr × nz doubles per worker chunk.
MAX_LAYERS = 1000
MAX_BINS = 10_000
MAX_ANGLE_BINS = 1000
MAX_RZ_CELLS = 1_000_000


class StackFileError(ValueError):
    """A stack file that cannot be read; the message says where and how to fix it."""


@dataclass(frozen=True)
class StackSpec:
    """A stack read from a file, with the run settings the file carried (MCML files do)."""

    stack: LayerStack
    photons: int | None = None
    depth_grid: Grid | None = None
    radial_grid: Grid | None = None
    angle_bins: int | None = None


def _number(value: Any, where: str, fieldname: str) -> float:
    if isinstance(value, bool):
        raise StackFileError(f"{where}: {fieldname} must be a number, got {value!r}")
    if isinstance(value, str) and value.strip().lower() in ("inf", "infinity", "+inf"):
        return math.inf
    try:
        return float(value)
    except (TypeError, ValueError):
        raise StackFileError(f"{where}: {fieldname} must be a number, got {value!r}") from None


def check_indices(stack: LayerStack, origin: str) -> LayerStack:
    """``stack`` if every refractive index lies in :data:`N_RANGE` and every μa, μs and optical
    thickness within the maxima above, else :class:`StackFileError` naming layer and field."""
    for i, ly in enumerate(stack.layers):
        where = f"{origin}: layer {i + 1} ({ly.name!r})"
        for fieldname, v, top in (
            ("mua_per_cm", ly.mua_per_cm, MAX_MUA_PER_CM),
            ("mus_per_cm", ly.mus_per_cm, MAX_MUS_PER_CM),
        ):
            if float(v) > top:
                raise StackFileError(
                    f"{where}: {fieldname} = {float(v):g} is above {top:g} /cm; tissue values are "
                    "0.01–3000 /cm (check the unit: 1/cm, not 1/m or 1/mm)"
                )
        tau = (float(ly.mua_per_cm) + float(ly.mus_per_cm)) * float(ly.thickness_cm)
        if math.isfinite(tau) and tau > MAX_OPTICAL_THICKNESS:
            raise StackFileError(
                f"{where}: optical thickness (mua_per_cm + mus_per_cm) × thickness_cm = {tau:g} is above "
                f"{MAX_OPTICAL_THICKNESS:g}; check thickness_cm (in cm) or make it the last layer, inf"
            )
    lo, hi = N_RANGE
    named = [("n_above", stack.n_above), ("n_below", stack.n_below)]
    named += [(f"layer {i + 1} ({ly.name!r}): n", ly.n) for i, ly in enumerate(stack.layers)]
    for where, n in named:
        if not lo <= float(n) <= hi:
            raise StackFileError(
                f"{origin}: {where} = {float(n):g} is outside {lo:g} … {hi:g}; refractive indices of tissue "
                "and water are 1.33–1.55 (e.g. 1.4), glass about 1.5"
            )
    return stack


def stack_from_mapping(data: dict[str, Any], origin: str = "stack") -> LayerStack:
    """Build a :class:`LayerStack` from the parsed TOML structure (see module docstring)."""
    layers_raw = data.get("layer")
    if not isinstance(layers_raw, list) or not layers_raw:
        raise StackFileError(
            f"{origin}: no layers found; add one [[layer]] table per layer with fields "
            + ", ".join(LAYER_FIELDS)
        )
    known = {"n_above", "n_below", "layer", "name", "description", "source"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise StackFileError(
            f"{origin}: unknown top-level key(s) {unknown}; allowed: n_above, n_below, [[layer]]"
        )
    layers = []
    if len(layers_raw) > MAX_LAYERS:
        raise StackFileError(f"{origin}: {len(layers_raw)} layers; at most {MAX_LAYERS} are allowed")
    for i, raw in enumerate(layers_raw):
        if not isinstance(raw, dict):
            raise StackFileError(f"{origin}: layer {i + 1} must be a [[layer]] table")
        name = str(raw.get("name", f"layer {i + 1}"))
        where = f"{origin}: layer {i + 1} ({name!r})"
        extra = sorted(set(raw) - set(LAYER_FIELDS) - {"name", "source", "confidence"})
        if extra:
            raise StackFileError(f"{where}: unknown field(s) {extra}; allowed: {', '.join(LAYER_FIELDS)}")
        missing = [f for f in LAYER_FIELDS if f not in raw]
        if missing:
            raise StackFileError(f"{where}: missing field(s) {missing}")
        vals = {f: _number(raw[f], where, f) for f in LAYER_FIELDS}
        layers.append(Layer(name=name, **vals))
    try:
        stack = LayerStack(
            layers,
            n_above=_number(data.get("n_above", 1.0), origin, "n_above"),
            n_below=_number(data.get("n_below", 1.0), origin, "n_below"),
        )
    except StackError as exc:
        raise StackFileError(f"{origin}: {exc}") from None
    return check_indices(stack, origin)


def _read_text(path: Path) -> str:
    """The file's text, read at most :data:`MAX_FILE_BYTES` (+1 to notice a larger file)."""
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise StackFileError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise StackFileError(
            f"{path}: larger than {MAX_FILE_BYTES:,} bytes; a layer stack is a few lines of text"
        )
    return data.decode("utf-8")


def read_toml_stack(path: Path) -> StackSpec:
    try:
        text = _read_text(path)
    except UnicodeDecodeError:
        raise StackFileError(f"{path}: not UTF-8 text; save the stack file as UTF-8") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise StackFileError(f"{path}: TOML syntax error: {exc}") from None
    return StackSpec(stack_from_mapping(data, str(path)))


def _mci_lines(text: str) -> list[tuple[int, list[str]]]:
    """Non-empty lines without comments, as (line number, tokens)."""
    out = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        body = line.split("#", 1)[0].strip()
        if body:
            out.append((lineno, body.split()))
    return out


def read_mci_stack(path: Path) -> StackSpec:
    """The first run of an MCML ``.mci`` file (version 1.0)."""
    try:
        text = _read_text(path)
    except UnicodeDecodeError:
        raise StackFileError(f"{path}: not a text file; an .mci file is plain ASCII") from None
    lines = _mci_lines(text)
    pos = 0

    def take(count: int, what: str) -> tuple[int, list[str]]:
        nonlocal pos
        if pos >= len(lines):
            raise StackFileError(f"{path}: file ends before {what}; see MCML manual §9.1")
        lineno, toks = lines[pos]
        pos += 1
        if len(toks) < count:
            raise StackFileError(f"{path}, line {lineno}: expected {count} value(s) for {what}, got {toks}")
        return lineno, toks

    def num(tok: str, lineno: int, what: str) -> float:
        try:
            return float(tok)
        except ValueError:
            raise StackFileError(f"{path}, line {lineno}: {what} must be a number, got {tok!r}") from None

    def integer(tok: str, lineno: int, what: str) -> int:
        v = num(tok, lineno, what)
        if v != int(v) or v < 1:
            raise StackFileError(f"{path}, line {lineno}: {what} must be a positive integer, got {tok!r}")
        return int(v)

    take(1, "the file version")
    take(1, "the number of runs")
    take(1, "the output file name")
    ln, toks = take(1, "the number of photons")
    photons = integer(toks[0], ln, "number of photons")
    ln, toks = take(2, "dz and dr")
    dz, dr = num(toks[0], ln, "dz"), num(toks[1], ln, "dr")
    ln, toks = take(3, "the numbers of dz, dr and da bins")
    nz, nr, na = (integer(t, ln, w) for t, w in zip(toks[:3], ("nz", "nr", "na"), strict=True))
    ln, toks = take(1, "the number of layers")
    nlayers = integer(toks[0], ln, "number of layers")
    for what, v, hi in (
        ("nz", nz, MAX_BINS),
        ("nr", nr, MAX_BINS),
        ("na", na, MAX_ANGLE_BINS),
        ("nr × nz", nr * nz, MAX_RZ_CELLS),
        ("number of layers", nlayers, MAX_LAYERS),
    ):
        if v > hi:
            raise StackFileError(f"{path}, line {ln}: {what} = {v:,} is more than {hi:,}; use fewer bins")
    ln, toks = take(1, "n of the medium above")
    n_above = num(toks[0], ln, "n above")
    layers = []
    for i in range(nlayers):
        ln, toks = take(5, f"layer {i + 1} (n mua mus g d)")
        n, mua, mus, g, d = (
            num(t, ln, f) for t, f in zip(toks[:5], ("n", "mua", "mus", "g", "d"), strict=True)
        )
        layers.append(Layer(mua, mus, g, n, d, name=f"layer {i + 1}"))
    ln, toks = take(1, "n of the medium below")
    n_below = num(toks[0], ln, "n below")
    try:
        stack = LayerStack(layers, n_above=n_above, n_below=n_below)
        dgrid, rgrid = Grid(dz, nz), Grid(dr, nr)
    except (StackError, ValueError) as exc:
        raise StackFileError(f"{path}: {exc}") from None
    check_indices(stack, str(path))
    return StackSpec(stack, photons=photons, depth_grid=dgrid, radial_grid=rgrid, angle_bins=na)


def read_stack_file(path: str | Path) -> StackSpec:
    """Read a ``.toml`` stack or an MCML ``.mci`` file (chosen by extension)."""
    p = Path(path)
    if not p.exists():
        raise StackFileError(f"{p}: no such file")
    if not p.is_file():
        raise StackFileError(f"{p}: not a regular file (a folder or a device); give a .toml or .mci file")
    if p.suffix.lower() == ".mci":
        return read_mci_stack(p)
    if p.suffix.lower() == ".toml":
        return read_toml_stack(p)
    raise StackFileError(f"{p}: unknown stack format {p.suffix!r}; use a .toml or an MCML .mci file")
