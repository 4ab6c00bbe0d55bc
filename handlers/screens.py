"""A screen is what the bot shows next: HTML text and buttons, an album of charts or a file, built from the
database in a worker thread and sent on the event loop. Keeping them plain data keeps database work and
Telegram calls apart.

Screens become parts (`parts_of`), one Telegram call each, and `send_part` makes the call: the one conversion
used by direct replies (`send_screens`) and by the outbox delivery (`bot/delivery.py`), which sends the parts of
a notification one by one so that a retry sends only those not yet sent.

A direct reply is never given up: a part Telegram does not take after the rate limiter's retries (a flood wait,
a timeout, the network) is queued in the outbox with the parts after it, as they were worded (a `DeferredReply`),
and the delivery worker sends them. While such a reply waits, the member's later replies queue behind it, so
the chat shows them in order. Only members have an outbox: a reply to a stranger that fails is dropped (logged).
A message that timed out may have arrived after all: then it arrives twice, as after the outbox's own retries
(the Bot API has no idempotency key).
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress
from dataclasses import dataclass, field, replace

from sqlalchemy.engine import Engine
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputMediaPhoto, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError
from telegram.ext import ContextTypes

from handlers.render import CAPTION_LIMIT, split_blocks, telegram_length
from i18n import t
from models.messaging.deferred import defer_reply, reply_waiting
from models.messaging.notices import ReplyPart
from models.office.invites import member_by_telegram_id
from models.store.database import session_scope

log = logging.getLogger(__name__)
Buttons = list[list[tuple[str, str]]]  # rows of (label, callback data)
ALBUM_LIMIT = 10  # photos in one Telegram album (sendMediaGroup)
NOT_MODIFIED = "message is not modified"


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
    question: int | None = None  # the number of the question it asks (`models.messaging.chat_state.set_state`)
    refusal: bool = False  # the action was refused (a `WorkflowError` worded): never shown in the pressed card

    @classmethod
    def of(cls, text: str, buttons: Buttons | None = None, **placement: int | bool | None) -> Screen:
        return cls([text], buttons or [], **placement)


def is_notice(screen: Screen) -> bool:
    """A screen that only tells something: text without buttons, media, placement or question."""
    return not screen.buttons and screen.media is None and screen.question is None and \
        screen.edit_message_id is None and screen.replaces_message_id is None


def joined(screens: list[Screen]) -> list[Screen]:
    """The screens in as few messages as they can share: a notice goes on top of the text screen after it, one
    call instead of two (`parts_of` still splits a text longer than a message). Media and the messages placed
    elsewhere (an edit, a replacement) stay apart."""
    result: list[Screen] = []
    for screen in screens:
        text_here = screen.media is None and screen.edit_message_id is None and screen.replaces_message_id is None
        if result and is_notice(result[-1]) and text_here:
            result[-1] = replace(screen, blocks=[*result[-1].blocks, *screen.blocks])
        else:
            result.append(screen)
    return result


def shown_in_place(screens: list[Screen], message_id: int) -> list[Screen] | None:
    """The screens with the first one shown by editing message `message_id` (the card whose button was pressed:
    one call, which also closes its keyboard); None when the first cannot be an edit: a refusal (the card stays as
    it was), media, a message placed elsewhere, a text longer than a message, or a question (an answer is filed
    only under a question shown in a message newer than the answer, and an edit keeps the card's older id:
    `handlers/fill/flow.py: saved_and_next`)."""
    first = screens[0] if screens else None
    if first is None or first.refusal or first.media is not None or first.question is not None or \
            first.edit_message_id is not None or first.replaces_message_id is not None or \
            len(split_blocks(first.blocks)) > 1:  # a text of several messages: `parts_of` edits none of them
        return None
    return [replace(first, edit_message_id=message_id), *screens[1:]]


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


@dataclass
class Part:
    """One Telegram call of a screen: a new message, an edit of an earlier one, an album or a file."""

    text: str
    buttons: InlineKeyboardMarkup | None = None
    edit_message_id: int | None = None
    delete_first: int | None = None
    edit_only: bool = False
    photos: tuple[bytes, ...] = ()
    document: Document | None = None
    question: int | None = None  # the last part of a screen that asks a question: its number


def parts_of(screens: list[Screen]) -> list[Part]:
    """The calls that show the screens: texts split into messages of at most 4096 characters (buttons under the
    last), albums in chunks of ten, a document with its buttons. A screen split in several messages edits
    nothing (the edit would show only its first part)."""
    parts = []
    for screen in screens:
        if isinstance(screen.media, Album):
            chunks = screen.media.chunks()
            parts += [Part(caption, photos=photos, question=screen.question if index == len(chunks) - 1 else None)
                      for index, (photos, caption) in enumerate(chunks)]
            continue
        if isinstance(screen.media, Document):
            parts.append(Part(screen.media.caption, markup(screen.buttons), document=screen.media,
                              question=screen.question))
            continue
        texts = split_blocks(screen.blocks)
        for index, text in enumerate(texts):
            last = index == len(texts) - 1
            parts.append(Part(text, markup(screen.buttons) if last else None,
                              screen.edit_message_id if len(texts) == 1 else None,
                              screen.replaces_message_id if index == 0 else None, screen.edit_only,
                              question=screen.question if last else None))
    return parts


async def send_part(bot: Bot, chat_id: int, part: Part) -> int:
    """Make the part's call; returns the id of the message that now shows it (an album's last photo). An edit
    that Telegram refuses sends the part anew, unless it is `edit_only` (nothing to tidy up then)."""
    if part.photos:
        messages = await bot.send_media_group(chat_id, album_media(part.photos, part.text))
        return messages[-1].message_id
    if part.document is not None:
        message = await bot.send_document(chat_id, part.document.data, filename=part.document.filename,
                                          caption=fit_caption(part.text) or None, parse_mode=ParseMode.HTML,
                                          reply_markup=part.buttons)
        return message.message_id
    if part.edit_message_id is not None:
        try:
            await bot.edit_message_text(part.text, chat_id=chat_id, message_id=part.edit_message_id,
                                        parse_mode=ParseMode.HTML, disable_web_page_preview=True,
                                        reply_markup=part.buttons)
            return part.edit_message_id
        except BadRequest as exc:
            if NOT_MODIFIED in str(exc).lower() or part.edit_only:
                return part.edit_message_id
            log.info("reminder message %s cannot be edited (%s); sending it anew", part.edit_message_id, exc)
    if part.delete_first is not None:
        with suppress(BadRequest):
            await bot.delete_message(chat_id, part.delete_first)
    message = await bot.send_message(chat_id, part.text, parse_mode=ParseMode.HTML,
                                     disable_web_page_preview=True, reply_markup=part.buttons)
    return message.message_id


@dataclass(frozen=True)
class Recipient:
    """The member a direct reply goes to, as far as deferring it needs."""

    member_id: int
    language: str
    waiting: bool  # an earlier reply of theirs waits in the outbox: this one queues behind it


def recipient_of(engine: Engine, chat_id: int) -> Recipient | None:
    """The active member whose private chat this is (a private chat's id is its person's); None for others."""
    with session_scope(engine) as session:
        member = member_by_telegram_id(session, chat_id)
        if member is None or not member.active:
            return None
        return Recipient(member.id, member.language, reply_waiting(session, member.id))


def reply_part(part: Part, language: str) -> ReplyPart:
    """A part as the outbox keeps it: its text and buttons. Photos and files are not kept (megabytes in a row):
    the member is told the file did not come and to ask again. Direct replies edit no earlier message (only
    reminders, which are notices, do)."""
    if part.photos or part.document is not None:
        return ReplyPart(t("chat.file_not_sent", language), question=part.question)
    buttons = part.buttons.inline_keyboard if part.buttons is not None else ()
    return ReplyPart(part.text, tuple(tuple((button.text, button.callback_data) for button in row)
                                      for row in buttons), part.question)


async def defer(context: ContextTypes.DEFAULT_TYPE, recipient: Recipient, parts: list[Part]) -> None:
    """Queue the parts in the outbox (after the member's rows already there) and wake the delivery."""
    bot_data = context.bot_data
    replies = [reply_part(part, recipient.language) for part in parts]

    def queue() -> None:
        with session_scope(bot_data.engine) as session:
            defer_reply(session, recipient.member_id, replies)

    await asyncio.to_thread(queue)
    bot_data.wake()


async def send_screens(context: ContextTypes.DEFAULT_TYPE, chat_id: int, screens: list[Screen], *,
                       sent: list[tuple[Part, int]] | None = None) -> tuple[int, int] | None:
    """Send each screen (`parts_of`); the question they asked, if any, as (its number, the id of the message that
    shows it: the last of its screen). Parts that cannot be sent now go to the outbox (`defer`): a question among
    them is shown when the delivery sends it (`handlers/notifications.py: deferred_reply_sent`). `sent`, when
    given, collects each part sent now with the id of its message."""
    parts = parts_of(screens)
    if not parts:
        return None
    recipient = await asyncio.to_thread(recipient_of, context.bot_data.engine, chat_id)
    if recipient is not None and recipient.waiting:
        await defer(context, recipient, parts)
        return None
    shown = None
    for index, part in enumerate(parts):
        try:
            message_id = await send_part(context.bot, chat_id, part)
        except BadRequest:
            raise  # refused for good (a NetworkError in PTB's classes, but sending it again changes nothing)
        except (RetryAfter, NetworkError) as exc:
            if recipient is None:
                log.warning("reply to chat %s not sent (%s); not a member, so not kept", chat_id, exc)
                return shown
            log.info("reply to member %s deferred to the outbox: %s", recipient.member_id, exc)
            await defer(context, recipient, parts[index:])
            return shown
        if sent is not None:
            sent.append((part, message_id))
        if part.question is not None:
            shown = part.question, message_id
    return shown


async def reply_screens(update: Update, context: ContextTypes.DEFAULT_TYPE, screens: list[Screen]) -> None:
    await send_screens(context, update.effective_chat.id, screens)


async def close_buttons(update: Update) -> None:
    """Remove the buttons of the message whose button was pressed, so it cannot be pressed again. Cosmetic: the
    action itself is guarded by the domain (versions, decided-once), so a failed edit (already edited, too old,
    or Telegram refusing or timing out) never keeps the press from its work."""
    message = update.callback_query.message if update.callback_query else None
    if message is not None and getattr(message, "reply_markup", None):
        try:
            await message.edit_reply_markup(None)
        except TelegramError as exc:
            log.info("could not close the pressed keyboard: %s", exc)


async def acknowledge(update: Update, text: str | None = None, show_alert: bool = False) -> None:
    """Answer a pressed button (stops its spinner, or shows `text`). Cosmetic too: a press handled again after a
    crash is past Telegram's time to answer it ("query is too old"), and a refused answer must not undo the
    press's work."""
    try:
        await update.callback_query.answer(text, show_alert=show_alert)
    except TelegramError as exc:
        log.info("could not answer a pressed button: %s", exc)
