"""Joining and greeting: `/start` (with an invitation token) and `/bantuan`."""

from __future__ import annotations

from sqlmodel import Session
from telegram import Update

from handlers.common import Context, act, in_transaction, language_of, now_of
from handlers.menus import set_member_menu
from handlers.settings import help_screen
from i18n import t
from i18n.codes import text_key
from models.errors import InviteCode
from models.office.invites import InviteError, accept_invite, join_as_configured_admin, member_by_telegram_id
from models.office.organisation import Unit
from models.office.permissions import roles_of_member
from reports.wording import esc


def _full_name(update: Update) -> str:
    user = update.effective_user
    return (user.full_name or user.username or str(user.id)).strip()


def join(session: Session, token: str | None, user_id: int, name: str, language: str, admin_ids: list[int]):
    """Join by token, or as a configured admin; returns (member, roles, unit name, problem code)."""
    member = member_by_telegram_id(session, user_id)
    problem = None
    if member is None:
        try:
            now = now_of(session)
            member = accept_invite(session, token, user_id, name, language, now=now) if token else \
                join_as_configured_admin(session, user_id, name, language, admin_ids, now=now)
        except InviteError as exc:
            return None, set(), None, exc.code
    elif token:
        problem = InviteCode.ALREADY_MEMBER
    if member is None or not member.active:
        return None, set(), None, None
    return member, roles_of_member(session, member), session.get(Unit, member.unit_id).name, problem


async def start(update: Update, context: Context) -> None:
    """Welcome a member, let an invited person join with the token, or explain how to get an invitation."""
    bot_data = context.bot_data
    token = context.args[0] if context.args else None
    member, roles, unit_name, problem = await in_transaction(
        context, join, token, update.effective_user.id, _full_name(update), bot_data.default_language,
        bot_data.admin_telegram_ids,
    )
    if member is None:
        language = language_of(update, bot_data.default_language)
        key = text_key(problem) if problem else "chat.stranger"
        await update.effective_message.reply_text(t(key, language))
        return
    language = member.language
    lines = [t(text_key(problem), language)] if problem is InviteCode.ALREADY_MEMBER else []
    lines.append(t("chat.welcome", language, name=esc(member.name), unit=esc(unit_name),
                   roles=", ".join(t(f"role.{role.value}", language) for role in sorted(roles))))
    lines.append(t("chat.help_hint", language))
    await update.effective_message.reply_html("\n\n".join(lines))
    await set_member_menu(context.bot, update.effective_chat.id, roles, language)


async def help_command(update: Update, context: Context) -> None:
    """/bantuan: what the bot does and the commands this member may use."""
    await act(update, context, help_screen)
