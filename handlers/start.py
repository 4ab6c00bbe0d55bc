"""Joining and greeting: `/start` (with an invitation token), `/bantuan`, and the reply to strangers."""

from __future__ import annotations

from html import escape

from telegram import Update
from telegram.ext import ContextTypes

from handlers.common import SETTINGS_KEY, Caller, in_transaction, language_of, load_caller, text
from models.invites import InviteError, accept_invite, join_as_configured_admin
from models.organisation import Role, Unit


def _full_name(update: Update) -> str:
    user = update.effective_user
    return (user.full_name or user.username or str(user.id)).strip()


def _join(session, token: str | None, user_id: int, name: str, language: str, admin_ids: list[int]):
    """Join by token or as a configured admin; returns (caller, unit name, error code)."""
    caller = load_caller(session, user_id)
    if caller is None:
        try:
            if token:
                accept_invite(session, token, user_id, name, language)
            else:
                join_as_configured_admin(session, user_id, name, language, admin_ids)
        except InviteError as exc:
            return None, None, exc.code
        caller = load_caller(session, user_id)
    elif token:
        return caller, session.get(Unit, caller.unit_id).name, "already_member"
    unit_name = session.get(Unit, caller.unit_id).name if caller else None
    return caller, unit_name, None


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Welcome a member, let an invited person join with the token, or explain how to get an invitation."""
    settings = context.application.bot_data[SETTINGS_KEY]
    token = context.args[0] if context.args else None
    caller, unit_name, error = await in_transaction(
        context, _join, token, update.effective_user.id, _full_name(update), settings.default_language,
        settings.admin_telegram_ids,
    )
    language = language_of(update, caller, settings.default_language)
    if caller is None:
        key = f"chat.invite_{error}" if error else "chat.stranger"
        await update.effective_message.reply_text(text(language, key))
        return
    lines = []
    if error == "already_member":
        lines.append(text(language, "chat.invite_already_member"))
    lines.append(text(language, "chat.welcome", name=escape(caller.name), unit=escape(unit_name or "-"),
                      roles=", ".join(text(language, f"role.{role.value}") for role in sorted(caller.roles))))
    lines.append(text(language, "chat.help_hint"))
    await update.effective_message.reply_html("\n\n".join(lines))


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show what the bot does and which commands the member may use."""
    settings = context.application.bot_data[SETTINGS_KEY]
    caller: Caller | None = await in_transaction(context, load_caller, update.effective_user.id)
    language = language_of(update, caller, settings.default_language)
    if caller is None:
        await update.effective_message.reply_text(text(language, "chat.stranger"))
        return
    await update.effective_message.reply_html(text(language, "chat.help"))


async def stranger_or_unknown(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Anything else in private chat: strangers learn how to join; members are pointed to /bantuan."""
    settings = context.application.bot_data[SETTINGS_KEY]
    caller = await in_transaction(context, load_caller, update.effective_user.id)
    language = language_of(update, caller, settings.default_language)
    key = "chat.stranger" if caller is None else "chat.unknown_input"
    await update.effective_message.reply_text(text(language, key))


__all__ = ["Role", "help_command", "start", "stranger_or_unknown"]
