"""Locks beside a SQLite file: which process of one database does something only one may do (lead, poll).

An exclusive `flock` on `<database><suffix>`, held by an open file: the system drops it when the process dies, so
a crash never leaves a stale lock. PostgreSQL deployments use advisory locks instead (they go with the session).
"""

from __future__ import annotations

from typing import IO

from sqlalchemy.engine import Engine

try:
    import fcntl
except ImportError:  # Windows: no file locks here; run one process per SQLite file
    fcntl = None

HELD_WITHOUT_FILE = object()  # no file to lock (an in-memory database, or no flock): the one process holds it


def try_file_lock(engine: Engine, suffix: str) -> IO[str] | object | None:
    """The held lock (close it to let go), or None when another process holds it."""
    database = engine.url.database
    if fcntl is None or not database or database == ":memory:":
        return HELD_WITHOUT_FILE
    handle = open(f"{database}{suffix}", "a")  # noqa: SIM115  (held open while the lock is held)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    return handle


def let_go(lock: IO[str] | object | None) -> None:
    if lock is not None and lock is not HELD_WITHOUT_FILE:
        lock.close()
