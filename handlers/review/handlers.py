"""Telegram side of the review: the buttons under a submitted form and under unlock requests."""

from __future__ import annotations

from telegram import Update

from handlers.callbacks import unpack
from handlers.common import Context, act, run_button
from handlers.review import flow
from handlers.screens import markup, reply_screens

BUTTONS = {
    "rv.ok": flow.approve,
    "rv.ret": flow.start_return,
    "rv.arh": flow.ask_arahan,
    "rv.cancel": lambda s, m, _form_id: flow.cancel(s, m),
    "ul.req": flow.ask_unlock,
    "ul.ok": lambda s, m, request_id: flow.decide(s, m, request_id, True),
    "ul.no": lambda s, m, request_id: flow.decide(s, m, request_id, False),
}
# Buttons that start something the member may abandon (/batal): their message keeps its buttons, so it can be
# pressed again; a press after the form was handled says who handled it and when.
KEEP_OPEN = frozenset({"rv.ret", "rv.arh"})


async def on_button(update: Update, context: Context) -> None:
    query = update.callback_query
    await query.answer()
    action, ids = unpack(query.data)
    if action == "rv.t":  # toggles edit the keyboard in place
        screens = await act_quietly(update, context, lambda s, m: flow.toggle(s, m, ids[0], ids[1]))
        if screens and screens[0].buttons:
            await query.edit_message_reply_markup(markup(screens[0].buttons))
        elif screens:  # the return is no longer in progress: say so
            await reply_screens(update, context, screens)
        return
    await run_button(update, context, BUTTONS, KEEP_OPEN)


async def act_quietly(update: Update, context: Context, work):
    """Run the work and return its screens without sending them (the caller edits a message instead)."""
    return await act(update, context, work, send=False)
