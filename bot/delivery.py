"""The delivery worker: sends pending outbox rows and marks them sent.

Rows are worded at send time in the recipient's language (`handlers.notifications`). A crash between commit
and send only delays a message; the worker wakes on every handled update and at least every few seconds.
Telegram's answers decide what happens to a row: sent; retried later after 429 (`retry_after`), 5xx or a
timeout, with backoff; failed for good when the member blocked the bot or the chat is gone.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress
from datetime import timedelta

from sqlalchemy.engine import Engine
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import Application

from handlers.notifications import render
from handlers.screens import Screen, send_screens
from models.chat_state import forget_old_updates
from models.database import session_scope
from models.organisation import Member
from models.outbox import OutboxMessage, OutboxStatus, claim_due
from models.types import utcnow

log = logging.getLogger(__name__)
IDLE_SECONDS = 2.0
MAX_ATTEMPTS = 8
HOUSEKEEPING_EVERY = timedelta(hours=1)
DELIVERY_KEY = "delivery"


class Delivery:
    def __init__(self, application: Application, engine: Engine, timezone) -> None:
        self.application = application
        self.engine = engine
        self.timezone = timezone
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._claimed: set[int] = set()
        self._last_housekeeping = None

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="outbox-delivery")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._claimed:
            await asyncio.to_thread(self._release, set(self._claimed))
            self._claimed.clear()

    async def _run(self) -> None:
        while True:
            try:
                while await self.deliver_due():
                    pass
                await asyncio.to_thread(self._housekeeping)
            except Exception:  # noqa: BLE001  (a broken round must not stop delivery for good)
                log.exception("outbox delivery round failed")
            with suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), IDLE_SECONDS)
            self._wake.clear()

    def _housekeeping(self) -> None:
        """Once an hour: forget handled update ids older than Telegram could deliver again."""
        now = utcnow()
        if self._last_housekeeping is not None and now - self._last_housekeeping < HOUSEKEEPING_EVERY:
            return
        self._last_housekeeping = now
        with session_scope(self.engine) as session:
            forget_old_updates(session, now)

    def _release(self, row_ids: set[int]) -> None:
        """Rows claimed but not sent when the worker stops become due again at once (not after the lease)."""
        with session_scope(self.engine) as session:
            for row_id in row_ids:
                row = session.get(OutboxMessage, row_id)
                if row is not None and OutboxStatus(row.status) is OutboxStatus.PENDING:
                    row.next_attempt_at = utcnow()
                    session.add(row)

    def _load(self) -> list[tuple[int, int, list[Screen] | None, str | None]]:
        """Due rows with their chat and rendered screens (or the error that prevented rendering)."""
        now = utcnow().astimezone(self.timezone)
        prepared = []
        with session_scope(self.engine) as session:
            for row in claim_due(session, utcnow()):
                member = session.get(Member, row.member_id)
                try:
                    prepared.append((row.id, member.telegram_user_id, render(session, member, row.kind, row.data,
                                                                             now), None))
                except Exception as exc:  # noqa: BLE001  (recorded on the row, shown to admins)
                    log.exception("cannot render outbox row %s", row.id)
                    prepared.append((row.id, member.telegram_user_id, None, f"render: {exc}"))
        return prepared

    def _finish(self, row_id: int, status: OutboxStatus | None, error: str | None = None,
                retry_in: float | None = None) -> None:
        with session_scope(self.engine) as session:
            row = session.get(OutboxMessage, row_id)
            row.attempts += 1
            row.error = error
            if status is OutboxStatus.SENT:
                row.status, row.sent_at = status, utcnow()
            elif status is OutboxStatus.FAILED or row.attempts >= MAX_ATTEMPTS:
                row.status = OutboxStatus.FAILED
            else:
                row.next_attempt_at = utcnow() + timedelta(seconds=retry_in or 1)
            session.add(row)

    async def deliver_due(self) -> int:
        """Send what is due now; returns how many rows were handled."""
        prepared = await asyncio.to_thread(self._load)
        self._claimed.update(row_id for row_id, *_ in prepared)
        context = _Context(self.application)
        for row_id, chat_id, screens, render_error in prepared:
            if screens is None:
                await asyncio.to_thread(self._finish, row_id, OutboxStatus.FAILED, render_error)
                self._claimed.discard(row_id)
                continue
            try:
                await send_screens(context, chat_id, screens)
            except RetryAfter as exc:
                retry = exc.retry_after.total_seconds() if isinstance(exc.retry_after, timedelta) else exc.retry_after
                await asyncio.to_thread(self._finish, row_id, None, f"429 retry after {retry}", float(retry))
            except (Forbidden, BadRequest) as exc:
                await asyncio.to_thread(self._finish, row_id, OutboxStatus.FAILED, str(exc))
            except (TimedOut, NetworkError) as exc:
                await asyncio.to_thread(self._finish, row_id, None, str(exc), 2.0)
            else:
                await asyncio.to_thread(self._finish, row_id, OutboxStatus.SENT)
            self._claimed.discard(row_id)
        return len(prepared)


class _Context:
    """The bit of a handler context `send_screens` needs (the bot)."""

    def __init__(self, application: Application) -> None:
        self.bot = application.bot
