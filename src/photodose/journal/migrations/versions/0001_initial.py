"""Initial journal schema: profile, devices, plans, sessions and per-channel doses.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "profile",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("uuid", sa.String(36), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("fitzpatrick", sa.String(3), nullable=True),
        sa.Column("screening_outcome", sa.String(40), nullable=True),
        sa.Column("screening_json", sa.Text, nullable=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "device",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("uuid", sa.String(36), nullable=False, unique=True),
        sa.Column("key", sa.String(200), nullable=False, unique=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("spec_json", sa.Text, nullable=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "plan",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("uuid", sa.String(36), nullable=False, unique=True),
        sa.Column("goal", sa.String(40), nullable=False),
        sa.Column("device_key", sa.String(200), nullable=False),
        sa.Column("minutes_per_session", sa.Float, nullable=False),
        sa.Column("sessions_per_week", sa.Float, nullable=False),
        sa.Column("weeks", sa.Integer, nullable=False),
        sa.Column("start_date", sa.Date, nullable=False),
        sa.Column("plan_json", sa.Text, nullable=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "session",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("uuid", sa.String(36), nullable=False, unique=True),
        sa.Column("started_at", sa.DateTime, nullable=False, index=True),
        sa.Column("minutes", sa.Float, nullable=False),
        sa.Column("device_id", sa.Integer, sa.ForeignKey("device.id"), nullable=False),
        sa.Column("mode", sa.String(100), nullable=False),
        sa.Column("distance_cm", sa.Float, nullable=True),
        sa.Column("completed", sa.Boolean, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "session_dose",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "session_id",
            sa.Integer,
            sa.ForeignKey("session.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("channel", sa.String(50), nullable=False),
        sa.Column("wavelength_nm", sa.Float, nullable=False),
        sa.Column("irradiance_mw_cm2", sa.Float, nullable=False),
        sa.Column("fluence_j_cm2_low", sa.Float, nullable=False),
        sa.Column("fluence_j_cm2", sa.Float, nullable=False),
        sa.Column("fluence_j_cm2_high", sa.Float, nullable=False),
    )


def downgrade() -> None:
    for t in ("session_dose", "session", "plan", "device", "profile"):
        op.drop_table(t)
