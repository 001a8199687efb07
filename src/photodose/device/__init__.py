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
"""

from photodose.device.budget import (
    StatedIrradianceCheck,
    classify_stated_dose,
    classify_stated_irradiance,
)
from photodose.device.estimate import Estimate, weakest_confidence
from photodose.device.face import REGIONS, FaceSurface, face_surface
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
