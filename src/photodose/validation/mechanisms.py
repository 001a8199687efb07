"""Mechanisms tested for the dark-skin near-infrared miss, as transforms of a layer stack.

The model's darkest skin reflects too little at 850 nm for its reflectance at 685 nm
(docs/validation.md, "Where the model misses"). Two mechanisms the skin model leaves out were
tested (2026-11-30) and **not adopted**; the functions here rebuild the trials, so the numbers in
the docs can be recomputed (``scripts/build_melanosome_trials.py``) and are checked in
``tests/test_validation.py``:

1. :func:`with_melanosome_scattering` — melanosomes scatter as Mie spheres
   (:func:`photodose.optics.melanosome.melanosome_scattering_mie`): μs of the living epidermis
   grows by f·μs,mel(λ)·``scale``, g becomes the scattering-weighted mean.
2. :func:`with_melanin_depth` — the same melanin column (Σ μa,mel·d) placed differently in depth:
   spread through the stratum corneum and living epidermis at one concentration ("melanin dust";
   Tobin et al. 2016 argue that it is a staining artefact), or a share ``basal_share`` in the
   lowest ``basal_um`` of the living epidermis (the supranuclear caps of basal keratinocytes).

Each leaves the melanin's absorption at 694 nm, Norvang 1997's calibration, unchanged.
:func:`reflectance_at_matched_pigmentation` compares like with like: the type VI melanin scaled
until the forearm reflects what NIST's darkest subject reflects at 685 nm.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from photodose.optics.absorption import mua_melanosome_omlc1998
from photodose.skin import SkinProfile, fitzpatrick_melanin, layer_parameters
from photodose.transport.stack import LayerStack

FloatArray = NDArray[np.float64]
StackTransform = Callable[[SkinProfile, float, LayerStack], LayerStack]
EPIDERMIS = "living epidermis"
STRATUM_CORNEUM = "stratum corneum"


def _melanosome_fraction(profile: SkinProfile) -> float:
    return next(p for p in layer_parameters(profile) if p.key == "living_epidermis").melanosome_fraction


def _index(stack: LayerStack, name: str) -> int:
    for i, ly in enumerate(stack.layers):
        if ly.name == name:
            return i
    raise ValueError(f"the stack has no layer named {name!r}")


@dataclass(frozen=True)
class MelanosomeScattering:
    """Mechanism 1: melanosome Mie scattering added to the living epidermis (a stack transform)."""

    diameter_um: float = 0.42
    n_melanin: float = 1.7
    n_host: float = 1.37
    scale: float = 1.0  # 1 = independent Mie scattering; < 1 what the data leave room for

    def __call__(self, profile: SkinProfile, wavelength_nm: float, stack: LayerStack) -> LayerStack:
        return with_melanosome_scattering(
            stack,
            _melanosome_fraction(profile),
            wavelength_nm,
            diameter_um=self.diameter_um,
            n_melanin=self.n_melanin,
            n_host=self.n_host,
            scale=self.scale,
        )


@dataclass(frozen=True)
class MelaninDepth:
    """Mechanism 2: the melanin column redistributed in depth (a stack transform).

    ``mode`` "dust": one concentration through stratum corneum and living epidermis; "basal":
    ``basal_share`` of the column in the lowest ``basal_um`` of the living epidermis.
    """

    mode: str = "basal"
    basal_um: float = 10.0
    basal_share: float = 0.6

    def __call__(self, profile: SkinProfile, wavelength_nm: float, stack: LayerStack) -> LayerStack:
        return with_melanin_depth(
            stack,
            _melanosome_fraction(profile),
            wavelength_nm,
            mode=self.mode,
            basal_um=self.basal_um,
            basal_share=self.basal_share,
        )


def with_melanosome_scattering(
    stack: LayerStack,
    melanosome_fraction: float,
    wavelength_nm: float,
    *,
    diameter_um: float = 0.42,
    n_melanin: float = 1.7,
    n_host: float = 1.37,
    scale: float = 1.0,
) -> LayerStack:
    """``stack`` with the living epidermis's μs raised by f·μs,mel·scale and g the μs-weighted
    mean of tissue and melanosomes (μa unchanged)."""
    from photodose.optics.melanosome import melanosome_scattering_mie

    if not scale >= 0.0:
        raise ValueError(f"scale = {scale!r}: give a factor ≥ 0")
    i = _index(stack, EPIDERMIS)
    ep = stack.layers[i]
    mus1, g1 = melanosome_scattering_mie(wavelength_nm, diameter_um, n_melanin, n_host)
    add = melanosome_fraction * float(mus1[0]) * scale
    mus = ep.mus_per_cm + add
    g = (ep.mus_per_cm * ep.g + add * float(g1[0])) / mus if mus > 0 else ep.g
    layers = list(stack.layers)
    layers[i] = replace(ep, mus_per_cm=mus, g=g)
    return LayerStack(layers, n_above=stack.n_above, n_below=stack.n_below)


def with_melanin_depth(
    stack: LayerStack,
    melanosome_fraction: float,
    wavelength_nm: float,
    *,
    mode: str = "basal",
    basal_um: float = 10.0,
    basal_share: float = 0.6,
) -> LayerStack:
    """``stack`` with the living epidermis's melanin column (f·μa,mel·d, OMLC 1998 law) moved in
    depth, the column kept: ``mode`` "dust" or "basal" (see :class:`MelaninDepth`)."""
    i = _index(stack, EPIDERMIS)
    ep = stack.layers[i]
    mel = melanosome_fraction * float(mua_melanosome_omlc1998(wavelength_nm))
    column = mel * ep.thickness_cm
    bare = ep.mua_per_cm - mel
    layers = list(stack.layers)
    if mode == "dust":
        j = _index(stack, STRATUM_CORNEUM)
        sc = stack.layers[j]
        c = column / (sc.thickness_cm + ep.thickness_cm)
        layers[j] = replace(sc, mua_per_cm=sc.mua_per_cm + c)
        layers[i] = replace(ep, mua_per_cm=bare + c)
    elif mode == "basal":
        hb = basal_um * 1e-4
        if not (0 < hb < ep.thickness_cm and 0.0 <= basal_share <= 1.0):
            raise ValueError(
                f"basal_um = {basal_um!r}, basal_share = {basal_share!r}: the basal layer must be thinner "
                f"than the living epidermis ({ep.thickness_cm * 1e4:.0f} µm) and the share within 0–1"
            )
        hu = ep.thickness_cm - hb
        upper = replace(ep, mua_per_cm=bare + (1 - basal_share) * column / hu, thickness_cm=hu)
        basal = replace(ep, mua_per_cm=bare + basal_share * column / hb, thickness_cm=hb, name="basal layer")
        layers[i : i + 1] = [upper, basal]
    else:
        raise ValueError(f"mode = {mode!r}: use 'dust' or 'basal'")
    return LayerStack(layers, n_above=stack.n_above, n_below=stack.n_below)


def forearm_spectrum(
    profile: SkinProfile,
    wavelengths_nm: tuple[float, ...],
    photons: int,
    transform: StackTransform | None = None,
    *,
    seed: int = 7,
) -> FloatArray:
    """Total reflectance of ``profile`` at the inner forearm (as :func:`~photodose.validation.
    forearm.forearm_reflectance`), the stack passed through ``transform`` first."""
    from photodose.transport import simulate
    from photodose.validation.forearm import forearm_stack

    out = np.empty(len(wavelengths_nm))
    for k, w in enumerate(wavelengths_nm):
        st = forearm_stack(profile, float(w))
        if transform is not None:
            st = transform(profile, float(w), st)
        res = simulate(st, int(photons), seed=seed)
        out[k] = res.specular_reflectance + res.diffuse_reflectance
    return out


@dataclass(frozen=True)
class MatchedResult:
    """Type VI at the forearm with its melanin scaled to a target R(685 nm)."""

    melanin_factor: float  # × the type VI melanosome fraction
    wavelengths_nm: tuple[float, ...]
    reflectance: tuple[float, ...]
    reached: bool  # False when even 0.6 volume fraction (the profile's limit) stays brighter

    def at(self, wavelength_nm: float) -> float:
        return self.reflectance[self.wavelengths_nm.index(wavelength_nm)]


def reflectance_at_matched_pigmentation(
    transform: StackTransform | None,
    target_r685: float,
    wavelengths_nm: tuple[float, ...] = (451.0, 550.0, 634.0, 685.0, 850.0),
    photons: int = 3000,
    iterations: int = 10,
) -> MatchedResult:
    """Scale type VI's melanin (bisection in log) until its forearm R(685) equals ``target_r685``
    under ``transform``; return the spectrum there (compares shape at equal pigmentation)."""
    f6 = fitzpatrick_melanin()["VI"].value
    lo, hi = 0.2, 0.599 / f6

    def r685(factor: float) -> float:
        p = SkinProfile(fitzpatrick="VI", melanosome_fraction=f6 * factor)
        return float(forearm_spectrum(p, (685.0,), photons, transform)[0])

    reached = r685(hi) <= target_r685
    factor = hi
    if reached:
        for _ in range(iterations):
            mid = float(np.sqrt(lo * hi))
            if r685(mid) > target_r685:
                lo = mid
            else:
                hi = mid
        factor = float(np.sqrt(lo * hi))
    profile = SkinProfile(fitzpatrick="VI", melanosome_fraction=f6 * factor)
    spec = forearm_spectrum(profile, wavelengths_nm, photons, transform)
    return MatchedResult(factor, tuple(wavelengths_nm), tuple(float(x) for x in spec), reached)
