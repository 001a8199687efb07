"""A person's skin as a stack of optical layers at any wavelength (model layer).

``SkinProfile`` (Fitzpatrick type, face site, age band, optional overrides) →
:func:`layer_parameters` (thickness and composition of each layer, with sources) →
:func:`layer_optics` / :func:`layer_stack` (μa, μs, g, n per layer at a wavelength).

Structure (7 layers, after Meglinski & Matcher 2002, Physiol Meas 23:741): stratum corneum,
living epidermis, papillary dermis, upper blood plexus, reticular dermis, deep blood plexus,
hypodermis (semi-infinite). ``model="3-layer"`` merges them into epidermis, dermis and
hypodermis by thickness-weighted averaging of volume fractions, μs′, g and n (which keeps the
amount of each chromophore in the column).

Absorption: Jacques 2013 Eq. 12 mixing of haemoglobin (Prahl), water (Segelstein), fat
(van Veen), melanosomes (Jacques 2013 Eq. 8) plus Jacques's 1998 bloodless-skin baseline
(see :func:`photodose.optics.absorption.mua_tissue`). Scattering: Jacques 2013 Table 1
Rayleigh + Mie fits to Salomatina 2006 per tissue, μs = μs′/(1 − g).

Data: ``photodose/data/optics/skin_layers.toml``, ``face_sites.csv``,
``fitzpatrick_melanin.csv``; every value there carries a source and a confidence.
"""

from __future__ import annotations

import json
import math
import tomllib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from functools import cache
from importlib.resources import files
from typing import Any

import numpy as np

from photodose.optics.absorption import mua_tissue
from photodose.optics.scattering import (
    mus_from_musp,
    refractive_index,
    refractive_index_source,
    scattering_fits,
)
from photodose.optics.spectra import check_wavelength, read_table
from photodose.transport.stack import Layer, LayerStack

FITZPATRICK_TYPES = ("I", "II", "III", "IV", "V", "VI")
AGE_BANDS = ("adult", "18-39", "40-59", "60+")
SEXES = ("unspecified", "female", "male")
MODELS = ("7-layer", "3-layer")
LAYER_KEYS = (
    "stratum_corneum",
    "living_epidermis",
    "papillary_dermis",
    "upper_plexus",
    "reticular_dermis",
    "deep_plexus",
    "hypodermis",
)
DERMIS_KEYS = ("papillary_dermis", "upper_plexus", "reticular_dermis", "deep_plexus")
_ARABIC = {str(i + 1): t for i, t in enumerate(FITZPATRICK_TYPES)}

# Thinnest reticular dermis allowed after subtracting the fixed sublayers [cm].
_MIN_RETICULAR_CM = 0.001


class SkinInputError(ValueError):
    """A skin profile value that is not allowed; the message lists what is."""


# --------------------------------------------------------------------------- data loading


@dataclass(frozen=True)
class Value:
    """A number with its plausible range and provenance."""

    value: float
    low: float
    high: float
    source: str
    confidence: str


@cache
def _layer_data() -> dict[str, Any]:
    text = (files("photodose") / "data" / "optics" / "skin_layers.toml").read_text("utf-8")
    data: dict[str, Any] = tomllib.loads(text)
    keys = tuple(ly["key"] for ly in data["layer"])
    if keys != LAYER_KEYS:
        raise ValueError(f"skin_layers.toml: layers {keys} differ from {LAYER_KEYS}")
    return data


def _value(raw: Mapping[str, Any], sources: Mapping[str, str]) -> Value:
    src = str(raw["source"])
    if src not in sources:
        raise ValueError(f"skin_layers.toml: source key {src!r} missing from [sources]")
    v = Value(
        float(raw["value"]),
        float(raw["low"]),
        float(raw["high"]),
        sources[src],
        str(raw["confidence"]),
    )
    if not v.low <= v.value <= v.high:
        raise ValueError(f"skin_layers.toml: value {v.value} outside its range [{v.low}, {v.high}]")
    return v


@dataclass(frozen=True)
class Site:
    """Thickness data of one face site (see ``face_sites.csv``)."""

    key: str
    label: str
    dermis_mm: dict[str, float | None]  # "male", "female", "pooled"
    dermis_source: str
    dermis_confidence: str
    living_epidermis: Value


@cache
def face_sites() -> dict[str, Site]:
    """Site key → :class:`Site`. Dermis: Meng 2022 by sex and n-weighted pooled mean."""
    header, rows = read_table("face_sites.csv")
    out: dict[str, Site] = {}
    for r in rows:
        if r["dermis_male_mm"]:
            m, f = float(r["dermis_male_mm"]), float(r["dermis_female_mm"])
            nm, nf = float(r["n_male"]), float(r["n_female"])
            dermis: dict[str, float | None] = {
                "male": m,
                "female": f,
                "pooled": (nm * m + nf * f) / (nm + nf),
            }
        else:
            dermis = {"male": None, "female": None, "pooled": None}
        out[r["site"]] = Site(
            key=r["site"],
            label=r["label"],
            dermis_mm=dermis,
            dermis_source=header[r["dermis_source"]],
            dermis_confidence=r["dermis_confidence"],
            living_epidermis=Value(
                float(r["living_epidermis_um"]),
                float(r["living_epidermis_low_um"]),
                float(r["living_epidermis_high_um"]),
                header[r["epidermis_source"]],
                r["epidermis_confidence"],
            ),
        )
    return out


def _fallback_dermis_mm(sex: str) -> Value:
    """Mean dermis over Meng's measured sites other than the eyelid (assumption)."""
    sites = [s for s in face_sites().values() if s.dermis_mm["pooled"] is not None and s.key != "periorbital"]
    col = "pooled" if sex == "unspecified" else sex
    vals = [float(s.dermis_mm[col] or 0.0) for s in sites]
    allv = [float(s.dermis_mm[k] or 0.0) for s in sites for k in ("male", "female")]
    return Value(
        float(np.mean(vals)),
        min(allv),
        max(allv),
        "ASSUMPTION: not measured at this site by Meng 2022; mean of Meng's non-eyelid sites "
        "(BMC Med Imaging 22:113, Table 2), range = lowest to highest sex mean there",
        "assumption",
    )


@cache
def fitzpatrick_melanin() -> dict[str, Value]:
    """Fitzpatrick type → melanosome volume fraction of the living epidermis (assumption)."""
    header, rows = read_table("fitzpatrick_melanin.csv")
    return {
        r["fitzpatrick"]: Value(
            float(r["melanosome_fraction"]),
            float(r["melanosome_fraction_low"]),
            float(r["melanosome_fraction_high"]),
            header[r["source"]],
            r["confidence"],
        )
        for r in rows
    }


# --------------------------------------------------------------------------- profile


def _allowed(name: str, got: object, allowed: tuple[str, ...] | list[str]) -> SkinInputError:
    return SkinInputError(f"{name} {got!r} is not allowed; use one of: {', '.join(allowed)}")


def normalise_fitzpatrick(value: object) -> str:
    """Accept 'III', 'iii', 3 or '3'; return the Roman numeral or raise SkinInputError."""
    s = str(value).strip().upper()
    s = _ARABIC.get(s, s)
    if s not in FITZPATRICK_TYPES:
        raise _allowed("Fitzpatrick type", value, [*list(FITZPATRICK_TYPES), "(or 1-6)"])
    return s


def _check_overrides(name: str, mapping: Mapping[str, float], lo: float, hi: float) -> None:
    for k, v in mapping.items():
        if k not in LAYER_KEYS:
            raise _allowed(f"{name} layer", k, LAYER_KEYS)
        if not (isinstance(v, int | float) and math.isfinite(v) and lo <= v <= hi):
            raise SkinInputError(f"{name}[{k!r}] = {v!r}: give a number between {lo:g} and {hi:g}")


@dataclass(frozen=True)
class SkinProfile:
    """The person's skin, as the model needs it.

    Parameters
    ----------
    fitzpatrick : skin type I–VI (sets the epidermal melanosome fraction, an assumption;
        see ``fitzpatrick_melanin.csv``). Accepts "III", "iii" or 3.
    site : face site (``face_sites()`` keys: forehead, periorbital, cheek, nose, perioral,
        chin, jaw, neck, glabella, temple).
    age_band : "adult" (unspecified), "18-39", "40-59", "60+". Recorded, but it changes
        nothing: no source at hand gives a numeric thickness or collagen trend by age for
        these sites (Meng 2022 reports thinner dermis in older women without usable figures;
        Sandby-Møller 2003 found no age effect on epidermal thickness).
    sex : "unspecified" (n-weighted mean of Meng 2022's men and women), "female", "male".
    melanosome_fraction : override of the type's melanosome volume fraction (0–0.6).
    blood_fraction, oxygen_saturation, water_fraction : per-layer overrides keyed by layer key
        (``LAYER_KEYS``); ``oxygen_saturation`` may also be one number for all layers.
    """

    fitzpatrick: str = "III"
    site: str = "forehead"
    age_band: str = "adult"
    sex: str = "unspecified"
    melanosome_fraction: float | None = None
    blood_fraction: Mapping[str, float] = field(default_factory=dict)
    oxygen_saturation: Mapping[str, float] | float | None = None
    water_fraction: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "fitzpatrick", normalise_fitzpatrick(self.fitzpatrick))
        site = str(self.site).strip().lower()
        if site not in face_sites():
            raise _allowed("site", self.site, list(face_sites()))
        object.__setattr__(self, "site", site)
        if self.age_band not in AGE_BANDS:
            raise _allowed("age band", self.age_band, AGE_BANDS)
        if self.sex not in SEXES:
            raise _allowed("sex", self.sex, SEXES)
        if self.melanosome_fraction is not None and not (
            math.isfinite(self.melanosome_fraction) and 0.0 <= self.melanosome_fraction <= 0.6
        ):
            raise SkinInputError(f"melanosome_fraction = {self.melanosome_fraction}: give a number in 0–0.6")
        _check_overrides("blood_fraction", self.blood_fraction, 0.0, 1.0)
        _check_overrides("water_fraction", self.water_fraction, 0.0, 1.0)
        sat = self.oxygen_saturation
        if isinstance(sat, int | float):
            if not (math.isfinite(sat) and 0.0 <= sat <= 1.0):
                raise SkinInputError(f"oxygen_saturation = {sat}: give a number between 0 and 1")
        elif sat is not None:
            _check_overrides("oxygen_saturation", sat, 0.0, 1.0)
        object.__setattr__(self, "blood_fraction", dict(self.blood_fraction))
        object.__setattr__(self, "water_fraction", dict(self.water_fraction))
        if isinstance(sat, Mapping):
            object.__setattr__(self, "oxygen_saturation", dict(sat))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (canonical: sorted override keys)."""
        d = asdict(self)
        for k in ("blood_fraction", "water_fraction"):
            d[k] = dict(sorted(d[k].items()))
        if isinstance(d["oxygen_saturation"], dict):
            d["oxygen_saturation"] = dict(sorted(d["oxygen_saturation"].items()))
        return d

    def __hash__(self) -> int:
        return hash(json.dumps(self.to_dict(), sort_keys=True))


# --------------------------------------------------------------------------- layers


@dataclass(frozen=True)
class LayerParameters:
    """Wavelength-independent description of one layer, with provenance per field."""

    key: str
    name: str
    group: str  # epidermis | dermis | hypodermis
    thickness_cm: float  # math.inf for the semi-infinite hypodermis
    blood_fraction: float
    oxygen_saturation: float
    water_fraction: float
    fat_fraction: float
    melanosome_fraction: float
    g: float
    scattering_tissue: str
    refractive_index_tissue: str | None
    refractive_index_fixed: float | None
    provenance: dict[str, tuple[str, str]]  # field → (source, confidence)


def _thicknesses(profile: SkinProfile) -> tuple[dict[str, float], dict[str, tuple[str, str]]]:
    """Thickness of every layer [cm] and the provenance of each."""
    data = _layer_data()
    sources = data["sources"]
    site = face_sites()[profile.site]
    prov: dict[str, tuple[str, str]] = {}
    sc = _value(data["stratum_corneum_thickness"]["thickness_um"], sources)
    th = {"stratum_corneum": sc.value * 1e-4}
    prov["stratum_corneum"] = (sc.source, sc.confidence)
    th["living_epidermis"] = site.living_epidermis.value * 1e-4
    prov["living_epidermis"] = (site.living_epidermis.source, site.living_epidermis.confidence)
    col = "pooled" if profile.sex == "unspecified" else profile.sex
    d_mm = site.dermis_mm[col]
    if d_mm is None:
        fb = _fallback_dermis_mm(profile.sex)
        dermis_cm, dprov = fb.value * 0.1, (fb.source, fb.confidence)
    else:
        how = "n-weighted mean of men and women (DERIVED)" if col == "pooled" else f"{col} mean"
        dermis_cm = d_mm * 0.1
        dprov = (
            f"{site.dermis_source}; {how}",
            "derived" if col == "pooled" else site.dermis_confidence,
        )
    fixed = 0.0
    for ly in data["layer"]:
        if "thickness_um" in ly:
            v = _value(ly["thickness_um"], sources)
            th[ly["key"]] = v.value * 1e-4
            prov[ly["key"]] = (v.source, v.confidence)
            fixed += v.value * 1e-4
    reticular = dermis_cm - fixed
    if reticular < _MIN_RETICULAR_CM:
        raise SkinInputError(
            f"site {profile.site!r}: dermis {dermis_cm * 1e4:.0f} µm is thinner than the papillary "
            f"dermis and plexuses together ({fixed * 1e4:.0f} µm); use model='3-layer'"
        )
    th["reticular_dermis"] = reticular
    prov["reticular_dermis"] = (
        f"site dermis ({dprov[0]}) minus papillary dermis and plexuses",
        "derived",
    )
    prov["dermis_total"] = dprov
    th["hypodermis"] = math.inf
    prov["hypodermis"] = (
        "semi-infinite (ASSUMPTION: fat continues below; muscle/bone not modelled)",
        "assumption",
    )
    return th, prov


def layer_parameters(profile: SkinProfile) -> list[LayerParameters]:
    """The seven layers of ``profile``: thickness, composition, g, with provenance."""
    data = _layer_data()
    sources = data["sources"]
    th, th_prov = _thicknesses(profile)
    mel = fitzpatrick_melanin()[profile.fitzpatrick]
    out = []
    for ly in data["layer"]:
        key = ly["key"]
        prov: dict[str, tuple[str, str]] = {"thickness_cm": th_prov[key]}
        vals: dict[str, float] = {}
        for fld in ("blood_fraction", "water_fraction", "fat_fraction", "g", "oxygen_saturation"):
            v = _value(ly[fld], sources)
            vals[fld] = v.value
            prov[fld] = (v.source, v.confidence)
        for fld, override in (
            ("blood_fraction", profile.blood_fraction),
            ("water_fraction", profile.water_fraction),
        ):
            if key in override:
                vals[fld] = float(override[key])
                prov[fld] = ("user-supplied", "assumption")
        sat = profile.oxygen_saturation
        if isinstance(sat, int | float):
            vals["oxygen_saturation"] = float(sat)
            prov["oxygen_saturation"] = ("user-supplied", "assumption")
        elif isinstance(sat, Mapping) and key in sat:
            vals["oxygen_saturation"] = float(sat[key])
            prov["oxygen_saturation"] = ("user-supplied", "assumption")
        m = 0.0
        if ly["melanin"]:
            if profile.melanosome_fraction is not None:
                m = profile.melanosome_fraction
                prov["melanosome_fraction"] = ("user-supplied", "assumption")
            else:
                m = mel.value
                prov["melanosome_fraction"] = (
                    f"Fitzpatrick {profile.fitzpatrick}: {mel.source} (range {mel.low:g}-{mel.high:g})",
                    mel.confidence,
                )
        ri = ly["refractive_index"]
        if isinstance(ri, str):
            ri_tissue, ri_fixed = ri, None
            prov["n"] = refractive_index_source(ri)
        else:
            v = _value(ri, sources)
            ri_tissue, ri_fixed = None, v.value
            prov["n"] = (v.source, v.confidence)
        fit = scattering_fits()[ly["scattering"]]
        prov["musp"] = (
            fit.source + f" ({ly['scattering']} fit, Rayleigh + Mie form)",
            fit.confidence,
        )
        prov["mua"] = (
            "Jacques 2013 Eq. 12 + Jacques 1998 baseline; chromophore tables in data/optics",
            "derived",
        )
        out.append(
            LayerParameters(
                key=key,
                name=ly["name"],
                group=ly["group"],
                thickness_cm=th[key],
                blood_fraction=vals["blood_fraction"],
                oxygen_saturation=vals["oxygen_saturation"],
                water_fraction=vals["water_fraction"],
                fat_fraction=vals["fat_fraction"],
                melanosome_fraction=m,
                g=vals["g"],
                scattering_tissue=ly["scattering"],
                refractive_index_tissue=ri_tissue,
                refractive_index_fixed=ri_fixed,
                provenance=prov,
            )
        )
    return out


@dataclass(frozen=True)
class LayerOptics:
    """Optical properties of one layer at one wavelength."""

    key: str
    name: str
    group: str
    thickness_cm: float
    mua_per_cm: float
    musp_per_cm: float
    mus_per_cm: float
    g: float
    n: float

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready; a semi-infinite thickness is written as ``None``."""
        return {
            "name": self.name,
            "key": self.key,
            "group": self.group,
            "thickness_cm": self.thickness_cm if math.isfinite(self.thickness_cm) else None,
            "mua_per_cm": self.mua_per_cm,
            "mus_per_cm": self.mus_per_cm,
            "musp_per_cm": self.musp_per_cm,
            "g": self.g,
            "n": self.n,
        }


def _optics_of(p: LayerParameters, lam: float) -> tuple[float, float, float]:
    mua = float(
        mua_tissue(
            lam,
            blood_fraction=p.blood_fraction,
            saturation=p.oxygen_saturation,
            water_fraction=p.water_fraction,
            fat_fraction=p.fat_fraction,
            melanosome_fraction=p.melanosome_fraction,
        )
    )
    musp = float(scattering_fits()[p.scattering_tissue].musp(lam))
    if p.refractive_index_tissue is not None:
        n = float(refractive_index(p.refractive_index_tissue, lam))
    else:
        n = float(p.refractive_index_fixed or 1.0)
    return mua, musp, n


def layer_optics(profile: SkinProfile, wavelength_nm: float, model: str = "7-layer") -> list[LayerOptics]:
    """μa, μs′, μs, g, n and thickness of each layer at ``wavelength_nm`` (400–1100 nm).

    ``model``: "7-layer" (default) or "3-layer" (epidermis, dermis, hypodermis: thickness-
    weighted merge of the seven layers' μa, μs′, g and n).
    """
    if model not in MODELS:
        raise _allowed("model", model, MODELS)
    lam = float(check_wavelength(wavelength_nm))
    params = layer_parameters(profile)
    seven = []
    for p in params:
        mua, musp, n = _optics_of(p, lam)
        seven.append(
            LayerOptics(
                key=p.key,
                name=p.name,
                group=p.group,
                thickness_cm=p.thickness_cm,
                mua_per_cm=mua,
                musp_per_cm=musp,
                mus_per_cm=float(mus_from_musp(musp, p.g)),
                g=p.g,
                n=n,
            )
        )
    if model == "7-layer":
        return seven
    merged = []
    for group in ("epidermis", "dermis", "hypodermis"):
        members = [ly for ly in seven if ly.group == group]
        if group == "hypodermis":
            merged.append(LayerOptics(**{**asdict(members[0]), "key": "hypodermis"}))
            continue
        t = np.array([ly.thickness_cm for ly in members])
        w = t / t.sum()

        def avg(attr: str, w: np.ndarray = w, members: list[LayerOptics] = members) -> float:
            return float(np.dot(w, [getattr(ly, attr) for ly in members]))

        g = avg("g")
        musp = avg("musp_per_cm")
        merged.append(
            LayerOptics(
                key=group,
                name=group,
                group=group,
                thickness_cm=float(t.sum()),
                mua_per_cm=avg("mua_per_cm"),
                musp_per_cm=musp,
                mus_per_cm=float(mus_from_musp(musp, g)),
                g=g,
                n=avg("n"),
            )
        )
    return merged


def layer_stack(profile: SkinProfile, wavelength_nm: float, model: str = "7-layer") -> LayerStack:
    """The transport engine's :class:`~photodose.transport.LayerStack` at ``wavelength_nm``.

    Air above (n = 1; a mask's LEDs shine through air), the hypodermis's own index below (it is
    semi-infinite, so the value is never used).
    """
    optics = layer_optics(profile, wavelength_nm, model)
    layers = [
        Layer(
            mua_per_cm=ly.mua_per_cm,
            mus_per_cm=ly.mus_per_cm,
            g=ly.g,
            n=ly.n,
            thickness_cm=ly.thickness_cm,
            name=ly.name,
        )
        for ly in optics
    ]
    return LayerStack(layers, n_above=1.0, n_below=optics[-1].n)


def dermis_layer_names(model: str = "7-layer") -> tuple[str, ...]:
    """Names of the layers that make up the dermis (fibroblast layers) in ``model``."""
    if model == "3-layer":
        return ("dermis",)
    data = _layer_data()
    return tuple(ly["name"] for ly in data["layer"] if ly["group"] == "dermis")
