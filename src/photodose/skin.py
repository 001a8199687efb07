"""A person's skin as a stack of optical layers at any wavelength (model layer).

``SkinProfile`` (Fitzpatrick type, face site, age band, optional overrides) →
:func:`layer_parameters` (thickness and composition of each layer, with sources) →
:func:`layer_optics` / :func:`layer_stack` (μa, μs, g, n per layer at a wavelength).

Structure (7 skin layers, after Meglinski & Matcher 2002, Physiol Meas 23:741): stratum
corneum, living epidermis, papillary dermis, upper blood plexus, reticular dermis, deep blood
plexus, hypodermis (the site's fat thickness), then the tissue under it (bone or muscle,
semi-infinite; ``underlying_tissue.toml``). ``model="3-layer"`` merges the skin into epidermis,
dermis and hypodermis by thickness-weighted averaging of μa, μs′, g and n (which keeps the
amount of each chromophore in the column); the underlying tissue stays.

Absorption: Jacques 2013 Eq. 12 mixing of haemoglobin (Prahl; whole-blood volume fraction B at
the haemoglobin concentration of ``[blood]``), water (Segelstein), fat (van Veen), melanosomes
(OMLC 1998 λ^−3.48, ``MELANIN_LAW``; fractions calibrated to Norvang 1997's in vivo epidermal μa
at 694 nm), and Jacques's 1998 bloodless-skin baseline at the weight of ``[baseline]`` (0 by
default: in vivo dermal μa leaves no room for it). Scattering: the ``scattering.csv`` fit each
layer names (Jacques 2013 Table 1 fits to Salomatina 2006 for the epidermis; the in vivo fit to
Jonasson 2018 for the dermis; Shimojo 2020 for the fat), μs = μs′/(1 − g).

Composition ranges: every value has a low–high range; ``SkinProfile(scenario="low")`` takes the
end of each absorber range that lets the least light into the dermis (most melanin, blood,
haemoglobin and baseline), ``scenario="high"`` the other end (:func:`composition_bounds`).

Data: ``photodose/data/optics/skin_layers.toml``, ``face_sites.csv``,
``fitzpatrick_melanin.csv``, ``underlying_tissue.toml``; every value carries a source and a
confidence. :func:`skin_model_version` hashes them (depth caches are keyed by it).
"""

from __future__ import annotations

import hashlib
import json
import math
import tomllib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
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
SCENARIOS = ("central", "low", "high")
#: Melanosome absorption law (photodose.optics.absorption.mua_tissue): Jacques's OMLC 1998 melanin
#: page, 1.70e12·λ^-3.48 cm⁻¹. Its steeper slope than Jacques 2013 Eq. 8 (m ≈ 3, "approximate")
#: reproduces the measured spectra of dark skin (NIST, Cooksey 2017) better; see docs/validation.md.
MELANIN_LAW = "omlc1998"
#: Bump when the way the skin model turns data into layers changes (the data files are hashed too).
SKIN_MODEL_CODE_VERSION = "2"
_DATA_FILES = (
    "skin_layers.toml",
    "face_sites.csv",
    "fitzpatrick_melanin.csv",
    "underlying_tissue.toml",
    "scattering.csv",
    "refractive_index.csv",
    "hemoglobin.csv",
    "water.csv",
    "fat.csv",
)
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


@cache
def _underlying_data() -> dict[str, Any]:
    text = (files("photodose") / "data" / "optics" / "underlying_tissue.toml").read_text("utf-8")
    data: dict[str, Any] = tomllib.loads(text)
    return data


@cache
def skin_model_version() -> str:
    """Version of the skin model: code version + hash of every data file it reads.

    Any edit to a composition, thickness or spectrum table changes it, so caches keyed by it
    never serve profiles computed with older data.
    """
    h = hashlib.sha256(SKIN_MODEL_CODE_VERSION.encode())
    for name in _DATA_FILES:
        h.update((files("photodose") / "data" / "optics" / name).read_bytes())
    return f"{SKIN_MODEL_CODE_VERSION}-{h.hexdigest()[:12]}"


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
    hypodermis_mm: Value
    underlying: str  # "bone" | "muscle"


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
            hypodermis_mm=Value(
                float(r["hypodermis_mm"]),
                float(r["hypodermis_low_mm"]),
                float(r["hypodermis_high_mm"]),
                header[r["underlying_source"]],
                r["underlying_confidence"],
            ),
            underlying=r["underlying"],
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
    """Fitzpatrick type → melanosome volume fraction of the living epidermis.

    Calibrated to Norvang et al. 1997's in vivo epidermal μa at 694 nm (the type-to-band mapping
    is an assumption; see ``fitzpatrick_melanin.csv``).
    """
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
        raise SkinInputError(
            f"Fitzpatrick type {value!r} is not allowed; use one of: {', '.join(FITZPATRICK_TYPES)} (or 1-6)"
        )
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
    age_band : "adult" (unspecified), "18-39", "40-59", "60+": scales the dermis thickness by
        an assumed age factor (``[age_dermis_factor]`` in skin_layers.toml: skin thins with age,
        Shuster 1975; the epidermis does not change, Sandby-Møller 2003).
    sex : "unspecified" (n-weighted mean of Meng 2022's men and women), "female", "male".
    melanosome_fraction : override of the type's melanosome volume fraction (0–0.6), e.g. from
        a colour fit (:func:`photodose.validation.fit_skin_colour`).
    blood_fraction, oxygen_saturation, water_fraction : per-layer overrides keyed by layer key
        (``LAYER_KEYS``); ``oxygen_saturation`` may also be one number for all layers.
    blood_scale : multiplies every layer's blood fraction (a colour fit sets it; 0.1–5).
    scenario : "central", "low" (the end of every absorber range that lets the least light into
        the dermis) or "high" (the other end); see :func:`composition_bounds`.
    melanosome_fraction_range, blood_scale_range : (low, high) that replace the data ranges of
        melanin and blood in the low/high scenarios (a colour fit's uncertainty).
    """

    fitzpatrick: str = "III"
    site: str = "forehead"
    age_band: str = "adult"
    sex: str = "unspecified"
    melanosome_fraction: float | None = None
    blood_fraction: Mapping[str, float] = field(default_factory=dict)
    oxygen_saturation: Mapping[str, float] | float | None = None
    water_fraction: Mapping[str, float] = field(default_factory=dict)
    blood_scale: float = 1.0
    scenario: str = "central"
    melanosome_fraction_range: tuple[float, float] | None = None
    blood_scale_range: tuple[float, float] | None = None

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
        if not (math.isfinite(self.blood_scale) and 0.1 <= self.blood_scale <= 5.0):
            raise SkinInputError(f"blood_scale = {self.blood_scale}: give a number in 0.1–5")
        if self.scenario not in SCENARIOS:
            raise _allowed("scenario", self.scenario, SCENARIOS)
        for name, rng, lo, hi in (
            ("melanosome_fraction_range", self.melanosome_fraction_range, 0.0, 0.6),
            ("blood_scale_range", self.blood_scale_range, 0.1, 5.0),
        ):
            if rng is None:
                continue
            a, b = (float(x) for x in rng)
            if not (math.isfinite(a) and math.isfinite(b) and lo <= a <= b <= hi):
                raise SkinInputError(f"{name} = {rng}: give (low, high) with {lo:g} ≤ low ≤ high ≤ {hi:g}")
            object.__setattr__(self, name, (a, b))
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
        for k in ("melanosome_fraction_range", "blood_scale_range"):
            if d[k] is not None:
                d[k] = list(d[k])
        return d

    def __hash__(self) -> int:
        return hash(json.dumps(self.to_dict(), sort_keys=True))


def composition_bounds(profile: SkinProfile) -> tuple[SkinProfile, SkinProfile]:
    """(low, high): the profile at the end of its composition ranges that lets the least / the
    most light into the dermis.

    Low: most melanin, blood (every layer at the top of its range), haemoglobin and baseline
    absorption; high: the least. Taking every range at the same end at once is a conservative
    (wide) bound, not a confidence interval. Thicknesses and scattering stay central.
    """
    return replace(profile, scenario="low"), replace(profile, scenario="high")


# --------------------------------------------------------------------------- layers


@dataclass(frozen=True)
class LayerParameters:
    """Wavelength-independent description of one layer, with provenance per field."""

    key: str
    name: str
    group: str  # epidermis | dermis | hypodermis | underlying
    thickness_cm: float  # math.inf for the semi-infinite last layer
    blood_fraction: float  # whole-blood volume fraction
    oxygen_saturation: float
    water_fraction: float
    fat_fraction: float
    melanosome_fraction: float
    g: float
    scattering_tissue: str
    refractive_index_tissue: str | None
    refractive_index_fixed: float | None
    provenance: dict[str, tuple[str, str]]  # field → (source, confidence)
    haemoglobin_g_per_l: float = 150.0
    baseline_weight: float = 0.0


def _pick(v: Value, scenario: str, more_light_is_high: bool) -> float:
    """The value of ``v`` for ``scenario``: "low" scenario = least light into the dermis."""
    if scenario == "central":
        return v.value
    want_high = (scenario == "high") == more_light_is_high
    return v.high if want_high else v.low


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
    age = _value(data["age_dermis_factor"][profile.age_band], sources)
    dermis_cm *= age.value
    dprov = (f"{dprov[0]}; × age factor {age.value:g} for {profile.age_band} ({age.source})", dprov[1])
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
    th["hypodermis"] = site.hypodermis_mm.value * 0.1
    prov["hypodermis"] = (
        f"{site.hypodermis_mm.source} (range {site.hypodermis_mm.low:g}–{site.hypodermis_mm.high:g} mm)",
        site.hypodermis_mm.confidence,
    )
    th["underlying"] = math.inf
    prov["underlying"] = (
        f"{site.underlying} under the hypodermis at the {site.label} (semi-infinite); "
        + site.hypodermis_mm.source,
        site.hypodermis_mm.confidence,
    )
    return th, prov


def _globals(profile: SkinProfile) -> tuple[Value, Value, float, float]:
    """(haemoglobin Value, baseline Value, picked haemoglobin, picked baseline weight)."""
    data = _layer_data()
    hb = _value(data["blood"]["haemoglobin_g_per_l"], data["sources"])
    base = _value(data["baseline"]["weight"], data["sources"])
    return (
        hb,
        base,
        _pick(hb, profile.scenario, more_light_is_high=False),
        _pick(base, profile.scenario, more_light_is_high=False),
    )


def _melanin(profile: SkinProfile) -> tuple[float, tuple[str, str]]:
    mel = fitzpatrick_melanin()[profile.fitzpatrick]
    if profile.melanosome_fraction is not None:
        m = profile.melanosome_fraction
        rng = profile.melanosome_fraction_range or (m, m)
        v = Value(m, min(rng[0], m), max(rng[1], m), "user-supplied", "assumption")
        return _pick(v, profile.scenario, more_light_is_high=False), (
            f"user-supplied or fitted (range {v.low:.4f}–{v.high:.4f})",
            "assumption",
        )
    if profile.melanosome_fraction_range is not None:
        lo, hi = profile.melanosome_fraction_range
        mel = Value(mel.value, lo, hi, mel.source, mel.confidence)
    return _pick(mel, profile.scenario, more_light_is_high=False), (
        f"Fitzpatrick {profile.fitzpatrick}: {mel.source} (range {mel.low:g}-{mel.high:g})",
        mel.confidence,
    )


def _blood_scale(profile: SkinProfile) -> float:
    if profile.scenario == "central" or profile.blood_scale_range is None:
        return profile.blood_scale
    lo, hi = profile.blood_scale_range
    return hi if profile.scenario == "low" else lo


def _composition(
    raw: Mapping[str, Any],
    sources: Mapping[str, str],
    profile: SkinProfile,
    key: str,
    prov: dict[str, tuple[str, str]],
) -> dict[str, float]:
    vals: dict[str, float] = {}
    for fld in ("blood_fraction", "water_fraction", "fat_fraction", "g", "oxygen_saturation"):
        v = _value(raw[fld], sources)
        if fld == "blood_fraction":
            # a colour fit's range replaces the data range of blood (through blood_scale)
            if profile.blood_scale_range is not None:
                vals[fld] = v.value * _blood_scale(profile)
            else:
                vals[fld] = _pick(v, profile.scenario, more_light_is_high=False) * profile.blood_scale
        else:
            vals[fld] = v.value
        prov[fld] = (v.source + (f" (range {v.low:g}–{v.high:g})" if v.low != v.high else ""), v.confidence)
    if profile.blood_scale != 1.0:
        prov["blood_fraction"] = (
            f"{prov['blood_fraction'][0]} × blood_scale {profile.blood_scale:g}",
            "derived",
        )
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
    vals["blood_fraction"] = min(vals["blood_fraction"], 1.0)
    return vals


def layer_parameters(profile: SkinProfile) -> list[LayerParameters]:
    """The layers of ``profile`` (seven skin layers, then bone or muscle): thickness,
    composition, g, with provenance."""
    data = _layer_data()
    sources = data["sources"]
    th, th_prov = _thicknesses(profile)
    hb, base, hb_pick, base_pick = _globals(profile)
    m_pick, m_prov = _melanin(profile)
    out = []
    for ly in data["layer"]:
        key = ly["key"]
        prov: dict[str, tuple[str, str]] = {"thickness_cm": th_prov[key]}
        vals = _composition(ly, sources, profile, key, prov)
        m = 0.0
        if ly["melanin"]:
            m = m_pick
            prov["melanosome_fraction"] = m_prov
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
        prov["haemoglobin_g_per_l"] = (f"{hb.source} (range {hb.low:g}–{hb.high:g} g/L)", hb.confidence)
        prov["baseline_weight"] = (f"{base.source} (range {base.low:g}–{base.high:g})", base.confidence)
        prov["mua"] = (
            "Jacques 2013 Eq. 12 (+ Jacques 1998 baseline × weight); chromophore tables in data/optics",
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
                haemoglobin_g_per_l=hb_pick,
                baseline_weight=base_pick,
            )
        )
    out.append(_underlying_parameters(profile, th["underlying"], th_prov["underlying"], hb_pick))
    return out


def _underlying_parameters(
    profile: SkinProfile, thickness_cm: float, th_prov: tuple[str, str], hb_g_per_l: float
) -> LayerParameters:
    udata = _underlying_data()
    site = face_sites()[profile.site]
    raw = udata["tissue"][site.underlying]
    sources = udata["sources"]
    prov: dict[str, tuple[str, str]] = {"thickness_cm": th_prov}
    vals = _composition(raw, sources, profile, "underlying", prov)
    n = _value(raw["refractive_index"], sources)
    prov["n"] = (n.source, n.confidence)
    fit = scattering_fits()[raw["scattering"]]
    prov["musp"] = (fit.source, fit.confidence)
    prov["mua"] = ("Jacques 2013 Eq. 12 with the composition in underlying_tissue.toml", "assumption")
    return LayerParameters(
        key="underlying",
        name=str(raw["name"]),
        group="underlying",
        thickness_cm=thickness_cm,
        blood_fraction=vals["blood_fraction"],
        oxygen_saturation=vals["oxygen_saturation"],
        water_fraction=vals["water_fraction"],
        fat_fraction=vals["fat_fraction"],
        melanosome_fraction=0.0,
        g=vals["g"],
        scattering_tissue=str(raw["scattering"]),
        refractive_index_tissue=None,
        refractive_index_fixed=n.value,
        provenance=prov,
        haemoglobin_g_per_l=hb_g_per_l,
        baseline_weight=0.0,
    )


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
    bg = 1.0 - p.blood_fraction - p.melanosome_fraction - p.fat_fraction
    mua = float(
        mua_tissue(
            lam,
            blood_fraction=p.blood_fraction,
            saturation=p.oxygen_saturation,
            water_fraction=p.water_fraction,
            fat_fraction=p.fat_fraction,
            melanosome_fraction=p.melanosome_fraction,
            baseline_fraction=p.baseline_weight * max(bg, 0.0),
            hb_g_per_l=p.haemoglobin_g_per_l,
            melanin_law=MELANIN_LAW,
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

    ``model``: "7-layer" (default: the seven skin layers, then the underlying bone or muscle) or
    "3-layer" (epidermis, dermis, hypodermis: thickness-weighted merge of the skin layers' μa,
    μs′, g and n; then the underlying tissue).
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
    for group in ("epidermis", "dermis", "hypodermis", "underlying"):
        members = [ly for ly in seven if ly.group == group]
        if group in ("hypodermis", "underlying"):
            merged.append(LayerOptics(**{**asdict(members[0]), "key": members[0].key}))
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

    Air above (n = 1; a mask's LEDs shine through air), the underlying tissue's own index below
    (it is semi-infinite, so the value is never used).
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
