"""Alembic environment: always run programmatically on a connection that
:func:`photodose.journal.db.open_journal` passes in ``config.attributes["connection"]``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from photodose.journal.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    transaction_per_migration=False,
)
with context.begin_transaction():
    if connection.dialect.name == "postgresql":
        # one migrator at a time when several processes open a fresh database together
        connection.execute(text("SELECT pg_advisory_xact_lock(7263541)"))
    context.run_migrations()
