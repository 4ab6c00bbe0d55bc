"""In-memory world of the emulated Bot API.

Holds users, chats and their message histories, the pending update queue, stored files,
open callback queries, bot settings (commands, menu buttons) and the log of every API
call.  Everything is plain data shaped like Bot API JSON; no networking lives here.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

DEFAULT_UPDATE_TYPES_EXCLUDED = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


class Signal:
    """Broadcast wake-up usable from synchronous code: ``notify()`` wakes all waiters."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, timeout: float | None) -> bool:
        """Wait for the next ``notify``; False on timeout."""
        event = self._event
        try:
            async with asyncio.timeout(timeout):
                await event.wait()
        except TimeoutError:
            return False
        return True


@dataclass
class User:
    """A Telegram user (or the bot itself)."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False
    blocked_bot: bool = False
    started: bool = True

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if getattr(self, key):
                data[key] = getattr(self, key)
        return data


@dataclass
class Chat:
    """A chat with its own message id sequence and history."""

    id: int
    type: str
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    member_ids: set[int] = field(default_factory=set)
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    deleted: dict[int, dict[str, Any]] = field(default_factory=dict)
    reply_keyboard: dict[str, Any] | None = None
    menu_button: dict[str, Any] | None = None
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1), repr=False)

    def next_message_id(self) -> int:
        return next(self._ids)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "type": self.type}
        for key in ("title", "username", "first_name", "last_name"):
            if getattr(self, key):
                data[key] = getattr(self, key)
        return data


@dataclass
class StoredFile:
    """Bytes behind a file_id, downloadable under ``file_path``."""

    file_id: str
    file_unique_id: str
    data: bytes
    kind: str
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None

    def describe(self) -> dict[str, Any]:
        """The ``File`` object returned by getFile."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
            "file_path": self.file_path,
        }


@dataclass
class CallbackQueryRecord:
    """A button press waiting for (or having received) answerCallbackQuery."""

    id: str
    user_id: int
    chat_id: int | None
    message_id: int | None
    data: str | None
    created: float
    answer: dict[str, Any] | None = None


class Call:
    """One API request as the emulator saw it.

    Iterates (and unpacks) as ``(method, params, timestamp)``; ``status`` and ``response``
    hold what was answered (status 0 means the connection was dropped or timed out).
    """

    __slots__ = ("method", "params", "timestamp", "status", "response")

    def __init__(self, method: str, params: dict[str, Any], timestamp: float):
        self.method = method
        self.params = params
        self.timestamp = timestamp
        self.status = 0
        self.response: dict[str, Any] | None = None

    def __iter__(self) -> Iterator[Any]:
        return iter((self.method, self.params, self.timestamp))

    @property
    def ok(self) -> bool:
        return bool(self.response and self.response.get("ok"))

    @property
    def result(self) -> Any:
        return self.response.get("result") if self.response else None

    @property
    def error(self) -> str | None:
        if self.response is None:
            return "no response (connection dropped)"
        return None if self.ok else self.response.get("description")

    @property
    def chat_id(self) -> Any:
        return self.params.get("chat_id")

    def __repr__(self) -> str:
        outcome = "ok" if self.ok else f"{self.status} {self.error}"
        shown = {k: v for k, v in self.params.items() if k not in ("reply_markup",)}
        return f"<Call {self.method} {shown!r} -> {outcome}>"


@dataclass
class WebhookConfig:
    """Current setWebhook configuration and delivery status."""

    url: str = ""
    secret_token: str | None = None
    max_connections: int = 40
    allowed_updates: list[str] | None = None
    ip_address: str | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None


def update_type(update: dict[str, Any]) -> str:
    """The update's payload key, e.g. ``message`` or ``callback_query``."""
    return next((key for key in update if key != "update_id"), "")


def update_allowed(update: dict[str, Any], allowed: list[str] | None) -> bool:
    kind = update_type(update)
    if not allowed:
        return kind not in DEFAULT_UPDATE_TYPES_EXCLUDED
    return kind in allowed


class EmulatorState:
    """All mutable emulator data plus change notifications."""

    def __init__(self, bot: User):
        self.bot = bot
        self.users: dict[int, User] = {}
        self.chats: dict[int, Chat] = {}
        self.files: dict[str, StoredFile] = {}
        self.file_paths: dict[str, str] = {}
        self.photo_sets: dict[str, list[dict[str, Any]]] = {}
        self.updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self.poll_allowed_updates: list[str] | None = None
        self.poll_generation = 0
        self.webhook = WebhookConfig()
        self.callback_queries: dict[str, CallbackQueryRecord] = {}
        self.calls: list[Call] = []
        self.bot_messages: list[dict[str, Any]] = []
        # what the bot showed, in order: each new message and each edit of a message's text or caption (a
        # snapshot after the edit); a keyboard closed alone shows nothing new
        self.bot_screens: list[dict[str, Any]] = []
        self.commands: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
        self.bot_texts: dict[tuple[str, str], str] = {}
        self.default_menu_button: dict[str, Any] = {"type": "default"}
        self.listeners: list[Callable[[str, dict[str, Any]], None]] = []
        self.updates_signal = Signal()
        self.activity_signal = Signal()
        self._sequence = itertools.count(1)

    def next_sequence(self) -> int:
        """Monotonic counter for ids (files, callback queries, media groups)."""
        return next(self._sequence)

    # -- events ---------------------------------------------------------------------------
    def emit(self, event: str, **data: Any) -> None:
        """Tell listeners (e.g. a browser sandbox) that something happened."""
        for listener in list(self.listeners):
            listener(event, data)

    # -- chats ----------------------------------------------------------------------------
    def find_chat(self, chat_ref: int | str) -> Chat | None:
        if isinstance(chat_ref, str):
            name = chat_ref.lstrip("@").lower()
            return next((c for c in self.chats.values() if (c.username or "").lower() == name), None)
        return self.chats.get(chat_ref)

    def store_message(self, chat: Chat, message: dict[str, Any]) -> dict[str, Any]:
        chat.messages[message["message_id"]] = message
        if message.get("from", {}).get("id") == self.bot.id:
            self.bot_messages.append(copy.deepcopy(message))
            self.bot_screens.append(copy.deepcopy(message))
            self.emit("bot_message", chat_id=chat.id, message=copy.deepcopy(message))
        self.activity_signal.notify()
        return message

    def new_message(self, chat: Chat, sender: User, content: dict[str, Any]) -> dict[str, Any]:
        message = {
            "message_id": chat.next_message_id(),
            "from": sender.to_dict(),
            "chat": chat.to_dict(),
            "date": int(time.time()),
        }
        message.update(content)
        return self.store_message(chat, message)

    # -- updates --------------------------------------------------------------------------
    def push_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": next(self._update_ids), kind: copy.deepcopy(payload)}
        self.updates.append(update)
        self.emit("update", update=copy.deepcopy(update))
        self.updates_signal.notify()
        return update

    def confirm_updates(self, offset: int) -> None:
        if offset > 0:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        elif offset < 0:
            self.updates = self.updates[offset:]

    def take_updates(self, limit: int, allowed: list[str] | None) -> list[dict[str, Any]]:
        """Pending updates the client asked for; filtered-out ones are dropped for good."""
        self.updates = [u for u in self.updates if update_allowed(u, allowed)]
        return copy.deepcopy(self.updates[:limit])

    def drop_updates(self, update_id: int | None = None) -> None:
        if update_id is None:
            self.updates.clear()
        else:
            self.updates = [u for u in self.updates if u["update_id"] != update_id]

    # -- calls ----------------------------------------------------------------------------
    def record_call(self, call: Call) -> None:
        self.calls.append(call)
        self.emit("call", call=call)
        self.activity_signal.notify()
