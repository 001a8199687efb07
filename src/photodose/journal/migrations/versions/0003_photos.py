"""Progress photos move into the journal: one ``photo`` row per stored image and one
``photo_metric`` row per face region × metric (until now a separate ``photos/photos.sqlite3``).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "photo",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("uuid", sa.String(36), nullable=False, unique=True),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("image_name", sa.String(100), nullable=False),
        sa.Column("taken_on", sa.Date, nullable=False, index=True),
        sa.Column("added_at", sa.DateTime, nullable=False),
        sa.Column("width", sa.Integer, nullable=False),
        sa.Column("height", sa.Integer, nullable=False),
        sa.Column("source_format", sa.String(10), nullable=False),
        sa.Column("correction", sa.String(30), nullable=False),
        sa.Column("calibrated", sa.Boolean, nullable=False),
        sa.Column("quality_status", sa.String(10), nullable=False),
        sa.Column("analysis_json", sa.Text, nullable=False),
    )
    op.create_table(
        "photo_metric",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "photo_id",
            sa.Integer,
            sa.ForeignKey("photo.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("region", sa.String(20), nullable=False),
        sa.Column("metric", sa.String(30), nullable=False),
        sa.Column("value", sa.Float, nullable=True),
        sa.UniqueConstraint("photo_id", "region", "metric", name="uq_photo_metric"),
    )


def downgrade() -> None:
    op.drop_table("photo_metric")
    op.drop_table("photo")
