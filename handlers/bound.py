"""Answers bound to the question their author saw, for every free-text question of every journey.

A typed message is filed only under the question whose message it follows (`chat_state.Question.unseen`): one
sent before that message appeared, replying to another message, or while the question is not known to be
delivered (a send held up by Telegram) is not saved; the member is told which question it would have answered,
and the question is asked again as a new message. Each journey says how its questions are named and asked again
(a `Bound` per chat step); `handlers.router` joins them into one table. The buttons of a question carry its
number first (`of_question`): pressed once another question is asked, they are expired and change nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from sqlmodel import Session
from telegram import Update

from handlers.callbacks import Button, unpack
from handlers.common import Context, expired_button, in_transaction
from handlers.screens import Screen
from i18n import t
from models.messaging.chat_state import ChatStep, get_state, question_of
from models.office.invites import member_by_telegram_id
from models.office.organisation import Member


@dataclass(frozen=True)
class Bound:
    """How one journey's question is named to the member and asked again."""

    # (session, member, step, the question's ids) → what it asks, naming its unit/period/indicator (HTML)
    name: Callable[[Session, Member, ChatStep, dict[str, Any]], str]
    # (session, member) → the question again, under a new number (what it holds, e.g. a draft, is kept)
    ask_again: Callable[[Session, Member], list[Screen]]
    # (session, member, step, ids) → where the member is in it: its subject and what is entered so far (HTML);
    # None: its `name`
    where: Callable[[Session, Member, ChatStep, dict[str, Any]], str] | None = None
    # (session, member) → the question again under a new number and message, always (`ask_again` may keep them,
    # e.g. the evidence question, so that files sent together all count); None: `ask_again`
    anew: Callable[[Session, Member], list[Screen]] | None = None


def unseen_answer(session: Session, member: Member, what: str, message_id: int, reply_to: int | None,
                  questions: Mapping[ChatStep, Bound]) -> list[Screen] | None:
    """Screens for a message (`what`, as the member is told about it) that does not answer the question shown:
    not saved, which question it would have answered, and the question again. None when it answers the
    current question, or no question of `questions` is asked."""
    question = question_of(session, member.id)
    if question is None or question.step not in questions:
        return None
    reason = question.unseen(message_id, reply_to)
    if reason is None:
        return None
    bound = questions[question.step]
    _, data = get_state(session, member.id)
    asked = bound.name(session, member, question.step, data)
    notice = t(f"chat.not_saved_{reason.value}", member.language, what=what, question=asked)
    return with_notice(notice, bound.ask_again(session, member))


def open_again(session: Session, member: Member, questions: Mapping[ChatStep, Bound]) -> list[Screen]:
    """The member's open question of `questions` asked again after an update that did not answer it (a command,
    a stale button, a sticker…): where they are (the subject, what is entered so far) on top of the question, a
    new message under a new number, so the answer that follows is filed under it and one to the message that
    asked it before is not. [] when no such question is open."""
    question = question_of(session, member.id)
    if question is None or question.step not in questions:
        return []
    bound = questions[question.step]
    _, data = get_state(session, member.id)
    where = (bound.where or bound.name)(session, member, question.step, data)
    return with_notice(t("chat.still_asked", member.language, question=where),
                       (bound.anew or bound.ask_again)(session, member))


def with_notice(notice: str, screens: list[Screen]) -> list[Screen]:
    """The notice on top of the first screen (one message: the member reads why and the question together, and
    cannot answer the notice before the question has arrived), unless that screen is not plain text."""
    if screens and screens[0].media is None and screens[0].edit_message_id is None \
            and screens[0].replaces_message_id is None:
        first = screens[0]
        return [replace(first, blocks=[notice, *first.blocks]), *screens[1:]]
    return [Screen.of(notice), *screens]


def is_current(session: Session, member: Member | None, number: int) -> bool:
    """Whether question `number` is the one the member is asked now (its buttons still apply)."""
    question = question_of(session, member.id) if member is not None else None
    return question is not None and question.number == number


def of_question(work: Callable[..., list[Screen]]) -> Callable[..., list[Screen]]:
    """A question's button (its number first): does its work only while that question is current."""
    def run(session: Session, member: Member, number: int, *ids: int) -> list[Screen]:
        if not is_current(session, member, number):
            return expired_button(session, member)
        return work(session, member, *ids)
    return run


async def superseded(update: Update, context: Context, buttons: frozenset[Button]) -> bool:
    """Whether the pressed button is one of a question's `buttons` and that question is not the member's current
    one (any more): then the press is answered as expired, before anything else."""
    pressed = unpack(update.callback_query.data)
    if pressed is None or pressed.button not in buttons:
        return False
    user_id, number = update.effective_user.id, pressed.ids[0]

    def check(session: Session) -> bool:
        return not is_current(session, member_by_telegram_id(session, user_id), number)

    return await in_transaction(context, check)
