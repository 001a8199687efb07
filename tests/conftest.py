from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

# Test helpers (e.g. the adding-doubling reference) live beside the tests.
sys.path.insert(0, str(Path(__file__).parent))

ROOT = Path(__file__).resolve().parents[1]


@cache
def pg_url() -> str | None:
    """The PostgreSQL server for journal tests: PHOTODOSE_TEST_PG_URL, else scripts/postgres.sh url."""
    url = os.environ.get("PHOTODOSE_TEST_PG_URL")
    if url:
        return url
    script = ROOT / "scripts" / "postgres.sh"
    try:
        out = subprocess.run([str(script), "url"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() or None


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty journal database URL on each backend (PostgreSQL skips locally without a
    server and fails in CI)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'journal.sqlite3'}"
        return
    server = pg_url()
    if server is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("PostgreSQL server missing in CI: run scripts/postgres.sh start (make test does)")
        pytest.skip("no PostgreSQL server (scripts/postgres.sh start, or set PHOTODOSE_TEST_PG_URL)")
    import psycopg

    name = f"pdtest_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = server.rpartition("/")
    yield f"{base}/{name}"
    with psycopg.connect(server, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
