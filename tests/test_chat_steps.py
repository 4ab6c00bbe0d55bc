"""Chat steps: what a member's next typed message means, stored by name in `chat_states.step`.

Given every step the bot can wait at, then a typed message at it has a handler, and its stored name is what it
was (rows already stored carry it); when a row holds a step this version does not know (written by an older
one), then it is cleared and the message is answered like one at no step, never a crash.
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from handlers.router import TEXT_STEPS, route_text
from i18n import t
from models.calc.clock import system_clock
from models.demo import DEMO_PK
from models.exchange.pk_import import import_pk
from models.messaging.chat_state import (
    ChatState,
    ChatStep,
    Question,
    Unseen,
    clear_state,
    get_state,
    mark_shown,
    question_of,
    set_state,
)
from models.office.audit import Actor
from models.office.invites import accept_invite, create_invite
from models.office.organisation import Member, Role, Unit
from models.store.database import session_scope

# Every step's stored name, written out: a name must never change, and a new step has to be added here.
STORED = {
    "fill.value", "fill.ambiguous", "fill.far_off", "fill.far_off_reason", "fill.kendala", "fill.tindak_lanjut",
    "fill.evidence", "review.select", "review.arahan", "kepala.arahan", "ms.analysis", "ms.return", "ms.arahan",
    "ms.rencana_aksi", "unlock.reason", "kepala.preview", "followup.note",
}


def test_every_step_has_a_text_handler():
    assert set(TEXT_STEPS) == set(ChatStep)
    assert all(isinstance(step, ChatStep) for step in TEXT_STEPS)


def test_every_step_keeps_its_stored_name_and_fits_the_column():
    assert {step.value for step in ChatStep} == STORED
    assert max(len(step.value) for step in ChatStep) <= ChatState.__table__.c.step.type.length


@pytest.fixture
def rina(engine) -> int:
    with session_scope(engine) as session:
        import_pk(session, DEMO_PK, Actor.cli())
        unit = session.exec(select(Unit).where(Unit.name == "Bidang Pelayanan Perizinan")).one()
        _, token = create_invite(session, Role.STAF, unit, Actor.cli(), now=system_clock())
        return accept_invite(session, token, 130, "Rina", "id", now=system_clock()).id


def test_a_step_is_read_back_as_a_chat_step(engine, rina: int):
    with session_scope(engine) as session:
        set_state(session, rina, ChatStep.FILL_KENDALA, indicator_id=7)
    with session_scope(engine) as session:
        step, data = get_state(session, rina)
        assert step is ChatStep.FILL_KENDALA and data == {"indicator_id": 7}


def test_a_step_is_set_from_a_chat_step_only(engine, rina: int):
    with session_scope(engine) as session, pytest.raises(TypeError):
        set_state(session, rina, "fill.value")


def test_a_stored_step_this_version_does_not_know_is_cleared(engine, rina: int):
    with session_scope(engine) as session:
        session.add(ChatState(member_id=rina, step="fill.old_question", data='{"indicator_id": 7}'))
    with session_scope(engine) as session:
        member = session.get(Member, rina)
        screens = route_text(session, member, "12")
        assert [screen.blocks for screen in screens] == [[t("chat.unknown_input", "id")]]
    with session_scope(engine) as session:
        assert session.get(ChatState, rina) is None
        assert get_state(session, rina) == (None, {})


def test_every_question_gets_a_new_number_even_after_the_state_is_cleared(engine, rina: int):
    with session_scope(engine) as session:
        first = set_state(session, rina, ChatStep.FILL_VALUE, indicator_id=7)
        second = set_state(session, rina, ChatStep.FILL_VALUE, indicator_id=7)
        clear_state(session, rina)
        assert get_state(session, rina) == (None, {}) and question_of(session, rina) is None
        third = set_state(session, rina, ChatStep.FILL_KENDALA, indicator_id=7)
        assert first < second < third
        assert get_state(session, rina) == (ChatStep.FILL_KENDALA, {"indicator_id": 7})


def test_the_message_of_a_question_is_recorded_only_while_it_is_current(engine, rina: int):
    with session_scope(engine) as session:
        old = set_state(session, rina, ChatStep.FILL_VALUE, indicator_id=7)
        new = set_state(session, rina, ChatStep.FILL_EVIDENCE, indicator_id=7)
        assert question_of(session, rina) == Question(ChatStep.FILL_EVIDENCE, new, None)
        assert not mark_shown(session, rina, old, 40)
        assert mark_shown(session, rina, new, 42)
        assert not mark_shown(session, rina, new, 45)  # shown again under its number: it keeps its first message
        assert question_of(session, rina) == Question(ChatStep.FILL_EVIDENCE, new, 42)


@pytest.mark.parametrize(("shown_in", "message_id", "reply_to", "unseen"), [
    (42, 43, None, None),  # typed below the question
    (42, 43, 42, None),  # a reply to the question itself
    (42, 41, None, Unseen.EARLIER),  # typed before the question appeared
    (42, 43, 30, Unseen.OTHER),  # a reply to another (older) question
    (None, 43, None, Unseen.NOT_SHOWN),  # the question is not known to be delivered
])
def test_a_message_answers_the_question_only_when_its_author_saw_it(shown_in, message_id, reply_to, unseen):
    assert Question(ChatStep.FILL_VALUE, 3, shown_in).unseen(message_id, reply_to) is unseen
