"""Telegram side of the review: the buttons under a submitted form and under unlock requests."""

from __future__ import annotations

from contextlib import suppress

from telegram import Update
from telegram.error import BadRequest

from handlers.callbacks import Button, unpack
from handlers.common import Context, act, run_button
from handlers.review import flow, views
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
# closes the card's decision buttons but not its 📎 Bukti
DECISIONS = frozenset({Button.REVIEW_APPROVE, Button.KABID_APPROVE})
ROUTED = frozenset({*BUTTONS, Button.REVIEW_TOGGLE})  # the toggles edit the keyboard in place


async def on_button(update: Update, context: Context) -> None:
    query = update.callback_query
    await acknowledge(update)
    pressed = unpack(query.data)
    if pressed and pressed.button is Button.REVIEW_TOGGLE:
        screens = await act_quietly(update, context, lambda s, m: flow.toggle(s, m, *pressed.ids))
        if screens and screens[0].buttons:
            await query.edit_message_reply_markup(markup(screens[0].buttons))
        elif screens:  # the return is no longer in progress: say so
            await reply_screens(update, context, screens)
        return
    if pressed and pressed.button in DECISIONS:
        await keep_evidence_only(update)
        await act(update, context, BUTTONS[pressed.button], *pressed.ids)
        return
    await run_button(update, context, BUTTONS, KEEP_OPEN)


async def keep_evidence_only(update: Update) -> None:
    """Close the decision buttons of the pressed review card, so it cannot be decided twice; its 📎 Bukti
    stays (`views.decided_keyboard`)."""
    message = update.callback_query.message
    keyboard = getattr(message, "reply_markup", None)  # none: pressed as data on a message without buttons
    if keyboard is None:
        return
    kept = views.decided_keyboard(keyboard)
    if sum(len(row) for row in kept) == sum(len(row) for row in keyboard.inline_keyboard):
        return  # nothing to take away (Telegram refuses an edit that changes nothing)
    with suppress(BadRequest):  # already edited or too old to edit: nothing to undo
        await message.edit_reply_markup(markup(kept))


async def act_quietly(update: Update, context: Context, work):
    """Run the work and return its screens without sending them (the caller edits a message instead)."""
    return await act(update, context, work, send=False)
