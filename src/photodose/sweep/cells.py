"""The cells of a sweep: device channel × Fitzpatrick type × face site × skin composition.

A cell is everything one depth profile needs (:func:`photodose.depth.depth_profile`), resolved in
the parent process so a worker only builds the skin and traces photons. Each cell has a stable
``cell_id`` (a hash of its inputs and the model versions), which is how a resumed sweep knows
what is already done.

Channel spectra and photon counts follow :func:`photodose.services.evaluate.evaluate` exactly
(the channel's peak and FWHM, ``DEFAULT_FWHM_NM`` when the FWHM is unknown; the LEDs' cos^m
beam; the composition bounds at ``photons / COMPOSITION_PHOTON_DIVISOR``, at least 2000), so a
sweep's profiles are the ones ``photodose evaluate`` asks for, and can be shipped as its table.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from typing import Any

#: Skin-composition samples: the central skin and the two ends of its validated ranges
#: (:func:`photodose.skin.composition_bounds`).
COMPOSITIONS = ("central", "low", "high")
#: Wavelength sweeps without a device: a Gaussian band of this FWHM [nm], collimated beam.
BARE_WAVELENGTH_FWHM_NM = 20.0
#: A device channel matches ``--wavelength`` when its peak is within this many nm.
WAVELENGTH_MATCH_NM = 10.0


class SweepInputError(ValueError):
    """A sweep asked for something that does not exist (device, type, site, wavelength)."""


@dataclass(frozen=True)
class Cell:
    """One depth profile to compute (picklable; plain values only)."""

    device: str  # catalogue name, or "" for a bare wavelength
    channel: str
    peak_nm: float
    fwhm_nm: float
    led_m: float | None  # LEDs' cos^m exponent; None: collimated broad beam
    fitzpatrick: str
    site: str
    composition: str  # "central" | "low" | "high"
    photons: int
    seed: int
    versions: tuple[str, str, str]  # (skin model, transport engine, depth model)

    @property
    def cell_id(self) -> str:
        text = json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def _versions() -> tuple[str, str, str]:
    from photodose.depth import DEPTH_MODEL_VERSION
    from photodose.skin import skin_model_version
    from photodose.transport import ENGINE_VERSION

    return (skin_model_version(), ENGINE_VERSION, DEPTH_MODEL_VERSION)


def composition_photons(photons: int, composition: str) -> int:
    """Photons of a cell: ``photons`` for the central skin, evaluate's reduced count for a bound."""
    from photodose.services.evaluate import COMPOSITION_PHOTON_DIVISOR

    if composition == "central":
        return int(photons)
    return max(2_000, int(photons) // COMPOSITION_PHOTON_DIVISOR)


def device_channels(name: str) -> list[tuple[str, float, float, float | None]]:
    """(channel name, peak nm, FWHM nm, LED cos^m) of a catalogued device, as evaluate uses them."""
    from photodose.device import UnknownDeviceError, load_device
    from photodose.device.irradiance import beam_exponent
    from photodose.services.evaluate import DEFAULT_FWHM_NM

    try:
        spec = load_device(name)
    except (UnknownDeviceError, OSError, ValueError) as exc:
        raise SweepInputError(f"device {name!r}: {exc}") from None
    m = float(beam_exponent(spec))
    out: list[tuple[str, float, float, float | None]] = []
    for ch in spec.channels:
        fwhm = ch.fwhm_nm.pick() if ch.fwhm_nm is not None and ch.fwhm_nm.usable else DEFAULT_FWHM_NM
        out.append((ch.name, float(ch.peak_nm.pick()), float(fwhm), m))
    return out


def build_cells(
    devices: list[str],
    fitzpatrick: list[str],
    sites: list[str],
    wavelengths_nm: list[float],
    compositions: list[str],
    photons: int,
    seed: int = 1,
) -> list[Cell]:
    """Every cell of the sweep, in a fixed order (devices, channels, types, sites, compositions).

    With devices, ``wavelengths_nm`` (if any) keeps only channels peaking within
    :data:`WAVELENGTH_MATCH_NM` of one of them; without devices, each wavelength is a bare
    Gaussian band (:data:`BARE_WAVELENGTH_FWHM_NM`) in a collimated beam.
    """
    from photodose.skin import SkinInputError, SkinProfile

    if photons < 100:
        raise SweepInputError(f"photons = {photons}: use at least 100 per cell")
    for c in compositions:
        if c not in COMPOSITIONS:
            raise SweepInputError(f"composition {c!r}: use {', '.join(COMPOSITIONS)}")
    people = []
    for f in fitzpatrick:
        for s in sites:
            try:
                p = SkinProfile(fitzpatrick=f, site=s)
            except SkinInputError as exc:
                raise SweepInputError(str(exc)) from None
            people.append((p.fitzpatrick, p.site))
    channels: list[tuple[str, str, float, float, float | None]] = []
    for name in devices:
        chans = device_channels(name)
        if wavelengths_nm:
            chans = [c for c in chans if any(abs(c[1] - w) <= WAVELENGTH_MATCH_NM for w in wavelengths_nm)]
        channels.extend((name, *c) for c in chans)
    if not devices:
        for w in wavelengths_nm:
            if not (400.0 <= w <= 1000.0):
                raise SweepInputError(f"wavelength {w:g} nm: use 400–1000 nm (the skin model's range)")
            channels.append(("", f"{w:g} nm", float(w), BARE_WAVELENGTH_FWHM_NM, None))
    if not channels:
        raise SweepInputError("no channel to sweep: give --device, or --wavelength that a device emits")
    versions = _versions()
    return [
        Cell(dev, ch, peak, fwhm, m, f, s, comp, composition_photons(photons, comp), int(seed), versions)
        for dev, ch, peak, fwhm, m in channels
        for f, s in people
        for comp in compositions
    ]


def cell_profile(cell: Cell) -> Any:
    """The skin profile of a cell (:class:`photodose.skin.SkinProfile`)."""
    from dataclasses import replace

    from photodose.skin import SkinProfile

    p = SkinProfile(fitzpatrick=cell.fitzpatrick, site=cell.site)
    return p if cell.composition == "central" else replace(p, scenario=cell.composition)


def cell_spectrum(cell: Cell) -> Any:
    """The channel spectrum of a cell (:class:`photodose.optics.SourceSpectrum`)."""
    from photodose.optics.source_spectrum import gaussian

    return gaussian(cell.peak_nm, cell.fwhm_nm, label=cell.channel)
