"""`sakip-bot invite`: create a one-time invitation and print its link."""

from __future__ import annotations

import argparse
import asyncio
import sys

from sqlalchemy.engine import Engine
from telegram import Bot
from telegram.error import TelegramError

from bot.application import file_url_for
from bot.config import Settings
from i18n import t
from models.calc.clock import system_clock
from models.calc.dates import format_datetime
from models.office.audit import Actor
from models.office.invites import create_invite, invite_link
from models.office.organisation import Role, ensure_office, unit_named, unit_names
from models.store.database import session_scope


async def bot_username(settings: Settings) -> str:
    """Ask the Bot API who the bot is (the link needs its @username)."""
    kwargs = {}
    if settings.telegram_api_base_url:
        kwargs = {"base_url": settings.telegram_api_base_url,
                  "base_file_url": file_url_for(settings.telegram_api_base_url)}
    async with Bot(settings.require_token(), **kwargs) as bot:
        return bot.username


def create_invite_link(args: argparse.Namespace, settings: Settings, engine: Engine) -> int:
    language = settings.default_language
    try:
        username = asyncio.run(bot_username(settings))
    except TelegramError as exc:
        print(t("cli.telegram_unreachable", language, error=str(exc)), file=sys.stderr)
        return 1
    with session_scope(engine) as session:
        if args.unit:
            unit = unit_named(session, args.unit)
            if unit is None:
                print(t("cli.unknown_unit", language, unit=args.unit, units=", ".join(unit_names(session)) or "-"),
                      file=sys.stderr)
                return 1
        else:
            unit = ensure_office(session, Actor.cli())
        invite, token = create_invite(session, Role(args.role), unit, Actor.cli(), valid_days=args.hari,
                                      now=system_clock())
        expires = invite.expires_at.astimezone(settings.timezone)

    print(t("cli.invite_created", language, role=t(f"role.{args.role}", language), unit=unit.name,
            expires=format_datetime(expires, settings.timezone.key, language)))
    print(invite_link(username, token))
    return 0
