"""/bahasa, /batal and /bantuan: the member's language, leaving a question, and role-aware help."""

from __future__ import annotations

from sqlmodel import Session
from telegram import Update

from handlers.callbacks import Button, pack, unpack
from handlers.common import Context, act, answer_expired, now_of
from handlers.menus import allowed_commands, set_member_menu
from handlers.screens import Screen, acknowledge, close_buttons
from i18n import LANGUAGES, t
from models.messaging.chat_state import clear_state, get_state
from models.office.members import set_language
from models.office.organisation import Member
from models.office.permissions import roles_of_member


def language_choice(session: Session, member: Member) -> list[Screen]:
    rows = [[(t("language.name", language), pack(Button.LANGUAGE, index))] for index, language in enumerate(LANGUAGES)]
    return [Screen.of(t("language.choose", member.language), rows)]


async def language_command(update: Update, context: Context) -> None:
    """/bahasa: choose Bahasa Indonesia or English."""
    await act(update, context, language_choice)


async def on_language(update: Update, context: Context) -> None:
    query = update.callback_query
    pressed = unpack(query.data)
    if pressed is None or not 0 <= pressed.ids[0] < len(LANGUAGES):
        await answer_expired(update, context)
        return
    await acknowledge(update)
    chosen: dict = {}

    def choose(session: Session, member: Member) -> list[Screen]:
        set_language(session, member, LANGUAGES[pressed.ids[0]], now=now_of(session))
        chosen.update(roles=roles_of_member(session, member), language=member.language)
        return [Screen.of(t("language.changed", member.language))]

    await close_buttons(update)
    if await act(update, context, choose):
        await set_member_menu(context.bot, update.effective_chat.id, chosen["roles"], chosen["language"])


def cancel(session: Session, member: Member) -> list[Screen]:
    step, _ = get_state(session, member.id)
    clear_state(session, member.id)
    return [Screen.of(t("common.cancelled" if step else "common.nothing_to_cancel", member.language))]


async def cancel_command(update: Update, context: Context) -> None:
    """/batal: stop the current question; everything answered so far stays saved."""
    await act(update, context, cancel)


def help_screen(session: Session, member: Member) -> list[Screen]:
    language = member.language
    lines = [t("chat.help_intro", language)]
    for indonesian, english in allowed_commands(roles_of_member(session, member)):
        name = english if language == "en" else indonesian
        lines.append(f"/{name} – {t(f'menu.{indonesian}', language)}")
    return [Screen.of("\n".join(lines))]
