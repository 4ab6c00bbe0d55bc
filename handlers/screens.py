"""A screen is what the bot shows next: HTML text and buttons, built from the database in a worker thread and
sent on the event loop. Keeping them plain data keeps database work and Telegram calls apart.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass, field

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from handlers.render import split_blocks
from i18n import t

Buttons = list[list[tuple[str, str]]]  # rows of (label, callback data)


@dataclass
class Screen:
    blocks: list[str]
    buttons: Buttons = field(default_factory=list)
    edit_message_id: int | None = None  # an outbox notification that edits this earlier message in place
    replaces_message_id: int | None = None  # or deletes it and is sent anew (a fresh ping, still one message)
    edit_only: bool = False  # when the message to edit is gone, send nothing (a "done" note is no news)

    @classmethod
    def of(cls, text: str, buttons: Buttons | None = None, **placement: int | None) -> Screen:
        return cls([text], buttons or [], **placement)


def markup(buttons: Buttons) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data) for label, data in row]
                                 for row in buttons if row])


MAX_FREE_TEXT = 1000  # characters of a kendala, tindak lanjut, reason or arahan


def free_text_problem(text: str, language: str) -> list[Screen] | None:
    """Screens that ask again when a typed kendala/arahan is empty or too long; None when it is fine."""
    if not text.strip():
        return [Screen.of(t("common.empty_text", language))]
    if len(text) > MAX_FREE_TEXT:
        return [Screen.of(t("fill.too_long", language, limit=MAX_FREE_TEXT))]
    return None


async def send_screens(context: ContextTypes.DEFAULT_TYPE, chat_id: int, screens: list[Screen]) -> list[Message]:
    """Send each screen, split into messages of at most 4096 characters; buttons go under the last part."""
    sent = []
    for screen in screens:
        parts = split_blocks(screen.blocks)
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            sent.append(await context.bot.send_message(
                chat_id, part, parse_mode=ParseMode.HTML, disable_web_page_preview=True,
                reply_markup=markup(screen.buttons) if last else None,
            ))
    return sent


async def reply_screens(update: Update, context: ContextTypes.DEFAULT_TYPE, screens: list[Screen]) -> None:
    await send_screens(context, update.effective_chat.id, screens)


async def close_buttons(update: Update) -> None:
    """Remove the buttons of the message whose button was pressed, so it cannot be pressed again."""
    message = update.callback_query.message if update.callback_query else None
    if message is not None and getattr(message, "reply_markup", None):
        with suppress(BadRequest):  # already edited or too old to edit: nothing to undo
            await message.edit_reply_markup(None)
