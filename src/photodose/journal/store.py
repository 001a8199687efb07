"""Writing and reading the journal: every write is one transaction that either stores all of
its rows or none (a validation error is raised before anything is written).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import selectinload

from photodose.goals import GOALS
from photodose.journal.db import Journal, JournalError
from photodose.journal.models import Device, Outcome, Photo, Plan, Profile, Session, SessionDose, new_uuid

MAX_SESSION_MIN = 120.0
MAX_FUTURE = timedelta(days=1)
SKIN_REACTIONS = ("none", "warmth", "redness", "dryness", "itching", "breakout", "burn", "blister", "other")


def utc_naive(t: datetime | None = None) -> datetime:
    """``t`` (default now) as naive UTC, the journal's storage convention. A naive ``t`` is
    the user's local time (what ``--when 2026-03-01T20:00`` means)."""
    t = t or datetime.now(UTC)
    return t.astimezone(UTC).replace(tzinfo=None)


def local_date(t_utc_naive: datetime) -> date:
    """The user's local calendar day of a stored (naive UTC) time."""
    return t_utc_naive.replace(tzinfo=UTC).astimezone().date()


@dataclass
class DoseIn:
    channel: str
    wavelength_nm: float
    irradiance_mw_cm2: float
    fluence_j_cm2_low: float
    fluence_j_cm2: float
    fluence_j_cm2_high: float

    @classmethod
    def of(cls, d: Any) -> DoseIn:
        """From anything with these fields (a delivered dose, a stored dose row)."""
        return cls(
            d.channel,
            d.wavelength_nm,
            d.irradiance_mw_cm2,
            d.fluence_j_cm2_low,
            d.fluence_j_cm2,
            d.fluence_j_cm2_high,
        )


@dataclass
class SessionIn:
    """A session to log (validated by :func:`validate_session`)."""

    device_key: str
    device_name: str
    minutes: float
    mode: str
    doses: list[DoseIn]
    started_at: datetime | None = None
    device_source: str = "catalog"
    device_spec_json: str | None = None
    area: str = "face"
    distance_cm: float | None = None
    completed: bool = True
    skin_reaction: str | None = None
    note: str = ""
    uuid: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def validate_session(s: SessionIn, now: datetime | None = None) -> None:
    """Raise :class:`JournalError` naming the field for impossible or absurd values."""
    now = utc_naive(now)
    if (
        not isinstance(s.minutes, int | float)
        or math.isnan(s.minutes)
        or not (0 < s.minutes <= MAX_SESSION_MIN)
    ):
        raise JournalError(
            "--minutes",
            f"{s.minutes!r} minutes is not a session length",
            f"give minutes in (0, {MAX_SESSION_MIN:g}]",
        )
    if s.started_at is not None:
        t = utc_naive(s.started_at)
        if t > now + MAX_FUTURE:
            raise JournalError(
                "--when", f"{t:%Y-%m-%d %H:%M} UTC is in the future", "give the time the session took place"
            )
        if t < datetime(2000, 1, 1):
            raise JournalError("--when", f"{t:%Y-%m-%d} is before 2000", "check the year")
    if s.distance_cm is not None and not (0 <= s.distance_cm <= 300):
        raise JournalError(
            "--distance-cm", f"{s.distance_cm} cm is not a treatment distance", "give 0–300 cm"
        )
    if s.skin_reaction is not None and s.skin_reaction not in SKIN_REACTIONS:
        raise JournalError(
            "--reaction", f"{s.skin_reaction!r} is not a listed reaction", ", ".join(SKIN_REACTIONS)
        )
    for d in s.doses:
        vals = (d.irradiance_mw_cm2, d.fluence_j_cm2_low, d.fluence_j_cm2, d.fluence_j_cm2_high)
        if any(math.isnan(v) or v < 0 or math.isinf(v) for v in vals):
            raise JournalError("dose", f"channel {d.channel}: dose values must be finite and ≥ 0", "")


def _device(s: OrmSession, key: str, name: str, source: str, spec_json: str | None) -> Device:
    """The device row for ``key``, created if missing. ``INSERT … ON CONFLICT DO NOTHING`` so that
    two processes logging a new device at once both succeed (PostgreSQL does not serialise them)."""
    dev = s.scalar(select(Device).where(Device.key == key))
    if dev is not None:
        return dev
    values = {
        "uuid": new_uuid(),
        "key": key,
        "name": name,
        "source": source,
        "spec_json": spec_json,
        "created_at": utc_naive(),
    }
    dialect = s.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        s.execute(pg_insert(Device).values(**values).on_conflict_do_nothing(index_elements=["key"]))
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        s.execute(sqlite_insert(Device).values(**values).on_conflict_do_nothing(index_elements=["key"]))
    else:
        s.add(Device(**values))
        s.flush()
    found = s.scalar(select(Device).where(Device.key == key))
    assert found is not None
    return found


def log_session(journal: Journal, s: SessionIn) -> str:
    """Store a session and its per-channel doses in one transaction; return its uuid."""
    validate_session(s)
    with journal.transaction() as db:
        dev = _device(db, s.device_key, s.device_name, s.device_source, s.device_spec_json)
        row = Session(
            started_at=utc_naive(s.started_at),
            minutes=float(s.minutes),
            device_id=dev.id,
            mode=s.mode,
            area=s.area,
            distance_cm=s.distance_cm,
            completed=s.completed,
            skin_reaction=s.skin_reaction,
            note=s.note,
            created_at=utc_naive(),
        )
        if s.uuid:
            row.uuid = s.uuid
        row.doses = [SessionDose(**d.__dict__) for d in s.doses]
        db.add(row)
        db.flush()
        return row.uuid


def set_profile(
    journal: Journal, *, fitzpatrick: str | None = None, screening: dict[str, Any] | None = None
) -> None:
    """Create or update the (single) profile."""
    with journal.transaction() as db:
        p = db.scalar(select(Profile).order_by(Profile.id))
        if p is None:
            p = Profile(name="me", created_at=utc_naive())
            db.add(p)
        if fitzpatrick is not None:
            p.fitzpatrick = fitzpatrick
        if screening is not None:
            p.screening_outcome = str(screening.get("outcome"))
            p.screening_json = json.dumps(screening, sort_keys=True)


def get_profile(journal: Journal) -> dict[str, Any] | None:
    with journal.transaction() as db:
        p = db.scalar(select(Profile).order_by(Profile.id))
        if p is None:
            return None
        return {"fitzpatrick": p.fitzpatrick, "screening_outcome": p.screening_outcome}


def save_plan(
    journal: Journal,
    *,
    goal: str,
    device_key: str,
    minutes_per_session: float,
    sessions_per_week: float,
    weeks: int,
    start_date: date,
    plan_json: str | None = None,
) -> str:
    if goal not in GOALS:
        raise JournalError("--goal", f"unknown goal {goal!r}", "use one of " + ", ".join(GOALS))
    with journal.transaction() as db:
        p = Plan(
            goal=goal,
            device_key=device_key,
            minutes_per_session=minutes_per_session,
            sessions_per_week=sessions_per_week,
            weeks=weeks,
            start_date=start_date,
            plan_json=plan_json,
            created_at=utc_naive(),
        )
        db.add(p)
        db.flush()
        return p.uuid


def latest_plan(journal: Journal) -> dict[str, Any] | None:
    with journal.transaction() as db:
        p = db.scalar(select(Plan).order_by(Plan.created_at.desc(), Plan.id.desc()))
        if p is None:
            return None
        return {
            "uuid": p.uuid,
            "goal": p.goal,
            "device_key": p.device_key,
            "minutes_per_session": p.minutes_per_session,
            "sessions_per_week": p.sessions_per_week,
            "weeks": p.weeks,
            "start_date": p.start_date,
            "plan": json.loads(p.plan_json) if p.plan_json else None,
        }


def rate_outcome(
    journal: Journal, goal: str, rating: int, note: str = "", when: datetime | None = None
) -> str:
    if goal not in GOALS:
        raise JournalError("--goal", f"unknown goal {goal!r}", "use one of " + ", ".join(GOALS))
    if not (0 <= rating <= 10):
        raise JournalError(
            "--rating", f"{rating} is outside 0–10", "0 = worse, 5 = no change, 10 = much better"
        )
    t = utc_naive(when)
    if t > utc_naive() + MAX_FUTURE:
        raise JournalError("--when", "the rating date is in the future", "give today or an earlier date")
    with journal.transaction() as db:
        o = Outcome(rated_at=t, goal=goal, rating=rating, note=note)
        db.add(o)
        db.flush()
        return o.uuid


@dataclass(frozen=True)
class SessionOut:
    uuid: str
    started_at: datetime
    minutes: float
    device_key: str
    device_name: str
    mode: str
    area: str
    distance_cm: float | None
    completed: bool
    skin_reaction: str | None
    note: str
    doses: tuple[DoseIn, ...]


def sessions(journal: Journal) -> list[SessionOut]:
    """Every session, oldest first."""
    with journal.transaction() as db:
        rows = db.scalars(
            select(Session)
            .options(selectinload(Session.doses), selectinload(Session.device))
            .order_by(Session.started_at, Session.id)
        ).all()
        return [
            SessionOut(
                r.uuid,
                r.started_at,
                r.minutes,
                r.device.key,
                r.device.name,
                r.mode,
                r.area,
                r.distance_cm,
                r.completed,
                r.skin_reaction,
                r.note,
                tuple(DoseIn.of(d) for d in r.doses),
            )
            for r in rows
        ]


def outcomes(journal: Journal) -> list[dict[str, Any]]:
    with journal.transaction() as db:
        return [
            {"uuid": o.uuid, "rated_at": o.rated_at, "goal": o.goal, "rating": o.rating, "note": o.note}
            for o in db.scalars(select(Outcome).order_by(Outcome.rated_at, Outcome.id))
        ]


def photo_days(journal: Journal) -> list[date]:
    """The day of every stored progress photo that passed the quality gates, oldest first."""
    with journal.transaction() as db:
        return list(
            db.scalars(
                select(Photo.taken_on).where(Photo.quality_status != "rejected").order_by(Photo.taken_on)
            )
        )
