"""The person's journal: profile, devices, plans, sessions with delivered dose, outcomes.

SQLAlchemy 2 models (:mod:`~photodose.journal.models`) with Alembic migrations shipped in the
package and run on open (:func:`open_journal`); SQLite in the user data directory by default,
PostgreSQL (psycopg 3) by URL. Adherence arithmetic is pure (:mod:`~photodose.journal.adherence`);
export, import and backup are in :mod:`~photodose.journal.transfer`.
"""

from photodose.journal.db import Journal, JournalError, integrity_ok, open_journal, resolve_url

__all__ = ["Journal", "JournalError", "integrity_ok", "open_journal", "resolve_url"]
