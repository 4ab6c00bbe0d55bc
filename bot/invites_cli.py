"""`sakip-bot invite`: create a one-time invitation and print its link."""

from __future__ import annotations

import argparse
import asyncio
import sys

from sqlalchemy.engine import Engine
from telegram.error import TelegramError

from bot.config import Settings
from bot.redaction import redacted
from bot.token_check import bot_username
from i18n import t
from models.calc.clock import system_clock
from models.calc.dates import format_datetime
from models.office.audit import Actor
from models.office.invites import create_invite, invite_link
from models.office.organisation import Role, ensure_office, unit_named, unit_names
from models.store.database import session_scope


def create_invite_link(args: argparse.Namespace, settings: Settings, engine: Engine) -> int:
    language = settings.default_language
    try:
        username = asyncio.run(bot_username(settings))
    except TelegramError as exc:  # a refused token is `TokenRejected`: a setting, not the input (exit 2)
        print(t("cli.telegram_unreachable", language, error=redacted(str(exc))), file=sys.stderr)
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
