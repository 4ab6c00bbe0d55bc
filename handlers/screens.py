"""A screen is what the bot shows next: HTML text and buttons, an album of charts or a file, built from the
database in a worker thread and sent on the event loop. Keeping them plain data keeps database work and
Telegram calls apart.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass, field

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputMediaPhoto, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from handlers.render import CAPTION_LIMIT, split_blocks, telegram_length
from i18n import t

Buttons = list[list[tuple[str, str]]]  # rows of (label, callback data)
ALBUM_LIMIT = 10  # photos in one Telegram album (sendMediaGroup)


@dataclass(frozen=True)
class Album:
    """Photos sent as albums of at most ten, the caption (HTML) under the first photo."""

    photos: tuple[bytes, ...]
    caption: str = ""

    def chunks(self) -> list[tuple[tuple[bytes, ...], str]]:
        """(photos, caption) per Telegram album; the caption goes with the first."""
        photos = self.photos
        return [(photos[i:i + ALBUM_LIMIT], self.caption if i == 0 else "")
                for i in range(0, len(photos), ALBUM_LIMIT)]


@dataclass(frozen=True)
class Document:
    filename: str
    data: bytes
    caption: str = ""


@dataclass
class Screen:
    blocks: list[str]
    buttons: Buttons = field(default_factory=list)
    edit_message_id: int | None = None  # an outbox notification that edits this earlier message in place
    replaces_message_id: int | None = None  # or deletes it and is sent anew (a fresh ping, still one message)
    edit_only: bool = False  # when the message to edit is gone, send nothing (a "done" note is no news)
    media: Album | Document | None = None  # sent instead of the blocks (buttons go under a document)

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


def fit_caption(text: str) -> str:
    """A caption within Telegram's 1024 characters: whole lines while they fit."""
    if telegram_length(text) <= CAPTION_LIMIT:
        return text
    return split_blocks(text.split("\n"), CAPTION_LIMIT - 2, "\n")[0] + "\n…"


def album_media(photos: tuple[bytes, ...], caption: str) -> list[InputMediaPhoto]:
    return [InputMediaPhoto(photo, caption=fit_caption(caption) if index == 0 and caption else None,
                            parse_mode=ParseMode.HTML) for index, photo in enumerate(photos)]


async def send_media(context: ContextTypes.DEFAULT_TYPE, chat_id: int, screen: Screen) -> list[Message]:
    """An album (in chunks of ten) or a document, with the screen's buttons under a document."""
    media = screen.media
    if isinstance(media, Document):
        return [await context.bot.send_document(
            chat_id, media.data, filename=media.filename, caption=fit_caption(media.caption) or None,
            parse_mode=ParseMode.HTML, reply_markup=markup(screen.buttons))]
    sent: list[Message] = []
    for photos, caption in media.chunks():
        sent.extend(await context.bot.send_media_group(chat_id, album_media(photos, caption)))
    return sent


async def send_screens(context: ContextTypes.DEFAULT_TYPE, chat_id: int, screens: list[Screen]) -> list[Message]:
    """Send each screen, split into messages of at most 4096 characters; buttons go under the last part."""
    sent = []
    for screen in screens:
        if screen.media is not None:
            sent.extend(await send_media(context, chat_id, screen))
            continue
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
