"""Shared fixtures: a migrated database on every backend under test.

SQLite always; PostgreSQL too when SAKIP_TEST_DATABASE_URL is set (`.ci/run` sets it). Each PostgreSQL test gets
a schema of its own, so tests never see each other's rows and can run against a shared server.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from models.database import create_db_engine, migrate, normalise_url

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
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def backend_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database on every backend: tests using it run on SQLite and on PostgreSQL."""
    with empty_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def engine(backend_url: str) -> Iterator[Engine]:
    engine = create_db_engine(backend_url)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session
