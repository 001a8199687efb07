"""Build the facts that claim grading needs from the device record, the computed dose and
the evidence database (the claims model itself imports none of these)."""

from __future__ import annotations

from photodose.claims import (
    BandFluence,
    ClaimContext,
    PenetrationDepth,
    RegulatoryRecord,
    StudiedWindow,
    ValueRange,
)
from photodose.depth import DepthProfile
from photodose.device import DeviceSpec
from photodose.dose import ChannelDose
from photodose.evidence import dose_windows
from photodose.services.catalog_table import catalog_irradiance


def _regulatory(device: DeviceSpec) -> RegulatoryRecord:
    reg = device.regulatory
    k = reg.k_number.value.strip().upper()
    k_ok = len(k) == 7 and k.startswith("K") and k[1:].isdigit()
    confirmed: bool | None
    if not k_ok:
        confirmed = False if reg.k_number.confidence == "not_found" else None
    else:
        confirmed = True if reg.k_number.confidence == "exact" else None
    code = reg.product_code.value if reg.product_code.confidence != "not_found" else None
    return RegulatoryRecord(
        k_number=k if k_ok else None,
        product_code=code,
        clearance_confirmed=confirmed,
        source=reg.k_number.source,
        pathway="510k" if k_ok else None,
    )


def _windows() -> tuple[StudiedWindow, ...]:
    out = []
    for w in dose_windows():
        if w.fluence_j_cm2 is None:
            continue
        out.append(
            StudiedWindow(
                indication=w.indication,
                min_fluence_j_cm2=w.fluence_j_cm2.min,
                max_fluence_j_cm2=w.fluence_j_cm2.max,
                trials=tuple(w.fluence_j_cm2.rests_on),
                wavelength_min_nm=w.band_nm[0],
                wavelength_max_nm=w.band_nm[1],
            )
        )
    return tuple(out)


def in_office_range_mw_cm2() -> tuple[tuple[float, float] | None, str]:
    """(min, max) central irradiance of the catalogued in-office devices, and its source."""
    rows = [r for r in catalog_irradiance().values() if r["kind"] == "in_office"]
    values = [float(sum(r["channels_mw_cm2"])) for r in rows]
    if not values:
        return None, ""
    names = ", ".join(str(r["name"]) for r in rows)
    return (min(values), max(values)), f"computed for the catalogued in-office devices: {names}"


def build_context(device: DeviceSpec, doses: list[ChannelDose], depth: list[DepthProfile]) -> ClaimContext:
    """A :class:`ClaimContext` for ``device`` with the evaluation's computed numbers."""
    office, office_src = in_office_range_mw_cm2()
    total_low = sum(d.irradiance_mw_cm2.low for d in doses)
    total_c = sum(d.irradiance_mw_cm2.central for d in doses)
    total_high = sum(d.irradiance_mw_cm2.high for d in doses)
    return ClaimContext(
        device_name=device.name,
        regulatory=_regulatory(device),
        wavelengths_nm=tuple(d.wavelength_nm for d in doses),
        fluence_per_session=tuple(
            BandFluence(
                label=f"{d.channel} {d.wavelength_nm:g} nm",
                wavelength_nm=d.wavelength_nm,
                fluence_j_cm2=ValueRange(
                    d.surface_fluence_j_cm2.low,
                    d.surface_fluence_j_cm2.central,
                    d.surface_fluence_j_cm2.high,
                ),
            )
            for d in doses
        ),
        studied_windows=_windows(),
        penetration_depth=tuple(
            PenetrationDepth(
                wavelength_nm=p.wavelength_nm,
                depth_cm=p.penetration_depth_1pct_cm,
                provenance=f"computed: photodose depth model, {p.model}, Fitzpatrick "
                f"{p.profile.get('fitzpatrick')} {p.profile.get('site')}, {p.photons:,} photons",
            )
            for p in depth
            if p.penetration_depth_1pct_cm is not None
        ),
        in_office_irradiance_mw_cm2=office,
        in_office_source=office_src,
        device_irradiance_mw_cm2=ValueRange(total_low, total_c, total_high),
        dermatologist_survey=None,
    )
