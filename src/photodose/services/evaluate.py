"""The main job: evaluate a light-therapy device for a person, end to end.

device file → irradiance over an average face (per channel, low/central/high) → depth profile of
each channel in the person's skin (Monte Carlo, cached) → dose at the surface and in the dermis
per session and per week → verdicts against the dose windows of the controlled trials →
where the device stands among the catalogued devices → its marketing claims, graded.

This is a service: it does I/O (device files, the depth cache) but knows nothing of the CLI.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from photodose.claims import GradedClaim, extract_claims, grade_claims
from photodose.depth import DepthProfile, depth_profile
from photodose.device import (
    ChannelIrradiance,
    DeviceSpec,
    Estimate,
    FaceSurface,
    evaluate_irradiance,
    face_surface,
    irradiance_map,
    load_device,
)
from photodose.device.meter import (
    MeterReading,
    ReadingInterpretation,
    interpret_reading,
    measured_face_irradiance,
)
from photodose.dose import ChannelDose, DoseInputError, channel_dose
from photodose.evidence import Verdict, rank_among, verdicts_for_device
from photodose.optics.source_spectrum import gaussian
from photodose.services.catalog_table import catalog_irradiance
from photodose.services.claim_context import build_context
from photodose.skin import SkinProfile

DEFAULT_DEPTH_PHOTONS = 100_000
DEFAULT_SESSIONS_PER_WEEK = 3.0
SESSIONS_ASSUMPTION = (
    "assumption: 3 sessions/week (range 2–5: trial schedules of 2×/week, e.g. Wunsch & "
    "Matuschka 2014, and vendor advice of 3–5×/week, e.g. HigherDOSE via "
    "bestredlighttherapy.com, secondary); give --sessions-per-week for your own"
)
DEFAULT_FWHM_NM = 20.0


@dataclass
class Evaluation:
    """Everything the report shows, with provenance on each number."""

    device: DeviceSpec
    skin: SkinProfile
    session_minutes: float
    session_minutes_source: str
    sessions_per_week: float
    sessions_per_week_source: str
    face: FaceSurface
    irradiance: list[ChannelIrradiance]
    central_maps: list[np.ndarray]
    depth: list[DepthProfile]
    doses: list[ChannelDose]
    verdicts: list[Verdict]
    standing: dict[str, Any]
    claims: list[GradedClaim]
    meter: ReadingInterpretation | None = None
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The JSON shape promised by ``photodose evaluate --json``."""

        def est(e: Estimate) -> dict[str, Any]:
            return {
                "low": e.low,
                "central": e.central,
                "high": e.high,
                "unit": e.unit,
                "confidence": e.confidence,
                "provenance": e.provenance,
            }

        d = self.device
        return {
            "device": {
                "id": d.id,
                "name": d.name,
                "kind": d.kind,
                "maker": d.identity.maker,
                "k_number": d.regulatory.k_number.value,
                "k_number_confidence": d.regulatory.k_number.confidence,
                "product_code": d.regulatory.product_code.value,
            },
            "skin": self.skin.to_dict(),
            "session_minutes": self.session_minutes,
            "session_minutes_source": self.session_minutes_source,
            "sessions_per_week": self.sessions_per_week,
            "sessions_per_week_source": self.sessions_per_week_source,
            "channels": [
                {
                    "channel": dose.channel,
                    "wavelength_nm": dose.wavelength_nm,
                    "fwhm_nm": dose.fwhm_nm,
                    "irradiance_mw_cm2": est(dose.irradiance_mw_cm2),
                    "surface_fluence_j_cm2": est(dose.surface_fluence_j_cm2),
                    "weekly_surface_fluence_j_cm2": est(dose.weekly_surface_fluence_j_cm2),
                    "papillary_dermis_fluence_j_cm2": est(dose.papillary_dermis_fluence_j_cm2),
                    "reticular_dermis_fluence_j_cm2": est(dose.reticular_dermis_fluence_j_cm2),
                    "dermis_fluence_j_cm2": est(dose.dermis_fluence_j_cm2),
                    "dermis_absorbed_fraction": dose.dermis_absorbed_fraction,
                    "penetration_depth_1pct_cm": prof.penetration_depth_1pct_cm,
                    "regions": irr.regions,
                }
                for dose, prof, irr in zip(self.doses, self.depth, self.irradiance, strict=True)
            ],
            "verdicts": [
                {
                    "indication": v.indication,
                    "band": v.band,
                    "verdict": v.verdict,
                    "uncertain": v.uncertain,
                    "summary": v.summary,
                    "citations": list(v.citations),
                    "biphasic_caveat": v.biphasic_caveat,
                    "safety_note": v.safety_note,
                }
                for v in self.verdicts
            ],
            "standing": self.standing,
            "claims": [c.to_dict() for c in self.claims],
            "meter": self.meter.to_dict() if self.meter is not None else None,
            "notes": self.notes,
            "provenance": {
                "computed": "irradiance (LED geometry over the face), depth profiles (Monte Carlo), "
                "doses (H = E·t and φ(z)·H), verdicts (against windows derived from the studies file)",
                "cited": "device facts, study doses and regulatory records carry their source and "
                "confidence in the device and studies data files",
                "assumption": "every value no one publishes is an assumption with a range; its "
                "low/high bound every result built on it",
            },
        }


def device_standing(device: DeviceSpec, irradiance: Estimate) -> dict[str, Any]:
    """Where the device's total irradiance stands among the catalogued devices (central)."""
    others: dict[str, tuple[str, float | None]] = {}
    for dev_id, row in catalog_irradiance().items():
        if dev_id == device.id:
            continue
        kind = "in_office" if row["kind"] == "in_office" else "at_home"
        others[row["name"]] = (kind, float(sum(row["channels_mw_cm2"])))
    ranking = rank_among(irradiance.central, others, name=device.name)
    return {
        "quantity": "total irradiance at the skin, all channels, treated-area mean, central "
        "scenario (mW/cm²); computed for every catalogued device with the same face model",
        "this_device_mw_cm2": irradiance.central,
        "ranking": ranking,
    }


def _kind_group(device: DeviceSpec) -> str:
    return "in_office" if device.kind == "in_office" else "at_home"


def evaluate(
    device: str | Path | DeviceSpec,
    *,
    skin: SkinProfile | None = None,
    minutes: float | None = None,
    sessions_per_week: float | None = None,
    meter: MeterReading | None = None,
    photons: int = DEFAULT_DEPTH_PHOTONS,
    seed: int = 1,
    region: str | None = None,
    grade_device_claims: bool = True,
) -> Evaluation:
    """Run the whole chain for one device and one person (see module docstring)."""
    spec = device if isinstance(device, DeviceSpec) else load_device(device)
    person = skin or SkinProfile()
    notes: list[str] = []
    if minutes is None:
        minutes = spec.session_minutes
        minutes_src = spec.session_minutes_estimate.provenance or "device timer"
    else:
        if not (0 < minutes <= 120) or math.isnan(minutes):
            raise DoseInputError(f"--minutes {minutes}: give a session length between 0 and 120")
        minutes_src = "given by you"
    if sessions_per_week is None:
        sessions_per_week, sessions_src = DEFAULT_SESSIONS_PER_WEEK, SESSIONS_ASSUMPTION
    else:
        if not (0 < sessions_per_week <= 21):
            raise DoseInputError(f"--sessions-per-week {sessions_per_week}: use a number in (0, 21]")
        sessions_src = "given by you"

    face = face_surface()
    irr = evaluate_irradiance(spec, face, region)
    maps = [irradiance_map(spec, face, i, "central", region) for i in range(len(spec.channels))]
    means = [ci.mean for ci in irr]
    interp = None
    if meter is not None:
        interp = interpret_reading(meter, spec, spec.wavelengths_nm)
        notes.extend(interp.flags)
        measured = measured_face_irradiance(spec, interp)
        means = [measured.get(ci.channel, ci.mean) for ci in irr]
        notes.append(
            "irradiance calibrated to your meter reading "
            f"({meter.value:g} {meter.unit} at {meter.distance_cm:g} cm, {meter.meter}); "
            + interp.correction_note
        )

    depth: list[DepthProfile] = []
    doses: list[ChannelDose] = []
    for ch, mean in zip(spec.channels, means, strict=True):
        fwhm = ch.fwhm_nm.pick() if ch.fwhm_nm is not None and ch.fwhm_nm.usable else DEFAULT_FWHM_NM
        spectrum = gaussian(ch.peak_nm.pick(), fwhm, label=ch.name)
        prof = depth_profile(person, spectrum, photons=photons, seed=seed)
        depth.append(prof)
        doses.append(channel_dose(ch.name, mean, prof, minutes, sessions_per_week))

    verdicts = verdicts_for_device(
        [(d.wavelength_nm, d.surface_fluence_j_cm2, d.irradiance_mw_cm2) for d in doses],
        sessions_per_week,
    )
    total_irr = Estimate(
        sum(m.low for m in means),
        sum(m.central for m in means),
        sum(m.high for m in means),
        "mW/cm2",
        "sum of channels",
    )
    standing = device_standing(spec, total_irr)

    graded: list[GradedClaim] = []
    if grade_device_claims and spec.claims:
        ctx = build_context(spec, doses, depth)
        text = "\n".join(c.text for c in spec.claims)
        graded = grade_claims(extract_claims(text), ctx)
    return Evaluation(
        device=spec,
        skin=person,
        session_minutes=minutes,
        session_minutes_source=minutes_src,
        sessions_per_week=sessions_per_week,
        sessions_per_week_source=sessions_src,
        face=face,
        irradiance=irr,
        central_maps=maps,
        depth=depth,
        doses=doses,
        verdicts=verdicts,
        standing=standing,
        claims=graded,
        meter=interp,
        notes=notes,
    )
