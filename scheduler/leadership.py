"""Which process runs scheduled work and delivery: the leader.

On PostgreSQL several bot processes may share a database; the one holding a session-level advisory lock leads
and the others stand by, retrying now and then, so a leader that dies (its connection closes, the lock goes
with it) is replaced within seconds. The leader also LISTENs for `NOTIFY sakip_outbox` (on a
second, asynchronous connection), which every enqueue sends on commit, so a notification queued by any process
is delivered at once. On SQLite one bot process is expected; a file lock beside the database makes
sure a second one started by mistake stands by instead of sending every reminder twice.

Each time a process becomes leader anew it starts a `Term` (a fresh random token). The delivery worker claims
outbox rows under its term and renews their leases through `Term.renew`, which runs on the lock's own connection:
a renewal succeeds only while the lock is held, so a leader whose lock session was cut learns it at its next
renewal and stops sending before its leases run out and another leader may take its rows (`bot/delivery.py`).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import threading
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from models.messaging.outbox import NOTIFY_CHANNEL, extend_lease
from models.store.database import session_scope
from models.store.locks import let_go, try_file_lock
from reports import heavy

log = logging.getLogger(__name__)
LOCK_STATEMENT_TIMEOUT_MS = 5000  # of the lock's session: below the fence's margin (bot/fence.py)
LOCK_CLASS = 0x5A4B  # "SAKIP"; the second key is the schema, so deployments sharing a database each have a leader


@dataclass(frozen=True, eq=False)
class Term:
    """One stretch of leadership, from taking the lock to losing or giving it up. Its token marks the outbox rows
    claimed during it (`OutboxMessage.claimed_by`), so a leader that lost its lock never touches rows a later
    leader claimed again."""

    leadership: Leadership = field(repr=False)
    token: str = field(default_factory=lambda: secrets.token_hex(16))

    def renew(self, row_ids: set[int], now: datetime) -> bool:
        """Prove the lock is still held and keep these rows' leases: False when the term is over."""
        return self.leadership.renew(self, row_ids, now)


class Leadership:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.shared = engine.dialect.name == "postgresql"
        self.term: Term | None = None  # the current term while this process leads
        self._connection: Connection | None = None
        self._lock_file = None
        self._guard = threading.Lock()  # the lock connection is used from the scheduler's and delivery's threads

    def _acquire_file(self) -> bool:
        """SQLite: an exclusive lock on `<database>.leader` (the system drops it when the process dies)."""
        if self._lock_file is None:
            self._lock_file = try_file_lock(self.engine, ".leader")
        return self._lock_file is not None

    def acquire(self) -> Term | None:
        """The current term when this process leads (already, or from now on: then a new term), else None.
        Blocking: call from a worker thread."""
        if not self.shared:
            if not self._acquire_file():
                return None
            if self.term is None:
                self.term = Term(self)
            return self.term
        with self._guard:
            if self._connection is not None and self._alive():
                return self.term
        self.release()
        connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            # a renewal the server cannot answer promptly (a lock wait, an overloaded server) fails within the
            # fence's margin rather than holding its thread (a silent network is the driver's to notice)
            connection.execute(text(f"SET statement_timeout = {LOCK_STATEMENT_TIMEOUT_MS}"))
            if connection.execute(text("SELECT pg_try_advisory_lock(:cls, hashtext(current_schema()))"),
                                  {"cls": LOCK_CLASS}).scalar():
                with self._guard:
                    self._connection, self.term = connection, Term(self)
                log.info("this process now runs scheduled work and delivery")
                return self.term
        except Exception:  # noqa: BLE001  (the database is away: stand by and try again later)
            log.exception("cannot take the scheduler lock")
        connection.close()
        return None

    def _alive(self) -> bool:
        try:
            self._connection.execute(text("SELECT 1"))
            return True
        except Exception:  # noqa: BLE001
            return False

    def renew(self, term: Term, row_ids: set[int], now: datetime) -> bool:
        """Renew the leases of `term`'s rows, proving the lock is held in the same step: on PostgreSQL the update
        runs on the lock's own session, so it fails once that session is gone (and with it the lock); on SQLite
        the file lock cannot be lost while the process lives. False when `term` is not the current term or the
        lock connection failed: the caller must stop sending."""
        if not self.shared:
            if term is not self.term:
                return False
            try:
                with session_scope(self.engine) as session:
                    extend_lease(session, term.token, row_ids, now)
            except Exception:  # noqa: BLE001  (nobody else can lead meanwhile: the next renewal tries again)
                log.exception("cannot renew the outbox leases")
            return True
        with self._guard:
            if term is not self.term or self._connection is None:
                return False
            try:
                if row_ids:
                    extend_lease(self._connection, term.token, row_ids, now)
                else:
                    self._connection.execute(text("SELECT 1"))
                return True
            except Exception:  # noqa: BLE001  (the lock's session is gone: so is the lock)
                log.warning("the scheduler lock's connection failed: this process no longer leads")
                return False

    async def listen(self, on_notice: Callable[[], None]) -> None:
        """Call `on_notice` for every queued-notification notice, until cancelled (PostgreSQL only). A lost
        connection is opened again a second later."""
        url = self.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        while True:
            try:
                async with await heavy.psycopg.AsyncConnection.connect(url, autocommit=True) as connection:
                    await connection.execute(f"LISTEN {NOTIFY_CHANNEL}")
                    on_notice()  # anything queued while nobody listened
                    async for _ in connection.notifies():
                        on_notice()
            except heavy.psycopg.Error:
                log.warning("lost the notification connection; listening again shortly")
                await asyncio.sleep(1)

    def release(self, term: Term | None = None) -> None:
        """Give up leadership (only if `term`, when given, is still the current one): unlock before the connection
        goes back to the pool (closing alone would keep the session, and with it the lock), and close the file
        lock on SQLite. The term ends: its renewals fail from now on."""
        with self._guard:
            if term is not None and term is not self.term:
                return
            self.term = None
            let_go(self._lock_file)
            self._lock_file = None
            if self._connection is not None:
                try:
                    self._connection.execute(text("SELECT pg_advisory_unlock_all()"))
                    self._connection.close()
                except Exception:  # noqa: BLE001  (a broken connection: drop it, and the lock with its session)
                    with suppress(Exception):
                        self._connection.invalidate()
                self._connection = None
