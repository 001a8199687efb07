"""Calibration of the device model against published irradiances (issue 9, item 3).

Two checks, both in ``tests/test_calibration.py`` and summarised in ``docs/device_budget.md``:

1. **As catalogued**: for every catalogued device with a published irradiance, the model's
   low–high range of the same kind of quantity (face average, or peak over one LED when the
   energy budget says the figure can only be a peak) contains the published value.
2. **Leave one out**: each device is predicted *without its own published value*: its power is
   replaced by LED count × per-LED radiant power, the per-LED range being the LED datasheets'
   (``_led_datasheets.toml``) widened by the per-LED powers that the *other* devices' published
   values imply (never by its own). The predicted range must contain the held-out value.

Independent meter measurements (``_measurements.toml``) are checked the same way against every
catalogued device of the kind, each predicted from the datasheets alone.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from typing import Any

from photodose.device.budget import (
    assumption_range,
    classify_stated_irradiance,
    contact_irradiance_mw_cm2,
    led_class_for,
    led_power_class,
)
from photodose.device.estimate import Estimate
from photodose.device.irradiance import PeakValley, peak_valley, unit_peak_valley
from photodose.device.spec import SCENARIOS, DeviceSpec, catalog

QUANTITIES = ("face_average", "peak", "between_leds")


@dataclass(frozen=True)
class Published:
    """A published irradiance of a catalogued device and the kind of quantity it is."""

    device: DeviceSpec
    channels: tuple[str, ...]
    value_mw_cm2: float
    quantity: str  # face_average | peak
    classification: str
    source: str
    confidence: str


def published_irradiances() -> list[Published]:
    """Every stated irradiance (not dose) in the catalogue with the kind of quantity the energy
    budget says it can be (``face_average``, else ``peak``; implausible figures are left out:
    no model range should contain them)."""
    out = []
    for d in catalog():
        for sv in d.stated:
            if sv.irradiance_mw_cm2 is None:
                continue
            chans = (sv.channel,) if sv.channel is not None else tuple(d.mode.channels)
            c = classify_stated_irradiance(d, sv.irradiance_mw_cm2, sv.channel)
            if c.classification == "implausible":
                continue
            q = "face_average" if c.classification == "face_average" else "peak"
            out.append(
                Published(d, chans, sv.irradiance_mw_cm2, q, c.classification, sv.where, sv.confidence)
            )
    return out


def _quantity(pv: PeakValley, quantity: str) -> float:
    if quantity == "face_average":
        return pv.face_mean_mw_cm2
    if quantity == "peak":
        return pv.peak_mw_cm2
    if quantity == "between_leds":
        return pv.between_led_min_mw_cm2
    raise ValueError(f"quantity must be one of {QUANTITIES} (got {quantity!r})")


def _unit(device: DeviceSpec, channel: str, quantity: str, scenario: str) -> float:
    return _quantity(unit_peak_valley(device, channel, scenario), quantity)


def predicted_range(
    device: DeviceSpec, channels: tuple[str, ...], quantity: str, led_power_mw: tuple[float, float]
) -> Estimate:
    """The model's range of ``quantity`` (mW/cm², channels summed) with the per-LED power taken
    from ``led_power_mw`` (low, high) instead of the device file: low scenario × low power,
    high scenario × high power (the geometry's own low/high ends go with them)."""
    lo_p, hi_p = led_power_mw
    c_p = (lo_p * hi_p) ** 0.5
    vals = {
        sc: sum(_unit(device, c, quantity, sc) for c in channels) * p
        for sc, p in zip(SCENARIOS, (lo_p, c_p, hi_p), strict=True)
    }
    return Estimate.from_scenarios(
        vals["low"],
        vals["central"],
        vals["high"],
        "mW/cm2",
        f"{device.name}: {quantity} from LED count × {lo_p:g}–{hi_p:g} mW per LED",
        "derived",
    )


def modelled_range(device: DeviceSpec, channels: tuple[str, ...], quantity: str) -> Estimate:
    """The model's range of ``quantity`` as catalogued (each channel's own power basis)."""
    vals = {sc: sum(_quantity(peak_valley(device, c, sc), quantity) for c in channels) for sc in SCENARIOS}
    return Estimate.from_scenarios(vals["low"], vals["central"], vals["high"], "mW/cm2", device.name)


def implied_led_power_mw(p: Published) -> tuple[float, float]:
    """Per-LED power (mW) that reproduces a published value with the central geometry (lowest
    and highest over the figure's channels; channels of a total share the value equally)."""
    share = p.value_mw_cm2 / len(p.channels)
    vals = [share / _unit(p.device, c, p.quantity, "central") for c in p.channels]
    return min(vals), max(vals)


def leave_one_out(pubs: list[Published] | None = None) -> list[dict[str, Any]]:
    """Predict every published value from the datasheets and the *other* devices only
    (``pubs``: the published values, default :func:`published_irradiances`).

    Returns one row per published value: device, channels, quantity, value, the per-LED power
    range used (datasheet range widened by the others' implied powers), the predicted range and
    whether it contains the value.
    """
    pubs = published_irradiances() if pubs is None else pubs
    implied = [implied_led_power_mw(p) for p in pubs]
    rows = []
    for i, p in enumerate(pubs):
        cls = led_class_for(p.device)
        lo, _, hi = led_power_class(cls).radiant_power_mw
        for j, q in enumerate(pubs):
            if j == i or q.device.id == p.device.id or led_class_for(q.device) != cls:
                continue
            lo, hi = min(lo, implied[j][0]), max(hi, implied[j][1])
        pred = predicted_range(p.device, p.channels, p.quantity, (lo, hi))
        rows.append(
            {
                "device": p.device.id,
                "channels": list(p.channels),
                "quantity": p.quantity,
                "value_mw_cm2": p.value_mw_cm2,
                "confidence": p.confidence,
                "led_power_mw": (lo, hi),
                "predicted": pred,
                "contains": pred.low <= p.value_mw_cm2 <= pred.high,
                "spread": pred.high / pred.low if pred.low > 0 else float("inf"),
            }
        )
    return rows


@lru_cache(maxsize=1)
def _measurements() -> tuple[dict[str, Any], ...]:
    p = files("photodose") / "data" / "devices" / "_measurements.toml"
    return tuple(tomllib.loads(p.read_text(encoding="utf-8"))["measurements"])


def independent_measurements() -> list[dict[str, Any]]:
    """Rows of ``_measurements.toml`` (independent meter readings with source and confidence)."""
    return [dict(m) for m in _measurements()]


def check_measurement(m: dict[str, Any], device: DeviceSpec | None = None) -> dict[str, Any]:
    """Hold one independent measurement against a device predicted from the datasheets alone
    (or, for ``contact`` readings of high-power handheld torches, against one datasheet LED in
    contact: :func:`photodose.device.budget.contact_irradiance_mw_cm2`)."""
    v = float(m["value_mw_cm2"])
    if m["quantity"] == "contact":
        lo_p, _, hi_p = led_power_class("high_power").radiant_power_mw
        g_lo, _, g_hi = assumption_range("geometry", "contact_gap_cm")
        lo = float(contact_irradiance_mw_cm2(lo_p, g_hi, 0.0))
        hi = float(contact_irradiance_mw_cm2(hi_p, g_lo, 1.0))
        return {"id": m["id"], "device": None, "low": lo, "high": hi, "contains": lo <= v <= hi}
    assert device is not None
    chans = tuple(device.mode.channels)
    lo_p, _, hi_p = led_power_class(led_class_for(device)).radiant_power_mw
    pred = predicted_range(device, chans, m["quantity"], (lo_p, hi_p))
    ok = pred.low <= v if m.get("bound") == "upper" else pred.low <= v <= pred.high
    return {"id": m["id"], "device": device.id, "low": pred.low, "high": pred.high, "contains": ok}
