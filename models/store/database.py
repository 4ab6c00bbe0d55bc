"""Engine, sessions, and whether the schema is the newest one.

SQLite (the embedded default) runs with WAL and foreign keys on; PostgreSQL is used through psycopg 3. The
schema is owned by Alembic (`models/store/migrations`): `models.store.migrating.migrate()` brings any database to
the newest revision, with `sakip-bot init` and at every start where `schema_is_current` (one query, without
Alembic) says it is not there yet.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def normalise_url(url: str) -> str:
    """Accept `postgres://` and `postgresql://` URLs and use the psycopg 3 driver for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # Let SQLAlchemy, not pysqlite, start transactions (needed for SAVEPOINT; see SQLAlchemy's pysqlite notes).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection) -> None:
    """Take the write lock at the start: concurrent writers then wait (busy_timeout) instead of failing."""
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_db_engine(url: str, **kwargs) -> Engine:
    """An engine for the URL; creates the folder of a SQLite file when needed."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"check_same_thread": False}, **kwargs)
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        sa.event.listen(engine, "begin", _sqlite_begin)
        return engine
    return sa.create_engine(url, pool_pre_ping=True, **kwargs)


def schema_head() -> str:
    """The newest migration's revision: the number its file starts with (`0008_pk_versions.py` is revision
    "0008", after "0007"; `tests/test_migrations.py` checks that every migration keeps to this)."""
    return max(path.name.split("_", 1)[0] for path in (MIGRATIONS_DIR / "versions").glob("[0-9]*_*.py"))


def schema_is_current(engine: Engine) -> bool:
    """Whether the database is at the newest migration: one query, where Alembic's upgrade to the same answer
    (importing it, reading every migration, its environment) costs a start about a quarter of a second."""
    try:
        with engine.connect() as connection:
            found = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all()
    except sa.exc.DBAPIError:  # no alembic_version table: a new database
        return False
    return found == [schema_head()]


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: committed when the block ends, rolled back on any error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
