"""Free text in private chat means what the member's chat state says: a value, a kendala, an arahan…"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable

from sqlmodel import Session
from telegram import Update

from handlers.bound import Bound, open_again, unseen_answer
from handlers.common import ANY_QUESTION, EVERY_STEP, Context, act, answer_expired, left_open_by
from handlers.fill.flow import QUESTIONS as FILL_QUESTIONS
from handlers.fill.handlers import TEXT_STEPS as FILL_STEPS
from handlers.fill.handlers import reply_to_id
from handlers.kepala.flow import QUESTIONS as KEPALA_QUESTIONS
from handlers.kepala.flow import TEXT_STEPS as KEPALA_STEPS
from handlers.kepala.follow_ups import QUESTIONS as FOLLOW_UP_QUESTIONS
from handlers.kepala.follow_ups import TEXT_STEPS as FOLLOW_UP_STEPS
from handlers.measurement.flow import QUESTIONS as MEASUREMENT_QUESTIONS
from handlers.measurement.flow import TEXT_STEPS as MEASUREMENT_STEPS
from handlers.review.flow import QUESTIONS as REVIEW_QUESTIONS
from handlers.review.flow import TEXT_STEPS as REVIEW_STEPS
from handlers.screens import Screen
from i18n import t
from models.messaging.chat_state import ChatStep, get_state, question_of
from models.office.organisation import Member
from reports.wording import esc

# What a typed message means at each chat step: (session, member, text) → screens.
TEXT_STEPS: dict[ChatStep, Callable[[Session, Member, str], list[Screen]]] = {
    **FILL_STEPS, **REVIEW_STEPS, **KEPALA_STEPS, **FOLLOW_UP_STEPS, **MEASUREMENT_STEPS}
# How each question a typed message may answer is named and asked again: a message that does not answer the
# question shown is not filed under it (`handlers.bound`). Every step of TEXT_STEPS but UNBOUND is here.
QUESTIONS: dict[ChatStep, Bound] = {**FILL_QUESTIONS, **REVIEW_QUESTIONS, **KEPALA_QUESTIONS, **FOLLOW_UP_QUESTIONS,
                                    **MEASUREMENT_QUESTIONS}
# chosen with buttons: typed text only gets a hint, nothing is filed
UNBOUND = frozenset({ChatStep.REVIEW_SELECT, ChatStep.KEPALA_ARAHAN_PREVIEW})


def route_text(session: Session, member: Member, text: str) -> list[Screen]:
    step, _ = get_state(session, member.id)
    handler = TEXT_STEPS.get(step)
    if handler is None:
        return [Screen.of(t("chat.unknown_input", member.language))]
    return handler(session, member, text)


def route_message(session: Session, member: Member, text: str, message_id: int,
                  reply_to: int | None) -> list[Screen]:
    """A typed message, unless it does not answer the question shown (then not saved: `unseen_answer`)."""
    what = t("chat.your_message", member.language, raw=esc(text.strip()))
    return unseen_answer(session, member, what, message_id, reply_to, QUESTIONS) or \
        route_text(session, member, text)


async def on_text(update: Update, context: Context) -> None:
    message = update.effective_message
    await act(update, context, route_message, message.text or "", message.message_id, reply_to_id(message),
              answering=True)


def unknown(session: Session, member: Member) -> list[Screen]:
    return [Screen.of(t("chat.unknown_input", member.language))]


async def on_unknown(update: Update, context: Context) -> None:
    """An unknown command, a sticker, a voice note…: point to /bantuan (strangers: how to join)."""
    await act(update, context, unknown)


async def on_stale_button(update: Update, context: Context) -> None:
    """A button whose data no handler knows (from an older version of the bot): answered as expired."""
    await answer_expired(update, context)


Callback = Callable[[Update, Context], Awaitable[None]]


def keeps_thread(callback: Callback) -> Callback:
    """`callback`, then the question it left open asked again (`handlers.common.leave_open`): after a command, a
    stale button, a sticker, a photo where a value is asked… the member's open question comes back as the last
    message, and their next answer is filed under it. One place for every handler (`handlers.registry`), so no
    command has to remember it; it costs an update nothing unless it left a question open."""
    @functools.wraps(callback)
    async def run(update: Update, context: Context) -> None:
        await callback(update, context)
        number = left_open_by(context)
        if number is not None:
            await act(update, context, ask_open_question, number, marks_handled=False, answers=EVERY_STEP)
    return run


def ask_open_question(session: Session, member: Member, number: int) -> list[Screen]:
    """The open question `number` (`ANY_QUESTION`: whichever) asked again, unless another was asked meanwhile."""
    question = question_of(session, member.id)
    if question is None or question.message_id is None or number not in (ANY_QUESTION, question.number):
        return []  # none, another asked meanwhile, or one still on its way (it arrives after this reply)
    return open_again(session, member, QUESTIONS)
