"""How deep a light channel goes into a person's skin: fluence vs depth and where it is absorbed.

:func:`depth_profile` runs the Monte Carlo transport engine
(:func:`photodose.transport.simulate`) on the skin's layer stack (:mod:`photodose.skin`) at a
few wavelengths across the channel's emission spectrum and averages the results with the
spectral weights (:meth:`photodose.optics.SourceSpectrum.quadrature`). The light arrives either
as a broad collimated beam (``led_m=None``) or, as from a mask's LEDs a centimetre or two away,
with the LEDs' cos^m angular distribution (``led_m``: m from the viewing angle, m = 1
Lambertian; :func:`photodose.transport.cosine_source`). Results are cached on disk, keyed by a
hash of every input — the layer optics themselves, the source, the engine version and the skin
model version (:func:`photodose.skin.skin_model_version`, which hashes the data files) — so a
repeated evaluation is a file read and a profile from an older model is never served.

:func:`depth_profile_diffusion` is a fast, APPROXIMATE estimate from diffusion theory
(Farrell, Patterson & Wilson 1992) with a depth-dependent correction for the layers; it is
labelled as such in its ``method`` field.

Definitions
-----------
- fluence_per_irradiance Φ(z)/E0: fluence rate at depth z per unit incident irradiance of a
  broad, laterally uniform beam (collimated or cos^m; dimensionless; > 1 just below the
  surface, where scattered light adds to the incoming beam).
- penetration depth at level f (1/e, 10 %, 1 %): the first depth *below the fluence maximum*
  where Φ falls to f·Φmax (log-linear interpolation between depth bins); ``None`` if Φ does not
  fall that far within the depth grid.
- absorbed_by_layer: fraction of the incident power absorbed in each layer.
- dermis_absorbed_fraction: fraction of the incident power absorbed in the dermis layers
  (papillary dermis, upper plexus, reticular dermis, deep plexus), where the fibroblasts are.

Depth grid: 4000 uniform bins of 5 µm (0–20 mm). The transport tallies need a uniform grid;
5 µm resolves the ~15 µm stratum corneum (3 bins) and the ~46 µm living epidermis (9 bins),
and 20 mm reaches past the 1 % depth of 633 nm light in the weakly absorbing in vivo skin
(about 12 mm over the cheek).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from photodose.optics.source_spectrum import SourceSpectrum, monochromatic
from photodose.skin import (
    MODELS,
    SkinInputError,
    SkinProfile,
    dermis_layer_names,
    layer_optics,
    layer_stack,
    skin_model_version,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

FloatArray = NDArray[np.float64]

# Bump when this module's way of computing a depth profile changes (cache keys use it).
DEPTH_MODEL_VERSION = "2"
COLLIMATED = "collimated broad beam, normal incidence"
DEPTH_STEP_CM = 0.0005
DEPTH_BINS = 4000
DEFAULT_PHOTONS = 100_000
QUADRATURE_POINTS = 5
CACHE_ENV = "PHOTODOSE_CACHE_DIR"
#: "0" turns off the shipped depth-profile table (then every profile not in the user cache is traced).
TABLE_ENV = "PHOTODOSE_DEPTH_TABLE"
LEVELS = {"1e": math.exp(-1.0), "10pct": 0.10, "1pct": 0.01}
REPORT_DEPTHS_MM = (0.5, 1.0, 2.0, 5.0)


@dataclass(frozen=True)
class DepthProfile:
    """Fluence vs depth and absorption per layer for one channel in one skin."""

    wavelength_nm: float  # the channel's peak
    channel: str
    fwhm_nm: float
    method: str  # "Monte Carlo" or "diffusion (approximate)"
    model: str
    profile: dict[str, Any]
    quadrature_nm: list[float]
    quadrature_weights: list[float]
    depth_cm: FloatArray
    fluence_per_irradiance: FloatArray
    layer_names: list[str]
    boundaries_cm: list[float]  # finite layer boundaries, surface = 0
    absorbed_by_layer: dict[str, float]
    absorbed_by_layer_se: dict[str, float]
    dermis_absorbed_fraction: float
    dermis_absorbed_fraction_se: float
    penetration_depth_1e_cm: float | None
    penetration_depth_10pct_cm: float | None
    penetration_depth_1pct_cm: float | None
    fluence_max: float
    depth_of_max_cm: float
    specular_reflectance: float | None
    diffuse_reflectance: float | None
    absorbed_beyond_grid: float | None
    photons: int
    seed: int | None
    engine_version: str
    truncated_spectrum_fraction: float = 0.0
    source: str = COLLIMATED
    skin_model_version: str = ""
    from_cache: bool = field(default=False, compare=False)
    #: Read from the shipped depth table (``data/depth_table/``) rather than traced or cached here.
    from_table: bool = field(default=False, compare=False)

    def fluence_at(self, depth_cm: float) -> float:
        """Φ/E0 at ``depth_cm`` (linear interpolation between bin centres)."""
        return float(np.interp(depth_cm, self.depth_cm, self.fluence_per_irradiance))

    def fluence_at_mm(self, depths_mm: tuple[float, ...] = REPORT_DEPTHS_MM) -> dict[str, float]:
        """Φ/E0 at a few fixed depths, keyed by depth in mm ("0.5", "1", …): an absolute
        comparison between skins, which the relative penetration depths are not."""
        return {f"{d:g}": self.fluence_at(d / 10.0) for d in depths_mm}

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready dict (arrays as lists)."""
        return {
            "wavelength_nm": self.wavelength_nm,
            "channel": self.channel,
            "fwhm_nm": self.fwhm_nm,
            "method": self.method,
            "model": self.model,
            "profile": self.profile,
            "quadrature_nm": self.quadrature_nm,
            "quadrature_weights": self.quadrature_weights,
            "depth_cm": [float(x) for x in self.depth_cm],
            "fluence_per_irradiance": [float(x) for x in self.fluence_per_irradiance],
            "layer_names": self.layer_names,
            "boundaries_cm": self.boundaries_cm,
            "absorbed_by_layer": self.absorbed_by_layer,
            "absorbed_by_layer_se": self.absorbed_by_layer_se,
            "dermis_absorbed_fraction": self.dermis_absorbed_fraction,
            "dermis_absorbed_fraction_se": self.dermis_absorbed_fraction_se,
            "penetration_depth_1e_cm": self.penetration_depth_1e_cm,
            "penetration_depth_10pct_cm": self.penetration_depth_10pct_cm,
            "penetration_depth_1pct_cm": self.penetration_depth_1pct_cm,
            "fluence_max": self.fluence_max,
            "depth_of_max_cm": self.depth_of_max_cm,
            "specular_reflectance": self.specular_reflectance,
            "diffuse_reflectance": self.diffuse_reflectance,
            "absorbed_beyond_grid": self.absorbed_beyond_grid,
            "photons": self.photons,
            "seed": self.seed,
            "engine_version": self.engine_version,
            "truncated_spectrum_fraction": self.truncated_spectrum_fraction,
            "source": self.source,
            "skin_model_version": self.skin_model_version,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any], from_cache: bool = False) -> DepthProfile:
        kw = dict(d)
        kw["depth_cm"] = np.asarray(kw["depth_cm"], dtype=np.float64)
        kw["fluence_per_irradiance"] = np.asarray(kw["fluence_per_irradiance"], dtype=np.float64)
        return cls(**kw, from_cache=from_cache)


# --------------------------------------------------------------------------- helpers


def cache_dir() -> Path:
    """Directory of cached depth profiles: $PHOTODOSE_CACHE_DIR or the user cache dir."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env) / "depth"
    import platformdirs

    return Path(platformdirs.user_cache_dir("photodose")) / "depth"


def as_channel(channel: SourceSpectrum | float | int) -> SourceSpectrum:
    """A :class:`SourceSpectrum`, or a bare wavelength [nm] taken as monochromatic."""
    if isinstance(channel, SourceSpectrum):
        return channel
    return monochromatic(float(channel))


def penetration_depths(
    depth_cm: ArrayLike, fluence: ArrayLike
) -> tuple[dict[str, float | None], float, float]:
    """(depth at each level of :data:`LEVELS`, Φmax, depth of Φmax) — see module docstring."""
    depth_cm = np.asarray(depth_cm, dtype=np.float64)
    fluence = np.asarray(fluence, dtype=np.float64)
    i_max = int(np.argmax(fluence))
    phi_max = float(fluence[i_max])
    out: dict[str, float | None] = {}
    for key, level in LEVELS.items():
        target = level * phi_max
        below = np.nonzero(fluence[i_max:] <= target)[0]
        if below.size == 0 or phi_max <= 0:
            out[key] = None
            continue
        j = i_max + int(below[0])
        z1, z0 = float(depth_cm[j]), float(depth_cm[j - 1])
        f1, f0 = float(fluence[j]), float(fluence[j - 1])
        if f1 > 0 and f0 > 0 and f0 != f1:
            t = (math.log(target) - math.log(f0)) / (math.log(f1) - math.log(f0))
        else:
            t = 1.0
        out[key] = z0 + min(max(t, 0.0), 1.0) * (z1 - z0)
    return out, phi_max, float(depth_cm[i_max])


def _stack_signature(profile: SkinProfile, lam: float, model: str) -> list[list[float]]:
    return [
        [
            ly.thickness_cm if math.isfinite(ly.thickness_cm) else -1.0,
            ly.mua_per_cm,
            ly.mus_per_cm,
            ly.g,
            ly.n,
        ]
        for ly in layer_optics(profile, lam, model)
    ]


def _cache_key(payload: dict[str, Any]) -> str:
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _cache_read(key: str) -> DepthProfile | None:
    path = cache_dir() / f"{key}.json"
    try:
        with path.open(encoding="utf-8") as f:
            return DepthProfile.from_dict(json.load(f), from_cache=True)
    except (OSError, ValueError, TypeError, KeyError):
        return None


def _cache_write(key: str, prof: DepthProfile) -> None:
    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(prof.as_dict(), f)
        os.replace(tmp, folder / f"{key}.json")
    except OSError:
        pass  # a cache that cannot be written only costs time


def table_dir(skin_version: str | None = None) -> Path:
    """Folder of the shipped depth-profile table for a skin model version.

    ``photodose/data/depth_table/<skin model version>/``, built by ``scripts/build_depth_table.py``
    with ``photodose sweep``; a skin model whose data changed has a new version and finds no
    table (its profiles are traced, as before). See ``manifest.toml`` there for what it holds.
    """
    from importlib.resources import files

    return Path(str(files("photodose") / "data" / "depth_table")) / (skin_version or skin_model_version())


def table_key(payload: dict[str, Any]) -> str:
    """Key of a profile in the shipped table: the cache key without photons and seed.

    The table holds one profile per input (skin, channel, source, grid, model versions) and
    serves it for any request of at most as many photons (see :func:`table_read`).
    """
    core = {k: v for k, v in payload.items() if k not in ("photons_per_node", "seed")}
    core["what"] = "photodose.depth.table"
    return _cache_key(core)


def table_read(payload: dict[str, Any], photons: int) -> DepthProfile | None:
    """The shipped profile for ``payload`` if it was traced with at least ``photons`` photons."""
    if os.environ.get(TABLE_ENV, "1") == "0":
        return None
    path = table_dir(str(payload["skin_model_version"])) / f"{table_key(payload)}.json.gz"
    try:
        with gzip.open(path, "rt", encoding="utf-8") as f:
            d = json.load(f)
        if "depth_cm" not in d:  # stored compactly: the grid, not its 4000 centres
            d["depth_cm"] = (np.arange(DEPTH_BINS) + 0.5) * DEPTH_STEP_CM
        prof = replace(DepthProfile.from_dict(d, from_cache=True), from_table=True)
    except (OSError, ValueError, TypeError, KeyError, EOFError):
        return None
    return prof if prof.photons >= photons else None


def table_write(payload: dict[str, Any], prof: DepthProfile, folder: Path) -> Path:
    """Store ``prof`` in a table folder (gzip JSON; Φ/E0 to 5 significant digits, far below the
    Monte Carlo noise; depth centres left out, they follow from the fixed grid)."""
    d = prof.as_dict()
    d.pop("depth_cm", None)
    d["fluence_per_irradiance"] = [float(f"{x:.5g}") for x in prof.fluence_per_irradiance]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{table_key(payload)}.json.gz"
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=9) as f:
        json.dump(d, f, separators=(",", ":"))
    return path


def depth_payload(
    profile: SkinProfile,
    channel: SourceSpectrum | float,
    photons: int = DEFAULT_PHOTONS,
    *,
    seed: int | None = 1,
    model: str = "7-layer",
    quadrature_points: int = QUADRATURE_POINTS,
    led_m: float | None = None,
) -> dict[str, Any]:
    """Every input of :func:`depth_profile` that its result depends on (the cache key's payload)."""
    return _payload(profile, model, seed, _plan(channel, photons, quadrature_points, led_m))


# the light source, channel, quadrature nodes and weights, depth grid and photons per node: shared
# by the cache key and the Monte Carlo run, so the two cannot disagree
_Plan = tuple[Any, SourceSpectrum, FloatArray, FloatArray, Any, int]


def _plan(
    channel: SourceSpectrum | float, photons: int, quadrature_points: int, led_m: float | None
) -> _Plan:
    from photodose.transport import Grid

    src = _source(led_m)
    spec = as_channel(channel)
    nodes, weights = spec.quadrature(quadrature_points)
    grid = Grid(step_cm=DEPTH_STEP_CM, bins=DEPTH_BINS)
    per_node = max(100, int(photons) // len(nodes))
    return src, spec, nodes, weights, grid, per_node


def _payload(
    profile: SkinProfile,
    model: str,
    seed: int | None,
    plan: _Plan,
) -> dict[str, Any]:
    from photodose.transport import ENGINE_VERSION

    src, spec, nodes, weights, grid, per_node = plan
    return {
        "what": "photodose.depth.depth_profile",
        "depth_model_version": DEPTH_MODEL_VERSION,
        "engine_version": ENGINE_VERSION,
        "skin_model_version": skin_model_version(),
        "source": None if src is None else [src.kind, src.m],
        "profile": profile.to_dict(),
        "model": model,
        "nodes_nm": [round(float(x), 6) for x in nodes],
        "weights": [round(float(x), 9) for x in weights],
        "stacks": [_stack_signature(profile, float(x), model) for x in nodes],
        "photons_per_node": per_node,
        "seed": seed,
        "grid": [grid.step_cm, grid.bins],
        "channel": [spec.label, spec.peak_nm, spec.fwhm_nm],
    }


def _offset_progress(
    progress: Callable[[int, int], None], offset: int, total: int
) -> Callable[[int, int], None]:
    """``progress`` for one quadrature node: photons done so far in the whole profile."""
    return lambda done, _total: progress(offset + done, total)


def _source(led_m: float | None) -> Any:
    from photodose.transport.sources import cosine_source

    if led_m is None:
        return None
    if not (isinstance(led_m, int | float) and math.isfinite(led_m) and 0.0 <= led_m <= 200.0):
        raise SkinInputError(f"led_m = {led_m}: give the LEDs' cos^m exponent, 0–200 (1 = Lambertian)")
    return cosine_source(float(led_m))


def _led_label(m: float) -> str:
    lamb = " (Lambertian)" if abs(m - 1.0) < 0.01 else ""
    return f"LEDs, cos^{m:.3g} angular profile{lamb}"


def _check_common(model: str, photons: int) -> None:
    if model not in MODELS:
        raise SkinInputError(f"model {model!r} is not allowed; use one of: {', '.join(MODELS)}")
    if int(photons) < 100:
        raise SkinInputError(f"photons = {photons}: use at least 100 photons per channel")


# --------------------------------------------------------------------------- Monte Carlo


def depth_profile(
    profile: SkinProfile,
    channel: SourceSpectrum | float,
    photons: int = DEFAULT_PHOTONS,
    *,
    seed: int | None = 1,
    model: str = "7-layer",
    quadrature_points: int = QUADRATURE_POINTS,
    use_cache: bool = True,
    threads: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    led_m: float | None = None,
) -> DepthProfile:
    """Monte Carlo depth profile of ``channel`` (a spectrum, or a wavelength in nm) in ``profile``.

    ``led_m``: None for a broad collimated beam at normal incidence; otherwise the cos^m
    exponent of the LEDs (the light of a mask: each point of the face receives light from many
    directions, weighted by the LEDs' radiant intensity ∝ cos^m θ; m = 1 Lambertian).

    The photon budget is split equally over the spectral quadrature nodes (equal weights), each
    node with its own seed (``seed + i``). ``seed=None`` gives a fresh random run and is
    never cached. ``progress(done, total)`` is called as photons are traced (all nodes together).
    """
    from photodose.transport import ENGINE_VERSION

    _check_common(model, photons)
    plan = _plan(channel, photons, quadrature_points, led_m)
    src, spec, nodes, weights, grid, per_node = plan
    payload = _payload(profile, model, seed, plan)
    skin_version = str(payload["skin_model_version"])
    key = _cache_key(payload)
    if use_cache and seed is not None:
        hit = _cache_read(key)
        if hit is None:  # the shipped table (scripts/build_depth_table.py), then Monte Carlo
            hit = table_read(payload, per_node * len(nodes))
        if hit is not None:
            return hit
    from photodose.transport import simulate  # the Numba engine, only when photons are traced

    phi = np.zeros(grid.bins)
    absorbed: FloatArray | None = None
    absorbed_var: FloatArray | None = None
    spec_r = diff_r = beyond = 0.0
    names: list[str] = []
    bounds: list[float] = []
    for i, (lam, w) in enumerate(zip(nodes, weights, strict=True)):
        stack = layer_stack(profile, float(lam), model)
        res = simulate(
            stack,
            per_node,
            source=src,
            seed=None if seed is None else seed + i,
            threads=threads,
            depth_grid=grid,
            progress=None
            if progress is None
            else _offset_progress(progress, i * per_node, per_node * len(nodes)),
        )
        phi += w * res.fluence_per_irradiance
        a = np.asarray(res.absorbed_by_layer, dtype=np.float64)
        se = np.asarray(res.absorbed_by_layer_se, dtype=np.float64)
        absorbed = w * a if absorbed is None else absorbed + w * a
        var = (w * np.nan_to_num(se)) ** 2
        absorbed_var = var if absorbed_var is None else absorbed_var + var
        spec_r += w * res.specular_reflectance
        diff_r += w * res.diffuse_reflectance
        beyond += w * res.absorbed_beyond_depth_grid
        names = res.layer_names
        bounds = [float(b) for b in stack.boundaries_cm if math.isfinite(b)]
    assert absorbed is not None and absorbed_var is not None
    prof = _assemble(
        spec,
        "Monte Carlo",
        model,
        profile,
        nodes,
        weights,
        grid.centers_cm,
        phi,
        names,
        bounds,
        absorbed,
        np.sqrt(absorbed_var),
        spec_r,
        diff_r,
        beyond,
        per_node * len(nodes),
        seed,
        ENGINE_VERSION,
        COLLIMATED if src is None else _led_label(src.m),
        skin_version,
    )
    if use_cache and seed is not None:
        _cache_write(key, prof)
    return prof


def _assemble(
    spec: SourceSpectrum,
    method: str,
    model: str,
    profile: SkinProfile,
    nodes: FloatArray,
    weights: FloatArray,
    depth: FloatArray,
    phi: FloatArray,
    names: list[str],
    bounds: list[float],
    absorbed: FloatArray,
    absorbed_se: FloatArray,
    spec_r: float | None,
    diff_r: float | None,
    beyond: float | None,
    photons: int,
    seed: int | None,
    engine_version: str,
    source: str = COLLIMATED,
    skin_version: str = "",
) -> DepthProfile:
    depths, phi_max, z_max = penetration_depths(depth, phi)
    dermis = set(dermis_layer_names(model))
    d_idx = [i for i, n in enumerate(names) if n in dermis]
    return DepthProfile(
        wavelength_nm=float(spec.peak_nm),
        channel=spec.label,
        fwhm_nm=float(spec.fwhm_nm),
        method=method,
        model=model,
        profile=profile.to_dict(),
        quadrature_nm=[float(x) for x in nodes],
        quadrature_weights=[float(x) for x in weights],
        depth_cm=np.asarray(depth, dtype=np.float64),
        fluence_per_irradiance=np.asarray(phi, dtype=np.float64),
        layer_names=list(names),
        boundaries_cm=bounds,
        absorbed_by_layer={n: float(a) for n, a in zip(names, absorbed, strict=True)},
        absorbed_by_layer_se={n: float(s) for n, s in zip(names, absorbed_se, strict=True)},
        dermis_absorbed_fraction=float(sum(absorbed[i] for i in d_idx)),
        dermis_absorbed_fraction_se=float(math.sqrt(sum(absorbed_se[i] ** 2 for i in d_idx))),
        penetration_depth_1e_cm=depths["1e"],
        penetration_depth_10pct_cm=depths["10pct"],
        penetration_depth_1pct_cm=depths["1pct"],
        fluence_max=phi_max,
        depth_of_max_cm=z_max,
        specular_reflectance=spec_r,
        diffuse_reflectance=diff_r,
        absorbed_beyond_grid=beyond,
        photons=photons,
        seed=seed,
        engine_version=engine_version,
        truncated_spectrum_fraction=spec.truncated_fraction,
        source=source,
        skin_model_version=skin_version or skin_model_version(),
    )


# --------------------------------------------------------------------------- diffusion


REFERENCE_DEPTH_CM = 0.1


def depth_profile_diffusion(
    profile: SkinProfile,
    channel: SourceSpectrum | float,
    *,
    model: str = "7-layer",
    quadrature_points: int = QUADRATURE_POINTS,
) -> DepthProfile:
    """APPROXIMATE depth profile from diffusion theory (milliseconds, no Monte Carlo).

    For each quadrature wavelength: Φ_ref(z) is the Farrell–Patterson–Wilson (1992) fluence
    under a broad beam in a semi-infinite medium whose μa, μs′ and n are the thickness-weighted
    averages over the top 1 mm of the stack (:func:`photodose.transport.diffusion.
    fluence_vs_depth`); each layer then attenuates at its own diffusion rate:

        Φ(z) = Φ_ref(z) · exp(−∫₀ᶻ [μeff(z′) − μeff,ref] dz′),  μeff = √(3μa(μa + μs′)).

    Diffusion is poor within ~1/μt′ (~0.3 mm) of the surface and inside the thin, strongly
    absorbing pigmented epidermis, so near-surface values and the epidermal share are rough;
    absorbed fractions are ∫μaΦ dz per layer over the grid and need not sum with reflectance
    to exactly 1. Use :func:`depth_profile` for numbers that matter.
    """
    from photodose.transport import ENGINE_VERSION, Grid
    from photodose.transport.diffusion import fluence_vs_depth

    _check_common(model, 100)
    spec = as_channel(channel)
    nodes, weights = spec.quadrature(quadrature_points)
    grid = Grid(step_cm=DEPTH_STEP_CM, bins=DEPTH_BINS)
    z = grid.centers_cm
    phi = np.zeros_like(z)
    absorbed: FloatArray | None = None
    names: list[str] = []
    bounds: list[float] = []
    for lam, w in zip(nodes, weights, strict=True):
        opt = layer_optics(profile, float(lam), model)
        names = [ly.name for ly in opt]
        edges = np.concatenate(([0.0], np.cumsum([ly.thickness_cm for ly in opt])))
        bounds = [float(b) for b in edges if math.isfinite(b)]
        idx = np.clip(np.searchsorted(edges, z, side="right") - 1, 0, len(opt) - 1)
        mua = np.array([ly.mua_per_cm for ly in opt])[idx]
        musp = np.array([ly.musp_per_cm for ly in opt])[idx]
        nn = np.array([ly.n for ly in opt])[idx]
        top = z < REFERENCE_DEPTH_CM
        mua_ref, musp_ref, n_ref = (
            float(mua[top].mean()),
            float(musp[top].mean()),
            float(nn[top].mean()),
        )
        mueff = np.sqrt(3.0 * mua * (mua + musp))
        mueff_ref = math.sqrt(3.0 * mua_ref * (mua_ref + musp_ref))
        integral = np.cumsum(mueff - mueff_ref) * grid.step_cm - 0.5 * (mueff - mueff_ref) * grid.step_cm
        phi_l = fluence_vs_depth(z, mua_ref, musp_ref, n_ref) * np.exp(-integral)
        phi += w * phi_l
        a = np.array([float(np.sum((mua * phi_l * grid.step_cm)[idx == k])) for k in range(len(opt))])
        absorbed = w * a if absorbed is None else absorbed + w * a
    assert absorbed is not None
    return _assemble(
        spec,
        "diffusion (approximate)",
        model,
        profile,
        nodes,
        weights,
        z,
        phi,
        names,
        bounds,
        absorbed,
        np.zeros_like(absorbed),
        None,
        None,
        None,
        0,
        None,
        ENGINE_VERSION,
    )


# --------------------------------------------------------------------------- plot


def plot_depth_profiles(profiles: list[DepthProfile], path: str | Path | None = None) -> Figure:
    """One figure: Φ/E0 vs depth for each channel, layers shaded and labelled.

    Depth runs down the vertical axis, as in a skin cross-section; fluence is on a log axis so
    the 1/e, 10 % and 1 % levels (marked per channel) are readable. Left panel: the skin itself
    (epidermis and dermis, where the layers are thin); right panel: the full depth reached.
    Saved to ``path`` (PNG, SVG, … by suffix) when given.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    if not profiles:
        raise ValueError("no depth profiles to plot")
    ref = profiles[0]
    names = ref.layer_names
    dermis = set(dermis_layer_names(ref.model))
    b_mm = [b * 10 for b in ref.boundaries_cm]
    grid_end_mm = float(ref.depth_cm[-1]) * 10
    deepest = max((p.penetration_depth_1pct_cm or float(p.depth_cm[-1])) for p in profiles)
    full_mm = min(grid_end_mm, 1.1 * deepest * 10)
    # left panel: epidermis and dermis (down to the top of the hypodermis)
    hypo = [i for i, n in enumerate(names) if n == "hypodermis"]
    skin_end_mm = b_mm[hypo[0]] if hypo and hypo[0] < len(b_mm) else (b_mm[-1] if len(b_mm) > 1 else 1.0)
    skin_mm = skin_end_mm + 0.25
    shades = {
        "epidermis": "#d9a57a",
        "dermis": "#f2d4d4",
        "plexus": "#e39a9a",
        "hypodermis": "#fbf0c8",
        "underlying": "#d5d8dc",
    }

    def group_of(name: str) -> str:
        if "plexus" in name:
            return "plexus"
        if name in dermis:
            return "dermis"
        if name in ("bone", "muscle"):
            return "underlying"
        return "hypodermis" if name == "hypodermis" else "epidermis"

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 6.6))
    colors = ["#c0392b", "#5b2c83", "#1f618d", "#117864", "#7e5109"]

    def positive_min(p: DepthProfile, zmax: float) -> float:
        sel = (p.depth_cm * 10 <= zmax) & (p.fluence_per_irradiance > 0)
        return float(p.fluence_per_irradiance[sel].min()) if sel.any() else 1e-3

    hi = max(p.fluence_max for p in profiles) * 1.6
    xlims = {}
    for ax, zmax in ((ax1, skin_mm), (ax2, full_mm)):
        lo = min(positive_min(p, zmax) for p in profiles)
        # leave the left part of each panel free for the layer labels
        xlims[ax] = (lo / (30.0 if ax is ax1 else 3.0), hi)
        edges = [*b_mm, max(zmax, grid_end_mm)]
        for i, name in enumerate(names):
            z0, z1 = edges[i], edges[i + 1]
            if z0 >= zmax:
                break
            ax.axhspan(z0, min(z1, zmax), color=shades[group_of(name)], zorder=0, lw=0)
            if i > 0:
                ax.axhline(z0, color="0.45", lw=0.5, zorder=1)
        for k, p in enumerate(profiles):
            c = colors[k % len(colors)]
            phi = np.where(p.fluence_per_irradiance > 0, p.fluence_per_irradiance, np.nan)
            ax.plot(phi, p.depth_cm * 10, color=c, lw=1.8, zorder=3)
            for key, level, mk in (
                ("1e", math.exp(-1), "o"),
                ("10pct", 0.1, "s"),
                ("1pct", 0.01, "^"),
            ):
                d = getattr(p, f"penetration_depth_{key}_cm")
                if d is not None and d * 10 <= zmax:
                    ax.plot(
                        [level * p.fluence_max],
                        [d * 10],
                        marker=mk,
                        color=c,
                        ms=7,
                        mec="white",
                        zorder=4,
                        ls="none",
                    )
        ax.set_ylim(zmax, 0)
        ax.set_xscale("log")
        ax.set_xlim(*xlims[ax])
        ax.grid(True, which="major", axis="x", color="0.75", lw=0.5, zorder=1)
        ax.set_xlabel("fluence rate per unit incident irradiance, Φ/E₀ (log)")
    from matplotlib.ticker import FuncFormatter, LogLocator

    ax1.xaxis.set_minor_locator(LogLocator(base=10, subs=(2.0, 3.0, 5.0)))
    ax1.xaxis.set_minor_formatter(FuncFormatter(lambda x, _pos: f"{x:g}"))
    ax1.tick_params(axis="x", which="minor", labelsize=7)
    ax1.grid(True, which="minor", axis="x", color="0.85", lw=0.4, zorder=1)
    ax1.set_ylabel("depth below the skin surface (mm)")
    ax1.set_title("the skin: epidermis and dermis", fontsize=10)
    ax2.set_title("full depth reached", fontsize=10)

    # Layer labels at the low-fluence (left) edge of the left panel, where the curves are not.
    tx = xlims[ax1][0] * 1.2
    epi = [i for i, n in enumerate(names) if group_of(n) == "epidermis"]
    if epi:
        top = b_mm[epi[-1] + 1] if epi[-1] + 1 < len(b_mm) else b_mm[-1]
        ax1.text(
            tx,
            top / 2,
            f"epidermis incl. stratum corneum  0–{top * 1000:.0f} µm",
            fontsize=8,
            va="center",
        )
    for i, name in enumerate(names):
        if i in epi:
            continue
        z0 = b_mm[i]
        if i + 1 < len(b_mm):
            z1 = b_mm[i + 1]
            if z0 < skin_mm:
                ax1.text(
                    tx,
                    0.5 * (z0 + min(z1, skin_mm)),
                    f"{name}  {z0:.2f}–{z1:.2f} mm",
                    fontsize=8,
                    va="center",
                )
            if z1 > skin_mm and z0 < full_mm:
                ax2.text(
                    xlims[ax2][0] * 1.2,
                    0.5 * (z0 + min(z1, full_mm)),
                    f"{name}  {z0:.2f}–{z1:.2f} mm",
                    fontsize=8,
                    va="center",
                )
        else:
            if z0 < skin_mm:
                ax1.text(
                    tx,
                    0.5 * (z0 + skin_mm),
                    f"{name} from {z0:.2f} mm (continues)",
                    fontsize=8,
                    va="center",
                )
            ax2.text(
                xlims[ax2][1] / 1.3,
                0.5 * (max(z0, 0.0) + full_mm) if z0 < full_mm else 0.78 * full_mm,
                f"{name} from {z0:.2f} mm\n(continues below)",
                fontsize=8,
                va="center",
                ha="right",
            )
    if len(b_mm) > 1:
        ax2.text(xlims[ax2][0] * 1.2, 0.5 * skin_end_mm, "epidermis + dermis", fontsize=8, va="center")
    # name each curve on the full-depth panel
    for k, p in enumerate(profiles):
        d = p.penetration_depth_10pct_cm
        if d is not None and d * 10 <= full_mm:
            ax2.annotate(
                f"{p.wavelength_nm:g} nm",
                xy=(0.1 * p.fluence_max, d * 10),
                xytext=(8, -2),
                textcoords="offset points",
                fontsize=9,
                color=colors[k % len(colors)],
                fontweight="bold",
                va="top",
            )
    marker_handles = [
        ax2.plot([], [], marker=mk, color="0.3", ls="none", ms=7, label=lab)[0]
        for mk, lab in (
            ("o", "1/e of the maximum"),
            ("s", "10 % of the maximum"),
            ("^", "1 % of the maximum"),
        )
    ]
    ax2.legend(
        handles=marker_handles,
        loc="lower right",
        fontsize=8,
        framealpha=0.9,
        title="fluence falls to",
        title_fontsize=8,
    )

    handles = [
        ax1.plot(
            [],
            [],
            color=colors[k % len(colors)],
            lw=1.8,
            label=(
                f"{p.channel}: 1/e {_mm(p.penetration_depth_1e_cm)}, "
                f"10 % {_mm(p.penetration_depth_10pct_cm)}, 1 % "
                f"{_mm(p.penetration_depth_1pct_cm)}; Φ/E₀ = {p.fluence_at(0.1):.2f} at 1 mm; "
                f"the dermis absorbs {100 * p.dermis_absorbed_fraction:.0f} % of the incident "
                "light"
            ),
        )[0]
        for k, p in enumerate(profiles)
    ]
    prof = ref.profile
    method = ref.method
    photons = f", {ref.photons:,} photons per channel" if ref.photons else ""
    fig.suptitle(
        f"How deep the light goes: Fitzpatrick {prof['fitzpatrick']}, {prof['site']}, "
        f"{ref.model} skin model ({method}{photons})\n"
        "penetration depths are measured from the surface, at the depth where the fluence "
        "has fallen to the given share of its maximum",
        fontsize=9.5,
    )
    fig.legend(handles=handles, loc="lower center", ncol=1, fontsize=8.5, frameon=False)
    fig.tight_layout(rect=(0, 0.03 + 0.035 * len(handles), 1, 1))
    if path is not None:
        fig.savefig(path, dpi=150)
    return fig


def _mm(d: float | None) -> str:
    """'at 4.92 mm', or where the fluence never falls that far on the grid, 'beyond 20 mm'."""
    return f"beyond {DEPTH_BINS * DEPTH_STEP_CM * 10:g} mm" if d is None else f"at {d * 10:.2f} mm"
