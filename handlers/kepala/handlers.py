"""Telegram side of reporting to the Kepala Dinas and the disposition buttons."""

from __future__ import annotations

from telegram import Update

from handlers.callbacks import Button
from handlers.common import Context, run_button
from handlers.kepala import flow
from handlers.screens import acknowledge

BUTTONS = {Button.REPORT: flow.report, Button.KEPALA_AGREE: flow.agree, Button.KEPALA_ARAHAN: flow.start_arahan}
# "Laporkan" and "Beri arahan" may fail or be abandoned (/batal): they stay pressable; a press after the report
# or the disposition says who did it and when.
KEEP_OPEN = frozenset({Button.REPORT, Button.KEPALA_ARAHAN})


async def on_button(update: Update, context: Context) -> None:
    await acknowledge(update)
    await run_button(update, context, BUTTONS, KEEP_OPEN)
