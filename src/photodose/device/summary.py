"""Plain-dict summaries of devices (for JSON output, reports and tables)."""

from __future__ import annotations

from typing import Any

from photodose.device.spec import DeviceSpec, Sourced, SourcedText


def sourced_dict(s: Sourced | SourcedText | None) -> dict[str, Any] | None:
    if s is None:
        return None
    d = s.model_dump(exclude_none=True)
    if isinstance(s, Sourced) and s.usable and not s.known:
        d["central"] = s.pick()
    return d


def stated_irradiance(device: DeviceSpec) -> list[dict[str, Any]]:
    """Irradiance values the device's sources state (not modelled), per channel."""
    out = []
    for c in device.channels:
        ci = c.claimed_irradiance
        if ci is not None:
            out.append(
                {
                    "channel": c.name,
                    "irradiance_mw_cm2": sourced_dict(ci.irradiance_mw_cm2),
                    "distance_cm": sourced_dict(ci.distance_cm),
                    "at_treatment_distance": ci.at_treatment_distance,
                    "share": sourced_dict(ci.share),
                }
            )
    return out


def device_summary(device: DeviceSpec, model: bool = True) -> dict[str, Any]:
    """A JSON-ready description of a device, with the modelled face irradiance when ``model``."""
    d: dict[str, Any] = {
        "id": device.id,
        "name": device.name,
        "maker": device.identity.maker,
        "model": device.identity.model,
        "kind": device.kind,
        "form": device.form,
        "price": sourced_dict(device.identity.price),
        "url": sourced_dict(device.identity.url),
        "channels": [
            {
                "name": c.name,
                "peak_nm": sourced_dict(c.peak_nm),
                "fwhm_nm": sourced_dict(c.fwhm_nm),
                "led_count": sourced_dict(c.led_count),
                "power_basis": c.power_basis,
                "radiant_power_mw_per_led": sourced_dict(c.radiant_power_mw_per_led),
                "total_optical_power_mw": sourced_dict(c.total_optical_power_mw),
            }
            for c in device.channels
        ],
        "stated_irradiance": stated_irradiance(device),
        "stated": [sv.model_dump(exclude_none=True) for sv in device.stated],
        "standoff_cm": sourced_dict(device.geometry.standoff_cm),
        "modes": [m.model_dump(exclude_none=True) for m in device.modes],
        "default_mode": device.mode.name,
        "session_minutes": device.session_minutes_estimate.to_dict(),
        "claims": [c.model_dump() for c in device.claims],
        "regulatory": {
            k: (sourced_dict(v) if not isinstance(v, list) else [sourced_dict(x) for x in v])
            for k, v in (
                ("k_number", device.regulatory.k_number),
                ("product_code", device.regulatory.product_code),
                ("clearance_date", device.regulatory.clearance_date),
                ("indication", device.regulatory.indication),
                ("related", device.regulatory.related),
            )
        },
        "notes": device.notes,
    }
    if model:
        from photodose.device.irradiance import evaluate_irradiance  # Numba kernel: only when modelling

        d["modelled_irradiance"] = [ci.to_dict() for ci in evaluate_irradiance(device)]
    return d
