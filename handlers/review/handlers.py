"""Telegram side of the review: the buttons under a submitted form and under unlock requests."""

from __future__ import annotations

from telegram import Update

from handlers.callbacks import Button, unpack
from handlers.common import Context, act, run_button
from handlers.review import flow
from handlers.screens import acknowledge, markup, reply_screens

BUTTONS = {
    Button.REVIEW_APPROVE: flow.approve,
    Button.REVIEW_RETURN: flow.start_return,
    Button.REVIEW_ARAHAN: flow.ask_arahan,
    Button.REVIEW_CANCEL: flow.cancel,
    Button.KABID_APPROVE: flow.kabid_approve,
    Button.KABID_RETURN: flow.kabid_start_return,
    Button.UNLOCK_REQUEST: flow.ask_unlock,
    Button.UNLOCK_GRANT: lambda s, m, request_id: flow.decide(s, m, request_id, True),
    Button.UNLOCK_REFUSE: lambda s, m, request_id: flow.decide(s, m, request_id, False),
}
# Buttons that start something the member may abandon (/batal): their message keeps its buttons, so it can be
# pressed again; a press after the form was handled says who handled it and when.
KEEP_OPEN = frozenset({Button.REVIEW_RETURN, Button.KABID_RETURN, Button.REVIEW_ARAHAN, Button.UNLOCK_REQUEST})
# Decisions on a card (`handlers/cards.py`): the pressed card shows the outcome and keeps its 📎 Bukti; a press
# after the decision says who decided and when, in an alert on the button ("Kembalikan" too, which asks first).
# The kabid's card (KABID_REVIEW) likewise.
DECISIONS = frozenset({Button.REVIEW_APPROVE, Button.REVIEW_RETURN, Button.UNLOCK_GRANT, Button.UNLOCK_REFUSE,
                       Button.KABID_APPROVE, Button.KABID_RETURN})
ROUTED = frozenset({*BUTTONS, Button.REVIEW_TOGGLE})  # the toggles edit the keyboard in place


async def on_button(update: Update, context: Context) -> None:
    query = update.callback_query
    pressed = unpack(query.data)
    if pressed and pressed.button in DECISIONS:
        await run_button(update, context, BUTTONS, KEEP_OPEN, decisions=DECISIONS)
        return
    await acknowledge(update)
    if pressed and pressed.button is Button.REVIEW_TOGGLE:
        screens = await act_quietly(update, context, lambda s, m: flow.toggle(s, m, *pressed.ids))
        if screens and screens[0].buttons:
            await query.edit_message_reply_markup(markup(screens[0].buttons))
        elif screens:  # the return is no longer in progress: say so
            await reply_screens(update, context, screens)
        return
    await run_button(update, context, BUTTONS, KEEP_OPEN)


async def act_quietly(update: Update, context: Context, work):
    """Run the work and return its screens without sending them (the caller edits a message instead)."""
    return await act(update, context, work, send=False)
