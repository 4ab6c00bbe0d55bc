"""PTB's rate limiter, with each private chat's pace and the whole bot's budget shared by every bot process
through the database.

Telegram allows about one message a second in a private chat (a short burst of three tolerated) and about 30 a
second for the whole bot. PTB's `AIORateLimiter` keeps the bot's overall rate and retries flood waits, but knows
only its own process: direct replies (sent by whichever process handles the update) and outbox notices (sent by
the leader) reach the same chats, and counted apart they flood them; likewise each process kept its own 29
messages a second, and two processes together sent twice Telegram's overall budget. So before a message goes
to a private chat, `ChatPacer` reserves the chat's next moment in the database (`models/messaging/pace.py:
reserve`) and sleeps until then, then takes the bot's next moment likewise (the row `BOT`; in the same short
transaction when the chat's moment is now); the retries are PTB's.

Replies take precedence over notices: a reply (anything sent while handling a member's update) reserves the
bot's moment whatever is queued, while a notice of the outbox (sent under `sending_notices`) takes one only when
the budget has room beyond what is kept for replies, and otherwise asks again when it may have. So a fan-out of
a thousand reminders leaves the members' answers their pace.

What is paced: the methods that put a new message in a private chat (a positive `chat_id`): `SENDING_METHODS`.
An album counts its photos. Edits, deletions, chat actions and answers to button presses are not paced: they
add no message to the chat, Telegram's per-chat limit is about messages, and pacing them would delay the
closing of a pressed keyboard behind the chat's replies; a flood wait on one is still retried. Groups and
channels keep PTB's own per-process limits (the bot serves private chats).

A retry after a flood wait reserves its moment again (Telegram did not count the refused message, and the
retry must not take a moment another sender reserved). When the database cannot be reached the message is
sent unpaced in its chat rather than not at all, within this process's own 29 a second.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from aiolimiter import AsyncLimiter
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from telegram.ext import AIORateLimiter

from models.messaging.pace import BOT, BOT_INTERVAL, INTERVAL, NOTICE_BURST, REPLY_BURST, reserve, take_if_free
from models.store.database import session_scope

log = logging.getLogger(__name__)
# Telegram's one message a second in a chat, with a margin: a message reaches Telegram a few milliseconds after
# its moment, some later than others, and at exactly one second a message after a late one meets a 429 (measured
# on the emulator: one flood wait in 24 messages at 1.0 s, which stalls the whole process for a second)
CHAT_INTERVAL = INTERVAL * 1.05

SENDING_METHODS = frozenset({
    "sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup", "sendVideo", "sendAudio", "sendVoice",
    "sendAnimation", "sendSticker", "sendLocation", "sendVenue", "sendContact", "sendPoll", "sendDice",
    "sendVideoNote", "sendPaidMedia", "sendInvoice", "sendGame", "copyMessage", "copyMessages",
    "forwardMessage", "forwardMessages",
})


_NOTICES = ContextVar("sending_notices", default=False)


@contextmanager
def sending_notices() -> Iterator[None]:
    """What is sent inside is a notice of the outbox: it yields the bot's budget to replies."""
    token = _NOTICES.set(True)
    try:
        yield
    finally:
        _NOTICES.reset(token)


def paced_chat(endpoint: str, data: dict[str, Any]) -> tuple[int, int] | None:
    """The private chat a call puts messages in and how many (an album's photos); None when it is not paced."""
    sent = messages_sent(endpoint, data)
    if sent is None:
        return None
    try:
        chat_id = int(data.get("chat_id"))
    except (TypeError, ValueError):
        return None  # an @username: a channel or a group
    if chat_id <= 0:
        return None  # groups, supergroups and channels have negative ids
    return chat_id, sent


def messages_sent(endpoint: str, data: dict[str, Any]) -> int | None:
    """How many messages a call adds to its chat (an album's photos); None when it adds none."""
    if endpoint not in SENDING_METHODS:
        return None
    media = data.get("media") if endpoint == "sendMediaGroup" else None
    return len(media) if isinstance(media, list | tuple) and media else 1


def bot_turn(session: Any, now: float, cost: int, *, notice: bool) -> float:
    """Seconds until a message may go by the bot's budget: a reply's moment is reserved; a notice's is taken only
    when free (0), else nothing is taken and it asks again after the seconds returned."""
    if notice:
        return take_if_free(session, BOT, now, BOT_INTERVAL, NOTICE_BURST, cost)
    return reserve(session, BOT, now, BOT_INTERVAL, REPLY_BURST, cost)


class ChatPacer(AIORateLimiter):
    """`AIORateLimiter` whose private chats and overall budget are paced across processes (see the module's
    docstring)."""

    __slots__ = ("_clock", "_engine", "_local", "_notice_turns")

    def __init__(self, engine: Engine, *, overall_max_rate: float = 29, max_retries: int = 3,
                 clock: Callable[[], float] = time.time) -> None:
        super().__init__(overall_max_rate=overall_max_rate, max_retries=max_retries)
        self._engine = engine
        self._clock = clock  # the wall clock every process shares; `reserve` counts in its seconds
        self._local = AsyncLimiter(overall_max_rate, 1)  # this process's budget, when the database is out of reach
        # notices ask for the bot's budget one at a time: a fan-out waiting for room polls once, not once a notice
        self._notice_turns = asyncio.Lock()

    def _bot_turn(self, session: Any, now: float, cost: int, notice: bool) -> float:
        """Seconds until the message may go by the bot's budget: a reply's moment is reserved; a notice's is
        taken only when free (0), else nothing is taken and it asks again after the seconds returned."""
        if notice:
            return take_if_free(session, BOT, now, BOT_INTERVAL, NOTICE_BURST, cost)
        return reserve(session, BOT, now, BOT_INTERVAL, REPLY_BURST, cost)

    def _chat_turn(self, chat_id: int | None, cost: int) -> float:
        """The chat's moment (wall clock; now for a group's message, paced by PTB), reserved."""
        now = self._clock()
        if chat_id is None:
            return now
        with session_scope(self._engine) as session:
            return now + reserve(session, chat_id, now, CHAT_INTERVAL, cost=cost)

    def _reply_turns(self, chat_id: int | None, cost: int) -> tuple[float, float | None]:
        """A reply's moment in its chat (wall clock), and the seconds until its moment of the bot's budget when the
        chat's is now (reserved in the same transaction; None: reserve it when the chat's moment comes)."""
        now = self._clock()
        with session_scope(self._engine) as session:
            chat_wait = reserve(session, chat_id, now, CHAT_INTERVAL, cost=cost) if chat_id is not None else 0.0
            if chat_wait > 0:
                return now + chat_wait, None
            return now, bot_turn(session, now, cost, notice=False)

    def _bot_turn(self, cost: int, *, notice: bool) -> float:
        now = self._clock()
        with session_scope(self._engine) as session:
            return bot_turn(session, now, cost, notice=notice)

    async def _until(self, moment: float) -> None:
        delay = moment - self._clock()  # the reservation itself took a moment: wait only the rest
        if delay > 0:
            await asyncio.sleep(delay)

    async def _take_reply_turns(self, chat_id: int | None, cost: int) -> None:
        moment, bot_wait = await asyncio.to_thread(self._reply_turns, chat_id, cost)
        if bot_wait is None:
            await self._until(moment)
            bot_wait = await asyncio.to_thread(self._bot_turn, cost, notice=False)
        if bot_wait > 0:
            await asyncio.sleep(bot_wait)

    async def _take_notice_turns(self, chat_id: int | None, cost: int) -> None:
        """The chat's moment, then the bot's, taken when the budget has room beyond the replies' share: notices
        ask one at a time (a fan-out waiting for room asks once, not once a notice), after their chat's moment."""
        await self._until(await asyncio.to_thread(self._chat_turn, chat_id, cost))
        async with self._notice_turns:
            while (wait := await asyncio.to_thread(self._bot_turn, cost, notice=True)) > 0:
                await asyncio.sleep(wait)

    async def wait_for_turn(self, chat_id: int | None, cost: int = 1) -> None:
        """Reserve the chat's next moment (None: a group's, paced by PTB) and the bot's, and sleep until both
        come."""
        try:
            if _NOTICES.get():
                await self._take_notice_turns(chat_id, cost)
            else:
                await self._take_reply_turns(chat_id, cost)
        except SQLAlchemyError:
            log.warning("cannot reserve a moment for chat %s; sending unpaced", chat_id, exc_info=True)
            async with self._local:
                return

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        cost = messages_sent(endpoint, data)
        if cost is None:  # edits, chat actions, answers to presses: PTB's own limits of this process
            return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
        paced = paced_chat(endpoint, data)
        chat_id = paced[0] if paced else None
        await self.wait_for_turn(chat_id, cost)
        attempts = 0

        async def send(*call_args: Any, **call_kwargs: Any) -> Any:
            """Each retry after a flood wait takes new moments; the first ones were taken above."""
            nonlocal attempts
            attempts += 1
            if attempts > 1:
                await self.wait_for_turn(chat_id, cost)
            return await callback(*call_args, **call_kwargs)

        # a private chat's send has its moments: PTB's per-process overall limit is not applied again (it sees
        # no chat); a group's keeps PTB's group limit
        seen = data if paced is None else {key: value for key, value in data.items() if key != "chat_id"}
        return await super().process_request(send, args, kwargs, endpoint, seen, rate_limit_args)
