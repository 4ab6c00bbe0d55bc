"""The inbox dispatcher: stores the updates Telegram sends, and hands them to the handlers from the database.

The rules of the inbox are the domain's (`models/messaging/inbox.py`); this worker applies them in a process:

- `store` writes updates (the webhook server calls it before answering 200, the poller before asking for the
  next batch), so an update Telegram was told about is never only in memory.
- The dispatch loop claims what may be handled now (each chat's earliest unhandled update, nobody else holding
  it) and runs each in a task of its own: members are served side by side (up to `CONCURRENCY` updates in hand
  per process), and one member's updates one at a time, in order, across every process. Charts and PDFs are
  drawn in their bounded pool, so a member's `/rekap` costs the others one slot, not their turn.
- While an update is in hand its lease is renewed; once its handlers return it is finished and the member's
  next update becomes claimable (this process claims again at once).
- `stop` takes nothing new, lets the updates in hand finish for the grace given, cancels the rest and gives
  back their claims.

An update's work is done once even when a process dies after committing it and before finishing the row: the
handlers write `handled_updates` in the work's own transaction (`handlers/common.py`), and the update handled
again later does nothing.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import secrets
import socket
from contextlib import suppress
from datetime import timedelta

from sqlalchemy.engine import Engine
from telegram import Update
from telegram.ext import Application, ExtBot

from models.messaging.inbox import LEASE, claim_next, finish, prune, receive, release, renew
from models.store.database import session_scope
from models.store.types import utcnow

log = logging.getLogger(__name__)
CONCURRENCY = 8  # updates in hand at once in one process (of different members)
IDLE_SECONDS = 1.0  # how often an idle process looks for updates another process received and left
PRUNE_EVERY = timedelta(hours=1)


def chat_of(update: Update) -> int:
    """Whose updates are handled in order: the chat's (a private chat is its user's), else the user's."""
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return 0


def worker_name() -> str:
    """This process, for claims: host, pid and a random part (a pid is reused after a restart)."""
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{secrets.token_hex(4)}"


class Inbox:
    def __init__(self, application: Application, engine: Engine, *, concurrency: int = CONCURRENCY) -> None:
        self.application = application
        self.engine = engine
        self.worker = worker_name()
        self.concurrency = concurrency
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._in_hand: dict[int, asyncio.Task] = {}  # update id → the task handling it
        self._stopping = False
        self._last_prune = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._stopping

    def wake(self) -> None:
        self._wake.set()

    # --- receiving ---

    def store(self, updates: list[Update]) -> int:
        """Write updates (blocking: call in a worker thread); committed when this returns. The number new."""
        rows = [(update.update_id, chat_of(update), json.dumps(update.to_dict(), ensure_ascii=False))
                for update in updates]
        with session_scope(self.engine) as session:
            return receive(session, rows, utcnow())

    async def receive(self, updates: list[Update]) -> None:
        """Store updates and wake the dispatcher: Telegram may be told they arrived once this returns."""
        if updates:
            await asyncio.to_thread(self.store, updates)
            self.wake()

    # --- dispatching ---

    def start(self) -> None:
        self._stopping = False
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="inbox-dispatch")

    async def stop(self, grace: float = 0.0) -> None:
        """Claim nothing more; the updates in hand finish for up to `grace` seconds, the rest are cancelled and
        their claims given back (another process, or this one after a restart, handles them at once)."""
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        tasks = list(self._in_hand.values())
        if tasks and grace > 0:
            await asyncio.wait(tasks, timeout=grace)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        with suppress(Exception):
            await asyncio.to_thread(self._release)

    async def _run(self) -> None:
        renewer = asyncio.create_task(self._renew_leases(), name="inbox-leases")
        try:
            while not self._stopping:
                self._wake.clear()  # a wake from now on means another round
                try:
                    await self._claim()
                    if self._prune_due():
                        await asyncio.to_thread(self._prune)
                except Exception:  # noqa: BLE001  (the database is away for a moment: try again shortly)
                    log.exception("inbox round failed")
                with suppress(TimeoutError):
                    async with asyncio.timeout(IDLE_SECONDS):
                        await self._wake.wait()
        finally:
            renewer.cancel()
            with suppress(asyncio.CancelledError):
                await renewer

    async def _claim(self) -> None:
        room = self.concurrency - len(self._in_hand)
        if room <= 0:
            return  # a finished update wakes the loop
        for update_id, payload in await asyncio.to_thread(self._load, room):
            self._in_hand[update_id] = asyncio.create_task(self._handle(update_id, payload),
                                                           name=f"inbox-update-{update_id}")

    def _load(self, limit: int) -> list[tuple[int, str]]:
        with session_scope(self.engine) as session:
            return [(row.update_id, row.payload) for row in claim_next(session, self.worker, utcnow(), limit)]

    async def _handle(self, update_id: int, payload: str) -> None:
        """Hand one update to the handlers (their errors go to the error handler), then finish its row."""
        try:
            try:
                update = Update.de_json(json.loads(payload), self.application.bot)
            except Exception:  # noqa: BLE001  (stored by an older version, or damaged: finished unhandled)
                log.exception("inbox update %s cannot be read; skipped", update_id)
                update = None
            if update is not None:
                if isinstance(self.application.bot, ExtBot):
                    self.application.bot.insert_callback_data(update)
                await self.application.process_update(update)
            await asyncio.to_thread(self._finish, update_id)
        except asyncio.CancelledError:
            raise  # stopping: the claim is given back by `stop`
        except Exception:  # noqa: BLE001  (not finished: claimed again after its lease)
            log.exception("inbox update %s could not be finished", update_id)
        finally:
            self._in_hand.pop(update_id, None)
            self._wake.set()  # room for one more, and this member's next update may be claimed now

    def _finish(self, update_id: int) -> None:
        with session_scope(self.engine) as session:
            finish(session, update_id, utcnow())

    async def _renew_leases(self) -> None:
        while True:
            await asyncio.sleep(LEASE.total_seconds() / 4)
            if self._in_hand:
                with suppress(Exception):
                    await asyncio.to_thread(self._renew, set(self._in_hand))

    def _renew(self, update_ids: set[int]) -> None:
        with session_scope(self.engine) as session:
            renew(session, self.worker, update_ids, utcnow())

    def _release(self, everyone: bool = False) -> None:
        with session_scope(self.engine) as session:
            release(session, None if everyone else self.worker)

    async def take_over(self) -> None:
        """This process is the only one (it holds the polling lock): the claims of a predecessor that died are
        given back now rather than after their lease, so its updates in hand are handled at once."""
        await asyncio.to_thread(self._release, True)

    def _prune_due(self) -> bool:
        return self._last_prune is None or utcnow() - self._last_prune >= PRUNE_EVERY

    def _prune(self) -> None:
        self._last_prune = utcnow()
        with session_scope(self.engine) as session:
            prune(session, self._last_prune)
