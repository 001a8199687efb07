"""The facts that claim grading needs about one device: :class:`ClaimContext`.

The claims module does not import the device, dose, depth or evidence modules (they are
written in parallel and sit beside it in the model layer).  Whoever has those facts builds a
:class:`ClaimContext` and hands it to :func:`photodose.claims.grade_claims`.  Every field is
optional: a missing fact stays ``None`` (or empty) and the claims that need it are graded
"not checkable", with the missing fact named in the reason.

Units are in the field names: fluence in J/cm², irradiance in mW/cm², depth in cm,
wavelength in nm.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


class ClaimContextError(ValueError):
    """A ClaimContext field has an impossible value (the message names the field)."""


def _check_number(name: str, value: float, *, minimum: float = 0.0) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise ClaimContextError(f"{name} must be a number, got {value!r}") from exc
    if not math.isfinite(number) or number < minimum:
        raise ClaimContextError(f"{name} must be a finite number >= {minimum}, got {value!r}")
    return number


@dataclass(frozen=True)
class ValueRange:
    """A value with its uncertainty: low <= central <= high (same unit as the field name)."""

    low: float
    central: float
    high: float

    def __post_init__(self) -> None:
        for name in ("low", "central", "high"):
            object.__setattr__(self, name, _check_number(name, getattr(self, name)))
        if not self.low <= self.central <= self.high:
            raise ClaimContextError(
                f"range must satisfy low <= central <= high, got ({self.low}, {self.central}, {self.high})"
            )

    @classmethod
    def single(cls, value: float) -> ValueRange:
        """A value known without a range (low = central = high)."""
        return cls(value, value, value)


@dataclass(frozen=True)
class RegulatoryRecord:
    """What is on record about a device's US regulatory status.

    ``clearance_confirmed`` is True when the K-number was read in the FDA 510(k) database
    (or an official mirror) for this very device, False when a search found no clearance,
    and None when the link is unconfirmed (for example a K-number tied to the device only by a
    third party).  ``pathway`` is "510k", "de_novo" or "pma" when known; ``pma_number`` is a
    P-number for an approved (PMA) device.
    """

    k_number: str | None = None
    product_code: str | None = None
    clearance_confirmed: bool | None = None
    source: str = ""
    pathway: str | None = None
    pma_number: str | None = None
    cleared_indications: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.k_number is not None:
            k = self.k_number.strip().upper()
            if len(k) != 7 or k[0] != "K" or not k[1:].isdigit():
                raise ClaimContextError(f"regulatory.k_number must look like K123456, got {self.k_number!r}")
            object.__setattr__(self, "k_number", k)
        if self.pathway is not None and self.pathway not in ("510k", "de_novo", "pma"):
            raise ClaimContextError(
                f"regulatory.pathway must be '510k', 'de_novo' or 'pma', got {self.pathway!r}"
            )
        object.__setattr__(self, "cleared_indications", tuple(i.lower() for i in self.cleared_indications))


@dataclass(frozen=True)
class BandFluence:
    """Computed surface fluence of one LED band for one session, J/cm².

    ``wavelength_nm`` is the band's peak; None means the value covers all bands together.
    """

    label: str
    wavelength_nm: float | None
    fluence_j_cm2: ValueRange


@dataclass(frozen=True)
class StudiedWindow:
    """The surface fluence per session that trials of one indication used, J/cm²."""

    indication: str
    min_fluence_j_cm2: float
    max_fluence_j_cm2: float
    trials: tuple[str, ...] = ()
    wavelength_min_nm: float | None = None
    wavelength_max_nm: float | None = None

    def __post_init__(self) -> None:
        lo = _check_number("min_fluence_j_cm2", self.min_fluence_j_cm2)
        hi = _check_number("max_fluence_j_cm2", self.max_fluence_j_cm2)
        if lo > hi:
            raise ClaimContextError(
                f"studied window for {self.indication!r}: min_fluence_j_cm2 {lo} > max_fluence_j_cm2 {hi}"
            )
        object.__setattr__(self, "indication", self.indication.lower())


@dataclass(frozen=True)
class PenetrationDepth:
    """Depth (cm) at which fluence falls to 1 % of its maximum, for one wavelength.

    Optional detail from the depth model: ``layers`` as (name, top_cm, bottom_cm) from the
    surface down, and ``relative_fluence`` as (depth_cm, fluence / maximum fluence) samples.
    """

    wavelength_nm: float
    depth_cm: float
    provenance: str
    layers: tuple[tuple[str, float, float], ...] = ()
    relative_fluence: tuple[tuple[float, float], ...] = ()

    def __post_init__(self) -> None:
        _check_number("wavelength_nm", self.wavelength_nm, minimum=1.0)
        _check_number("depth_cm", self.depth_cm)


@dataclass(frozen=True)
class TrialEvidence:
    """One controlled trial of an indication in the evidence database, for claim grading.

    ``citation`` is human-readable (authors, year, journal, DOI/PMID); ``measures`` names
    what it measured; ``finding`` is "improved", "no_change", "worse" or None (not recorded)
    for ``measure_key`` (e.g. "elasticity") or for the indication as a whole.
    """

    indication: str
    citation: str
    measures: str = ""
    finding: str | None = None
    measure_key: str = ""
    wavelengths_nm: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        if self.finding is not None and self.finding not in ("improved", "no_change", "worse", "mixed"):
            raise ClaimContextError(
                f"trial_evidence.finding must be improved, no_change, worse or mixed, got {self.finding!r}"
            )
        object.__setattr__(self, "indication", self.indication.lower())


@dataclass(frozen=True)
class StatedValueCheck:
    """How a value stated in marketing copy compares with the device's energy budget."""

    classification: str  # "face_average" | "peak_only" | "implausible"
    explanation: str
    citations: tuple[str, ...] = ()


@dataclass(frozen=True)
class ClaimContext:
    """Facts about one device that claim grading uses.  All optional.

    Attributes
    ----------
    device_name
        Catalogue name of the device.
    regulatory
        Its US regulatory record (K-number, product code, whether confirmed), or None.
    wavelengths_nm
        Peak wavelengths of its LED bands.
    fluence_per_session
        Computed surface fluence per session per band (J/cm², low/central/high), or None.
    studied_windows
        Studied surface-fluence window per indication from the evidence database, or None.
    penetration_depth
        1 %-of-maximum fluence depth per wavelength for a typical skin, or None (then the
        default table in ``data/claims/rules.toml`` is used and the reason says so).
    in_office_irradiance_mw_cm2
        (min, max) irradiance of the catalogued in-office devices, mW/cm², or None.
    in_office_source
        Where that range comes from.
    device_irradiance_mw_cm2
        The device's own irradiance at the skin (low/central/high), mW/cm², or None.
    dermatologist_survey
        True only if a survey of practising dermatologists is on record for the device.
    device_trials
        Controlled clinical trials of this device (citations), if any are on record.
    trial_evidence
        Controlled trials per indication from the evidence database (with what they found),
        or None.
    stated_irradiance_check, stated_dose_check
        Functions from the device model that classify a stated irradiance (mW/cm²) or dose
        (J/cm², with session minutes if stated) against the device's energy budget, or None.
    """

    device_name: str | None = None
    regulatory: RegulatoryRecord | None = None
    wavelengths_nm: tuple[float, ...] = ()
    fluence_per_session: tuple[BandFluence, ...] | None = None
    studied_windows: tuple[StudiedWindow, ...] | None = None
    penetration_depth: tuple[PenetrationDepth, ...] | None = None
    in_office_irradiance_mw_cm2: tuple[float, float] | None = None
    in_office_source: str = ""
    device_irradiance_mw_cm2: ValueRange | None = None
    dermatologist_survey: bool | None = None
    device_trials: tuple[str, ...] = field(default=())
    trial_evidence: tuple[TrialEvidence, ...] | None = None
    stated_irradiance_check: Callable[[float], StatedValueCheck | None] | None = field(
        default=None, compare=False, repr=False
    )
    stated_dose_check: Callable[[float, float | None], StatedValueCheck | None] | None = field(
        default=None, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(
            self,
            "wavelengths_nm",
            tuple(_check_number("wavelengths_nm", w, minimum=1.0) for w in self.wavelengths_nm),
        )
        if self.in_office_irradiance_mw_cm2 is not None:
            lo, hi = (
                _check_number("in_office_irradiance_mw_cm2", v) for v in self.in_office_irradiance_mw_cm2
            )
            if lo > hi:
                raise ClaimContextError(f"in_office_irradiance_mw_cm2 must be (min, max), got ({lo}, {hi})")
            object.__setattr__(self, "in_office_irradiance_mw_cm2", (lo, hi))

    def trials_for(self, keys: Iterable[str]) -> list[TrialEvidence]:
        """Controlled trials whose indication or measured quantity is one of ``keys``."""
        if not self.trial_evidence:
            return []
        wanted = {k.lower() for k in keys}
        return [t for t in self.trial_evidence if t.indication in wanted or t.measure_key in wanted]

    def window_for(self, keys: Iterable[str]) -> StudiedWindow | None:
        """The first studied window whose indication is one of ``keys`` (case-insensitive)."""
        if not self.studied_windows:
            return None
        by_key = {w.indication: w for w in self.studied_windows}
        for key in keys:
            window = by_key.get(key.lower())
            if window is not None:
                return window
        return None


def _range(value: Any, name: str) -> ValueRange:
    if isinstance(value, ValueRange):
        return value
    if isinstance(value, int | float):
        return ValueRange.single(float(value))
    if isinstance(value, Mapping):
        return ValueRange(value["low"], value["central"], value["high"])
    if isinstance(value, list | tuple) and len(value) == 3:
        return ValueRange(*value)
    raise ClaimContextError(f"{name} must be a number, [low, central, high] or a table")


def context_from_mapping(data: Mapping[str, Any]) -> ClaimContext:
    """Build a :class:`ClaimContext` from plain data (a parsed TOML or JSON table).

    Keys follow the dataclass fields; nested records are tables.  Unknown keys raise
    :class:`ClaimContextError` so that a typo does not silently drop a fact.
    """
    allowed = set(ClaimContext.__dataclass_fields__) - {"stated_irradiance_check", "stated_dose_check"}
    allowed |= {"source", "note"}
    unknown = set(data) - allowed
    if unknown:
        raise ClaimContextError(
            f"unknown ClaimContext field(s): {', '.join(sorted(unknown))}; "
            f"allowed: {', '.join(sorted(ClaimContext.__dataclass_fields__))}"
        )
    reg = data.get("regulatory")
    regulatory = None
    if reg is not None:
        regulatory = RegulatoryRecord(
            k_number=reg.get("k_number"),
            product_code=reg.get("product_code"),
            clearance_confirmed=reg.get("clearance_confirmed"),
            source=reg.get("source", ""),
            pathway=reg.get("pathway"),
            pma_number=reg.get("pma_number"),
            cleared_indications=tuple(reg.get("cleared_indications", ())),
        )
    fluence = data.get("fluence_per_session")
    bands = None
    if fluence is not None:
        bands = tuple(
            BandFluence(
                label=str(b.get("label", "")),
                wavelength_nm=b.get("wavelength_nm"),
                fluence_j_cm2=_range(b["fluence_j_cm2"], "fluence_j_cm2"),
            )
            for b in fluence
        )
    windows = data.get("studied_windows")
    studied = None
    if windows is not None:
        studied = tuple(
            StudiedWindow(
                indication=w["indication"],
                min_fluence_j_cm2=w["min_fluence_j_cm2"],
                max_fluence_j_cm2=w["max_fluence_j_cm2"],
                trials=tuple(w.get("trials", ())),
                wavelength_min_nm=w.get("wavelength_min_nm"),
                wavelength_max_nm=w.get("wavelength_max_nm"),
            )
            for w in windows
        )
    depths = data.get("penetration_depth")
    depth = None
    if depths is not None:
        depth = tuple(
            PenetrationDepth(
                d["wavelength_nm"],
                d["depth_cm"],
                d.get("provenance", ""),
                layers=tuple((str(n), float(a), float(b)) for n, a, b in d.get("layers", ())),
                relative_fluence=tuple((float(z), float(f)) for z, f in d.get("relative_fluence", ())),
            )
            for d in depths
        )
    trials_raw = data.get("trial_evidence")
    trials = None
    if trials_raw is not None:
        trials = tuple(
            TrialEvidence(
                indication=t["indication"],
                citation=t["citation"],
                measures=t.get("measures", ""),
                finding=t.get("finding"),
                measure_key=t.get("measure_key", ""),
                wavelengths_nm=tuple(float(w) for w in t.get("wavelengths_nm", ())),
            )
            for t in trials_raw
        )
    office = data.get("in_office_irradiance_mw_cm2")
    irr = data.get("device_irradiance_mw_cm2")
    return ClaimContext(
        device_name=data.get("device_name"),
        regulatory=regulatory,
        wavelengths_nm=tuple(data.get("wavelengths_nm", ())),
        fluence_per_session=bands,
        studied_windows=studied,
        penetration_depth=depth,
        in_office_irradiance_mw_cm2=tuple(office) if office is not None else None,
        in_office_source=data.get("in_office_source", ""),
        device_irradiance_mw_cm2=(_range(irr, "device_irradiance_mw_cm2") if irr is not None else None),
        dermatologist_survey=data.get("dermatologist_survey"),
        device_trials=tuple(data.get("device_trials", ())),
        trial_evidence=trials,
    )
