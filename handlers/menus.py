"""The command menu each member sees: only their role's commands, in their language (setMyCommands per chat)."""

from __future__ import annotations

import asyncio

from telegram import Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault

from i18n import LANGUAGES, t
from models.office.organisation import Role
from models.office.permissions import Action, may

# (Indonesian command, English alias, the action that makes it useful; None: everyone)
COMMANDS: list[tuple[str, str, Action | None]] = [
    ("isi", "fill", Action.FILL_FORM),
    ("tugas", "inbox", Action.VIEW_STATUS),
    ("status", "status", Action.VIEW_STATUS),
    ("rekap", "recap", Action.VIEW_RECAP),
    ("ekspor", "export", Action.EXPORT),
    ("pengukuran", "measurement", Action.VIEW_RECAP),
    ("laporan", "report", Action.VIEW_RECAP),
    ("periode", "period", Action.MANAGE_PERIODS),
    ("undang", "invite", Action.INVITE),
    ("anggota", "members", Action.MANAGE_MEMBERS),
    ("bahasa", "language", None),
    ("bantuan", "help", None),
    ("batal", "cancel", None),
]
STRANGER_COMMANDS = [("start", "start"), ("bantuan", "help")]


def allowed_commands(roles: set[Role]) -> list[tuple[str, str]]:
    """(Indonesian, English) names of the commands a member with these roles may use."""
    result = []
    for indonesian, english, action in COMMANDS:
        if action is None or may(roles, action, own_unit_id=0, target_unit_id=0):
            result.append((indonesian, english))
    return result


def menu(roles: set[Role], language: str) -> list[BotCommand]:
    names = allowed_commands(roles)
    return [BotCommand(english if language == "en" else indonesian, t(f"menu.{indonesian}", language))
            for indonesian, english in names]


async def set_member_menu(bot: Bot, chat_id: int, roles: set[Role], language: str) -> None:
    await bot.set_my_commands(menu(roles, language), scope=BotCommandScopeChat(chat_id))


async def refresh_member_menu(bot: Bot, telegram_id: int, roles: set[Role], language: str, active: bool) -> None:
    """After an admin changes a member: their role's menu, or the stranger's menu once deactivated."""
    if active:
        await set_member_menu(bot, telegram_id, roles, language)
    else:
        await bot.delete_my_commands(scope=BotCommandScopeChat(telegram_id))


async def set_default_menus(bot: Bot) -> None:
    """What strangers see: /start and /bantuan, per Telegram language (the languages at once: this is on the way
    to the first getUpdates)."""
    def commands(language: str) -> list[BotCommand]:
        return [BotCommand(english if language == "en" else indonesian, t(f"menu.{indonesian}", language))
                for indonesian, english in STRANGER_COMMANDS]

    await asyncio.gather(*(bot.set_my_commands(commands(language), scope=BotCommandScopeDefault(),
                                               language_code=None if language == "id" else language)
                           for language in LANGUAGES))
