"""Compare devices side by side for the same person: every number with its low–high range.

Each device is evaluated by :func:`photodose.services.evaluate.evaluate` with the same skin,
site and schedule (each on its own timer unless a session length is given), then its channels
are summed per wavelength band (the trials report dose per band):

* irradiance at the skin [mW/cm²], treated-face mean, low / central / high;
* surface fluence per session [J/cm²] (``H = E · t``) and per week;
* dermis fluence per session [J/cm²] (surface fluence × φ(z), Monte Carlo);
* per indication and band: where the dose lies against the doses controlled trials tested, and
  the minutes per session that would reach the lowest tested dose (see
  :mod:`photodose.services.bottom_line`).

Summing the low ends (and the high ends) of channels treats their unknowns as fully correlated
(the same LED power assumption drives every channel of a device), which bounds the sum.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from photodose.device import DeviceSpec, DeviceSpecError, Estimate
from photodose.evidence import band_for_wavelength, load_evidence
from photodose.hints import Hint
from photodose.services.evaluate import DEFAULT_DEPTH_PHOTONS, Evaluation, evaluate
from photodose.skin import SkinProfile

__all__ = ["Comparison", "QuantityRow", "VerdictRow", "band_sum", "compare"]

MAX_DEVICES = 6
SET_ONE_LENGTH = "set one session length"  # face-neutral; a face renders the "minutes" hint its own way


@dataclass(frozen=True)
class QuantityRow:
    """One quantity across the devices: ``values[device_id]`` is (low, central, high) or None."""

    quantity: str
    unit: str
    band: str
    values: dict[str, tuple[float, float, float] | None]
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "quantity": self.quantity,
            "unit": self.unit,
            "band": self.band,
            "note": self.note,
            "values": {
                k: (None if v is None else {"low": v[0], "central": v[1], "high": v[2]})
                for k, v in self.values.items()
            },
        }


@dataclass(frozen=True)
class VerdictRow:
    """One indication and band across the devices."""

    indication: str
    indication_name: str
    band: str
    band_name: str
    values: dict[str, dict[str, Any] | None]
    #: the indication's weight of evidence (``EvidenceWeight.to_dict()``): the same for every device
    evidence_weight: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "indication": self.indication,
            "indication_name": self.indication_name,
            "band": self.band,
            "band_name": self.band_name,
            "values": self.values,
            "evidence_weight": self.evidence_weight,
        }


@dataclass
class Comparison:
    """Several devices evaluated for one person."""

    skin: SkinProfile
    evaluations: list[Evaluation]
    rows: list[QuantityRow]
    verdict_rows: list[VerdictRow]
    notes: list[str] = field(default_factory=list)
    hints: list[Hint] = field(default_factory=list)  # what to enter to sharpen a note, for each face

    @property
    def devices(self) -> list[DeviceSpec]:
        return [ev.device for ev in self.evaluations]

    def to_json(self) -> dict[str, Any]:
        return {
            "skin": self.skin.to_dict(),
            "devices": [
                {
                    "id": ev.device.id,
                    "name": ev.device.name,
                    "kind": ev.device.kind,
                    "session_minutes": ev.session_minutes,
                    "session_minutes_source": ev.session_minutes_source,
                    "sessions_per_week": ev.sessions_per_week,
                    "sessions_per_week_source": ev.sessions_per_week_source,
                    "bottom_line": ev.bottom_line.to_dict() if ev.bottom_line is not None else None,
                }
                for ev in self.evaluations
            ],
            "rows": [r.to_dict() for r in self.rows],
            "verdicts": [r.to_dict() for r in self.verdict_rows],
            "notes": self.notes,
            "hints": [h.to_dict() for h in self.hints],
            "provenance": {
                "computed": "every number: the evaluate chain for each device with the same person",
                "assumption": "low/high carry each device's assumptions (see `photodose evaluate DEVICE`)",
            },
        }


def band_sum(estimates: Sequence[Estimate]) -> tuple[float, float, float] | None:
    """Sum of estimates, low with low, central with central, high with high (None if empty)."""
    if not estimates:
        return None
    return (
        float(sum(e.low for e in estimates)),
        float(sum(e.central for e in estimates)),
        float(sum(e.high for e in estimates)),
    )


def _band_of(wavelength_nm: float, bands: Sequence[Any]) -> tuple[str, str]:
    b = band_for_wavelength(wavelength_nm, bands)
    if b is None:
        return f"{wavelength_nm:g} nm", f"{wavelength_nm:g} nm (outside the studied bands)"
    return b.id, ("NIR" if b.id == "nir" else b.name)


def compare(
    devices: Sequence[str | Path | DeviceSpec],
    *,
    skin: SkinProfile | None = None,
    minutes: float | None = None,
    sessions_per_week: float | None = None,
    photons: int = DEFAULT_DEPTH_PHOTONS,
    seed: int = 1,
    progress: Callable[[str, int, int], None] | None = None,
) -> Comparison:
    """Evaluate every device for the same person and line the numbers up by band.

    Parameters
    ----------
    devices : two to six catalog names, device TOML paths or specs
    skin : the person's skin (default Fitzpatrick III forehead)
    minutes : one session length for all [min] (default: each device's own timer)
    sessions_per_week : the schedule for all (default 3, an assumption)
    photons, seed : Monte Carlo depth model settings
    progress : ``progress(stage, done, total)`` for a progress display (see ``evaluate``)

    Raises
    ------
    DeviceSpecError
        fewer than two devices, more than six, or the same device twice
    """
    if len(devices) < 2:
        raise DeviceSpecError(
            "DEVICE: give at least two devices to compare; fix: e.g. `photodose compare A B`"
        )
    if len(devices) > MAX_DEVICES:
        raise DeviceSpecError(f"DEVICE: at most {MAX_DEVICES} devices side by side; fix: compare fewer")
    person = skin or SkinProfile()
    evs = [
        evaluate(
            d,
            skin=person,
            minutes=minutes,
            sessions_per_week=sessions_per_week,
            photons=photons,
            seed=seed,
            grade_device_claims=False,
            progress=progress,
        )
        for d in devices
    ]
    ids = [ev.device.id for ev in evs]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise DeviceSpecError(f"DEVICE: {', '.join(dup)} given twice; fix: name each device once")

    bands = load_evidence().bands
    band_names: dict[str, str] = {}
    per_dev: dict[str, dict[str, list[Any]]] = {}
    for ev in evs:
        groups: dict[str, list[Any]] = {}
        for dose in ev.doses:
            key, name = _band_of(dose.wavelength_nm, bands)
            band_names.setdefault(key, name)
            groups.setdefault(key, []).append(dose)
        per_dev[ev.device.id] = groups
    order = [b.id for b in bands if b.id in band_names] + sorted(
        k for k in band_names if k not in {b.id for b in bands}
    )

    rows: list[QuantityRow] = [
        QuantityRow(
            "session length",
            "min",
            "",
            {ev.device.id: (ev.session_minutes,) * 3 for ev in evs},
            "each device's own timer" if minutes is None else "given by you",
        )
    ]
    quantities = (
        ("irradiance at the skin", "mW/cm²", "irradiance_mw_cm2", "treated-face mean"),
        ("surface dose per session", "J/cm²", "surface_fluence_j_cm2", "H = E·t"),
        ("dermis dose per session", "J/cm²", "dermis_fluence_j_cm2", "Monte Carlo φ(z) × H"),
        ("surface dose per week", "J/cm²", "weekly_surface_fluence_j_cm2", "× sessions per week"),
    )
    for band in order:
        for label, unit, attr, note in quantities:
            values = {
                ev.device.id: band_sum([getattr(d, attr) for d in per_dev[ev.device.id].get(band, [])])
                for ev in evs
            }
            rows.append(QuantityRow(f"{label}, {band_names[band]}", unit, band, values, note))

    verdict_rows: list[VerdictRow] = []
    seen: dict[tuple[str, str], VerdictRow] = {}
    for ev in evs:
        targets = {(t.indication, t.band): t for t in (ev.bottom_line.targets if ev.bottom_line else ())}
        for v in ev.verdicts:
            if v.band is None:
                continue
            vkey = (v.indication, v.band)
            if vkey not in seen:
                weight = None if v.evidence_weight is None else v.evidence_weight.to_dict()
                seen[vkey] = VerdictRow(v.indication, v.indication_name, v.band, v.band_name, {}, weight)
                verdict_rows.append(seen[vkey])
            t = targets.get(vkey)
            seen[vkey].values[ev.device.id] = {
                "verdict": v.verdict,
                "uncertain": v.uncertain,
                "fluence_j_cm2": list(v.fluence_j_cm2),
                "minutes_to_lowest_tested": None if t is None else list(t.minutes_needed),
                "lowest_tested_j_cm2": None if t is None else t.lowest_tested_j_cm2,
                "timer_allows": None if t is None else t.timer_fit,
            }
    for vr in verdict_rows:
        for dev_id in ids:
            vr.values.setdefault(dev_id, None)
    notes = []
    hints = []
    timers = sorted({ev.session_minutes for ev in evs})
    if minutes is None and len(timers) > 1:
        notes.append(
            f"Session lengths differ (each device's own timer); {SET_ONE_LENGTH} to compare them alike."
        )
        hints.append(Hint("minutes", "notes", SET_ONE_LENGTH, {"timers_min": timers}))
    return Comparison(
        skin=person, evaluations=evs, rows=rows, verdict_rows=verdict_rows, notes=notes, hints=hints
    )
