"""Live updates for the sandbox page: emulator events → Server-Sent Events.

The emulator tells its listeners (``state.emit``) about every bot message, edit,
deletion, callback answer, chat action, queued update and API call.  :class:`PageEvents`
is such a listener: it keeps what concerns the chats of the sandbox's people, words it as
small JSON events the page understands and fans them out to every open event stream.

Page events (the ``data:`` of each SSE message, one JSON object with a ``type``)::

    {"type": "ready"}                                          first, once subscribed
    {"type": "message", "chat_id", "message", "reply_keyboard"} new message, bot's or person's
    {"type": "edited", "chat_id", "message"}                   a bot message as it is now
    {"type": "deleted", "chat_id", "message_id"}
    {"type": "callback_answer", "chat_id", "message_id", "query_id", "text", "show_alert", "url"}
    {"type": "chat_action", "chat_id", "action"}               "typing", "upload_photo", ...
    {"type": "commands", "chat_id", "commands"}                the command menu changed

An event carries the full current state of what it is about, so a page that applies
events twice or after a snapshot ends up right.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from typing import Any

from aiohttp import web

from .state import EmulatorState

KEEPALIVE_SECONDS = 15.0
MAX_QUEUED_EVENTS = 2000  # a page this far behind is dropped; it reconnects and reloads
COMMAND_METHODS = frozenset({"setMyCommands", "deleteMyCommands"})
_CLOSED = None


def encode_event(payload: dict[str, Any]) -> bytes:
    """One SSE message; JSON escapes newlines, so the data is always one line."""
    return b"data: " + json.dumps(payload, ensure_ascii=False).encode() + b"\n\n"


class PageEvents:
    """Emulator listener translating events for the page and streaming them over SSE.

    ``people`` is asked on every event (the sandbox may change its people), ``commands``
    gives a chat's command menu as the person sees it.
    """

    def __init__(
        self,
        state: EmulatorState,
        people: Callable[[], set[int]],
        commands: Callable[[int], list[dict[str, str]]],
    ):
        self._state = state
        self._people = people
        self._commands = commands
        self._streams: set[asyncio.Queue[bytes | None]] = set()

    # -- emulator side ----------------------------------------------------------------------
    def __call__(self, event: str, data: dict[str, Any]) -> None:
        for payload in self.translate(event, data):
            self.publish(payload)

    def translate(self, event: str, data: dict[str, Any]) -> list[dict[str, Any]]:
        """The page events for one emulator event (none for chats outside the sandbox)."""
        people = self._people()
        if event == "call":
            call = data["call"]
            if call.method in COMMAND_METHODS and call.ok:
                return [{"type": "commands", "chat_id": pid, "commands": self._commands(pid)} for pid in sorted(people)]
            return []
        if event == "update":
            message = data["update"].get("message")
            if message is None or message["chat"]["id"] not in people:
                return []
            return [self._message_event(message["chat"]["id"], message)]
        if event == "callback_answered":
            record = self._state.callback_queries.get(data["query_id"])
            if record is None or record.chat_id not in people:
                return []
            answer = data["answer"]
            return [
                {
                    "type": "callback_answer",
                    "chat_id": record.chat_id,
                    "message_id": record.message_id,
                    "query_id": record.id,
                    "text": answer.get("text"),
                    "show_alert": bool(answer.get("show_alert")),
                    "url": answer.get("url"),
                }
            ]
        chat_id = data.get("chat_id")
        if chat_id not in people:
            return []
        if event == "bot_message":
            return [self._message_event(chat_id, data["message"])]
        if event == "bot_message_edited":
            return [{"type": "edited", "chat_id": chat_id, "message": data["message"]}]
        if event == "message_deleted":
            return [{"type": "deleted", "chat_id": chat_id, "message_id": data["message_id"]}]
        if event == "chat_action":
            return [{"type": "chat_action", "chat_id": chat_id, "action": data["action"]}]
        return []

    def _message_event(self, chat_id: int, message: dict[str, Any]) -> dict[str, Any]:
        chat = self._state.chats.get(chat_id)
        keyboard = chat.reply_keyboard if chat is not None else None
        return {"type": "message", "chat_id": chat_id, "message": message, "reply_keyboard": keyboard}

    def publish(self, payload: dict[str, Any]) -> None:
        """Queue ``payload`` for every open stream; a stream that fell far behind is closed."""
        encoded = encode_event(payload)
        for queue in list(self._streams):
            try:
                queue.put_nowait(encoded)
            except asyncio.QueueFull:
                while not queue.empty():
                    queue.get_nowait()
                queue.put_nowait(_CLOSED)

    def close(self) -> None:
        """End every open stream (the emulator is stopping)."""
        for queue in list(self._streams):
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(_CLOSED)

    # -- page side --------------------------------------------------------------------------
    async def stream(self, request: web.Request) -> web.StreamResponse:
        """``GET /sandbox/api/events``: the event stream of one page."""
        response = web.StreamResponse(headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
        response.content_type = "text/event-stream"
        response.charset = "utf-8"
        await response.prepare(request)
        queue: asyncio.Queue[bytes | None] = asyncio.Queue(MAX_QUEUED_EVENTS)
        self._streams.add(queue)
        try:
            await response.write(b"retry: 1000\n\n" + encode_event({"type": "ready"}))
            while True:
                try:
                    item = await asyncio.wait_for(queue.get(), KEEPALIVE_SECONDS)
                except TimeoutError:
                    item = b": keepalive\n\n"
                if item is _CLOSED:
                    break
                await response.write(item)
        except ConnectionError:
            pass  # the page went away
        finally:
            self._streams.discard(queue)
        return response
