"""Alembic migrations of the journal schema, shipped in the package and run on open."""
