"""Logging a light session in the journal: one service for every face (CLI ``log``, ``session
start``, ``plan --save`` and the web app's session timer and plan pages).

A session's delivered dose per channel is the dose model's (:func:`photodose.services.person.
session_doses`: surface fluence ``H = E · t`` for the irradiance low / central / high), stored
with the session in one transaction (:func:`photodose.journal.store.log_session`).

A device is kept in the journal by its identity (:func:`device_identity`): a catalogued device by
its id; a person's own device (a TOML file, or one saved in the own-device folder) as
``custom:<id>`` with its whole spec, so the journal can recompute its doses after the file is gone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from photodose.errors import FieldError
from photodose.plan.schedule import MAX_CYCLES

if TYPE_CHECKING:
    from photodose.device import DeviceSpec
    from photodose.journal import Journal
    from photodose.plan import Plan
    from photodose.services.person import ModeChoice

__all__ = [
    "MAX_CYCLES",
    "DeviceIdentity",
    "SessionLengthError",
    "check_session_minutes",
    "device_identity",
    "log_session_for",
    "save_plan_for",
]


@dataclass(frozen=True)
class DeviceIdentity:
    """How the journal names a device: ``key`` (``id`` or ``custom:<id>``), ``source``
    (``catalog`` | ``custom``) and, for a custom device, its spec as JSON."""

    key: str
    source: str
    spec_json: str | None


def device_identity(spec: DeviceSpec, *, from_file: bool = False) -> DeviceIdentity:
    """The journal identity of a device.

    A catalogued device (its id is in the catalogue) is kept by id, unless it was read from a
    file (``from_file``: a person's edited copy of a catalogue file is their own device); any
    other device is ``custom:<id>`` with its spec.
    """
    from photodose.device import catalog

    if not from_file and any(d.id == spec.id for d in catalog()):
        return DeviceIdentity(spec.id, "catalog", None)
    return DeviceIdentity(f"custom:{spec.id}", "custom", spec.model_dump_json())


class SessionLengthError(FieldError, ValueError):
    """A session length that does not fit the mode's timer (field ``minutes``); ``message`` and
    ``fix`` for people; ``str()`` gives both."""

    def __init__(self, message: str, fix: str) -> None:
        super().__init__("minutes", message, fix)
        self.args = (f"{message}; fix: {fix}",)

    def __reduce__(self) -> tuple[type[SessionLengthError], tuple[str, str]]:  # type: ignore[override]
        return (type(self), (self.message, self.fix))


def check_session_minutes(mode: ModeChoice, minutes: float) -> float:
    """``minutes`` if it is a session of ``mode``: 0 < minutes ≤ ``MAX_CYCLES`` back-to-back runs of
    its timer (:data:`photodose.plan.schedule.MAX_CYCLES`, the bound the plan uses); else
    :class:`SessionLengthError`."""
    limit = mode.timer_min * MAX_CYCLES
    if not 0 < minutes <= limit:
        raise SessionLengthError(
            f"{minutes:g} min does not fit the {mode.name!r} mode ({mode.timer_min:g}-min timer)",
            f"give 0 < minutes ≤ {limit:g} ({MAX_CYCLES} back-to-back runs of the timer)",
        )
    return minutes


def log_session_for(
    journal: Journal,
    spec: DeviceSpec,
    mode: ModeChoice,
    minutes: float,
    *,
    from_file: bool = False,
    when: datetime | None = None,
    area: str = "face",
    distance_cm: float | None = None,
    completed: bool = True,
    reaction: str | None = None,
    note: str = "",
) -> dict[str, Any]:
    """Compute the delivered dose per channel and store the session (one transaction).

    Returns what was logged: ``uuid``, ``device`` (the journal key), ``mode``, ``minutes``,
    ``completed`` and ``doses`` (per channel: wavelength [nm], irradiance [mW/cm²], surface
    fluence [J/cm²] low / central / high). Raises :class:`photodose.journal.JournalError` when the
    journal refuses the session (nothing is stored then).
    """
    from photodose.journal.store import DoseIn, SessionIn, log_session
    from photodose.services.person import session_doses

    doses = session_doses(spec, mode, minutes) if minutes > 0 else []
    ident = device_identity(spec, from_file=from_file)
    s = SessionIn(
        device_key=ident.key,
        device_name=spec.name,
        minutes=minutes,
        mode=mode.name,
        doses=[DoseIn.of(d) for d in doses],
        started_at=when,
        device_source=ident.source,
        device_spec_json=ident.spec_json,
        area=area,
        distance_cm=distance_cm,
        completed=completed,
        skin_reaction=reaction,
        note=note,
    )
    uid = log_session(journal, s)
    return {
        "uuid": uid,
        "device": ident.key,
        "mode": mode.name,
        "minutes": minutes,
        "completed": completed,
        "doses": [
            {
                "channel": d.channel,
                "wavelength_nm": d.wavelength_nm,
                "irradiance_mw_cm2": d.irradiance_mw_cm2,
                "fluence_j_cm2": {
                    "low": d.fluence_j_cm2_low,
                    "central": d.fluence_j_cm2,
                    "high": d.fluence_j_cm2_high,
                },
            }
            for d in doses
        ],
    }


def save_plan_for(
    journal: Journal,
    plan: Plan,
    spec: DeviceSpec,
    start: date,
    *,
    from_file: bool = False,
    plan_json: str | None = None,
) -> str:
    """Save a plan (:class:`photodose.plan.Plan`) as the journal's current plan and the profile's
    skin type, in the journal's transactions; returns the plan's uuid.

    ``plan_json`` is what is kept of the plan (default: ``plan.to_dict()`` as JSON).
    """
    from photodose.journal.store import save_plan, set_profile

    uid = save_plan(
        journal,
        goal=plan.goal,
        device_key=device_identity(spec, from_file=from_file).key,
        minutes_per_session=plan.minutes,
        sessions_per_week=plan.sessions_per_week,
        weeks=plan.weeks,
        start_date=start,
        plan_json=plan_json if plan_json is not None else json.dumps(plan.to_dict(), default=str),
    )
    set_profile(journal, fitzpatrick=plan.fitzpatrick)
    return uid
