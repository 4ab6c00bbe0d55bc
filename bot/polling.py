"""Long polling (the embedded default: one process, no public address), with the inbox's guarantee.

PTB's updater confirms a batch of updates to Telegram (by asking for the next offset) before they are handled,
so a process killed in between lost them. This poller stores each batch in the inbox first
(`bot/inbox.py`) and only then asks for the updates after it, which is what confirms them.

Telegram serves `getUpdates` to one caller at a time: a second polling process makes both fail with 409
Conflict, over and over. So a polling process holds a lock on its database (a file lock beside a SQLite
file, an advisory lock on PostgreSQL) and a second one is refused at start with one line (`PollingTaken`);
a 409 from Telegram itself (another machine polls the same bot, or a webhook is set) stops the process with
the same kind of line. Several processes use a webhook (README, "Deployment").
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from contextlib import suppress
from enum import StrEnum

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from telegram import Update
from telegram.error import Conflict, NetworkError, RetryAfter
from telegram.ext import Application

from bot.inbox import Inbox
from models.store.locks import let_go, try_file_lock

log = logging.getLogger(__name__)
POLL_TIMEOUT = 10  # seconds Telegram holds a getUpdates open when nothing comes
POLLING_LOCK_CLASS = 0x5A4C  # beside the leader's 0x5A4B; the second key is the schema
RETRY_SECONDS = (1, 2, 4, 8, 15)  # after a network error, growing


class PollingStopped(StrEnum):
    """Why a polling process cannot go on; the command line words it (`cli.polling_<value>`)."""

    TAKEN = "taken"  # another process of this database polls already
    CONFLICT = "conflict"  # Telegram: another getUpdates, or a webhook is set


class PollingRefused(Exception):
    def __init__(self, reason: PollingStopped):
        super().__init__(reason.value)
        self.reason = reason


class PollingLock:
    """The right to poll for this database: one process at a time."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._file = None
        self._connection: Connection | None = None

    def acquire(self) -> bool:
        """Blocking (a worker thread). True when this process may poll."""
        if self.engine.dialect.name == "postgresql":
            connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            if connection.execute(text("SELECT pg_try_advisory_lock(:cls, hashtext(current_schema()))"),
                                  {"cls": POLLING_LOCK_CLASS}).scalar():
                self._connection = connection
                return True
            connection.close()
            return False
        self._file = try_file_lock(self.engine, ".polling")
        return self._file is not None

    def release(self) -> None:
        let_go(self._file)
        self._file = None
        if self._connection is not None:
            with suppress(Exception):
                self._connection.execute(text("SELECT pg_advisory_unlock(:cls, hashtext(current_schema()))"),
                                         {"cls": POLLING_LOCK_CLASS})
            with suppress(Exception):
                self._connection.close()
            self._connection = None


class Poller:
    def __init__(self, application: Application, inbox: Inbox, engine: Engine, *, timeout: int = POLL_TIMEOUT,
                 on_refused: Callable[[PollingStopped], None] | None = None) -> None:
        self.application = application
        self.inbox = inbox
        self.timeout = timeout
        self.on_refused = on_refused  # the runner stops the process
        self.lock = PollingLock(engine)
        self.refused: PollingStopped | None = None
        self._task: asyncio.Task | None = None
        self._storing: asyncio.Future | None = None
        self._offset: int | None = None

    @property
    def running(self) -> bool:
        return self._task is not None

    async def lock_or_refuse(self) -> None:
        """Take the polling lock, else `PollingRefused` (another process of this database polls)."""
        if not await asyncio.to_thread(self.lock.acquire):
            raise PollingRefused(PollingStopped.TAKEN)

    async def start(self) -> None:
        """Take over from a webhook, and poll (the lock taken: `lock_or_refuse`)."""
        await self.application.bot.delete_webhook()
        self._task = asyncio.create_task(self._run(), name="polling")

    async def stop(self) -> None:
        """Ask for nothing more. A batch being stored is stored first (its updates were handed out)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
        if self._storing is not None:
            with suppress(Exception):
                await self._storing
        await asyncio.to_thread(self.lock.release)

    async def _run(self) -> None:
        failures = 0
        while True:
            try:
                updates = await self.application.bot.get_updates(
                    offset=self._offset, timeout=self.timeout, allowed_updates=Update.ALL_TYPES)
                failures = 0
            except Conflict:
                log.error("Telegram refused getUpdates (409 Conflict): another process polls this bot, or a webhook "
                          "is set; this process stops")
                self.refused = PollingStopped.CONFLICT
                if self.on_refused is not None:
                    self.on_refused(PollingStopped.CONFLICT)
                return
            except RetryAfter as exc:
                await asyncio.sleep(_seconds(exc.retry_after))
                continue
            except NetworkError as exc:  # a timeout included
                delay = RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)]
                failures += 1
                log.warning("getUpdates failed (%s); again in %s s", exc, delay)
                await asyncio.sleep(delay)
                continue
            if updates:
                # stored before the next getUpdates confirms them; shielded: a stop waits for the commit
                self._storing = asyncio.ensure_future(self.inbox.receive(list(updates)))
                try:
                    await asyncio.shield(self._storing)
                except Exception:  # noqa: BLE001  (not stored: not confirmed either, Telegram hands them out again)
                    log.exception("could not store %s updates; asking for them again shortly", len(updates))
                    await asyncio.sleep(RETRY_SECONDS[0])
                    continue
                self._offset = updates[-1].update_id + 1


def _seconds(retry_after: object) -> float:
    total = getattr(retry_after, "total_seconds", None)
    return float(total()) if total is not None else float(retry_after)
