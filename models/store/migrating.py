"""Bringing a database to the newest schema with Alembic (`models/store/migrations`).

Apart from `models.store.database` so that a start whose database is already the newest one
(`schema_is_current`, one query) never loads Alembic: the command line calls `migrate` through `reports.heavy`.
"""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

from models.store.database import MIGRATIONS_DIR


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine) -> None:
    """Upgrade the database schema to the newest migration (nothing when it is there already)."""
    command.upgrade(alembic_config(engine), "head")
