"""Acting as Telegram users: the test-side client API.

:class:`FakeUser` methods produce exactly what a Telegram client would: they store the
user's message in the chat history, queue a real ``Update`` (``message`` /
``callback_query`` / ``my_chat_member``) for the bot and return what the user did (the
Message dict or the callback query id).  :class:`FakeGroup` is a group chat handle.
"""

from __future__ import annotations

import asyncio
import copy
import time
from typing import Any

from .entities import utf16_len
from .files import store_document, store_file, store_photo
from .inspection import InspectionMixin
from .state import CallbackQueryRecord, Chat, User
from .text import detect_bot_commands
from .validation import iter_inline_buttons

MessageRef = dict[str, Any] | int


class FakeGroup:
    """A group chat the bot is in; pass it to ``FakeUser.send_text_in`` and friends."""

    def __init__(self, emulator: InspectionMixin, chat: Chat):
        self._emu = emulator
        self.chat = chat

    @property
    def id(self) -> int:
        return self.chat.id

    @property
    def title(self) -> str | None:
        return self.chat.title

    def messages(self) -> list[dict[str, Any]]:
        return self._emu.chat_messages(self.id)

    def __repr__(self) -> str:
        return f"<FakeGroup {self.id} {self.title!r}>"


class FakeUser:
    """A Telegram user driving the bot; obtain via ``emulator.user(user_id, ...)``."""

    def __init__(self, emulator: InspectionMixin, user: User):
        self._emu = emulator
        self.user = user

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def chat_id(self) -> int:
        """Id of the private chat with the bot (equal to the user id)."""
        return self.user.id

    def __repr__(self) -> str:
        return f"<FakeUser {self.id} {self.user.first_name!r}>"

    # -- internals ------------------------------------------------------------------------
    def _chat(self, chat: FakeGroup | Chat | int | None) -> Chat:
        if chat is None:
            target = self._emu.state.chats[self.chat_id]
        elif isinstance(chat, FakeGroup):
            target = chat.chat
        elif isinstance(chat, Chat):
            target = chat
        else:
            target = self._emu.state.chats[chat]
        if target.type == "private":
            if target.id != self.id:
                raise AssertionError(f"user {self.id} cannot write in private chat {target.id}")
            self.user.started = True
            if self.user.blocked_bot:
                self.unblock_bot()  # writing to a blocked bot means pressing "Restart"
        else:
            target.member_ids.add(self.id)
        return target

    def _send(self, chat: Chat, content: dict[str, Any], reply_to: MessageRef | None = None) -> dict[str, Any]:
        if reply_to is not None:
            target = self._lookup(reply_to, chat)
            content["reply_to_message"] = {k: v for k, v in target.items() if k != "reply_to_message"}
        message = self._emu.state.new_message(chat, self.user, content)
        self._emu.state.push_update("message", message)
        return copy.deepcopy(message)

    def _lookup(self, ref: MessageRef, chat: Chat | None = None) -> dict[str, Any]:
        if isinstance(ref, dict):
            chat = self._emu.state.chats[ref["chat"]["id"]]
            message_id = ref["message_id"]
        else:
            chat = chat or self._emu.state.chats[self.chat_id]
            message_id = ref
        message = chat.messages.get(message_id)
        if message is None:
            state = "was deleted" if message_id in chat.deleted else "does not exist"
            raise AssertionError(f"message {message_id} in chat {chat.id} {state}")
        return copy.deepcopy(message)

    # -- sending --------------------------------------------------------------------------
    async def send_text(
        self,
        text: str,
        *,
        chat: FakeGroup | int | None = None,
        reply_to: MessageRef | None = None,
        entities: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """Send a text message; ``/commands`` get ``bot_command`` entities automatically."""
        content: dict[str, Any] = {"text": text}
        found = detect_bot_commands(text) if entities is None else entities
        if found:
            content["entities"] = found
        return self._send(self._chat(chat), content, reply_to)

    async def send_text_in(self, group: FakeGroup, text: str, **kwargs: Any) -> dict[str, Any]:
        """Send a text message in a group chat."""
        return await self.send_text(text, chat=group, **kwargs)

    async def send_command(
        self,
        command: str,
        payload: str | None = None,
        *,
        chat: FakeGroup | int | None = None,
        mention_bot: bool = False,
    ) -> dict[str, Any]:
        """Send ``/command [payload]`` (``mention_bot`` appends ``@bot_username``)."""
        command = command if command.startswith("/") else f"/{command}"
        if mention_bot:
            command = f"{command}@{self._emu.state.bot.username}"
        text = command if payload is None else f"{command} {payload}"
        entities = [{"type": "bot_command", "offset": 0, "length": utf16_len(command)}]
        return await self.send_text(text, chat=chat, entities=entities)

    async def send_command_in(self, group: FakeGroup, command: str, payload: str | None = None) -> dict[str, Any]:
        """Send a command in a group, addressed to the bot (``/cmd@bot``)."""
        return await self.send_command(command, payload, chat=group, mention_bot=True)

    async def send_photo(
        self, data: bytes, caption: str | None = None, *, chat: FakeGroup | int | None = None
    ) -> dict[str, Any]:
        """Send a photo; the bytes are stored so getFile + download return them."""
        content: dict[str, Any] = {"photo": store_photo(self._emu.state, data)}
        if caption:
            content["caption"] = caption
        return self._send(self._chat(chat), content)

    async def send_document(
        self,
        data: bytes,
        file_name: str,
        mime_type: str | None = None,
        *,
        caption: str | None = None,
        chat: FakeGroup | int | None = None,
    ) -> dict[str, Any]:
        """Send a document with file name and MIME type (guessed from the name if omitted)."""
        content: dict[str, Any] = {"document": store_document(self._emu.state, data, file_name, mime_type)}
        if caption:
            content["caption"] = caption
        return self._send(self._chat(chat), content)

    async def send_sticker(self, emoji: str = "👍", *, chat: FakeGroup | int | None = None) -> dict[str, Any]:
        """Send a (static, regular) sticker."""
        stored = store_file(self._emu.state, b"RIFF sticker", "sticker", mime_type="image/webp")
        content: dict[str, Any] = {"sticker": {
            "file_id": stored.file_id, "file_unique_id": stored.file_unique_id, "type": "regular", "width": 512,
            "height": 512, "is_animated": False, "is_video": False, "emoji": emoji, "file_size": len(stored.data)}}
        return self._send(self._chat(chat), content)

    async def send_voice(
        self, data: bytes, duration: int = 3, *, chat: FakeGroup | int | None = None
    ) -> dict[str, Any]:
        """Send a voice note of ``duration`` seconds; the bytes are stored so getFile + download return them."""
        stored = store_file(self._emu.state, data, "voice", mime_type="audio/ogg")
        content: dict[str, Any] = {"voice": {
            "file_id": stored.file_id, "file_unique_id": stored.file_unique_id, "duration": duration,
            "mime_type": "audio/ogg", "file_size": len(data)}}
        return self._send(self._chat(chat), content)

    # -- buttons --------------------------------------------------------------------------
    async def press(self, message: MessageRef, callback_data: str, *, force: bool = False) -> str:
        """Press the inline button with ``callback_data`` on ``message``; returns the query id.

        Fails unless the message currently has such a button (``force=True`` skips that
        check, e.g. to simulate a stale client).
        """
        current = self._lookup(message)
        chat = self._emu.state.chats[current["chat"]["id"]]
        if chat.type == "private" and chat.id != self.id:
            raise AssertionError(f"user {self.id} cannot see messages of private chat {chat.id}")
        data = [b.get("callback_data") for b in iter_inline_buttons(current)]
        if not force and callback_data not in data:
            raise AssertionError(
                f"message {current['message_id']} has no button with callback_data {callback_data!r}; available: {data}"
            )
        state = self._emu.state
        query_id = str(4_000_000_000_000_000 + state.next_sequence())
        state.callback_queries[query_id] = CallbackQueryRecord(
            id=query_id,
            user_id=self.id,
            chat_id=chat.id,
            message_id=current["message_id"],
            data=callback_data,
            created=asyncio.get_running_loop().time(),
        )
        payload = {
            "id": query_id,
            "from": self.user.to_dict(),
            "message": current,
            "chat_instance": str(abs(hash((chat.id, state.bot.id))) % 10**18),
            "data": callback_data,
        }
        state.push_update("callback_query", payload)
        return query_id

    async def press_button(
        self, text: str | None = None, *, data: str | None = None, chat: FakeGroup | int | None = None
    ) -> str:
        """Press the button labelled ``text`` (and/or with ``data``) on the latest bot
        message in the chat that has it; returns the callback query id."""
        if text is None and data is None:
            raise ValueError("give the button text and/or its callback data")
        target = self._chat(chat) if chat is not None else self._emu.state.chats[self.chat_id]
        seen: list[list[str]] = []
        for message in reversed(self._emu.sent_by_bot(target.id)):
            buttons = list(iter_inline_buttons(message))
            seen.append([b.get("text", "") for b in buttons])
            for button in buttons:
                if (text is None or button.get("text") == text) and (
                    data is None or button.get("callback_data") == data
                ):
                    if "callback_data" not in button:
                        raise AssertionError(f"button {button.get('text')!r} is not a callback button: {button}")
                    return await self.press(message, button["callback_data"])
        raise AssertionError(
            f"no bot message in chat {target.id} has a button text={text!r} data={data!r}; "
            f"buttons on bot messages (newest first): {seen}"
        )

    # -- blocking -------------------------------------------------------------------------
    def _membership_update(self, old: str, new: str) -> None:
        bot = self._emu.state.bot.to_dict()
        new_member: dict[str, Any] = {"status": new, "user": bot}
        if new == "kicked":
            new_member["until_date"] = 0
        self._emu.state.push_update(
            "my_chat_member",
            {
                "chat": self._emu.state.chats[self.chat_id].to_dict(),
                "from": self.user.to_dict(),
                "date": int(time.time()),
                "old_chat_member": {"status": old, "user": bot, **({"until_date": 0} if old == "kicked" else {})},
                "new_chat_member": new_member,
            },
        )

    def block_bot(self) -> None:
        """Block the bot: sends to this user fail with 403; a my_chat_member update is queued."""
        if not self.user.blocked_bot:
            self.user.blocked_bot = True
            self._membership_update("member", "kicked")

    def unblock_bot(self) -> None:
        """Unblock (restart) the bot; queues the reverse my_chat_member update."""
        if self.user.blocked_bot:
            self.user.blocked_bot = False
            self._membership_update("kicked", "member")

    # -- reading --------------------------------------------------------------------------
    def last_bot_message(self, chat: FakeGroup | int | None = None) -> dict[str, Any] | None:
        chat_id = chat.id if isinstance(chat, FakeGroup) else chat or self.chat_id
        return self._emu.last_bot_message(chat_id)
