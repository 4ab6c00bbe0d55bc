"""Telegram side of reporting to the Kepala Dinas and the disposition buttons."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from handlers.callbacks import unpack
from handlers.common import act
from handlers.kepala import flow
from handlers.screens import close_buttons

# "Laporkan" and "Beri arahan" may fail or be abandoned (/batal): they stay pressable; a press after the report
# or the disposition says who did it and when.
KEEP_OPEN = {"rp.go", "kd.arh"}


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    await query.answer()
    action, ids = unpack(query.data)
    work = {
        "rp.go": lambda s, m: flow.report(s, m, ids[0]),
        "kd.ok": lambda s, m: flow.agree(s, m, ids[0]),
        "kd.arh": lambda s, m: flow.start_arahan(s, m, ids[0]),
    }.get(action)
    if work is None:
        return
    if action not in KEEP_OPEN:
        await close_buttons(update)
    await act(update, context, work)
