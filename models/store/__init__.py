"""Storage: engine and sessions, exact column types, and the Alembic migrations."""
