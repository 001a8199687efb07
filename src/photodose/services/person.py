"""Person-side services: a device's modes and timer, and the dose a session delivers.

The dose model is the one ``photodose evaluate`` uses: irradiance over the average face from
the device file (:func:`photodose.device.evaluate_irradiance`, low / central / high) and the
surface fluence H = E · t (:func:`photodose.dose.surface_fluence_j_cm2`). Dose windows from the
trials are surface fluences too, so a session's dose compares with them directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from photodose.device import (
    ChannelIrradiance,
    DeviceSpec,
    Estimate,
    evaluate_irradiance,
    face_surface,
    load_device,
)
from photodose.dose import surface_fluence_j_cm2
from photodose.evidence import band_for_wavelength, load_evidence

MODE_CHOICES = ("red", "nir", "both")
DEFAULT_TIMER_MIN = 10.0  # used only when a device file gives no timer; labelled as assumption


class ModeError(ValueError):
    """The device has no mode matching the request; the message lists its modes."""


@dataclass(frozen=True)
class ChannelRate:
    """One active channel of a mode: irradiance [mW/cm²] and dose per minute [J/cm²/min]."""

    channel: str
    wavelength_nm: float
    band: str | None
    irradiance_mw_cm2: Estimate

    @property
    def dose_per_min_j_cm2(self) -> tuple[float, float, float]:
        e = self.irradiance_mw_cm2
        return (
            surface_fluence_j_cm2(e.low, 1.0),
            surface_fluence_j_cm2(e.central, 1.0),
            surface_fluence_j_cm2(e.high, 1.0),
        )


@dataclass(frozen=True)
class ModeChoice:
    """A device mode: its name, channels, timer [min] and where the timer comes from."""

    name: str
    channels: tuple[str, ...]
    bands: tuple[str, ...]
    timer_min: float
    timer_source: str
    pulse_hz: float | None


def device_spec(device: str | Path | DeviceSpec) -> DeviceSpec:
    return device if isinstance(device, DeviceSpec) else load_device(device)


def _bands_of(spec: DeviceSpec, channels: list[str]) -> tuple[str, ...]:
    bands = load_evidence().bands
    out = []
    for name in channels:
        b = band_for_wavelength(spec.channel(name).peak_nm.pick(), bands)
        out.append(b.id if b is not None else "other")
    return tuple(out)


def modes(spec: DeviceSpec) -> list[ModeChoice]:
    """Every mode of the device with its timer (the device file's, or a labelled assumption)."""
    out = []
    for m in spec.modes:
        if m.timer_min is not None and m.timer_min.usable:
            t, src = m.timer_min.pick(), f"{m.timer_min.source} ({m.timer_min.confidence})"
        else:
            t, src = DEFAULT_TIMER_MIN, f"assumption: no timer in the device file; {DEFAULT_TIMER_MIN:g} min"
        hz = m.pulse_hz.pick() if m.pulse_hz is not None and m.pulse_hz.usable else None
        out.append(ModeChoice(m.name, tuple(m.channels), _bands_of(spec, m.channels), t, src, hz))
    return out


def choose_mode(spec: DeviceSpec, mode: str | None = None) -> ModeChoice:
    """The device mode for ``mode``: ``red``, ``nir``, ``both`` or a mode name (None: the default).

    ``red`` / ``nir`` need a mode whose channels are all in that band; ``both`` one with red and
    near-infrared channels. Raises :class:`ModeError` listing the device's modes otherwise.
    """
    all_modes = modes(spec)
    if mode is None:
        default = spec.mode.name
        return next(m for m in all_modes if m.name == default)
    key = mode.strip().lower()
    for m in all_modes:
        if m.name.lower() == key:
            return m
    if key == "both":
        hits = [m for m in all_modes if "red" in m.bands and "nir" in m.bands]
    elif key in ("red", "nir"):
        hits = [m for m in all_modes if set(m.bands) == {key}]
    else:
        hits = []
    if hits:
        hits.sort(key=lambda m: m.name != spec.mode.name)  # the device's default mode first
        return hits[0]
    listing = "; ".join(f"{m.name!r} ({' + '.join(m.channels)}, {m.timer_min:g} min)" for m in all_modes)
    raise ModeError(f"{spec.name} has no {mode!r} mode; its modes: {listing}")


@lru_cache(maxsize=32)
def _irradiance_of(spec_json: str) -> dict[str, ChannelIrradiance]:
    spec = DeviceSpec.model_validate_json(spec_json)
    return {ci.channel: ci for ci in evaluate_irradiance(spec, face_surface(), None)}


def _irradiance(spec: DeviceSpec) -> dict[str, ChannelIrradiance]:
    """Each channel's face irradiance, computed once per device (the plan, the journal and the
    screen all ask for it); read-only."""
    return _irradiance_of(spec.model_dump_json())


def channel_rates(spec: DeviceSpec, mode: ModeChoice) -> list[ChannelRate]:
    """Irradiance and dose per minute of each channel the mode switches on."""
    table = _irradiance(spec)
    rates = []
    for name, band in zip(mode.channels, mode.bands, strict=True):
        ci = table[name]
        rates.append(ChannelRate(name, ci.peak_nm, None if band == "other" else band, ci.mean))
    return rates


@dataclass(frozen=True)
class DeliveredDose:
    """Surface fluence [J/cm²] one channel delivered in one session (low / central / high)."""

    channel: str
    wavelength_nm: float
    band: str | None
    irradiance_mw_cm2: float
    fluence_j_cm2_low: float
    fluence_j_cm2: float
    fluence_j_cm2_high: float


def session_doses(spec: DeviceSpec, mode: ModeChoice, minutes: float) -> list[DeliveredDose]:
    """Dose per channel for ``minutes`` of ``mode``: H = E · t for E low / central / high."""
    out = []
    for r in channel_rates(spec, mode):
        e = r.irradiance_mw_cm2
        out.append(
            DeliveredDose(
                r.channel,
                r.wavelength_nm,
                r.band,
                e.central,
                surface_fluence_j_cm2(e.low, minutes),
                surface_fluence_j_cm2(e.central, minutes),
                surface_fluence_j_cm2(e.high, minutes),
            )
        )
    return out


def device_facts(spec: DeviceSpec, mode: str | None = None) -> Any:
    """What the safety screening needs about a device (:class:`photodose.safety.DeviceFacts`).

    Near-infrared at the eye: the modelled irradiance of the mode's NIR channels over the
    periorbital region (closed eyelids), high scenario — an upper estimate of corneal
    irradiance. Total irradiance: all channels of the mode, treated-area mean, high scenario.
    """
    from photodose.safety import DeviceFacts

    m = choose_mode(spec, mode)
    by_name = _irradiance(spec)
    nir = 0.0
    total = 0.0
    for name, band in zip(m.channels, m.bands, strict=True):
        ci = by_name[name]
        total += ci.mean.high
        if band == "nir":
            peri = ci.region_means.get("periorbital")
            nir += peri.high if peri is not None else ci.mean.high
    all_bands = _bands_of(spec, [c.name for c in spec.channels])
    return DeviceFacts(
        name=spec.name,
        near_eyes=True,
        pulse_hz=tuple(x.pulse_hz for x in modes(spec)),
        has_blue="blue" in all_bands,
        nir_eye_irradiance_mw_cm2=nir if "nir" in m.bands else None,
        total_irradiance_mw_cm2=total,
        session_minutes=m.timer_min,
    )
