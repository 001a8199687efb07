"""Peak over an LED and minimum between LEDs at the skin (photodose.device.irradiance, issue 16)."""

from __future__ import annotations

import numpy as np
import pytest

from photodose.device import catalog, find_device
from photodose.device.face import face_surface
from photodose.device.irradiance import (
    irradiance_map,
    led_array,
    led_power_mw,
    light_utilisation,
    peak_valley,
    treated_mask,
)


@pytest.mark.parametrize("dev", [d.id for d in catalog()])
def test_peak_mean_valley_order(dev: str) -> None:
    d = find_device(dev)
    for sc in ("low", "high"):
        pv = peak_valley(d, 0, sc)
        assert pv.face_mean_mw_cm2 <= pv.peak_mw_cm2
        assert pv.between_led_min_mw_cm2 <= pv.over_led_median_mw_cm2 <= pv.peak_mw_cm2
        if d.kind == "mask":  # a face-sized array: its gaps are below the face mean
            assert pv.between_led_min_mw_cm2 <= pv.face_mean_mw_cm2
        assert pv.led_power_mw == pytest.approx(led_power_mw(d, 0, sc))
        assert 0.0 < light_utilisation(d, 0, sc) <= 1.0


def test_peak_is_at_least_the_face_map_maximum() -> None:
    # the peak is sampled on each LED's axis, so it is not below the coarser face grid's maximum
    f = face_surface()
    d = find_device("omnilux-contour-face")
    E = irradiance_map(d, f, 0, "central")
    t = treated_mask(d, f)
    pv = peak_valley(d, 0, "central", f)
    assert pv.peak_mw_cm2 >= E[t].max()
    assert pv.between_led_min_mw_cm2 >= 0.0


def test_single_led_peak_matches_the_inverse_square_law() -> None:
    # one LED 1 cm off the forehead: the peak is P (m+1) / (2π d²) on its axis (flat-skin
    # limit; the forehead is nearly flat over 1 cm)
    import tomllib
    from importlib.resources import files

    from photodose.device.spec import device_from_dict

    data = tomllib.loads(
        (files("photodose") / "data" / "devices" / "omnilux-contour-face.toml").read_text("utf-8")
    )
    fx, fy = 0.0, 6.0
    data["geometry"]["led_positions_cm"] = [[fx, fy]]
    data["geometry"]["standoff_cm"] = {"value": 1.0, "source": "test", "confidence": "exact"}
    for ch in data["channels"]:
        ch["led_count"] = {"value": 1, "source": "test", "confidence": "exact"}
        ch["radiant_power_mw_per_led"] = {"value": 10.0, "source": "test", "confidence": "exact"}
    data["beam"] = {"cos_exponent_m": {"value": 1.0, "source": "test", "confidence": "exact"}}
    data.pop("stated", None)
    d = device_from_dict(data)
    pv = peak_valley(d, 0, "central")
    assert pv.peak_mw_cm2 == pytest.approx(10.0 * 2 / (2 * np.pi * 1.0**2), rel=0.03)
    assert led_array(d, 0, "central").n == 1


def test_utilisation_is_light_on_the_face_over_light_emitted() -> None:
    f = face_surface()
    d = find_device("currentbody-series-2")
    arr = led_array(d, 0, "central", f)
    E = irradiance_map(d, f, 0, "central")
    t = treated_mask(d, f)
    p = led_power_mw(d, 0, "central", f)
    eta = float((E[t] * f.areas_cm2[t]).sum() / (arr.n * p))
    assert light_utilisation(d, 0, "central", f) == pytest.approx(eta, rel=1e-9)
    # a mask close to the face puts most of its light on it, a panel at a distance far less
    panel = find_device("in-office-lee-2007-panels")
    assert light_utilisation(d, 0, "central") > light_utilisation(panel, 0, "central")
