"""Telegram side of reporting to the Kepala Dinas and the disposition buttons."""

from __future__ import annotations

from telegram import Update

from handlers.callbacks import Button, unpack
from handlers.common import Context, run_button
from handlers.kepala import flow
from handlers.screens import acknowledge

BUTTONS = {Button.REPORT: flow.report, Button.KEPALA_AGREE: flow.agree, Button.KEPALA_ARAHAN: flow.start_arahan,
           Button.KEPALA_UNITS: flow.unit_detail}
# "Beri arahan" may be abandoned (/batal): it stays pressable. "Rincian per unit" may be read again at any time.
KEEP_OPEN = frozenset({Button.KEPALA_ARAHAN, Button.KEPALA_UNITS})
# Decisions on a card (`handlers/cards.py`): the pressed card shows the outcome; a press after the report or the
# disposition says who did it and when, in an alert on the button.
DECISIONS = frozenset({Button.REPORT, Button.KEPALA_AGREE, Button.KEPALA_ARAHAN})  # "Beri arahan" asks first


async def on_button(update: Update, context: Context) -> None:
    pressed = unpack(update.callback_query.data)
    if pressed is None or pressed.button not in DECISIONS:
        await acknowledge(update)
    await run_button(update, context, BUTTONS, KEEP_OPEN, decisions=DECISIONS)
