"""Shared fixtures: a migrated database on every backend under test.

SQLite always; PostgreSQL too when SAKIP_TEST_DATABASE_URL is set (`.ci/run` sets it). Each PostgreSQL test gets
a schema of its own, so tests never see each other's rows and can run against a shared server.
"""

from __future__ import annotations

import os
import shutil
import time as time_module
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from models.calc.clock import OFFICE_TZ
from models.store.database import create_db_engine, normalise_url
from models.store.migrating import migrate

PG_URL = os.environ.get("SAKIP_TEST_DATABASE_URL")
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if PG_URL:
        return
    skip = pytest.mark.skip(reason="PostgreSQL tests need SAKIP_TEST_DATABASE_URL (set by .ci/run)")
    for item in items:
        if "postgresql" in item.keywords:
            item.add_marker(skip)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "postgresql: runs against the PostgreSQL server of SAKIP_TEST_DATABASE_URL")


@contextmanager
def empty_database(backend: str, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database: a SQLite file, or a fresh PostgreSQL schema dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'sakip.db'}"
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_db_engine(PG_URL)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = normalise_url(PG_URL)
        yield f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
    finally:
        _drop_schema(admin, schema)
        admin.dispose()


def _drop_schema(admin: Engine, schema: str, attempts: int = 5) -> None:
    """Drop a test's schema. A bot's bounded stop may leave work of its own still reading (a document drawn after
    the test's last look): PostgreSQL then picks the DROP as a deadlock's victim, so it is tried again."""
    for attempt in range(attempts):
        try:
            with admin.begin() as connection:
                connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
            return
        except sa.exc.OperationalError:
            if attempt == attempts - 1:
                raise
            time_module.sleep(0.5)


@pytest.fixture(params=BACKENDS)
def backend_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database on every backend: tests using it run on SQLite and on PostgreSQL."""
    with empty_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file migrated to the newest schema; each test gets a copy instead of running the migrations
    again (about 0.2 s a test, minutes over the suite). `tests/test_migrations.py` runs them for real."""
    path = tmp_path_factory.mktemp("template") / "sakip.db"
    engine = create_db_engine(f"sqlite:///{path}")
    migrate(engine)
    engine.dispose()  # the last connection closed: SQLite moves the write-ahead log into the file
    assert not Path(f"{path}-wal").exists()
    return path


_SCRIPTS: dict[str, list[tuple[str, object]]] = {}


def recorded_script(name: str, build: Callable[[Engine], None]) -> list[tuple[str, object]]:
    """The statements `build` runs on an empty PostgreSQL schema (queries left out), recorded once per process
    under `name`; each test's own schema replays them in one transaction instead of building again (the
    migrations with Alembic, the demo office with its PK import: tenths of a second a test, minutes a suite).
    Rows get the same ids on replay: each schema's sequences start afresh."""
    if name not in _SCRIPTS:
        script: list[tuple[str, object]] = []
        with empty_database("postgresql", Path()) as url:
            engine = create_db_engine(url)

            @sa.event.listens_for(engine, "before_cursor_execute")
            def record(connection, cursor, statement, parameters, context, executemany):  # noqa: ANN001
                if not statement.lstrip().upper().startswith(("SELECT", "SHOW")):
                    script.append((statement, parameters))

            build(engine)
            engine.dispose()
        _SCRIPTS[name] = script
    return _SCRIPTS[name]


def built_engine(url: str, sqlite_file: Path, name: str, build: Callable[[Engine], None]) -> Engine:
    """An engine on a database built as `build` builds an empty one: a copy of `sqlite_file` (built so once) for
    SQLite, `build`'s recorded statements replayed for PostgreSQL (each test has a schema of its own)."""
    if url.startswith("sqlite:///"):
        shutil.copyfile(sqlite_file, url.removeprefix("sqlite:///"))
        return create_db_engine(url)
    engine = create_db_engine(url)
    with engine.begin() as connection:
        for statement, parameters in recorded_script(name, build):
            connection.exec_driver_sql(statement, parameters)
    return engine


def migrated_engine(url: str, sqlite_template: Path) -> Engine:
    """An engine on a database at the newest schema (the migrated template: see `built_engine`)."""
    return built_engine(url, sqlite_template, "migrated", migrate)


@pytest.fixture
def engine(backend_url: str, sqlite_template: Path) -> Iterator[Engine]:
    """A database at the newest schema (see `migrated_engine`)."""
    engine = migrated_engine(backend_url, sqlite_template)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


def office_moment(day: date, hour: int = 9) -> datetime:
    """A moment of the office's day, for domain calls that take `now` where a test has a date."""
    return datetime.combine(day, time(hour), tzinfo=OFFICE_TZ)
