"""Which process runs scheduled work and delivery: the leader.

On PostgreSQL several bot processes may share a database; the one holding a session-level advisory lock leads
and the others stand by, retrying now and then, so a leader that dies (its connection closes, the lock goes
with it) is replaced within seconds. The leader also LISTENs for `NOTIFY sakip_outbox` (on a
second, asynchronous connection), which every enqueue sends on commit, so a notification queued by any process
is delivered at once. On SQLite one bot process is expected; a file lock beside the database makes
sure a second one started by mistake stands by instead of sending every reminder twice.
"""

from __future__ import annotations

import asyncio
import logging

try:
    import fcntl
except ImportError:  # Windows: no file locks here; run one process per SQLite file
    fcntl = None
from collections.abc import Callable
from contextlib import suppress

import psycopg
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from models.messaging.outbox import NOTIFY_CHANNEL

log = logging.getLogger(__name__)
LOCK_CLASS = 0x5A4B  # "SAKIP"; the second key is the schema, so deployments sharing a database each have a leader


class Leadership:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.shared = engine.dialect.name == "postgresql"
        self._connection: Connection | None = None
        self._lock_file = None

    def _acquire_file(self) -> bool:
        """SQLite: an exclusive lock on `<database>.leader` (the system drops it when the process dies)."""
        database = self.engine.url.database
        if fcntl is None or not database or database == ":memory:":
            return True
        if self._lock_file is not None:
            return True
        handle = open(f"{database}.leader", "a")  # noqa: SIM115  (held open while this process leads)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self._lock_file = handle
        return True

    def acquire(self) -> bool:
        """True when this process leads (already, or from now on). Blocking: call from a worker thread."""
        if not self.shared:
            return self._acquire_file()
        if self._connection is not None and self.alive():
            return True
        self.release()
        connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            if connection.execute(text("SELECT pg_try_advisory_lock(:cls, hashtext(current_schema()))"),
                                  {"cls": LOCK_CLASS}).scalar():
                self._connection = connection
                log.info("this process now runs scheduled work and delivery")
                return True
        except Exception:  # noqa: BLE001  (the database is away: stand by and try again later)
            log.exception("cannot take the scheduler lock")
        connection.close()
        return False

    def alive(self) -> bool:
        try:
            self._connection.execute(text("SELECT 1"))
            return True
        except Exception:  # noqa: BLE001
            return False

    async def listen(self, on_notice: Callable[[], None]) -> None:
        """Call `on_notice` for every queued-notification notice, until cancelled (PostgreSQL only). A lost
        connection is opened again a second later."""
        url = self.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(url, autocommit=True) as connection:
                    await connection.execute(f"LISTEN {NOTIFY_CHANNEL}")
                    on_notice()  # anything queued while nobody listened
                    async for _ in connection.notifies():
                        on_notice()
            except psycopg.Error:
                log.warning("lost the notification connection; listening again shortly")
                await asyncio.sleep(1)

    def release(self) -> None:
        """Give up leadership: unlock before the connection goes back to the pool (closing alone would keep the
        session, and with it the lock), and close the file lock on SQLite."""
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None
        if self._connection is not None:
            try:
                self._connection.execute(text("SELECT pg_advisory_unlock_all()"))
                self._connection.close()
            except Exception:  # noqa: BLE001  (a broken connection: drop it, and the lock with its session)
                with suppress(Exception):
                    self._connection.invalidate()
            self._connection = None
