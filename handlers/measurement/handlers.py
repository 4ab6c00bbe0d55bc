"""Telegram side of the Pengukuran Kinerja: `/pengukuran` and the buttons of procedure B."""

from __future__ import annotations

from telegram import Update

from handlers.bound import of_question, superseded
from handlers.callbacks import Button, unpack
from handlers.common import Context, act, answer_expired, run_button
from handlers.measurement import flow
from handlers.screens import acknowledge

BUTTONS = {
    Button.MEASUREMENT_PERIOD: flow.show_chosen,  # a triwulan pressed in /pengukuran's choice
    Button.MEASUREMENT_START: flow.start,
    Button.MEASUREMENT_ANALYSIS: flow.ask_analysis,
    Button.MEASUREMENT_RENCANA_AKSI: flow.ask_rencana_aksi,
    Button.MEASUREMENT_TEXT_DONE: of_question(flow.finish_text),  # bound to the draft's question
    Button.MEASUREMENT_TEXT_RESTART: of_question(flow.restart_text),
    Button.MEASUREMENT_SUBMIT: flow.submit,
    Button.MEASUREMENT_APPROVE: flow.approve,
    Button.MEASUREMENT_RETURN: flow.ask_return,
    Button.MEASUREMENT_REPORT: flow.report,
    Button.MEASUREMENT_AGREE: flow.agree,
    Button.MEASUREMENT_ARAHAN: flow.ask_kepala_arahan,
}
# Buttons that start typing (which the member may abandon with /batal), and the choice of triwulan, keep their
# message pressable; the others close it, and a later press says who acted and when.
KEEP_OPEN = frozenset({Button.MEASUREMENT_PERIOD, Button.MEASUREMENT_ANALYSIS, Button.MEASUREMENT_RENCANA_AKSI,
                       Button.MEASUREMENT_RETURN,
                       Button.MEASUREMENT_ARAHAN})
# Decisions on a card (`handlers/cards.py`): the pressed card shows the outcome; a late press gets an alert.
DECISIONS = frozenset({Button.MEASUREMENT_APPROVE, Button.MEASUREMENT_RETURN, Button.MEASUREMENT_AGREE,
                       Button.MEASUREMENT_ARAHAN})  # returning and the arahan ask first (`KEEP_OPEN`)


async def measurement_command(update: Update, context: Context) -> None:
    """/pengukuran [triwulan]: a triwulan's measurement and, for the member's role, the next step's buttons;
    alone: a choice of triwulan."""
    argument = " ".join(context.args or []) or None
    await act(update, context, flow.show, argument)


QUESTION_BUTTONS = frozenset({Button.MEASUREMENT_TEXT_DONE, Button.MEASUREMENT_TEXT_RESTART})


async def on_button(update: Update, context: Context) -> None:
    """A button of procedure B; "Selesai"/"Ulangi" of a draft whose question was superseded: expired, nothing done."""
    if await superseded(update, context, QUESTION_BUTTONS):
        await answer_expired(update, context)
        return
    pressed = unpack(update.callback_query.data)
    if pressed is None or pressed.button not in DECISIONS:
        await acknowledge(update)
    await run_button(update, context, BUTTONS, KEEP_OPEN, decisions=DECISIONS)
