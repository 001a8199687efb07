"""Dose: what a session delivers, at the skin surface and in the dermis.

Definitions (radiometry of photobiomodulation; Huang et al., Dose Response 7:358, 2009):

- surface fluence (radiant exposure) H = E · t, with E the irradiance at the skin [mW/cm²] and
  t the exposure time [s]: H [J/cm²] = E [mW/cm²] · t [s] / 1000;
- fluence in tissue at depth z: H(z) = φ(z) · H, with φ(z) = Φ(z)/E0 the fluence rate per unit
  incident irradiance from the Monte Carlo depth model (``photodose.depth``);
- fluence in a layer: the mean of H(z) over the layer's depth range;
- weekly dose: per-session dose × sessions per week.

Every result is an :class:`~photodose.device.Estimate` (low / central / high) because the
irradiance it rests on is one; with ``composition`` the dermal low/high also span the skin's
composition range (:func:`photodose.skin.composition_bounds`). The depth model's own statistical
error (≲1 %) is far smaller than these ranges and is reported with the depth profile, not folded in.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from photodose.depth import DepthProfile
from photodose.device import Estimate

PAPILLARY = ("papillary dermis",)
RETICULAR = ("reticular dermis",)


class DoseInputError(ValueError):
    """Bad session parameters; the message names the parameter and the allowed range."""


def surface_fluence_j_cm2(irradiance_mw_cm2: float, minutes: float) -> float:
    """Radiant exposure H = E · t [J/cm²] for irradiance [mW/cm²] over ``minutes``."""
    if minutes < 0:
        raise DoseInputError(f"minutes = {minutes}: session length must be ≥ 0")
    if irradiance_mw_cm2 < 0:
        raise DoseInputError(f"irradiance_mw_cm2 = {irradiance_mw_cm2}: must be ≥ 0")
    return irradiance_mw_cm2 * minutes * 60.0 / 1000.0


def layer_depth_range_cm(profile: DepthProfile, names: tuple[str, ...]) -> tuple[float, float]:
    """Depth range [cm] spanned by the named layers of the depth profile's skin model."""
    bounds = list(profile.boundaries_cm)
    idx = [i for i, n in enumerate(profile.layer_names) if n in names]
    if not idx:
        raise KeyError(f"none of the layers {names} in the skin model ({profile.layer_names})")
    top = bounds[min(idx)]
    bottom = bounds[max(idx) + 1] if max(idx) + 1 < len(bounds) else float(profile.depth_cm[-1])
    return top, bottom


def mean_fluence_ratio(profile: DepthProfile, top_cm: float, bottom_cm: float) -> float:
    """Mean of φ(z) = Φ(z)/E0 over [top, bottom] (depth-weighted, from the binned profile)."""
    z = profile.depth_cm
    sel = (z >= top_cm) & (z <= bottom_cm)
    if not sel.any():  # a layer thinner than a bin: interpolate at its middle
        return profile.fluence_at(0.5 * (top_cm + bottom_cm))
    return float(np.mean(profile.fluence_per_irradiance[sel]))


def _scale(e: Estimate, factor: float, unit: str, provenance: str) -> Estimate:
    return Estimate(e.low * factor, e.central * factor, e.high * factor, unit, provenance, e.confidence)


@dataclass(frozen=True)
class ChannelDose:
    """Dose of one LED channel in one skin for one session schedule."""

    channel: str
    wavelength_nm: float
    fwhm_nm: float
    irradiance_mw_cm2: Estimate
    surface_fluence_j_cm2: Estimate
    weekly_surface_fluence_j_cm2: Estimate
    papillary_dermis_fluence_j_cm2: Estimate
    reticular_dermis_fluence_j_cm2: Estimate
    dermis_fluence_j_cm2: Estimate
    dermis_absorbed_fraction: float
    papillary_ratio: float
    reticular_ratio: float


def _widen(e: Estimate, ratios: tuple[float, float, float], provenance: str) -> Estimate:
    """Dermal estimate whose low/high also span the skin-composition range.

    ``ratios`` = (φ at the low-light composition, central φ, φ at the high-light composition);
    low = surface low × the smallest, high = surface high × the largest.
    """
    c = ratios[1]
    if c <= 0:
        return e
    lo, hi = min(ratios), max(ratios)
    return Estimate(e.low * lo / c, e.central, e.high * hi / c, e.unit, provenance, e.confidence)


def channel_dose(
    channel: str,
    irradiance_mw_cm2: Estimate,
    profile: DepthProfile,
    minutes: float,
    sessions_per_week: float,
    composition: tuple[DepthProfile, DepthProfile] | None = None,
) -> ChannelDose:
    """Surface and dermal fluence per session (and weekly surface fluence) for one channel.

    ``profile`` is the channel's depth profile in the person's skin; the dermis fluence is the
    mean of φ(z)·H over papillary + reticular dermis (and the plexuses between them).
    ``composition`` = (low, high) depth profiles of the same skin at the ends of its composition
    ranges (:func:`photodose.skin.composition_bounds`): the dermal low/high then span the skin's
    variability as well as the irradiance range.
    """
    if sessions_per_week < 0 or sessions_per_week > 21:
        raise DoseInputError(f"sessions_per_week = {sessions_per_week}: use 0–21")
    h_per_mw = surface_fluence_j_cm2(1.0, minutes)  # J/cm² per mW/cm²
    surface = _scale(
        irradiance_mw_cm2,
        h_per_mw,
        "J/cm2",
        f"computed: irradiance × {minutes:g} min (H = E·t); irradiance: {irradiance_mw_cm2.provenance}",
    )
    weekly = _scale(
        surface,
        sessions_per_week,
        "J/cm2/week",
        f"computed: per-session surface fluence × {sessions_per_week:g} sessions/week",
    )
    pap = mean_fluence_ratio(profile, *layer_depth_range_cm(profile, PAPILLARY))
    ret = mean_fluence_ratio(profile, *layer_depth_range_cm(profile, RETICULAR))
    dermis_top, _ = layer_depth_range_cm(profile, PAPILLARY)
    _, dermis_bottom = layer_depth_range_cm(profile, RETICULAR)
    derm = mean_fluence_ratio(profile, dermis_top, dermis_bottom)
    mc = f"depth model ({profile.method}, {profile.photons:,} photons" + (
        ", from the shipped depth table)" if profile.from_table else ")"
    )
    if composition is not None:
        return _with_composition(
            channel, irradiance_mw_cm2, profile, minutes, sessions_per_week, composition, (pap, ret, derm)
        )
    return ChannelDose(
        channel=channel,
        wavelength_nm=profile.wavelength_nm,
        fwhm_nm=profile.fwhm_nm,
        irradiance_mw_cm2=irradiance_mw_cm2,
        surface_fluence_j_cm2=surface,
        weekly_surface_fluence_j_cm2=weekly,
        papillary_dermis_fluence_j_cm2=_scale(
            surface, pap, "J/cm2", f"computed: surface fluence × mean φ = {pap:.3f} ({mc})"
        ),
        reticular_dermis_fluence_j_cm2=_scale(
            surface, ret, "J/cm2", f"computed: surface fluence × mean φ = {ret:.3f} ({mc})"
        ),
        dermis_fluence_j_cm2=_scale(
            surface,
            derm,
            "J/cm2",
            f"computed: surface fluence × mean φ over the dermis = {derm:.3f} ({mc})",
        ),
        dermis_absorbed_fraction=profile.dermis_absorbed_fraction,
        papillary_ratio=pap,
        reticular_ratio=ret,
    )


def _with_composition(
    channel: str,
    irradiance_mw_cm2: Estimate,
    profile: DepthProfile,
    minutes: float,
    sessions_per_week: float,
    composition: tuple[DepthProfile, DepthProfile],
    central: tuple[float, float, float],
) -> ChannelDose:
    base = channel_dose(channel, irradiance_mw_cm2, profile, minutes, sessions_per_week)
    lo_p, hi_p = composition

    def ratios(p: DepthProfile) -> tuple[float, float, float]:
        pt, pb = layer_depth_range_cm(p, PAPILLARY)
        rt, rb = layer_depth_range_cm(p, RETICULAR)
        return (mean_fluence_ratio(p, pt, pb), mean_fluence_ratio(p, rt, rb), mean_fluence_ratio(p, pt, rb))

    rl, rh = ratios(lo_p), ratios(hi_p)
    note = (
        f"; low/high also span the skin's composition range (melanin, blood, haemoglobin, baseline "
        f"absorption at the ends of their ranges: φ {rl[2]:.3f}–{rh[2]:.3f} over the dermis, "
        f"{lo_p.photons:,} photons each)"
    )
    e = base
    return ChannelDose(
        channel=e.channel,
        wavelength_nm=e.wavelength_nm,
        fwhm_nm=e.fwhm_nm,
        irradiance_mw_cm2=e.irradiance_mw_cm2,
        surface_fluence_j_cm2=e.surface_fluence_j_cm2,
        weekly_surface_fluence_j_cm2=e.weekly_surface_fluence_j_cm2,
        papillary_dermis_fluence_j_cm2=_widen(
            e.papillary_dermis_fluence_j_cm2,
            (rl[0], central[0], rh[0]),
            e.papillary_dermis_fluence_j_cm2.provenance + note,
        ),
        reticular_dermis_fluence_j_cm2=_widen(
            e.reticular_dermis_fluence_j_cm2,
            (rl[1], central[1], rh[1]),
            e.reticular_dermis_fluence_j_cm2.provenance + note,
        ),
        dermis_fluence_j_cm2=_widen(
            e.dermis_fluence_j_cm2, (rl[2], central[2], rh[2]), e.dermis_fluence_j_cm2.provenance + note
        ),
        dermis_absorbed_fraction=e.dermis_absorbed_fraction,
        papillary_ratio=e.papillary_ratio,
        reticular_ratio=e.reticular_ratio,
    )


def total(estimates: list[Estimate], unit: str, provenance: str) -> Estimate:
    """Sum of estimates (low with low, central with central, high with high)."""
    return Estimate(
        sum(e.low for e in estimates),
        sum(e.central for e in estimates),
        sum(e.high for e in estimates),
        unit,
        provenance,
    )
