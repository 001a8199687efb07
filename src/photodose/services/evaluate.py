"""The main job: evaluate a light-therapy device for a person, end to end.

device file → irradiance over an average face (per channel, low/central/high) → depth profile of
each channel in the person's skin (Monte Carlo, cached) → dose at the surface and in the dermis
per session and per week → verdicts against the dose windows of the controlled trials →
where the device stands among the catalogued devices → its marketing claims, graded.

This is a service: it does I/O (device files, the depth cache) but knows nothing of the CLI.
"""

from __future__ import annotations

import math
from collections.abc import Callable
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
    face_surface,
    load_device,
)
from photodose.device.irradiance import beam_exponent
from photodose.device.meter import (
    MeterReading,
    ReadingInterpretation,
    interpret_reading,
    measured_face_irradiance,
)
from photodose.device.ranking import RankItem, rank_among, rank_by_range
from photodose.device.stated import compare_stated
from photodose.dose import ChannelDose, DoseInputError, channel_dose, total
from photodose.evidence import Verdict, verdicts_for_device
from photodose.optics.source_spectrum import gaussian
from photodose.services.bottom_line import BottomLine, bottom_line, verdicts_at_dose
from photodose.services.catalog_table import catalog_irradiance, catalog_rank_items
from photodose.services.claim_context import build_context
from photodose.services.irradiance_cache import face_irradiance, remember_geometry
from photodose.services.who_table import WhoGetsWhat, shipped_who_gets_what
from photodose.skin import SkinProfile, composition_bounds

DEFAULT_DEPTH_PHOTONS = 100_000
#: The low/high skin-composition depth profiles run with photons / this (they bound a range).
COMPOSITION_PHOTON_DIVISOR = 10
DEFAULT_SESSIONS_PER_WEEK = 3.0
SESSIONS_ASSUMPTION = (
    "assumption: 3 sessions/week (range 2–5: trial schedules of 2×/week, e.g. Wunsch & "
    "Matuschka 2014, and vendor advice of 3–5×/week, e.g. HigherDOSE via "
    "bestredlighttherapy.com, secondary); give your own sessions per week to replace it"
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
    bottom_line: BottomLine | None = None
    stated_vs_modelled: dict[str, Any] | None = None
    # catalogued devices' dermal dose across the skins of the shipped depth table (no Monte Carlo)
    who_gets_what: WhoGetsWhat | None = None

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
            "bottom_line": self.bottom_line.to_dict() if self.bottom_line is not None else None,
            # the same bottom line as a headline and short labelled points ({key, label, text})
            "bottom_line_points": (
                [{"key": "headline", "label": "", "text": self.bottom_line.headline}]
                + [p.to_dict() for p in self.bottom_line.points]
                if self.bottom_line is not None
                else []
            ),
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
                    "peak_valley_mw_cm2": irr.extra.get("peak_valley"),
                }
                for dose, prof, irr in zip(self.doses, self.depth, self.irradiance, strict=True)
            ],
            "verdicts": [v.to_dict() for v in self.verdicts],
            "standing": self.standing,
            "stated_vs_modelled": self.stated_vs_modelled,
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
    subject = RankItem(device.name, device.kind, irradiance.low, irradiance.central, irradiance.high)
    by_range = rank_by_range(subject, [r for r in catalog_rank_items() if r.name != device.name])
    return {
        "quantity": "total irradiance at the skin, all channels, treated-area mean, central "
        "scenario (mW/cm²); computed for every catalogued device with the same face model",
        "this_device_mw_cm2": irradiance.central,
        "ranking": ranking,
        "by_range": by_range,
        "summary": by_range["summary"],
    }


def verdict_text_at(
    wavelength_nm: float, fluence_j_cm2: float, irradiance_mw_cm2: float, sessions_per_week: float | None
) -> str:
    """The verdicts at one exact dose per session, grouped: "within: photoaging; above: acne"."""
    vs = verdicts_at_dose(wavelength_nm, fluence_j_cm2, irradiance_mw_cm2, sessions_per_week)
    groups: dict[str, list[str]] = {}
    for v in vs:
        groups.setdefault(str(v.verdict).replace("_", " "), []).append(v.indication_name)
    return "; ".join(f"{k}: {', '.join(n)}" for k, n in groups.items()) or "no verdict"


def _photon_progress(progress: Callable[[str, int, int], None], label: str) -> Callable[[int, int], None]:
    return lambda done, total: progress(label, done, total)


def _output_assumed(device: DeviceSpec, channel_index: int) -> bool:
    """True when the input that sets a channel's output (power per LED, total optical power or
    stated irradiance) is itself an assumption: the dose then rests on assumptions alone."""
    ch = device.channels[channel_index]
    if ch.radiant_power_mw_per_led is not None:
        conf = ch.radiant_power_mw_per_led.confidence
    elif ch.total_optical_power_mw is not None:
        conf = ch.total_optical_power_mw.confidence
    elif ch.claimed_irradiance is not None:
        conf = ch.claimed_irradiance.irradiance_mw_cm2.confidence
    else:
        return True
    return conf in ("assumption", "not_found")


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
    progress: Callable[[str, int, int], None] | None = None,
) -> Evaluation:
    """Run the whole chain for one device and one person (see module docstring).

    ``progress(stage, done, total)``, if given, is told when each step starts (``total`` 0) and
    how many photons of a depth profile are traced (for a progress bar; the CLI shows one).
    """

    def step(text: str) -> None:
        if progress is not None:
            progress(text, 0, 0)

    step("reading the device")
    spec = device if isinstance(device, DeviceSpec) else load_device(device)
    person = skin or SkinProfile()
    notes: list[str] = []
    if minutes is None:
        minutes = spec.session_minutes
        minutes_src = spec.session_minutes_estimate.provenance or "device timer"
    else:
        if not (0 < minutes <= 120) or math.isnan(minutes):
            raise DoseInputError(f"minutes {minutes}: give a session length above 0 and at most 120 minutes")
        minutes_src = "given by you"
    if sessions_per_week is None:
        sessions_per_week, sessions_src = DEFAULT_SESSIONS_PER_WEEK, SESSIONS_ASSUMPTION
    else:
        if not (0 < sessions_per_week <= 21):
            raise DoseInputError(f"sessions per week {sessions_per_week}: use a number in (0, 21]")
        sessions_src = "given by you"

    step("irradiance over the face")
    face = face_surface()
    irr, maps = face_irradiance(spec, region)  # cached on disk: no Numba on a warm run
    means = [ci.mean for ci in irr]
    interp = None
    measured = None
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
    led_m = beam_exponent(spec)
    for ch, mean in zip(spec.channels, means, strict=True):
        fwhm = ch.fwhm_nm.pick() if ch.fwhm_nm is not None and ch.fwhm_nm.usable else DEFAULT_FWHM_NM
        spectrum = gaussian(ch.peak_nm.pick(), fwhm, label=ch.name)
        label = f"depth profile, {ch.name} {spectrum.peak_nm:g} nm"
        step(label)
        bar = None if progress is None else _photon_progress(progress, label)
        prof = depth_profile(person, spectrum, photons=photons, seed=seed, progress=bar, led_m=led_m)
        depth.append(prof)
        # the skin's composition range (photodose.skin.composition_bounds), at fewer photons
        comp_n = max(2_000, photons // COMPOSITION_PHOTON_DIVISOR)
        lo_p, hi_p = (
            depth_profile(p, spectrum, photons=comp_n, seed=seed, led_m=led_m)
            for p in composition_bounds(person)
        )
        doses.append(channel_dose(ch.name, mean, prof, minutes, sessions_per_week, composition=(lo_p, hi_p)))

    verdicts = verdicts_for_device(
        [(d.wavelength_nm, d.surface_fluence_j_cm2, d.irradiance_mw_cm2) for d in doses],
        sessions_per_week,
        inputs_assumed=[meter is None and _output_assumed(spec, i) for i in range(len(spec.channels))],
    )
    total_irr = total(means, "mW/cm2", "sum of channels")
    standing = device_standing(spec, total_irr)
    stated = compare_stated(
        spec,
        irr,
        minutes,
        measured=measured,
        verdict_at=lambda wl, h, e: verdict_text_at(wl, h, e, sessions_per_week),
    )
    remember_geometry(spec, region)  # the budget geometry, for the next run

    graded: list[GradedClaim] = []
    if grade_device_claims and spec.claims:
        step("grading the marketing claims")
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
        stated_vs_modelled=stated,
        bottom_line=bottom_line(
            spec, doses, verdicts, minutes, calibrated_to_meter=interp is not None, stated=stated
        ),
        who_gets_what=shipped_who_gets_what(),
    )
