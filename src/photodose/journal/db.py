"""Opening the journal: where it lives, the engine, and migrations run on open.

- Default: a SQLite file ``journal.sqlite3`` in the user data directory (platformdirs;
  ``PHOTODOSE_DATA_DIR`` overrides the directory, e.g. in tests).
- Any SQLAlchemy URL by ``--db`` or ``PHOTODOSE_DB``: ``postgresql+psycopg://user@host/db``
  (``postgresql://`` is read as psycopg 3) or ``sqlite:///path``.

SQLite runs in WAL mode with a 30 s busy timeout and takes the write lock at ``BEGIN``
(``BEGIN IMMEDIATE``), so concurrent writers queue instead of failing, and a killed process
leaves only whole transactions behind. PostgreSQL connections time out after
:data:`CONNECT_TIMEOUT_S` seconds when the server does not answer.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from photodose.errors import FieldError

CONNECT_TIMEOUT_S = 3
SQLITE_BUSY_TIMEOUT_S = 30.0
DB_FILENAME = "journal.sqlite3"
HEAD_REVISION = "0003"


class JournalError(FieldError):
    """The journal cannot be opened or written; ``field`` and ``fix`` say what to change."""


def data_dir() -> Path:
    """The directory of the default journal (``PHOTODOSE_DATA_DIR`` or the platform's user data dir)."""
    env = os.environ.get("PHOTODOSE_DATA_DIR")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_data_dir("photodose", appauthor=False))


def resolve_url(db: str | None = None) -> str:
    """The database URL: ``db`` (``--db``), else ``PHOTODOSE_DB``, else the SQLite default.

    A bare file path is read as a SQLite file; ``postgresql://`` and ``postgres://`` mean psycopg 3.
    """
    raw = db or os.environ.get("PHOTODOSE_DB") or ""
    if not raw:
        return f"sqlite:///{data_dir() / DB_FILENAME}"
    if "://" not in raw:
        if "\x00" in raw:
            raise JournalError("--db", "the path contains a NUL character", "type the file name again")
        try:
            return f"sqlite:///{Path(raw).expanduser().resolve()}"
        except (OSError, RuntimeError, ValueError) as e:  # "~nosuchuser/…", a loop of links
            raise JournalError(
                "--db", f"cannot use {raw[:200]!r} as a journal file: {e}", "give a plain file path"
            ) from e
    for prefix in ("postgresql://", "postgres://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix) :]
    return raw


def _sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _rec: Any) -> None:
        dbapi_conn.isolation_level = None  # let SQLAlchemy's BEGIN below drive transactions
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = FULL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str) -> Engine:
    """An engine for ``url`` with the journal's settings (see module docstring)."""
    try:
        u = make_url(url)
    except ArgumentError as e:
        raise JournalError(
            "--db", f"{url!r} is not a database URL", "give postgresql://user@host/db or a file path"
        ) from e
    backend = u.get_backend_name()
    if backend == "sqlite":
        path = u.database
        if path and path != ":memory:":
            p = Path(path)
            if p.is_dir():
                raise JournalError("--db", f"{p} is a directory", "give a file path for the journal")
            p.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(u, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})
        _sqlite_pragmas(engine)
        return engine
    if backend == "postgresql":
        if u.get_driver_name() != "psycopg":
            u = u.set(drivername="postgresql+psycopg")
        return create_engine(u, connect_args={"connect_timeout": CONNECT_TIMEOUT_S}, pool_pre_ping=True)
    raise JournalError("--db", f"unsupported database {backend!r}", "use SQLite (a file path) or PostgreSQL")


# Key of the PostgreSQL advisory lock that serialises schema checks and migrations, so two
# processes opening the same new database do not race (one migrates, the other then sees it done).
_PG_MIGRATION_LOCK = 0x70686F746F646F  # "photodo"


def _upgrade_on(conn: Connection, revision: str) -> None:
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, revision)
    conn.commit()


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the schema to ``revision`` with the packaged Alembic migrations (one transaction)."""
    with engine.connect() as conn:
        _upgrade_on(conn, revision)


def _revision_on(conn: Connection) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return _revision_on(conn)


@contextmanager
def _schema_lock(conn: Connection) -> Iterator[None]:
    """Hold the migration lock on PostgreSQL.

    SQLite needs none: the check's transaction begins with ``BEGIN IMMEDIATE`` (the write lock)
    and :func:`open_journal` migrates inside it.
    """
    pg = conn.dialect.name == "postgresql"
    if pg:
        conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
        conn.commit()
    try:
        yield
    finally:
        if pg:
            conn.rollback()
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _PG_MIGRATION_LOCK})
            conn.commit()


@dataclass
class Journal:
    """An open journal: the engine and a session factory (``with journal.transaction() as s``)."""

    url: str
    engine: Engine
    factory: sessionmaker[Session]

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back on any error."""
        with self.factory() as s, s.begin():
            yield s

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def display_url(self) -> str:
        return make_url(self.url).render_as_string(hide_password=True)

    def close(self) -> None:
        self.engine.dispose()


def _describe(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def open_journal(db: str | None = None, *, migrate_schema: bool = True) -> Journal:
    """Open (and create or upgrade) the journal at ``db`` (see :func:`resolve_url`).

    Raises :class:`JournalError` for a URL that does not answer, a file that is not a journal
    database, or a schema newer than this version of photodose.
    """
    url = resolve_url(db)
    engine = make_engine(url)
    where = _describe(url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            if engine.dialect.name == "sqlite":
                ok = conn.execute(text("PRAGMA quick_check")).scalar()
                if ok != "ok":
                    raise JournalError(
                        "--db", f"{where}: the SQLite file is damaged ({ok})", "restore it from a backup"
                    )
        if migrate_schema:
            # check and migrate on one connection under one lock: a second process opening the
            # same new database waits, then finds it migrated (never "other tables")
            with engine.connect() as conn, _schema_lock(conn):
                rev = _revision_on(conn)
                if rev is None:
                    foreign = [t for t in inspect(conn).get_table_names() if not t.startswith("sqlite_")]
                    if foreign:
                        raise JournalError(
                            "--db",
                            f"{where} holds other tables ({', '.join(sorted(foreign)[:3])}…), "
                            "not a photodose journal",
                            "give a new file or an empty database",
                        )
                if rev is not None and rev > HEAD_REVISION:
                    raise JournalError(
                        "--db",
                        f"{where}: schema revision {rev} is newer than this photodose ({HEAD_REVISION})",
                        "upgrade photodose",
                    )
                if rev != HEAD_REVISION:  # at head already: no Alembic to load (~0.25 s a command)
                    # Alembic runs inside the transaction the check began (it sees one open and
                    # does not start its own), so on SQLite the write lock that BEGIN IMMEDIATE
                    # took before the check is held until the migration commits: a second
                    # process opening the same new file waits, then reads the head revision.
                    # Ending that transaction between the check and the migration let two
                    # processes both read "no revision" and both create the tables (CI once).
                    _upgrade_on(conn, "head")
    except JournalError:
        engine.dispose()
        raise
    except OperationalError as e:
        engine.dispose()
        msg = str(e.orig).strip().splitlines()[0] if e.orig is not None else str(e)
        if engine.dialect.name == "sqlite":
            raise JournalError(
                "--db", f"{where}: cannot open: {msg}", "check the path and permissions"
            ) from e
        raise JournalError(
            "--db",
            f"{where} does not answer within {CONNECT_TIMEOUT_S} s: {msg}",
            "start the database server, or check host, port, user and database name",
        ) from e
    except DatabaseError as e:
        engine.dispose()
        raise JournalError(
            "--db",
            f"{where} is not a photodose journal database ({e.orig})",
            "point --db at another file, or restore it from a backup (photodose backup)",
        ) from e
    return Journal(url=url, engine=engine, factory=sessionmaker(engine, expire_on_commit=False))


def integrity_ok(journal: Journal) -> bool:
    """SQLite: ``PRAGMA integrity_check`` is ``ok`` and no foreign key dangles. Others: True."""
    if journal.dialect != "sqlite":
        return True
    with journal.engine.connect() as conn:
        if conn.execute(text("PRAGMA integrity_check")).scalar() != "ok":
            return False
        return not conn.execute(text("PRAGMA foreign_key_check")).fetchall()
