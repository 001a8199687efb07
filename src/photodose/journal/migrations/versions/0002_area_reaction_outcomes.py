"""Sessions gain the treated area and the skin reaction; outcome ratings get a table.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("session") as batch:
        batch.add_column(sa.Column("area", sa.String(100), nullable=False, server_default="face"))
        batch.add_column(sa.Column("skin_reaction", sa.String(40), nullable=True))
    op.create_table(
        "outcome",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("uuid", sa.String(36), nullable=False, unique=True),
        sa.Column("rated_at", sa.DateTime, nullable=False),
        sa.Column("goal", sa.String(40), nullable=False),
        sa.Column("rating", sa.Integer, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("outcome")
    with op.batch_alter_table("session") as batch:
        batch.drop_column("skin_reaction")
        batch.drop_column("area")
