"""Telegram side of reporting to the Kepala Dinas and the disposition buttons."""

from __future__ import annotations

from telegram import Update

from handlers.bound import of_question
from handlers.callbacks import Button, unpack
from handlers.common import Context, run_button, schedule_rules
from handlers.kepala import arahan, flow, follow_ups
from handlers.screens import acknowledge

BUTTONS = {Button.REPORT: flow.report, Button.KEPALA_AGREE: flow.agree, Button.KEPALA_ARAHAN: flow.start_arahan,
           Button.KEPALA_UNITS: flow.unit_detail, Button.KEPALA_AGREE_UNDO: flow.undo_agree,
           # the arahan's preview: its buttons carry its number first (expired once another question is asked)
           Button.KEPALA_PREVIEW_UNIT: of_question(arahan.toggle_unit),
           Button.KEPALA_PREVIEW_INDICATOR: of_question(arahan.toggle_indicator),
           Button.KEPALA_PREVIEW_SEND: of_question(arahan.send),
           Button.KEPALA_PREVIEW_EDIT: of_question(flow.edit_arahan),
           Button.FOLLOW_UP_DONE: follow_ups.ask_note}
# "Laporkan" and "Beri arahan" may fail or be abandoned (/batal): they stay pressable; a press after the report
# or the disposition says who did it and when. "Rincian per unit" may be read again at any time. A follow-up's
# "Sudah ditindaklanjuti" stays until its note is typed (the question may be abandoned).
KEEP_OPEN = frozenset({Button.REPORT, Button.KEPALA_ARAHAN, Button.KEPALA_UNITS, Button.FOLLOW_UP_DONE})
IN_PLACE = frozenset({Button.KEPALA_PREVIEW_UNIT, Button.KEPALA_PREVIEW_INDICATOR})  # toggles edit the preview


async def on_button(update: Update, context: Context) -> None:
    await acknowledge(update)
    pressed = unpack(update.callback_query.data)
    table = {**BUTTONS, Button.KEPALA_AGREE: lambda s, m, period_id: flow.agree(s, m, period_id,
                                                                                  schedule_rules(context))}
    await run_button(update, context, table, KEEP_OPEN, in_place=IN_PLACE)
    if pressed is not None and pressed.button in (Button.KEPALA_AGREE, Button.KEPALA_AGREE_UNDO):
        context.bot_data.schedule_changed()  # the archive after the undo window is the scheduler's
