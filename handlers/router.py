"""Free text in private chat means what the member's chat state says: a value, a kendala, an arahan…"""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session
from telegram import Update

from handlers.acting.flow import QUESTIONS as ACTING_QUESTIONS
from handlers.acting.flow import TEXT_STEPS as ACTING_STEPS
from handlers.bound import Bound, unseen_answer
from handlers.common import Context, act, answer_expired
from handlers.fill.flow import QUESTIONS as FILL_QUESTIONS
from handlers.fill.handlers import TEXT_STEPS as FILL_STEPS
from handlers.fill.handlers import reply_to_id
from handlers.kepala.flow import QUESTIONS as KEPALA_QUESTIONS
from handlers.kepala.flow import TEXT_STEPS as KEPALA_STEPS
from handlers.measurement.flow import QUESTIONS as MEASUREMENT_QUESTIONS
from handlers.measurement.flow import TEXT_STEPS as MEASUREMENT_STEPS
from handlers.review.flow import QUESTIONS as REVIEW_QUESTIONS
from handlers.review.flow import TEXT_STEPS as REVIEW_STEPS
from handlers.screens import Screen
from i18n import t
from models.messaging.chat_state import ChatStep, get_state
from models.office.organisation import Member
from reports.wording import esc

# What a typed message means at each chat step: (session, member, text) → screens.
TEXT_STEPS: dict[ChatStep, Callable[[Session, Member, str], list[Screen]]] = {
    **FILL_STEPS, **REVIEW_STEPS, **KEPALA_STEPS, **MEASUREMENT_STEPS, **ACTING_STEPS}
# How each question a typed message may answer is named and asked again: a message that does not answer the
# question shown is not filed under it (`handlers.bound`). Every step of TEXT_STEPS but UNBOUND is here.
QUESTIONS: dict[ChatStep, Bound] = {**FILL_QUESTIONS, **REVIEW_QUESTIONS, **KEPALA_QUESTIONS, **MEASUREMENT_QUESTIONS,
                                    **ACTING_QUESTIONS}
UNBOUND = frozenset({ChatStep.REVIEW_SELECT})  # chosen with buttons: typed text only gets a hint, nothing is filed


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
