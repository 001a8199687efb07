"""Energy and heat budget of a stated irradiance: can the device deliver it over the face?

A face-average irradiance ``E`` (mW/cm²) over a treated area ``A`` (cm²) needs the LEDs to emit

    P_req = E · A / η                                                            [mW]

where η is the fraction of the emitted light that lands on the treated skin (computed from the
device geometry, :func:`photodose.device.irradiance.light_utilisation`). Against it stand

* what the LEDs can give: ``P_avail = N · P_LED`` with ``P_LED`` from LED datasheets
  (``data/devices/_led_datasheets.toml``: small SMD 2–50 mW, high-power 5–425 mW per LED);
* the electrical power and battery energy that light costs:
  ``P_el = P_req / (η_wall-plug · η_driver)``, ``W = P_el · t`` against the battery;
* skin heating by the absorbed light alone (the LEDs' waste heat only adds to it), from the
  Pennes (1948) bioheat equation for a constant surface flux ``q`` on perfused tissue:

      ΔT(t) = q / √(k · W_b) · erf(√(W_b t / (ρc)))                          [K]

  (Laplace solution of ρc ∂T/∂t = k ∂²T/∂z² − W_b T with −k ∂T/∂z = q at z = 0; for short t it
  is the unperfused 2q√(t/(π k ρc)), for long t the steady q/√(k W_b)), held against the 41 °C
  applied-part limit of IEC 60601-1.

Each check is made at the end of every input range most favourable to the stated figure. A
figure that passes all of them is ``face_average`` (consistent with a face-average irradiance);
one that fails but is no higher than the irradiance over a single LED at the skin or in contact
with the datasheet's highest LED power is ``peak_only``; anything higher is ``implausible``.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from photodose.device.spec import DeviceSpec

Classification = str  # "face_average" | "peak_only" | "implausible"
CLASSIFICATIONS: tuple[str, ...] = ("face_average", "peak_only", "implausible")


# --------------------------------------------------------------------------------------------
# data


@lru_cache(maxsize=1)
def _datasheets() -> dict[str, Any]:
    p = files("photodose") / "data" / "devices" / "_led_datasheets.toml"
    return tomllib.loads(p.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _assumptions() -> dict[str, Any]:
    p = files("photodose") / "data" / "devices" / "_budget_assumptions.toml"
    return tomllib.loads(p.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class LedPowerClass:
    """Per-LED radiant power range of a class of LEDs, from datasheets.

    radiant_power_mw : (low, central, high) mW per LED; wall_plug_efficiency : (low, high)
    optical / electrical power; citations : the datasheets behind the numbers.
    """

    name: str
    description: str
    radiant_power_mw: tuple[float, float, float]
    wall_plug_efficiency: tuple[float, float]
    basis: str
    citations: tuple[str, ...]
    confidence: str


def led_datasheets() -> list[dict[str, Any]]:
    """The LED datasheet rows (part, drive current, radiant power, V_F, source)."""
    return [dict(r) for r in _datasheets()["leds"]]


def led_power_class(name: str) -> LedPowerClass:
    """The ``smd`` or ``high_power`` LED class (see ``_led_datasheets.toml``)."""
    classes = _datasheets()["classes"]
    if name not in classes:
        raise ValueError(f"unknown LED class {name!r}; use one of {', '.join(classes)}")
    c = classes[name]
    rp = c["radiant_power_mw"]
    w = c["wall_plug_efficiency"]
    rows = [r for r in _datasheets()["leds"]]
    return LedPowerClass(
        name=name,
        description=c["description"],
        radiant_power_mw=(float(rp["low"]), float(rp["central"]), float(rp["high"])),
        wall_plug_efficiency=(float(w["low"]), float(w["high"])),
        basis=f"low: {c['low_basis']}; high: {c['high_basis']}; efficiency: {c['wpe_basis']}",
        citations=tuple(r["source"] for r in rows),
        confidence=c["confidence"],
    )


def led_class_for(device: DeviceSpec) -> str:
    """LED class of a device: ``high_power`` for clinic panels, ``smd`` for masks and wands."""
    return "high_power" if device.kind in ("in_office", "panel") else "smd"


def assumption(section: str, name: str) -> dict[str, Any]:
    """One row of ``_budget_assumptions.toml`` (low / central / high or value, source)."""
    return dict(_assumptions()[section][name])


def assumption_range(section: str, name: str) -> tuple[float, float, float]:
    """(low, central, high) of one row of ``_budget_assumptions.toml``."""
    r = assumption(section, name)
    if "value" in r:
        v = float(r["value"])
        return v, v, v
    return float(r["low"]), float(r["central"]), float(r["high"])


# --------------------------------------------------------------------------------------------
# the arithmetic (plain functions, numpy in / out)


def required_optical_power_mw(
    irradiance_mw_cm2: ArrayLike, area_cm2: ArrayLike, utilisation: ArrayLike
) -> NDArray[np.float64]:
    """Optical power (mW) the LEDs must emit for a face-average irradiance:
    ``P = E · A / η`` (E mW/cm², A cm², η the fraction of emitted light reaching the area)."""
    E = np.asarray(irradiance_mw_cm2, dtype=float)
    A = np.asarray(area_cm2, dtype=float)
    eta = np.asarray(utilisation, dtype=float)
    if np.any(eta <= 0) or np.any(eta > 1):
        raise ValueError("utilisation must be in (0, 1]")
    return np.asarray(E * A / eta)


def electrical_power_w(
    optical_power_mw: ArrayLike, wall_plug_efficiency: ArrayLike, driver_efficiency: ArrayLike = 1.0
) -> NDArray[np.float64]:
    """Electrical power (W) drawn for an optical power: ``P_el = P_opt / (η_wp · η_drv) / 1000``."""
    P = np.asarray(optical_power_mw, dtype=float)
    return np.asarray(P / (np.asarray(wall_plug_efficiency) * np.asarray(driver_efficiency)) / 1000.0)


def session_energy_wh(electrical_power_w_: ArrayLike, minutes: ArrayLike) -> NDArray[np.float64]:
    """Energy (Wh) for a session: ``W = P_el · t / 60`` (t in minutes)."""
    return np.asarray(np.asarray(electrical_power_w_, dtype=float) * np.asarray(minutes, dtype=float) / 60.0)


def skin_temperature_rise_pennes(
    absorbed_flux_mw_cm2: ArrayLike,
    minutes: ArrayLike,
    thermal_conductivity_w_m_k: float = 0.37,
    perfusion_w_m3_k: float = 3000.0,
    volumetric_heat_capacity_j_m3_k: float = 3.7e6,
) -> NDArray[np.float64]:
    """Skin surface temperature rise (K) under a constant absorbed heat flux, Pennes (1948)
    bioheat equation on a semi-infinite perfused medium (see module doc):

        ΔT = q / √(k W_b) · erf(√(W_b t / ρc)),   q in W/m² (1 mW/cm² = 10 W/m²).

    Pennes HH 1948, J Appl Physiol 1:93–122 (doi:10.1152/jappl.1948.1.2.93).
    """
    erf = np.vectorize(math.erf, otypes=[float])  # stdlib erf: no scipy import on this path

    q = np.asarray(absorbed_flux_mw_cm2, dtype=float) * 10.0
    t = np.asarray(minutes, dtype=float) * 60.0
    k, Wb, rc = thermal_conductivity_w_m_k, perfusion_w_m3_k, volumetric_heat_capacity_j_m3_k
    return np.asarray(q / math.sqrt(k * Wb) * erf(np.sqrt(Wb * t / rc)))


def contact_irradiance_mw_cm2(
    power_mw: ArrayLike, gap_cm: ArrayLike, cos_exponent_m: ArrayLike
) -> NDArray[np.float64]:
    """On-axis irradiance (mW/cm²) a sensor ``gap_cm`` in front of one cos^m LED receives:
    ``E = P (m+1) / (2π d²)`` (the far-field law of :mod:`photodose.device.irradiance`)."""
    P = np.asarray(power_mw, dtype=float)
    d = np.asarray(gap_cm, dtype=float)
    m = np.asarray(cos_exponent_m, dtype=float)
    return np.asarray(P * (m + 1.0) / (2.0 * np.pi * d**2))


# --------------------------------------------------------------------------------------------
# the classification


@dataclass(frozen=True)
class StatedIrradianceCheck:
    """A stated irradiance (or dose) held against the device's energy and heat budget.

    classification : ``face_average`` (consistent with a face-average irradiance), ``peak_only``
    (consistent only as a peak over one LED or a contact reading) or ``implausible``.
    explanation : the arithmetic in words. required_optical_power_mw : light the LEDs must emit
    for the figure as a face average (most favourable geometry). available_optical_power_mw :
    (low, high) the LED count × datasheet per-LED power allows. citations : sources used.
    """

    classification: str
    explanation: str
    required_optical_power_mw: float
    available_optical_power_mw: tuple[float, float]
    citations: tuple[str, ...]
    stated_irradiance_mw_cm2: float = float("nan")
    channel: str | None = None
    checks: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "classification": self.classification,
            "explanation": self.explanation,
            "stated_irradiance_mw_cm2": self.stated_irradiance_mw_cm2,
            "channel": self.channel,
            "required_optical_power_mw": self.required_optical_power_mw,
            "available_optical_power_mw": list(self.available_optical_power_mw),
            "checks": self.checks,
            "citations": list(self.citations),
        }


def _channels_for(device: DeviceSpec, channel: str | None) -> list[str]:
    if channel is not None:
        return [device.channel(channel).name]
    return list(device.mode.channels)


def _g(x: float) -> str:
    return f"{x:.3g}" if abs(x) < 1000 else f"{x:.0f}"


def _power(mw: float) -> str:
    """A power for the reader: mW below 1 W, W above."""
    return f"{mw:.3g} mW" if mw < 1000 else f"{mw / 1000:.3g} W"


_GEOMETRY_CACHE: dict[tuple[str, tuple[str, ...]], dict[str, Any]] = {}


def _geometry(device: DeviceSpec, channels: tuple[str, ...]) -> dict[str, Any]:
    """Treated area, light utilisation and peak-per-mW of the device (cached per device)."""
    key = (device.model_dump_json(), channels)
    if key not in _GEOMETRY_CACHE:
        if len(_GEOMETRY_CACHE) > 64:
            _GEOMETRY_CACHE.clear()
        _GEOMETRY_CACHE[key] = _compute_geometry(device, channels)
    return _GEOMETRY_CACHE[key]


def geometry_entries(device: DeviceSpec) -> dict[tuple[str, ...], dict[str, Any]]:
    """The cached geometry of ``device`` per channel tuple (for a service to keep between runs)."""
    dev = device.model_dump_json()
    return {ch: value for (d, ch), value in _GEOMETRY_CACHE.items() if d == dev}


def seed_geometry(device: DeviceSpec, entries: dict[tuple[str, ...], dict[str, Any]]) -> None:
    """Put geometry computed earlier for ``device`` (:func:`geometry_entries`) back in the cache."""
    dev = device.model_dump_json()
    for ch, value in entries.items():
        _GEOMETRY_CACHE[(dev, tuple(ch))] = value


def _compute_geometry(device: DeviceSpec, channels: tuple[str, ...]) -> dict[str, Any]:
    from photodose.device.face import face_surface
    from photodose.device.irradiance import (
        beam_exponent,
        light_utilisation,
        treated_mask,
        unit_peak_valley,
    )

    face = face_surface()
    area = float(face.areas_cm2[treated_mask(device, face)].sum())
    etas = [light_utilisation(device, channels[0], sc, face) for sc in ("low", "central", "high")]
    peaks = [unit_peak_valley(device, channels[0], sc, face).peak_mw_cm2 for sc in ("low", "central", "high")]
    ms = [beam_exponent(device, sc) for sc in ("low", "central", "high")]
    return {"area_cm2": area, "eta": etas, "unit_peak": peaks, "m": ms}


def classify_stated_irradiance(
    device: DeviceSpec, irradiance_mw_cm2: float, channel: str | None = None, minutes: float | None = None
) -> StatedIrradianceCheck:
    """Classify a stated irradiance (mW/cm²) for ``device``: face average, peak only or
    implausible, with the arithmetic (see module doc).

    ``channel`` names the channel the figure is for; ``None`` means all channels of the default
    mode together (a "total"). ``minutes`` is the session length for the heat and battery checks
    (default: the device's timer).
    """
    E = float(irradiance_mw_cm2)
    if not math.isfinite(E) or E <= 0:
        raise ValueError(f"irradiance_mw_cm2 must be a positive number (got {irradiance_mw_cm2!r})")
    chans = _channels_for(device, channel)
    # the shortest session is the most favourable to the figure (least heat, least energy)
    t_min = float(minutes) if minutes is not None else device.session_minutes_estimate.low
    if not (t_min > 0):
        raise ValueError("minutes must be > 0")
    cls = led_power_class(led_class_for(device))
    geo = _geometry(device, tuple(chans))
    area = geo["area_cm2"]
    eta_best = max(geo["eta"])
    p_req = float(required_optical_power_mw(E, area, eta_best))

    n_lo = sum(device.channel(c).led_count.pick("low") for c in chans)
    n_hi = sum(device.channel(c).led_count.pick("high") for c in chans)
    p_lo, p_c, p_hi = cls.radiant_power_mw
    avail = (n_lo * p_lo, n_hi * p_hi)
    power_ok = p_req <= avail[1]
    per_led_needed = p_req / n_hi

    wpe_hi = cls.wall_plug_efficiency[1]
    drv = assumption_range("electronics", "driver_efficiency")
    p_el = float(electrical_power_w(p_req, wpe_hi, drv[2]))
    energy = float(session_energy_wh(p_el, t_min))
    battery_key = {"mask": "battery_wh_mask", "handheld": "battery_wh_handheld"}.get(device.kind)
    battery_ok = True
    batt_txt = "mains-powered (no battery check)"
    if battery_key is not None:
        b = assumption_range("electronics", battery_key)
        battery_ok = energy <= b[2]
        batt_txt = (
            f"{_g(p_el)} W electrical at the best datasheet efficiency {wpe_hi:g} and driver "
            f"{drv[2]:g} → {_g(energy)} Wh for {t_min:g} min vs a battery of {b[0]:g}–{b[2]:g} Wh "
            f"(assumption) → {'fits' if battery_ok else 'exceeds even the largest'}"
        )

    a_lo = assumption_range("skin", "absorbed_fraction")[0]
    k = assumption_range("skin", "thermal_conductivity_w_m_k")[2]
    wb = assumption_range("skin", "perfusion_w_m3_k")[2]
    rc = assumption_range("skin", "volumetric_heat_capacity_j_m3_k")[1]
    t_base = assumption_range("skin", "baseline_temperature_c")[0]
    t_lim = assumption_range("skin", "limit_temperature_c")[1]
    dT = float(skin_temperature_rise_pennes(E * a_lo, t_min, k, wb, rc))
    heat_ok = t_base + dT <= t_lim

    # the peak a single LED can give: over an LED at the skin (model, highest scenario) or a
    # sensor in contact with it, at the datasheet's highest per-LED power (all channels' chips
    # together for a total)
    gap = assumption_range("geometry", "contact_gap_cm")[0]
    m_hi = max(geo["m"])
    p_led_total = p_hi * len(chans)
    peak_skin = max(geo["unit_peak"]) * p_led_total
    peak_contact = float(contact_irradiance_mw_cm2(p_led_total, gap, m_hi))
    peak_max = max(peak_skin, peak_contact)

    # waste heat of a worn device: what its outer surface can shed to room air at the limit
    shed_txt = "not worn (no heat-shedding check)"
    shed_ok = True
    shed_w = float("nan")
    waste_w = p_el * drv[2] - p_req / 1000.0
    if device.kind in ("mask", "handheld"):
        h = assumption_range("heat_shedding", "h_w_m2_k")[2]
        t_air = assumption_range("heat_shedding", "air_temperature_c")[0]
        if device.kind == "mask":
            outer_cm2 = area * assumption_range("heat_shedding", "mask_outer_area_over_face")[2]
        else:
            outer_cm2 = assumption_range("heat_shedding", "handheld_body_area_cm2")[2]
        shed_w = h * outer_cm2 * 1e-4 * (t_lim - t_air)
        shed_ok = waste_w <= shed_w
        shed_txt = (
            f"the LEDs turn {_g(waste_w)} W into heat; an outer surface of {_g(outer_cm2)} cm² sheds "
            f"at most {h:g} W/m²/K × {_g(outer_cm2 * 1e-4)} m² × ({t_lim:g} − {t_air:g}) K = "
            f"{_g(shed_w)} W to room air → "
            + ("fits" if shed_ok else "the rest would heat the face or the device beyond the limit")
        )

    face_ok = power_ok and battery_ok and heat_ok and shed_ok
    if face_ok:
        classification = "face_average"
    elif peak_max >= E:
        classification = "peak_only"
    else:
        classification = "implausible"

    what = f"channel {chans[0]}" if channel is not None else f"channels {' + '.join(chans)} together"
    lines = [
        f"As a face average, {_g(E)} mW/cm² ({what}) over the {_g(area)} cm² treated area, with at "
        f"best {_g(eta_best)} of the emitted light reaching it (device geometry), needs "
        f"{_g(E)} × {_g(area)} / {_g(eta_best)} = {_power(p_req)} of light "
        f"({_g(per_led_needed)} mW per LED at the highest count, {n_hi:g}).",
        f"{n_lo:g}–{n_hi:g} LEDs × {p_lo:g}–{p_hi:g} mW per LED ({cls.name} LED datasheets) give "
        f"{_power(avail[0])}–{_power(avail[1])} → {'enough' if power_ok else 'not enough'}.",
        f"Battery: {batt_txt}.",
        f"Skin heating from the absorbed light alone (≥ {a_lo:g} absorbed, Pennes bioheat, "
        f"{t_min:g} min): +{_g(dT)} K, from {t_base:g} °C to {_g(t_base + dT)} °C vs the "
        f"{t_lim:g} °C limit → {'within' if heat_ok else 'above'}.",
        f"Waste heat: {shed_txt}.",
    ]
    strained = face_ok and per_led_needed > p_c
    if face_ok and strained:
        lines.append(
            f"Consistent with a face-average irradiance, but only towards the ends of the ranges: "
            f"it needs {_g(per_led_needed)} mW per LED, above the {p_c:g} mW typical of the class."
        )
    elif face_ok:
        lines.append("Consistent with a face-average irradiance.")
    else:
        lines.append(
            f"Not reachable as a face average. Over one LED the skin sees at most {_g(peak_skin)} "
            f"mW/cm² (model, {p_led_total:g} mW per LED position), and a sensor in contact "
            f"({gap:g} cm) {_g(peak_contact)} mW/cm² → "
            + (
                "the figure fits only as a peak over an LED or a contact reading."
                if classification == "peak_only"
                else "the figure is above even that: implausible."
            )
        )
    citations = (
        *cls.citations,
        "Pennes HH 1948, J Appl Physiol 1:93-122, doi:10.1152/jappl.1948.1.2.93",
        str(assumption("skin", "absorbed_fraction")["source"]),
        str(assumption("skin", "limit_temperature_c")["source"]),
        str(assumption("heat_shedding", "h_w_m2_k")["source"]),
    )
    return StatedIrradianceCheck(
        classification=classification,
        explanation=" ".join(lines),
        required_optical_power_mw=p_req,
        available_optical_power_mw=avail,
        citations=citations,
        stated_irradiance_mw_cm2=E,
        channel=channel,
        checks={
            "treated_area_cm2": area,
            "light_utilisation": {"low": min(geo["eta"]), "high": eta_best},
            "per_led_power_needed_mw": per_led_needed,
            "only_at_range_ends": strained,
            "led_class": cls.name,
            "power_ok": power_ok,
            "electrical_power_w": p_el,
            "session_energy_wh": energy,
            "battery_ok": battery_ok,
            "skin_temperature_rise_k": dT,
            "heat_ok": heat_ok,
            "waste_heat_w": waste_w,
            "shed_w": shed_w if device.kind in ("mask", "handheld") else None,
            "heat_shedding_ok": shed_ok,
            "session_minutes": t_min,
            "peak_over_led_max_mw_cm2": peak_skin,
            "contact_max_mw_cm2": peak_contact,
        },
    )


def classify_stated_dose(
    device: DeviceSpec, dose_j_cm2: float, minutes: float | None, channel: str | None = None
) -> StatedIrradianceCheck:
    """Classify a stated dose (J/cm²) per session: the irradiance it implies,
    ``E = H / t`` (mW/cm² = 1000 · J/cm² / s), goes through :func:`classify_stated_irradiance`.
    ``minutes`` is the session the dose is stated for (default: the device's timer)."""
    H = float(dose_j_cm2)
    if not math.isfinite(H) or H <= 0:
        raise ValueError(f"dose_j_cm2 must be a positive number (got {dose_j_cm2!r})")
    if minutes is None:
        t = device.session_minutes_estimate
        t_min = t.central
        t_src = f"the device timer ({t_min:g} min)"
    else:
        t_min = float(minutes)
        t_src = f"{t_min:g} min"
        if not (t_min > 0) or not math.isfinite(t_min):
            raise ValueError("minutes must be a positive number")
    E = 1000.0 * H / (t_min * 60.0)
    c = classify_stated_irradiance(device, E, channel, t_min)
    pre = f"{H:g} J/cm² in {t_src} is {H:g} × 1000 / ({t_min:g} × 60 s) = {E:.3g} mW/cm². "
    return StatedIrradianceCheck(
        classification=c.classification,
        explanation=pre + c.explanation,
        required_optical_power_mw=c.required_optical_power_mw,
        available_optical_power_mw=c.available_optical_power_mw,
        citations=c.citations,
        stated_irradiance_mw_cm2=E,
        channel=channel,
        checks={**c.checks, "dose_j_cm2": H},
    )
