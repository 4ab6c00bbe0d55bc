"""Telegram side of /plt (/acting) and its buttons."""

from __future__ import annotations

from telegram import Update

from handlers.acting import flow
from handlers.callbacks import Button
from handlers.common import Context, act, run_button
from handlers.screens import acknowledge


async def acting_command(update: Update, context: Context) -> None:
    """/plt: the acting officials now and planned; name one, or end one early."""
    await act(update, context, flow.overview)


TABLE = {
    Button.ACTING_NEW: flow.choose_member,
    Button.ACTING_MEMBER: flow.choose_kind,
    Button.ACTING_KIND: flow.start_days,
    Button.ACTING_END: flow.end,
}
BUTTONS = frozenset(TABLE)


async def on_button(update: Update, context: Context) -> None:
    await acknowledge(update)
    await run_button(update, context, TABLE)
