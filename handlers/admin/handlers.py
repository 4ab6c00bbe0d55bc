"""Telegram side of the admin journeys: /undang, /anggota, /periode and their buttons."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from handlers.admin import flow
from handlers.callbacks import unpack
from handlers.common import SETTINGS_KEY, act, in_transaction, today
from handlers.menus import refresh_member_menu
from handlers.screens import close_buttons, markup, reply_screens


async def invite_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/undang: choose a role, then a unit, and get a one-time link."""
    await act(update, context, flow.invite_roles)


async def members_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/anggota: members by unit and role, each with its settings."""
    await act(update, context, flow.members_list)


async def periods_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/periode: recent periods; open the current month or triwulan, close an open one."""
    await act(update, context, lambda s, m: flow.periods_list(s, m, today(context)))


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    await query.answer()
    action, ids = unpack(query.data)
    settings = context.application.bot_data[SETTINGS_KEY]
    in_place = {
        "mb.r": lambda s, m: flow.member_toggle_role(s, m, ids[0], ids[1]),
        "mb.x": lambda s, m: flow.member_toggle_active(s, m, ids[0]),
    }
    if action in in_place:
        changed: list[int] = []

        def change(session, member):
            screens = in_place[action](session, member)
            changed.append(ids[0])  # reached only when the change was allowed and made
            return screens

        screens = await act(update, context, change, send=False)
        if screens and changed:
            await query.edit_message_text(screens[0].blocks[0], parse_mode="HTML",
                                          reply_markup=markup(screens[0].buttons))
            await _refresh_menu(context, ids[0])
        elif screens:
            await reply_screens(update, context, screens)
        return
    work = {
        "inv.r": lambda s, m: flow.invite_units(s, m, ids[0]),
        "inv.u": lambda s, m: flow.invite_create(s, m, ids[0], ids[1], context.bot.username, settings.timezone),
        "mb.m": lambda s, m: flow.member_detail(s, m, ids[0]),
        "mb.u": lambda s, m: flow.member_units(s, m, ids[0]),
        "mb.uu": lambda s, m: flow.member_move(s, m, ids[0], ids[1]),
        "pd.o": lambda s, m: flow.period_open(s, m, ids[0], ids[1], ids[2], today(context)),
        "pd.c": lambda s, m: flow.period_close(s, m, ids[0]),
    }.get(action)
    if work is None:
        return
    if action not in ("mb.m",):
        await close_buttons(update)
    await act(update, context, work)


async def _refresh_menu(context: ContextTypes.DEFAULT_TYPE, member_id: int) -> None:
    """The changed member's command menu follows their new roles (or is taken away when deactivated)."""
    telegram_id, roles, language, active = await in_transaction(context, flow.menu_facts, member_id)
    await refresh_member_menu(context.bot, telegram_id, roles, language, active)
