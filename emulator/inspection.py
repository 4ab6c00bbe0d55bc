"""Test-side inspection of the emulator: call log queries, chat histories and waiting.

The waiting helpers never sleep blindly: they wake on every recorded call / bot message
and raise ``AssertionError`` with a dump of recent calls when the timeout expires.
Each helper keeps a cursor, so repeated waits return successive *new* items; ``mark()``
moves all cursors to "now" and returns a :class:`Marker` usable as ``since=``.
"""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import Callable
from typing import Any, NamedTuple

from .bot_settings import resolve_commands
from .state import Call, EmulatorState

MessagePredicate = Callable[[dict[str, Any]], bool] | str | None
CallPredicate = Callable[[Call], bool] | None

# how long a wait lasts by default: generous, since a passing wait returns at once and a 2-core machine running
# three test workers beside real bot processes is slow now and then; only a failing wait takes this long
WAIT_SECONDS = 15.0


class Marker(NamedTuple):
    """A point in the call log and in the stream of bot messages."""

    calls: int
    bot_messages: int
    bot_screens: int = 0


def _message_matches(message: dict[str, Any], predicate: MessagePredicate) -> bool:
    if predicate is None:
        return True
    if isinstance(predicate, str):
        return predicate in (message.get("text") or message.get("caption") or "")
    return bool(predicate(message))


def _describe(predicate: Any) -> str:
    if predicate is None:
        return "any"
    if isinstance(predicate, str):
        return f"containing {predicate!r}"
    return getattr(predicate, "__name__", repr(predicate))


class InspectionMixin:
    """Query and wait helpers mixed into :class:`~emulator.server.BotApiEmulator`."""

    state: EmulatorState

    def _init_inspection(self) -> None:
        self._base = Marker(0, 0)
        self._call_cursors: dict[str, int] = {}
        self._message_cursors: dict[Any, int] = {}
        self._screen_cursors: dict[Any, int] = {}

    # -- call log -------------------------------------------------------------------------
    @property
    def calls(self) -> list[Call]:
        """Every API call received, oldest first (``method, params, timestamp = call``)."""
        return self.state.calls

    def calls_to(
        self, method: str, *, chat_id: int | str | None = None, ok: bool | None = None, since: Marker | None = None
    ) -> list[Call]:
        """Calls of ``method`` (case-insensitive), optionally by chat / success / since a mark."""
        start = since.calls if since else 0
        return [
            call
            for call in self.state.calls[start:]
            if call.method.lower() == method.lower()
            and (chat_id is None or str(call.params.get("chat_id")) == str(chat_id))
            and (ok is None or call.ok == ok)
        ]

    # -- chats and files ------------------------------------------------------------------
    def chat_messages(self, chat_id: int, *, include_deleted: bool = False) -> list[dict[str, Any]]:
        """All messages of a chat as they currently look (after edits), by message_id."""
        chat = self.state.chats.get(chat_id)
        if chat is None:
            raise AssertionError(f"unknown chat {chat_id}; known: {sorted(self.state.chats)}")
        messages = dict(chat.messages)
        if include_deleted:
            messages.update(chat.deleted)
        return [copy.deepcopy(messages[key]) for key in sorted(messages)]

    def sent_by_bot(self, chat_id: int) -> list[dict[str, Any]]:
        """Current (edited, not deleted) messages the bot sent to ``chat_id``."""
        return [m for m in self.chat_messages(chat_id) if m.get("from", {}).get("id") == self.state.bot.id]

    def last_bot_message(self, chat_id: int) -> dict[str, Any] | None:
        messages = self.sent_by_bot(chat_id)
        return messages[-1] if messages else None

    def file_bytes(self, file_id: str) -> bytes:
        """Bytes of any stored file (uploaded by the bot or sent by a fake user)."""
        stored = self.state.files.get(file_id)
        if stored is None:
            raise KeyError(f"unknown file_id {file_id!r}")
        return stored.data

    def callback_answer(self, query_id: str) -> dict[str, Any] | None:
        """The bot's answerCallbackQuery payload for ``query_id`` (None if unanswered)."""
        record = self.state.callback_queries.get(query_id)
        return None if record is None else record.answer

    def commands_for(
        self, chat_id: int, user_id: int | None = None, language_code: str = "", *, is_admin: bool = False
    ) -> list[dict[str, str]]:
        """Command list a user would see in a chat, per Telegram's scope precedence."""
        return resolve_commands(self.state, chat_id, user_id, language_code, is_admin=is_admin)

    # -- waiting --------------------------------------------------------------------------
    def mark(self) -> Marker:
        """Forget everything seen so far: later waits only return newer calls/messages."""
        self._base = Marker(len(self.state.calls), len(self.state.bot_messages), len(self.state.bot_screens))
        self._call_cursors.clear()
        self._message_cursors.clear()
        self._screen_cursors.clear()
        return self._base

    async def _wait_until(self, find: Callable[[], Any], timeout: float) -> Any:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            found = find()
            if found is not None:
                return found
            remaining = deadline - loop.time()
            if remaining <= 0:
                return None
            await self.state.activity_signal.wait(remaining)

    async def wait_for_bot_message(
        self,
        chat_id: int | None = None,
        predicate: MessagePredicate = None,
        timeout: float = WAIT_SECONDS,
        *,
        since: Marker | None = None,
    ) -> dict[str, Any]:
        """First new message the bot sent (to ``chat_id``, or any chat) matching ``predicate``.

        ``predicate`` is a callable on the message dict or a substring of its text/caption.
        The returned dict is a snapshot taken when the message was sent.
        """
        key = chat_id
        start = since.bot_messages if since else self._message_cursors.get(key, self._base.bot_messages)

        def find() -> dict[str, Any] | None:
            log = self.state.bot_messages
            for index in range(start, len(log)):
                message = log[index]
                if (chat_id is None or message["chat"]["id"] == chat_id) and _message_matches(message, predicate):
                    self._message_cursors[key] = index + 1
                    return copy.deepcopy(message)
            return None

        message = await self._wait_until(find, timeout)
        if message is None:
            where = f"chat {chat_id}" if chat_id is not None else "any chat"
            raise AssertionError(
                f"No new bot message in {where} matching {_describe(predicate)} within {timeout}s.\n"
                + self.dump_recent()
            )
        return message

    def screens_shown(self) -> int:
        """A point in the stream of what the bot showed, for `wait_for_bot_screen(since=...)`."""
        return len(self.state.bot_screens)

    async def wait_for_bot_screen(
        self,
        chat_id: int,
        predicate: MessagePredicate = None,
        timeout: float = WAIT_SECONDS,
        *,
        since: int | None = None,
    ) -> dict[str, Any]:
        """First message the bot showed in ``chat_id`` after ``since`` (a `screens_shown`; else after the last
        one this waited for in the chat) matching ``predicate``: a new message, or one whose text or caption it
        edited (a card turned into the next screen). A snapshot as shown."""
        start = since if since is not None else self._screen_cursors.get(chat_id, self._base.bot_screens)

        def find() -> dict[str, Any] | None:
            log = self.state.bot_screens
            for index in range(start, len(log)):
                message = log[index]
                if message["chat"]["id"] == chat_id and _message_matches(message, predicate):
                    self._screen_cursors[chat_id] = index + 1
                    return copy.deepcopy(message)
            return None

        message = await self._wait_until(find, timeout)
        if message is None:
            raise AssertionError(f"Nothing new shown in chat {chat_id} matching {_describe(predicate)} within "
                                 f"{timeout}s.\n" + self.dump_recent())
        return message

    async def wait_for_call(
        self, method: str, predicate: CallPredicate = None, timeout: float = WAIT_SECONDS, *,
        since: Marker | None = None,
    ) -> Call:
        """First new completed call of ``method`` for which ``predicate(call)`` is true."""
        key = method.lower()
        start = since.calls if since else self._call_cursors.get(key, self._base.calls)

        def find() -> Call | None:
            calls = self.state.calls
            for index in range(start, len(calls)):
                call = calls[index]
                if call.method.lower() == key and (predicate is None or predicate(call)):
                    self._call_cursors[key] = index + 1
                    return call
            return None

        call = await self._wait_until(find, timeout)
        if call is None:
            raise AssertionError(
                f"No new {method} call matching {_describe(predicate)} within {timeout}s.\n" + self.dump_recent()
            )
        return call

    def dump_recent(self, limit: int = 15) -> str:
        """Human-readable summary of recent non-polling calls and pending updates."""
        recent = [c for c in self.state.calls if c.method != "getUpdates"][-limit:]
        lines = [f"Recent calls ({len(recent)} shown, getUpdates omitted):"]
        for call in recent:
            params = json.dumps(call.params, ensure_ascii=False, default=str)
            if len(params) > 300:
                params = params[:300] + "..."
            outcome = "ok" if call.ok else f"ERROR {call.status}: {call.error}"
            lines.append(f"  {call.method} {params} -> {outcome}")
        polls = sum(1 for c in self.state.calls if c.method == "getUpdates")
        lines.append(
            f"Pending updates: {len(self.state.updates)}; getUpdates calls: {polls}; "
            f"webhook: {self.state.webhook.url or 'none'}"
        )
        return "\n".join(lines)
