"""The model skin at the inner forearm, where the NIST reflectance data were measured.

The NIST data set (Cooksey, Allen & Tsai 2017, J Res NIST 122:26, doi:10.6028/jres.122.026) was
measured on the inner (volar) forearm; the skin model knows face sites only. To compare like
with like, :func:`forearm_stack` builds the forearm from the model's own layer optics (blood,
melanin, water, fat, scattering and refractive index of every layer exactly as
:func:`photodose.skin.layer_optics` gives them: composition does not depend on the site) and the
forearm's layer thicknesses from ``data/optics/validation_forearm.toml`` (stratum corneum and
living epidermis: Sandby-Møller 2003; dermis: a bounded assumption; subcutaneous fat: an
assumption with a range), with skeletal muscle (the forearm flexors) semi-infinite beneath.

Only the thicknesses differ from a face site:

    d_reticular = d_dermis − (d_papillary + d_upper plexus + d_deep plexus)

(the papillary dermis and the plexuses keep the model's fixed thicknesses, as at every face
site). The skin model does not read the forearm file, so the skin model version and the shipped
depth tables are untouched; the forearm exists for the validation only.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from photodose.skin import SkinProfile, Value, layer_optics
from photodose.transport.stack import Layer, LayerStack

FloatArray = NDArray[np.float64]

FOREARM_FILE = "validation_forearm.toml"
#: A face site whose underlying tissue is muscle: its layer optics (not its thicknesses) are used.
_OPTICS_SITE = "cheek"
THICKNESS_KEYS = ("stratum_corneum_um", "living_epidermis_um", "dermis_mm", "hypodermis_mm")
_DERMIS_SUBLAYERS = ("papillary_dermis", "upper_plexus", "deep_plexus")


@cache
def forearm_anatomy() -> dict[str, Value]:
    """Forearm layer thicknesses (``validation_forearm.toml``), each with range and source."""
    text = (files("photodose") / "data" / "optics" / FOREARM_FILE).read_text("utf-8")
    data: dict[str, Any] = tomllib.loads(text)
    sources = data["sources"]
    out: dict[str, Value] = {}
    for key in THICKNESS_KEYS:
        raw = data["thickness"][key]
        if raw["source"] not in sources:
            raise ValueError(f"{FOREARM_FILE}: [thickness] {key}: source {raw['source']!r} not in [sources]")
        src, conf = sources[raw["source"]], raw["confidence"]
        t = Value(float(raw["value"]), float(raw["low"]), float(raw["high"]), src, conf)
        if not 0 < t.low <= t.value <= t.high:
            raise ValueError(f"{FOREARM_FILE}: [thickness] {key}: need 0 < low <= value <= high, got {t}")
        out[key] = t
    if data["underlying"]["tissue"] != "muscle":
        raise ValueError(f"{FOREARM_FILE}: [underlying] tissue must be 'muscle' (the forearm flexors)")
    return out


def forearm_thicknesses_cm(**overrides: float) -> dict[str, float]:
    """Thickness of each model layer key at the forearm [cm] (the last layer, muscle, is infinite).

    ``overrides``: any of ``THICKNESS_KEYS`` (in the key's unit), e.g. ``hypodermis_mm=8.0`` for
    a sensitivity run; the rest are the central values.
    """
    for k in overrides:
        if k not in THICKNESS_KEYS:
            raise ValueError(f"forearm thickness {k!r} is not known; use one of: {', '.join(THICKNESS_KEYS)}")
    a = {k: overrides.get(k, v.value) for k, v in forearm_anatomy().items()}
    for k, v in a.items():
        if not (math.isfinite(v) and v > 0):
            raise ValueError(f"forearm thickness {k} = {v!r}: give a positive number")
    return {
        "stratum_corneum": a["stratum_corneum_um"] * 1e-4,
        "living_epidermis": a["living_epidermis_um"] * 1e-4,
        "dermis": a["dermis_mm"] * 0.1,
        "hypodermis": a["hypodermis_mm"] * 0.1,
    }


def forearm_stack(profile: SkinProfile, wavelength_nm: float, **overrides: float) -> LayerStack:
    """The transport stack of ``profile``'s skin at the inner forearm at ``wavelength_nm``.

    Layer optics (μa, μs, g, n) are the model's own for ``profile`` (its site is ignored except
    that its composition is used); thicknesses are the forearm's (:func:`forearm_thicknesses_cm`),
    and muscle lies beneath the fat. Air above, as in :func:`photodose.skin.layer_stack`.
    """
    from dataclasses import replace

    p = replace(profile, site=_OPTICS_SITE)
    optics = layer_optics(p, wavelength_nm)
    if optics[-1].key != "underlying" or optics[-1].name != "muscle":
        raise ValueError(f"the {_OPTICS_SITE} no longer rests on muscle; pick a muscle site for the forearm")
    th = forearm_thicknesses_cm(**overrides)
    fixed = sum(ly.thickness_cm for ly in optics if ly.key in _DERMIS_SUBLAYERS)
    reticular = th["dermis"] - fixed
    if reticular <= 0:
        raise ValueError(
            f"forearm dermis {th['dermis'] * 10:.2f} mm is thinner than the papillary dermis and "
            f"plexuses ({fixed * 10:.2f} mm); give a thicker dermis_mm"
        )
    thickness = {
        "stratum_corneum": th["stratum_corneum"],
        "living_epidermis": th["living_epidermis"],
        "reticular_dermis": reticular,
        "hypodermis": th["hypodermis"],
        "underlying": math.inf,
    }
    layers = [
        Layer(
            mua_per_cm=ly.mua_per_cm,
            mus_per_cm=ly.mus_per_cm,
            g=ly.g,
            n=ly.n,
            thickness_cm=thickness.get(ly.key, ly.thickness_cm),
            name=ly.name,
        )
        for ly in optics
    ]
    return LayerStack(layers, n_above=1.0, n_below=optics[-1].n)


def forearm_reflectance(
    profile: SkinProfile,
    wavelengths_nm: ArrayLike,
    photons: int = 4000,
    *,
    seed: int = 7,
    threads: int | None = None,
    thickness: Mapping[str, float] | None = None,
) -> FloatArray:
    """Total reflectance (specular + diffuse, [-]) of ``profile``'s skin at the inner forearm.

    The NIST geometry (8°:d sphere, specular included) read as in
    :func:`photodose.validation.skin_reflectance.reflectance_spectrum`: broad collimated beam,
    normal incidence, laterally infinite; the same seed at every wavelength. Standard error
    ≈ √(R(1−R)/photons). ``thickness``: overrides of :data:`THICKNESS_KEYS` (sensitivity runs).
    """
    from photodose.transport import simulate

    lam = np.atleast_1d(np.asarray(wavelengths_nm, dtype=np.float64))
    out = np.empty_like(lam)
    for i, w in enumerate(lam):
        stack = forearm_stack(profile, float(w), **dict(thickness or {}))
        res = simulate(stack, int(photons), seed=seed, threads=threads)
        out[i] = res.specular_reflectance + res.diffuse_reflectance
    return out
