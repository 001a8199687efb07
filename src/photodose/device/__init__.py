"""Device model: device files, the catalog, the face surface, and irradiance over the face.

Public API::

    from photodose.device import (
        DeviceSpec, load_device, catalog, find_device, DeviceSpecError, UnknownDeviceError,
        Estimate, FaceSurface, face_surface, REGIONS,
        irradiance_map, region_stats, mean_irradiance, evaluate_irradiance,
        interpret_reading, MeterReading,
        classify_stated_irradiance, classify_stated_dose, StatedIrradianceCheck,
        peak_valley, PeakValley, light_utilisation,
    )

The names are resolved lazily (PEP 562 module ``__getattr__``): importing the package, or a
name from the catalogue (``DeviceSpec``, ``catalog``), does not import the Numba irradiance
kernel, numpy or scipy, so commands that only read device files (``photodose meter``,
``photodose devices --no-model``) start quickly. The first use of an irradiance name imports
:mod:`photodose.device.irradiance`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# public name → submodule that defines it
_LAZY: dict[str, str] = {
    "StatedIrradianceCheck": "budget",
    "classify_stated_dose": "budget",
    "classify_stated_irradiance": "budget",
    "Estimate": "estimate",
    "weakest_confidence": "estimate",
    "REGIONS": "regions",
    "FaceSurface": "face",
    "face_surface": "face",
    "ChannelIrradiance": "irradiance",
    "PeakValley": "irradiance",
    "beam_exponent": "irradiance",
    "cos_exponent_from_viewing_angle": "irradiance",
    "evaluate_irradiance": "irradiance",
    "irradiance_at_distance": "irradiance",
    "irradiance_from_leds": "irradiance",
    "irradiance_map": "irradiance",
    "led_array": "irradiance",
    "led_power_mw": "irradiance",
    "light_utilisation": "irradiance",
    "mean_irradiance": "irradiance",
    "normalized_intensity": "irradiance",
    "peak_valley": "irradiance",
    "region_stats": "irradiance",
    "summary_stats": "irradiance",
    "treated_mask": "irradiance",
    "Channel": "spec",
    "DeviceSpec": "spec",
    "DeviceSpecError": "spec",
    "MissingRangeError": "spec",
    "Sourced": "spec",
    "SourcedText": "spec",
    "UnknownDeviceError": "spec",
    "catalog": "spec",
    "device_from_dict": "spec",
    "device_from_toml": "spec",
    "find_device": "spec",
    "load_device": "spec",
}

__all__ = [
    "REGIONS",
    "Channel",
    "ChannelIrradiance",
    "DeviceSpec",
    "DeviceSpecError",
    "Estimate",
    "FaceSurface",
    "MissingRangeError",
    "PeakValley",
    "Sourced",
    "SourcedText",
    "StatedIrradianceCheck",
    "UnknownDeviceError",
    "beam_exponent",
    "catalog",
    "classify_stated_dose",
    "classify_stated_irradiance",
    "cos_exponent_from_viewing_angle",
    "device_from_dict",
    "device_from_toml",
    "evaluate_irradiance",
    "face_surface",
    "find_device",
    "irradiance_at_distance",
    "irradiance_from_leds",
    "irradiance_map",
    "led_array",
    "led_power_mw",
    "light_utilisation",
    "load_device",
    "mean_irradiance",
    "normalized_intensity",
    "peak_valley",
    "region_stats",
    "summary_stats",
    "treated_mask",
    "weakest_confidence",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


if TYPE_CHECKING:  # static type checkers and IDEs see the names as plain imports
    from photodose.device.budget import (
        StatedIrradianceCheck,
        classify_stated_dose,
        classify_stated_irradiance,
    )
    from photodose.device.estimate import Estimate, weakest_confidence
    from photodose.device.face import FaceSurface, face_surface
    from photodose.device.irradiance import (
        ChannelIrradiance,
        PeakValley,
        beam_exponent,
        cos_exponent_from_viewing_angle,
        evaluate_irradiance,
        irradiance_at_distance,
        irradiance_from_leds,
        irradiance_map,
        led_array,
        led_power_mw,
        light_utilisation,
        mean_irradiance,
        normalized_intensity,
        peak_valley,
        region_stats,
        summary_stats,
        treated_mask,
    )
    from photodose.device.regions import REGIONS
    from photodose.device.spec import (
        Channel,
        DeviceSpec,
        DeviceSpecError,
        MissingRangeError,
        Sourced,
        SourcedText,
        UnknownDeviceError,
        catalog,
        device_from_dict,
        device_from_toml,
        find_device,
        load_device,
    )
