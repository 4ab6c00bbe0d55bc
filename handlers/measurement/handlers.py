"""Telegram side of the Pengukuran Kinerja: `/pengukuran` and the buttons of procedure B."""

from __future__ import annotations

from telegram import Update

from handlers.common import Context, act, run_button
from handlers.measurement import flow

BUTTONS = {
    "ms.new": flow.start,
    "ms.an": flow.ask_analysis,
    "ms.sub": flow.submit,
    "ms.ok": flow.approve,
    "ms.ret": flow.ask_return,
    "ms.rep": flow.report,
    "ms.kok": flow.agree,
    "ms.karh": flow.ask_kepala_arahan,
}
# Buttons that start typing (which the member may abandon with /batal) keep their message pressable; the
# others close it, and a later press says who acted and when.
KEEP_OPEN = frozenset({"ms.an", "ms.ret", "ms.karh"})


async def measurement_command(update: Update, context: Context) -> None:
    """/pengukuran [periode]: a triwulan's measurement and, for the member's role, the next step's buttons."""
    argument = context.args[0] if context.args else None
    await act(update, context, flow.show, argument)


async def on_button(update: Update, context: Context) -> None:
    await update.callback_query.answer()
    await run_button(update, context, BUTTONS, KEEP_OPEN)
