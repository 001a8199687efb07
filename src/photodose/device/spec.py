"""Device files: pydantic models, loading, the catalog and name lookup.

A device file is TOML. Every number is a :class:`Sourced` value
``{ value = <number> | "unknown", low, central, high, source, confidence, note }``:
a value nobody publishes is ``"unknown"`` with an assumption range (``low``/``high``, and
``central`` or the midpoint). Text facts that may be missing (a 510(k) number, a URL) are
:class:`SourcedText` with ``value = "not found"`` and ``confidence = "not_found"``.

Bad input raises :class:`DeviceSpecError` (a ``ValueError``) whose message names each field
that is wrong and how to fix it.
"""

from __future__ import annotations

import difflib
import re
import tomllib
import types
import typing
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from photodose.device.estimate import Estimate, weakest_confidence
from photodose.device.regions import REGIONS

Confidence = Literal["exact", "secondary", "derived", "assumption", "unverified", "not_found"]
Scenario = Literal["low", "central", "high"]
Kind = Literal["mask", "handheld", "panel", "in_office"]
Region = Literal["forehead", "periorbital", "nose", "cheeks", "perioral", "chin", "jaw"]

SCENARIOS: tuple[str, ...] = ("low", "central", "high")


# --------------------------------------------------------------------------------------------
# errors


class DeviceSpecError(ValueError):
    """A device file or device name that cannot be used.

    Attributes
    ----------
    problems : list of ``(field path, problem, fix)``.
    """

    def __init__(self, message: str, problems: list[tuple[str, str, str]] | None = None):
        super().__init__(message)
        self.problems = problems or []


class UnknownDeviceError(DeviceSpecError):
    """No catalog device has that name; :attr:`suggestions` holds the closest names."""

    def __init__(self, name: str, suggestions: list[str]):
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        # No CLI advice here: the web app shows this too; each interface adds its own fix.
        super().__init__(
            f"No device named {name!r} in the catalog.{hint}",
            [("name", f"unknown device {name!r}", "use a catalog id or name")],
        )
        self.name = name
        self.suggestions = suggestions


class MissingRangeError(DeviceSpecError):
    """A value is ``unknown`` and has no assumption range, but a number is needed."""


# --------------------------------------------------------------------------------------------
# provenance-carrying values


def _number_or_unknown(v: Any) -> Any:
    if isinstance(v, bool):
        raise ValueError('must be a number or "unknown", not true/false')
    if isinstance(v, int | float):
        return float(v)
    if isinstance(v, str) and v.strip().lower() == "unknown":
        return "unknown"
    raise ValueError(
        f'must be a number or "unknown" (got {v!r}); fix: write e.g. value = 630, or '
        'value = "unknown" with low = … and high = … as an assumption range'
    )


def _opt_number(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise ValueError(f"must be a number (got {v!r})")
    return float(v)


class Sourced(BaseModel):
    """A number with its source and confidence, or ``"unknown"`` with an assumption range."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: float | Literal["unknown"]
    low: float | None = None
    central: float | None = None
    high: float | None = None
    source: str = Field(min_length=1)
    confidence: Confidence
    note: str = ""

    _v_value = field_validator("value", mode="before")(_number_or_unknown)
    _v_opt = field_validator("low", "central", "high", mode="before")(_opt_number)

    @model_validator(mode="after")
    def _check(self) -> Sourced:
        import math

        for name in ("value", "low", "central", "high"):
            v = getattr(self, name)
            if isinstance(v, float) and not math.isfinite(v):
                raise ValueError(f"{name} must be a finite number; fix: give a real number")
        if self.value == "unknown":
            if self.confidence in ("exact", "secondary"):
                raise ValueError(
                    f'an "unknown" value cannot have confidence {self.confidence!r}; fix: use '
                    'confidence = "assumption" for an assumption range (or "not_found")'
                )
            if (self.low is None) != (self.high is None):
                raise ValueError("give both low and high for an unknown value (or neither)")
            if self.central is not None and self.low is None:
                raise ValueError("central needs low and high around it; fix: add low and high")
        else:
            if self.central is not None and self.central != self.value:
                raise ValueError(
                    "central differs from value; fix: drop central (a known value is its own "
                    'central) or set value = "unknown"'
                )
        lo, c, hi = self.low, self.central_or_none, self.high
        if lo is not None and hi is not None and lo > hi:
            raise ValueError(f"low ({lo}) is above high ({hi}); fix: swap them")
        if c is not None:
            if lo is not None and c < lo:
                raise ValueError(f"low ({lo}) is above the value/central ({c}); fix: lower low")
            if hi is not None and c > hi:
                raise ValueError(f"high ({hi}) is below the value/central ({c}); fix: raise high")
        return self

    @property
    def known(self) -> bool:
        return self.value != "unknown"

    @property
    def has_range(self) -> bool:
        return self.low is not None and self.high is not None

    @property
    def usable(self) -> bool:
        """True when a central number exists (a known value or an assumption range)."""
        return self.central_or_none is not None

    @property
    def central_or_none(self) -> float | None:
        if isinstance(self.value, float):
            return self.value
        if self.central is not None:
            return self.central
        if self.low is not None and self.high is not None:
            return 0.5 * (self.low + self.high)
        return None

    def pick(self, scenario: str = "central") -> float:
        """The number for a scenario: ``low``, ``central`` or ``high``."""
        c = self.central_or_none
        if c is None:
            raise MissingRangeError(
                f"value is unknown and has no assumption range (source: {self.source}); "
                "fix: add low = … and high = …"
            )
        if scenario == "central":
            return c
        if scenario == "low":
            return self.low if self.low is not None else c
        if scenario == "high":
            return self.high if self.high is not None else c
        raise ValueError(f"scenario must be one of low, central, high (got {scenario!r})")

    def estimate(self, unit: str = "") -> Estimate:
        return Estimate(
            self.pick("low"),
            self.pick("central"),
            self.pick("high"),
            unit,
            f"{self.source}" + (f" ({self.note})" if self.note else ""),
            self.confidence if self.confidence != "exact" else "exact",
        )

    def describe(self, unit: str = "") -> str:
        u = f" {unit}" if unit else ""
        if self.known:
            s = f"{self.value:g}{u}"
            if self.has_range:
                s += f" (range {self.low:g}–{self.high:g})"
        elif self.usable:
            s = f"unknown; assumed {self.pick():g}{u} (range {self.pick('low'):g}–"
            s += f"{self.pick('high'):g})"
        else:
            s = "unknown"
        return f"{s} [{self.confidence}]"


class SourcedPrice(Sourced):
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    as_of: str = ""


class SourcedText(BaseModel):
    """A text fact (identifier, URL) with source and confidence; ``"not found"`` stays so."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: str = Field(min_length=1)
    source: str = Field(min_length=1)
    confidence: Confidence
    note: str = ""

    @model_validator(mode="after")
    def _check(self) -> SourcedText:
        nf = self.value.strip().lower() == "not found"
        if nf and self.confidence != "not_found":
            raise ValueError(
                'value "not found" needs confidence = "not_found"; fix: set it, or give the value'
            )
        if not nf and self.confidence == "not_found":
            raise ValueError('confidence "not_found" needs value = "not found"; fix: one or the other')
        return self

    @property
    def found(self) -> bool:
        return self.value.strip().lower() != "not found"


def _usable(s: Sourced) -> Sourced:
    if not s.usable:
        raise ValueError(
            'is "unknown" without an assumption range, but the model needs a number; '
            "fix: add low = … and high = … (and optionally central = …) with the reasoning in note"
        )
    return s


def _positive(s: Sourced) -> Sourced:
    for name in ("value", "low", "central", "high"):
        v = getattr(s, name)
        if isinstance(v, float) and v <= 0:
            raise ValueError(f"{name} must be > 0 (got {v:g}); fix: give a positive number")
    return s


def _nonnegative(s: Sourced) -> Sourced:
    for name in ("value", "low", "central", "high"):
        v = getattr(s, name)
        if isinstance(v, float) and v < 0:
            raise ValueError(f"{name} must be >= 0 (got {v:g}); fix: give a non-negative number")
    return s


def _bounded(lo: float, hi: float, what: str) -> Any:
    def check(s: Sourced) -> Sourced:
        for name in ("value", "low", "central", "high"):
            v = getattr(s, name)
            if isinstance(v, float) and not (lo <= v <= hi):
                raise ValueError(
                    f"{name} = {v:g} is outside {lo:g}–{hi:g} {what}; fix: check the unit and the number"
                )
        return s

    return AfterValidator(check)


PositiveValue = Annotated[Sourced, AfterValidator(_positive), AfterValidator(_usable)]


# Plausibility bounds far beyond any LED device, so that a slip of the unit or the exponent
# (1e30 mW per LED) is refused with the field named rather than carried into every dose.
_POS = AfterValidator(_positive)
LedCount = Annotated[Sourced, _POS, _bounded(0.0, 1e5, "LEDs"), AfterValidator(_usable)]
LedPower = Annotated[Sourced, _POS, _bounded(0.0, 1e4, "mW per LED (10 W)"), AfterValidator(_usable)]
OpticalPower = Annotated[Sourced, _POS, _bounded(0.0, 1e7, "mW (10 kW)"), AfterValidator(_usable)]
StatedIrradiance = Annotated[Sourced, _POS, _bounded(0.0, 1e5, "mW/cm² (100 W/cm²)"), AfterValidator(_usable)]
ApertureSize = Annotated[Sourced, _POS, _bounded(0.0, 200.0, "cm"), AfterValidator(_usable)]
NonNegativeValue = Annotated[Sourced, AfterValidator(_nonnegative), AfterValidator(_usable)]
Wavelength = Annotated[Sourced, _bounded(200.0, 2000.0, "nm"), AfterValidator(_usable)]
Fwhm = Annotated[Sourced, _bounded(0.1, 300.0, "nm")]
ViewingAngle = Annotated[Sourced, _bounded(1.0, 179.0, "degrees"), AfterValidator(_usable)]
CosExponent = Annotated[Sourced, _bounded(0.0, 1000.0, ""), AfterValidator(_usable)]
Fraction = Annotated[Sourced, _bounded(1e-6, 1.0, "(a fraction)"), AfterValidator(_usable)]
TimerMinutes = Annotated[Sourced, _bounded(0.01, 240.0, "minutes")]
PulseHz = Annotated[Sourced, _bounded(0.0, 1e6, "Hz")]
Distance = Annotated[Sourced, _bounded(0.0, 200.0, "cm"), AfterValidator(_usable)]
PositiveDistance = Annotated[
    Sourced, _bounded(0.0, 200.0, "cm"), AfterValidator(_positive), AfterValidator(_usable)
]


# --------------------------------------------------------------------------------------------
# device parts


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Identity(Strict):
    name: str = Field(min_length=1)
    maker: str = Field(min_length=1)
    model: str = ""
    aliases: list[str] = []
    price: SourcedPrice | None = None
    url: SourcedText | None = None


class ClaimedIrradiance(Strict):
    """A stated irradiance at a stated distance; the model's LED power is calibrated to it.

    ``kind`` says what quantity the figure is: ``reference_point`` (default: the irradiance on a
    detector at the array's reference point, the forehead centre of a mask or the aperture
    centre), ``face_average`` (the treated-area mean), ``peak`` (over one LED at the skin) or
    ``unknown``: the source does not say, so the low scenario reads it as a peak, the central as
    a reference-point value and the high as a face average (the spread of what the figure can
    mean becomes part of the range).
    """

    irradiance_mw_cm2: StatedIrradiance
    distance_cm: PositiveDistance | None = None
    at_treatment_distance: bool = False
    share: Fraction | None = None
    kind: Literal["reference_point", "face_average", "peak", "unknown"] = "reference_point"
    text: str = ""

    @model_validator(mode="after")
    def _where(self) -> ClaimedIrradiance:
        if (self.distance_cm is None) == (not self.at_treatment_distance):
            raise ValueError(
                "give either distance_cm (where the irradiance was stated) or "
                "at_treatment_distance = true (stated at the skin in use), not both or neither; "
                "fix: keep the one the source supports"
            )
        if self.kind != "reference_point" and self.distance_cm is not None:
            raise ValueError(
                f'kind = "{self.kind}" describes a figure at the skin, but distance_cm is given; '
                'fix: use at_treatment_distance = true, or kind = "reference_point" for a figure '
                "stated at a distance"
            )
        return self


class Channel(Strict):
    """One wavelength channel: its emitters and how much light they give.

    Exactly one of ``radiant_power_mw_per_led``, ``total_optical_power_mw`` or
    ``claimed_irradiance`` gives the power.
    """

    name: str = Field(pattern=r"^[a-z0-9_\-]+$")
    peak_nm: Wavelength
    fwhm_nm: Fwhm | None = None
    led_count: LedCount
    radiant_power_mw_per_led: LedPower | None = None
    total_optical_power_mw: OpticalPower | None = None
    claimed_irradiance: ClaimedIrradiance | None = None

    @model_validator(mode="after")
    def _one_power(self) -> Channel:
        given = [
            n
            for n in ("radiant_power_mw_per_led", "total_optical_power_mw", "claimed_irradiance")
            if getattr(self, n) is not None
        ]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of radiant_power_mw_per_led, total_optical_power_mw or "
                f"claimed_irradiance (got {', '.join(given) or 'none'}); fix: keep the one "
                'with the best source, or add radiant_power_mw_per_led = { value = "unknown", '
                "low = …, high = …, … } as an assumption"
            )
        return self

    @property
    def power_basis(self) -> str:
        if self.radiant_power_mw_per_led is not None:
            return "per_led"
        if self.total_optical_power_mw is not None:
            return "total"
        return "claimed_irradiance"


class Beam(Strict):
    """Angular emission profile: a viewing angle (full angle at half intensity) or cos^m."""

    viewing_angle_deg: ViewingAngle | None = None
    cos_exponent_m: CosExponent | None = None

    @model_validator(mode="after")
    def _one(self) -> Beam:
        if (self.viewing_angle_deg is None) == (self.cos_exponent_m is None):
            raise ValueError(
                "give exactly one of viewing_angle_deg or cos_exponent_m; fix: e.g. "
                'viewing_angle_deg = { value = "unknown", low = 90, central = 120, high = 140, '
                'source = "…", confidence = "assumption" }'
            )
        return self


class Geometry(Strict):
    """Where the LEDs are relative to the face.

    form ``shell``: LEDs on a shell ``standoff_cm`` off the face along its normal, spread over
    ``regions_covered`` with relative ``region_density`` (eye openings left free when
    ``eye_cutouts``), or at explicit frontal positions ``led_positions_cm`` ([x, y] in cm, nasion
    at the origin). form ``planar``: a flat emitting area ``aperture_width_cm`` ×
    ``aperture_height_cm`` held ``standoff_cm`` from the skin over one region at a time
    (handheld) or in front of the face (panel; the standoff is then from the nose tip).
    """

    form: Literal["shell", "planar"] | None = None
    standoff_cm: Distance
    regions_covered: list[Region] = list(REGIONS)  # type: ignore[arg-type]
    region_density: dict[Region, float] = {}
    eye_cutouts: bool = True
    led_positions_cm: list[tuple[float, float]] | None = None
    aperture_width_cm: ApertureSize | None = None
    aperture_height_cm: ApertureSize | None = None
    aperture_shape: Literal["rectangle", "disc"] = "rectangle"
    treatment_regions: list[Region] | None = None

    @field_validator("region_density")
    @classmethod
    def _dens(cls, v: dict[str, float]) -> dict[str, float]:
        for k, w in v.items():
            if not (0.0 <= w <= 100.0):
                raise ValueError(f"region_density.{k} = {w} must be within 0–100 (a relative LED density)")
        return v

    @field_validator("regions_covered")
    @classmethod
    def _cov(cls, v: list[str]) -> list[str]:
        if not v:
            raise ValueError("regions_covered is empty; fix: list at least one face region")
        return v


class Mode(Strict):
    name: str = Field(min_length=1)
    channels: list[str] = Field(min_length=1)
    pulse_hz: PulseHz | None = None
    timer_min: TimerMinutes | None = None


class Claim(Strict):
    """Verbatim marketing text and where it was read."""

    text: str = Field(min_length=1)
    source: str = Field(min_length=1)
    accessed: str = ""
    confidence: Confidence = "exact"


class StatedValue(Strict):
    """An irradiance or dose someone states for the device, kept as an input (never dropped).

    Exactly one of ``irradiance_mw_cm2`` or ``dose_j_cm2``. ``channel`` names the channel it is
    for (omitted: all channels of the default mode together, a "total"); ``minutes`` the session
    a dose is stated for; ``stated_by`` who states it (maker, regulator's summary, reviewer);
    ``where`` the document or URL; ``text`` the words as read.
    """

    irradiance_mw_cm2: float | None = Field(default=None, gt=0, le=10000)
    dose_j_cm2: float | None = Field(default=None, gt=0, le=10000)
    plus_minus: float | None = Field(default=None, ge=0)
    channel: str | None = None
    minutes: float | None = Field(default=None, gt=0, le=240)
    stated_by: str = Field(min_length=1)
    where: str = Field(min_length=1)
    confidence: Confidence
    text: str = ""
    note: str = ""

    @model_validator(mode="after")
    def _one(self) -> StatedValue:
        if (self.irradiance_mw_cm2 is None) == (self.dose_j_cm2 is None):
            raise ValueError(
                "give exactly one of irradiance_mw_cm2 or dose_j_cm2; fix: one stated figure per "
                "[[stated]] entry"
            )
        return self

    @property
    def quantity(self) -> str:
        return "irradiance" if self.irradiance_mw_cm2 is not None else "dose"


class Regulatory(Strict):
    k_number: SourcedText
    product_code: SourcedText
    clearance_date: SourcedText | None = None
    indication: SourcedText | None = None
    related: list[SourcedText] = []

    @field_validator("k_number")
    @classmethod
    def _k(cls, v: SourcedText) -> SourcedText:
        if v.found and not re.fullmatch(r"K\d{6}", v.value.strip()):
            raise ValueError(
                f"k_number {v.value!r} is not of the form K123456; fix: give the 510(k) number "
                'exactly, or value = "not found"'
            )
        return v


class DeviceSpec(Strict):
    """A light-therapy device as described in its TOML file."""

    schema_version: Literal[1] = 1
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9\-]*$")
    kind: Kind
    identity: Identity
    channels: list[Channel] = Field(min_length=1)
    beam: Beam
    geometry: Geometry
    modes: list[Mode] = Field(min_length=1)
    default_mode: str | None = None
    claims: list[Claim] = []
    stated: list[StatedValue] = []
    regulatory: Regulatory
    notes: str = ""

    @model_validator(mode="after")
    def _cross(self) -> DeviceSpec:
        names = [c.name for c in self.channels]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise ValueError(f"channel names repeat: {sorted(dup)}; fix: give each a unique name")
        for i, m in enumerate(self.modes):
            for c in m.channels:
                if c not in names:
                    raise ValueError(
                        f"modes[{i}].channels names {c!r}, which is not a channel; fix: use one of {names}"
                    )
        for i, sv in enumerate(self.stated):
            if sv.channel is not None and sv.channel not in names:
                raise ValueError(
                    f"stated[{i}].channel names {sv.channel!r}, which is not a channel; fix: use "
                    f"one of {names}, or omit channel for a figure covering all channels"
                )
        if self.default_mode is not None and self.default_mode not in [m.name for m in self.modes]:
            raise ValueError(
                f"default_mode {self.default_mode!r} is not a mode; fix: use one of "
                f"{[m.name for m in self.modes]}"
            )
        g = self.geometry
        form = self.form
        if form == "planar" and (g.aperture_width_cm is None or g.aperture_height_cm is None):
            raise ValueError(
                f"geometry: a {self.kind} (planar form) needs aperture_width_cm and "
                "aperture_height_cm; fix: add both (the emitting area's size in cm)"
            )
        if g.led_positions_cm is not None:
            n = len(g.led_positions_cm)
            for chan in self.channels:
                if chan.led_count.known and round(chan.led_count.pick()) != n:
                    raise ValueError(
                        f"geometry.led_positions_cm has {n} positions but channel {chan.name!r} "
                        f"has led_count {chan.led_count.pick():g}; fix: the explicit positions are "
                        "shared by every channel, so their number must equal each led_count"
                    )
        return self

    # convenience ---------------------------------------------------------------------------

    @property
    def name(self) -> str:
        return self.identity.name

    @property
    def form(self) -> str:
        if self.geometry.form is not None:
            return self.geometry.form
        return "shell" if self.kind == "mask" else "planar"

    @property
    def wavelengths_nm(self) -> list[float]:
        return [c.peak_nm.pick() for c in self.channels]

    def channel(self, name_or_index: str | int) -> Channel:
        if isinstance(name_or_index, int):
            if not 0 <= name_or_index < len(self.channels):
                raise DeviceSpecError(
                    f"{self.id} has {len(self.channels)} channels; channel index "
                    f"{name_or_index} is out of range"
                )
            return self.channels[name_or_index]
        for c in self.channels:
            if c.name == name_or_index:
                return c
        raise DeviceSpecError(
            f"{self.id} has no channel {name_or_index!r}; channels: "
            f"{', '.join(c.name for c in self.channels)}"
        )

    def channel_index(self, name: str) -> int:
        return self.channels.index(self.channel(name))

    @property
    def mode(self) -> Mode:
        """The default mode (``default_mode`` or the first)."""
        if self.default_mode is not None:
            for m in self.modes:
                if m.name == self.default_mode:
                    return m
        return self.modes[0]

    @property
    def session_minutes_estimate(self) -> Estimate:
        """Session length of the default mode as an Estimate (minutes)."""
        t = self.mode.timer_min
        if t is None or not t.usable:
            return Estimate(10.0, 10.0, 10.0, "min", "no session length given; 10 min assumed", "assumption")
        return Estimate(t.pick("low"), t.pick(), t.pick("high"), "min", t.source, t.confidence)

    @property
    def session_minutes(self) -> float:
        """Default session length, minutes (central value of the default mode's timer)."""
        return self.session_minutes_estimate.central

    def input_confidence(self) -> str:
        levels = [self.geometry.standoff_cm.confidence]
        for c in self.channels:
            levels.append(c.led_count.confidence)
            if c.radiant_power_mw_per_led is not None:
                levels.append(c.radiant_power_mw_per_led.confidence)
            if c.total_optical_power_mw is not None:
                levels.append(c.total_optical_power_mw.confidence)
            if c.claimed_irradiance is not None:
                levels.append(c.claimed_irradiance.irradiance_mw_cm2.confidence)
        return weakest_confidence(*levels)


# --------------------------------------------------------------------------------------------
# error messages


_HINTS = {
    "missing": "add it (see the catalog files in photodose/data/devices for examples)",
    "float_parsing": 'give a number (e.g. 630), or "unknown" with low/high',
    "float_type": 'give a number (e.g. 630), or "unknown" with low/high',
    "int_type": "give a whole number",
    "string_type": "give text in quotes",
    "bool_type": "give true or false",
    "list_type": "give a list, e.g. [ … ]",
    "dict_type": "give a table { … }",
    "model_type": "give a table { … } with the documented keys",
    "model_attributes_type": "give a table { … } with the documented keys",
    "too_short": "add at least one entry",
    "string_too_short": "give a non-empty text",
    "string_pattern_mismatch": "use lowercase letters, digits and '-' (ids) or '_' (channels)",
    "tuple_type": "give a pair [x, y]",
}


def _model_at(loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """Walk the DeviceSpec schema along an error location; the model that owns the last key."""
    model: type[BaseModel] | None = DeviceSpec
    for part in loc[:-1]:
        if model is None:
            return None
        if isinstance(part, int):
            continue
        f = model.model_fields.get(str(part))
        if f is None:
            return None
        model = _first_model(f.annotation)
    return model


def _first_model(ann: Any) -> type[BaseModel] | None:
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return ann
    origin = get_origin(ann)
    if origin is Annotated:
        return _first_model(get_args(ann)[0])
    if origin in (list, typing.Union, types.UnionType, dict):
        for a in get_args(ann):
            m = _first_model(a)
            if m is not None:
                return m
    return None


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for p in loc:
        if isinstance(p, int):
            out += f"[{p}]"
        else:
            out += ("." if out else "") + str(p)
    return out or "(file)"


def _translate(err: ValidationError, origin: str) -> DeviceSpecError:
    problems: list[tuple[str, str, str]] = []
    seen: set[tuple[str, str]] = set()
    for e in err.errors(include_url=False):
        loc = tuple(
            p
            for p in e["loc"]
            if not (
                isinstance(p, str)
                and ("[" in p or p in ("float", "str", "int", "function-after", "function-before"))
            )
        )
        path = _path(loc)
        msg = str(e["msg"])
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        typ = str(e["type"])
        fix = ""
        if "fix:" in msg:
            msg, fix = (s.strip() for s in msg.split("fix:", 1))
            msg = msg.rstrip(";, ")
        elif typ == "extra_forbidden":
            owner = _model_at(loc)
            allowed = sorted(owner.model_fields) if owner is not None else []
            close = difflib.get_close_matches(str(loc[-1]), allowed, n=1) if loc else []
            fix = "remove it or correct its spelling"
            if close:
                fix += f" (did you mean {close[0]!r}?)"
            if allowed:
                fix += f"; allowed here: {', '.join(allowed)}"
            msg = "unknown key"
        elif typ == "missing":
            fix = f"add `{loc[-1] if loc else 'it'} = …` ({_HINTS['missing']})"
        elif typ == "literal_error":
            fix = "use one of the values listed"
        else:
            fix = _HINTS.get(typ, "see the documented format in photodose.device.spec")
        if (path, msg) in seen:
            continue
        seen.add((path, msg))
        problems.append((path, msg, fix))
    lines = [f"{origin}: invalid device file ({len(problems)} problem(s))"]
    lines += [f"  - {p}: {m}. Fix: {f}" for p, m, f in problems]
    return DeviceSpecError("\n".join(lines), problems)


# --------------------------------------------------------------------------------------------
# loading


def device_from_dict(data: Any, origin: str = "device") -> DeviceSpec:
    """Validate a parsed device table; :class:`DeviceSpecError` on any problem."""
    if not isinstance(data, dict):
        raise DeviceSpecError(
            f"{origin}: a device file must be a TOML table of keys, got {type(data).__name__}",
            [("(file)", "not a table", "write key = value lines")],
        )
    try:
        return DeviceSpec.model_validate(data)
    except ValidationError as err:
        raise _translate(err, origin) from None
    except (TypeError, ValueError, OverflowError) as err:  # defensive: never crash
        raise DeviceSpecError(f"{origin}: invalid device file: {err}") from None


def device_from_toml(text: str, origin: str = "device") -> DeviceSpec:
    """Parse and validate device TOML text."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise DeviceSpecError(
            f"{origin}: not valid TOML ({err}). Fix: check quotes, brackets and `key = value` "
            "syntax at that line",
            [("(file)", f"TOML syntax: {err}", "fix the TOML syntax")],
        ) from None
    return device_from_dict(data, origin)


def _catalog_dir() -> Any:
    return files("photodose") / "data" / "devices"


@lru_cache(maxsize=1)
def _catalog_cached() -> tuple[DeviceSpec, ...]:
    out = []
    for entry in sorted(_catalog_dir().iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".toml") and not entry.name.startswith("_"):
            out.append(device_from_toml(entry.read_text(encoding="utf-8"), entry.name))
    ids = [d.id for d in out]
    if len(set(ids)) != len(ids):
        raise DeviceSpecError(f"catalog has repeated device ids: {ids}")
    return tuple(out)


def catalog() -> list[DeviceSpec]:
    """Every device in the built-in catalog (``photodose/data/devices/*.toml``), by id."""
    return list(_catalog_cached())


def _norm(s: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", s.lower()).split())


def _names_of(d: DeviceSpec) -> list[str]:
    names = [d.id, d.identity.name, *d.identity.aliases]
    if d.identity.model:
        names += [d.identity.model, f"{d.identity.maker} {d.identity.model}"]
    return names


def find_device(name: str) -> DeviceSpec:
    """A catalog device by id, name, alias or model (case and punctuation ignored).

    Raises :class:`UnknownDeviceError` with the closest names (difflib) when none matches.
    """
    q = _norm(name)
    devs = catalog()
    if not q:
        raise UnknownDeviceError(name, [d.id for d in devs][:5])
    for d in devs:
        if q in (_norm(n) for n in _names_of(d)):
            return d
    # a query whose words all appear in exactly one device's names
    words = set(q.split())
    hits = [d for d in devs if any(words <= set(_norm(n).split()) for n in _names_of(d))]
    if len(hits) == 1:
        return hits[0]
    pool: dict[str, str] = {}
    for d in devs:
        for n in _names_of(d):
            pool.setdefault(_norm(n), d.id)
    close = difflib.get_close_matches(q, list(pool), n=8, cutoff=0.45)
    suggestions: list[str] = []
    for d in hits:
        if d.id not in suggestions:
            suggestions.append(d.id)
    for c in close:
        if pool[c] not in suggestions:
            suggestions.append(pool[c])
    raise UnknownDeviceError(name, suggestions[:5])


def load_device(name_or_path: str | Path) -> DeviceSpec:
    """A device from a TOML file path, or from the catalog by name (see :func:`find_device`)."""
    p = Path(name_or_path)
    looks_like_path = str(name_or_path).endswith(".toml") or p.is_file()
    if looks_like_path:
        if not p.is_file():
            raise DeviceSpecError(
                f"device file {str(p)!r} does not exist. Fix: check the path, or give a catalog "
                "name (`photodose devices` lists them)",
                [("path", "no such file", "check the path")],
            )
        try:
            text = p.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise DeviceSpecError(f"cannot read device file {str(p)!r}: {err}") from None
        return device_from_toml(text, str(p))
    if p.is_dir():  # a folder: a catalog name that happens to match one, else say what it is
        try:
            return find_device(str(name_or_path))
        except UnknownDeviceError:
            raise DeviceSpecError(
                f"{str(p)!r} is a folder, not a device file. Fix: give the path of a device TOML "
                "file inside it, or a catalog name (`photodose devices` lists them)",
                [("path", "a folder", "give a .toml device file")],
            ) from None
    return find_device(str(name_or_path))
