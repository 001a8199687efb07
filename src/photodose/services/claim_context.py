"""Build the facts that claim grading needs from the device record, the computed dose, the
depth model and the evidence database (the claims model itself imports none of these).

Regulatory mapping (what the device file's ``[regulatory]`` fields mean for a claim):

- ``k_number`` not found → no K-number on record and ``clearance_confirmed`` None: not
  finding a record is not evidence against a clearance, so "FDA-cleared" grades
  *unsupported*, and the reason names the search that was done (the field's ``source``).
- ``k_number`` with confidence ``exact`` whose source names this device (no other device name
  in quotes, no note that the link is a third party's) → confirmed: "FDA-cleared" is
  *supported*.
- a K-number tied to the device only by a third party (confidence ``secondary``, a 510(k) for
  a differently named device, or a note saying the link is unconfirmed) → unconfirmed:
  *partly supported*.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from photodose.claims import (
    BandFluence,
    ClaimContext,
    PenetrationDepth,
    RegulatoryRecord,
    StatedValueCheck,
    StudiedWindow,
    TrialEvidence,
    ValueRange,
)
from photodose.depth import DepthProfile
from photodose.device import DeviceSpec
from photodose.dose import ChannelDose
from photodose.evidence import dose_windows
from photodose.services.catalog_table import catalog_irradiance

_QUOTED_NAME = re.compile(r"['‘“\"]([^'’”\"]{2,60})['’”\"]")
_THIRD_PARTY = re.compile(
    r"third[\s-]party|not\s+confirmed|unconfirmed|linked\s+to|per\s+a\s+third", re.IGNORECASE
)
_FINDING = {"positive": "improved", "null": "no_change", "negative": "worse", "mixed": "mixed"}


_GENERIC = frozenset(
    {"led", "light", "mask", "face", "therapy", "red", "wand", "device", "skin", "pro", "the"}
)


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]{3,}", text.lower())) - _GENERIC


def _names_device(device: DeviceSpec, source: str) -> bool:
    """False when the K-number's source quotes a device name sharing no distinctive word with ours."""
    ident = device.identity
    ours = _words(" ".join([ident.name, ident.maker, ident.model, *ident.aliases]))
    return all(_words(quoted) & ours for quoted in _QUOTED_NAME.findall(source))


def regulatory_record(device: DeviceSpec) -> RegulatoryRecord:
    """The device file's regulatory fields as a :class:`RegulatoryRecord` (mapping above)."""
    reg = device.regulatory
    k = reg.k_number.value.strip().upper()
    k_ok = len(k) == 7 and k.startswith("K") and k[1:].isdigit()
    source = reg.k_number.source
    note = getattr(reg.k_number, "note", "") or ""
    confirmed: bool | None = None
    if k_ok and reg.k_number.confidence == "exact":
        confirmed = _names_device(device, source) and not _THIRD_PARTY.search(note + " " + source)
        confirmed = confirmed or None
    if k_ok and confirmed is None and note:
        source = f"{source}; {note}"
    if not k_ok:
        source = source + (f"; {note}" if note else "")
    code = reg.product_code.value if reg.product_code.confidence != "not_found" else None
    cleared: tuple[str, ...] = ()
    indication = getattr(reg, "indication", None)
    if k_ok and indication is not None and "wrinkle" in indication.value.lower():
        cleared = ("wrinkles",)
    return RegulatoryRecord(
        k_number=k if k_ok else None,
        product_code=code,
        clearance_confirmed=confirmed,
        source=source,
        pathway="510k" if k_ok else None,
        cleared_indications=cleared,
    )


def _study_citations() -> dict[str, str]:
    from photodose.evidence.studies import load_evidence

    return {s.id: s.citation() for s in load_evidence().studies}


def _windows(cites: dict[str, str]) -> tuple[StudiedWindow, ...]:
    out = []
    for w in dose_windows():
        if w.fluence_j_cm2 is None:
            continue
        out.append(
            StudiedWindow(
                indication=w.indication,
                # bounds stay bounds: a dose known only as "≤ v" is no lower edge (open → 0)
                min_fluence_j_cm2=w.fluence_j_cm2.lower_edge or 0.0,
                max_fluence_j_cm2=w.fluence_j_cm2.upper_edge or w.fluence_j_cm2.max,
                trials=tuple(cites.get(t, t) for t in w.fluence_j_cm2.rests_on),
                wavelength_min_nm=w.band_nm[0],
                wavelength_max_nm=w.band_nm[1],
            )
        )
    return tuple(out)


def trial_evidence() -> tuple[TrialEvidence, ...]:
    """Every controlled (or blinded) efficacy trial in the evidence database, per indication,
    with what it found (the study's ``direction``) and a human-readable citation."""
    from photodose.evidence.studies import load_evidence

    out = []
    for study in load_evidence().studies:
        if not study.counts_as_evidence:
            continue
        wavelengths = tuple(
            float(e.wavelength_range_nm[0]) for e in study.exposures if e.wavelength_range_nm is not None
        )
        for ind in study.indications:
            direction = study.direction_for(ind)
            out.append(
                TrialEvidence(
                    indication=ind,
                    citation=study.citation(),
                    measures=ind.replace("_", " "),
                    finding=_FINDING.get(direction) if direction else None,
                    measure_key=ind,
                    wavelengths_nm=wavelengths,
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


def _penetration(depth: Iterable[DepthProfile]) -> tuple[PenetrationDepth, ...]:
    out = []
    for p in depth:
        if p.penetration_depth_1pct_cm is None:
            continue
        bounds = [float(b) for b in p.boundaries_cm]  # finite boundaries, surface = 0
        if not bounds or bounds[0] != 0.0:
            bounds.insert(0, 0.0)
        layers = tuple(
            (name, bounds[i], bounds[i + 1] if i + 1 < len(bounds) else float("inf"))
            for i, name in enumerate(p.layer_names)
        )
        peak = p.fluence_max if p.fluence_max > 0 else 1.0
        step = max(1, len(p.depth_cm) // 200)
        rel = tuple(
            (float(z), float(f) / peak)
            for z, f in zip(p.depth_cm[::step], p.fluence_per_irradiance[::step], strict=True)
        )
        out.append(
            PenetrationDepth(
                wavelength_nm=p.wavelength_nm,
                depth_cm=p.penetration_depth_1pct_cm,
                provenance=f"computed: photodose depth model, {p.model}, Fitzpatrick "
                f"{p.profile.get('fitzpatrick')} {p.profile.get('site')}, {p.photons:,} photons",
                layers=layers,
                relative_fluence=rel,
            )
        )
    return tuple(out)


def _budget_checks(
    device: DeviceSpec,
) -> tuple[
    Callable[[float], StatedValueCheck | None] | None,
    Callable[[float, float | None], StatedValueCheck | None] | None,
]:
    """Stated irradiance and dose checks from the device energy budget, when that model exists."""
    try:
        from photodose.device import budget
    except ImportError:
        return None, None

    def as_check(result: object) -> StatedValueCheck | None:
        if result is None:
            return None
        return StatedValueCheck(
            classification=str(getattr(result, "classification", "")),
            explanation=str(getattr(result, "explanation", "")),
            citations=tuple(str(c) for c in getattr(result, "citations", ()) or ()),
        )

    def irradiance(value_mw_cm2: float) -> StatedValueCheck | None:
        return as_check(budget.classify_stated_irradiance(device, value_mw_cm2))

    def dose(value_j_cm2: float, minutes: float | None) -> StatedValueCheck | None:
        return as_check(budget.classify_stated_dose(device, value_j_cm2, minutes))

    return (
        irradiance if hasattr(budget, "classify_stated_irradiance") else None,
        dose if hasattr(budget, "classify_stated_dose") else None,
    )


def build_context(device: DeviceSpec, doses: list[ChannelDose], depth: list[DepthProfile]) -> ClaimContext:
    """A :class:`ClaimContext` for ``device`` with the evaluation's computed numbers."""
    office, office_src = in_office_range_mw_cm2()
    total_low = sum(d.irradiance_mw_cm2.low for d in doses)
    total_c = sum(d.irradiance_mw_cm2.central for d in doses)
    total_high = sum(d.irradiance_mw_cm2.high for d in doses)
    cites = _study_citations()
    irr_check, dose_check = _budget_checks(device)
    return ClaimContext(
        device_name=device.name,
        regulatory=regulatory_record(device),
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
        studied_windows=_windows(cites),
        penetration_depth=_penetration(depth),
        in_office_irradiance_mw_cm2=office,
        in_office_source=office_src,
        device_irradiance_mw_cm2=ValueRange(total_low, total_c, total_high),
        dermatologist_survey=None,
        trial_evidence=trial_evidence(),
        stated_irradiance_check=irr_check,
        stated_dose_check=dose_check,
    )
