"""Storage: engine and sessions, exact column types, the table registry and the Alembic migrations."""
