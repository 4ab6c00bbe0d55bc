"""Validation of reply markups the way Telegram's server checks them.

Inline keyboards must be an array of arrays of buttons; every button needs a non-empty
``text`` and exactly one action field; ``callback_data`` must be 1-64 bytes of UTF-8.
"""

from __future__ import annotations

from typing import Any

from .errors import bad_request

INLINE_ACTIONS = (
    "callback_data",
    "url",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
MAX_CALLBACK_DATA_BYTES = 64
MAX_BUTTONS = 100
_URL_PREFIXES = ("http://", "https://", "tg://")


def _button_error(detail: str) -> Exception:
    return bad_request(f"can't parse inline keyboard button: {detail}")


def _validate_inline_button(button: Any) -> None:
    if not isinstance(button, dict):
        raise _button_error("InlineKeyboardButton must be an Object")
    text = button.get("text")
    if not isinstance(text, str):
        raise _button_error('Field "text" must be of type String')
    if not text.strip():
        raise bad_request("BUTTON_TEXT_EMPTY")
    actions = [name for name in INLINE_ACTIONS if name in button]
    if not actions:
        raise _button_error("Text buttons are unallowed in the inline keyboard")
    if len(actions) > 1:
        raise _button_error(f"exactly one of the optional fields must be used, got {actions}")
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str):
            raise _button_error('Field "callback_data" must be of type String')
        if not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button:
        url = button["url"]
        if not isinstance(url, str) or not url.startswith(_URL_PREFIXES) or len(url) < 8:
            raise bad_request("BUTTON_URL_INVALID")


def _validate_rows(markup: dict[str, Any], key: str, type_name: str) -> list[list[Any]]:
    rows = markup.get(key)
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(f'field "{key}" of the {type_name} must be an Array of Arrays')
    if sum(len(row) for row in rows) > MAX_BUTTONS:
        raise bad_request("REPLY_MARKUP_TOO_LONG")
    return rows


def validate_reply_markup(markup: Any) -> dict[str, Any] | None:
    """Validate a decoded ``reply_markup``; return it (or None) or raise ApiError."""
    if markup is None or markup == "":
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        for row in _validate_rows(markup, "inline_keyboard", "InlineKeyboardMarkup"):
            for button in row:
                _validate_inline_button(button)
        return markup
    if "keyboard" in markup:
        for row in _validate_rows(markup, "keyboard", "ReplyKeyboardMarkup"):
            for button in row:
                text = button if isinstance(button, str) else button.get("text") if isinstance(button, dict) else None
                if not isinstance(text, str) or not text.strip():
                    raise bad_request('can\'t parse keyboard button: Field "text" must be of type String')
        return markup
    if markup.get("remove_keyboard") is True or markup.get("force_reply") is True:
        return markup
    raise bad_request('can\'t find field "inline_keyboard"')


def inline_markup(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    """The part of a markup that is stored on the message (only inline keyboards are)."""
    if markup and "inline_keyboard" in markup:
        return markup
    return None


def iter_inline_buttons(message: dict[str, Any]):
    """Yield every inline button dict of a stored message."""
    markup = message.get("reply_markup") or {}
    for row in markup.get("inline_keyboard", []):
        yield from row
