"""Alembic environment: runs migrations on the engine handed over by `models.store.migrating.migrate`."""

from alembic import context

from models.schema import all_tables

target_metadata = all_tables()
engine = context.config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        user_module_prefix="models.store.types.",
    )
    with context.begin_transaction():
        context.run_migrations()
