"""Databases for chaos runs: a fresh PostgreSQL schema (the runs with several processes), or a SQLite file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import PG_URL, empty_database


@pytest.fixture
def postgresql_url(tmp_path: Path) -> Iterator[str]:
    if not PG_URL:
        pytest.skip("chaos runs with several processes need PostgreSQL (SAKIP_TEST_DATABASE_URL)")
    with empty_database("postgresql", tmp_path) as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'sakip.db'}"
