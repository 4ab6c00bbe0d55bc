"""The schema comes from Alembic migrations, and they agree with the models on every backend."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from models.database import all_tables, create_db_engine, migrate


def test_models_and_migrations_agree(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, all_tables())
    assert differences == []


def test_migrating_twice_changes_nothing(backend_url):
    engine = create_db_engine(backend_url)
    migrate(engine)
    migrate(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection)
        assert context.get_current_revision() is not None
    engine.dispose()


def test_sqlite_runs_with_wal_and_foreign_keys(tmp_path):
    engine = create_db_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()
