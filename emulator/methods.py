"""Messaging methods of the emulated Bot API plus the helpers they share.

Implements getMe, getChat, sendMessage, editMessageText, editMessageReplyMarkup,
editMessageCaption, deleteMessage(s), answerCallbackQuery and sendChatAction with the
same validation errors Telegram returns.  Each handler receives the emulator and the
request :class:`~emulator.params.Params`.
"""

from __future__ import annotations

import asyncio
import copy
import time
from typing import Any

from .errors import bad_request, forbidden
from .params import Params
from .registry import api_method
from .state import Chat
from .text import check_caption_length, check_text_length, parse_formatted
from .validation import inline_markup, validate_reply_markup

CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the same "
    "as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"


# -- shared helpers ----------------------------------------------------------------------
def find_chat(api: Any, p: Params) -> Chat:
    """The chat named by ``chat_id`` or 400 ``chat not found``."""
    chat = api.state.find_chat(p.chat_id())
    if chat is None:
        raise bad_request("chat not found")
    return chat


def writable_chat(api: Any, p: Params) -> Chat:
    """Like :func:`find_chat` but also enforces blocks (403) for sending methods."""
    chat = find_chat(api, p)
    if chat.type == "private":
        user = api.state.users.get(chat.id)
        if user is not None and user.blocked_bot:
            raise forbidden("bot was blocked by the user")
        if user is not None and not user.started:
            raise forbidden("bot can't initiate conversation with a user")
    return chat


def find_message(chat: Chat, message_id: int | None, missing: str) -> dict[str, Any]:
    if message_id is None:
        raise bad_request("message identifier is not specified")
    message = chat.messages.get(message_id)
    if message is None:
        raise bad_request(missing)
    return message


def formatted_text(api: Any, p: Params, field: str, entities_field: str) -> tuple[str | None, list]:
    """Parse ``field`` with ``parse_mode``/``entities_field``; (None, []) if absent."""
    text = p.get_str(field)
    if text is None:
        return None, []
    return parse_formatted(text, p.get_str("parse_mode"), p.get_json(entities_field), strict_html=api.strict_html)


def apply_markup(chat: Chat, p: Params, content: dict[str, Any]) -> None:
    """Validate ``reply_markup``; store inline keyboards on the message, others on the chat."""
    markup = validate_reply_markup(p.get_json("reply_markup"))
    if markup is None:
        return
    if "inline_keyboard" in markup:
        content["reply_markup"] = markup
    elif "keyboard" in markup:
        chat.reply_keyboard = markup
    elif markup.get("remove_keyboard"):
        chat.reply_keyboard = None


def apply_reply(chat: Chat, p: Params, content: dict[str, Any]) -> None:
    """Resolve ``reply_parameters`` / ``reply_to_message_id`` into ``reply_to_message``."""
    reply = p.get_json("reply_parameters") or {}
    message_id = reply.get("message_id") if isinstance(reply, dict) else None
    message_id = message_id or p.get_int("reply_to_message_id")
    if not message_id:
        return
    target = chat.messages.get(int(message_id))
    if target is None:
        allow = p.get_bool("allow_sending_without_reply") or reply.get("allow_sending_without_reply")
        if not allow:
            raise bad_request("message to be replied not found")
        return
    snapshot = {k: v for k, v in copy.deepcopy(target).items() if k != "reply_to_message"}
    content["reply_to_message"] = snapshot


def set_or_drop(message: dict[str, Any], key: str, value: Any) -> None:
    if value:
        message[key] = value
    else:
        message.pop(key, None)


def finish_edit(api: Any, chat: Chat, message: dict[str, Any], *, shows_new: bool = False) -> dict[str, Any]:
    """Record an edit; `shows_new`: its text or caption changed (the bot showed something new in the message)."""
    message["edit_date"] = int(time.time())
    if shows_new:
        api.state.bot_screens.append(copy.deepcopy(message))
    api.state.emit("bot_message_edited", chat_id=chat.id, message=copy.deepcopy(message))
    api.state.activity_signal.notify()
    return copy.deepcopy(message)


def editable_message(api: Any, p: Params) -> tuple[Chat, dict[str, Any]]:
    if p.get_str("inline_message_id"):
        raise bad_request("MESSAGE_ID_INVALID (inline messages are not emulated)")
    chat = find_chat(api, p)
    message = find_message(chat, p.get_int("message_id"), "message to edit not found")
    if message.get("from", {}).get("id") != api.state.bot.id:
        raise bad_request("message can't be edited")
    return chat, message


# -- methods -----------------------------------------------------------------------------
@api_method("getMe")
async def get_me(api: Any, p: Params) -> dict[str, Any]:
    me = api.state.bot.to_dict()
    me.update(
        can_join_groups=True,
        can_read_all_group_messages=False,
        supports_inline_queries=False,
        can_connect_to_business=False,
        has_main_web_app=False,
    )
    return me


@api_method("getChat")
async def get_chat(api: Any, p: Params) -> dict[str, Any]:
    chat = find_chat(api, p)
    info = chat.to_dict()
    info.update(
        accent_color_id=0,
        max_reaction_count=11,
        accepted_gift_types={
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
        },
    )
    return info


@api_method("sendMessage")
async def send_message(api: Any, p: Params) -> dict[str, Any]:
    chat = writable_chat(api, p)
    text, entities = formatted_text(api, p, "text", "entities")
    if text is None:
        raise bad_request("message text is empty")
    check_text_length(text)
    content: dict[str, Any] = {"text": text}
    if entities:
        content["entities"] = entities
    apply_reply(chat, p, content)
    apply_markup(chat, p, content)
    return copy.deepcopy(api.state.new_message(chat, api.state.bot, content))


@api_method("editMessageText")
async def edit_message_text(api: Any, p: Params) -> dict[str, Any]:
    chat, message = editable_message(api, p)
    text, entities = formatted_text(api, p, "text", "entities")
    if text is None:
        raise bad_request("message text is empty")
    if "text" not in message:
        raise bad_request("there is no text in the message to edit")
    check_text_length(text)
    markup = inline_markup(validate_reply_markup(p.get_json("reply_markup")))
    current = (message["text"], message.get("entities", []), message.get("reply_markup"))
    if current == (text, entities, markup):
        raise bad_request(NOT_MODIFIED)
    shows_new = (message["text"], message.get("entities", [])) != (text, entities)
    message["text"] = text
    set_or_drop(message, "entities", entities)
    set_or_drop(message, "reply_markup", markup)
    return finish_edit(api, chat, message, shows_new=shows_new)


@api_method("editMessageCaption")
async def edit_message_caption(api: Any, p: Params) -> dict[str, Any]:
    chat, message = editable_message(api, p)
    if "text" in message:
        raise bad_request("there is no caption in the message to edit")
    caption, entities = formatted_text(api, p, "caption", "caption_entities")
    check_caption_length(caption)
    markup = inline_markup(validate_reply_markup(p.get_json("reply_markup")))
    current = (message.get("caption"), message.get("caption_entities", []), message.get("reply_markup"))
    if current == (caption or None, entities, markup):
        raise bad_request(NOT_MODIFIED)
    shows_new = (message.get("caption"), message.get("caption_entities", [])) != (caption or None, entities)
    set_or_drop(message, "caption", caption)
    set_or_drop(message, "caption_entities", entities)
    set_or_drop(message, "reply_markup", markup)
    return finish_edit(api, chat, message, shows_new=shows_new)


@api_method("editMessageReplyMarkup")
async def edit_message_reply_markup(api: Any, p: Params) -> dict[str, Any]:
    chat, message = editable_message(api, p)
    markup = inline_markup(validate_reply_markup(p.get_json("reply_markup")))
    if message.get("reply_markup") == markup:
        raise bad_request(NOT_MODIFIED)
    set_or_drop(message, "reply_markup", markup)
    return finish_edit(api, chat, message)


def _delete(api: Any, chat: Chat, message_id: int) -> None:
    message = find_message(chat, message_id, "message to delete not found")
    is_own = message.get("from", {}).get("id") == api.state.bot.id
    if not is_own and chat.type != "private":
        raise bad_request("message can't be deleted")
    chat.deleted[message_id] = chat.messages.pop(message_id)
    api.state.emit("message_deleted", chat_id=chat.id, message_id=message_id)
    api.state.activity_signal.notify()


@api_method("deleteMessage")
async def delete_message(api: Any, p: Params) -> bool:
    chat = find_chat(api, p)
    _delete(api, chat, p.get_int("message_id"))
    return True


@api_method("deleteMessages")
async def delete_messages(api: Any, p: Params) -> bool:
    chat = find_chat(api, p)
    ids = p.get_json("message_ids") or []
    if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
        raise bad_request("message_ids must be a list of 1-100 identifiers")
    for message_id in ids:
        if int(message_id) in chat.messages:
            _delete(api, chat, int(message_id))
    return True


@api_method("answerCallbackQuery")
async def answer_callback_query(api: Any, p: Params) -> bool:
    query_id = p.get_str("callback_query_id") or ""
    record = api.state.callback_queries.get(query_id)
    now = asyncio.get_running_loop().time()
    if record is None or record.answer is not None or now - record.created > api.callback_query_ttl:
        raise bad_request(QUERY_TOO_OLD)
    text = p.get_str("text")
    if text is not None and len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    record.answer = {
        "text": text,
        "show_alert": p.get_bool("show_alert"),
        "url": p.get_str("url"),
        "cache_time": p.get_int("cache_time", 0),
    }
    api.state.emit("callback_answered", query_id=query_id, answer=dict(record.answer))
    return True


@api_method("sendChatAction")
async def send_chat_action(api: Any, p: Params) -> bool:
    chat = writable_chat(api, p)
    action = p.get_str("action")
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    api.state.emit("chat_action", chat_id=chat.id, action=action)
    return True
