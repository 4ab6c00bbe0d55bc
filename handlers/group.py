"""Groups: the bot works in private chats only and says so once per group."""

from __future__ import annotations

from telegram import Update

from handlers.common import Context, in_transaction
from i18n import t
from models.messaging.chat_state import first_notice_in_group


async def group_notice(update: Update, context: Context) -> None:
    """Any message in a group: the first time, explain that the bot works in private chat; then stay quiet."""
    chat = update.effective_chat
    if chat is None or chat.type == "private":
        return
    if await in_transaction(context, first_notice_in_group, chat.id):
        language = context.bot_data.default_language
        await context.bot.send_message(chat.id, t("chat.private_only", language, bot=context.bot.username))
