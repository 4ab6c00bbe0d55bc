"""PTB's rate limiter, with each private chat's pace shared by every bot process through the database.

Telegram allows about one message a second in a private chat (a short burst of three tolerated) and about 30 a
second for the whole bot. PTB's `AIORateLimiter` keeps the bot's overall rate and retries flood waits, but knows
only its own process: direct replies (sent by whichever process handles the update) and outbox notices (sent by
the leader) reach the same chats, and counted apart they flood them. So before a message goes to a private
chat, `ChatPacer` reserves the chat's next moment in the database (`models/messaging/pace.py: reserve`, one
statement in a worker thread) and sleeps until then; then the overall limit and the retries are PTB's.

What is paced: the methods that put a new message in a private chat (a positive `chat_id`): `SENDING_METHODS`.
An album counts its photos. Edits, deletions, chat actions and answers to button presses are not paced: they
add no message to the chat, Telegram's per-chat limit is about messages, and pacing them would delay the
closing of a pressed keyboard behind the chat's replies; a flood wait on one is still retried. Groups and
channels keep PTB's own per-process limits (the bot serves private chats).

A retry after a flood wait reserves its moment again (Telegram did not count the refused message, and the
retry must not take a moment another sender reserved). When the database cannot be reached the message is
sent unpaced rather than not at all (the overall limit and the retries still hold).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from telegram.ext import AIORateLimiter

from models.messaging.pace import INTERVAL, reserve
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


def paced_chat(endpoint: str, data: dict[str, Any]) -> tuple[int, int] | None:
    """The private chat a call puts messages in and how many (an album's photos); None when it is not paced."""
    if endpoint not in SENDING_METHODS:
        return None
    try:
        chat_id = int(data.get("chat_id"))
    except (TypeError, ValueError):
        return None  # an @username: a channel or a group
    if chat_id <= 0:
        return None  # groups, supergroups and channels have negative ids
    media = data.get("media") if endpoint == "sendMediaGroup" else None
    return chat_id, len(media) if isinstance(media, list | tuple) and media else 1


class ChatPacer(AIORateLimiter):
    """`AIORateLimiter` whose private chats are paced across processes (see the module's docstring)."""

    __slots__ = ("_clock", "_engine")

    def __init__(self, engine: Engine, *, overall_max_rate: float = 29, max_retries: int = 3,
                 clock: Callable[[], float] = time.time) -> None:
        super().__init__(overall_max_rate=overall_max_rate, max_retries=max_retries)
        self._engine = engine
        self._clock = clock  # the wall clock every process shares; `reserve` counts in its seconds

    def _reserve(self, chat_id: int, cost: int) -> float:
        """The moment (wall clock) this message may go: reserved and committed in one short transaction."""
        now = self._clock()
        with session_scope(self._engine) as session:
            return now + reserve(session, chat_id, now, CHAT_INTERVAL, cost=cost)

    async def wait_for_turn(self, chat_id: int, cost: int = 1) -> None:
        """Reserve the chat's next moment and sleep until it comes."""
        try:
            moment = await asyncio.to_thread(self._reserve, chat_id, cost)
        except SQLAlchemyError:
            log.warning("cannot reserve a moment in chat %s; sending unpaced", chat_id, exc_info=True)
            return
        delay = moment - self._clock()  # the reservation itself took a moment: wait only the rest
        if delay > 0:
            await asyncio.sleep(delay)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        paced = paced_chat(endpoint, data)
        if paced is None:
            return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
        chat_id, cost = paced
        await self.wait_for_turn(chat_id, cost)
        attempts = 0

        async def send(*call_args: Any, **call_kwargs: Any) -> Any:
            """Each retry after a flood wait takes a new moment; the first one was taken above."""
            nonlocal attempts
            attempts += 1
            if attempts > 1:
                await self.wait_for_turn(chat_id, cost)
            return await callback(*call_args, **call_kwargs)

        return await super().process_request(send, args, kwargs, endpoint, data, rate_limit_args)
