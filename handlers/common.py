"""What every handler needs: the database session per update, the member behind an update, and texts.

Database work runs in a worker thread (`in_transaction`), one transaction per call, so a slow query never
blocks other users' updates on the event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.engine import Engine
from sqlmodel import Session
from telegram import Update
from telegram.ext import ContextTypes

from i18n import t
from models.database import session_scope
from models.invites import member_by_telegram_id, roles_of
from models.organisation import Role

T = TypeVar("T")
ENGINE_KEY = "engine"
SETTINGS_KEY = "settings"


async def in_transaction(context: ContextTypes.DEFAULT_TYPE, work: Callable[..., T], *args: Any) -> T:
    """Run `work(session, *args)` in one transaction on a worker thread and return its result."""
    engine: Engine = context.application.bot_data[ENGINE_KEY]

    def run() -> T:
        with session_scope(engine) as session:
            return work(session, *args)

    return await asyncio.to_thread(run)


@dataclass(frozen=True)
class Caller:
    """The member behind an update, as plain values (safe to use outside the session)."""

    member_id: int
    name: str
    unit_id: int
    language: str
    roles: frozenset[Role]
    active: bool


def load_caller(session: Session, telegram_user_id: int) -> Caller | None:
    member = member_by_telegram_id(session, telegram_user_id)
    if member is None:
        return None
    return Caller(member.id, member.name, member.unit_id, member.language,
                  frozenset(roles_of(session, member.id)), member.active)


def language_of(update: Update, caller: Caller | None, default: str) -> str:
    """A member's chosen language; for strangers Indonesian unless their Telegram speaks English."""
    if caller is not None:
        return caller.language
    code = (update.effective_user.language_code or "") if update.effective_user else ""
    return "en" if code.startswith("en") and default == "en" else default


def text(language: str, key: str, **params: object) -> str:
    return t(key, language, **params)
