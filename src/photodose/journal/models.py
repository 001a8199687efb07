"""The journal's tables (SQLAlchemy 2 declarative models).

One row per thing the person records: a profile, the devices they own (catalogued or custom),
plans, sessions with the delivered dose per channel, outcome ratings, and progress photos with
their per-region metrics. Every row has a
``uuid`` so exports merge back without duplicates; times are naive UTC.

The schema is owned by the Alembic migrations in :mod:`photodose.journal.migrations`; these
models must describe the head revision (a test compares them).
"""

from __future__ import annotations

import uuid as _uuid
from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
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


class Photo(Base):
    """A progress photo (revision 0003): the content-addressed copy's name and how it was measured.

    The image itself stays a file in the data directory (``photos/images/<image_name>``); the row
    keeps its identity (``sha256`` of the pixels, ``file_sha256`` of the file as given), the day
    taken, the colour correction and the quality verdict, and the whole analysis as JSON.
    """

    __tablename__ = "photo"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    file_sha256: Mapped[str] = mapped_column(String(64))
    image_name: Mapped[str] = mapped_column(String(100))
    taken_on: Mapped[date] = mapped_column(Date, index=True)
    added_at: Mapped[datetime] = mapped_column(DateTime)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    source_format: Mapped[str] = mapped_column(String(10))
    correction: Mapped[str] = mapped_column(String(30))
    calibrated: Mapped[bool] = mapped_column(Boolean)
    quality_status: Mapped[str] = mapped_column(String(10))
    analysis_json: Mapped[str] = mapped_column(Text)

    metrics: Mapped[list[PhotoMetric]] = relationship(
        back_populates="photo",
        cascade="all, delete-orphan",
        order_by="PhotoMetric.id",
    )


class PhotoMetric(Base):
    """One metric of one face region of a photo (``value`` NULL where it could not be computed)."""

    __tablename__ = "photo_metric"
    __table_args__ = (UniqueConstraint("photo_id", "region", "metric", name="uq_photo_metric"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    photo_id: Mapped[int] = mapped_column(ForeignKey("photo.id", ondelete="CASCADE"), index=True)
    region: Mapped[str] = mapped_column(String(20))
    metric: Mapped[str] = mapped_column(String(30))
    value: Mapped[float | None] = mapped_column(Float, nullable=True)

    photo: Mapped[Photo] = relationship(back_populates="metrics")
