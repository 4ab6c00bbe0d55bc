"""Telegram side of the admin journeys: /undang, /anggota, /periode and their buttons."""

from __future__ import annotations

from telegram import Update

from handlers.admin import flow
from handlers.callbacks import Button, unpack
from handlers.common import Context, act, in_transaction, run_button, schedule_rules
from handlers.menus import refresh_member_menu
from handlers.screens import acknowledge, markup, reply_screens


async def invite_command(update: Update, context: Context) -> None:
    """/undang: choose a role, then a unit, and get a one-time link."""
    await act(update, context, flow.invite_roles)


async def members_command(update: Update, context: Context) -> None:
    """/anggota: members by unit and role, each with its settings."""
    await act(update, context, flow.members_list)


async def periods_command(update: Update, context: Context) -> None:
    """/periode: recent periods; open a due one (after a confirmation), close an open one."""
    await act(update, context, lambda s, m: flow.periods_list(s, m, schedule_rules(context)))


IN_PLACE = {  # these edit the pressed message (the member's settings) instead of sending a new one
    Button.MEMBER_ROLE: flow.member_toggle_role,
    Button.MEMBER_ACTIVE: flow.member_toggle_active,
}
BUTTONS = frozenset({*IN_PLACE, Button.INVITE_ROLE, Button.INVITE_UNIT, Button.MEMBER, Button.MEMBER_UNITS,
                     Button.MEMBER_MOVE, Button.PERIOD_OPEN, Button.PERIOD_OPEN_CONFIRM, Button.PERIOD_OPEN_CANCEL,
                     Button.PERIOD_CLOSE})  # all routed by on_button


async def on_button(update: Update, context: Context) -> None:
    query = update.callback_query
    await acknowledge(update)
    pressed = unpack(query.data)
    if pressed and pressed.button in IN_PLACE:
        ids = pressed.ids
        changed: list[int] = []

        def change(session, member):
            screens = IN_PLACE[pressed.button](session, member, *ids)
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
    table = {
        Button.INVITE_ROLE: flow.invite_units,
        Button.INVITE_UNIT: lambda s, m, role, unit: flow.invite_create(s, m, role, unit, context.bot.username,
                                                                        context.bot_data.timezone),
        Button.MEMBER: flow.member_detail,
        Button.MEMBER_UNITS: flow.member_units,
        Button.MEMBER_MOVE: flow.member_move,
        Button.PERIOD_OPEN: lambda s, m, year, quarterly, number: flow.period_confirm(  # asks first
            s, m, year, quarterly, number, schedule_rules(context)),
        Button.PERIOD_OPEN_CONFIRM: lambda s, m, year, quarterly, number: flow.period_open(
            s, m, year, quarterly, number, schedule_rules(context)),
        Button.PERIOD_OPEN_CANCEL: flow.period_open_cancel,
        Button.PERIOD_CLOSE: flow.period_close,
    }
    await run_button(update, context, table, keep_open=frozenset({Button.MEMBER}))


async def _refresh_menu(context: Context, member_id: int) -> None:
    """The changed member's command menu follows their new roles (or is taken away when deactivated)."""
    telegram_id, roles, language, active = await in_transaction(context, flow.menu_facts, member_id)
    await refresh_member_menu(context.bot, telegram_id, roles, language, active)
