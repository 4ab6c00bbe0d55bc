"""Every handler of the bot, registered in one place so the whole chat can be read at a glance."""

from __future__ import annotations

from telegram.ext import Application, CommandHandler, MessageHandler, filters

from handlers.start import help_command, start, stranger_or_unknown

PRIVATE = filters.ChatType.PRIVATE


def register(application: Application) -> None:
    application.add_handlers([
        CommandHandler("start", start, filters=PRIVATE),
        CommandHandler(["bantuan", "help"], help_command, filters=PRIVATE),
        MessageHandler(PRIVATE & ~filters.UpdateType.EDITED, stranger_or_unknown),
    ])
