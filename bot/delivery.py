"""The delivery worker: sends pending outbox rows and marks them sent. One process runs it (the leader, see
`scheduler/leadership.py`), so Telegram's overall limit is kept across processes and each chat's order holds.

Rows are worded at send time in the recipient's language by the renderer the composition root hands in (a
`NoticeRenderer`: `handlers.notifications.Notifications`); the worker orders, paces, retries and records, and what
each outcome does to a row is the domain's (`models/messaging/outbox.py`). A crash between commit and send only
delays a message; the worker wakes when a row is queued and at least every few seconds.

- Chats are served side by side and independently: each chat with claimed rows has its own task that sends
  them in order, while the claim loop keeps claiming rows for other chats, so one chat's backlog never holds
  back another chat's message. Every send goes through the bot's rate limiter (`bot/pacing.py`), which keeps
  each chat's pace (one message per second after a burst of three) and the bot's overall 30 messages per second,
  both shared with the direct replies of every process, which take precedence. Up to `concurrency` requests
  are in flight, up to `CLAIM_BATCH` rows
  are claimed and not yet finished, and of one chat's backlog only the next `CHAT_CLAIM` rows are held, so a
  long backlog never fills the worker's hands.
- Telegram's answers decide what happens to a row: sent; retried later after 429 (`retry_after`), 5xx or a
  timeout, with exponential backoff; failed for good when the member blocked the bot or the chat is gone
  (shown to admins in /status). A row that fails keeps the later rows of its chat waiting behind it.
- A notification split into several messages records each part sent, so a retry sends only the rest.
- A reminder edits its earlier message in place (or replaces it when a snooze asks for a fresh ping), and a
  decided card's copy is edited to its outcome (`CardDecided`); an edit whose message is gone sends nothing.
- The renderer is told of each notice sent (`after_sent`) and of each part of several (`part_sent`), with the
  messages that show them: a decision card's copy is recorded there (`handlers/cards.py`).
- Charts (the Kepala Dinas's album) are rendered in the bounded chart pool while the chat shows "sending
  photo…"; an album of more than ten pictures goes as several albums, each one part.

Only the leader sends, and a leader that loses its lock stops before another may take its rows (fencing):
every claim carries the leader's term (`scheduler/leadership.py: Term`) and lasts `CLAIM_SECONDS` unless renewed;
the renewal runs every few seconds on the lock's own connection, so it fails once the lock is gone, and a send
begins only while the last successful renewal is recent enough (`bot/fence.py` has the numbers). When the term is
over, the worker stops claiming and sending at once, the rows it had claimed stay claimed by its term until their
leases run out (a new leader takes them then, in each chat's order), and leadership is given up. Every write of
an outcome touches a row only while it is still claimed by the writer's term.

What no outbox can promise: a process killed after Telegram accepted a message and before the row is marked
sent sends that one message again on restart (the Bot API has no idempotency key). The row is marked the
moment Telegram answers, so that window is one round trip. So does a send in flight when a leader's lock is cut
and whose answer comes after the fence's cut-off: at most one message per chat.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter, deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy.engine import Engine
from sqlmodel import Session
from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import Application

from bot.fence import CUTOFF_SECONDS, RENEW_SECONDS, SEND_MARGIN_SECONDS, Fence, FenceLost
from bot.pacing import sending_notices
from models.calc.clock import Clock, system_clock
from models.messaging.chat_state import forget_old_updates
from models.messaging.notices import Notice, decode
from models.messaging.outbox import (
    CLAIM_SECONDS,
    claim_due,
    mark_failed,
    mark_sent,
    note_parts_sent,
    release_claims,
    retry_later,
)
from models.messaging.pace import forget_idle
from models.office.organisation import Member
from models.store.database import session_scope
from models.store.types import utcnow
from reports.render_pool import RENDER_POOL
from scheduler.leadership import Term

log = logging.getLogger(__name__)
IDLE_SECONDS = 2.0
CLAIM_BATCH = 200  # rows claimed and not yet finished, at most
CHAT_CLAIM = 10  # of them, rows of one chat waiting for its task (ten seconds at its pace); more wait in the table
HOUSEKEEPING_EVERY = timedelta(hours=1)
# lease renewals run in a thread of their own: never queued behind wording or marking in the shared thread pool
RENEWER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="outbox-lease")


class NoticeRenderer(Protocol):
    """What the worker needs of the chat: a notice worded into parts (one Telegram call each, opaque here), the
    chat action to show while wording a slow one, sending one part, and bookkeeping once a notice is sent."""

    def chat_action(self, notice: Notice) -> str | None:
        """A chat action ("upload_photo") for notices worded in the chart pool; None: worded in a thread."""

    def word(self, session: Session, member_id: int, notice: Notice, now: datetime) -> Sequence[Any]:
        """The parts that deliver the notice to the member, worded at `now`."""

    async def send(self, bot: Bot, chat_id: int, part: Any) -> int:
        """Send one part; the id of the message that now shows it. Raises Telegram's errors."""

    def after_sent(self, session: Session, notice: Notice, message_ids: list[int], *, member_id: int,
                   chat_id: int, parts: Sequence[Any]) -> None:
        """Recorded in the transaction that marks the row sent; `parts` are the parts `message_ids` show (those
        sent by this attempt), to the member's chat."""

    def part_sent(self, session: Session, notice: Notice, part: Any, message_id: int, *, member_id: int,
                  chat_id: int) -> None:
        """Recorded in the transaction that notes one part of several sent (a card with a PDF after it is
        pressable before the PDF is out)."""


@dataclass
class Prepared:
    row_id: int
    member_id: int
    chat_id: int
    kind: str
    params: str  # the row's JSON, decoded when the row is worded (a row that cannot be is retried, then failed)
    parts_sent: int = 0


class Delivery:
    def __init__(self, application: Application, engine: Engine, renderer: NoticeRenderer, *,
                 concurrency: int = 30, on_claimed: Callable[[], None] | None = None,
                 clock: Clock = system_clock) -> None:
        self.application = application
        self.on_claimed = on_claimed  # rows were queued: what the scheduler derives may have changed
        self.clock = clock  # the time notices are worded at (a reminder's countdown): the scheduler's clock
        self.engine = engine
        self.renderer = renderer
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._claimed: set[int] = set()  # claimed and not finished: queued for a chat or being sent
        self._chats: dict[int, deque[Prepared]] = {}  # chat → its claimed rows not yet taken up, in order
        self._workers: dict[int, asyncio.Task] = {}  # chat → the task sending its rows
        self._more: set[int] = set()  # chats with rows left in the table beyond `CHAT_CLAIM`
        self._last_housekeeping = None
        self._slots = asyncio.Semaphore(concurrency)
        self._stopping = False
        self._term: Term | None = None  # the leader's term this worker claims and sends under
        self._on_lost: Callable[[Term], None] | None = None
        self._fence = Fence(CLAIM_SECONDS, SEND_MARGIN_SECONDS, CUTOFF_SECONDS)  # a new one at each start

    @property
    def running(self) -> bool:
        return self._task is not None

    def wake(self) -> None:
        self._wake.set()

    def start(self, term: Term, on_lost: Callable[[Term], None]) -> None:
        """Start delivering under the leader's `term`; `on_lost` is called when a lease renewal shows the term is
        over. Rows still claimed by an earlier term (a leader that died or lost its lock) are not taken before
        their lease runs out: that leader may still be finishing a send until then."""
        if self._task is None:
            self._stopping = False
            self._term, self._on_lost = term, on_lost
            self._fence = Fence(CLAIM_SECONDS, SEND_MARGIN_SECONDS, CUTOFF_SECONDS)
            self._task = asyncio.create_task(self._run(), name="outbox-delivery")

    async def stop(self, grace: float = 0.0) -> None:
        """Stop delivering: nothing more is claimed, and each chat's task finishes the row it is sending (its later
        rows are not taken up) for up to `grace` seconds; then what is left is cancelled. Every row claimed and not
        sent is released, so the next leader sends it at once instead of after its lease (only a send cut off at
        the end of the grace may then arrive twice)."""
        await self._halt(grace)
        if self._claimed and not self._fence.lost:  # a term that is over leaves its rows to their leases
            await asyncio.to_thread(self._release, set(self._claimed))
        self._claimed.clear()

    async def step_down(self) -> None:
        """The leader lost its lock: send nothing more from now on; the sends in flight may finish (and be marked)
        until the fence's cut-off; the rows claimed and not sent stay claimed by this term until their leases run
        out, when the next leader takes them (it cannot before)."""
        self._fence.lose()
        await self._halt(self._fence.remaining())
        self._claimed.clear()

    async def _halt(self, grace: float) -> None:
        self._stopping = True  # also ends the loop should a cancellation be swallowed (Python 3.11's wait_for can)
        self._wake.set()
        if grace > 0 and self._workers:
            await asyncio.wait(list(self._workers.values()), timeout=grace)
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._stop_chats()

    async def _run(self) -> None:
        keeper = asyncio.create_task(self._keep_leases(), name="outbox-leases")
        try:
            while not self._stopping:  # a term that is over claims nothing (`_claim`), until `step_down`
                self._wake.clear()  # a wake from now on (a row queued meanwhile) means another round
                try:
                    while not self._stopping and await self._claim():
                        pass
                    if self._housekeeping_due():
                        await asyncio.to_thread(self._housekeeping)
                except Exception:  # noqa: BLE001  (a broken round must not stop delivery for good)
                    log.exception("outbox delivery round failed")
                with suppress(TimeoutError):
                    async with asyncio.timeout(IDLE_SECONDS):
                        await self._wake.wait()
        finally:
            keeper.cancel()  # the chats' tasks are `stop`'s: they finish their sends in hand first
            with suppress(asyncio.CancelledError):
                await keeper

    async def _stop_chats(self) -> None:
        """Cancel every chat's task and wait for it; the rows they had not finished (the one cut off in its send
        too) stay in `_claimed`."""
        workers = list(self._workers.values())
        for worker in workers:
            worker.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        self._chats.clear()  # a task cancelled before it ran never removed its chat
        self._workers.clear()
        self._more.clear()

    async def _keep_leases(self) -> None:
        """Prove the lock is held every `RENEW_SECONDS`, renewing the leases of the rows claimed and not finished
        (a flood wait can last minutes), and let sends go on; when a renewal fails, or does not answer within
        `SEND_MARGIN_SECONDS` (the fence has closed by then), or the fence's bound passed meanwhile, the term is
        over: nothing more is sent, and the scheduler is told to give up leadership."""
        while not self._fence.lost:
            began, now = self._fence.now(), utcnow()
            try:
                async with asyncio.timeout(SEND_MARGIN_SECONDS):
                    renewed = await asyncio.get_running_loop().run_in_executor(
                        RENEWER, self._term.renew, set(self._claimed), now)
            except Exception:  # noqa: BLE001  (a renewal that fails or hangs proves nothing)
                log.exception("cannot renew the outbox leases")
                renewed = False
            if not renewed:
                self._fence.lose()
                break
            self._fence.renewed(began)
            self._wake.set()  # the first renewal opens the fence: claim at once
            await asyncio.sleep(RENEW_SECONDS)
        if not self._stopping and self._on_lost is not None:
            log.warning("the leader's term is over: outbox delivery stops; its claims run out in %s s", CLAIM_SECONDS)
            self._wake.set()
            self._on_lost(self._term)

    def _housekeeping_due(self) -> bool:
        return self._last_housekeeping is None or utcnow() - self._last_housekeeping >= HOUSEKEEPING_EVERY

    def _housekeeping(self) -> None:
        """Once an hour: forget handled update ids older than Telegram could deliver again, and the pace of chats
        whose budget is full again."""
        self._last_housekeeping = utcnow()
        with session_scope(self.engine) as session:
            forget_old_updates(session, self.clock())  # handled updates are stamped by the bot's clock
            forget_idle(session, time.time())  # the pace counts in the wall clock's seconds

    def _release(self, row_ids: set[int]) -> None:
        """Rows this term claimed and will not send become free at once (not after the lease)."""
        with session_scope(self.engine) as session:
            release_claims(session, self._term.token, row_ids)

    def _load(self, limit: int) -> list[Prepared]:
        """Claim up to `limit` due rows, with each one's chat."""
        with session_scope(self.engine) as session:
            return [Prepared(row.id, row.member_id, session.get(Member, row.member_id).telegram_user_id, row.kind,
                             row.params, row.parts_sent)
                    for row in claim_due(session, utcnow(), self._term.token, limit, CHAT_CLAIM)]

    def _word(self, item: Prepared, notice: Notice) -> Sequence[Any]:
        """The calls that deliver a row, worded now: after the chat's earlier rows went out (a reminder edits
        the message its predecessor sent)."""
        with session_scope(self.engine) as session:
            return self.renderer.word(session, item.member_id, notice, self.clock())

    def _sent(self, item: Prepared, notice: Notice, parts_sent: int, message_ids: list[int],
              parts: Sequence[Any]) -> None:
        with session_scope(self.engine) as session:  # the mutu baku reads sent_at
            if mark_sent(session, item.row_id, self.clock(), parts_sent, term=self._term.token) is not None:
                # else: another leader's send counts
                self.renderer.after_sent(session, notice, message_ids, member_id=item.member_id,
                                         chat_id=item.chat_id, parts=parts)

    def _failed(self, row_id: int, error: str, parts_sent: int) -> None:
        with session_scope(self.engine) as session:
            mark_failed(session, row_id, error, parts_sent, term=self._term.token)

    def _retry(self, row_id: int, error: str, retry_in: float | None = None, parts_sent: int = 0) -> None:
        with session_scope(self.engine) as session:
            retry_later(session, row_id, utcnow(), error, retry_in, parts_sent, term=self._term.token)

    def _note_part(self, item: Prepared, notice: Notice, parts_sent: int, part: Any, message_id: int) -> None:
        with session_scope(self.engine) as session:
            if note_parts_sent(session, item.row_id, parts_sent, term=self._term.token):
                self.renderer.part_sent(session, notice, part, message_id, member_id=item.member_id,
                                        chat_id=item.chat_id)

    async def _claim(self) -> bool:
        """Claim what is due now (as many rows as there is room for) and hand each row to its chat's task;
        True when more may be due and there is room for it. Rows of a chat still being served are not due yet:
        `claim_due` takes none while an older row of the member is claimed, so they come once its task is done."""
        room = CLAIM_BATCH - len(self._claimed)
        if room <= 0 or not self._fence.may_send():
            return False  # a chat finishing its rows wakes the loop again; a renewal opens the fence
        loading = asyncio.ensure_future(asyncio.to_thread(self._load, room))
        try:
            prepared = await asyncio.shield(loading)
        except asyncio.CancelledError:  # stopping: what was claimed meanwhile is released with the rest
            with suppress(Exception):
                self._claimed.update(item.row_id for item in await loading)
            raise
        if prepared and self.on_claimed is not None:
            self.on_claimed()
        for item in prepared:
            if item.row_id in self._claimed:  # still ours (a lease that ran out and was claimed again)
                continue
            self._claimed.add(item.row_id)
            rows = self._chats.get(item.chat_id)
            if rows is None:
                rows = self._chats[item.chat_id] = deque()
                self._workers[item.chat_id] = asyncio.create_task(self._serve_chat(item.chat_id, rows),
                                                                  name=f"outbox-chat-{item.chat_id}")
            rows.append(item)
        # `claim_due` takes at most CHAT_CLAIM rows of a member: a chat that got as many may have more waiting
        taken = Counter(item.chat_id for item in prepared)
        self._more.update(chat_id for chat_id, count in taken.items() if count >= CHAT_CLAIM)
        return len(prepared) == room and len(self._claimed) < CLAIM_BATCH

    async def _serve_chat(self, chat_id: int, rows: deque[Prepared]) -> None:
        """Send one chat's claimed rows in order, one at a time, taking up rows claimed for it meanwhile; ends
        when none is left (the check and the ending are one step, so a row handed over is never stranded)."""
        try:
            # stopping: the rows not taken up stay claimed, to be released; fenced: left to their leases
            while rows and not self._stopping and not self._fence.lost:
                item = rows.popleft()
                try:
                    delivered = await self._deliver(item)
                except asyncio.CancelledError:
                    raise  # cut off (maybe sent, maybe not): the row stays claimed, and is released by `stop`
                except FenceLost:
                    break  # the term is over: this row and the rest stay claimed until their leases run out
                except Exception:  # noqa: BLE001  (its lease runs out as after a crash; the rows behind it wait)
                    log.exception("cannot deliver outbox row %s", item.row_id)
                    delivered = False
                self._claimed.discard(item.row_id)
                if not delivered:
                    await self._hold_back(rows)
        finally:
            del self._chats[chat_id], self._workers[chat_id]
            # claim this member's later rows, and more rows once there is room for a good batch
            if chat_id in self._more or len(self._claimed) <= CLAIM_BATCH // 2:
                self._more.discard(chat_id)
                self._wake.set()

    async def _hold_back(self, rows: deque[Prepared]) -> None:
        """The later rows of a chat wait behind its row to retry: they are released now (`claim_due` takes them
        again once that row is sent)."""
        rest = {item.row_id for item in rows}
        rows.clear()
        self._claimed.difference_update(rest)  # before releasing: they may be claimed again once released
        if rest:
            try:
                await asyncio.to_thread(self._release, rest)
            except Exception:  # noqa: BLE001  (their lease runs out instead)
                log.exception("cannot release outbox rows %s", sorted(rest))

    async def _deliver(self, item: Prepared) -> bool:
        """Send one row; True when it is done (sent or failed for good), False when it will be retried."""
        try:
            # a row no notice type matches (one queued by a newer version, or a bug) raises: logged, its error kept,
            # retried like a row that cannot be worded (a newer leader may deliver it), failed after the last try
            notice = decode(item.kind, item.params)
            action = self.renderer.chat_action(notice)
            if action is not None:
                with suppress(Exception):  # a hint only; the notification itself decides success
                    await self.application.bot.send_chat_action(item.chat_id, action)
                parts = await asyncio.get_running_loop().run_in_executor(RENDER_POOL, self._word, item, notice)
            else:
                parts = await asyncio.to_thread(self._word, item, notice)
        except Exception as exc:  # noqa: BLE001  (retried like a network error; failed for good after the last try)
            log.exception("cannot word outbox row %s", item.row_id)
            await asyncio.to_thread(self._retry, item.row_id, f"render: {exc}")
            return False
        first, sent, message_ids = item.parts_sent, item.parts_sent, []
        try:
            for part in parts[item.parts_sent:]:
                message_ids.append(await self._send_part(item.chat_id, part))
                sent += 1
                if len(parts) > 1 and sent < len(parts):
                    await asyncio.to_thread(self._note_part, item, notice, sent, part, message_ids[-1])
        except RetryAfter as exc:
            retry = exc.retry_after.total_seconds() if isinstance(exc.retry_after, timedelta) else exc.retry_after
            await asyncio.to_thread(self._retry, item.row_id, f"429 retry after {retry}", float(retry), sent)
            return False
        except (Forbidden, BadRequest) as exc:
            await asyncio.to_thread(self._failed, item.row_id, str(exc), sent)
            return True
        except (TimedOut, NetworkError) as exc:
            await asyncio.to_thread(self._retry, item.row_id, str(exc) or type(exc).__name__, None, sent)
            return False
        await asyncio.to_thread(self._sent, item, notice, sent, message_ids, parts[first:sent])
        return True

    async def _send_part(self, chat_id: int, part: Any) -> int:
        """One call (paced for its chat by the bot's rate limiter), begun only while the leader's lease is proven
        (`FenceLost` else, and cut off at the fence's cut-off, a pacing wait included); returns the id of the
        message that now shows the part."""
        async with self._slots, self._fence.bounded():
            with sending_notices():  # replies to members' own actions go first (bot/pacing.py)
                return await self.renderer.send(self.application.bot, chat_id, part)
