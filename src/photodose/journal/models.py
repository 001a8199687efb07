"""The journal's tables (SQLAlchemy 2 declarative models).

One row per thing the person records: a profile, the devices they own (catalogued or custom),
plans, sessions with the delivered dose per channel, and outcome ratings. Every row has a
``uuid`` so exports merge back without duplicates; times are naive UTC.

The schema is owned by the Alembic migrations in :mod:`photodose.journal.migrations`; these
models must describe the head revision (a test compares them).
"""

from __future__ import annotations

import uuid as _uuid
from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def new_uuid() -> str:
    return str(_uuid.uuid4())


class Base(DeclarativeBase):
    pass


class Profile(Base):
    __tablename__ = "profile"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    name: Mapped[str] = mapped_column(String(200), default="me")
    fitzpatrick: Mapped[str | None] = mapped_column(String(3), nullable=True)
    screening_outcome: Mapped[str | None] = mapped_column(String(40), nullable=True)
    screening_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Device(Base):
    __tablename__ = "device"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(String(20))  # "catalog" | "custom"
    spec_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Plan(Base):
    __tablename__ = "plan"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    goal: Mapped[str] = mapped_column(String(40))
    device_key: Mapped[str] = mapped_column(String(200))
    minutes_per_session: Mapped[float] = mapped_column(Float)
    sessions_per_week: Mapped[float] = mapped_column(Float)
    weeks: Mapped[int] = mapped_column(Integer)
    start_date: Mapped[date] = mapped_column(Date)
    plan_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Session(Base):
    __tablename__ = "session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    started_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    minutes: Mapped[float] = mapped_column(Float)
    device_id: Mapped[int] = mapped_column(ForeignKey("device.id"))
    mode: Mapped[str] = mapped_column(String(100))
    area: Mapped[str] = mapped_column(String(100), default="face")
    distance_cm: Mapped[float | None] = mapped_column(Float, nullable=True)
    completed: Mapped[bool] = mapped_column(Boolean, default=True)
    skin_reaction: Mapped[str | None] = mapped_column(String(40), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)

    device: Mapped[Device] = relationship()
    doses: Mapped[list[SessionDose]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="SessionDose.channel"
    )


class SessionDose(Base):
    """Delivered surface fluence of one channel in one session (low / central / high)."""

    __tablename__ = "session_dose"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("session.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(50))
    wavelength_nm: Mapped[float] = mapped_column(Float)
    irradiance_mw_cm2: Mapped[float] = mapped_column(Float)
    fluence_j_cm2_low: Mapped[float] = mapped_column(Float)
    fluence_j_cm2: Mapped[float] = mapped_column(Float)
    fluence_j_cm2_high: Mapped[float] = mapped_column(Float)

    session: Mapped[Session] = relationship(back_populates="doses")


class Outcome(Base):
    """A self-rating of progress toward a goal (0 = worse … 10 = much better); revision 0002."""

    __tablename__ = "outcome"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    rated_at: Mapped[datetime] = mapped_column(DateTime)
    goal: Mapped[str] = mapped_column(String(40))
    rating: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
