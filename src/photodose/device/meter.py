"""A person's own irradiance-meter reading: units, meter corrections, plausibility.

* Units: mW/cm², W/m², µW/cm², W/cm² (1 mW/cm² = 10 W/m²).
* Meters (``data/meters/meters.toml``): solar-power meters (TES-1333, Tenmars TM-206: silicon
  cells calibrated for broadband sunlight) misread narrow-band red/NIR light. No documented
  correction is known for them, so the reading is kept (central) with a wide range and a
  statement that no correction is known. Calibrated photodiode, thermal and spectroradiometer
  sensors get a narrow range.
* The classic factor-of-10 mix-up (a W/m² display entered as mW/cm², or the reverse) is flagged
  when the value is implausible for the device and distance, with the other reading of it.
"""

from __future__ import annotations

import difflib
import math
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files
from typing import Any

from photodose.device.estimate import Estimate, weakest_confidence
from photodose.device.spec import DeviceSpec
from photodose.hints import SAY_METER_POSITION, Hint

UNITS_TO_MW_CM2: dict[str, float] = {
    "mw/cm2": 1.0,
    "w/m2": 0.1,
    "uw/cm2": 1e-3,
    "w/cm2": 1e3,
    "mw/m2": 1e-4,
}


METER_POSITIONS: tuple[str, ...] = ("over-led", "between-leds", "distance")


class MeterReadingError(ValueError):
    """A reading that cannot be used (bad unit, negative value, …)."""


def _norm_unit(unit: str) -> str:
    u = unit.strip().lower().replace("²", "2").replace("^2", "2").replace("µ", "u")
    u = u.replace("μ", "u").replace(" ", "").replace("per", "/")
    u = u.replace("mwcm2", "mw/cm2").replace("wm2", "w/m2") if "/" not in u else u
    u = u.replace("/cm-2", "/cm2")
    return u


def to_mw_cm2(value: float, unit: str) -> float:
    """Convert an irradiance to mW/cm² (1 W/m² = 0.1 mW/cm²)."""
    u = _norm_unit(unit)
    if u not in UNITS_TO_MW_CM2:
        raise MeterReadingError(
            f"unit {unit!r} is not an irradiance unit I know; fix: use one of mW/cm2, W/m2, "
            "uW/cm2 (what the meter's display shows)"
        )
    return float(value) * UNITS_TO_MW_CM2[u]


@dataclass(frozen=True)
class MeterInfo:
    """What is known about one meter type (see ``data/meters/meters.toml``)."""

    id: str
    name: str
    aliases: tuple[str, ...]
    kind: str
    display_unit: str
    correction: str
    true_over_reading: tuple[float, float, float]
    source: str
    confidence: str
    note: str
    max_display_mw_cm2: float | None = None


@lru_cache(maxsize=1)
def _meter_data() -> dict[str, Any]:
    path = files("photodose") / "data" / "meters" / "meters.toml"
    with path.open("rb") as fh:
        return tomllib.load(fh)


@lru_cache(maxsize=1)
def meters() -> tuple[MeterInfo, ...]:
    """The known meter types."""
    out = []
    for m in _meter_data()["meters"]:
        f = m["true_over_reading"]
        mx = m.get("max_display_w_m2")
        out.append(
            MeterInfo(
                id=m["id"],
                name=m["name"],
                aliases=tuple(m.get("aliases", [])),
                kind=m["kind"],
                display_unit=m["display_unit"],
                correction=m["correction"],
                true_over_reading=(float(f["low"]), float(f["central"]), float(f["high"])),
                source=f["source"],
                confidence=f["confidence"],
                note=m.get("note", ""),
                max_display_mw_cm2=None if mx is None else float(mx["value"]) * 0.1,
            )
        )
    return tuple(out)


def _key(s: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", s.lower())


def find_meter(name: str) -> MeterInfo | None:
    """A meter by id, name or alias (case and punctuation ignored); None if not known."""
    q = _key(name)
    if not q:
        return None
    for m in meters():
        if q in {_key(m.id), _key(m.name), *(_key(a) for a in m.aliases)}:
            return m
    return None


def meter_suggestions(name: str) -> list[str]:
    pool = {a: m.id for m in meters() for a in (m.id, m.name, *m.aliases)}
    return [pool[c] for c in difflib.get_close_matches(name, list(pool), n=3, cutoff=0.5)]


# unknown meters: no correction, a range wider than the solar meters'
_UNKNOWN_FACTOR = (0.33, 1.0, 1.5)


@dataclass(frozen=True)
class MeterReading:
    """A reading as the person gives it.

    value : the number on the display; unit : the display's unit (mW/cm2 or W/m2);
    distance_cm : sensor-to-LED distance (mask: from its inner surface); meter : model name;
    position : where the sensor was: ``over-led`` (against the skin side of the device, right
    over one LED: a peak), ``between-leds`` (in a gap between LEDs: a minimum) or ``distance``
    (``distance_cm`` in front of the array's centre, the default).
    """

    value: float
    unit: str
    distance_cm: float
    meter: str = "unknown"
    position: str = "distance"

    def __post_init__(self) -> None:
        if isinstance(self.value, bool) or not isinstance(self.value, int | float):
            raise MeterReadingError("reading value must be a number; fix: type the displayed number")
        if not math.isfinite(self.value) or self.value < 0:
            raise MeterReadingError(
                f"reading value {self.value} must be a finite number >= 0; fix: type the displayed number"
            )
        if isinstance(self.distance_cm, bool) or not isinstance(self.distance_cm, int | float):
            raise MeterReadingError("distance_cm must be a number of cm")
        if not math.isfinite(self.distance_cm) or not 0 <= self.distance_cm <= 500:
            raise MeterReadingError(
                f"distance_cm {self.distance_cm} must be within 0-500 cm; fix: give the sensor-"
                "to-LED distance in cm (0 for contact)"
            )
        to_mw_cm2(1.0, self.unit)  # raises MeterReadingError on an unknown unit
        if self.position not in METER_POSITIONS:
            raise MeterReadingError(
                f"meter position {self.position!r} is not one I know; fix: use one of "
                f"{', '.join(METER_POSITIONS)}"
            )


@dataclass(frozen=True)
class ReadingInterpretation:
    """What a reading means.

    irradiance : true irradiance estimate (mW/cm²) after the meter correction (or none, with a
    wide range); as_given_mw_cm2 : the reading converted with the unit given; flags : warnings
    (unit mix-up, out of range); alternative_mw_cm2 : the other reading of the number when a
    factor-10 unit mix-up is likely; hints : what the person can enter to settle a flag (a
    :class:`~photodose.hints.Hint` whose face-neutral ``phrase`` is in the flag's text; each face
    words it: the CLI as its option, the web app as its form field).
    """

    reading: MeterReading
    as_given_mw_cm2: float
    irradiance: Estimate
    meter: MeterInfo | None
    correction_known: bool
    correction_note: str
    flags: list[str] = field(default_factory=list)
    alternative_mw_cm2: float | None = None
    model_at_distance: Estimate | None = None
    hints: list[Hint] = field(default_factory=list)

    @property
    def unit_suspect(self) -> bool:
        return self.alternative_mw_cm2 is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "reading": {
                "value": self.reading.value,
                "unit": self.reading.unit,
                "distance_cm": self.reading.distance_cm,
                "meter": self.reading.meter,
                "position": self.reading.position,
            },
            "as_given_mw_cm2": self.as_given_mw_cm2,
            "irradiance_mw_cm2": self.irradiance.to_dict(),
            "meter": None if self.meter is None else self.meter.id,
            "correction_known": self.correction_known,
            "correction_note": self.correction_note,
            "flags": list(self.flags),
            "alternative_mw_cm2": self.alternative_mw_cm2,
            "model_at_distance_mw_cm2": (
                None if self.model_at_distance is None else self.model_at_distance.to_dict()
            ),
            "hints": [h.to_dict() for h in self.hints],
        }


def plausible_range_mw_cm2(distance_cm: float) -> tuple[float, float]:
    """Irradiance range (mW/cm²) a light-therapy device plausibly gives at that distance
    (assumption, see ``data/meters/meters.toml``)."""
    p = _meter_data()["plausibility"]
    r = p["near_mw_cm2"] if distance_cm <= float(p["near_max_cm"]) else p["far_mw_cm2"]
    return float(r["low"]), float(r["high"])


def _at_position(device: DeviceSpec, channel: str, position: str, distance_cm: float, scenario: str) -> float:
    """Modelled irradiance (mW/cm²) where the sensor sat: over an LED (the skin-level peak),
    between LEDs (the skin-level minimum inside the array) or at a distance in front of it."""
    from photodose.device.irradiance import irradiance_at_distance, peak_valley

    if position == "over-led":
        return peak_valley(device, channel, scenario).peak_mw_cm2
    if position == "between-leds":
        return peak_valley(device, channel, scenario).between_led_min_mw_cm2
    return irradiance_at_distance(device, channel, max(distance_cm, 0.1), scenario)


def _model_at(device: DeviceSpec, distance_cm: float, position: str = "distance") -> Estimate:
    d = max(distance_cm, 0.1)
    chans = device.mode.channels
    vals = {
        sc: sum(_at_position(device, c, position, d, sc) for c in chans) for sc in ("low", "central", "high")
    }
    return Estimate.from_scenarios(
        vals["low"],
        vals["central"],
        vals["high"],
        "mW/cm2",
        f"modelled {device.name} ({', '.join(chans)}) "
        + (
            f"at {d:g} cm from the LEDs"
            if position == "distance"
            else ("over an LED at the skin" if position == "over-led" else "between LEDs at the skin")
        ),
        device.input_confidence(),
    )


def interpret_reading(
    reading: MeterReading,
    device: DeviceSpec | None = None,
    wavelengths_nm: list[float] | None = None,
) -> ReadingInterpretation:
    """Interpret a meter reading: convert units, apply (or decline) a spectral correction,
    and flag a likely W/m² ↔ mW/cm² mix-up.

    Parameters
    ----------
    reading : the displayed value, its unit, the distance and the meter model.
    device : the device measured (optional): its model irradiance at the distance sharpens the
        unit check, and its wavelengths the spectral notes.
    wavelengths_nm : wavelengths measured, when no device is given.

    Returns
    -------
    ReadingInterpretation, with the true irradiance as an Estimate in mW/cm².
    """
    E = to_mw_cm2(reading.value, reading.unit)
    unit = _norm_unit(reading.unit)
    meter = find_meter(reading.meter)
    flags: list[str] = []
    hints: list[Hint] = []
    alt: float | None = None
    if device is not None and wavelengths_nm is None:
        wavelengths_nm = [device.channel(c).peak_nm.pick() for c in device.mode.channels]

    # spectral correction ------------------------------------------------------------------
    if meter is None:
        factor = _UNKNOWN_FACTOR
        known = False
        sugg = meter_suggestions(reading.meter) if reading.meter != "unknown" else []
        note = (
            f"meter {reading.meter!r} is not one I know"
            + (f" (did you mean {', '.join(sugg)}?)" if sugg else "")
            + ": no correction is known, so the reading is kept with a wide range "
            f"(×{factor[0]:g}–×{factor[2]:g})"
        )
        conf = "assumption"
        src = "assumption: unknown meter type"
    else:
        factor = meter.true_over_reading
        known = meter.kind != "solar"
        conf = meter.confidence
        src = meter.source
        if meter.kind == "solar":
            note = (
                f"{meter.name}: no documented spectral correction for narrow-band red/NIR LEDs "
                "is known; the reading is kept as the central value with a wide range "
                f"(true/reading ×{factor[0]:g}–×{factor[2]:g}; {meter.source})"
            )
        else:
            note = f"{meter.name}: {meter.correction} (true/reading ×{factor[0]:g}–×{factor[2]:g})"
        if meter.kind in ("solar", "photodiode_calibrated") and wavelengths_nm:
            far = [w for w in wavelengths_nm if w > 1000]
            if far:
                flags.append(
                    f"silicon detectors lose most sensitivity above ~1000 nm: the "
                    f"{', '.join(f'{w:g}' for w in far)} nm channel is largely missed"
                )
        if meter.kind == "photodiode_calibrated" and wavelengths_nm and len(wavelengths_nm) > 1:
            flags.append(
                "several wavelengths were on together: a photodiode set to one wavelength "
                "misweights the others; measure each channel alone"
            )
        if meter.display_unit == "W/m2" and unit == "mw/cm2":
            flags.append(
                f"the {meter.name} displays W/m²: if you copied the display, the value is "
                f"{reading.value:g} W/m² = {reading.value * 0.1:g} mW/cm²"
            )
            alt = reading.value * 0.1
        mx = meter.max_display_mw_cm2
        if mx is not None and mx * 1.0001 < E:
            flags.append(
                f"{E:g} mW/cm² is above what the {meter.name} can display "
                f"({mx:g} mW/cm² = {mx * 10:g} W/m²); "
                "check the unit"
            )

    if device is not None and reading.position == "distance" and reading.distance_cm <= 0.5:
        flags.append(
            f"a reading at {reading.distance_cm:g} cm is against the LEDs: over an LED it is a peak, "
            f"in a gap a minimum, and the face average lies between; {SAY_METER_POSITION} "
            "(read here as the value in front of the array's centre)"
        )
        hints.append(
            Hint("meter_position", "flags", SAY_METER_POSITION, {"positions": ["over-led", "between-leds"]})
        )

    # factor-of-10 check -------------------------------------------------------------------
    lo, hi = plausible_range_mw_cm2(reading.distance_cm)
    model = _model_at(device, reading.distance_cm, reading.position) if device is not None else None
    if model is not None:
        lo_m, hi_m = model.low / 3.0, model.high * 3.0
    else:
        lo_m, hi_m = lo, hi
    if E > 0 and unit in ("mw/cm2", "w/m2"):
        other = E / 10.0 if unit == "mw/cm2" else E * 10.0
        other_unit = "W/m²" if unit == "mw/cm2" else "mW/cm²"
        this_unit = "mW/cm²" if unit == "mw/cm2" else "W/m²"
        where = (
            f"a {device.kind} at {reading.distance_cm:g} cm"
            if device
            else (f"an LED device at {reading.distance_cm:g} cm")
        )
        implausible = not (lo <= E <= hi)
        off_model = model is not None and not (lo_m <= E <= hi_m)
        other_fits = (lo <= other <= hi) and (model is None or lo_m <= other <= hi_m)
        if (implausible or off_model) and other_fits:
            flags.append(
                f"{reading.value:g} {this_unit}"
                + (f" (= {E:.3g} mW/cm²)" if unit != "mw/cm2" else "")
                + f" is implausible for {where}"
                + (f" (model: {model})" if model is not None else "")
                + f"; if the display was in {other_unit}, it is {other:.3g} mW/cm² "
                "(1 mW/cm² = 10 W/m²)"
            )
            alt = other
        elif implausible:
            flags.append(
                f"{E:.3g} mW/cm² is outside the plausible {lo:g}–{hi:g} mW/cm² for {where}; "
                "check the unit, the distance and the sensor orientation"
            )
        elif off_model and model is not None:
            flags.append(
                f"{E:.3g} mW/cm² is far from the modelled {model} at this distance: the "
                "model's assumed LED power may be off (your reading is the better number if "
                "the unit and distance are right)"
            )

    est = Estimate(
        E * factor[0],
        E * factor[1],
        E * factor[2],
        "mW/cm2",
        f"meter reading {reading.value:g} {reading.unit} at {reading.distance_cm:g} cm with "
        f"{reading.meter}; {note}",
        weakest_confidence(conf),
        {"meter_factor_source": src},
    )
    return ReadingInterpretation(
        reading=reading,
        as_given_mw_cm2=E,
        irradiance=est,
        meter=meter,
        correction_known=known,
        correction_note=note,
        flags=flags,
        alternative_mw_cm2=alt,
        model_at_distance=model,
        hints=hints,
    )


def measured_face_irradiance(
    device: DeviceSpec, interpretation: ReadingInterpretation
) -> dict[str, Estimate]:
    """Per-channel mean face irradiance (mW/cm²) scaled to a meter reading.

    The model's face-mean / meter-position ratio (central scenario) carries the reading from
    the meter position to the face: over an LED the reading is a peak (the face mean is lower),
    between LEDs a minimum (the face mean is higher), at a distance the value in front of the
    array's centre. A broadband meter sees all channels of the default mode together, so the
    reading is split between them in the model's central proportions (assumption).
    """
    from photodose.device.irradiance import mean_irradiance

    r = interpretation.reading
    d = max(r.distance_cm, 0.1)
    chans = device.mode.channels
    at_meter = {c: _at_position(device, c, r.position, d, "central") for c in chans}
    total = sum(at_meter.values())
    if total <= 0:
        raise MeterReadingError(
            f"the model of {device.name} gives no light at {d:g} cm, so a reading there cannot "
            "be carried to the face; fix: check the distance"
        )
    f = interpretation.irradiance
    out = {}
    for c in chans:
        face_mean = mean_irradiance(device, c).central
        ratio = face_mean / total  # face mean of channel c per unit meter signal
        out[c] = Estimate(
            f.low * ratio,
            f.central * ratio,
            f.high * ratio,
            "mW/cm2",
            f"{device.name}, {c}: your meter reading ({r.position.replace('-', ' ')}) carried to "
            f"the face by the model (face mean / meter-position irradiance = {ratio:.3g}; channel "
            "split from the "
            f"model, assumption); {f.provenance}",
            weakest_confidence(f.confidence, "assumption" if len(chans) > 1 else "derived"),
        )
    return out


def alternative_reading(interpretation: ReadingInterpretation) -> MeterReading | None:
    """The same displayed number in the other unit (W/m² ↔ mW/cm²) when a mix-up is flagged,
    else None."""
    if interpretation.alternative_mw_cm2 is None:
        return None
    r = interpretation.reading
    other = "W/m2" if _norm_unit(r.unit) == "mw/cm2" else "mW/cm2"
    return MeterReading(r.value, other, r.distance_cm, r.meter, r.position)
